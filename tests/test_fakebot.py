"""Self-tests for the fake Telegram Bot API server, driven through
python-telegram-bot's real HTTP layer (telegram.Bot / telegram.ext.Application)."""

from __future__ import annotations

import asyncio
import datetime as dt
import time

import pytest
from telegram import (
    Bot,
    Update,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import AIORateLimiter, ApplicationBuilder, CommandHandler, ContextTypes

try:  # works whether or not tests/ is a package
    from tests.fakebot import FakeTelegram, entity_texts, running_fake, user, group, channel
except ImportError:  # pragma: no cover
    from fakebot import FakeTelegram, entity_texts, running_fake, user, group, channel


ANN = user(111, "Ann")
BOB = user(222, "Bob", lang="en", username="bob")
STAFF = group(-1001234567890, "Staff room")


@pytest.fixture
async def fake():
    async with running_fake() as f:
        yield f


@pytest.fixture
async def bot(fake: FakeTelegram):
    b = Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url)
    async with b:
        yield b


async def _known_private_chat(fake: FakeTelegram, u: dict = ANN) -> dict:
    """Make the user's private chat known (they wrote to the bot)."""
    return fake.private_message(u, "hello")


# ---------------------------------------------------------------- identity & auth


async def test_get_me(bot: Bot, fake: FakeTelegram):
    me = await bot.get_me()
    assert me.username == "staffbot_test_bot"
    assert me.is_bot and me.supports_inline_queries and not me.can_read_all_group_messages
    assert me.id == fake.bot_id
    assert fake.calls[-1][0] == "getMe"
    fake.assert_no_errors()


async def test_wrong_token_is_unauthorized(fake: FakeTelegram):
    other = Bot("987654321:AAWrongTokenWrongTokenWrongToken12", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        async with other:  # initialize() calls getMe; shuts the client down on failure
            pass
    assert fake.errors[-1]["status"] == 401


async def test_unknown_method_is_404(bot: Bot, fake: FakeTelegram):
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("noSuchMethod")
    assert fake.errors[-1]["description"] == "Not Found: method not found"


# ---------------------------------------------------------------- updates


async def test_injected_update_is_returned_and_confirmed_by_offset(bot: Bot, fake: FakeTelegram):
    up = fake.private_message(ANN, "/start")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [up["update_id"]]
    msg = updates[0].message
    assert msg.text == "/start" and msg.from_user.id == 111 and msg.chat.type == "private"
    assert msg.entities[0].type == "bot_command" and msg.entities[0].length == 6
    # not confirmed yet: still delivered
    assert len(await bot.get_updates(timeout=0)) == 1
    # confirming with offset drops it
    assert await bot.get_updates(offset=up["update_id"] + 1, timeout=0) == ()
    assert fake.pending_updates == []


async def test_long_poll_returns_when_update_arrives(bot: Bot, fake: FakeTelegram):
    mark = fake.mark()
    task = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.3)  # request is now parked server-side
    assert not task.done()
    started = time.monotonic()
    up = fake.private_message(ANN, "hi")
    updates = await asyncio.wait_for(task, 3)
    assert time.monotonic() - started < 1.0
    assert updates[0].update_id == up["update_id"]
    call = await fake.wait_for_call("getUpdates", after=mark)
    assert call.params["timeout"] == 5


async def test_long_poll_times_out_empty(bot: Bot, fake: FakeTelegram):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3


async def test_group_message_entities_in_utf16(bot: Bot, fake: FakeTelegram):
    up = fake.group_message(STAFF, BOB, "/ask@staffbot_test_bot 🏟 报销 @staffbot_test_bot")
    (u,) = await bot.get_updates(timeout=0)
    m = u.message
    assert m.chat.type == "supergroup"
    types = {e.type: e for e in m.entities}
    assert types["bot_command"].offset == 0 and types["bot_command"].length == 22
    # "🏟" is two UTF-16 code units
    assert types["mention"].offset == 23 + 2 + 1 + 2 + 1
    assert m.parse_entity(types["mention"]) == "@staffbot_test_bot"
    assert up["message"]["message_id"] == m.message_id


# ---------------------------------------------------------------- sending & HTML


async def test_send_message_html_records_plain_text_and_entities(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    sent = await bot.send_message(
        111, "年假 <b>申请</b> 流程 &amp; <i>审批</i> <a href=\"https://example.com/x\">链接</a>",
        parse_mode=ParseMode.HTML)
    rec = await fake.wait_for_message(lambda m: m["chat_id"] == 111)
    assert rec["text"] == "年假 申请 流程 & 审批 链接"
    assert entity_texts(rec, "bold") == ["申请"]
    assert entity_texts(rec, "italic") == ["审批"]
    assert rec["entities"][-1]["url"] == "https://example.com/x"
    assert rec["raw_text"].startswith("年假 <b>")
    assert sent.text == rec["text"] and sent.from_user.id == fake.bot_id
    assert sent.parse_entities()  # PTB can use the returned entities
    fake.assert_no_errors()


@pytest.mark.parametrize("text, expected", [
    ("<b>x", "Can't parse entities: can't find end tag corresponding to start tag \"b\""),
    ("a < b", "Can't parse entities: unsupported start tag \"\" at byte offset 2"),
    ("<foo>x</foo>", "Can't parse entities: unsupported start tag \"foo\" at byte offset 0"),
    ("<b>x</i>", "Can't parse entities: unmatched end tag at byte offset 4, expected \"</b>\", "
                 "found \"</i>\""),
    ("R&D", "Can't parse entities: unescaped \"&\" at byte offset 1"),
    ("<b> </b>", "Message text is empty"),
])
async def test_bad_html_rejected(bot: Bot, fake: FakeTelegram, text: str, expected: str):
    await _known_private_chat(fake)
    with pytest.raises(BadRequest) as ei:
        await bot.send_message(111, text, parse_mode=ParseMode.HTML)
    assert ei.value.message.startswith(expected)
    assert fake.sent_messages() == []
    assert fake.errors[-1]["status"] == 400 and fake.errors[-1]["method"] == "sendMessage"


async def test_lenient_ampersand_mode_matches_telegram(fake: FakeTelegram):
    async with running_fake(strict_html_ampersand=False) as lenient:
        lenient.private_message(ANN, "hi")
        async with Bot(lenient.token, base_url=lenient.base_url) as b:
            m = await b.send_message(111, "R&D &laquo;", parse_mode="HTML")
        assert m.text == "R&D &laquo;"


async def test_text_length_and_emptiness(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(111, "   \n ")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(111, "字" * 4097)
    # 4096 after entity parsing is fine even though the raw HTML is longer
    await bot.send_message(111, "<b>" + "字" * 4096 + "</b>", parse_mode="HTML")
    assert len(fake.sent_messages(111)[0]["text"]) == 4096


async def test_markdown_v2_supported(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    m = await bot.send_message(111, "*粗体* and \\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert m.text == "粗体 and ."
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(111, "end.", parse_mode=ParseMode.MARKDOWN_V2)


async def test_unknown_chat_and_reply_target(bot: Bot, fake: FakeTelegram):
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(999, "hi")
    up = await _known_private_chat(fake)
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(111, "hi", reply_parameters=ReplyParameters(message_id=4242))
    # allowed without reply
    await bot.send_message(111, "hi", reply_parameters=ReplyParameters(
        message_id=4242, allow_sending_without_reply=True))
    m = await bot.send_message(111, "re", reply_to_message_id=up["message"]["message_id"])
    assert m.reply_to_message.text == "hello"
    assert fake.sent_messages(111)[-1]["reply_to_message_id"] == up["message"]["message_id"]


async def test_blocked_user_is_forbidden(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    fake.block(111)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(111, "hi")


# ---------------------------------------------------------------- keyboards & callbacks


async def test_callback_data_limits(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("好", callback_data="字" * 21)]])  # 63 bytes
    await bot.send_message(111, "ok", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="a" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(111, "x", reply_markup=too_long)
    cjk = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="字" * 22)]])  # 66 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(111, "x", reply_markup=cjk)
    empty = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="")]])
    with pytest.raises(BadRequest, match="(?i)text buttons are unallowed"):
        await bot.send_message(111, "x", reply_markup=empty)
    bad_url = InlineKeyboardMarkup([[InlineKeyboardButton("x", url="ftp://example.com")]])
    with pytest.raises(BadRequest, match="(?i)unsupported url protocol"):
        await bot.send_message(111, "x", reply_markup=bad_url)
    assert len(fake.sent_messages()) == 1


async def test_callback_query_roundtrip_and_edit(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("更多", callback_data="more:1")]])
    await bot.send_message(111, "答案", reply_markup=kb)
    rec = await fake.wait_for_message(lambda m: m["reply_markup"] is not None)
    with pytest.raises(ValueError):
        fake.callback_query(ANN, rec, "nope")
    up = fake.callback_query(ANN, rec, "more:1")
    (u,) = await bot.get_updates(offset=up["update_id"], timeout=0)
    cq = u.callback_query
    assert cq.data == "more:1" and cq.message.message_id == rec["message_id"]
    assert await cq.answer("ok")
    with pytest.raises(BadRequest, match="Query is too old"):
        await cq.answer("again")
    edited = await cq.edit_message_text("<b>答案</b> 全文", parse_mode="HTML")
    assert edited.text == "答案 全文"
    assert rec["text"] == "答案 全文" and rec["reply_markup"] is None  # keyboard removed
    assert rec["edits"][0]["text"] == "答案"
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("<b>答案</b>  全文".replace("  ", " "), chat_id=111,
                                    message_id=rec["message_id"], parse_mode="HTML")
    assert fake.callback_answers[cq.id]["text"] == "ok"


async def test_callback_answer_too_late_or_too_long(bot: Bot, fake: FakeTelegram):
    fake.callback_query_ttl = 0.2
    await _known_private_chat(fake)
    await bot.send_message(111, "x", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("b", callback_data="d")]]))
    rec = fake.sent_messages(111)[0]
    q1 = fake.callback_query(ANN, rec, "d")["callback_query"]["id"]
    with pytest.raises(BadRequest, match="Message_too_long"):
        await bot.answer_callback_query(q1, text="x" * 201)
    await asyncio.sleep(0.3)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(q1)


# ---------------------------------------------------------------- inline mode


def _articles(n: int, prefix: str = "r") -> list[InlineQueryResultArticle]:
    return [InlineQueryResultArticle(f"{prefix}{i}", f"标题 {i}",
                                     InputTextMessageContent(f"<b>条目</b> {i}", parse_mode="HTML"))
            for i in range(n)]


async def test_inline_query_answer(bot: Bot, fake: FakeTelegram):
    up = fake.inline_query(BOB, "报销")
    (u,) = await bot.get_updates(timeout=0)
    assert u.inline_query.query == "报销"
    button = InlineQueryResultsButton("打开机器人", start_parameter="from_inline")
    assert await bot.answer_inline_query(u.inline_query.id, _articles(3), button=button,
                                         cache_time=0)
    ans = fake.inline_answers[up["inline_query"]["id"]]
    assert [r["id"] for r in ans["results"]] == ["r0", "r1", "r2"]
    assert ans["results"][0]["input_message_content"]["_plain"] == "条目 0"
    # answering twice is an error, like Telegram
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query(u.inline_query.id, _articles(1))


async def test_inline_query_rejections(bot: Bot, fake: FakeTelegram):
    qid = fake.inline_query(BOB, "q")["inline_query"]["id"]
    with pytest.raises(BadRequest, match="Results_too_much"):
        await bot.answer_inline_query(qid, _articles(51))
    with pytest.raises(BadRequest, match="Result_id_duplicate"):
        await bot.answer_inline_query(qid, _articles(2, prefix="same") + _articles(1, prefix="same"))
    bad_html = [InlineQueryResultArticle("a", "t", InputTextMessageContent("<b>x", parse_mode="HTML"))]
    with pytest.raises(BadRequest, match="Can't parse entities"):
        await bot.answer_inline_query(qid, bad_html)
    with pytest.raises(BadRequest, match="Start_param_invalid"):
        await bot.answer_inline_query(qid, _articles(1), button=InlineQueryResultsButton(
            "x", start_parameter="has space"))
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_inline_query("123456789", _articles(1))
    # the failed attempts did not consume the query
    assert await bot.answer_inline_query(qid, _articles(1))


async def test_stale_inline_query(bot: Bot, fake: FakeTelegram):
    fake.inline_query_ttl = 0.2
    qid = fake.inline_query(BOB, "q")["inline_query"]["id"]
    await asyncio.sleep(0.3)
    with pytest.raises(BadRequest, match="Query is too old and response timeout expired"):
        await bot.answer_inline_query(qid, _articles(1))


# ---------------------------------------------------------------- faults


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_429_raises_retry_after(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    fake.fail_next("sendMessage", kind="429", retry_after=3)
    with pytest.raises(RetryAfter) as ei:
        await bot.send_message(111, "hi")
    assert ei.value.retry_after in (3, dt.timedelta(seconds=3))
    assert fake.sent_messages() == []
    assert fake.errors[-1]["injected"] and fake.unexpected_errors() == []
    await bot.send_message(111, "hi")  # next one goes through
    assert len(fake.sent_messages()) == 1


async def test_drop_raises_network_error_and_is_not_delivered(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    fake.fail_next("sendMessage", kind="drop")
    with pytest.raises(NetworkError):
        await bot.send_message(111, "hi")
    assert fake.sent_messages() == []
    fake.fail_next("sendMessage", kind="502")
    with pytest.raises(NetworkError):
        await bot.send_message(111, "hi")
    fake.fail_next("sendMessage", kind="500")
    with pytest.raises(NetworkError):
        await bot.send_message(111, "hi")
    assert fake.sent_messages() == []
    # drop_after: Telegram accepted it but the answer was lost
    fake.fail_next("sendMessage", kind="drop_after")
    with pytest.raises(NetworkError):
        await bot.send_message(111, "lost answer")
    assert [m["text"] for m in fake.sent_messages()] == ["lost answer"]


async def test_second_concurrent_get_updates_conflicts(bot: Bot, fake: FakeTelegram):
    other = Bot(fake.token, base_url=fake.base_url)
    async with other:
        first = asyncio.create_task(bot.get_updates(timeout=3))
        await asyncio.sleep(0.3)
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await other.get_updates(timeout=0)
        fake.private_message(ANN, "x")
        assert len(await asyncio.wait_for(first, 3)) == 1
        # once the first poll finished, polling is free again
        assert len(await other.get_updates(timeout=0)) == 1


async def test_conflict_terminate_old_policy():
    async with running_fake(conflict_policy="terminate_old") as f:
        async with Bot(f.token, base_url=f.base_url) as a, Bot(f.token, base_url=f.base_url) as b:
            old = asyncio.create_task(a.get_updates(timeout=3))
            await asyncio.sleep(0.3)
            assert await b.get_updates(timeout=0) == ()
            with pytest.raises(Conflict):
                await old


async def test_disconnected_poller_does_not_block_next_poll(bot: Bot, fake: FakeTelegram):
    task = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await bot.get_updates(timeout=0) == ()
    assert fake.unexpected_errors() == []


# ---------------------------------------------------------------- files


async def test_document_upload_get_file_download(bot: Bot, fake: FakeTelegram):
    content = "员工手册\n第一章 年假\n".encode() * 100
    up = fake.document_message(ANN, "handbook.txt", content, "text/plain")
    (u,) = await bot.get_updates(timeout=0)
    doc = u.message.document
    assert doc.file_name == "handbook.txt" and doc.file_size == len(content)
    f = await bot.get_file(doc.file_id)
    assert f.file_size == len(content)
    data = await f.download_as_bytearray()
    assert bytes(data) == content
    assert up["message"]["document"]["file_id"] == doc.file_id
    with pytest.raises(BadRequest, match="Invalid file_id"):
        await bot.get_file("nope")


async def test_send_document_multipart(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    m = await bot.send_document(111, b"a,b\n1,2\n", filename="report.csv",
                                caption="<b>报告</b>", parse_mode="HTML")
    rec = await fake.wait_for_message(lambda r: r["method"] == "sendDocument")
    assert rec["document"]["content"] == b"a,b\n1,2\n"
    assert rec["text"] == "报告" and m.caption == "报告"
    assert fake.calls_to("sendDocument")[0].params["document"]["filename"] == "report.csv"
    assert bytes(await (await bot.get_file(m.document.file_id)).download_as_bytearray()) == b"a,b\n1,2\n"


# ---------------------------------------------------------------- chats, members, commands


async def test_chat_members_and_channels(bot: Bot, fake: FakeTelegram):
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat_member(STAFF["id"], 111)
    fake.set_member(STAFF, 111, "administrator")
    fake.set_member(STAFF, 222, "kicked")
    assert (await bot.get_chat_member(STAFF["id"], 111)).status == "administrator"
    assert (await bot.get_chat_member(STAFF["id"], 222)).status == "kicked"
    assert (await bot.get_chat_member(STAFF["id"], 333)).status == "left"
    admins = await bot.get_chat_administrators(STAFF["id"])
    assert [a.user.id for a in admins] == [111]
    chat = await bot.get_chat(STAFF["id"])
    assert chat.title == "Staff room"
    news = channel(-1009876543210, "公告", username="staff_news")
    up = fake.channel_post(news, "新政策", message_id=77)
    fake.edited_channel_post(news, "新政策（修订）", message_id=77)
    ups = await bot.get_updates(timeout=0)
    assert ups[0].channel_post.message_id == 77 and ups[0].channel_post.sender_chat.id == news["id"]
    assert ups[1].edited_channel_post.text == "新政策（修订）"
    m = await bot.send_message("@staff_news", "回复", reply_to_message_id=up["channel_post"]["message_id"])
    assert m.chat.id == news["id"] and m.reply_to_message.message_id == 77


async def test_set_my_commands_validation(bot: Bot, fake: FakeTelegram):
    await bot.set_my_commands([BotCommand("ask", "提问"), BotCommand("help", "帮助")],
                              scope=BotCommandScopeAllGroupChats(), language_code="zh")
    assert [c.command for c in await bot.get_my_commands(
        scope=BotCommandScopeAllGroupChats(), language_code="zh")] == ["ask", "help"]
    assert fake.get_commands({"type": "all_group_chats"}, "zh")[0]["description"] == "提问"
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Ask", "x")])
    with pytest.raises(BadRequest, match="Bot_command_description_invalid"):
        await bot.set_my_commands([BotCommand("ask", "")])
    assert await bot.set_my_description("员工问答机器人")
    fake.add_chat(STAFF)
    assert await bot.send_chat_action(STAFF["id"], "typing")
    assert fake.chat_actions == [(STAFF["id"], "typing")]


async def test_recording_and_waits(bot: Bot, fake: FakeTelegram):
    await _known_private_chat(fake)
    await bot.send_message(111, "first")
    mark = fake.mark()

    async def later():
        await asyncio.sleep(0.2)
        await bot.send_message(111, "second")

    t = asyncio.create_task(later())
    rec = await fake.wait_for_message(after=mark, timeout=3)
    assert rec["text"] == "second"
    assert (await fake.wait_for_message(lambda m: m["text"] == "first"))["seq"] <= mark
    await t
    method, params = fake.calls[-1]
    assert method == "sendMessage" and params["chat_id"] == 111 and params["text"] == "second"
    with pytest.raises(AssertionError, match="timed out"):
        await fake.wait_for_message(lambda m: m["text"] == "never", timeout=0.2)


# ---------------------------------------------------------------- PTB Application + rate limiter


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_application_rate_limiter_retries_429_once(fake: FakeTelegram):
    await _known_private_chat(fake)
    app = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
           .base_file_url(fake.base_file_url).rate_limiter(AIORateLimiter(max_retries=2)).build())
    async with app:
        fake.fail_next("sendMessage", kind="429", retry_after=1)
        started = time.monotonic()
        await app.bot.send_message(111, "<b>只发一次</b>", parse_mode="HTML")
        assert time.monotonic() - started >= 1.0
    assert [m["text"] for m in fake.sent_messages(111)] == ["只发一次"]
    assert len(fake.calls_to("sendMessage")) == 2
    assert fake.unexpected_errors() == []
    assert [e["status"] for e in fake.errors] == [429]


async def test_application_polling_lifecycle_is_error_free(fake: FakeTelegram):
    """run-polling style start/stop (incl. PTB's final getUpdates on shutdown)
    must not trip the single-poller check or any validation."""
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_html(
            f"你好 <b>{update.effective_user.first_name}</b>", do_quote=True)

    app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5)
        try:
            up = fake.private_message(ANN, "/start")
            rec = await fake.wait_for_message(lambda m: m["chat_id"] == 111, timeout=5)
        finally:
            await app.updater.stop()
            await app.stop()
        assert entity_texts(rec, "bold") == ["Ann"]
        assert rec["reply_to_message_id"] == up["message"]["message_id"]
    assert fake.pending_updates == []  # confirmed by the shutdown getUpdates
    fake.assert_no_errors(include_injected=True)


# ---------------------------------------------------------------- topics, reactions, deep links, edits


async def test_forum_topics_reactions_start_links_and_the_edit_window(bot: Bot, fake: FakeTelegram):
    forum = group(-1005550000001, "Forum", is_forum=True)
    topic = fake.create_topic(forum, ANN, "人事")
    asked = fake.group_message(forum, ANN, "/ask 年假", thread_id=topic)["message"]
    # a topic message that replies to nothing else replies to the topic's creation message
    assert asked["is_topic_message"] and asked["reply_to_message"]["message_id"] == topic
    sent = await bot.send_message(forum["id"], "答", message_thread_id=topic)
    assert sent.message_thread_id == topic and sent.is_topic_message
    reply = await bot.send_message(forum["id"], "答", reply_parameters=ReplyParameters(
        asked["message_id"]))
    assert reply.message_thread_id == topic          # a reply goes to its message's topic
    for chat, thread in ((forum, 999), (STAFF, topic)):
        fake.add_chat(chat)
        with pytest.raises(BadRequest, match="Message thread not found"):
            await bot.send_message(chat["id"], "答", message_thread_id=thread)
    with pytest.raises(ValueError):
        fake.group_message(forum, ANN, "x", thread_id=12345)

    fake.private_message(ANN, "hi")
    mine = await bot.send_message(ANN["id"], "答")
    assert fake.reaction({"id": ANN["id"], "type": "private"}, ANN, mine.message_id, ["👍"])
    fake.reaction({"id": ANN["id"], "type": "private"}, ANN, mine.message_id, ["👎"])
    delivered = await bot.get_updates(timeout=0, allowed_updates=["message"])
    assert delivered and not [u for u in delivered if u.message_reaction]  # not asked for
    fake.reaction({"id": ANN["id"], "type": "private"}, ANN, mine.message_id, [])
    [update] = await bot.get_updates(offset=delivered[-1].update_id + 1, timeout=0,
                                     allowed_updates=["message_reaction"])
    change = update.message_reaction
    assert [r.emoji for r in change.old_reaction] == ["👎"] and change.new_reaction == ()
    assert fake.reaction(forum, ANN, asked["message_id"], ["👍"]) is None   # the bot: no admin

    start = fake.start_link(BOB, "p0123456789ab")["message"]
    assert start["text"] == "/start p0123456789ab" and start["entities"][0]["length"] == 6
    for payload in ("", "a b", "x" * 65):
        with pytest.raises(ValueError):
            fake.start_link(BOB, payload)

    fake.advance_clock(48 * 3600 + 1)
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await bot.edit_message_text("新", chat_id=ANN["id"], message_id=mine.message_id)
    fake.delete_by_user(forum["id"], sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("新", chat_id=forum["id"], message_id=sent.message_id)
    fake.errors.clear()
