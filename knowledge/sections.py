"""Split a loaded document into sections → paragraphs → sentences.

Chinese policy documents mark their structure in the text itself: 第一章 / 第一节 / 第三条, 一、,
（一）, 1., 1.1, (1), ①. Markdown, HTML and docx headings arrive as heading blocks with a level.
Each paragraph gets the heading path above it; a document without any heading gets the paragraph's
lead sentence as its label, so a citation always says *where* in the document the excerpt is.

Readers' blocks become units a person would cite: a list's lead-in (…如下：) and its items are one
paragraph of lines (``kind="list"``), so an answer never stops at the lead-in and the paragraph after
a list is not filed under its last item; a table row is one paragraph carrying its column headers,
cited by the table's caption and row (``kind="table_row"``); an FAQ's question/answer pair is one
paragraph whose text is the whole answer, with its ``question`` (``kind="faq"``), under the
categories a sheet gives it or the document's headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .blocks import Block, SourceDocument
from .text import CLAUSE_ENDS, CLOSING_QUOTES, ELLIPSIS, SENTENCE_ENDS

__all__ = ["Paragraph", "StructuredDocument", "split_document", "split_sentences", "lead_label",
           "find_references", "is_heading_line", "is_liability"]

_NUM = "一二三四五六七八九十百千零〇两"

# (kind, pattern); the matched prefix is the heading's marker.
_HEADING_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern))
    for kind, pattern in (
        ("编", rf"^第[{_NUM}\d]+编"),
        ("章", rf"^第[{_NUM}\d]+章"),
        ("节", rf"^第[{_NUM}\d]+节"),
        ("条", rf"^第[{_NUM}\d]+条"),
        ("一、", rf"^[{_NUM}]+[、．.]"),
        ("（一）", rf"^[（(][{_NUM}]+[)）]"),
        ("1.1", r"^\d{1,2}[.．]\d{1,2}(?:[.．]\d{1,2})*(?=[\s\u3400-\u9fffA-Za-z、])"),
        ("1.", r"^\d{1,2}[、．.](?!\d)"),
        ("(1)", r"^[（(]\d{1,2}[)）]"),
        ("①", r"^[\u2460-\u2473]"),
    )
)
_FIXED_RANK = {"编": 1, "章": 2, "节": 3}
_SENTENCE_END = re.compile(f"[{re.escape(SENTENCE_ENDS + ELLIPSIS)}]+[{re.escape(CLOSING_QUOTES)}]*"
                           r"|\.(?=\s)|\n+")
_CLAUSE_END = re.compile(f"[{re.escape(CLAUSE_ENDS)}]")
# A list marker before '. ' ("1. 凭发票报销。", "a. item") is not a sentence of its own.
_LIST_MARKER = re.compile(r"\s*(?:\d{1,3}|[A-Za-z])")
_MAX_HEADING = 30


@dataclass(frozen=True)
class Paragraph:
    number: int                           # 1-based within the document
    section: tuple[str, ...]              # heading path (or the lead sentence)
    text: str
    sentences: tuple[tuple[int, int], ...]  # [start, end) offsets into text
    kind: str = "text"                    # "text", "list" (lead-in + items, one a line), "table_row",
                                          # "faq" (an FAQ pair: text is the answer)
    page: int = 0                         # page it starts on (PDF), 0 if unknown
    ocr: bool = False                     # read by OCR from a scan
    question: str = ""                    # "faq": the pair's question


@dataclass(frozen=True)
class StructuredDocument:
    title: str
    source: str
    source_id: str | None
    kind: str
    paragraphs: tuple[Paragraph, ...]


def split_sentences(text: str) -> tuple[tuple[int, int], ...]:
    """Sentence offsets: a sentence ends after 。！？；… (with closing quotes), '. ' or a newline."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group() == "." and _LIST_MARKER.fullmatch(text, start, match.start()):
            continue
        end = match.end()
        _append_trimmed(spans, text, start, end)
        start = end
    _append_trimmed(spans, text, start, len(text))
    return tuple(spans)


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


_REFERENCE = re.compile(rf"第\s*([{_NUM}\d]+)\s*([编章节条款])")
_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000}


def chinese_number(text: str) -> int | None:
    """三 → 3, 十二 → 12, 二十 → 20, 一百零五 → 105, 12 → 12; None if not a number."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def find_references(text: str) -> list[tuple[str, int]]:
    """Structural references in ``text``: 第三条 → ("条", 3), 第2章 → ("章", 2)."""
    refs = []
    for number, kind in _REFERENCE.findall(text):
        value = chinese_number(number)
        if value is not None:
            refs.append((kind, value))
    return refs


# A liability provision (issue 16, rules before mentions): under a 法律责任 / 罚则 heading, or
# a sanction stated under a heading of the same role in other words (监督与责任, 奖惩, 责任追究,
# 监督和追责): its opening sentence names the conduct (违反…, 未按…, 有下列行为之一) in a clause
# ending in 的， and then the sanction (由…责令改正, 给予处分, 处…罚款, 追究…责任).
_LIABILITY_HEADING = re.compile(r"法律责任|罚则")
_SANCTIONS_HEADING = re.compile(r"责任追究|追究责任|追责|问责|奖惩|惩处|惩戒|[与和及]责任")
_SANCTIONED = re.compile(
    r"(?:违反|未按|未依照|未依法|未经|不按|不依法|拒不|拒绝|擅自|虚报|伪造|弄虚作假|下列(?:行为|情形)之一)"
    r"[^。；;：:\n]*?的[，,][^。：:\n]*?"
    r"(?:处分|罚款|处罚|追究[^，,。；;：:\n]{0,8}责任|责令|没收|吊销|通报批评|严肃处理|滞纳金|"
    r"撤销登记|警告)")
_OPENING = re.compile(r"[。：:\n]")
# … but a sentence that exempts (可以免予处罚, 不予追究) states no sanction.
_EXEMPTS = re.compile(r"免予|免除|不予处罚|不予追究")


def states_sanction(text: str) -> bool:
    """Does ``text``'s opening sentence state a sanction for a conduct, as a liability article
    does (出差人员有下列行为之一的，由财务处责令退回违规资金…)? A rule with an exception
    (未经审批的，不予报销) or an organ's duties (公安机关履行下列职责：) is none."""
    opening = _OPENING.split(text.lstrip(), 1)[0]
    return _SANCTIONED.search(opening) is not None and _EXEMPTS.search(opening) is None


# … and under a 法律责任 / 罚则 heading, a paragraph that names no sanction, is no item of a
# list of conducts (（一）拒绝提供…的；) and puts no condition on a conduct in its opening
# sentence (…未与劳动者订立书面劳动合同的，应当…支付二倍的工资: what follows a conduct) states a
# rule that only sits in that chapter (被审计单位应当按照规定时间整改…，将整改情况报告审计机关).
_SANCTION_WORD = re.compile(r"处分|罚款|处罚|罚金|追究|责令|没收|吊销|通报|警告|拘留|赔偿|"
                            r"承担|撤销|取消|降级|撤职|开除|处理|滞纳金|停业|关闭")
_CONDITION = re.compile(r"的[，,]")
_CONDUCT_ITEM = re.compile(r"^\s*(?:第[一二三四五六七八九十百零〇两\d]+条\s*)?[（(][一二三四五六七八九十\d]+[）)]"
                           r"|的[；;。.]?\s*$")


def is_liability(heads: str, text: str) -> bool:
    """Is a paragraph a liability provision: under a 法律责任 / 罚则 heading (``heads``: its
    title and headings) unless it names no sanction (:data:`_SANCTION_WORD`), is no item of
    a list of conducts and its opening sentence sets no condition (…的，), or stating a
    sanction (:func:`states_sanction`) under a heading that names sanctions in other words
    (监督与责任, 奖惩, 责任追究)?"""
    if _LIABILITY_HEADING.search(heads) is not None:
        return _SANCTION_WORD.search(text) is not None or _CONDUCT_ITEM.search(text) is not None \
            or _CONDITION.search(_OPENING.split(text.lstrip(), 1)[0]) is not None
    return _SANCTIONS_HEADING.search(heads) is not None and states_sanction(text)


# … but the colon of a time of day (上午9:00) ends no clause
_LABEL_END = re.compile(f"[{re.escape(CLAUSE_ENDS.replace(':', ''))}]|(?<!\\d):|:(?!\\d)")


def lead_label(text: str, limit: int = 24) -> str:
    """The paragraph's lead sentence as a short label: 理论是行动的先导。 → 理论是行动的先导."""
    match = _LABEL_END.search(text)
    lead = (text[: match.start()] if match else text).strip()
    return lead if len(lead) <= limit else lead[: limit - 1] + "…"


def _heading_kind(text: str) -> tuple[str, str] | None:
    for kind, pattern in _HEADING_PATTERNS:
        match = pattern.match(text)
        if match:
            return kind, match.group(0)
    return None


class _Outline:
    """The current heading path; heading kinds rank by first appearance (编 > 章 > 节 fixed)."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, str]] = []
        self.ranks: dict[str, int] = {}

    def rank_of(self, kind: str) -> int:
        if kind in self.ranks:  # first: a kind seen as a markup heading keeps that level
            return self.ranks[kind]
        if kind in _FIXED_RANK:
            return _FIXED_RANK[kind]
        if kind not in self.ranks:
            self.ranks[kind] = 10 + len(self.ranks)
        return self.ranks[kind]

    def push(self, rank: int, label: str) -> None:
        while self.stack and self.stack[-1][0] >= rank:
            self.stack.pop()
        self.stack.append((rank, label))

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(label for _, label in self.stack)


def _clip(label: str) -> str:
    label = label.strip().rstrip("。；;：:，,")
    return label if len(label) <= _MAX_HEADING else label[: _MAX_HEADING - 1] + "…"


# Item markers whose numbered paragraphs are list items, not sections (一、 often heads a section).
_ITEM_KINDS = frozenset({"（一）", "1.", "(1)", "①", "1.1"})
_LEAD_IN_END = ("：", ":")
# The levels numbered paragraphs nest in, outermost first, as Chinese rules write them
# (一、 › （一） › 1. › (1) › ①): a numbered lead-in's list ends at a paragraph numbered at its own
# level or above — （三） after （二）用车审批权限：1.…2.…3.… is the next item, not a fourth of its.
_NESTING = ("一、", "（一）", "1.", "(1)", "①")


def is_heading_line(text: str) -> bool:
    """A line of text that heads a part of a document here: 第二章 总则, 第一节, 一、报销 (short,
    no closing punctuation). Not 1. or （一）: those number steps inside an answer as often."""
    text = text.strip()
    found = _heading_kind(text)
    return found is not None and (found[0] in _FIXED_RANK
                                  or found[0] == "一、" and _pure_heading(text))


def _pure_heading(text: str) -> bool:
    """A short numbered line without closing punctuation heads a section: 一、总体要求."""
    return len(text) <= _MAX_HEADING and not _CLAUSE_END.search(text[-1])


def _is_item(block: Block) -> bool:
    """A list item that belongs with the lead-in before it (not an article or a heading line)."""
    text = block.text.strip()
    if not text or block.kind in ("heading", "table_row"):
        return False
    found = _heading_kind(text)
    if block.kind == "list_item":
        return found is None or found[0] not in _FIXED_RANK and found[0] != "条"
    return found is not None and found[0] in _ITEM_KINDS | {"一、"} and not _pure_heading(text)


def _points(items: list[str]) -> bool:
    """Are ``items`` after an unnumbered lead-in a notice's points, not a list's entries: 一、
    paragraphs that end as sentences (现将有关事项通知如下：一、放假时间：…共7天。二、…), where
    a list's entries end with ；(有下列情形之一的：一、…的；二、…的。)? Two such or more: each
    point is a section of the notice, cited by its own label (通知 › 三、放假期间实行值班制度)."""
    kinds = [_heading_kind(item) for item in items]
    return len(items) >= 2 and all(k is not None and k[0] == "一、" for k in kinds) \
        and sum(item.endswith(("。", "！", "!")) for item in items) >= 2


def _outranks(text: str, lead: tuple[str, str] | None) -> bool:
    """Is ``text`` numbered at the level of the numbered lead-in ``lead`` (its marker) or above
    (:data:`_NESTING`): its sibling or its parent's, so not one of its items."""
    if lead is None or lead[0] not in _NESTING:
        return False
    found = _heading_kind(text.strip())
    return found is not None and found[0] in _NESTING \
        and _NESTING.index(found[0]) <= _NESTING.index(lead[0])


def split_document(document: SourceDocument) -> StructuredDocument:
    """Number the paragraphs of ``document`` and give each its section path."""
    outline = _Outline()
    paragraphs: list[Paragraph] = []

    def add(text: str, block: Block, kind: str = "text",
            section: tuple[str, ...] | None = None) -> None:
        text = text.strip()
        if text:
            section = section or outline.path or (lead_label(text),)
            paragraphs.append(Paragraph(len(paragraphs) + 1, section, text, split_sentences(text),
                                        kind, block.page, block.ocr))

    blocks = [b for b in document.blocks if b.text.strip()]
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        text = block.text.strip()
        if block.kind == "heading":
            _heading_block(outline, document.title, text, block.level)
            continue
        if block.kind == "qa":
            # The question names the pair in its citation: no lead label when there are no
            # headings (文件 › 问题), the sheet's categories when it has them (文件 › 分类 › 问题).
            section = (*outline.path, *map(_clip, block.section))
            paragraphs.append(Paragraph(len(paragraphs) + 1, section, text, split_sentences(text),
                                        "faq", block.page, block.ocr, block.question))
            continue
        if block.kind == "table_row":
            table = _clip(block.table) if block.table else "表"
            add(text, block, "table_row", (*outline.path, table, f"第{block.row}行"))
            continue
        if index < len(blocks) and blocks[index].kind == "table_row" and \
                blocks[index].table.strip() == text:
            continue  # the table's caption: it names the table in each row's citation
        items: list[str] = []
        found = _heading_kind(text)
        if text.endswith(_LEAD_IN_END):
            while index < len(blocks) and _is_item(blocks[index]) \
                    and not _outranks(blocks[index].text, found):
                items.append(blocks[index].text.strip())
                index += 1
            if found is None and _points(items):
                index -= len(items)     # a notice's points: each is a section of its own
                items = []
        kind = "list" if items else "text"
        if found is None:
            add("\n".join([text, *items]), block, kind)
            continue
        marker_kind, marker = found
        rank = outline.rank_of(marker_kind)
        rest = text[len(marker):].strip()
        if marker_kind == "条":
            outline.push(rank, marker)
            add("\n".join([rest, *items]), block, kind)
        elif not items and _pure_heading(text):
            outline.push(rank, _clip(text))  # a pure heading line: 第一章 总则, 一、总体要求
        elif marker_kind in _ITEM_KINDS:
            # A list item standing alone: labelled by its lead clause, but what follows it is not
            # filed under it (it is not a section).
            label = _clip(marker + lead_label(rest, _MAX_HEADING))
            add("\n".join([text, *items]), block, kind, (*outline.path, label))
        else:
            # A numbered paragraph: its lead clause names the section, its text is content.
            outline.push(rank, _clip(marker + lead_label(rest, _MAX_HEADING)))
            add("\n".join([text, *items]), block, kind)
    return StructuredDocument(document.title, document.source, document.source_id, document.kind,
                              tuple(paragraphs))


def _heading_block(outline: _Outline, title: str, text: str, level: int) -> None:
    if text == title.strip() and _heading_kind(text) is None:
        # The title repeated as a heading (markdown/html h1, docx Title): the citation already
        # starts with it; in the path it read "员工手册 › 员工手册 › 考勤". A numbered heading
        # (第一章 总则) that loaders took as the title stays.
        return
    found = _heading_kind(text)
    if level:
        # "第一章" styled Heading 1, "第二章" typed as plain text: the plain one takes the styled
        # one's level (not 章's fixed rank 2, which nested it under 第一章).
        if found and found[0] not in outline.ranks:
            outline.ranks[found[0]] = level
        outline.push(level, _clip(text))
    else:
        outline.push(outline.rank_of(found[0]) if found else 9, _clip(text))
