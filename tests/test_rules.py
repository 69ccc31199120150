"""Questions on an office's own rules asked the way staff ask them (issue 16), through the CLI
on the small rule documents in tests/fixtures/rules: question talk, what the question asks for."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import ingested_folder, staffbot, staffbot_together

RULES = Path(__file__).parent / "fixtures" / "rules"


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_folder(tmp_path_factory, RULES)


def _ask(db: Path, *questions: str) -> list[dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time;
    "not found" exits 1)."""
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None) for q in questions), db=db)
    return [json.loads(run.stdout) for run in runs]


def _units(answer: dict) -> list[str]:
    return [u["text"] for u in answer["explain"]["query"]["units"]]


# -- question talk (knowledge.query.QUESTION_TALK) ------------------------------------------------

def test_question_talk_is_no_topic_word_and_does_not_hold_an_answer_back(rules_db) -> None:
    colloquial, leave, lunch = _ask(rules_db, "出差回来的话，我最多能拖多少天办报销？",
                                    "请4天事假找谁批？", "今天中午我们去哪吃饭好呢？")
    units = _units(colloquial)
    # who asks (我), when (的话), the verbs of everyday talk (回来) and the modal jieba glued
    # onto 最多 (最多能) are not what the question is about
    assert not {"我", "的话", "回来", "最多能"} & set(units)
    assert {"出差", "报销"} <= set(units)
    assert {"的话", "回来", "最多能"} <= set(colloquial["explain"]["query"]["talk"])
    assert colloquial["hits"][0]["section"].endswith("第六条")
    # 找 (go to someone) is talk; what is asked is who approves a 4-day 事假
    assert "找" not in _units(leave)
    assert leave["status"] == "answer"
    assert leave["hits"][0]["section"].endswith("第十一条")
    # a question of talk and words no rule says is still not answered
    assert lunch["status"] == "not_found"


# -- a caption names what follows and answers nothing -----------------------------------------------

def test_the_article_outranks_a_caption_in_the_questions_words(rules_db) -> None:
    [answer] = _ask(rules_db, "通讯补贴标准是多少？")
    first, second = answer["hits"][:2]
    assert first["section"] == "第七条" and "300元" in first["excerpt"]
    assert second["excerpt"].startswith("通讯补贴标准表")
    parts = {c["citation"]: c for c in answer["explain"]["candidates"]}
    assert parts[second["citation"]]["caption"] == 1.0 and parts[first["citation"]]["caption"] == 0.0


# -- what the question asks for: a period (knowledge.query.ANSWER_TYPES "period") ------------------

def test_from_which_day_to_which_day_asks_for_a_period_not_any_number(rules_db) -> None:
    [answer] = _ask(rules_db, "财务年度是从哪天到哪天？")
    assert answer["explain"]["query"]["asks"] == ["period"]
    said = {c["citation"].split(" › ")[1]: c["answer_type"] for c in answer["explain"]["candidates"]
            if c["citation"].startswith("单位财务管理办法")}
    assert said["第二条"] == 1.0            # 自公历1月1日起，至12月31日止
    assert said["第八条"] == 0.0            # 15日内, 1个月内: numbers, no period
    assert "第二条" in [hit["section"] for hit in answer["hits"]]


# -- the article is the unit: the paragraph that says what is asked stands for it ------------------

def test_an_articles_paragraph_that_says_the_asked_for_number_stands_for_it(rules_db) -> None:
    [answer] = _ask(rules_db, "借阅申请多久答复？")
    assert answer["status"] == "answer"
    first = answer["hits"][0]
    # 第二条's first paragraph (能够当场答复的，应当当场予以答复) repeats the question's words
    # best, but only its second says how long: that one is the hit, at the article's score
    assert first["section"] == "第二条" and "5个工作日内" in first["excerpt"]
    top = answer["explain"]["candidates"][0]
    assert top["answer_type"] == 1.0 and top["paragraph_final"] < top["final"]
    # … and it alone says a number: however close the next article (第四条, 借阅申请…答复), no tie
    assert answer["explain"]["stages"]["decide"]["evidence"]["type_ahead"] == 1.0
    # one hit per article: the first paragraph is not a hit of its own
    assert [hit["section"] for hit in answer["hits"]].count("第二条") == 1


# -- two articles that say the question's words equally: suggestions, not a coin toss --------------

def test_two_articles_that_tie_are_suggestions_and_a_word_that_tells_them_apart_answers(
        rules_db) -> None:
    twins, lost = _ask(rules_db, "借阅人要在几天内书面报告档案室？", "借阅人遗失所借档案要报告吗？")
    # 第六条 (遗失) and 第七条 (损毁) say every word of the first question: however sure each
    # looks, which comes first is a coin toss, so both are offered
    decide = twins["explain"]["stages"]["decide"]
    assert decide["confidence"] >= decide["answer_confidence"]
    assert decide["evidence"]["ahead"] <= decide["tie_ahead"]
    assert decide["evidence"]["margin"] < decide["tie_margin"]
    assert decide["evidence"]["type_ahead"] == 0.0      # both say a number (三日内)
    assert twins["status"] == "suggestions"
    assert {hit["section"] for hit in twins["hits"][:2]} == {"第六条", "第七条"}
    # 遗失 is said by one of them only: it is ahead, and the answer
    assert lost["status"] == "answer" and lost["hits"][0]["section"] == "第六条"
    assert lost["explain"]["stages"]["decide"]["evidence"]["ahead"] > 0.02


# -- a list asked for, an article that lists nothing: suggestions ----------------------------------

def test_a_list_question_is_not_answered_by_an_article_that_lists_nothing(rules_db) -> None:
    listed, duties, rights = _ask(rules_db, "借阅人查阅档案包括哪些内容？", "借阅人应当遵守哪些规定？",
                                  "借阅人享有哪些权利？")
    # 第八条 says the question's words (借阅人依法享有查阅…档案的权利) but enumerates nothing
    decide = listed["explain"]["stages"]["decide"]
    assert listed["hits"][0]["section"] == "第八条"
    assert decide["confidence"] >= decide["answer_confidence"]
    assert decide["evidence"]["unlisted"] == 1.0 and listed["status"] == "suggestions"
    # asked for the party's rights (享有哪些权利: a right, not a list), 第八条 states the right
    # the party holds, and answers
    assert rights["status"] == "answer" and rights["hits"][0]["section"] == "第八条"
    # 第九条 lists what is asked (下列规定：（一）…): the answer, lead-in and items
    assert duties["status"] == "answer" and duties["hits"][0]["section"] == "第九条"
    assert duties["explain"]["stages"]["decide"]["evidence"]["unlisted"] == 0.0
    assert "（三）按期归还所借档案。" in duties["hits"][0]["excerpt"]
