"""What a rule defers to, the act it states, and sanctions under headings other than 法律责任,
through the CLI on tests/fixtures/deferred (a travel-expense rule and an overtime-request rule
of our own):

- the table a rule defers to before the rule: asked 去新疆出差的伙食补助费标准是多少,
  第三条 (伙食补助费…按照表1规定的标准包干使用) defers to table 1, whose row under 第四条 says
  新疆's amount: the row goes first and answers (knowledge.rank.cited_first);
- the act asked, not its excuse: asked 还能撤回吗, 第四条 (不得以职工…撤回加班申请为由，降低…)
  names the act only as a reason; 第三条 (有权撤回其加班申请) states it and goes first, and a
  level lead moved so is no tie (knowledge.rank.act_first, evidence ``moved``);
- a sanction under 第三章 监督与责任 (有下列行为之一的，由财务科责令退回…，给予处分) is a
  liability provision as under 法律责任: asked what happens when 出差天数 is not reported
  truthfully, the duty (第二条 应当如实填报出差天数) first is suggestions, the sanction next;
  asked how to report, the sanction is ranked down (knowledge.sections.is_liability)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

DOCS = Path(__file__).parent / "fixtures" / "deferred"

QUESTIONS = ("去新疆出差的伙食补助费标准是多少？", "提交加班申请以后还能撤回吗？",
             "出差天数没有如实填报会怎么样？", "出差天数要怎么填报？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def candidate(answer: dict, hit: dict) -> dict:
    """The ``--explain`` candidate of a hit (its score parts)."""
    return next(c for c in answer["explain"]["candidates"]
                if c["paragraph_id"] == hit["paragraph_id"])


def test_the_table_a_rule_defers_to_goes_first(answers) -> None:
    answer = answers["去新疆出差的伙食补助费标准是多少？"]
    one, two = answer["hits"][:2]
    assert answer["status"] == "answer"
    assert one["section"].endswith("第四条") and "新疆" in one["excerpt"] \
        and "120" in one["excerpt"]
    assert candidate(answer, one)["cited"] == 1.0
    assert two["section"].endswith("第三条") and "按照表1规定的标准" in two["excerpt"]


def test_the_act_asked_goes_before_an_article_naming_it_as_an_excuse(answers) -> None:
    answer = answers["提交加班申请以后还能撤回吗？"]
    one, two = answer["hits"][:2]
    assert one["section"].endswith("第三条") and "有权撤回" in one["excerpt"]
    assert two["section"].endswith("第四条")      # 不得以…撤回加班申请为由
    assert candidate(answer, one)["act"] == 1.0
    assert answer["status"] == "answer"
    assert answer["explain"]["stages"]["decide"]["evidence"]["moved"] == 1.0


def test_a_sanction_under_another_heading_is_a_liability_provision(answers) -> None:
    asked = answers["出差天数没有如实填报会怎么样？"]
    one, two = asked["hits"][:2]
    # the duty first, its sanction (第三章 监督与责任 第六条) next: not a confident answer
    assert one["section"].endswith("第二条") and two["section"].endswith("第六条")
    assert candidate(asked, two)["liability"] == 1.0
    assert asked["status"] == "suggestions"
    assert asked["explain"]["stages"]["decide"]["held_back"] == ["duty"]
    # asked no consequence, the sanction is ranked down (rules before mentions)
    how = answers["出差天数要怎么填报？"]
    assert how["hits"][0]["section"].endswith("第二条")
    assert not any(hit["section"].endswith("第六条") for hit in how["hits"][:3])
