"""Everyday talk around a question's topic (issue 11, branch colloq6), through the CLI
(``staffbot ask --json --explain``): a verb said with its direction (交上去) is the verb, and 活
(干…的活) is no topic word; adverbs jieba's dictionary tags as function words (硬是, 屡次) and
things a question points at without naming them (东西) weigh like a lone character where the
rules never say them, not like the rarest word; a form the rules do say (赔偿 of 要赔偿) stays a
topic word; an amount said loosely (两个多月) is looked for as its bound (2个月以上); and the
colloq6 block of the thesaurus says 打交道 as 接触 and 算数 as 无效.

The rules are written for this test in the words rules use; the questions the way staff type them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import asked, ingested, looked_for, units  # noqa: E402

RULES = """职工权益保障办法摘录
第一条 用人单位代扣代缴的社会保险费，任何单位和个人不得挪用。
第二条 用人单位克扣职工工资的，职工可以向劳动保障行政部门投诉。
第三条 用人单位泄露职工个人信息造成损害的，应当依法承担赔偿责任。
第四条 长期接触粉尘的岗位，按月发放岗位津贴。
第五条 用人单位与职工订立的免除或者减轻其工伤责任的协议无效。
第六条 用人单位不得安排孕期女职工从事接触有毒物质的作业。
第七条 职工当年请病假累计2个月以上的，不再享受当年的年休假。
第八条 本办法自发布之日起施行。
"""
# (question, the article that answers, the words said only to tell it: no units)
TALK = [
    ("交上去的社会保险费会被挪用吗？", "第一条", ["交上去"]),              # 交上去 → 交
    ("怀孕了单位还安排我干接触有毒东西的活，合规吗？", "第六条", ["活"]),
]
# (question, article, the light words, a word of the rule it is lighter than)
LIGHT = [
    ("单位硬是屡次克扣工资，可以向谁投诉？", "第二条", ["硬是", "屡次"], "克扣"),   # adverbs
    ("怀孕了单位还安排我干接触有毒东西的活，合规吗？", "第六条", ["东西"], "有毒"),
]
GLUED_FORM = ("单位泄露了我的个人信息，能要赔偿吗？", "第三条", "赔偿")
# An amount said loosely (两个多月) is looked for as rules write its bound (2个月以上).
LOOSE = ("今年请了两个多月病假，年假还能休吗？", "第七条", "2个月以上")
# A negation is never talk, though jieba tags 不经 an adverb: what it denies is asked (a guard:
# it passes on main too).
NEGATION = ("单位可以不经职工同意泄露个人信息吗？", "不经")
# (question, article, the thesaurus word it is looked for as)
WORDS = [
    ("天天跟粉尘打交道的岗位有津贴吗？", "第四条", "接触"),              # 打交道 → 接触
    ("入职时签了工伤不担责的协议，这协议算数吗？", "第五条", "无效"),      # 算数 → 无效
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("talk"), "职工权益保障办法摘录.txt", RULES)
    questions = [*(q for q, _, _ in TALK), *(q for q, _, _, _ in LIGHT), GLUED_FORM[0],
                 NEGATION[0], LOOSE[0], *(q for q, _, _ in WORDS)]
    return asked(db, list(dict.fromkeys(questions)))


def sections(answer: dict) -> list[str]:
    return [h["section"] for h in answer["hits"]]


@pytest.mark.parametrize(("question", "article", "talk"), TALK)
def test_words_that_only_tell_the_question_are_no_topic(answers, question, article, talk) -> None:
    answer = answers[question]
    assert not set(talk) & set(units(answer)), units(answer)
    assert answer["status"] == "answer", (answer["status"], sections(answer), units(answer))
    assert sections(answer)[0] == article


@pytest.mark.parametrize(("question", "article", "light", "heavier"), LIGHT)
def test_function_and_vague_words_weigh_like_a_lone_character(answers, question, article, light,
                                                              heavier) -> None:
    answer = answers[question]
    weights = {u["text"]: u["weight"] for u in answer["explain"]["query"]["units"]}
    assert all(weights[w] < weights[heavier] for w in light), weights
    assert answer["status"] == "answer", (answer["status"], sections(answer), weights)
    assert sections(answer)[0] == article


def test_a_glued_form_the_rules_say_stays_a_topic_word(answers) -> None:
    question, article, word = GLUED_FORM
    answer = answers[question]
    assert word in units(answer), units(answer)
    assert answer["status"] == "answer", (answer["status"], sections(answer))
    assert sections(answer)[0] == article


def test_an_amount_said_loosely_is_looked_for_as_its_bound(answers) -> None:
    question, article, says = LOOSE
    answer = answers[question]
    looked_for(answer, says)
    assert answer["status"] == "answer", (answer["status"], sections(answer), units(answer))
    assert sections(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]


def test_a_negation_is_never_talk(answers) -> None:
    question, negation = NEGATION
    answer = answers[question]
    weights = {u["text"]: u["weight"] for u in answer["explain"]["query"]["units"]}
    assert negation in weights and weights[negation] >= weights["泄露"], weights


@pytest.mark.parametrize(("question", "article", "says"), WORDS)
def test_everyday_verbs_are_looked_for_as_rules_say_them(answers, question, article,
                                                        says) -> None:
    answer = answers[question]
    looked_for(answer, says)
    assert answer["status"] == "answer", (answer["status"], sections(answer), units(answer))
    assert sections(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]
