"""A question asking what to buy or which is best (哪个牌子好, 推荐一款) is not answered by an FAQ
pair found through the thing it names (issue 11, branch faq14): a staff sheet says how to borrow
or use a thing, not which one to buy. ``staffbot ask --json`` on a calligraphy club's sheet
(书法社问答.csv, a domain no thesaurus block and no bench sheet covers) whose pair 砚台可以借吗？
is close to any short question naming 砚台, and whose pair 初学者用哪款字帖好？ itself asks which
one is best. And a judgement of price, comfort or ease asked of a thing (哪家店的砚台便宜,
去哪里买毛笔最方便, 哪家刻章的店靠谱; issue 11, branch faq16) is no more a staff matter: the sheet
says where the club's seals are carved, not which shop is cheapest."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_faq import _sheet_answers, answered_with_pair, declined

CLUB = "书法社问答.csv"
# Each a confident answer with 砚台可以借吗？ on main 0d4069c (p 0.81–0.92).
ADVICE = ["砚台哪个牌子好", "买什么牌子的砚台好", "推荐一款好用的砚台"]
# A judgement of price or ease: each a confident answer on main 7c6b32e (p 0.60–0.92) with the
# pair naming the thing (砚台可以借吗？, 练字用的毛笔和墨汁由谁提供？, 作品上盖的印章在哪里刻？).
JUDGEMENT = ["哪家店的砚台便宜", "去哪里买毛笔最方便", "哪家刻章的店靠谱"]
# Still answered: the pair's own question asks which one (哪款), or the question asks no choice.
ANSWERED = [("新手练字哪款字帖好", "初学者用哪款字帖好？"),
            ("练字的砚台可以带走吗", "砚台可以借吗？"),
            # 最好 is advice a sheet gives, not a judgement asked
            ("练字最好自己带毛笔吗", "练字用的毛笔和墨汁由谁提供？"),
            ("印章去哪刻", "作品上盖的印章在哪里刻？")]


@pytest.fixture(scope="module")
def club_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of each question put to the club's sheet alone."""
    return _sheet_answers(tmp_path_factory, CLUB, ADVICE + JUDGEMENT
                          + [q for q, _ in ANSWERED])[1]


def test_asking_what_to_buy_is_not_answered_by_a_pair_naming_the_thing(club_answers):
    declined(club_answers, ADVICE)
    # (offered, not hidden: the pair is still the first suggestion, and the rule is named)
    for question in ADVICE:
        assert club_answers[question]["hits"][0]["question"] == "砚台可以借吗？"
        assert "advice" in club_answers[question].get("held_back", ()), club_answers[question]


def test_a_judgement_of_price_or_ease_is_not_answered_by_a_pair_naming_the_thing(club_answers):
    declined(club_answers, JUDGEMENT)
    for question in JUDGEMENT:
        assert "advice" in club_answers[question].get("held_back", ()), club_answers[question]


@pytest.mark.parametrize("question, asked", ANSWERED)
def test_a_pair_asking_which_one_and_a_plain_question_are_still_answered(club_answers, question,
                                                                        asked):
    answered_with_pair(club_answers[question], asked)
