"""Everyday questions on workplace rules (issue 11, branch colloq3), through the CLI
(``staffbot ask --json --explain``): a modal asked as A-not-A (要不要, 会不会, 用不用) is talk,
both its halves, as is 还给 "still give" (还给交通补贴吗), and the everyday words staff use for colleagues, pay, records, seals and
messaging (同事, 一起, 开房, 改名, 微信, 工资表) are looked for as the rules say them
(knowledge/data/thesaurus.txt, block colloq3).

The rules are written for this test in the words rules use (公布, 共同出差, 名称改变, 即时通讯工具);
the questions the way staff type them. A holiday's name is not the rules' 法定休假日: a question
about how long a holiday is (国庆节放几天假) is not answered with the article on annual leave.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import asked, ingested, units  # noqa: E402

RULES = """行政与人事工作细则摘录
第一条 人事处每年第一季度向全体职工公布上一年度本单位社会保险费的缴纳情况。
第二条 同性别的工作人员共同出差的，住宿原则上两人合住一间；单独住宿的，超出部分由个人承担。
第三条 单位名称改变的，原印章停止使用，由办公室登记后封存或者销毁。
第四条 职工工资明细属于内部数据，禁止通过即时通讯工具传输。
第五条 工作人员享受年休假的，国家法定休假日、休息日不计入年休假的假期。
第六条 报销市内交通费的，凭出租车发票办理。
第七条 由接待单位提供交通工具的，不再发放市内交通补贴。
第八条 单位应当为全体职工参加工伤保险，按时缴纳工伤保险费。
"""
A_NOT_A = "单位每年要不要告诉我们社保交了多少？"       # 要不要 → 要 / 不要: both talk
EVERYDAY = [
    ("两个同事一起出差，能不能一人开一间房？", "第二条", "合住一间"),   # 同事 一起 开房
    ("单位改名了，旧公章怎么处理？", "第三条", "封存或者销毁"),           # 改名 → 名称改变
    ("能用微信把工资表发给别人吗？", "第四条", "即时通讯工具"),           # 微信 工资表 发给
]
STILL_GIVE = "对方单位派车接送，还给交通补贴吗？"   # 还给: 还 "still" + 给, no 返还
OFF_TOPIC = "今年国庆节放几天假？"     # a holiday's length: no rule here says it
# 公伤: a pinyin typo for 工伤 that jieba's dictionary happens to know (3 against 63)
TYPO = "单位给不给我们上公伤保险？"
# filler adverbs (就是, 老是) no rule says: talk, or they weigh as the rarest words of the question
FILLER = [("单位改名了，旧公章就是直接扔掉吗？", "就是", "第三条"),
          ("出差的时候老是两人合住一间吗？", "老是", "第二条")]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("workplace"), "行政与人事工作细则摘录.txt", RULES)
    questions = [A_NOT_A, STILL_GIVE, OFF_TOPIC, TYPO, *(q for q, _, _ in EVERYDAY),
                 *(q for q, _, _ in FILLER)]
    return asked(db, questions)


def test_a_modal_asked_as_a_not_a_is_talk_both_halves(answers) -> None:
    answer = answers[A_NOT_A]
    assert "不要" not in units(answer) and "要" not in units(answer)
    assert "不要" in answer["explain"]["query"]["talk"]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == "第一条"


def test_still_give_is_talk_not_give_back(answers) -> None:
    answer = answers[STILL_GIVE]
    assert "还给" not in units(answer) and "还给" in answer["explain"]["query"]["talk"]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == "第七条"


@pytest.mark.parametrize(("question", "article", "says"), EVERYDAY)
def test_everyday_workplace_words_find_the_rule_that_answers(answers, question, article,
                                                             says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == article
    assert says in answer["hits"][0]["excerpt"]


def test_a_holidays_name_is_not_the_rules_statutory_holiday(answers) -> None:
    answer = answers[OFF_TOPIC]
    assert answer["status"] != "answer", [h["section"] for h in answer["hits"]]


def test_a_typo_that_is_a_rare_dictionary_word_finds_its_common_homophone(answers) -> None:
    """公伤 is in jieba's dictionary, so it was never taken for a typo; the documents say 工伤,
    which the dictionary counts twenty times as often."""
    answer = answers[TYPO]
    assert "工伤" in answer["explain"]["query"]["expansions"].get("公伤", [])
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == "第八条" and "工伤保险" in answer["hits"][0]["excerpt"]


@pytest.mark.parametrize(("question", "filler", "article"), FILLER)
def test_a_filler_adverb_is_talk(answers, question: str, filler: str, article: str) -> None:
    answer = answers[question]
    assert filler not in units(answer) and filler in answer["explain"]["query"]["talk"]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == article
