"""Two articles of one rule stating opposite cases (issues 11 and 16, hb13): asked when a
company pays 经济补偿, an article saying when it does not (且不支付经济补偿) first and the one
saying when it does just behind is no confident answer, but suggestions showing both. Through
the CLI, on two short texts written here: a 物业公司职工守则 (its 第六条 不支付, 第七条 支付) and a
城市物业服务管理条例."""

from __future__ import annotations

import pytest
from test_cli import ROOT, articles, asked, ingested_folder

FIXTURE = ROOT / "tests" / "fixtures" / "contrary"
PAID = ("公司解除劳动合同时哪些情况要给经济补偿？", "公司解除劳动合同，什么情形下要付经济补偿？",
        "解除合同时公司在哪些情况下支付经济补偿？")
NOT_PAID = "哪些情况公司解除合同可以不给经济补偿？"
WHETHER = "连续旷工五天被开除，公司要给经济补偿吗？"


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return asked(ingested_folder(tmp_path_factory, FIXTURE), (*PAID, NOT_PAID, WHETHER))


@pytest.mark.parametrize("question", PAID)
def test_asked_when_it_is_paid_the_article_saying_not_paid_is_no_answer(answers,
                                                                        question: str) -> None:
    # main answered with 第六条 (…且不支付经济补偿), covering the question as much as 第七条
    answer = answers[question]
    assert answer["status"] == "suggestions", articles(answer)
    assert "contrary" in answer.get("held_back", [])
    assert {"第六条", "第七条"} <= set(articles(answer)[:2])


def test_asked_when_it_is_not_paid_the_not_paid_article_answers(answers) -> None:
    answer = answers[NOT_PAID]
    assert (answer["status"], articles(answer)[0]) == ("answer", "第六条")


def test_asked_whether_it_is_paid_a_rule_saying_no_answers(answers) -> None:
    answer = answers[WHETHER]
    assert (answer["status"], articles(answer)[0]) == ("answer", "第六条")
