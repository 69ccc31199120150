"""Colloquial fragments (issue 11, branch colloq2), through the CLI (``staffbot ask --json
--explain``): the pieces jieba leaves of everyday talk (没打上卡 → 打上卡, 要交个税 → 要交个 / 税)
are no topic the documents lack.

The rules are written for this test in the words rules use (刷卡, 补登记, 个人所得税); the
questions the way staff type them. A run of characters jieba could not cut, that no dictionary
knows and that has a function character in it (上, 个, 先), weighs like a lone character, not
like the rarest word; a thesaurus word inside such a run (个税 of 要交个税) is found; a run of
content characters alone (月卡) still weighs like the rarest word, so an off-topic question about
it is declined.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import ingested, staffbot_together  # noqa: E402

RULES = """职工考勤与个税规则摘录
第一条 工作人员上下班实行刷卡考勤。因公外出不能刷卡的，应当在当天补登记，由部门负责人签字确认。
第二条 工作人员迟到、早退累计3次的，按旷工半天计。
第三条 下列各项个人所得，免征个人所得税：按照国家统一规定发给职工的基本养老金或者退休费。
第四条 个人所得税以所得人为纳税人，以支付所得的单位为扣缴义务人。
第五条 职工工资按月以货币形式发放，不得克扣或者无故拖欠。
第六条 发现安全事故隐患的，从业人员应当立即报告现场安全生产管理人员。
第七条 本院职工食堂由后勤处管理。
"""

FRAGMENT = "因公外出没打上卡怎么办？"       # 打上卡: jieba's 打 / 上 / 卡, no word
INSIDE = "拿的退休金要交个税吗？"          # 要交个 / 税: 个税 across jieba's cut
OFF_TOPIC = "停车场月卡怎么办？"            # 月卡: content characters, a word the rules lack


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("fragments"), "职工考勤与个税规则摘录.txt", RULES)
    questions = [FRAGMENT, INSIDE, OFF_TOPIC]
    results = staffbot_together(*[(["ask", q, "--json", "--explain"], None) for q in questions],
                                db=db)
    return {q: json.loads(r.stdout) for q, r in zip(questions, results)}


def weights(answer: dict) -> dict[str, float]:
    return {u["text"]: u["weight"] for u in answer["explain"]["query"]["units"]}


def test_a_fragment_of_talk_does_not_keep_the_question_from_its_article(answers) -> None:
    answer = answers[FRAGMENT]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == "第一条"
    assert "当天补登记" in answer["hits"][0]["excerpt"]
    found = weights(answer)
    assert found["打上卡"] == pytest.approx(found["外出"] / 2, rel=0.01)   # 外出: a rarest word


def test_a_thesaurus_word_across_a_fragment_is_found(answers) -> None:
    answer = answers[INSIDE]
    units = {u["text"]: u.get("alternatives", []) for u in answer["explain"]["query"]["units"]}
    assert "个人所得税" in units["税"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"] == "第三条"


def test_a_word_of_content_characters_the_rules_lack_still_declines(answers) -> None:
    answer = answers[OFF_TOPIC]
    assert answer["status"] == "not_found", [h["section"] for h in answer["hits"]]
    found = weights(answer)
    assert found["月卡"] == pytest.approx(max(found.values()))
