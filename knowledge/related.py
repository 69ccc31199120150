"""另见 (see also): other documents that answer the same words as the answer.

A law and its implementing regulation, or two laws that state one duty (数据安全法 and 网络安全法
on reporting a breach), answer the same question in the same words. The article that answers best
stays the answer; the best article of each *other* document whose hit is nearly as strong and
covers as much of the question is offered beside it as 另见, not as a competing answer. A
document whose title names the answer's document (…实施条例, …实施细则 of a law) is related by
name and offered at a lower bar.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .rank import Ranked
from .store import ParagraphRow

__all__ = ["related_by_title", "see_also"]

_NATIONAL = re.compile(r"^中华人民共和国")
_DERIVED = re.compile(r"(实施条例|实施细则|实施办法|实施意见|若干规定|暂行规定|暂行办法|"
                      r"暂行条例|条例|细则|办法|规定|解释)$")


def _stem(title: str) -> str:
    title = _NATIONAL.sub("", title.strip())
    return _DERIVED.sub("", title) or title


def related_by_title(a: str, b: str) -> bool:
    """Does one title name the other's subject (档案法 / 档案法实施条例; 失业保险条例 / 失业保险
    金申领办法)? Stems of three characters or more only: 办法 and 规定 relate nothing."""
    sa, sb = _stem(a), _stem(b)
    if a == b or min(len(sa), len(sb)) < 3:
        return False
    return sa in b or sb in a


def see_also(ranked: Sequence[Ranked], rows: Sequence[ParagraphRow], *, strength: float,
             ratio: float = 0.8, related_ratio: float = 0.6, cover: float = 1.0,
             limit: int = 2) -> list[Ranked]:
    """The best article of up to ``limit`` other documents, in rank order: its final score is
    at least ``ratio`` of the answer's and it covers at least ``strength`` of the question and
    ``cover`` times what the answer covers (``related_ratio`` for both, for a document related by
    title)."""
    if not ranked:
        return []
    best = ranked[0]
    best_row = rows[best.row]
    seen = {best_row.doc_id}
    out: list[Ranked] = []
    for item in ranked[1:]:
        row = rows[item.row]
        if row.doc_id in seen:
            continue
        related = related_by_title(best_row.title, row.title)
        bar = related_ratio if related else ratio
        if (item.final >= bar * best.final and item.strength >= strength
                and item.strength >= (related_ratio if related else cover) * best.strength):
            seen.add(row.doc_id)
            out.append(item)
            if len(out) == limit:
                break
    return out
