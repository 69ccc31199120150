"""Everyday words for legal matters (issues 11 and 16): the thesaurus's civil, family, tenancy,
traffic and criminal sections, through the CLI (``staffbot ask --json``).

The rules below are written for this test in the words statutes use (出租人, 盗窃, 饮酒后驾驶,
与他人同居, 拾得遗失物); the questions use the words people say (房东, 偷, 喝酒开车, 外遇, 捡到).
Each question shares no content word with its article except through a thesaurus group, and
each article has a neighbour on the same subject that the group must not pull ahead.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import ingested, staffbot_together  # noqa: E402

RULES = """民事与刑事规则摘录
第一条 有下列情形之一，导致离婚的，无过错方有权请求损害赔偿：（一）重婚；（二）与他人同居；（三）实施家庭暴力；（四）虐待、遗弃家庭成员。
第二条 男女双方自愿离婚的，应当签订书面离婚协议，并亲自到婚姻登记机关申请离婚登记。
第三条 盗窃公私财物，数额较大的，处三年以下有期徒刑、拘役或者管制，并处或者单处罚金。
第四条 饮酒后驾驶机动车的，处暂扣六个月机动车驾驶证，并处一千元以上二千元以下罚款。
第五条 机动车应当按照规定定期进行安全技术检验。
第六条 承租人应当按照约定的期限支付租金。
第七条 房东每月五日前到各宿舍收取房租。
第八条 拾得遗失物，应当返还权利人。拾得人应当及时通知权利人领取，或者送交公安等有关部门。
"""

EVERYDAY = [
    # question in everyday words → the article, and what its excerpt says
    ("老婆有外遇了想离婚", "第一条", "与他人同居"),   # 外遇 → 与他人同居 (without it: 第二条)
    ("偷东西会判几年", "第三条", "盗窃公私财物"),                  # 偷东西 → 盗窃
    ("喝酒开车会怎么处罚", "第四条", "饮酒后驾驶机动车"),          # 喝酒开车 → 饮酒后驾驶
    ("捡到别人的钱包要还给失主吗", "第八条", "拾得遗失物"),  # 捡到 → 拾得, 失主 → 权利人
]


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory) -> Path:
    return ingested(tmp_path_factory.mktemp("legal"), "民事与刑事规则摘录.txt", RULES)


@pytest.fixture(scope="module")
def answers(rules_db) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    questions = [q for q, _, _ in EVERYDAY] + [FORMAL, COLLOQUIAL]
    results = staffbot_together(*[(["ask", q, "--json", "--explain"], None) for q in questions],
                                db=rules_db)
    return {q: json.loads(r.stdout) for q, r in zip(questions, results)}


@pytest.mark.parametrize("question, article, says", EVERYDAY)
def test_an_everyday_question_finds_the_formal_article(answers, question, article, says) -> None:
    answer = answers[question]
    assert answer["hits"], answer["status"]
    assert answer["hits"][0]["section"] == article, [h["section"] for h in answer["hits"]]
    assert says in answer["hits"][0]["excerpt"]


# 房租 > 租金 is one-way: 房租 is only how people say it. A question in the statute's word
# (租金) must not be expanded back to 房租 (第七条, a notice that says 房东 / 房租 only).
FORMAL = "承租人的租金什么时候交"
COLLOQUIAL = "房租什么时候交"


def test_a_one_way_group_does_not_expand_backwards(answers) -> None:
    formal = answers[FORMAL]
    expansions = json.dumps(formal["explain"]["query"]["expansions"], ensure_ascii=False)
    assert "房租" not in expansions and "房东" not in expansions, expansions
    sections = [h["section"] for h in formal["hits"]]
    assert sections and sections[0] == "第六条" and "第七条" not in sections, sections


def test_the_colloquial_word_finds_both_its_own_and_the_formal_wording(answers) -> None:
    colloquial = answers[COLLOQUIAL]
    assert "租金" in colloquial["explain"]["query"]["expansions"].get("房租", [])
    sections = [h["section"] for h in colloquial["hits"]]
    assert {"第六条", "第七条"} <= set(sections), sections
