"""The kind of answer asked also finds candidates (issue 16, branch typed16:
rank.Ranker.typed_candidates), through the CLI on tests/fixtures/typed (our own park rules):
用人单位有哪些行为会被罚款 is answered by the liability article listing the violations fined
(第二十九条), though 28 short articles saying 用人单位 twice and a second rule saying 罚款 in
every article put it below BM25's 25 candidates; 事假全年最多请几天 on tests/fixtures/typed_leave by
the one article saying a number of days (十五日), which 28 short articles saying 员工全年请事假
put below them."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "typed"
LEAVE = Path(__file__).parent / "fixtures" / "typed_leave"

QUESTIONS = ("用人单位有哪些行为会被罚款？", "用人单位应当为员工缴纳社会保险吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_a_liability_list_below_the_cut_answers_what_is_fined(answers) -> None:
    answer = answers["用人单位有哪些行为会被罚款？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第二十九条"
    assert "罚款" in answer["hits"][0]["excerpt"]


def test_a_question_asking_no_such_kind_keeps_its_answer(answers) -> None:
    # a rule asked (应当…吗): no liability rows join; the duty's own article answers
    assert articles(answers["用人单位应当为员工缴纳社会保险吗？"])[0] == "第三条"


def test_a_number_in_the_unit_asked_below_the_cut_answers_how_many(tmp_path_factory) -> None:
    answer = answers_of(tmp_path_factory, LEAVE, ("事假全年最多请几天？",))["事假全年最多请几天？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第二十九条"
    assert "十五日" in answer["hits"][0]["excerpt"]
