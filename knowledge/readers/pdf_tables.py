"""Tables whose cells wrap onto several lines, read from the page's geometry (character boxes).

LibreOffice and Word write a table cell by cell, so PDFium's text lines come out of order: a
cell's wrapped lines one after the other, then the next cell's, back at the top of the row
(and side-by-side cells with no space between them run together into one "line"). Such a table
is read here as a grid:

* drawn with borders: the ruling lines (thin path objects) give the columns and rows;
* without them: the lines going back up the page mark the table's extent; the columns are the
  gaps in the characters' horizontal projection, the rows the gaps in their vertical one (cell
  padding), any horizontal rule inside it also cutting.

Each character goes into its cell; a cell's lines are joined (no space next to CJK text, nor
where a word was broken at the cell's edge). The result replaces the table's lines by one
:class:`~knowledge.readers.pdf_layout.Line` whose ``grid`` holds the rows (the first is the
header row); tables whose rows fit on one line are left to :mod:`.pdf_layout`'s aligned columns.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..blocks import clean, join_lines
from ..text import is_cjk_wide
from .pdf_layout import Line

__all__ = ["page_rules", "replace_tables"]

_THIN = 2.5          # a ruling line is at most this thick (points)
_MIN_RULE = 8.0      # and at least this long


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


Rules = tuple[list[tuple[float, float, float]], list[tuple[float, float, float]]]


def page_rules(page, height: float) -> Rules:
    """(horizontal (y, x0, x1), vertical (x, top, bottom)) ruling lines, y from the page top."""
    from pypdfium2 import raw

    horizontal: list[tuple[float, float, float]] = []
    vertical: list[tuple[float, float, float]] = []
    for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_PATH], max_depth=2):
        left, bottom, right, top = obj.get_bounds()
        width, tall = right - left, top - bottom
        if tall <= _THIN and width >= _MIN_RULE:
            horizontal.append((height - (top + bottom) / 2, left, right))
        elif width <= _THIN and tall >= _MIN_RULE:
            vertical.append(((left + right) / 2, height - top, height - bottom))
    return horizontal, vertical


def _cluster(values: Sequence[float], tolerance: float = 2.0) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > tolerance:
            out.append(v)
    return out


def _bordered_regions(rules: Rules) -> list[tuple[list[float], list[float]]]:
    """(column edges, row edges) of each grid of ruling lines."""
    horizontal, vertical = rules
    groups: list[list[tuple[float, float, float]]] = []
    for rule in sorted(vertical, key=lambda r: r[1]):
        for group in groups:
            if rule[1] <= max(r[2] for r in group) + 2 and rule[2] >= min(r[1] for r in group) - 2:
                group.append(rule)
                break
        else:
            groups.append([rule])
    grids = []
    for group in groups:
        xs = _cluster([r[0] for r in group])
        top, bottom = min(r[1] for r in group), max(r[2] for r in group)
        if len(xs) < 3:   # one column: a box round text, not a table
            continue
        ys = _cluster([y for y, x0, x1 in horizontal if top - 2 <= y <= bottom + 2
                       and x0 <= xs[1] and x1 >= xs[-2]] + [top, bottom])
        if len(ys) >= 3:
            grids.append((xs, ys))
    return grids


def _backtrack_regions(lines: Sequence[Line]) -> list[tuple[float, float]]:
    """(top, bottom) of each run of lines written cell by cell: where two or more runs of lines
    going down the page overlap vertically."""
    placed = [line for line in lines if line.placed]
    if not placed:
        return []
    size = sorted(line.size for line in placed)[len(placed) // 2]
    segments: list[list[Line]] = []
    for line in placed:
        if segments and line.top >= segments[-1][-1].top - 0.5 * max(line.size, 1):
            segments[-1].append(line)
        else:
            segments.append([line])
    if len(segments) < 3:
        return []
    # y intervals covered by at least two segments
    events = []
    for seg in segments:
        events.append((seg[0].top - 0.5, 1))
        events.append((seg[-1].top + 0.5, -1))
    events.sort()
    regions: list[tuple[float, float]] = []
    depth, start = 0, 0.0
    for y, step in events:
        if step == 1:
            depth += 1
            if depth == 2:
                start = y
        else:
            if depth == 2:
                if regions and start - regions[-1][1] < 2.5 * size:   # the row's last cell ran on
                    regions[-1] = (regions[-1][0], y)
                else:
                    regions.append((start, y))
            depth -= 1
    out = []
    for top, bottom in regions:
        inside = [line for line in placed if top <= line.top <= bottom]
        # cells are short; a page in two columns is not a table
        short = sum(len(line.text) <= 15 for line in inside) >= 0.7 * len(inside)
        if sum(1 for s in segments if top <= s[0].top <= bottom) >= 3 and len(inside) >= 6 \
                and short:
            out.append((top, bottom + max(line.size for line in inside) * 1.5))
    return out


def _chars(textpage, height: float) -> list[_Char]:
    from pypdfium2 import raw

    count = textpage.count_chars()
    handle = textpage.raw
    rect = raw.FS_RECTF()
    chars = []
    for i in range(count):
        code = raw.FPDFText_GetUnicode(handle, i)
        if code in (0xFFFE, 0xAD, 0x2):
            text = "-"
        else:
            text = chr(code)
        if not text.strip() or raw.FPDFText_IsGenerated(handle, i) == 1:
            continue
        raw.FPDFText_GetLooseCharBox(handle, i, rect)
        chars.append(_Char(text, rect.left, rect.right, height - rect.top, height - rect.bottom))
    return chars


def _gaps(intervals: list[tuple[float, float]], min_gap: float) -> list[float]:
    """Middles of the gaps at least ``min_gap`` wide between the union of the intervals."""
    cuts = []
    intervals = sorted(intervals)
    end = intervals[0][1]
    for a, b in intervals[1:]:
        if a - end >= min_gap:
            cuts.append((a + end) / 2)
        end = max(end, b)
    return cuts


def _row_cuts(chars: list[_Char], xs: list[float], min_gap: float, size: float) -> list[float]:
    """Row boundaries of a table without borders: gaps across the whole width (cell padding)
    below which every column starts a line, or most do and no cell goes on across the gap at
    its line pitch (a wrapped cell's next line is one pitch below; the next row's is further)."""
    def column(ch: _Char) -> int:
        return bisect_right(xs, ch.cx) - 1

    # each column's visual lines: their tops (the median of the characters')
    tops: dict[int, list[float]] = {}
    for ch in sorted(chars, key=lambda c: c.cy):
        group = tops.setdefault(column(ch), [])
        if group and ch.cy - group[-1][-1] < 0.5 * (ch.bottom - ch.top):
            group[-1].append(ch.cy)
        else:
            group.append([ch.cy])
    centres = {c: [sorted(g)[len(g) // 2] for g in groups] for c, groups in tops.items()}
    steps = [round(b - a) for ys in centres.values() for a, b in pairwise(ys)]
    pitch = min(steps, key=lambda d: (-steps.count(d), d)) if steps else 0
    used = len(centres)
    cuts = []
    for cut in _gaps([(c.top, c.bottom) for c in chars], min_gap):
        below = [ch for ch in chars if ch.top > cut]
        first = min(ch.top for ch in below)
        starting = {column(ch) for ch in below if ch.top <= first + min_gap}
        goes_on = any(a < cut < b and b - a <= pitch + 0.15 * size
                      for ys in centres.values() for a, b in pairwise(ys))
        if len(starting) >= used or len(starting) >= max(2, 0.5 * used) and not goes_on:
            cuts.append(cut)
    return cuts


def _cell_text(chars: list[_Char], width: float, size: float) -> str:
    """A cell's characters in reading order; ``width`` is the column's widest line."""
    rows: list[list[_Char]] = []
    for ch in sorted(chars, key=lambda c: c.cy):
        if rows and abs(ch.cy - rows[-1][0].cy) < 0.5 * (ch.bottom - ch.top):
            rows[-1].append(ch)
        else:
            rows.append([ch])
    texts: list[tuple[str, float]] = []
    for row in rows:
        row.sort(key=lambda c: c.x0)
        text = row[0].text
        for a, b in pairwise(row):
            if b.x0 - a.x1 > 0.2 * size and not (is_cjk_wide(a.text) or is_cjk_wide(b.text)):
                text += " "
            text += b.text
        texts.append((text, row[-1].x1 - row[0].x0))
    out = ""
    for k, (text, _) in enumerate(texts):
        if k and texts[k - 1][1] >= width - 0.6 * size:   # broken at the cell's edge
            out += text
        else:
            out = join_lines([out, text]) if out else text
    return clean(out)


def _grid(chars: list[_Char], xs: list[float], ys: list[float], size: float
          ) -> tuple[tuple[str, ...], ...]:
    cells: dict[tuple[int, int], list[_Char]] = {}
    for ch in chars:
        c = bisect_right(xs, ch.cx) - 1
        r = bisect_right(ys, ch.cy) - 1
        if 0 <= c < len(xs) - 1 and 0 <= r < len(ys) - 1:
            cells.setdefault((r, c), []).append(ch)
    widths = [0.0] * (len(xs) - 1)
    for (_, c), group in cells.items():
        for line in _lines_of(group):
            widths[c] = max(widths[c], line)
    rows = []
    for r in range(len(ys) - 1):
        row = tuple(_cell_text(cells.get((r, c), []), widths[c], size) if (r, c) in cells
                    else "" for c in range(len(xs) - 1))
        if any(row):
            rows.append(row)
    return tuple(rows)


def _lines_of(chars: list[_Char]) -> list[float]:
    """Widths of the visual lines of a cell's characters."""
    spans: list[list[float]] = []   # [cy, x0, x1, height]
    for ch in sorted(chars, key=lambda c: c.cy):
        if spans and abs(ch.cy - spans[-1][0]) < 0.5 * spans[-1][3]:
            spans[-1][1] = min(spans[-1][1], ch.x0)
            spans[-1][2] = max(spans[-1][2], ch.x1)
        else:
            spans.append([ch.cy, ch.x0, ch.x1, ch.bottom - ch.top])
    return [b - a for _, a, b, _ in spans]


def replace_tables(page, textpage, height: float, lines: tuple[Line, ...],
                   rules: Rules) -> tuple[Line, ...]:
    """``lines`` with each wrapped-cell table replaced by one grid line (see the module doc)."""
    regions = _backtrack_regions(lines)
    grids = _bordered_regions(rules)
    if not regions and not grids:
        return lines
    sizes = sorted(line.size for line in lines if line.placed)
    size = sizes[len(sizes) // 2] if sizes and sizes[len(sizes) // 2] else 10.0
    chars: list[_Char] | None = None
    found: list[tuple[float, float, float, float, tuple[tuple[str, ...], ...]]] = []
    for xs, ys in grids:
        inside = [line for line in lines if line.placed and ys[0] <= line.top <= ys[-1]
                  and xs[0] - 1 <= line.x0 and line.x1 <= xs[-1] + 1]
        if not any(line.top < prev.top - 0.5 * line.size for prev, line in pairwise(inside)):
            continue    # written row by row: the aligned-columns reading does well
        if chars is None:
            chars = _chars(textpage, height)
        rows = _grid(chars, xs, ys, size)
        if len(rows) >= 2:
            found.append((xs[0], xs[-1], ys[0], ys[-1], rows))
    for top, bottom in regions:
        if any(t - 1 <= top <= b + 1 for _, _, t, b, _ in found):
            continue
        inside = [line for line in lines if line.placed and top - 1 <= line.top <= bottom]
        if chars is None:
            chars = _chars(textpage, height)
        x0 = min(line.x0 for line in inside) - 1
        x1 = max(line.x1 for line in inside) + 1
        last = max(line.top for line in inside)
        mine = [ch for ch in chars if x0 <= ch.cx <= x1 and top - 1 <= ch.top <= last + 1]
        if not mine:
            continue
        xs = [x0] + _gaps([(c.x0, c.x1) for c in mine], 0.5 * size) + [x1]
        horizontal = [y for y, a, b in rules[0] if top < y < last and a <= x0 + size
                      and b >= x1 - size]
        bottom_edge = max(c.bottom for c in mine) + 1
        ys = _cluster([top - 1] + _row_cuts(mine, xs, 0.3 * size, size) + horizontal + [bottom_edge])
        if len(xs) < 3 or len(ys) < 3:
            continue
        rows = _grid(mine, xs, ys, size)
        if len(rows) >= 2:
            found.append((x0, x1, top - 1, bottom_edge, rows))
    if not found:
        return lines
    out: list[Line] = []
    placed: set[int] = set()
    for line in lines:
        k = next((k for k, (x0, x1, top, bottom, _) in enumerate(found)
                  if line.placed and top - 1 <= line.top <= bottom
                  and line.x0 >= x0 - 2 and line.x1 <= x1 + 2), None)
        if k is None:
            out.append(line)
        elif k not in placed:
            placed.add(k)
            rows = found[k][4]
            text = " ".join(" ".join(c for c in row if c) for row in rows)
            out.append(Line(text, top=found[k][2], size=size, grid=rows))
    return tuple(out)
