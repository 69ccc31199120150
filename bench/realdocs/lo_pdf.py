"""PDFs as offices export them from Writer: a running header, a page footer and, for the longer
statutes, a table of contents. Run by the system python (it has LibreOffice's ``uno``):

    /usr/bin/python3 bench/realdocs/lo_pdf.py JOBS.json PROFILE_DIR

``JOBS.json`` is a list of ``{"docx", "pdf", "title", "footer": "of" | "dash", "toc": bool}``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.style.ParagraphAdjust import CENTER

PIPE = f"realdocs{os.getpid()}"


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(profile: str):
    office = subprocess.Popen(
        ["soffice", "--headless", "--invisible", "--nologo", "--norestore",
         f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={PIPE};urp;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(120):
        try:
            ctx = resolver.resolve(f"uno:pipe,name={PIPE};urp;StarOffice.ComponentContext")
            desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
            return office, desktop
        except Exception:  # noqa: BLE001 - office still starting
            time.sleep(0.25)
    office.kill()
    raise SystemExit("LibreOffice did not start")


def page_fields(doc, text, cursor, footer: str) -> None:
    number = doc.createInstance("com.sun.star.text.TextField.PageNumber")
    number.NumberingType = 4          # ARABIC
    number.SubType = uno.Enum("com.sun.star.text.PageNumberType", "CURRENT")
    if footer == "dash":
        text.insertString(cursor, "－ ", False)
        text.insertTextContent(cursor, number, False)
        text.insertString(cursor, " －", False)
        return
    count = doc.createInstance("com.sun.star.text.TextField.PageCount")
    count.NumberingType = 4
    text.insertString(cursor, "第 ", False)
    text.insertTextContent(cursor, number, False)
    text.insertString(cursor, " 页 共 ", False)
    text.insertTextContent(cursor, count, False)
    text.insertString(cursor, " 页", False)


def render(desktop, job: dict) -> None:
    url = uno.systemPathToFileUrl(os.path.abspath(job["docx"]))
    doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
    try:
        styles = doc.StyleFamilies.getByName("PageStyles")
        used = {doc.Text.createEnumeration().nextElement().PageStyleName or "Standard",
                "Standard", "Default Page Style"}
        for name in used:
            if not styles.hasByName(name):
                continue
            page = styles.getByName(name)
            page.HeaderIsOn = True
            page.FooterIsOn = True
            page.HeaderText.setString(job["title"])
            page.HeaderText.createTextCursor().ParaAdjust = CENTER
            footer = page.FooterText
            footer.setString("")
            cursor = footer.createTextCursor()
            cursor.ParaAdjust = CENTER
            page_fields(doc, footer, cursor, job["footer"])
        if job.get("toc"):
            index = doc.createInstance("com.sun.star.text.ContentIndex")
            index.CreateFromOutline = True
            index.Title = "目  录"
            text = doc.Text
            cursor = text.createTextCursor()
            cursor.gotoStart(False)
            cursor.gotoNextParagraph(False)          # after the title
            text.insertControlCharacter(cursor, 0, False)   # PARAGRAPH_BREAK
            text.insertTextContent(cursor, index, False)
            index.update()
            # the statute's text starts on the page after the contents
            enum = text.createEnumeration()
            seen_index = False
            while enum.hasMoreElements():
                para = enum.nextElement()
                if not para.supportsService("com.sun.star.text.Paragraph"):
                    continue
                if seen_index and para.getString().strip() and \
                        para.ParaStyleName not in ("Contents Heading", "Contents 1", "Contents 2"):
                    para.BreakType = uno.Enum("com.sun.star.style.BreakType", "PAGE_BEFORE")
                    break
                if para.ParaStyleName.startswith("Contents"):
                    seen_index = True
            doc.getDocumentIndexes().getByIndex(0).update()
        out = uno.systemPathToFileUrl(os.path.abspath(job["pdf"]))
        doc.storeToURL(out, (prop("FilterName", "writer_pdf_Export"),))
    finally:
        doc.close(True)


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        jobs = json.load(handle)
    office, desktop = connect(sys.argv[2])
    failed = 0
    try:
        for job in jobs:
            try:
                render(desktop, job)
            except Exception as exc:  # noqa: BLE001 - report and go on with the others
                failed += 1
                print(f"pdf failed: {job['docx']}: {exc}", file=sys.stderr)
    finally:
        with contextlib.suppress(Exception):  # the bridge goes down with the office
            desktop.terminate()
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            office.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
