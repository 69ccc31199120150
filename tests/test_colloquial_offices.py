"""Everyday names of offices and of kinds of work (issue 11, branch colloq7), through the CLI
(``staffbot ask --json --explain``): staff say 人社局, 妇联, 摆摊, 打零工, 黑中介 where rules say
人力资源社会保障行政部门, 妇女联合会, 个体经营, 灵活就业, 职业中介 (knowledge/data/thesaurus.txt,
block colloq7). Each rule has a neighbour that shares the question's other words, so only the
everyday name decides.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import asked, ingested, looked_for  # noqa: E402

RULES = """职工求助与投诉渠道
第一条 职工认为单位克扣工资的，可以向当地人力资源社会保障行政部门投诉。
第二条 职工对食堂饭菜质量不满意的，可以向后勤处投诉。
第三条 女职工的合法权益受到侵害的，可以向妇女联合会求助。
第四条 职工的子女在校遇到困难的，可以向所在学校求助。
第五条 职工离职后从事个体经营的，可以申请一次性创业补贴。
第六条 职工离职后参加职业技能培训并取得证书的，可以申请技能提升补贴。
第七条 职工在业余时间从事非全日制用工或者其他灵活就业的，应当事先向人事处报告。
第八条 职工因私出国的，应当事先向人事处报告。
第九条 职工发现未经许可从事职业中介活动的，可以向劳动保障监察机构举报。
第十条 职工发现有人在办公区推销保险的，可以向保卫处举报。
"""
EVERYDAY = [      # question, the article, its formal name, answered (not only suggested)
    ("我能去人社局投诉吗？", "第一条", "人力资源社会保障行政部门", True),
    ("受了欺负可以找妇联求助吗？", "第三条", "妇女联合会", True),
    ("辞职后出去摆摊能申请补贴吗？", "第五条", "个体经营", True),
    ("下了班去打零工要跟人事处报告吗？", "第七条", "灵活就业", True),
    ("遇到黑中介骗钱可以举报吗？", "第九条", "职业中介", False),
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("offices"), "职工求助与投诉渠道.txt", RULES)
    return asked(db, [q for q, *_ in EVERYDAY])


@pytest.mark.parametrize(("question", "article", "says", "answered"), EVERYDAY)
def test_everyday_names_of_offices_and_work_find_the_rule_that_names_them(
        answers, question, article, says, answered) -> None:
    answer = answers[question]
    sections = [h["section"] for h in answer["hits"]]
    looked_for(answer, says)
    assert sections and sections[0] == article, (answer["status"], sections)
    if answered:
        assert answer["status"] == "answer", (answer["status"], sections)
    assert says in answer["hits"][0]["excerpt"]
