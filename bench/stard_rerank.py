"""Where STARD-dev's answering article is a rerank candidate but not among the three hits, and why.

    .venv/bin/python bench/stard_rerank.py [--db /tmp/stard6-stard.db] [--list 20]

Asked as ``bench/associations.py`` asks (two-fold: each half with the association table and
the translations learned on the other half), each question's articles after the rerank and one
hit per article, with their score parts. For the questions whose answering article is among
them but not in the first three, printed:

1. whether it covers less of the question than one of the three (``parts.article``: the share of
   the question's weighted words its candidate paragraphs say, headings included), as much, or
   more: less means the answer is said in other words, which no weighing of the matched words
   mends; as much or more means the weighing put it down;
2. in each class, the rerank part (× its weight) on which it loses most against the third hit;
3. how many of the three are articles of its own law, and whether it is longer than all three;
4. with ``--list N``: N of those questions, the answering article's parts and the three's.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from associations import learning_pairs, stard_kb, two_fold

from knowledge.search import SearchConfig

SHOWN = ("bm25", "window", "coverage", "article", "fuzzy", "answer_type", "associated",
         "under_law")


def weights_of(config) -> dict[str, float]:
    """The rerank's parts and their weights in ``final`` (as ``--explain`` lists them)."""
    return {"bm25": 1.0, "window": config.window_weight, "coverage": config.coverage_weight,
            "fuzzy": config.fuzzy_weight, "answer_type": config.type_weight,
            "liability": config.liability_weight, "caption": -config.caption_weight,
            "under_law": -config.parent_weight, "associated": config.association_weight}


def asked(db: Path) -> list[dict]:
    """Every STARD-dev question, two-fold, with its articles (best first) and their parts."""
    kb = stard_kb(db)
    searcher = kb.searcher
    passages, share, questions, pairs = learning_pairs(searcher)
    records = []
    # each half with the other half's tables (the shipped ones are learned on every question)
    for _, _, asking in two_fold(searcher, questions, pairs, share):
        for q in asking:
            # every article the rerank kept (k = the candidates), weak or "not found" too
            hits = searcher.search(q["question"], k=searcher.config.candidates, keep_weak=True,
                                   closest=True).hits
            records.append({"question": q["question"], "gold": set(q["gold"]), "articles": [
                {"id": hit.citation.source_id, "title": passages[hit.citation.source_id]["title"],
                 "text": passages[hit.citation.source_id]["text"], "parts": dict(hit.parts)}
                for hit in hits]})
    kb.close()
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db",
                        help="knowledge base of STARD-dev's passages (built when missing)")
    parser.add_argument("--list", type=int, default=0, help="show this many (a seeded sample)")
    args = parser.parse_args()

    records = asked(Path(args.db))
    weights = weights_of(SearchConfig())

    def law(article: dict) -> str:
        return article["title"].split(" ")[0]

    def cover(article: dict) -> float:
        return article["parts"].get("article", article["parts"]["coverage"])

    lost, found, top3 = [], 0, 0
    for record in records:
        at = next((i for i, a in enumerate(record["articles"]) if a["id"] in record["gold"]), None)
        found += at is not None
        top3 += at is not None and at < 3
        if at is not None and at >= 3:
            lost.append((record, at))
    n = len(records)
    print(f"{n} questions: answering article among the rerank's articles {found / n:.3f}, "
          f"in the first three {top3 / n:.3f}; a candidate but not in the three: {len(lost)}")
    classes, parts, own, longer = Counter(), Counter(), Counter(), Counter()
    for record, at in lost:
        gold, three = record["articles"][at], record["articles"][:3]
        best = max(cover(a) for a in three)
        cls = ("covers less than one of the three" if cover(gold) < best - 1e-9 else
               "covers as much" if cover(gold) <= best + 1e-9 else "covers more")
        classes[cls] += 1
        third = three[2]["parts"]
        lose = {p: w * (gold["parts"].get(p, 0.0) - third.get(p, 0.0)) for p, w in weights.items()}
        parts[cls, min(lose, key=lose.get)] += 1
        own[sum(law(a) == law(gold) for a in three)] += 1
        longer[all(len(gold["text"]) > len(a["text"]) for a in three)] += 1
    print("\nthe answering article … | questions | the part it loses most on against the "
          "third hit")
    for cls, count in classes.most_common():
        worst = ", ".join(f"{p} {c}" for (k, p), c in parts.most_common() if k == cls)
        print(f"  {cls:34} {count:4}   {worst}")
    print("\nof the three, articles of its own law: " +
          ", ".join(f"{k}: {own[k]}" for k in range(4)))
    print(f"longer than all three: {longer[True]} of {len(lost)}")
    random.seed(6)
    for record, at in random.sample(lost, min(args.list, len(lost))):
        print(f"\n=== {record['question']}  (answering article {at + 1})")
        for tag, article in [("gold", record["articles"][at])] + \
                [(str(i + 1), a) for i, a in enumerate(record["articles"][:3])]:
            shown = " ".join(f"{p}={article['parts'].get(p, 0.0):.2f}" for p in SHOWN)
            print(f"  {tag:4} {article['parts']['final']:.2f} {shown} | {article['title'][-20:]}"
                  f" | {article['text'][:60].replace(chr(10), ' ')}")


if __name__ == "__main__":
    main()
