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


# each question with the pair that answers it, or None: declined
CASES = [*EVERYDAY, *((q, None) for q in OFF_TOPIC)]


@pytest.fixture(scope="module")
def union_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of each question put to the union desk's sheet alone."""
    return _sheet_answers(tmp_path_factory, UNION, [q for q, _ in CASES])[1]


@pytest.mark.parametrize("question, pair", CASES)
def test_a_union_service_in_everyday_words_gets_its_pair_and_other_matters_none(
        union_answers, question, pair):
    if pair is None:
        declined(union_answers, [question])
    else:
        answered_with_pair(union_answers[question], pair)
