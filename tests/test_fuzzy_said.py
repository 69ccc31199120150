"""The rerank's fuzzy part reads the question as the paragraph could have said it (issues 16, 11):
staff ask 不给交失业保险, the rule says 未按规定缴纳社会保险费 (a defined collective name and the
formal act), and another rule repeating the question's own characters must not win on them.
Through the CLI, on short rules written here."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import asked, staffbot

# 失业保险费 is one of the 社会保险费 (a name the document defines); 第三条 answers
FEES = """社会保险缴费办法
第一条 为规范本单位社会保险费的缴纳，制定本办法。
第二条 基本养老保险费、基本医疗保险费、失业保险费（以下统称社会保险费）由单位按月缴纳。
第三条 单位未按规定缴纳社会保险费的，职工可以向人事部门反映，由人事部门责令限期补缴。
第四条 职工个人应当缴纳的部分，由单位从工资中代扣代缴。
"""

# says the question's own words 单位, 失业保险, and answers nothing about it
INTERNS = """实习管理规定
第一条 为规范本单位实习学生的管理，制定本规定。
第二条 实习期间由单位提供工作餐和住宿。
第三条 实习学生不参加单位的失业保险。
第四条 实习学生每月领取实习补贴。
"""

QUESTIONS = ("单位不给交失业保险怎么办", "单位不交失业保险怎么办")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    folder = tmp_path_factory.mktemp("fuzzy")
    docs = folder / "docs"
    docs.mkdir()
    for title, text in (("社会保险缴费办法", FEES), ("实习管理规定", INTERNS)):
        (docs / f"{title}.txt").write_text(text, encoding="utf-8")
    db = folder / "kb.db"
    staffbot("ingest", str(docs), db=db)
    return asked(db, QUESTIONS)


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_rule_saying_the_formal_words_comes_first(answers, question: str) -> None:
    answer = answers[question]
    hit = answer["hits"][0]
    assert (answer["status"], hit["document"], hit["section"].split(" › ")[-1]) == (
        "answer", "社会保险缴费办法", "第三条"), answer["hits"]
    fuzzy = {c["citation"].split(" › ")[0] + c["citation"].split(" › ")[1]: c["fuzzy"]
             for c in answer["explain"]["candidates"]}
    # the formal wording stands in for the everyday one: closer than the literal repeat
    assert fuzzy["社会保险缴费办法第三条"] > fuzzy["实习管理规定第三条"]
