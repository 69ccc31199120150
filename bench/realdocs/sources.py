"""The measure's source documents as one small model that every format is rendered from.

Sources are the statutes in ``../shared/laws/*.md`` (read, never copied), the office documents
written for this measure (``office/*.md``) and the sheets (``office/*.csv``). Markdown is parsed
with pandoc into HTML and then into :class:`Source`: a title and headings, paragraphs and tables
(with spanned header cells, so a two-level header survives into Word, PDF and HTML).
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
OFFICE = HERE / "office"
# A company handbook whose labour rules overlap the office rules and statutes above (leave,
# attendance, social insurance): rendered only on request (render.py --with-handbook, into its
# own build), so that the other question files keep one gold per question.
HANDBOOK = HERE / "handbook"
OFFICE14 = HERE / "office14"   # three office rules written by branch office14 (render.py --with-office14)
LABOUR16 = HERE / "labour16"   # three labour rules written by branch labour16 (render.py --with-labour16)

# pandoc's markdown, minus what would change the text: smart quotes, sub/superscript, ids.
PANDOC_MD = "markdown-smart-subscript-superscript-auto_identifiers-fancy_lists"


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Heading:
    level: int            # 1 = 章, 2 = 节
    text: str


@dataclass(frozen=True)
class Para:
    text: str


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[tuple[Cell, ...], ...]    # header rows, cells may span
    body: tuple[tuple[str, ...], ...]

    @property
    def columns(self) -> int:
        return len(self.body[0]) if self.body else sum(c.colspan for c in self.header[0])

    def column_names(self) -> list[str]:
        """One name per column: a two-level header joins its levels (住宿费标准·院领导)."""
        grid: list[list[str | None]] = [[None] * self.columns for _ in self.header]
        for r, row in enumerate(self.header):
            col = 0
            for cell in row:
                while grid[r][col] is not None:
                    col += 1
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        grid[r + dr][col + dc] = cell.text
                col += cell.colspan
        names = []
        for col in range(self.columns):
            parts: list[str] = []
            for r in range(len(grid)):
                text = grid[r][col] or ""
                if text and text not in parts:
                    parts.append(text)
            names.append("·".join(parts))
        return names

    def row_lines(self) -> list[str]:
        """Each row as a person reads it: ``出差地区：北京；住宿费标准·院领导：800``."""
        names = self.column_names()
        return ["；".join(f"{n}：{c}" if n else c for n, c in zip(names, row) if c)
                for row in self.body]


Block = Heading | Para | Table


@dataclass(frozen=True)
class Source:
    stem: str             # file stem: the questions' "doc"
    origin: str           # "law", "office" or "sheet"
    path: Path
    title: str
    blocks: tuple[Block, ...] = field(default=())

    @property
    def chars(self) -> int:
        return sum(len(b.text) if not isinstance(b, Table) else sum(map(len, b.row_lines()))
                   for b in self.blocks)


def find_sources(laws: Path, *, handbook: bool = False, office14: bool = False,
                 labour16: bool = False) -> list[Path]:
    files = sorted(p for p in laws.glob("*.md") if p.name.lower() != "readme.md")
    if not files:
        raise SystemExit(f"no statutes (*.md) in {laws}: pass --laws")
    extra = sorted(HANDBOOK.glob("*.md")) if handbook else []
    if office14:
        extra += sorted(OFFICE14.glob("*.md"))
    if labour16:
        extra += sorted(LABOUR16.glob("*.md"))
    return files + sorted(OFFICE.glob("*.md")) + extra + sorted(OFFICE.glob("*.csv"))


def load(path: Path) -> Source:
    if path.suffix == ".csv":
        return _load_csv(path)
    origin = "office" if path.parent.resolve() in (OFFICE, HANDBOOK, OFFICE14) else "law"
    html = subprocess.run(["pandoc", "-f", PANDOC_MD, "-t", "html5", str(path)],
                          capture_output=True, check=True, timeout=60).stdout.decode("utf-8")
    title, blocks = _parse_html(html)
    return Source(path.stem, origin, path, title or path.stem, tuple(blocks))


def _load_csv(path: Path) -> Source:
    rows = [r for r in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))) if any(r)]
    table = Table("", (tuple(Cell(h) for h in rows[0]),), tuple(tuple(r) for r in rows[1:]))
    return Source(path.stem, "sheet", path, path.stem, (table,))


def _text(element) -> str:
    return re.sub(r"[ \t\r\n]+", " ", "".join(element.itertext())).strip()


def _parse_html(html: str) -> tuple[str, list[Block]]:
    from lxml import html as lxml_html

    root = lxml_html.fragment_fromstring(html, create_parent="div")
    title = ""
    blocks: list[Block] = []

    def walk(parent) -> None:
        nonlocal title
        for el in parent:
            if not isinstance(el.tag, str):       # comments (<!-- INFO END -->)
                continue
            tag = el.tag.lower()
            if tag == "h1" and not title:
                title = _text(el)
            elif re.fullmatch(r"h[1-6]", tag):
                blocks.append(Heading(max(1, int(tag[1]) - 1), _text(el)))
            elif tag == "p":
                text = _text(el)
                if text:
                    blocks.append(Para(text))
            elif tag in ("ol", "ul"):
                start = int(el.get("start", "1"))
                for i, li in enumerate(el.findall("li")):
                    mark = f"{start + i}." if tag == "ol" else ""
                    blocks.append(Para(f"{mark}{_text(li)}"))
            elif tag == "table":
                blocks.append(_parse_table(el))
            elif tag in ("div", "blockquote", "section"):
                walk(el)
            elif tag != "hr":
                text = _text(el)
                if text:
                    blocks.append(Para(text))

    walk(root)
    return title, blocks


def _parse_table(el) -> Table:
    caption = el.find("caption")
    head_rows, body_rows = [], []
    for tr in el.iter("tr"):
        cells = [c for c in tr if isinstance(c.tag, str) and c.tag in ("th", "td")]
        in_head = tr.getparent().tag == "thead" or all(c.tag == "th" for c in cells)
        if in_head and not body_rows:
            head_rows.append(tuple(Cell(_text(c), int(c.get("colspan", 1)),
                                        int(c.get("rowspan", 1))) for c in cells))
        else:
            body_rows.append(tuple(_text(c) for c in cells))
    return Table(_text(caption) if caption is not None else "", tuple(head_rows), tuple(body_rows))


ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇两]+条)[\s\u3000]*")
POINT = re.compile(r"^([一二三四五六七八九十]+)、")   # 一、 articles of a 规定 without 第X条
ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[)）][\s\u3000]*")
CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(text: str) -> int:
    """一 → 1, 十二 → 12, 一百零五 → 105 (the article numbers of the statutes)."""
    total, digit = 0, 0
    for char in text:
        if char in "十百千":
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[char]
            digit = 0
        else:
            digit = CHINESE_DIGITS.index(char) if char in CHINESE_DIGITS else 0
    return total + digit


def articles(source: Source) -> dict[str, str]:
    """第X条 → its text (all its paragraphs), and each table caption → its rows."""
    out: dict[str, str] = {}
    current = None
    marker = ARTICLE if any(isinstance(b, Para) and ARTICLE.match(b.text)
                            for b in source.blocks) else POINT
    for block in source.blocks:
        if isinstance(block, Heading):
            current = None
        elif isinstance(block, Para):
            match = marker.match(block.text)
            if match:
                current = match.group(1) + ("、" if marker is POINT else "")
            if current:
                out[current] = out.get(current, "") + block.text + "\n"
        else:
            key = block.caption or source.stem
            out[key] = "\n".join(block.row_lines())
    return out
