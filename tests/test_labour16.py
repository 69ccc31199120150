"""A worker's words on an employer's labour rule (issue 11, branch labour16). Through the CLI, on
a short invented 物流站点用工管理规定: which leader approves leave (哪个领导 asks for an agent),
and a training's 服务年限 said for the rule's 服务期."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import ROOT, articles, asked, ingested_folder

FIXTURE = ROOT / "tests" / "fixtures" / "labour16"
WHICH_LEADER = "请假要哪个领导签字？"
SERVICE_YEARS = "公司出钱让我去培训，没干满服务年限就走要赔钱吗？"


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return asked(ingested_folder(tmp_path_factory, FIXTURE), (WHICH_LEADER, SERVICE_YEARS))


def test_which_leader_asks_who_approves(answers) -> None:
    # 第四条 says who approves (由班组长批准 / 由站点经理批准); main read no agent asked and put
    # 第五条 (请假期满未到岗) first
    answer = answers[WHICH_LEADER]
    assert "agent" in answer["explain"]["query"]["asks"]
    assert articles(answer)[0] == "第四条", articles(answer)


def test_service_years_are_the_rules_service_period(answers) -> None:
    # 第八条 约定服务期…违反服务期约定…支付违约金; main: suggestions only
    answer = answers[SERVICE_YEARS]
    assert (answer["status"], articles(answer)[0]) == ("answer", "第八条"), articles(answer)
    assert "服务期" in answer["explain"]["query"]["expansions"]["服务年限"]
