"""An office's own staff rule asked in everyday words (session 26), through the CLI on
tests/fixtures/everyday (a rule of our own): the thesaurus lines a staff member's words need
(裁掉 → 裁减人员, 先问问 → 征求意见, 拿不准 → 不能确定, 不跟我续 → 不续订, 坐牢 → 刑事责任, 我不同意
→ 协商一致 / 单方面, 干一样的活 → 同工同酬, 越滚越多 → 加处罚款, 注册在 / 在这边上班 → 所在地 /
劳动合同履行地, 评伤残等级 as one word; session 27: 被翻出来 → 发现, 牌子 → 品牌, 手上 → 掌握,
骗保 → 骗取社会保险待遇, 要裁我 → 裁减人员, 拖着 → 拖延), the list a question names by its aspects
(哪些方面 → 下列事项) or by the decision announcing it (哪些处分 → 拟作出下列处分决定), 裸辞 as
the worker's own ending, what a court enforces (支付令, 强制执行) as what follows, and 没交会怎么样
as asking about 没交."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles, looked_for, units

DOCS = Path(__file__).parent / "fixtures" / "everyday"

# question → (a word it is also searched for, the article answering it)
WORDS = {
    "公司要一次裁掉三十个人，要走什么程序？": ("裁减人员", "第六条"),
    "改规章制度要不要先问问员工？": ("征求意见", "第七条"),
    "拿不准一份文件能不能对外公开，报给谁定？": ("不能确定", "第十五条"),
    "合同到期公司不跟我续，有补偿吗？": ("不续订", "第十条"),
    "挪用公款会坐牢吗？": ("刑事责任", "第五条"),
    "领导要给我调岗降薪，我不同意行不行？": ("协商一致", "第十一条"),
    "女员工干一样的活，工资能比男的低吗？": ("同工同酬", "第十二条"),
    "罚款一直拖着不交，会不会越滚越多？": ("加处罚款", "第十六条"),
    "公司注册在外地，我在这边上班，仲裁去哪申请？": ("劳动合同履行地", "第十三条"),
    "违规的行为两年后才被翻出来，还会追究吗？": ("发现", "第十七条"),
    "写采购需求能不能直接写明要某个牌子？": ("品牌", "第十八条"),
    "考勤记录都在公司手上，谁负责拿出来？": ("掌握", "第十九条"),
    "骗保会被开除吗？": ("社会保险待遇", "第二十条"),
    "公司要裁我，要提前跟工会说吗？": ("裁减人员", "第六条"),
}
ASPECTS, DECISIONS = "考核主要看哪些方面？", "哪些处分我可以要求复核？"
DISABILITY, RESIGNING = "工伤了要评伤残等级找谁？", "我想裸辞，要提前多久跟公司说？"
COURT = ("借的备用金一直拖着不还会怎样？", "备用金拖着不还，公司会怎么处理？")
NOT_PAID = "公司的罚款没交会怎么样？"


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, (*WORDS, ASPECTS, DECISIONS, DISABILITY, RESIGNING,
                                               *COURT, NOT_PAID))


@pytest.mark.parametrize("question", WORDS)
def test_everyday_words_find_the_rules_words(answers, question: str) -> None:
    word, article = WORDS[question]
    answer = answers[question]
    looked_for(answer, word)
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == article


def test_the_aspects_asked_are_the_matters_a_lead_in_lists(answers) -> None:
    answer = answers[ASPECTS]
    looked_for(answer, "事项")
    assert answer["status"] == "answer" and articles(answer)[0] == "第一条"
    assert "工作业绩" in answer["hits"][0]["excerpt"]


def test_the_decisions_a_lead_in_announces_answer_which_ones(answers) -> None:
    answer = answers[DECISIONS]
    assert articles(answer)[:2] == ["第三条", "第四条"]
    assert "降职" in answer["hits"][0]["excerpt"]


def test_a_disability_assessment_is_one_word(answers) -> None:
    answer = answers[DISABILITY]
    assert "评伤残等级" in units(answer) and "等级" not in units(answer)
    looked_for(answer, "劳动能力鉴定")
    assert articles(answer)[0] == "第十四条"


def test_quitting_bluntly_is_the_workers_ending(answers) -> None:
    answer = answers[RESIGNING]
    assert articles(answer)[0] == "第八条"
    employers = next(c for c in answer["explain"]["candidates"] if "› 第九条 ›" in c["citation"])
    assert employers.get("ender") == -1.0    # the company's 提前三十日…可以解除, the other side


@pytest.mark.parametrize("question", COURT)
def test_what_a_court_enforces_is_what_follows(answers, question: str) -> None:
    """Asked what follows a debt not paid back, the article on the court's order to pay (申请支付令,
    强制执行) answers: a consequence like a fine, although it names no sanction; 拖着 is said as
    拖延 too (not the fine for a late fine, nor the reprimand for borrowing for oneself)."""
    answer = answers[question]
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == "第二十二条"
    assert "支付令" in answer["hits"][0]["excerpt"]


def test_a_verb_not_done_is_not_glued_to_the_will_that_asks_what_follows(answers) -> None:
    """没交会怎么样: jieba would glue 交 to 会 (交会); the question asks about 没交."""
    answer = answers[NOT_PAID]
    assert "没交" in units(answer) and "交会" not in units(answer)
    assert answer["status"] == "answer" and articles(answer)[0] == "第十六条"
