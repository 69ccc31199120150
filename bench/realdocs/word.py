"""Word files the way offices make them by hand, with python-docx (pandoc and LibreOffice make the others).

- ``direct``: no heading styles at all. The title and chapter lines are Normal paragraphs made
  bold and centred by direct formatting; every paragraph starts with two full-width spaces, and
  the article number is followed by a full-width space (第一条　为了…), as typed in 公文 style.
- ``numbered``: the article numbers are Word automatic numbering (numbering.xml, ``chineseCounting``,
  ``第%1条``; items ``（%1）`` restarting in each article; 一、 points ``%1、``). The literal
  number is removed from the text, so only a reader that renders numbering sees 第三条.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from sources import ARTICLE, ITEM, POINT, Heading, Para, Source, Table, chinese_number

_SPACE = "\u3000"


def write(source: Source, out: Path, style: str) -> None:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(14)
    _east_asian_font(normal.element, "仿宋")
    numbering = _Numbering(doc) if style == "numbered" else None
    if style == "numbered":
        doc.add_paragraph(source.title, style="Title")
    else:
        _bold_centred(doc, source.title, Pt(20))
    marker = ARTICLE if any(isinstance(b, Para) and ARTICLE.match(b.text)
                            for b in source.blocks) else POINT
    for block in source.blocks:
        if isinstance(block, Heading):
            if style == "numbered":
                doc.add_paragraph(block.text, style=f"Heading {block.level}")
            else:
                _bold_centred(doc, block.text, Pt(16))
        elif isinstance(block, Table):
            if block.caption:
                para = _bold_centred(doc, block.caption, Pt(14))
                para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _table(doc, block)
        elif numbering is not None:
            numbering.paragraph(block.text, marker)
        else:
            text = ARTICLE.sub(lambda m: m.group(1) + _SPACE, block.text, count=1)
            doc.add_paragraph(_SPACE * 2 + text)
    doc.save(str(out))


def _east_asian_font(element, name: str) -> None:
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _bold_centred(doc, text: str, size):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = para.add_run(text)
    run.bold = True
    run.font.size = size
    return para


def _table(doc, table: Table) -> None:
    """A real Word table; spanned header cells are merged cells."""
    rows = len(table.header) + len(table.body)
    grid = doc.add_table(rows=rows, cols=table.columns)
    grid.style = "Table Grid"
    taken: set[tuple[int, int]] = set()
    for r, row in enumerate(table.header):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            target = grid.cell(r, col)
            if cell.colspan > 1 or cell.rowspan > 1:
                target = target.merge(grid.cell(r + cell.rowspan - 1, col + cell.colspan - 1))
            target.text = cell.text
            taken |= {(r + dr, col + dc) for dr in range(cell.rowspan)
                      for dc in range(cell.colspan)}
            col += cell.colspan
    for r, row in enumerate(table.body, start=len(table.header)):
        for c, text in enumerate(row):
            grid.cell(r, c).text = text


class _Numbering:
    """Word numbering definitions added to the template's numbering part."""

    _ABSTRACT: ClassVar[dict[str, tuple[str, str, int]]] = {"article": ("第%1条", "space", 0), "item": ("（%1）", "nothing", 420),
                 "point": ("%1、", "nothing", 0)}

    def __init__(self, doc) -> None:
        self.doc = doc
        self.part = doc.part.numbering_part.element
        self.abstract: dict[str, int] = {}
        self.current: dict[str, tuple[int, int]] = {}   # kind -> (numId, next number)
        base = 90
        for offset, (kind, (text, suffix, indent)) in enumerate(self._ABSTRACT.items()):
            self.abstract[kind] = base + offset
            self._add_abstract(base + offset, text, suffix, indent)

    def _add_abstract(self, abstract_id: int, text: str, suffix: str, indent: int) -> None:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        element = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            '<w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            f'<w:suff w:val="{suffix}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="0" w:firstLine="{640 + indent}"/></w:pPr></w:lvl>'
            '</w:abstractNum>')
        first_num = self.part.find(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
        if first_num is not None:
            first_num.addprevious(element)
        else:
            self.part.append(element)

    def _new_num(self, kind: str, start: int) -> int:
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        ids = [int(n.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}numId"))
               for n in self.part.iterchildren(
                   "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")]
        num_id = max(ids, default=0) + 1
        self.part.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}">'
            f'<w:abstractNumId w:val="{self.abstract[kind]}"/>'
            f'<w:lvlOverride w:ilvl="0"><w:startOverride w:val="{start}"/></w:lvlOverride>'
            '</w:num>'))
        return num_id

    def paragraph(self, text: str, marker) -> None:
        """One paragraph: numbered if it starts with its number (the number then removed)."""
        kind = None
        match = marker.match(text)
        if match:
            kind = "article" if marker is ARTICLE else "point"
        else:
            match = ITEM.match(text)
            kind = "item" if match else None
        if kind is None:
            self.doc.add_paragraph(_SPACE * 2 + text)
            return
        if kind == "article":
            self.current.pop("item", None)      # items restart in each article
        word = match.group(1)
        value = chinese_number(word.rstrip("、").replace("第", "").replace("条", ""))
        num_id, expected = self.current.get(kind, (0, 0))
        if value != expected:                   # first of its kind, or a gap: start anew here
            num_id = self._new_num(kind, value)
        self.current[kind] = (num_id, value + 1)
        para = self.doc.add_paragraph(text[match.end():].lstrip())
        _set_numbering(para, num_id)


def _set_numbering(para, num_id: int) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    ppr = para._p.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/>'
                            f'<w:numId w:val="{num_id}"/></w:numPr>'))
