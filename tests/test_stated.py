"""Within one document, the article that states what is asked, through the CLI on
tests/fixtures/stated (a mutual-aid fund rule, an archive-request rule and a leave rule of our
own):

- the act before its result: asked 合同制职工要缴纳互助基金会费吗 (缴纳 after a modal, acting on
  互助基金会费), the fund's list of sources (…职工缴纳的互助基金会费；) says the verb only as a
  modifier of the fee and goes after the sibling that says the act (…职工依照本办法的规定，缴纳
  互助基金会费): knowledge.rank.act_first;
- the number with what it counts: asked 多少个工作日内答复, the article whose number stands in
  the sentence that says 答复 (…10个工作日内予以答复) before the sibling whose number limits
  another act (3个工作日内告知申请人补正) and says 答复期限 in another sentence:
  knowledge.rank.count_first;
- a sentence before an inventory: asked 请了好几回事假，年假还有吗 (no list asked), the list
  whose lead-in says none of the question (职工享受下列假期：（一）年休假；…（三）病假和事假)
  names 年休假 and 事假 only as entries and goes after the sibling whose lead-in says the rule
  (职工有下列情形之一的，不享受当年的年休假：（一）当年请事假累计20天以上的); and a
  definition (本办法所称病假，是指职工因患病不能上班的假期) after the rule that says what to
  do (…应当凭医院出具的证明请病假), unless the question asks what the term means:
  knowledge.rank.lead_first."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of

DOCS = Path(__file__).parent / "fixtures" / "stated"

QUESTIONS = ("合同制职工要缴纳互助基金会费吗？", "在编职工需要缴纳互助基金会费吗？",
             "互助基金由哪些部分构成？", "档案查阅申请多少个工作日内答复？",
             "档案查阅申请内容不明确的，几个工作日内告知补正？",
             "这一年请了好几回事假，年假还有吗？", "职工可以享受哪些假期？",
             "患病不能上班，病假怎么请？", "病假是指什么？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def first_two(answer: dict, first: str, phrase: str, second: str) -> tuple[dict, dict]:
    """Assert the first hit is article ``first`` quoting ``phrase`` and the second is article
    ``second``; return the two top candidates of ``--explain``."""
    one, two = answer["hits"][:2]
    assert one["section"].endswith(first) and phrase in one["excerpt"]
    assert two["section"].endswith(second)
    top, nxt = answer["explain"]["candidates"][:2]
    return top, nxt


def test_the_article_stating_the_act_goes_first(answers) -> None:
    answer = answers["合同制职工要缴纳互助基金会费吗？"]
    assert answer["status"] == "answer"
    # 第三条: 构成：…职工缴纳的互助基金会费
    top, nxt = first_two(answer, "第二条", "缴纳互助基金会费", "第三条")
    assert top["act"] == 1.0 and "act" not in nxt
    # the closer wording (the list item repeats the question's words in order) put 第三条 first
    assert top["coverage"] == nxt["coverage"] and top["fuzzy"] < nxt["fuzzy"]


def test_any_modal_marks_the_act(answers) -> None:
    first = answers["在编职工需要缴纳互助基金会费吗？"]["hits"][0]
    assert first["section"].endswith("第二条")


def test_the_number_said_with_what_it_counts_goes_first(answers) -> None:
    # 第三条: 3个工作日内告知申请人补正。…答复期限…
    top, nxt = first_two(answers["档案查阅申请多少个工作日内答复？"], "第四条", "10个工作日内予以答复",
                         "第三条")
    assert top["counted"] == 1.0 and "counted" not in nxt
    # both say a number and every word of the question; the closer wording put 第三条 first
    assert top["coverage"] == nxt["coverage"] and top["fuzzy"] < nxt["fuzzy"]


def test_a_sentence_goes_before_an_inventory_naming_the_words(answers) -> None:
    # 第二条: 职工享受下列假期：（一）年休假；…
    top, nxt = first_two(answers["这一年请了好几回事假，年假还有吗？"], "第四条", "不享受当年的年休假",
                         "第二条")
    assert top["lead"] == 1.0 and "lead" not in nxt
    # both cover the question alike; the inventory's short items put it first by BM25
    assert top["article"] == nxt["article"] and top["bm25"] < nxt["bm25"]


def test_the_rule_goes_before_the_definition_of_its_words(answers) -> None:
    # 第六条: 本办法所称病假，是指…
    top, nxt = first_two(answers["患病不能上班，病假怎么请？"], "第五条", "凭医院出具的证明请病假", "第六条")
    assert top["lead"] == 1.0 and top["article"] == nxt["article"] and top["bm25"] < nxt["bm25"]


@pytest.mark.parametrize(("question", "article", "part"), [
    ("互助基金由哪些部分构成？", "第三条", "act"),                  # about the thing: the list stays
    ("档案查阅申请内容不明确的，几个工作日内告知补正？", "第三条", "counted"),  # the sibling counts it
    ("职工可以享受哪些假期？", "第二条", "lead"),                    # a list asked: the inventory
    ("病假是指什么？", "第六条", "lead"),                            # a meaning asked: the definition
])
def test_an_order_rule_that_does_not_apply_moves_nothing(answers, question, article, part) -> None:
    answer = answers[question]
    assert answer["hits"][0]["section"].endswith(article)
    assert part not in answer["explain"]["candidates"][0]
