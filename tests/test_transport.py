"""bot/transport.py: python-telegram-bot's Bot over AiohttpRequest, against the fake Bot API.

The same calls the bot makes — JSON bodies with typed values, file uploads (multipart), file
downloads, Telegram's errors — and the failures a network gives (a dropped connection, a server
that does not answer in time, nothing listening), which must surface as the exceptions
python-telegram-bot's retry logic and ``bot.retry`` already handle.
"""

from __future__ import annotations

import asyncio
import socket
import sys
from pathlib import Path

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

sys.path.insert(0, str(Path(__file__).parent))
from fakebot import FakeTelegram, user  # noqa: E402

from bot.transport import AiohttpRequest

ALICE = user(501, "Alice")


@pytest.fixture
async def fake():
    server = FakeTelegram()
    await server.start()
    server.add_chat({"id": ALICE["id"], "type": "private", "first_name": "Alice"})
    yield server
    await server.stop()


def make_bot(fake: FakeTelegram, **timeouts) -> Bot:
    return Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url,
               request=AiohttpRequest(8, **timeouts), get_updates_request=AiohttpRequest(1))


async def test_typed_json_values_reach_telegram(fake):
    async with make_bot(fake) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("全文", callback_data="p:1")]])
        sent = await bot.send_message(ALICE["id"], "<b>第三条</b> 干部 &amp; 人才",
                                      parse_mode="HTML", reply_markup=markup)
    call = next(c for c in fake.calls if c.method.lower() == "sendmessage")
    assert call.params["chat_id"] == ALICE["id"]                     # an int, not "501"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "p:1"
    assert sent.text == "第三条 干部 & 人才"                             # parsed as HTML
    assert [e.type for e in sent.entities] == ["bold"]


async def test_upload_and_download_a_file(fake):
    content = "第一条 为了规范工作，制定本办法。\n".encode() * 200
    async with make_bot(fake) as bot:
        message = await bot.send_document(ALICE["id"], content, filename="办法.txt",
                                          caption="新版")
        file = await bot.get_file(message.document.file_id)
        data = await file.download_as_bytearray()
    assert message.document.file_name == "办法.txt"
    assert message.caption == "新版"
    assert bytes(data) == content


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # retry_after
async def test_telegram_errors_keep_their_meaning(fake):
    async with make_bot(fake) as bot:
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(ALICE["id"], "")
        fake.fail_next("sendMessage", kind="429", retry_after=7)
        with pytest.raises(RetryAfter) as info:
            await bot.send_message(ALICE["id"], "hi")
        assert info.value.retry_after == 7 or info.value.retry_after.total_seconds() == 7
        fake.fail_next("sendMessage", kind="502")
        with pytest.raises(NetworkError):
            await bot.send_message(ALICE["id"], "hi")
        assert (await bot.send_message(ALICE["id"], "again")).text == "again"


async def test_dropped_connection_is_a_network_error_and_the_pool_recovers(fake):
    async with make_bot(fake) as bot:
        fake.fail_next("sendMessage", kind="drop")
        with pytest.raises(NetworkError):
            await bot.send_message(ALICE["id"], "lost")
        assert (await bot.send_message(ALICE["id"], "next")).text == "next"
    assert [m["text"] for m in fake.sent_messages(ALICE["id"])] == ["next"]


async def test_a_server_that_does_not_answer_times_out(fake):
    async with make_bot(fake, read_timeout=0.5) as bot:
        fake.fail_next("sendMessage", kind="delay", delay=3)
        started = asyncio.get_running_loop().time()
        with pytest.raises(TimedOut):
            await bot.send_message(ALICE["id"], "slow")
        assert asyncio.get_running_loop().time() - started < 2.5


async def test_nothing_listening_is_a_network_error():
    with socket.socket() as s:          # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    request = AiohttpRequest(1, connect_timeout=2)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")
    finally:
        await request.shutdown()


async def test_not_initialized_is_refused():
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:1/x", "POST")
