"""End to end, the Telegram features staff expect (issue 14): forum topics, edited questions,
deep links, the uploaded original file, 👍/👎 reactions and the command menus — each sent as
Telegram sends it (tests/fakebot.py: ``message_thread_id``, ``edited_message``,
``/start <payload>``, ``message_reaction``) to the real bot process. One bot for the module,
access restricted to the listed staff (so that strangers can be refused on every path).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from fakebot import EDIT_WINDOW, FakeTelegram, group, iter_buttons, user  # noqa: E402
from test_bot_e2e import _after_test, callbacks, click, finish, replies_to, start_bot  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

ADMIN = user(1001, "Admin", "zh-hans")
ANN = user(2001, "Ann", "zh-hans")
BOB = user(2002, "Bob", "en")
STRANGER = user(3999, "Stranger", "zh-hans")
FORUM = group(-1001000000321, "Forum", is_forum=True)
TEAM = group(-1001000000001, "Team")
LEAVE = ("# 员工休假办法\n\n## 探亲假\n\n"
         "员工探望配偶的，每年给予探亲假一次，假期为三十天，路程假另计。\n").encode()


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def features_bot(tmp_path_factory):
    fake, bot = await start_bot(tmp_path_factory, "tgfeatures", STAFFBOT_ADMINS=str(ADMIN["id"]),
                                STAFFBOT_ALLOWED_USERS=f"{ANN['id']},{BOB['id']}")
    yield fake, bot
    await finish(fake, bot)


@pytest.fixture
def fake(features_bot, request):
    fake, bot = features_bot
    yield fake
    _after_test(fake, bot, request)


@pytest.fixture
def bot(features_bot):
    return features_bot[1]


def expect_errors(fake: FakeTelegram, *descriptions: str) -> None:
    """Telegram refused exactly these (the bot cannot know beforehand: a deleted message);
    taken out of the record that every test checks for 400s."""
    refused = [e for e in fake.unexpected_errors() if e["status"] == 400]
    assert sorted(e["description"] for e in refused) == sorted(descriptions), refused
    fake.errors = [e for e in fake.errors if e not in refused]


async def handled(bot, update: dict) -> str:
    """What the bot did with ``update`` (its log line without the chat type and the time)."""
    line = await bot.handled(update)
    return re.sub(r"^\S+ | \d+ ms$", "", line)


def links(message: dict) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


async def upload(fake: FakeTelegram, name: str, content: bytes) -> str:
    """An admin uploads a file; its Telegram file_id."""
    update = fake.document_message(ADMIN, name, content)
    reply = await fake.wait_for_message(replies_to(update), timeout=30)
    assert "已索引" in reply["text"], reply["text"]
    return update["message"]["document"]["file_id"]


# -- forum topics ---------------------------------------------------------------------------------
async def test_answers_and_their_buttons_stay_in_the_topic_asked_in(fake):
    fake.set_member(FORUM, ANN, "member")
    topic = fake.create_topic(FORUM, ANN, "人事")
    other = fake.create_topic(FORUM, BOB, "闲聊")
    username = fake.bot_user["username"]
    asked = [fake.group_message(FORUM, ANN, "/ask 领导干部", thread_id=topic),
             fake.group_message(FORUM, BOB, f"@{username} 政绩观", thread_id=other),
             fake.group_message(FORUM, ANN, "/ask 怎样为基层减负")]       # the General topic
    answers = [await fake.wait_for_message(replies_to(u)) for u in asked]
    assert [a["message"].get("message_thread_id") for a in answers] == [topic, other, None]
    assert answers[0]["params"]["message_thread_id"] == topic

    full_data, more_data = callbacks(answers[0])[:2]
    for data in (full_data, more_data):
        mark = fake.mark()
        await click(fake, ANN, answers[0], data)
        follow = await fake.wait_for_message(chat_id=FORUM["id"], after=mark)
        assert follow["message"]["message_thread_id"] == topic, follow["text"]

    reply = fake.group_message(FORUM, BOB, "基层减负呢", reply_to=answers[1]["message"],
                               thread_id=other)     # a reply to the bot in a topic is a question
    answer = await fake.wait_for_message(replies_to(reply))
    assert answer["message"]["message_thread_id"] == other and "📖" in answer["text"]


# -- edited questions -----------------------------------------------------------------------------
async def test_an_edited_question_edits_its_answer(fake):
    chat = {"id": ANN["id"], "type": "private", "first_name": "Ann"}
    question = fake.private_message(ANN, "政绩观")
    answer = await fake.wait_for_message(replies_to(question))
    before = dict(answer)           # the fake's record changes with the message
    mark = fake.mark()
    fake.edited_message(chat, ANN, "怎样为基层减负", question["message"]["message_id"])
    await fake.wait_for_call("editMessageText", lambda c: c.params["message_id"]
                             == answer["message_id"], after=mark)
    edited = fake.message(ANN["id"], answer["message_id"])
    assert "基层" in edited["text"] and "第4段" in edited["text"], edited["text"]
    assert "第3段" in before["text"] and "第3段" not in edited["text"]
    # the buttons are the new question's (a new id in the question log)
    assert [d for d in callbacks(edited) if d.startswith("f:")] != \
        [d for d in callbacks(before) if d.startswith("f:")]
    assert not fake.sent_messages(ANN["id"], after=mark)       # no second answer


async def test_edits_in_groups_and_edits_that_ask_nothing(fake, bot):
    username = fake.bot_user["username"]
    mention = fake.group_message(TEAM, ANN, f"@{username} 政绩观")
    command = fake.group_message(TEAM, BOB, "/ask 政绩观")
    first = [dict(await fake.wait_for_message(replies_to(u))) for u in (mention, command)]
    mark = fake.mark()
    edits = [fake.edited_message(TEAM, ANN, f"@{username} 怎样为基层减负",
                                 mention["message"]["message_id"]),
             fake.edited_message(TEAM, BOB, "/ask", command["message"]["message_id"]),
             fake.edited_message(TEAM, ANN, "政绩观，谢谢",       # no longer mentions the bot
                                 mention["message"]["message_id"])]
    outcomes = [await handled(bot, u) for u in edits]
    assert outcomes == ["answer (edited)", "edited, no question", "ignored"]
    assert "基层" in fake.message(TEAM["id"], first[0]["message_id"])["text"]
    assert fake.message(TEAM["id"], first[1]["message_id"])["text"] == first[1]["text"]
    assert not fake.sent_messages(TEAM["id"], after=mark)      # no usage message, no new answer


async def test_an_answer_too_old_or_deleted_is_answered_afresh(fake):
    chat = {"id": BOB["id"], "type": "private", "first_name": "Bob"}
    for make_stale in ("deleted", "too old"):
        question = fake.private_message(BOB, "政绩观")
        answer = await fake.wait_for_message(replies_to(question))
        if make_stale == "deleted":
            fake.delete_by_user(BOB["id"], answer["message_id"])
        else:
            fake.advance_clock(EDIT_WINDOW + 3600)
        mark = fake.mark()
        fake.edited_message(chat, BOB, "领导干部", question["message"]["message_id"])
        fresh = await fake.wait_for_message(replies_to(question), after=mark)
        assert "📖" in fresh["text"] and fresh["message_id"] != answer["message_id"]
        if make_stale == "deleted":     # Telegram's refusal is the only way to learn it
            expect_errors(fake, "Bad Request: message to edit not found")
    # too old: the bot knew from the dates and did not try (no 400, checked after the test)
    edits = [c for c in fake.calls_to("editMessageText")
             if c.params.get("message_id") == answer["message_id"]]
    assert not edits


# -- deep links -----------------------------------------------------------------------------------
async def test_citations_in_groups_and_inline_link_to_the_full_text_in_private(fake):
    update = fake.group_message(TEAM, ANN, "/ask 领导干部")
    answer = await fake.wait_for_message(replies_to(update))
    username = fake.bot_user["username"]
    [link] = [u for u in links(answer) if u.startswith("https://t.me/")]
    payload = re.fullmatch(rf"https://t\.me/{username}\?start=(p[0-9a-f]{{12}})", link).group(1)

    mark = fake.mark()
    fake.start_link(ANN, payload)
    full = await fake.wait_for_message(chat_id=ANN["id"], after=mark)
    assert "第3段" in full["text"] and "政绩观" in full["text"], full["text"]

    query = fake.inline_query(ANN, "政绩观")
    qid = query["inline_query"]["id"]
    await fake.wait_for_call("answerInlineQuery", lambda c: c.params["inline_query_id"] == qid)
    result = fake.inline_answers[qid]["results"][0]["input_message_content"]
    assert any(e.get("url", "").startswith(f"https://t.me/{username}?start=p")
               for e in result["_entities"])

    private = fake.private_message(ANN, "领导干部")     # in private the 📄 button does it
    answer = await fake.wait_for_message(replies_to(private))
    assert not [u for u in links(answer) if u.startswith("https://t.me/")]


async def test_deep_links_check_access_and_survive_bad_payloads(fake, bot):
    update = fake.group_message(TEAM, BOB, "/ask 政绩观")
    answer = await fake.wait_for_message(replies_to(update))
    payload = next(u for u in links(answer) if "start=" in u).split("start=")[1]
    cases = [(STRANGER, payload, "不对您开放"), (ANN, "p0123456789ab", "已不在资料库"),
             (ANN, "pXYZ", "链接已失效"), (BOB, "x" * 64, "expired")]
    for who, sent, expected in cases:
        mark = fake.mark()
        start = fake.start_link(who, sent)
        reply = await fake.wait_for_message(chat_id=who["id"], after=mark)
        assert expected in reply["text"], (sent, reply["text"])
        await bot.handled(start)
    mark = fake.mark()
    help_start = fake.start_link(ANN, "help")       # the inline mode's button
    assert "/ask" in (await fake.wait_for_message(chat_id=ANN["id"], after=mark))["text"]
    await bot.handled(help_start)
    with pytest.raises(ValueError):                  # Telegram would not open such a link
        fake.start_link(ANN, "p" + "0" * 64)


# -- the uploaded original ------------------------------------------------------------------------
async def test_the_original_of_an_uploaded_document_is_sent_by_its_file_id(fake):
    file_id = await upload(fake, "leave.md", LEAVE)
    topic = fake.create_topic(FORUM, ADMIN, "休假")
    update = fake.group_message(FORUM, ANN, "/ask 探亲假有几天", thread_id=topic)
    answer = await fake.wait_for_message(replies_to(update))
    assert "三十天" in answer["text"]
    original = [b for b in iter_buttons(answer) if b.get("callback_data", "").startswith("o:")]
    assert [b["text"] for b in original] == ["📎 原文件"]
    assert len(original[0]["callback_data"].encode()) <= 64

    mark = fake.mark()
    await click(fake, ANN, answer, original[0]["callback_data"])
    sent = await fake.wait_for_message(lambda m: m["method"] == "sendDocument", after=mark)
    assert sent["params"]["document"] == file_id            # by file_id: nothing uploaded
    assert sent["document"]["content"] == LEAVE
    assert sent["message"]["message_thread_id"] == topic
    assert sent["reply_to_message_id"] == answer["message_id"]

    seed = fake.private_message(ANN, "政绩观")                # a seed file: no original to send
    reply = await fake.wait_for_message(replies_to(seed))
    assert not [d for d in callbacks(reply) if d.startswith("o:")]
    assert not [b for b in iter_buttons(reply) if b["text"].startswith("📎")]

    mark = fake.mark()                                        # a stranger's forged button
    await click(fake, STRANGER, answer, original[0]["callback_data"], check_button=False)
    assert not [m for m in fake.sent_messages(after=mark) if m["method"] == "sendDocument"]

    mark = fake.mark()                                        # removed since: said so
    fake.private_message(ADMIN, "/remove 员工休假办法")
    assert "已删除 1" in (await fake.wait_for_message(chat_id=ADMIN["id"], after=mark))["text"]
    await click(fake, ANN, answer, original[0]["callback_data"])
    gone = await fake.wait_for_message(chat_id=FORUM["id"], after=mark)
    assert "原件已不在" in gone["text"] and gone["message"]["message_thread_id"] == topic


# -- reactions ------------------------------------------------------------------------------------
async def stats(fake: FakeTelegram) -> tuple[int, int]:
    mark = fake.mark()
    fake.private_message(ADMIN, "/stats")
    text = (await fake.wait_for_message(chat_id=ADMIN["id"], after=mark))["text"]
    return int(re.search(r"👍 (\d+)", text).group(1)), int(re.search(r"👎 (\d+)", text).group(1))


async def test_reactions_on_an_answer_count_as_the_buttons_do(fake, bot):
    chat = {"id": ANN["id"], "type": "private", "first_name": "Ann"}
    question = fake.private_message(ANN, "领导干部")
    answer = await fake.wait_for_message(replies_to(question))
    before = await stats(fake)

    async def react(who, emoji, where=chat, message_id=answer["message_id"]):
        update = fake.reaction(where, who, message_id, emoji)
        return None if update is None else await handled(bot, update)

    assert await react(ANN, ["👍"]) == "reaction helpful"
    assert await stats(fake) == (before[0] + 1, before[1])
    assert await react(ANN, ["👎"]) == "reaction unhelpful"        # changed: replaces the vote
    assert await stats(fake) == (before[0], before[1] + 1)
    assert await react(ANN, ["🔥"]) == "reaction withdrawn"        # removed 👎: withdrawn
    assert await stats(fake) == before
    assert await react(ANN, []) == "reaction ignored"

    mark = fake.mark()
    fake.private_message(ANN, "/help")                              # not an answer
    help_message = await fake.wait_for_message(chat_id=ANN["id"], after=mark)
    assert await react(ANN, ["👍"], message_id=help_message["message_id"]) == "reaction ignored"

    question = fake.private_message(ANN, "选人用人")                 # 猜你想问: no 👍/👎 there
    unsure = await fake.wait_for_message(replies_to(question))
    assert await react(ANN, ["👍"], message_id=unsure["message_id"]) == "reaction ignored"
    mark = fake.mark()
    await click(fake, ANN, unsure, next(d for d in callbacks(unsure) if d.startswith("s:")))
    chosen = await fake.wait_for_message(chat_id=ANN["id"], after=mark)  # the chosen one is
    assert await react(ANN, ["👍"], message_id=chosen["message_id"]) == "reaction helpful"
    assert await stats(fake) == (before[0] + 1, before[1])
    assert await react(ANN, []) == "reaction ignored"     # 👍 on the first answer: none before
    assert await react(ANN, [], message_id=chosen["message_id"]) == "reaction withdrawn"

    update = fake.group_message(TEAM, BOB, "/ask 领导干部")
    group_answer = await fake.wait_for_message(replies_to(update))
    # not an administrator there: Telegram sends no reactions
    assert await react(BOB, ["👍"], TEAM, group_answer["message_id"]) is None
    fake.set_member(TEAM, fake.bot_id, "administrator")
    assert await react(BOB, ["👎"], TEAM, group_answer["message_id"]) == "reaction unhelpful"
    assert await react(STRANGER, ["👍"], TEAM, group_answer["message_id"]) == "refused"
    assert await stats(fake) == (before[0], before[1] + 1)


# -- command menus --------------------------------------------------------------------------------
async def test_command_menus_per_scope_and_language(fake):
    def menu(scope: dict, language: str = "") -> dict[str, str]:
        return {c["command"]: c["description"] for c in fake.get_commands(scope, language)}

    admin_chat = {"type": "chat", "chat_id": ADMIN["id"]}
    for language, ask in (("", "提问"), ("en", "Ask a question")):
        staff = menu({"type": "default"}, language)
        assert staff == menu({"type": "all_private_chats"}, language)
        assert list(staff) == ["start", "help", "ask"] and staff["ask"] == ask
        assert list(menu({"type": "all_group_chats"}, language)) == ["ask", "help"]
        admin = menu(admin_chat, language)
        assert list(admin)[:3] == ["start", "help", "ask"]
        assert {"docs", "remove", "reload", "stats", "unanswered", "synonym"} <= set(admin)
    assert menu(admin_chat, "en")["docs"] == "Documents" and menu(admin_chat)["docs"] == "文档列表"


# -- the article as the unit (issue 16) ------------------------------------------------------------
async def test_the_full_text_of_a_rules_article_is_the_whole_article(fake):
    rule = Path(__file__).parent / "fixtures" / "article_excerpt" / "培训与押金管理办法.txt"
    await upload(fake, rule.name, rule.read_bytes())
    question = fake.private_message(ANN, "参加外部培训怎么计学时？")
    answer = await fake.wait_for_message(replies_to(question))
    assert "第五条" in answer["text"] and "线上课程的学时" in answer["text"], answer["text"]
    mark = fake.mark()
    await click(fake, ANN, answer, callbacks(answer)[0])       # 📖 全文
    full = await fake.wait_for_message(chat_id=ANN["id"], after=mark)
    # the article's list paragraph with the paragraph after it, nothing of the next article
    assert "（三）三天以上的，计二十学时。\n线上课程的学时" in full["text"], full["text"]
    assert "第六条" not in full["text"] and "意外伤害" not in full["text"]
