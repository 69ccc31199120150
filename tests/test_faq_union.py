"""A union desk's everyday names for its services (issue 11, branch faq16: the thesaurus block
``faq16``): 白事 for a relative's death, 心理医生 / 倾诉 for counselling, 郊游 for the spring and
autumn outings. ``staffbot ask --json`` on a union desk's sheet written for this test
(工会服务问答.csv, 10 pairs, invented; no bench sheet's text), alone."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_faq import _sheet_answers, answered_with_pair, declined

UNION = "工会服务问答.csv"
# On main 7c6b32e: a suggestion (p 0.36), a suggestion with 电影票每个月发几张？ first, not found,
# not found.
EVERYDAY = [("想找个心理医生聊聊", "工会有心理咨询服务吗？"),
            ("办白事能领多少钱", "员工亲属去世工会怎么慰问？"),
            ("心里憋得慌想找人倾诉", "工会有心理咨询服务吗？"),
            ("郊游一人能花多少", "部门春游秋游的经费标准是多少？")]
# Not the sheet's matters: which cinema is cheapest, a public holiday.
OFF_TOPIC = ["附近哪家电影院最便宜", "今年春节放几天假"]


@pytest.fixture(scope="module")
def union_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of each question put to the union desk's sheet alone."""
    return _sheet_answers(tmp_path_factory, UNION, [q for q, _ in EVERYDAY] + OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", EVERYDAY)
def test_a_union_service_named_in_everyday_words_is_answered_with_its_pair(union_answers,
                                                                          question, asked):
    answered_with_pair(union_answers[question], asked)


def test_questions_off_the_sheet_are_not_answered(union_answers):
    declined(union_answers, OFF_TOPIC)
