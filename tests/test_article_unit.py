"""The article as the unit and what answers directly (issue 16, branch art16), through the CLI on
tests/fixtures/article (an office's staff-information and leave rule and a fire-safety and audit
rule, our own):

- 有前款规定的违法行为，情节严重的… is read with the paragraph it applies and stands for its
  article when so it says more of the question (rank.one_per_article, Searcher._applying);
- 请5天事假: a rule's range in that measure holding the number says it (3天以上10天以内);
- 经过 said only in an exception sentence (但是，经过处理…的除外) counts half there;
- 中点 (a dictionary word the rules never say) reads 重点 where the phrase around it says so;
- a list's items are weighed for what they add to the lead-in shown with them;
- 要做什么 asks for the procedure; its 做 is no topic word."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

DOCS = Path(__file__).parent / "fixtures" / "article"

QUESTIONS = ("违反规定泄露员工个人信息，情节严重的，最多罚多少？", "请5天事假要找谁批？",
             "收集员工个人信息要经过本人同意吗？", "消防安全中点单位要每天巡查吗？",
             "消防安全重点单位要每天巡查吗？",
             "用人单位发现职业病病人以后要做什么？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def units(answer: dict) -> dict[str, list[str]]:
    return {u["text"]: u["alternatives"] for u in answer["explain"]["query"]["units"]}


def test_a_paragraph_applying_the_one_before_stands_for_the_article(answers) -> None:
    answer = answers["违反规定泄露员工个人信息，情节严重的，最多罚多少？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第八条")
    assert "五千元以下" in answer["hits"][0]["excerpt"]
    assert len([h for h in answer["hits"] if h["section"].endswith("第八条")]) == 1


def test_a_range_in_the_measure_asked_holds_the_number(answers) -> None:
    answer = answers["请5天事假要找谁批？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第五条")
    assert "分管领导" in answer["hits"][0]["excerpt"]


def test_a_word_said_only_in_an_exception_counts_less(answers) -> None:
    answer = answers["收集员工个人信息要经过本人同意吗？"]
    assert {"员工", "个人信息", "经过"} <= set(units(answer))     # not 员 / 工人 / 信息
    assert answer["hits"][0]["section"].endswith("第二条")
    cover = {c["citation"].split(" › ")[-2]: c["coverage"]
             for c in answer["explain"]["candidates"]}
    assert cover["第二条"] > cover["第三条"]      # 第三条's 经过 is its exception's


def test_a_typo_the_phrase_around_it_corrects(answers) -> None:
    answer = answers["消防安全中点单位要每天巡查吗？"]
    assert units(answer)["中点"] == ["重点"]
    assert answer["status"] == "answer"
    assert "每日防火巡查" in answer["hits"][0]["excerpt"]


def test_items_are_chosen_for_what_they_add_to_the_lead_in(answers) -> None:
    excerpt = answers["消防安全重点单位要每天巡查吗？"]["hits"][0]["excerpt"]
    assert excerpt.startswith("消防安全重点单位应当履行下列消防安全职责")
    assert "每日防火巡查" in excerpt and "确定消防安全重点部位" not in excerpt


def test_what_is_to_be_done_asks_for_the_procedure(answers) -> None:
    answer = answers["用人单位发现职业病病人以后要做什么？"]
    assert "procedure" in answer["explain"]["query"]["asks"]
    assert "做" not in units(answer) and "要做" not in units(answer)
    assert answer["hits"][0]["section"].endswith("第五条")
