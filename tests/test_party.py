"""A rule binding a unit or a person before one binding the state, when the question names no
organ (issue 16 item 3, branch rank17, rank.party_first), through the CLI on
tests/fixtures/party (our own staff-information rule): asked 公司把我的手机号给了别人, 信息处理者…
不得…向他人提供 answers, not 有关部门对…知悉的个人信息…不得…向他人提供, which says the words
more briefly; a duty said without its bearer that requires another party to act (发生…事件，
应当…要求信息处理者采取…) is the state's too. Asked about an organ, its article stays first; a
question opening with an organ (劳动保障部门管不管…, rank.organ_first) gets the article opening
with it (劳动监察办法 第六条), not one naming it in a clause before the unit's duty (第五条).
An office's own department (入职管理办法: 人事部门应当…办理入职手续) is no state organ."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "party"

QUESTIONS = ("公司把我的手机号给了别人，这样行吗？", "发生信息泄露事件后单位应该怎么做？",
             "有关部门能把个人信息给别人吗？", "劳动保障部门管不管单位交社保的情况？",
             "报到以后几个工作日内办理入职手续？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_the_rule_binding_a_party_comes_before_the_rule_binding_an_organ(answers) -> None:
    assert articles(answers["公司把我的手机号给了别人，这样行吗？"])[:2] == ["第十一条", "第十条"]


def test_a_duty_directing_another_party_is_the_states(answers) -> None:
    answer = answers["发生信息泄露事件后单位应该怎么做？"]
    assert answer["status"] == "answer"
    assert articles(answer)[:2] == ["第十六条", "第十五条"]


def test_asked_about_an_organ_its_rule_stays_first(answers) -> None:
    assert articles(answers["有关部门能把个人信息给别人吗？"])[0] == "第十条"


def test_a_question_opening_with_an_organ_gets_the_article_opening_with_it(answers) -> None:
    answer = answers["劳动保障部门管不管单位交社保的情况？"]
    assert answer["status"] == "answer"
    assert articles(answer)[:2] == ["第六条", "第五条"]
    assert "缴纳社会保险费的情况" in answer["hits"][0]["excerpt"]


def test_an_offices_own_department_is_no_state_organ(answers) -> None:
    answer = answers["报到以后几个工作日内办理入职手续？"]
    assert answer["status"] == "answer"
    assert articles(answer)[:2] == ["第三条", "第四条"]
