"""An office's own rules written 一、 › （一） › 1. (issue 11/16, branch office14), through the CLI on
tests/fixtures/office14 (our own invented rules): a numbered item whose lead-in opens a list of
1. 2. items ends its list at the next item of its own level — （三） after （二）用车审批权限：1.…2.…
is an item of its own, cited and excerpted as such, not a third line of （二）'s list; a question
asking the sanction by its name (会受什么处分) asks what follows, so the article whose lead-in says
the sanction (有下列情形之一的，给予记过：) answers it; and the everyday words for what the rules
call 风景名胜区 and 决定 find them. Asked the kinds of a thing (奖励有哪几种), the article dividing it
(奖励分为以下两种：, 处分分为警告、记过和降级三种) answers, not its procedure's list (按照下列程序办理：)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles, looked_for

DOCS = Path(__file__).parent / "fixtures" / "office14"

QUESTIONS = ("节假日公务用车停在哪里？", "开完会多少天内报销会议费？", "虚报加班会受什么处分？",
             "开会可以去景区吗？", "处分谁说了算？", "奖励有哪几种？", "处分有哪几种？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_an_item_after_a_sibling_items_list_is_its_own_paragraph(answers) -> None:
    answer = answers["节假日公务用车停在哪里？"]
    assert articles(answer)[0].startswith("（三）节假日公务用车一律封存")
    assert "机关大院车库" in answer["hits"][0]["excerpt"]
    assert "出市用车" not in answer["hits"][0]["excerpt"]


def test_the_last_item_of_a_part_is_not_filed_under_its_first(answers) -> None:
    answer = answers["开完会多少天内报销会议费？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0].startswith("（三）会议结束后20日内")
    assert "20日内" in answer["hits"][0]["excerpt"]


def test_the_sanction_asked_by_name_is_what_follows(answers) -> None:
    answer = answers["虚报加班会受什么处分？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第三条"
    assert "consequence" in answer["explain"]["stages"]["rerank"]["asks"]


def test_everyday_words_of_office_rules(answers) -> None:
    looked_for(answers["开会可以去景区吗？"], "风景名胜区")
    assert articles(answers["开会可以去景区吗？"])[0].startswith("（二）会议不得到风景名胜区召开")
    looked_for(answers["处分谁说了算？"], "决定")
    assert articles(answers["处分谁说了算？"])[0] == "第五条"


@pytest.mark.parametrize(("question", "article", "says"), [("奖励有哪几种？", "第七条", "嘉奖"),
                                                       ("处分有哪几种？", "第八条", "降级")])
def test_the_kinds_asked_are_the_article_dividing_it(answers, question, article, says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]
