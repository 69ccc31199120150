"""What a question asks for and where a rule says it, through the CLI on tests/fixtures/asked
(a secrecy rule, an allowance rule and a contact list of our own): 在哪里 asks for a place
(综合楼四楼), which a contact row says and a rule naming the same room does not; 该怎么办 asks
for what is to be done (应当立即…报告，并采取补救措施), not for a sibling on the same words
(two rows of knowledge.query.ANSWER_TYPES); and an article that defers to another
(依照本办法第三条的规定) comes after the one it defers to (knowledge.rank.cited_first)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

DOCS = Path(__file__).parent / "fixtures" / "asked"

QUESTIONS = ("保密室在哪里？", "涉密文件遗失了该怎么办？", "保密室由谁负责？",
             "通讯费补贴每月标准是多少？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_where_is_answered_by_the_row_that_says_a_place(answers) -> None:
    answer = answers["保密室在哪里？"]
    assert answer["explain"]["query"]["asks"] == ["place"]
    assert answer["status"] == "answer"
    assert "综合楼四楼" in answer["hits"][0]["excerpt"]
    top, rule = answer["explain"]["candidates"][:2]
    assert top["answer_type"] == 1.0 and rule["answer_type"] == 0.0
    # the words alone put the rule (开展标准化保密室建设，提升保密室的…) first
    assert rule["bm25"] > top["bm25"]


def test_what_to_do_is_answered_by_the_steps(answers) -> None:
    answer = answers["涉密文件遗失了该怎么办？"]
    assert "procedure" in answer["explain"]["query"]["asks"]
    first, second = answer["hits"][:2]
    assert first["section"].endswith("第五条") and "立即向保密室报告" in first["excerpt"]
    assert second["section"].endswith("第四条")
    top, nxt = answer["explain"]["candidates"][:2]
    assert top["answer_type"] == 1.0 and nxt["answer_type"] == 0.0
    assert nxt["bm25"] > top["bm25"]


def test_where_to_go_stays_a_question_of_who(answers) -> None:
    from knowledge.query import answer_types

    # 去哪里办, 找哪 ask who handles it; only 在哪里 asks where a thing is
    assert answer_types("工牌丢了去哪里补办？") == ("agent",)
    assert answers["保密室由谁负责？"]["explain"]["query"]["asks"] == ["agent"]
    # 如何处理 asks what follows (a consequence), not the steps (STARD: 离职…给单位造成损失的，如何处理)
    assert answer_types("给单位造成损失的，如何处理？") == ("consequence",)


def test_the_article_deferred_to_goes_before_the_one_deferring(answers) -> None:
    answer = answers["通讯费补贴每月标准是多少？"]
    first, second = answer["hits"][:2]
    assert first["section"].endswith("第三条") and "每人每月200元" in first["excerpt"]
    assert second["section"].endswith("第四条")   # …依照本办法第三条的规定确定后按50%发放
    top, nxt = answer["explain"]["candidates"][:2]
    assert top["cited"] == 1.0 and "cited" not in nxt
    # both say a number and the question's words; the closer wording put 第四条 first
    assert top["coverage"] == nxt["coverage"] and top["fuzzy"] < nxt["fuzzy"]
