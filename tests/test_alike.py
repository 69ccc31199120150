"""Two offices' rules answering one question alike, a rule's 期间 asked as …的时候, and a word
asked negated (issues 11 and 16: fewer confident wrong answers). Through the CLI, on two short rules written here: a
后勤中心 and a 研究所 each give 婚假, with other figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import ROOT, articles, asked, ingested_folder, staffbot

FIXTURE = ROOT / "tests" / "fixtures" / "alike"
HOLIDAY = ("结婚能休几天假？", "婚假有几天？")
DURING = "所领导休假的时候，别人能代他签字吗？"
NEGATED = "忘了打卡又没登记，算什么？"
WHEN = "婚假什么时候休？"


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_folder(tmp_path_factory, FIXTURE)


@pytest.fixture(scope="module")
def answers(kb: Path) -> dict[str, dict]:
    return asked(kb, (*HOLIDAY, DURING, WHEN, NEGATED))


@pytest.mark.parametrize("question", HOLIDAY)
def test_two_offices_rules_saying_it_alike_are_both_shown(answers, question: str) -> None:
    # main answered with the 后勤中心's 三天 as if it bound every asker
    answer = answers[question]
    assert answer["status"] == "suggestions", articles(answer)
    assert [hit["document"] for hit in answer["hits"][:2]] == ["后勤中心考勤办法", "研究所人事管理规定"]
    assert "alike" in answer["held_back"]


def test_the_reply_names_both_documents(kb: Path) -> None:
    shown = staffbot("ask", HOLIDAY[0], db=kb).stdout
    assert shown.startswith("Two documents answer this, perhaps differently (后勤中心考勤办法; "
                            "研究所人事管理规定)"), shown
    assert "三天" in shown and "十天" in shown


def test_the_bot_asks_which_applies(kb: Path) -> None:
    from bot.render import render_answer
    from knowledge import KnowledgeBase

    with KnowledgeBase(kb) as base:
        answer = base.search(HOLIDAY[1], k=3)
    reply = render_answer(answer, 7)[0]
    assert reply.text.startswith("《后勤中心考勤办法》和《研究所人事管理规定》都有规定"), reply.text
    assert "三天" in reply.text and "十天" in reply.text
    assert [row[0].text for row in reply.buttons][:2] == ["① 后勤中心考勤办法 第六条", "② 研究所人事管理规定 第三条"]


def test_a_time_said_as_the_rules_period(answers) -> None:
    # 第五条 says 所领导, 休假 and 签字; 第六条 says 休假期间…代为审批 (main: 第五条 answered)
    answer = answers[DURING]
    assert (answer["status"], articles(answer)[0]) == ("answer", "第六条")
    assert "期间" in answer["explain"]["query"]["expansions"]["时候"]


def test_when_asked_is_no_period(answers) -> None:
    # 时候 of 什么时候 is the question's form: not looked for as 期间
    expansions = answers[WHEN]["explain"]["query"]["expansions"]
    assert "时候" not in expansions, expansions


def test_a_word_asked_negated_finds_the_rule_saying_it_negated(answers) -> None:
    # 第三条 应当当天…登记 (shorter: BM25's first, main's answer) against 第四条 未打卡又未在当天登记的
    answer = answers[NEGATED]
    assert (answer["status"], articles(answer)[0]) == ("answer", "第四条")
    assert answer["explain"]["candidates"][0]["negated"] == 1.0


def test_the_two_documents_named_are_the_first_two_different_ones() -> None:
    # with the meaning extra the suggestions follow meaning's order: a second article of the
    # first document may come before the other document's (never 《A》和《A》)
    from knowledge.model import Answer, Citation, Hit

    def hit(document: str, article: str) -> Hit:
        return Hit(1, 1, Citation(document, (article,), 1, document + ".txt"), "…", (), 1.0)

    hits = (hit("后勤中心考勤办法", "第六条"), hit("后勤中心考勤办法", "第七条"),
            hit("研究所人事管理规定", "第三条"))
    answer = Answer("婚假有几天？", "suggestions", hits, held_back=("alike",))
    assert answer.alike == ("后勤中心考勤办法", "研究所人事管理规定")
    assert Answer("婚假有几天？", "suggestions", hits[:2], held_back=("alike",)).alike is None
