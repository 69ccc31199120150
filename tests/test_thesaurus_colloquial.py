"""Everyday questions on workplace rules (issue 11, branch colloq), through the CLI
(``staffbot ask --json --explain``): one question per class of fix.

The rules below are written for this test in the words rules use (逾期, 市内交通费, 婚姻状况,
审批, 加班); the questions the way staff type them: an everyday word (拖着, 市里), an A-not-A
question (结没结婚), a verb jieba glues to a neighbour (来批), an amount in Chinese numerals
where the rule writes digits (三天, 3天), a separable verb with an amount inside (加了两天班),
and modal talk the rules happen to say (要, 才能). Each article has a neighbour on a near
subject.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import ingested, staffbot_together, units  # noqa: E402

RULES = """职工考勤与报销规则摘录
第一条 缴费单位未按规定缴纳社会保险费的，责令限期缴纳；逾期仍不缴纳的，按日加收滞纳金。
第二条 缴费单位应当每年向本单位职工公布本单位全年社会保险费缴纳情况。
第三条 出差人员的市内交通费按出差天数计算，每人每天80元包干使用。
第四条 出差人员乘坐出租小汽车的费用不予报销。
第五条 用人单位在招录过程中，不得询问女性求职者的婚姻状况。
第六条 女职工结婚的，给予婚假3天。
第七条 请假按下列权限审批：3天以内的，由部门负责人审批；3天以上的，由分管领导审批。
第八条 工作人员请假期满应当按时返岗。
第九条 安排职工加班的，应当按照规定支付加班工资。
第十条 职工每周工作40小时，周六和周日为休息日。
第十一条 失业人员具备下列条件的，可以领取失业保险金：非因本人意愿中断就业。
第十二条 职工要求查询本人缴费记录的，经办机构应当提供；领取待遇的条件发生变化的，才能重新核定。
"""

EVERYDAY = [
    # question as staff type it → the article, and what its excerpt says
    ("公司一直拖着不交社保，会怎样？", "第一条", "滞纳金"),      # 拖 → 逾期, 公司 → 缴费单位
    ("出差在市里打车的钱怎么算？", "第三条", "每人每天80元"),    # 市里 → 市内, 打车 → 市内交通费
    ("面试的时候问我结没结婚，这合不合法？", "第五条", "婚姻状况"),  # 结没结婚 → 结婚; 面试 → 招录
    ("请三天假谁来批？", "第七条", "部门负责人审批"),     # 来批 → 批 → 审批; 三天 → 3天
    ("周末加了两天班，给钱吗？", "第九条", "加班工资"),           # 加了两天班 → 加班
    ("要满足什么条件才能领失业金？", "第十一条", "非因本人意愿中断就业"),  # 要, 才能: talk
]


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory) -> Path:
    return ingested(tmp_path_factory.mktemp("colloq"), "职工考勤与报销规则摘录.txt", RULES)


@pytest.fixture(scope="module")
def answers(rules_db) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    questions = [q for q, _, _ in EVERYDAY]
    results = staffbot_together(*[(["ask", q, "--json", "--explain"], None) for q in questions],
                                db=rules_db)
    return {q: json.loads(r.stdout) for q, r in zip(questions, results)}


@pytest.mark.parametrize("question, article, says", EVERYDAY)
def test_an_everyday_question_is_answered_with_its_article(answers, question, article,
                                                           says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == article, [h["section"] for h in answer["hits"]]
    assert says in answer["hits"][0]["excerpt"]


def test_an_a_not_a_question_asks_about_the_finished_verb(answers) -> None:
    assert "结婚" in units(answers["面试的时候问我结没结婚，这合不合法？"])
    assert not {"结", "没"} & set(units(answers["面试的时候问我结没结婚，这合不合法？"]))


def test_a_glued_verb_is_expanded_as_its_bare_word(answers) -> None:
    query = answers["请三天假谁来批？"]["explain"]["query"]
    assert "审批" in query["expansions"].get("来批", []), query["expansions"]


def test_an_amount_is_looked_for_as_rules_write_it(answers) -> None:
    query = answers["请三天假谁来批？"]["explain"]["query"]
    assert "3天" in query["expansions"].get("三天", []), query["expansions"]


def test_a_separable_verb_is_one_word(answers) -> None:
    assert "加班" in units(answers["周末加了两天班，给钱吗？"])


def test_modal_talk_is_no_topic_word_even_where_the_rules_say_it(answers) -> None:
    query = answers["要满足什么条件才能领失业金？"]["explain"]["query"]
    assert {"要", "才能"} <= set(query["talk"]), query["talk"]
    assert not {"要", "才能"} & set(units(answers["要满足什么条件才能领失业金？"]))
