"""STARD-dev's candidate pool out of sample, and general candidate generators tried beside it.

    .venv/bin/python bench/stard_pool.py --db /tmp/NAME-stard.db [--recall] [--misses 30]
    .venv/bin/python bench/stard_pool.py --db … --article-add 10       # a generator, two-fold

Every question is asked as `bench/associations.py` asks it: each half with the heading
associations **and** the translations learned on the other half (`bench/candidate_recall.py
stard` and `bench/stard_candidates.py` use the shipped tables, learned on every question: in
sample). Printed per subset (all, even, odd, unseen gold, workplace): *pool*, the share of
questions whose answering article is among the rows the rerank sees (after every candidate
stage: BM25's 25, FAQ pairs, the kind asked, citing, definitions, bound parties, 前款 rows), and
R@1 / R@3 / MRR@10 of the hits. ``--recall`` adds BM25's own recall at 25 / 50 / 100 rows and
the answering article's rank (as articles, 1 / 3 / 10 / 25 / 50) in the row BM25 and in an
**article-level BM25** (each 条 — its paragraphs' text as one document, its title and headings,
its bigrams — with the same field weights and the expansion's terms), and in their
reciprocal-rank fusion. ``--misses N`` prints N questions of the **even** half (a seeded sample)
whose pool lacks the answer, with the answer's text and the first three candidates', for
reading why (the odd half is left for checking).

Generators (off by default; none is in the search — bench/README.md, branch article16):
``--article-add N`` the best N articles of the article-level BM25 not among the candidates join
them (their best ``--article-rows`` rows, with their row totals); ``--law-cap N`` at most N of
the 25 rows from one law (by title), the next rows of other laws taking the slots;
``--fuse W`` the 25 chosen by fusing the row order's articles and the article-level order
(reciprocal ranks, k ``--fuse-k``, the article list weighed W).
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from associations import learn, learning_pairs, odd_of, stard_kb  # noqa: E402
from knowledge import rank  # noqa: E402
from knowledge.index import FieldIndex, GramIndex  # noqa: E402
from knowledge.normalize import normalize  # noqa: E402
from translations import translations_of  # noqa: E402


class Articles:
    """The knowledge base's rows grouped into articles (``rank.article_key``), and an
    article-level BM25 over them (built in memory: a measure, not an index)."""

    def __init__(self, searcher) -> None:
        self.searcher, self.ranker = searcher, searcher.ranker
        rows = searcher.rows
        keys: dict = {}
        self.of_row = np.array([keys.setdefault(rank.article_key(r), len(keys)) for r in rows])
        self.size = len(keys)
        self.rows: dict[int, list[int]] = defaultdict(list)
        for row, article in enumerate(self.of_row.tolist()):
            self.rows[article].append(row)
        laws: dict = {}
        self.law_of_row = np.array([laws.setdefault(r.title, len(laws)) for r in rows])
        texts = ["".join(self.ranker.norms[r] for r in self.rows[a]) for a in range(self.size)]
        first = [rows[self.rows[a][0]] for a in range(self.size)]
        heads = [normalize(r.title + " " + " ".join(r.section)) for r in first]
        analyzer = searcher.analyzer
        self.words = FieldIndex.build([analyzer.words(t) for t in texts])
        self.context = FieldIndex.build([analyzer.words(h) for h in heads])
        self.grams = GramIndex.build(texts)
        self.texts, self.heads = texts, heads

    def scores(self, query) -> np.ndarray:
        """Every article's BM25 for ``query`` (the search's field weights; the expansion's
        terms in the words field, as the row stage chooses with them)."""
        config = self.searcher.config
        total = np.zeros(self.size)
        expansion = self.ranker.expansion(query, config)
        for index, terms, scale in ((self.words, query.words, 1.0),
                                    (self.context, query.words, config.context_weight),
                                    (self.grams, query.grams, config.gram_weight),
                                    (self.words, expansion, 1.0)):
            if not terms:
                continue
            rows, weights = index.postings(terms, scale)
            if rows.size:
                total += np.bincount(rows, weights=weights, minlength=self.size)
        return total

    def in_order(self, rows) -> list[int]:
        """The articles of ``rows``, in the order their first row comes."""
        return list(dict.fromkeys(self.of_row[r] for r in rows))


def install(args, articles: Articles) -> dict:
    """Wrap the ranker's stages for the chosen generator; returns what the rerank was given."""
    seen: dict = {}
    base_candidates, base_typed = rank.Ranker.candidates, rank.Ranker.typed_candidates
    base_rerank = rank.Ranker.rerank

    def candidates(self, query, n, config, *, fields=True, visible=None):
        if not (args.law_cap or args.fuse):
            return base_candidates(self, query, n, config, fields=fields, visible=visible)
        wide = base_candidates(self, query, 4 * n, config, fields=False, visible=visible)
        order, total, keep = wide.rows.tolist(), wide.scores, []
        if args.law_cap:
            per: dict[int, int] = defaultdict(int)
            for row in order:
                law = articles.law_of_row[row]
                if per[law] < args.law_cap and len(keep) < n:
                    keep.append(row)
                    per[law] += 1
        else:
            score = articles.scores(query)
            fused: dict[int, float] = defaultdict(float)
            for i, a in enumerate(articles.in_order(order)):
                fused[a] += 1 / (args.fuse_k + i)
            for i, a in enumerate(np.argsort(-score)[:4 * n].tolist()):
                if score[a] > 0:
                    fused[a] += args.fuse / (args.fuse_k + i)
            for a in sorted(fused, key=lambda a: -fused[a]):
                said = [r for r in articles.rows[a] if total is not None and total[r] > 0]
                keep += sorted(said or articles.rows[a][:1], key=lambda r: -total[r])
                if len(keep) >= n:
                    break
        keep = np.array(keep[:n], dtype=np.int64)
        totals = total[keep] if total is not None else np.zeros(keep.size)
        return rank.Candidates(keep, totals, None, wide.named, total, wide.cites)

    def typed(self, query, found, config, visible):
        found = base_typed(self, query, found, config, visible)
        if not args.article_add or found.scores is None:
            return found
        score, total = articles.scores(query), found.scores
        have, extra = set(articles.of_row[found.rows].tolist()), []
        for a in np.argsort(-score)[:3 * args.article_add].tolist():
            if score[a] <= 0 or len(extra) >= args.article_add * args.article_rows:
                break
            if a not in have:
                extra += sorted(articles.rows[a], key=lambda r: -total[r])[:args.article_rows]
        return found.with_rows(extra, total[extra].tolist()) if extra else found

    def rerank(self, query, found, config):
        seen["rows"] = found.rows.tolist()
        return base_rerank(self, query, found, config)

    rank.Ranker.candidates, rank.Ranker.typed_candidates = candidates, typed
    rank.Ranker.rerank = rerank
    return seen


def first_article(ranks: list[int], limit: int) -> int | None:
    return next((i + 1 for i, a in enumerate(ranks[:limit]) if a), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db")
    parser.add_argument("--recall", action="store_true")
    parser.add_argument("--misses", type=int, default=0)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--article-add", type=int, default=0)
    parser.add_argument("--article-rows", type=int, default=1)
    parser.add_argument("--law-cap", type=int, default=0)
    parser.add_argument("--fuse", type=float, default=0.0)
    parser.add_argument("--fuse-k", type=float, default=60.0)
    args = parser.parse_args()

    kb = stard_kb(Path(args.db))
    searcher = kb.searcher
    articles = Articles(searcher)
    seen = install(args, articles)
    source = [r.source_id for r in searcher.rows]
    _, share, questions, pairs = learning_pairs(searcher)
    results = []
    for odd in (0, 1):
        learning = [q for q in questions if odd_of(q) != odd]
        cited = {g for q in learning for g in q["gold"]}
        searcher.ranker.associations = learn([pairs[q["qid"]] for q in learning], share)
        searcher.ranker.translations = translations_of(searcher, learning)
        for q in (q for q in questions if odd_of(q) == odd):
            gold = set(q["gold"])
            seen.clear()
            hits = searcher.search(q["question"], k=10, keep_weak=True).hits
            if not hits:      # measured where the bot would say "not found" (as eval does)
                saved = searcher.config
                searcher.config = replace(saved, suggest_coverage=-1.0)
                seen.clear()
                hits = searcher.search(q["question"], k=10, keep_weak=True).hits
                searcher.config = saved
            ids = [h.citation.source_id for h in hits]
            result = {"q": q, "odd": odd, "unseen": not gold & cited,
                      "rank": next((i + 1 for i, p in enumerate(ids) if p in gold), None),
                      "pool": any(source[r] in gold for r in seen.get("rows", [])),
                      "first": seen.get("rows", [])[:40]}
            if args.recall:
                query = searcher.analyse(q["question"])
                order = searcher.ranker.candidates(query, 100, searcher.config,
                                                   fields=False).rows.tolist()
                result["rows"] = [any(source[r] in gold for r in order[:n]) for n in (25, 50, 100)]
                golds = {articles.of_row[r] for r, s in enumerate(source) if s in gold}
                by_rows = [a in golds for a in articles.in_order(order)]
                score = articles.scores(query)
                by_article = [a in golds and score[a] > 0 for a in np.argsort(-score)[:100]]
                fused: dict[int, float] = defaultdict(float)
                for ranked in (articles.in_order(order), np.argsort(-score)[:100].tolist()):
                    for i, a in enumerate(ranked):
                        fused[a] += 1 / (60 + i)
                by_fused = [a in golds for a in sorted(fused, key=lambda a: -fused[a])]
                result["articles"] = [first_article(x, 100)
                                      for x in (by_rows, by_article, by_fused)]
            results.append(result)
    subsets = (("all", results), ("even", [r for r in results if r["odd"] == 0]),
               ("odd", [r for r in results if r["odd"] == 1]),
               ("unseen", [r for r in results if r["unseen"]]),
               ("workplace", [r for r in results if r["q"].get("workplace")]))
    for name, chosen in subsets:
        n = len(chosen) or 1
        r1 = sum(r["rank"] == 1 for r in chosen) / n
        r3 = sum(bool(r["rank"]) and r["rank"] <= 3 for r in chosen) / n
        mrr = sum(1 / r["rank"] for r in chosen if r["rank"]) / n
        line = (f"{name:9} {len(chosen):3}  pool {sum(r['pool'] for r in chosen) / n:.3f}  "
                f"R@1 {r1:.3f}  R@3 {r3:.3f}  MRR@10 {mrr:.3f}")
        if args.recall:
            line += "  BM25 rows@25/50/100 " + " / ".join(
                f"{sum(r['rows'][i] for r in chosen) / n:.3f}" for i in range(3))
            for i, label in enumerate(("row-BM25", "article-BM25", "fused")):
                at = [r["articles"][i] for r in chosen]
                line += f"\n{'':15}{label:13} articles@1/3/10/25/50 " + " / ".join(
                    f"{sum(1 for a in at if a and a <= k) / n:.3f}" for k in (1, 3, 10, 25, 50))
        print(line)
    if args.misses:
        missed = [r for r in results if r["odd"] == 0 and not r["pool"]]
        print(f"\neven half: {len(missed)} questions without the answer in the pool; "
              f"{min(args.misses, len(missed))} of them (seed {args.seed}):")
        for r in sorted(random.Random(args.seed).sample(missed, min(args.misses, len(missed))),
                        key=lambda r: int(r["q"]["qid"].rsplit("-", 1)[1])):
            print(f"\n## {r['q']['qid']} (unseen {r['unseen']}) {r['q']['question'][:160]}")
            golds = dict.fromkeys(articles.of_row[i] for i, s in enumerate(source)
                                  if s in r["q"]["gold"])
            for a in golds:
                print(f"  answer: [{articles.heads[a]}] {articles.texts[a][:200]}"
                      f" ({len(articles.rows[a])} rows)")
            for a in articles.in_order(r["first"])[:3]:
                print(f"  first:  [{articles.heads[a]}] {articles.texts[a][:90]}")
    kb.close()


if __name__ == "__main__":
    main()
