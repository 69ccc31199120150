"""Audiences (issue 14): what restricting a search to an asker's audiences costs, and that it
leaks nothing.

    .venv/bin/python bench/bench_audiences.py [--docs bench/realdocs/build/txt] [--copies 4]
                                              [--asks 300] [--json]

A knowledge base of ``--docs`` ingested ``--copies`` times (each copy its own documents), every
document given a random audience (a third 全员, the rest one or two of four names; fixed seed);
then the real-file questions (``bench/realdocs/questions.jsonl``) asked through
:meth:`knowledge.Answerer.ask_now` without restriction, and as random people (a random set of 0–2
audience names). Printed: search p50 / p95 ms of each; the first search of a new audience set
(it builds that set's row mask) against the next ones (the mask is kept); how long an audience
change takes to be seen (``kb.set_audience`` then a search: no index rebuild); and the leaked
excerpts (hits of a document the asker may not read: must be 0).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import Answerer, KnowledgeBase  # noqa: E402
from knowledge.audiences import parse_audience, visible  # noqa: E402

NAMES = ("财务处", "人事处", "董事会", "后勤处")
REALDOCS = ROOT / "bench" / "realdocs"


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"p50": round(statistics.median(ordered), 3),
            "p95": round(ordered[int(0.95 * (len(ordered) - 1))], 3)}


def _questions(limit: int) -> list[str]:
    path = REALDOCS / "questions.jsonl"
    texts = [json.loads(line)["question"] for line in path.open(encoding="utf-8")]
    return [texts[i % len(texts)] for i in range(limit)]


def run(docs: Path, copies: int, asks: int) -> dict:
    rng = random.Random(14)
    with tempfile.TemporaryDirectory() as tmp:
        folders = []
        for n in range(copies):       # each copy its own files: its own documents
            folder = Path(tmp) / f"copy{n}"
            folder.mkdir()
            for path in sorted(docs.iterdir()):
                if path.is_file():
                    (folder / f"{n}-{path.name}").write_bytes(path.read_bytes())
            folders.append(folder)
        with KnowledgeBase(Path(tmp) / "kb.db") as kb:
            kb.ingest(folders)
            stored = {}
            for info in kb.documents():
                names = [] if rng.random() < 1 / 3 else rng.sample(NAMES, rng.randint(1, 2))
                stored[info.id] = parse_audience(names)
                kb.set_audience(str(info.id), stored[info.id])
            answerer = Answerer(kb)
            questions = _questions(asks)
            paragraphs = len(kb.searcher)
            answerer.ask_now(questions[0], log=False)          # index built, jieba warm

            plain, restricted, leaks, shown = [], [], 0, 0
            for question in questions:
                plain.append(answerer.ask_now(question, 5, log=False).ms)
                people = frozenset(rng.sample(NAMES, rng.randint(0, 2)))
                asked = answerer.ask_now(question, 5, log=False, closest=True, audiences=people)
                restricted.append(asked.ms)
                for hit in (*asked.answer.hits, *asked.answer.see_also):
                    shown += 1
                    leaks += not visible(stored.get(hit.doc_id), people) if hit.ref else 0

            # a new audience set's first search builds its mask; the next ones reuse it
            cold, warm = [], []
            for n in range(20):
                kb.set_audience(str(next(iter(stored))), NAMES[n % 4])   # drops every mask
                people = frozenset({NAMES[n % 4]})
                cold.append(answerer.ask_now(questions[n], 5, log=False, audiences=people).ms)
                warm.append(answerer.ask_now(questions[n], 5, log=False, audiences=people).ms)

            started = time.perf_counter()
            kb.set_audience(str(next(iter(stored))), "全员")
            answerer.ask_now(questions[0], 5, log=False, audiences=frozenset())
            change_ms = (time.perf_counter() - started) * 1000
    return {"documents": len(stored), "paragraphs": paragraphs, "asks": asks,
            "search_ms_unrestricted": _percentiles(plain),
            "search_ms_as_random_people": _percentiles(restricted),
            "first_search_of_a_new_audience_set_ms": _percentiles(cold),
            "same_set_again_ms": _percentiles(warm),
            "audience_change_then_search_ms": round(change_ms, 2),
            "hits_shown": shown, "leaked": leaks}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=Path, default=REALDOCS / "build" / "txt")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--asks", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = run(args.docs, args.copies, args.asks)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
