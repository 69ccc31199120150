"""Ranking on rules and statutes (issue 16): one hit per article, the evidence behind the
decision, what the question asks for."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    from knowledge.rank import EVIDENCE, FAQ_EVIDENCE

    decide = statute_kb.search("失业保险金最长能领多久", explain=True).explain["stages"]["decide"]
    assert set(decide["evidence"]) == {*EVIDENCE, *FAQ_EVIDENCE, "faq"}
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


# -- what the question asks for (knowledge.query.ANSWER_TYPES, one test per row) ------------------

@pytest.mark.parametrize(("question", "kind", "answering", "not_answering"), [
    ("失业保险金最长能领多久？", "quantity",
     "累计缴费时间满5年不足10年的，领取失业保险金的期限最长为18个月。",
     "失业保险金的标准由省、自治区、直辖市人民政府确定。"),
    ("哪些信息属于敏感个人信息？", "list",
     "敏感个人信息包括生物识别、宗教信仰、特定身份、医疗健康、金融账户、行踪轨迹等信息。",
     "处理敏感个人信息应当取得个人的单独同意。"),
    ("可以用个人网盘传工资明细吗？", "rule",
     "禁止使用个人网盘存储或者传输工作数据。",
     "本规定自发布之日起施行。"),
    ("治安保卫重点单位由谁确定？", "agent",
     "治安保卫重点单位由县级以上地方各级人民政府公安机关确定。",
     "治安保卫重点单位应当设置必要的技术防范设施。"),
    ("请五天假要哪个领导批？", "agent",
     "三天以上七天以内的，由分管副总经理批准。",
     "员工请事假每次不超过五天，全年累计不超过十五天。"),
    ("单位不按时交社保会有什么后果？", "consequence",
     "逾期仍不缴纳的，除补缴欠缴数额外，从欠缴之日起，按日加收千分之二的滞纳金。",
     "缴费单位、缴费个人应当按时足额缴纳社会保险费。"),
    ("违法处理个人信息情节严重的，最多罚多少？", "consequence",
     "由省级以上履行个人信息保护职责的部门责令改正，没收违法所得，并处五千万元以下罚款。",
     "个人信息处理者应当对其个人信息处理活动负责。"),
    ("预算年度是从哪天到哪天？", "period",
     "预算年度自公历一月一日起，至十二月三十一日止。",
     "预算年度开始后，各级预算草案在本级人民代表大会批准前，可以安排上一年结转的支出。"),
    ("社保从什么时候开始交？", "start", "公司为员工缴纳五险一金，自入职当月起缴纳。",
     "公司按规定为员工缴纳五险一金。"),
    ("盖公章要走什么流程？", "steps", "使用公章应当填写《用印审批单》，经部门负责人签字后方可用印。",
     "严禁在空白纸张上加盖公章。"),
    ("第一天几点去报到？", "quantity", "新员工应当在录用通知书载明的日期上午9:00到人力资源部报到。",
     "报到时须携带身份证原件。"),
    ("档案室在哪里？", "place", "部门：档案室；姓名：冯丽；房间号：图书馆三楼",
     "国家鼓励有条件的机关开展数字档案室建设。"),
    # (session 24) a rule's 不影响 answers whether a thing still holds; a proceeding's 缺席裁决
    # what happens to a side that stays away
    ("公司改了名字，以前签的合同还算数吗？", "rule", "用人单位变更名称的，不影响劳动合同的履行。",
     "劳动合同文本由用人单位和劳动者各执一份。"),
    ("开庭那天对方不来会怎么样？", "consequence",
     "被申请人收到书面通知，无正当理由拒不到庭的，可以缺席裁决。",
     "仲裁庭在开庭五日前将开庭日期书面通知双方当事人。"),
    ("办公电脑中了病毒该怎么办？", "procedure",
     "发现计算机感染病毒的，应当立即断开网络，并在1小时内报告信息中心。",
     "开展网络安全检测活动，应当遵守国家有关规定。"),
    # (session 26) a definition spelling out four things answers 哪些; a subject named as four
    # parties does not
    ("差旅费都包括哪些钱？", "list",
     "本办法所称差旅费，是指工作人员临时到常驻地以外地区公务出差所发生的城市间交通费、住宿费、"
     "伙食补助费和市内交通费。",
     "机关、团体、企业事业单位和其他组织应当定期向档案馆移交电子档案。"),
    # … and an employer's commitment not to (公司不依照…解除) answers whether it may
    ("生病期间公司能辞退我吗？", "rule",
     "员工有下列情形之一的，公司不依照本手册第四十五条的规定解除劳动合同：",
     "劳动合同期满的，劳动合同终止。"),
])
def test_the_question_form_names_the_sentence_that_answers_it(question, kind, answering,
                                                              not_answering) -> None:
    from knowledge.query import ANSWER_TYPES, answer_types

    assert kind in answer_types(question)
    says = {name: pattern for name, _, pattern in ANSWER_TYPES}[kind]
    assert says.search(answering)
    assert not says.search(not_answering)


def test_a_question_about_consequences_is_not_taken_for_a_list() -> None:
    from knowledge.query import answer_types

    assert answer_types("单位不按时交社保会有什么后果？") == ("consequence",)


@pytest.mark.parametrize(("question", "asks_consequence"), [
    ("连着几天不来上班会被开除？", True), ("公司一直拖着不交社保，会被罚吗？", True),
    ("闯红灯会被抓吗？", True),
    # 会被 with no sanction asks whether the thing is done: a rule (不得挪用), no penalty
    ("交上去的社保钱会不会被挪去干别的", False), ("我的病历会被公开吗？", False),
])
def test_only_a_sanction_after_hui_bei_asks_a_consequence(question, asks_consequence) -> None:
    from knowledge.query import answer_types

    assert ("consequence" in answer_types(question)) == asks_consequence


@pytest.mark.parametrize(("question", "states", "does_not"), [
    # a deadline asked: a span within, or a period a rule sets — not a span passed
    ("入职以后多长时间内要签书面合同？", "应当在员工入职之日起一个月内订立书面劳动合同。",
     "超过一个月未订立书面劳动合同的，向员工每月支付二倍工资。"),
    ("钱要在几天之内交掉？", "应当自收到罚款决定书之日起十五日内缴纳。", "到期不缴纳的，每日加处罚款。"),
    # a time after which a thing can no longer be done asks a limit
    ("打劳动仲裁，过多久就不能告了？", "申请仲裁的时效期间为一年。", "公司提前三十日书面通知员工本人。"),
    ("过了多久就不能再罚了？", "违法行为在二年内未被发现的，不再给予行政处罚。", "罚款决定书应当载明罚款数额。"),
])
def test_the_limit_asked_is_the_limit_said(statute_kb, question, states, does_not) -> None:
    query = statute_kb.searcher.analyse(question)
    assert query.bound_patterns, question
    assert query.says_bound(states)
    assert not query.says_bound(does_not)


@pytest.mark.parametrize(("question", "asks_consequence"), [
    ("收到罚款决定书了，钱要在几天之内交掉？", False), ("罚款交到哪个银行？", False),
    ("交罚款能刷卡吗？", False), ("罚款一直不交会怎么样？", True), ("闯红灯罚多少钱？", True),
])
def test_a_fine_in_hand_is_the_thing_handled_not_a_consequence_asked(question,
                                                                     asks_consequence) -> None:
    from knowledge.query import answer_types

    assert ("consequence" in answer_types(question)) == asks_consequence


def test_a_period_stands_for_a_quantity() -> None:
    from knowledge.query import answer_types

    # any number would say a quantity; from which day to which day needs both ends
    assert answer_types("预算年度是从哪天到哪天？") == ("period",)
    # … and a start (自公历一月一日起), which the period stands for too
    assert answer_types("预算年度从哪天开始？") == ("quantity", "start")


def test_the_article_saying_the_number_outranks_the_one_repeating_the_words(statute_kb) -> None:
    answer = statute_kb.search("失业保险金最长能领多久？", k=3)
    assert answer.best.citation.section[-1] == "第十七条"
    assert "18个月" in answer.best.excerpt or "12个月" in answer.best.excerpt


# -- rules before mentions ------------------------------------------------------------------------

def test_a_rule_outranks_the_penalty_for_breaking_it_unless_consequences_are_asked(
        statute_kb) -> None:
    rule = statute_kb.search("单位要按规定缴纳失业保险费吗", k=3)
    assert rule.best.citation.section[-1] != "第三十一条"
    penalty = statute_kb.search("不缴纳失业保险费会怎么处罚", k=3)
    assert penalty.best.citation.section[-1] == "第三十一条"


def test_a_question_form_word_the_documents_never_say_is_not_a_topic_word(statute_kb) -> None:
    units = [u.text for u in statute_kb.searcher.analyse("失业保险金最长能领多久？").units]
    assert "多久" not in units
    assert "失业保险金" in units or "失业" in units


# -- 另见: another document that answers the same words --------------------------------------------

LEAVE_RULES = """\
员工休假管理办法

第八条 年休假一般应当在一个年度内安排。确因工作需要不能安排的，经单位负责人批准，可以跨1个年度安排。

第九条 员工请事假，应当提前一个工作日书面申请。
"""

LEAVE_DETAILS = """\
员工休假管理办法实施细则

第五条 年休假需要跨年度安排的，由员工所在部门于当年12月15日前报人事处备案，跨年度安排最长不超过次年3月31日。

第六条 病假应当提交医院证明。
"""

CANTEEN = """\
食堂管理规定

第三条 食堂每个年度公布一次就餐标准。
"""


def test_a_related_document_that_answers_too_is_offered_as_see_also(tmp_path) -> None:
    from test_cli import staffbot, staffbot_together
    import json

    for name, text in (("员工休假管理办法.txt", LEAVE_RULES),
                       ("员工休假管理办法实施细则.txt", LEAVE_DETAILS), ("食堂管理规定.txt", CANTEEN)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(tmp_path), db=db)
    as_json, as_text, one_document = staffbot_together(
        (["ask", "年休假可以跨年度安排吗", "--json"], 0), (["ask", "年休假可以跨年度安排吗"], 0),
        (["ask", "员工请事假要提前多久书面申请", "--json"], 0), db=db)
    answer = json.loads(as_json.stdout)
    assert answer["status"] == "answer"
    first = answer["hits"][0]["document"]
    assert first.startswith("员工休假管理办法")
    [also] = answer["see_also"]          # the other of the two, never the canteen
    assert {first, also["document"]} == {"员工休假管理办法", "员工休假管理办法实施细则"}
    assert also["section"] in ("第八条", "第五条")
    assert "另见: " + also["citation"] in as_text.stdout
    # a question only one document answers has no 另见
    answer = json.loads(one_document.stdout)
    assert answer["status"] == "answer" and answer["see_also"] == []


def test_related_by_title() -> None:
    from knowledge.related import related_by_title

    assert related_by_title("中华人民共和国档案法", "中华人民共和国档案法实施条例")
    assert related_by_title("员工休假管理办法实施细则", "员工休假管理办法")
    assert not related_by_title("差旅费管理办法", "会议费管理办法")
    assert not related_by_title("某某规定", "某某规定")


@settings(max_examples=500, deadline=None)
@given(st.text("甲、，。\n下", max_size=40))
def test_a_list_of_three_items_is_found_as_spelled_out(text) -> None:
    """The list row's A、B、C、 (ANSWER_TYPES "list"; written from its first 、 for speed)
    matches the texts X{1,12}、X{1,12}、X{1,12}、 matches, as a search: the same texts."""
    from knowledge.query import ANSWER_TYPES

    says = {name: pattern for name, _, pattern in ANSWER_TYPES}["list"]
    spelled = re.compile(says.pattern.replace("|、(?<=[^、，。]、)", "|[^、，。]{1,12}、"))
    assert spelled.pattern != says.pattern
    assert bool(says.search(text)) == bool(spelled.search(text))
