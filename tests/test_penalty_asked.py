"""A question asking only what befalls the asker (会怎么样) answered with a state text's power
instead of its penalty (issues 11 and 16: confident answers without the answer, branch
wrong14). Through the CLI, on a short regulation written here (冷库安全监督条例): 第四条 lets
the inspectors 责令…停止使用 (a consequence said outside the liability chapter), 第九条 is what
refusing them costs. And who pays asked as 钱从哪里出, answered by the account a cost is booked to
(冷库职工安全培训条例 第三条 …在生产成本中据实列支), not by the principle naming who is responsible."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import ROOT, answers_of, articles

FIXTURE = ROOT / "tests" / "fixtures" / "penalty"
REFUSED = ("冷库安全监督部门来检查，我们不让进库区会怎么样？", "检查人员来检查，我们不让他们进机房会怎么样？")
FINED = "拒绝冷库安全检查要罚多少钱？"
BREACH = "制冷设备没按月检查会怎么样？"
WHO = "冷库安全归哪个部门管？"
PAID = ("冷库搞职工安全培训花的钱从哪里出？", "职工培训的钱从哪里出？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, FIXTURE, (*REFUSED, FINED, BREACH, WHO, *PAID))


@pytest.mark.parametrize("question", REFUSED)
def test_the_states_power_is_not_the_penalty_asked(answers, question: str) -> None:
    # main answered 第四条 (the inspectors' powers: 责令立即排除…) with confidence
    answer = answers[question]
    assert answer["status"] == "suggestions", articles(answer)
    assert articles(answer)[0] == "第四条"
    assert "duty" in answer["held_back"]


def test_the_refusal_is_among_the_suggestions(answers) -> None:
    assert "第九条" in articles(answers[REFUSED[0]])


@pytest.mark.parametrize(("question", "article"), [(FINED, "第九条"), (BREACH, "第八条"),
                                                   (WHO, "第三条")])
def test_penalties_and_who_are_still_answered(answers, question: str, article: str) -> None:
    # the liability article itself first, and a question asking who, are not held back
    answer = answers[question]
    assert (answer["status"], articles(answer)[0]) == ("answer", article)


@pytest.mark.parametrize("question", PAID)
def test_who_pays_is_said_by_where_the_cost_is_booked(answers, question: str) -> None:
    # main: suggestions, 第二条 (使用单位负责、监督部门监管的原则) first for its 负责 / 部门
    answer = answers[question]
    assert (answer["status"], answer["hits"][0]["document"], articles(answer)[0]) \
        == ("answer", "冷库职工安全培训条例", "第三条"), articles(answer)
