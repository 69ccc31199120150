"""The decision between a confident answer and suggestions (issues 11 and 16), through the CLI
on the small rules of tests/fixtures/decide: articles that look alike (every article of the seal
rules says 使用…印章…应当…登记), the article that says what is asked before a sibling leading by a
little, a 法律责任 article first for a question that asks no consequence, and a duty first for
one that asks what happens (a health-check rule with a 罚则 chapter), a number said only inside
a longer one (5 in 15天), an article that alone says what is asked leading its sibling
(a purchasing rule's 第十五条, 二十日内, before 第十四条); and on tests/fixtures/decide_words, a
bound asked (最少 → 不得少于) as part of what is asked, and a level lead whose sentence lacks the
question's heaviest word while the next article's says it; on tests/fixtures/decide_organ,
an article binding a state organ (国家机关…) first for a question that names none; and on
tests/fixtures/decide_conduct, a liability article first that states the conduct asked about
(有下列行为之一的：(一)…无故拖欠职工工资的) rather than naming a rule's violation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from test_cli import ingested_folder, staffbot_together

RULES = Path(__file__).parent / "fixtures" / "decide"


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_folder(tmp_path_factory, RULES)


QUESTIONS = ("使用印章应当登记吗？", "使用电子印章应当登记吗？", "会议室预约顺序由谁确定？",
             "会议室预约顺序由哪个部门确定？", "安全生产培训由谁组织？", "没参加安全生产培训会怎么样？",
             "请5天事假要找谁批？", "请15天事假要找谁批？", "部门不按时组织体检会有什么后果？",
             "部门不组织体检会怎么处理？", "部门要按时组织体检吗？",
             "拿到成交通知书以后一般多少天内要签合同？")


@pytest.fixture(scope="module")
def answers(rules_db: Path) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it (asked at the same time)."""
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None) for q in QUESTIONS),
                             db=rules_db)
    return {q: json.loads(run.stdout) for q, run in zip(QUESTIONS, runs)}


def _ask(answers: dict[str, dict], *questions: str) -> list[dict]:
    return [answers[q] for q in questions]


def test_a_crowd_of_look_alike_articles_gives_suggestions_and_a_telling_word_answers(
        answers) -> None:
    crowd, electronic = _ask(answers, "使用印章应当登记吗？", "使用电子印章应当登记吗？")
    # eight articles say every word of the question; the first leads by a little (more than a
    # tie between two), and which of them answers is not in the question's words
    decide = crowd["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert decide["confidence"] >= decide["answer_confidence"]
    assert crowd["status"] == "suggestions"
    assert evidence["rivals"] >= decide["crowd_rivals"]
    assert decide["tie_margin"] <= evidence["margin"] < decide["near_margin"]
    assert evidence["missing"] == 0.0 and evidence["statute"] == 1.0
    assert len({hit["section"] for hit in crowd["hits"]}) == 3
    # 电子 is said by one article only: no crowd, the answer
    assert electronic["status"] == "answer"
    assert electronic["hits"][0]["section"] == "第九条"
    assert electronic["explain"]["stages"]["decide"]["evidence"]["rivals"] == 0.0


def test_the_article_that_says_what_is_asked_goes_first_and_answers(answers) -> None:
    who, which = _ask(answers, "会议室预约顺序由谁确定？", "会议室预约顺序由哪个部门确定？")
    # 第二条 (按申请时间确定) and 第三条 (由办公室统一协调确定) say every word of the question;
    # 第二条 leads BM25 by a little, but only 第三条 says who: within one document it goes first
    # (rank.says_it_first), and with only it saying what is asked the near lead is no tie
    decide = who["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert [hit["section"] for hit in who["hits"][:2]] == ["第三条", "第二条"]
    assert who["explain"]["candidates"][0]["says_it"] == 1.0
    assert evidence["type_ahead"] == 1.0
    assert who["status"] == "answer"
    # 部门 is said by 第三条 only (相关部门): it is ahead by its words, and the answer
    assert which["status"] == "answer" and which["hits"][0]["section"] == "第三条"
    assert "says_it" not in which["explain"]["candidates"][0]


def test_a_liability_article_first_is_no_answer_unless_consequences_are_asked(answers) -> None:
    who, then = _ask(answers, "安全生产培训由谁组织？", "没参加安全生产培训会怎么样？")
    # only 第四条 (法律责任: 未按规定组织…安全生产培训的，…责令改正) says 安全生产培训; it names
    # the duty's violation, not who organises the training
    decide = who["explain"]["stages"]["decide"]
    assert who["hits"][0]["section"].endswith("第四条")
    assert decide["confidence"] >= decide["answer_confidence"]
    assert decide["evidence"]["mention"] == 1.0
    assert who["status"] == "suggestions"
    # asked what happens, the same article is the answer
    assert then["status"] == "answer" and then["hits"][0]["section"].endswith("第四条")
    assert then["explain"]["stages"]["decide"]["evidence"]["mention"] == 0.0


def test_a_duty_first_is_no_answer_when_the_question_asks_what_happens(answers) -> None:
    late, then, must = _ask(answers, "部门不按时组织体检会有什么后果？", "部门不组织体检会怎么处理？",
                            "部门要按时组织体检吗？")
    # 第二条 (各部门应当按时组织…体检) says the most of the question but no consequence; 第四条
    # (罚则: 逾期不组织…的，…责令限期改正，并予以通报批评) says it: both are offered
    decide = late["explain"]["stages"]["decide"]
    assert [hit["section"].split(" › ")[-1] for hit in late["hits"][:2]] == ["第二条", "第四条"]
    assert decide["confidence"] >= decide["answer_confidence"]
    assert decide["evidence"]["duty"] == 1.0 and decide["evidence"]["answer_type"] == 0.0
    assert late["status"] == "suggestions"
    # the 罚则 article first is the answer; asked about the duty, the duty is
    assert then["status"] == "answer" and then["hits"][0]["section"].endswith("第四条")
    assert then["explain"]["stages"]["decide"]["evidence"]["duty"] == 0.0
    assert must["status"] == "answer" and must["hits"][0]["section"].endswith("第二条")


def test_a_number_is_said_whole_not_inside_a_longer_one(answers) -> None:
    five, fifteen = _ask(answers, "请5天事假要找谁批？", "请15天事假要找谁批？")
    # 第五条 (事假每次一般不超过3天，全年累计不超过15天) does not say 5: it covers 天 and 事假
    # only, not the question's rarest word (it did, with 5 found in 15); 第六条's range 3天以上
    # 10天以内 holds it (branch art16): the approval rule answers
    assert five["hits"][0]["section"].endswith("第六条") and five["status"] == "answer"
    units = {u["text"]: u["weight"] for u in five["explain"]["query"]["units"]}
    best = next(c for c in five["explain"]["candidates"] if "第五条" in c["citation"])
    assert best["coverage"] <= 1 - units["5"] / sum(units.values()) + 1e-6
    # asked with 15, the article says it
    said = fifteen["explain"]["candidates"][0]
    assert fifteen["hits"][0]["section"].endswith("第五条") and said["coverage"] > best["coverage"]
    # and the excerpt makes bold what it says: 15 when asked with 15, never the 5 of 15天
    def bold(answer: dict) -> list[str]:
        hit = answer["hits"][0]
        return [hit["excerpt"][a:b] for a, b in hit["highlights"]]
    assert "15" in bold(fifteen) and not any("5" in word for word in bold(five))


def test_the_article_that_alone_says_what_is_asked_and_leads_its_sibling_answers(
        answers) -> None:
    """Everyday words (拿到, 一般, 签) leave the confidence below an answer's, but the best
    article says the time limit asked for (二十日内) and more of the question than the next
    article of its own rule, which says none (成交通知书 is sent, no time limit): an answer."""
    asked = answers["拿到成交通知书以后一般多少天内要签合同？"]
    decide = asked["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert decide["sibling_confidence"] <= decide["confidence"] < decide["answer_confidence"]
    assert evidence["sibling"] == 1.0 and evidence["type_ahead"] == 1.0
    assert evidence["ahead"] > decide["tie_ahead"]
    assert [hit["section"].rsplit(" › ", 1)[-1] for hit in asked["hits"][:2]] == [
        "第十五条", "第十四条"]
    assert asked["status"] == "answer"
    assert "二十日内" in asked["hits"][0]["excerpt"]


def test_explain_names_the_rule_that_held_an_answer_back_and_the_score_parts(answers) -> None:
    """``--explain`` says why a likely answer is only suggested (the rule that held it back,
    ``held_back``) and what made the decision's score (each weighed piece of evidence's part of
    the logistic's sum): the reader need not redo the decision from the evidence."""
    crowd, liability, duty, sibling, answered = _ask(
        answers, "使用印章应当登记吗？", "安全生产培训由谁组织？", "部门不按时组织体检会有什么后果？",
        "拿到成交通知书以后一般多少天内要签合同？", "使用电子印章应当登记吗？")
    held = {name: a["explain"]["stages"]["decide"]["held_back"]
            for name, a in (("crowd", crowd), ("liability", liability), ("duty", duty),
                            ("sibling", sibling), ("answered", answered))}
    # likely answers (confidence over the threshold) each kept suggestions by one named rule
    assert held["crowd"] == ["crowd"] and crowd["status"] == "suggestions"
    assert held["liability"] == ["mention"] and liability["status"] == "suggestions"
    assert held["duty"] == ["duty"] and duty["status"] == "suggestions"
    # below the threshold, the lead over a sibling lets it answer; nothing holds a clear answer
    assert held["sibling"] == [] and sibling["status"] == "answer"
    assert sibling["explain"]["stages"]["decide"]["sibling_lead"] is True
    assert crowd["explain"]["stages"]["decide"]["sibling_lead"] is False
    assert held["answered"] == [] and answered["status"] == "answer"
    for asked in (crowd, sibling, answered):
        decide = asked["explain"]["stages"]["decide"]
        parts = decide["score_parts"]
        assert set(parts) == {"bias", *decide["weights"]}
        assert parts["margin"] == pytest.approx(
            decide["weights"]["margin"] * decide["evidence"]["margin"], abs=1e-3)
        assert 1 / (1 + math.exp(-sum(parts.values()))) == pytest.approx(
            decide["confidence"], abs=1e-3)


# tests/fixtures/decide_words: a mail rule whose 第四条 says the least length of a password
# (不得少于12位) and 第三条 another number (每90天), and a travel rule whose 第二条 says the daily
# meal allowance and 第三条 that for 新疆 it is set apart. (A folder of their own: added to the
# rules above, they move those questions' word weights.)
WORDS = Path(__file__).parent / "fixtures" / "decide_words"
WORD_QUESTIONS = ("办公邮箱口令最少需要设几位？", "去新疆出差伙食补助每天多少钱？", "去西藏出差伙食补助怎么算？",
                  "出差伙食补助每天多少钱？")


@pytest.fixture(scope="module")
def word_answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    db = ingested_folder(tmp_path_factory, WORDS)
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None)
                               for q in WORD_QUESTIONS), db=db)
    return {q: json.loads(run.stdout) for q, run in zip(WORD_QUESTIONS, runs)}


def test_a_bound_asked_is_what_is_asked_and_the_article_saying_it_answers(word_answers) -> None:
    """最少几位 asks for a least: 第四条 (不得少于12位) says it, 第三条 says a number (每90天)
    but no least. 第四条 alone says what is asked and covers more of the question than its
    sibling: an answer below the answer threshold (the sibling rule), as the says-it-first
    ordering counts it (it was a suggestion while both counted as saying a number)."""
    asked = word_answers["办公邮箱口令最少需要设几位？"]
    decide = asked["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert [hit["section"] for hit in asked["hits"][:2]] == ["第四条", "第三条"]
    assert asked["explain"]["candidates"][1]["answer_type"] == 1.0   # 90天 is a number too
    assert evidence["type_ahead"] == 1.0 and evidence["sibling"] == 1.0
    assert evidence["ahead"] > decide["tie_ahead"]
    assert decide["sibling_confidence"] <= decide["confidence"] < decide["answer_confidence"]
    assert asked["status"] == "answer"
    assert "不得少于12位" in asked["hits"][0]["excerpt"]


def test_the_next_article_saying_the_heaviest_word_makes_a_level_lead_a_tie(word_answers) -> None:
    """去新疆…每天多少钱: 第二条 (每人每天补助100元) and 第三条 (到新疆…另行核定) cover the
    question equally; the question's heaviest word, 新疆, is in 第三条's sentence and not in
    第二条's, whose 100元 is not what 新疆 gets: suggestions, both shown, not 100元 with
    confidence. Without 新疆, or with a place only 第三条 says, the lead is plain: answers."""
    xinjiang, tibet, daily = (word_answers[q] for q in WORD_QUESTIONS[1:])
    decide = xinjiang["explain"]["stages"]["decide"]
    evidence = decide["evidence"]
    assert [hit["section"] for hit in xinjiang["hits"][:2]] == ["第二条", "第三条"]
    assert evidence["ahead"] <= decide["tie_ahead"] and evidence["statute"] == 1.0
    assert evidence["rarest"] == 0.0 and evidence["rarest_next"] == 1.0
    assert decide["confidence"] >= decide["answer_confidence"]
    assert evidence["margin"] >= decide["near_margin"]   # no tie by the older rules
    assert xinjiang["status"] == "suggestions"
    assert tibet["status"] == "answer" and tibet["hits"][0]["section"] == "第三条"
    assert daily["status"] == "answer" and daily["hits"][0]["section"] == "第二条"
    assert daily["explain"]["stages"]["decide"]["evidence"]["rarest"] == 1.0


# tests/fixtures/decide_organ: a data rule of our own whose 第三条 says what happens to the
# organisations and persons that break it, and 第四条 what happens when a 国家机关 does.
ORGAN = Path(__file__).parent / "fixtures" / "decide_organ"
ORGAN_QUESTIONS = ("不履行数据保护义务会被处分吗？", "国家机关不履行数据保护义务会怎么处理？",
                   "不履行数据保护义务会怎么样？")


def test_an_article_binding_a_state_organ_is_no_answer_to_a_question_naming_none(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """不履行数据保护义务会被处分吗 names no organ: 第四条 (国家机关不履行…的，…给予处分) comes
    first at a confidence above the answer threshold, but binds the state, not whoever asks:
    suggestions, 第三条 (组织、个人…罚款) shown beside it. Asked of 国家机关, 第四条 answers.
    Asked 会怎么样, which 第三条 says as fully, 第三条 goes first (rank.party_first) and answers."""
    db = ingested_folder(tmp_path_factory, ORGAN)
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None)
                               for q in ORGAN_QUESTIONS), db=db)
    plain, named, party = (json.loads(run.stdout) for run in runs)
    decide = plain["explain"]["stages"]["decide"]
    assert [hit["section"] for hit in plain["hits"][:2]] == ["第四条", "第三条"]
    assert decide["confidence"] >= decide["answer_confidence"]
    assert decide["evidence"]["organ"] == 1.0
    assert plain["status"] == "suggestions"
    assert named["explain"]["stages"]["decide"]["evidence"]["organ"] == 0.0
    assert named["status"] == "answer" and named["hits"][0]["section"] == "第四条"
    assert party["status"] == "answer" and party["hits"][0]["section"] == "第三条"


# tests/fixtures/decide_conduct: a pay rule of our own whose 罚则 第五条 states the conduct it
# punishes itself (部门有下列行为之一的…：(一)克扣或者无故拖欠职工工资的) and 第六条 names the
# violation of a rule said elsewhere (违反本办法第四条规定，不按月发放工资条的).
CONDUCT = Path(__file__).parent / "fixtures" / "decide_conduct"
CONDUCT_QUESTIONS = ("工资被无故拖欠，单位要赔钱吗？", "工资被克扣了去哪儿告？", "不按月发工资条行吗？")


def test_a_liability_article_stating_the_conduct_asked_about_answers(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """工资被无故拖欠，单位要赔钱吗 asks no consequence the query reads (赔钱 is talk), and a 罚则
    article comes first; it is no mention of a rule said elsewhere but the place the conduct
    asked about is said (无故拖欠职工工资的 → 加付赔偿金): the answer. Asked who (去哪儿告), it
    names who punishes, not whom to turn to; and 第六条 (违反本办法第四条规定…) first still means
    the rule, 第四条, was not found first: suggestions both."""
    db = ingested_folder(tmp_path_factory, CONDUCT)
    runs = staffbot_together(*((["ask", q, "--json", "--explain"], None)
                               for q in CONDUCT_QUESTIONS), db=db)
    owed, where, slips = (json.loads(run.stdout) for run in runs)
    decide = owed["explain"]["stages"]["decide"]
    assert owed["hits"][0]["section"].endswith("第五条")
    assert owed["explain"]["candidates"][0]["liability"] < 0.0    # asked no consequence
    assert decide["confidence"] >= decide["answer_confidence"]
    assert decide["evidence"]["mention"] == 0.0
    assert owed["status"] == "answer"
    assert where["hits"][0]["section"].endswith("第五条")
    assert where["explain"]["stages"]["decide"]["evidence"]["mention"] == 1.0
    assert where["status"] == "suggestions"
    assert slips["hits"][0]["section"].endswith("第六条")
    assert slips["explain"]["stages"]["decide"]["evidence"]["mention"] == 1.0
    assert slips["status"] == "suggestions"
