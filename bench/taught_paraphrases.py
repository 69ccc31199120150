"""A taught question asked in other words: does the asker get what the admins taught?

Every FAQ sheet of ``bench/faq/`` becomes taught questions: each pair's question taught with
its answer written (``KnowledgeBase.teach(question, answer=…)``, as an admin's reply to a 🙋
card does), in a knowledge base of its own holding the seeds (one document that answers none of
them). Then the sheet's paraphrases (``NAME.jsonl``: written in other words than the question)
and its off-topic questions are asked, words only and with the meaning extra. Prints, per way:
how many paraphrases get their own taught answer first (and how many as a confident answer),
another taught answer first, and how many off-topic questions get a taught answer at all.

    PYTHONPATH=$PWD .venv/bin/python bench/taught_paraphrases.py [--skip NAME ...]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import KnowledgeBase  # noqa: E402

FAQ = ROOT / "bench" / "faq"
QUESTION = {"问题", "问", "question", "q"}
ANSWER = {"答案", "答", "回答", "answer", "a"}


def sheets(skip: set[str]) -> list[tuple[str, Path, Path]]:
    found = [("faq", FAQ / "faq.csv", FAQ / "questions.jsonl")]
    found += [(p.stem, p, p.with_suffix(".jsonl")) for p in sorted(FAQ.glob("*.csv"))
              if p.stem != "faq"]
    return [s for s in found if s[0] not in skip]


def pairs(sheet: Path) -> list[tuple[str, str]]:
    with open(sheet, encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    head = [h.strip().lower() for h in rows[0]]
    q = next(i for i, h in enumerate(head) if h in QUESTION)
    a = next(i for i, h in enumerate(head) if h in ANSWER)
    return [(r[q], r[a]) for r in rows[1:] if len(r) > max(q, a) and r[q].strip()]


def run(meaning: str, skip: set[str]) -> Counter:
    counts: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name, sheet, questions in sheets(skip):
            with KnowledgeBase(Path(tmp) / f"{name}-{meaning}.db", meaning=meaning) as kb:
                kb.ingest([ROOT / "seeds"])
                for question, answer in pairs(sheet):
                    kb.teach(question, answer=answer, by="bench")
                for line in open(questions, encoding="utf-8"):
                    if not line.strip():
                        continue
                    item = json.loads(line)
                    found = kb.search(item["question"], k=3)
                    first = found.hits[0] if found.hits else None
                    taught = first is not None and first.kind == "taught"
                    if item["kind"] == "offtopic":
                        counts["offtopic"] += 1
                        counts["offtopic taught"] += any(h.kind == "taught" for h in found.hits)
                        continue
                    counts["paraphrases"] += 1
                    if taught and first.question == item["gold"]:
                        counts["own first"] += 1
                        counts["own, confident"] += found.status == "answer"
                    elif taught:
                        counts["other first"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip", action="append", default=[])
    args = parser.parse_args()
    for meaning in ("off", "on"):
        c = run(meaning, set(args.skip))
        print(f"meaning {meaning:3}: paraphrases {c['paraphrases']}: own taught answer first "
              f"{c['own first']} ({c['own, confident']} confident), another's first "
              f"{c['other first']}; off-topic {c['offtopic']}: given a taught answer "
              f"{c['offtopic taught']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
