"""Index lifecycle benchmark: start, memory, update latency and index file size on a built database.

    PYTHONPATH=. .venv/bin/python bench/bench_index.py --db KB.db [--questions Q.jsonl]
        [--updates 5] [--searches 300] [--json]

``KB.db`` is a knowledge base already ingested (e.g. ``staffbot ingest`` of the grown jsonl
that ``bench/bench_scale.py --keep DIR`` writes). Only ``KnowledgeBase`` / ``SearchWorker``
calls are used, so the same script measures any version of staffbot (point ``PYTHONPATH`` at
another checkout for the "before" figures). Each phase runs in a fresh process:

* ``start (no file)``: the database opened and the first question answered in this process, the
  index built from the rows (and, on a version that keeps one, its file written); skipped with
  ``--with-index``, which copies ``KB.db.idx`` and ``KB.db.rows`` beside the copy instead (at 1M
  paragraphs; without the row file the first start writes it, as an upgrade from format 3 does).
* ``start (file)``: the same again — a version with an index file loads it now.
* ``bot + search process``: the bot's process forks the search process (as ``python -m bot``
  does), the first question is answered through it; then the PSS (``/proc/PID/smaps_rollup``)
  of both processes, summed; then ``--searches`` DRCD questions one at a time (p50/p95 ms in the
  search process); then ``--updates`` channel posts written by the bot's process, each followed
  at once by questions naming its unique word until one is answered with it: "post → answer ms"
  is from the commit to that answer, "slowest question ms" the slowest of those questions
  (each waited for the update), and the first of those questions' time in the search process
  (the catch-up with the post: delta, tombstones, audiences, a new searcher, and the search);
  the same for an edit and a removal of a post; PSS again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_QUESTIONS = ROOT.parent / "shared" / "eval" / "drcd-dev" / "questions.jsonl"
WORDS = ["甲辰鲲鹏", "乙巳凤凰", "丙午麒麟", "丁未貔貅", "戊申饕餮", "己酉獬豸", "庚戌鸾鸟",
         "辛亥青鸾", "壬子白泽", "癸丑毕方"]


def pss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/smaps_rollup") as handle:
        for line in handle:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return 0.0


def rss_peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_start(db: str) -> dict:
    started = time.perf_counter()
    from knowledge import KnowledgeBase

    imported = time.perf_counter()
    kb = KnowledgeBase(db)
    answer = kb.search("台湾的首都是哪里")
    done = time.perf_counter()
    return {"imports s": round(imported - started, 2), "start s": round(done - imported, 2),
            "status": answer.status, "rss MB": round(rss_peak_mb()), "pss MB": round(pss_mb(os.getpid()))}


async def _bot(db: str, questions: list[str], updates: int) -> dict:
    from knowledge import KnowledgeBase, SearchWorker

    out: dict = {}
    t0 = time.perf_counter()
    kb = KnowledgeBase(db)
    kb.warm_up(index=False)
    worker = SearchWorker.fork(kb)
    first = await worker.search("台湾的首都是哪里")
    out["start to first answer s"] = round(time.perf_counter() - t0, 2)
    out["first status"] = first.status
    out["PSS bot MB"] = round(pss_mb(os.getpid()))
    out["PSS search MB"] = round(pss_mb(worker.pid))
    out["PSS total MB"] = out["PSS bot MB"] + out["PSS search MB"]
    times = []
    for q in questions:
        _, ms = await worker.search_timed(q, 5)
        times.append(ms)
    times.sort()
    out["search p50 ms"] = round(times[len(times) // 2], 1)
    out["search p95 ms"] = round(times[int(len(times) * 0.95)], 1)

    firsts = []     # the search process's own ms for the first question after each update

    async def until(word: str, present: bool) -> tuple[float, float]:
        started = time.perf_counter()
        slowest = 0.0
        first = True
        while True:
            asked = time.perf_counter()
            answer, ms = await worker.search_timed(word, 5)
            if first:
                firsts.append(ms)
                first = False
            slowest = max(slowest, time.perf_counter() - asked)
            found = any(word in h.excerpt for h in answer.hits)
            if found == present:
                return (time.perf_counter() - started) * 1000, slowest * 1000
            if time.perf_counter() - started > 120:
                raise TimeoutError(word)

    posts, waits = [], []
    for n in range(updates):
        word = WORDS[n % len(WORDS)] + str(n)
        kb.add_post(chat_id=-42, message_id=10_000 + n, text=f"{word}公告\n{word}将于明日开放报名。",
                    url=None)
        took, slowest = await until(word, True)
        posts.append(took)
        waits.append(slowest)
    out["post → answer ms (median, max)"] = [round(statistics.median(posts)), round(max(posts))]
    out["slowest question during update ms"] = round(max(waits))
    out["first search after a post, in the search process ms (median, max)"] = [
        round(statistics.median(firsts), 1), round(max(firsts), 1)]
    word = "编辑后的" + WORDS[0]
    kb.add_post(chat_id=-42, message_id=10_000, text=f"{word}公告\n{word}改为后天开放。", url=None)
    out["edit → answer ms"] = round((await until(word, True))[0])
    kb.remove_origin("telegram:-42:10001")
    out["remove → gone ms"] = round((await until(WORDS[1] + "1", False))[0])
    out["PSS total after updates MB"] = round(pss_mb(os.getpid()) + pss_mb(worker.pid))
    await worker.close()
    kb.close()
    return out


def phase_bot(db: str, questions: list[str], updates: int) -> dict:
    return asyncio.run(_bot(db, questions, updates))


def run_phase(args: list[str]) -> dict:
    result = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                            env={**os.environ}, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--questions", default=str(DEFAULT_QUESTIONS))
    parser.add_argument("--searches", type=int, default=300)
    parser.add_argument("--updates", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--with-index", action="store_true",
                        help="copy KB.db.idx and KB.db.rows too and skip the start without it (a 1M base build "
                        "takes minutes: bench_scale.py's \"index s\" measured it)")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "start":
        print(json.dumps(phase_start(args.db)))
        return
    if args.phase == "bot":
        questions = [json.loads(line)["question"] for line in open(args.questions, encoding="utf-8")
                     if line.strip()][:args.searches]
        print(json.dumps(phase_bot(args.db, questions, args.updates), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        db = str(Path(tmp) / "kb.db")
        shutil.copy(args.db, db)   # the updates write to a copy; no index file is copied
        results = {"paragraphs": None}
        if args.with_index:
            # the index and, when it was written, the row file beside it: without the row file
            # the first start writes it (~17 s at 100k) and "start (file)" measures that
            shutil.copy(f"{args.db}.idx", f"{db}.idx")
            if Path(f"{args.db}.rows").exists():
                shutil.copy(f"{args.db}.rows", f"{db}.rows")
            else:
                print(f"note: no {args.db}.rows; the first start writes it", flush=True)
        else:
            results["start (no file)"] = run_phase(["--db", db, "--phase", "start"])
            print("start (no file):", results["start (no file)"], flush=True)
        index = Path(f"{db}.idx")
        results["index file MB"] = round(index.stat().st_size / 1e6, 1) if index.exists() else None
        results["database MB"] = round(Path(db).stat().st_size / 1e6, 1)
        rows = Path(f"{db}.rows")
        results["row file MB"] = round(rows.stat().st_size / 1e6, 1) if rows.exists() else None
        results["start (file)"] = run_phase(["--db", db, "--phase", "start"])
        print("start (file):", results["start (file)"], flush=True)
        results["bot + search process"] = run_phase(
            ["--db", db, "--phase", "bot", "--questions", args.questions,
             "--searches", str(args.searches), "--updates", str(args.updates)])
        import sqlite3

        with sqlite3.connect(db) as conn:
            results["paragraphs"] = conn.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
    if args.json:
        print(json.dumps(results, ensure_ascii=False))
    for key, value in results.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
