"""Taught questions (issue 11): how fast a taught question is answered word for word, and where
a close paraphrase ends.

    .venv/bin/python bench/bench_taught.py [--taught 300] [--asks 200] [--docs PATH] [--json]
    .venv/bin/python bench/bench_taught.py --pairs      # the paraphrase threshold, measured

Timing: a knowledge base of the seeds (or ``--docs``: e.g. ``bench/realdocs/build/txt``, 30
documents) in a temp folder, a few hundred taught questions (questions
of ``../shared/eval/stard-dev`` and ``bench/realdocs/questions.jsonl``, each taught a seed
paragraph or, every third, a written answer) and as many 👍/👎 votes; then ``--asks`` taught
questions asked word for word through :class:`knowledge.Answerer` — the bot's path: search and
log — in this process (inline on the event loop, the index current) and through the search
process. Printed: p50 / p95 / max ms of the whole ``await answerer.ask(...)`` and of the search
alone (``Asked.ms``), and how many came back as the taught answer with status "answer". Goal:
< 50 ms.

``--pairs``: every pair of the real-file questions (``bench/realdocs/questions.jsonl``, over the
knowledge base of ``bench/realdocs/build/txt``): how many pairs asking about the same article and
how many asking about different ones reach each similarity (:func:`knowledge.teach.similarity`).
A pair about different articles above the threshold would be a wrong taught answer.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import Answerer, KnowledgeBase, SearchWorker, can_fork  # noqa: E402
from knowledge.teach import PARAPHRASE, question_norm, similarity  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
REALDOCS = ROOT / "bench" / "realdocs"


def _questions(limit: int) -> list[str]:
    texts: list[str] = []
    for path in (REALDOCS / "questions.jsonl", SHARED / "stard-dev" / "questions.jsonl"):
        if path.is_file():
            texts += [json.loads(line)["question"] for line in path.open(encoding="utf-8")]
    unique = list({question_norm(q): q for q in texts if question_norm(q)}.values())
    if len(unique) < limit:
        unique += [f"第{i}号内部问题怎么办理" for i in range(limit - len(unique))]
    return unique[:limit]


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 2),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 2),
            "max": round(ordered[-1], 2)}


async def _time(answerer: Answerer, questions: list[str]) -> dict:
    total, search, direct = [], [], 0
    for question in questions:
        started = time.perf_counter()
        asked = await answerer.ask(question, 3, chat_kind="private")
        total.append((time.perf_counter() - started) * 1000)
        search.append(asked.ms)
        best = asked.answer.best
        direct += asked.answer.status == "answer" and best is not None and best.kind == "taught"
    return {"ask_ms": _percentiles(total), "search_ms": _percentiles(search),
            "answered_taught": f"{direct}/{len(questions)}"}


async def timing(n_taught: int, asks: int, docs: Path) -> dict:
    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(Path(tmp) / "kb.db") as kb:
        kb.ingest([docs])
        refs = [row.paragraph.ref for row in kb.store.load_rows()]
        questions = _questions(n_taught)
        rng = random.Random(11)
        started = time.perf_counter()
        for i, question in enumerate(questions):
            if i % 3 == 2:
                kb.teach(question, answer=f"请联系人事处（第{i}号答复）。", by="bench")
            else:
                kb.teach(question, ref=refs[i % len(refs)], by="bench")
            kb.vote(question, rng.choice(refs), rng.choice((1, -1)), voter=str(i))
        teach_s = time.perf_counter() - started
        sample = [rng.choice(questions) for _ in range(asks)]
        kb.warm_up()
        result = {"paragraphs": len(refs), "taught": len(questions), "votes": len(questions),
                  "teach_and_vote_ms_each": round(teach_s * 1000 / len(questions), 2)}
        answerer = Answerer(kb)
        await answerer.ask(sample[0], 3, log=False)        # the first reads what was taught
        result["in_process"] = await _time(answerer, sample)
        if can_fork():
            worker = SearchWorker.fork(kb)
            try:
                answerer = Answerer(kb, worker=worker)
                await answerer.ask(sample[0], 3, log=False)
                result["search_process"] = await _time(answerer, sample)
            finally:
                await worker.close()
        return result


def pairs() -> dict:
    build = REALDOCS / "build" / "txt"
    if not build.is_dir():
        sys.exit(f"no {build}: run bench/realdocs/render.py first")
    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(Path(tmp) / "kb.db") as kb:
        kb.ingest([build])
        searcher = kb.searcher
        rows = [json.loads(line) for line in (REALDOCS / "questions.jsonl").open(encoding="utf-8")]
        rows = [r for r in rows if r.get("article")]
        analysed = [(question_norm(r["question"]), searcher.analyse(r["question"])) for r in rows]
        same: list[tuple[float, str, str]] = []
        other: list[tuple[float, str, str]] = []
        for (a, qa), (b, qb) in itertools.combinations(zip(rows, analysed), 2):
            score = similarity(qa[0], qa[1], qb[0], qb[1])
            pair = (round(score, 3), a["question"], b["question"])
            (same if (a["doc"], a["article"]) == (b["doc"], b["article"]) else other).append(pair)
    thresholds = (0.6, 0.7, 0.75, 0.8, 0.85, 0.9)
    return {"questions": len(rows), "same_article_pairs": len(same),
            "other_article_pairs": len(other), "threshold": PARAPHRASE,
            "reaching": {str(t): {"same": sum(s >= t for s, _, _ in same),
                                  "other": sum(s >= t for s, _, _ in other)}
                         for t in thresholds},
            "closest_other": sorted(other, reverse=True)[:5],
            "closest_same": sorted(same, reverse=True)[:8]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--taught", type=int, default=300, help="taught questions (and votes)")
    parser.add_argument("--asks", type=int, default=200, help="taught questions asked")
    parser.add_argument("--docs", type=Path, default=ROOT / "seeds",
                        help="the documents (default: the seeds)")
    parser.add_argument("--pairs", action="store_true", help="measure the paraphrase threshold")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = pairs() if args.pairs else asyncio.run(timing(args.taught, args.asks, args.docs))
    if args.json or args.pairs:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    print(f"{result['paragraphs']} paragraphs, {result['taught']} taught questions, "
          f"{result['votes']} votes ({result['teach_and_vote_ms_each']} ms to teach and vote each)")
    for where in ("in_process", "search_process"):
        if where in result:
            r = result[where]
            print(f"{where:>15}: ask p50 {r['ask_ms']['p50']} ms  p95 {r['ask_ms']['p95']} ms  "
                  f"max {r['ask_ms']['max']} ms | search p50 {r['search_ms']['p50']} ms  "
                  f"p95 {r['search_ms']['p95']} ms | answered as taught "
                  f"{r['answered_taught']}")


if __name__ == "__main__":
    main()
