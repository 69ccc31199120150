"""End to end, the teaching loop of issue 11 through the fake Bot API: a question the documents
do not answer → 🙋 问管理员 → a card to each admin (or the admin chat) → 就是这段 or a reply with
text → the asker answered, as a reply to their question → the same question answered from then on.
And the duplicates: an asker pressing 🙋 twice, an admin answering twice, two admins answering at
once — exactly one answer reaches the asker.

Nothing calls a handler: the real bot process (tests/botprocess.py) against tests/fakebot.py. One
bot process for the admins-in-private scenarios, one for the admin chat.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from botprocess import BotProcess  # noqa: E402
from fakebot import FakeTelegram, group, iter_buttons, user  # noqa: E402
from test_bot_e2e import say, start_bot  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN1 = user(1001, "Alice", "zh-hans", username="alice_admin")
ADMIN2 = user(1002, "Wang", "zh-hans")
GONE_ADMIN = user(1003, "Gone", "zh-hans")      # blocked the bot: cards to them fail with 403
ANN = user(2001, "Ann", "zh-hans", username="ann")
BOB = user(2002, "Bob", "zh-hans")
CAROL = user(2003, "Carol", "zh-hans")
MEMBER = user(3001, "Member", "zh-hans")        # in the admin chat, not in STAFFBOT_ADMINS
TEAM = group(-1001000000001, "Team <1>")
ADMIN_ROOM = group(-1001000000900, "Admins")


async def _finish(fake: FakeTelegram, bot: BotProcess) -> None:
    code = await bot.stop()
    await fake.stop()
    log = bot.log()
    assert code == 0, f"bot exited with {code}:\n{log[-5000:]}"
    assert "Traceback" not in log, log[-5000:]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def admins_bot(tmp_path_factory):
    admins = ",".join(str(a["id"]) for a in (ADMIN1, ADMIN2, GONE_ADMIN))
    fake, bot = await start_bot(tmp_path_factory, "escalation", STAFFBOT_ADMINS=admins)
    fake.block(GONE_ADMIN["id"])
    yield fake, bot
    await _finish(fake, bot)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def room_bot(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "escalation-room",
                             STAFFBOT_ADMINS=str(ADMIN1["id"]),
                             STAFFBOT_ADMIN_CHAT=str(ADMIN_ROOM["id"]))
    fake.add_chat(ADMIN_ROOM)
    yield fake, bot
    await _finish(fake, bot)


def _checked(fake: FakeTelegram, bot: BotProcess, request) -> None:
    """No test may have caused a Telegram 400; the bot's log when a test failed."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print("---- bot log ----\n" + bot.log()[-8000:])
    assert not [e for e in fake.unexpected_errors() if e["status"] == 400], fake.errors


@pytest.fixture
def env(admins_bot, request):
    yield admins_bot
    _checked(*admins_bot, request)


@pytest.fixture
def room(room_bot, request):
    yield room_bot
    _checked(*room_bot, request)


# -- helpers -----------------------------------------------------------------------------------------
def replies_to(update: dict):
    message = update["message"]
    return lambda m: (m["chat_id"] == message["chat"]["id"]
                      and m["reply_to_message_id"] == message["message_id"])


def callbacks(message: dict) -> list[str]:
    return [b.get("callback_data") for b in iter_buttons(message)]


def button(message: dict, prefix: str) -> str:
    found = [d for d in callbacks(message) if d and d.startswith(prefix)]
    assert found, (prefix, callbacks(message), message["text"])
    return found[0]


def current(fake: FakeTelegram, record: dict) -> dict:
    """A sent message as it is now (edits applied)."""
    return next(m for m in fake.sent_messages(record["chat_id"])
                if m["message_id"] == record["message_id"])


async def press(fake: FakeTelegram, who: dict, message: dict, data: str, **kw) -> str:
    """Press a button and wait for the bot's answerCallbackQuery; the toast's text."""
    update = fake.callback_query(who, message, data, **kw)
    qid = update["callback_query"]["id"]
    await fake.wait_for_call("answerCallbackQuery",
                             lambda c: c.params.get("callback_query_id") == qid, timeout=15)
    return fake.callback_answers[qid].get("text") or ""


async def logged(bot: BotProcess, text: str, timeout: float = 15) -> None:
    """Wait until the bot's log says ``text``."""
    deadline = time.monotonic() + timeout
    while text not in bot.log():
        assert time.monotonic() < deadline, f"the log never said {text!r}"
        await asyncio.sleep(0.05)


def is_list(message: dict) -> bool:
    """The /unanswered list (the cards follow it)."""
    return message["text"].startswith("未能回答的问题")


def is_card(question: str):
    return lambda m: m["text"].startswith("🙋") and question in m["text"] and \
        any((b.get("callback_data") or "").startswith("w:") for b in iter_buttons(m))


async def cards_for(fake: FakeTelegram, question: str, chats: list[int], after: int) -> dict:
    """The card about ``question`` each of ``chats`` got after ``after``, by chat id."""
    return {chat_id: await fake.wait_for_message(is_card(question), 15, after=after,
                                                 chat_id=chat_id) for chat_id in chats}


async def escalate(fake: FakeTelegram, bot: BotProcess, asker: dict, question: str,
                   chat: dict | None = None) -> tuple[dict, dict, str]:
    """Ask, get the not-found reply, press 🙋; the question's update, the reply (as it is now:
    the record follows edits) and the 🙋 button's data."""
    update = fake.group_message(chat, asker, f"/ask {question}") if chat else \
        fake.private_message(asker, question)
    reply = await fake.wait_for_message(replies_to(update), 15)
    assert "没有找到" in reply["text"], reply["text"]
    data = button(reply, "e:")
    toast = await press(fake, asker, reply, data)
    assert toast == "已转给管理员"
    return update, reply, data


def answers_to(update: dict, fake: FakeTelegram, after: int | None = None) -> list[dict]:
    """The admins' answers (💬 …) the bot sent as replies to ``update``'s question."""
    return [m for m in fake.sent_messages(update["message"]["chat"]["id"], after=after)
            if replies_to(update)(m) and m["text"].startswith("💬")]


# -- admins in private -------------------------------------------------------------------------------
async def test_the_whole_loop_with_concurrent_and_repeated_answers(env):
    fake, bot = env
    question = "干部出国旅游怎么审批"
    mark = fake.mark()
    asked, reply, escalate_data = await escalate(fake, bot, ANN, question)
    assert "我搜索了：" in reply["text"] and "干部" in reply["text"].split("我搜索了：")[1]
    told = await fake.wait_for_message(replies_to(asked), after=reply["seq"])
    assert "已转给管理员" in told["text"]
    assert not callbacks(reply)                                   # the 🙋 button is gone

    cards = await cards_for(fake, question, [ADMIN1["id"], ADMIN2["id"]], mark)
    card = cards[ADMIN1["id"]]
    assert "Ann (@ann)" in card["text"] and str(ANN["id"]) in card["text"]
    assert "私聊" in card["text"] and "📖" in card["text"]
    this_one = [d for d in callbacks(card) if d.startswith("a:")]
    assert 1 <= len(this_one) <= 3 and all(len(d.encode()) <= 64 for d in this_one)
    assert [b["text"] for b in iter_buttons(card)][0] == "就是这段 ①"
    # the blocked admin did not stop the others; the bot logged it
    await logged(bot, f"not sent to {GONE_ADMIN['id']}: Forbidden")

    # the asker presses 🙋 again (a stale copy of the button): nothing is sent again
    before = fake.mark()
    assert await press(fake, ANN, reply, escalate_data, check_button=False) == "已经转给管理员了"

    # two admins press 就是这段 at once: exactly one answer reaches the asker
    first = fake.callback_query(ADMIN1, card, this_one[0])
    second = fake.callback_query(ADMIN2, cards[ADMIN2["id"]], this_one[0])
    await bot.handled(first, second)
    toasts = {fake.callback_answers[u["callback_query"]["id"]]["text"] for u in (first, second)}
    assert "✅ 已答复并记住" in toasts
    assert any(t.startswith("已由 ") and "答复" in t for t in toasts), toasts
    answer = await fake.wait_for_message(
        lambda m: replies_to(asked)(m) and m["text"].startswith("💬"), 15)
    assert question in answer["text"] and "📖" in answer["text"]

    # the winning admin presses again: "已由 X 答复", nothing to the asker
    winner = ADMIN1 if fake.callback_answers[first["callback_query"]["id"]]["text"].startswith(
        "✅") else ADMIN2
    again = await press(fake, winner, cards[winner["id"]], this_one[0], check_button=False)
    assert again.startswith("已由 ") and winner["first_name"] in again
    assert len(answers_to(asked, fake)) == 1
    assert not [m for m in fake.sent_messages(after=before)
                if is_card(question)(m)], "a second 🙋 press sent the question again"
    # every copy of the card says who answered and has no buttons left
    for copy in cards.values():
        now = current(fake, copy)
        assert "✅ 已由" in now["text"] and not callbacks(now)

    # the question is taught: asked again (by anyone) it is answered, from the same passage
    citation = answer["text"].rsplit("📖", 1)[1].strip()
    for who in (ANN, BOB):
        again = await fake.wait_for_message(replies_to(fake.private_message(who, question)))
        assert "没有找到" not in again["text"] and citation in again["text"], again["text"]
        assert button(again, "f:")                                    # a confident answer


async def test_a_written_answer_from_a_reply_reaches_the_group_and_is_taught(env):
    fake, bot = env
    question = "食堂几点开饭"
    mark = fake.mark()
    asked, reply, _ = await escalate(fake, bot, CAROL, question, chat=TEAM)
    cards = await cards_for(fake, question, [ADMIN1["id"], ADMIN2["id"]], mark)
    assert "群：Team &lt;1&gt;" not in cards[ADMIN1["id"]]["text"]      # escaped, shown plain
    assert "群：Team <1>" in cards[ADMIN1["id"]]["text"]

    # 写答案: a prompt to reply to; the reply is the answer
    await press(fake, ADMIN2, cards[ADMIN2["id"]], button(cards[ADMIN2["id"]], "w:"))
    prompt = await fake.wait_for_message(lambda m: "请回复这条消息" in m["text"], 15,
                                         after=mark, chat_id=ADMIN2["id"])
    written = "食堂每天 11:30 开午饭，17:30 开晚饭 <节假日除外> & 周末照常。"
    update = fake.private_message(ADMIN2, written, reply_to=prompt)
    done = await fake.wait_for_message(replies_to(update), 15)
    assert done["text"].startswith("✅ 已答复并记住") and question in done["text"]
    answer = await fake.wait_for_message(
        lambda m: replies_to(asked)(m) and m["text"].startswith("💬"), 15)
    assert written in answer["text"] and "管理员答复 › 20" in answer["text"]

    # the other admin replies to their own card with another answer: told, nothing sent on
    late = fake.private_message(ADMIN1, "十二点开饭", reply_to=cards[ADMIN1["id"]])
    told = await fake.wait_for_message(replies_to(late), 15)
    assert told["text"] == "已由 Wang 答复"
    assert len(answers_to(asked, fake)) == 1

    # from now on the written answer is the answer, in the group too
    again = fake.group_message(TEAM, BOB, f"/ask {question}")
    reply = await fake.wait_for_message(replies_to(again), 15)
    assert written in reply["text"] and "管理员答复" in reply["text"]


async def test_an_admin_lists_what_was_taught_and_forgets_a_wrong_answer_in_telegram(env):
    # a written answer taught by mistake is undone from the chat, not the command line
    fake, bot = env
    question = "快递柜坏了找谁修"
    mark = fake.mark()
    asked, _, _ = await escalate(fake, bot, BOB, question)
    cards = await cards_for(fake, question, [ADMIN1["id"]], mark)
    update = fake.private_message(ADMIN1, "晚上十点 <关门>", reply_to=cards[ADMIN1["id"]])
    assert (await fake.wait_for_message(replies_to(update), 15))["text"].startswith("✅")
    taught = await fake.wait_for_message(
        replies_to(fake.private_message(BOB, question)), 15)
    assert "晚上十点 <关门>" in taught["text"]

    refused = await say(fake, BOB, "/taught")
    assert "只有管理员" in refused["text"]
    listed = await say(fake, ADMIN1, "/taught")
    entry = re.search(rf"(\d+) {question}\n\s+→ 管理员答复（20\d\d-\d\d-\d\d）：晚上十点 <关门>",
                      listed["text"])
    assert entry, listed["text"]
    assert "/forget 编号" in listed["text"]
    for wrong, told in (("/forget", "用法"), ("/forget ²", "用法"),
                        ("/forget 99999999999999999999", "没有编号为 99999999999999999999")):
        reply = await say(fake, ADMIN1, wrong)
        assert told in reply["text"], reply["text"]
    reply = await say(fake, ADMIN1, f"/forget {entry[1]}")
    assert f"已删除教过的问题 #{entry[1]}：{question}" in reply["text"], reply["text"]
    # the next question goes without it (the search process sees it at once)
    again = await fake.wait_for_message(replies_to(fake.private_message(BOB, question)), 15)
    assert "晚上十点" not in again["text"] and "没有找到" in again["text"], again["text"]
    listed = await say(fake, ADMIN1, "/taught")
    assert question not in listed["text"]


async def test_suggestions_are_buttons_with_the_admins_button(env):
    fake, bot = env
    update = fake.private_message(BOB, "选人用人")
    reply = await fake.wait_for_message(replies_to(update), 15)
    assert reply["text"].startswith("我不太确定。猜你想问")
    suggestions = [d for d in callbacks(reply) if d.startswith("s:")]
    assert 1 <= len(suggestions) <= 3 and callbacks(reply)[-1].startswith("e:")
    mark = fake.mark()
    await press(fake, BOB, reply, suggestions[0])
    shown = await fake.wait_for_message(chat_id=BOB["id"], after=mark)
    first_line = reply["text"].split("\n")[2].lstrip("① ")[:12]
    assert "📖" in shown["text"] and first_line in shown["text"], (first_line, shown["text"])
    assert [d for d in callbacks(shown) if d.startswith("f:")], callbacks(shown)
    # the 🙋 under the suggestions works like the not-found one
    assert await press(fake, BOB, reply, button(reply, "e:")) == "已转给管理员"
    await cards_for(fake, "选人用人", [ADMIN1["id"], ADMIN2["id"]], mark)


async def test_thumbs_down_offers_the_admins(env):
    fake, bot = env
    update = fake.private_message(CAROL, "政绩观")
    reply = await fake.wait_for_message(replies_to(update), 15)
    down = [d for d in callbacks(reply) if re.fullmatch(r"f:\d+:[0-9a-f]{6,40}:0", d)]
    assert down, callbacks(reply)                      # 👎 carries the passage's ref
    mark = fake.mark()
    assert "问管理员" in await press(fake, CAROL, reply, down[0])
    await fake.wait_for_call("editMessageReplyMarkup", after=mark)
    # one press, one vote on (question, passage): the passage's score for 政绩观 is multiplied
    # by one 👎's factor, not two
    from test_cli import staffbot
    from knowledge.teach import vote_factor
    explained = json.loads(staffbot("ask", "政绩观", "--json", "--explain", db=bot.db).stdout)
    ref = down[0].split(":")[2]
    assert explained["explain"]["stages"]["teaching"]["vote_factors"] == \
        {ref: round(vote_factor(-1), 4)}
    edited = current(fake, reply)
    assert not [d for d in callbacks(edited) if d.startswith("f:")]
    assert await press(fake, CAROL, edited, button(edited, "e:")) == "已转给管理员"
    card = (await cards_for(fake, "政绩观", [ADMIN1["id"]], mark))[ADMIN1["id"]]
    update = fake.private_message(ADMIN1, "政绩观就是树立和践行正确的政绩观。", reply_to=card)
    assert (await fake.wait_for_message(replies_to(update), 15))["text"].startswith("✅")
    answer = await fake.wait_for_message(
        lambda m: m["chat_id"] == CAROL["id"] and m["text"].startswith("💬"), 15, after=mark)
    assert answer["reply_to_message_id"] == update_id(reply)


def update_id(reply: dict) -> int:
    """The asker's question message that ``reply`` answers."""
    return reply["reply_to_message_id"]


async def test_only_admins_answer_and_other_replies_are_questions(env):
    fake, bot = env
    mark = fake.mark()
    asked, reply, _ = await escalate(fake, bot, BOB, "停车场在哪里办证")
    card = (await cards_for(fake, "停车场在哪里办证", [ADMIN1["id"]], mark))[ADMIN1["id"]]
    data = [d for d in callbacks(card) if d.startswith(("a:", "w:"))]
    for forged in data:   # a non-admin pressing the admins' buttons (forged on their own chat)
        toast = await press(fake, BOB, reply, forged, check_button=False)
        assert toast == "抱歉，只有管理员可以答复。"
    # a non-admin replying to the bot's message asks a question, as before
    follow = fake.private_message(BOB, "政绩观", reply_to=reply)
    answered = await fake.wait_for_message(replies_to(follow), 15)
    assert "📖" in answered["text"]
    assert not answers_to(asked, fake)
    # stale and unknown escalations: a clear toast, no 400
    for forged in ("a:999999:0123456789ab", "w:999999"):
        assert await press(fake, ADMIN1, card, forged, check_button=False) == "这个问题已不存在。"
    # too long a written answer: refused with the limit, nothing sent to the asker
    long = fake.private_message(ADMIN1, "很长" * 1000, reply_to=card)
    refused = await fake.wait_for_message(replies_to(long), 15)
    assert "最多 1500 字" in refused["text"] and not answers_to(asked, fake)


async def test_unanswered_entries_get_the_same_buttons_and_answering_teaches(env):
    fake, bot = env
    question = "年终奖什么时候发放"
    for who in (ANN, BOB):
        await fake.wait_for_message(replies_to(fake.private_message(who, question)), 15)
    mark = fake.mark()
    fake.private_message(ADMIN1, "/unanswered")
    card = await fake.wait_for_message(is_card(question), 15, after=mark, chat_id=ADMIN1["id"])
    assert "被问 2 次" in card["text"]
    mark = fake.mark()
    update = fake.private_message(ADMIN1, "年终奖在次年一月随工资发放。", reply_to=card)
    done = await fake.wait_for_message(replies_to(update), 15)
    assert done["text"].startswith("✅ 已记住")
    assert {m["chat_id"] for m in fake.sent_messages(after=mark)} == {ADMIN1["id"]}  # no asker
    again = await fake.wait_for_message(replies_to(fake.private_message(CAROL, question)), 15)
    assert "年终奖在次年一月随工资发放" in again["text"]


async def test_unanswered_lists_only_what_is_left_to_teach(env):
    """/unanswered lists a question not found and an answer voted 👎, each saying how it failed;
    once the admin answers one from its card it is taught and leaves the list (it stayed there,
    and got a card again at every /unanswered, before)."""
    fake, bot = env
    question = "年会节目在哪里报名"
    await fake.wait_for_message(replies_to(fake.private_message(ANN, question)), 15)
    reply = await fake.wait_for_message(replies_to(fake.private_message(BOB, "怎样为基层减负")), 15)
    assert "📖" in reply["text"]
    down = [d for d in callbacks(reply) if re.fullmatch(r"f:\d+:[0-9a-f]{6,40}:0", d)]
    assert "问管理员" in await press(fake, BOB, reply, down[0])
    mark = fake.mark()
    fake.private_message(ADMIN1, "/unanswered")
    listed = await fake.wait_for_message(is_list, 15, after=mark, chat_id=ADMIN1["id"])
    assert "年会节目在哪里报名 · 未找到" in listed["text"]
    assert "怎样为基层减负 · 答案被点 👎" in listed["text"]
    card = await fake.wait_for_message(is_card(question), 15, after=mark, chat_id=ADMIN1["id"])
    assert "未找到，被问 1 次" in card["text"]
    update = fake.private_message(ADMIN1, "年会节目在工会群里接龙报名。", reply_to=card)
    assert (await fake.wait_for_message(replies_to(update), 15))["text"].startswith("✅ 已记住")
    mark = fake.mark()
    fake.private_message(ADMIN1, "/unanswered")
    listed = await fake.wait_for_message(is_list, 15, after=mark, chat_id=ADMIN1["id"])
    assert question not in listed["text"] and "怎样为基层减负" in listed["text"]
    await fake.wait_for_message(is_card("怎样为基层减负"), 15, after=mark, chat_id=ADMIN1["id"])
    assert not [m for m in fake.sent_messages(ADMIN1["id"], after=mark) if question in m["text"]]


# -- the admin chat ------------------------------------------------------------------------------------
async def test_admin_chat_gets_the_card_and_anyone_there_may_answer(room):
    fake, bot = room
    question = "干部出国旅游怎么审批"
    mark = fake.mark()
    asked, _, _ = await escalate(fake, bot, ANN, question)
    card = (await cards_for(fake, question, [ADMIN_ROOM["id"]], mark))[ADMIN_ROOM["id"]]
    assert not [m for m in fake.sent_messages(ADMIN1["id"], after=mark)]   # not in private
    # a member of the admin chat (not in STAFFBOT_ADMINS) answers with a passage
    toast = await press(fake, MEMBER, card, button(card, "a:"))
    assert toast == "✅ 已答复并记住"
    answer = await fake.wait_for_message(
        lambda m: replies_to(asked)(m) and m["text"].startswith("💬"), 15)
    assert "📖" in answer["text"]
    assert "✅ 已由 Member 答复" in current(fake, card)["text"]

    # a reply with text in the admin chat answers the next one
    mark = fake.mark()
    asked, _, _ = await escalate(fake, bot, BOB, "食堂几点开饭")
    card = (await cards_for(fake, "食堂几点开饭", [ADMIN_ROOM["id"]], mark))[ADMIN_ROOM["id"]]
    update = fake.group_message(ADMIN_ROOM, MEMBER, "十一点半开饭。", reply_to=card)
    assert (await fake.wait_for_message(replies_to(update), 15))["text"].startswith("✅")
    answer = await fake.wait_for_message(
        lambda m: replies_to(asked)(m) and m["text"].startswith("💬"), 15)
    assert "十一点半开饭" in answer["text"]
