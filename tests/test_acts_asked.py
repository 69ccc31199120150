"""What a party did, asked as a list (公司做了哪些事, 员工犯了哪些错), on a rule of our own
(tests/fixtures/acts_asked, written for these tests), through the CLI: rules list such cases under
a lead-in (公司有下列情形之一的，员工可以解除劳动合同：), never as 做…事. The question is read as
哪些情形: 做 and 事 are no topic words (the article saying 做好工作交接…把手头的事交代清楚 is no
answer), and the lead-in announcing the cases answers, confidently. A question that does not ask
a list (员工做错事要赔钱吗) keeps its words."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles, units

DOCS = Path(__file__).parent / "fixtures" / "acts_asked"

QUESTIONS = ("公司做了哪些事我可以直接辞职走人？", "员工犯了哪些错公司可以直接开除？", "员工做错事要赔钱吗")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


@pytest.mark.parametrize(("question", "article", "lead_in"), [
    ("公司做了哪些事我可以直接辞职走人？", "第四条", "公司有下列情形之一的，员工可以解除劳动合同"),
    ("员工犯了哪些错公司可以直接开除？", "第五条", "员工有下列情形之一的，公司可以解除劳动合同"),
])
def test_what_a_party_did_asked_as_a_list_is_answered_by_the_cases_listed(
        answers, question, article, lead_in) -> None:
    answer = answers[question]
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == article
    excerpt = answer["hits"][0]["excerpt"].replace("【", "").replace("】", "")
    assert lead_in in excerpt and "（三）" in excerpt           # the lead-in with its items
    assert "情形" in units(answer) and not {"做", "事", "错"} & set(units(answer))


def test_a_question_asking_no_list_keeps_its_words(answers) -> None:
    answer = answers["员工做错事要赔钱吗"]
    assert articles(answer)[0] == "第六条"
    assert "情形" not in units(answer)
