"""The excerpt of a hit: the part of a paragraph a person reads to get the answer.

A table row (``header：value；…``) is shown whole, or its first cell (what the row is about) with
the cells that match when it is long. For ordinary text, the one to three consecutive sentences that cover the question best (cut to
a window where the question's words are densest when they run long). For a list unit (a lead-in
ending in ：and its items, one a line; see :mod:`knowledge.sections`), the lead-in and the items
that match the question — or every item when the question asks for the list (哪些, 包括…) — so an
answer never stops at ``…如下：``. An FAQ pair's answer is shown whole. A statute article's
paragraphs (its 款) are one unit (:func:`article_excerpt`): an article short enough to read at a
glance is shown whole, and a longer one adds to its best paragraph's excerpt the sentence of
another paragraph that says the kind of answer asked when the best does not. Highlights are
[start, end) spans of matched words in the excerpt.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .text import CLAUSE_BREAKS, SENTENCE_ENDS, number_pattern

__all__ = ["Excerpt", "make_excerpt", "excerpt_span", "asks_for_list", "find_spans",
           "looks_like_record", "article_excerpt", "ArticlePart"]

_CLAUSE = re.compile(f"[{re.escape(CLAUSE_BREAKS)}]")
# Question forms that ask for an enumeration: the whole list is the answer.
_LIST_QUESTION = re.compile(r"哪些|哪几|哪一些|几种|几类|几项|有什么|有哪|包括|包含|什么情况|范围|条件|列举"
                            r"|which|what are")
# A list excerpt may run longer than a sentence excerpt: the items are the answer.
LIST_FACTOR = 2
MATCHING_SHARE = 0.75
# An article up to this many times the excerpt's length is shown whole (one paragraph or
# several): a rule and its exception, the unit's date and the department's (3月31日前; 1月31日前)
# read together — the answer is often in the part the question's words did not pick.
ARTICLE_FACTOR = 1.5


@dataclass(frozen=True)
class Excerpt:
    text: str
    highlights: tuple[tuple[int, int], ...]


def asks_for_list(question: str) -> bool:
    """True when the question asks for an enumeration (哪些材料, 包括什么, 什么情况下…)."""
    return bool(_LIST_QUESTION.search(question.lower()))


def make_excerpt(text: str, norm: str, sentences: Sequence[tuple[int, int]],
                 covers: Sequence[float], terms: Sequence[str], limit: int = 160, *,
                 is_list: bool = False, wants_list: bool = False, is_row: bool = False,
                 whole: bool = False, yes_no: bool = False) -> Excerpt:
    """The excerpt of ``text`` (``norm`` is its normalised form, offsets aligned) for a question
    whose per-sentence coverage is ``covers`` and whose highlight words are ``terms``; ``whole``:
    all of it (an FAQ pair's answer is the reply, however long). ``yes_no``: the question asks
    whether a thing may be done (能买一等座吗): a list that fits is shown with every item — who
    may (院领导…一等座) and who may not (其他人员…二等座) are the answer together."""
    if whole or (yes_no and is_list and len(text) <= limit * ARTICLE_FACTOR):
        return Excerpt(text, tuple(find_spans(norm, terms)))
    if is_list and "\n" in text:
        return _list_excerpt(text, norm, sentences, covers, terms, limit, wants_list)
    if is_row or looks_like_record(text):
        return _row_excerpt(text, norm, terms, limit * 3 // 2)
    if sentences:
        start, end = excerpt_span(sentences, covers, limit)
    else:
        start, end = 0, len(text)
    prefix = suffix = ""
    if end - start > limit:
        start, end = dense_window(text, norm, start, end, terms, limit - 2)
        prefix = "…" if start > 0 and text[start - 1] not in SENTENCE_ENDS + "\n" else ""
        suffix = "…" if end < len(text) and text[end - 1] not in SENTENCE_ENDS else ""
    shift = len(prefix)
    highlights = tuple((a + shift, b + shift) for a, b in find_spans(norm[start:end], terms))
    return Excerpt(prefix + text[start:end] + suffix, highlights)


_FIELD = re.compile(r"^[^：；。]{1,20}：[^：；。]+$")


def looks_like_record(text: str) -> bool:
    """A line of three or more ``名称：值`` fields joined by ；, as a table row copied out as text."""
    fields = text.rstrip("；。").split("；")
    return len(fields) >= 3 and all(_FIELD.match(f.strip()) for f in fields)


def _row_excerpt(text: str, norm: str, terms: Sequence[str], limit: int) -> Excerpt:
    """A table row: whole when it fits, else its first cell and the cells with the question's
    words (a cell cut from its header means nothing)."""
    cells: list[tuple[int, int]] = []
    start = 0
    for end in [m.start() for m in re.finditer("；", text)] + [len(text)]:
        cells.append((start, end))
        start = end + 1
    if len(text) <= limit or len(cells) == 1:
        return Excerpt(text, tuple(find_spans(norm, terms)))
    keep = [0] + [i for i, (a, b) in enumerate(cells[1:], 1) if find_spans(norm[a:b], terms)]
    out, highlights, offset, previous = [], [], 0, -1
    for i in keep:
        if out:
            sep = "；" if i == previous + 1 else "；…；"
            out.append(sep)
            offset += len(sep)
        a, b = cells[i]
        out.append(text[a:b])
        highlights += [(x + offset, y + offset) for x, y in find_spans(norm[a:b], terms)]
        offset += b - a
        previous = i
    if previous < len(cells) - 1:
        out.append("；…")
    return Excerpt("".join(out), tuple(highlights))


def _list_excerpt(text: str, norm: str, sentences: Sequence[tuple[int, int]],
                  covers: Sequence[float], terms: Sequence[str], limit: int,
                  wants_list: bool) -> Excerpt:
    """Lead-in plus the matching items (all items when they fit or the question asks for them),
    with ``…`` where items are left out."""
    lines: list[tuple[int, int]] = []
    start = 0
    for end in [m.start() for m in re.finditer("\n", text)] + [len(text)]:
        lines.append((start, end))
        start = end + 1
    line_cover = [0.0] * len(lines)
    for (a, b), cover in zip(sentences, covers):
        for i, (s, e) in enumerate(lines):
            if s <= a < e or a <= s < b:
                line_cover[i] = max(line_cover[i], cover)
    budget = limit * LIST_FACTOR
    items = list(range(1, len(lines)))
    # The lead-in is shown: an item matters for what it says beyond it (消防安全重点单位…应当履行
    # 下列职责：, asked 重点单位要每天巡查吗, is answered by 实行每日防火巡查, not by the item
    # repeating 消防安全重点). When some items say a question word the lead-in does not, only
    # they are weighed.
    lead = {t for t in terms if t and t in norm[lines[0][0]:lines[0][1]]}
    adding = [i for i in items if line_cover[i] > 0 and any(
        t and t not in lead and t in norm[lines[i][0]:lines[i][1]] for t in terms)]
    if adding and lead:
        items_weighed = adding
    else:
        items_weighed = items
    best = max((line_cover[i] for i in items_weighed), default=0.0)
    # items about as relevant as the best one: an item sharing one word of three is not "matching"
    matching = [i for i in items_weighed
                if line_cover[i] > 0 and line_cover[i] >= best * MATCHING_SHARE]
    if wants_list or not matching:
        ranked = items                         # the list is the answer: items in order
    else:
        ranked = sorted(matching, key=lambda i: (-line_cover[i], i))
    chosen, used = [], lines[0][1] - lines[0][0]
    for i in ranked:
        size = lines[i][1] - lines[i][0] + 1
        if chosen and used + size > budget * (2 if wants_list else 1):
            continue
        chosen.append(i)
        used += size
    chosen.sort()
    pieces: list[tuple[int, int] | None] = [_lead_span(text, norm, lines[0], terms, limit)]
    previous = 0
    for i in chosen:
        if i > previous + 1:
            pieces.append(None)  # items left out
        pieces.append(lines[i])
        previous = i
    if previous < len(lines) - 1:
        pieces.append(None)
    out: list[str] = []
    highlights: list[tuple[int, int]] = []
    offset = 0
    for piece in pieces:
        if out:
            out.append("\n")
            offset += 1
        if piece is None:
            out.append("…")
            offset += 1
            continue
        a, b = piece
        prefix = "…" if a > 0 and text[a - 1] != "\n" else ""
        out.append(prefix + text[a:b])
        shift = offset + len(prefix)
        highlights += [(x + shift, y + shift) for x, y in find_spans(norm[a:b], terms)]
        offset += len(prefix) + b - a
    return Excerpt("".join(out), tuple(highlights))


def _lead_span(text: str, norm: str, line: tuple[int, int], terms: Sequence[str],
               limit: int) -> tuple[int, int]:
    """The lead-in line, or its last ``limit`` characters: the words just before ：say what
    the list is."""
    a, b = line
    if b - a <= limit:
        return a, b
    start = b - limit
    boundary = next((m.end() for m in _CLAUSE.finditer(text, start, start + 20)), start)
    return boundary, b


def excerpt_span(spans: Sequence[tuple[int, int]], covers: Sequence[float],
                 limit: int = 160) -> tuple[int, int]:
    """[start, end) of the one to three consecutive sentences that best cover the question.

    Starts from the best-covered sentence and grows towards the better-covered neighbour while
    the whole stays within ``limit``: answers often sit in the sentence after the one that
    repeats the question's words. A single sentence longer than ``limit`` is returned whole (the
    caller cuts it).
    """
    best = max(range(len(spans)), key=lambda i: (covers[i], -i))
    start, end = spans[best]
    left = right = best
    while right - left < 2 and end - start <= limit:
        options = []
        if right + 1 < len(spans) and spans[right + 1][1] - start <= limit:
            options.append((covers[right + 1] + 0.01, "right"))
        if left > 0 and end - spans[left - 1][0] <= limit:
            options.append((covers[left - 1], "left"))
        if not options:
            break
        if max(options)[1] == "right":
            right += 1
            end = spans[right][1]
        else:
            left -= 1
            start = spans[left][0]
    return start, end


def dense_window(text: str, norm: str, start: int, end: int, terms: Sequence[str],
                  width: int) -> tuple[int, int]:
    """The ``width``-character stretch of text[start:end] where ``terms`` are densest."""
    marks = np.zeros(end - start)
    for term in set(terms):
        pos = norm.find(term, start, end) if term else -1
        while pos != -1:
            marks[pos - start] += len(term)
            pos = norm.find(term, pos + 1, end)
    sums = np.convolve(marks, np.ones(width), mode="valid")
    offset = start + int(np.argmax(sums)) if sums.size else start
    # Start at a clause boundary when one is close, so the excerpt reads from a clause start.
    boundary = max((m.end() for m in _CLAUSE.finditer(text, max(start, offset - 20), offset + 1)),
                   default=offset)
    offset = boundary if boundary > start else offset
    return offset, min(end, offset + width)


def find_spans(norm: str, terms) -> list[tuple[int, int]]:
    """Merged [start, end) spans of ``norm`` where any of ``terms`` occurs."""
    found: list[tuple[int, int]] = []
    find = norm.find
    for term in terms:
        whole = number_pattern(term)
        if whole is not None:   # a number bold only where it is said whole (not the 5 of 15天)
            found += [m.span() for m in whole.finditer(norm)]
            continue
        pos = find(term) if term else -1
        size = len(term)
        while pos != -1:
            found.append((pos, pos + size))
            pos = find(term, pos + size)
    found.sort()
    merged: list[list[int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


@dataclass(frozen=True)
class ArticlePart:
    """One paragraph of an article, for :func:`article_excerpt`: its text, normalised text
    (offsets aligned) and sentence spans."""

    text: str
    norm: str
    sentences: Sequence[tuple[int, int]]
    is_list: bool = False       # a lead-in and its items (its excerpt: the items that match)


def article_excerpt(parts: Sequence[ArticlePart], at: int, own: Excerpt, terms: Sequence[str],
                    limit: int = 160, says: Callable[[str], bool] | None = None,
                    yes_no: bool = False) -> Excerpt:
    """The excerpt of a hit that is paragraph ``at`` of an article made of ``parts`` (its
    paragraphs in order, one or more; ``own``: the excerpt of that paragraph alone). The
    article is the unit a user reads: when the whole is at most ``limit`` ×
    :data:`ARTICLE_FACTOR` characters, it is shown whole — unless ``parts[at]`` is a list
    whose own excerpt leaves items out (the lead-in and the items that match are the answer
    then; asked ``yes_no``, every item is). Else, with ``says`` (does a normalised text say the
    kind of answer asked), when ``parts[at]`` does not say it and another paragraph of the
    article does, with one of the question's words, that paragraph's first sentence saying it
    joins the excerpt in the article's order — asked 最多能收多少, the excerpt of 退还…投标保证金
    alone lacks 不得超过…预算金额的2%, said in the paragraph before it."""
    if not parts:
        return own
    if sum(len(p.text) for p in parts) + len(parts) - 1 <= limit * ARTICLE_FACTOR \
            and (not parts[at].is_list or own.text == parts[at].text or yes_no):
        return Excerpt("\n".join(p.text for p in parts),
                       tuple(find_spans("\n".join(p.norm for p in parts), terms)))
    if len(parts) < 2 or says is None or says(parts[at].norm):
        return own
    order = sorted((j for j in range(len(parts)) if j != at), key=lambda j: (abs(j - at), j))
    other = next((j for j in order if says(parts[j].norm)
                  and any(t and t in parts[j].norm for t in terms)), None)
    if other is None:
        return own
    part = parts[other]
    spans = list(part.sentences) or [(0, len(part.text))]
    start, end = next(((a, b) for a, b in spans if says(part.norm[a:b])), spans[0])
    if end - start > limit:
        start, end = dense_window(part.text, part.norm, start, end, terms, limit - 2)
    prefix = "…" if start > 0 and part.text[start - 1] not in SENTENCE_ENDS + "\n" else ""
    suffix = "…" if end < len(part.text) and part.text[end - 1] not in SENTENCE_ENDS else ""
    piece = prefix + part.text[start:end] + suffix
    marks = tuple((a + len(prefix), b + len(prefix))
                  for a, b in find_spans(part.norm[start:end], terms))
    if other < at:
        shift = len(piece) + 1
        return Excerpt(piece + "\n" + own.text,
                       marks + tuple((a + shift, b + shift) for a, b in own.highlights))
    shift = len(own.text) + 1
    return Excerpt(own.text + "\n" + piece,
                   own.highlights + tuple((a + shift, b + shift) for a, b in marks))
