"""An office's own rule before a state text saying as much (issues 11 and 16). Through the CLI,
on two short texts written here: a city's 控烟条例 and a 后勤中心's 办公区管理办法, both saying
where one may smoke at work."""

from __future__ import annotations

import pytest
from test_cli import ROOT, articles, asked, ingested_folder

FIXTURE = ROOT / "tests" / "fixtures" / "own_rule"
OURS = ("单位里能抽烟吗？", "在单位能吸烟吗？")
STATE = "国家规定单位里能抽烟吗？"


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return asked(ingested_folder(tmp_path_factory, FIXTURE), (*OURS, STATE))


@pytest.mark.parametrize("question", OURS)
def test_the_offices_rule_first_and_the_state_text_as_see_also(answers, question: str) -> None:
    # main answered with the 条例's 第八条 (both cover the question; the 条例 scored higher)
    answer = answers[question]
    first = answer["hits"][0]
    assert (answer["status"], first["document"], articles(answer)[0]) \
        == ("answer", "后勤中心办公区管理办法", "第三条"), articles(answer)
    assert [(also["document"], also["section"].split(" › ")[-1]) for also in answer["see_also"]] \
        == [("公共场所控烟条例", "第八条")]


def test_asked_about_the_state_the_state_text_stays_first(answers) -> None:
    answer = answers[STATE]
    assert (answer["hits"][0]["document"], articles(answer)[0]) == ("公共场所控烟条例", "第八条")
