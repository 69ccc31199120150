"""Candidate recall: is a gold article among the rows the rerank sees (after every candidate
stage: BM25's best 25, FAQ pairs, the kind asked, definitions, bound parties, 前款 rows)?

    .venv/bin/python bench/candidate_recall.py stard [--db /tmp/NAME-stard.db]
    .venv/bin/python bench/candidate_recall.py realdocs --build bench/realdocs/build/txt \
        --db /tmp/NAME-txt.db bench/realdocs/questions.jsonl bench/realdocs/dev_duties.jsonl …

Prints, per question file, how many questions' candidates hold a gold article (realdocs: the
gold document and article of the `doc`/`article`/`also` fields; STARD-dev: a gold passage), the
misses' ids, and for STARD the same per answer type asked (``query.ANSWER_TYPES``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from knowledge import KnowledgeBase, rank  # noqa: E402

SEEN: dict = {}
_rerank = rank.Ranker.rerank


def _recording(self, query, candidates, config):
    SEEN["rows"], SEEN["asks"] = candidates.rows.tolist(), query.asks
    return _rerank(self, query, candidates, config)


def candidates_of(kb: KnowledgeBase, question: str) -> tuple[list[int], tuple[str, ...]]:
    SEEN.clear()
    kb.search(question, k=3)
    return SEEN.get("rows", []), SEEN.get("asks", ())


def stard(db: Path) -> None:
    from associations import STARD, stard_kb
    kb = stard_kb(db)
    rows = kb.searcher.rows
    held, asked, n = Counter(), Counter(), 0
    with open(STARD / "questions.jsonl", encoding="utf-8") as handle:
        for q in map(json.loads, handle):
            found, asks = candidates_of(kb, q["question"])
            ok = bool({rows[r].source_id for r in found} & set(q["gold"]))
            n += 1
            held["all"] += ok
            for kind in asks or ("none",):
                asked[kind] += 1
                held[kind] += ok
    print(f"STARD-dev: candidates hold a gold passage {held['all']}/{n} = {held['all'] / n:.3f}")
    print("  by kind asked: " + ", ".join(f"{k} {held[k]}/{asked[k]}" for k in sorted(asked)))


def realdocs(db: Path, build: Path, files: list[str]) -> None:
    import realdocs as rd
    fresh = not db.exists()
    kb = KnowledgeBase(db, workers=1)
    if fresh:
        kb.ingest([build])
    rows = kb.searcher.rows
    for name in files:
        hit, total, misses = 0, 0, []
        for q in rd.read_questions(Path(name)):
            if not q["golds"]:
                continue
            total += 1
            found, _ = candidates_of(kb, q["question"])
            ok = any(doc in (Path(rows[r].source).stem, rows[r].title)
                     and rd.article_in(" › ".join(rows[r].section), article)
                     for r in found for doc, article in q["golds"])
            hit += ok
            if not ok:
                misses.append(q["id"])
        print(f"{Path(name).name:30} candidates hold gold {hit}/{total}  miss {' '.join(misses)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("set", choices=("stard", "realdocs"))
    parser.add_argument("files", nargs="*", help="realdocs question files")
    parser.add_argument("--db", default="/tmp/candidate-recall.db")
    parser.add_argument("--build", default=str(ROOT / "bench" / "realdocs" / "build" / "txt"))
    args = parser.parse_intermixed_args()
    rank.Ranker.rerank = _recording
    if args.set == "stard":
        stard(Path(args.db))
    else:
        realdocs(Path(args.db), Path(args.build), args.files)


if __name__ == "__main__":
    main()
