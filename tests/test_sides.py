"""The sides a rule binds, named in each document's own words (issue 16, branch party14):
through ``staffbot ask --json --explain`` on tests/fixtures/sides — an invented safety rule
naming the sides 生产经营单位 / 从业人员, a labour rule 用人单位 / 劳动者 and a company's own
rules 公司 / 员工. Asked with the everyday words (公司, 厂里, 工人), the safety rule's sentence
saying the rest of the question counts them as said through its own terms (knowledge/parties.py:
coverage near 1, not less the party word's share); the labour rule keeps its thesaurus match."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles

DOCS = Path(__file__).parent / "fixtures" / "sides"

QUESTIONS = ("公司每半年要组织消防疏散演练吗？", "厂里要给工人配防尘口罩吗？",
             "公司多久内要跟员工签书面劳动合同？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def coverage_of(answer: dict, article: str) -> float:
    """The rerank's coverage of the candidate under ``article`` (``--explain``)."""
    return next(c["coverage"] for c in answer["explain"]["candidates"]
                if f"› {article} ›" in c["citation"])


def test_the_company_is_said_by_the_safety_rules_own_term(answers) -> None:
    answer = answers["公司每半年要组织消防疏散演练吗？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第三条"
    assert coverage_of(answer, "第三条") >= 0.95


def test_the_factory_and_its_workers_too(answers) -> None:
    answer = answers["厂里要给工人配防尘口罩吗？"]
    assert articles(answer)[0] == "第二条"
    assert coverage_of(answer, "第二条") >= 0.95


def test_a_labour_rule_keeps_its_own_match(answers) -> None:
    answer = answers["公司多久内要跟员工签书面劳动合同？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第二条"
    assert answer["hits"][0]["document"] == "劳动用工规定"
