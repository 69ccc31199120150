"""Faults, end to end: the real bot process (``python -m bot``) against the fake Telegram server.

* 429 / 500 / 502 / dropped connections on getUpdates and on every method the bot sends with:
  the bot keeps running and each reply arrives exactly once (a connection dropped *after*
  Telegram processed a sendMessage is the one case that can send twice: the Bot API has no
  idempotency key; this is measured and printed, not hidden).
* SIGKILL at random moments while channel posts and a large upload are being stored: on every
  restart the database is intact and holds the old or the new version of each document; at the
  end every post is there exactly once, in its latest edit.
* SIGTERM while questions are in flight: each question gets exactly one complete reply.
* Two processes on one token (409 Conflict): the newcomer exits with status 3 and says why.

Figures are printed (run with ``-s`` to see them): inputs, kills, items lost, Telegram 400s.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from botprocess import SEED, BotProcess  # noqa: E402
from fakebot import FakeTelegram, channel, iter_buttons, user  # noqa: E402

ADMIN = user(1001, "Admin", "zh-hans")
EXIT_CONFLICT = 3


def Bot(fake: FakeTelegram, workdir: Path, **env: str) -> BotProcess:
    """The bot process with :data:`ADMIN` as its admin (see tests/botprocess.py)."""
    return BotProcess(fake, workdir, **{"STAFFBOT_ADMINS": str(ADMIN["id"]), **env})


def tracebacks(log: str) -> int:
    return log.count("Traceback")


def replies_to(update: dict):
    message = update["message"]
    return lambda m: (m["chat_id"] == message["chat"]["id"]
                      and m["reply_to_message_id"] == message["message_id"])


def bad_requests(fake: FakeTelegram) -> list[dict]:
    return [e for e in fake.errors if e["status"] == 400 and not e["injected"]]


async def settle(bot: BotProcess, who: dict, timeout: float = 30) -> None:
    """Wait until the bot has finished every update pushed so far.

    Updates of different chats may finish out of order (``STAFFBOT_CONCURRENT_UPDATES``), so a
    fresh question's answer alone proves nothing about earlier updates: once it is answered,
    getUpdates has handed this process everything pushed before it, and we wait for the bot's
    one log line per update (``update N: ...``) for each of those.
    """
    fake = bot.fake
    update = fake.private_message(who, "政绩观")
    await fake.wait_for_message(replies_to(update), timeout)
    wanted = {n for n in fake._delivered - bot.delivered_before if n <= update["update_id"]}
    deadline = time.monotonic() + timeout
    while True:
        missing = wanted - bot.handled_ids()
        if not missing:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"updates not finished: {sorted(missing)[:20]}\n"
                                 f"{bot.log()[-3000:]}")
        await asyncio.sleep(0.05)


# -- 429, 5xx, dropped connections ---------------------------------------------------------------------
KINDS = ["429", "500", "502", "drop", "drop_after"]


async def test_faults_on_get_updates_lose_nothing_and_duplicate_nothing(tmp_path):
    async with FakeTelegram() as fake:
        bot = Bot(fake, tmp_path)
        await bot.start()
        asked = []
        for n, kind in enumerate(KINDS):  # one at a time: PTB backs off longer after each
            fake.fail_next("getUpdates", 1, kind, retry_after=1)
            asked.append(fake.private_message(user(5000 + n, f"U{n}"), "怎样为基层减负"))
            asked.append(fake.private_message(user(5100 + n, f"V{n}"), "政绩观"))
            for update in asked[-2:]:
                await fake.wait_for_message(replies_to(update), timeout=30)
        await settle(bot, user(4999, "Last"))
        counts = [len([m for m in fake.sent_messages() if replies_to(u)(m)]) for u in asked]
        injected = [e["kind"] for e in fake.errors if e["injected"] and e["method"] == "getUpdates"]
        assert await bot.term() == 0
        log = bot.log()
        print(f"\n[faults/getUpdates] questions={len(asked)} injected={len(injected)} "
              f"replies={sum(counts)} lost={counts.count(0)} duplicated={sum(c > 1 for c in counts)} "
              f"400s={len(bad_requests(fake))} tracebacks={tracebacks(log)}")
        assert counts == [1] * len(asked)
        assert sorted(set(injected)) == sorted(KINDS)
        assert not bad_requests(fake)
        assert tracebacks(log) == 0, log
        assert "getUpdates failed, retrying" in log


async def test_faults_on_every_send_method_deliver_exactly_once(tmp_path):
    """sendMessage, answerCallbackQuery, editMessageReplyMarkup, answerInlineQuery, each with
    every fault kind. (The bot never calls editMessageText: answers are new messages.)"""
    rows = []
    async with FakeTelegram() as fake:
        bot = Bot(fake, tmp_path)
        await bot.start()

        # sendMessage: one asker per fault kind, all queued at once
        send_updates = {}
        for n, kind in enumerate(KINDS):
            who = user(6000 + n, f"S{n}")
            fake.fail_next("sendMessage", 1, kind, retry_after=1,
                           when=lambda p, uid=who["id"]: int(p.get("chat_id", 0)) == uid)
            send_updates[kind] = fake.private_message(who, "政绩观")
        for kind, update in send_updates.items():
            await fake.wait_for_message(replies_to(update), timeout=40)
        await settle(bot, user(6999, "Settle"))
        for kind, update in send_updates.items():
            rows.append(("sendMessage", kind,
                         len([m for m in fake.sent_messages() if replies_to(update)(m)])))

        # answerCallbackQuery ("full paragraph") and editMessageReplyMarkup (👍 removes 👍/👎)
        answers = {kind: await fake.wait_for_message(replies_to(u)) for kind, u in send_updates.items()}
        clicks = {}
        for n, kind in enumerate(KINDS):
            reply, who = answers[kind], user(6000 + n, f"S{n}")
            datas = [b.get("callback_data") for b in iter_buttons(reply)]
            full = next(d for d in datas if d.startswith("p:"))
            up = next(d for d in datas if d.startswith("f:") and d.endswith(":1"))
            q = fake.callback_query(who, reply, full)
            qid = q["callback_query"]["id"]
            fake.fail_next("answerCallbackQuery", 1, kind, retry_after=1,
                           when=lambda p, qid=qid: str(p.get("callback_query_id")) == qid)
            f = fake.callback_query(who, reply, up)
            key = (reply["chat_id"], reply["message_id"])
            fake.fail_next("editMessageReplyMarkup", 1, kind, retry_after=1,
                           when=lambda p, key=key: (int(p.get("chat_id", 0)),
                                                    int(p.get("message_id", 0))) == key)
            clicks[kind] = (q, f, reply)
        await settle(bot, user(6998, "Settle2"), timeout=60)
        for kind, (q, f, reply) in clicks.items():
            qid = q["callback_query"]["id"]
            answered = [c for c in fake.calls_to("answerCallbackQuery")
                        if str(c.params.get("callback_query_id")) == qid
                        and (c.status == 200 or c.injected == "drop_after")]
            rows.append(("answerCallbackQuery", kind, len(answered)))
            edits = fake.sent_messages(reply["chat_id"])
            record = next(m for m in edits if m["message_id"] == reply["message_id"])
            left = [b.get("callback_data") for b in iter_buttons(record)]
            done = [c for c in fake.calls_to("editMessageReplyMarkup")
                    if int(c.params.get("message_id", 0)) == reply["message_id"]
                    and int(c.params.get("chat_id", 0)) == reply["chat_id"]
                    and (c.status == 200 or c.injected == "drop_after")]
            assert not [d for d in left if d.startswith("f:")], (kind, left)
            rows.append(("editMessageReplyMarkup", kind, len(done)))

        # answerInlineQuery (Telegram drops an inline query after 10 s: one at a time)
        for n, kind in enumerate(KINDS):
            update = fake.inline_query(user(6100 + n, f"I{n}"), "政绩观")
            qid = update["inline_query"]["id"]
            fake.fail_next("answerInlineQuery", 1, kind, retry_after=1,
                           when=lambda p, qid=qid: str(p.get("inline_query_id")) == qid)
            await fake.wait_for_call("answerInlineQuery", lambda c, qid=qid: c.params.get(
                "inline_query_id") == qid and (c.status == 200 or c.injected == "drop_after"),
                timeout=30)
            await settle(bot, user(6997, "Settle3"))
            done = [c for c in fake.calls_to("answerInlineQuery")
                    if c.params.get("inline_query_id") == qid
                    and (c.status == 200 or c.injected == "drop_after")]
            assert fake.inline_answers[qid]["results"]
            rows.append(("answerInlineQuery", kind, len(done)))

        assert await bot.term() == 0
        log = bot.log()
        # A retry after "drop_after" meets Telegram's own record of the first attempt: for the
        # answer and edit methods the 400 it gets back ("query is too old", "not modified") is
        # how the bot knows the first attempt went through. Those are the only 400s.
        expected_400 = [e for e in bad_requests(fake)
                        if e["method"] in ("answerCallbackQuery", "answerInlineQuery",
                                           "editMessageReplyMarkup")]
        unexpected_400 = [e for e in bad_requests(fake) if e not in expected_400]
        print("\n[faults/send] method, fault, deliveries:")
        for method, kind, count in rows:
            print(f"  {method:24} {kind:10} {count}")
        print(f"[faults/send] scenarios={len(rows)} exactly_once="
              f"{sum(c == 1 for _, _, c in rows)} lost={sum(c == 0 for _, _, c in rows)} "
              f"twice={[(m, k) for m, k, c in rows if c > 1]} "
              f"400s_after_drop_after={len(expected_400)} other_400s={len(unexpected_400)} "
              f"tracebacks={tracebacks(log)}")
        for method, kind, count in rows:
            if method == "sendMessage" and kind == "drop_after":
                assert count in (1, 2)  # processed, answer lost, retried: may arrive twice
            else:
                assert count == 1, (method, kind, count)
        assert not unexpected_400, unexpected_400
        assert tracebacks(log) == 0, log
        assert "error handling update" not in log


# -- SIGKILL while storing -----------------------------------------------------------------------------
NEWS = channel(-1001555000111, "工作通知", username="work_news")


def post_text(number: int, version: int) -> str:
    return (f"通知{number}号\n第{number}号通知第{version}版：请各部门于本周内完成第{number}项工作的"
            f"自查，并提交第{version}版报告。")


def handbook(version: int, paragraphs: int = 800) -> bytes:
    lines = [f"# 员工手册第{version}版", ""]
    for i in range(paragraphs):
        if i % 50 == 0:
            lines += [f"## 第{i // 50 + 1}章", ""]
        lines += [f"版本{version}第{i}条：干部职工应当遵守工作纪律，按时完成组织交办的任务，"
                  f"加强学习，提高业务能力和服务水平。", ""]
    return "\n".join(lines).encode()


def check_database(path: Path) -> dict:
    """Integrity, and every document complete: all its paragraphs of one version."""
    conn = sqlite3.connect(path)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        tables = {name for (name,) in
                  conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "documents" not in tables:
            # killed while the first process was still making the schema (a loaded machine:
            # the first kill comes 0.5–2 s after the start): nothing stored yet, as before; the
            # next process makes the rest of the schema, and the final check reads everything
            return {"integrity": integrity, "partial": [], "handbook_versions": set(),
                    "handbook_mixed": False, "posts": [], "origins": []}
        docs = conn.execute("SELECT id, origin, paragraphs FROM documents").fetchall()
        partial = []
        for doc_id, origin, count in docs:
            stored = conn.execute("SELECT count(*) FROM paragraphs WHERE doc_id = ?",
                                  [doc_id]).fetchone()[0]
            if stored != count:
                partial.append(origin)
        book = conn.execute("SELECT d.title, p.text FROM documents d JOIN paragraphs p "
                            "ON p.doc_id = d.id WHERE d.origin = 'upload:handbook.md'").fetchall()
        versions = {title for title, _ in book}
        mixed = any(not text.startswith(f"版本{title.removeprefix('员工手册第').removesuffix('版')}")
                    for title, text in book if "条" in text)
        posts = conn.execute("SELECT origin, group_concat(p.text, '\n') FROM documents d "
                             "JOIN paragraphs p ON p.doc_id = d.id WHERE d.origin LIKE 'telegram:%' "
                             "GROUP BY d.id").fetchall()
        return {"integrity": integrity, "partial": partial, "handbook_versions": versions,
                "handbook_mixed": mixed, "posts": posts,
                "origins": [o for _, o, _ in docs]}
    finally:
        conn.close()


def post_outcomes(state: dict, latest: dict[int, int]) -> tuple[list, list, list]:
    """Posts (message ids) lost, stored in an older version than the latest sent, stored twice."""
    stored: dict[int, list[str]] = {}
    for origin, text in state["posts"]:
        stored.setdefault(int(origin.rsplit(":", 1)[1]), []).append(text)
    lost = [mid for mid in latest if mid not in stored]
    stale = [mid for mid, texts in stored.items()
             if mid in latest and not any(f"第{latest[mid]}版" in t for t in texts)]
    duplicated = [mid for mid, texts in stored.items() if len(texts) > 1]
    return lost, stale, duplicated


async def test_sigkill_while_storing_loses_nothing(tmp_path):
    rng = random.Random(int(os.environ.get("STAFFBOT_KILL_SEED", "20250601")))
    kills = int(os.environ.get("STAFFBOT_KILLS", "12"))
    latest: dict[int, int] = {}          # post message id → latest version sent
    handbook_sent = 0
    in_flight = {"any": 0, "upload": 0}  # kills with fetched, unconfirmed updates (an upload)
    started = time.monotonic()
    async with FakeTelegram() as fake:
        bot = Bot(fake, tmp_path)
        for round_ in range(kills):
            # this round's work is queued while no process runs: the next one starts on it
            first = None
            for _ in range(6):  # new posts
                update = fake.channel_post(NEWS, post_text(len(latest) + 1, 1))
                first = first or update
                latest[update["channel_post"]["message_id"]] = 1
            for mid in rng.sample(sorted(latest), 3):  # edits
                latest[mid] += 1
                fake.edited_channel_post(NEWS, post_text(mid, latest[mid]), mid)
            handbook_sent += 1
            upload = fake.document_message(ADMIN, "handbook.md", handbook(handbook_sent))
            await bot.spawn()
            if round_ == 0:  # the first start ingests the seeds folder: kill during that
                await asyncio.sleep(rng.uniform(0.5, 2.0))
            else:  # kill while this round's updates are being stored
                await fake.wait_for_update_delivered(first, timeout=60)
                await asyncio.sleep(rng.uniform(0.0, 0.5))
            pending = {u["update_id"] for u in fake.pending_updates} & fake._delivered
            in_flight["any"] += bool(pending)
            in_flight["upload"] += upload["update_id"] in pending
            await bot.kill()
            if bot.db.exists():  # between two processes: intact, each document old or new
                state = check_database(bot.db)
                assert state["integrity"] == "ok", state["integrity"]
                assert not state["partial"], f"half-written documents: {state['partial']}"
                assert len(state["handbook_versions"]) <= 1 and not state["handbook_mixed"]
        # the last process: everything queued gets processed, then a clean stop
        await bot.start()
        await settle(bot, user(7001, "Settle"), timeout=60)
        deadline = time.monotonic() + 30
        while fake.pending_updates and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert await bot.term() == 0
        state = check_database(bot.db)
        lost, stale, duplicated = post_outcomes(state, latest)
        seed_docs = [o for o in state["origins"] if o.endswith(SEED.name)]
        elapsed = time.monotonic() - started
        print(f"\n[sigkill] kills={kills} (with fetched-but-unconfirmed updates: "
              f"{in_flight['any']}, of which during an upload: {in_flight['upload']}) "
              f"posts={len(latest)} "
              f"edits={sum(latest.values()) - len(latest)} handbook_uploads={handbook_sent} "
              f"lost={len(lost)} stale={len(stale)} duplicated={len(duplicated)} "
              f"integrity={state['integrity']} 400s={len(bad_requests(fake))} {elapsed:.0f}s")
        assert state["integrity"] == "ok" and not state["partial"]
        assert not lost and not stale and not duplicated, (lost, stale, duplicated)
        assert len(seed_docs) == 1
        if handbook_sent:
            assert state["handbook_versions"] == {f"员工手册第{handbook_sent}版"}
        assert not bad_requests(fake)
        assert in_flight["any"] >= kills // 4  # the kills did land on unfinished work


# -- webhook mode: acknowledged only when processed -------------------------------------------------------
class Webhook:
    """Telegram's side of a webhook: POSTs each pending update (several connections at once) and
    forgets it only when the bot answers 200; anything else is sent again later."""

    def __init__(self, port: int, secret: str) -> None:
        self.url = f"http://127.0.0.1:{port}/hook"
        self.headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        self.pending: dict[int, dict] = {}
        self.acked: list[int] = []

    async def deliver_once(self, session) -> None:
        async def post(update: dict) -> None:
            try:
                async with session.post(self.url, json=update, headers=self.headers) as response:
                    if response.status == 200:
                        self.pending.pop(update["update_id"], None)
                        self.acked.append(update["update_id"])
            except (aiohttp.ClientError, asyncio.TimeoutError):
                pass
        await asyncio.gather(*(post(u) for u in list(self.pending.values())))

    async def wait_listening(self, session, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                async with session.post(self.url, json={}) as response:  # no secret: 403
                    assert response.status == 403
                    return
            except aiohttp.ClientConnectorError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)


async def test_sigkill_in_webhook_mode_loses_no_acknowledged_post(tmp_path):
    """Kill -9 while Telegram's webhook requests are being processed, again and again: every post
    the bot acknowledged (HTTP 200) is stored, and the others arrive again and are stored once."""
    rng = random.Random(int(os.environ.get("STAFFBOT_KILL_SEED", "20250601")))
    kills = int(os.environ.get("STAFFBOT_WEBHOOK_KILLS", "8"))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hook = Webhook(port, "hook-secret")
    latest: dict[int, int] = {}
    acked_when_killed = unacked_when_killed = 0
    timeout = aiohttp.ClientTimeout(total=20)
    async with FakeTelegram() as fake, aiohttp.ClientSession(timeout=timeout) as session:
        bot = Bot(fake, tmp_path, STAFFBOT_WEBHOOK_URL="https://bot.example.org/hook",
                  STAFFBOT_WEBHOOK_LISTEN="127.0.0.1", STAFFBOT_WEBHOOK_PORT=str(port),
                  STAFFBOT_WEBHOOK_SECRET="hook-secret")
        for _ in range(kills):
            for _ in range(30):
                update = fake.channel_post(NEWS, post_text(len(latest) + 1, 1))
                latest[update["channel_post"]["message_id"]] = 1
                hook.pending[update["update_id"]] = update
            # edits of earlier rounds' posts: a version is known by its (edit) date, to the second
            for mid in rng.sample(sorted(latest)[:-30], min(6, len(latest) - 30)):
                latest[mid] += 1
                update = fake.edited_channel_post(NEWS, post_text(mid, latest[mid]), mid)
                hook.pending[update["update_id"]] = update
            await bot.spawn()
            await hook.wait_listening(session)
            before = len(hook.acked)
            delivery = asyncio.create_task(hook.deliver_once(session))
            await asyncio.sleep(rng.uniform(0.0, 0.15))
            await bot.kill()
            await delivery
            acked_when_killed += len(hook.acked) - before
            unacked_when_killed += len(hook.pending)
            state = check_database(bot.db)
            assert state["integrity"] == "ok" and not state["partial"]
        # SIGTERM with webhook requests in flight: a clean exit; what it did not finish comes again
        for _ in range(30):
            update = fake.channel_post(NEWS, post_text(len(latest) + 1, 1))
            latest[update["channel_post"]["message_id"]] = 1
            hook.pending[update["update_id"]] = update
        await bot.spawn()
        await hook.wait_listening(session)
        delivery = asyncio.create_task(hook.deliver_once(session))
        await asyncio.sleep(0.05)
        assert await bot.term() == 0
        await delivery
        await bot.spawn()
        await hook.wait_listening(session)
        for _ in range(20):
            if not hook.pending:
                break
            await hook.deliver_once(session)
        assert not hook.pending
        assert await bot.term() == 0
        state = check_database(bot.db)
    lost, stale, duplicated = post_outcomes(state, latest)
    print(f"\n[webhook sigkill] kills={kills} posts={len(latest)} "
          f"edits={sum(latest.values()) - len(latest)} acknowledged before a kill="
          f"{acked_when_killed} unacknowledged at a kill={unacked_when_killed} lost={len(lost)} "
          f"stale={len(stale)} duplicated={len(duplicated)} integrity={state['integrity']}")
    assert not lost and not stale and not duplicated, (lost, stale, duplicated)
    assert unacked_when_killed >= kills // 2  # the kills did land on unfinished work


# -- SIGTERM with questions in flight -------------------------------------------------------------------
async def test_sigterm_with_questions_in_flight_answers_each_exactly_once(tmp_path):
    questions = ["怎样为基层减负", "政绩观", "食堂几点开饭", "干部考核", "调查研究", "组织工作"]
    async with FakeTelegram() as fake:
        bot = Bot(fake, tmp_path)
        await bot.start()
        await settle(bot, user(8999, "Warm"))
        asked = [fake.private_message(user(8000 + n, f"Q{n}"), questions[n % len(questions)])
                 for n in range(30)]
        await fake.wait_for_message(replies_to(asked[0]), timeout=20)
        answered_before = sum(1 for u in asked if any(replies_to(u)(m) for m in fake.sent_messages()))
        assert await bot.term() == 0
        first_log = bot.log()
        await bot.start()
        for update in asked:
            await fake.wait_for_message(replies_to(update), timeout=30)
        await settle(bot, user(8998, "Last"))
        counts = [len([m for m in fake.sent_messages() if replies_to(u)(m)]) for u in asked]
        complete = all(("📖" in m["text"] or "没有找到" in m["text"] or "不太确定" in m["text"])
                       for u in asked for m in fake.sent_messages() if replies_to(u)(m))
        assert await bot.term() == 0
        print(f"\n[sigterm] questions={len(asked)} answered_when_sigterm_arrived={answered_before} "
              f"replies={sum(counts)} lost={counts.count(0)} twice={sum(c > 1 for c in counts)} "
              f"400s={len(bad_requests(fake))}")
        assert counts == [1] * len(asked), counts
        assert complete
        assert "confirmed updates below" in first_log, first_log
        assert tracebacks(first_log) == 0 and tracebacks(bot.log()) == 0
        assert not bad_requests(fake)


# -- two instances on one token -------------------------------------------------------------------------
@pytest.mark.parametrize("policy", ["reject_new", "terminate_old"])
async def test_second_instance_on_the_same_token_exits_with_a_clear_message(tmp_path, policy):
    async with FakeTelegram(conflict_policy=policy) as fake:
        first = Bot(fake, tmp_path / "first")
        await first.start()
        await settle(first, user(9001, "A"))
        second = Bot(fake, tmp_path / "second")
        started = time.monotonic()
        await second.spawn()
        code = await asyncio.wait_for(second.proc.wait(), 40)
        elapsed = time.monotonic() - started
        log = second.log()
        conflicts = len([e for e in fake.errors if e["status"] == 409])
        await settle(first, user(9002, "B"))  # the first instance still answers
        assert await first.term() == 0
        print(f"\n[conflict/{policy}] second instance exit={code} after {elapsed:.1f}s, "
              f"409s={conflicts}, tracebacks={tracebacks(log)}+{tracebacks(first.log())}")
        assert code == EXIT_CONFLICT, log
        assert "another instance is polling with this token" in log
        assert tracebacks(log) == 0 and tracebacks(first.log()) == 0, log
        assert log.count("409") < 10  # no storm
