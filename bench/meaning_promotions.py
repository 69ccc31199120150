"""Would meaning make a good reason to answer? Among the STARD questions the words only suggest
for, how often the first hit is right, by whether the words and meaning agree on it and by how
far its cosine leads the next candidate's.

    PYTHONPATH=$PWD .venv/bin/python bench/meaning_promotions.py --db <copy of a STARD db> \\
        --cache /tmp/meaning-cache.db

The database is ``bench/associations.py``'s STARD knowledge base (built when missing; its
paragraphs embedded when missing, vectors cached in ``--cache``). Each question is asked with the
shipped SearchConfig and with ``meaning_weight=0`` (words only); a promotion rule would have to be
right more often than the words' own confident answers (0.708 on STARD) to be worth taking.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from associations import STARD, stard_kb  # noqa: E402

from knowledge.evaluate import read_questions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--cache", required=True)
    args = parser.parse_args()
    kb = stard_kb(Path(args.db), args.cache)
    searcher, base = kb.searcher, kb.searcher.config
    seen = []
    for record in read_questions(STARD / "questions.jsonl"):
        searcher.config = base
        meant = searcher.search(record["question"], k=3, explain=True, closest=True)
        if meant.status != "suggestions" or not meant.hits:
            continue
        searcher.config = replace(base, meaning_weight=0.0)
        words = searcher.search(record["question"], k=3, closest=True)
        parts = [c.get("meaning") for c in meant.explain["candidates"]]
        first = meant.hits[0].citation.source_id
        seen.append({
            "right": first in record["gold"],
            "words_right": bool(words.hits) and words.hits[0].citation.source_id in record["gold"],
            "agree": bool(words.hits) and words.hits[0].citation.source_id == first,
            "closest": parts[0] == 0,
            # how far the first's cosine leads the second candidate's (the gap part × 0.05)
            "lead": -(parts[1] * 0.05) if len(parts) > 1 and parts[1] is not None else 1.0})
    searcher.config = base
    print(f"suggestions {len(seen)}: first hit right by meaning {sum(s['right'] for s in seen)}, "
          f"by the words alone {sum(s['words_right'] for s in seen)}")
    rules = [("words and meaning agree", lambda s: s["agree"]),
             ("… and it is the closest in meaning", lambda s: s["agree"] and s["closest"])]
    rules += [(f"… and leads the next by ≥ {t} in cosine",
               lambda s, t=t: s["agree"] and s["closest"] and s["lead"] >= t)
              for t in (0.01, 0.02, 0.03, 0.05)]
    for name, rule in rules:
        chosen = [s for s in seen if rule(s)]
        right = sum(s["right"] for s in chosen)
        print(f"{name:42s} {len(chosen):4d} questions, right {right / max(1, len(chosen)):.2f}")
    kb.close()


if __name__ == "__main__":
    main()
