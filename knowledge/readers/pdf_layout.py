"""PDF page geometry → blocks: what a person reading the printed pages would copy out.

:mod:`knowledge.readers.pdf` extracts each page's text lines with their position and font; this
module drops the page furniture (running headers and footers repeated across pages, page
numbers, tables of contents), rejoins lines the layout wrapped into paragraphs — also across
page breaks —, finds headings by font size, weight and centring, and reads tables whose cells
sit in aligned columns as rows with their headers.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from ..blocks import Block, ReadInfo, heading, join_lines, paragraph, table_row
from ..text import CLAUSE_ENDS, CLOSING_QUOTES, ELLIPSIS

__all__ = ["Line", "Page", "layout_blocks", "looks_like_title"]


@dataclass(frozen=True)
class Line:
    """One text line of a page. Coordinates in points, y growing downwards from the page top.

    OCR lines have no geometry (``x0 == x1 == 0``): only their text and order count.
    """

    text: str
    x0: float = 0.0
    x1: float = 0.0
    top: float = 0.0
    size: float = 0.0
    bold: bool = False
    cells: tuple[tuple[str, float, float], ...] = ()   # (text, x0, x1) runs split by wide gaps
    grid: tuple[tuple[str, ...], ...] = ()   # a whole table read by .pdf_tables: header row first

    @property
    def placed(self) -> bool:
        return self.x1 > self.x0


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    lines: tuple[Line, ...]
    ocr: bool = False


# A line ending one of these ends its sentence (closing quotes/brackets may follow).
_END_RE = re.compile(f"[{re.escape(CLAUSE_ENDS + ELLIPSIS)}][{re.escape(CLOSING_QUOTES)}]*$"
                     r"|(?<![A-Za-z0-9])\.['\"”’)]*$|[a-z]\.$")
# A line ending one of these is mid-sentence, however short it is.
_CONTINUES = tuple("，、,（(《“‘「-—／/")
_CLAUSE_RE = re.compile(r"[，,、；;]")
# Structure markers a person sees as the start of an article, item or heading.
_MARKER_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇两\d]+[编章节条款]"
    r"|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]{1,3}[)）]"
    r"|\d{1,2}(?:[、．]|\.(?!\d)|(?:\.\d{1,2})+\s)|[\u2460-\u2473]|附件|附录|附表)")
_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-－–—―~〜\s]*\d{1,4}[-－–—―~〜\s]*"
    r"|第\s*\d{1,4}\s*页\s*[,，/]?\s*(?:共\s*\d{1,4}\s*页)?"
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?)$", re.IGNORECASE)
_TOC_ENTRY_RE = re.compile(r"^(.*?\S)\s*(?:(?:[.·•・…‥⋯_]\s*){4,}|…{2,}|\s{4,})\s*[\dIVXivx]{1,4}$")
_TOC_TITLE_RE = re.compile(r"^(?:目\s*录|目\s*次|contents|table of contents)$", re.IGNORECASE)
_CAPTION_RE = re.compile(r"^(?:表|table)\s*[\d一二三四五六七八九十]+", re.IGNORECASE)
_DIGITS_RE = re.compile(r"\d+")

_EDGE_BAND = 0.1           # the top/bottom tenth of a page, where headers and footers sit


def _mask(text: str) -> str:
    """A running header or footer differs only in its numbers: compare them masked."""
    return _DIGITS_RE.sub("#", "".join(text.split()))


def looks_like_title(line: Line, body_size: float) -> bool:
    return line.placed and line.size >= body_size + 2 and len(line.text) <= 60


# -- page furniture -----------------------------------------------------------------------------

def _edge_lines(page: Page) -> tuple[list[int], list[int]]:
    """Indexes of the lines that may be a header (top) or footer (bottom) of ``page``."""
    lines = page.lines
    if not lines:
        return [], []
    top, bottom = [0], [len(lines) - 1]
    band = page.height * _EDGE_BAND
    if len(lines) > 2 and lines[1].placed and lines[1].top < band:
        top.append(1)
    if len(lines) > 3 and lines[-2].placed and lines[-2].top > page.height - band:
        bottom.append(len(lines) - 2)
    return top, [i for i in bottom if i not in top]


def drop_furniture(pages: Sequence[Page], info: ReadInfo) -> list[Page]:
    """Pages without their running headers/footers and page numbers (counted in ``info``)."""
    keys: Counter[tuple[str, str, int]] = Counter()
    edges = [_edge_lines(page) for page in pages]
    for page, (top, bottom) in zip(pages, edges):
        seen = set()
        for where, indexes in (("top", top), ("bottom", bottom)):
            for i in indexes:
                seen.add(_key(page, i, where))
        keys.update(seen)
    texted = sum(1 for page in pages if page.lines)
    repeated = max(2, (texted + 1) // 2)
    kept: list[Page] = []
    for page, (top, bottom) in zip(pages, edges):
        drop: set[int] = set()
        for where, indexes in (("top", top), ("bottom", bottom)):
            for i in indexes:
                text = page.lines[i].text
                if _PAGE_NUMBER_RE.match(text):
                    info.drop("page numbers")
                elif keys[_key(page, i, where)] >= repeated:
                    info.drop("page header lines" if where == "top" else "page footer lines")
                else:
                    continue
                drop.add(i)
        lines = tuple(line for i, line in enumerate(page.lines) if i not in drop)
        kept.append(Page(page.number, page.width, page.height, lines, page.ocr))
    return kept


def _key(page: Page, index: int, where: str) -> tuple[str, str, int]:
    line = page.lines[index]
    # position in 6-point steps from its edge: the same header sits at the same place
    offset = line.top if where == "top" else page.height - line.top
    return where, _mask(line.text), round(offset / 6) if line.placed else -1


def drop_toc(pages: Sequence[Page], info: ReadInfo) -> list[Page]:
    """Pages without table-of-contents lines (a 目录 heading and leader-dotted entries)."""
    kept = []
    for page in pages:
        entries = {i for i, line in enumerate(page.lines) if _TOC_ENTRY_RE.match(line.text)
                   and not _END_RE.search(_TOC_ENTRY_RE.match(line.text).group(1))}
        if len(entries) >= 2 or any(_TOC_TITLE_RE.match(line.text) for line in page.lines):
            titles = {i for i, line in enumerate(page.lines) if _TOC_TITLE_RE.match(line.text)}
            if entries or titles and len(page.lines) == len(titles):
                entries |= titles
        else:
            entries = set()
        if entries:
            info.drop("table of contents lines", len(entries))
        kept.append(Page(page.number, page.width, page.height,
                         tuple(line for i, line in enumerate(page.lines) if i not in entries),
                         page.ocr))
    return kept


# -- the body's measures ------------------------------------------------------------------------

@dataclass(frozen=True)
class _Measure:
    size: float          # body font size
    left: float          # left margin of body lines
    right: float         # where full body lines end
    pitch: float         # line-to-line distance inside a paragraph
    heading_sizes: tuple[float, ...]   # font sizes above the body's, largest first


def _measure(pages: Sequence[Page]) -> _Measure:
    placed = [line for page in pages for line in page.lines if line.placed]
    if not placed:
        return _Measure(0.0, 0.0, 0.0, 0.0, ())
    sizes: Counter[float] = Counter()
    for line in placed:
        sizes[round(line.size * 2) / 2] += len(line.text)
    size = sizes.most_common(1)[0][0]
    body = [line for line in placed if abs(line.size - size) < 0.6 and not line.cells]
    body = body or placed
    lefts = Counter(round(line.x0 / 2) * 2 for line in body)
    enough = max(2, len(body) // 20)
    left = min((x for x, n in lefts.items() if n >= enough), default=min(lefts))
    # Full lines end at the margin (a hanging 。 or ， a little past it): the commonest right
    # edge in the page's right half, else a high percentile of them.
    width = max(page.width for page in pages)
    rights = Counter(round(line.x1 / 2) * 2 for line in body if line.x1 > width / 2)
    common = [x for x, n in rights.most_common() if n >= 3]
    ends = sorted(line.x1 for line in body)
    right = common[0] if common else ends[int(len(ends) * 0.9)]
    if right < width - left - 4 * size:   # mostly short lines: assume symmetric margins
        right = width - left
    pitches = sorted(b.top - a.top for page in pages
                     for a, b in zip(page.lines, page.lines[1:])
                     if a.placed and b.placed and abs(a.size - size) < 0.6
                     and abs(b.size - size) < 0.6 and 0 < b.top - a.top < 3 * size)
    pitch = pitches[len(pitches) // 4] if pitches else size * 1.5   # the tighter quartile
    heading_sizes = tuple(sorted({s for s in sizes if s >= size + 1}, reverse=True))
    return _Measure(size, left, right, pitch, heading_sizes)


# -- blocks -------------------------------------------------------------------------------------

def layout_blocks(pages: Sequence[Page], info: ReadInfo) -> tuple[list[Block], str]:
    """Blocks in reading order, and the first page's title line ("" when none stands out)."""
    pages = drop_toc(drop_furniture(pages, info), info)
    m = _measure(pages)
    title = _title_line(pages, m)
    blocks: list[Block] = []
    text: list[str] = []          # the paragraph being built
    start: tuple[int, bool] = (0, False)
    prev: Line | None = None
    prev_page = 0
    tables = 0

    def flush() -> None:
        nonlocal text
        if text:
            blocks.append(paragraph(join_lines(text), page=start[0], ocr=start[1]))
            text = []

    for page in pages:
        lines = list(page.lines)
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.grid:
                flush()
                caption = _take_caption(blocks)
                tables += 1
                headers = line.grid[0]
                blocks.extend(table_row(headers, cells, table=caption or f"表{tables}", row=n,
                                        page=page.number)
                              for n, cells in enumerate(line.grid[1:], start=1))
                i += 1
                prev = None
                continue
            above, run = _table_run(lines, i, m)
            if run:
                flush()
                caption = _take_caption(blocks)
                tables += 1
                blocks.extend(_table_blocks(lines[i:i + run], above, caption or f"表{tables}",
                                            page.number, m))
                i += run
                prev = None
                continue
            level = _heading_level(line, m, title)
            if level is not None:
                if blocks and blocks[-1].kind == "heading" and not text and prev is not None \
                        and _same_heading(prev, line, prev_page, page.number, m):
                    last = blocks.pop()
                    blocks.append(heading(join_lines([last.text, line.text]), last.level,
                                          page=last.page))
                else:
                    flush()
                    blocks.append(heading(line.text, level, page=page.number, ocr=page.ocr))
                prev, prev_page = line, page.number
                i += 1
                continue
            if prev is None or not text or _starts_paragraph(prev, line, prev_page == page.number,
                                                             m):
                flush()
                start = (page.number, page.ocr)
            text.append(line.text)
            prev, prev_page = line, page.number
            i += 1
    flush()
    return blocks, title.text if title else ""


def _title_line(pages: Sequence[Page], m: _Measure) -> Line | None:
    """The first page's largest line near its top, when it is larger than the body text."""
    if not pages or not m.heading_sizes:
        return None
    first = [line for line in pages[0].lines[:4] if looks_like_title(line, m.size)]
    return max(first, key=lambda line: line.size, default=None)


def _heading_level(line: Line, m: _Measure, title: Line | None) -> int | None:
    """None for body text; else the heading's level (0: its 第X章 marker decides)."""
    if not line.placed or len(line.text) > 40 or _END_RE.search(line.text) \
            or line.text.endswith(_CONTINUES):
        return None
    if line is title:
        return 1
    marker = bool(_MARKER_RE.match(line.text))
    if line.size >= m.size + 1:
        rank = m.heading_sizes.index(round(line.size * 2) / 2) + 1 \
            if round(line.size * 2) / 2 in m.heading_sizes else len(m.heading_sizes)
        return 0 if marker else rank + (title is None)
    centred = abs((line.x0 + line.x1) / 2 - (m.left + m.right) / 2) < 1.5 * m.size \
        and line.x0 > m.left + 2 * m.size and line.x1 < m.right - 2 * m.size
    if line.bold and (centred or line.x0 < m.left + m.size) and not _CAPTION_RE.match(line.text):
        return 0 if marker else len(m.heading_sizes) + 1
    if centred and marker and len(line.text) <= 20:
        return 0
    return None


def _same_heading(a: Line, b: Line, page_a: int, page_b: int, m: _Measure) -> bool:
    """A heading wrapped onto a second line: same style, right below, no new marker."""
    return (page_a == page_b and abs(a.size - b.size) < 0.6 and a.bold == b.bold
            and 0 < b.top - a.top < 1.6 * max(a.size, m.size) and not _MARKER_RE.match(b.text))


def _starts_paragraph(prev: Line, line: Line, same_page: bool, m: _Measure) -> bool:
    """Does ``line`` start a new paragraph after ``prev``? (The heart of rejoining lines.)"""
    ends = bool(_END_RE.search(prev.text))
    marker = bool(_MARKER_RE.match(line.text))
    if not (prev.placed and line.placed):      # OCR text: punctuation, markers and length tell
        return ends or marker or len(prev.text) <= 15 and not _CLAUSE_RE.search(prev.text)
    if abs(line.size - prev.size) >= 1:
        return True
    if same_page and line.top - prev.top > 1.35 * m.pitch:
        return True                            # paragraph spacing
    # Room left at the line's end that the next line's first word would not have fitted in: a
    # Latin word's width, or a CJK character (two when the next starts "止、": a line must not
    # begin with 、，。 so the character before it moved down too).
    first = re.match(r"[A-Za-z0-9]+|.[、，。；：！？”’）》」』,.;:!?)]?", line.text).group()
    room = max(1.5 * line.size, len(first) * 0.6 * line.size if first.isascii()
               else (len(first) + 0.5) * line.size)
    full = prev.x1 >= m.right - room
    if full and not ends:
        return False                           # wrapped by the layout, even over a page break
    indented = line.x0 > m.left + 0.8 * line.size and line.x0 > prev.x0 - 0.5 * line.size
    if full:
        return indented or marker
    if ends:
        return True
    # a short line without a full stop: a heading or a hard line break, unless the sentence
    # visibly goes on (a trailing comma, running text with commas, a lower-case word)
    goes_on = prev.text.endswith(_CONTINUES) or line.text[:1].islower() \
        or bool(_CLAUSE_RE.search(prev.text)) and not indented
    return marker or not goes_on


# -- tables ---------------------------------------------------------------------------------------
# A table is a run of lines whose cells sit on one baseline with wide gaps between them. Short
# single-cell lines just above it are header parts (a header cell spanning two rows or columns:
# 出差地区 / 住宿费标准); ones inside it are a cell wrapped onto two lines (西藏、青海、新 / 疆).

def _cell_like(line: Line, m: _Measure) -> bool:
    return (line.placed and not line.cells and len(line.text) <= 20
            and line.x1 < m.right - 2 * m.size and not _CAPTION_RE.match(line.text)
            and not _MARKER_RE.match(line.text) and not _END_RE.search(line.text))


def _table_run(lines: Sequence[Line], start: int, m: _Measure) -> tuple[int, int]:
    """(header lines before the first multi-cell line, lines in all) from ``start``; (0, 0)."""
    head = start
    while head < len(lines) and _cell_like(lines[head], m) and head - start < 3:
        head += 1
    if head >= len(lines) or len(lines[head].cells) < 2:
        return 0, 0
    end, multi = head, 0
    while end < len(lines):
        if len(lines[end].cells) >= 2:
            multi += 1
            end += 1
            continue
        wrapped = end
        while wrapped < len(lines) and _cell_like(lines[wrapped], m) and wrapped - end < 3:
            wrapped += 1
        if wrapped == end or wrapped >= len(lines) or len(lines[wrapped].cells) < 2:
            break
        end = wrapped
    if multi < 2:
        return 0, 0
    return head - start, end - start


def _table_blocks(lines: Sequence[Line], above: int, table: str, page: int,
                  m: _Measure) -> list[Block]:
    widest = max(lines[above:], key=lambda line: len(line.cells))
    centres = [(x0 + x1) / 2 for _, x0, x1 in widest.cells]

    def column(x0: float, x1: float) -> int:
        # the first column whose centre the text covers (a header spanning columns starts
        # there), else the nearest one
        inside = [c for c, x in enumerate(centres) if x0 - m.size <= x <= x1 + m.size]
        return inside[0] if inside else min(range(len(centres)),
                                            key=lambda c: abs(centres[c] - (x0 + x1) / 2))

    def place(runs, cells: list[str]) -> None:
        for text, x0, x1 in runs:
            c = column(x0, x1)
            cells[c] = join_lines([cells[c], text]) if cells[c] else text

    headers = [""] * len(centres)
    parts = [""] * len(centres)
    for line in lines[:above]:
        place([(line.text, line.x0, line.x1)], parts)
    place(lines[above].cells, headers)
    headers = [f"{p}/{h}" if p and h and p != h else p or h for p, h in zip(parts, headers)]
    rows: list[list[str]] = []
    last_top = lines[above].top
    pending: list[Line] = []       # a wrapped cell's lines, waiting for the row they belong to
    for line in lines[above + 1:]:
        if not line.cells:
            pending.append(line)
            continue
        cells = [""] * len(centres)
        nearer_above = pending and abs(pending[0].top - last_top) < abs(pending[0].top - line.top)
        place([(p.text, p.x0, p.x1) for p in pending], rows[-1] if nearer_above and rows
              else cells)
        pending = []
        place(line.cells, cells)
        rows.append(cells)
        last_top = line.top
    return [table_row(headers, cells, table=table, row=number, page=page)
            for number, cells in enumerate(rows, start=1)]


def _take_caption(blocks: list) -> str:
    """The ``表N …`` line just before a table, taken out of the text: it names the table."""
    if blocks and blocks[-1].kind in ("paragraph", "heading") and \
            _CAPTION_RE.match(blocks[-1].text):
        return blocks.pop().text
    return ""
