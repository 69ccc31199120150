"""Measure retrieval on a question → passage set (the format of DRCD in ``shared/eval``).

``passages.jsonl``: ``{"id", "title", "text"}``; ``questions.jsonl``: ``{"qid", "question",
"gold": [passage id], "answer"?}``. A fresh knowledge base is built from the passages, each
question is asked once, and recall at 1/3/5, MRR@10, answer-in-excerpt@1 and latency come back.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from .kb import KnowledgeBase

__all__ = ["EvalResult", "evaluate", "read_questions"]


@dataclass(frozen=True)
class EvalResult:
    questions: int
    r_at_1: float
    r_at_3: float
    r_at_5: float
    mrr_at_10: float
    answer_in_excerpt_at_1: float | None
    mean_ms: float
    p95_ms: float
    statuses: dict[str, int]
    ingest_seconds: float
    meaning: str = ""          # the encoder that matched by meaning too ("": words only)

    def to_json(self) -> dict:
        data = asdict(self)
        return {"questions": self.questions, "r@1": self.r_at_1, "r@3": self.r_at_3,
                "r@5": self.r_at_5, "mrr@10": self.mrr_at_10,
                "answer_in_excerpt@1": self.answer_in_excerpt_at_1, "mean_ms": self.mean_ms,
                "p95_ms": self.p95_ms, "statuses": data["statuses"],
                "ingest_seconds": self.ingest_seconds, "meaning": self.meaning}

    def summary(self) -> str:
        aie = "n/a" if self.answer_in_excerpt_at_1 is None else f"{self.answer_in_excerpt_at_1:.3f}"
        return (f"questions {self.questions}  R@1 {self.r_at_1:.3f}  R@3 {self.r_at_3:.3f}  "
                f"R@5 {self.r_at_5:.3f}  MRR@10 {self.mrr_at_10:.3f}  answer-in-excerpt@1 {aie}  "
                f"mean {self.mean_ms:.2f} ms  p95 {self.p95_ms:.2f} ms  "
                f"statuses {self.statuses}  (ingest {self.ingest_seconds:.1f} s)"
                + (f"  meaning: {self.meaning}" if self.meaning else "  words only"))


def read_questions(path: str | Path) -> list[dict]:
    questions = []
    with open(path, encoding="utf-8-sig") as handle:
        for line in handle:
            line = line.strip()
            if line:
                record = json.loads(line)
                record["gold"] = [str(g) for g in record.get("gold", [])]
                questions.append(record)
    return questions


def evaluate(passages: str | Path, questions: str | Path | list[dict], *,
             kb: KnowledgeBase | None = None, limit: int | None = None,
             meaning=None) -> EvalResult:
    """Build a knowledge base from ``passages`` (unless ``kb`` is given; matching by
    ``meaning`` too, a setting or an encoder, see :func:`knowledge.meaning.choose`) and score
    the questions."""
    qs = read_questions(questions) if not isinstance(questions, list) else questions
    if limit:
        qs = qs[:limit]
    with tempfile.TemporaryDirectory() as tmp:
        own = kb is None
        kb = kb or KnowledgeBase(Path(tmp) / "eval.db", meaning=meaning)
        try:
            started = time.perf_counter()
            if own:
                kb.ingest([passages])
            kb.searcher  # build the in-memory index outside the timed questions
            ingest_seconds = time.perf_counter() - started
            return _score(kb, qs, ingest_seconds)
        finally:
            if own:
                kb.close()


def _score(kb: KnowledgeBase, questions: list[dict], ingest_seconds: float) -> EvalResult:
    ranks, times, in_excerpt = [], [], []
    statuses: dict[str, int] = {}
    searcher = kb.searcher
    for record in questions:
        started = time.perf_counter()
        answer = searcher.search(record["question"], k=10, keep_weak=True)
        times.append((time.perf_counter() - started) * 1000)
        statuses[answer.status] = statuses.get(answer.status, 0) + 1
        hits = answer.hits or _fallback_hits(searcher, record["question"])
        ids = [h.citation.source_id for h in hits]
        rank = next((i + 1 for i, pid in enumerate(ids) if pid in record["gold"]), None)
        ranks.append(rank)
        if record.get("answer"):
            ok = rank == 1 and _normal(record["answer"]) in _normal(hits[0].excerpt)
            in_excerpt.append(ok)
    n = len(questions) or 1

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / n

    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / n
    return EvalResult(
        questions=len(questions), r_at_1=recall(1), r_at_3=recall(3), r_at_5=recall(5),
        mrr_at_10=mrr,
        answer_in_excerpt_at_1=(sum(in_excerpt) / len(in_excerpt)) if in_excerpt else None,
        mean_ms=float(np.mean(times)) if times else 0.0,
        p95_ms=float(np.percentile(times, 95)) if times else 0.0,
        statuses=statuses, ingest_seconds=ingest_seconds,
        meaning=kb.meaning.name if kb.meaning is not None else "")


def _fallback_hits(searcher, question: str):
    """Ranking is measured even where the bot would say "not found" (hits are then withheld)."""
    from dataclasses import replace

    relaxed = replace(searcher.config, suggest_coverage=-1.0)
    saved = searcher.config
    searcher.config = relaxed
    try:
        return searcher.search(question, k=10, keep_weak=True).hits
    finally:
        searcher.config = saved


def _normal(text: str) -> str:
    from .normalize import normalize

    return normalize(text).replace(" ", "")
