"""An office's own rules asked as its staff ask (issue 16, branch admin16), through the CLI on
tests/fixtures/admin (our own vehicle-use and purchasing 办法, written in statute style):
什么是公务用车 is answered by the paragraph defining it, not the article's next paragraph saying
公务用车 three times; 至少要邀请几家 by the article counting suppliers (三个以上), ahead of its
sibling's 至少提前五日; 报废的公务用车怎么处理 by the rule saying what is done with the car, not
its 罚则."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "admin"

QUESTIONS = ("什么是公务用车？", "采购至少要邀请几家供应商？", "报废的公务用车怎么处理？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_a_term_asked_is_answered_by_the_paragraph_defining_it(answers) -> None:
    answer = answers["什么是公务用车？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第二条"
    assert "是指本单位用于机要通信" in answer["hits"][0]["excerpt"]


def test_a_count_asked_in_a_measure_is_said_in_it(answers) -> None:
    answer = answers["采购至少要邀请几家供应商？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第八条"
    assert "三个以上" in answer["hits"][0]["excerpt"]


def test_a_things_handling_is_the_rule_not_its_sanction(answers) -> None:
    answer = answers["报废的公务用车怎么处理？"]
    assert answer["status"] != "not_found"
    assert articles(answer)[0] == "第七条"

