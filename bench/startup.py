"""What a process pays before its first question: loading jieba's prefix dictionary from jieba's
own cache (a marshal of the dict) against staffbot's copy (``knowledge.analysis``: counts as one
array, words as one text), and a whole ``staffbot ask`` process on a one-document knowledge base,
as each CLI question and each start of the bot pays it.

    PYTHONPATH=$PWD .venv/bin/python bench/startup.py [--runs 5]

Prints the median wall time of each over ``--runs`` runs (the first run of each is a warm-up).
Words only (``STAFFBOT_MEANING=off``): loading the meaning model is measured by
``bench/meaning_speed.py``.
"""

from __future__ import annotations

import argparse
import marshal
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import analysis  # noqa: E402


def median_time(runs: int, job) -> float:
    job()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        job()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    import jieba

    tokenizer = analysis._jieba()             # writes both caches if they are missing
    jieba_cache = Path(tempfile.gettempdir()) / "jieba.cache"
    if not jieba_cache.exists():
        with open(jieba_cache, "wb") as out:
            marshal.dump((tokenizer.FREQ, tokenizer.total), out)
    ours = analysis._prefix_dict_path(jieba)

    def load_jieba() -> None:
        with open(jieba_cache, "rb") as handle:
            marshal.load(handle)

    print(f"jieba's cache (marshal, {jieba_cache.stat().st_size / 1e6:.1f} MB): "
          f"{median_time(runs, load_jieba) * 1000:.0f} ms")
    print(f"staffbot's copy ({ours.stat().st_size / 1e6:.1f} MB): "
          f"{median_time(runs, lambda: analysis._load_prefix_dict(ours)) * 1000:.0f} ms")

    with tempfile.TemporaryDirectory() as folder:
        docs = Path(folder) / "docs"
        docs.mkdir()
        (docs / "休假制度.txt").write_text("休假制度\n\n第一条 员工入职满一年可享受年休假五天。\n",
                                       encoding="utf-8")
        env = dict(os.environ, STAFFBOT_DB=str(Path(folder) / "kb.db"), STAFFBOT_MEANING="off",
                   PYTHONPATH=str(ROOT))
        subprocess.run([sys.executable, "-m", "bot.cli", "ingest", str(docs)], env=env,
                       check=True, capture_output=True)

        def ask() -> None:
            subprocess.run([sys.executable, "-m", "bot.cli", "ask", "年休假几天"], env=env,
                           check=True, capture_output=True)

        print(f"staffbot ask (a whole process): {median_time(runs, ask) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
