"""Asked what a term means (什么是值班), the article that says what it is first (issue 16), through
the CLI on tests/fixtures/definitions: thirty articles repeat 值班 two to five times each, the
one that defines it (本办法所称值班，是指…) says it once, so BM25 leaves it out of the candidates
the rerank sees."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

RULES = Path(__file__).parent / "fixtures" / "definitions"

QUESTIONS = ("什么是值班？", "值班指什么", "值班补贴每天多少钱？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, RULES, QUESTIONS)


def test_the_article_that_says_what_a_term_is_goes_first(answers) -> None:
    answer = answers["什么是值班？"]
    first = answer["hits"][0]
    assert first["section"].endswith("总则 › 第二条")
    assert "是指工作人员在正常工作时间以外" in first["excerpt"]
    assert answer["explain"]["candidates"][0]["defines"] == 1.0


def test_other_questions_keep_their_order(answers) -> None:
    # 指什么 already finds the definition by its words; a question about the allowance is no
    # question about a meaning
    assert answers["值班指什么"]["hits"][0]["section"].endswith("第二条")
    allowance = answers["值班补贴每天多少钱？"]
    assert allowance["hits"][0]["section"].endswith("第三十二条")
    assert "defines" not in allowance["explain"]["candidates"][0]


@pytest.mark.parametrize(("question", "term"), [
    ("什么是行政处罚？", "行政处罚"), ("什么是“年休假”?", "年休假"), ("工伤是什么？", "工伤"),
    ("调休指什么", "调休"), ("何谓试用期", "试用期"), ("什么叫旷工", "旷工"),
    ("居住权和租赁权的区别是什么？", None), ("加班费的标准是什么？", None),
    ("年假可以跨年休吗？", None), ("口头赠与是否有效？", None),
])
def test_the_term_asked(question: str, term: str | None) -> None:
    from knowledge.rank import term_asked

    assert term_asked(question) == term
