"""Statutes and the texts made under them (issue 16), through the CLI on a small law, its
implementing regulation and a court's interpretation in tests/fixtures/statutes: the law says the
rule, the others repeat its words (培训时间依照职工培训法的规定执行) and must not come first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import staffbot

STATUTES = Path(__file__).parent / "fixtures" / "statutes"


@pytest.fixture(scope="module")
def statutes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("statutes") / "kb.db"
    staffbot("ingest", str(STATUTES), db=db)
    return db


def test_the_law_outranks_its_implementing_regulation_repeating_its_words(statutes_db) -> None:
    run = staffbot("ask", "新招用职工的岗前安全培训时间是怎么规定的？", "--json", "--explain",
                   db=statutes_db)
    answer = json.loads(run.stdout)
    first, second = answer["hits"][:2]
    assert first["document"] == "中华人民共和国职工培训法" and first["section"].endswith("第八条")
    assert "二十四学时" in first["excerpt"]
    assert second["document"] == "中华人民共和国职工培训法实施条例"
    parts = {c["citation"]: c for c in answer["explain"]["candidates"]}
    assert parts[second["citation"]]["under_law"] == 1.0
    assert parts[first["citation"]]["under_law"] == 0.0


def test_the_law_outranks_a_courts_interpretation_repeating_its_words(statutes_db) -> None:
    run = staffbot("ask", "职工调整工作岗位后，用人单位要重新进行岗位培训吗？", "--json", "--explain",
                   db=statutes_db)
    answer = json.loads(run.stdout)
    first, second = answer["hits"][:2]
    assert first["document"] == "中华人民共和国职工培训法" and first["section"].endswith("第九条")
    assert second["document"].startswith("最高人民法院关于审理职工培训纠纷案件")
    parts = {c["citation"]: c for c in answer["explain"]["candidates"]}
    assert parts[second["citation"]]["under_law"] == 1.0
