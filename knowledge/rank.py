"""The ranking stages of a search: BM25 candidates, the sentence-level rerank, the decision.

:meth:`Ranker.candidates` scores every paragraph by BM25 over three fields (paragraph words,
title + heading words, paragraph bigrams) and keeps the best as :class:`Candidates`;
:meth:`Ranker.rerank` scores those with what BM25 cannot see (do the question's words occur
together in one or two sentences, how much of the question does the paragraph cover, does it sit
under the 第N条 the question names, is it a text made under a law that is a candidate too, do
its headings say what the question's words point to: :mod:`.associations`) into
:class:`Ranked` items; :func:`decide` says whether the best is a confident answer, a suggestion
or nothing.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np
from rapidfuzz import fuzz, process

from .associations import Associations
from .compiled import loops as _bm25  # None: not built (or stale); numpy gives the same
from .faqmatch import FaqSheet, asks_advice, asks_permission, forms_agree
from .index import FieldIndex, GramIndex
from .meaning import Closeness, Judging
from .normalize import normalize
from .parties import Parties, ender_asked, enders, read_parties, side_of
from .query import ANSWER_TYPES, HANDLING, OBLIGATIONS, QUESTION_FORM, Query, Unit
from .sections import chinese_number, find_references, is_liability
from .store import ParagraphRow
from .teach import vote_factor
from .text import number_pattern

if TYPE_CHECKING:
    from .analysis import Synonyms
    from .search import SearchConfig

__all__ = ["EVIDENCE", "FAQ_EVIDENCE", "Candidates", "Ranked", "Ranker", "act_first",
           "applies_before", "apply_votes", "defers_to",
           "article_key", "bearer_first", "binds", "bound_first", "cited_first", "confidence",
           "count_first", "decide", "defines_first",
           "held_back", "lead_first", "leads_sibling", "one_per_article", "organ_first",
           "party_first", "sanction_first", "says_it_first", "term_asked"]

FIELDS = ("words", "context", "grams")
# The evidence behind answer / suggestions / not found, about the best hit (after one hit per
# article): the share of the question's weighted content words (after expansion) its paragraph
# and headings cover, its article's paragraphs together, its own sentences alone, its title and
# headings alone; its best 1–2 sentence window; rapidfuzz closeness; the margin over the next
# hit (coverage × (final₁ − final₂) / final₁; none without a next hit); its BM25 relative to the
# best BM25; whether it says what the question asks for (1 / 0; 0.5 when it asks for no kind);
# how much more of the question its article covers than the next hit's (``ahead``; 1 without
# a next hit) and whether it alone says what is asked (``type_ahead``): with ``margin``, whether
# the best two articles tie; a list asked for and a statute article that lists nothing
# (``unlisted``); how many of the next nine articles cover the question about as well (within
# 0.05: ``rivals``, a crowd of look-alike articles); the share of the question that its heaviest
# word the best article does not say carries (``missing``); whether the best hit is a numbered
# statute article (``statute``, a property of the document); whether it is a 法律责任/罚则
# article and the question asks about no consequence (``mention``: it names a rule's
# violation, 违反本法规定…, the rule is elsewhere; or the question asks who, and it names who
# punishes; an article stating the conduct it punishes, 有下列行为之一的：克扣…工资的, is no
# mention: there the conduct asked about is said); the mirror: the question asks what
# happens, the best hit says no consequence and one of the next two is a 法律责任/罚则
# article of its document that says one (``duty``: the best states the duty, the
# consequence is in its liability chapter); whether the next article is of the best's
# document or title (``sibling``: with ``ahead`` and ``type_ahead``, the best leads a
# sibling that does not say what is asked; a quantity asked with a bound, 最少几位, is said with
# a limit in that direction, 不得少于10位); how well the
# best hit's best sentence (where its excerpt starts) says the question's heaviest words
# (``rarest``: the least of them) and how well the next hit's sentence says one of them that
# the best's does not say at all (``rarest_next``); whether the best is a statute article
# whose sentence is about a state organ (国家机关不履行…的) while the question names none and
# asks no "who" (``organ``: the rule binds the state, not the unit or person asked about);
# whether an order rule put the best first for what it says (``moved``: says_it_first,
# cited_first, act_first, count_first, lead_first): then a level lead is no coin toss; whether
# the best only names the question's words (``named``: a definition not asked for, an inventory
# whose lead-in says none of the question), is a 法律责任/罚则 article for a question asking
# only what to do (``todo``: 怎么办), or says no number for a limit asked (最多能借多少) while
# the next says one (``unbounded``).
# And whether the best's score leans on learned heading associations (its headings say a
# heading word the question's words point to, :mod:`.associations`) for a question of one
# clause (``leaned``), and whether the best says a question's word only the other way round
# while an article of its document next to it says it the question's way (``contrary``).
# :func:`decide` reads ``ahead``, ``type_ahead``, ``unlisted``, ``rivals``, ``mention``,
# ``duty``, ``sibling``, ``rarest_next``, ``organ``, ``named``, ``todo``, ``unbounded``,
# ``leaned``, ``contrary`` and ``advice`` (an FAQ pair's only) as rules, not as weights.
EVIDENCE = ("coverage", "article", "own", "heading", "window", "fuzzy", "margin", "bm25",
            "answer_type", "ahead", "type_ahead", "unlisted", "rivals", "missing", "statute",
            "mention", "duty", "sibling", "rarest", "rarest_next", "organ", "moved", "vague",
            "named", "todo", "unbounded", "alike", "leaned", "contrary", "advice")
# When the best hit is an FAQ pair, its own decision (DECISION["faq"]): a pair is matched on its
# question, and what says it answers is how much of that question the user's question says
# (``asked``), the closeness of the two questions (``fuzzy``; ``closeness``: character by
# character, :mod:`.faqmatch`), the lead over the next candidate (``margin``), how much closer
# the pair's question is than any other pair's (``lead``), how much more of the question its
# question and answer say than any other pair's (``support``) and whether the two questions ask
# for the same specific kind of answer (``form``). ``advice`` (the question asks what to buy or
# which is best, the pair's question does not) is a rule of :func:`held_back`, not a weight.
FAQ_EVIDENCE = ("asked", "coverage", "fuzzy", "margin", "closeness", "lead", "support", "form")
# The fuzzy part of a sentence that says the question's words only as alternatives (a synonym,
# a defined name, the formal word): as much as :meth:`Unit.match` gives an alternative.
ALTERNATIVE_SAID = 0.9
# A statute article's heading label (sections.py files each 第X条 as a section of its own).
_ARTICLE = re.compile(r"^第([一二三四五六七八九十百千零〇两\d]+)条(之[一二三四五六七八九十]+)?$")


@dataclass(frozen=True)
class Candidates:
    """The BM25 stage's result: candidate rows, best first, and their scores (aligned)."""

    rows: np.ndarray                       # best total first; then rows found only by reference
    total: np.ndarray                      # the fields' scores added with the field weights
    fields: dict[str, np.ndarray] | None   # each field's own (unweighted) score, for explain
    named: frozenset[int]                  # rows under a heading the question names (第四条)
    scores: np.ndarray | None = None       # every row's total (None: none matched)
    cites: tuple[tuple[int, int], ...] = ()  # (a liability row, a candidate of the rule it cites)

    def with_rows(self, extra: Iterable[int], totals: Iterable[float] = ()) -> Candidates:
        """These candidates and the rows of ``extra`` not among them after them, in order,
        scored 0 (rows another way found: FAQ pairs, a definition, a taught paragraph, one
        applying the paragraph before it), or their ``totals`` when given; these candidates
        themselves when none is new."""
        have = set(self.rows.tolist())
        extra = list(extra)
        given = dict(zip(extra, totals))
        extra = np.array([row for row in dict.fromkeys(extra) if row not in have], dtype=np.int64)
        if not extra.size:
            return self
        zeros = np.zeros(extra.size)
        added = np.array([given.get(row, 0.0) for row in extra.tolist()]) if given else zeros
        fields = None if self.fields is None else \
            {name: np.append(score, zeros) for name, score in self.fields.items()}
        return Candidates(np.append(self.rows, extra), np.append(self.total, added), fields,
                          self.named, self.scores, self.cites)


@dataclass(frozen=True)
class Ranked:
    """One candidate after the rerank."""

    final: float
    row: int
    covers: list[float]          # per sentence: share of the question it covers (for excerpts)
    parts: dict[str, float]      # bm25, window, coverage, fuzzy, reference, final (+ fields)
    found: np.ndarray | None = None   # per question unit: best match in paragraph or headings

    @property
    def strength(self) -> float:
        """How much of the question this paragraph answers: its best window or its coverage."""
        return max(self.parts["coverage"], self.parts["window"])


def in_article(section: Sequence[str]) -> bool:
    """Whether a section path ends in a statute article's heading (第三条, 第十条之一): its
    paragraphs are one article — one hit, one citation, one vector of the whole text."""
    return bool(section) and _ARTICLE.match(section[-1]) is not None


def article_key(row: ParagraphRow) -> tuple:
    """What a user sees as one hit: a statute article (the same document and section path
    ending in 第X条, however many paragraphs it spans), else the paragraph itself."""
    if in_article(row.section):
        return (row.doc_id, row.section)
    return (row.paragraph_id,)


# A paragraph applying the one before it: 有前款规定的违法行为, 违反前款规定, 前两款规定以外的
_APPLIES = re.compile(r"前[两二三]?款")


def applies_before(row: ParagraphRow, norm: str, before: ParagraphRow) -> bool:
    """Does paragraph ``row`` apply ``before``, the paragraph before it in the same article?"""
    return before.doc_id == row.doc_id and before.number == row.number - 1 \
        and in_article(row.section) and before.section == row.section \
        and _APPLIES.search(norm) is not None


# A paragraph whose sanction is the one before it: 依照前款规定处罚, 依照前款的规定处理 (its own
# words name the conduct, the paragraph before says what follows)
_DEFERS = re.compile(r"(?:依照|按照|依)前款(?:的)?规定(?:处罚|处理|予以处罚|给予处罚|执行)")
# what a question asks when the sanction is its answer (the paragraph before then shows it)
SANCTION_ASKS = frozenset({"consequence", "quantity"})


def defers_to(row: ParagraphRow, norm: str, before: ParagraphRow) -> bool:
    """Does paragraph ``row`` leave its sanction to ``before``, the paragraph before it in the
    same article (…的，依照前款规定处罚)?"""
    return _DEFERS.search(norm) is not None and applies_before(row, norm, before)


def one_per_article(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow],
                    query: Query | None = None,
                    norms: Sequence[str] | None = None) -> list[Ranked]:
    """The best paragraph of each article, best first: two paragraphs of one article are one
    hit (it is cited once; the next hits continue with the next articles). With ``query``,
    each kept item's ``parts["article"]`` is the share of the question the article's candidate
    paragraphs cover together (a lead-in and its items, a rule and its exception); and when the
    question asks for a kind of answer (a number, a list…) that the article's best paragraph
    does not say but another of its paragraphs covering the question as well does, that one
    stands for the article (at the article's score): 多久答复 is answered by the article's
    second paragraph, 20个工作日内予以答复, not by its first, 能够当场答复的，应当当场予以答复.
    Asked what a term means (with ``norms``), the paragraph saying it stands for its article."""
    seen: dict[tuple, int] = {}
    kept: list[Ranked] = []
    found: list[np.ndarray | None] = []
    asks = query is not None and bool(query.asks)
    deferred = asks and not SANCTION_ASKS.isdisjoint(query.asks)
    term = term_asked(query.normalized) if query is not None and norms is not None else None
    weights = np.array([u.weight for u in query.units]) / query.mass \
        if query is not None and query.units else None
    for item in ranked:
        key = article_key(rows[item.row])
        at = seen.get(key)
        if at is None:
            seen[key] = len(kept)
            kept.append(item)
            found.append(item.found)
            continue
        if term is not None and _defines(norms[item.row], term) \
                and not _defines(norms[kept[at].row], term):
            # asked what a term means, the paragraph saying it stands for its article (a
            # definition says the term once; the article's other paragraphs use it more)
            best = kept[at]
            kept[at] = replace(item, final=best.final, parts={
                **item.parts, "final": best.final, "paragraph_final": item.final,
                "said": best.parts.get("said", 0.0)})
        elif asks and _says_what_best_lacks(item, kept[at]):
            best = kept[at]
            kept[at] = replace(item, final=best.final, parts={
                **item.parts, "final": best.final, "paragraph_final": item.final,
                "said": best.parts.get("said", 0.0)})
        elif deferred and defers_to(rows[kept[at].row], rows[kept[at].row].text,
                                    rows[item.row]):
            # asked what follows, the best paragraph says only 依照前款规定处罚: the paragraph
            # before it says the sanction, and stands for the article (its excerpt)
            best = kept[at]
            kept[at] = replace(item, final=best.final, parts={
                **best.parts, "final": best.final, "deferred": 1.0})
        elif weights is not None and _APPLIES.search(rows[item.row].text) \
                and not (deferred and _DEFERS.search(rows[item.row].text)) \
                and item.found is not None and found[at] is not None \
                and item.parts.get("answer_type", 0.0) >= kept[at].parts.get("answer_type", 0.0) \
                and float(np.maximum(found[at], item.found) @ weights) \
                > kept[at].parts["coverage"] + APPLIED_MORE:
            # 有前款规定的违法行为，情节严重的… read with the paragraph it applies says more of
            # the question than that paragraph: it stands for the article (its excerpt)
            best = kept[at]
            kept[at] = replace(item, final=best.final, parts={
                **best.parts, "final": best.final, "applies": 1.0})
        if item.found is not None and found[at] is not None:
            found[at] = np.maximum(found[at], item.found)
    if query is not None and query.units:
        weights = np.array([u.weight for u in query.units]) / query.mass
        wholes = [units is not None and units.size == weights.size for units in found]
        said = [units for units, whole in zip(found, wholes) if whole]
        # the heaviest question word the article does not say (its share of the question),
        # for every article at once (weights has a size: the question has units)
        missing = iter((weights * (1.0 - np.array(said))).max(axis=1).tolist() if said else ())
        for item, units, whole in zip(kept, found, wholes):
            item.parts["article"] = float(units @ weights) if whole else item.parts["coverage"]
            item.parts["missing"] = next(missing) if whole else 0.0
    return kept


def _first(ranked: list[Ranked], i: int, mark: str) -> list[Ranked]:
    """``ranked`` with its ``i``-th item moved first, marked ``mark`` in its parts; the items
    keep the final scores of the places they take, so the scores still read best first."""
    moved = [ranked[i], *ranked[:i]]
    placed = [replace(r, final=old.final, parts={**r.parts, "final": old.final,
                                                 "said": old.parts.get("said", 0.0)})
              for r, old in zip(moved, ranked)]
    placed[0].parts[mark] = 1.0
    return placed + ranked[i + 1:]


def _article_number(section: Sequence[str]) -> int | None:
    """The number of the article a section path ends in (第十二条 → 12; None for 第十条之一 or
    no article), for the article after another (:func:`continued_first`)."""
    found = _ARTICLE.match(section[-1]) if section else None
    return chinese_number(found.group(1)) if found and not found.group(2) else None


def continued_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow],
                    norms: Sequence[str], query: Query, reach: int,
                    ratio: float = 0.5) -> list[Ranked]:
    """Asked a limit (预借现金最多能借多少, 多久之内), when the best article says no number at
    all and the article right after it (the next number under the same heading of the same
    document) states what is asked, that one goes first: a rule's procedure is followed by its
    limits (第十一条 员工…确需预借现金的，应当填写借款单… / 第十二条 个人借款单笔不超过2万元), the
    second saying the topic in fewer of the question's words. Looked for among the best
    ``reach`` articles, covering ``ratio`` of the best's share; never a 法律责任 article; only the
    order moves (``parts["continued"]``)."""
    ranked = list(ranked)
    if len(ranked) < 2 or not query.bound_patterns or rows[ranked[0].row].kind == "faq":
        return ranked
    best = ranked[0]
    if best.parts.get("answer_type") or best.parts.get("liability") or _moved(best):
        return ranked
    number = _article_number(rows[best.row].section)
    if number is None:
        return ranked
    head, doc = tuple(rows[best.row].section[:-1]), rows[best.row].doc_id
    for i in range(1, min(reach, len(ranked))):
        item = ranked[i]
        row = rows[item.row]
        if row.doc_id == doc and tuple(row.section[:-1]) == head \
                and _article_number(row.section) == number + 1 and _says(item, norms, query) \
                and not item.parts.get("liability") and item.strength >= ratio * best.strength:
            return _first(ranked, i, "continued")
    return ranked


LIST_NAMED_REACH = 2      # (times ``among``)
LIST_NAMED_SLACK = 0.05   # (of strength)


def says_it_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                  query: Query, among: int) -> list[Ranked]:
    """Within one document, the article that says what is asked first (issue 16, item 2).

    The articles of one rule share its vocabulary: when the best does not say the kind of
    answer the question asks for (多久 → a number, 哪些 → an enumeration, 由谁 → an agent; for a
    quantity asked with a bound, 最少几位, a limit in that direction: 不得少于10位) and one of the
    next ``among`` - 1 articles of the *same document* does, covering the question at least as
    well, that one goes first (the first such; never a 法律责任 article, whose penalty words say
    a consequence for every rule: rules before mentions, the rerank weighs those on its own).
    劳动者享有哪些职业卫生保护权利 is answered by 劳动者享有下列职业卫生保护权利：（一）…, not by
    the general 劳动者依法享有职业卫生保护的权利.
    Only the order moves: the items it passes keep the scores in their places (the best's
    score goes to the one moved up, and so on down), and ``parts["says_it"]`` marks it. Across
    documents the answer type stays a small weight in the rerank (weighed more there, it lost
    more than it won: bench/README.md)."""
    ranked = list(ranked)
    if among < 2 or not query.asks or len(ranked) < 2:
        return ranked

    best = ranked[0]
    if rows[best.row].kind == "faq":
        return ranked
    doc = rows[best.row].doc_id
    # A list asked that one of these articles announces by name (哪些事项 → 对下列事项…：) is
    # said by that one only: a sibling's list of something else (下列措施) does not answer it.
    # (Found when first needed: most questions ask no list, and most candidates say no answer.)
    named: list[bool] = []

    def says(item: Ranked) -> bool:
        if item.parts.get("answer_type") != 1.0 or not query.says_bound(norms[item.row]):
            return False
        if not named:
            named.append(bool(query.listed) and any(
                rows[other.row].doc_id == doc and query.lists_asked(norms[other.row])
                for other in ranked[:reach]))
        return not named[0] or query.lists_asked(norms[item.row])

    # A lead-in announcing the very list asked (有下列情形之一的 for 哪些情况) is looked for further
    # down, and its article may cover a little less: what it lists is said in the rule's own
    # word (情况 → 情形 counts less than 情况 itself), where a sibling listing something else
    # (履行下列职责：…提取…情况…) says the question's words in passing.
    reach = among * LIST_NAMED_REACH if query.listed else among
    if says(best):
        return ranked
    for i in range(1, min(reach, len(ranked))):
        item = ranked[i]
        if rows[item.row].doc_id != doc or item.parts.get("liability") or not says(item):
            continue
        lists = named[0] and query.lists_asked(norms[item.row])
        if i >= among and not lists:
            continue
        if item.strength >= best.strength - (LIST_NAMED_SLACK if lists else 0.0):
            return _first(ranked, i, "says_it")
    return ranked


_CITES = re.compile(r"(?:依照|按照|根据|适用)本(?:法|条例|办法|规定|细则)(第[一二三四五六七八九十百零〇两]+条)")
# … and a table it defers to (按照表1规定的标准, 标准见表2): the numbers are in the table's rows.
_CITES_TABLE = re.compile(r"(?:依照|按照|根据|参照|适用|见)(?:本(?:法|条例|办法|规定|细则))?(?:所附)?(表\d+)")
_TABLE_LABEL = re.compile(r"^(表\d+)")
_LEADING_ARTICLE = re.compile(r"^(第[一二三四五六七八九十百零〇两]+条)")


def _body(text: str) -> str:
    """``text`` without its leading 第N条 and the spaces around it: what the article says."""
    return _LEADING_ARTICLE.sub("", text.lstrip()).lstrip()
# A state organ as a sentence's subject (国家机关不履行…的, 县级以上人民政府应当…), and the
# words by which a question names one (政府信息公开, 劳动保障部门, 审计署).
_ORGAN = re.compile(r"国家机关|人民政府|行政机关|国务院|有关部门|主管部门|行政部门|监督管理部门|"
                    r"审计机关|税务机关|公安机关|主管机关")
# … where a subject stands: at the sentence's start, after a qualifier (县级以上地方各级人民政府)
ORGAN_AT = 10
# A liability article that names the violation of a rule said elsewhere: 违反…, 未按规定…, a
# provision of this text (不符合本法规定的) or an article (未履行本法第五十五条规定的) — after its
# own 第N条 label is taken off.
_NAMES_RULE = re.compile(r"违反|[未不](?:按|依)照?[^，。；]{0,12}?规定|"
                         r"本(?:法|条例|办法|规定|细则|制度)[^，。；]{0,12}?规定|"
                         r"第[一二三四五六七八九十百零〇两\d]+条")
# A state organ's rule banning it a thing (…机关…不得…) answers whether that thing may be done to
# the asker: not held back as the state's own business (Ranker._organ_rule; 办许可证要交钱吗 →
# 行政机关提供…格式文本，不得收费; 申辩会不会罚得更重 → 不得因当事人陈述、申辩而给予更重的处罚)
_ORGAN_BAN = re.compile(r"(?:机关|部门|政府)[^。；]{0,30}?不得")
_ORGAN_ASKED = re.compile(r"政府|机关|部门|国家|国务院|审计署|税务|公安|监察|主管|机构|财政")


def _article_of(row: ParagraphRow) -> str:
    """The 第N条 a row is (its heading, else its text's opening), or ""."""
    if in_article(row.section):
        return row.section[-1]
    found = _LEADING_ARTICLE.match(row.text)
    return found.group(1) if found else ""


# How far back a table's row looks for its caption (a plain-text table's rows follow it).
_CAPTION_BACK = 40


def _table_of(rows: Sequence[ParagraphRow], norms: Sequence[str], at: int) -> str:
    """The 表N row ``at`` belongs to, or "": a table row's caption label (among its headings),
    or, in plain text, the 表N caption line it opens with or that the paragraphs of its section
    follow."""
    row = rows[at]
    for label in row.section[::-1]:          # 第八条 › 表1 国内出差住宿费标准 › 第5行
        found = _TABLE_LABEL.match(normalize(label).replace(" ", ""))
        if found:
            return found.group(1)
    for back in range(at, max(-1, at - _CAPTION_BACK), -1):     # (itself: a table as one text)
        before = rows[back]
        if before.doc_id != row.doc_id or before.section != row.section:
            return ""
        found = _TABLE_LABEL.match(norms[back].replace(" ", ""))
        if found:
            return found.group(1)
    return ""


# What a table holds for a rule deferring to it: amounts, dates, who, which items, where.
_TABLED = frozenset({"quantity", "period", "list", "agent", "place"})


def cited_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                among: int, query: Query | None = None) -> list[Ranked]:
    """The article a rule defers to, before the text deferring to it: when the best hit says
    依照本法第六条的规定 (a table's note, an article applying another) and that article of the
    same document or law is one of the next ``among`` - 1, covering the question as well, it
    goes first (only the order moves, as in :func:`says_it_first`). The same for a table the
    best defers to (按照表1规定的标准包干使用) when ``query`` asks for what tables hold (an
    amount, a date, who, which items, where; not whether: 要分级管理吗 is answered by the
    article's own 分为三级): a row of that table of its document, covering the question as
    well, goes first — the amounts are said there. Not a 法律责任 article
    asked about consequences (依照本办法第三条的规定追回…并处罚款 answers 会怎么处理)."""
    ranked = list(ranked)
    if len(ranked) < 2:
        return ranked
    best = ranked[0]
    cited = set(_CITES.findall(norms[best.row]))
    tables = set(_CITES_TABLE.findall(norms[best.row])) \
        if query is not None and _TABLED.intersection(query.asks) else set()
    if not (cited or tables) or rows[best.row].kind == "faq" \
            or best.parts.get("liability", 0.0) > 0:
        return ranked
    doc, law = rows[best.row].doc_id, _law_name(rows[best.row].title)
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        row = rows[item.row]
        if item.strength < best.strength:
            continue
        if cited and (row.doc_id == doc or law and _law_name(row.title) == law) \
                and _article_of(row) in cited \
                or tables and row.doc_id == doc and _table_of(rows, norms, item.row) in tables:
            return _first(ranked, i, "cited")
    return ranked


# A verb made a noun's modifier (缴纳的失业保险费, 收集的个人信息) or an agent noun (收集者).
_NOMINAL = ("的", "者")


# A reason frame: 不得以个人…撤回同意为由，拒绝提供产品 names the act as an excuse, not as what
# the rule is about.
_REASON = re.compile(r"以[^，,。；;：:]{1,30}?为由")


def _said_as_act(unit: str, text: str) -> bool | None:
    """Does ``text`` say ``unit`` as an act (缴纳失业保险费), not only as a modifier of a noun
    or an agent noun (职工缴纳的失业保险费, 被收集者), or as the reason in 以…为由? None when it
    does not say it at all."""
    at = text.find(unit)
    if at < 0:
        return None
    reasons = [m.span() for m in _REASON.finditer(text)] if "为由" in text else []
    while at >= 0:
        if not text.startswith(_NOMINAL, at + len(unit)) \
                and not any(a <= at < b for a, b in reasons):
            return True
        at = text.find(unit, at + 1)
    return False


# The question's end after a word: 还能撤回吗 (a verb after a modal, asked about as such).
_ASKED_END = re.compile(r"(?:吗|呢|么|嘛)?[?？!！。]*$")
# A modal verb: what follows it in a question is a verb (要缴纳, 能撤回, 应当报告).
_MODAL = re.compile(r"(?:要|应|应当|应该|该|能|能够|可以|可|需|需要|必须|得|会)$")


def _acts_asked(query: Query) -> list[str]:
    """The question's words that it says as an act on another of its words (要缴纳|失业保险费)
    or as what it asks ends with (还能撤回吗): a word of two characters or more after a modal
    verb and directly before another of its words or the question's end. (After a modal, a
    verb: 个人所得税税率 or 预算执行 are names, not acts.)"""
    text, units = query.normalized, [u.text for u in query.units]
    acts = []
    for word in units:
        at = text.find(word)
        if len(word) >= 2 and at > 0 and _MODAL.search(text, 0, at) and (any(
                other != word and text.startswith(other, at + len(word)) for other in units)
                or _ASKED_END.match(text, at + len(word))):
            acts.append(word)
    return acts


def act_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
              query: Query, among: int) -> list[Ranked]:
    """Within one document, the article that states the act asked about before one that only
    names its result: asked 职工要缴纳失业保险费吗 (缴纳 acting on 失业保险费), an article that
    says the verb only as a modifier of a noun or an agent noun (失业保险基金由下列各项构成：
    …职工缴纳的失业保险费) describes the thing, while a sibling saying the act (职工按照本人工资
    的1%缴纳失业保险费) states the rule. When the best says one of the question's acts only so,
    the first of the next ``among`` - 1 articles of its document that says it as an act,
    covering the question as well, goes first (only the order moves, as in
    :func:`says_it_first`; never a 法律责任 article, ``parts["act"]`` marks it)."""
    ranked = list(ranked)
    if len(ranked) < 2 or rows[ranked[0].row].kind == "faq":
        return ranked
    best = ranked[0]
    named = [word for word in _acts_asked(query) if _said_as_act(word, norms[best.row]) is False]
    if not named:
        return ranked
    doc = rows[best.row].doc_id
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if rows[item.row].doc_id == doc and item.strength >= best.strength \
                and not item.parts.get("liability") \
                and all(_said_as_act(word, norms[item.row]) for word in named):
            return _first(ranked, i, "act")
    return ranked


# The duty's bearer: the words an article's opening clause says before its modal (负责, not
# the 负责 of 单位负责人; 享有/负有 of a right or duty stated as held).
_DUTY = re.compile(r"应当|不得|必须|可以|有权|负责(?!人)|享有|负有")
_BEARER_CLAUSE = re.compile(r"[，,。；;：:\n]")


def _first_sentence_end(text: str) -> int:
    end = _SENTENCES.search(text)
    return end.start() if end else len(text)


def _bearer(text: str) -> str:
    """Who a rule binds: the words its opening sentence opens with, when they are the subject of
    a 应当/不得/必须/可以/有权/负责 in the same clause (用人单位的主要负责人…应当接受培训 →
    用人单位的主要负责人…; 工会组织应当督促… → 工会组织); '' when that sentence states no duty
    (用人单位自用工之日起即与劳动者建立劳动关系。用人单位应当…: the second sentence's is not
    what it is about) or opens with a condition (赠与附义务的，受赠人应当…), unless the condition
    opens with the party it goes on binding (信息中心发现账号被盗用的，应当… → 信息中心)."""
    text = _body(text)
    duty = _DUTY.search(text, 0, _first_sentence_end(text))
    if duty is None:
        return ""
    opening = text[:duty.start()]
    if not _BEARER_CLAUSE.search(opening):
        return opening.strip()[-30:]
    # a condition whose subject the duty goes on binding: 信息中心发现账号被盗用的，应当立即
    # 冻结… binds 信息中心 (not 个人发现网络运营者…的，有权要求… the 网络运营者)
    acting = _ACTS_IF.match(opening)
    return acting.group(1) if acting and _PARTY_WORD.search(acting.group(1)) \
        and re.fullmatch(r"[^，,：:；;]*的[，,]", opening) else ""


# A condition's subject: the words before its verb (信息中心|发现…的, 用人单位|违反…的)
_ACTS_IF = re.compile(r"([^，,。；;]{2,12}?)(?:发现|违反|未|不|因|在|对|有|经|拒绝|收到|接到|需要|认为|"
                      r"采用|使用|申请|提出|办理|发生|知道|得知|取得|离职|入职|终止|解除)")
# What follows a question's subject: its modal (单位要…吗, 公司能不能…, 单位是否…).
_SUBJECT_MODAL = re.compile(r"要|应|该|能|可以|可|需|必须|得|会|有没有|是否|有权")
# A word naming a party (网络运营者, 信访人, 从业人员, 用人单位, 统计调查对象, 工会), not a thing.
_PARTY_WORD = re.compile(r"(?:者|人|人员|单位|机构|组织|企业|公司|职工|员工|工会|部门|机关|对象|"
                         r"委员会|中心|办公室|处|科|主|户|妇女|公民|居民)$")


def _subject(query: Query) -> tuple[str, ...]:
    """The party a question asks about, with its words' expansions; () when it names none.

    Its opening word when its modal follows directly (单位要给职工做…培训吗 → 单位); else its
    opening noun phrase when that ends with a party's word (:data:`_PARTY_WORD`): the words said
    side by side from the start up to the last party word before another word (网络运营者发现
    用户泄露… → 网络运营者; 单位负责人对… → 单位负责人; 信访人有什么义务 → 信访人), or the
    party a 的 qualifies there (处理个人信息的单位 → 单位), or a later clause opens with
    (干有职业病危害的活，劳动者有什么权利 → 劳动者)."""
    if not query.units:
        return ()
    text, first = query.normalized, query.units[0].text
    if len(first) >= 2 and text.startswith(first) and _SUBJECT_MODAL.match(text, len(first)):
        name = first
    else:
        units = [u.text for u in query.units]
        # from the start, after a 的 there, or from a later clause's start (干有…的活，劳动者
        # 有什么权利 → 劳动者)
        of = text.find("的", 0, 12)
        starts = [0, *([of + 1] if of > 0 else []),
                  *(m.end() for m in re.finditer(r"[,，]", text))]
        name = next((said for at in starts if (said := _opening_party(text, units, at))), "")
        # (not a party qualifying a thing: 物业公司提供的服务我不满意… is about the service)
        after = text.find(name) + len(name) if name else 0
        if name and _MODIFIES.match(text, after):
            name = ""
    if len(name) < 2:
        return ()
    names = [name, *(w for w in query.expansions.get(name, ()) if len(w) >= 2)]
    return tuple(dict.fromkeys(names))


# A party followed by a verb phrase and 的 (物业公司提供的服务): it qualifies a thing
_MODIFIES = re.compile(r"(?![对在向为从与跟和给])[^，,。？?的]{1,6}的")


def _opening_party(text: str, units: Sequence[str], at: int) -> str:
    """The words said side by side in ``text`` from ``at`` up to the last that names a party
    before a word that does not (运营者 | 发现), or '' when none does. (The first may start a
    character later: 来访人员 is the unit 访人员 when a glued 来 was taken off.)"""
    start = end = at
    for word in units:
        found = text.find(word, at)
        if found < 0 or found > at + (1 if at == start else 0) or found - start > 12:
            if at == start:
                continue        # (the units said before ``at``)
            break
        at = found + len(word)
        if _PARTY_WORD.search(word):
            end = at
        elif end > start:
            break
    return text[start:end]


_CLAUSES = re.compile(r"[，,：:]")
# … and the modal of each kind asked: a duty's, a right's, a prohibition's
_BINDING = {"duty": re.compile(r"应当|必须|应该|负责(?!人)|负有|履行|不得|禁止|(?<![必无])须"),
            "right": re.compile(r"有权|享有|享受|可以"),
            "ban": re.compile(r"不得|禁止|严禁|不准|不许")}


# What may stand before a party's name at a clause's start: a qualifier (生产经营单位的从业人员,
# 用人单位 for 单位) or the parties named with it (用人单位的主要负责人和职业卫生管理人员;
# 国家机关…和个人等统计调查对象), not a preposition's object (对其负责…与统计调查对象报送的…) nor a condition (未经…培训
# 合格的从业人员，不得上岗作业: who may not work, not what every one must do)
_QUALIFIED = (r"(?!未|凡|除)(?:(?!应|不得|必须|可以|有权|负责|禁止|须|享有)"
              r"[^，,。；;对向将把为按依据与在]){0,30}?")
# … or, for the party's whole name, only a qualifier with 的 or the parties listed with it
# (企业、事业等单位 for 单位, not 消防安全重点单位)
_LISTED_WITH = (r"(?:(?!未|凡|除)(?:(?!应|不得|必须|可以|有权|负责|禁止|须|享有)"
                r"[^，,。；;对向将把为按依据与在]){0,30}?(?:的|和|、|及|以及|或者|等))?")
# … and the name ends its noun phrase: no other party's word after it (业主大会 is not 业主), no
# 的 before the modal, a preposition or the clause's end (统计调查中获得的…单个统计调查对象身份
# 的资料，任何单位和个人不得…: the name qualifies 资料)
_ENDS_NOUN = (r"(?!大会|委员会|会|组织|单位|部门|机构|人员|代表|小组)"
              r"(?=(?:(?!的)[^，,。；;])*?(?:应|不得|必须|可以|有权|负责|禁止|须|享有|负有|"
              r"对|在|向|依|按|从|自|于|[，,。；;]|$))")
# A lead-in announcing the list of what is bound (…不得有下列行为：, 履行下列职责：)
_LISTS = re.compile(r"下列|以下|如下")


@lru_cache(maxsize=256)
def _opening(names: tuple[str, ...], whole: bool) -> re.Pattern[str]:
    """A clause opening with one of ``names`` (:func:`binds`)."""
    return re.compile((_LISTED_WITH if whole else _QUALIFIED)
                      + "(?:" + "|".join(map(re.escape, names)) + ")" + _ENDS_NOUN)


def binds(text: str, names: Sequence[str], query: Query, *, listed: bool = False,
          whole: bool = False) -> bool:
    """Does a sentence of ``text`` bind one of ``names`` with the modal of a kind ``query``
    asks (duty, right, ban)? The name opens the clause of the modal (信访人在信访过程中应当
    遵守…) or the sentence, after a qualifier or the parties named with it (生产经营单位的
    从业人员有权…; 工会对…的行为，有权要求纠正), not in a condition's clause before another's
    modal (个人发现网络运营者…的，有权要求…) nor as an object (…与统计调查对象报送的…); or it
    is the clause before a modal opening its own (…等统计调查对象，必须…). With ``listed``, that
    sentence also announces a list after the modal (…不得有下列行为：). With ``whole``, the name
    is the party's whole name or one of a list of them (企业、事业等单位 for 单位; not
    消防安全重点单位)."""
    modals = [_BINDING[kind] for kind in sorted(OBLIGATIONS.intersection(query.asks))]
    if not any(name in text for name in names) or not any(m.search(text) for m in modals):
        return False
    opening = _opening(tuple(names), whole)
    for sentence in _SENTENCES.split(_body(text)):
        if not any(name in sentence for name in names):
            continue
        first = _CLAUSES.split(sentence, maxsplit=1)[0]
        opens = opening.match(sentence) is not None and not first.endswith("的")
        for modal in modals:
            for found in modal.finditer(sentence):
                clauses = _CLAUSES.split(sentence[:found.start()])
                # (or the clause before, when the modal opens its own: …个体工商户和个人等
                # 统计调查对象，必须…)
                said = clauses[-1] if clauses[-1] or len(clauses) < 2 else clauses[-2]
                if (opens or opening.match(said)) \
                        and (not listed or _LISTS.search(sentence, found.end())):
                    return True
    return False


# Asked what they are (有什么义务, 不能做什么), not whether one holds (有权…吗)
_WHAT_ASKED = re.compile(r"什么|哪些|哪几|啥")


def bound_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                query: Query, among: int, ratio: float = 0.9) -> list[Ranked]:
    """Asked a party's duties, rights or prohibitions (信访人有什么义务, 职业中介机构不能做什么),
    the article binding that party with the modal asked (:func:`binds`) — announcing the list
    of them when asked what they are (信访人…应当遵守…，不得有下列行为：) — goes first: the first
    of the best ``among`` articles of its text (its title) that does, covering ``ratio`` of the
    best's share, unless the best does already (only the order moves, as in :func:`says_it_first`;
    never from or to a 法律责任 article, nor to another text: a court's 解释 listing what the
    law's 出租人应当… says is no answer before it; ``parts["bound"]``)."""
    ranked = list(ranked)
    if len(ranked) < 2 or OBLIGATIONS.isdisjoint(query.asks) \
            or rows[ranked[0].row].kind == "faq" or ranked[0].parts.get("liability"):
        return ranked
    names = _subject(query)
    if not names:
        return ranked
    best = ranked[0]
    for listed in ((True, False) if _WHAT_ASKED.search(query.normalized) else (False,)):
        for whole in (True, False):
            if binds(norms[best.row], names, query, listed=listed, whole=whole):
                return ranked
            for i in range(1, min(among, len(ranked))):
                item = ranked[i]
                if rows[item.row].title == rows[best.row].title \
                        and not item.parts.get("liability") \
                        and item.strength >= ratio * best.strength \
                        and binds(norms[item.row], names, query, listed=listed, whole=whole):
                    return _first(ranked, i, "bound")
    return ranked


def bearer_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                 query: Query, among: int, ratio: float = 0.85) -> list[Ranked]:
    """The rule binding the party the question names, before one binding a party it does not
    (issue 16, item 4): asked 单位要给职工做…培训吗, 工会组织应当督促并协助用人单位开展…培训 binds
    the union, 用人单位的主要负责人…应当接受职业卫生培训 the unit asked about. When the question
    names its party (:func:`_subject`) and the best neither binds it (its bearer) nor opens
    with it (个人发现网络运营者…的，有权要求… is the person's right), the first of the next
    ``among`` - 1 articles (of any document: a law and another law or regulation repeat the
    same words) whose bearer says it, covering ``ratio`` of the best's share of the question,
    goes first (only the order moves, as in :func:`says_it_first`; not asked who or what
    follows, except what to do, 怎么办; never from or to a 法律责任 article;
    ``parts["bearer"]``)."""
    ranked = list(ranked)
    if len(ranked) < 2 or rows[ranked[0].row].kind == "faq" or "agent" in query.asks \
            or ("consequence" in query.asks and "procedure" not in query.asks):
        return ranked
    best = ranked[0]
    if best.parts.get("liability") \
            or _moved(best, "counted", "lead", "defines"):
        return ranked
    subject = _subject(query)
    if not subject:
        return ranked
    bearer = _bearer(norms[best.row])
    if any(word in bearer for word in subject) \
            or _body(norms[best.row]).startswith(subject) \
            or (not bearer and not OBLIGATIONS.intersection(query.asks)
                and "procedure" not in query.asks):
        return ranked
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if rows[item.row].kind == "faq" or item.parts.get("liability") \
                or item.strength < ratio * best.strength:
            continue
        other = _bearer(norms[item.row])
        if any(word in other for word in subject):
            return _first(ranked, i, "bearer")
    return ranked


# party_first and organ_first move nothing when the best says less than this of the question
# (an off-topic question's best, 0.07, is no rule about what is asked, whoever it binds).
PARTY_FLOOR = 0.4


def asks_no_organ(query: Query) -> bool:
    """The question names no state organ (政府, 部门, 机关…) and does not ask who."""
    return "agent" not in query.asks and not _ORGAN_ASKED.search(query.normalized)


def _best_sentence(item: Ranked, rows: Sequence[ParagraphRow], norms: Sequence[str]) -> str:
    """The sentence of ``item``'s paragraph that says most of the question (its excerpt's)."""
    text, sentences = norms[item.row], rows[item.row].sentences
    if sentences and item.covers:
        start, end = sentences[int(np.argmax(item.covers))]
        text = text[start:end]
    return _body(text)


def _binds_organ(sentence: str, *, bodies: bool = False) -> bool:
    """Does the sentence's opening clause name a state organ as its subject (县级以上人民政府
    应当…, 审计机关和审计人员对…)? With ``bodies``, also a state field's body its first-named
    party ends with (统计机构和统计人员…, 人力资源和社会保障部门应当…: :data:`_BODY`), or a duty
    without a bearer that directs another party (:data:`_DIRECTS`)."""
    opening = _CLAUSE_MARK.split(sentence, maxsplit=1)[0]
    organ = _ORGAN.search(opening)
    if organ is not None and organ.start() <= ORGAN_AT:
        return True
    return bodies and (_BODY.match(opening) is not None or _DIRECTS.search(sentence) is not None)


def organ_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                query: Query, among: int, ratio: float = 0.9, floor: float = PARTY_FLOOR
                ) -> list[Ranked]:
    """The mirror of :func:`party_first`: a question opening with a state organ (劳动保障部门管不管
    单位交社保) asks what that organ does, which an article opening with it says (劳动保障行政部门
    对下列事项实施劳动保障监察), not one naming it only in a clause before another party's duty
    (…劳动保障行政部门…进行检查时，被检查的单位应当提供…). When the best statute article does not
    open with the question's first word (or an expansion of it) and that word names an organ,
    the first of the next ``among`` - 1 statute articles that opens with it, covering ``ratio``
    of the best's share, goes first (not asked who; never from or to a 法律责任 article, nor
    after another order rule moved the best, nor below ``floor``; ``parts["organ_asked"]``)."""
    ranked = list(ranked)
    if len(ranked) < 2 or "agent" in query.asks or not query.units \
            or ranked[0].strength < floor:
        return ranked
    word = query.units[0].text
    if not query.normalized.startswith(word) or not _ORGAN_ASKED.search(word):
        return ranked
    names = (word, *(w for w in query.expansions.get(word, ()) if len(w) >= 2))

    def opens(item: Ranked) -> bool:
        return _body(norms[item.row]).startswith(names)

    best = ranked[0]
    if len(article_key(rows[best.row])) != 2 or best.parts.get("liability") or opens(best) \
            or _moved(best, "counted", "lead", "defines", "bearer"):
        return ranked
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if len(article_key(rows[item.row])) == 2 and not item.parts.get("liability") \
                and item.strength >= ratio * best.strength and opens(item):
            return _first(ranked, i, "organ_asked")
    return ranked


# A sentence opening with a party (网络运营者应当…, 用人单位招用人员…), not a thing (…预案应当…).
_PARTY = re.compile(r"[^，,。；;]{0,12}?(?:者|人|单位|企业|组织|职工|员工|公司)")
# A duty said without its bearer that directs another party (发生网络安全事件，应当立即启动…
# 预案，…要求网络运营者采取…措施): whoever may require, order or supervise is the state.
_DIRECTS = re.compile(r"^[^，,。；;]{2,30}[，,](?:应当|必须)[^。；;]*?(?:要求|责令|督促)")


# The first party a clause names, when it is a public body: a state field's 部门/机关/机构/委员会
# (统计机构和…, 人力资源和社会保障部门应当…, 国家网信部门…) — not an office's own departments
# (各部门应当…, 人事部门…, 财务部门…: the staff a question is about).
_BODY = re.compile(r"[^，,。；;、及与或]{0,20}?(?:国家|政府|行政|统计|审计|税务|公安|网信|监察|"
                   r"监督管理|社会保障|人力资源|卫生健康|卫生|教育|财政|市场监管|生态环境|应急管理|"
                   r"民政|司法|海关|住房和城乡建设|自然资源|交通运输|工业和信息化|商务|外交|信访)"
                   r"[^，,。；;、及与或]{0,6}?(?:部门|机关|机构|委员会)(?:和|、|及|与|或者|应当|"
                   r"不得|可以|必须|负责|对|在|依法|按照|根据)")


# A state field's organ or its staff as a clause's subject, by its field (审计机关和审计人员…,
# 县级以上人民政府统计机构…, 国家网信部门…): a question saying the field (审计局的报告,
# 审计结果会公布吗, 审计人员看到我们的商业秘密) asks about that organ's own work, so the
# organ's rule is the one asked, not a sign that a unit's rule was missed (_organ_named).
_FIELD_ORGAN = re.compile(r"(统计|审计|税务|公安|网信|监察|社会保障|人力资源|卫生健康|卫生|教育|"
                          r"财政|市场监管|生态环境|应急管理|民政|司法|海关|自然资源|交通运输|商务|"
                          r"外交|信访|档案)[^，,。；;、]{0,6}?(?:部门|机关|机构|委员会|人员|署)")


def _organ_named(sentence: str, query: Query) -> bool:
    """Does the question say the field of the state organ that ``sentence``'s opening clause
    has as its subject (:data:`_FIELD_ORGAN` within :data:`ORGAN_AT` of its start)?"""
    opening = _CLAUSE_MARK.split(sentence, maxsplit=1)[0]
    organ = _FIELD_ORGAN.search(opening)
    return organ is not None and organ.start() <= ORGAN_AT \
        and organ.group(1) in query.normalized


# … or says a person the organ's rule is about, after the organ (有关主管部门应当对投诉、举报人的
# 相关信息予以保密 for 举报人的信息会保密吗): the rule binds the state for that person, whom the
# question asks about (_organ_serves).
_SERVED = re.compile(r"(?:者|人|人员|职工|员工|公民|居民|妇女)$")


def _organ_serves(sentence: str, query: Query) -> bool:
    """Does ``sentence``, after its opening clause's organ (:data:`_ORGAN`), say a person the
    question names (a unit of two characters or more ending in a person's word,
    :data:`_SERVED`: 举报人, 申请人, 劳动者)?"""
    organ = _ORGAN.search(sentence)
    if organ is None:
        return False
    after = sentence[organ.end():]
    return any(len(unit.text) >= 2 and _SERVED.search(unit.text) and unit.text in after
               for unit in query.units)


def _says(item: Ranked, norms: Sequence[str], query: Query) -> bool:
    """Does ``item`` say the kind of answer asked, with its bound and measure (最少几位 →
    不得少于10位; 提前几天 → 三日前)? False when nothing particular is asked."""
    return bool(query.asks) and item.parts.get("answer_type") == 1.0 \
        and query.says_bound(norms[item.row])


def party_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                query: Query, among: int, ratio: float = 0.9, floor: float = PARTY_FLOOR
                ) -> list[Ranked]:
    """A rule binding a unit or a person before one binding the state, when the question names
    no organ and does not ask who (rules before mentions, issue 16 item 3): asked 公司把我的
    手机号给了别人，这样行吗, 审计机关和审计人员…不得…向他人非法提供 binds the auditors, 网络运营者
    …不得向他人提供个人信息 the party asked about. When the best is a statute article whose best
    sentence binds the state (:func:`_binds_organ`: the decision's ``organ`` evidence, and a
    state field's body), the first of the next ``among`` - 1 statute articles whose opening
    sentence opens with a party (:data:`_PARTY`) and states a rule (应当, 不得…), binding no
    organ, and covers ``ratio`` of the best's share goes first (only the order
    moves, as in :func:`says_it_first`; never from or to a 法律责任 article, nor after another
    order rule moved the best, nor when the best says less than ``floor`` of the question:
    then these are no rules about what is asked, whoever they bind; nor, asked a quantity,
    before the best when only the best says it, :func:`_says`, nor, asked a list by name, before
    the best announcing it, :meth:`~.query.Query.lists_asked`; ``parts["party"]``)."""
    ranked = list(ranked)
    if len(ranked) < 2 or not asks_no_organ(query) or ranked[0].strength < floor:
        return ranked
    best = ranked[0]
    if len(article_key(rows[best.row])) != 2 or best.parts.get("liability") \
            or _moved(best, "counted", "lead", "defines", "bearer") \
            or not _binds_organ(_best_sentence(best, rows, norms), bodies=True):
        return ranked
    best_says = "quantity" in query.asks and _says(best, norms, query)
    best_lists = query.lists_asked(norms[best.row])
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if len(article_key(rows[item.row])) != 2 or item.parts.get("liability") \
                or item.strength < ratio * best.strength \
                or (best_says and not _says(item, norms, query)) \
                or (best_lists and not query.lists_asked(norms[item.row])):
            continue     # (not before the one that says what is asked: 三日前 for 提前几天,
            # nor the lead-in announcing the list asked: 拟作出下列行政处罚决定 for 哪些处罚)
        # whom it binds: its opening sentence's subject (…；在发生…时，立即启动… goes on
        # binding the 网络运营者 its paragraph opens with)
        opening = _body(norms[item.row])
        sentence = _best_sentence(item, rows, norms)
        if _PARTY.match(opening) and _DUTY.search(opening[:_first_sentence_end(opening)]) \
                and not _binds_organ(opening, bodies=True) \
                and not _binds_organ(sentence, bodies=True):
            return _first(ranked, i, "party")
    return ranked


def sanction_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                   query: Query, among: int, ratio: float = 1.0,
                   floor: float = 0.3) -> list[Ranked]:
    """Asked what follows (会被罚吗, 要罚多少钱, 被查出来咋办), the document's 法律责任 article
    that says as much of the question as the rule it sanctions goes before that rule (rules
    before mentions, issue 16 item 3, reversed for consequences: the rule says what is owed,
    its 罚则 what follows). When the question asks a consequence and the best is no 法律责任
    article, the first of the next ``among`` - 1 articles of the same document that is one and
    covers ``ratio`` of the best's share goes first (only the order moves, as in
    :func:`says_it_first`; not asked who — 第一责任人是谁 asks an agent —, nor after another
    order rule moved the best, except count_first for an article saying a quantity too: 要罚
    多少钱 asks the fine, not the rule's 30日内; nor when the best says less than ``floor`` of
    the question — the search's ``suggest_coverage`` —: a question the documents do not answer
    stays unanswered; ``parts["sanction"]``)."""
    ranked = list(ranked)
    if len(ranked) < 2 or "consequence" not in query.asks or "agent" in query.asks \
            or ranked[0].strength < floor or HANDLING.search(query.normalized):
        return ranked      # (报废的公务用车怎么处理 asks what is done with it, not what follows)
    best = ranked[0]
    if rows[best.row].kind == "faq" or best.parts.get("liability") \
            or _moved(best, "lead", "defines", "bearer", "party", "organ_asked"):
        return ranked
    doc, counted = rows[best.row].doc_id, best.parts.get("counted")
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if rows[item.row].doc_id == doc and item.parts.get("liability", 0.0) > 0 \
                and item.strength >= ratio * best.strength \
                and (not counted or _QUANTITY.search(norms[item.row])):
            return _first(ranked, i, "sanction")
    return ranked


# The marks of the order rules before it (says_it_first, cited_first, act_first).
_MOVED = ("says_it", "cited", "act", "negated")


def _moved(item: Ranked, *marks: str) -> bool:
    """Whether an earlier order rule moved ``item`` first (``_MOVED``), or marked it ``marks``."""
    return any(item.parts.get(mark) for mark in (*_MOVED, *marks))
_SENTENCES = re.compile(r"[；;。\n]")
_QUANTITY = next(says for name, _, says in ANSWER_TYPES if name == "quantity")


def _counted(text: str, units: Sequence[Unit]) -> float:
    """How much of ``units`` (weighted) ``text``'s best sentence (or list item) that says a
    quantity says (行政机关不能当场答复的，应当自收到申请之日起20个工作日内予以答复: the number
    and what it counts, in one sentence); 0 without one."""
    return max((sum(u.weight * u.match(sentence) for u in units)
                for sentence in _SENTENCES.split(text) if _QUANTITY.search(sentence)),
               default=0.0)


def count_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                query: Query, among: int) -> list[Ranked]:
    """Within one document, asked for a quantity (多少个工作日内答复), the article whose number
    stands in one sentence with more of the question first: a rule states a time limit or an
    amount in the sentence of what it limits (应当自收到申请之日起20个工作日内予以答复), and a
    sibling whose number limits another act (7个工作日内一次性告知申请人作出补正。答复期限自…
    计算) says the question's words elsewhere. When both say a number and one of the next
    ``among`` - 1 articles of the best's document, covering the question as well, says more of
    it (not counting the words of the document's title, which every sibling shares) in its
    number's sentence or list item (and says the title's words the question and the best say),
    the first such goes first (only the order moves, as in
    :func:`says_it_first`; not over an article another order rule moved first; never a 法律责任
    article, nor one not stating the limit asked that the best states: 一个月内 for 多长时间内,
    不得超过 for 最多; ``parts["counted"]`` marks it)."""
    ranked = list(ranked)
    if len(ranked) < 2 or "quantity" not in query.asks or rows[ranked[0].row].kind == "faq":
        return ranked
    best = ranked[0]
    if _moved(best):    # another rule's reason comes first
        return ranked
    doc, said, bounded = rows[best.row].doc_id, None, False
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if rows[item.row].doc_id != doc or item.strength < best.strength \
                or item.parts.get("liability"):
            continue
        if said is None:
            # the words its title says name the document's topic: every sibling shares them
            title = normalize(rows[best.row].title)
            units = [u for u in query.units if not u.match(title)]
            topic = [u for u in query.units if u.match(title) and u.match(norms[best.row])]
            said = _counted(norms[best.row], units)
            if not said:      # no number (says_it_first's case), or only the topic with it
                return ranked
            bounded = query.says_bound(norms[best.row])
        if any(not u.match(norms[item.row]) for u in topic):
            continue   # a sibling not sharing them is about another thing (决算 for 预算)
        if bounded and not query.says_bound(norms[item.row]):
            continue   # the best states the limit asked (一个月内 for 多长时间内); it does not
        if _counted(norms[item.row], units) > said:
            return _first(ranked, i, "counted")
    return ranked


# A list's lead-in: what comes before the colon that opens its items (失业保险基金用于下列支出:)
_LEAD_IN = re.compile(r"^([^\n]*?)[:：]\s*\n")


# A definition: 本法所称职业病，是指…; 危险物品，是指… (in a 用语的含义 article); and the
# questions that ask what a term means or covers (什么是, 算不算, 属于…吗, 包括).
_DEFINES = re.compile(r"^(?:本(?:法|条例|办法|规定|细则)所称)?[^，。；:\n]{1,30}[，,]?(?:是指|系指)|"
                      r"^本(?:法|条例|办法|规定|细则)(?:下列)?用语的含义")
_MEANING_ASKED = re.compile(r"什么是|是什么|是指|指什么|指的是|含义|意思|定义|算不算|算是|算.*吗|"
                            r"什么叫|何谓|何为|什么算|"
                            r"属于|属不属于|包括|包含|范围")


# A rule's purpose: 为规范员工宿舍管理，保障住宿员工的安全和休息，制定本办法; 为了…，根据…，制定
# 本法 — and the questions that ask it (目的, 为什么要定这个规定).
_PURPOSE = re.compile(r"^为了?[^。；\n]{2,150}?[，,](?:[^。；\n]{0,80}?[，,])?(?:特)?制定本"
                      r"(?:法|条例|办法|规定|细则|规则|制度|手册|准则|规程|方案)")
_PURPOSE_ASKED = re.compile(r"目的|宗旨|为什么|为了什么|为何|为啥|干嘛|干什么用|用意|初衷|意义|立法|依据")
# … and a lead-in standing alone, which only announces what follows (现将2027年春节放假安排通知
# 如下：, a notice's points each a section of their own; 车辆费用标准如下：, before a table)
_ANNOUNCES = re.compile(r"(?:如下|下列|以下)[^\n。；]{0,6}[:：]$")


def _only_names(text: str, query: Query) -> bool:
    """Does ``text`` name the question's words without saying anything about them: a list whose
    lead-in says none of the question, so that it says the words only in its items (工作人员享受
    下列假期:（一）年休假；…（五）病假和事假), or — for a question that does not ask what a term
    means — a definition (本法所称职业病，是指…因接触粉尘、放射性物质和其他有毒、有害因素而引起
    的疾病), or — for one that does not ask why — the rule's purpose (为规范员工宿舍管理，保障
    住宿员工的安全和休息，制定本办法, asked 宿舍几点熄灯休息), or a lead-in standing alone (现将
    春节放假安排通知如下：, whose points follow as sections)?"""
    text = _body(text)
    if _DEFINES.match(text):
        return not _MEANING_ASKED.search(query.normalized)
    if _PURPOSE.match(text):
        return not _PURPOSE_ASKED.search(query.normalized)
    if "\n" not in text and _ANNOUNCES.search(text):
        return True
    lead = _LEAD_IN.match(text)
    return lead is not None and query.cover(lead.group(1)) == 0.0


def lead_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
               query: Query, among: int) -> list[Ranked]:
    """Within one document, for a question that asks for no list, an article that says
    something about the question's words before one that only names them (rules before
    mentions). A list's items are what its lead-in announces (下列假期, 下列支出, 下列情形): when
    the lead-in says none of the question, the items name the asked things as entries of an
    inventory (（一）年休假 … （五）病假和事假) and the rule about them is elsewhere (工作人员有下列
    情形之一的，不享受当年的年休假：（一）请事假累计20天以上的). A definition (本办法所称病假，是指…)
    names a term's meaning, not what to do, unless the meaning is asked (什么是, 算不算, 包括).
    When the best is such a list or definition and one of the next ``among`` - 1 articles of its
    document covers the question as well and is neither, the first such goes first (only the
    order moves, as in :func:`says_it_first`; not over an article another order rule moved
    first; never a 法律责任 article, nor over one: its items are the conduct it punishes;
    ``parts["lead"]`` marks it)."""
    ranked = list(ranked)
    if len(ranked) < 2 or "list" in query.asks or rows[ranked[0].row].kind == "faq":
        return ranked
    best = ranked[0]
    if _moved(best, "counted") or best.parts.get("liability") \
            or not _only_names(norms[best.row], query):
        return ranked
    doc = rows[best.row].doc_id
    cover = best.parts.get("article", best.parts["coverage"])
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if rows[item.row].doc_id != doc or item.parts.get("liability") \
                or item.parts.get("article", item.parts["coverage"]) < cover:
            continue
        if not _only_names(norms[item.row], query):
            return _first(ranked, i, "lead")
    return ranked


# A word the question says negated (又没补登记, 没签合同, 未休年假): a negation just before it,
# not a modal's (不能, 不可以, 不得, 不用 … negate the asking, not the word)
_NEGATION_ASKED = re.compile(r"(?:没有|没|未|不)(?![能可得用会准许让要应该必])$")
# … and a rule saying it negated: a negation up to this many characters before it, in its clause
_NEGATED_BACK = 6
_NEGATION_SAID = re.compile(r"(?:未|没有|没|不|无|非)[^，。；、：,;]*$")


# How far the next article may cover less of the question than the best for ``contrary``, and
# among how many next articles it is looked for (Ranker._contrary)
CONTRARY_AHEAD, CONTRARY_AMONG = 0.15, 2
# a question's negation of a word: up to two characters before it (不给经济补偿, 不跟我续, 没签),
# not a modal's (不能, 不可以 … negate the asking) nor an A不A question form (能不能, 给不给)
_NEGATION_NEAR = re.compile(r"(?:没有|没|未|不|无)(?![能可得用会准许让要应该必])[^，。；？！,;?!]{0,2}$")
_A_NOT_A = re.compile(r"(.)[不没]\1")
# a question asking whether (…吗？): a rule saying no answers it
_YES_NO = re.compile(r"[吗么][？?！!。]*$")


def _asked_negated(before: str) -> bool:
    """Does the question negate the word said after ``before`` (:data:`_NEGATION_NEAR`)?"""
    return bool(_NEGATION_NEAR.search(_A_NOT_A.sub(r"\1", before)))


def _sayings(text: str, forms: Sequence[str]) -> set[bool]:
    """How ``text`` says any of ``forms``: True for each place it says one negated (a negation
    up to :data:`_NEGATED_BACK` characters before, in the same clause), False for each place it
    says one plainly; empty when it says none."""
    out: set[bool] = set()
    for form in forms:
        start = text.find(form)
        while start >= 0:
            out.add(bool(_NEGATION_SAID.search(text[max(0, start - _NEGATED_BACK):start])))
            start = text.find(form, start + 1)
    return out


def negated_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                  query: Query, among: int) -> list[Ranked]:
    """Within one document, asked about a word said negated (忘了打卡又没补登记, 没签合同), the
    article saying that word negated (未刷卡又未在当天补登记的) before one saying it plainly
    (应当在当天补登记): when the best does not and one of the next ``among`` - 1 articles of
    its document covering the question as well does, the first such goes first (only the order
    moves, as in :func:`says_it_first`; not over an article another order rule moved first;
    ``parts["negated"]`` marks it)."""
    ranked = list(ranked)
    if len(ranked) < 2 or rows[ranked[0].row].kind == "faq":
        return ranked
    said = query.normalized
    negated = [forms for forms in ((u.text, *u.alternatives) for u in query.units)
               if (at := said.find(forms[0])) > 0 and _NEGATION_ASKED.search(said[:at])]
    best = ranked[0]
    if not negated or any(best.parts.get(mark) for mark in (*_MOVED, "counted", "lead")):
        return ranked

    def negates(row: int) -> bool:
        text = norms[row]
        for forms in negated:
            for form in forms:
                start = text.find(form)
                while start >= 0:
                    if _NEGATION_SAID.search(text[max(0, start - _NEGATED_BACK):start]):
                        return True
                    start = text.find(form, start + 1)
        return False

    if negates(best.row):
        return ranked
    doc = rows[best.row].doc_id
    cover = best.parts.get("article", best.parts["coverage"])
    for i in range(1, min(among, len(ranked))):
        item = ranked[i]
        if rows[item.row].doc_id == doc and not item.parts.get("liability") \
                and item.parts.get("article", item.parts["coverage"]) >= cover \
                and negates(item.row):
            return _first(ranked, i, "negated")
    return ranked


# A question about the state's rule or naming a text (法律规定, 国家规定, 劳动法, 条例): the
# state text is what is asked (not 办法, 方法, 做法, 想法, 说法, 看法, 法院, 法人)
_STATE_ASKED = re.compile(r"法律|法规|国家|政府|条例|(?<![办方做想说看])法(?![院人])")
# … and a text not named as a state text that a state organ made, or made to carry out another
# (人民检察院刑事诉讼规则, 专利法实施细则, 企业职工带薪年休假实施办法): not an office's own
_STATE_MADE = re.compile(r"^(?:人民检察院|人民法院|公安部|财政部|国家)|实施(?:细则|办法)$")


def own_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], query: Query, among: int,
              margin: float) -> list[Ranked]:
    """An office's own rule before a state text saying as much (issues 11, 16): when the best
    is a state text's (:data:`_STATE_TEXT`) and one of the next ``among`` - 1 articles, of a
    text that is not (nor :data:`_STATE_MADE`), covers the question within ``margin`` of it and says the kind of answer
    asked as well, the first such goes first — staff asking about a rule want their office's,
    the law is the background (另见). Not when the question names a text or asks the state's
    rule (法律规定, 国家规定: :data:`_STATE_ASKED`); ``parts["office"]`` marks it."""
    ranked = list(ranked)
    if len(ranked) < 2 or rows[ranked[0].row].kind == "faq":
        return ranked
    best = ranked[0]
    if not _STATE_TEXT.search(_law_name(rows[best.row].title)) \
            or _STATE_ASKED.search(query.normalized):
        return ranked
    cover = best.parts.get("article", best.parts["coverage"]) - margin - 1e-9
    # (asked what to do, a state text's 法律责任 article says what follows a breach, not the
    # rule: the office's rule need not say a consequence)
    kind = 0.0 if query.asks_todo and best.parts.get("liability") \
        else best.parts.get("answer_type", 0.0)
    for i in range(1, min(among, len(ranked))):
        item, row = ranked[i], rows[ranked[i].row]
        name = _law_name(row.title)
        if row.kind != "faq" and not _STATE_TEXT.search(name) and not _STATE_MADE.search(name) \
                and item.parts.get("article", item.parts["coverage"]) >= cover \
                and item.parts.get("answer_type", 0.0) >= kind:
            return _first(ranked, i, "office")
    return ranked


# At most this many rows saying the asked term are read for its definition.
DEFINE_SCAN = 2000
# … and the rows saying a party's name read for its duties (bound_candidates), at most
BOUND_SCAN = 300
# What a term is, asked (什么是X, X是什么, X指什么, X的含义, 何谓X, 什么叫X, X是指谁, X指的是哪些信息):
# the term X.
_TERM_ASKED = (
    re.compile(r"(?:什么是|什么叫做?|何谓|何为)[“”\"《]*([^，。；？！?!,;“”\"《》]{2,12}?)[“”\"》]*(?=[？?，。；！!,]|$)"),
    re.compile(r"(?:^|[。？?！!])[“”\"《]*([^，。；？！?!,;“”\"《》]{2,10}?)[“”\"》]*"
               r"(?:是什么|指什么|是指什么|指的是什么|的含义是什么|的含义|的定义是什么|的定义)"
               r"(?:意思)?[？?。]*$"),
    # … and asked as whom or which things it means (网络运营者是指谁, 政府信息指的是哪些信息)
    re.compile(r"(?:^|[。？?！!])[“”\"《]*([^，。；？！?!,;“”\"《》]{2,10}?)[“”\"》]*"
               r"(?:是指|指的是|指)(?:谁|哪些人|哪些[^，。；？！?!,;]{0,4}?|哪一?类[^，。；？！?!,;]{0,4}?)"
               r"[？?。]*$"),
    # … and asked what it covers (差旅费都包括哪些钱, 工资包含什么): a definition lists it
    # (本办法所称差旅费，是指…城市间交通费、住宿费、伙食补助费和市内交通费)
    re.compile(r"(?:^|[。？?！!])[“”\"《]*([^，。；？！?!,;“”\"《》]{2,10}?)[“”\"》]*"
               r"(?:都|一般|具体|主要)?(?:包括|包含)(?:哪些|什么|啥|哪几[项种类个部分]*)"
               r"[^，。；？！?!,;]{0,3}?[？?。]*$"))
# A liability article citing its rule by number: 违反本法第四十三条和第四十八条规定的, 不履行本法
# 第二十七条、第二十九条规定的…义务的 (the numbers up to 规定; Ranker.citing_candidates) …
_VIOLATES = re.compile(r"(?:违反|不履行|未履行)本(?:法|条例|办法|规定|细则|规则)"
                       r"((?:第[一二三四五六七八九十百千零〇两\d]+[条款项][、和或及与,，]?)+)")
# … of the best this many BM25 candidates' articles; at most this many 违反/履行 rows read
CITED_FROM = 10
CITED_SCAN = 200

# The rows that say an asked kind of answer (issue 16), by the bigrams that say it: a consequence
# (with the liability rows: 法律责任, 罚则), a list's lead-in, a quantity in Chinese numerals
# (the question's unit: 几天 → 三日, 十天; none named: any). Rows of the kind BM25 scored but left
# below the cut join the candidates (Ranker.typed_candidates), those of the best TYPED_DOCS
# candidates' documents first (a rule's consequence is in its own law's liability chapter).
TYPED_DOCS = 3
# … and only rows whose total is at least this share of the last candidate's (the rest matched
# a word or two of the question: no answer, and ranking them all costs ~0.3 ms at 100k rows)
TYPED_FLOOR = 0.3
TYPED_MARKS = {
    "consequence": ("责令", "罚款", "处分", "处罚", "追究", "吊销", "没收", "拘留", "赔偿", "罚金",
                    "滞纳", "承担", "责任"),
    "list": ("下列", "如下"),
}
_NUMERALS = "一二三四五六七八九十百千万两半"
_UNITS = {"天": "日天", "日": "日天", "月": "月", "年": "年", "周": "周", "元": "元", "钱": "元",
          "倍": "倍", "岁": "岁", "小时": "时", "分钟": "钟", "人": "人名"}
_ANY_UNIT = "日天月年周元倍"


def _quantity_marks(question: str) -> tuple[str, ...]:
    """The bigrams of a number in the unit ``question`` asks for (几天 → 三日, 五天 …)."""
    units = "".join(dict.fromkeys("".join(chars for unit, chars in _UNITS.items()
                                          if unit in question))) or _ANY_UNIT
    return tuple(n + u for n in _NUMERALS for u in units) \
        + (("个月",) if "月" in units else ())


# What a term asked can not be: a question about its rules, not its meaning (X的区别是什么).
_NOT_TERM = re.compile(r"区别|不同|规定|范围|标准|条件|程序|流程|期限|后果|责任|性质|依据|作用|原因|方式")


# The text a term is asked in, said before it: 数据安全法里说的数据, 本条例所称的事业单位.
_TERM_IN = re.compile(r"^.{0,16}?(?:法|条例|办法|规定|细则|规则|制度|文件|里面|里头|里|中)"
                      r"(?:所说的|说的|讲的|所称的?|提到的|的)")


def term_asked(question: str) -> str | None:
    """The term a question asks the meaning of (什么是行政处罚 → 行政处罚; 数据安全法里说的数据
    指的是什么 → 数据), or None."""
    for clause in re.split(r"[/／]", question):
        for pattern in _TERM_ASKED:
            found = pattern.search(clause.strip())
            if found and not _NOT_TERM.search(found.group(1)):
                term = found.group(1)
                inside = _TERM_IN.match(term)
                return term[inside.end():] if inside and len(term) - inside.end() >= 2 \
                    else term
    return None


def _defines(text: str, term: str) -> bool:
    """Does ``text`` (an article's normalised text) say what ``term`` is: 本法所称X，是指…,
    X是指…, X，是指…, X是…的合同 — at a sentence's or an item's start?"""
    text = _body(text)
    return re.search(r"(?:^|[。；;\n：:]|[（(][一二三四五六七八九十]+[）)])\s*"
                     r"(?:本(?:法|条例|办法|规定|细则|规则)所称(?:的)?)?" + re.escape(term)
                     + r"[，,]?(?:是指|系指|是(?![否不]))", text) is not None


def defines_first(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], norms: Sequence[str],
                  query: Query, among: int) -> list[Ranked]:
    """Asked what a term means (什么是行政处罚), the first of the best ``among`` articles that
    says what it is (行政处罚是指…; 赠与合同是…的合同; 本法所称X，是指…) goes first, unless the best
    says it already (only the order moves; ``parts["defines"]`` marks it). The words of a
    definition repeat the term once; the articles that use the term repeat it more, so BM25
    puts them first."""
    ranked = list(ranked)
    term = term_asked(query.normalized) if len(ranked) > 1 else None
    if term is None or _defines(norms[ranked[0].row], term):
        return ranked
    for i in range(1, min(among, len(ranked))):
        if rows[ranked[i].row].kind != "faq" and _defines(norms[ranked[i].row], term):
            return _first(ranked, i, "defines")
    return ranked


# How much of the question another paragraph of an article must cover, relative to the article's
# best paragraph, to stand for the article because it says what the question asks for.
SAYS_IT_SHARE = 0.9
# a paragraph applying the one before it (前款) covers this much more of the question with it
APPLIED_MORE = 0.05


def _says_what_best_lacks(item: Ranked, best: Ranked) -> bool:
    """``item`` (a later paragraph of ``best``'s article) says the asked-for kind of answer that
    ``best`` does not, and covers the question about as well."""
    return best.parts.get("answer_type") == 0.0 and item.parts.get("answer_type") == 1.0 \
        and item.strength >= SAYS_IT_SHARE * best.strength


def apply_votes(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow],
                votes: dict[str, float]) -> tuple[list[Ranked], dict[str, float]]:
    """Staff's 👍/👎 on (this question or a close paraphrase, paragraph): each voted candidate's
    final score times its bounded :func:`~.teach.vote_factor` (``parts["votes"]``), best first
    again; and the factor applied per ref (for explain)."""
    factors: dict[str, float] = {}
    out: list[Ranked] = []
    for item in ranked:
        ref = rows[item.row].ref
        net = votes.get(ref)
        if not net:
            out.append(item)
            continue
        factor = factors[ref] = vote_factor(net)
        final = item.final + abs(item.final) * (factor - 1.0)   # a negative score moves the same way
        item.parts.update(votes=factor, final=final)
        out.append(replace(item, final=final))
    if factors:
        out.sort(key=lambda item: -item.final)
    return out, factors


def by_meaning(ranked: Sequence[Ranked], cosines: dict[int, float],
               config: SearchConfig) -> list[Ranked]:
    """The rerank's candidates ordered again with how close in meaning each is to the question
    (:mod:`.meaning`): ``final + meaning_weight × (cosine − the closest candidate's) / 0.05``
    (``parts["meaning"]``, ≤ 0), best first — the candidates the words found stay the pool and
    the words' margins still count. ``cosines``: by row; a row without a vector (embedded after
    this snapshot, or a model that failed) gets the others' mean part, neither helped nor
    pushed down. Applied by the searcher only where the words alone are unsure
    (:meth:`~.search.Searcher.search`; measured in bench/README.md "Matching by meaning")."""
    if not cosines or not config.meaning_weight:
        return list(ranked)
    best = max(cosines.values())
    parts = {row: (cosine - best) / 0.05 for row, cosine in cosines.items()}
    neutral = sum(parts.values()) / len(parts)
    out: list[Ranked] = []
    for item in ranked:
        value = parts.get(item.row, neutral)
        final = item.final + config.meaning_weight * value
        out.append(replace(item, final=final,
                           parts={**item.parts, "meaning": value, "final": final}))
    out.sort(key=lambda item: -item.final)
    return out


def meaning_decides(status: str, first: int | None, close: dict[int, Closeness],
                    judging: Judging | None, *, answer_judged: bool = True,
                    agreed: frozenset[int] = frozenset(), said: bool = False
                    ) -> tuple[str, str]:
    """How close in meaning the candidates are decides between suggestions and "not found", and
    takes back a confident answer far from the question in meaning (it makes one only for a
    hit both agree on, below; the rest stays the words'). ``first``: the words' first
    hit's row; ``close``: the candidates' that have a vector
    (:meth:`~.search.Searcher._meanings`); ``judging``: the encoder's own cosines (None: none
    of this); ``answer_judged``: False keeps any answer; ``said``: the words' first hit says
    the question's heaviest words (``rarest`` ≥ :data:`RAREST_SAID`), which keeps the words'
    own suggestions from "not found" (a word the model reads poorly, 优盘 for U盘, is no sign
    that nothing answers; every off-topic question the dev sets declined this way said none),
    not an answer of theirs taken back for being far in meaning. A "not found" whose
    closest candidate is ``suggest_at`` close becomes suggestions; an answer whose first hit is
    less than ``decline_at`` close is suggestions at most; suggestions whose closest candidate
    is less than ``decline_at`` close are "not found" — each judged only on a text shorter
    than ``chars_below`` (on a long one the cosines of answers and of unrelated questions
    overlap), and nothing declined whose words' first hit has no vector yet (being embedded:
    its closeness is unknown). Returns the status and what ``--explain`` says of it
    (bench/README.md, "Meaning decides between suggestions and not found").

    The one answer meaning makes: ``agreed``, the rows of the words' first hit when they only
    suggest it with no rule holding it back (an FAQ pair's row; an article's paragraphs, which
    share its vector), and it is also the closest candidate in meaning, ``agree`` close and
    ``agree_lead`` ahead of every candidate not of it — the words and the model, which make
    different mistakes, agree on one pair of a sheet or one article of a rule (bench/README.md,
    "An FAQ pair the words and meaning agree on", "… and an article the same way")."""
    if not close:
        return status, "applied"
    best = max(close.values(), key=lambda c: c.cosine)
    said_text = f"closest in meaning {best.cosine:.3f} ({best.chars} characters)"
    if judging is None:
        return status, f"applied; {said_text}"
    if status == "answer":
        mine = close.get(first) if answer_judged and first is not None else None
        if mine is None or mine.cosine >= judging.decline_at or \
                mine.chars >= judging.chars_below:
            return status, "applied; the words' answer kept" + (
                f": {mine.cosine:.3f} close in meaning" if mine else "")
        status, said_text = "suggestions", (f"the words' answer is {mine.cosine:.3f} close in "
                                            f"meaning < {judging.decline_at}, {said_text}")
        said = False     # (the words were sure of it and it is far: 飞机为什么能飞 → 乘坐飞机的)
    if status == "suggestions" and first in agreed and judging.agree and first in close:
        mine = close[first].cosine
        lead = mine - max((c.cosine for row, c in close.items() if row not in agreed),
                          default=0.0)
        if mine >= judging.agree and lead >= judging.agree_lead:
            return "answer", (f"applied; the words' first hit answers: the closest in meaning "
                              f"too, {mine:.3f} ≥ {judging.agree}, {lead:.3f} ahead of the next "
                              f"≥ {judging.agree_lead}")
        agreement = (f"; the words' first hit {mine:.3f} close in meaning, {lead:.3f} ahead of "
                     f"the next (answered at ≥ {judging.agree}, ≥ {judging.agree_lead})")
    else:
        agreement = ""
    judged = best.chars < judging.chars_below
    if status == "not_found" and judged and best.cosine >= judging.suggest_at:
        return "suggestions", (f"applied; not found by the words, suggested: {said_text} "
                               f"≥ {judging.suggest_at}")
    if status == "suggestions" and judged and best.cosine < judging.decline_at \
            and first in close:
        if said:
            return status, (f"applied; {said_text} < {judging.decline_at}, kept: the words' "
                            f"first hit says the question's heaviest words")
        return "not_found", f"applied; not found: {said_text} < {judging.decline_at}"
    return status, f"applied; {said_text}{agreement}"


def _load_decision() -> dict:
    with (files("knowledge") / "data" / "decision.json").open(encoding="utf-8") as handle:
        return json.load(handle)


DECISION = _load_decision()   # the evidence's weights, trained by bench/calibration.py --fit


def confidence(evidence: dict[str, float]) -> float:
    """P(the best hit answers the question), from the evidence (logistic, DECISION's weights;
    DECISION["faq"]'s when the best hit is an FAQ pair)."""
    model = DECISION["faq"] if evidence.get("faq") and "faq" in DECISION else DECISION
    z = model["bias"] + sum(w * evidence.get(k, 0.0) for k, w in model["weights"].items())
    return 1.0 / (1.0 + math.exp(-z))


# A party's duties asked with nothing but its name are vague when the best articles are of this
# many texts or more (among the first VAGUE_AMONG): Ranker._vague
VAGUE_AMONG, VAGUE_TITLES = 10, 4
# How well the next hit's sentence must say the question's heaviest word (a synonym's 0.9
# counts) for a level tie the best's sentence lacks it in (:func:`decide`).
RAREST_SAID = 0.9
# The organ hold-back lets go when the best leads the next article by this share of the
# question (``ahead``) and none of the next four is a unit's or a person's rule saying half as
# much (Ranker._unit_rule_near): then the organ's rule is the one asked — office staff asking
# about their own office's rule (行政机关的内部事务信息…可以不予公开).
ORGAN_ALONE = 0.3


def decide(ranked: Sequence[Ranked], config: SearchConfig,
           evidence: dict[str, float] | None = None) -> str:
    """A confident answer when the evidence says the best hit likely answers the question,
    suggestions when it may, "not found" only when nothing does (:func:`confidence` against
    ``config.answer_confidence`` / ``config.suggest_confidence``); but suggestions, not an
    answer, when the best two articles tie — the next covers as much of the question
    (``ahead`` ≤ ``config.tie_ahead``) and the best leads by next to nothing (``margin`` <
    ``config.tie_margin``) and does not alone say what the question asks for
    (``type_ahead``): which of two articles saying the question's words equally comes first is
    then a coin toss (a third to a half right on the dev sets), so the user is shown both —
    unless an order rule put the best first for what it says (``moved``: the act asked, not
    its excuse; the article or table deferred to…), which the scores do not see (17 of 18
    such firsts right on realdocs and colloquial sets 1–5). Suggestions too when the question
    asks for a list (哪些, 什么情形) and the best hit is a statute article that enumerates
    nothing (``unlisted``: about a third right on the dev sets). A near lead (``margin`` < ``config.near_margin``) is a tie too when the next covers
    as much and it alone says what is asked (``type_ahead`` -1: 由…人民政府确定 second), or when
    a crowd of articles says the question's words: seven or more of the next nine cover as much
    of it (``rivals``: within 0.05) and the best does not alone say what is asked; which of
    them answers is then not in the words (2 of 13 right on STARD-dev; 1 of 1 on DRCD-dev; none
    on the realdocs rules). Suggestions too when the best hit is a 法律责任/罚则 article and
    the question asks about no consequence (``mention``): the ranking puts such articles down
    (rules before mentions), so one still first means the rule was not found (0 of 2 right on
    the dev sets: 看病的钱谁出 → 第七十二条 用人单位违反本法规定…). Only when it names the
    violation of a rule said elsewhere (违反…, 未按规定…, 本法第N条规定的), or the question asks
    who (it names who punishes, not whom to turn to): an article that states the conduct it
    punishes itself (有下列行为之一的：(一)克扣或者无故拖欠劳动者工资报酬的) is where that
    conduct is said, and answers 工资拖了三个月没发，公司要赔钱吗 (2 right of 2 on the dev
    sets, colloquial sets 2 and 3; the held-out set 4 one right more). And the mirror, when
    the question asks what happens (会有什么后果, 怎么处罚), the best hit says no consequence
    and one of the next two is a 法律责任/罚则 article of the same document that says one
    (``duty``): the best states the duty whose breach the question asks about, the
    consequence is in its liability chapter (单位不按时交社保会有什么后果 → 应当按时足额缴纳
    社会保险费). And suggestions when two statute articles cover the question equally
    (``ahead`` ≤ ``config.tie_ahead``) and one of the question's heaviest words is said by
    the next article's sentence and not by the best's
    (``rarest_next`` ≥ :data:`RAREST_SAID`): the best says the common rule, the next the case
    asked about (去新疆出差伙食补助每天多少钱 → 每人每天补助100元 first, 到新疆…出差的…另行核定
    next; on the dev sets 5 wrong answers of 5: STARD 0:3 and 0:1, realdocs 0:1 and 0:0 on
    even / odd questions; without "statute" it cost DRCD 8 right answers for 2 wrong ones,
    where an encyclopedia paragraph's best sentence is often not where its answer is).
    Suggestions too when the best is a statute article about a state organ (its sentence opens
    with 国家机关, 县级以上人民政府, 有关部门…) and the question names no organ and asks no
    "who" (``organ``): the article binds the state, the question is about a unit or a person
    (不履行数据安全保护义务会受到什么处罚 → 国家机关不履行…的, where 开展数据处理活动的组织、个人
    不履行…的 answers; on the dev sets 0 of 4 such answers right: realdocs 0:1 and 0:0, STARD
    0:0 and 0:1 on even / odd questions; none of DRCD's or the off-topic ones).
    Suggestions too, on an office's own rules (issue 16, office16: 7 wrong answers of the dev
    sets, no right one, held back; DRCD one right of 3149): when the best is a numbered
    article that only names the question's words (``named``: 本办法所称费用报销，是指员工…垫付的
    款项 for 垫付的钱多久之内要去报销), a 罚则 article for a question asking only what to do
    (``todo``: 预算超了怎么办 → 擅自超出预算…的，给予通报批评), or an article saying no number
    for a limit asked while the next says one (``unbounded``: 预借现金最多能借多少 → 预借现金，
    应当填写借款单…, the amount in the next article).
    Suggestions too when the best two are two offices' own rules (no state text) covering the
    question alike (``alike``: ahead within ``config.tie_ahead`` either way, a lead below
    ``config.alike_margin``, neither alone saying what is asked): which one binds the asker is
    not in the words (结婚能休几天假 → 考勤 婚假3天 and 员工手册 婚假三天); the reply names both
    documents and asks which applies (wrong12: 1 wrong answer of the dev sets, no right one;
    between two laws the answer stands, with the other as 另见 when nearly as strong: held
    back there, STARD lost 4 right answers for 2 wrong).
    Suggestions too when the question is one clause, the best article's score has a part
    from learned heading associations (``leaned``: its headings say a heading word the
    question's words point to, :mod:`.associations`) and the confidence is below
    ``config.leaned_confidence``: a short question's own words are few, and the article the
    associations lift among those saying them is often a neighbour of the one that answers
    (动产质权什么时候设立 → 留置权's 第四百五十六条; STARD-dev two-fold, each half with the
    other's tables: 6 right and 15 wrong answers held back, 67.7 → 70.8 % right first; no
    staff set's answer moved, DRCD-dev one right answer of 3150).
    Suggestions too when the best says one of the question's words only the other way round
    and one of the next two articles of its document, covering the question nearly as much,
    says it only the question's way (``contrary``: 公司在哪些情况下要给我经济补偿 → 且不支付经济
    补偿 first, 支付经济补偿 next), the best not alone saying what is asked and leading by less
    than ``config.contrary_margin``: two articles of one rule stating opposite cases (hb13: 1
    wrong answer of the handbook dev sets, no right one; no question of the other sets moved).
    (An FAQ pair is decided by its own evidence.)
    And an answer below ``config.answer_confidence`` (down to ``config.sibling_confidence``)
    when the best leads a sibling: the next article is of the same document or title
    (``sibling``), covers less of the question (``ahead`` > ``config.tie_ahead``) and does not
    say what is asked while the best does (``type_ahead`` 1): of one rule's look-alike
    articles, the one that says the kind of thing asked (a time limit, who, which cases) and
    more of the words answers (多少天内要签合同 → 应当自…发出之日起三十日内…订立书面合同;
    4 of 4 right on the dev sets, 1:0 and 1:0 on realdocs' and STARD's halves; no DRCD or
    off-topic question changed). For a quantity asked with a bound (最少几位) "says what is
    asked" means says a limit in that direction, as in :func:`says_it_first` (密码最少要设几位 →
    长度不得少于10位, ahead of a sibling article saying another number: 1 right more on
    realdocs, nothing else moved on the dev sets).
    Without evidence: the best paragraph's share of the question against the coverage
    thresholds (the old rule)."""
    if not ranked:
        return "not_found"
    if config.suggest_coverage < 0:      # hits wanted whatever they are (measuring the ranking)
        floor = -1.0
    else:
        floor = config.suggest_confidence
    if evidence is None:
        coverage = ranked[0].strength
        if coverage >= config.answer_coverage:
            return "answer"
        return "suggestions" if coverage >= config.suggest_coverage else "not_found"
    p = confidence(evidence)
    if (p >= config.answer_confidence or leads_sibling(config, evidence, p)) \
            and not held_back(config, evidence):
        return "answer"
    return "suggestions" if p >= floor else "not_found"


# The rules of :func:`decide` that keep a likely answer a suggestion, in the order it reads them.
HOLDING = ("tie", "near_tie", "crowd", "rarest_next", "unlisted", "mention", "duty", "organ",
           "vague", "named", "todo", "unbounded", "alike", "leaned", "contrary", "advice")


def held_back(config: SearchConfig, evidence: dict[str, float]) -> tuple[str, ...]:
    """The rules of :func:`decide` that hold for ``evidence`` (:data:`HOLDING`): any of them
    makes a likely answer suggestions; what ``--explain`` shows as the decision's reasons."""
    said = evidence.get("type_ahead", 0.0)     # 1: only the best says what is asked; -1: only
    margin = evidence.get("margin", 1.0)       # the next does
    level = evidence.get("ahead", 1.0) <= config.tie_ahead
    paragraph = not evidence.get("faq")
    rules = {
        "tie": paragraph and level and margin < config.tie_margin and said <= 0.0
        and not evidence.get("moved"),
        "near_tie": paragraph and level and margin < config.near_margin and said < 0.0,
        "crowd": paragraph and evidence.get("rivals", 0.0) >= config.crowd_rivals
        and margin < config.near_margin and said <= 0.0,
        "rarest_next": paragraph and level and bool(evidence.get("statute"))
        and evidence.get("rarest_next", 0.0) >= RAREST_SAID,
        **{name: bool(evidence.get(name))
           for name in ("unlisted", "mention", "duty", "organ", "vague", "todo", "unbounded",
                        "advice")},
        # a definition or inventory first, of a rule's article (an encyclopedia's paragraph
        # saying X是指… often answers: 30 of 32 such DRCD answers right)
        "named": paragraph and bool(evidence.get("named")),
        # two offices' rules saying the question alike, neither alone what is asked: which
        # binds the asker is not in the words (婚假 in 考勤 and in 员工手册)
        "alike": paragraph and abs(evidence.get("ahead", 1.0)) <= config.tie_ahead
        and margin < config.alike_margin and said <= 0.0
        and bool(evidence.get("alike")) and not evidence.get("moved"),
        # a one-clause question answered at modest confidence by an article whose score leans
        # on learned heading associations (STARD's two-fold: 6 right of 21 such answers)
        "leaned": paragraph and bool(evidence.get("leaned"))
        and confidence(evidence) < config.leaned_confidence,
        # the best says the question's word the other way round (不支付经济补偿 for 要给经济补偿),
        # an article of its document next to it the question's way
        # — when the best does not alone say what is asked and leads by little
        "contrary": paragraph and bool(evidence.get("contrary")) and said <= 0.0
        and margin < config.contrary_margin}
    return tuple(name for name in HOLDING if rules[name])


def leads_sibling(config: SearchConfig, evidence: dict[str, float], p: float) -> bool:
    """Does the best lead a sibling (:func:`decide`), so that it may answer with confidence
    ``p`` below ``config.answer_confidence`` (down to ``config.sibling_confidence``)?"""
    return bool(evidence.get("sibling")) and not evidence.get("faq") \
        and evidence.get("ahead", 1.0) > config.tie_ahead \
        and evidence.get("type_ahead", 0.0) > 0.0 and p >= config.sibling_confidence


class Ranker:
    """Candidates and rerank over one snapshot of the paragraphs and their indexes."""

    def __init__(self, rows: Sequence[ParagraphRow], norms: Sequence[str], words: FieldIndex,
                 context: FieldIndex, grams: GramIndex, *,
                 asked: dict[int, list[str]] | None = None,
                 heads: Sequence[str] | None = None, questions: dict[int, str] | None = None,
                 liability: set[int] | None = None,
                 references: dict[tuple[str, int], list[int]] | None = None,
                 synonyms: Callable[[], Synonyms] | None = None,
                 associations: Associations | None = None,
                 translations: Associations | None = None,
                 docs: np.ndarray | None = None) -> None:
        """``heads``, ``questions`` (FAQ rows'), ``liability``, ``references`` and ``docs`` (each
        row's document): what the
        index keeps of every row (:class:`~.segmented.Snapshot`), so that ``rows`` may be read
        lazily; else derived from ``rows`` here."""
        self.rows, self.norms = rows, norms
        self.words, self.context, self.grams = words, context, grams
        # Title and headings say what a paragraph is about; an FAQ pair's question says it best.
        self._heads = heads if heads is not None else [
            normalize(" ".join((r.title, *r.section, r.question) if r.question
                               else (r.title, *r.section))) + "\n" for r in rows]
        if questions is None:
            questions = {row: r.question for row, r in enumerate(rows) if r.question}
        self._asked = {row: _bare(normalize(q)) for row, q in questions.items()}
        # An FAQ pair's question's topic words (not 多久, 怎么办: the question form) with their idf
        self._asked_words = {row: [(w, words.term_idf(w)) for w in dict.fromkeys(found)
                                   if not QUESTION_FORM.fullmatch(w)]
                             for row, found in (asked or {}).items()}
        # ... and as characters and bigrams, for paraphrases that share no word with it
        self.faq = FaqSheet({row: [w for w, _ in found]
                             for row, found in self._asked_words.items()},
                            {row: norms[row] for row in self._asked_words}, self._asked)
        self._closeness: tuple[Query | None, dict[int, float]] = (None, {})
        self.synonyms = synonyms     # the thesaurus now (an admin may change it)
        self.associations = associations   # question words → heading words (associations.py)
        self.translations = translations   # question words → article words (associations.py)
        self._kinds: dict[tuple, np.ndarray] = {}     # (marks, liability) → rows of that kind
        self._docs = docs
        self._parties: dict[int, Parties] = {}   # document → its own party terms (parties.py)
        self._liability = liability if liability is not None else {
            row for row, head in enumerate(self._heads) if is_liability(head, rows[row].text)}
        # 第三条, 第二章 … in heading paths, so that a question naming an article finds it.
        if references is None:
            references = defaultdict(list)
            for row, data in enumerate(rows):
                for ref in {ref for label in data.section for ref in find_references(label[:12])}:
                    references[ref].append(row)
        self._references = references
        # a snapshot's views: a row's paragraph, normalised text and headings in one lookup
        self._entries = rows.entries if getattr(rows, "completes", None) is not None \
            and rows.completes(norms, self._heads) else None

    # -- evidence for the decision ----------------------------------------------------------------
    def evidence(self, ranked: Sequence[Ranked], query: Query) -> dict[str, float]:
        """What speaks for the best hit answering the question (see :data:`EVIDENCE`)."""
        if not ranked:
            return dict.fromkeys((*EVIDENCE, "faq", "asked", "closeness", "lead", "support",
                                  "form"), 0.0)
        top = ranked[0]
        parts = top.parts
        # the lead as the decision was fit to read it: without what the fuzzy part gained from
        # the alternatives standing in (``said``), which the rank's order alone is to use
        top_final = top.final - top.parts.get("said", 0.0)
        second = ranked[1].final - ranked[1].parts.get("said", 0.0) if len(ranked) > 1 else 0.0
        coverage = parts["coverage"]
        article = parts.get("article", coverage)
        if parts.get("asked"):
            # An FAQ pair matches both ways: the question's words in the pair, and the pair's
            # question's topic in the question (a paraphrase adds words of its own).
            both = (coverage + parts["asked"]) / 2
            coverage, article = max(coverage, both), max(article, both)
        return {"coverage": coverage, "article": article,
                "own": max(top.covers, default=parts["coverage"]),
                "heading": query.cover(self._heads[top.row]),
                "window": parts["window"], "fuzzy": parts.get("literal", parts["fuzzy"]),
                # A lead over nothing (a lone candidate, as off-topic questions often have) is no
                # margin; a lead counts as much as the hit covers.
                "margin": coverage * (top_final - second) / top_final
                if top_final > 0 and len(ranked) > 1 else 0.0,
                "bm25": parts["bm25"],
                "answer_type": parts["answer_type"] if query.asks else 0.5,
                "ahead": article - ranked[1].parts.get("article", ranked[1].parts["coverage"])
                if len(ranked) > 1 else 1.0,
                # 1 when the best says what the question asks for and the next does not
                # (a quantity asked with a bound, 最少几位: said with that bound, 不得少于10位)
                # (asked what a term means, 什么是X: the best says what X is, the next does not)
                "type_ahead": self._says_asked(top, query) - self._says_asked(ranked[1], query)
                if len(ranked) > 1 and query.asks else self._defines_ahead(ranked, query),
                # asked for a list (哪些, 什么情形), the best hit is a statute article that says
                # none of what is asked: no enumeration (下列, （一）…) nor rule nor number
                # — unless it says what the term asked is (被审计部门指的是哪些部门 → 本条例所称
                # 被审计部门，是指…: a definition answers which ones)
                "unlisted": 1.0 if "list" in query.asks and parts["answer_type"] == 0.0
                and len(article_key(self.rows[top.row])) == 2
                and not self._defines_asked(top.row, query) else 0.0,
                "faq": 1.0 if self.rows[top.row].kind == "faq" else 0.0,
                "missing": parts.get("missing", 0.0),
                "rivals": self._rivals(ranked, article),
                "statute": 1.0 if len(article_key(self.rows[top.row])) == 2 else 0.0,
                # a 法律责任/罚则 article first for a question that asks no consequence: naming
                # the violation of a rule said elsewhere (违反本法规定, 未履行本法第五十五条…),
                # or, asked who, naming who punishes rather than whom to turn to
                "mention": 1.0 if parts.get("liability", 0.0) < 0.0
                and ("agent" in query.asks or self._names_rule(top.row)) else 0.0,
                # asked what happens: the best says none, its own law's liability article next
                # says one; or, asked only what befalls the asker (不让进会怎么样), the best, a
                # state text's article, says a consequence outside its liability chapter — a
                # power of the state (检查时…责令…停产停业), not the penalty for the conduct
                # asked (an office's rule says its sanction where the rule is: 列入…名单)
                "duty": 1.0 if "consequence" in query.asks
                and (parts["answer_type"] == 0.0 or query.asks_penalty
                     and _STATE_TEXT.search(_law_name(self.rows[top.row].title)) is not None)
                and top.row not in self._liability and any(
                    item.row in self._liability and item.parts["answer_type"] == 1.0
                    and self.rows[item.row].doc_id == self.rows[top.row].doc_id
                    for item in ranked[1:3]) else 0.0,
                # the next article is of the best's document, or of one under the same title (a
                # law kept in several files or passages): a sibling, not another text
                "sibling": 1.0 if len(ranked) > 1 and self.rows[ranked[1].row].title
                == self.rows[top.row].title else 0.0,
                "asked": parts.get("asked", 0.0), "closeness": parts.get("closeness", 0.0),
                "lead": self._closeness_lead(top.row, query),
                **self._faq_agreement(top.row, query),
                # the question's heaviest words in the best's best sentence, and in the next's
                **self._heaviest_elsewhere(ranked, query),
                # the best's sentence is about a state organ (国家机关不履行…的) and the
                # question names none and asks no "who": a rule for the state, not for staff
                "organ": self._organ_held(ranked, query, article),
                # an order rule put it first for what it says (not for its score)
                "moved": 1.0 if any(parts.get(mark) for mark in (*_MOVED, "counted", "lead"))
                else 0.0,
                "vague": self._vague(ranked, query),
                "named": self._only_named(top, query),
                # asked what to do (怎么办) and no consequence, the best is a 法律责任/罚则
                # article naming the breach of a rule said elsewhere (违反本条例规定…): the
                # rule, not what follows its breach (one stating the conduct it punishes,
                # 用人单位有下列行为之一的：…拖欠…工资, answers 拖欠工资怎么办)
                "todo": 1.0 if query.asks_todo and parts.get("liability", 0.0) > 0.0
                and self._names_rule(top.row) else 0.0,
                # asked a limit (最多能借多少), the best says no number and no limit while the
                # next says what is asked: the best is about the words, not the amount
                "unbounded": 1.0 if query.bound_patterns and parts["answer_type"] == 0.0
                and len(ranked) > 1 and self.rows[top.row].kind != "faq"
                and self._says_asked(top, query) < self._says_asked(ranked[1], query)
                and not query.says_bound(self.norms[top.row]) else 0.0,
                "alike": self._alike(ranked),
                # the best's score has a part from learned heading associations, not only from
                # what its own text says, and the question is one short clause: little of the
                # question's own words to tell the article from its neighbours
                "leaned": 1.0 if parts.get("associated", 0.0) > 0.0 and query.clauses <= 1
                and self.rows[top.row].kind != "faq" else 0.0,
                "contrary": self._contrary(ranked, query)}

    def _alike(self, ranked: Sequence[Ranked]) -> float:
        """1 when the best two are numbered articles of two offices' own rules (no state text:
        :data:`_STATE_TEXT`), neither named after the other: each states the question's rule
        for its own staff, perhaps with other figures (decide's ``alike``)."""
        from .related import related_by_title    # (related reads this module's Ranked)
        if len(ranked) < 2:
            return 0.0
        first, second = self.rows[ranked[0].row], self.rows[ranked[1].row]
        # (a law kept in several files, one a 编 or a 章: 中华人民共和国民法典 人格权编 …)
        if first.title == second.title or first.doc_id == second.doc_id \
                or _law_name(first.title) == _law_name(second.title) \
                or len(article_key(first)) != 2 or len(article_key(second)) != 2 \
                or related_by_title(first.title, second.title) \
                or _under_parent([first.title, second.title]).any():
            return 0.0
        # Not a state text, either: laws bind everyone alike (劳动法 and 劳动合同法 both say
        # 提前三十日; 另见 offers the other when nearly as strong), and an office's own rule before
        # one is the specific rule for its staff (发现病毒…立即断开网络 before 网络运营者应当…)
        if _STATE_TEXT.search(_law_name(first.title)) \
                or _STATE_TEXT.search(_law_name(second.title)):
            return 0.0
        return 1.0

    def _contrary(self, ranked: Sequence[Ranked], query: Query) -> float:
        """1 when the best, a numbered article, says one of the question's words (of two
        characters or more, or an alternative of one) only the other way round — only negated
        where the question says it plainly (公司在哪些情况下要给我经济补偿 → 且不支付经济补偿), only
        plainly where the question negates it (公司不跟我续 → 续订) — and one of the next
        :data:`CONTRARY_AMONG` articles, of the same document and covering the question within
        :data:`CONTRARY_AHEAD` of it, says that word only the question's way: two look-alike
        articles of one rule stating opposite cases, and the words cannot tell which is asked
        (decide's ``contrary``). Not for a question asking whether (能不能, 是否, …吗: a rule
        saying no answers it) or what is banned."""
        if len(ranked) < 2 or {"rule", "ban"} & set(query.asks) \
                or _YES_NO.search(query.normalized):
            return 0.0
        top = self.rows[ranked[0].row]
        if top.kind == "faq" or len(article_key(top)) != 2:
            return 0.0
        said = query.normalized
        words = [(forms, _asked_negated(said[:at])) for unit in query.units
                 if (at := said.find(unit.text)) >= 0
                 and (forms := [f for f in (unit.text, *unit.alternatives) if len(f) >= 2])]
        if not words:
            return 0.0
        cover = ranked[0].parts.get("article", ranked[0].parts["coverage"])
        best = self.norms[ranked[0].row]
        for item in ranked[1:1 + CONTRARY_AMONG]:
            row = self.rows[item.row]
            if row.doc_id != top.doc_id or len(article_key(row)) != 2 \
                    or cover - item.parts.get("article", item.parts["coverage"]) > CONTRARY_AHEAD:
                continue
            text = self.norms[item.row]
            for forms, negated in words:
                # the best only negated, the next only plain; or the other way round
                if _sayings(best, forms) == {not negated} and _sayings(text, forms) == {negated}:
                    return 1.0
        return 0.0

    def _only_named(self, top: Ranked, query: Query) -> float:
        """1 when the best, a rule's article, only names the question's words
        (:func:`_only_names`): a definition whose meaning is not asked, the rule's purpose
        when no "why" is asked, or an inventory whose lead-in says none of the question — the
        rule about them is elsewhere (lead_first found none in its document)."""
        # (asked what follows, an inventory's lead-in is the consequence: 有下列情形之一的，按旷工处理)
        if "list" in query.asks or "consequence" in query.asks or top.parts.get("liability") \
                or _moved(top, "lead") or len(article_key(self.rows[top.row])) != 2:
            return 0.0
        return 1.0 if _only_names(self.norms[top.row], query) else 0.0

    def _vague(self, ranked: Sequence[Ranked], query: Query) -> float:
        """1 when a party's duties, rights or prohibitions are asked with no word but the
        party's name (公司不能做什么, 单位有什么义务) and the articles covering half as much as
        the best come from four texts or more, not counting those made under another of them:
        every rule binding the party answers, none alone (信访人有什么义务, its one 条例's
        party, is not vague)."""
        if OBLIGATIONS.isdisjoint(query.asks) or not ranked:
            return 0.0
        names = _subject(query)
        if not names or not all(u.text in names[0] for u in query.units):
            return 0.0
        floor = 0.5 * ranked[0].strength
        titles = list(dict.fromkeys(_law_name(self.rows[item.row].title)
                                    for item in ranked[:VAGUE_AMONG] if item.strength >= floor))
        # (a law's 实施条例 and a court's 解释 under it are of its field: 表演者 in 著作权法 and
        # the texts made under it is one party)
        own = len(titles) - int(_under_parent(titles).sum()) if len(titles) > 1 else len(titles)
        return 1.0 if own >= VAGUE_TITLES else 0.0

    def _names_rule(self, row: int) -> bool:
        """Does the paragraph (a 法律责任/罚则 article) name the violation of a rule said
        elsewhere (违反本法规定, 不符合本条例规定的, 未履行本法第五十五条规定的…), rather than
        state the conduct it punishes itself (用人单位有下列行为之一的：(一)克扣…工资报酬的)?"""
        return _NAMES_RULE.search(_LEADING_ARTICLE.sub("", self.norms[row].lstrip())) is not None

    def _organ_rule(self, item: Ranked, query: Query) -> float:
        """1 when ``item`` is a statute article whose best sentence's opening clause names a
        state organ (国家机关, 人民政府, 有关部门…) while the question names none and does
        not ask who: the article binds the state, the question asks about a unit or a person."""
        if not asks_no_organ(query) or len(article_key(self.rows[item.row])) != 2:
            return 0.0
        if OBLIGATIONS.intersection(query.asks) and (names := _subject(query)) \
                and binds(self.norms[item.row], names, query):
            return 0.0      # (国家机关、企业…等统计调查对象，必须…: it binds the party asked)
        sentence = _best_sentence(item, self.rows, self.norms)
        if _organ_named(sentence, query) or _organ_serves(sentence, query):
            return 0.0      # (审计结果会对外公布吗 → 审计机关可以…向社会公布审计结果)
        if ("rule" in query.asks or _YES_NO.search(query.normalized)) \
                and _ORGAN_BAN.search(sentence):
            return 0.0      # (会不会罚得更重 → 行政机关不得因当事人申辩而给予更重的处罚)
        return 1.0 if _binds_organ(sentence) else 0.0

    def _organ_held(self, ranked: Sequence[Ranked], query: Query, article: float) -> float:
        """:meth:`_organ_rule` of the best, unless it leads the next article by
        :data:`ORGAN_ALONE` of the question (``article``: the best's share) and no unit's or
        person's rule is near it (:meth:`_unit_rule_near`)."""
        organ = self._organ_rule(ranked[0], query)
        if organ and len(ranked) > 1 and not self._unit_rule_near(ranked) and article \
                - ranked[1].parts.get("article", ranked[1].parts["coverage"]) >= ORGAN_ALONE:
            return 0.0
        return organ

    def _unit_rule_near(self, ranked: Sequence[Ranked], among: int = 5) -> bool:
        """Is one of the next ``among`` - 1 statute articles a rule binding no organ that says
        half of what the best says (第三条 组织、个人不履行…的 beside 第四条 国家机关不履行…的)?
        Without one, an organ's article leading by :data:`ORGAN_ALONE` is the rule asked."""
        half = 0.5 * ranked[0].parts.get("article", ranked[0].parts["coverage"])
        return any(len(article_key(self.rows[item.row])) == 2
                   and item.parts.get("article", item.parts["coverage"]) >= half
                   and not _binds_organ(_best_sentence(item, self.rows, self.norms))
                   for item in ranked[1:among])

    def _defines_asked(self, row: int, query: Query) -> bool:
        """Does ``row`` say what the term the question asks about is (:func:`term_asked`)?"""
        term = term_asked(query.normalized)
        return term is not None and _defines(self.norms[row], term)

    def _defines_ahead(self, ranked: Sequence[Ranked], query: Query) -> float:
        """Asked what a term means (:func:`term_asked`): 1 when the best says what it is and the
        next does not, -1 the other way round, else 0."""
        term = term_asked(query.normalized) if len(ranked) > 1 else None
        if term is None:
            return 0.0
        return float(_defines(self.norms[ranked[0].row], term)) \
            - float(_defines(self.norms[ranked[1].row], term))

    def _says_asked(self, item: Ranked, query: Query) -> float:
        """1 when ``item`` says the kind of answer asked for and, for a quantity asked with a
        bound (最少几位), a limit in that direction (不得少于10位): what :func:`says_it_first`
        counts as saying it."""
        said = item.parts["answer_type"] if query.says_bound(self.norms[item.row]) else 0.0
        if said and query.listed and not query.lists_asked(self.norms[item.row]):
            # a list of something else than the list asked (奖励按照下列程序办理： for 奖励有哪几种,
            # where 奖励分为以下五种： announces it): what says_it_first does not count as saying it
            return 0.5
        if said and OBLIGATIONS.intersection(query.asks) and _WHAT_ASKED.search(query.normalized):
            # asked what a party's duties are: all of them, a sentence announcing their list,
            # says more than one duty of it (信访人…不得有下列行为：, before 信访人…应当采用书面形式)
            names = _subject(query)
            if names and not binds(self.norms[item.row], names, query, listed=True):
                return 0.5
        return said

    def _heaviest_said(self, item: Ranked, heaviest: Sequence[Unit]) -> list[float]:
        """How well (0–1, :meth:`~.query.Unit.match`) ``item``'s best sentence (the one its
        excerpt starts from) says each of the question's ``heaviest`` words."""
        text, sentences = self.norms[item.row], self.rows[item.row].sentences
        if sentences and item.covers:
            covers = item.covers    # (the first best, as np.argmax: a list's own max is cheaper)
            start, end = sentences[covers.index(max(covers))]
            text = text[start:end]
        return [unit.match(text) for unit in heaviest]

    def _heaviest_elsewhere(self, ranked: Sequence[Ranked], query: Query) -> dict[str, float]:
        """``rarest``: how well the best hit's sentence says the question's heaviest words (of
        equal weight; the least of them); ``rarest_next``: how well the next hit's sentence
        says one that the best's does not say at all (0 without a next hit)."""
        top = max((unit.weight for unit in query.units), default=0.0)
        heaviest = [unit for unit in query.units if unit.weight >= top]
        best = self._heaviest_said(ranked[0], heaviest)
        cited = ranked[0].parts.get("cited_row")
        if cited is not None:      # (a penalty citing its rule: the rule's words are its own)
            best = [max(b, unit.match(self.norms[int(cited)])) for b, unit in zip(best, heaviest)]
        after = self._heaviest_said(ranked[1], heaviest) if len(ranked) > 1 \
            else [0.0] * len(best)
        return {"rarest": min(best, default=1.0),
                "rarest_next": max((n for b, n in zip(best, after) if not b), default=0.0)}

    @staticmethod
    def _rivals(ranked: Sequence[Ranked], article: float, near: float = 0.05, among: int = 10
                ) -> float:
        """How many of the next articles cover the question about as well as the best."""
        return float(sum(item.parts.get("article", item.parts["coverage"]) >= article - near
                         for item in ranked[1:among]))

    def _closeness_lead(self, row: int, query: Query) -> float:
        """How much closer an FAQ pair's question is to ``query`` than any other pair's (0 for
        a paragraph): a paraphrase is near its own question and far from the rest."""
        close = self.faq_closeness(query) if row in self._asked else {}
        if row not in close:
            return 0.0
        others = max((c for r, c in close.items() if r != row), default=0.0)
        return close[row] - others

    def _faq_agreement(self, row: int, query: Query) -> dict[str, float]:
        """For an FAQ pair (0 for a paragraph): ``support``, how much more of the question's
        topic characters its question and answer say than any other pair's do
        (:meth:`~.faqmatch.FaqSheet.support`: a wrong pair sharing one word leads by nothing,
        the right one's answer names the rest); ``form``, 1 when the question and the pair's
        question ask for the same specific kind of answer (几点, 多久, 哪里, 谁, 多少), -1 when
        for different ones, else 0 (:func:`~.faqmatch.forms_agree`); ``advice``, 1 when the
        question asks what to buy or where to go (:func:`~.faqmatch.asks_advice`) and the
        pair's question does not (a rule of :func:`held_back`, not a weight)."""
        if row not in self._asked or not len(self.faq):
            return {"support": 0.0, "form": 0.0, "advice": 0.0}
        shares = self.faq_support(query)
        others = max((s for r, s in shares.items() if r != row), default=0.0)
        return {"support": shares.get(row, 0.0) - others,
                "form": forms_agree(query.normalized, self._asked[row]),
                "advice": float(asks_advice(query.normalized)
                                and not asks_advice(self._asked[row]))}

    def _sheet_weights(self, query: Query, weights: np.ndarray) -> np.ndarray:
        """``weights`` (the question's units', summing to 1) as an FAQ pair's coverage and
        window read them: the weight of the units some pair says shared among them by their
        idf over the sheet's pairs (:meth:`~.faqmatch.FaqSheet.unit_idf`) in place of their idf
        over the knowledge base, each one's discounts kept (a lone character's half, a
        fragment's cap); the units no pair says keep theirs, so that a pair weighs against a
        paragraph as before. On a pottery studio's sheet half the pairs say 收费 or 费用: in
        `围裙收费吗` it now weighs as little as it tells, and 围裙, which one pair's answer says,
        the more."""
        idf, said = self.faq.unit_idf(query)
        mass = float(weights[said].sum())
        if not said.any() or mass <= 0:
            return weights
        rarest = float(max(self.words.idf.max(initial=0.0), self.grams.idf.max(initial=0.0))) \
            or 1.0    # (what a word the knowledge base lacks weighs before its discounts)
        kept = np.array([min(1.0, u.weight / (self.words.term_idf(u.text) or rarest))
                         for u in query.units])
        sheet = np.where(said, idf * kept, 0.0)
        if sheet.sum() <= 0:
            return weights
        return np.where(said, mass * sheet / sheet.sum(), weights)

    def asked_cover(self, query: Query, row: int, alternatives: set[str] | None = None) -> float:
        """Share (0–1, idf-weighted) of an FAQ pair's question's topic words that ``query`` says:
        the other direction of coverage (a paraphrase adds words of its own, but keeps the
        question's topic). A word counts 1 said, 0.9 as a synonym or where the question's words
        or their synonyms spell it in the pair's question however jieba cut that (打车 of
        打|车费), 0.7 × its share of bigrams. ``alternatives``: :meth:`asked_alternatives`
        (the same for every pair: a rerank computes them once)."""
        words = self._asked_words.get(row)
        if not words:
            return 0.0
        text = query.normalized
        if alternatives is None:
            alternatives = self.asked_alternatives(query)
        spelled = self._spelled(query, row)
        total = said = 0.0
        for word, idf in words:
            total += idf
            if word in text:
                said += idf
            elif word in alternatives or (at := self._asked[row].find(word)) >= 0 \
                    and spelled[at:at + len(word)].all():
                said += 0.9 * idf
            elif len(word) >= 2:
                grams = [word[i:i + 2] for i in range(len(word) - 1)]
                said += 0.7 * idf * sum(g in text for g in grams) / len(grams)
        return said / total if total else 0.0

    def asked_alternatives(self, query: Query) -> set[str]:
        """The question's words' alternatives, and what the thesaurus's words it spells across
        jieba's cut expand to where a pair's question says them: what :meth:`asked_cover`
        counts as said as a synonym."""
        alternatives = {a for found in query.expansions.values() for a in found}
        return alternatives | self.faq.spelled_words(query, self.synonyms and self.synonyms())

    def _spelled(self, query: Query, row: int) -> np.ndarray:
        """Per character of an FAQ pair's question (:func:`_bare`): does a word of ``query`` of
        two characters or more, or one of its alternatives, say it there? (打车 of 打|车费,
        however jieba cut the pair's question)."""
        asked = self._asked[row]
        spelled = np.zeros(len(asked), dtype=bool)
        for unit in query.units:
            for needle in (unit.text, *unit.alternatives):
                if len(needle) < 2:
                    continue
                at = asked.find(needle)
                while at >= 0:
                    spelled[at:at + len(needle)] = True
                    at = asked.find(needle, at + 1)
        return spelled

    def _faq_forms(self, query: Query, row_list: list[int], cfg: SearchConfig
                   ) -> np.ndarray | float:
        """Per candidate: what the kind asked adds to an FAQ pair's score (0 for a paragraph):
        ``faq_form_weight`` × :func:`~.faqmatch.forms_agree` (a time asked and a time asked,
        or a time and a place), and ``faq_permission_weight`` when both ask whether one may.
        Two pairs on one topic (食堂几点开饭 · 可以带家属进食堂吃饭吗) differ in what they ask."""
        if not self._asked or not (cfg.faq_form_weight or cfg.faq_permission_weight):
            return 0.0
        text = query.normalized
        may = cfg.faq_permission_weight if asks_permission(text) else 0.0
        return np.array([cfg.faq_form_weight * forms_agree(text, self._asked[row])
                         + (may if asks_permission(self._asked[row]) else 0.0)
                         if row in self._asked else 0.0 for row in row_list])

    def faq_closeness(self, query: Query) -> dict[int, float]:
        """Each FAQ pair's row → how close its question is to ``query``
        (:meth:`~.faqmatch.FaqSheet.closeness`; computed once per query)."""
        last, close = self._closeness
        if last is not query:
            close = dict(zip(self.faq.rows.tolist(),
                             self.faq.closeness(query, self.synonyms and self.synonyms())
                             .tolist()))
            self._closeness = (query, close)
        return close

    def faq_support(self, query: Query) -> dict[int, float]:
        """Each FAQ pair's row → its :meth:`~.faqmatch.FaqSheet.support` for ``query`` (the
        sheet keeps the last query's)."""
        return dict(zip(self.faq.rows.tolist(), self.faq.support(query).tolist()))

    def faq_candidates(self, query: Query, candidates: Candidates, config: SearchConfig,
                       visible: np.ndarray | None = None) -> Candidates:
        """``candidates`` and the FAQ pairs closest to the question character by character
        that BM25 did not find (门卡 for 门禁卡), scored 0 by BM25; paragraphs as they were."""
        if not len(self.faq) or not config.faq_candidates:
            return candidates
        close = self.faq_closeness(query)     # (computed once: the rerank reads it again)
        shared = dict(zip(self.faq.rows.tolist(), self.faq.shared_characters(
            query, self.synonyms and self.synonyms()).tolist()))
        rows = [row for row in sorted(close, key=lambda r: -close[r])
                if close[row] >= config.faq_floor and shared[row] >= 2
                and (visible is None or visible[row])][:config.faq_candidates]
        agreed = self._agreed_pair(query, close, config)
        if agreed is not None and agreed not in rows and (visible is None or visible[agreed]):
            rows.append(agreed)
        return candidates.with_rows(rows)

    def _agreed_pair(self, query: Query, close: dict[int, float], config: SearchConfig
                     ) -> int | None:
        """The one pair (no tie) that both the closeness (the pairs' questions, character by
        character) and the support (their questions and answers) put first, when at least
        ``config.faq_agreed_floor`` close and ``config.faq_agreed_support`` supported: two
        readings of the sheet naming one pair, too little of whose question a colloquial
        paraphrase says for the closeness alone to admit it (``faq_floor``)."""
        if not config.faq_agreed_floor or len(close) < 2:
            return None
        support = self.faq_support(query)
        best = max(close, key=close.get)
        by_support = sorted(support.values(), reverse=True)
        near = sorted(close.values(), reverse=True)
        if close[best] < config.faq_agreed_floor or near[1] >= close[best] \
                or support[best] < by_support[0] or by_support[1] >= by_support[0] \
                or support[best] < config.faq_agreed_support:
            return None
        return best

    def bound_candidates(self, query: Query, candidates: Candidates, config: SearchConfig,
                         visible: np.ndarray | None = None) -> Candidates:
        """``candidates`` and, asked a party's duties, rights or prohibitions with the party
        named in three characters or more (信访人有什么义务), up to ``config.bound_rows`` rows
        BM25 did not find that bind it (:func:`binds`; scored 0): a rule's many articles
        name the party, and the one listing its duties is long, so BM25 puts it down."""
        if not config.bound_rows or OBLIGATIONS.isdisjoint(query.asks):
            return candidates
        names = _subject(query)
        name = max(names, key=len, default="")
        if len(name) < 3:
            return candidates
        said = np.zeros(len(self.rows), dtype=np.int16)
        grams = {name[i:i + 2] for i in range(len(name) - 1)}
        for gram in grams:
            said[self.grams.postings({gram: 1.0})[0]] += 1   # (a gram's rows are distinct)
        rows = np.flatnonzero(said == len(grams))
        if not rows.size or rows.size > BOUND_SCAN:
            return candidates
        have = set(candidates.rows.tolist())
        self_rows = [row for row in rows.tolist() if row not in have
                     and (visible is None or visible[row])]
        if not self_rows:
            return candidates
        extra = [row for row in self_rows if binds(self.norms[row], names, query)]
        if _WHAT_ASKED.search(query.normalized):     # (those announcing the list of them first)
            extra.sort(key=lambda row: not binds(self.norms[row], names, query, listed=True))
        return candidates.with_rows(extra[:config.bound_rows])

    def _kind_rows(self, marks: tuple[str, ...], liability: bool = False) -> np.ndarray:
        """A bool per row: it has one of the bigrams ``marks`` (or is a liability row)."""
        key = (marks, liability)
        if key not in self._kinds:
            if len(self._kinds) >= 16:      # (a quantity's units make a key per question form)
                self._kinds.clear()
            mask = np.zeros(len(self.rows), dtype=bool)
            for gram in marks:
                mask[self.grams.postings({gram: 1.0})[0]] = True
            if liability:
                take = getattr(self._liability, "take", None)     # (a snapshot's row set)
                if take is not None:
                    mask |= take(np.arange(mask.size))
                elif self._liability:
                    mask[np.fromiter(self._liability, dtype=np.int64)] = True
            self._kinds[key] = mask
        return self._kinds[key]

    def _subword_part(self, query: Query, size: int, config: SearchConfig) -> np.ndarray | None:
        """Each row's total from the words inside a longer question word (用人, 单位 of
        用人单位), to be weighed ``config.typed_subword``: one long word counted as three
        outweighs the asked kind's own; None when the question has none."""
        sub = {w: v for w, v in query.words.items()
               if any(w != other and w in other for other in query.words)}
        if config.typed_subword == 1.0 or not sub:
            return None
        part = np.zeros(size)
        for field, weight in ((self.words, 1.0), (self.context, config.context_weight)):
            if _bm25 is not None and hasattr(field, "accumulate"):
                field.accumulate(part, sub, weight, _bm25)
            else:
                rows, weights = field.postings(sub, weight)
                if rows.size:
                    part += np.bincount(rows, weights=weights, minlength=size)
        return part

    def typed_candidates(self, query: Query, candidates: Candidates, config: SearchConfig,
                         visible: np.ndarray | None = None) -> Candidates:
        """``candidates`` and, per kind of answer the question asks (:data:`TYPED_MARKS`,
        quantity), the ``config.typed_rows`` best rows of that kind BM25 scored but left below
        the cut, with their totals: a long article saying it (a 法律责任 article's lead-in and
        seven items) scores low, and a question's common words lift short rows above it. Those
        of the best candidates' documents come first, each part ranked by the totals with a long
        word's sub-words weighed less (:meth:`_subword_part`)."""
        total = candidates.scores
        if not config.typed_rows or total is None or not candidates.rows.size:
            return candidates
        masks = []
        for kind in query.asks:
            if kind == "consequence" and "procedure" in query.asks:
                continue     # (怎么办 asks what to do as often as what follows)
            if kind == "quantity":
                masks.append(self._kind_rows(_quantity_marks(query.normalized)))
            elif kind in TYPED_MARKS:
                masks.append(self._kind_rows(TYPED_MARKS[kind], kind == "consequence"))
        if not masks:
            return candidates
        if len(masks) > 1:     # (the rows of every kind asked first: 哪些行为会被罚款)
            masks.insert(0, np.logical_and.reduce(masks))
        floor = max(TYPED_FLOOR * float(candidates.total[:config.candidates].min()), 1e-9)
        left = total >= floor if visible is None else (total >= floor) & visible
        left[candidates.rows] = False          # (scored, not yet a candidate)
        part = self._subword_part(query, total.size, config)
        best_docs = self.doc_ids()[candidates.rows[:TYPED_DOCS]]
        extra: list[int] = []
        for mask in masks:
            rows = np.flatnonzero(mask & left)
            if rows.size:
                order = total[rows] if part is None \
                    else total[rows] - (1.0 - config.typed_subword) * part[rows]
                near = np.isin(self.doc_ids()[rows], best_docs)   # (those documents' rows first)
                best = _best(rows[near], order[near], config.typed_rows)
                if best.size < config.typed_rows:
                    best = np.concatenate([best, _best(rows[~near], order[~near],
                                                       config.typed_rows - best.size)])
                rows = best
                left[rows] = False
                extra += rows.tolist()
        return candidates.with_rows(extra, total[extra].tolist()) if extra else candidates

    def citing_candidates(self, query: Query, candidates: Candidates, config: SearchConfig,
                          visible: np.ndarray | None = None) -> Candidates:
        """``candidates`` and, asked what happens (not what to do, nor who: 责任人是谁), the
        liability rows that cite by number (违反本法第四十八条规定的) the article of one of the
        best ``CITED_FROM`` candidates, in its document: the penalty says its rule's number,
        not its words. Each is scored with the cited row's words too (:meth:`rerank`)."""
        if not config.cited_rows or "consequence" not in query.asks or query.asks_todo \
                or "agent" in query.asks or not candidates.rows.size:
            return candidates
        wanted: dict[tuple[int, int], int] = {}      # (document, 条 number) → the cited row
        for row in candidates.rows[:CITED_FROM].tolist():
            section = self.rows[row].section
            if in_article(section):
                for kind, n in find_references(section[-1]):
                    if kind == "条":
                        wanted.setdefault((self.rows[row].doc_id, n), row)
        if not wanted:
            return candidates
        rows = np.unique(np.concatenate([self.grams.postings({gram: 1.0})[0]
                                         for gram in ("违反", "履行")]))
        rows = rows[np.isin(self.doc_ids()[rows], list({doc for doc, _ in wanted}))]
        if visible is not None:
            rows = rows[visible[rows]]
        rows = [row for row, member in zip(rows.tolist(), _members(
            self._liability, rows, rows.tolist()).tolist()) if member]
        extra, pairs = [], []
        for row in rows[:CITED_SCAN]:
            doc = self.rows[row].doc_id
            for said in _VIOLATES.finditer(self.norms[row]):
                for kind, n in find_references(said.group(1)):
                    cited = wanted.get((doc, n)) if kind == "条" else None
                    if cited is not None and row not in extra:
                        extra.append(row)
                        pairs.append((row, cited))
        if not extra:
            return candidates
        have = set(candidates.rows.tolist())
        more = candidates.with_rows([row for row in extra if row not in have][:config.cited_rows])
        kept = set(more.rows.tolist())
        return replace(more, cites=more.cites + tuple(p for p in pairs if p[0] in kept))

    def defining_candidates(self, query: Query, candidates: Candidates, config: SearchConfig,
                            visible: np.ndarray | None = None) -> Candidates:
        """``candidates`` and, asked what a term means (:func:`term_asked`), up to
        ``config.define_rows`` rows BM25 did not find that say what it is (:func:`_defines`;
        scored 0): an article using the term says it more often than its definition does."""
        term = term_asked(query.normalized) if config.define_rows else None
        if term is None:
            return candidates
        # rows with every bigram of the term and one of a definition's (X是, 是指, 系指)
        grams = {term[i:i + 2] for i in range(len(term) - 1)}
        said = np.zeros(len(self.rows), dtype=np.int16)
        for gram in grams:
            said[self.grams.postings({gram: 1.0})[0]] += 1   # (a gram's rows are distinct)
        defining = np.zeros(len(self.rows), dtype=bool)
        for gram in (term[-1] + "是", "是指", "系指"):
            defining[self.grams.postings({gram: 1.0})[0]] = True
        rows = np.flatnonzero((said == len(grams)) & defining)
        if not rows.size or rows.size > DEFINE_SCAN:
            return candidates
        have = set(candidates.rows.tolist())
        extra = [row for row in rows.tolist() if row not in have
                 and (visible is None or visible[row]) and _defines(self.norms[row], term)]
        return candidates.with_rows(extra[:config.define_rows])

    # -- BM25 candidates ---------------------------------------------------------------------------
    def candidates(self, query: Query, n: int, config: SearchConfig, *,
                   fields: bool = True, visible: np.ndarray | None = None) -> Candidates:
        """The ``n`` best BM25 candidates (with ``fields``, each field's own score too), and
        the rows under the headings the question names; only rows where ``visible`` (a bool per
        row: the asker's audiences may read it) is true, when given — before the top ``n``, so
        that nothing after this stage (suggestions, more results, 另见) can hold a hidden row.

        One ``bincount`` over the three fields' postings (weights scaled by the field weights)
        scores every row; each field's own score is then summed for the candidates only.
        """
        cfg = config
        size = len(self.rows)
        if not fields and _bm25 is not None and hasattr(self.words, "accumulate"):
            return self._compiled_candidates(query, n, cfg, visible)
        if fields:
            postings = {"words": self.words.postings(query.words),
                        "context": self.context.postings(query.words, cfg.context_weight),
                        "grams": self.grams.postings(query.grams, cfg.gram_weight)}
            all_rows = np.concatenate([rows for rows, _ in postings.values()])
            all_weights = np.concatenate([w for _, w in postings.values()])
        else:    # the same rows and weights, joined once (the three fields' terms' parts)
            rows, weights, qweights = self.words.postings_parts(query.words)
            for field, terms, scale in ((self.context, query.words, cfg.context_weight),
                                        (self.grams, query.grams, cfg.gram_weight)):
                more = field.postings_parts(terms, scale)
                rows += more[0]
                weights += more[1]
                qweights += more[2]
            all_rows = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int32)
            # float32 weights × float64 query weights: float64, as each field's postings are
            all_weights = np.concatenate(weights) * np.repeat(qweights, [r.size for r in rows]) \
                if rows else np.zeros(0)
        total = np.bincount(all_rows, minlength=size, weights=all_weights) \
            if all_rows.size else None
        chosen = self._choosing(query, cfg, total)
        if chosen is not None:
            matched = np.flatnonzero((chosen > 0) & visible if visible is not None
                                     else chosen > 0)
        else:
            matched = np.zeros(0, dtype=np.int64)
        if matched.size > n:
            top = np.argpartition(-chosen[matched], n - 1)[:n]
            matched = matched[top]
        if matched.size:
            matched = matched[np.argsort(-chosen[matched], kind="stable")]
        if total is None and matched.size:
            total = np.zeros(size)
        matched, totals, named = self._with_named(query, n, matched, total, visible)
        if not fields:
            return Candidates(matched, totals, None, frozenset(named), total)
        # Each field's score of the candidates (unscaled), aligned with ``matched``.
        slot = np.full(size, -1, dtype=np.int64)
        slot[matched] = np.arange(matched.size)
        field_scores: dict[str, np.ndarray] = {}
        for (name, (rows, weights)), scale in zip(postings.items(), (1.0, cfg.context_weight,
                                                                    cfg.gram_weight)):
            score = np.zeros(matched.size)
            if rows.size and matched.size:
                at = slot[rows]
                keep = at >= 0
                score = np.bincount(at[keep], weights=weights[keep],
                                    minlength=matched.size) / (scale or 1.0)
            field_scores[name] = score
        return Candidates(matched, totals, field_scores, frozenset(named), total)

    def _compiled_candidates(self, query: Query, n: int, cfg: SearchConfig,
                             visible: np.ndarray | None) -> Candidates:
        """:meth:`candidates` without the fields' scores, its loops compiled (``knowledge._bm25``,
        built by setup.py when a C compiler is there): the same totals, bit for bit, and the
        same rows in the same order — when two of the best n + 1 totals tie, numpy's own
        selection on those totals, as the numpy path makes it."""
        size = len(self.rows)
        total = np.zeros(size)
        added = 0
        for field, terms, scale in ((self.words, query.words, 1.0),
                                    (self.context, query.words, cfg.context_weight),
                                    (self.grams, query.grams, cfg.gram_weight)):
            added += field.accumulate(total, terms, scale, _bm25)
        extra = self.expansion(query, cfg)
        chosen = total
        if extra:      # chosen with the expansion's BM25 too (totals stay the question's own)
            chosen = total.copy()
            added += self.words.accumulate(chosen, extra, 1.0, _bm25)
        if not added:
            total, matched = None, np.zeros(0, dtype=np.int64)
        elif chosen is not total:
            best = _bm25.top(chosen, n, visible)
            if best is not None:
                matched = np.array(best, dtype=np.int64)
            else:
                matched = np.flatnonzero((chosen > 0) & visible if visible is not None
                                         else chosen > 0)
                if matched.size > n:
                    matched = matched[np.argpartition(-chosen[matched], n - 1)[:n]]
                matched = matched[np.argsort(-chosen[matched], kind="stable")]
        else:
            best = _bm25.top(total, n, visible)
            if best is not None:
                matched = np.array(best, dtype=np.int64)
            else:    # a tie among the best: argpartition's pick, as the numpy path's
                matched = np.flatnonzero((total > 0) & visible if visible is not None
                                         else total > 0)
                if matched.size > n:
                    matched = matched[np.argpartition(-total[matched], n - 1)[:n]]
                matched = matched[np.argsort(-total[matched], kind="stable")]
        matched, totals, named = self._with_named(query, n, matched, total, visible)
        return Candidates(matched, totals, None, frozenset(named), total)

    def _with_named(self, query: Query, n: int, matched: np.ndarray, total: np.ndarray | None,
                    visible: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, list[int]]:
        """The candidates, then the rows under the headings the question names that BM25 did
        not find (up to ``n``), with their totals; and the named rows."""
        named = self._named_rows(query)
        if named and visible is not None:
            named = [r for r in named if visible[r]]
        if named:
            have = set(matched.tolist())
            extra = np.fromiter((r for r in named if r not in have), np.int64)
            matched = np.concatenate([matched, extra[:n]])
        totals = total[matched] if total is not None else np.zeros(matched.size)
        return matched, totals, named

    def _named_rows(self, query: Query) -> list[int]:
        """Rows under every heading the question names (第二章第四条 → rows of 第四条 in 第二章)."""
        if not query.references:
            return []
        sets = [set(self._references.get(ref, ())) for ref in query.references]
        both = set.intersection(*sets)
        return sorted(both or set().union(*sets))

    # -- rerank ------------------------------------------------------------------------------------
    def rerank(self, query: Query, candidates: Candidates, config: SearchConfig
               ) -> list[Ranked]:
        """Each candidate with its final score and score parts, best first.

        Each unit is looked up once per sentence; a two-sentence window takes, per unit, the
        better of its two sentences, and the paragraph the best of all (plus the title and
        headings, which name what the paragraph is about). The arithmetic runs on one matrix of
        every candidate's sentences × the question's units.
        """
        cfg = config
        units = query.units
        weights = np.array([u.weight / query.mass for u in units], dtype=np.float64)
        total = candidates.total
        top_total = float(total.max()) or 1.0
        named = candidates.named
        row_list = candidates.rows.tolist()
        # each candidate's paragraph, normalised text and headings, read once
        paragraphs, norms, heads = self._read(row_list)
        sentence_lists = [paragraph.sentences for paragraph in paragraphs]
        heads_of_rows = heads if cfg.title_in_window else [""] * len(row_list)
        spans, starts, head_of = _layout(sentence_lists, norms, heads_of_rows)
        n_rows = len(head_of)
        found = spans.matrix(units)
        if cfg.party_said > 0:
            self._party_said(found, units, spans, row_list, starts, len(head_of), cfg)
        measured = measured_numbers(query.normalized)
        for j, unit in enumerate(units):   # 请5天事假: a rule's 3天以上10天以内 says it
            if unit.text in measured:
                found[:, j] = np.maximum(found[:, j], spans.holding(int(unit.text),
                                                                      measured[unit.text]))
        undiscounted = _discount_exceptions(found, spans, n_rows)
        own_cover, best, window, found_units, coverage = _windows(
            found, n_rows, head_of, starts, weights, cfg.pair_discount)
        ends = np.append(starts[1:], n_rows)
        bm25 = total / top_total
        if undiscounted is not None:
            # and its BM25 (which counts every word anywhere) as much as its coverage does:
            # the words only the exception says do not carry the article
            whole = _windows(undiscounted, n_rows, head_of, starts, weights,
                             cfg.pair_discount)[4]
            bm25 = bm25 * np.divide(coverage, whole, out=np.ones_like(whole), where=whole > 0)
        # (after the exceptions' BM25: a ratio of two coverages read with one set of weights)
        if cfg.faq_sheet_idf and self._asked and units:
            faq_rows = np.array([row in self._asked for row in row_list])
            if faq_rows.any():
                sheet = self._sheet_weights(query, weights)
                _, _, by_sheet, _, covered = _windows(found, n_rows, head_of, starts, sheet,
                                                      cfg.pair_discount)
                window = np.where(faq_rows, by_sheet, window)
                coverage = np.where(faq_rows, covered, coverage)
        pairs: list[tuple[int, int]] = []   # a penalty citing its rule: the rule's words too
        if candidates.cites:
            at = {row: i for i, row in enumerate(row_list)}
            pairs = [(at[a], at[b]) for a, b in candidates.cites if a in at and b in at]
            for i, j in pairs:
                for part in (bm25, window, coverage):
                    part[i] = max(part[i], part[j])
                found_units[i] = np.maximum(found_units[i], found_units[j])
        fuzzy = np.zeros(len(row_list))
        literal = fuzzy   # the question's own words (the decision's evidence), when they differ
        if cfg.fuzzy_weight:
            with_sentences = [i for i, sentences in enumerate(sentence_lists) if sentences]
            if with_sentences:
                text, picked = spans.text, best[with_sentences]   # (not every span's bounds)
                texts = [text[a:b] for a, b in zip(spans.bounds[0][picked].tolist(),
                                                   spans.bounds[1][picked].tolist())]
                # the question as each sentence could have said it: a synonym, defined name or
                # formal word the sentence says stands in for the question's word (the rank);
                # the decision keeps the closeness of the words asked (``literal``)
                as_said = {sentence: query.content_as(sentence)   # (each distinct one once)
                           for sentence in dict.fromkeys(texts)}
                by_content: dict[str, list[str]] = defaultdict(list)
                for sentence, content in as_said.items():
                    by_content[content].append(sentence)
                said: dict[str, float] = {}
                for content, sentences in by_content.items():
                    scores = process.cdist([content], sentences, scorer=fuzz.partial_ratio,
                                           dtype=np.float64)[0] / 100
                    said.update(zip(sentences, scores.tolist()))
                fuzzy[with_sentences] = [said[text] for text in texts]
                other = [sentence for sentence, content in as_said.items()
                         if content != query.content]
                if other:
                    scores = process.cdist([query.content], other, scorer=fuzz.partial_ratio,
                                           dtype=np.float64)[0] / 100
                    said.update(zip(other, scores.tolist()))
                    literal = np.zeros(len(row_list))
                    literal[with_sentences] = [said[text] for text in texts]
                    # an alternative counts as in coverage (0.9), and a sentence is as close
                    # as the closer of the two wordings
                    fuzzy = np.maximum(literal, ALTERNATIVE_SAID * fuzzy)
        asked = np.zeros(len(row_list))
        closeness = np.zeros(len(row_list))
        support = np.zeros(len(row_list))
        lexical = bm25
        if self._asked:  # an FAQ pair: as close as its question is to the question
            close = self.faq_closeness(query)
            said = self.faq_support(query) if cfg.faq_support_weight else {}
            alternatives = None     # (the same for every pair: found at the first)
            for i, row in enumerate(row_list):
                if row in self._asked:
                    fuzzy[i] = max(fuzzy[i], question_similarity(query, self._asked[row]))
                    literal[i] = max(literal[i], fuzzy[i])
                    if alternatives is None and self._asked_words.get(row):
                        alternatives = self.asked_alternatives(query)
                    asked[i] = self.asked_cover(query, row, alternatives)
                    closeness[i] = close.get(row, 0.0)
                    support[i] = said.get(row, 0.0)
            if cfg.faq_support_weight:
                # BM25 over a sheet's pairs rewards the one pair that says a common word of
                # the question (公司 of 坐出租车的钱公司给报吗 → 外部培训费用公司报销吗) as if
                # it said all of it: a pair's BM25 counts as much of the question as it says
                faq = np.array([row in self._asked for row in row_list])
                lexical = np.where(faq, bm25 * support, bm25)
        for i, j in pairs:     # (and as close as its rule's words)
            fuzzy[i], literal[i] = max(fuzzy[i], fuzzy[j]), max(literal[i], literal[j])
        reference = np.array([1.0 if row in named else 0.0 for row in row_list])
        # Does the paragraph say what the question asks for (a number, a list, a rule…)?
        answer_type = np.array([1.0 if query.says_answer(norm) else 0.0
                                for norm in norms]) if query.asks else np.zeros(len(row_list))
        # Asked a party's duty, right or prohibition (信访人有什么义务), what answers is a
        # sentence binding that party (信访人…应当遵守…), not one binding another.
        holder = _subject(query) if OBLIGATIONS.intersection(query.asks) else ()
        if holder:
            answer_type = np.array([1.0 if said and binds(norm, holder, query) else 0.0
                                    for said, norm in zip(answer_type.tolist(), norms)])
        # Rules before mentions: a 法律责任 article names every rule's violation; it answers
        # only a question about consequences.
        liability = _members(self._liability, candidates.rows, row_list)
        if "consequence" not in query.asks:
            liability = -liability
        # A caption (a table's or a list's title line: 个人所得税税率表一（综合所得适用）) names
        # what follows in the question's own words, and answers nothing itself.
        caption = np.array([1.0 if is_caption(norm, paragraph.kind) else 0.0
                            for paragraph, norm in zip(paragraphs, norms)])
        # Laws before the texts made under them: an implementing regulation (档案法实施条例) or
        # a court's interpretation (最高人民法院关于…的解释) repeats its law's words; when an
        # article of the law is a candidate too, the law says it directly.
        under = _under_parent([paragraph.title for paragraph in paragraphs]) \
            if cfg.parent_weight else np.zeros(len(row_list))
        associated = self._associated(query, row_list, cfg, heads)
        # Who ends the employment: asked of a dismissal (辞退), a rule on the worker's own notice
        # (劳动者提前三十日…可以解除) answers another question and says no answer to this one
        # (parties.ender_asked / enders)
        side = ender_asked(query.normalized) if cfg.ender_weight else ""
        ender = np.array([1.0 if (said := enders(norm)) and side not in said else 0.0
                          for norm in norms]) if side else np.zeros(len(row_list))
        answer_type = np.where(ender > 0, 0.0, answer_type)
        final = lexical + cfg.faq_support_weight * support + cfg.window_weight * window \
            + cfg.coverage_weight * coverage + cfg.fuzzy_weight * fuzzy + cfg.reference_weight * reference \
            + cfg.type_weight * answer_type + cfg.liability_weight * liability \
            + cfg.faq_closeness_weight * closeness - cfg.caption_weight * caption \
            - cfg.parent_weight * under + cfg.association_weight * associated \
            + self._faq_forms(query, row_list, cfg) - cfg.ender_weight * ender
        field_scores = ([dict(zip(FIELDS, scores)) for scores in zip(
            *(candidates.fields[name].tolist() for name in FIELDS))]
            if candidates.fields is not None else [{}] * len(row_list))
        covers = own_cover.tolist()
        ranked = [Ranked(f, row, covers[a:b] if sentences else [], {
            "bm25": bm, "window": win, "coverage": cov, "fuzzy": fz, "reference": ref,
            "answer_type": at_, "liability": li, "caption": cap, "asked": ak, "closeness": cl,
            "support": su, "under_law": ul, "associated": ac, "final": f, "literal": lt,
            "said": cfg.fuzzy_weight * (fz - lt), **({"ender": -en} if en else {}),
            **by_field}, found_row)
            for row, sentences, a, b, f, bm, win, cov, fz, ref, at_, li, cap, ak, cl, su, ul, ac,
            lt, en, by_field, found_row in zip(
                row_list, sentence_lists, starts.tolist(), ends.tolist(), final.tolist(),
                bm25.tolist(),
                window.tolist(), coverage.tolist(), fuzzy.tolist(), reference.tolist(),
                answer_type.tolist(), liability.tolist(), caption.tolist(), asked.tolist(),
                closeness.tolist(), support.tolist(), under.tolist(), associated.tolist(),
                literal.tolist(), ender.tolist(), field_scores,
                found_units)]
        for i, j in pairs:
            ranked[i].parts["cited_row"] = float(row_list[j])
        ranked.sort(key=lambda item: -item.final)
        return ranked

    def associated_words(self, query: Query, config: SearchConfig) -> dict[str, float]:
        """The heading words the question's content words point to (:mod:`.associations`),
        each weighted by the question word's weight × P(heading word | question word) × the
        heading word's idf among titles and headings."""
        if self.associations is None or not config.association_weight:
            return {}
        found = self.associations.expand((u.text, u.weight) for u in query.units
                                          if len(u.text) >= 2)
        weighted = {word: weight * self.context.term_idf(word) for word, weight in found.items()}
        return {word: weight for word, weight in weighted.items() if weight > 0}

    def expansion(self, query: Query, config: SearchConfig) -> dict[str, float]:
        """The article words the question's content words translate to (the best
        ``expansion_per`` of each), each at ``expansion_weight`` × P × its source word's query
        weight: extra BM25 terms that choose the candidates."""
        if self.translations is None or not config.expansion_weight:
            return {}
        words: dict[str, float] = {}
        # from the question's own content words (units), as the table was learned: not from
        # the thesaurus' words for them
        for word in dict.fromkeys(u.text for u in query.units):
            weight = query.words.get(word, 0.0)
            for target, p in self.translations.table.get(word, ())[:config.expansion_per]:
                if target not in query.words:
                    words[target] = words.get(target, 0.0) + config.expansion_weight * p * weight
        return words

    def _choosing(self, query: Query, config: SearchConfig, total: np.ndarray | None
                  ) -> np.ndarray | None:
        """``total`` with the expansion's BM25 added: what the candidates are chosen by (their
        totals stay the question's own words')."""
        extra = self.expansion(query, config)
        if not extra:
            return total
        rows, weights = self.words.postings(extra)
        if not rows.size:
            return total
        added = np.bincount(rows, minlength=len(self.rows), weights=weights)
        return added if total is None else total + added

    def doc_ids(self) -> np.ndarray:
        """Each row's document id, as an array (built on first use when not given)."""
        if self._docs is None:
            self._docs = np.array([row.doc_id for row in self.rows], dtype=np.int64)
        return self._docs

    def document_parties(self, doc: int) -> Parties:
        """The employer and worker terms document ``doc`` names its sides with (read once)."""
        if doc not in self._parties:
            self._parties[doc] = read_parties(
                self.norms[row] for row in np.flatnonzero(self.doc_ids() == doc).tolist())
        return self._parties[doc]

    def _party_said(self, found: np.ndarray, units: Sequence[Unit], spans: "_Spans",
                    row_list: list[int], starts: np.ndarray, n_sentences: int,
                    config: SearchConfig) -> None:
        """A question word naming a side (公司, 厂里, 员工: :func:`~.parties.side_of`) counts as
        ``said`` (the config's ``party_said``) by each candidate sentence saying its document's
        own term for that side (安全生产法's 生产经营单位 / 从业人员), in ``found`` — when the
        sentence says ``party_rest`` of the question's other words: the side said in a document's
        own term completes a sentence saying the rest, it does not make one that says only the side
        (with it everywhere, each answer gained cost a wrong one: bench/README.md, party14)."""
        said = config.party_said
        sided = [(j, side) for j, unit in enumerate(units)
                 if (side := side_of(unit.text, unit.alternatives))]
        if not sided:
            return
        docs = self.doc_ids()
        ends = np.append(starts[1:], n_sentences).tolist()
        others = np.ones(len(units), dtype=bool)
        others[[j for j, _ in sided]] = False
        weights = np.array([u.weight for u in units])[others]
        rest = (found[:, others] @ weights / weights.sum()).tolist() if weights.sum() > 0 \
            else [0.0] * found.shape[0]
        lows, highs = spans.bounds[0].tolist(), spans.bounds[1].tolist()
        text = spans.text
        for i, row in enumerate(row_list):
            parties = self.document_parties(int(docs[row]))
            for j, side in sided:
                term = parties.of_side(side)
                if not term or term == units[j].text:
                    continue
                for k in range(int(starts[i]), ends[i]):
                    if found[k, j] < said and rest[k] >= config.party_rest \
                            and term in text[lows[k]:highs[k]]:
                        found[k, j] = said

    def _read(self, row_list: list[int]) -> tuple[list[ParagraphRow], list[str], list[str]]:
        """The rows' paragraphs, normalised texts and heading texts (from a snapshot's views:
        one lookup a row, not one a part)."""
        if self._entries is not None:
            entries = self._entries(row_list)
            return ([entry[0] for entry in entries], [entry[1] for entry in entries],
                    [entry[2] for entry in entries])
        return ([self.rows[row] for row in row_list], [self.norms[row] for row in row_list],
                [self._heads[row] for row in row_list])

    def _associated(self, query: Query, row_list: list[int], config: SearchConfig,
                    heads: list[str] | None = None) -> np.ndarray:
        """Per candidate: the associated heading words its title and headings say (``heads``:
        the candidates' heading texts, when read already), relative to the best candidate's
        (0–1; all 0 when none says any)."""
        score = np.zeros(len(row_list))
        words = self.associated_words(query, config)
        if words:
            for i, row in enumerate(row_list):
                head = heads[i] if heads is not None else self._heads[row]
                score[i] = sum(weight for word, weight in words.items() if word in head)
            top = float(score.max())
            if top > 0:
                score /= top
        return score


_STATE = "中华人民共和国"
# A judicial interpretation's title: 最高人民法院关于审理…案件适用法律若干问题的解释（一）
_INTERPRETATION = re.compile(
    r"^最高人民(?:法院|检察院).*关于.*(?:解释|规定)(?:（[一二三四五六七八九十]+）)?$")


def _best(rows: np.ndarray, order: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` of ``rows`` of highest ``order``, highest first."""
    if rows.size > n:
        top = np.argpartition(-order, n - 1)[:n]
        rows, order = rows[top], order[top]
    return rows[np.argsort(-order, kind="stable")]


def _members(rows: object, row_array: np.ndarray, row_list: list[int]) -> np.ndarray:
    """1.0 per row that is one of ``rows`` (a snapshot's row set: one gather), else 0.0."""
    take = getattr(rows, "take", None)
    if take is not None:
        return take(row_array).astype(np.float64)
    return np.array([1.0 if row in rows else 0.0 for row in row_list])


def _law_name(title: str) -> str:
    """A document's name as other texts cite it: the title's first word without the state's
    name (中华人民共和国档案法 总则 → 档案法)."""
    name = _LAW_NAMES.get(title)
    if name is None:
        if len(_LAW_NAMES) >= 100_000:
            _LAW_NAMES.clear()
        name = _LAW_NAMES[title] = (title.split(" ", 1)[0] if title else "").removeprefix(_STATE)
    return name


_LAW_NAMES: dict[str, str] = {}   # title → _law_name (the same titles come back every search)
# A state's text, by its name: a law, a code, a 条例, an interpretation, the State Council's
# or a court's (not an office's own 规定, 办法, 手册)
_STATE_TEXT = re.compile(r"^(?:国务院|最高人民)|(?:(?<!办)法|法典|条例|解释)$")


def _under_parent(titles: Sequence[str]) -> np.ndarray:
    """1 per title (the candidates' documents') whose document is made under another one among
    ``titles``: it is that one's 实施条例/实施细则/实施办法 (档案法实施条例 under 档案法), or
    it is a judicial interpretation (最高人民法院关于适用《中华人民共和国民法典》…的解释,
    最高人民法院关于审理…案件适用法律若干问题的规定) and a law (…法) is among them; else 0.
    (A title merely naming a law in 《》 is not enough: an office's own 办法 may cite one.)"""
    names = [_law_name(t) for t in titles]
    laws = {n for n in names if len(n) >= 2}
    out = np.zeros(len(titles))
    statutes = any(n.endswith(("法", "法典")) for n in laws)
    for i, (title, name) in enumerate(zip(titles, names)):
        if statutes and _INTERPRETATION.match(name):
            out[i] = 1.0
            continue
        if "实施" not in name:   # (what every match below needs: most titles skip the loop)
            continue
        for law in laws:
            if law != name and name.startswith(law + "实施"):
                out[i] = 1.0
                break
    return out


_NOT_WORD = re.compile(r"[\W_]+")
_CLAUSE_MARK = re.compile(r"[。；，：:,;.!?！？]")


def is_caption(norm: str, kind: str) -> bool:
    """A short line without a clause mark that is no table row: a title or caption
    (表一（综合所得适用）, 附件：… has a mark and is not one)."""
    return kind != "table_row" and kind != "faq" and len(norm) <= 30 \
        and not _CLAUSE_MARK.search(norm)


def article_body(norm: str, kind: str) -> bool:
    """Whether a paragraph under an article's heading is part of the article's text: a
    paragraph or a list, not a table row, an FAQ pair or a caption (a table's caption after a
    rule's last article sits under its heading). What its excerpt and its full text read
    together (:func:`.excerpt.article_excerpt`, ``KnowledgeBase.paragraph``)."""
    return kind in ("text", "list") and not is_caption(norm, kind)


def _bare(text: str) -> str:
    """Letters, digits and CJK only: 年假怎么申请？ → 年假怎么申请."""
    return _NOT_WORD.sub("", text).lower()


def question_similarity(query: Query, asked: str) -> float:
    """How close ``query`` is to an FAQ pair's question (``asked``, :func:`_bare`): the better
    of rapidfuzz's ratio of the two and the F1 of their character bigrams (a paraphrase reorders
    and swaps words, but keeps many of them)."""
    mine = _bare(query.normalized)
    if not mine or not asked:
        return 0.0
    ratio = fuzz.ratio(mine, asked) / 100
    theirs, ours = _bigrams(asked), _bigrams(mine)
    shared = len(theirs & ours)
    f1 = 2 * shared / (len(theirs) + len(ours)) if shared else 0.0
    return max(ratio, f1)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)} or {text}


def _layout(sentence_lists: list[tuple[tuple[int, int], ...]], texts: list[str],
            heads: list[str], *, compiled: bool = True) -> tuple[_Spans, np.ndarray, np.ndarray]:
    """The rerank's spans: one per sentence of every text (a text without sentences: one empty
    span, so that its heading still counts), then one per distinct heading, in order of first
    appearance; offsets into one text, the texts and the headings joined with NUL (no string
    per sentence). Also each text's first span, and each sentence span's heading (its index
    among the headings). In one compiled call when ``knowledge._bm25`` is built."""
    if compiled and _bm25 is not None:
        text, starts, ends, firsts, head_of = _bm25.layout(sentence_lists, texts, heads)
        return (_Spans(text, np.frombuffer(starts, np.int64), np.frombuffer(ends, np.int64)),
                np.frombuffer(firsts, np.int64), np.frombuffer(head_of, np.int64))
    pieces: list[str] = []
    span_starts: list[int] = []
    span_ends: list[int] = []
    firsts: list[int] = []
    head_of: list[int] = []
    head_index: dict[str, int] = {}
    at = 0
    for sentences, text, head in zip(sentence_lists, texts, heads):
        firsts.append(len(span_starts))
        head_of.extend([head_index.setdefault(head, len(head_index))] * (len(sentences) or 1))
        if sentences:
            span_starts.extend([at + a for a, _ in sentences])
            span_ends.extend([at + b for _, b in sentences])
        else:
            span_starts.append(at)
            span_ends.append(at)
        pieces.append(text)
        at += len(text) + 1
    for head in head_index:
        span_starts.append(at)
        span_ends.append(at + len(head))
        pieces.append(head)
        at += len(head) + 1
    return (_Spans("\x00".join(pieces), span_starts, span_ends, compiled=compiled),
            np.array(firsts, dtype=np.int64), np.array(head_of, dtype=np.int64))


# An exception sentence (但是，经过处理无法识别特定个人的除外。): the case it names is not the rule's
_EXCEPTION = re.compile(r"[\s（(]*但(?:是)?[，,]?[^。；]*除外")
EXCEPTION_SHARE = 0.5


def _discount_exceptions(found: np.ndarray, spans: "_Spans", n_rows: int) -> np.ndarray | None:
    """A question word said only in a rule's exception sentence (但是…除外) counts
    ``EXCEPTION_SHARE`` of itself there: 要经过本人同意吗 is not answered by 但是，经过处理…的除外
    (in place, on the first ``n_rows`` spans: the candidates' sentences). Returns ``found``
    as it was when a sentence was discounted, else None."""
    if not found.size:
        return None
    text, before = spans.text, None
    for at in np.flatnonzero(spans.containing("除外")[:n_rows]).tolist():
        if _EXCEPTION.match(text, spans.starts[at], spans.ends[at]) and found[at].any():
            if before is None:
                before = found.copy()
            found[at] *= EXCEPTION_SHARE
    return before


def _windows(found: np.ndarray, n_rows: int, head_of: np.ndarray, starts: np.ndarray,
             weights: np.ndarray, pair_discount: float, *, compiled: bool = True
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The rerank's sentence arithmetic on ``found`` (spans × units: the first ``n_rows``
    spans the candidates' sentences, ``starts`` each candidate's first, the rest headings,
    ``head_of`` each sentence's): per sentence its own cover (its units' weights); per
    candidate its best sentence (the first of the best, its heading's units counting too), the
    best one- or two-sentence window (a pair counts ``pair_discount``; pairs across candidates
    never count), the units it says anywhere and the share of the question they cover. The
    maxima in one compiled pass when ``knowledge._bm25`` is built; the weighted sums are
    numpy's either way (the same doubles: ``tests/test_compiled.py``)."""
    own = found[:n_rows]
    own_cover = own @ weights
    if compiled and _bm25 is not None and weights.size:
        matches = np.empty((n_rows, weights.size))
        pairs = np.empty((n_rows - 1, weights.size))
        _bm25.spread(found, n_rows, head_of, matches, pairs)
        best = np.empty(len(starts), dtype=np.int64)
        window = np.empty(len(starts))
        found_units = np.empty((len(starts), weights.size))
        _bm25.windows(matches @ weights, pairs @ weights, pair_discount, starts, matches,
                      best, window, found_units)
        return own_cover, best, window, found_units, found_units @ weights
    matches = np.maximum(own, found[n_rows:][head_of])
    cover = matches @ weights
    best_cover = np.maximum.reduceat(cover, starts)
    ends = np.append(starts[1:], n_rows)
    is_best = np.flatnonzero(cover == np.repeat(best_cover, ends - starts))
    best = is_best[np.searchsorted(is_best, starts)]
    pair = np.full(n_rows, -np.inf)
    pair[:-1] = np.maximum(matches[:-1], matches[1:]) @ weights * pair_discount
    pair[ends - 1] = -np.inf
    window = np.maximum(best_cover, np.maximum.reduceat(pair, starts))
    found_units = np.maximum.reduceat(matches, starts, axis=0) if weights.size else \
        np.zeros((len(starts), 0))
    coverage = found_units @ weights if weights.size else np.zeros(len(starts))
    return own_cover, best, window, found_units, coverage


# A range a rule states (3天以上10天以内, 1年以上不满10年, 五日至十日, 已满1年不满10年): its
# bounds and their measures
_NUMERAL = r"(\d+|[一二三四五六七八九十百两]+)"
_MEASURE = r"(个工作日|工作日|个月|月|日|天|年|周|小时|元|万元)"
_RANGE = re.compile(_NUMERAL + _MEASURE + r"(以上|至|到|(?=不满|不足|未满))(?:不满|不足|未满|不超过)?"
                    + _NUMERAL + _MEASURE)
_MEASURES = {"个工作日": "工作日", "工作日": "工作日", "个月": "月", "月": "月", "日": "日",
             "天": "日", "年": "年", "周": "周", "小时": "小时", "元": "元", "万元": "万元"}
# … and one bound (10天以上的, 3日以内; not the first bound of a range)
_BOUND = re.compile(_NUMERAL + _MEASURE + r"(以上|以下|以内|之内)(?!不满|不足|未满|不超过|\d|[一二三四五六七八九十])")
_SPELLINGS: dict[str, tuple[str, ...]] = {}
for _spelled, _measure in _MEASURES.items():
    _SPELLINGS[_measure] = (*_SPELLINGS.get(_measure, ()), _spelled)
_RANGE_MARKS = ("以上", "以下", "以内", "之内", "至", "到", "不满", "不足", "未满")
_RANGE_NEEDLES = {measure: tuple(spelled + mark for spelled in spellings for mark in _RANGE_MARKS)
                  for measure, spellings in _SPELLINGS.items()}
_RANGE_BEFORE, _RANGE_AFTER = 14, 32     # a range's characters around its measure and mark
_ASKED_MEASURED = re.compile(r"(\d+)" + _MEASURE)


def measured_numbers(question: str) -> dict[str, str]:
    """The question's numbers said with a measure (请5天事假 → {"5": "日"})."""
    return {number: _MEASURES[measure] for number, measure in _ASKED_MEASURED.findall(question)}


def _bounds_hold(low: str, high: str, value: int) -> bool:
    a, b = chinese_number(low), chinese_number(high)
    return a is not None and b is not None and a <= value <= b


def _bound_holds(number: str, side: str, value: int) -> bool:
    bound = chinese_number(number)
    return bound is not None and (value >= bound if side == "以上" else value <= bound)


class _Spans:
    """Many text spans searched at once: the texts joined, each needle found with ``str.find``.

    ``Unit.match`` on every span × unit (the rerank's sentences × the question's words) called
    Python code span by span; here each spelling is looked for once in the joined text and its
    occurrences are mapped to the spans that contain them whole.
    """

    def __init__(self, text: str, starts: Sequence[int] | np.ndarray,
                 ends: Sequence[int] | np.ndarray, *, compiled: bool = True) -> None:
        self.text = text
        self.bounds = (np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64))
        self.n = len(self.bounds[0])
        self._found: dict[str, np.ndarray] = {}
        # the same loops compiled (knowledge/_bm25.c); compiled=False: the Python path
        self._compiled = _bm25 if compiled else None

    @cached_property
    def starts(self) -> list[int]:
        return self.bounds[0].tolist()

    @cached_property
    def ends(self) -> list[int]:
        return self.bounds[1].tolist()

    def containing(self, needle: str) -> np.ndarray:
        """Boolean per span: ``needle in span`` (a number as a whole number: see
        :meth:`containing_number`)."""
        found = self._found.get(needle)
        if found is not None:
            return found
        if needle.isascii() and needle.isdigit():
            found = self._found[needle] = self.containing_number(needle)
            return found
        if self._compiled is not None:
            found = self._found[needle] = np.zeros(self.n, dtype=bool)
            self._compiled.containing(self.text, *self.bounds, needle, found)
            return found
        found = self._found[needle] = self.containing_in_python(needle)
        return found

    def containing_number(self, number: str) -> np.ndarray:
        """Boolean per span: it says ``number`` as a whole number, not inside a longer one (5 is
        not said by 15天 nor by 50元, 3 not by 2023年)."""
        found = np.zeros(self.n, dtype=bool)
        for match in number_pattern(number).finditer(self.text):
            i = bisect_right(self.starts, match.start()) - 1
            if i >= 0 and match.end() <= self.ends[i]:
                found[i] = True
        return found

    def holding(self, value: int, measure: str) -> np.ndarray:
        """Boolean per span: it states a range in ``measure`` holding ``value`` (5 日 is held by
        3天以上10天以内, 1年以上不满10年 holds 5 年)."""
        found = np.zeros(self.n, dtype=bool)
        text, places = self.text, []
        for needle in _RANGE_NEEDLES[measure]:    # (a plain search first: most texts say none)
            at = text.find(needle)
            while at >= 0:
                places.append(at)
                at = text.find(needle, at + 1)
        held = []
        for at in sorted(set(places)):   # the ranges and bounds around each, not the whole text
            a, b = max(0, at - _RANGE_BEFORE), at + _RANGE_AFTER
            ranges = list(_RANGE.finditer(text, a, b))
            held += [m for m in ranges
                     if _MEASURES[m.group(2)] == measure == _MEASURES[m.group(5)]
                     and _bounds_hold(m.group(1), m.group(4), value)]
            held += [m for m in _BOUND.finditer(text, a, b) if _MEASURES[m.group(2)] == measure
                     and _bound_holds(m.group(1), m.group(3), value)   # (not a range's end)
                     and not any(r.start() < m.end() and m.start() < r.end() for r in ranges)]
        for m in held:
            i = bisect_right(self.starts, m.start()) - 1
            if i >= 0 and m.end() <= self.ends[i]:
                found[i] = True
        return found

    def containing_in_python(self, needle: str) -> np.ndarray:
        """:meth:`containing` without the compiled loop."""
        starts, ends, size, find = self.starts, self.ends, len(needle), self.text.find
        spans: list[int] = []
        pos = find(needle) if size else -1
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            end = ends[i] if i >= 0 else -1         # (before the first span: in none)
            if pos + size <= end:
                spans.append(i)
                pos = find(needle, end)             # the next span
            else:                                   # across the separator after span i
                pos = find(needle, pos + 1)
        found = np.zeros(self.n, dtype=bool)
        found[spans] = True
        return found

    def matrix(self, units: Sequence[Unit]) -> np.ndarray:
        """Spans × units: ``found[:, j] = match(units[j])``, in one compiled call when
        ``knowledge._bm25`` is built (the same doubles: ``tests/test_compiled.py``)."""
        if self._compiled is None:
            found = np.zeros((self.n, len(units)))
            for j, unit in enumerate(units):
                found[:, j] = self.match(unit)
            return found
        found = np.empty((self.n, len(units)))
        self._compiled.matrix(self.text, *self.bounds, [
            (u.text, u.alternatives, u.parts, u.alternative_parts, u.grams) for u in units], found)
        return found

    def match(self, unit: Unit) -> np.ndarray:
        """``[unit.match(span) for span in spans]`` (see :meth:`Unit.match`)."""
        exact = self.containing(unit.text)
        if not unit.alternatives and not unit.parts and len(unit.grams) < 2 and \
                not unit.alternative_parts:
            return exact  # (most words: found or not)
        score = np.where(exact, 1.0, 0.0)
        for alternative in unit.alternatives:
            score = np.maximum(score, np.where(self.containing(alternative), 0.9, 0.0))
        if unit.parts:
            count = np.zeros(self.n)
            for part in unit.parts:
                count += self.containing(part)
            score = np.maximum(score, np.where(count == len(unit.parts), 0.85,
                                               0.7 * count / len(unit.parts)))
        for parts in unit.alternative_parts:  # a phrase alternative's words, not side by side
            has = self.containing(parts[0])
            for part in parts[1:]:
                has = has & self.containing(part)
            score = np.maximum(score, np.where(has, 0.8, 0.0))
        if len(unit.grams) >= 2:
            count = np.zeros(self.n)
            for options in unit.grams:
                has = self.containing(options[0])
                for other in options[1:]:
                    has = has | self.containing(other)
                count += has
            score = np.maximum(score, 0.7 * count / len(unit.grams))
        return score
