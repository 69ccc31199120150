"""The real bot process against the fake Bot API: what every end-to-end test starts.

    async with FakeTelegram() as fake:
        bot = BotProcess(fake, tmp_path, STAFFBOT_ADMINS="1001")   # more settings as keywords
        await bot.start()                 # returns once it polls (post_init is done)
        fake.private_message(user(1, "Ann"), "年假有几天")
        await bot.handled(update)         # its one log line per finished update
        assert await bot.term() == 0

Nothing calls a handler: updates go in through getUpdates (or the webhook) and replies are read
from what the bot sent over HTTP. Each start writes its log to ``workdir/bot-N.log``.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from fakebot import FakeTelegram, stop_process

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "organization-work-2025.txt"

__all__ = ["ROOT", "SEED", "BotProcess", "telegram_env"]


def telegram_env(fake: FakeTelegram) -> dict[str, str]:
    """The settings that point a bot at ``fake``."""
    return {"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_BASE_URL": fake.base_url,
            "TELEGRAM_BASE_FILE_URL": fake.base_file_url}


class BotProcess:
    """One bot process against ``fake``, started and restarted in ``workdir``.

    By default ``python -m bot`` with this environment, a database and a seeds folder (the
    organisation-work seed) in ``workdir``, access unrestricted, polling. Keyword arguments are
    more settings; each admin in ``STAFFBOT_ADMINS`` has a private chat with the bot already
    (for its command menu). ``command``/``cwd``/``base_env``/``seeds=False`` run something else
    (the Docker recipe's installed ``staffbot``).
    """

    runs = 0

    def __init__(self, fake: FakeTelegram, workdir: Path, *, command: Sequence[str] | None = None,
                 cwd: Path | None = None, base_env: Mapping[str, str] | None = None,
                 seeds: bool = True, **env: str) -> None:
        self.fake, self.workdir = fake, workdir
        self.command = list(command or (sys.executable, "-m", "bot"))
        self.cwd = cwd or workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.db = workdir / "kb.db"
        defaults = {}
        if seeds:
            folder = workdir / "seeds"
            folder.mkdir(exist_ok=True)
            if not (folder / SEED.name).exists():
                shutil.copy(SEED, folder / SEED.name)
            defaults = {"STAFFBOT_DB": str(self.db), "STAFFBOT_SEEDS": str(folder),
                        "STAFFBOT_LOG_LEVEL": "INFO", "STAFFBOT_ALLOWED_USERS": "",
                        "STAFFBOT_STAFF_CHATS": "", "STAFFBOT_CHANNELS": "",
                        "STAFFBOT_WEBHOOK_URL": "", "STAFFBOT_ADMINS": ""}
        self.env = {**(os.environ if base_env is None else base_env), **telegram_env(fake),
                    **defaults, **env}
        for admin_id in (int(a) for a in self.env.get("STAFFBOT_ADMINS", "").split(",") if a):
            fake.add_chat({"id": admin_id, "type": "private", "first_name": "Admin"})
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path: Path | None = None
        self.delivered_before: set[int] = set()  # updates handed to earlier processes

    async def spawn(self) -> None:
        """Start the process (without waiting for it to poll)."""
        BotProcess.runs += 1
        self.delivered_before = set(self.fake._delivered)
        self.log_path = self.workdir / f"bot-{BotProcess.runs}.log"
        with open(self.log_path, "wb") as log:
            self.proc = await asyncio.create_subprocess_exec(
                *self.command, cwd=self.cwd, env=self.env, stdout=log,
                stderr=asyncio.subprocess.STDOUT)

    async def start(self, timeout: float = 60, ready: str = "deleteWebhook") -> None:
        """Spawn and wait until it is ready (``deleteWebhook`` comes right after post_init;
        ``setWebhook`` in webhook mode)."""
        mark = self.fake.mark()
        await self.spawn()
        try:
            await self.fake.wait_for_call(ready, timeout=timeout, after=mark)
        except Exception:
            print(self.log())
            raise

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path else ""

    def outcomes(self) -> dict[int, str]:
        """What this process did with each update it finished (its ``update N: ...`` lines)."""
        return {int(n): rest for n, rest in re.findall(r"update (\d+): (.*)", self.log())}

    def handled_ids(self) -> set[int]:
        return set(self.outcomes())

    async def handled(self, *updates: dict, timeout: float = 30) -> str:
        """Wait until every one of ``updates`` is finished (updates of different chats may finish
        out of order); the log line's outcome of the last one."""
        ids = [u["update_id"] for u in updates]
        deadline = time.monotonic() + timeout
        while True:
            outcomes = self.outcomes()
            missing = set(ids) - set(outcomes)
            if not missing:
                return outcomes[ids[-1]]
            if time.monotonic() > deadline:
                raise AssertionError(f"updates {sorted(missing)} not handled:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.05)

    async def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def term(self, timeout: float = 30) -> int:
        """SIGTERM; the exit status."""
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def stop(self) -> int | None:
        """SIGTERM, SIGKILL if it hangs; the exit status (None: never started)."""
        return await stop_process(self.proc, 15) if self.proc is not None else None
