"""Everyday ways of saying the legal terms workplace statutes turn on (issue 11, branch colloq8),
through the CLI (``staffbot ask --json --explain``): staff say 拦着不让查, 瞒着, 打压, 撤出去,
福利厂, 年度汇算, 不收钱 where rules say 阻挠, 隐瞒, 打击报复, 撤离, 集中使用残疾人的用人单位,
汇算清缴, 免费 (knowledge/data/thesaurus.txt, block colloq8). Each rule has a neighbour that shares
the question's other words, so only the everyday word decides. And 没 said after a verb to ask
(管没) is stripped as 吗 is, and a direction complement after its verb (拿出来) is no topic word
(knowledge/query.py, _GLUED_TAIL, _AFTER_VERB); 最晚, 最迟 ask for a time limit (ANSWER_TYPES).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import asked, ingested, looked_for  # noqa: E402

RULES = """车间安全与职工权益规定
第一条 安全检查人员依法进行检查时，任何部门和个人不得阻挠检查。
第二条 安全检查人员进行检查时，应当出示证件，并做好检查记录。
第三条 单位对有毒有害的设备隐瞒其危害而继续使用的，对造成的后果承担责任。
第四条 单位使用的设备应当定期维护保养，保养记录由设备科保存。
第五条 任何人不得对举报安全问题的职工进行打击报复。
第六条 职工举报安全问题的，应当写明时间和地点。
第七条 发现有毒气体泄漏时，职工有权立即撤离作业现场。
第八条 发现有毒气体泄漏时，值班人员应当记录泄漏的时间。
第九条 集中使用残疾人的用人单位可以申请场地补贴。
第十条 单位新招用高校毕业生的，可以申请社会保险补贴。
第十一条 职工个人所得税的汇算清缴，应当在次年六月三十日前办理。
第十二条 职工个人所得税的专项附加扣除信息，应当在每年十二月确认。
第十三条 职工参加单位组织的岗前培训，培训免费。
第十四条 职工参加单位组织的学历进修，费用按照规定报销。
第十五条 单位克扣职工工资的，由劳动保障行政部门依法查处。
第十六条 单位克扣职工工资的，职工可以先向工会反映。
第十七条 新的排班表制定出来以后，应当在三日内公布。
第十八条 职工的工资清单属于个人信息，单位不得向其他职工公开。
第十九条 单位应当在每月十日前向职工发放上月工资。
第二十条 职工对上月工资有异议的，可以向人事处反映。
"""
EVERYDAY = [      # question, the article, the rule's word among the expansions
    ("检查的人来了，领导拦着不让查，行吗？", "第一条", "阻挠"),
    ("设备有毒领导还瞒着大家继续用，出了事谁负责？", "第三条", "隐瞒"),
    ("举报了安全问题以后被领导打压，这样可以吗？", "第五条", "打击报复"),
    ("闻到有毒气体泄漏了，我能先撤出去吗？", "第七条", "撤离"),
    ("福利厂能申请什么补贴？", "第九条", "集中使用残疾人的用人单位"),
    ("个税的年度汇算要在什么时候前办？", "第十一条", "汇算清缴"),
    ("单位组织的岗前培训收不收钱？", "第十三条", "免费"),
]
GLUED = "单位乱扣工资，劳动局管没？"     # 没 glued after the verb: 管没 is 管 (→ 查处)
COMPLEMENT = "我的工资清单，单位能拿出来给别的同事看吗？"   # 出来 says which way, not what
DEADLINE = "上个月的工资单位最晚得在几号前发？"   # 最晚 asks for a time limit, as 最多 for a number


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("terms"), "车间安全与职工权益规定.txt", RULES)
    return asked(db, [*(q for q, *_ in EVERYDAY), GLUED, COMPLEMENT, DEADLINE])


@pytest.mark.parametrize(("question", "article", "says"), EVERYDAY)
def test_everyday_words_for_legal_terms_find_the_rule_that_says_them(
        answers, question, article, says) -> None:
    answer = answers[question]
    sections = [h["section"] for h in answer["hits"]]
    looked_for(answer, says)
    assert sections and sections[0] == article, (answer["status"], sections)
    assert says in answer["hits"][0]["excerpt"]


def test_a_question_tail_glued_onto_the_verb_is_stripped(answers) -> None:
    answer = answers[GLUED]
    units = {u["text"]: u for u in answer["explain"]["query"]["units"]}
    assert "管没" not in units and "查处" in units["管"]["alternatives"]
    assert answer["hits"] and answer["hits"][0]["section"] == "第十五条", answer["status"]


def test_a_direction_complement_after_its_verb_is_no_topic_word(answers) -> None:
    # 出来 is a word of the rules (第十七条 制定出来), yet after 拿 it only says which way
    answer = answers[COMPLEMENT]
    units = [u["text"] for u in answer["explain"]["query"]["units"]]
    assert "出来" not in units and "工资" in units, units
    assert answer["hits"] and answer["hits"][0]["section"] == "第十八条", answer["status"]
    assert answer["status"] == "answer"


def test_at_the_latest_asks_for_a_time_and_is_no_topic_word(answers) -> None:
    answer = answers[DEADLINE]
    units = [u["text"] for u in answer["explain"]["query"]["units"]]
    assert "最晚" not in units and "quantity" in answer["explain"]["query"]["asks"], units
    assert answer["hits"] and answer["hits"][0]["section"] == "第十九条", answer["status"]
    assert "十日前" in answer["hits"][0]["excerpt"]
