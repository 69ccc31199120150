"""Pure rendering: HTML escaping, highlights, citations, splitting, callback data, help texts."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from bot import render
from bot.render import (MAX_CALLBACK, MAX_TEXT, cb_feedback, cb_more, cb_paragraph, highlight,
                        parse_callback, render_answer, render_help, render_inline_results,
                        render_more, render_not_found, render_paragraph, split_html)
from knowledge import Answer, Citation, Hit, ParagraphView

sys.path.insert(0, str(Path(__file__).parent))
from fakebot import parse_html  # noqa: E402  (tdlib's HTML parser, as Telegram parses)


def telegram_parse(text: str) -> str:
    """Plain text as Telegram shows it; raises if Telegram would answer 400."""
    plain, _ = parse_html(text, strict_ampersand=True)
    return plain


def make_hit(excerpt="为基层减负是重点工作", spans=((1, 3), (3, 5)), *, pid=7, url=None,
             document="组织工作", section=("基层",), paragraph=4) -> Hit:
    return Hit(1, pid, Citation(document, section, paragraph, "seeds/x.txt", None, url),
               excerpt, spans, 1.0)


def bold_texts(html: str) -> list[str]:
    return re.findall(r"<b>(.*?)</b>", html)


def test_highlights_become_bold_and_overlaps_merge():
    assert highlight("为基层减负是重点", [(1, 3), (3, 5)]) == "为<b>基层减负</b>是重点"
    assert highlight("abcdef", [(4, 99), (-3, 1), (2, 2)]) == "<b>a</b>bcd<b>ef</b>"


def test_excerpt_and_title_are_escaped():
    hit = make_hit('a<b>&amp; "x" </b> 基层', ((19, 21),), document='<doc> & "q"',
                   section=("<s>",))
    reply = render_answer(Answer("q", "answer", (hit,)), 5)[0]
    assert "<doc>" not in reply.text and "&lt;doc&gt; &amp;" in reply.text
    plain = telegram_parse(reply.text)
    assert 'a<b>&amp; "x" </b> 基层' in plain
    assert '<doc> & "q" › <s> › 第4段' in plain
    assert bold_texts(reply.text) == ["基层"]


def test_url_citation_links_the_document_and_quotes_are_escaped_in_attributes():
    hit = make_hit(url='https://t.me/news/5?a="x"&b=1', section=())
    text = render_answer(Answer("q", "answer", (hit,)), 5)[0].text
    assert '<a href="https://t.me/news/5?a=&quot;x&quot;&amp;b=1">组织工作</a>' in text
    telegram_parse(text)


def test_unsafe_url_is_not_linked():
    text = render_answer(Answer("q", "answer", (make_hit(url="javascript:alert(1)"),)), 5)[0].text
    assert "<a " not in text


def test_answer_buttons_and_callback_data():
    hits = tuple(make_hit(pid=10**11 + n) for n in range(5))
    reply = render_answer(Answer("q", "answer", hits), 10**11)[-1]
    datas = [b.callback_data for row in reply.buttons for b in row]
    assert datas[0] == cb_paragraph(10**11)
    assert datas[1].startswith("m:")
    assert datas[2:] == [cb_feedback(10**11, True), cb_feedback(10**11, False)]
    assert all(len(d.encode()) <= MAX_CALLBACK for d in datas)
    kind, qid, pids = parse_callback(datas[1])
    assert kind == "m" and qid == 10**11 and pids and set(pids) <= {h.paragraph_id for h in hits}


def test_callback_round_trip_and_garbage():
    assert parse_callback(cb_paragraph(42)) == ("p", 42)
    assert parse_callback(cb_more(3, [4, 5])) == ("m", 3, (4, 5))
    assert parse_callback(cb_feedback(3, False)) == ("f", 3, False, "")
    assert parse_callback(cb_feedback(3, True, "0123456789ab")) == ("f", 3, True, "0123456789ab")
    assert parse_callback(render.cb_suggestion(3, 4)) == ("s", 3, 4)
    assert parse_callback(render.cb_escalate(5)) == ("e", 5)
    assert parse_callback(render.cb_this_one(6, "0123456789ab")) == ("a", 6, "0123456789ab")
    assert parse_callback(render.cb_write(7)) == ("w", 7)
    assert len(render.cb_this_one(10**17, "f" * 40).encode()) <= MAX_CALLBACK
    for bad in (None, "", "p:x", "f:1:2", "zz:1", "m:a:1", "p:" + "1" * 70, "f:1::1", "f:1:XYZ:1",
                "f:1:<b>:1", "f:1:0123456789ab:2", "f:1:0123456789ab:1:1", "a:1:", "a:1", "a:x:0123456789ab", "a:1:0123456789AB", "e:", "e:-1",
                "w:1:2", "s:1", "s:1:x", "e:１"):
        assert parse_callback(bad) is None, bad


def test_suggestions_offer_up_to_three_cited_hits_with_open_buttons():
    hits = tuple(make_hit(pid=n, paragraph=n) for n in range(1, 6))
    reply = render_answer(Answer("q", "suggestions", hits), 9, "en")[0]
    assert reply.text.startswith("I'm not sure. Did you mean:")
    assert reply.text.count("📖") == 3
    assert [b.callback_data for row in reply.buttons for b in row] == ["s:9:1", "s:9:2", "s:9:3"]
    assert reply.buttons[0][0].text == "① 基层"    # the paragraph's heading
    offered = render_answer(Answer("q", "suggestions", hits), 9, "zh", escalate=True)[0]
    assert [b.callback_data for b in offered.buttons[-1]] == ["e:9"]
    assert offered.buttons[-1][0].text == "🙋 问管理员"


def test_not_found_says_what_it_searched_for_and_offers_the_admins():
    answer = Answer("食堂几点<开饭>", "not_found", (), searched_terms=("食堂", "<开饭>"))
    reply = render_answer(answer, 12, "zh", escalate=True)[0]
    plain = telegram_parse(reply.text)
    assert "我搜索了：食堂、<开饭>" in plain and "问管理员" in plain
    assert [b.callback_data for row in reply.buttons for b in row] == ["e:12"]
    assert not render_answer(answer, 12, "zh")[0].buttons      # no admins: no 🙋
    assert "没有可以搜索的词" in render_answer(Answer("😀", "not_found", ()), 3)[0].text


def test_not_found_echoes_a_truncated_escaped_question():
    question = "<script>&" + "长" * 500
    text = render_not_found(question)[0].text
    assert "&lt;script&gt;&amp;" in text and len(text) < 300
    assert render_answer(Answer(question, "not_found", ()), 1)[0].text == text


def test_more_and_paragraph():
    replies = render_more([make_hit(pid=3), make_hit(pid=4)], "zh")
    assert [b.callback_data for b in replies[-1].buttons[0]] == ["p:3", "p:4"]
    view = ParagraphView(1, 3, Citation("文<件>", ("节",), 2, "s"), "正文 & <更多>")
    text = render_paragraph(view)[0].text
    assert telegram_parse(text).endswith("正文 & <更多>")
    assert render_paragraph(None, "en")[0].text.startswith("That paragraph")


def test_long_paragraph_is_split_into_valid_parts():
    body = "\n\n".join(("第%d段：" % n) + "干部工作<要求>&规范。" * 60 for n in range(30))
    view = ParagraphView(1, 3, Citation("文件", (), 2, "s"), body)
    replies = render_paragraph(view)
    assert len(replies) > 1
    plain = ""
    for reply in replies:
        assert len(reply.text.encode("utf-16-le")) // 2 <= MAX_TEXT
        plain += telegram_parse(reply.text)
    assert plain.count("干部工作<要求>&规范。") == 30 * 60


def test_split_keeps_tags_balanced_and_prefers_line_breaks():
    html = "<b>" + "粗体文字。" * 2000 + "</b>\n" + "x" * 100
    parts = split_html(html, limit=1000)
    for part in parts:
        assert len(part) <= 1000
        telegram_parse(part)
        assert part.count("<b>") == part.count("</b>")
    assert "".join(telegram_parse(p) for p in parts).replace("\n", "") == \
        "粗体文字。" * 2000 + "x" * 100
    lines = split_html("\n".join(["行" * 30] * 100), limit=200)
    assert all(p.startswith("行") and p.endswith("行") for p in lines)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab &<>\"'\n。😀基层")), max_size=600),
       st.integers(min_value=40, max_value=300))
def test_split_never_breaks_entities_or_tags(text, limit):
    spans = [(i, i + 3) for i in range(0, len(text), 7)]
    html = highlight(text, spans)
    parts = split_html(html, limit=limit)
    rebuilt = ""
    for part in parts:
        assert len(part.encode("utf-16-le")) // 2 <= limit
        rebuilt += telegram_parse(part)
    assert re.sub(r"\s", "", rebuilt) == re.sub(r"\s", "", text)


def test_help_is_chinese_by_default_and_english_otherwise():
    assert render.lang_for(None) == "zh" and render.lang_for("zh-hans") == "zh"
    assert render.lang_for("en") == "en" and render.lang_for("de") == "en"
    zh = render_help("zh", False, "staff_bot")[0].text
    en = render_help("en", False, "staff_bot")[0].text
    assert "直接发给我一个问题" in zh and "/ask" in zh and "@staff_bot" in zh
    assert "Just send me a question" in en
    assert "/docs" not in zh
    admin = render_help("zh", True, "staff_bot", [".md", ".pdf"])[0].text
    assert "/docs" in admin and "/unanswered" in admin and "md、pdf" in admin
    for text in (zh, en, admin):
        telegram_parse(text)


def test_inline_results_are_plain_data_with_unique_short_ids():
    hits = tuple(make_hit(pid=n, document="<标题>" * 40, section=("节",)) for n in range(12))
    results = render_inline_results(Answer("q", "answer", hits))
    assert len(results) == 10
    assert len({r.id for r in results}) == 10 and all(len(r.id) <= 64 for r in results)
    assert results[0].title.startswith("<标题>") and len(results[0].title) <= 100
    telegram_parse(results[0].text)
    assert render_inline_results(Answer("q", "not_found", ())) == []


@pytest.mark.parametrize("text", ["", "😀" * 3000, "<b>" * 2000, "&amp;" * 1500])
def test_any_question_gives_a_valid_not_found(text):
    for reply in render_not_found(text):
        telegram_parse(reply.text)


def test_markup_json_is_what_ptb_would_send() -> None:
    """bot.api sends reply_markup as JSON it builds itself; it must equal PTB's own."""
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    from bot.api import markup_json

    def to_markup(buttons):  # what PTB builds from the same buttons
        return InlineKeyboardMarkup([[InlineKeyboardButton(
            b.text, callback_data=b.callback_data, url=b.url,
            switch_inline_query=b.switch_inline_query) for b in row] for row in buttons])

    hit = Hit(3, 42, Citation("员工手册", ("第二章 考勤", "第五条"), 2, "handbook.docx"),
              "每日九点前打卡。", ((0, 2),), 1.0, {})
    answer = Answer("几点打卡", "answer", (hit, hit))
    for reply in render.render_answer(answer, 7, "zh") + render.render_answer(answer, None, "en"):
        assert markup_json(reply.buttons) == (to_markup(reply.buttons).to_dict()
                                              if reply.buttons else None)
    assert markup_json(()) is None


def test_inline_results_json_is_what_ptb_would_send() -> None:
    from telegram import InlineQueryResultArticle, InputTextMessageContent, LinkPreviewOptions

    from bot.api import inline_results_json

    hit = Hit(3, 42, Citation("员工手册", ("第二章 考勤", "第五条"), 2, "handbook.docx"),
              "每日九点前打卡。", ((0, 2),), 1.0, {})
    results = render.render_inline_results(Answer("打卡", "answer", (hit, hit)))
    assert results
    expected = [InlineQueryResultArticle(
        id=r.id, title=r.title, description=r.description,
        input_message_content=InputTextMessageContent(
            r.text, parse_mode="HTML", link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .to_dict() for r in results]
    assert inline_results_json(results) == expected


def test_see_also_names_the_other_documents_articles_with_buttons_that_open_them():
    best = make_hit(document="员工休假管理办法", section=("第八条",), pid=7)
    also = make_hit(document="员工休假管理办法<实施细则>", section=("第三章", "第五条"), pid=9)
    reply = render_answer(Answer("q", "answer", (best,), see_also=(also,)), 5)[0]
    plain = telegram_parse(reply.text)
    assert "另见：《员工休假管理办法<实施细则>》第五条" in plain
    [button] = reply.buttons[1]
    assert button.callback_data == cb_paragraph(9) and button.text.startswith("另见：《")
    assert len(button.text) <= 30
    assert "See also:" in render_answer(Answer("q", "answer", (best,), see_also=(also,)), 5,
                                        "en")[0].text


def test_escalation_card_is_bounded_escaped_and_its_buttons_fit():
    from knowledge import Escalation

    hostile = "<b>&amp; 问题" + "长" * 5000
    escalation = Escalation(id=10**17, question=hostile, asker_id=42,
                            asker_name="<i>Ann</i> & co" * 20, chat_id=-100, chat_title="</a>Team" * 50, message_id=5, status="open",
                            answered_by="", taught_id=None)
    hits = tuple(Hit(1, n, Citation("<文>" * 100, ("节&" * 80,), n, "s"), "<摘>" * 400, (), 1.0,
                     ref=f"{n:012x}") for n in range(1, 6))
    card = render.render_escalation_card(escalation, hits)
    plain = telegram_parse(card.text)
    assert len(plain) < 1500 and len(card.text) < 4096
    assert "<b>&amp; 问题" in plain and "<i>Ann</i> & co" in plain
    assert "群：</a>Team" in plain
    datas = [b.callback_data for row in card.buttons for b in row]
    assert datas == [render.cb_this_one(10**17, f"{n:012x}") for n in (1, 2, 3)] + \
        [render.cb_write(10**17)]
    assert all(len(d.encode()) <= MAX_CALLBACK for d in datas)
    assert [b.text for b in card.buttons[0]] == ["就是这段 ①", "就是这段 ②", "就是这段 ③"]
    closed = render.render_card_answered(card, "<Wang>")
    assert not closed.buttons and telegram_parse(closed.text).endswith("✅ 已由 <Wang> 答复")
    unanswered = render.render_escalation_card(
        Escalation(7, "年终奖", 0, "", 0, "", 0, "open", "", None), (), times=3)
    assert "被问 3 次" in unanswered.text and "资料里没有接近的段落" in unanswered.text
    assert [b.callback_data for row in unanswered.buttons for b in row] == ["w:7"]


def test_an_ingest_that_leaves_taught_questions_stale_says_which():
    from knowledge import IngestReport

    report = IngestReport(documents=1, paragraphs=3, files=1,
                          stale_taught=["年假要提前几天申请", "<b>午饭</b>"])
    for lang, words in (("zh", "2 个已教过的问题"), ("en", "2 taught question(s)")):
        plain = telegram_parse(render.render_ingest(report, "考勤.docx", lang)[0].text)
        assert words in plain and "年假要提前几天申请" in plain and "<b>午饭</b>" in plain
    assert "stale" not in telegram_parse(
        render.render_ingest(IngestReport(documents=1, files=1), "x.txt", "en")[0].text)
    assert "2 taught question(s) now point at text no longer" in report.summary()


@pytest.mark.parametrize("payload, ref", [
    ("p0123456789ab", "0123456789ab"), ("p" + "a" * 40, "a" * 40), ("help", None), ("p", None),
    ("pXYZ", None), ("p0123456789AB", None), ("p0123 56789ab", None), ("p" + "a" * 64, None),
    ("x0123456789ab", None), ("", None)])
def test_start_payloads_name_a_paragraph_ref_or_nothing(payload, ref):
    assert render.start_ref(payload) == ref


def test_deep_links_fit_telegrams_start_parameter_and_round_trip():
    link = render.deep_link("staffbot_test_bot", "0123456789ab")
    assert link == "https://t.me/staffbot_test_bot?start=p0123456789ab"
    assert render.start_ref(link.split("start=")[1]) == "0123456789ab"
    assert render.deep_link("", "0123456789ab") is None
    assert render.deep_link("bot", "0123456789ab") is None         # not a Telegram username
    assert render.deep_link("staffbot_test_bot", "not-a-ref") is None
    assert parse_callback(render.cb_original(42)) == ("o", 42)
    assert parse_callback("o:-1") is None and parse_callback("o:") is None
