"""The block model: what every file reader yields, and what sections are built from.

A reader (``knowledge/readers/<format>.py``) turns a file's bytes into :class:`SourceDocument`
objects made of a handful of typed :class:`Block` kinds, and records what it did in a
:class:`ReadInfo` (reader used, pages, what was dropped, warnings). Only
:mod:`knowledge.sections` turns blocks into sections, paragraphs and sentences, so it knows
nothing of PDF or Word; readers know nothing of sections.

Block kinds:

- ``heading``: a heading with its ``level`` (1 = top; 0 = unknown: the text decides).
- ``paragraph``: running text.
- ``list_item``: one item of a list; ``text`` starts with its rendered ``number`` (as a reader
  shows it: ``第三条``, ``一、``, ``（二）``, ``1.``), ``level`` is its nesting depth (0 = top).
- ``table_row``: one data row of a table; ``cells`` with their column ``headers`` (same length;
  a header may be empty), ``table`` the caption or ``表N``, ``row`` its 1-based number;
  ``text`` is the row as a person reads it: ``出差地区：上海；住宿费：500元``.
- ``qa``: a question/answer pair of an FAQ (a sheet's question and answer columns, ``问：…`` /
  ``答：…`` lines, a heading that asks a question): ``question`` and the whole answer as ``text``
  (its paragraphs and list items one a line); ``section`` the categories a sheet gives it (分类
  columns), else the document's headings decide.

Page furniture (running headers, footers, page numbers, tables of contents) is not a block: a
reader drops it and counts it in :attr:`ReadInfo.dropped`, so an admin can see why text is missing.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .text import INVISIBLE_CLEANED, format_size, is_cjk_wide

# (format_size is text.py's, re-exported for knowledge.loaders)
__all__ = ["Block", "SourceDocument", "ReadInfo", "LoadError", "Unloadable", "BLOCK_KINDS",
           "clean", "join_lines", "decode_text", "decode", "stem", "document",
           "heading", "paragraph", "list_item", "table_row", "qa", "row_text", "format_size"]

BLOCK_KINDS = frozenset({"heading", "paragraph", "list_item", "table_row", "qa"})


@dataclass(frozen=True)
class Block:
    """One typed piece of a document, in reading order (see the module docstring)."""

    kind: str
    text: str
    level: int = 0
    number: str = ""                      # list_item: the rendered number, also at text's start
    headers: tuple[str, ...] = ()         # table_row: column headers, one per cell
    cells: tuple[str, ...] = ()           # table_row: the cells' text
    table: str = ""                       # table_row: caption or "表N"
    row: int = 0                          # table_row: 1-based data row
    page: int = 0                         # 1-based page the block starts on (0: no pages)
    ocr: bool = False                     # text read by OCR from an image
    question: str = ""                    # qa: the question (``text`` is its whole answer)
    section: tuple[str, ...] = ()         # qa: its categories (a sheet's 分类 columns)


@dataclass(frozen=True)
class SourceDocument:
    """A loaded document: a title and its blocks, plus where it came from."""

    title: str
    blocks: tuple[Block, ...]
    source: str  # file name (basename)
    source_id: str | None  # jsonl "id" as str, else None
    kind: str  # "txt", "md", "docx", "pdf", "html", "jsonl", "xlsx", "csv", "image", "post", ...


@dataclass
class ReadInfo:
    """What a reader did with one file, for the ingest report and ``staffbot show``."""

    reader: str = ""                      # e.g. "pdfplumber", "python-docx", "trafilatura"
    pages: int = 0
    ocr_pages: int = 0
    numbered: int = 0                     # list items whose number the reader rendered
    dropped: dict[str, int] = field(default_factory=dict)   # "page header" -> lines dropped
    warnings: list[str] = field(default_factory=list)

    def drop(self, what: str, count: int = 1) -> None:
        self.dropped[what] = self.dropped.get(what, 0) + count

    def warn(self, message: str) -> None:
        self.warnings.append(message)


class LoadError(Exception):
    """A file that cannot be loaded, with ``.path`` and a short ``.reason``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")

    def __reduce__(self) -> tuple[type[LoadError], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


class Unloadable(Exception):
    """Raised by readers (they do not know the path); the dispatcher makes it a LoadError."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# -- text helpers shared by the readers -------------------------------------------------------

_INVISIBLE_RE = re.compile(f"[{re.escape(INVISIBLE_CLEANED)}]")


def clean(text: str) -> str:
    """Drop invisible characters, collapse all whitespace (incl. U+3000, NBSP)."""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def join_lines(lines: Iterable[str]) -> str:
    """Join wrapped lines: no space next to CJK text or after a hyphen."""
    parts: list[str] = []
    for raw in lines:
        line = clean(raw)
        if not line:
            continue
        if parts:
            prev = parts[-1][-1]
            if not (is_cjk_wide(prev) or is_cjk_wide(line[0]) or prev == "-"):
                parts.append(" ")
        parts.append(line)
    return "".join(parts)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030.

    Line endings are normalised to ``\\n``. Raises ValueError when no encoding decodes the data
    cleanly (or it holds NUL bytes, i.e. binary).
    """
    text = _try_decode(data)
    if text is None:
        raise ValueError("not valid UTF-8 or GB18030 text")
    if "\x00" in text:
        raise ValueError("contains NUL bytes (binary data, not text)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _try_decode(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        attempts = [(data[len(codecs.BOM_UTF8):], "utf-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = [(data, "utf-16")]
    else:
        attempts = [(data, "utf-8"), (data, "gb18030")]
    for payload, encoding in attempts:
        try:
            return payload.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def decode(data: bytes) -> str:
    """decode_text for readers: an undecodable or empty file is :class:`Unloadable`."""
    try:
        text = decode_text(data)
    except ValueError as exc:
        raise Unloadable(str(exc)) from None
    if not clean(text):
        raise Unloadable("empty file")
    return text


def stem(name: str) -> str:
    return Path(name).stem or name


def document(title: str, blocks: Iterable[Block], name: str, kind: str,
             source_id: str | None = None) -> SourceDocument:
    blocks = tuple(blocks)
    if not blocks:
        raise Unloadable("no readable text found")
    return SourceDocument(title, blocks, name, source_id, kind)


def heading(text: str, level: int = 0, **extra) -> Block:
    return Block("heading", text, level, **extra)


def paragraph(text: str, **extra) -> Block:
    return Block("paragraph", text, **extra)


def list_item(number: str, text: str, level: int = 0, **extra) -> Block:
    """A list item whose ``number`` was rendered by the reader (Word numbering, ``<ol>``)."""
    body = text.strip()
    sep = "" if not number or number.endswith(("、", "）", ")", "．", " ")) \
        or is_cjk_wide(number[-1]) else " "
    return Block("list_item", f"{number}{sep}{body}" if number else body, level, number=number,
                 **extra)


def row_text(headers: Sequence[str], cells: Sequence[str]) -> str:
    """``出差地区：上海；住宿费：500``: each cell with its header; empty cells are left out."""
    parts = []
    for head, cell in zip(headers, cells):
        cell = cell.strip()
        if not cell:
            continue
        parts.append(f"{head}：{cell}" if head and head != cell else cell)
    return "；".join(parts)


def table_row(headers: Sequence[str], cells: Sequence[str], *, table: str, row: int,
              **extra) -> Block:
    headers = tuple(headers) + ("",) * (len(cells) - len(headers))
    return Block("table_row", row_text(headers, cells), headers=tuple(headers[:len(cells)]),
                 cells=tuple(cells), table=table, row=row, **extra)


def qa(question: str, answer: str, section: Sequence[str] = (), **extra) -> Block:
    """A question/answer pair: ``answer`` whole (its lines kept), under ``section`` if given."""
    lines = (line.strip() for line in answer.split("\n"))
    return Block("qa", "\n".join(line for line in lines if line), question=question.strip(),
                 section=tuple(s for s in section if s), **extra)
