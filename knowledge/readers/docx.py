"""Word documents (.docx) through python-docx: styled headings, paragraphs, tables."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph
from ..blocks import (Block, ReadInfo, SourceDocument, Unloadable, clean, document, format_size,
                      join_lines, stem)
from ..blocks import heading as heading_block
from ..blocks import paragraph as paragraph_block

MB = 1024 * 1024
MAX_DOCX_UNPACKED_BYTES = 200 * MB
MAX_DOCX_MEMBER_RATIO = 200  # uncompressed/compressed, for members over 1 MB
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCX_HEADING_RE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_DOCX_TITLE_STYLES = frozenset({"title", "标题"})


def _check_docx_archive(data: bytes) -> None:
    """Refuse non-zips, truncated zips, zip bombs and zips that are not Word."""
    if data.startswith(_OLE_MAGIC):
        raise Unloadable("an old .doc or password-protected Word file, not a .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK"):
            raise Unloadable("truncated or corrupt .docx (incomplete zip archive)")
        raise Unloadable("truncated or corrupt .docx (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise Unloadable(f"truncated or corrupt .docx ({exc})") from None
    _check_docx_sizes(members)
    if not any(m.filename == "word/document.xml" for m in members):
        raise Unloadable("not a Word document (no word/document.xml inside)")


def _check_docx_sizes(members: list[zipfile.ZipInfo]) -> None:
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNPACKED_BYTES:
        raise Unloadable(
            f"unpacks to {format_size(total, decimals=True)}; the limit is "
            f"{format_size(MAX_DOCX_UNPACKED_BYTES, decimals=False)} (zip bomb?)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > MB and ratio > MAX_DOCX_MEMBER_RATIO:
            raise Unloadable(
                f"{member.filename} is compressed {ratio:.0f}:1, which looks like a zip bomb"
            )


def _docx_style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
        return (style.name or "").strip() if style is not None else ""
    except Exception:  # broken or missing style definitions
        return ""


def _docx_paragraph_block(paragraph: Paragraph) -> tuple[Block | None, bool]:
    """Return (block, is_title_style) for a python-docx Paragraph."""
    text = join_lines(paragraph.text.split("\n"))
    if not text:
        return None, False
    style = _docx_style_name(paragraph)
    if style.lower() in _DOCX_TITLE_STYLES:
        return heading_block(text, 0), True
    match = _DOCX_HEADING_RE.match(style)
    if match:
        return heading_block(text, int(match.group(1))), False
    return paragraph_block(text), False


def _docx_table_blocks(table: Table) -> Iterator[Block]:
    for row in table.rows:
        texts: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous._tc:  # merged cell
                continue
            previous = cell
            text = join_lines(cell.text.split("\n"))
            if text:
                texts.append(text)
        if texts:
            yield paragraph_block(" | ".join(texts))


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    _check_docx_archive(data)
    import docx
    from docx.table import Table

    try:
        doc = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        title_style_text = None
        for item in doc.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_docx_table_blocks(item))
                continue
            block, is_title = _docx_paragraph_block(item)
            if block is not None:
                blocks.append(block)
                if is_title and title_style_text is None:
                    title_style_text = block.text
        core_title = clean(doc.core_properties.title or "")
    except Unloadable:
        raise
    except Exception as exc:
        raise Unloadable(f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    title = core_title or title_style_text or first_heading or stem(name)
    return [document(title, blocks, name, "docx")]


# --------------------------------------------------------------------------
