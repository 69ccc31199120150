"""A rule said by 允许 answers a may-one question among its siblings (issue 16: the right article
first among its siblings), through the CLI on the small invented rule in tests/fixtures/permitted:
its articles share 竞聘, 个人 and 参加; the one banning others from keeping people out (任何部门和个人
不得…参加竞聘) covers the question as well and says a rule word (不得): before 允许 said a rule
too, ``says_it`` moved it over the one that answers (…允许外聘个人参加竞聘), BM25's and the
words' best."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

RULES = Path(__file__).parent / "fixtures" / "permitted"

QUESTIONS = ("个人能不能参加竞聘？", "个人可以参加竞聘吗？", "别的部门能不能限制我们部门的职工参加竞聘？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    return answers_of(tmp_path_factory, RULES, QUESTIONS)


@pytest.mark.parametrize("question", ["个人能不能参加竞聘？", "个人可以参加竞聘吗？"])
def test_a_rule_said_by_allowing_answers_whether_one_may(answers, question: str) -> None:
    answer = answers[question]
    first, second = answer["hits"][:2]
    assert first["section"].endswith("第三条")
    assert "允许外聘个人参加竞聘" in first["excerpt"]
    assert second["section"].endswith("第二条")
    assert answer["status"] == "answer"
    top = answer["explain"]["candidates"][0]
    assert top["answer_type"] == 1.0 and "says_it" not in top


def test_the_sibling_banning_stays_first_when_the_ban_is_asked(answers) -> None:
    answer = answers["别的部门能不能限制我们部门的职工参加竞聘？"]
    assert answer["hits"][0]["section"].endswith("第二条")
    assert "不得限制或者排斥本部门以外的职工参加竞聘" in answer["hits"][0]["excerpt"]
