"""Ranking on rules and statutes (issue 16): one hit per article, the evidence behind the
decision, what the question asks for."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase

STATUTE = """\
失业保险条例

第二章 失业保险基金

第五条 失业保险基金由下列各项构成：
（一）城镇企业事业单位、城镇企业事业单位职工缴纳的失业保险费；
（二）失业保险基金的利息；
（三）财政补贴；
（四）依法纳入失业保险基金的其他资金。

第六条 城镇企业事业单位按照本单位工资总额的2%缴纳失业保险费。城镇企业事业单位职工按照本人工资的1%缴纳失业保险费。

城镇企业事业单位招用的农民合同制工人本人不缴纳失业保险费。

第七条 失业保险基金在直辖市和设区的市实行全市统筹；其他地区的统筹层次由省、自治区人民政府规定。

第三章 失业保险待遇

第十七条 失业人员失业前所在单位和本人按照规定累计缴费时间满1年不足5年的，领取失业保险金的期限最长为12个月；累计缴费时间满5年不足10年的，领取失业保险金的期限最长为18个月；累计缴费时间10年以上的，领取失业保险金的期限最长为24个月。

第十八条 失业保险金的标准，按照低于当地最低工资标准、高于城市居民最低生活保障标准的水平，由省、自治区、直辖市人民政府确定。

第五章 罚则

第三十一条 不按照规定缴纳失业保险费的，由劳动保障行政部门责令限期缴纳；逾期仍不缴纳的，除补缴欠缴数额外，从欠缴之日起，按日加收千分之二的滞纳金。
"""


@pytest.fixture(scope="module")
def statute_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("statute")
    (folder / "失业保险条例.txt").write_text(STATUTE, encoding="utf-8")
    kb = KnowledgeBase(folder / "kb.db")
    kb.ingest([folder / "失业保险条例.txt"])
    yield kb
    kb.close()


def _article(hit) -> tuple[str, ...]:
    return hit.citation.section


# -- three hits, three articles -------------------------------------------------------------------

def test_paragraphs_of_one_article_are_one_hit(statute_kb) -> None:
    answer = statute_kb.search("农民合同制工人缴纳失业保险费", k=3)
    articles = [_article(hit) for hit in answer.hits]
    assert articles[0][-1] == "第六条"
    assert len(articles) == len(set(articles))


def test_more_results_continue_with_the_next_articles(statute_kb) -> None:
    answer = statute_kb.search("失业保险费", k=5)
    articles = [_article(hit) for hit in answer.hits]
    assert len(articles) == len(set(articles))


# -- the decision from evidence ------------------------------------------------------------------

def test_explain_shows_the_evidence_and_the_confidence(statute_kb) -> None:
    from knowledge.rank import EVIDENCE

    decide = statute_kb.search("失业保险金最长能领多久", explain=True).explain["stages"]["decide"]
    assert set(decide["evidence"]) == set(EVIDENCE)
    assert 0.0 <= decide["confidence"] <= 1.0
    assert decide["status"] == "answer"
    assert decide["confidence"] >= decide["answer_confidence"]


@pytest.mark.parametrize("question", ["明天天气怎么样？", "iPhone怎么截屏？", "附近哪家火锅店好吃？"])
def test_a_question_nothing_answers_is_not_found(statute_kb, question: str) -> None:
    assert statute_kb.search(question).status == "not_found"


def test_confidence_grows_with_the_evidence() -> None:
    from knowledge.rank import EVIDENCE, confidence

    weak = dict.fromkeys(EVIDENCE, 0.2)
    strong = dict.fromkeys(EVIDENCE, 0.9)
    assert confidence(weak) < confidence(strong)
    # a lead over the next hit speaks for the best one
    assert confidence({**weak, "margin": 0.0}) < confidence({**weak, "margin": 0.3})
