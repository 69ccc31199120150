"""STARD-dev's two-fold rerank, dumped once and re-ordered offline: what a new part would do.

    .venv/bin/python bench/stard_offline.py --db /tmp/stard10/stard.db --dump /tmp/two-fold.pkl
    .venv/bin/python bench/stard_offline.py --load /tmp/two-fold.pkl      # ~1 min CPU

Each question is asked as ``bench/associations.py`` asks it (each half with the other half's
heading associations and translations); every article the rerank kept (one hit per article,
weak ones too) is stored with its score parts, text and title, and the articles the BM25 stage
chose (best first). Each trial adds a part to ``final`` (or re-orders the first three) and
prints R@1 / R@3 per half, all, unseen (answering articles no learning question cites) and
workplace; the first line, nothing added, reproduces the two-fold's own figures.

Trials: each existing part's weight ± 0.1 / 0.2; the translated words (the learning half's
table) a candidate says, × P × the word's weight (all units, or only units it does not say),
added or only re-ordering the first three; a bonus for a window or article saying the whole
question; the first three diversified (the third from another chapter or law); the chapter's
or law's BM25 (all its articles' text as one document) added; the BM25 stage's order fused in
(reciprocal ranks). None is in the search (bench/README.md, stard10).
"""

from __future__ import annotations

import argparse
import json
import math
import pickle
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from associations import STARD, learning_pairs, stard_kb, two_fold  # noqa: E402

WEIGHTS = {"bm25": 1.0, "under_law": -0.2, "associated": 0.5, "fuzzy": 1.5, "window": 1.0, "coverage": 0.4,
           "answer_type": 0.15, "liability": 0.3}


def dump(db: Path) -> list[dict]:
    kb = stard_kb(db)
    searcher = kb.searcher
    passages, share, questions, pairs = learning_pairs(searcher)
    records = []
    for odd, learning, asking in two_fold(searcher, questions, pairs, share):
        cited = {g for q in learning for g in q["gold"]}
        table = searcher.ranker.translations
        for q in asking:
            query = searcher.analyse(q["question"])
            hits = searcher.search(q["question"], k=searcher.config.candidates, keep_weak=True,
                                   closest=True).hits
            chosen = searcher.ranker.candidates(query, searcher.config.candidates,
                                                searcher.config).rows.tolist()
            records.append({
                "odd": odd, "question": q["question"], "gold": set(q["gold"]),
                "unseen": not set(q["gold"]) & cited, "workplace": bool(q.get("workplace")),
                "units": list(dict.fromkeys(u.text for u in query.units)),
                "words": dict(query.words),
                "table": {u.text: table.table.get(u.text, ()) for u in query.units},
                "chosen": list(dict.fromkeys(searcher.ranker.rows[r].source_id for r in chosen)),
                "articles": [{"id": h.citation.source_id,
                              "title": passages[h.citation.source_id]["title"],
                              "text": passages[h.citation.source_id]["text"],
                              "parts": dict(h.parts)} for h in hits]})
    kb.close()
    return records


def rank_of(record: dict, order: list[int]) -> int | None:
    arts = record["articles"]
    return next((r + 1 for r, i in enumerate(order) if arts[i]["id"] in record["gold"]), None)


def report(label: str, records: list[dict], found: list[int | None]) -> None:
    def fig(keep) -> str:
        ranks = [r for rec, r in zip(records, found) if keep(rec)]
        n = len(ranks) or 1
        return (f"{sum(r == 1 for r in ranks) / n:.3f}/"
                f"{sum(1 for r in ranks if r and r <= 3) / n:.3f}")
    print(f"{label:42} even {fig(lambda r: r['odd'] == 0)}  odd {fig(lambda r: r['odd'] == 1)}"
          f"  all {fig(lambda r: True)}  unseen {fig(lambda r: r['unseen'])}"
          f"  workplace {fig(lambda r: r['workplace'])}")


def added(records: list[dict], part, label: str, top3: bool = False,
          relative: float = 0.0) -> None:
    """``part(record, article, articles) → float`` added to final (with ``relative``: that
    weight × the part over the best candidate's); ``top3``: only the first three re-ordered."""
    found = []
    for record in records:
        arts = record["articles"]
        extra = [part(record, a, arts) for a in arts]
        if relative:
            top = max(extra, default=0.0) or 1.0
            extra = [relative * x / top for x in extra]
        head = len(arts) if not top3 else min(3, len(arts))
        score = [a["parts"]["final"] + x for a, x in zip(arts[:head], extra)]
        order = sorted(range(head), key=lambda i: -score[i]) + list(range(head, len(arts)))
        found.append(rank_of(record, order))
    report(label, records, found)


def translated(uncovered: bool):
    import jieba

    jieba.setLogLevel(60)
    cache: dict[str, set[str]] = {}

    def part(record, article, _):
        if article["id"] not in cache:
            cache[article["id"]] = set(jieba.lcut(article["text"])) | set(
                jieba.lcut(" ".join(article["title"].split(" ")[1:])))
        said = cache[article["id"]]
        total = 0.0
        for unit in record["units"]:
            if uncovered and unit in said:
                continue
            total += record["words"].get(unit, 0.0) * sum(
                p for target, p in record["table"].get(unit, ())[:5] if target in said)
        return total
    return part


def diversified(records: list[dict], key, label: str, margin: float) -> None:
    found = []
    for record in records:
        arts = record["articles"]
        order = list(range(len(arts)))
        if len(arts) > 3 and key(arts[0]) == key(arts[1]) == key(arts[2]):
            floor = arts[2]["parts"]["final"] * margin
            alt = next((i for i in range(3, len(arts)) if key(arts[i]) != key(arts[0])
                        and arts[i]["parts"]["final"] >= floor), None)
            if alt is not None:
                order = [0, 1, alt] + [i for i in range(2, len(arts)) if i != alt]
        found.append(rank_of(record, order))
    report(label, records, found)


def grouped_bm25(level: str):
    """BM25 of the question's words over each chapter (or law): its articles' text as one."""
    import jieba

    jieba.setLogLevel(60)
    with open(STARD / "passages.jsonl", encoding="utf-8") as handle:
        passages = [json.loads(line) for line in handle]
    key = (lambda t: t.split(" ")[0]) if level == "law" else (lambda t: t)
    tf: dict[str, Counter] = defaultdict(Counter)
    length: Counter = Counter()
    for p in passages:
        words = jieba.lcut(p["text"])
        tf[key(p["title"])].update(words)
        length[key(p["title"])] += len(words)
    n, mean = len(tf), sum(length.values()) / len(tf)
    df = Counter(w for counts in tf.values() for w in counts)

    def score(group: str, words: dict[str, float]) -> float:
        total = 0.0
        for word, weight in words.items():
            f = tf[group].get(word, 0)
            if f:
                idf = math.log(1 + (n - df[word] + 0.5) / (df[word] + 0.5))
                total += weight * idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * length[group] / mean))
        return total
    return key, score


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db")
    parser.add_argument("--dump", help="ask, and write the records here")
    parser.add_argument("--load", help="read the records written by --dump")
    args = parser.parse_args()
    if args.load:
        with open(args.load, "rb") as handle:
            records = pickle.load(handle)
    else:
        records = dump(Path(args.db))
        if args.dump:
            with open(args.dump, "wb") as handle:
                pickle.dump(records, handle)

    added(records, lambda r, a, arts: 0.0, "as searched")
    for name in WEIGHTS:
        for delta in (-0.2, -0.1, 0.1, 0.2):
            added(records, lambda r, a, arts, n=name, d=delta: d * a["parts"].get(n, 0.0),
                  f"{name} {delta:+}")
    for uncovered in (False, True):
        for weight in (0.1, 0.2, 0.3, 0.5):
            label = f"translated{' (units not said)' if uncovered else ''} {weight}"
            added(records, translated(uncovered), label, relative=weight)
            added(records, translated(uncovered), label + ", first 3", top3=True,
                  relative=weight)
    for bonus in (0.1, 0.2, 0.4):
        added(records, lambda r, a, arts, b=bonus: b * (a["parts"].get("window", 0) >= 0.99),
              f"whole window +{bonus}")
        added(records, lambda r, a, arts, b=bonus: b * (a["parts"].get("article", 0) >= 0.99),
              f"whole article +{bonus}")
    for level, key in (("law", lambda a: a["title"].split(" ")[0]),
                       ("chapter", lambda a: a["title"])):
        for margin in (0.0, 0.8, 0.9):
            diversified(records, key, f"third from another {level}, ≥ {margin} of it", margin)
    for level in ("chapter", "law"):
        key, score = grouped_bm25(level)
        for weight in (0.1, 0.3, 0.5):
            added(records, lambda r, a, arts, k=key, s=score: s(k(a["title"]), r["words"]),
                  f"its {level}'s BM25 {weight}", relative=weight)
    for k in (5, 60):
        for weight in (0.2, 0.5):
            found = []
            for record in records:
                arts = record["articles"]
                at = {pid: i for i, pid in enumerate(record["chosen"])}
                fused = [1 / (k + i) + weight / (k + at.get(a["id"], 100))
                         for i, a in enumerate(arts)]
                found.append(rank_of(record, sorted(range(len(arts)), key=lambda i: -fused[i])))
            report(f"BM25 stage's order fused, k {k}, {weight}", records, found)


if __name__ == "__main__":
    main()
