"""Colloquial fragments (issue 11, branch colloq2), through the CLI (``staffbot ask --json
--explain``): the pieces jieba leaves of everyday talk (没打上卡 → 打上卡, 要交个税 → 要交个 / 税),
verbs of direction, determiners and the commonest words of the language (去, 每个, 时候) are no
topic the documents lack, and everyday words rules never say (办后事, 留到明年) are looked for as
the rules say them.

The rules are written for this test in the words rules use (刷卡, 补登记, 个人所得税); the
questions the way staff type them. A run of characters jieba could not cut, that no dictionary
knows and that has a function character in it (上, 个, 先), weighs like a lone character, not
like the rarest word; a thesaurus word inside such a run (个税 of 要交个税) is found; a run of
content characters alone (月卡) still weighs like the rarest word, so an off-topic question about
it is declined.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import asked, ingested  # noqa: E402

RULES = """职工考勤、休假与个税规则摘录
第一条 工作人员上下班实行刷卡考勤。因公外出不能刷卡的，应当在当天补登记，由部门负责人签字确认。
第二条 工作人员迟到、早退累计3次的，按旷工半天计。
第三条 下列各项个人所得，免征个人所得税：按照国家统一规定发给职工的基本养老金或者退休费。
第四条 个人所得税以所得人为纳税人，以支付所得的单位为扣缴义务人。
第五条 职工工资按月以货币形式发放，不得克扣或者无故拖欠。
第六条 本院职工食堂由后勤处管理。
第七条 工作人员的直系亲属去世的，给予丧假3天；需要到外地料理丧事的，根据路程远近另给路程假。
第八条 女职工生育的，享受产假158天；生育多胞胎的，每多生育1个婴儿增加产假15天。
第九条 年休假一般应当在一个年度内安排，因工作需要确需跨年度安排的，可以跨1个年度安排。
第十条 工作人员到外地出差的，住宿费凭发票报销；去上海出差的，住宿费标准为每人每天500元。
第十一条 工作人员出差期间的伙食补助费按出差天数计算。
"""
FRAGMENT = "因公外出没打上卡怎么办？"       # 打上卡: jieba's 打 / 上 / 卡, no word
INSIDE = "拿的退休金要交个税吗？"          # 要交个 / 税: 个税 across jieba's cut
OFF_TOPIC = "停车场月卡怎么办？"            # 月卡: content characters, a word the rules lack
TALK = "我去上海出差的时候，每个晚上住宿能报多少？"  # 去: a verb of direction before the verb,
# 每个: a determiner, 时候: one of the commonest words (jieba counts it 31,521 times) the rules
# never say; none is what is asked about
# everyday words a dictionary knows and rules never say (thesaurus, 职场口语：补充二)
EVERYDAY = [
    ("爸妈在老家走了，回去办后事能请几天假？", "第七条", "料理丧事"),   # 办后事 → 丧事, 老家 → 外地
    ("今年年假没休完能留到明年吗？", "第九条", "跨1个年度安排"),       # 留到明年 → 跨年度
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("fragments"), "职工考勤休假与个税规则摘录.txt", RULES)
    questions = [FRAGMENT, INSIDE, OFF_TOPIC, TALK, *(q for q, _, _ in EVERYDAY)]
    return asked(db, questions)


def weights(answer: dict) -> dict[str, float]:
    return {u["text"]: u["weight"] for u in answer["explain"]["query"]["units"]}


def test_a_fragment_of_talk_does_not_keep_the_question_from_its_article(answers) -> None:
    answer = answers[FRAGMENT]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == "第一条"
    assert "当天补登记" in answer["hits"][0]["excerpt"]
    found = weights(answer)
    assert found["打上卡"] == pytest.approx(found["外出"] / 2, rel=0.01)   # 外出: a rarest word


def test_a_thesaurus_word_across_a_fragment_is_found(answers) -> None:
    answer = answers[INSIDE]
    units = {u["text"]: u.get("alternatives", []) for u in answer["explain"]["query"]["units"]}
    # (jieba's guess 要交个 is cut again at 个税's edges, so the unit is 个税 itself: faq6)
    assert any("个人所得税" in found for text, found in units.items() if "税" in text), units
    assert answer["status"] == "answer"
    assert answer["hits"][0]["section"] == "第三条"


def test_a_word_of_content_characters_the_rules_lack_still_declines(answers) -> None:
    answer = answers[OFF_TOPIC]
    assert answer["status"] == "not_found", [h["section"] for h in answer["hits"]]
    found = weights(answer)
    assert found["月卡"] == pytest.approx(max(found.values()))


def test_a_verb_of_direction_a_determiner_and_a_common_word_are_talk(answers) -> None:
    query = answers[TALK]["explain"]["query"]
    for talk in ("去", "每个"):
        assert talk in query["talk"] and talk not in weights(answers[TALK]), query["units"]
    found = weights(answers[TALK])
    assert found["时候"] == pytest.approx(found["上海"] / 2, rel=0.01)   # 上海: a rarest word
    assert answers[TALK]["hits"][0]["section"] == "第十条"


@pytest.mark.parametrize("question, article, says", EVERYDAY)
def test_an_everyday_word_rules_never_say_is_looked_for_as_they_say_it(answers, question,
                                                                       article, says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer", (answer["status"], [h["section"] for h in answer["hits"]])
    assert answer["hits"][0]["section"] == article
    assert says in answer["hits"][0]["excerpt"]
