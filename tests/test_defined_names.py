"""Names a document defines for itself (issue 16): after 信息技术中心（以下简称信息中心） or 差旅费、
会议费和培训费（以下统称三项经费） a rule says only the short or collective name, and staff ask with
the name they know. Through the CLI, on short office rules written here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import articles, asked, staffbot

from knowledge.aliases import defined_names

PEOPLE = """人事管理办法
第一条 为规范本单位人事管理，制定本办法。
第二条 人力资源部（以下简称人资部）负责全单位的考勤和薪酬管理。
第三条 人资部每月十日前发放上月工资，并通过邮件发送工资条。
第四条 财务部每月五日前完成报销款项的支付。
第五条 工资条有疑问的，可以在三日内向财务部查询。
第六条 新员工入职时应当提交身份证复印件和学历证明。
"""

EXPENSES = """经费管理办法
第一条 为规范本单位经费支出，制定本办法。
第二条 差旅费、会议费和培训费（以下统称三项经费）实行年度预算管理。
第三条 三项经费应当在活动结束后三十日内报销，逾期不予报销。
第四条 会议费的开支标准按照本单位会议管理规定执行。
第五条 培训费由组织培训的部门统一申请。
第六条 部门负责人对本部门的支出负责。
"""

# the acts not done, as rules say them (未订立, 未缴纳, 未支付), asked as staff say them
LABOUR = """劳动用工管理规定
第一条 为规范本单位劳动用工，制定本规定。
第二条 单位应当自用工之日起一个月内与职工订立书面劳动合同。
第三条 单位未订立书面劳动合同的，职工可以向人事部门反映，由人事部门在五日内补订。
第四条 单位应当按月足额缴纳职工的补充医疗保险费。
第五条 单位未缴纳补充医疗保险费的，职工可以向工会反映，由工会督促限期补缴。
第六条 单位应当按时发放职工的高温补贴。
第七条 单位未支付高温补贴的，职工可以向工会投诉，由工会督促十日内补发。
"""

EXPENSES_WITHOUT = EXPENSES.replace("（以下统称三项经费）", "")


@pytest.fixture(scope="module")
def rules(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("names")
    docs = folder / "docs"
    docs.mkdir()
    for title, text in (("人事管理办法", PEOPLE), ("经费管理办法", EXPENSES),
                        ("劳动用工管理规定", LABOUR)):
        (docs / f"{title}.txt").write_text(text, encoding="utf-8")
    db = folder / "kb.db"
    staffbot("ingest", str(docs), db=db)
    return db


@pytest.fixture(scope="module")
def answers(rules: Path) -> dict[str, dict]:
    return asked(rules, ("人力资源部几号发工资？", "会议费多少天内要报销？", "差旅费要在多久内报销",
                         "三项经费有哪些", "单位没交补充医疗保险费找谁", "单位一直没签劳动合同怎么办",
                         "单位拖欠高温补贴找谁"))


def _first(answer: dict) -> tuple[str, str, str]:
    hit = answer["hits"][0]
    return answer["status"], hit["document"], hit["section"].split(" › ")[-1]


def test_the_full_name_finds_the_articles_that_say_the_short_one(answers) -> None:
    answer = answers["人力资源部几号发工资？"]
    assert _first(answer) == ("answer", "人事管理办法", "第三条"), answer["hits"][0]
    named = answer["explain"]["stages"]["analyse"]["defined_names"]
    assert {"word": "人力资源部", "name": "人资部", "one_way": False,
            "document": "人事管理办法"}.items() <= named[0].items()


@pytest.mark.parametrize("question", ["会议费多少天内要报销？", "差旅费要在多久内报销"])
def test_an_item_of_a_collective_name_finds_the_articles_that_say_the_collective_one(
        answers, question: str) -> None:
    answer = answers[question]
    assert _first(answer) == ("answer", "经费管理办法", "第三条"), answer["hits"][0]
    named = answer["explain"]["stages"]["analyse"]["defined_names"]
    assert [(n["name"], n["one_way"], n["document"]) for n in named] == [
        ("三项经费", True, "经费管理办法")]


@pytest.mark.parametrize(("question", "article"), [
    ("单位没交补充医疗保险费找谁", "第五条"), ("单位一直没签劳动合同怎么办", "第三条"),
    ("单位拖欠高温补贴找谁", "第七条")])
def test_an_act_not_done_is_asked_as_staff_say_it(answers, question: str, article: str) -> None:
    assert _first(answers[question]) == ("answer", "劳动用工管理规定", article)


def test_a_collective_name_is_not_expanded_to_its_items(answers) -> None:
    query = answers["三项经费有哪些"]["explain"]["query"]
    assert "三项经费" not in query["expansions"]
    assert answers["三项经费有哪些"]["explain"]["stages"]["analyse"]["defined_names"] == []


def test_the_names_are_listed_with_their_document(rules: Path) -> None:
    groups = json.loads(staffbot("synonyms", "list", "--json", db=rules).stdout)
    found = {(tuple(g["words"]), g["one_way"], g.get("document")) for g in groups
             if g["source"] == "document"}
    assert (("人力资源部", "人资部"), False, "人事管理办法") in found
    assert (("会议费", "三项经费"), True, "经费管理办法") in found
    removed = staffbot("synonyms", "remove", "人资部", db=rules, check=1)
    assert "《人事管理办法》 defines it" in removed.stderr


def test_a_document_read_again_without_the_line_no_longer_expands(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    rule = docs / "经费管理办法.txt"
    rule.write_text(EXPENSES, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(docs), db=db)
    question = "培训费多少天内要报销？"
    before = json.loads(staffbot("ask", question, "--json", "--explain", db=db).stdout)
    assert "三项经费" in before["explain"]["query"]["expansions"].get("培训费", [])
    rule.write_text(EXPENSES_WITHOUT, encoding="utf-8")
    staffbot("ingest", str(docs), db=db)
    after = json.loads(staffbot("ask", question, "--json", "--explain", db=db).stdout)
    assert "三项经费" not in after["explain"]["query"]["expansions"].get("培训费", [])
    assert after["explain"]["stages"]["analyse"]["defined_names"] == []
    staffbot("remove", "经费管理办法", db=db)
    groups = json.loads(staffbot("synonyms", "list", "--json", db=db).stdout)
    assert not [g for g in groups if g["source"] == "document"]


@pytest.mark.parametrize(("text", "groups"), [
    ("信息技术中心（以下简称信息中心）负责运维", [(("信息技术中心", "信息中心"), False)]),
    ("根据《中华人民共和国个人信息保护法》（以下简称《个保法》），制定本办法",
     [(("中华人民共和国个人信息保护法", "个保法"), False)]),
    # a full name that says the short one: a question or a text saying either says it
    ("根据《中华人民共和国档案法》（以下简称《档案法》）", []),
    ("甲公司(以下简称“甲方”)与乙公司", [(("甲公司", "甲方"), False)]),
    ("基本养老保险费、失业保险费(以下统称社会保险费)的征收",
     [(("基本养老保险费", "社会保险费"), True), (("基本养老保险", "社会保险费"), True),
      (("失业保险费", "社会保险费"), True), (("失业保险", "社会保险费"), True)]),
    # an item of two characters is an everyday word: 公司 → 单位 would flood every question
    ("对企业和个体工商户(以下称用人单位)进行检查", [(("个体工商户", "用人单位"), True)]),
    ("国家机关、社会团体、公司、企业和其他组织（以下统称单位）", [(("国家机关", "单位"), True),
                                              (("社会团体", "单位"), True)]),
    ("本办法所称城镇企业，是指国有企业、城镇集体企业以及其他城镇企业。",
     [(("国有企业", "城镇企业"), True), (("城镇集体企业", "城镇企业"), True)]),
    # the document's name for itself: in the whole knowledge base it would join every 本法
    ("中华人民共和国个人信息保护法（以下简称本法）", []),
    # a description, not a name: only it finds the short one
    ("居民个人取得前款第一项至第四项所得（以下称综合所得）",
     [(("居民个人取得前款第一项至第四项所得", "综合所得"), True)]),
    ("县级以上人民政府劳动保障行政部门（以下简称劳动保障行政部门）", []),
    ("單位應當按時繳納社會保險費", []),
    ("資訊技術中心（以下簡稱資訊中心）負責維運", [(("资讯技术中心", "资讯中心"), False)]),
])
def test_defined_names(text: str, groups: list) -> None:
    assert defined_names(text) == groups


def test_a_channel_post_edit_takes_its_names_along_in_another_process_too(tmp_path: Path) -> None:
    from knowledge import KnowledgeBase

    db = tmp_path / "kb.db"
    post = {"chat_id": -100, "message_id": 7, "url": "https://t.me/c/100/7"}
    with KnowledgeBase(db) as writer, KnowledgeBase(db) as reader:   # reader: a search process
        reader.search("热身")
        writer.add_post(text="网络通知\n信息技术中心（以下简称信息中心）今晚升级邮件系统。", **post)
        groups = [(g.words, g.one_way, g.document) for g in writer.synonym_groups("document")]
        assert groups == [(("信息技术中心", "信息中心"), False, "网络通知")]
        named = reader.search("信息技术中心今晚升级什么", explain=True).explain
        assert [(n["word"], n["name"]) for n in named["stages"]["analyse"]["defined_names"]] == [
            ("信息技术中心", "信息中心")]
        writer.add_post(text="网络通知\n信息中心今晚升级邮件系统。", **post)      # the edit
        assert writer.synonym_groups("document") == []
        named = reader.search("信息技术中心今晚升级什么", explain=True).explain
        assert named["stages"]["analyse"]["defined_names"] == []
        assert "信息中心" not in named["query"]["expansions"].get("信息技术中心", [])
