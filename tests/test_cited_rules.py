"""A penalty naming its rule by number joins a consequence question's candidates (issue 16,
branch ref13: rank.Ranker.citing_candidates), through the CLI on tests/fixtures/cited (our own
parking rules): 违反本办法第五条规定的…处二百元罚款 (第八条) says none of the words of 私拉电线
充电, which 第五条 says; asked what happens, 第八条 answers, scored with 第五条's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "cited"

QUESTIONS = ("在楼里私拉电线给电动车充电会被怎么处罚？", "电动车能在办公楼里充电吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_the_penalty_citing_the_rule_by_number_answers_what_happens(answers) -> None:
    answer = answers["在楼里私拉电线给电动车充电会被怎么处罚？"]
    assert answer["status"] == "answer", (answer["status"], articles(answer))
    assert articles(answer)[0] == "第八条"
    assert "二百元" in answer["hits"][0]["excerpt"]      # (its own text, not the rule's)


def test_a_question_asking_no_consequence_keeps_the_rule(answers) -> None:
    assert articles(answers["电动车能在办公楼里充电吗？"])[0] == "第五条"
