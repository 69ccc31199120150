"""An employee handbook asked in a worker's words (issue 11, branch handbook11), through the CLI
(``staffbot ask --json --explain``): 过年 is looked for as rules say it (春节) — but a holiday
by name is not 法定休假日 (今年国庆节放几天假 is no question a rule on holidays in general answers:
a confident wrong answer with that line), a sudden illness (心脏病) as 突发疾病, a hospital stay as the
医疗期, 一分钱不赔 as 不支付经济补偿, 出差 as 因公外出, 别的单位 as 其他单位; 才 (我才工作三年)
is question talk; a full-width comma is no character of the word before it (赔，), and a
thesaurus phrase (多扣) does not cut a dictionary word out of jieba's guess (最多 of 最多扣).

The rules are written for this test in the words rules use; the questions the way staff type them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import answered_looking_for, articles, asked, ingested, units  # noqa: E402

RULES = """劳动用工管理办法摘录
第一条 春节放假期间，单位照常支付职工工资。
第二条 单位安排职工在法定休假日工作的，支付不低于工资百分之三百的工资报酬。
第三条 职工在工作时间和工作岗位突发疾病死亡的，视同工伤。
第四条 职工在工作时间内因工作原因受到事故伤害的，应当认定为工伤。
第五条 职工患病，在规定的医疗期内的，单位不得解除劳动合同。
第六条 职工有下列情形之一的，单位可以解除劳动合同，不支付经济补偿：
（一）严重违反规章制度的；
（二）被依法追究刑事责任的。
第七条 职工提前三十日以书面形式通知单位，可以解除劳动合同。
第八条 职工因本人过错造成经济损失的，单位可以从其工资中扣除赔偿，每月扣除部分不超过工资的百分之二十。
第九条 职工因公外出期间受到伤害的，认定为工伤。
第十条 职工的累计工作年限包括在其他单位工作的时间。
第十一条 职工请事假的，事假期间不发工资。
第十二条 职工请病假的，按本人工资的百分之七十发放病假工资。
"""
# (question, the article that answers, a word of the rule the question is looked for as)
WORDS = [
    ("过年放假那几天单位给不给发工资？", "第一条", "春节"),
    ("上班的时候突然心脏病走了，算工伤吗？", "第三条", "突发疾病"),
    ("生病住院期间单位能把我辞退吗？", "第五条", "医疗期"),
    ("什么情况下单位可以直接开除我，还一分钱不赔？", "第六条", "不支付经济补偿"),
    ("出差的时候受伤了算不算工伤？", "第九条", "因公外出"),
    ("以前在别的单位干的年头算不算工龄？", "第十条", "其他单位"),
]
# (question, article, units the question must not be cut into, a unit it must keep)
CUTS = [
    ("我把单位的东西弄坏了，老板要从工资里扣钱赔，每个月最多扣多少？", "第八条",
     ["赔，", "月最"], "最多扣"),
]
TALK = ("我才工作三年，病假工资怎么发？", ["才"])
HOLIDAY = "今年国庆节放几天假？"     # the rules say when pay is 300 %, not the holiday's days


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("handbook"), "劳动用工管理办法摘录.txt", RULES)
    questions = [*(q for q, _, _ in WORDS), *(q for q, _, _, _ in CUTS), TALK[0], HOLIDAY]
    return asked(db, list(dict.fromkeys(questions)))


@pytest.mark.parametrize(("question", "article", "says"), WORDS)
def test_everyday_labour_words_are_looked_for_as_rules_say_them(answers, question, article,
                                                               says) -> None:
    answer = answers[question]
    answered_looking_for(answer, article, says)


@pytest.mark.parametrize(("question", "article", "never", "kept"), CUTS)
def test_a_question_is_not_cut_across_a_comma_or_a_dictionary_word(answers, question, article,
                                                                  never, kept) -> None:
    answer = answers[question]
    assert not set(never) & set(units(answer)), units(answer)
    assert kept in units(answer), units(answer)
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == article
    assert "百分之二十" in answer["hits"][0]["excerpt"]


def test_only_just_is_question_talk(answers) -> None:
    question, talk = TALK
    answer = answers[question]
    assert not set(talk) & set(units(answer)), units(answer)
    assert articles(answer)[0] == "第十二条"


def test_a_holiday_by_name_is_not_answered_by_a_rule_on_holidays_in_general(answers) -> None:
    answer = answers[HOLIDAY]
    assert answer["status"] != "answer", (articles(answer), answer["explain"]["query"])
