"""Word tables as a person reads them: one ``table_row`` block per data row, with its headers.

The table's cells are laid on Word's column grid (``w:gridSpan``, ``w:gridBefore``/``After``);
a cell that continues a vertical merge (``w:vMerge``) takes the text of the cell above, so each
row carries its region. Header rows are the rows marked ``w:tblHeader``, else the first row plus
the rows under a header that spans columns (``住宿费`` over ``司局级``/``其余人员`` gives
``住宿费（司局级）``). A table of one row or one column is layout, not data: the reader reads
its cells as ordinary text instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ..blocks import Block, clean, table_row
from ..text import SENTENCE_ENDS
from .docx_numbering import W

__all__ = ["Grid", "GridCell", "caption_text", "is_layout", "read_grid", "table_blocks"]

# 表1 …, 表一：…, 附表2 …, 续表1, 附表 …: a paragraph that names the table next to it.
_CAPTION_RE = re.compile(
    r"^(?:(?:续表|附表|表)\s*[0-9０-９一二三四五六七八九十]+(?:[-－.．][0-9０-９]+)?|附表)"
    r"(?=[\s：:、.．]|$|[\u4e00-\u9fff（(])")
_CAPTION_STYLES = frozenset({"caption", "题注", "tablecaption", "table caption"})
_SENTENCE_END = tuple(SENTENCE_ENDS)


@dataclass(frozen=True)
class GridCell:
    """One grid position: the text of the ``w:tc`` covering it and that cell's identity."""

    text: str
    key: int            # the same for every position one merged cell covers


@dataclass(frozen=True)
class Grid:
    rows: tuple[tuple[GridCell, ...], ...]
    header_rows: int    # leading rows marked w:tblHeader (repeat on every page)


def _children(node, tag: str) -> Iterator:
    """Direct ``tag`` children, looking through content controls and custom XML wrappers."""
    for child in node:
        if child.tag == W + tag:
            yield child
        elif child.tag in (W + "sdt", W + "customXml"):
            content = child.find(W + "sdtContent") if child.tag == W + "sdt" else child
            if content is not None:
                yield from _children(content, tag)


def _grid_val(props, tag: str) -> int:
    node = props.find(W + tag) if props is not None else None
    try:
        return max(int(node.get(W + "val", "1")), 0) if node is not None else 0
    except ValueError:
        return 0


def read_grid(tbl, cell_text: Callable[[object], str]) -> Grid:
    """Lay the table's cells on its grid; ``cell_text`` reads one ``w:tc`` (in order)."""
    rows: list[list[GridCell]] = []
    marked = 0
    for tr in _children(tbl, "tr"):
        props = tr.find(W + "trPr")
        is_header = props is not None and props.find(W + "tblHeader") is not None and (
            props.find(W + "tblHeader").get(W + "val", "true") not in ("0", "false", "off"))
        if is_header and marked == len(rows):
            marked += 1
        row = [GridCell("", id(tr) * 100 + i) for i in range(_grid_val(props, "gridBefore"))]
        for tc in _children(tr, "tc"):
            tc_props = tc.find(W + "tcPr")
            span = max(_grid_val(tc_props, "gridSpan"), 1)
            merge = tc_props.find(W + "vMerge") if tc_props is not None else None
            text = cell_text(tc)
            column = len(row)
            above = rows[-1][column] if rows and column < len(rows[-1]) else None
            if merge is not None and merge.get(W + "val", "continue") != "restart" \
                    and above is not None:
                cell = above
            else:
                cell = GridCell(text, id(tc))
            row.extend([cell] * span)
        row.extend(GridCell("", id(tr) * 100 + 50 + i)
                   for i in range(_grid_val(props, "gridAfter")))
        rows.append(row)
    width = max((len(r) for r in rows), default=0)
    padded = tuple(tuple(r) + tuple(GridCell("", -(i * 1000 + j)) for j in range(width - len(r)))
                   for i, r in enumerate(rows))
    return Grid(padded, marked)


def _distinct(row: tuple[GridCell, ...]) -> list[tuple[int, int]]:
    """(first, last) grid columns of each cell of a row, merging a horizontal span."""
    spans: list[tuple[int, int]] = []
    for index, cell in enumerate(row):
        if spans and row[spans[-1][0]].key == cell.key:
            spans[-1] = (spans[-1][0], index)
        else:
            spans.append((index, index))
    return spans


def is_layout(grid: Grid) -> bool:
    """One row or one column (after merges): a frame around text, not a table of data."""
    rows = [r for r in grid.rows if any(c.text for c in r)]
    return len(rows) <= 1 or all(len(_distinct(r)) <= 1 for r in rows)


def caption_text(text: str, style_name: str) -> bool:
    """Does this paragraph caption a table (``表1 …``, ``附表 …``, the Caption style)?"""
    if not text or len(text) > 60 or text.endswith(_SENTENCE_END):
        return False
    return style_name.lower() in _CAPTION_STYLES or bool(_CAPTION_RE.match(text))


def _header_parts(grid: Grid, count: int) -> list[list[str]]:
    parts: list[list[str]] = [[] for _ in grid.rows[0]]
    for row in grid.rows[:count]:
        for column, cell in enumerate(row):
            text = cell.text
            if text and (not parts[column] or parts[column][-1] != text):
                parts[column].append(text)
    return parts


def _header_count(grid: Grid, first: int) -> int:
    """Header rows from ``first``: w:tblHeader rows, else one row plus rows under a span."""
    if grid.header_rows > first:
        return grid.header_rows - first
    count = 1
    while first + count < len(grid.rows) - 1:
        spans = _distinct(grid.rows[first + count - 1])
        if not any(a != b for a, b in spans) or len(spans) == 1:
            break
        count += 1
    return count


def _shared(one: list[str], other: list[str]) -> int:
    size = 0
    while size < min(len(one), len(other)) and one[size] == other[size]:
        size += 1
    return size


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text and text not in out:
            out.append(text)
    return out


def _joined(parts: list[str]) -> str:
    return parts[0] + "".join(f"（{p}）" for p in parts[1:]) if parts else ""


def table_blocks(grid: Grid, caption: str, number: int) -> tuple[str, list[Block]]:
    """The data rows of a (non-layout) table; returns the caption used and the blocks."""
    first = 0
    top = grid.rows[0] if grid.rows else ()
    if len(grid.rows) > 2 and top and len(_distinct(top)) == 1 and len(top) > 1:
        first = 1  # a title row spanning the whole width: "差旅费开支标准表"
        caption = caption or clean(top[0].text)
    caption = caption or f"表{number}"
    count = _header_count(grid, first)
    body_grid = Grid(grid.rows[first:], 0)
    parts = _header_parts(body_grid, count)
    header_texts = [c.text for c in grid.rows[first + count - 1]] if count else []
    blocks: list[Block] = []
    for row in grid.rows[first + count:]:
        texts = [c.text for c in row]
        if not any(texts) or texts == header_texts:
            continue  # empty row, or the header row repeated by hand after a page break
        headers, cells = [], []
        for a, b in _distinct(row):
            common = parts[a]
            for column in range(a + 1, b + 1):  # a value spanning columns: their shared parent
                common = common[:_shared(common, parts[column])]
            if b - a + 1 == len(row):
                headers.append("")  # a note or group row across the whole table
            else:  # columns with no shared parent header: name them all
                headers.append(_joined(common) if common else "/".join(
                    _unique(_joined(parts[c]) for c in range(a, b + 1))))
            cells.append(row[a].text)
        blocks.append(table_row(headers, cells, table=caption, row=len(blocks) + 1))
    return caption, blocks
