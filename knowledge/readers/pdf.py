"""PDF (.pdf): text lines with their geometry from pypdfium2, laid out by :mod:`.pdf_layout`.

Pages without a text layer (scans) are read by OCR when the optional engine is installed
(:mod:`knowledge.readers.ocr`); otherwise they are named in a warning, and a PDF with no text
at all is refused with the message saying how to get OCR.
"""

from __future__ import annotations

import ctypes
import io
import logging
import re
import threading

from ..blocks import ReadInfo, SourceDocument, Unloadable, clean, document, stem
from ..text import is_cjk_wide
from . import ocr
from .pdf_layout import Line, Page, layout_blocks
from .pdf_tables import page_rules, replace_tables

log = logging.getLogger("knowledge.readers")

_UNTITLED = frozenset({"untitled", "untitled document", "无标题", "unknown", "document", "title",
                       "slide 1", "幻灯片 1"})
_OFFICE_PREFIX = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) - ", re.IGNORECASE)
_FILE_NAME = re.compile(r"\.(?:docx?|wps|rtf|odt|pptx?|xlsx?|txt|pdf)$", re.IGNORECASE)
_OCR_DPI = 200
# A gap wider than this many font sizes between two runs of a line separates table cells.
_CELL_GAP = 1.5
# PDFium keeps global state and is not thread-safe; ingest may run readers in threads.
_PDFIUM_LOCK = threading.Lock()


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    if b"%PDF-" not in data[:1024]:
        raise Unloadable("not a PDF file (no %PDF header)")
    if b"%%EOF" not in data[-4096:]:
        # a cut upload: PDFium would read what is left and silently lose the rest
        raise Unloadable("corrupt or truncated PDF: the file ends before its end marker (%%EOF)")
    import pypdfium2 as pdfium

    info.reader = "pypdfium2"
    with _PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise Unloadable("encrypted PDF (a password is needed)") from None
            raise Unloadable(f"corrupt or truncated PDF: {_reason(exc)}") from None
        try:
            pages, meta_title = _read_pages(pdf, name, info)
        finally:
            pdf.close()
    blocks, title_line = layout_blocks(pages, info)
    if not blocks and all(page.ocr for page in pages):
        raise Unloadable("no text layer, and OCR found no text on it")
    return [document(meta_title or title_line or stem(name), blocks, name, "pdf")]


def _reason(exc: Exception) -> str:
    match = re.search(r"\(PDFium: (.*?)\)", str(exc))
    return match.group(1) if match else str(exc)


def _read_pages(pdf, name: str, info: ReadInfo) -> tuple[list[Page], str]:
    from pypdfium2 import PdfiumError

    total = len(pdf)
    info.pages = total
    pages: list[Page] = []
    scans: list[int] = []
    for index in range(total):
        page = pdf[index]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                lines = _page_lines(textpage, height)
                if lines:
                    lines = replace_tables(page, textpage, height, lines,
                                           page_rules(page, height))
            finally:
                textpage.close()
            if not lines:
                scans.append(index + 1)
                lines = _ocr_lines(page, name, index + 1, total, info)
                pages.append(Page(index + 1, width, height, lines, ocr=True))
            else:
                pages.append(Page(index + 1, width, height, lines))
        except PdfiumError as exc:
            info.warn(f"page {index + 1}: text could not be extracted ({_reason(exc)})")
        finally:
            page.close()
    missed = [n for n in scans if not any(p.number == n and p.lines for p in pages)]
    if scans and len(scans) == total and not ocr.available():
        raise Unloadable(ocr.MISSING)
    if missed and not ocr.available():
        info.warn(f"no text layer on pages {_ranges(missed)} (scans?); to read them {ocr.HOW}")
    elif missed:
        info.warn(f"OCR found no text on pages {_ranges(missed)}")
    return pages, _meta_title(pdf)


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 8] → "3–5, 8"."""
    spans: list[list[int]] = []
    for n in numbers:
        if spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in spans)


def _meta_title(pdf) -> str:
    from pypdfium2 import PdfiumError

    try:
        raw = pdf.get_metadata_value("Title")
    except (PdfiumError, ValueError):   # a broken Info dictionary only costs the title
        return ""
    title = _OFFICE_PREFIX.sub("", clean(raw or ""))
    if not title or title.lower() in _UNTITLED or _FILE_NAME.search(title):
        return ""
    return title


# -- text lines -----------------------------------------------------------------------------------

def _page_lines(textpage, height: float) -> tuple[Line, ...]:
    """The page's text lines with position, font size and weight (PDFium's reading order)."""
    from pypdfium2 import raw

    count = textpage.count_chars()
    if count <= 0:
        return ()
    text = textpage.get_text_range()
    if len(text) != count:   # characters outside the BMP: one code point per PDFium char
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
    rect = raw.FS_RECTF()
    handle = textpage.raw

    def box(i: int) -> tuple[float, float, float, float]:
        raw.FPDFText_GetLooseCharBox(handle, i, rect)
        return rect.left, rect.right, height - rect.top, height - rect.bottom

    lines = []
    for match in re.finditer(r"[^\r\n]+", text):
        line = _line(match.start(), match.group(), box, handle, raw)
        if line is not None:
            lines.append(line)
    return tuple(lines)


def _line(offset: int, chars: str, box, handle, raw) -> Line | None:
    stripped = chars.strip()
    if not clean(stripped):
        return None
    first = offset + len(chars) - len(chars.lstrip())
    last = offset + len(chars.rstrip()) - 1
    x0, _, top, _ = box(first)
    _, x1, _, _ = box(last)
    size = max(raw.FPDFText_GetFontSize(handle, first),
               raw.FPDFText_GetFontSize(handle, (first + last) // 2))
    bold = _bold(handle, first, raw)
    # Split at the spaces: wide gaps separate cells; PDFium's own spaces next to CJK go.
    runs: list[list] = []        # [text, x0, x1]
    start = first
    for i in range(first, last + 1):
        char = chars[i - offset]
        if not char.isspace():
            continue
        if start < i:
            runs.append([chars[start - offset:i - offset], box(start)[0], box(i - 1)[1]])
            runs[-1].append(raw.FPDFText_IsGenerated(handle, i) == 1)   # the space after it
        start = i + 1
    if start <= last:
        runs.append([chars[start - offset:last + 1 - offset], box(start)[0], box(last)[1], False])
    cells: list[list] = []
    parts: list[str] = []
    for k, (part, a, b, generated) in enumerate(runs):
        if cells and a - cells[-1][2] > _CELL_GAP * size:
            cells.append([part, a, b])
        elif cells:
            joiner = "" if runs[k - 1][3] and (is_cjk_wide(cells[-1][0][-1])
                                               or is_cjk_wide(part[0])) else " "
            cells[-1][0] += joiner + part
            cells[-1][2] = b
        else:
            cells.append([part, a, b])
    parts = [clean(c[0]) for c in cells]
    text = " ".join(p for p in parts if p)
    if not text:
        return None
    cell_runs = tuple((clean(t), a, b) for t, a, b in cells) if len(cells) > 1 else ()
    return Line(text, x0, x1, top, round(size, 1), bold, cell_runs)


def _bold(handle, index: int, raw) -> bool:
    if raw.FPDFText_GetFontWeight(handle, index) >= 600:
        return True
    buffer = ctypes.create_string_buffer(128)
    flags = ctypes.c_int()
    length = raw.FPDFText_GetFontInfo(handle, index, buffer, len(buffer), flags)
    name = buffer.raw[:max(0, length - 1)].decode("utf-8", "replace").lower()
    # 0x40000 is the PDF font descriptor's ForceBold flag
    return bool(flags.value & 0x40000) or any(w in name for w in ("bold", "heavy", "black"))


# -- scans ----------------------------------------------------------------------------------------

def _ocr_lines(page, name: str, number: int, total: int, info: ReadInfo) -> tuple[Line, ...]:
    if not ocr.available():
        return ()
    log.info("%s: OCR page %d of %d", name, number, total)
    image = page.render(scale=_OCR_DPI / 72).to_pil()
    png = io.BytesIO()
    image.save(png, format="PNG")
    lines = tuple(Line(text) for text in (clean(t) for t in ocr.image_lines(png.getvalue()))
                  if text)
    if lines:
        info.ocr_pages += 1
    return lines
