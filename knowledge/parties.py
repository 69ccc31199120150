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


# Who ends the employment (issue 11, session 24). Staff say who ends it in the verb itself —
# 辞退, 开除, 炒, 裁 are the employer's act; 辞职, 不干了, 跳槽 the worker's — while the rules
# say 解除劳动合同 for both and name the side that does it: 劳动者提前三十日…可以解除 (the
# worker's notice) beside 用人单位…可以解除 (a dismissal) and 用人单位不得解除 (a ban on one).
# The thesaurus maps both verbs to 解除劳动合同 and loses the side; :func:`ender_asked` reads
# it from the question and :func:`enders` from a paragraph, so that the rerank can put a rule
# on the other side's ending below one on the asked side's.
_BY_EMPLOYER = re.compile("辞退|开除|解雇|炒鱿鱼|被炒|炒了我|把我炒|裁员|裁掉|裁人|被裁|不要我了|劝退")
_BY_WORKER = re.compile("辞职|辞工|裸辞|不干了|不想干了|跳槽|主动离职|自己离职|提离职|我要走|想走人")
_ENDS = "解除"
_ENDER_SIDES = (("employer", ("用人单位", "用工单位", "公司", "单位", "企业")),
                ("worker", ("被派遣劳动者", "劳动者", "职工", "员工")))
_WHEN_ENDED = re.compile(r"在[^，,]{0,8}解除[^，,]*时")
_CLAUSE_OPEN = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、|\d+[.、．])?"
                          r"(?:但|但是|并且|或者|且|并|如果|凡)?")


def ender_asked(question: str) -> str:
    """``"employer"`` or ``"worker"``: the side a question's verb says ends the employment
    (公司可以随便辞退人吗 → employer; 我可以辞职吗 → worker); ``""`` when it says neither or
    both."""
    employer = _BY_EMPLOYER.search(question) is not None
    worker = _BY_WORKER.search(question) is not None
    return "" if employer == worker else ("employer" if employer else "worker")


def _opening_sides(clause: str) -> tuple[str, ...]:
    """The side opening ``clause`` (after an item's number or a conjunction), both where it
    opens with the two together (用人单位与劳动者协商一致)."""
    clause = clause[_CLAUSE_OPEN.match(clause).end():]
    for side, terms in _ENDER_SIDES:
        term = next((t for t in terms if clause.startswith(t)), "")
        if term:
            rest = clause[len(term):]
            if rest[:1] in ("与", "和", "同") and any(
                    rest[1:].startswith(other) for _, others in _ENDER_SIDES for other in others):
                return ("employer", "worker")
            return (side,)
    return ()


def enders(text: str) -> frozenset[str]:
    """The sides a paragraph's sentences have end the employment (…解除劳动合同): the side
    opening the clause that says 解除, or, where that clause opens with none (…，可以解除劳动
    合同), the nearest clause before it in the sentence that opens with one (劳动者提前三十日
    以书面形式通知用人单位，可以解除 → worker). Empty when it says no 解除 or names no side."""
    if _ENDS not in text:
        return frozenset()
    sides: set[str] = set()
    for sentence in re.split(r"[。；;\n]", text):
        if _ENDS not in sentence:
            continue
        clauses = re.split(r"[，,：:]", sentence)
        for at, clause in enumerate(clauses):
            # (not a time: 用人单位应当在解除或者终止劳动合同时出具…证明 binds the employer
            # whoever ended it)
            if _ENDS not in clause or _WHEN_ENDED.search(clause):
                continue
            sides.update(next((s for c in reversed(clauses[:at + 1])
                               if (s := _opening_sides(c))), ()))
    return frozenset(sides)
