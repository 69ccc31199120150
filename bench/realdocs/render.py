"""Render the measure's sources into the files offices really have: build/<format>/<stem>.<ext>.

    .venv/bin/python bench/realdocs/render.py [--laws ../shared/laws] [--formats pdf,html] [--force]

Idempotent: an output that exists is kept unless ``--force``. Needs pandoc, LibreOffice (``soffice``
and the system python's ``uno``), poppler's pdftoppm, ImageMagick's ``convert`` and img2pdf; the
tests never do. See README.md for what each format imitates.
"""

from __future__ import annotations

import argparse
import html
import json
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sources
from sources import Heading, Para, Source, Table

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BUILD = HERE / "build"
PROFILE = "/tmp/realdocs-lo"
FORMATS = ("txt", "md", "gb18030", "html", "docx-pandoc", "docx-lo", "docx-direct",
           "docx-numbered", "doc", "pdf", "scan", "xlsx", "csv")
EXT = {"txt": "txt", "md": "md", "gb18030": "txt", "html": "html", "docx-pandoc": "docx",
       "docx-lo": "docx", "docx-direct": "docx", "docx-numbered": "docx", "doc": "doc",
       "pdf": "pdf", "scan": "pdf", "xlsx": "xlsx", "csv": "csv"}
SCANNED = ("事业单位登记管理暂行条例", "残疾人就业条例", "差旅费管理办法")
TOC_CHARS = 6000          # statutes longer than this get a table of contents in the PDF


def wanted(fmt: str, source: Source) -> bool:
    if fmt in ("xlsx", "csv"):
        return source.origin == "sheet"
    if fmt == "scan":
        return source.stem in SCANNED
    return True


# -- text formats -----------------------------------------------------------------------------

def to_text(source: Source) -> str:
    """The reference: clean text, one paragraph a line, table rows as a person reads them."""
    lines = [source.title]
    for block in source.blocks:
        if isinstance(block, Table):
            if block.caption:
                lines.append(block.caption)
            lines += block.row_lines()
        else:
            lines.append(block.text)
    return "\n\n".join(lines) + "\n"


def to_markdown(source: Source) -> str:
    if source.origin != "sheet":
        return source.path.read_text(encoding="utf-8")
    table = source.blocks[0]
    assert isinstance(table, Table)
    head = [c.text for c in table.header[0]]
    rows = [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}"]
    rows += [f"| {' | '.join(r)} |" for r in table.body]
    return f"# {source.title}\n\n" + "\n".join(rows) + "\n"


def html_table(table: Table) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="4">']
    if table.caption:
        out.append(f"<caption>{html.escape(table.caption)}</caption>")
    out.append("<thead>")
    for row in table.header:
        cells = "".join(
            f'<th{f" colspan={c.colspan}" if c.colspan > 1 else ""}'
            f'{f" rowspan={c.rowspan}" if c.rowspan > 1 else ""}>{html.escape(c.text)}</th>'
            for c in row)
        out.append(f"<tr>{cells}</tr>")
    out.append("</thead><tbody>")
    for row in table.body:
        out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def clean_html(source: Source) -> str:
    """Plain semantic HTML (pandoc's input for the Word files): <title>, h1/h2, p, table."""
    body = []
    for block in source.blocks:
        if isinstance(block, Heading):
            body.append(f"<h{block.level}>{html.escape(block.text)}</h{block.level}>")
        elif isinstance(block, Para):
            body.append(f"<p>{html.escape(block.text)}</p>")
        else:
            body.append(html_table(block))
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>{html.escape(source.title)}</title></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


_SITE = "某某市人民政府门户网站"
_MENU = ("首页", "政务公开", "政务服务", "互动交流", "数据开放", "走进某市")


def gov_page(source: Source, others: list[str]) -> str:
    """A government web page: menu, breadcrumbs, share links, related files, ICP footer."""
    esc = html.escape
    content = []
    for block in source.blocks:
        if isinstance(block, Heading):   # sites often centre a bold paragraph, not an <h2>
            content.append(f'<p style="text-align:center"><strong>{esc(block.text)}</strong></p>')
        elif isinstance(block, Para):
            content.append(f'<p style="text-indent:2em">{esc(block.text)}</p>')
        else:
            content.append(html_table(block))
    menu = "".join(f'<li><a href="/{i}/">{esc(m)}</a></li>' for i, m in enumerate(_MENU))
    related = "".join(f'<li><a href="/zcwj/{i}.html">{esc(t)}</a></li>'
                      for i, t in enumerate(others))
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{esc(source.title)}_政策文件_{_SITE}</title>
<meta name="keywords" content="{esc(source.title)},政策文件">
<link rel="stylesheet" href="/css/main.css"><script src="/js/jquery.min.js"></script>
</head><body>
<div class="top"><span>欢迎访问{_SITE}</span> <a href="/wza/">无障碍</a> <a href="/en/">English</a>
<form class="search"><input name="q" placeholder="请输入关键词"><button>搜索</button></form></div>
<div class="nav"><ul>{menu}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <a href="/zcwj/">政策文件</a></div>
<div class="article">
<h1 class="title">{esc(source.title)}</h1>
<div class="info">发布时间：2024-03-15 来源：市司法局 浏览次数：2318 【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
<div class="content" id="zoom">
{chr(10).join(content)}
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="#">QQ空间</a>
【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>
<div class="related"><h3>相关文件</h3><ul>{related}</ul></div>
</div>
<div class="footer"><p>主办单位：某某市人民政府办公室　承办：某某市大数据中心</p>
<p>网站标识码：1101000001　<a href="https://beian.miit.gov.cn/">京ICP备05060933号-2</a>　京公网安备 11010502030143号</p>
<p>联系电话：010-12345678　地址：某某市中心路1号</p></div>
</body></html>
"""


# -- tools ------------------------------------------------------------------------------------

def run(cmd: list[str], timeout: int = 600) -> None:
    done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed: {done.stderr.decode('utf-8', 'replace')[-500:]}")


def soffice_convert(files: list[Path], target: str, outdir: Path, *, infilter: str = "") -> None:
    """One LibreOffice call for many files (starting it is the slow part)."""
    if not files:
        return
    cmd = ["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{PROFILE}"]
    if infilter:
        cmd.append(f"--infilter={infilter}")
    run(cmd + ["--convert-to", target, "--outdir", str(outdir), *map(str, files)], timeout=900)


def scan(pdf: Path, out: Path) -> None:
    """Pages as a scanner gives them: 150 dpi grey, a little skewed and noisy, image-only PDF."""
    with tempfile.TemporaryDirectory() as tmp:
        run(["pdftoppm", "-r", "150", "-gray", "-png", str(pdf), f"{tmp}/page"])
        pages = []
        for n, png in enumerate(sorted(Path(tmp).glob("page*.png"))):
            jpg = png.with_suffix(".jpg")
            run(["convert", str(png), "-seed", str(7 + n), "-background", "white",
                 "-rotate", "0.6" if n % 2 else "-0.4", "-attenuate", "0.35", "+noise",
                 "Gaussian", "-blur", "0x0.5", "-level", "8%,96%", "-colorspace", "Gray", "-units", "PixelsPerInch",
                 "-density", "150", "-quality", "80", str(jpg)])
            pages.append(str(jpg))
        run(["img2pdf", "--output", str(out), *pages])


# -- the recipe -------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "laws")
    parser.add_argument("--out", type=Path, default=BUILD)
    parser.add_argument("--formats", default=",".join(FORMATS))
    parser.add_argument("--force", action="store_true", help="rebuild outputs that exist")
    parser.add_argument("--with-handbook", action="store_true",
                        help="add the documents under handbook/ (员工手册, 财务报销与采购管理办法: for "
                             "handbook_*.jsonl and office_dev.jsonl; use another --out, "
                             "e.g. bench/realdocs/build-handbook)")
    parser.add_argument("--with-office14", action="store_true",
                        help="add the documents under office14/ (three office rules no engine change was "
                             "tuned on: for office14_*.jsonl); implies --with-handbook; use another "
                             "--out, e.g. bench/realdocs/build-office14")
    parser.add_argument("--with-labour16", action="store_true",
                        help="add the documents under labour16/ (three labour rules no engine change was "
                             "tuned on: for labour16_*.jsonl); implies --with-office14; use another "
                             "--out, e.g. bench/realdocs/build-labour16, and --formats txt,md")
    args = parser.parse_args(argv)
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    unknown = set(formats) - set(FORMATS)
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")
    # the Word and PDF formats are made from the pandoc docx
    needs = set(formats)
    if needs & {"docx-lo", "doc", "pdf", "scan"}:
        needs.add("docx-pandoc")
    if "scan" in formats:
        needs.add("pdf")
    started = time.perf_counter()
    with ThreadPoolExecutor(2) as pool:
        all_sources = list(pool.map(sources.load, sources.find_sources(
            args.laws, handbook=args.with_handbook or args.with_office14 or args.with_labour16,
            office14=args.with_office14 or args.with_labour16, labour16=args.with_labour16)))
    made: dict[str, int] = {}

    def todo(fmt: str) -> list[tuple[Source, Path]]:
        folder = args.out / fmt
        folder.mkdir(parents=True, exist_ok=True)
        pairs = [(s, folder / f"{s.stem}.{EXT[fmt]}") for s in all_sources if wanted(fmt, s)]
        missing = [(s, p) for s, p in pairs if (args.force and fmt in formats) or not p.exists()]
        made[fmt] = len(missing)
        return missing

    ordered = [f for f in FORMATS if f in needs]
    for fmt in ordered:
        pending = todo(fmt)
        if not pending:
            continue
        if fmt == "txt":
            for s, p in pending:
                p.write_text(to_text(s), encoding="utf-8")
        elif fmt == "gb18030":
            for s, p in pending:
                p.write_bytes(to_text(s).encode("gb18030"))
        elif fmt == "md":
            for s, p in pending:
                p.write_text(to_markdown(s), encoding="utf-8")
        elif fmt == "csv":
            for s, p in pending:
                shutil.copyfile(s.path, p)
        elif fmt == "html":
            titles = [s.title for s in all_sources]
            for s, p in pending:
                others = [t for t in titles if t != s.title][:5]
                p.write_text(gov_page(s, others), encoding="utf-8")
        elif fmt == "docx-pandoc":
            with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(2) as pool:
                def one(pair: tuple[Source, Path]) -> None:
                    src = Path(tmp) / f"{pair[0].stem}.html"
                    src.write_text(clean_html(pair[0]), encoding="utf-8")
                    run(["pandoc", "-f", "html", "-t", "docx", str(src), "-o", str(pair[1])])
                list(pool.map(one, pending))
        elif fmt in ("docx-direct", "docx-numbered"):
            import word
            for s, p in pending:
                word.write(s, p, fmt.split("-")[1])
        elif fmt in ("docx-lo", "doc"):
            target = "docx:MS Word 2007 XML" if fmt == "docx-lo" else "doc:MS Word 97"
            base = args.out / "docx-pandoc"
            soffice_convert([base / f"{s.stem}.docx" for s, _ in pending], target, args.out / fmt)
        elif fmt == "xlsx":
            soffice_convert([s.path for s, _ in pending], "xlsx:Calc MS Excel 2007 XML",
                            args.out / fmt, infilter="CSV:44,34,76,1")
        elif fmt == "pdf":
            jobs = [{"docx": str(args.out / "docx-pandoc" / f"{s.stem}.docx"), "pdf": str(p),
                     "title": s.title, "footer": "of" if n % 2 == 0 else "dash",
                     "toc": s.origin == "law" and s.chars > TOC_CHARS}
                    for n, (s, p) in enumerate(pending)]
            with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8") as handle:
                json.dump(jobs, handle, ensure_ascii=False)
                handle.flush()
                run(["/usr/bin/python3", str(HERE / "lo_pdf.py"), handle.name, PROFILE],
                    timeout=900)
        elif fmt == "scan":
            for s, p in pending:
                scan(args.out / "pdf" / f"{s.stem}.pdf", p)
        print(f"{fmt:14} {len(pending):3} files  ({time.perf_counter() - started:.0f} s)")
    missing = [str(p) for fmt in ordered for s in all_sources if wanted(fmt, s)
               for p in [args.out / fmt / f"{s.stem}.{EXT[fmt]}"] if not p.exists()]
    if missing:
        print("not made:", *missing, sep="\n  ", file=sys.stderr)
        return 1
    print(f"{len(all_sources)} sources, {sum(made.values())} files made in "
          f"{time.perf_counter() - started:.0f} s → {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
