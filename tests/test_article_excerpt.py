"""An article's paragraphs (款) are one unit for the excerpt too (issue 16, item 1), through the
CLI on tests/fixtures/article_excerpt (a training and deposit rule of our own):

- an article short enough to read at a glance is shown whole: asked what to do when one cannot
  attend, the excerpt holds the paragraph saying 开课前一日 as well as the one the words found;
- so is an article of one paragraph up to that length: a rule and its exception (先由公司垫付;
  …违反培训纪律导致伤害的，公司不予垫付) are not cut apart;
- so is a short article whose best paragraph is a list shown with every item (its lead-in
  and items, then the paragraph after them); a list whose excerpt leaves items out is not
  (tests/test_units.py);
- a longer article's paragraph saying the limit asked (不得超过…百分之二十) joins the excerpt of
  the paragraph the words found (退还…押金, no limit in it), in the article's order; the rest of
  the article is left out."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "article_excerpt"

QUESTIONS = ("报了名去不了要提前多久说？", "部门交的培训押金最多能收多少？", "参加外部培训怎么计学时？",
             "培训时自己违反纪律受了伤，医药费公司给垫吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_a_short_article_is_shown_whole(answers) -> None:
    answer = answers["报了名去不了要提前多久说？"]
    assert articles(answer)[0] == "第二条"
    excerpt = answer["hits"][0]["excerpt"]
    assert excerpt.index("提前三个工作日") < excerpt.index("开课前一日")
    assert articles(answer).count("第二条") == 1


def test_a_long_articles_paragraph_saying_the_limit_joins_the_excerpt(answers) -> None:
    answer = answers["部门交的培训押金最多能收多少？"]
    assert articles(answer)[0] == "第三条"
    excerpt = answer["hits"][0]["excerpt"]
    assert "不得超过该次培训费用的百分之二十" in excerpt
    assert excerpt.index("百分之二十") < excerpt.index("及时退还培训押金")
    assert "费用标准、报销程序" not in excerpt       # the article is long: not shown whole
    assert articles(answer).count("第三条") == 1


def test_a_short_article_with_a_list_shown_whole_keeps_its_other_paragraph(answers) -> None:
    answer = answers["参加外部培训怎么计学时？"]
    assert articles(answer)[0] == "第五条"
    lines = answer["hits"][0]["excerpt"].split("\n")
    assert lines[0].startswith("员工参加外部培训的") and [line[:3] for line in lines[1:4]] == [
        "（一）", "（二）", "（三）"]
    assert lines[4].startswith("线上课程的学时") and len(lines) == 5


def test_an_article_of_one_paragraph_keeps_its_exception(answers) -> None:
    answer = answers["培训时自己违反纪律受了伤，医药费公司给垫吗？"]
    assert articles(answer)[0] == "第六条"
    excerpt = answer["hits"][0]["excerpt"]
    assert "先由公司垫付" in excerpt and excerpt.endswith("公司不予垫付，相关费用由员工本人承担。")
