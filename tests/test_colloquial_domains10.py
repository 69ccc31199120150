"""Everyday words by domain, tenth round (issue 11, branch colloq10), through the CLI
(``staffbot ask --json --explain``): a worker's words for penalties, inspection, unions, training
money, women's redress, changed posts, special trades, waivers and fire rescue are looked for as
rules say them (不服气 → 不服, 冒领 → 骗取, 拉黑 → 向社会公布, 成立工会 → 组织工会, 培训的钱 → 职工教育经费,
欺负 → 侵害, 求助电话 → 热线, 换岗位 → 转岗, 电焊工 → 特种作业人员, 生死状 → 免除, 救火 → 扑救, 店员 →
工作人员), each on a rule beside a sibling that shares the question's other words; and the
question's talk is no topic word (该不该 asks for a rule; 这块, 有人 point at nothing).

The rules are written for this test in the words rules use; the questions the way staff type them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import answered_looking_for, articles, asked, ingested, units  # noqa: E402

RULES = """园区职工权益保障办法
第一条 职工对园区管理处作出的处罚决定不服的，可以在十五日内申请复核。
第二条 园区管理处作出处罚决定前，应当告知职工作出处罚的事实和理由。
第三条 以欺骗手段骗取园区困难补助的，由管理处责令退还。
第四条 园区困难补助每季度发放一次，由管理处统一办理。
第五条 企业严重违反园区用工规定的，由管理处向社会公布。
第六条 企业用工情况由管理处每年检查一次。
第七条 企业不得阻挠职工依法组织工会。
第八条 企业应当为职工参加技能比赛提供便利。
第九条 企业不得挪用职工教育经费。
第十条 企业应当按时发放职工的加班费。
第十一条 侵害女职工合法权益的，女职工可以向园区管理处投诉。
第十二条 园区设立职工权益服务热线，受理职工的咨询和求助。
第十三条 残疾职工转岗的，企业应当组织岗前培训。
第十四条 新入职职工由企业组织入职培训。
第十五条 特种作业人员应当经专门培训，取得相应资格后方可上岗作业。
第十六条 新入职职工经安全培训合格后方可上岗作业。
第十七条 企业与职工订立的免除企业安全责任的协议无效。
第十八条 企业与职工订立的劳动合同应当采用书面形式。
第十九条 职工参加扑救火灾受伤的，由园区给予医疗补助。
第二十条 职工参加园区组织的体检，费用由园区承担。
第二十一条 商铺发生火灾时，现场工作人员应当组织顾客疏散。
第二十二条 商铺应当在每日营业结束后检查电源。
"""
# (question, the article that answers, a word of the rule the question is looked for as)
WORDS = [
    ("管理处罚了我，我不服气怎么办？", "第一条", "不服"),
    ("冒领困难补助被查出来会怎样？", "第三条", "骗取"),
    ("企业老违规用工，会被拉黑吗？", "第五条", "向社会公布"),
    ("企业不许我们成立工会，合法吗？", "第七条", "组织工会"),
    ("企业能不能把培训的钱挪走？", "第九条", "职工教育经费"),
    ("女职工被欺负了可以找谁？", "第十一条", "侵害"),
    ("园区有没有求助电话？", "第十二条", "热线"),
    ("残疾职工换了岗位有没有培训？", "第十三条", "转岗"),
    ("电焊工要怎样才能上岗作业？", "第十五条", "特种作业人员"),
    ("企业让职工签生死状，这个协议有效吗？", "第十七条", "免除"),
    ("职工帮着救火受伤了，有补助吗？", "第十九条", "扑救"),
    ("商铺着火了，店员要干什么？", "第二十一条", "工作人员"),
]
# (question, article, units the question must not be cut into, a unit it must keep)
TALK = [
    ("残疾职工转岗，企业该不该组织培训？", "第十三条", ["该不该"], "转岗"),
    ("职工教育经费这块，企业能挪用吗？", "第九条", ["这块"], "教育经费"),
    ("听说有人骗取困难补助，会怎样处理？", "第三条", ["有人"], "骗取"),
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("domains10"), "园区职工权益保障办法.txt", RULES)
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
