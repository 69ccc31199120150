"""What ``/unanswered`` (``staffbot unanswered``) costs on a long question log.

    PYTHONPATH=$PWD .venv/bin/python bench/unanswered_cost.py [ASKS] [QUESTIONS]

Logs ASKS askings (default 100,000) of QUESTIONS distinct questions (default 20,000, each also
asked with a question mark: three spellings), a quarter not found, a quarter only suggested,
a fifth of them voted 👎, into an empty knowledge base, and times ``KnowledgeBase.unanswered``
(the questions still to teach) three times, with its SQL and its merging apart.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from knowledge import KnowledgeBase  # noqa: E402
from knowledge.teach import open_questions  # noqa: E402


def main() -> int:
    asks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    distinct = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    with tempfile.TemporaryDirectory() as folder:
        kb = KnowledgeBase(Path(folder) / "kb.db", meaning="off")
        rnd = random.Random(1)
        questions = [f"问题{i}怎么办理手续" for i in range(distinct)]
        rows = []
        for i in range(asks):
            question = rnd.choice(questions) + rnd.choice(["", "？", "?"])
            rows.append((f"2026-12-07T00:00:{i:06d}", question, question,
                         rnd.choice(["answer", "answer", "suggestions", "not_found"]),
                         rnd.choice([None, None, None, 0, 1])))
        with kb.store.db.conn:
            kb.store.db.conn.executemany(
                "INSERT INTO questions (asked_at, question, norm, status, feedback) "
                "VALUES (?, ?, ?, ?, ?)", rows)
        for _ in range(3):
            started = time.perf_counter()
            listed = kb.unanswered(20)
            total = time.perf_counter() - started
            started = time.perf_counter()
            failed = kb.store.asked_questions()
            sql = time.perf_counter() - started
            started = time.perf_counter()
            open_questions(failed, kb.store.taught_norms(), 20)
            merge = time.perf_counter() - started
            print(f"{asks} askings of {distinct} questions: unanswered {1000 * total:.0f} ms "
                  f"(SQL {1000 * sql:.0f} ms for {len(failed)} spellings asked, merging "
                  f"{1000 * merge:.0f} ms), {len(listed)} listed")
        kb.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
