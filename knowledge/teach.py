"""What admins and staff taught, as a search sees it: taught questions and 👍/👎 votes.

A :class:`Teaching` is a snapshot of the ``taught`` and ``votes`` tables (the knowledge base reads
it again whenever ``meta.teaching_generation`` moves, in the bot's process and in the search
process alike). :func:`match` finds, for one analysed question, the taught question it repeats
(same :func:`question_norm`) or closely paraphrases (:func:`similarity` ≥ :data:`PARAPHRASE`)
or, with a sentence model, asks in other words (:class:`SameMeaning`), and the votes cast on its
paragraphs for it and its close paraphrases. :func:`vote_factor` turns a pair's net vote into a
bounded multiplier of its final score. :func:`open_questions` says which
logged questions are still for the admins to teach (``/unanswered``).

Pure: no SQL here, and nothing about how a hit is made (:mod:`.search` does that).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from .model import UnansweredQuestion
from .normalize import normalize
from .query import Query

__all__ = ["ANSWER_SIMILARITY", "PARAPHRASE", "Match", "SameMeaning", "TaughtEntry", "Teaching",
           "faq_key", "match", "open_questions",
           "question_norm", "similarity", "vote_factor"]

# Measured on the real-file questions (bench/bench_taught.py --pairs): two questions this similar
# are the same question in other words; below, they are often a different question on the same
# topic (年假有几天 / 病假有几天).
PARAPHRASE = 0.8
ANSWER_SIMILARITY = 0.9      # a paraphrase this close is answered confidently, not suggested
# A pair's net vote v moves its final score by the factor 1 + VOTE_WEIGHT · tanh(v / VOTE_SCALE):
# one 👎 ×0.86, three ×0.73, never below ×0.7 (one 👎 does not hide the only answer; a hundred
# 👍 lift a passage by 30 % at most, not above a clearly better one).
VOTE_WEIGHT = 0.3
VOTE_SCALE = 2.0
# How many stored questions are compared closely with each question (the nearest by characters).
_NEAREST = 8


def question_norm(text: str) -> str:
    """A question as taught questions and votes are keyed: :func:`normalize` (traditional →
    simplified, full width, case) without punctuation or spaces (``年假有几天？`` = ``年假 有几天``)."""
    return "".join(char for char in normalize(text) if char.isalnum())


def faq_key(question: str) -> str:
    """How an FAQ pair's question's vector is keyed among the question vectors (beside taught
    questions' norms, apart from them)."""
    return "faq:" + question_norm(question)


# /unanswered: a question last asked without an answer before one last answered with a 👎, before
# one last given suggestions, at the same count (an admin first teaches what found nothing).
_OPEN_ORDER = {"not_found": 0, "unhelpful": 1, "suggestions": 2}


def open_questions(asked: Sequence[tuple[str, str, int | None, str, int, int]],
                   taught: set[str], limit: int) -> list[UnansweredQuestion]:
    """The questions still for the admins to teach, the most often failed first. ``asked``:
    per question asked (:meth:`.store.Store.asked_questions`), its last asking's (question,
    status, feedback, asked_at), how many askings failed, the last asking's id; ``taught``: the
    taught questions' norms.

    Askings are one question when their :func:`question_norm` is (``年假有几天？`` and ``年假 有几天``).
    A question is open while it is not taught and its last asking was not a confident answer left
    without a 👎 (a document added since answers it: it leaves the list). Its count is its askings
    not answered confidently or voted 👎; its kind is the last asking's."""
    # (in the order of their last askings: a spelling's last asking replaces an earlier one's)
    merged: dict[str, tuple[tuple[str, str, int | None, str], int]] = {}
    for question, status, feedback, asked_at, failed, _ in sorted(asked, key=lambda a: a[5]):
        norm = question_norm(question)
        if norm and norm not in taught:
            earlier = merged.get(norm, ((), 0))[1]
            merged[norm] = ((question, status, feedback, asked_at), failed + earlier)
    found: list[UnansweredQuestion] = []
    for (question, status, feedback, asked_at), failed in merged.values():
        if not failed or status == "answer" and feedback != 0:
            continue
        kind = "unhelpful" if feedback == 0 else status
        found.append(UnansweredQuestion(question, failed, asked_at,
                                        kind if kind in _OPEN_ORDER else "not_found"))
    found.sort(key=lambda q: q.last_asked, reverse=True)
    found.sort(key=lambda q: (-q.count, _OPEN_ORDER[q.kind]))
    return found[:limit]


@dataclass(frozen=True)
class TaughtEntry:
    """One taught question as a search needs it."""

    id: int
    question: str
    norm: str
    ref: str          # "" for a written answer
    answer: str       # "" for a link
    date: str         # the day it was taught (a written answer is cited with it)
    vector: object = field(default=None, compare=False, repr=False)  # its meaning (or None)


@dataclass(frozen=True)
class Teaching:
    """Everything taught, at one ``teaching_generation``: taught questions and net votes, both
    by question norm."""

    generation: int = -1
    taught: dict[str, TaughtEntry] = field(default_factory=dict)
    votes: dict[str, dict[str, int]] = field(default_factory=dict)   # norm → ref → net vote

    def __post_init__(self) -> None:
        known = {**{norm: e.question for norm, e in self.taught.items()},
                 **{norm: norm for norm in self.votes if norm not in self.taught}}
        object.__setattr__(self, "_norms", list(known))
        object.__setattr__(self, "_questions", known)
        meant = [e for e in self.taught.values() if e.vector is not None]
        object.__setattr__(self, "_meant", (meant, np.stack([e.vector for e in meant])
                                            if meant else None))

    @property
    def empty(self) -> bool:
        return not self.taught and not self.votes

    def question(self, norm: str) -> str:
        """The text to analyse for a stored norm (the taught question as written)."""
        return self._questions[norm]

    def nearest(self, norm: str, limit: int = _NEAREST) -> list[str]:
        """The stored norms closest to ``norm`` by characters (candidates for :func:`similarity`)."""
        if not self._norms or not norm:
            return []
        found = process.extract(norm, self._norms, scorer=fuzz.ratio, limit=limit,
                                score_cutoff=30)
        return [choice for choice, _, _ in found if choice != norm]


@dataclass(frozen=True)
class Match:
    """What teaching says about one question: the taught question it repeats or paraphrases
    (``entry`` None: none), how similar (1.0: the same), and the net votes per ref (votes on
    close paraphrases count in proportion to their similarity)."""

    entry: TaughtEntry | None = None
    similarity: float = 0.0
    votes: dict[str, float] = field(default_factory=dict)
    paraphrases: tuple[tuple[str, float], ...] = ()    # (stored norm, similarity) ≥ PARAPHRASE
    meaning: float = 0.0      # the entry found by meaning: its cosine with the question

    @property
    def exact(self) -> bool:
        return self.entry is not None and self.similarity >= 1.0

    def to_json(self) -> dict:
        return {"taught": {"id": self.entry.id, "question": self.entry.question,
                           "similarity": round(self.similarity, 3),
                           **({"meaning": round(self.meaning, 3)} if self.meaning else {})}
                if self.entry else None,
                "paraphrases": [{"norm": n, "similarity": round(s, 3)}
                                for n, s in self.paraphrases],
                "votes": {ref: round(v, 3) for ref, v in self.votes.items()}}


def similarity(asked_norm: str, asked: Query, other_norm: str, other: Query) -> float:
    """How surely two questions are the same question (0–1): the mean of their characters'
    closeness (rapidfuzz ratio of the norms) and the share of each one's weighted content words
    the other contains (the smaller share: a question's every topic must be in the other)."""
    if asked_norm == other_norm:
        return 1.0
    characters = fuzz.ratio(asked_norm, other_norm) / 100
    words = min(asked.cover(other.normalized), other.cover(asked.normalized)) \
        if asked.units and other.units else 0.0
    return 0.5 * characters + 0.5 * words


def vote_factor(net: float) -> float:
    """The bounded multiplier of a (question, paragraph) pair's score for its net vote."""
    return 1.0 + VOTE_WEIGHT * math.tanh(net / VOTE_SCALE)


@dataclass(frozen=True)
class SameMeaning:
    """How a question is found to ask a taught one in other words, by meaning: the question's
    vector (asked for only when the words found no taught question), and the cosine with a
    taught question's vector from which they are the same question, leading the next taught
    question's by ``lead`` (the encoder's ``Judging.same_question``)."""

    vector: Callable[[], np.ndarray]
    at: float
    lead: float


def match(teaching: Teaching, norm: str, query: Query,
          analyse: Callable[[str], Query], meaning: SameMeaning | None = None) -> Match:
    """The taught question ``norm`` repeats or closely paraphrases, and the votes that apply.

    ``analyse`` turns a stored question into a :class:`Query` against the same index (the
    searcher caches them). ``meaning``: when the words find no taught question, one asked in
    other words is found by its meaning (its passage first, never a confident answer for it:
    :data:`PARAPHRASE` as its similarity)."""
    if teaching.empty or not norm:
        return Match()
    close: list[tuple[str, float]] = []
    if norm in teaching.taught or norm in teaching.votes:
        close.append((norm, 1.0))
    for other in teaching.nearest(norm):
        score = similarity(norm, query, other, analyse(teaching.question(other)))
        if score >= PARAPHRASE:
            close.append((other, score))
    close.sort(key=lambda pair: -pair[1])
    entry, score = next(((teaching.taught[n], s) for n, s in close if n in teaching.taught),
                        (None, 0.0))
    votes: dict[str, float] = {}
    for other, weight in close:
        for ref, net in teaching.votes.get(other, {}).items():
            votes[ref] = votes.get(ref, 0.0) + net * weight
    cosine = 0.0
    if entry is None and meaning is not None:
        entry, cosine = _same_meaning(teaching, meaning)
        score = PARAPHRASE if entry is not None else 0.0
    return Match(entry, score, votes, tuple(close), cosine)


def _same_meaning(teaching: Teaching, meaning: SameMeaning) -> tuple[TaughtEntry | None, float]:
    """The taught question the asked one means, and their cosine (None, 0.0: none close
    enough, or two taught questions alike in meaning)."""
    entries, vectors = teaching._meant       # (stacked once a snapshot)
    if not entries:
        return None, 0.0
    cosines = vectors @ meaning.vector()
    order = np.argsort(-cosines)
    best = float(cosines[order[0]])
    runner = float(cosines[order[1]]) if len(order) > 1 else -1.0
    if best >= meaning.at and best - runner >= meaning.lead:
        return entries[int(order[0])], best
    return None, 0.0
