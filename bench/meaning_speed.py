"""What matching by meaning costs: a question's search with and without it, embedding a question
and a paragraph, and the process's memory, on one database (e.g. ``bench_scale.py --keep``'s 100k).

    PYTHONPATH=$PWD .venv/bin/python bench/meaning_speed.py --db /tmp/copy-of-100k.db \\
        [--questions ../shared/eval/drcd-dev/questions.jsonl] [--limit 300] [--paragraphs 200]

Needs the meaning extra. **Writes into the database**: paragraphs without a vector get a random
unit vector under the model's name (embedding 100k paragraphs for real takes ~1.5 hours on one
core, and the time of a search does not depend on the vectors' values) — use a copy. Then:

1. ``kb.search(q, k=5)`` words only (a knowledge base opened without an encoder), wall and CPU;
2. the same with meaning, the questions' vectors not yet known (each embedded on its search);
3. embedding the questions alone (``encoder.query``, cold), and ``--paragraphs`` real paragraphs
   of the database in batches of 32 (``encoder.passages``, as ingest does);
4. PSS after each step (the model's share is the difference).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from search_stages import (figures, pss_mb, question_arguments, sample_questions,  # noqa: E402
                           time_whole)

from knowledge import KnowledgeBase  # noqa: E402
from knowledge.meaning import E5Encoder, passage_text, to_blob  # noqa: E402


def fill_random(db: str, model: str, dim: int) -> int:
    """Random unit vectors for the paragraphs without one of ``model``; returns how many."""
    rng = np.random.default_rng(7)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS vectors (paragraph_id INTEGER PRIMARY KEY, "
                     "model TEXT, key TEXT, vec BLOB)")
        ids = [r[0] for r in conn.execute(
            "SELECT p.id FROM paragraphs p LEFT JOIN vectors v ON v.paragraph_id = p.id "
            "AND v.model = ? WHERE v.paragraph_id IS NULL", [model])]
        for start in range(0, len(ids), 10_000):
            part = ids[start:start + 10_000]
            vectors = rng.standard_normal((len(part), dim)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            conn.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?, ?)",
                             [(pid, model, "random", to_blob(v)) for pid, v in zip(part, vectors)])
    return len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    question_arguments(parser, 300)
    parser.add_argument("--paragraphs", type=int, default=200)
    args = parser.parse_args()
    questions = sample_questions(args.questions, args.limit, args.seed)
    encoder = E5Encoder()
    filled = fill_random(args.db, encoder.name, encoder.dim)
    print(f"{filled} paragraphs given random vectors (timing only); {len(questions)} questions")

    words = KnowledgeBase(args.db)
    words.warm_up()
    time_whole(words, questions, "words only")
    print(f"PSS {pss_mb():.0f} MB")
    words.close()

    meant = KnowledgeBase(args.db, meaning=encoder)
    meant.warm_up()
    encoder.query("预热")     # the model loaded, not on the first question
    print(f"model loaded: PSS {pss_mb():.0f} MB")
    time_whole(meant, questions, "meaning")
    print(f"PSS {pss_mb():.0f} MB")
    encoder._asked.clear()
    took = []
    for question in questions:
        started = time.process_time()
        encoder.query(question)
        took.append(time.process_time() - started)
    print(f"{'embed a question':22s} CPU  {figures(took)} ms")
    rows = meant.store.db.execute(
        "SELECT d.title, s.path, p.text, p.question FROM paragraphs p JOIN sections s ON "
        "s.id = p.section_id JOIN documents d ON d.id = p.doc_id ORDER BY p.id LIMIT ?",
        [args.paragraphs]).fetchall()
    import json
    texts = [passage_text(t, tuple(json.loads(path)), text, q or "") for t, path, text, q in rows]
    started = time.process_time()
    for i in range(0, len(texts), 32):
        encoder.passages(texts[i:i + 32])
    per = (time.process_time() - started) * 1000 / max(1, len(texts))
    chars = sum(map(len, texts)) / max(1, len(texts))
    print(f"embed a paragraph      CPU  {per:.1f} ms each ({len(texts)} paragraphs, "
          f"{chars:.0f} characters on average)")
    meant.close()


if __name__ == "__main__":
    main()
