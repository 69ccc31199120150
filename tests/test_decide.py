"""The decision between a confident answer and suggestions when many articles look alike
(issues 11 and 16), through the CLI on tests/fixtures/crowd: a rule whose every article says
使用…印章…应当…登记 (one per kind of seal), asked the way staff ask."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import staffbot, staffbot_together

CROWD = Path(__file__).parent / "fixtures" / "crowd"


@pytest.fixture(scope="module")
def crowd_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("crowd") / "kb.db"
    staffbot("ingest", str(CROWD), db=db)
    return db


def _ask(db: Path, *questions: str) -> list[dict]:
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None) for q in questions), db=db)
    return [json.loads(run.stdout) for run in runs]


def test_a_crowd_of_look_alike_articles_gives_suggestions_and_a_telling_word_answers(
        crowd_db) -> None:
    crowd, electronic = _ask(crowd_db, "使用印章应当登记吗？", "使用电子印章应当登记吗？")
    # eight articles say every word of the question; the first leads by a little (more than a
    # tie between two), and which of them answers is not in the question's words
    decide = crowd["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert decide["confidence"] >= decide["answer_confidence"]
    assert crowd["status"] == "suggestions"
    assert evidence["rivals"] >= decide["crowd_rivals"]
    assert decide["tie_margin"] <= evidence["margin"] < decide["near_margin"]
    assert evidence["missing"] == 0.0 and evidence["statute"] == 1.0
    assert len({hit["section"] for hit in crowd["hits"]}) == 3
    # 电子 is said by one article only: no crowd, the answer
    assert electronic["status"] == "answer"
    assert electronic["hits"][0]["section"] == "第九条"
    assert electronic["explain"]["stages"]["decide"]["evidence"]["rivals"] == 0.0


def test_a_near_lead_is_a_tie_when_only_the_next_article_says_what_is_asked(crowd_db) -> None:
    who, which = _ask(crowd_db, "会议室预约顺序由谁确定？", "会议室预约顺序由哪个部门确定？")
    # 第二条 (按申请时间确定) and 第三条 (由办公室统一协调确定) say every word of the question;
    # 第二条 leads by a little, but only 第三条 says who: both are offered
    decide = who["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert decide["confidence"] >= decide["answer_confidence"]
    assert who["status"] == "suggestions"
    assert evidence["ahead"] <= decide["tie_ahead"] and evidence["type_ahead"] == -1.0
    assert decide["tie_margin"] <= evidence["margin"] < decide["near_margin"]
    assert [hit["section"] for hit in who["hits"][:2]] == ["第二条", "第三条"]
    # 部门 is said by 第三条 only (相关部门): it is ahead, and the answer
    assert which["status"] == "answer" and which["hits"][0]["section"] == "第三条"
