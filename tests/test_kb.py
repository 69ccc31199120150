"""Tests for KnowledgeBase: ingest of every format, updates, removal, uploads, channel posts,
the question log, crash safety and evaluation. Every fixture document is made here in tmp_path."""

from __future__ import annotations

import io
import json
import sqlite3
import threading
import time
from pathlib import Path

import docx
import pytest
from makedocs import build_pdf_bytes

from knowledge import KnowledgeBase, LoadError
from knowledge.evaluate import evaluate
from knowledge.store import SCHEMA_VERSION, Store

# -- fixture documents -----------------------------------------------------------------------------

TXT_GB18030 = "考勤管理办法\r\n第一章　总则\r\n第一条　员工每日打卡两次，迟到三次扣半天工资。\r\n"
TXT_BOM = "停车场管理规定\n\n地下车库凭工牌免费停车。\n访客车辆在东门登记。\n"
MARKDOWN = "# 员工手册\n\n## 第一章 休假\n\n年休假五天，**病假**需要医院证明。\n\n## 第二章 培训\n\n新员工入职培训三天。\n"
HTML = ("<html><head><title>食堂通知</title><style>p{}</style></head><body><h1>食堂通知</h1>"
        "<h2>开饭时间</h2><p>午餐十一点半开饭，晚餐五点半开饭。</p><script>var x=1;</script>"
        "</body></html>")
JSONL_RECORDS = [
    {"id": "faq-1", "title": "报销常见问题", "text": "差旅费报销须在出差结束后十五日内提交。"},
    {"id": 2, "title": "门禁卡", "text": "门禁卡遗失请到保卫处补办，工本费二十元。"},
]


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("保密制度", level=0)
    document.add_heading("第一章 涉密文件", level=1)
    document.add_paragraph("涉密文件不得带出办公区，复印须经保密办批准。")
    document.add_heading("第二章 保密培训", level=1)
    document.add_paragraph("每年开展一次保密教育。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(lines: list[str], title: str = "安全生产规程") -> bytes:
    return build_pdf_bytes([lines], title=title)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def docs_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "考勤.txt").write_bytes(TXT_GB18030.encode("gb18030"))
    (folder / "停车.txt").write_bytes(b"\xef\xbb\xbf" + TXT_BOM.encode("utf-8"))
    (folder / "手册.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "保密.docx").write_bytes(docx_bytes())
    (folder / "安全.pdf").write_bytes(pdf_bytes(["第一章 总则", "进入车间必须佩戴安全帽。"]))
    (folder / "食堂.html").write_text(HTML, encoding="utf-8")
    write_jsonl(folder / "faq.jsonl", JSONL_RECORDS)
    return folder


@pytest.fixture
def fresh_kb(tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / "kb.db")
    yield kb
    kb.close()


def counts(kb: KnowledgeBase) -> tuple[int, int, int]:
    return kb.store.counts()


# -- ingest every format ---------------------------------------------------------------------------

def test_ingest_a_folder_of_every_format(fresh_kb: KnowledgeBase, docs_folder: Path) -> None:
    report = fresh_kb.ingest([docs_folder])
    assert report.skipped == []
    assert (report.files, report.documents, report.unchanged) == (7, 8, 0)
    assert report.paragraphs == 11
    assert counts(fresh_kb) == (8, report.sections, 11)
    documents = {d.title: (d.kind, d.source, d.source_id, d.paragraphs)
                 for d in fresh_kb.documents()}
    assert documents == {
        "考勤管理办法": ("txt", "考勤.txt", None, 1),
        "停车场管理规定": ("txt", "停车.txt", None, 2),
        "员工手册": ("md", "手册.md", None, 2),
        "保密制度": ("docx", "保密.docx", None, 2),
        "安全生产规程": ("pdf", "安全.pdf", None, 1),
        "食堂通知": ("html", "食堂.html", None, 1),
        "报销常见问题": ("jsonl", "faq.jsonl", "faq-1", 1),
        "门禁卡": ("jsonl", "faq.jsonl", "2", 1),
    }


@pytest.mark.parametrize(("question", "document", "section", "source", "source_id"), [
    ("迟到几次扣工资", "考勤管理办法", ("第一章 总则", "第一条"), "考勤.txt", None),        # GB18030
    ("地下车库停车收费吗", "停车场管理规定", ("地下车库凭工牌免费停车",), "停车.txt", None),  # BOM
    ("病假需要什么证明", "员工手册", ("第一章 休假",), "手册.md", None),
    ("涉密文件能带出办公区吗", "保密制度", ("第一章 涉密文件",), "保密.docx", None),
    ("进入车间要戴安全帽吗", "安全生产规程", ("第一章 总则",), "安全.pdf", None),
    ("午餐几点开饭", "食堂通知", ("开饭时间",), "食堂.html", None),
    ("差旅费报销期限", "报销常见问题", ("差旅费报销须在出差结束后十五日内提交",), "faq.jsonl",
     "faq-1"),
    ("门禁卡丢了怎么办", "门禁卡", ("门禁卡遗失请到保卫处补办，工本费二十元",), "faq.jsonl", "2"),
])
def test_each_format_is_searchable_and_cited(fresh_kb, docs_folder, question, document, section,
                                             source, source_id) -> None:
    fresh_kb.ingest([docs_folder])
    answer = fresh_kb.search(question)
    assert answer.status in ("answer", "suggestions")
    citation = answer.best.citation
    assert (citation.document, citation.section, citation.paragraph) == (document, section, 1)
    assert (citation.source, citation.source_id) == (source, source_id)
    assert answer.best.to_json()["source_id"] == source_id


def test_html_script_and_style_are_not_indexed(fresh_kb, docs_folder) -> None:
    fresh_kb.ingest([docs_folder])
    assert fresh_kb.search("var x").status == "not_found"


def test_malformed_files_are_reported_by_name_and_reason_and_the_rest_ingests(
        fresh_kb, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "a-good.txt").write_text("考勤办法\n员工每日打卡两次。\n", encoding="utf-8")
    (folder / "b-broken.docx").write_bytes(b"this is not a zip archive at all")
    (folder / "c-broken.pdf").write_bytes(b"%PDF-1.4\n truncated")
    (folder / "d-empty.md").write_bytes(b"")
    (folder / "e-binary.txt").write_bytes(b"ok \x80\xff bad")
    write_jsonl(folder / "f-good.jsonl", [{"id": 1, "title": "停车", "text": "凭工牌停车。"}])
    report = fresh_kb.ingest([folder])
    skipped = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(skipped) == {"b-broken.docx", "c-broken.pdf", "d-empty.md", "e-binary.txt"}
    assert all(reason.strip() for reason in skipped.values())
    assert all(str(folder) in s.path for s in report.skipped)
    for name in skipped:
        assert f"skipped {folder / name}: {skipped[name]}" in report.summary()
    assert (report.files, report.documents, report.paragraphs) == (6, 2, 2)
    assert sorted(d.title for d in fresh_kb.documents()) == ["停车", "考勤办法"]
    assert fresh_kb.search("每日打卡").best.citation.source == "a-good.txt"


def test_unreadable_path_in_a_batch_is_skipped(fresh_kb, tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("考勤办法\n员工每日打卡两次。\n", encoding="utf-8")
    report = fresh_kb.ingest([good, tmp_path / "missing.txt"])
    assert report.documents == 1
    assert [Path(s.path).name for s in report.skipped] == ["missing.txt"]


# -- re-ingest, updates ----------------------------------------------------------------------------

def test_reingesting_an_unchanged_folder_does_nothing(fresh_kb, docs_folder) -> None:
    first = fresh_kb.ingest([docs_folder])
    before = (counts(fresh_kb), fresh_kb.store.generation, fresh_kb.documents())
    again = fresh_kb.ingest([docs_folder])
    assert (again.files, again.unchanged, again.documents, again.paragraphs) == (7, 7, 0, 0)
    assert again.skipped == [] and again.removed == 0
    assert (counts(fresh_kb), fresh_kb.store.generation, fresh_kb.documents()) == before
    assert first.documents == 8


def test_a_changed_file_replaces_its_old_version(fresh_kb, tmp_path: Path) -> None:
    path = tmp_path / "考勤.txt"
    other = tmp_path / "停车.txt"
    other.write_text("停车场管理规定\n地下车库凭工牌免费停车。\n", encoding="utf-8")
    path.write_text("考勤管理办法\n员工每日打卡两次。\n", encoding="utf-8")
    fresh_kb.ingest([tmp_path])
    assert fresh_kb.search("每日打卡").status == "answer"
    generation = fresh_kb.store.generation

    path.write_text("考勤管理办法\n员工实行弹性工作制。\n核心工作时间为十点至四点。\n午休一小时。\n",
                    encoding="utf-8")
    report = fresh_kb.ingest([tmp_path])
    assert (report.unchanged, report.removed, report.documents, report.paragraphs) == (1, 1, 1, 3)
    assert fresh_kb.store.generation > generation
    assert fresh_kb.search("每日打卡").status == "not_found"
    answer = fresh_kb.search("核心工作时间")
    assert answer.status == "answer"
    assert answer.best.citation.paragraph == 2
    titles = {d.title: d.paragraphs for d in fresh_kb.documents()}
    assert titles == {"考勤管理办法": 3, "停车场管理规定": 1}
    assert counts(fresh_kb) == (2, 4, 4)


def test_a_file_that_breaks_keeps_its_last_good_version(fresh_kb, tmp_path: Path) -> None:
    path = tmp_path / "考勤.txt"
    path.write_text("考勤管理办法\n员工每日打卡两次。\n", encoding="utf-8")
    fresh_kb.ingest([path])
    path.write_bytes(b"ok \x80\xff bad")
    report = fresh_kb.ingest([path])
    assert [Path(s.path).name for s in report.skipped] == ["考勤.txt"]
    assert fresh_kb.search("每日打卡").best.citation.document == "考勤管理办法"


def test_a_jsonl_file_with_fewer_records_drops_the_missing_ones(fresh_kb, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "faq.jsonl", JSONL_RECORDS)
    fresh_kb.ingest([path])
    write_jsonl(path, JSONL_RECORDS[1:])
    fresh_kb.ingest([path])
    assert [d.source_id for d in fresh_kb.documents()] == ["2"]
    assert fresh_kb.search("差旅费报销期限").status == "not_found"


# -- remove ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("ref", "gone"), [
    ("by-id", {"员工手册"}),
    ("员工手册", {"员工手册"}),            # title
    ("手册.md", {"员工手册"}),             # file name
    ("faq-1", {"报销常见问题"}),           # jsonl id
    ("faq.jsonl", {"报销常见问题", "门禁卡"}),
])
def test_remove_deletes_documents_sections_and_paragraphs(fresh_kb, docs_folder, ref, gone) -> None:
    fresh_kb.ingest([docs_folder])
    titles = {d.title: d for d in fresh_kb.documents()}
    if ref == "by-id":
        ref = str(titles["员工手册"].id)
    removed_paragraphs = sum(titles[t].paragraphs for t in gone)
    documents, sections, paragraphs = counts(fresh_kb)
    section_rows = fresh_kb.store.db.execute(
        "SELECT count(*) FROM sections WHERE doc_id IN (%s)" % ",".join(
            str(titles[t].id) for t in gone)).fetchone()[0]
    assert section_rows > 0

    hit = fresh_kb.search("病假需要什么证明" if "员工手册" in gone else "差旅费报销期限").best
    assert hit.citation.document in gone
    assert hit.excerpt.strip("…") in fresh_kb.paragraph(hit.paragraph_id).text
    assert fresh_kb.remove(ref) == len(gone)
    assert fresh_kb.paragraph(hit.paragraph_id) is None  # the "full paragraph" button: gone
    assert {d.title for d in fresh_kb.documents()} == set(titles) - gone
    assert counts(fresh_kb) == (documents - len(gone), sections - section_rows,
                                paragraphs - removed_paragraphs)
    for question in ("病假需要什么证明", "差旅费报销期限"):
        answer = fresh_kb.search(question)
        assert all(hit.citation.document not in gone for hit in answer.hits)


def test_remove_of_an_unknown_reference_changes_nothing(fresh_kb, docs_folder) -> None:
    fresh_kb.ingest([docs_folder])
    before = (counts(fresh_kb), fresh_kb.store.generation)
    assert fresh_kb.remove("没有这个文档") == 0
    assert fresh_kb.remove("9999") == 0
    assert (counts(fresh_kb), fresh_kb.store.generation) == before


def test_a_removed_file_comes_back_when_ingested_again(fresh_kb, docs_folder) -> None:
    fresh_kb.ingest([docs_folder])
    fresh_kb.remove("手册.md")
    report = fresh_kb.ingest([docs_folder])
    assert (report.documents, report.unchanged) == (1, 6)
    assert fresh_kb.search("病假需要什么证明").best.citation.document == "员工手册"


# -- uploads and channel posts ---------------------------------------------------------------------

def test_ingest_bytes_adds_replaces_and_skips_an_upload(fresh_kb) -> None:
    first = fresh_kb.ingest_bytes("上传通知\n停车场周六关闭。\n".encode(), "通知.txt")
    assert (first.documents, first.paragraphs, first.unchanged) == (1, 1, 0)
    assert fresh_kb.search("停车场周六").status == "answer"

    same = fresh_kb.ingest_bytes("上传通知\n停车场周六关闭。\n".encode(), "通知.txt")
    assert (same.unchanged, same.documents) == (1, 0)

    edited = fresh_kb.ingest_bytes("上传通知\n自行车棚周日关闭。\n".encode("gb18030"),
                                   "C:\\Users\\me\\通知.txt")  # a Windows path: only the name counts
    assert (edited.documents, edited.removed) == (1, 1)
    assert fresh_kb.search("停车场周六").status == "not_found"
    assert fresh_kb.search("自行车棚").best.citation.source == "通知.txt"
    assert len(fresh_kb.documents()) == 1


def test_ingest_bytes_of_a_docx_and_a_pdf_upload(fresh_kb) -> None:
    fresh_kb.ingest_bytes(docx_bytes(), "保密.docx")
    fresh_kb.ingest_bytes(pdf_bytes(["进入车间必须佩戴安全帽。"]), "安全.pdf")
    assert fresh_kb.search("涉密文件").best.citation.document == "保密制度"
    assert fresh_kb.search("安全帽").best.citation.document == "安全生产规程"


def test_ingest_bytes_of_a_broken_upload_raises_and_changes_nothing(fresh_kb) -> None:
    fresh_kb.ingest_bytes("上传通知\n停车场周六关闭。\n".encode(), "通知.txt")
    before = (counts(fresh_kb), fresh_kb.store.generation)
    with pytest.raises(LoadError) as info:
        fresh_kb.ingest_bytes(b"ok \x80\xff bad", "通知.txt")
    assert str(info.value).startswith("通知.txt: ")
    with pytest.raises(LoadError):
        fresh_kb.ingest_bytes(b"MZ\x90\x00", "setup.exe")
    assert (counts(fresh_kb), fresh_kb.store.generation) == before
    assert fresh_kb.search("停车场周六").status == "answer"


def test_add_post_added_unchanged_replaced_and_cited_with_its_link(fresh_kb) -> None:
    post = dict(chat_id=-1001234, message_id=7, url="https://t.me/staffnews/7",
                channel_title="员工通知")
    assert fresh_kb.add_post(text="食堂开放时间\n工作日早餐七点开饭。", **post) == "added"
    generation = fresh_kb.store.generation
    assert fresh_kb.add_post(text="食堂开放时间\n工作日早餐七点开饭。", **post) == "unchanged"
    assert fresh_kb.store.generation == generation
    hit = fresh_kb.search("早餐几点开饭").best
    assert hit.citation.document == "员工通知: 食堂开放时间"
    assert hit.citation.url == "https://t.me/staffnews/7"
    assert hit.to_json()["source"] == "https://t.me/staffnews/7"
    assert hit.citation.source_id == "7"

    assert fresh_kb.add_post(text="食堂开放时间\n工作日早餐八点开饭。", **post) == "replaced"
    assert [d.kind for d in fresh_kb.documents()] == ["post"]
    assert "八点" in fresh_kb.search("早餐几点开饭").best.excerpt
    assert fresh_kb.search("七点").status == "not_found"


def test_an_older_version_of_a_post_never_replaces_a_newer_one(fresh_kb) -> None:
    """A webhook can deliver the original post after its edit (parallel requests, a re-delivery
    after a crash): the version is known by its (edit) date."""
    post = {"chat_id": -100, "message_id": 9, "url": None}
    assert fresh_kb.add_post(text="食堂改为十二点开饭", date="2026-05-01T08:05:00+00:00",
                             **post) == "added"
    assert fresh_kb.add_post(text="食堂十一点半开饭", date="2026-05-01T08:00:00+00:00",
                             **post) == "older"
    assert "十二点" in fresh_kb.search("食堂几点开饭").best.excerpt
    assert fresh_kb.add_post(text="食堂改为一点开饭", date="2026-05-01T09:00:00+00:00",
                             **post) == "replaced"
    assert "一点" in fresh_kb.search("食堂几点开饭").best.excerpt
    assert len(fresh_kb.documents()) == 1


def test_add_post_empty_and_long_first_line(fresh_kb) -> None:
    assert fresh_kb.add_post(chat_id=1, message_id=1, text=" \n\n ", url=None) == "empty"
    long_line = "本周起" + "停车场施工期间请员工绕行东门进入" * 3
    assert fresh_kb.add_post(chat_id=1, message_id=2, text=long_line, url=None) == "added"
    (document,) = fresh_kb.documents()
    assert len(document.title) == 40 and document.title.endswith("…")
    hit = fresh_kb.search("停车场施工").best
    assert hit.citation.source == "telegram:1/2" and hit.citation.url is None


def test_a_post_is_stored_while_a_read_on_the_shared_connection_is_open(tmp_path: Path) -> None:
    # The bot's threads share the writer's connection: a question's read may be open when a
    # channel post arrives. The first write of a reopened knowledge base once ran sqlite-utils'
    # ON CONFLICT probe (CREATE and DROP TABLE), and the DROP failed under that read: the post
    # was lost ("database table is locked", bench_freshness at 100k).
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "考勤办法.txt").write_text("考勤办法\n第一条 职工应当按时上班。\n第二条 迟到三次扣半天工资。\n"
                                        "第三条 请假应当事先报批。\n", encoding="utf-8")
    KnowledgeBase(tmp_path / "kb.db").ingest([folder])
    kb = KnowledgeBase(tmp_path / "kb.db")              # reopened: its schema needs no write
    reading = kb.store.db.conn.execute("SELECT id FROM paragraphs")
    reading.fetchone()                                   # a read left open, as another thread's
    assert kb.add_post(chat_id=-100, message_id=7, text="冰壶联赛报名通知\n报名由工会办公室蒋雨桐负责。",
                       url=None) == "added"
    assert "蒋雨桐" in kb.search("冰壶联赛报名找谁负责").best.excerpt
    assert [t for (t,) in sqlite3.connect(tmp_path / "kb.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'") if len(t) == 33] == []   # no probe table


# -- the question log ------------------------------------------------------------------------------

def test_feedback_and_stats_count(fresh_kb, docs_folder) -> None:
    fresh_kb.ingest([docs_folder])
    ids = [fresh_kb.log_question(fresh_kb.search(q), chat_kind="private", ms=1.5)
           for q in ("午餐几点开饭", "午餐几点开饭", "火星基地怎么去", "停车")]
    assert len(set(ids)) == 4
    assert fresh_kb.feedback(ids[0], True) is True
    assert fresh_kb.feedback(ids[1], False) is True
    assert fresh_kb.feedback(ids[1], True) is True   # a changed mind counts once
    assert fresh_kb.feedback(ids[3], False) is True
    assert fresh_kb.feedback(99_999, True) is False
    stats = fresh_kb.stats()
    assert (stats.documents, stats.paragraphs) == (8, 11)
    assert stats.questions == 4
    assert stats.not_found == 1
    assert stats.answered + stats.suggested + stats.not_found == 4
    assert (stats.helpful, stats.unhelpful) == (2, 1)
    assert stats.answered_share == stats.answered / 4
    # not found, and 停车's answer voted 👎 (午餐's 👎 was changed to 👍)
    assert [(q.question, q.count, q.kind) for q in fresh_kb.unanswered()] == [
        ("火星基地怎么去", 1, "not_found"), ("停车", 1, "unhelpful")]


def test_logging_without_waiting_gives_way_to_a_writer(fresh_kb, tmp_path: Path) -> None:
    """``wait=False`` (the bot's event loop) returns None at once while another connection or
    thread writes, logs normally otherwise, and leaves the normal (waiting) path as it was."""
    answer = fresh_kb.search("午餐几点开饭")
    first = fresh_kb.log_question(answer, wait=False)
    assert isinstance(first, int)
    other = sqlite3.connect(tmp_path / "kb.db", isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")          # another process's ingest holds the write lock
    started = time.perf_counter()
    assert fresh_kb.log_question(answer, wait=False) is None
    assert time.perf_counter() - started < 1.0
    releaser = threading.Timer(0.3, other.execute, ["COMMIT"])
    releaser.start()
    started = time.perf_counter()
    waited = fresh_kb.log_question(answer)    # still waits (busy timeout restored), then logs
    assert waited > first and time.perf_counter() - started >= 0.25
    releaser.join()
    other.close()
    holder_ready, release = threading.Event(), threading.Event()

    def hold_lock() -> None:                  # a writer thread of this process (an upload)
        with fresh_kb._lock:
            holder_ready.set()
            release.wait(5)
    holder = threading.Thread(target=hold_lock)
    holder.start()
    holder_ready.wait(5)
    assert fresh_kb.log_question(answer, wait=False) is None
    release.set()
    holder.join()
    assert fresh_kb.log_question(answer, wait=False) > waited
    assert fresh_kb.stats().questions == 3


def test_unanswered_orders_by_count_and_limits(fresh_kb) -> None:
    for question, times in (("甲问题", 1), ("乙问题", 3), ("丙问题", 2)):
        for _ in range(times):
            fresh_kb.log_question(fresh_kb.search(question))
    assert [(q.question, q.count) for q in fresh_kb.unanswered()] == [
        ("乙问题", 3), ("丙问题", 2), ("甲问题", 1)]
    assert len(fresh_kb.unanswered(limit=2)) == 2


# -- schema ---------------------------------------------------------------------------------------

def test_a_schema_2_file_loses_its_unused_fts_table_and_ingests_as_before(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    store = Store(db)
    assert not [name for (name,) in store.db.execute(
        "SELECT name FROM sqlite_master WHERE name LIKE '%fts%'")]   # a new file never has it
    # what schema 2 wrote: FTS5 over paragraphs.words, kept by triggers
    store.db["paragraphs"].enable_fts(["words"], create_triggers=True, tokenize="unicode61")
    store.db.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    store.db.conn.commit()
    store.close()
    with KnowledgeBase(db) as kb:
        assert kb.store.db.execute("SELECT name FROM sqlite_master WHERE name LIKE "
                                   "'paragraphs_%'").fetchall() == []
        assert kb.store.db.execute("SELECT value FROM meta WHERE key = 'schema_version'"
                                   ).fetchone() == (str(SCHEMA_VERSION),)
        kb.add_post(chat_id=1, message_id=1, text="门禁卡\n门禁卡遗失请到保卫处补办。", url=None)
        assert kb.search("门禁卡遗失怎么办").best.citation.document == "门禁卡"


# -- crash safety ----------------------------------------------------------------------------------

def test_a_crash_midway_through_a_file_leaves_the_database_as_before(
        fresh_kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_jsonl(tmp_path / "faq.jsonl", [
        {"id": f"r{i}", "title": f"旧问答{i}", "text": f"旧版本第{i}条：出差补助每天一百元。"}
        for i in range(3)])
    fresh_kb.ingest([path])
    snapshot = lambda: (counts(fresh_kb), fresh_kb.store.generation,  # noqa: E731
                        [(d.id, d.title, d.source_id) for d in fresh_kb.documents()],
                        fresh_kb.store.db.execute("SELECT id, text FROM paragraphs").fetchall(),
                        fresh_kb.store.db.execute("SELECT id, path FROM sections").fetchall())
    before = snapshot()

    write_jsonl(path, [{"id": f"r{i}", "title": f"新问答{i}", "text": f"新版本第{i}条：误餐补助每天五十元。"}
                       for i in range(3)])
    real_insert = Store.insert_document
    calls = []

    def crash_on_second(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("simulated crash")
        return real_insert(self, *args, **kwargs)

    monkeypatch.setattr(Store, "insert_document", crash_on_second)
    with pytest.raises(RuntimeError, match="simulated crash"):
        fresh_kb.ingest([path])
    monkeypatch.undo()

    assert snapshot() == before
    assert fresh_kb.search("出差补助").best.citation.document.startswith("旧问答")
    assert fresh_kb.search("误餐补助").status == "not_found"
    with KnowledgeBase(fresh_kb.path) as reopened:  # what another process sees
        assert [d.title for d in reopened.documents()] == ["旧问答0", "旧问答1", "旧问答2"]
    report = fresh_kb.ingest([path])  # the next ingest completes the update
    assert (report.documents, report.removed) == (3, 3)
    assert [d.title for d in fresh_kb.documents()] == ["新问答0", "新问答1", "新问答2"]


def test_a_crash_in_one_file_keeps_the_files_written_before_it(
        fresh_kb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("考勤办法\n员工每日打卡两次。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("停车规定\n凭工牌停车。\n", encoding="utf-8")
    real_insert = Store.insert_document

    def crash_on_b(self, origin, *args, **kwargs):
        if origin.endswith("b.txt"):
            raise RuntimeError("simulated crash")
        return real_insert(self, origin, *args, **kwargs)

    monkeypatch.setattr(Store, "insert_document", crash_on_b)
    with pytest.raises(RuntimeError):
        fresh_kb.ingest([tmp_path])
    monkeypatch.undo()
    assert [d.title for d in fresh_kb.documents()] == ["考勤办法"]
    assert counts(fresh_kb) == (1, 1, 1)
    report = fresh_kb.ingest([tmp_path])
    assert (report.unchanged, report.documents) == (1, 1)


# -- evaluation ------------------------------------------------------------------------------------

def test_evaluate_on_a_tiny_set(tmp_path: Path) -> None:
    passages = write_jsonl(tmp_path / "passages.jsonl", [
        {"id": "p1", "title": "差旅", "text": "出差住宿每晚不超过五百元。乘坐高铁二等座。"},
        {"id": "p2", "title": "食堂", "text": "午餐十一点半开饭，晚餐五点半开饭。"},
        {"id": "p3", "title": "停车", "text": "地下车库凭工牌免费停车，访客在东门登记。"},
        {"id": "p4", "title": "考勤", "text": "员工每日打卡两次，迟到三次扣半天工资。"},
    ])
    questions = write_jsonl(tmp_path / "questions.jsonl", [
        {"qid": 1, "question": "出差住宿标准是多少", "gold": ["p1"], "answer": "五百元"},
        {"qid": 2, "question": "午餐几点开饭", "gold": ["p2"], "answer": "十一点半"},
        {"qid": 3, "question": "访客在哪里登记", "gold": ["p3"], "answer": "东门"},
        {"qid": 4, "question": "迟到扣工资吗", "gold": ["p1"]},  # gold is wrong on purpose
    ])
    result = evaluate(passages, questions)
    assert result.questions == 4
    assert result.r_at_1 == 0.75
    assert 0.75 <= result.r_at_3 <= result.r_at_5 <= 1.0
    assert 0.75 <= result.mrr_at_10 < 1.0
    assert result.answer_in_excerpt_at_1 == 1.0
    assert sum(result.statuses.values()) == 4
    assert 0 < result.mean_ms and result.mean_ms <= result.p95_ms * 4
    data = result.to_json()
    assert set(data) >= {"questions", "r@1", "r@3", "r@5", "mrr@10", "answer_in_excerpt@1",
                         "mean_ms", "p95_ms"}
    limited = evaluate(passages, questions, limit=3)
    assert (limited.questions, limited.r_at_1, limited.mrr_at_10) == (3, 1.0, 1.0)


def test_a_second_knowledge_base_on_the_same_file_sees_changes(tmp_path: Path) -> None:
    """The bot and the CLI open one file: a change by one is seen by the other's next search."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "网络.txt").write_text("网络管理办法\n员工使用VPN连接内网，须经信息部审批。\n",
                                               encoding="utf-8")
    with KnowledgeBase(tmp_path / "kb.db") as bot, KnowledgeBase(tmp_path / "kb.db") as cli:
        assert bot.search("VPN").status == "not_found"
        cli.ingest([tmp_path / "docs"])
        assert bot.search("vpn怎么连接内网").best.citation.document == "网络管理办法"
        cli.remove("网络.txt")
        assert bot.search("vpn怎么连接内网").status == "not_found"


def test_a_write_is_not_broken_by_another_connection_writing_meanwhile(tmp_path):
    """The search process logs questions on its own connection while the bot stores a post: the
    bot's transaction holds the write lock from its start (the logger, not waiting, steps aside),
    where a deferred one that read first failed with "database is locked" and lost the post."""
    kb = KnowledgeBase(tmp_path / "kb.db")
    logger = Store(tmp_path / "kb.db")  # another process's connection, e.g. the search process
    try:
        before = kb.store.generation
        with kb.store.transaction():
            assert kb.store.origin_hash("upload:handbook.md") is None  # reads first, then writes
            assert logger.log_question("q", "q", "not_found", None, None, "private", 1.0,
                                       wait=False) is None
            kb.store._set_meta("probe", "1")
        assert kb.store.generation == before + 1
        assert logger.log_question("q", "q", "not_found", None, None, "private", 1.0,
                                   wait=False) is not None
    finally:
        logger.close()
        kb.close()


@pytest.mark.parametrize("deferred", [True, False])
def test_a_writer_that_defers_checkpoints_never_copies_the_log_inside_a_write(tmp_path, deferred):
    """The bot logs each question inline on its event loop: with SQLite's automatic checkpoint a
    write that crossed 1000 pages of log copied them all (50-220 ms at 100k paragraphs) before
    it returned. Deferred, every write only appends, and :meth:`checkpoint` (a thread of the
    bot's) copies the log — while a reader in another process goes on reading."""
    kb = KnowledgeBase(tmp_path / "kb.db")
    kb.ingest_bytes("# 须知\n\n要求：经办人签字，编号QC1。\n".encode(), "a.md")
    reader = KnowledgeBase(tmp_path / "kb.db")
    if deferred:
        kb.defer_checkpoints()
    answer = reader.search("编号QC1", 3)
    for _ in range(2500):
        kb.log_question(answer, chat_kind="private", ms=1.0, wait=False)
    log_pages, copied = kb.checkpoint()
    if deferred:
        assert log_pages > 1000 and copied == log_pages     # all of it, only now
    else:
        assert log_pages < 1000          # SQLite copied it inside some of those writes
    assert reader.search("编号QC1", 3).status == "answer"
    assert reader.store.db.execute("SELECT count(*) FROM questions").fetchone()[0] >= 2500
    kb.close()
    reader.close()
