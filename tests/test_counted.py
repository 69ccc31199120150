"""The measure a number is asked in, the span asked for, and 比如, through the CLI on
tests/fixtures/counted (a meeting-expense rule of our own):

- 多少天内: jieba leaves 天内, which no rule says (they say 十五个工作日内); it is the
  question's form, not a topic word the answering article lacks (knowledge.query.counted_pieces);
- 是从哪天到哪天: 是从 and 到 frame the dates asked, as 自…起至…止 does in the rule;
- 比如 introduces an example (QUESTION_TALK): without it the article answers, not suggests;
- 多长时间内办完: the 内 of the duration asked is form, and 办完 (a verb and its result 完, which
  no rule says) is looked for as 办结 and 办理, as rules say it;
- 滞纳今怎么算: jieba cuts the typo off its word (滞纳 / 今); 今, which the rules never say,
  with 滞纳 sounds as 滞纳金, which they say; 怎么算 asks for a quantity, and 1‰ is one."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, units

DOCS = Path(__file__).parent / "fixtures" / "counted"

QUESTIONS = ("会议结束以后多少天内要报销？", "会议费预算年度是从哪天到哪天？",
             "会议费比如纪念品能报销吗？", "会议费要在会后多少个工作日内报销？",
             "报销申请财务科要多长时间内办完？", "借款没还的滞纳今怎么算？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_the_measure_a_number_is_asked_in_is_no_topic_word(answers) -> None:
    answer = answers["会议结束以后多少天内要报销？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第五条")
    assert "十五个工作日内" in answer["hits"][0]["excerpt"]
    assert "天内" not in units(answer) and "报销" in units(answer)
    assert answer["explain"]["stages"]["decide"]["confidence"] > 0.9


def test_a_measure_the_rules_say_stays_a_topic_word(answers) -> None:
    answer = answers["会议费要在会后多少个工作日内报销？"]
    assert "工作日内" in units(answer)
    assert answer["hits"][0]["section"].endswith("第五条")


def test_the_span_asked_for_is_no_topic_word(answers) -> None:
    answer = answers["会议费预算年度是从哪天到哪天？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第七条")
    assert not {"是从", "从", "到"} & set(units(answer))
    assert answer["explain"]["stages"]["decide"]["confidence"] > 0.9


def test_for_example_is_question_talk(answers) -> None:
    answer = answers["会议费比如纪念品能报销吗？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第四条")
    assert "比如" not in units(answer)


def test_a_duration_asked_and_a_finished_verb(answers) -> None:
    answer = answers["报销申请财务科要多长时间内办完？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第九条")
    assert "内" not in units(answer)
    finished = next(u for u in answer["explain"]["query"]["units"] if u["text"] == "办完")
    assert {"办结", "办理"} <= set(finished["alternatives"])


def test_a_typo_cut_off_its_word_and_a_rate_asked(answers) -> None:
    answer = answers["借款没还的滞纳今怎么算？"]
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"].endswith("第十条") and "1‰" in answer["hits"][0]["excerpt"]
    assert "今" not in units(answer)
    assert "quantity" in answer["explain"]["query"]["asks"]
    assert answer["explain"]["stages"]["decide"]["evidence"]["answer_type"] == 1.0
