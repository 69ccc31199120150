"""Where a search's time goes on one database: CPU per stage, and ``kb.search`` as a whole.

    PYTHONPATH=$PWD .venv/bin/python bench/search_stages.py --db /tmp/kb-100k.db \
        [--questions ../shared/eval/drcd-dev/questions.jsonl] [--limit 500] [--seed 13]

The database is any staffbot database (``bench_scale.py --keep``'s 100k file, ingested with
``staffbot ingest``). Questions are sampled as ``bench_scale.py`` samples them (same seed).
First every question through ``kb.search(q, k=5)`` once, in order, timed as a whole (wall and
CPU: the machine is shared, CPU time is the steadier figure), then each question again stage by
stage on the searcher's own parts — analyse, candidates (BM25 over the three fields' postings,
and the rows of the kind of answer asked: ``Ranker.typed_candidates``),
fetch (the candidates' paragraphs from SQLite), rerank, decide (one hit per article, evidence,
decision), hits (excerpts and highlights) — with ``time.process_time``. The second pass finds
the caches the first one filled (rows a search read, terms' weights), so its stages are a
little faster than the first pass's whole; ``--stages-first`` swaps the two passes (the stages
then find nothing cached: jieba's and the analysis' caches, the terms' slots). Ends with the
process's PSS.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import KnowledgeBase, rank
from knowledge.rank import decide, one_per_article

STAGES = ("analyse", "candidates", "fetch", "rerank", "decide", "hits")


def pss_mb() -> float:
    try:
        with open("/proc/self/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def figures(values: list[float]) -> str:
    v = np.array(values) * 1000
    return f"mean {v.mean():6.2f}  p50 {np.percentile(v, 50):6.2f}  p95 {np.percentile(v, 95):6.2f}"


def sample_questions(path: str, limit: int, seed: int) -> list[str]:
    """The questions of a jsonl file, ``limit`` of them (0: all) sampled as ``bench_scale.py``
    samples them (same seed, same order)."""
    with open(path, encoding="utf-8-sig") as handle:
        questions = [json.loads(line)["question"] for line in handle if line.strip()]
    if limit and len(questions) > limit:
        picked = sorted(random.Random(seed).sample(range(len(questions)), limit))
        questions = [questions[i] for i in picked]
    return questions


def time_whole(kb: KnowledgeBase, questions: list[str], label: str = "kb.search") -> None:
    """Each question through ``kb.search(q, k=5)``: wall and CPU time printed."""
    wall, cpu = [], []
    for question in questions:
        w, c = time.perf_counter(), time.process_time()
        kb.search(question, k=5)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    print(f"{label:10s} wall {figures(wall)} ms")
    print(f"{label:10s} CPU  {figures(cpu)} ms")


def time_stages(kb: KnowledgeBase, questions: list[str]) -> dict[str, list[float]]:
    """Each question stage by stage on the searcher's own parts: CPU seconds per stage."""
    searcher = kb.searcher
    config, ranker = searcher.config, searcher.ranker
    took: dict[str, list[float]] = {stage: [] for stage in STAGES}
    for question in questions:
        marks = [time.process_time()]
        query = searcher.analyse(question)
        marks.append(time.process_time())
        candidates = ranker.candidates(query, config.candidates, config, fields=False)
        typed = getattr(ranker, "typed_candidates", None)     # (the asked kind's rows too)
        if typed is not None:
            candidates = typed(query, candidates, config)
        marks.append(time.process_time())
        searcher.snapshot.fetch(candidates.rows)
        marks.append(time.process_time())
        ranked = ranker.rerank(query, candidates, config) if candidates.rows.size else []
        marks.append(time.process_time())
        ranked = one_per_article(ranked, searcher.rows, query)
        decide(ranked, config, ranker.evidence(ranked, query))
        marks.append(time.process_time())
        for item in ranked[:5]:
            searcher._hit(item, query)
        marks.append(time.process_time())
        for stage, start, end in zip(STAGES, marks, marks[1:]):
            took[stage].append(end - start)
    return took


def question_arguments(parser: argparse.ArgumentParser, limit: int) -> None:
    """``--db``, and the questions sampled from it: ``--questions``, ``--limit``, ``--seed``."""
    parser.add_argument("--db", required=True)
    parser.add_argument("--questions",
                        default=str(ROOT.parent / "shared" / "eval" / "drcd-dev" / "questions.jsonl"))
    parser.add_argument("--limit", type=int, default=limit)
    parser.add_argument("--seed", type=int, default=13)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    question_arguments(parser, 500)
    parser.add_argument("--stages-first", action="store_true",
                        help="time the stages before kb.search as a whole (on cold caches)")
    args = parser.parse_args()
    questions = sample_questions(args.questions, args.limit, args.seed)
    kb = KnowledgeBase(args.db)
    started = time.perf_counter()
    kb.warm_up()
    print(f"{len(kb.searcher)} paragraphs, index ready in {time.perf_counter() - started:.2f} s; "
          f"{len(questions)} questions; compiled BM25 (knowledge/_bm25.c): "
          f"{'yes' if getattr(rank, '_bm25', None) is not None else 'no, numpy'}; row file: "
          f"{'yes' if getattr(kb.searcher.snapshot, 'rowfile', None) is not None else 'no'}")
    if args.stages_first:
        took = time_stages(kb, questions)
    time_whole(kb, questions)
    if not args.stages_first:
        took = time_stages(kb, questions)
    for stage in STAGES:
        print(f"{stage:10s} CPU  {figures(took[stage])} ms")
    print(f"{'(sum)':10s} CPU  {figures(list(np.sum([took[s] for s in STAGES], axis=0)))} ms")
    print(f"PSS {pss_mb():.0f} MB")
    kb.close()


if __name__ == "__main__":
    main()
