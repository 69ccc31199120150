"""Word documents (.docx): headings, numbered lists and tables as Word shows them.

python-docx opens the package (parts, styles, core properties); the body XML is then walked in
order so that automatic numbering is rendered (:mod:`.docx_numbering`), headings made by direct
formatting (short bold/centred lines, larger = higher) are found, tables become rows with their
headers (:mod:`.docx_tables`), and page headers, footers, footnotes and tables of contents stay
out (counted in ``info.dropped``). An FAQ's ``问：``/``答：`` paragraphs or question headings
become question/answer pairs (:mod:`.faq`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass

from ..blocks import (Block, ReadInfo, SourceDocument, Unloadable, clean, document, join_lines,
                      list_item, stem)
from ..blocks import heading as heading_block
from ..blocks import paragraph as paragraph_block
from ..text import format_size
from ..text import is_cjk_wide
from .docx_numbering import W, Numbered, Numbering
from .docx_styles import Styles, on, val
from .docx_tables import Grid, caption_text, is_layout, read_grid, table_blocks
from .faq import pair_blocks

MB = 1024 * 1024
MAX_DOCX_UNPACKED_BYTES = 200 * MB
MAX_DOCX_MEMBER_RATIO = 200  # uncompressed/compressed, for members over 1 MB
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCX_HEADING_RE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_DOCX_TITLE_STYLES = frozenset({"title", "标题"})
_TOC_STYLE_RE = re.compile(r"^(?:toc|目录)\s*\d$", re.IGNORECASE)
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# Inside a paragraph, never text a reader sees: deleted or moved-away revisions, text boxes
# (read after their paragraph), the fallback copy of drawings, ruby pronunciation guides.
_SKIP = frozenset({W + "pPr", W + "rPr", W + "del", W + "moveFrom", W + "txbxContent",
                   W + "sdtPr", W + "rt", _MC + "Fallback"})
_NOT_HEADING_END = tuple("。；;，,：:！!？?、…")
_MAX_HEADING_CHARS = 40


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


@dataclass(frozen=True)
class _Para:
    """A paragraph as read in pass one; classified once the whole document is known."""

    text: str
    style: str             # style name
    style_id: str
    numbered: Numbered | None
    outline: int | None    # w:outlineLvl 0-8 (9 = body text)
    bold: bool             # every visible run bold
    centred: bool
    size: int              # half-points, largest run
    indented: bool         # first-line indent or leading U+3000: running text
    chars: int


@dataclass
class _Table:
    grid: Grid
    number: int
    caption: str = ""


class _Walker:
    """Pass one: the body in reading order as _Para and _Table entries (counters advance)."""

    def __init__(self, styles: Styles, numbering: Numbering, info: ReadInfo) -> None:
        self.styles = styles
        self.numbering = numbering
        self.info = info
        self.entries: list[_Para | _Table] = []
        self.tables = 0

    # -- containers ----------------------------------------------------------------------------
    def walk(self, container) -> None:
        children = list(self._blocks(container))
        for index, node in enumerate(children):
            if node.tag == W + "p":
                self._paragraph(node, followed_by_table=index + 1 < len(children)
                                and children[index + 1].tag == W + "tbl")
            elif node.tag == W + "tbl":
                self._table(node)

    def _blocks(self, container):
        for child in container:
            if child.tag in (W + "p", W + "tbl"):
                yield child
            elif child.tag == W + "sdt":
                gallery = child.find(f"{W}sdtPr/{W}docPartObj/{W}docPartGallery")
                content = child.find(W + "sdtContent")
                if gallery is not None and "contents" in (gallery.get(W + "val") or "").lower():
                    lines = sum(1 for p in content.iter(W + "p") if _bare_text(p)) \
                        if content is not None else 0
                    self.info.drop("table of contents lines", lines)
                elif content is not None:
                    yield from self._blocks(content)
            elif child.tag == W + "customXml":
                yield from self._blocks(child)

    # -- paragraphs ----------------------------------------------------------------------------
    def _paragraph(self, node, *, followed_by_table: bool = False) -> None:
        para, boxes = self.read_paragraph(node)
        if para is not None:
            last = self.entries[-1] if self.entries else None
            # A caption under a table belongs to it, unless it heads the next table.
            if isinstance(last, _Table) and not last.caption and not followed_by_table \
                    and para.numbered is None and caption_text(para.text, para.style):
                last.caption = para.text
            else:
                self.entries.append(para)
        for box in boxes:
            self.walk(box)

    def read_paragraph(self, node) -> tuple[_Para | None, list]:
        """The paragraph's facts (None if it has no text) and its text boxes."""
        ppr = node.find(W + "pPr")
        style_id = val(ppr, "pStyle") or self.styles.default_paragraph
        numbered = self._number(ppr, style_id)
        raw, runs, boxes = self._text(node, style_id)
        text = join_lines(raw.split("\n"))
        if not text:
            return None, boxes
        jc, ind, outline = (self._ppr(ppr, style_id, tag) for tag in ("jc", "ind", "outlineLvl"))
        first_line = max(_twips(ind, "firstLine"), _twips(ind, "firstLineChars"))
        outline = outline.get(W + "val") if outline is not None else None
        visible = [r for r in runs if r[0].strip()]
        return _Para(
            text=text, style=self.styles.name(style_id), style_id=style_id, numbered=numbered,
            outline=int(outline) if outline and outline.isdigit() else None,
            bold=bool(visible) and all(r[1] for r in visible),
            centred=jc is not None and jc.get(W + "val") in ("center", "centre"),
            size=max((r[2] for r in visible), default=0),
            indented=first_line > 0 or raw.lstrip(" \t").startswith("\u3000"),
            chars=len(text),
        ), boxes

    def _ppr(self, ppr, style_id: str, tag: str):
        """A paragraph property: set on the paragraph, else by its style chain."""
        found = ppr.find(W + tag) if ppr is not None else None
        return found if found is not None else self.styles.ppr(style_id, tag)

    def _number(self, ppr, style_id: str) -> Numbered | None:
        num_pr = ppr.find(W + "numPr") if ppr is not None else None
        num_id, ilvl = val(num_pr, "numId"), val(num_pr, "ilvl")
        if num_id is None:
            style_num = self.styles.ppr(style_id, "numPr")
            num_id = val(style_num, "numId")
            if num_id is None:
                self.numbering.interrupt()
                return None
            if ilvl is None:
                ilvl = val(style_num, "ilvl")
            if ilvl is None:
                found = self.numbering.style_level(num_id, style_id)
                ilvl = str(found) if found is not None else "0"
        return self.numbering.next(num_id, int(ilvl) if ilvl and ilvl.isdigit() else 0)

    def _text(self, node, style_id: str = "") -> tuple[str, list[tuple[str, bool, int]], list]:
        """(text, [(run text, bold, size)], text boxes) of a paragraph."""
        parts: list[str] = []
        runs: list[tuple[str, bool, int]] = []
        boxes: list = []
        for run in _runs(node):
            text = "".join(_run_text(run, boxes))
            if text:
                parts.append(text)
                runs.append((text, self._run_bold(run, style_id), self._run_size(run, style_id)))
        notes = sum(1 for _ in node.iter(W + "footnoteReference", W + "endnoteReference"))
        if notes:
            self.info.drop("footnotes", notes)
        return "".join(parts), runs, boxes

    def _run_prop(self, run, style_id: str, tag: str):
        rpr = run.find(W + "rPr")
        found = rpr.find(W + tag) if rpr is not None else None
        if found is None and rpr is not None and val(rpr, "rStyle"):
            found = self.styles.rpr(val(rpr, "rStyle") or "", tag, use_defaults=False)
        return found if found is not None else self.styles.rpr(style_id, tag)

    def _run_bold(self, run, style_id: str) -> bool:
        return on(self._run_prop(run, style_id, "b"))

    def _run_size(self, run, style_id: str) -> int:
        found = self._run_prop(run, style_id, "sz")
        size = found.get(W + "val", "") if found is not None else ""
        return int(size) if size.isdigit() else 20  # Word's default: 10 pt

    # -- tables --------------------------------------------------------------------------------
    def _table(self, node) -> None:
        # Decide layout or data on the bare text first: reading cells advances list counters.
        if is_layout(read_grid(node, _bare_text)):
            for tc in node.iter(W + "tc"):
                if _outermost(tc, node):
                    self.walk(tc)
            return
        grid = read_grid(node, self._cell_text)
        self.tables += 1
        table = _Table(grid, self.tables)
        last = self.entries[-1] if self.entries else None
        if isinstance(last, _Para) and last.numbered is None \
                and caption_text(last.text, last.style):
            table.caption = self.entries.pop().text
        self.entries.append(table)

    def _cell_text(self, tc) -> str:
        """A data cell's text: its paragraphs (numbers rendered) and nested tables, flattened."""
        lines: list[str] = []
        for child in self._blocks(tc):
            if child.tag == W + "p":
                para, boxes = self.read_paragraph(child)
                if para is not None:
                    number = para.numbered.number if para.numbered else ""
                    lines.append(list_item(number, para.text).text)
                lines.extend(self._cell_text(box) for box in boxes)
            else:
                rows = read_grid(child, self._cell_text).rows
                lines.append("，".join(" ".join(_unique(c.text for c in r)) for r in rows))
        return join_lines(lines)


def _bare_text(tc) -> str:
    return clean("".join(t.text or "" for t in tc.iter(W + "t")))


def _outermost(tc, table) -> bool:
    """Is this cell a cell of ``table`` itself, not of a table nested inside it?"""
    parent = tc.getparent()
    while parent is not None and parent.tag != W + "tbl":
        parent = parent.getparent()
    return parent is table


def _unique(texts) -> list[str]:
    out: list[str] = []
    for text in texts:
        if text and (not out or out[-1] != text):
            out.append(text)
    return out


def _twips(ind, attr: str) -> int:
    value = ind.get(W + attr) if ind is not None else None
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _runs(node):
    """The paragraph's ``w:r`` in order, through links, fields, insertions and controls."""
    for child in node:
        if child.tag == W + "r":
            yield child
        elif isinstance(child.tag, str) and child.tag not in _SKIP:
            yield from _runs(child)


def _run_text(run, boxes: list):
    for child in run:
        tag = child.tag
        if tag == W + "t":
            yield child.text or ""
        elif tag in (W + "tab", W + "ptab"):
            yield "\t"
        elif tag in (W + "br", W + "cr"):
            yield "\n"
        elif tag == W + "noBreakHyphen":
            yield "-"
        elif tag in (W + "drawing", W + "pict", _MC + "AlternateContent"):
            boxes.extend(box for box in child.iter(W + "txbxContent")
                         if not any(a.tag == _MC + "Fallback" for a in box.iterancestors()))


# -- pass two: blocks --------------------------------------------------------------------------

def _heading_candidate(para: _Para) -> bool:
    """Direct formatting that makes a heading: short, bold and/or centred, no sentence end."""
    text = para.text
    if para.chars > _MAX_HEADING_CHARS or text.endswith(_NOT_HEADING_END):
        return False
    if para.indented and not para.centred:
        return False
    if text[0] in "（(" and text[-1] in "）)":
        return False  # （2024年3月1日印发）: a centred date or note line
    if not any(is_cjk_wide(c) or c.isalpha() for c in text):
        return False
    return para.bold or para.centred


def _is_list(para: _Para) -> bool:
    return para.numbered is not None and (bool(para.numbered.number) or para.numbered.bullet)


def _to_blocks(entries: list, info: ReadInfo) -> tuple[list[Block], str]:
    """Blocks in order, and the title found in the text (Title style or a big centred line)."""
    paras = [e for e in entries if isinstance(e, _Para)]
    sizes = Counter()
    for para in paras:
        sizes[para.size] += para.chars
    body_size = sizes.most_common(1)[0][0] if sizes else 20
    plain = [p for p in paras if not _is_list(p) and p.outline is None
             and not _DOCX_HEADING_RE.match(p.style) and p.style.lower() not in _DOCX_TITLE_STYLES]
    candidates = [p for p in plain if _heading_candidate(p)]
    title_para = None
    if candidates and not any(p.style.lower() in _DOCX_TITLE_STYLES for p in paras):
        first = candidates[0]
        before = paras.index(first)
        if first.centred and first.size > body_size and before <= 3 \
                and first.size >= max(p.size for p in candidates):
            title_para = first
    ranks = sorted({(p.size, p.centred, p.bold) for p in candidates if p is not title_para},
                   reverse=True)
    blocks: list[Block] = []
    title = ""
    for entry in entries:
        if isinstance(entry, _Table):
            blocks.extend(table_blocks(entry.grid, entry.caption, entry.number)[1])
            continue
        para = entry
        if _TOC_STYLE_RE.match(para.style):
            info.drop("table of contents lines")
            continue
        number = para.numbered.number if para.numbered else ""
        if number:
            info.numbered += 1
        style = para.style.lower()
        match = _DOCX_HEADING_RE.match(para.style)
        if style in _DOCX_TITLE_STYLES or para is title_para:
            title = title or para.text
            blocks.append(heading_block(_numbered(para), 0))
        elif match or (para.outline is not None and para.outline < 9):
            level = int(match.group(1)) if match else (para.outline or 0) + 1
            blocks.append(heading_block(_numbered(para), level))
        elif _is_list(para):
            blocks.append(list_item(number, para.text, para.numbered.level))
        elif para in candidates:
            level = ranks.index((para.size, para.centred, para.bold)) + 1
            blocks.append(heading_block(para.text, level))
        else:
            blocks.append(paragraph_block(para.text))
    return blocks, title


def _numbered(para: _Para) -> str:
    if not para.numbered or not para.numbered.number:
        return para.text
    sep = "" if para.numbered.suffix == "nothing" else " "
    return f"{para.numbered.number}{sep}{para.text}"


def _drop_furniture(doc, info: ReadInfo) -> None:
    """Count the page header and footer lines (distinct parts) that are not read."""
    seen = set()
    for sect in doc.element.body.iter(W + "sectPr"):
        for ref in sect:
            kind = {W + "headerReference": "page header lines",
                    W + "footerReference": "page footer lines"}.get(ref.tag)
            rel_id = ref.get(_R_ID)
            if kind is None or rel_id in seen:
                continue
            seen.add(rel_id)
            part = doc.part.related_parts.get(rel_id)
            element = getattr(part, "element", None)
            if element is not None:
                lines = sum(1 for p in element.iter(W + "p")
                            if clean("".join(t.text or "" for t in p.iter(W + "t"))))
                if lines:
                    info.drop(kind, lines)


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    _check_docx_archive(data)
    import docx

    info.reader = "python-docx"
    try:
        doc = docx.Document(io.BytesIO(data))
        styles = Styles(doc.styles.element)
        try:
            numbering_root = doc.part.numbering_part.element
        except (KeyError, NotImplementedError):
            numbering_root = None
        walker = _Walker(styles, Numbering(numbering_root, styles.num_id), info)
        walker.walk(doc.element.body)
        blocks, text_title = _to_blocks(walker.entries, info)
        _drop_furniture(doc, info)
        core_title = clean(doc.core_properties.title or "")
    except Unloadable:
        raise
    except Exception as exc:
        raise Unloadable(f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    title = core_title or text_title or first_heading or stem(name)
    return [document(title, pair_blocks(blocks, title), name, "docx")]
