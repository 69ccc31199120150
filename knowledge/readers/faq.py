"""FAQ documents: question/answer pairs found in sheets and in running text, as ``qa`` blocks.

Two shapes, shared by the readers:

- a sheet whose header has a question column and an answer column (问题/问/Q/Question/常见问题,
  答案/答/回答/解答/A/Answer; any case, spacing, full-width letters, a trailing colon):
  :func:`qa_columns` finds them, and category columns (分类/类别/模块/category…) name the
  section; :func:`sheet_pairs` makes the blocks;
- text (txt, markdown, Word): ``问：…`` / ``答：…`` lines (also ``Q:``/``A:``, ``问题：``/``答复：``,
  numbered ``1. 问：…``), the answer running on until the next question or heading; and, in a
  document that looks like an FAQ (its title says 常见问题/FAQ/问答…, or several of its headings
  are questions), a heading or short line that asks a question followed by its answer.
  :func:`pair_blocks` rewrites a reader's blocks; a document without pairs keeps them as they
  were, so a policy document reads exactly as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from ..blocks import Block, qa, row_text, table_row
from ..sections import is_heading_line

__all__ = ["QaColumns", "looks_like_question", "pair_blocks", "qa_columns", "sheet_pairs"]

_QUESTION_NAMES = frozenset({"问题", "问", "q", "question", "questions", "常见问题", "提问",
                             "问题描述", "咨询问题", "faq", "question(问题)", "问题(question)"})
_ANSWER_NAMES = frozenset({"答案", "答", "回答", "解答", "答复", "a", "answer", "answers",
                           "回复", "参考答案", "答案(answer)", "answer(答案)"})
_CATEGORY_NAMES = frozenset({"分类", "类别", "类型", "模块", "栏目", "主题", "分组", "板块",
                             "问题分类", "问题类别", "业务分类", "category", "categories", "type",
                             "topic", "section", "group", "module"})
_SKIPPED_NAMES = frozenset({"序号", "编号", "no", "no.", "id", "#", "序"})


def _header_key(name: str) -> str:
    """问题： / Ｑ / " Question " → 问题 / q / question."""
    key = unicodedata.normalize("NFKC", name).lower()
    return re.sub(r"[\s:：]+", "", key)


@dataclass(frozen=True)
class QaColumns:
    """Where a sheet's pairs are: the question and answer columns, the category columns, and
    the other columns (their cells are added to the answer as ``header：value`` lines)."""

    question: int
    answer: int
    categories: tuple[int, ...]
    others: tuple[int, ...]


def qa_columns(header: Sequence[str]) -> QaColumns | None:
    """The pair columns of a header row, or None when it has no question and answer column."""
    keys = [_header_key(h) for h in header]
    question = next((i for i, k in enumerate(keys) if k in _QUESTION_NAMES), None)
    answer = next((i for i, k in enumerate(keys) if k in _ANSWER_NAMES), None)
    if question is None or answer is None or question == answer:
        return None
    categories = tuple(i for i, k in enumerate(keys) if k in _CATEGORY_NAMES)
    others = tuple(i for i, k in enumerate(keys) if i not in (question, answer)
                   and i not in categories and k not in _SKIPPED_NAMES and k)
    return QaColumns(question, answer, categories, others)


def sheet_pairs(columns: QaColumns, header: Sequence[str], rows: Sequence[Sequence[str]],
                table: str) -> list[Block]:
    """One ``qa`` block per row with a question and an answer. An empty category cell takes
    the one above (a category typed once over its rows); a row lacking the question or the
    answer stays a table row, so nothing is lost."""
    blocks: list[Block] = []
    last: dict[int, str] = {}
    number = 0
    for cells in rows:
        for i in columns.categories:
            if cells[i]:
                last[i] = cells[i]
        question, answer = cells[columns.question].strip(), cells[columns.answer].strip()
        number += 1
        if not question or not answer:
            blocks.append(table_row(header, cells, table=table, row=number))
            continue
        extra = [row_text([header[i]], [cells[i]]) for i in columns.others if cells[i].strip()]
        section = [last.get(i, "") for i in columns.categories]
        blocks.append(qa(question, "\n".join([answer, *extra]), section))
    return blocks


# -- pairs in running text ----------------------------------------------------------------------

_NUMBER = r"(?:\d{1,3}[.．、)）]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]+[、.．])?\s*"
_Q_MARK = re.compile(rf"^{_NUMBER}(?:问题|问|Q|Question)\s*\d{{0,3}}\s*[:：]\s*(?P<rest>.*)$",
                     re.IGNORECASE | re.DOTALL)
_A_MARK = re.compile(r"^(?:答复|答案|回答|解答|答|A|Answer)\s*[:：]\s*(?P<rest>.*)$",
                     re.IGNORECASE | re.DOTALL)
# 问：年假几天？答：五天。 — the answer on the question's own line.
_INLINE_A = re.compile(r"(?<=[？?。])\s*(?:答复|答案|回答|答|A|Answer)\s*[:：]\s*", re.IGNORECASE)
_ASKING = re.compile(r"^(?:如何|怎么|怎样|怎麼|是否|能否|可否|能不能|可不可以|有没有|为什么|为何|"
                     r"哪些|何时|请问|(?:what|how|why|when|where|who|which|can|do|does|is|are|"
                     r"should|may)\b)", re.IGNORECASE)
_FAQ_TITLE = re.compile(r"常见问题|问答|答疑|问题解答|FAQ|Q\s*&\s*A|疑问解答|热点问题|百问",
                        re.IGNORECASE)
_MAX_QUESTION = 80
_ANSWER_KINDS = frozenset({"paragraph", "list_item"})


def looks_like_question(text: str) -> bool:
    """A short line that asks: ends with ？ (or ?), or opens with 如何/怎么/是否/how/what…"""
    text = re.sub(rf"^{_NUMBER}", "", text.strip())
    if not text or len(text) > _MAX_QUESTION:
        return False
    return text.endswith(("？", "?")) or bool(_ASKING.match(text)) and \
        not text.endswith(("。", "；", ";", "：", ":"))


def _strip_number(text: str) -> str:
    return re.sub(rf"^{_NUMBER}", "", text.strip()).strip()


def pair_blocks(blocks: Sequence[Block], title: str = "") -> list[Block]:
    """``blocks`` with their question/answer pairs as ``qa`` blocks (see the module docstring).

    A marked question (问：/Q:) always starts a pair. An unmarked one (a heading or a short line
    that asks) does only in a document that looks like an FAQ. The answer is the paragraphs and
    list items after the question (an ``答：`` mark stripped) up to the next question, heading,
    table or heading-like line (二、报销). A question without an answer stays as it was.
    """
    marked = sum(1 for b in blocks if b.kind in _ANSWER_KINDS and _Q_MARK.match(b.text.strip()))
    asking = [b for b in blocks if _unmarked_question(b)]
    headings = [b for b in blocks if b.kind == "heading" and b.text.strip() != title.strip()]
    faq_like = (bool(_FAQ_TITLE.search(title)) and len(asking) >= 1) or len(asking) >= 3 and (
        not headings or sum(b.kind == "heading" for b in asking) * 2 >= len(headings))
    if not marked and not faq_like:
        return list(blocks)
    out: list[Block] = []
    index = 0
    while index < len(blocks):
        block = blocks[index]
        index += 1
        question = _question_of(block, faq_like)
        if question is None:
            out.append(block)
            continue
        question, inline_answer = question
        answer = [inline_answer] if inline_answer else []
        while index < len(blocks) and _continues_answer(blocks[index], faq_like):
            text = blocks[index].text.strip()
            found = _A_MARK.match(text)
            answer.append(found.group("rest") if found else text)
            index += 1
        answer = [a for a in answer if a.strip()]
        if not answer:
            out.append(block)
            continue
        out.append(qa(question, "\n".join(answer), page=block.page, ocr=block.ocr))
    return out


def _unmarked_question(block: Block) -> bool:
    return block.kind in ("heading", "paragraph", "list_item") and \
        looks_like_question(block.text) and not _Q_MARK.match(block.text.strip())


def _question_of(block: Block, faq_like: bool) -> tuple[str, str] | None:
    """(question, answer on the same line) when ``block`` asks a question that starts a pair."""
    text = block.text.strip()
    if block.kind in _ANSWER_KINDS:
        found = _Q_MARK.match(text)
        if found:
            question = found.group("rest").strip()
            inline = _INLINE_A.search(question)
            if inline:
                return question[:inline.start()].strip(), question[inline.end():].strip()
            return (question, "") if question else None
    if faq_like and _unmarked_question(block):
        return _strip_number(text), ""
    return None


def _continues_answer(block: Block, faq_like: bool) -> bool:
    if block.kind not in _ANSWER_KINDS:
        return False
    text = block.text.strip()
    if _Q_MARK.match(text) or faq_like and looks_like_question(text):
        return False
    return not (block.kind == "paragraph" and is_heading_line(text)) or bool(_A_MARK.match(text))

