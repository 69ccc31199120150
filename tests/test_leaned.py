"""A one-clause question whose best article leads with learned heading associations at modest
confidence is suggested, not answered (issue 16, decide13), through the CLI on the invented
rules of tests/fixtures/decide_leaned: 邻居 points to the heading word 相邻
(knowledge/data/associations.tsv), so both articles filed under 相邻关系 get the associations'
part, and a short question about a neighbour's tree says too few of its own words to tell the
tree article from the digging one with confidence. A question said in an article's own words,
or one the article says enough of, stays a confident answer."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import asked, ingested_folder

FIXTURE = Path(__file__).parent / "fixtures" / "decide_leaned"
LEANED = ("邻居的树影响我家怎么办？", "邻居的树影响我家，怎么办？")
SURE = ("邻居的树木影响到我怎么办？", "物业要定期修剪小区的树木吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return asked(ingested_folder(tmp_path_factory, FIXTURE), LEANED + SURE)


@pytest.mark.parametrize("question", LEANED)
def test_a_short_question_carried_by_the_associations_is_suggested(answers, question) -> None:
    answer = answers[question]
    assert answer["status"] == "suggestions"
    decide = answer["explain"]["stages"]["decide"]
    # likely enough to answer on confidence alone, not enough for a match the associations lift
    assert decide["answer_confidence"] <= decide["confidence"] < decide["leaned_confidence"]
    assert decide["evidence"]["leaned"] == 1.0
    assert "leaned" in decide["held_back"]
    # the tree article first, the digging one (same heading) shown beside it
    assert [hit["section"] for hit in answer["hits"][:2]] == [
        "第三章 相邻关系 › 第四条", "第三章 相邻关系 › 第五条"]
    assert [c["associated"] for c in answer["explain"]["candidates"][:2]] == [1.0, 1.0]


def test_more_of_the_question_said_or_no_association_answers(answers) -> None:
    said, own = (answers[q] for q in SURE)
    # the same association, but the article says more of the question (树木): confident
    assert said["status"] == "answer"
    assert said["hits"][0]["section"] == "第三章 相邻关系 › 第四条"
    decide = said["explain"]["stages"]["decide"]
    assert decide["evidence"]["leaned"] == 1.0
    assert decide["confidence"] >= decide["leaned_confidence"]
    # a staff question in the rule's own words: no association lifts its article
    assert own["status"] == "answer"
    assert own["hits"][0]["section"] == "第二章 物业服务 › 第二条"
    assert own["explain"]["stages"]["decide"]["evidence"]["leaned"] == 0.0
