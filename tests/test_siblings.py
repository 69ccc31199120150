"""Within one document, the article that says what is asked first (issue 16, item 2), through
the CLI on the small rule in tests/fixtures/siblings: its articles share their words, and a short
one repeating the question's words (职工依法享有休息休假的权利) leads BM25 over the one that
answers (职工享有下列休息休假权利：（一）…)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import ingested_folder, staffbot_together

RULES = Path(__file__).parent / "fixtures" / "siblings"

QUESTIONS = ("职工享有哪些休息休假权利？", "年休假申请由谁审批？", "岗前培训最少几天？",
             "职工依法享有休息休假的权利吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    db = ingested_folder(tmp_path_factory, RULES)
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None) for q in QUESTIONS),
                             db=db)
    return {q: json.loads(run.stdout) for q, run in zip(QUESTIONS, runs)}


@pytest.mark.parametrize(("question", "answering", "passed", "says"), [
    # 哪些 → the article that enumerates, not the general one naming the right
    ("职工享有哪些休息休假权利？", "第四条", "第二条", "（一）每周至少休息一日"),
    # 由谁 → the article that names who approves, not the one on the order of approval
    ("年休假申请由谁审批？", "第六条", "第五条", "由人事处统一审批"),
    # 几天 → the article with the number, not the one repeating 岗前培训 without it
    ("岗前培训最少几天？", "第七条", "第三条", "不少于3天"),
])
def test_the_article_saying_what_is_asked_goes_before_its_sibling(
        answers, question: str, answering: str, passed: str, says: str) -> None:
    answer = answers[question]
    first, second = answer["hits"][:2]
    assert first["section"].endswith(answering) and says in first["excerpt"]
    assert second["section"].endswith(passed)
    assert answer["status"] == "answer"
    # BM25 and the words put the sibling first; the move is shown in --explain
    top, nxt = answer["explain"]["candidates"][:2]
    assert top["says_it"] == 1.0 and top["answer_type"] == 1.0 and nxt["answer_type"] == 0.0
    assert top["bm25"] < nxt["bm25"] and top["coverage"] >= nxt["coverage"]
    assert top["final"] > nxt["final"]


def test_a_question_that_asks_for_no_kind_of_answer_keeps_the_order(answers) -> None:
    answer = answers["职工依法享有休息休假的权利吗？"]
    assert answer["explain"]["query"]["asks"] == []
    assert answer["hits"][0]["section"].endswith("第二条")
    assert "says_it" not in answer["explain"]["candidates"][0]
