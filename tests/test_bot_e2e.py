"""End to end: the real bot process (``python -m bot``) against the fake Telegram server.

Nothing here calls a handler: updates go in through getUpdates and replies are read from what the
bot sent over HTTP, so escaping mistakes, oversized callback data or late inline answers fail as
Telegram would fail them (the fake answers 400). One bot process per fixture, shared by a module.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from botprocess import BotProcess  # noqa: E402
from fakebot import FakeTelegram, channel, entity_texts, group, iter_buttons, user  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = user(1001, "Admin", "zh-hans")
ANN = user(2001, "Ann", "zh-hans")
BOB = user(2002, "Bob", "en")
STAFF = user(3001, "Staff", "zh-hans")
MEMBER = user(3002, "Member", "zh-hans")     # a member of the staff chat (getChatMember)
STRANGER = user(3999, "Stranger", "zh-hans")
TEAM = group(-1001000000001, "Team")
STAFF_GROUP = group(-1001000000555, "Staff room")
OTHER_GROUP = group(-1001000000777, "Elsewhere")


async def start_bot(tmp_path_factory, name: str, **env: str):
    fake = FakeTelegram()
    await fake.start()
    bot = BotProcess(fake, tmp_path_factory.mktemp(name), **env)
    await bot.start()
    return fake, bot


async def finish(fake: FakeTelegram, bot: BotProcess) -> None:
    code = await bot.stop()
    await fake.stop()
    log = bot.log()
    assert code == 0, f"bot exited with {code}:\n{log[-5000:]}"
    # the only tracebacks are those the error handler logged (test_an_error_in_one_update_...)
    assert log.count("Traceback") == log.count("ERROR bot.handlers: error handling update"), log
    assert fake.token not in log  # httpx would log request URLs, which contain the token


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def open_bot(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "open", STAFFBOT_ADMINS=str(ADMIN["id"]))
    yield fake, bot
    await finish(fake, bot)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def restricted_bot(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "restricted", STAFFBOT_ADMINS=str(ADMIN["id"]),
                                STAFFBOT_ALLOWED_USERS=str(STAFF["id"]),
                                STAFFBOT_STAFF_CHATS=str(STAFF_GROUP["id"]))
    fake.set_member(STAFF_GROUP, MEMBER, "member")
    fake.set_member(STAFF_GROUP, STRANGER, "left")
    yield fake, bot
    await finish(fake, bot)


def _after_test(fake, bot, request) -> None:
    """Print the bot's log when the test failed; no test may have caused a Telegram 400."""
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        print("---- bot log ----\n" + bot.log()[-8000:])
    assert not [e for e in fake.unexpected_errors() if e["status"] == 400], fake.errors


@pytest.fixture
def fake(open_bot, request):
    fake, bot = open_bot
    yield fake
    _after_test(fake, bot, request)


@pytest.fixture
def rfake(restricted_bot, request):
    fake, bot = restricted_bot
    yield fake
    _after_test(fake, bot, request)


# -- helpers -----------------------------------------------------------------------------------------
def replies_to(update: dict):
    message = update["message"]
    return lambda m: (m["chat_id"] == message["chat"]["id"]
                      and m["reply_to_message_id"] == message["message_id"])


async def ask(fake: FakeTelegram, who: dict, text: str, timeout: float = 10) -> dict:
    update = fake.private_message(who, text)
    return await fake.wait_for_message(replies_to(update), timeout)


async def say(fake: FakeTelegram, who: dict, text: str, timeout: float = 10) -> dict:
    """A private message and the next message the bot sends to that chat."""
    mark = fake.mark()
    fake.private_message(who, text)
    return await fake.wait_for_message(chat_id=who["id"], after=mark, timeout=timeout)


def callbacks(message: dict) -> list[str]:
    return [b.get("callback_data") for b in iter_buttons(message)]


async def click(fake: FakeTelegram, who: dict, message: dict, data: str, **kw) -> dict:
    update = fake.callback_query(who, message, data, **kw)
    await fake.wait_for_call("answerCallbackQuery", lambda c: c.params.get("callback_query_id")
                             == update["callback_query"]["id"])
    return update


def text_links(message: dict) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


# -- open bot ------------------------------------------------------------------------------------------
async def test_commands_are_registered_per_scope(fake):
    private = [c["command"] for c in fake.get_commands({"type": "all_private_chats"})]
    groups = [c["command"] for c in fake.get_commands({"type": "all_group_chats"})]
    admin = [c["command"] for c in fake.get_commands({"type": "chat", "chat_id": ADMIN["id"]})]
    assert private[:3] == ["start", "help", "ask"] and "docs" not in private
    assert sorted(groups) == ["ask", "help"]
    assert {"docs", "remove", "reload", "stats", "unanswered"} <= set(admin)


async def test_start_and_help_in_chinese_and_english(fake):
    zh = await say(fake, ANN, "/start")
    assert "直接发给我一个问题" in zh["text"] and "/docs" not in zh["text"]
    en = await say(fake, BOB, "/help")
    assert "Just send me a question" in en["text"]
    admin = await say(fake, ADMIN, "/help")
    assert "/unanswered" in admin["text"]


async def test_private_question_gets_cited_excerpt_with_bold_terms_and_buttons(fake):
    reply = await ask(fake, ANN, "怎样为基层减负")
    bold = entity_texts(reply, "bold")
    assert any("基层" in b for b in bold), bold
    assert "第4段" in reply["text"] and "📖" in reply["text"]
    datas = callbacks(reply)
    assert datas[0].startswith("p:") and datas[1].startswith("m:")
    assert datas[2].startswith("f:") and datas[2].endswith(":1") and datas[3].endswith(":0")


async def test_answer_buttons_full_paragraph_more_and_feedback(fake):
    # 领导干部 is in several paragraphs of the seed: the answer offers more results.
    reply = await ask(fake, ANN, "领导干部")
    full_data, more_data, up, down = callbacks(reply)

    mark = fake.mark()
    await click(fake, ANN, reply, full_data)
    full = await fake.wait_for_message(chat_id=ANN["id"], after=mark)
    assert len(full["text"]) > len(reply["text"]) - 40 and "第3段" in full["text"]
    assert "政绩观" in full["text"]

    mark = fake.mark()
    await click(fake, ANN, reply, more_data)
    more = await fake.wait_for_message(chat_id=ANN["id"], after=mark)
    assert more["text"].startswith("更多结果") and "📖" in more["text"]
    assert all(d.startswith("p:") for d in callbacks(more))

    update = await click(fake, ANN, reply, up)
    answer = fake.callback_answers[update["callback_query"]["id"]]
    assert "谢谢" in answer["text"]
    await fake.wait_for_call("editMessageReplyMarkup")
    edited = fake.message(ANN["id"], reply["message_id"])
    assert not [d for d in callbacks(edited) if d.startswith("f:")]
    assert full_data in callbacks(edited)

    second = await ask(fake, BOB, "领导干部")
    update = await click(fake, BOB, second, callbacks(second)[3])
    assert "improve" in fake.callback_answers[update["callback_query"]["id"]]["text"]
    stats = await say(fake, ADMIN, "/stats")
    assert "👍 1" in stats["text"] and "👎 1" in stats["text"]


async def test_no_more_results_button_when_nothing_else_matches(fake):
    # 政绩观 is in one paragraph only: no "more results" that would list unrelated passages.
    reply = await ask(fake, ANN, "政绩观")
    data = callbacks(reply)
    assert len(data) == 3 and data[0].startswith("p:") and all(d.startswith("f:") for d in data[1:])


async def test_not_found_is_kind_and_listed_in_unanswered(fake):
    reply = await ask(fake, ANN, "食堂几点开饭")
    assert "没有找到" in reply["text"] and "食堂几点开饭" in reply["text"]
    assert "我搜索了：食堂、开饭" in reply["text"]
    assert [d[:2] for d in callbacks(reply)] == ["e:"]   # 🙋 问管理员 (tests/test_escalation.py)
    listed = await say(fake, ADMIN, "/unanswered")
    assert "食堂几点开饭" in listed["text"]


@pytest.mark.parametrize("text", ["<b>未闭合", "&amp; &lt; &", "😀" * 50, '"政绩观" AND OR NOT * ( ',
                                  "   \u200b ", "政绩观" * 40_000])
async def test_any_text_gets_a_valid_reply(fake, text):
    reply = await ask(fake, ANN, text)
    assert reply["text"]
    assert len(reply["text"]) < 1000  # the echoed question is truncated


async def test_group_questions_reply_to_the_asker_and_other_messages_are_ignored(fake):
    username = fake.bot_user["username"]
    asked = [fake.group_message(TEAM, ANN, "/ask 怎样为基层减负"),
             fake.group_message(TEAM, BOB, f"/ask@{username} 政绩观"),
             fake.group_message(TEAM, ANN, f"请问 @{username} 政绩观是什么")]
    replies = [await fake.wait_for_message(replies_to(u)) for u in asked]
    assert all("📖" in r["text"] for r in replies)
    mention_reply = replies[2]
    follow = fake.group_message(TEAM, BOB, "基层减负", reply_to=mention_reply["message"])
    reply = await fake.wait_for_message(replies_to(follow))
    assert "📖" in reply["text"]

    empty = fake.group_message(TEAM, ANN, "/ask")
    usage = await fake.wait_for_message(replies_to(empty))
    assert "/ask" in usage["text"]

    mark = fake.mark()
    fake.group_message(TEAM, ANN, "政绩观")                       # plain chatter
    fake.group_message(TEAM, ANN, "/ask@other_bot 政绩观")         # another bot's command
    fake.group_message(TEAM, ANN, "/stats")                        # admin commands: private only
    fake.group_message(TEAM, BOB, "@someone_else 政绩观")
    last = fake.group_message(TEAM, BOB, "/ask 政绩观")
    await fake.wait_for_message(replies_to(last))
    sent = fake.sent_messages(TEAM["id"], after=mark)
    assert [m["reply_to_message_id"] for m in sent] == [last["message"]["message_id"]]


async def test_channel_posts_are_indexed_with_links_edits_replace_and_duplicates_are_stored_once(
        fake, open_bot):
    bot = open_bot[1]
    public = channel(-1001222333444, "工会通知", username="union_news")
    post = fake.channel_post(public, "羽毛球比赛报名\n工会羽毛球比赛定于周五下午在体育馆举行，请各部门报名。")
    await bot.handled(post)
    reply = await ask(fake, ANN, "羽毛球比赛什么时候举行")
    link = f"https://t.me/union_news/{post['channel_post']['message_id']}"
    assert link in text_links(reply), reply
    assert "周五" in reply["text"]

    edit = fake.edited_channel_post(public, "乒乓球比赛报名\n工会乒乓球比赛改为周六上午在活动中心举行。",
                                    post["channel_post"]["message_id"])
    await bot.handled(edit)
    reply = await ask(fake, ANN, "乒乓球比赛什么时候举行")
    assert "周六" in reply["text"] and link in text_links(reply)
    old = await ask(fake, ANN, "羽毛球比赛周五体育馆")
    assert "周五下午在体育馆" not in old["text"]

    private = channel(-1009876543210, "内部通知")
    duplicate = fake.channel_post(private, "防汛值班安排\n防汛值班由办公室统一排班，值班电话二十四小时畅通。")
    again = fake.push_update({"channel_post": duplicate["channel_post"]})
    await bot.handled(duplicate, again)
    # a private channel in no audience (STAFFBOT_AUDIENCES) is for admins only: never 全员
    reply = await ask(fake, ADMIN, "防汛值班怎么排班")
    assert f"https://t.me/c/9876543210/{duplicate['channel_post']['message_id']}" in text_links(reply)
    assert "二十四小时" not in (await ask(fake, ANN, "防汛值班怎么排班"))["text"]
    docs = await say(fake, ADMIN, "/docs")
    assert docs["text"].count("防汛值班安排") == 1
    assert not fake.sent_messages(public["id"]) and not fake.sent_messages(private["id"])


async def test_inline_queries(fake):
    update = fake.inline_query(ANN, "政绩观")
    qid = update["inline_query"]["id"]
    await fake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
    answer = fake.inline_answers[qid]
    results = answer["results"]
    assert 1 <= len(results) <= 10
    assert all(r["title"] and r["input_message_content"]["_plain"] for r in results)
    assert "第3段" in results[0]["input_message_content"]["_plain"]
    assert answer.get("cache_time") == 10

    for text in ("", "食堂几点开饭"):
        update = fake.inline_query(ANN, text)
        qid = update["inline_query"]["id"]
        await fake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
        answer = fake.inline_answers[qid]
        assert answer["results"] == [] and answer["button"]["start_parameter"] == "help"

    chosen = fake.chosen_inline_result(ANN, results[0]["id"], "政绩观")
    await fake.wait_for_update_delivered(chosen)
    await ask(fake, ANN, "政绩观")  # processed after the chosen result: the bot is still fine


async def test_admin_upload_is_indexed_and_answered(fake):
    content = ("# 差旅报销办法\n\n## 住宿标准\n\n"
               "出差人员住宿费在省会城市每人每天不超过五百元，其他城市不超过三百八十元。\n\n"
               "## 报销时限\n\n差旅费应在出差结束后三十日内凭发票报销。\n\n"
               "## 伙食补助\n\n表2 伙食补助费标准\n\n| 出差地区 | 伙食补助费（元/天） |\n|---|---|\n"
               "| 西藏 | 120 |\n| 其他地区 | 100 |\n").encode()
    update = fake.document_message(ADMIN, "travel-rules.md", content)
    reply = await fake.wait_for_message(replies_to(update))
    assert "已索引" in reply["text"] and "travel-rules.md" in reply["text"], reply["text"]
    assert "读取：" in reply["text"] and "1 个表格（2 行）" in reply["text"], reply["text"]
    answer = await ask(fake, ANN, "出差住宿费标准是多少")
    assert "差旅报销办法" in answer["text"] and "五百元" in answer["text"]
    answer = await ask(fake, ANN, "去西藏出差伙食补助一天多少钱")
    # the row carries its column names, and the citation names the table and the row
    assert "伙食补助费（元/天）：120" in answer["text"], answer["text"]
    assert "表2 伙食补助费标准 › 第1行" in answer["text"], answer["text"]

    update = fake.document_message(ADMIN, "photo.exe", b"MZ\x00")
    reply = await fake.wait_for_message(replies_to(update))
    assert "photo.exe" in reply["text"] and "不支持" in reply["text"]

    update = fake.document_message(ADMIN, "broken.docx", b"not a zip at all")
    reply = await fake.wait_for_message(replies_to(update))
    assert "broken.docx" in reply["text"] and "未能索引" in reply["text"]


async def test_non_admins_are_refused_admin_commands_and_uploads(fake):
    for command in ("/docs", "/stats", "/remove 1", "/reload", "/unanswered"):
        reply = await say(fake, ANN, command)
        assert "只有管理员" in reply["text"], (command, reply["text"])
    update = fake.document_message(ANN, "notes.md", b"# x\n\nsecret")
    reply = await fake.wait_for_message(replies_to(update))
    assert "只有管理员" in reply["text"]
    assert not fake.calls_to("getFile") or all(
        c.params.get("file_id") != update["message"]["document"]["file_id"]
        for c in fake.calls_to("getFile"))


async def test_admin_remove_and_reload(fake):
    docs = await say(fake, ADMIN, "/docs")
    assert "travel-rules.md" in docs["text"] or "差旅报销办法" in docs["text"]
    removed = await say(fake, ADMIN, "/remove travel-rules.md")
    assert "已删除 1" in removed["text"], removed["text"]
    reload = await say(fake, ADMIN, "/reload")
    assert "已索引" in reload["text"] or "相同" in reload["text"] or "0 个文档" in reload["text"]


async def test_rate_limited_reply_still_arrives_exactly_once(fake):
    fake.fail_next("sendMessage", times=1, kind="429", retry_after=1)
    update = fake.private_message(ANN, "怎样为基层减负")
    reply = await fake.wait_for_message(replies_to(update), timeout=15)
    assert "📖" in reply["text"]
    await ask(fake, ANN, "政绩观")  # a later update is handled after the retried reply
    assert len([m for m in fake.sent_messages(ANN["id"]) if replies_to(update)(m)]) == 1
    assert any(e["status"] == 429 for e in fake.errors if e["injected"])


async def test_an_error_in_one_update_does_not_stop_the_bot(fake):
    fake.fail_next("sendMessage", times=4, kind="500")  # rate limiter does not retry a 500
    fake.private_message(BOB, "政绩观")
    await fake.wait_for_call("sendMessage", lambda c: getattr(c, "injected", None) == "500")
    fake.clear_faults()
    reply = await ask(fake, BOB, "怎样为基层减负")
    assert "📖" in reply["text"]


# -- restricted bot ------------------------------------------------------------------------------------
async def test_restricted_strangers_are_refused_in_private(rfake):
    reply = await say(rfake, STRANGER, "政绩观")
    assert "只供本单位员工" in reply["text"] and "📖" not in reply["text"]
    assert "📖" in (await ask(rfake, STAFF, "政绩观"))["text"]
    assert "📖" in (await ask(rfake, MEMBER, "政绩观"))["text"]     # via getChatMember
    assert rfake.calls_to("getChatMember")


async def test_restricted_inline_gives_strangers_only_the_button(rfake):
    update = rfake.inline_query(STRANGER, "政绩观")
    qid = update["inline_query"]["id"]
    await rfake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
    answer = rfake.inline_answers[qid]
    assert answer["results"] == [] and answer["button"]["start_parameter"]
    assert answer["is_personal"] is True

    update = rfake.inline_query(STAFF, "政绩观")
    qid = update["inline_query"]["id"]
    await rfake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
    assert rfake.inline_answers[qid]["results"] and rfake.inline_answers[qid]["is_personal"]


async def test_restricted_forged_callback_shows_no_excerpt(rfake):
    answer = await ask(rfake, STAFF, "政绩观")
    paragraph = next(d for d in callbacks(answer) if d.startswith("p:"))
    refusal = await say(rfake, STRANGER, "/start")
    mark = rfake.mark()
    update = await click(rfake, STRANGER, refusal, paragraph, check_button=False)
    result = rfake.callback_answers[update["callback_query"]["id"]]
    assert result.get("show_alert") is True and "员工" in result["text"]
    await ask(rfake, STAFF, "怎样为基层减负")  # processed after the callback
    assert not rfake.sent_messages(STRANGER["id"], after=mark)


async def test_restricted_groups(rfake):
    trusted = rfake.group_message(STAFF_GROUP, STRANGER, "/ask 政绩观")
    assert "📖" in (await rfake.wait_for_message(replies_to(trusted)))["text"]
    mark = rfake.mark()
    rfake.group_message(OTHER_GROUP, STRANGER, "/ask 政绩观")
    allowed = rfake.group_message(OTHER_GROUP, STAFF, "/ask 政绩观")
    await rfake.wait_for_message(replies_to(allowed))
    sent = rfake.sent_messages(OTHER_GROUP["id"], after=mark)
    assert [m["reply_to_message_id"] for m in sent] == [allowed["message"]["message_id"]]


# -- webhook mode --------------------------------------------------------------------------------------
async def test_webhook_mode_checks_the_secret_and_answers(tmp_path_factory):
    import socket

    import aiohttp

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    fake = FakeTelegram()
    await fake.start()
    bot = BotProcess(fake, tmp_path_factory.mktemp("webhook"),
                     STAFFBOT_WEBHOOK_URL="https://bot.example.org/tg-hook",
                     STAFFBOT_WEBHOOK_LISTEN="127.0.0.1", STAFFBOT_WEBHOOK_PORT=str(port),
                     STAFFBOT_WEBHOOK_SECRET="s3cret-token", STAFFBOT_ADMINS="")
    await bot.spawn()
    try:
        await fake.wait_for_call("setWebhook", timeout=60)
        assert fake.webhook["url"] == "https://bot.example.org/tg-hook"
        assert fake.webhook["secret_token"] == "s3cret-token"
        assert {"channel_post", "message_reaction"} <= set(fake.webhook["allowed_updates"])
        update = fake.private_message(ANN, "政绩观")
        url = f"http://127.0.0.1:{port}/tg-hook"
        async with aiohttp.ClientSession() as session:
            for _ in range(100):  # the server starts listening just after setWebhook
                try:
                    async with session.post(url, json=update) as response:
                        assert response.status == 403  # no secret header
                        break
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.1)
            else:
                raise AssertionError("the webhook server did not start")
            headers = {"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 200
        reply = await fake.wait_for_message(replies_to(update))
        assert "📖" in reply["text"]
        fake.assert_no_errors()
    except BaseException:
        print(bot.log())
        raise
    finally:
        await finish(fake, bot)


# -- the search process (STAFFBOT_SEARCH_PROCESS) -------------------------------------------------------
def search_process(bot: BotProcess) -> int | None:
    """The pid of the bot's search process, as its start-up log line gives it."""
    found = re.search(r"searches: search process (\d+)", bot.log())
    return int(found.group(1)) if found else None


def bot_children(bot: BotProcess) -> list[int]:
    path = Path(f"/proc/{bot.proc.pid}/task/{bot.proc.pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


async def wait_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status")
        if not status.exists() or "zombie" in status.read_text():
            return True
        await asyncio.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_search_process_answers_and_the_bot_searches_itself_once_it_dies(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "search-process")
    try:
        pid = search_process(bot)
        assert pid is not None and bot_children(bot) == [pid]
        assert "📖" in (await ask(fake, ANN, "怎样为基层减负"))["text"]
        # killed with questions in flight: each is answered all the same, by the bot itself
        askers = [user(5000 + n, f"U{n}", "zh-hans") for n in range(40)]
        updates = [fake.private_message(who, "怎样为基层减负") for who in askers]
        await fake.wait_for_message(replies_to(updates[0]))
        os.kill(pid, signal.SIGKILL)
        replies = [await fake.wait_for_message(replies_to(u)) for u in updates]
        assert all("📖" in r["text"] and "基层" in r["text"] for r in replies)
        assert await wait_gone(pid)
        assert "📖" in (await ask(fake, ANN, "政绩观"))["text"]
        qid = fake.inline_query(ANN, "政绩观")["inline_query"]["id"]
        await fake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
        assert fake.inline_answers[qid]["results"]
        assert "searching in the bot's own process from now on" in bot.log()
        fake.assert_no_errors()
    finally:
        await finish(fake, bot)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
async def test_a_killed_bot_leaves_no_search_process_behind(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "search-process-kill")
    try:
        pid = search_process(bot)
        assert pid is not None
        bot.proc.kill()
        await bot.proc.wait()
        assert await wait_gone(pid), "the search process outlived the bot"
    finally:
        await fake.stop()


async def test_search_process_off_searches_in_the_bots_own_process(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "search-process-off", STAFFBOT_SEARCH_PROCESS="off")
    try:
        assert "searches: in this process" in bot.log()
        assert "📖" in (await ask(fake, ANN, "怎样为基层减负"))["text"]
        if sys.platform.startswith("linux"):
            assert bot_children(bot) == []
    finally:
        await finish(fake, bot)
