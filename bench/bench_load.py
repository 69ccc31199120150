"""Load benchmark: the real bot process under many concurrent users, against a bare PTB echo bot.

    /tmp/venv/bin/python bench/bench_load.py [--passages ../shared/eval/drcd-dev/passages.jsonl]

1. Builds a ~10k-paragraph knowledge base once into a temp DB (``staffbot ingest``): the DRCD
   passages plus documents recombined from their sentences, or generated Chinese-like text when the
   passages file does not exist. Questions come from ``questions.jsonl`` next to the passages (else
   from sentence fragments of the knowledge base).
2. For each bot — staffbot (``python -m bot``), ``bench/echo_bot.py`` (same ApplicationBuilder
   settings, no search; PTB's defaults, httpx and asyncio's loop: the goal's ceiling) and the same
   echo bot on staffbot's stack, aiohttp and uvloop (``echo-stack``) — and each rate-limiter setting — ``production`` (``AIORateLimiter
   (max_retries=5)`` (``RetryingRateLimiter`` in ``bot/app.py``): 30 messages/s overall, 20/min
   per group) and
   ``no-overall`` (the overall 30/s cap off, the per-group limit kept: ``STAFFBOT_RATE_LIMIT=0``
   for staffbot, ``ECHO_OVERALL_RATE=0`` for the echo bot) — one fresh bot process, fed through
   ``tests/fakebot.FakeTelegram``:
   (a) saturation: N questions queued at once, answered questions/s until all are answered;
   (b) offered load: ``--rate`` questions/s for ``--duration`` s, update → reply latency.
   The mix is 60 % private chats, 25 % ``/ask`` in groups, 15 % inline queries, spread over many
   users and groups (so no group reaches 20 messages/min). Latency runs from queuing the update in
   the fake server to the fake server receiving the reply (sendMessage / answerInlineQuery).
3. Prints per run: answered/s, latency median and p95, the bot's peak memory (the peak of the
   summed PSS of the bot and its search process, or the bot process's VmHWM if larger), the CPU share
   of the bot and of the fake server process (which is also the load generator: queuing an update is
   a list append), and errors the fake server returned (e.g. inline queries answered too late).

With the production limiter, the saturation size and the offered-load duration are capped
(``--limited-n``, ``--limited-duration``): the queue only drains at 30/s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fakebot import FakeTelegram, group, stop_process, user  # noqa: E402

DEFAULT_PASSAGES = ROOT.parent / "shared" / "eval" / "drcd-dev" / "passages.jsonl"
TICK = os.sysconf("SC_CLK_TCK")


# -- knowledge base ------------------------------------------------------------------------------
def split_sentences(text: str) -> list[str]:
    return [s for s in re.findall(r"[^。！？!?；]+[。！？!?；]?", text) if len(s.strip()) > 4]


def generated_passages(count: int, rng: random.Random) -> list[dict]:
    chars = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
             "也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物"
             "现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表"
             "间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军"
             "很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流"
             "路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南"
             "给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己")

    def word() -> str:
        return "".join(rng.choice(chars) for _ in range(rng.choice((2, 2, 2, 3, 4))))

    def sentence() -> str:
        return "".join(word() for _ in range(rng.randint(5, 12))) + "。"

    return [{"id": f"g{n}", "title": word() + word(),
             "text": "".join(sentence() for _ in range(rng.randint(3, 6)))} for n in range(count)]


def build_corpus(passages: Path | None, paragraphs: int, out: Path, seed: int) -> tuple[list[dict], str]:
    """Write ``out`` (jsonl, one line per paragraph in ``text``); return the records and a note."""
    rng = random.Random(seed)
    if passages is not None and passages.is_file():
        base = [json.loads(line) for line in passages.read_text(encoding="utf-8").splitlines()
                if line.strip()]
        note = f"{len(base)} DRCD passages + recombined sentences"
    else:
        base = generated_passages(1000, rng)
        note = "generated Chinese-like text (no passages file)"
    records = list(base)
    sentences = [(p["title"], s) for p in base for s in split_sentences(p["text"])]
    per_doc, n = 10, 0
    while sum(r["text"].count("\n") + 1 for r in records) < paragraphs:
        lines = []
        for _ in range(per_doc):
            picked = rng.sample(sentences, rng.randint(3, 6))
            lines.append("".join(s for _, s in picked))
        records.append({"id": f"mix{n}", "title": f"{picked[0][0]}（汇编{n}）",
                        "text": "\n".join(lines)})
        n += 1
    with out.open("w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return records, note


def load_questions(passages: Path | None, records: list[dict], rng: random.Random) -> list[str]:
    qfile = passages.with_name("questions.jsonl") if passages is not None else None
    if qfile is not None and qfile.is_file():
        questions = [json.loads(line)["question"] for line in
                     qfile.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:  # fragments of sentences: a few words someone would type
        questions = []
        for r in rng.sample(records, min(3000, len(records))):
            s = rng.choice(split_sentences(r["text"]) or [r["text"]])
            start = rng.randrange(max(1, len(s) - 12))
            questions.append(s[start:start + rng.randint(6, 12)])
    rng.shuffle(questions)
    return questions


# -- fake server that timestamps replies ------------------------------------------------------------
class LoadFake(FakeTelegram):
    """FakeTelegram that records update → reply latency without scanning its logs."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.pending: dict[tuple, float] = {}
        self.latencies: list[float] = []
        self.answered_at: list[float] = []

    def _done(self, key: tuple) -> None:
        t0 = self.pending.pop(key, None)
        if t0 is not None:
            now = time.perf_counter()
            self.latencies.append((now - t0) * 1000)
            self.answered_at.append(now)

    def _record_sent(self, method, chat, msg, p, **kw):
        rec = super()._record_sent(method, chat, msg, p, **kw)
        if kw.get("reply_to"):
            self._done(("m", chat["id"], kw["reply_to"]["message_id"]))
        return rec

    async def _m_answerinlinequery(self, p, r):
        result = await super()._m_answerinlinequery(p, r)
        self._done(("i", str(p.get("inline_query_id"))))
        return result

    def reset(self) -> None:
        self.latencies, self.answered_at = [], []
        self.errors.clear()
        self.calls.clear()   # keep the fake's own bookkeeping small between phases
        self._sent.clear()


class Traffic:
    """Questions as updates: 60 % private, 25 % /ask in a group, 15 % inline."""

    def __init__(self, fake: LoadFake, questions: list[str], users: int, groups: int) -> None:
        self.fake, self.questions, self.n = fake, questions, 0
        self.users = [user(700_000 + i, f"U{i}") for i in range(users)]
        self.groups = [group(-1002_000_000_000 - i, f"Team {i}") for i in range(groups)]

    def inject(self) -> None:
        n, fake = self.n, self.fake
        self.n += 1
        q = self.questions[n % len(self.questions)]
        who = self.users[n % len(self.users)]
        kind = n % 20
        t = time.perf_counter()
        if kind < 12:
            u = fake.private_message(who, q)
            fake.pending[("m", who["id"], u["message"]["message_id"])] = t
        elif kind < 17:
            chat = self.groups[(n // 20 * 5 + kind - 12) % len(self.groups)]
            u = fake.group_message(chat, who, "/ask " + q)
            fake.pending[("m", chat["id"], u["message"]["message_id"])] = t
        else:
            u = fake.inline_query(who, q[:64])
            fake.pending[("i", u["inline_query"]["id"])] = t


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p * len(ordered))) - 1))]


def proc_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    """The bot's child processes (its search process)."""
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def tree_cpu(pid: int) -> float:
    """CPU seconds of the bot and its live children."""
    total = 0.0
    for p in [pid, *children(pid)]:
        try:
            total += proc_cpu(p)
        except OSError:
            pass
    return total


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional set size: pages shared with another process (the search process shares the
    bot's jieba dictionary copy-on-write) count half in each, so the sum over processes is what
    they hold together."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class MemorySampler:
    """Peak of the summed PSS of the bot and its children, sampled every ``interval`` s (VmHWM
    is per process and counts shared pages in each; a sampler can miss a spike shorter than the
    interval). Reading PSS costs CPU that the bot's second process would otherwise use, so
    :func:`run_bot` samples every 5 ms while the bot starts (the index build: the peak) and
    every ``--memory-interval`` s under load."""

    def __init__(self, pid: int, interval: float = 0.005) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0.0
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            total = 0.0
            for p in [self.pid, *children(self.pid)]:
                try:
                    total += await asyncio.to_thread(pss_mb, p)
                except OSError:
                    pass
            self.peak = max(self.peak, total)
            await asyncio.sleep(self.interval)

    def stop(self) -> float:
        self._task.cancel()
        return self.peak


async def drain(fake: LoadFake, stall: float) -> int:
    """Wait until every injected question is answered, or nothing was answered for ``stall`` s."""
    last, last_count = time.perf_counter(), len(fake.latencies)
    while fake.pending:
        await asyncio.sleep(0.02)
        if len(fake.latencies) != last_count:
            last, last_count = time.perf_counter(), len(fake.latencies)
        elif time.perf_counter() - last > stall:
            break
    return len(fake.pending)


async def phase(fake: LoadFake, pid: int, name: str, body) -> dict:
    fake.reset()
    fake.pending.clear()
    cpu_fake0, cpu_bot0, t0 = time.process_time(), tree_cpu(pid), time.perf_counter()
    injected = await body()
    lost = await drain(fake, stall=15)
    fake.pending.clear()
    wall = time.perf_counter() - t0
    lat = fake.latencies
    done_span = (max(fake.answered_at) - t0) if fake.answered_at else wall
    return {"phase": name, "injected": injected, "answered": len(lat), "unanswered": lost,
            "seconds": round(wall, 2), "answered_per_s": len(lat) / done_span if lat else 0.0,
            "median_ms": statistics.median(lat) if lat else float("nan"),
            "p95_ms": percentile(lat, 0.95), "max_ms": max(lat) if lat else float("nan"),
            "bot_cpu": (tree_cpu(pid) - cpu_bot0) / wall,
            "fake_cpu": (time.process_time() - cpu_fake0) / wall,
            "errors": len([e for e in fake.errors if not e.get("injected")]),
            "error_kinds": sorted({e["description"][:60] for e in fake.errors})[:3]}


async def run_bot(kind: str, limiter: str, args, db: Path, questions: list[str], work: Path) -> list[dict]:
    fake = LoadFake()
    await fake.start()
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.base_url,
           "TELEGRAM_BASE_FILE_URL": fake.base_file_url, "STAFFBOT_LOG_LEVEL": args.log_level,
           "STAFFBOT_ADMINS": "", "STAFFBOT_ALLOWED_USERS": "", "STAFFBOT_STAFF_CHATS": "",
           "STAFFBOT_CHANNELS": "", "STAFFBOT_WEBHOOK_URL": ""}
    if kind == "staffbot":
        run_db = work / f"kb-{limiter}.db"
        shutil.copy(db, run_db)
        env.update(STAFFBOT_DB=str(run_db), STAFFBOT_SEEDS=str(work / "no-seeds"),
                   STAFFBOT_RATE_LIMIT="30" if limiter == "production" else "0")
        cmd = [sys.executable, "-m", "bot"]
    else:
        cmd = [sys.executable, str(ROOT / "bench" / "echo_bot.py")]
        if limiter != "production":
            env["ECHO_OVERALL_RATE"] = "0"
        if kind == "echo-stack":  # the echo bot on staffbot's transport and event loop
            env["ECHO_STACK"] = "staffbot"
    log_path = work / f"{kind}-{limiter}.log"
    log = open(log_path, "wb")
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(*cmd, cwd=work, env=env, stdout=log,
                                                stderr=asyncio.subprocess.STDOUT)
    profiler = None
    results = []
    memory = MemorySampler(proc.pid)
    try:
        await fake.wait_for_call("deleteWebhook", timeout=180)
        ready = time.perf_counter() - started
        memory.interval = args.memory_interval
        traffic = Traffic(fake, questions, users=args.users, groups=args.groups)
        for _ in range(20):  # warm-up (not measured)
            traffic.inject()
        await drain(fake, stall=15)
        limited = limiter == "production"
        n = min(args.n, args.limited_n) if limited else args.n
        duration = min(args.duration, args.limited_duration) if limited else args.duration

        if args.profile and kind == "staffbot" and not limited:
            profiler = subprocess.Popen(
                [str(Path(sys.executable).with_name("py-spy")), "record", "--pid", str(proc.pid),
                 "--format", "raw", "--threads", "--subprocesses",
                 "--duration", str(args.profile_seconds),
                 "--rate", "200", "-o", str(args.profile)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            await asyncio.sleep(1)

        async def saturation() -> int:
            for _ in range(n):
                traffic.inject()
            return n
        results.append(await phase(fake, proc.pid, f"saturation {n} at once", saturation))

        async def offered() -> int:
            t0, sent = time.perf_counter(), 0
            while (elapsed := time.perf_counter() - t0) < duration:
                due = int(elapsed * args.rate) + 1
                while sent < due:
                    traffic.inject()
                    sent += 1
                await asyncio.sleep(0.002)
            return sent
        results.append(await phase(fake, proc.pid, f"{args.rate:g} q/s for {duration:g} s", offered))
        hwm = sum(peak_rss_mb(p) for p in [proc.pid, *children(proc.pid)])
        for r in results:
            r.update(bot=kind, limiter=limiter, ready_s=round(ready, 1),
                     peak_mb=max(memory.peak, peak_rss_mb(proc.pid)), hwm_sum_mb=hwm,
                     processes=1 + len(children(proc.pid)), memory_interval=args.memory_interval)
    finally:
        memory.stop()
        if profiler is not None:
            profiler.wait(timeout=args.profile_seconds + 30)
            err = profiler.stderr.read().decode(errors="replace").strip()
            if profiler.returncode:
                print(f"  (py-spy failed: {err[-300:]})")
        await stop_process(proc)
        await fake.stop()
        log.close()
    text = log_path.read_text(encoding="utf-8", errors="replace")
    if "Traceback" in text:
        print(f"  ({kind}/{limiter}: tracebacks in the bot log, see {log_path})")
    return results


def print_results(rows: list[dict]) -> None:
    print(f"\n{'bot':12} {'limiter':11} {'phase':24} {'answered':>9} {'ans/s':>7} {'median':>8} "
          f"{'p95':>8} {'max':>8} {'bot CPU':>8} {'fake CPU':>9} {'peak MB':>8} {'errors':>6}")
    print("(bot CPU: the bot's processes together, 100 % = one core; peak MB: their summed PSS, "
          "or the bot process's VmHWM if larger)")
    for r in rows:
        print(f"{r['bot']:12} {r['limiter']:11} {r['phase']:24} "
              f"{r['answered']:>5}/{r['injected']:<4}{r['answered_per_s']:>7.1f} "
              f"{r['median_ms']:>6.1f}ms {r['p95_ms']:>6.1f}ms {r['max_ms']:>6.0f}ms "
              f"{r['bot_cpu']:>7.0%} {r['fake_cpu']:>9.0%} {r['peak_mb']:>8.1f} {r['errors']:>6}"
              + (f"  {r['error_kinds']}" if r["errors"] else ""))


def summary(rows: list[dict]) -> None:
    def get(bot, limiter, prefix, rnd=0):
        return next((r for r in rows if r["bot"] == bot and r["limiter"] == limiter
                     and r["phase"].startswith(prefix) and r.get("round", 0) == rnd), None)
    rounds = sorted({r.get("round", 0) for r in rows})
    print()
    for limiter in ("production", "no-overall"):
        for echo in ("echo", "echo-stack"):
            ratios = []
            for rnd in rounds:
                s, e = get("staffbot", limiter, "saturation", rnd), get(echo, limiter, "saturation", rnd)
                if s and e and e["answered_per_s"]:
                    ratios.append(s["answered_per_s"] / e["answered_per_s"])
                    print(f"saturation, {limiter} limiter: staffbot {s['answered_per_s']:.1f}/s vs "
                          f"{echo} {e['answered_per_s']:.1f}/s = {ratios[-1]:.2f}×"
                          + (" (goal ≥ 0.8×)" if echo == "echo" else ""))
            if len(ratios) > 1:
                print(f"saturation, {limiter} limiter, staffbot / {echo} in {len(ratios)} rounds: "
                      f"{', '.join(f'{r:.2f}' for r in sorted(ratios))}; median "
                      f"{statistics.median(ratios):.2f}×")
        o = next((r for r in rows if r["bot"] == "staffbot" and r["limiter"] == limiter
                  and not r["phase"].startswith("saturation")), None)
        if o:
            print(f"offered load, {limiter} limiter: staffbot {o['phase']}: median "
                  f"{o['median_ms']:.1f} ms, p95 {o['p95_ms']:.1f} ms (goal p95 < 100 ms), "
                  f"{o['unanswered']} unanswered")
    mine = [r for r in rows if r["bot"] == "staffbot"]
    if mine:
        top = max(mine, key=lambda r: r["peak_mb"])
        print(f"staffbot peak memory: {top['peak_mb']:.1f} MB (goal < 300 MB) — summed PSS of its "
              f"{top['processes']} process(es), sampled every 5 ms at start-up and every "
              f"{top['memory_interval'] * 1000:g} ms under load; their VmHWM added up (shared "
              f"pages counted in each): {top['hwm_sum_mb']:.1f} MB")


async def main(args) -> None:
    work = Path(tempfile.mkdtemp(prefix="staffbot-load-"))
    (work / "no-seeds").mkdir()
    rng = random.Random(args.seed)
    try:
        passages = args.passages if args.passages and args.passages.is_file() else None
        corpus = work / "corpus.jsonl"
        records, note = build_corpus(passages, args.paragraphs, corpus, args.seed)
        questions = load_questions(passages, records, rng)
        db = work / "kb.db"
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "bot.cli", "--db", str(db), "ingest", "--json",
                               str(corpus)], capture_output=True, text=True, cwd=work)
        if done.returncode:
            sys.exit(f"ingest failed: {done.stderr[-2000:]}")
        report = json.loads(done.stdout)
        counts = {k: v for k, v in report.items() if isinstance(v, int)}
        print(f"knowledge base: {note}; {counts} in {time.perf_counter() - t0:.0f} s; "
              f"{len(questions)} questions; {args.users} users, {args.groups} groups")
        rows = []
        for rep in range(args.repeat):  # bots interleaved: this machine's speed drifts
            for kind in args.bots:
                for limiter in args.limiters:
                    print(f"running {kind} with the {limiter} limiter"
                          + (f" (round {rep + 1} of {args.repeat})" if args.repeat > 1 else "")
                          + " ...", flush=True)
                    for row in await run_bot(kind, limiter, args, db, questions, work):
                        row["round"] = rep
                        rows.append(row)
        print_results(rows)
        summary(rows)
        if args.json:
            args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    finally:
        if args.keep:
            print(f"(work folder kept: {work})")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=Path, default=DEFAULT_PASSAGES,
                        help="DRCD-style passages.jsonl (default: %(default)s); generated text "
                        "when missing")
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--n", type=int, default=1000, help="saturation: questions at once")
    parser.add_argument("--rate", type=float, default=100, help="offered load, questions/s")
    parser.add_argument("--duration", type=float, default=20, help="offered load, seconds")
    parser.add_argument("--limited-n", type=int, default=300,
                        help="saturation size with the production limiter (drains at 30/s)")
    parser.add_argument("--limited-duration", type=float, default=5,
                        help="offered-load seconds with the production limiter")
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--bots", nargs="+", default=["echo", "echo-stack", "staffbot"],
                        choices=["echo", "echo-stack", "staffbot"],
                        help="echo: the bare PTB echo bot (httpx, asyncio: PTB's defaults); "
                        "echo-stack: the same on staffbot's transport (aiohttp) and loop (uvloop)")
    parser.add_argument("--limiters", nargs="+", default=["production", "no-overall"],
                        choices=["production", "no-overall"])
    parser.add_argument("--log-level", default="WARNING", help="the bot's STAFFBOT_LOG_LEVEL")
    parser.add_argument("--profile", type=Path,
                        help="py-spy raw profile of staffbot (no-overall limiter) to this file")
    parser.add_argument("--profile-seconds", type=int, default=10)
    parser.add_argument("--memory-interval", type=float, default=0.2,
                        help="seconds between samples of the bot's memory (summed PSS) once it "
                        "has started (every 5 ms before)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of all the bots, interleaved; ratios per round and their median")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder (DB, logs)")
    asyncio.run(main(parser.parse_args()))
