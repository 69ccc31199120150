"""What remembering the bot's answers costs (issue 14: edited questions, reactions, 📎).

    /tmp/venv/bin/python bench/bench_replies.py [--n 2000]

Each answer the bot sends is recorded (``kb.note_replies``, one row, one transaction, after the
answer went out); before rendering an answer it asks whether the best passage's document has an
uploaded original (``kb.original_file``); a reaction or an edited question looks the answer up
(``kb.sent_reply`` / ``kb.replies_to``). Prints the median and p95 of each on a fresh database
with the seeds folder, after ``--n`` answers were recorded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from knowledge import KnowledgeBase, SentReply  # noqa: E402


def timed(call, n: int) -> str:
    times = []
    for i in range(n):
        started = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - started)
    times.sort()
    return (f"median {statistics.median(times) * 1e6:.0f} µs, "
            f"p95 {times[int(len(times) * 0.95)] * 1e6:.0f} µs")


def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as work, KnowledgeBase(Path(work) / "kb.db") as kb:
        kb.ingest([ROOT / "seeds"])
        print(f"{n} answers, seeds knowledge base")
        print("note_replies (one answer):",
              timed(lambda i: kb.note_replies([SentReply(1, i + 1, i + 1, 0, 7, "政绩观", i + 1,
                                                         "0123456789ab")]), n))
        print("original_file:           ", timed(lambda i: kb.original_file(1), n))
        print("sent_reply (a reaction): ", timed(lambda i: kb.sent_reply(1, i + 1), n))
        print("replies_to (an edit):    ", timed(lambda i: kb.replies_to(1, i + 1), n))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    main(parser.parse_args().n)
