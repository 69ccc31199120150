"""Concurrent update processing (``STAFFBOT_CONCURRENT_UPDATES``): different chats run at once,
one chat (or one user's inline queries, or one channel) strictly in arrival order.

End to end like tests/test_bot_e2e.py: the real bot process against the fake Telegram server.
A chat is made slow on purpose with the fake's "delay" fault (its sendMessage or the upload's
getFile answers late), so the tests do not depend on the machine's speed.
"""

from __future__ import annotations

import asyncio
import re
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent))
from botprocess import BotProcess  # noqa: E402
from fakebot import FakeTelegram, channel, user  # noqa: E402

from bot.ordering import PerChatUpdateProcessor, order_key  # noqa: E402

ADMIN = user(1001, "Admin", "zh-hans")
ANN = user(2001, "Ann", "zh-hans")
BOB = user(2002, "Bob", "zh-hans")
NEWS = channel(-1001777000111, "工会通知", username="union_news_c")


def Bot(fake: FakeTelegram, workdir: Path, **env: str) -> BotProcess:
    """The bot process with concurrent updates on (see tests/botprocess.py)."""
    return BotProcess(fake, workdir, **{"STAFFBOT_ADMINS": str(ADMIN["id"]),
                                        "STAFFBOT_CONCURRENT_UPDATES": "on", **env})


def replies_to(update: dict):
    message = update["message"]
    return lambda m: (m["chat_id"] == message["chat"]["id"]
                      and m["reply_to_message_id"] == message["message_id"])


def to_chat(chat_id: int):
    return lambda p: int(p.get("chat_id", 0)) == chat_id


async def timed_answer(fake: FakeTelegram, who: dict, text: str) -> tuple[dict, float]:
    """Ask ``text`` in ``who``'s private chat; the reply and the seconds it took."""
    started = time.monotonic()
    asked = fake.private_message(who, text)
    reply = await fake.wait_for_message(replies_to(asked), timeout=20)
    return reply, time.monotonic() - started


async def finish(fake: FakeTelegram, bot: BotProcess) -> None:
    assert await bot.term() == 0, bot.log()[-3000:]
    log = bot.log()
    assert "Traceback" not in log, log[-5000:]
    assert not [e for e in fake.unexpected_errors() if e["status"] == 400], fake.errors
    assert "concurrent updates: 12" in log
    assert "event loop: uvloop" in log   # (a dependency on Linux: bot.runtime.use_uvloop)


# -- unit: the order key ---------------------------------------------------------------------------------
def test_order_keys_are_the_chat_else_the_user():
    from telegram import Update

    bot_user = {"id": 1, "is_bot": True, "first_name": "B"}
    message = {"message_id": 5, "date": 0, "chat": {"id": -100, "type": "supergroup"},
               "from": {"id": 7, "is_bot": False, "first_name": "U"}}
    post = {"message_id": 9, "date": 0, "chat": {"id": -1009, "type": "channel"}}
    inline = {"id": "q", "from": {"id": 7, "is_bot": False, "first_name": "U"}, "query": "x",
              "offset": ""}
    cases = [({"message": message}, ("chat", -100)), ({"edited_message": message}, ("chat", -100)),
             ({"channel_post": post}, ("chat", -1009)),
             ({"edited_channel_post": post}, ("chat", -1009)),
             ({"inline_query": inline}, ("user", 7))]
    for n, (data, key) in enumerate(cases):
        update = Update.de_json({"update_id": n, **data}, None)
        assert order_key(update) == key, data
    del bot_user
    assert order_key(object()) is None


async def test_the_processor_keeps_one_key_in_order_and_runs_keys_at_once():
    """Unit level: 3 slots; key A's updates strictly one after another, B not waiting for A."""
    processor = PerChatUpdateProcessor(3)
    events: list[str] = []

    class U:  # order_key needs a telegram Update; key by a plain attribute instead
        pass

    import bot.ordering as ordering

    original = ordering.order_key
    ordering.order_key = lambda u: getattr(u, "key", None)
    try:
        async def work(name: str, seconds: float):
            events.append(f"start {name}")
            await asyncio.sleep(seconds)
            events.append(f"end {name}")

        def update(key):
            u = U()
            u.key = key
            return u

        tasks = [asyncio.create_task(processor.process_update(update(k), work(n, s)))
                 for k, n, s in [("A", "a1", 0.3), ("A", "a2", 0.0), ("B", "b1", 0.0),
                                 ("A", "a3", 0.0)]]
        await asyncio.gather(*tasks)
    finally:
        ordering.order_key = original
    assert [e for e in events if e.split()[1].startswith("a")] == ["start a1", "end a1", "start a2", "end a2",
                                               "start a3", "end a3"]
    assert events.index("end b1") < events.index("end a1")  # B did not wait for A
    assert processor.waiting_chats == 0


# -- end to end --------------------------------------------------------------------------------------------
async def test_one_chat_in_order_other_chats_not_blocked(tmp_path):
    async with FakeTelegram() as fake:
        bot = Bot(fake, tmp_path)
        await bot.start()
        try:
            # A channel post and its immediate edit: processed in order, the edit wins.
            post = fake.channel_post(NEWS, "羽毛球比赛报名\n工会羽毛球比赛定于周五下午在体育馆举行。")
            edit = fake.edited_channel_post(
                NEWS, "乒乓球比赛报名\n工会乒乓球比赛改为周六上午在活动中心举行。",
                post["channel_post"]["message_id"])
            assert (await bot.handled(post)).startswith("channel post ")
            assert (await bot.handled(edit)).startswith("channel post ")
            asked = fake.private_message(ANN, "乒乓球比赛什么时候举行")
            reply = await fake.wait_for_message(replies_to(asked), timeout=20)
            assert "周六" in reply["text"], reply["text"]
            asked = fake.private_message(ANN, "羽毛球比赛周五体育馆")
            reply = await fake.wait_for_message(replies_to(asked), timeout=20)
            assert "周五下午在体育馆" not in reply["text"]

            # Ann's chat is slow (each reply to her is answered 1.5 s late): her two questions are
            # answered in the order asked; Bob, asking after both, is answered first.
            fake.fail_next("sendMessage", 2, "delay", delay=1.5, when=to_chat(ANN["id"]))
            first = fake.private_message(ANN, "怎样为基层减负")
            second = fake.private_message(ANN, "政绩观")
            bob, bob_seconds = await timed_answer(fake, BOB, "政绩观")
            one = await fake.wait_for_message(replies_to(first), timeout=20)
            two = await fake.wait_for_message(replies_to(second), timeout=20)
            assert one["seq"] < two["seq"]      # Ann's answers in the order she asked
            assert bob["seq"] < one["seq"]      # Bob did not wait behind Ann's slow chat
            assert bob_seconds < 1.4, bob_seconds

            # A large admin upload (its download answered 3 s late, then ~4000 paragraphs to
            # index) keeps the admin's chat busy, not the others; the admin's own next question
            # waits for the upload (same chat).
            handbook = "\n\n".join(f"第{n}条 食堂{n}号窗口的开放时间为每天上午{n % 12}点，"
                                   f"由后勤{n}组负责登记和检查。" for n in range(4000))
            fake.fail_next("getFile", 1, "delay", delay=3)
            upload = fake.document_message(ADMIN, "handbook.txt", handbook.encode("utf-8"))
            after_upload = fake.private_message(ADMIN, "政绩观")
            await fake.wait_for_update_delivered(after_upload)
            bob, bob_seconds = await timed_answer(fake, BOB, "怎样为基层减负")
            stored = await fake.wait_for_message(replies_to(upload), timeout=60)
            admin = await fake.wait_for_message(replies_to(after_upload), timeout=30)
            assert bob_seconds < 2.0, bob_seconds   # bounded: not the upload's 3 s and more
            assert bob["seq"] < stored["seq"] < admin["seq"]
            assert "handbook.txt" in stored["text"]
            asked = fake.private_message(BOB, "食堂3999号窗口开放时间")
            reply = await fake.wait_for_message(replies_to(asked), timeout=30)
            assert "3999" in reply["text"]
        except BaseException:
            print(bot.log()[-6000:])
            raise
        await finish(fake, bot)


async def test_sigterm_finishes_updates_in_flight_and_confirms_only_finished_ones(tmp_path):
    """Twenty chats at once, every third one slow (so updates finish out of order); SIGTERM right
    after they are delivered. The updates being processed are finished; the confirmed offset is
    never past an update left unanswered (one a SIGTERM caught between fetching and handing over
    comes again on the next start); in the end each question is answered exactly once, one
    chat's answers in the order asked."""
    async with FakeTelegram() as fake:
        bot = Bot(fake, tmp_path)
        await bot.start()
        askers = [user(8100 + n, f"Q{n}") for n in range(20)]
        for who in askers[::3]:
            fake.fail_next("sendMessage", 1, "delay", delay=1.0, when=to_chat(who["id"]))
        asked = [fake.private_message(who, "政绩观") for who in askers]
        asked += [fake.private_message(who, "怎样为基层减负") for who in askers[:5]]
        await fake.wait_for_update_delivered(asked[-1])
        await fake.wait_for_message(replies_to(asked[1]), timeout=20)  # processing has begun
        assert await bot.term() == 0
        log = bot.log()
        assert "Traceback" not in log, log[-3000:]
        answered = [any(replies_to(u)(m) for m in fake.sent_messages()) for u in asked]
        confirmed = re.search(r"confirmed updates below (\d+)", log)
        assert confirmed, log[-3000:]
        below = int(confirmed.group(1))
        assert all(u["update_id"] >= below for u, done in zip(asked, answered) if not done), \
            (below, answered)
        print(f"\n[concurrency/sigterm] answered before exit {sum(answered)}/{len(asked)}; "
              f"confirmed below {below}")

        await bot.start()
        for update in asked:
            await fake.wait_for_message(replies_to(update), timeout=30)
        last = fake.private_message(user(8199, "Last"), "政绩观")
        await fake.wait_for_message(replies_to(last), timeout=20)
        counts = [len([m for m in fake.sent_messages() if replies_to(u)(m)]) for u in asked]
        assert counts == [1] * len(asked), counts
        for who in askers[:5]:  # one chat's two answers in the order asked
            mine = [m["reply_to_message_id"] for m in fake.sent_messages(who["id"])]
            assert mine == sorted(mine), mine
        await finish(fake, bot)
