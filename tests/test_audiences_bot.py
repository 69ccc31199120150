"""End to end, per-document audiences (issue 14): someone outside an audience tries to get a
restricted excerpt through every path Telegram offers — a private question, /ask and @mention in a
group, inline mode, 📄 / ➕ pressed on an insider's answer, forged buttons, 🙋 cards in the admin
chat — and gets none of its text; an insider (and an admin) does. Leaving the finance chat
(a ``chat_member`` update) revokes at once. Channel posts and uploads get their audiences.

Nothing calls a handler: the real bot process against tests/fakebot.py, one bot for the module.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from botprocess import BotProcess  # noqa: E402
from fakebot import FakeTelegram, channel, group, iter_buttons, user  # noqa: E402
from test_bot_e2e import _after_test, ask, callbacks, finish, replies_to, say  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = user(1001, "Admin", "zh-hans")
BOARD = user(4001, "Board", "zh-hans")          # 董事会 by its user list
FIN = user(4101, "Fin", "zh-hans")              # a member of the finance chat: 财务处
OUT = user(4102, "Out", "zh-hans")              # staff, in no audience
LEAVER = user(4103, "Leaver", "zh-hans")        # in the finance chat until they leave
FIN_CHAT = group(-1001000000901, "财务群")
TEAM = group(-1001000000002, "Team")
ADMIN_ROOM = group(-1001000000990, "Admins")
FIN_CHANNEL = channel(-1001000000902, "财务通知")            # private, listed in 财务处
SECRET_CHANNEL = channel(-1001000000903, "保密通知")         # private, in no audience
PUBLIC_CHANNEL = channel(-1001000000904, "公开通知", username="open_news")
STAFF_CHANNEL = channel(-1001000000905, "全员通知")          # private, listed under 全员

TRAVEL = ("差旅费报销办法\n\n出差住宿费每晚不超过五百元，报销时须附住宿发票。\n\n"
          "出差伙食补助每天一百二十元，报销时按出差天数计算。\n\n"
          "出差交通费按实际票据报销，乘坐飞机须经处长批准。\n")
SECRETS = ("五百元", "一百二十元", "处长批准")      # the restricted document's text
QUESTION = "出差住宿费报销标准"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def audience_bot(tmp_path_factory):
    fake = FakeTelegram()
    await fake.start()
    workdir = tmp_path_factory.mktemp("audiences")
    finance = workdir / "seeds" / "财务处"      # a seeds folder named after an audience
    finance.mkdir(parents=True)
    (finance / "travel.txt").write_text(TRAVEL, encoding="utf-8")
    bot = BotProcess(fake, workdir, STAFFBOT_ADMINS=str(ADMIN["id"]),
                     STAFFBOT_ADMIN_CHAT=str(ADMIN_ROOM["id"]),
                     STAFFBOT_AUDIENCES=f"财务处={FIN_CHAT['id']},{FIN_CHANNEL['id']};"
                                        f"董事会=@{BOARD['id']};全员={STAFF_CHANNEL['id']}")
    for member in (FIN, LEAVER):
        fake.set_member(FIN_CHAT, member, "member")
    fake.set_member(FIN_CHAT, OUT, "left")
    for chat in (ADMIN_ROOM, FIN_CHANNEL, SECRET_CHANNEL, PUBLIC_CHANNEL, STAFF_CHANNEL):
        fake.add_chat(chat)
    await bot.start()
    yield fake, bot
    await finish(fake, bot)


@pytest.fixture
def fake(audience_bot, request):
    fake, bot = audience_bot
    yield fake
    _after_test(fake, bot, request)


def leaked(*texts: str) -> list[str]:
    return [s for s in SECRETS if any(s in t for t in texts)]


def sent_text(fake: FakeTelegram, chat_id: int, mark: int) -> str:
    return "\n".join(m["text"] or "" for m in fake.sent_messages(chat_id, after=mark))


async def press(fake: FakeTelegram, who: dict, message, data: str, **kw) -> dict:
    """Press a button; the callback answer (its toast or alert)."""
    update = fake.callback_query(who, message, data, **kw)
    qid = update["callback_query"]["id"]
    await fake.wait_for_call("answerCallbackQuery",
                             lambda c: c.params.get("callback_query_id") == qid)
    return fake.callback_answers[qid]


async def group_ask(fake: FakeTelegram, chat: dict, who: dict, text: str) -> dict:
    update = fake.group_message(chat, who, text)
    return await fake.wait_for_message(replies_to(update))


# -- asking ---------------------------------------------------------------------------------------
async def test_a_private_question_is_answered_from_the_askers_audiences(fake):
    assert "五百元" in (await ask(fake, FIN, QUESTION))["text"]
    assert "五百元" in (await ask(fake, ADMIN, QUESTION))["text"]      # admins read everything
    for outsider in (OUT, BOARD):
        assert leaked((await ask(fake, outsider, QUESTION))["text"]) == []


async def test_a_group_sees_only_what_every_member_may_read(fake):
    username = fake.bot_user["username"]
    mark = fake.mark()
    await group_ask(fake, TEAM, FIN, f"/ask {QUESTION}")                 # an insider, elsewhere
    await group_ask(fake, TEAM, OUT, f"@{username} {QUESTION}")
    assert leaked(sent_text(fake, TEAM["id"], mark)) == []
    inside = await group_ask(fake, FIN_CHAT, FIN, f"/ask {QUESTION}")    # the finance chat
    assert "五百元" in inside["text"]


async def test_full_paragraph_and_more_pressed_by_an_outsider_show_nothing(fake):
    answer = await group_ask(fake, FIN_CHAT, FIN, "/ask 出差报销")
    assert leaked(answer["text"])
    full, more = [d for d in callbacks(answer) if d[:2] in ("p:", "m:")][:2]
    assert more.startswith("m:")
    mark = fake.mark()
    for data in (full, more):
        refused = await press(fake, OUT, answer, data)
        assert refused.get("show_alert") and "不对您开放" in refused["text"]
    assert sent_text(fake, FIN_CHAT["id"], mark) == ""
    await press(fake, FIN, answer, full)                                 # the insider may
    shown = await fake.wait_for_message(chat_id=FIN_CHAT["id"], after=mark)
    assert leaked(shown["text"])


async def test_forged_paragraph_and_suggestion_buttons_are_checked_for_the_presser(fake):
    insider = await ask(fake, FIN, QUESTION)
    paragraph = next(d for d in callbacks(insider) if d.startswith("p:"))
    question_id = next(d for d in callbacks(insider) if d.startswith("f:")).split(":")[1]
    own = await ask(fake, OUT, "政绩观")                   # a message of the outsider's own
    mark = fake.mark()
    for data in (paragraph, f"s:{question_id}:{paragraph[2:]}"):
        refused = await press(fake, OUT, own, data, check_button=False)
        assert "不对您开放" in refused["text"]
    assert sent_text(fake, OUT["id"], mark) == ""


async def test_inline_results_of_restricted_documents_carry_only_a_title_and_a_deep_link(fake):
    async def inline(who: dict) -> list[dict]:
        update = fake.inline_query(who, QUESTION)
        qid = update["inline_query"]["id"]
        await fake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
        return fake.inline_answers[qid]["results"]

    assert leaked(json.dumps(await inline(OUT), ensure_ascii=False)) == []
    results = await inline(FIN)
    dumped = json.dumps(results, ensure_ascii=False)
    assert leaked(dumped) == []                 # an inline result can be sent into any chat
    links = re.findall(rf"https://t\.me/{fake.bot_user['username']}\?start=([A-Za-z0-9_-]+)",
                       dumped)
    assert links and all(re.fullmatch(r"p[0-9a-f]{12}", p) for p in links)
    assert any("差旅费报销办法" in r["title"] for r in results)
    # the link opens the paragraph for a reader of its audience, for no one else
    for who, shown in ((OUT, False), (FIN, True)):
        mark = fake.mark()
        fake.start_link(who, links[0])
        opened = await fake.wait_for_message(chat_id=who["id"], after=mark)
        assert bool(leaked(opened["text"])) == shown, opened["text"]
        assert shown or "不对您开放" in opened["text"]


async def test_escalation_cards_show_their_readers_only_what_they_may_read(fake):
    reply = await ask(fake, OUT, "住宿费发票的报销时限")
    escalate = next(d for d in callbacks(reply) if d.startswith("e:"))
    mark = fake.mark()
    await press(fake, OUT, reply, escalate)
    card = await fake.wait_for_message(chat_id=ADMIN_ROOM["id"], after=mark)
    assert "住宿费发票" in card["text"] and leaked(card["text"]) == []
    # /unanswered in an admin's private chat: the same question's card, for an admin (all)
    mark = fake.mark()
    fake.private_message(ADMIN, "/unanswered")
    cards = await fake.wait_for_message(lambda m: "住宿费发票" in (m["text"] or "") and
                                        any(b.get("callback_data", "").startswith("a:")
                                            for b in iter_buttons(m)),
                                        chat_id=ADMIN["id"], after=mark)
    assert leaked(cards["text"])


# -- where documents get their audience -----------------------------------------------------------
async def test_channel_posts_inherit_their_channels_readers(fake, audience_bot):
    bot = audience_bot[1]
    posts = [fake.channel_post(PUBLIC_CHANNEL, "公开活动\n羽毛球比赛周五下午在体育馆举行。"),
             fake.channel_post(FIN_CHANNEL, "财务提醒\n年终决算报表须在十二月二十日前提交。"),
             fake.channel_post(SECRET_CHANNEL, "保密事项\n机房门禁密码每月初更换一次。"),
             fake.channel_post(STAFF_CHANNEL, "体检安排\n年度体检于十月在职工医院进行。")]
    await bot.handled(*posts)
    assert "周五" in (await ask(fake, OUT, "羽毛球比赛什么时候"))["text"]
    assert "十月" in (await ask(fake, OUT, "年度体检什么时候"))["text"]
    assert "十二月二十日" in (await ask(fake, FIN, "年终决算报表提交时间"))["text"]
    assert "十二月二十日" not in (await ask(fake, OUT, "年终决算报表提交时间"))["text"]
    assert "每月初" in (await ask(fake, ADMIN, "机房门禁密码更换"))["text"]
    assert "每月初" not in (await ask(fake, FIN, "机房门禁密码更换"))["text"]   # admins only


async def test_uploads_get_an_audience_by_caption_button_or_command(fake):
    content = "加班餐费报销\n\n加班餐费每人每次不超过三十五元，凭加班审批单报销。\n".encode()
    update = fake.document_message(ADMIN, "加班餐费.txt", content, caption="#财务处")
    reply = await fake.wait_for_message(replies_to(update))
    assert "谁可以看到" in reply["text"]
    choices = [b for b in iter_buttons(reply) if b.get("callback_data", "").startswith("v:")]
    assert [b["text"] for b in choices] == ["全员", "财务处", "董事会"]
    assert "三十五元" not in (await ask(fake, OUT, "加班餐费标准"))["text"]
    assert "三十五元" in (await ask(fake, FIN, "加班餐费标准"))["text"]

    assert "全员" in (await press(fake, ADMIN, reply, choices[0]["callback_data"]))["text"]
    assert "三十五元" in (await ask(fake, OUT, "加班餐费标准"))["text"]

    assert "董事会" in (await say(fake, ADMIN, "/audience 加班餐费.txt 董事会"))["text"]
    assert "三十五元" in (await ask(fake, BOARD, "加班餐费标准"))["text"]
    assert "三十五元" not in (await ask(fake, FIN, "加班餐费标准"))["text"]
    docs = await say(fake, ADMIN, "/docs")
    assert "👥 董事会" in docs["text"] and "👥 财务处" in docs["text"]      # travel.txt: its folder

    refused = fake.document_message(ADMIN, "审计.txt", "审计安排\n\n审计每年一次。\n".encode(),
                                    caption="#审计处")
    assert "不认识的受众" in (await fake.wait_for_message(replies_to(refused)))["text"]
    assert "审计每年一次" not in (await ask(fake, ADMIN, "审计安排"))["text"]


async def test_leaving_the_finance_chat_revokes_at_once(fake, audience_bot):
    bot = audience_bot[1]
    assert "五百元" in (await ask(fake, LEAVER, QUESTION))["text"]     # membership now cached
    left = fake.chat_member_update(FIN_CHAT, LEAVER, "left")
    assert "member left" in await bot.handled(left)
    assert leaked((await ask(fake, LEAVER, QUESTION))["text"]) == []
