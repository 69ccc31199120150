"""Units a person cites: a list's lead-in with its items, table rows with their headers, and what
the reader did with each file (ingest --json, show), through the CLI as an admin uses it; and the
upgrade of a knowledge base written before these units existed."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from test_cli import staffbot, staffbot_together

from knowledge.blocks import Block, SourceDocument, list_item, table_row
from knowledge.model import Citation
from knowledge.sections import split_document

FIXTURES = Path(__file__).parent / "fixtures"

RULE = """考勤与休假管理规定
第一章 总则
第一条 为规范考勤管理，制定本规定。
第二条 员工请假应当提交下列材料：
（一）请假申请表；
（二）病假须附二级以上医院出具的诊断证明；
（三）婚假须附结婚证复印件；
（四）产假须附生育服务证明；
（五）丧假须附相关证明材料；
（六）探亲假须附家属所在地证明；
（七）年休假须经部门负责人签字同意；
（八）事假须说明事由并由分管领导批准。
本条所称员工，是指与本单位签订劳动合同的人员。
第三条 迟到或者早退三次的，按旷工半天处理。
"""


@pytest.fixture(scope="module")
def rule_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rule ingested once; the tests reading it only show and ask."""
    tmp_path = tmp_path_factory.mktemp("units")
    source = tmp_path / "考勤与休假管理规定.txt"
    source.write_text(RULE, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(source), db=db)
    return db


def shown(db: Path, ref: str) -> list[dict]:
    [view] = json.loads(staffbot("show", ref, "--json", db=db).stdout)
    return view["paragraphs"]


def test_a_lead_in_and_its_items_are_one_paragraph_and_what_follows_is_not_under_the_last_item(
        rule_db: Path) -> None:
    views = shown(rule_db, "考勤与休假管理规定")
    paragraphs = {tuple(p["section"]): [] for p in views}
    for p in views:
        paragraphs[tuple(p["section"])].append(p)
    article = paragraphs[("第一章 总则", "第二条")]
    assert [p["kind"] for p in article] == ["list", "text"]
    lines = article[0]["text"].split("\n")
    assert lines[0] == "员工请假应当提交下列材料："
    assert lines[1] == "（一）请假申请表；" and lines[-1].startswith("（八）事假")
    assert article[1]["text"].startswith("本条所称员工")
    assert not any("（八）" in label for section in paragraphs for label in section)


def test_a_question_about_one_item_gets_the_lead_in_and_that_item(rule_db: Path) -> None:
    answer = json.loads(staffbot("ask", "病假要交什么证明", "--json", db=rule_db).stdout)
    best = answer["hits"][0]
    assert best["section"] == "第一章 总则 › 第二条"
    lines = best["excerpt"].split("\n")
    assert lines[0] == "员工请假应当提交下列材料："
    assert any(line.startswith("（二）病假须附二级以上医院") for line in lines)
    assert "…" in lines                      # the other items are left out, and it says so
    assert not any(line.startswith("（六）") for line in lines)
    for start, end in best["highlights"]:
        assert best["excerpt"][start:end] in "病假证明"


def test_a_question_asking_for_the_list_gets_every_item(rule_db: Path) -> None:
    answer = json.loads(staffbot("ask", "请假需要提交哪些材料", "--json", db=rule_db).stdout)
    best = answer["hits"][0]
    assert best["section"] == "第一章 总则 › 第二条"
    lines = best["excerpt"].split("\n")
    assert [line[:3] for line in lines[1:9]] == [
        "（一）", "（二）", "（三）", "（四）", "（五）", "（六）", "（七）", "（八）"]
    # the article is short: its other paragraph follows its list (the article is the unit)
    assert len(lines) == 10 and lines[9].startswith("本条所称员工")


def test_numbered_items_without_a_lead_in_do_not_capture_the_next_paragraph() -> None:
    doc = SourceDocument("通知", (
        Block("paragraph", "一、总体要求"),
        Block("paragraph", "1. 各部门于每月5日前报送考勤表。"),
        Block("paragraph", "2. 人事处于每月10日前汇总。"),
        Block("paragraph", "以上要求自发布之日起执行。"),
    ), "n.txt", None, "txt")
    paragraphs = split_document(doc).paragraphs
    assert [p.section for p in paragraphs] == [
        ("一、总体要求", "1.各部门于每月5日前报送考勤表"),
        ("一、总体要求", "2.人事处于每月10日前汇总"),
        ("一、总体要求",),
    ]


def test_rendered_list_items_join_their_lead_in_and_articles_stay_articles() -> None:
    doc = SourceDocument("办法", (
        list_item("第一条", "报销须提供下列票据："),
        list_item("（一）", "发票；"),
        list_item("（二）", "行程单。", level=1),
        list_item("第二条", "本办法自印发之日起施行。"),
    ), "b.docx", None, "docx")
    paragraphs = split_document(doc).paragraphs
    assert [(p.section, p.kind, p.text) for p in paragraphs] == [
        (("第一条",), "list", "报销须提供下列票据：\n（一）发票；\n（二）行程单。"),
        (("第二条",), "text", "本办法自印发之日起施行。"),
    ]


def test_a_table_row_is_cited_by_its_table_and_row_and_carries_its_headers() -> None:
    headers = ("出差地区", "住宿费（其余人员）", "伙食补助费")
    doc = SourceDocument("差旅费管理办法", (
        Block("heading", "第二章 开支标准", 1),
        Block("paragraph", "表1 住宿费标准"),   # the caption, kept as text by some readers
        table_row(headers, ("上海", "500", "100"), table="表1 住宿费标准", row=2),
    ), "c.docx", None, "docx")
    [paragraph] = split_document(doc).paragraphs
    assert paragraph.kind == "table_row"
    assert paragraph.section == ("第二章 开支标准", "表1 住宿费标准", "第2行")
    assert paragraph.text == "出差地区：上海；住宿费（其余人员）：500；伙食补助费：100"


def test_ocr_text_is_marked_in_the_citation() -> None:
    assert Citation("规定", ("第三条",), 4, "scan.pdf", ocr=True).label.endswith("（扫描件识别）")
    assert "扫描件" not in Citation("规定", ("第三条",), 4, "rule.pdf").label


def test_ingest_json_and_show_report_what_the_reader_did(tmp_path: Path) -> None:
    source = tmp_path / "rule.md"
    source.write_text("# 规定\n\n| 地区 | 标准 |\n|---|---|\n| 上海 | 500 |\n\n第一条 按标准执行。\n",
                      encoding="utf-8")
    db = tmp_path / "kb.db"
    report = json.loads(staffbot("ingest", "--json", str(source), db=db).stdout)
    [read] = report["read"]
    assert read["path"] == str(source) and read["reader"] and read["blocks"] >= 2
    assert read["documents"] == 1
    shown_rule, unknown = staffbot_together((["show", "rule.md"], 0),
                                            (["show", "nothing-like-it"], 1), db=db)
    text = shown_rule.stdout
    assert text.splitlines()[0] == "规定  (md, rule.md, id 1)"
    assert "read: " in text and "第一条" in text
    assert unknown.stderr.startswith("staffbot show:")


def test_a_schema_1_knowledge_base_is_upgraded_and_its_files_are_read_again(
        tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "kb" / "schema1.db", db)
    source = tmp_path / "考勤管理规定.md"
    shutil.copy(FIXTURES / "kb" / "考勤管理规定.md", source)
    with sqlite3.connect(db) as conn:  # the file the old ingest read, where it now lives
        conn.execute("UPDATE documents SET origin = ?", [str(source.resolve())])
    # answers straight away from the old rows
    answer = json.loads(staffbot("ask", "迟到三次怎么处理", "--json", db=db).stdout)
    assert answer["hits"][0]["section"] == "第一章 总则 › 第三条"
    # schema 4: the old rows got their stable references
    assert re.fullmatch(r"[0-9a-f]{12}", answer["hits"][0]["ref"])
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() \
            == ("5",)
        # schema 3: the FTS5 table nothing queried, and the triggers that filled it, are gone
        assert conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'paragraphs_%' "
                            "AND type IN ('table', 'trigger')").fetchall() == []
    # an unchanged file read by the old readers is read again, with the lists as units
    report = json.loads(staffbot("ingest", "--json", str(source), db=db).stdout)
    assert (report["unchanged"], report["removed"], report["documents"]) == (0, 1, 1)
    view, ingested_again = staffbot_together((["show", "考勤管理规定", "--json"], 0),
                                             (["ingest", "--json", str(source)], 0), db=db)
    [document] = json.loads(view.stdout)
    assert "list" in [p["kind"] for p in document["paragraphs"]]
    # and after that it is unchanged
    assert json.loads(ingested_again.stdout)["unchanged"] == 1


def test_a_knowledge_base_from_a_newer_staffbot_is_refused_with_a_message(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    shutil.copy(FIXTURES / "kb" / "schema1.db", db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    result = staffbot("docs", db=db, check=2)
    assert "newer staffbot" in result.stderr and "schema 99" in result.stderr


def test_a_table_row_answer_shows_the_row_with_its_headers(tmp_path: Path) -> None:
    db = tmp_path / "kb.db"
    staffbot("ingest", str(FIXTURES / "sheet" / "office.xlsx"), db=db)   # saved by LibreOffice Calc
    answer = json.loads(staffbot("ask", "去广州出差处级人员住宿费标准多少", "--json", db=db).stdout)
    best = answer["hits"][0]
    assert best["excerpt"] == ("出差地区：广州；住宿费标准/一般人员：450；住宿费标准/处级人员：550；"
                               "伙食补助：100")
    assert best["section"] == "住宿费标准 › 表1 住宿费标准（元/人·天） › 第2行"


def test_a_long_table_row_keeps_its_first_cell_and_the_matching_cells(tmp_path: Path) -> None:
    columns = ["资产编号", "资产名称", "规格型号", "使用部门", "保管人", "存放地点", "购置日期",
               "原值（元）", "使用年限", "资金来源", "供应商", "维保到期", "备注说明"]
    row = ["ZC-2023-0117", "便携式投影仪", "EB-FH52 高亮度商务型号", "办公室综合科", "王晓明",
           "行政楼三层第二会议室东侧储物柜", "2023-05-16", "6800", "6年", "部门预算公用经费",
           "本市某某科技发展有限公司", "2026-05-15", "借用须提前一个工作日在综合科登记，写明借用人、用途和归还时间；归还时由综合科"
           "当面检查镜头、遥控器、电源线和收纳包是否齐全完好，发现损坏的由借用人说明情况，"
           "按照本单位固定资产管理办法的规定处理；节假日期间原则上不外借"]
    source = tmp_path / "固定资产登记表.csv"
    source.write_text(",".join(columns) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(source), db=db)
    answer = json.loads(staffbot("ask", "投影仪的存放地点", "--json", db=db).stdout)
    excerpt = answer["hits"][0]["excerpt"]
    assert excerpt.startswith("资产编号：ZC-2023-0117；资产名称：便携式投影仪")
    assert "存放地点：行政楼三层第二会议室东侧储物柜" in excerpt
    assert "供应商" not in excerpt and "；…" in excerpt


def test_a_question_answered_only_by_a_scan_is_answered_and_cited_as_read_from_a_scan(
        tmp_path: Path) -> None:
    from knowledge.readers import ocr

    if not ocr.available():
        pytest.skip("the OCR extra is not installed (pip install -e '.[ocr]')")
    db = tmp_path / "kb.db"
    # an image-only PDF: ImageMagick "scan" of a rule, packed by img2pdf (tests/fixtures/scan)
    report = json.loads(staffbot("ingest", "--json", str(FIXTURES / "scan" / "会议室使用管理规定.pdf"),
                                 db=db).stdout)
    assert report["read"][0]["ocr_pages"] == 1
    answer = json.loads(staffbot("ask", "会议室每次最多能预约几个小时", "--json", db=db).stdout)
    best = answer["hits"][0]
    assert "4小时" in best["excerpt"] and best["ocr"] is True
    assert best["citation"].endswith("（扫描件识别）") and "第二条" in best["section"]


@pytest.mark.parametrize(("line", "record"), [
    ("出差地区：其他省会城市；住宿费标准·院领导：600；住宿费标准·其他人员：450；伙食补助费：100", True),
    ("姓名：孙浩；职务：网络管理员；办公电话：8835", True),
    ("第六条 单位按照工资总额的2%缴纳；职工按照本人工资的1%缴纳；农民合同制工人不缴纳。", False),
    ("报销须提供：发票；行程单。", False),
])
def test_a_table_row_copied_out_as_text_is_recognised(line: str, record: bool) -> None:
    from knowledge.excerpt import looks_like_record

    assert looks_like_record(line) is record


def test_the_ocr_engine_is_let_go_after_an_ingest_that_needed_it(tmp_path: Path) -> None:
    from knowledge import KnowledgeBase
    from knowledge.readers import ocr

    if not ocr.available():
        pytest.skip("the OCR extra is not installed (pip install -e '.[ocr]')")
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        report = kb.ingest([FIXTURES / "scan" / "会议室使用管理规定.png"])
        assert report.read[0].ocr_pages == 1 and not ocr.loaded()
        kb.ingest_bytes((FIXTURES / "scan" / "会议室使用管理规定.jpg").read_bytes(), "scan.jpg")
        assert not ocr.loaded()
        assert kb.search("会议室每次最多能预约几个小时").best.citation.ocr


def test_reader_settings_from_a_dotenv_file_reach_the_readers(tmp_path: Path) -> None:
    # STAFFBOT_SOFFICE in .env (not in the environment): the CLI hands it to the .doc reader
    (tmp_path / ".env").write_text("STAFFBOT_SOFFICE=/nonexistent/soffice\n", encoding="utf-8")
    doc = tmp_path / "old.doc"
    doc.write_bytes((FIXTURES / "office" / "差旅费管理办法.doc").read_bytes())
    result = staffbot("ingest", "--json", str(doc), db=tmp_path / "kb.db", cwd=tmp_path)
    [skipped] = json.loads(result.stdout)["skipped"]
    assert "STAFFBOT_SOFFICE=/nonexistent/soffice is not a program" in skipped["reason"]


# (session 23) A notice's points: after 现将…通知如下： its 一、二、三、 are sentences, each a point
# of its own (a section, cited by its label), where a list's 一、二、 entries end with ；and stay
# the lead-in's items. The lead-in left alone only announces what follows: a question about the
# holiday gets the point that says it, not the announcement.
NOTICE = """关于2027年春节放假安排的通知
各部门：
根据国务院办公厅通知精神，结合公司实际，现将2027年春节放假安排通知如下：
一、放假时间：2月5日至2月11日放假调休，共7天。2月1日（星期日）、2月13日（星期六）上班。
二、节前请各部门做好安全检查，关闭门窗、电源。
三、放假期间实行值班制度，值班人员名单由各部门于1月25日前报综合办公室。值班人员按规定发放值班补贴，每天200元。
四、体检时间：4月7日至4月18日，每个工作日上午7:30至10:00。体检前一天晚上10点后禁食禁水。
五、体检地点：市第一人民医院体检中心（解放路88号）。
综合办公室
"""


def test_a_notices_points_are_sections_and_a_lists_entries_stay_items() -> None:
    notice = SourceDocument("通知", tuple(Block("paragraph", line)
                                         for line in NOTICE.splitlines()[1:]), "n.txt", None, "txt")
    sections = [(p.section, p.kind) for p in split_document(notice).paragraphs]
    assert (("一、放假时间",), "text") in sections
    assert any(section[0].startswith("三、放假期间实行值班制度") for section, _ in sections)
    assert not any(kind == "list" for _, kind in sections)
    entries = SourceDocument("规定", (
        Block("paragraph", "员工有下列情形之一的，公司可以解除劳动合同："),
        Block("paragraph", "一、严重违反规章制度的；"),
        Block("paragraph", "二、严重失职，营私舞弊，给公司造成重大损害的。"),
    ), "r.txt", None, "txt")
    [paragraph] = split_document(entries).paragraphs
    assert paragraph.kind == "list" and paragraph.text.endswith("造成重大损害的。")


def test_a_question_about_a_notice_gets_its_point(tmp_path: Path) -> None:
    source = tmp_path / "关于2027年春节放假安排的通知.txt"
    source.write_text(NOTICE, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(source), db=db)
    for question, label, says in [
            ("值班一天多少钱？", "三、放假期间实行值班制度", "每天200元"),
            ("过年从哪天开始放假？", "一、放假时间", "2月5日"),       # not the announcement
            ("体检几号开始？", "四、体检时间", "4月7日"),             # a date, not 88号
            ("体检要空腹吗？", "四、体检时间", "禁食禁水")]:          # 空腹 → 禁食
        answer = json.loads(staffbot("ask", question, "--json", db=db, check=None).stdout)
        best = answer["hits"][0]
        assert best["section"].startswith(label) and says in best["excerpt"], (
            question, answer["status"], best["section"])
        assert not best["excerpt"].startswith("根据"), question
