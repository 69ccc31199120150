"""Statutes and the texts made under them (issue 16), through the CLI on a small law, its
implementing regulation and a court's interpretation in tests/fixtures/statutes: the law says the
rule, the others repeat its words (培训时间依照职工培训法的规定执行) and must not come first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import ingested_folder, staffbot

STATUTES = Path(__file__).parent / "fixtures" / "statutes"


@pytest.fixture(scope="module")
def statutes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_folder(tmp_path_factory, STATUTES)


def first_two(question: str, db: Path) -> tuple[dict, dict, dict]:
    """``ask --json --explain``: the first two hits and every candidate's parts by citation."""
    answer = json.loads(staffbot("ask", question, "--json", "--explain", db=db).stdout)
    first, second = answer["hits"][:2]
    return first, second, {c["citation"]: c for c in answer["explain"]["candidates"]}


def test_the_law_outranks_its_implementing_regulation_repeating_its_words(statutes_db) -> None:
    first, second, parts = first_two("新招用职工的岗前安全培训时间是怎么规定的？", statutes_db)
    assert first["document"] == "中华人民共和国职工培训法" and first["section"].endswith("第八条")
    assert "二十四学时" in first["excerpt"]
    assert second["document"] == "中华人民共和国职工培训法实施条例"
    assert parts[second["citation"]]["under_law"] == 1.0
    assert parts[first["citation"]]["under_law"] == 0.0


def test_the_law_outranks_a_courts_interpretation_repeating_its_words(statutes_db) -> None:
    first, second, parts = first_two("职工调整工作岗位，用人单位要重新进行岗位培训吗？", statutes_db)
    assert first["document"] == "中华人民共和国职工培训法" and first["section"].endswith("第九条")
    assert second["document"].startswith("最高人民法院关于审理职工培训纠纷案件")
    assert parts[second["citation"]]["under_law"] == 1.0
