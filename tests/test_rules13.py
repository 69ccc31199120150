"""Staff questions on a statute-style rule (issue 16, branch rules13), through the CLI on
tests/fixtures/rules13 (our own 内部审计工作条例): an organ's rule answers a question that says
the organ's field (审计结果会通报吗 → 审计机关可以…通报审计结果); a paragraph of the 法律责任
chapter that names no sanction is a rule there (被审计部门应当…整改，并将整改结果报告审计机关); a
term asked as whom or which ones it means (被审计部门指的是哪些部门) is a definition asked; and
everyday words for the statutes' terms (空着 → 闲置, 租给 → 出租)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answered_looking_for, answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "rules13"

QUESTIONS = ("审计结果会在单位里通报吗？", "整改完了要报告给谁？", "被审计部门指的是哪些部门？",
             "部门空着的办公室能租给别人吗？", "审计通知书提前几天送达？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_an_organs_rule_answers_a_question_saying_its_field(answers) -> None:
    answer = answers["审计结果会在单位里通报吗？"]
    assert answer["status"] == "answer", answer["explain"]["stages"]["decide"]["held_back"]
    assert articles(answer)[0] == "第四条"
    assert answer["explain"]["stages"]["decide"]["evidence"]["organ"] == 0.0


def test_a_liability_chapter_paragraph_without_sanction_is_a_rule(answers) -> None:
    answer = answers["整改完了要报告给谁？"]
    assert answer["status"] == "answer", answer["explain"]["stages"]["decide"]["held_back"]
    assert articles(answer)[0] == "第十一条"
    assert "报告审计机关" in answer["hits"][0]["excerpt"]


def test_which_ones_a_term_means_is_a_definition_asked(answers) -> None:
    answer = answers["被审计部门指的是哪些部门？"]
    assert answer["status"] == "answer", answer["explain"]["stages"]["decide"]["held_back"]
    assert articles(answer)[0] == "第十五条"


def test_everyday_words_for_the_statutes_terms(answers) -> None:
    answered_looking_for(answers["部门空着的办公室能租给别人吗？"], "第十条", "出租")
    answered_looking_for(answers["部门空着的办公室能租给别人吗？"], "第十条", "闲置")


def test_a_plain_duration_question_still_answers(answers) -> None:
    answer = answers["审计通知书提前几天送达？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第三条"
    assert "三日前" in answer["hits"][0]["excerpt"]
