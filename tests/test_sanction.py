"""Asked what follows (要罚多少钱), the 监督与责任 article that says as much of the question
goes before the rule it sanctions (issue 16 item 3 reversed for consequences, branch rank18,
rank.sanction_first), through the CLI on tests/fixtures/sanction (our own vehicle-use rules):
第五条 says a number (2小时内) in the sentence of the question's words, which put it first for a
quantity asked; 第七条 says the fine. Asked the time limit, the rule stays first."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "sanction"

QUESTIONS = ("出车结束后没填行车记录要罚多少钱？", "出车结束后没填行车记录会怎么样？",
             "出车结束后多久要填行车记录？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_asked_the_fine_the_sanction_goes_before_the_rule_with_a_number(answers) -> None:
    answer = answers["出车结束后没填行车记录要罚多少钱？"]
    assert articles(answer)[:2] == ["第七条", "第五条"]
    assert "500元罚款" in answer["hits"][0]["excerpt"]


def test_asked_what_follows_the_sanction_is_first(answers) -> None:
    assert articles(answers["出车结束后没填行车记录会怎么样？"])[0] == "第七条"


def test_asked_the_time_limit_the_rule_stays_first(answers) -> None:
    answer = answers["出车结束后多久要填行车记录？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第五条"
