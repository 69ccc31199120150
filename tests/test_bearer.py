"""The rule binding the party a question asks about, before one binding another party (issue 16
item 4, branch rel16, rank.bearer_first), through the CLI on tests/fixtures/bearer (our own
staff-safety rule and union rule): asked 单位要…吗, 用人单位的主要负责人…应当接受…培训 answers,
not 工会组织应当督促…用人单位开展…培训, which says more of the question's words."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

DOCS = Path(__file__).parent / "fixtures" / "bearer"

QUESTIONS = ("单位要给职工做安全卫生培训吗？", "工会要协助单位搞职工安全卫生培训吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_the_rule_binding_the_party_asked_about_comes_first(answers) -> None:
    hits = answers["单位要给职工做安全卫生培训吗？"]["hits"]
    assert hits[0]["section"].endswith("第七条")
    assert "第五条" in [hit["section"].split(" › ")[-1] for hit in hits[1:3]]


def test_a_rule_binding_the_party_named_stays_first(answers) -> None:
    hits = answers["工会要协助单位搞职工安全卫生培训吗？"]["hits"]
    assert hits[0]["section"].endswith("第五条")
