"""A list asked by name (哪些事项, 哪些情况) is answered by the article whose lead-in announces a
list of that (对下列事项实施安全检查：, 有下列情形之一的), not by a sibling that lists something
else in the same words (有权采取下列检查措施：…就检查事项询问…), through the CLI on the small rule
in tests/fixtures/lists (issue 16, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

RULES = Path(__file__).parent / "fixtures" / "lists"

QUESTIONS = ("安全检查都检查哪些事项？", "领交通补贴期间有哪些情况会被取消？",
             "安全检查人员可以采取哪些检查措施？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    return answers_of(tmp_path_factory, RULES, QUESTIONS)


@pytest.mark.parametrize(("question", "answering", "passed", "says", "moved"), [
    # 哪些事项 → 对下列事项实施安全检查：, not 有权采取下列检查措施： (which says 检查事项 twice):
    # the words alone put the other list first
    ("安全检查都检查哪些事项？", "第三条", "第四条", "危险物品的存放情况", True),
    # 哪些情况 → 有下列情形之一的 (a rule's word for a case), not 用于下列支出： (since session 26
    # the thesaurus's 情况 > 情形 finds it by its words)
    ("领交通补贴期间有哪些情况会被取消？", "第八条", "第七条", "调离本单位", False),
])
def test_the_lead_in_naming_what_is_asked_goes_first(answers, question: str, answering: str,
                                                      passed: str, says: str, moved: bool) -> None:
    answer = answers[question]
    sections = [hit["section"] for hit in answer["hits"]]
    assert sections[0].endswith(answering) and says in answer["hits"][0]["excerpt"]
    assert sections.index(next(s for s in sections if s.endswith(passed))) > 0
    top = answer["explain"]["candidates"][0]
    assert top["answer_type"] == 1.0
    if moved:
        assert top["says_it"] == 1.0
        assert top["bm25"] < max(c["bm25"] for c in answer["explain"]["candidates"][1:])


def test_a_list_named_by_its_own_lead_in_stays_first(answers) -> None:
    # 哪些检查措施 → 有权采取下列检查措施：, which BM25 puts first already
    answer = answers["安全检查人员可以采取哪些检查措施？"]
    assert answer["hits"][0]["section"].endswith("第四条")
    assert "says_it" not in answer["explain"]["candidates"][0]


@pytest.mark.parametrize(("question", "announces", "does_not"), [
    ("劳动保障监察都检查哪些事项？", "劳动保障行政部门对下列事项实施劳动保障监察：",
     "有权采取下列调查、检查措施："),
    ("什么情况下可以解除合同？", "有下列情形之一的，可以解除合同：", "用于下列支出："),
    ("哪些信息属于敏感个人信息？", "包括下列信息：", "履行下列个人信息保护职责："),
])
def test_a_lead_in_announces_what_its_items_are(question, announces, does_not) -> None:
    from knowledge.query import Query, Unit, answer_types

    units = [Unit(w, 1.0) for w in ("事项", "情况", "解除", "合同", "信息", "敏感", "个人信息")
             if w in question]
    query = Query(question, question, {}, {}, units, asks=answer_types(question))
    assert query.lists_asked(announces) and not query.lists_asked(does_not)
