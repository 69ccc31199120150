"""Where STARD-dev's answering articles rank in the candidate stage, and which words beat them.

    .venv/bin/python bench/stard_candidates.py [--db /tmp/stard5-stard.db]

The candidate stage is BM25 over the paragraph words, the title and heading words and the
character bigrams (``Ranker.candidates``); the rerank sees its best 25 rows. Printed:

1. the rank of a question's best answering article (a STARD passage; an article's best row) in
   that stage, as the share of questions at or above 1, 3, 10, 25, 50, 100, 300, and none;
2. for the questions whose answering article is not among the 25 rows: the BM25 score the first
   candidate gets over the answering article's best row, word by word, summed by how "legal"
   each word is: its lift, log((df + 0.5) / rows) / ((count + 1) / total), its share of the
   knowledge base's paragraphs against its share of jieba's dictionary counts (general Chinese).
   A narrative word common in speech and rare in statutes (孩子, 一直, 去) has a lift below 3,
   a statute's own word (合同 7.2, 赔偿 8.0, 法院 8.5) 5 or more; words jieba's dictionary lacks
   stand apart. The same for what the answering article gets over the first;
3. the words that most often put the first candidate ahead of the answering article.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from associations import stard_kb

from knowledge.analysis import _jieba

STARD = ROOT.parent / "shared" / "eval" / "stard-dev"
CUTS = (1, 3, 10, 25, 50, 100, 300)


def lift_band(lift: float | None) -> str:
    if lift is None:
        return "not in jieba's dictionary"
    return "lift < 3 (speech)" if lift < 3 else "lift 3-5" if lift < 5 else "lift >= 5 (statutes)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db",
                        help="knowledge base of STARD-dev's passages (built when missing)")
    parser.add_argument("--candidates", type=int, default=25)
    args = parser.parse_args()

    kb = stard_kb(Path(args.db))
    searcher = kb.searcher
    ranker, config = searcher.ranker, searcher.config
    size = len(ranker.rows)
    article = np.array([ranker.rows[i].source_id for i in range(size)], dtype=object)
    jieba = _jieba()

    def lift(word: str) -> float | None:
        count = jieba.FREQ.get(word, 0)
        if not count:
            return None
        return math.log(((ranker.words.df(word) + 0.5) / size) / ((count + 1) / jieba.total))

    def word_scores(word: str, weight: float) -> np.ndarray:
        """Each row's BM25 from one query word (paragraph words + title and headings)."""
        score = np.zeros(size)
        for field, scale in ((ranker.words, 1.0), (ranker.context, config.context_weight)):
            rows, weights = field.postings({word: weight}, scale)
            if rows.size:
                score += np.bincount(rows, weights=weights, minlength=size)
        return score

    with open(STARD / "questions.jsonl", encoding="utf-8") as handle:
        questions = [json.loads(line) for line in handle]
    ranks: list[int | None] = []
    ahead, behind, drivers = Counter(), Counter(), Counter()
    misses = 0
    for record in questions:
        gold = set(record["gold"])
        query = searcher.analyse(record["question"])
        found = ranker.candidates(query, 3000, config, fields=False)
        order = list(dict.fromkeys(article[found.rows].tolist()))
        ranks.append(next((i + 1 for i, a in enumerate(order) if a in gold), None))
        top = found.rows[:args.candidates]
        if not top.size or gold & set(article[top].tolist()):
            continue
        misses += 1
        gold_rows = np.flatnonzero(np.isin(article, list(gold)))
        first = int(top[0])
        for word, weight in query.words.items():
            score = word_scores(word, weight)
            lead = score[first] - (score[gold_rows].max() if gold_rows.size else 0.0)
            band = lift_band(lift(word))
            if lead > 0:
                ahead[band] += lead
                drivers[word] += 1
            elif lead < 0:
                behind[band] -= lead
    n = len(ranks)
    print(f"STARD-dev: {n} questions, {size} rows")
    print("answering article's rank in the candidate stage (articles): " + "  ".join(
        f"<={cut} {sum(1 for r in ranks if r and r <= cut) / n:.3f}" for cut in CUTS)
        + f"  none {sum(1 for r in ranks if r is None) / n:.3f}")
    print(f"not among the {args.candidates} candidate rows: {misses} ({misses / n:.3f})")
    for label, parts in (("first candidate's lead over the answering article", ahead),
                         ("answering article's lead over the first", behind)):
        total = sum(parts.values()) or 1.0
        print(f"{label}, by the words' lift: " + "  ".join(
            f"{band} {parts[band] / total:.3f}" for band in sorted(parts)))
    print("words most often ahead for the first candidate: "
          + " ".join(f"{w}:{c}" for w, c in drivers.most_common(25)))
    kb.close()


if __name__ == "__main__":
    main()
