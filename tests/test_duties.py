"""A party's duties, rights and prohibitions asked (issue 16 item 2, branch duty16: the answer
types duty/right/ban of query.ANSWER_TYPES, rank.bound_first), through the CLI on
tests/fixtures/duties (our own archive-lending, account, meeting-room and official-car rules):
借阅人有什么义务 is answered by the article binding 借阅人 with 应当…不得有下列行为, though no
article says 义务 of 借阅人 (an article saying 人有 and one saying 义务 of the 档案室 came
first); 有什么责任 without 法律 asks a duty, not a liability article's sanction; a party every
rule binds, asked alone (单位有什么义务), is no answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "duties"

QUESTIONS = ("借阅人有什么义务？", "借阅人不能做什么？", "借阅人有什么权利？",
             "单位负责人对档案工作有什么责任？", "信息中心发现账号被他人盗用要怎么办？",
             "单位有什么义务？", "单位不能做什么？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


@pytest.mark.parametrize(("question", "article", "says"), [
    ("借阅人有什么义务？", "第七条", "不得有下列行为"),      # duty: 应当…不得有下列行为
    ("借阅人不能做什么？", "第七条", "擅自复制"),            # ban: the list of what is forbidden
    ("借阅人有什么权利？", "第八条", "有权查阅"),            # right: 有权 with 借阅人 the holder
    ("单位负责人对档案工作有什么责任？", "第二条", "负责"),  # 有什么责任: a duty, not 第九条's 处分
])
def test_the_article_binding_the_party_asked_answers(answers, question, article, says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]


def test_a_rule_binding_the_party_named_stays_first(answers) -> None:
    # the party opens the question and a condition (信息中心发现…的，应当…), not its modal
    assert articles(answers["信息中心发现账号被他人盗用要怎么办？"])[0] == "第四条"


@pytest.mark.parametrize("question", ["单位有什么义务？", "单位不能做什么？"])
def test_a_party_every_text_binds_asked_alone_is_no_answer(answers, question) -> None:
    # nothing asked but 单位, which both rules bind: suggestions (rank.Ranker._vague)
    assert answers[question]["status"] != "answer"
