"""Freshness benchmark (issue 12): how soon a change answers, and what a large knowledge base costs.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_freshness.py [--sizes 10000,100000[,1000000]]
        [--passages ../shared/eval/drcd-dev/passages.jsonl] [--json FILE] [--keep DIR]

For each size, a knowledge base of N paragraphs grown from the DRCD passages with synthetic
distractors (``bench_scale.grow``, the same data as ``bench_scale.py``) is ingested with the CLI
(``python -m bot.cli ingest``) and then measured from outside, with the real bot process
(``python -m bot``, with its search process) against the fake Bot API (``tests/fakebot.py``):

* **ingest s**: the CLI ingest of the corpus, process start to exit (the index is not built by it),
  and its CPU seconds with its worker processes (steadier than wall time on a shared machine);
  **db MB**: the database and every file next to it (WAL, index files) after the ingest.
* **CLI first answer**: ``python -m bot.cli ask QUESTION``, process start to exit.
* **bot first answer**: bot process start → the reply to a question queued before it started.
* **post → answer / upload → answer**: a channel post (an admin's ``.md`` upload) with a fact no
  other paragraph has is sent; a question only it answers is asked every ``--probe-ms`` (one at a
  time: the next when the last is answered and ``--probe-ms`` have passed) until a reply contains
  the fact; from sending the post (the upload) to that reply.
* **slowest meanwhile**: other questions (DRCD's) asked continuously by ``--askers`` users, one at a
  time each; the slowest reply to those asked from a second before the post (upload) until its
  fact is answered, and their count; **slowest / p99 otherwise**: the same for the questions
  asked outside both windows (what a question waits when nothing is updated: a window's
  slowest above it is the update's doing).
* **PSS MB**: the summed PSS of the bot and its search process (``bench_load.MemorySampler``):
  the peak (sampled every 5 ms from start to the first answer, and in the steady samples) and
  the steady value (mean of samples over ``--steady-s`` of quiet after the updates), and
  the search process's share of it. PSS grows as questions map the index's postings (file
  pages a search reads count in its PSS): ``--warm N`` lets the askers answer N questions before
  the updates are sent (about 3,000 DRCD questions map nearly all postings at 100k).

Each size runs on its own temp folder; nothing is shared between sizes but the passages.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from bench_load import MemorySampler, children, pss_mb  # noqa: E402
from bench_scale import DEFAULT_DATA, grow, read_jsonl, write_jsonl  # noqa: E402
from botprocess import BotProcess  # noqa: E402
from fakebot import FakeTelegram, channel, user  # noqa: E402

ADMIN = user(1001, "Admin", "zh-hans")
PROBER = user(5001, "Prober", "zh-hans")
CHANNEL = channel(-1001555000111, "工会通知", username="union_board")


def facts(run: int) -> dict[str, tuple[str, str, str]]:
    """Texts no distractor can answer: a channel post and an uploaded file, each with a question and
    the words that mark a reply as coming from it. ``run`` makes them unique per size."""
    code = f"{run:03d}"
    post = (f"冰壶联赛报名通知\n第{code}届职工冰壶联赛报名由工会办公室蒋雨桐负责，"
            f"报名电话六六八{code}，截止到本月二十日。")
    upload = (f"# 无人机飞行管理办法\n\n## 审批\n\n单位无人机飞行须提前三日向保卫处庞逸凡报备，"
              f"备案编号以WRJ{code}开头。\n")
    return {"post": (post, "冰壶联赛报名找谁负责", "蒋雨桐"),
            "upload": (upload, "无人机飞行向谁报备", "庞逸凡")}


def dir_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) / 1e6


def cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], **kw) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``: its wall seconds, its CPU seconds (with its worker processes), the result."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu0, t0 = cpu_children(), time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, **kw)
    if done.returncode:
        sys.exit(f"{' '.join(cmd[:5])} failed:\n{done.stderr[-3000:]}")
    return time.perf_counter() - t0, cpu_children() - cpu0, done


class Askers:
    """``n`` users asking one question after another, each waiting for its reply; every latency
    with the time it was answered."""

    def __init__(self, fake: FakeTelegram, questions: list[str], n: int) -> None:
        self.fake, self.questions = fake, questions
        self.users = [user(800_000 + i, f"Asker{i}") for i in range(n)]
        self.done: list[tuple[float, float]] = []   # (asked at, seconds to the reply)
        self._stopping = False
        self._tasks = [asyncio.create_task(self._ask(u, i)) for i, u in enumerate(self.users)]

    async def _ask(self, who: dict, offset: int) -> None:
        n = offset
        while not self._stopping:
            question = self.questions[n % len(self.questions)]
            n += len(self.users)
            t0 = time.perf_counter()
            after = self.fake.mark()
            update = self.fake.private_message(who, question)
            mid = update["message"]["message_id"]
            await self.fake.wait_for_message(
                lambda m: m["reply_to_message_id"] == mid, 300, after=after, chat_id=who["id"])
            self.done.append((t0, time.perf_counter() - t0))

    def slowest(self, start: float, end: float) -> tuple[float, int]:
        """The slowest question asked between ``start`` and ``end`` (ms; its reply may come
        later), and how many were asked and answered."""
        inside = [s for at, s in self.done if start <= at <= end]
        return (max(inside) * 1000 if inside else float("nan")), len(inside)

    async def stop(self) -> None:
        # (a flag as well as cancel(): Python 3.11's asyncio.wait_for, inside the fake's waits,
        # can swallow a cancellation that comes as its wait ends, and the asker then asked on
        # for good — the "hang after the post" of earlier 100k runs)
        self._stopping = True
        for task in self._tasks:
            task.cancel()
        await asyncio.wait(self._tasks, timeout=30)


async def first_answer_with(fake: FakeTelegram, question: str, marker: str, probe_s: float,
                            timeout: float = 600) -> tuple[float, int]:
    """Ask ``question`` until a reply contains ``marker``: when that reply came, and how many
    questions it took."""
    deadline, asked = time.perf_counter() + timeout, 0
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        after = fake.mark()
        update = fake.private_message(PROBER, question)
        asked += 1
        mid = update["message"]["message_id"]
        reply = await fake.wait_for_message(
            lambda m: m["reply_to_message_id"] == mid, timeout, after=after, chat_id=PROBER["id"])
        if marker in reply["text"]:
            return time.perf_counter(), asked
        await asyncio.sleep(max(0.0, probe_s - (time.perf_counter() - t0)))
    raise TimeoutError(f"no reply with {marker!r} in {timeout} s")


async def measure_bot(db: Path, work: Path, questions: list[str], args, run_no: int) -> dict:
    fake = FakeTelegram()
    await fake.start()
    bot = BotProcess(fake, work / "bot", STAFFBOT_DB=str(db), STAFFBOT_ADMINS=str(ADMIN["id"]),
                     STAFFBOT_LOG_LEVEL="INFO", STAFFBOT_RATE_LIMIT="0")
    out: dict = {}
    memory = None
    askers = None
    try:
        first = fake.private_message(PROBER, questions[0])
        mid = first["message"]["message_id"]
        t0 = time.perf_counter()
        await bot.spawn()
        memory = MemorySampler(bot.proc.pid)
        await fake.wait_for_message(
            lambda m: m["chat_id"] == PROBER["id"] and m["reply_to_message_id"] == mid, 600)
        out["bot_first_answer_s"] = time.perf_counter() - t0
        # No PSS sampling while questions are timed: reading /proc/PID/smaps_rollup walks the
        # process's page tables under its mmap lock (17-65 ms for a search process with the
        # 100k index mapped), and every mmap/munmap the process makes meanwhile (a 1 MiB
        # allocation) waits for it — the ~90 ms "slowest otherwise" of earlier runs. The start's
        # peak is sampled (every 5 ms up to the first answer); the plateau after the updates.
        start_peak = memory.stop()
        memory = None

        # This process's own collector is off while questions are timed: the fake server's
        # log of every update and message grows, and a full collection of it took 50-360 ms
        # (a gc callback, 100k run) — every asker's reply waited for it, which an earlier
        # version of this benchmark reported as the bot's ~90-120 ms "slowest" questions.
        gc.collect()
        gc.freeze()
        gc.disable()
        askers = Askers(fake, questions[1:], args.askers)
        await asyncio.sleep(1.0)
        while len(askers.done) < args.warm:   # a bot that has answered many: its index mapped
            await asyncio.sleep(0.2)
        out["answered_before_updates"] = len(askers.done)
        probes = facts(run_no)
        windows: dict[str, tuple[float, float]] = {}
        for kind in ("post", "upload"):
            text, question, marker = probes[kind]
            window_start = time.perf_counter() - 1.0
            sent = time.perf_counter()
            if kind == "post":
                fake.channel_post(CHANNEL, text)
            else:
                fake.document_message(ADMIN, "无人机飞行管理办法.md", text.encode("utf-8"))
            try:
                answered, asked = await first_answer_with(fake, question, marker,
                                                          args.probe_ms / 1000, args.wait_s)
            except TimeoutError:   # reported, not hidden: the next update is still measured
                print(f"  {kind}: no reply with {marker!r} within {args.wait_s:g} s",
                      file=sys.stderr, flush=True)
                answered, asked = float("nan"), -1
            windows[kind] = (window_start, time.perf_counter() if asked < 0 else answered)
            out[f"{kind}_to_answer_s"] = answered - sent
            out[f"{kind}_probes"] = asked
            await asyncio.sleep(1.0)
        await asyncio.sleep(1.0)   # the questions asked in the windows get their replies
        for kind, (start, end) in windows.items():
            slowest, count = askers.slowest(start, end)
            out[f"{kind}_slowest_meanwhile_ms"] = slowest
            out[f"{kind}_answered_meanwhile"] = count
        # the same questions asked outside both windows: what a question waits without an update
        others = sorted(s for at, s in askers.done
                        if not any(start <= at <= end for start, end in windows.values()))
        if others:
            out["slowest_otherwise_ms"] = others[-1] * 1000
            out["p99_otherwise_ms"] = others[int(len(others) * 0.99)] * 1000
        await askers.stop()
        askers = None
        gc.enable()
        await asyncio.sleep(1.0)
        samples, search = [], []
        end = time.perf_counter() + args.steady_s
        while time.perf_counter() < end:
            parts = []
            for pid in [bot.proc.pid, *children(bot.proc.pid)]:
                try:
                    parts.append(pss_mb(pid))
                except OSError:
                    pass
            samples.append(sum(parts))
            search.append(sum(parts[1:]))
            await asyncio.sleep(0.1)
        out["pss_steady_mb"] = statistics.mean(samples)
        out["pss_steady_search_mb"] = statistics.mean(search)   # (the rest is the bot's)
        out["pss_peak_mb"] = max(start_peak, max(samples))
        out["processes"] = 1 + len(children(bot.proc.pid))
        out["errors"] = len(fake.unexpected_errors())
    finally:
        gc.enable()
        if askers is not None:
            await askers.stop()
        if memory is not None:
            memory.stop()
        await bot.stop()
        await fake.stop()
    if "Traceback" in bot.log():
        print(f"  (tracebacks in the bot log: {bot.log_path})", file=sys.stderr)
    return out


def measure_size(size: int, passages: list[dict], questions: list[str], args, run_no: int,
                 work: Path) -> dict:
    folder = work / f"size-{size}"
    (folder / "db").mkdir(parents=True)
    data = folder / f"passages-{size}.jsonl"
    write_jsonl(grow(passages, size, args.seed), data)
    db = folder / "db" / "kb.db"
    py = sys.executable
    seconds, cpu, done = run([py, "-m", "bot.cli", "--db", str(db), "ingest", "--json", str(data)])
    report = json.loads(done.stdout)
    row = {"size": size, "paragraphs": report["paragraphs"], "ingest_s": seconds,
           "ingest_cpu_s": cpu,
           "db_mb": dir_mb(db.parent), "jsonl_mb": data.stat().st_size / 1e6}
    print(f"[{size}] ingested {report['paragraphs']} paragraphs in {seconds:.1f} s",
          file=sys.stderr, flush=True)
    cli_s, _, _ = run([py, "-m", "bot.cli", "--db", str(db), "ask", questions[0]])
    row["cli_first_answer_s"] = cli_s
    row.update(asyncio.run(measure_bot(db, folder, questions, args, run_no)))
    row["db_after_mb"] = dir_mb(db.parent)
    print(f"[{size}] {json.dumps(row, ensure_ascii=False)}", file=sys.stderr, flush=True)
    return row


COLUMNS = [("size", "paragraphs", "{:d}"), ("ingest_s", "ingest s", "{:.1f}"),
           ("ingest_cpu_s", "ingest CPU s", "{:.1f}"),
           ("db_mb", "db MB", "{:.0f}"), ("cli_first_answer_s", "CLI 1st s", "{:.2f}"),
           ("bot_first_answer_s", "bot 1st s", "{:.2f}"),
           ("post_to_answer_s", "post→ans s", "{:.2f}"),
           ("post_slowest_meanwhile_ms", "slowest ms", "{:.0f}"),
           ("upload_to_answer_s", "upload→ans s", "{:.2f}"),
           ("upload_slowest_meanwhile_ms", "slowest ms", "{:.0f}"),
           ("slowest_otherwise_ms", "slowest otherwise ms", "{:.0f}"),
           ("p99_otherwise_ms", "p99 otherwise ms", "{:.0f}"),
           ("pss_peak_mb", "PSS peak", "{:.0f}"), ("pss_steady_mb", "PSS steady", "{:.0f}"),
           ("pss_steady_search_mb", "of it search", "{:.0f}")]


def print_table(rows: list[dict]) -> None:
    print(" | ".join(title for _, title, _ in COLUMNS))
    print(" | ".join("---" for _ in COLUMNS))
    for row in rows:
        print(" | ".join(fmt.format(row[key]) if key in row else "–" for key, _, fmt in COLUMNS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", default=str(DEFAULT_DATA / "passages.jsonl"))
    parser.add_argument("--questions", default=str(DEFAULT_DATA / "questions.jsonl"))
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--askers", type=int, default=2,
                        help="users asking other questions during the updates, one at a time each")
    parser.add_argument("--probe-ms", type=float, default=50,
                        help="how often the new text's question is asked")
    parser.add_argument("--wait-s", type=float, default=300,
                        help="give up on a post's or upload's fact after this many seconds")
    parser.add_argument("--steady-s", type=float, default=3, help="seconds of steady PSS sampling")
    parser.add_argument("--warm", type=int, default=0, metavar="N",
                        help="the askers' questions answered before the updates are sent (PSS "
                             "grows as questions map the index's postings: ~3000 map nearly all)")
    parser.add_argument("--json", nargs="?", const="-", metavar="FILE",
                        help="print the rows as JSON (or write them to FILE)")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR and keep it")
    args = parser.parse_args()
    for path in (args.passages, args.questions):
        if not Path(path).is_file():
            parser.error(f"{path} not found (pass --passages / --questions)")
    passages = read_jsonl(Path(args.passages))
    questions = [q["question"] for q in read_jsonl(Path(args.questions))]
    random.Random(args.seed).shuffle(questions)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-freshness-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    try:
        for n, size in enumerate(int(s) for s in args.sizes.split(",") if s.strip()):
            rows.append(measure_size(size, passages, questions, args, n + 1, work))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)
    if args.json == "-":
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    elif args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
