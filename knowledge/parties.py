"""The two sides a document's rules bind, in the document's own words (issue 16, party14).

Staff name the sides in everyday words (公司, 单位, 老板, 厂里; 员工, 工人); each statute names
them its own way (劳动合同法 用人单位 / 劳动者, 安全生产法 生产经营单位 / 从业人员, 社会保险费征缴
暂行条例 缴费单位 / 职工), and a handbook 公司 / 员工. Mapping an everyday word to one law's term
in the thesaurus lifts that law over every other for every company question, so the mapping is
read per document instead: a document's **employer term** is the term of :data:`EMPLOYER_TERMS`
its sentences most often make the subject of a duty (…应当 / 必须 / 不得 / 可以), its **worker
term** the term of :data:`WORKER_TERMS` it says most. A question word on the same side (the word
itself or one of its thesaurus alternatives is a term of that side) then counts as said, in the
rerank's coverage, by a sentence of that document saying the document's term and most of the
question's other words (``SearchConfig.party_said`` / ``party_rest``) — and by no other
document's sentence (the BM25 search is untouched).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

# The ways rules name the employing side and the working side, the longest first (生产经营单位
# before 单位). A small written list, not learned: which one a document uses is learned.
EMPLOYER_TERMS = ("生产经营单位", "用人单位", "用工单位", "缴费单位", "企业", "公司", "单位")
WORKER_TERMS = ("被派遣劳动者", "从业人员", "劳动者", "职工", "员工")
# How often a term must be the subject of a duty (employer) or be said (worker) to be the
# document's own: one stray mention does not name a document's party.
EMPLOYER_MIN = 3
WORKER_MIN = 3

# (the subject opening a clause: not 被审计单位应当, 预算单位应当, whose 单位 is no employer)
_EMPLOYER_DUTY = re.compile(r"(?:^|(?<=[，。；：,;:\s]))(" + "|".join(EMPLOYER_TERMS)
                            + ")(?:应当|必须|不得|可以|应|须)")
_WORKER = re.compile("|".join(WORKER_TERMS))


@dataclass(frozen=True)
class Parties:
    """A document's own names of the two sides (``""`` when it names none often enough)."""

    employer: str = ""
    worker: str = ""

    def of_side(self, side: str) -> str:
        return self.employer if side == "employer" else self.worker


NONE = Parties()


def read_parties(texts: Iterable[str]) -> Parties:
    """The employer and worker terms of a document made of ``texts`` (its normalised
    paragraphs)."""
    employer: dict[str, int] = {}
    worker: dict[str, int] = {}
    for text in texts:
        for found in _EMPLOYER_DUTY.finditer(text):
            employer[found.group(1)] = employer.get(found.group(1), 0) + 1
        for found in _WORKER.finditer(text):
            worker[found.group(0)] = worker.get(found.group(0), 0) + 1
    best_employer = max(employer.items(), key=lambda kv: kv[1], default=("", 0))
    best_worker = max(worker.items(), key=lambda kv: kv[1], default=("", 0))
    return Parties(best_employer[0] if best_employer[1] >= EMPLOYER_MIN else "",
                   best_worker[0] if best_worker[1] >= WORKER_MIN else "")


def side_of(text: str, alternatives: Iterable[str]) -> str:
    """``"employer"`` or ``"worker"`` when a question word (its ``text`` or a thesaurus
    alternative) names that side (公司 → 用人单位; 工人 → 劳动者), else ``""``."""
    words = (text, *alternatives)
    if any(w in EMPLOYER_TERMS for w in words):
        return "employer"
    if any(w in WORKER_TERMS for w in words):
        return "worker"
    return ""

