"""Taught questions and 👍/👎 (issue 11): stable refs, `staffbot teach / taught / forget`, the
taught answer first for the question and its close paraphrases, stale links, bounded votes, and
the search process seeing what the writer taught on the very next question."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path

import pytest

from knowledge import Answerer, KnowledgeBase, SearchWorker, can_fork
from test_cli import copy_database, staffbot, staffbot_together

RULES = "考勤与休假规定.txt"
ARTICLES = [
    "考勤与休假规定",
    "",
    "第一条 员工每日上班打卡两次，上午九点前、下午六点后各一次。",
    "第二条 员工入职满一年可享受年假五天，满十年可享受年假十天。",
    "第三条 年假申请需提前三天在办公系统提交。",
    "第四条 年假申请由部门负责人审批。",
    "第五条 病假须提交医院证明，三天以内由部门负责人批准。",
    "第六条 食堂每日中午十一点半开饭。",
]
LUNCH = "食堂每日中午十一点半开饭"


def _write_rules(folder: Path) -> Path:
    folder.mkdir()
    (folder / RULES).write_text("\n".join(ARTICLES) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rules, read by every test's knowledge base (a test that edits them has its own)."""
    return _write_rules(tmp_path_factory.mktemp("teach") / "docs")


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory, docs: Path) -> Path:
    """The rules ingested once; tests never write here, each gets a copy (``db``)."""
    path = tmp_path_factory.mktemp("teach-kb") / "staffbot.db"
    staffbot("ingest", str(docs), db=path)
    return path


@pytest.fixture
def db(tmp_path: Path, ingested: Path) -> Path:
    return copy_database(ingested, tmp_path / "staffbot.db")


def ask(question: str, db: Path, *args: str, check: int | None = None) -> dict:
    return json.loads(staffbot("ask", "--json", *args, question, db=db, check=check).stdout)


def asks(db: Path, *questions: str | tuple[str, ...]) -> list[dict]:
    """``ask --json`` of each question (a string, or the question and its options) at once."""
    argvs = [(q,) if isinstance(q, str) else q for q in questions]
    results = staffbot_together(*[(["ask", "--json", *argv[1:], argv[0]], None)
                                  for argv in argvs], db=db)
    return [json.loads(r.stdout) for r in results]


def ref_in(answer: dict, text: str) -> str:
    """The ref of the hit holding ``text``, as an admin reads it in `ask --json -k 5 TEXT`."""
    return next(hit["ref"] for hit in answer["hits"] if text in hit["excerpt"])


def ref_of(text: str, db: Path) -> str:
    """The ref of the paragraph holding ``text``, as an admin reads it in `ask --json`."""
    return ref_in(ask(text, db, "-k", "5"), text)


def taught(db: Path) -> list[dict]:
    return json.loads(staffbot("taught", "--json", db=db).stdout)


# -- refs ------------------------------------------------------------------------------------------

def test_refs_survive_restarts_and_re_ingesting_an_unchanged_file(db: Path, docs: Path) -> None:
    listed, text = staffbot_together((["ask", "--json", "-k", "3", "年假申请"], 0),
                                     (["ask", "年假申请"], 0), db=db)
    first = json.loads(listed.stdout)["hits"]
    assert all(len(hit["ref"]) == 12 for hit in first)
    assert len({hit["ref"] for hit in first}) == len(first)
    # the human output shows each hit's ref, for `staffbot teach`
    assert f"[ref {first[0]['ref']}]" in text.stdout
    assert "0 documents" in staffbot("ingest", str(docs), db=db).stdout   # unchanged: skipped
    again = ask("年假申请", db, "-k", "3")["hits"]                        # another process
    assert [h["ref"] for h in again] == [h["ref"] for h in first]


# -- teach, taught, forget -------------------------------------------------------------------------

def test_a_taught_paragraph_answers_the_question_and_its_paraphrases_first(db: Path) -> None:
    question = "午饭几点吃"
    before, listed = asks(db, question, (LUNCH, "-k", "5"))
    assert before["status"] == "not_found"                   # the words are not the document's
    lunch = ref_in(listed, LUNCH)
    out = staffbot("teach", question, lunch, "--by", "王主任", db=db).stdout
    assert out.startswith("taught ") and "第6段" in out and lunch in out

    # each of these reads what was taught, and only that: they run at once
    *answers, listing = staffbot_together(
        *[(["ask", "--json", q], None) for q in (question, "午飯 幾點吃？", "请问午饭几点吃",
                                                   "午饭都是几点吃的", "病假要什么证明")],
        (["taught", "--json"], 0), db=db)
    answer, folded, close, looser, other = (json.loads(r.stdout) for r in answers)
    assert answer["status"] == "answer"
    best = answer["hits"][0]
    assert (best["kind"], best["question"], best["ref"]) == ("taught", question, lunch)
    assert LUNCH in best["excerpt"] and best["citation"].endswith("第六条 › 第6段")
    # word for word after folding: traditional characters, punctuation, spaces
    assert folded["hits"][0]["ref"] == lunch
    # close paraphrases: it first; the closest answered confidently
    assert close["status"] == "answer" and close["hits"][0]["kind"] == "taught"
    assert looser["status"] in {"answer", "suggestions"}
    assert looser["hits"][0]["ref"] == lunch
    # another question on other words is not taught
    assert all(hit["kind"] != "taught" for hit in other["hits"])

    (row,) = json.loads(listing.stdout)
    assert (row["question"], row["ref"], row["answer"], row["taught_by"], row["stale"]) == \
        (question, lunch, "", "王主任", False)
    # forget undoes it
    assert staffbot("forget", str(row["id"]), db=db).stdout.strip() == f"forgot {row['id']}"
    assert ask(question, db)["status"] == "not_found"
    # a new teaching never takes a forgotten one's id (an old listing's id must not hit it)
    staffbot("teach", "午饭几点吃", lunch, db=db)
    assert [t["id"] for t in taught(db)] == [row["id"] + 1]


def test_a_written_answer_is_cited_as_the_admins_answer_with_the_date(db: Path) -> None:
    staffbot("teach", "报销找谁", "--answer", "找财务处，分机 8021。", db=db)
    as_json, human = staffbot_together((["ask", "--json", "報銷找誰？"], 0),
                                       (["ask", "报销找谁"], 0), db=db)
    answer = json.loads(as_json.stdout)
    assert answer["status"] == "answer"
    best = answer["hits"][0]
    assert best["kind"] == "taught" and best["excerpt"] == "找财务处，分机 8021。"
    assert best["citation"] == f"管理员答复 › {date.today().isoformat()}"
    assert best["ref"] == "" and best["paragraph"] == 0
    assert "找财务处，分机 8021。" in human.stdout and "管理员答复 › " in human.stdout
    # teaching the same question again replaces the earlier teaching
    staffbot("teach", "报销找谁？", "--answer", "找财务处张老师。", db=db)
    rows, listed = staffbot_together((["taught", "--json"], 0), (["taught"], 0), db=db)
    assert [t["answer"] for t in json.loads(rows.stdout)] == ["找财务处张老师。"]
    assert "报销找谁" in listed.stdout and "管理员答复" in listed.stdout
    assert "找财务处张老师。" in listed.stdout


def test_bad_teaching_is_refused_with_a_clear_message(db: Path) -> None:
    lunch = ref_of(LUNCH, db)
    unknown, both, neither, empty, missing = staffbot_together(
        (["teach", "午饭几点吃", "0123456789ab"], 2),
        (["teach", "午饭几点吃", lunch, "--answer", "十一点半"], 2),
        (["teach", "午饭几点吃"], 2),
        (["teach", "？？", lunch], 2),
        (["forget", "42"], 1), db=db)
    assert "no paragraph has the ref '0123456789ab'" in unknown.stderr
    for result in (both, neither):
        assert "give the paragraph's REF or --answer TEXT" in result.stderr
    assert "the question is empty" in empty.stderr
    assert "no taught question has the id 42" in missing.stderr
    assert taught(db) == []                                  # nothing was stored


# -- a file that changes ---------------------------------------------------------------------------

def test_a_link_follows_its_paragraph_and_goes_stale_when_the_text_changes(tmp_path: Path) -> None:
    docs = _write_rules(tmp_path / "docs")                   # this test edits them
    db = tmp_path / "staffbot.db"
    staffbot("ingest", str(docs), db=db)
    lunch_hits, apply_hits = asks(db, (LUNCH, "-k", "5"), ("需提前三天", "-k", "5"))
    lunch, apply_days = ref_in(lunch_hits, LUNCH), ref_in(apply_hits, "需提前三天")
    staffbot_together((["teach", "午饭几点吃", lunch], 0),
                      (["teach", "年假要提前几天申请", apply_days], 0), db=db)
    assert ask("年假要提前几天申请", db)["hits"][0]["kind"] == "taught"
    # edited elsewhere: an article added before (the others renumbered), the rule on applying
    # for leave changed
    edited = ["考勤与休假规定", "", "第一条 本规定适用于全体员工。",
              *[f"第{'二三四五六七'[i]}条 {line.split(' ', 1)[1]}" for i, line in
                enumerate(ARTICLES[2:])]]
    edited[5] = "第四条 年假申请需提前五天在办公系统提交。"
    (docs / RULES).write_text("\n".join(edited) + "\n", encoding="utf-8")
    # the ingest that made the link stale says so, naming the question (the lunch link followed)
    reingest = staffbot("ingest", str(docs), db=db).stdout
    assert "1 taught question(s) now point at text no longer in any document" in reingest
    assert "年假要提前几天申请" in reingest and "午饭几点吃" not in reingest

    rows, lunch_answer, fallback_answer, listed = staffbot_together(
        (["taught", "--json"], 0), (["ask", "--json", "午饭几点吃"], None),
        (["ask", "--json", "年假要提前几天申请"], None), (["taught"], 0), db=db)
    by_question = {t["question"]: t for t in json.loads(rows.stdout)}
    lunch_link = by_question["午饭几点吃"]
    assert not lunch_link["stale"]                                    # moved, and followed
    assert lunch_link["citation"].endswith("第七条 › 第7段")
    best = json.loads(lunch_answer.stdout)["hits"][0]
    assert best["kind"] == "taught" and LUNCH in best["excerpt"] and best["paragraph"] == 7
    stale = by_question["年假要提前几天申请"]
    assert stale["stale"] and stale["citation"] is None
    # never answered from: the question falls back to the search, which finds the new text
    fallback = json.loads(fallback_answer.stdout)
    assert all(hit["kind"] != "taught" for hit in fallback["hits"])
    assert "提前五天" in fallback["hits"][0]["excerpt"]
    assert "STALE" in listed.stdout and "1 stale" in listed.stderr


# -- votes -----------------------------------------------------------------------------------------

def test_a_thumbs_down_moves_the_pair_down_for_the_question_and_its_paraphrases(db: Path) -> None:
    before = ask("年假申请", db, "-k", "3")["hits"]
    top, second = before[0]["ref"], before[1]["ref"]
    # 👎 under the answer, as the bot records it: the logged question's best paragraph
    with KnowledgeBase(db) as kb:
        asked = Answerer(kb).ask_now("年假申请", 3, chat_kind="private")
        assert asked.answer.best.ref == top
        assert kb.feedback(asked.question_id, False, voter="1001")
    after, paraphrase, other = asks(db, ("年假申请", "-k", "3", "--explain"),
                                    ("年假怎么申请", "-k", "3"), ("年假申请找谁审批", "--explain"))
    assert [h["ref"] for h in after["hits"][:2]] == [second, top]
    teaching = after["explain"]["stages"]["teaching"]
    assert teaching["votes"] == {top: -1.0}
    assert 0.7 <= teaching["vote_factors"][top] < 1.0
    # a close paraphrase feels it too; another question does not
    assert paraphrase["hits"][0]["ref"] == second
    assert other["explain"]["stages"]["teaching"]["votes"] == {}
    # the same voter's 👍 replaces their 👎: back on top
    with KnowledgeBase(db) as kb:
        kb.vote("年假申请", top, +1, voter="1001")
    assert ask("年假申请", db, "-k", "3")["hits"][0]["ref"] == top


def test_votes_are_bounded(db: Path) -> None:
    question = "请假要什么证明"
    sick, other = ask(question, db, "-k", "3")["hits"][:2]
    with KnowledgeBase(db) as kb:
        for voter in range(50):      # many 👍 cannot lift a passage over a clearly better one
            kb.vote(question, other["ref"], +1, voter=str(voter))
        kb.vote(question, sick["ref"], -1, voter="x")   # nor one 👎 hide it
        answer = kb.search(question, 3, explain=True)
        factors = answer.explain["stages"]["teaching"]["vote_factors"]
        with pytest.raises(ValueError, match="no paragraph has the ref"):
            kb.vote(question, "0123456789ab", -1)
    assert answer.hits[0].ref == sick["ref"]
    assert factors[other["ref"]] <= 1.3 and factors[sick["ref"]] >= 0.7
    boosted = next(hit for hit in answer.hits if hit.ref == other["ref"])
    assert other["score"] < boosted.score <= other["score"] * 1.3 + 1e-3


# -- escalations (the writer side the bot uses) ----------------------------------------------------

def test_an_escalation_is_answered_once_and_teaches_its_question(db: Path) -> None:
    with KnowledgeBase(db) as kb:
        escalation, new = kb.escalate("年终奖什么时候发", asker_id=7, asker_name="小李",
                                      chat_id=-100, chat_title="行政群", message_id=55)
        again, new_again = kb.escalate("年终奖什么时候发？", asker_id=7, asker_name="小李",
                                       chat_id=-100, chat_title="行政群", message_id=56)
        assert new and not new_again and again.id == escalation.id
        kb.note_escalation_message(escalation.id, 900, 1)
        assert kb.escalation_for_message(900, 1) == escalation
        assert [e.id for e in kb.open_escalations()] == [escalation.id]
        with pytest.raises(ValueError):
            kb.answer_escalation(escalation.id, ref="0123456789ab", by="admin")
        done = kb.answer_escalation(escalation.id, answer="十二月底发。", by="admin")
        assert kb.answer_escalation(escalation.id, answer="一月发。", by="admin2") is None
        answered, taught_now = done
        assert (answered.status, answered.answered_by, answered.taught_id) == \
            ("answered", "admin", taught_now.id)
        assert kb.open_escalations() == []
    best = ask("年终奖什么时候发", db)["hits"][0]
    assert best["kind"] == "taught" and best["excerpt"] == "十二月底发。"


def unanswered(db: Path) -> list[tuple[str, int, str]]:
    return [(q["question"], q["count"], q["kind"])
            for q in json.loads(staffbot("unanswered", "--json", db=db).stdout)]


def test_unanswered_lists_what_is_left_to_teach(db: Path, tmp_path: Path) -> None:
    """`staffbot unanswered`: one entry a question however punctuated, not found before only
    suggested at the same count, nothing answered; a question taught, or answered since a
    document came in, leaves it (both stayed before, the taught one answered directly)."""
    for question in ("工资几号发", "工资几号发？", "休假怎么算", "休假怎么算", "打卡", "病了怎么办"):
        ask(question, db)
    assert unanswered(db) == [("工资几号发？", 2, "not_found"), ("休假怎么算", 2, "suggestions"),
                              ("病了怎么办", 1, "not_found")]
    text = staffbot("unanswered", db=db).stdout
    assert "2×  工资几号发？  (not found; last " in text
    assert "2×  休假怎么算  (suggestions; last " in text
    staffbot("teach", "休假怎么算", ref_of("员工入职满一年可享受年假五天", db), db=db)
    assert unanswered(db) == [("工资几号发？", 2, "not_found"), ("病了怎么办", 1, "not_found")]
    pay = tmp_path / "pay"
    pay.mkdir()
    (pay / "工资发放规定.txt").write_text("工资发放规定\n\n第一条 工资每月十日发放到员工的工资卡。\n",
                                     encoding="utf-8")
    staffbot("ingest", str(pay), db=db)
    assert unanswered(db) == [("工资几号发？", 2, "not_found"), ("病了怎么办", 1, "not_found")]
    # asked again, spelled as never before: answered now, and that is the question's last asking
    assert ask("工资 几号发", db)["status"] == "answer"
    assert unanswered(db) == [("病了怎么办", 1, "not_found")]
    staffbot("teach", "病了怎么办", "--answer", "先去医院，再按第五条请病假。", db=db)
    assert staffbot("unanswered", db=db).stdout == "No unanswered questions.\n"


# -- the search process ----------------------------------------------------------------------------

@pytest.mark.skipif(not can_fork(), reason="the search process needs fork")
def test_the_search_process_sees_teaching_on_the_very_next_question(db: Path) -> None:
    async def scenario(kb: KnowledgeBase) -> None:
        worker = SearchWorker.fork(kb)
        answerer = Answerer(kb, worker=worker)
        try:
            asked = await answerer.ask("午饭几点吃", log=False)
            assert asked.answer.status == "not_found" and asked.answer.hits == ()
            weak = await answerer.ask("午饭几点吃", log=False, closest=True)
            assert weak.answer.status == "not_found"
            lunch = (await answerer.ask(LUNCH, 1, log=False)).answer.best.ref
            kb.teach("午饭几点吃", ref=lunch)
            best = (await answerer.ask("午饭几点吃", log=False)).answer.best
            assert (best.kind, best.ref) == ("taught", lunch)
            assert kb.ready_searcher() is None        # answered by the search process
            top = (await answerer.ask("年假申请", log=False)).answer.best.ref
            kb.vote("年假申请", top, -1, voter="u")
            assert (await answerer.ask("年假申请", log=False)).answer.best.ref != top
            kb.forget(kb.taught()[0].id)
            assert (await answerer.ask("午饭几点吃", log=False)).answer.status == "not_found"
        finally:
            await worker.close()

    with KnowledgeBase(db) as kb:
        asyncio.run(scenario(kb))


def test_closest_keeps_the_weak_hits_of_a_question_not_found(db: Path) -> None:
    with KnowledgeBase(db) as kb:
        answerer = Answerer(kb)
        plain = answerer.ask_now("年假能换成加班费吗", 3, log=False).answer
        closest = answerer.ask_now("年假能换成加班费吗", 3, log=False, closest=True).answer
    assert plain.status == closest.status == "not_found" and plain.hits == ()
    assert closest.hits and "年假" in closest.hits[0].excerpt
