"""Within one document, the article that says what is asked first (issue 16, item 2), through
the CLI on the small rule in tests/fixtures/siblings: its articles share their words, and a short
one repeating the question's words (职工依法享有休息休假的权利) leads BM25 over the one that
answers (职工享有下列休息休假权利：（一）…)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

RULES = Path(__file__).parent / "fixtures" / "siblings"

QUESTIONS = ("职工享有哪些休息休假权利？", "年休假申请由谁审批？", "岗前培训最少几天？",
             "职工参加外部培训最少几天？", "外部培训结束后最晚几天内交总结？",
             "职工依法享有休息休假的权利吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    return answers_of(tmp_path_factory, RULES, QUESTIONS)


@pytest.mark.parametrize(("question", "answering", "passed", "says"), [
    # 哪些 → the article that enumerates, not the general one naming the right
    ("职工享有哪些休息休假权利？", "第四条", "第二条", "（一）每周至少休息一日"),
    # 由谁 → the article that names who approves, not the one on the order of approval
    ("年休假申请由谁审批？", "第六条", "第五条", "由人事处统一审批"),
    # 几天 → the article with the number, not the one repeating 岗前培训 without it
    ("岗前培训最少几天？", "第七条", "第三条", "不少于3天"),
    # 最少几天 → a least: 不少于5天, not 5天内 (both say a number)
    ("职工参加外部培训最少几天？", "第十条", "第九条", "不少于5天"),
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
    assert top["says_it"] == 1.0 and top["answer_type"] == 1.0
    assert top["bm25"] < nxt["bm25"] and top["coverage"] >= nxt["coverage"]
    assert top["final"] > nxt["final"]


def test_the_order_stays_when_the_best_says_what_is_asked_or_nothing_is_asked(answers) -> None:
    # 最晚几天内 → a most: 5天内 says it, the first stays first
    latest = answers["外部培训结束后最晚几天内交总结？"]
    assert latest["hits"][0]["section"].endswith("第九条")
    assert "says_it" not in latest["explain"]["candidates"][0]
    answer = answers["职工依法享有休息休假的权利吗？"]
    assert answer["explain"]["query"]["asks"] == []
    assert answer["hits"][0]["section"].endswith("第二条")
    assert "says_it" not in answer["explain"]["candidates"][0]


# -- a quantity asked with a bound (knowledge.query.BOUNDS, one test per row) -----------------------

@pytest.mark.parametrize(("question", "answering", "not_answering"), [
    ("网络日志至少要留存多长时间？", "留存相关的网络日志不少于六个月。", "网络日志应当在6个月内备份。"),
    ("用人单位安排残疾人就业的比例最低是多少？", "比例不得低于本单位在职职工总数的1.5%。",
     "按照本单位在职职工总数的1.5%安排残疾人就业。"),
    ("事假每次最多能请几天？", "事假每次一般不超过3天。", "请事假3天以上的，报院长审批。"),
    ("信访事项最长多久办结？", "应当自受理之日起60日内办结。", "延长期限满30日以上的，应当告知信访人。"),
])
def test_a_bound_asked_names_the_limit_that_answers_it(question, answering, not_answering) -> None:
    from knowledge.query import Query, answer_types

    query = Query(question, question, {}, {}, [], asks=answer_types(question))
    assert query.bound_patterns
    assert query.says_bound(answering) and not query.says_bound(not_answering)
    # no bound asked: any sentence will do
    plain = question.replace("至少", "").replace("最低", "").replace("最多", "").replace("最长", "")
    assert Query(plain, plain, {}, {}, [], asks=answer_types(plain)).says_bound(not_answering)
