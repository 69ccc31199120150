"""Hostile and odd input, end to end: the real bot process against the fake Telegram server.

* Messages generated with hypothesis (plus hand-written ones): empty, whitespace, 100k characters,
  emoji, zero-width and right-to-left marks, HTML and markdown look-alikes, SQL and FTS5 syntax,
  control characters, mixed scripts; in private chats, groups (/ask and @mention) and inline.
  Zero crashes, zero Telegram 400s, every one answered or declined in bounded time.
* Admin uploads: wrong extension, empty, truncated docx/pdf, a zip bomb posing as docx, oversize,
  odd names. Broken ones are refused with a reason naming the file and change nothing.
* Buttons: forged, stale, garbage and over-long callback data never reveal an excerpt the presser
  may not see, never 400, never crash.

Figures are printed (``-s``): inputs tried, answered, declined, Telegram 400s, tracebacks.
"""

from __future__ import annotations

import io
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from fakebot import FakeTelegram, group, iter_buttons, user  # noqa: E402
from test_faults import ADMIN, Bot, bad_requests, replies_to, settle, tracebacks  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

STAFF = user(3001, "Staff", "zh-hans")
STRANGER = user(3999, "Stranger", "zh-hans")
OTHER_GROUP = group(-1001000000777, "Elsewhere")

FRAGMENTS = ["<b>", "</b>", "<i>", "<a href='x'>", "&amp;", "&lt;", "&", "&#0;", "*", "_", "`",
             "```", "[x](http://a)", "~", "||", "\\", '" OR 1=1 --', "'; DROP TABLE documents;--",
             "NEAR(", "NEAR(a b, 2)", "*", "AND", "OR", "NOT", "(", ")", "^", ":", "title:",
             "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202e",
             "\u202d", "\u061c", "😀", "👍🏽", "👨‍👩‍👧", "🇨🇳", "\x00", "\x07", "\x1b[31m", "\r\n",
             "\t", "\u2028", "\u3000", "政绩观", "基层减负", "組織工作", "مرحبا", "שלום",
             "Привет", "नमस्ते", "𠀀", "ｆｕｌｌ", "/start", "@staffbot_test_bot", "%s", "{0}",
             "\u0301", "Z\u0351\u0352\u0353"]

SPECIAL = ["", " ", "\n\n\t ", "\u200b\u200b", "\u202e", "x" * 100_000, "政" * 100_000,
           "😀" * 5000, "<b>" * 2000, "&" * 4000, '" OR 1=1 --', "NEAR(", "*", "* OR *",
           "\x00" * 10, "".join(chr(c) for c in range(1, 32))]


def hostile_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(SPECIAL),
        st.text(max_size=200),  # any code points (no lone surrogates: JSON cannot carry them)
        st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4)),
                 max_size=30).map("".join),
    )


def draw(n: int) -> list[str]:
    """``n`` texts from hypothesis (its generation phase only: no shrinking across a bot)."""
    out: list[str] = []

    @settings(max_examples=n, database=None, deadline=None, derandomize=True,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(hostile_text())
    def collect(text: str) -> None:
        out.append(text)

    collect()
    return out[:n] + SPECIAL


def delivered_by_telegram(text: str) -> bool:
    """Telegram never delivers a message that is empty or only whitespace."""
    return bool(text.strip())


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def open_bot(tmp_path_factory):
    fake = FakeTelegram()
    await fake.start()
    bot = Bot(fake, tmp_path_factory.mktemp("hostile"), STAFFBOT_MAX_UPLOAD_MB="1")
    await bot.start()
    yield fake, bot
    code = await bot.term()
    await fake.stop()
    assert code == 0, bot.log()[-3000:]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def restricted_bot(tmp_path_factory):
    fake = FakeTelegram()
    await fake.start()
    bot = Bot(fake, tmp_path_factory.mktemp("hostile-restricted"),
              STAFFBOT_ALLOWED_USERS=str(STAFF["id"]))
    await bot.start()
    yield fake, bot
    code = await bot.term()
    await fake.stop()
    assert code == 0, bot.log()[-3000:]


def _alive(bot: Bot) -> bool:
    return bot.proc.returncode is None


# -- messages -------------------------------------------------------------------------------------------
async def test_hostile_messages_in_private_groups_and_inline(open_bot):
    fake, bot = open_bot
    texts = draw(120)
    username = fake.bot_user["username"]
    private, groups = [], []
    for n, text in enumerate(texts):
        who = user(20000 + n, f"P{n}", lang="en" if n % 3 == 0 else "zh-hans")
        private.append((text, who, fake.private_message(who, text)))
    for n, text in enumerate(texts):
        # many groups: Telegram allows a bot 20 messages a minute in one group (AIORateLimiter)
        chat = group(-1001000100000 - n % 16, f"Team {n % 16}")
        asker = user(21000 + n, f"G{n}")
        body = f"/ask {text}" if n % 2 == 0 else f"@{username} {text}"
        groups.append((chat, body, fake.group_message(chat, asker, body)))
    await settle(bot, user(29999, "Settle"), timeout=120)

    declined = answered = 0
    for text, who, update in private:
        sent = fake.sent_messages(who["id"])
        if delivered_by_telegram(text):
            assert sent, f"no reply to {text[:60]!r}"
        answered += bool(sent)
        declined += not sent
    for chat, body, update in groups:
        assert [m for m in fake.sent_messages(chat["id"]) if replies_to(update)(m)], body[:60]
        answered += 1

    inline_answered = 0
    for n, text in enumerate(texts[:60]):  # Telegram drops an inline query after 10 s: small batches
        update = fake.inline_query(user(22000 + n, f"I{n}"), text[:256])
        qid = update["inline_query"]["id"]
        await fake.wait_for_call("answerInlineQuery",
                                 lambda c, qid=qid: c.params.get("inline_query_id") == qid,
                                 timeout=10)
        inline_answered += 1
    await settle(bot, user(29998, "Settle2"))
    log = bot.log()
    total = len(private) + len(groups) + inline_answered
    print(f"\n[hostile/messages] inputs={total} (private {len(private)}, group {len(groups)}, "
          f"inline {inline_answered}) answered={answered + inline_answered} "
          f"declined_empty={declined} 400s={len(bad_requests(fake))} "
          f"tracebacks={tracebacks(log)} alive={_alive(bot)}")
    assert _alive(bot)
    assert not bad_requests(fake), bad_requests(fake)[:3]
    assert tracebacks(log) == 0, log[-3000:]
    assert "error handling update" not in log


# -- files ----------------------------------------------------------------------------------------------
def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("差旅办法", 1)
    for line in text.split("\n"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, text)
    page.save()
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0"?><w:document xmlns:w="x"><w:body>')
            chunk = b" " * (1024 * 1024)
            for _ in range(300):  # 300 MB of spaces, ~300 KB compressed
                member.write(chunk)
            member.write(b"</w:body></w:document>")
    return buffer.getvalue()


def _documents(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT origin, content_hash, title, paragraphs FROM documents "
                            "ORDER BY origin").fetchall()
    finally:
        conn.close()


async def test_broken_uploads_are_refused_by_name_and_change_nothing(open_bot):
    fake, bot = open_bot
    good_docx = _docx("出差人员住宿费每人每天不超过五百元。\n差旅费应在三十日内报销。")
    good_pdf = _pdf("Travel expenses are reimbursed within thirty days.")
    refused = [  # (file name, content, what the refusal must mention besides the name)
        ("report.pdf", "这是一段纯文本，不是PDF。".encode(), None),
        ("notes.docx", good_pdf, None),
        ("photo.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, None),
        ("empty.txt", b"", None),
        ("empty.docx", b"", None),
        ("half.docx", good_docx[: len(good_docx) // 2], None),
        ("half.pdf", good_pdf[: len(good_pdf) // 2], None),
        ("bomb.docx", _zip_bomb(), None),
        ("big.txt", "政策文件内容。".encode() * 100_000, "1.0 MB"),
        ("script.exe", b"MZ\x90\x00", None),
        ("no_extension", b"plain words", None),
        ("../../../etc/passwd", b"root:x:0:0", None),
        ("<b>bold</b>&amp;.docx", b"not a zip", None),
        ("\u202eexe.txt.docx", b"PK\x03\x04 broken", None),
        ("名" * 200 + ".pdf", b"%PDF-1.4 truncated", None),
    ]
    before = _documents(bot.db)
    rows = []
    for name, content, detail in refused:
        update = fake.document_message(ADMIN, name, content)
        reply = await fake.wait_for_message(replies_to(update), timeout=60)
        shown = "".join(ch for ch in Path(name.replace("\\", "/")).name if ch.isprintable())
        ok = shown[:40] in reply["text"] and "✅" not in reply["text"]
        if detail:
            ok = ok and detail in reply["text"]
        rows.append((name[:40], ok, reply["text"][:90].replace("\n", " ")))
    after = _documents(bot.db)

    # odd names with good content: indexed under the base name only, nothing written to disk
    traversal = fake.document_message(ADMIN, "../../outside.md", "# 值班制度\n\n节假日值班由办公室排班。".encode())
    reply = await fake.wait_for_message(replies_to(traversal), timeout=30)
    assert "outside.md" in reply["text"] and "已索引" in reply["text"], reply["text"]
    assert not (bot.workdir.parent / "outside.md").exists()
    assert not list(bot.workdir.parent.parent.glob("outside.md"))
    origins = [o for o, *_ in _documents(bot.db)]
    assert "upload:outside.md" in origins
    log = bot.log()
    print(f"\n[hostile/files] uploads={len(refused) + 1} refused_by_name="
          f"{sum(ok for _, ok, _ in rows)}/{len(refused)} kb_unchanged={before == after} "
          f"400s={len(bad_requests(fake))} tracebacks={tracebacks(log)}")
    for name, ok, text in rows:
        print(f"  {'ok ' if ok else 'BAD'} {name!r}: {text}")
    assert all(ok for _, ok, _ in rows)
    assert before == after
    assert not bad_requests(fake)
    assert tracebacks(log) == 0 and _alive(bot)


# -- buttons --------------------------------------------------------------------------------------------
GARBAGE = ["", "x", ":", "p", "p:", "p:-1", "p:0", "p:abc", "p: 1", "p:１２", "p:1_0", "p:1.5",
           "p:" + "9" * 62, "p:9223372036854775808", "m:", "m:1", "m:1:", "m:x:1,2",
           "m:" + "9" * 30 + ":1", "m:1:" + ",".join(["9" * 18] * 3), "m:1:,,,", "f:", "f:1:2",
           "f:abc:1", "f:" + "9" * 40 + ":1", "f:-5:0", "q:1", "p:1:2", "\x00", "🙂", "<b>p:1</b>"]


async def test_forged_and_garbage_button_data_reveal_nothing(open_bot):
    fake, bot = open_bot
    # a paragraph of a document that is then deleted
    update = fake.document_message(ADMIN, "temp-rules.md",
                                   "# 临时规定\n\n临时规定：周三下午全体人员参加消防演练。".encode())
    await fake.wait_for_message(replies_to(update), timeout=30)
    answer = await fake.wait_for_message(replies_to(fake.private_message(ADMIN, "消防演练什么时候")))
    stale = next(b["callback_data"] for b in iter_buttons(answer)   # 📄 全文 or 猜你想问
                 if b.get("callback_data", "").startswith(("p:", "s:")))
    assert "消防演练" in answer["text"]
    removed = fake.private_message(ADMIN, "/remove temp-rules.md")
    await fake.wait_for_message(lambda m: m["chat_id"] == ADMIN["id"] and "已删除" in m["text"])
    asker = user(23001, "Presser")
    target = await fake.wait_for_message(replies_to(fake.private_message(asker, "政绩观")))
    mark = fake.mark()
    presses = []
    for data in [stale, *GARBAGE]:
        q = fake.callback_query(asker, target, data, check_button=False)
        presses.append((data, q["callback_query"]["id"]))
    await settle(bot, user(23002, "Settle"))
    unanswered = [d for d, qid in presses if qid not in fake.callback_answers]
    leaked = [m["text"][:60] for m in fake.sent_messages(asker["id"], after=mark)
              if "消防演练" in m["text"]]
    log = bot.log()
    print(f"\n[hostile/buttons] presses={len(presses)} answered={len(presses) - len(unanswered)} "
          f"leaked_deleted_excerpts={len(leaked)} 400s={len(bad_requests(fake))} "
          f"tracebacks={tracebacks(log)}")
    assert not unanswered, unanswered
    assert not leaked, leaked
    assert not bad_requests(fake), bad_requests(fake)[:3]
    assert tracebacks(log) == 0 and _alive(bot), log[-3000:]
    del removed


async def test_strangers_pressing_staff_buttons_see_nothing(restricted_bot):
    fake, bot = restricted_bot
    asked = fake.group_message(OTHER_GROUP, STAFF, "/ask 政绩观")
    answer = await fake.wait_for_message(replies_to(asked), timeout=30)
    datas = [b["callback_data"] for b in iter_buttons(answer) if b.get("callback_data")]
    assert any(d.startswith("p:") for d in datas)
    before = fake.mark()
    fake.private_message(STRANGER, "政绩观")
    refusal = await fake.wait_for_message(chat_id=STRANGER["id"], after=before, timeout=30)
    assert "只供本单位员工" in refusal["text"]
    mark = fake.mark()
    presses = []
    for data in datas + [f"p:{n}" for n in range(1, 30)] + GARBAGE:  # on the staff answer...
        q = fake.callback_query(STRANGER, answer, data, check_button=False)
        presses.append(q["callback_query"]["id"])
    for data in [f"p:{n}" for n in range(1, 10)] + ["m:1:1,2,3"]:  # ...and in their own chat
        q = fake.callback_query(STRANGER, refusal, data, check_button=False)
        presses.append(q["callback_query"]["id"])
    await settle(bot, STAFF)
    sent_after = [m for m in fake.sent_messages(after=mark) if m["chat_id"] != STAFF["id"]]
    answers = [fake.callback_answers.get(qid) for qid in presses]
    alerts_only = all(a is not None and ("员工" in (a.get("text") or "") or not a.get("text"))
                      for a in answers)
    log = bot.log()
    print(f"\n[hostile/buttons-restricted] stranger_presses={len(presses)} "
          f"answered={sum(a is not None for a in answers)} messages_sent_to_stranger_or_group="
          f"{len(sent_after)} 400s={len(bad_requests(fake))} tracebacks={tracebacks(log)}")
    assert not sent_after, [m["text"][:60] for m in sent_after]
    assert alerts_only
    assert not bad_requests(fake)
    assert tracebacks(log) == 0 and _alive(bot)
