"""A question word said only in a rule's exception (但是，经过职工本人书面同意…的除外) carries
the article's BM25 no more than its coverage (branch rank18, Ranker.rerank): asked 收集个人信息
需要经过本人书面同意吗, the rule on collecting (第二条, 取得职工同意) answers, not the rule on
passing information on whose exception says 经过本人书面同意 (第三条), through the CLI on
tests/fixtures/exception (our own staff-information rule)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "exception"

QUESTIONS = ("收集个人信息需要经过本人书面同意吗？", "收集职工个人信息要经过本人同意吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_words_only_an_exception_says_do_not_carry_the_article(answers) -> None:
    assert articles(answers["收集个人信息需要经过本人书面同意吗？"])[0] == "第二条"


def test_the_rule_asked_about_answers_past_an_exception(answers) -> None:
    answer = answers["收集职工个人信息要经过本人同意吗？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第二条"
