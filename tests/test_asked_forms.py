"""What a question asks, read from its form, on an office rule of our own (tests/fixtures/
asked_forms, written for these tests), through the CLI:

- 多长时间内 asks a deadline: the article saying 一个月内 answers, not the sibling on what follows
  a month missed (超过一个月未订立…的, 二倍工资), although it says more of the question's words;
- 出了差错 is the rule's 过错 (the thesaurus), and the article saying the deduction's limit
  answers 每个月能扣我多少;
- X都包括哪些 asks what X covers: the article defining it (本办法所称工资，是指A、B、C和D);
- 哪些情况 is answered by the lead-in announcing those cases (有下列情形之一的), not by a list of
  something else naming the question's words (人力资源部履行下列职责：…预支工资的情况);
- a fine in hand (收到罚款决定书) is the thing handled: asked when to pay it, no consequence is
  asked, while 一直不交会怎么样 still asks one and gets the 罚则 article;
- a limit asked (最多能借多少) of a procedure's article saying no number (预借现金的，应当填写
  借款单…) is the next article's (个人借款单笔不超过二万元);
- asked whether a thing may be done (能买一等座吗), a short list is quoted with every item: who
  may (公司领导…一等座) and who may not (其他人员…二等座) answer together;
- a thesaurus phrase jieba glues to talk (不要我了, which would unglue to 了) is a topic word
  standing for 解除劳动合同, not question talk."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles, units

DOCS = Path(__file__).parent / "fixtures" / "asked_forms"

QUESTIONS = ("入职以后多长时间内公司要跟我签书面合同？", "工作出了差错，公司每个月能扣我多少工资？",
             "这里说的工资都包括哪些钱？", "哪些情况可以预支工资？",
             "开公车收到罚款决定书，钱要在几天之内交掉？", "开公车被罚了款一直不交会怎么样？",
             "预借现金最多能借多少？", "出差坐高铁能买一等座吗？",
             "老板突然说不要我了，要提前多久通知我？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_a_deadline_asked_is_answered_by_the_span_within(answers) -> None:
    answer = answers["入职以后多长时间内公司要跟我签书面合同？"]
    assert answer["status"] == "answer"
    assert articles(answer)[:2] == ["第四条", "第五条"]
    assert "一个月内" in answer["hits"][0]["excerpt"]


def test_a_mistake_at_work_is_the_rules_fault(answers) -> None:
    answer = answers["工作出了差错，公司每个月能扣我多少工资？"]
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == "第九条"
    assert "百分之二十" in answer["hits"][0]["excerpt"]
    mistake = next(u for u in answer["explain"]["query"]["units"] if "差错" in u["text"])
    assert "过错" in mistake["alternatives"]


def test_what_a_term_covers_is_its_definition(answers) -> None:
    answer = answers["这里说的工资都包括哪些钱？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第二条"
    assert "基本工资、岗位津贴、绩效奖金和加班工资" in answer["hits"][0]["excerpt"]


def test_the_cases_asked_are_those_a_lead_in_announces(answers) -> None:
    answer = answers["哪些情况可以预支工资？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第十条"
    assert "重大疾病" in answer["hits"][0]["excerpt"]     # (its items too)


def test_a_fine_in_hand_asks_no_consequence(answers) -> None:
    paying = answers["开公车收到罚款决定书，钱要在几天之内交掉？"]
    assert "consequence" not in paying["explain"]["query"]["asks"]
    assert paying["status"] == "answer" and articles(paying)[0] == "第十二条"
    assert "十五日内" in paying["hits"][0]["excerpt"]
    unpaid = answers["开公车被罚了款一直不交会怎么样？"]
    assert "consequence" in unpaid["explain"]["query"]["asks"]
    assert articles(unpaid)[0] == "第十三条"


def test_the_limit_of_a_procedure_is_the_next_article(answers) -> None:
    answer = answers["预借现金最多能借多少？"]
    assert articles(answer)[:2] == ["第十五条", "第十四条"]
    assert "不超过二万元" in answer["hits"][0]["excerpt"]
    assert answer["explain"]["candidates"][0]["continued"] == 1.0


def test_a_yes_no_question_on_a_short_list_sees_every_item(answers) -> None:
    answer = answers["出差坐高铁能买一等座吗？"]
    assert answer["status"] == "answer" and articles(answer)[0] == "第十六条"
    excerpt = answer["hits"][0]["excerpt"]
    assert "公司领导可以乘坐高铁一等座" in excerpt and "其他人员乘坐高铁二等座" in excerpt


def test_a_thesaurus_phrase_is_no_question_talk(answers) -> None:
    answer = answers["老板突然说不要我了，要提前多久通知我？"]
    unit = next(u for u in answer["explain"]["query"]["units"] if u["text"] == "不要我了")
    assert "解除劳动合同" in unit["alternatives"]
    assert "不要我了" not in answer["explain"]["query"]["talk"]
    assert articles(answer)[0] == "第六条"
