"""Spreadsheets through the public loader: LibreOffice-made .xlsx and .csv fixtures
(tests/fixtures/sheet, recipe tests/fixtures/make_web_and_sheets.py)."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import pytest

from knowledge.loaders import LoadError, load_bytes, load_path, read_bytes

SHEETS = Path(__file__).parent / "fixtures" / "sheet"


def rows(doc, table: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if b.kind == "table_row" and table in (None, b.table)]


def test_xlsx_sheets_are_sections_with_one_row_a_record() -> None:
    read = read_bytes((SHEETS / "office.xlsx").read_bytes(), "office.xlsx")
    (doc,) = read.documents
    assert (doc.kind, read.info.reader) == ("xlsx", "python-calamine")
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("住宿费标准", 1), ("通讯录", 1), ("资产登记", 1)]
    # the merged title line is the caption; the two-row merged header names every column
    caption = "表1 住宿费标准（元/人·天）"
    assert rows(doc, caption) == [
        "出差地区：上海；住宿费标准/一般人员：500；住宿费标准/处级人员：600；伙食补助：100",
        "出差地区：广州；住宿费标准/一般人员：450；住宿费标准/处级人员：550；伙食补助：100",
        "出差地区：其他地区；住宿费标准/一般人员：350；住宿费标准/处级人员：450；伙食补助：80.5",
    ]
    assert [b.row for b in doc.blocks if b.table == caption] == [1, 2, 3]
    assert read.info.dropped == {"empty spreadsheet rows": 1}


def test_xlsx_merged_header_spreads_and_empty_column_is_dropped() -> None:
    (doc,) = load_path(SHEETS / "office.xlsx")
    phones = [b for b in doc.blocks if b.table == "通讯录"]
    assert phones[0].headers == ("姓名", "部门", "电话", "电话")
    assert [b.text for b in phones] == [
        "姓名：张三；部门：财务处；电话：010-6655 1234；电话：8001",
        "姓名：李四；部门：人事处；电话：010-6655 2345；电话：8002",
        "姓名：王五；部门：信息中心；电话：13800000001",  # a number, not 1.38e10
    ]


def test_xlsx_dates_numbers_and_formula_values_as_shown() -> None:
    (doc,) = load_path(SHEETS / "office.xlsx")
    assert rows(doc, "资产登记") == [
        "资产编号：ZC-001；名称：笔记本电脑；购置日期：2024-03-01；数量：2；单价：4500；金额：9000",
        "资产编号：ZC-002；名称：打印机；购置日期：2023-11-15；数量：1；单价：1999.5；金额：1999.5",
    ]


def test_hidden_sheet_is_skipped_with_a_warning() -> None:
    read = read_bytes((SHEETS / "office.xlsx").read_bytes(), "office.xlsx")
    assert read.info.warnings == ["hidden sheet '草稿' skipped"]
    assert not any("未定稿" in b.text for d in read.documents for b in d.blocks)


def test_single_default_sheet_has_no_heading() -> None:
    (doc,) = load_path(SHEETS / "duty.xlsx")
    assert doc.title == "duty"
    assert [(b.kind, b.text, b.table) for b in doc.blocks] == [
        ("table_row", "日期：2024-10-01；值班人：张三；电话：8001", "Sheet1"),
        ("table_row", "日期：2024-10-02；值班人：李四；电话：8002", "Sheet1"),
    ]


def test_csv_gb18030_from_calc() -> None:
    read = read_bytes((SHEETS / "phones_gb18030.csv").read_bytes(), "phones.csv")
    (doc,) = read.documents
    assert (doc.kind, doc.title, read.info.reader) == ("csv", "phones", "csv")
    assert rows(doc) == ["姓名：张三；部门：财务处；电话：010-6655 1234；8001",
                         "姓名：李四；部门：人事处；电话：010-6655 2345；8002",
                         "姓名：王五；部门：信息中心；电话：13800000001"]
    assert {b.table for b in doc.blocks} == {"phones"}


def test_csv_tab_separated_utf8_with_and_without_bom() -> None:
    data = (SHEETS / "assets_utf8.tsv.csv").read_bytes()
    plain = load_bytes(data, "assets.csv")
    assert load_bytes(b"\xef\xbb\xbf" + data, "assets.csv") == plain  # Excel's "CSV UTF-8"
    assert rows(plain[0])[0] == ("资产编号：ZC-001；名称：笔记本电脑；购置日期：2024-03-01；"
                                 "数量：2；单价：4500；金额：9000")


@pytest.mark.parametrize("sep", [";", "，"])
def test_csv_semicolon_and_full_width_comma(sep: str) -> None:
    text = f"通讯录\n姓名{sep}说明\n张三{sep}负责报销，审核\n\n李四{sep}值班\n"
    if sep == "，":
        text = text.replace("负责报销，审核", "负责报销")
    (doc,) = load_bytes(text.encode("utf-8"), "list.csv")
    assert doc.blocks[0].text == "通讯录"  # the one-cell title line
    assert rows(doc, "通讯录")[0].startswith("姓名：张三；说明：负责报销")
    assert rows(doc, "通讯录")[1] == "姓名：李四；说明：值班"


def test_large_csv_is_quick() -> None:
    lines = ["编号,名称,部门,金额"] + [f"ZC-{i},笔记本电脑,财务处,{i}.5" for i in range(20000)]
    started = time.process_time()     # CPU, not wall: other processes on a loaded CI machine
    (doc,) = load_bytes("\n".join(lines).encode("gb18030"), "big.csv")
    assert len(doc.blocks) == 20000 and time.process_time() - started < 3


def xlsx_error(data: bytes) -> str:
    with pytest.raises(LoadError) as info:
        load_bytes(data, "book.xlsx")
    assert str(info.value) == f"book.xlsx: {info.value.reason}"
    return info.value.reason


def test_broken_workbooks_have_clear_reasons() -> None:
    data = (SHEETS / "office.xlsx").read_bytes()
    assert xlsx_error(data[: len(data) // 2]) == (
        "truncated or corrupt .xlsx (incomplete zip archive)")
    assert xlsx_error(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600).startswith(
        "a password-protected (encrypted) workbook or an old .xls file")
    assert xlsx_error(b"name,phone\n") == "truncated or corrupt .xlsx (not a zip archive)"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert xlsx_error(buffer.getvalue()) == "not an Excel workbook (no xl/workbook.xml inside)"
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as archive:
        for member in source.infolist():
            body = source.read(member)
            archive.writestr(member, body[:40] if member.filename == "xl/workbook.xml" else body)
    assert xlsx_error(buffer.getvalue()).startswith("corrupt .xlsx workbook (")
