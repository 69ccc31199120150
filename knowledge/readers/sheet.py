"""Spreadsheets (.xlsx through python-calamine, .csv through the csv module): one row, one record.

A sheet of records (a phone list, a fee table, an asset register) becomes one ``table_row`` per
row with its column names: ``姓名：张三；部门：财务处``. A one-cell title line above the header
row is the table's caption; merged cells spread their value over every cell they cover (so a
merged header names each column under it, and a two-row header joins as ``住宿费标准/一般人员``);
empty rows and columns are dropped; numbers and dates are shown as a person sees them. Each
visible sheet is a section headed by its name; hidden sheets are skipped with a warning.

An FAQ sheet (a header with a question and an answer column: 问题/答案, Q/A, Question/Answer…)
gives one question/answer pair per row instead, its category columns (分类…) the section
(:mod:`.faq`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Sequence

from ..blocks import (
    Block,
    ReadInfo,
    SourceDocument,
    Unloadable,
    clean,
    decode,
    document,
    heading,
    paragraph,
    stem,
    table_row,
)
from ..text import format_size
from .faq import qa_columns, sheet_pairs

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_DEFAULT_SHEET_NAMES = frozenset({"sheet1", "sheet 1", "工作表1", "工作表 1"})
_DELIMITERS = (",", "\t", ";", "，")

Grid = list[list[str]]
Merge = tuple[int, int, int, int]  # first row, first column, last row, last column (0-based)


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    if name.lower().endswith(".csv"):
        return _read_csv(data, name, info)
    return _read_xlsx(data, name, info)


# -- xlsx -------------------------------------------------------------------------------------

def _read_xlsx(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    _check_archive(data)
    from python_calamine import (  # only when a workbook arrives
        CalamineError,
        CalamineWorkbook,
    )

    info.reader = "python-calamine"
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for meta in book.sheets_metadata:
            if str(meta.visible).rsplit(".", 1)[-1].lower() != "visible":
                info.warn(f"hidden sheet {meta.name!r} skipped")
                continue
            sheet = book.get_sheet_by_name(meta.name)
            merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or ()]
            rows = [[_show(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
            sheets.append((meta.name, rows, merges))
    except CalamineError as exc:
        raise Unloadable(f"corrupt .xlsx workbook ({exc})") from None
    only = len(sheets) == 1 and sheets[0][0].strip().lower() in _DEFAULT_SHEET_NAMES
    blocks: list[Block] = []
    captions = []
    for sheet_name, rows, merges in sheets:
        caption, body = _table_blocks(rows, merges, sheet_name, info)
        if not body:
            continue
        captions.append(caption)
        if not only:
            blocks.append(heading(sheet_name, 1))
        blocks.extend(body)
    title = captions[0] if len(captions) == 1 and captions[0] else stem(name)
    return [document(title, blocks, name, "xlsx")]


def _check_archive(data: bytes) -> None:
    """Refuse encrypted or old binary workbooks, broken zips, zip bombs and non-Excel zips."""
    if data.startswith(_OLE_MAGIC):
        raise Unloadable("a password-protected (encrypted) workbook or an old .xls file, not an "
                         ".xlsx: save it again as .xlsx without a password")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        what = "incomplete zip archive" if data.startswith(b"PK") else "not a zip archive"
        raise Unloadable(f"truncated or corrupt .xlsx ({what})")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise Unloadable(f"truncated or corrupt .xlsx ({exc})") from None
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED_BYTES:
        raise Unloadable(f"unpacks to {format_size(total, decimals=True)}; the limit is "
                         f"{format_size(MAX_UNPACKED_BYTES, decimals=False)} (zip bomb?)")
    if not any(m.filename == "xl/workbook.xml" for m in members):
        raise Unloadable("not an Excel workbook (no xl/workbook.xml inside)")


def _show(value: object) -> str:
    """A cell as Excel shows it by default: 500 not 500.0, dates as 2024-03-01."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else f"{value:.15g}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M" if value.time() != dt.time() else "%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, dt.timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    return clean(str(value))


# -- csv --------------------------------------------------------------------------------------

def _read_csv(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    info.reader = "csv"
    text = decode(data)
    delimiter = _sniff(text)
    try:
        rows = [[clean(c) for c in row] for row in csv.reader(io.StringIO(text),
                                                               delimiter=delimiter)]
    except csv.Error as exc:
        raise Unloadable(f"malformed CSV ({exc})") from None
    _, blocks = _table_blocks(rows, [], stem(name), info)
    return [document(stem(name), blocks, name, "csv")]


def _sniff(text: str) -> str:
    """The delimiter that splits the most of the first lines into the same number of fields.

    The full-width comma is tried last: Chinese cell text is full of them.
    """
    lines = [line for line in text.split("\n")[:50] if line.strip()]
    best, best_score = ",", 0
    for delimiter in _DELIMITERS:
        counts = [line.count(delimiter) for line in lines]
        common = max(set(counts), key=counts.count) if counts else 0
        score = counts.count(common) if common else 0
        if score > best_score and (delimiter != "，" or best_score == 0):
            best, best_score = delimiter, score
    return best


# -- rows to blocks ---------------------------------------------------------------------------

def _table_blocks(rows: Grid, merges: Sequence[Merge], name: str,
                  info: ReadInfo) -> tuple[str, list[Block]]:
    """(caption, blocks) of one sheet: title line, header row(s), then one table_row a record."""
    width = max(map(len, rows), default=0)
    grid = [row + [""] * (width - len(row)) for row in rows]
    for r0, c0, r1, c1 in merges:  # a merged cell's value in every cell it covers
        if r0 < len(grid) and c0 < width:
            value = grid[r0][c0]
            for r in range(r0, min(r1, len(grid) - 1) + 1):
                for c in range(c0, min(c1, width - 1) + 1):
                    grid[r][c] = value
    keep_rows = [r for r, row in enumerate(grid) if any(row)]
    keep_cols = [c for c in range(width) if any(grid[r][c] for r in keep_rows)]
    dropped = len(grid) - len(keep_rows)
    table = [[grid[r][c] for c in keep_cols] for r in keep_rows]
    if not table:
        return "", []
    # A line with one value (a title merged across the sheet) above the header is the caption.
    caption = ""
    while len(table) > 1 and len({v for v in table[0] if v}) == 1 and \
            len({v for v in table[1] if v}) > 1:
        caption = table.pop(0)[0] or next(v for v in table[0] if v)
        keep_rows.pop(0)
        break
    header = table.pop(0)
    header_row = keep_rows.pop(0)
    if table and _is_subheader(header, table[0], header_row, keep_cols, merges):
        header = [_join_header(top, sub) for top, sub in zip(header, table.pop(0))]
    name = caption or name
    blocks: list[Block] = []
    pairs = qa_columns(header)
    if pairs is not None:
        # (the caption heads the pairs: dropped as the title's repeat when it is the title)
        blocks = [heading(caption, 2)] if caption else []
        blocks.extend(sheet_pairs(pairs, header, table, name))
        if dropped:
            info.drop("empty spreadsheet rows", dropped)
        return caption, blocks
    if caption:
        blocks.append(paragraph(caption))
    number = 0
    for cells in table:
        if len({v for v in cells if v}) == 1 and len(cells) > 1 and all(cells):
            blocks.append(paragraph(cells[0]))  # a merged line inside the table: a sub-heading
            continue
        number += 1
        blocks.append(table_row(header, cells, table=name, row=number))
    if dropped:
        info.drop("empty spreadsheet rows", dropped)
    return caption, blocks


def _is_subheader(header: list[str], below: list[str], header_row: int, columns: list[int],
                  merges: Sequence[Merge]) -> bool:
    """A second header row: the header has cells merged across columns, and under every other
    header cell the row below is empty or the same cell merged down."""
    across = {c for r0, c0, r1, c1 in merges if r0 == header_row and c1 > c0
              for c in range(c0, c1 + 1)}
    if not across:
        return False
    under = [i for i, c in enumerate(columns) if c in across]
    return (any(below[i] and below[i] != header[i] for i in under)
            and all(below[i] in ("", header[i]) for i, c in enumerate(columns)
                    if c not in across))


def _join_header(top: str, sub: str) -> str:
    return top if not sub or sub == top else f"{top}/{sub}" if top else sub
