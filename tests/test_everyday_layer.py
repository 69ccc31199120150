"""A new domain's FAQ sheet asked in the everyday words under every domain (issue 11, branch
life12): ``staffbot ask --json`` on a guest house's sheet (招待所问答.csv, a domain no thesaurus
block and no bench sheet covers), through the thesaurus' everyday layer."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_faq import _sheet_answers, answered_with_pair, declined

GUEST_HOUSE = "招待所问答.csv"
# Each a suggestion or not found on main 15ea7eb, answered with its pair through the layer.
EVERYDAY = [
    ("住宿要掏钱吗", "招待所的房费如何收取？"),                  # 掏钱 → 费用 收费
    ("交钱在哪交", "招待所的房费如何收取？"),                    # 交钱 → 收费 缴费
    ("能在房间里吃零食吗", "客房内可以自带食品吗？"),            # 零食 → 食品
    ("不小心把杯子打碎了要赔吗", "住客损坏了客房物品怎么处理？"),  # 打碎 → 损坏
    ("床单撕破了怎么办", "住客损坏了客房物品怎么处理？"),          # 撕破 → 损坏 破损
    ("钱包忘拿了上哪找", "在招待所遗失物品去哪里查询？"),        # 忘拿 → 遗失; 钱包 → 贵重物品
    ("手表落在房间了找谁", "在招待所遗失物品去哪里查询？"),      # 手表 → 贵重物品 财物
]
# Everyday questions saying the layer's words (奶茶 → 饮料, 打碎 → 损坏, 钱包) about nothing
# the sheet answers.
OFF_TOPIC = ["奶茶喝多了会长胖吗", "家里的杯子打碎了怎么收拾", "钱包什么牌子的好", "晚饭吃什么好"]


@pytest.fixture(scope="module")
def guest_house_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of each question put to the guest house's sheet alone."""
    return _sheet_answers(tmp_path_factory, GUEST_HOUSE, [q for q, _ in EVERYDAY] + OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", EVERYDAY)
def test_a_question_in_everyday_words_is_answered_with_its_pair(guest_house_answers, question,
                                                                asked):
    answered_with_pair(guest_house_answers[question], asked)


def test_an_everyday_off_topic_question_is_not_answered(guest_house_answers):
    declined(guest_house_answers, OFF_TOPIC)
