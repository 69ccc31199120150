"""Everyday words by domain, ninth round (issue 11, branch colloq9), through the CLI
(``staffbot ask --json --explain``): a worker's words for leave, discipline, pay, travel and
accounts are looked for as rules say them (没打招呼 → 未经审批, 怀上 → 怀孕, 喝酒 → 饮酒, 周六 →
休息日, 压着工资 → 拖欠, 编个理由 → 虚假理由, 泡汤 → 不享受, 被盗号 → 账号被盗用), each on a rule
beside a sibling that shares the question's other words; and the question's talk is no topic
word: 给不给 asks (路费给不给报 keeps 报, not 给报), 几回 asks a number, 这算 of 这算啥 is talk.

The rules are written for this test in the words rules use; the questions the way staff type them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import answered_looking_for, articles, asked, ingested, units  # noqa: E402

RULES = """职工日常管理规定
第一条 工作人员出差应当事先填写审批单。未经审批擅自出差的，差旅费不予报销。
第二条 工作人员出差的差旅费，凭发票在出差结束后十个工作日内报销。
第三条 单位不得因女职工怀孕降低其工资。
第四条 单位不得因职工参加工会活动降低其工资。
第五条 工作时间饮酒的，给予记过处分。
第六条 工作时间擅自离岗的，给予警告处分。
第七条 单位安排职工在休息日工作又不能安排补休的，支付百分之二百的工资报酬。
第八条 单位安排职工在工作日延长工作时间的，支付百分之一百五十的工资报酬。
第九条 单位无故拖欠职工工资的，职工可以向劳动保障行政部门投诉。
第十条 单位少发职工工资的，应当补足差额。
第十一条 以虚假理由骗取假期的，按旷工处理。
第十二条 请假期满未续假又不返岗的，按旷工处理。
第十三条 请事假累计20天以上的，不享受当年的年休假。
第十四条 年休假可以集中安排，也可以分段安排。
第十五条 发现账号被盗用的，应当在1小时内报告信息中心。
第十六条 账号密码每90天至少更换一次。
第十七条 一个月内迟到3次的，按旷工半天计。
"""
# (question, the article that answers, a word of the rule the question is looked for as)
WORDS = [
    ("没打招呼就自己跑去出差了，车费能报吗？", "第一条", "未经审批"),
    ("刚怀上孩子，单位就要给我降工资，能这样吗？", "第三条", "怀孕"),
    ("上班时间喝了点酒，会给什么处分？", "第五条", "饮酒"),
    ("周六叫我回去上班又不给调休，工资怎么算？", "第七条", "休息日"),
    ("老板一直卡着工资，我能去哪投诉？", "第九条", "拖欠"),
    ("编个理由请假被发现了，会怎么处理？", "第十一条", "虚假理由"),
    ("请了一个月事假，今年的年假是不是泡汤了？", "第十三条", "不享受"),
    ("我的账号被盗号了，多久之内要报告？", "第十五条", "账号被盗用"),
]
# (question, article, units the question must not be cut into, a unit it must keep)
TALK = [
    ("没经过审批的出差路费给不给报？", "第一条", ["给报", "给"], "报"),
    ("一个月迟到几回算旷工半天？", "第十七条", ["几回"], "迟到"),
    ("上班时间偷偷离岗，这算啥？", "第六条", ["这算"], "离岗"),
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("domains9"), "职工日常管理规定.txt", RULES)
    questions = [*(q for q, _, _ in WORDS), *(q for q, _, _, _ in TALK)]
    return asked(db, list(dict.fromkeys(questions)))


@pytest.mark.parametrize(("question", "article", "says"), WORDS)
def test_everyday_words_are_looked_for_as_rules_say_them(answers, question, article,
                                                         says) -> None:
    answer = answers[question]
    answered_looking_for(answer, article, says)


@pytest.mark.parametrize(("question", "article", "never", "kept"), TALK)
def test_question_talk_is_no_topic_word(answers, question, article, never, kept) -> None:
    answer = answers[question]
    assert not set(never) & set(units(answer)), units(answer)
    assert kept in units(answer), units(answer)
    assert articles(answer)[0] == article
