"""An FAQ pair's question read as a staff member's question is (issue 11, branch faq13): the
asker's words and vague words its question says (自己, 我, 东西), which no answer or other text
says, are talk there as in the question asked, not a topic shared. ``staffbot ask --json`` on an
allotment garden's sheet (员工菜园问答.csv, a domain no thesaurus block and no bench sheet
covers) whose pairs ask 可以自己带种子来种吗 and 工具房可以放东西吗."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_faq import _sheet_answers, answered_with_pair, declined

GARDEN = "员工菜园问答.csv"
# Each answered with the 自己 pair (可以自己带种子来种吗？) on main 401ccae.
SAID_WITH_TALK = [
    ("我自己的菜地长草了谁来弄", "菜地的杂草由谁负责清除？"),
    ("自己种的菜能送人吗", "种出来的菜可以拿去卖吗？"),
]
# About nothing the sheet answers, sharing only 自己 or 东西 with a pair: answered on main.
OFF_TOPIC = ["猫咪不吃东西怎么办", "我想买点东西送同事", "自己家的花园怎么除草"]


@pytest.fixture(scope="module")
def garden_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of each question put to the garden's sheet alone."""
    return _sheet_answers(tmp_path_factory, GARDEN, [q for q, _ in SAID_WITH_TALK] + OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", SAID_WITH_TALK)
def test_the_pairs_own_talk_is_no_topic_it_shares(garden_answers, question, asked):
    answered_with_pair(garden_answers[question], asked)


def test_a_question_sharing_only_talk_with_a_pair_is_not_answered(garden_answers):
    declined(garden_answers, OFF_TOPIC)
