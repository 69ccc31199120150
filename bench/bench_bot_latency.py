"""Update → reply latency of the real bot process, through the fake Telegram server.

    /tmp/venv/bin/python bench/bench_bot_latency.py [--questions 300]

Starts ``python -m bot`` against ``tests/fakebot.FakeTelegram`` with the seeds folder, sends the
questions one after another as private messages (each waits for its reply), and prints the median,
p95 and max latency from the update being queued to the reply being received by the fake server
(that includes the bot's long-poll pickup, search, logging, rendering and the rate limiter), plus
the bot's peak memory: the summed PSS of the bot and its search process (as ``bench_load.py``
measures it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from fakebot import FakeTelegram, stop_process, user  # noqa: E402
from bench_load import MemorySampler, children  # noqa: E402

QUESTIONS = ["怎样为基层减负", "政绩观", "食堂几点开饭", "干部队伍建设", "人才政策有哪些",
             "如何加强党的创新理论学习", "基层党组织", "年轻干部培养", "组织工作 2025 部署",
             "换届工作", "what is this", "整治形式主义", "选人用人", "党员教育管理"]


async def main(count: int, seeds: Path) -> None:
    fake = FakeTelegram()
    await fake.start()
    work = Path(tempfile.mkdtemp(prefix="staffbot-bench-"))
    shutil.copytree(seeds, work / "seeds")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.base_url,
           "TELEGRAM_BASE_FILE_URL": fake.base_file_url, "STAFFBOT_DB": str(work / "kb.db"),
           "STAFFBOT_SEEDS": str(work / "seeds"), "STAFFBOT_LOG_LEVEL": "WARNING",
           "STAFFBOT_ADMINS": "", "STAFFBOT_ALLOWED_USERS": "", "STAFFBOT_STAFF_CHATS": ""}
    log = open(work / "bot.log", "wb")
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=work, env=env,
                                                stdout=log, stderr=asyncio.subprocess.STDOUT)
    memory = MemorySampler(proc.pid)  # every 5 ms while it starts, then every 200 ms
    try:
        await fake.wait_for_call("deleteWebhook", timeout=60)
        memory.interval = 0.2
        print(f"bot ready in {time.perf_counter() - started:.2f} s (process start → polling)")
        latencies = []
        for n in range(count):
            asker = user(50_000 + n % 50, f"U{n}")
            update = fake.private_message(asker, QUESTIONS[n % len(QUESTIONS)])
            message_id = update["message"]["message_id"]
            t0 = time.perf_counter()
            await fake.wait_for_message(lambda m: m["chat_id"] == asker["id"] and
                                        m["reply_to_message_id"] == message_id, timeout=30)
            latencies.append((time.perf_counter() - t0) * 1000)
        latencies.sort()
        p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
        print(f"{count} private questions, sequential: median {statistics.median(latencies):.1f} ms, "
              f"p95 {p95:.1f} ms, max {latencies[-1]:.1f} ms")
        print(f"bot peak memory: {memory.stop():.1f} MB (summed PSS of "
              f"{1 + len(children(proc.pid))} process(es))")
        errors = fake.unexpected_errors()
        print(f"errors from the fake server: {len(errors)}")
    finally:
        memory.stop()
        await stop_process(proc, 15)
        await fake.stop()
        log.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    args = parser.parse_args()
    asyncio.run(main(args.questions, args.seeds))
