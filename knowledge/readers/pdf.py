"""PDFs with a text layer: lines re-joined into paragraphs."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PdfReader
from ..blocks import (Block, ReadInfo, SourceDocument, Unloadable, clean, document, join_lines, paragraph, stem)

# pdf
# --------------------------------------------------------------------------

_PDF_SENTENCE_END = tuple("。！？：；.!?:;")
_PDF_HEADING_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇\d]+[章节条部分篇编]"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d{1,2}(?:[、．]|\.(?!\d)|(?:\.\d{1,2})+)"
    r"|附件|附录|chapter\s|section\s)",
    re.IGNORECASE,
)
_PDF_PAGE_NUMBER_RE = re.compile(r"^[-–—\s]*(?:第\s*)?\d{1,3}\s*(?:页)?[-–—\s]*$|^\d+\s*/\s*\d+$")
_UNTITLED = frozenset({"untitled", "untitled document", "无标题", "unknown", "document", "title"})


def _pdf_heading_like(line: str, starts_paragraph: bool) -> bool:
    if len(line) > 40 or line.endswith(_PDF_SENTENCE_END + tuple("，,、")):
        return False
    return bool(_PDF_HEADING_RE.match(line)) or (starts_paragraph and len(line) <= 15)


def _pdf_paragraphs(lines: Iterable[str]) -> list[Block]:
    """Re-join lines wrapped by the PDF layout into paragraphs."""
    paragraphs: list[list[str]] = []
    previous: str | None = None  # None: the next line starts a paragraph
    for raw in lines:
        line = clean(raw)
        if not line:
            previous = None
            continue
        if _PDF_PAGE_NUMBER_RE.match(line):
            continue
        starts = (
            previous is None
            or previous.endswith(_PDF_SENTENCE_END)
            or _pdf_heading_like(line, False)
        )
        if starts:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
        previous = None if _pdf_heading_like(line, starts) else line
    return [paragraph(join_lines(lines)) for lines in paragraphs]


def _pdf_title(reader: PdfReader, name: str) -> str:
    try:
        raw = reader.metadata.title if reader.metadata else None
    except Exception:
        raw = None
    title = clean(str(raw)) if raw else ""
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    if not title or title.lower() in _UNTITLED:
        return stem(name)
    return title


def _open_pdf(data: bytes) -> PdfReader:
    if b"%PDF-" not in data[:1024]:
        raise Unloadable("not a PDF file (no %PDF header)")
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise Unloadable("encrypted PDF (a password is needed)")
        len(reader.pages)
    except Unloadable:
        raise
    except Exception as exc:
        raise Unloadable(f"corrupt or truncated PDF: {exc}") from None
    return reader


def _pdf_lines(reader: PdfReader, info: ReadInfo) -> list[str]:
    lines: list[str] = []
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise Unloadable(f"corrupt or truncated PDF: {exc}") from None
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:
            info.warn(f"page {number}: text could not be extracted ({exc})")
            continue
        lines.extend(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return lines


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    reader = _open_pdf(data)
    blocks = _pdf_paragraphs(_pdf_lines(reader, info))
    if not blocks:
        raise Unloadable("no text layer (scanned PDF?)")
    return [document(_pdf_title(reader, name), blocks, name, "pdf")]


# --------------------------------------------------------------------------
