"""The PDF reader on PDFs exported by LibreOffice (tests/fixtures/make_pdf.py made them).

Each fixture is an office rule with a running header (its title) and a footer in one style:
travel.pdf ``第 N 页 共 M 页`` (articles, a （一）（二） list, a table), attendance.pdf ``－ N －``
(a table of contents with dot leaders), meeting.pdf ``- N -`` (一、 items, paragraph spacing, no
indent), supplies.pdf a bare ``N`` (no metadata title). scan.pdf has no text layer; mixed.pdf is
supplies.pdf followed by two scanned pages; encrypted.pdf needs a password. equipment.pdf has two
tables whose narrow cells wrap onto two to four lines, one drawn with borders, one without.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from knowledge.loaders import FileRead, LoadError, load_path, read_bytes
from knowledge.readers import ocr

FIXTURES = Path(__file__).parent / "fixtures" / "pdf"
TEXT_PDFS = ["travel.pdf", "attendance.pdf", "meeting.pdf", "supplies.pdf"]
TITLES = {"travel.pdf": "差旅费管理办法", "attendance.pdf": "考勤管理规定",
          "meeting.pdf": "会议室使用规定", "supplies.pdf": "办公用品领用办法"}
PAGE_FURNITURE = re.compile(r"第\s*\d+\s*页|共\s*\d+\s*页|[-－]\s*\d+\s*[-－]|^\d+$|\d+$")
ARTICLE = re.compile(r"^第([一二三四五六七八九十]+)条 ")


def read(name: str) -> FileRead:
    return read_bytes((FIXTURES / name).read_bytes(), name)


def texts(name: str, kind: str | None = None) -> list[str]:
    (doc,) = read(name).documents
    return [b.text for b in doc.blocks if kind is None or b.kind == kind]


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_no_paragraph_ends_mid_sentence(name: str) -> None:
    # Every paragraph of these rules ends with 。；or ： in the source; wrapped lines
    # and page breaks must not cut one short.
    paragraphs = texts(name, "paragraph")
    assert paragraphs
    assert [p for p in paragraphs if not p.endswith(("。", "；", "："))] == []


def test_each_article_is_one_paragraph_in_order() -> None:
    paragraphs = texts("travel.pdf", "paragraph")
    numbers = [m.group(1) for m in map(ARTICLE.match, paragraphs) if m]
    assert numbers == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一",
                       "十二", "十三"]
    # a word wrapped at the line end ("不予报" / "销。") is joined without a gap
    assert any(p.endswith("未经批准擅自出差的，差旅费一律不予报销。") for p in paragraphs)
    # list items stay apart from their lead-in and from each other
    assert "第五条 乘坐交通工具的等级按以下规定执行：" in paragraphs
    assert sum(p.startswith(("（一）", "（二）", "（三）")) for p in paragraphs) == 3


def test_paragraph_across_a_page_break_is_one_paragraph() -> None:
    (doc,) = read("travel.pdf").documents
    article8 = next(b for b in doc.blocks if b.text.startswith("第八条"))
    # page 2 ends with a full line ending "。"; page 3 goes on without an indent
    assert "不得以收据代替。确因工作需要超标准住宿的，须事先报分管领导批准" in article8.text
    assert article8.text.endswith("并在报销时附批准文件。")
    assert article8.page == 2
    item = next(b for b in doc.blocks if b.text.startswith("（二）"))
    assert item.text == "（二）其余人员乘坐火车硬席、高铁二等座、全列软席列车二等软座，飞机经济舱；"
    assert item.page == 1
    item3 = next(t for t in texts("meeting.pdf") if t.startswith("三、"))
    assert item3.endswith("设备损坏的，应当及时告知办公室维修，因使用不当造成损坏的由使用部门负责赔偿。")


@pytest.mark.parametrize("name", TEXT_PDFS)
def test_running_headers_footers_and_page_numbers_are_dropped(name: str) -> None:
    result = read(name)
    (doc,) = result.documents
    title = TITLES[name]
    # the title is read once, as the first heading: its copies in the page headers are gone
    assert [b.text for b in doc.blocks if title in b.text] == [title]
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text == title
    assert [b.text for b in doc.blocks if PAGE_FURNITURE.search(b.text)] == []
    pages = result.info.pages
    assert result.info.dropped["page header lines"] == pages
    assert result.info.dropped["page numbers"] == pages
    assert f"{pages} page numbers dropped" in result.warnings


def test_dropped_counts_and_pages_in_read_info() -> None:
    result = read("travel.pdf")
    assert result.info.reader == "pypdfium2"
    assert result.info.pages == 3
    assert result.info.ocr_pages == 0
    assert result.info.dropped == {"page header lines": 3, "page numbers": 3}
    assert result.info.warnings == []
    (doc,) = result.documents
    pages = [b.page for b in doc.blocks]
    assert pages == sorted(pages) and set(pages) == {1, 2, 3}


def test_table_of_contents_is_dropped() -> None:
    result = read("attendance.pdf")
    # "目 录" and its three leader-dotted entries
    assert result.info.dropped["table of contents lines"] == 4
    blocks = texts("attendance.pdf")
    assert [t for t in blocks if "..." in t or "…" in t or re.sub(r"\s", "", t) == "目录"] == []
    for chapter in ("第一章 工作时间", "第二章 请假", "第三章 加班与调休"):
        assert blocks.count(chapter) == 1   # the chapter heading, not its TOC entry too
    assert "第一条 本单位实行每周五天工作制" in blocks[2]


def test_headings_found_by_size_and_weight() -> None:
    (doc,) = read("travel.pdf").documents
    headings = [(b.text, b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings == [
        ("差旅费管理办法", 1),                       # the large title line
        ("第一章 总则", 0), ("第二章 城市间交通费", 0), ("第三章 住宿费", 0),
        ("第四章 伙食补助费和市内交通费", 0), ("第五章 报销管理", 0),  # 第X章: the marker decides
    ]
    # articles are paragraphs that start with their number, not headings
    assert not [b for b in doc.blocks if b.kind == "heading" and ARTICLE.match(b.text)]


def test_title_from_metadata_else_the_large_first_line() -> None:
    assert read("travel.pdf").documents[0].title == "差旅费管理办法"    # PDF metadata
    assert b"/Title" not in (FIXTURES / "supplies.pdf").read_bytes()
    assert read("supplies.pdf").documents[0].title == "办公用品领用办法"  # 18pt first line


def test_table_rows_carry_their_column_headers_and_caption() -> None:
    (doc,) = read("travel.pdf").documents
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert [b.row for b in rows] == [1, 2, 3, 4]
    assert {b.table for b in rows} == {"表1 住宿费标准"}
    assert rows[1].headers == ("出差地区", "单位负责人", "其余人员")
    assert rows[1].cells == ("上海", "800元", "500元")
    assert rows[1].text == "出差地区：上海；单位负责人：800元；其余人员：500元"
    # the caption names the table; it is not left behind as a paragraph
    assert not [b for b in doc.blocks if b.kind != "table_row" and "住宿费标准" == b.text[-5:]]


def test_bordered_table_with_wrapped_cells_is_read_cell_by_cell() -> None:
    # LibreOffice writes such a table cell by cell ("SB-2" / "022-" / "0107" …) and PDFium runs
    # side-by-side cells together; the ruling lines give the grid each character goes into.
    (doc,) = read("equipment.pdf").documents
    rows = [b for b in doc.blocks if b.kind == "table_row" and b.table == "表1 在用仪器设备"]
    assert [b.row for b in rows] == [1, 2, 3]
    assert rows[0].headers == ("设备编号", "设备名称", "型号规格", "使用部门", "责任人", "存放位置")
    assert rows[0].cells == ("SB-2022-0107", "恒温恒湿试验箱", "宏展THS-B4T150", "质量检测中心",
                             "周立新", "实验楼三层东侧")
    assert rows[1].text == ("设备编号：SB-2023-0215；设备名称：便携式气体检测仪；型号规格：英思科MX6；"
                            "使用部门：安全环保部；责任人：吴海燕；存放位置：综合楼一层值班室")
    assert rows[2].cells == ("SB-2024-0032", "投影仪", "明基MW560", "办公室", "郑晓", "第二会议室")
    # no cell fragments left behind as paragraphs or headings; the text around it is intact
    others = [b.text for b in doc.blocks if b.kind != "table_row"]
    assert others == ["仪器设备台账", "本台账记录各部门在用的仪器设备，每季度由资产管理科核对一次。",
                      "设备调拨、报废须经资产管理科审核，并在台账中注明。",
                      "以下设备已申请报废，待资产管理科审核后处置。", "报废设备由资产管理科统一回收处置。"]


def test_borderless_table_with_wrapped_cells_is_read_by_its_gaps() -> None:
    # no ruling lines: the columns are the gaps between the characters, the rows the padding
    # gaps that every column starts a line below (a cell's next line is only one pitch down)
    (doc,) = read("equipment.pdf").documents
    rows = [b for b in doc.blocks if b.kind == "table_row" and b.table == "表2 待报废设备"]
    assert [(b.row, b.page) for b in rows] == [(1, 2), (2, 2)]
    assert rows[0].text == ("设备编号：SB-2015-0046；设备名称：台式计算机；型号规格：清华同方超越E500；"
                            "报废原因：主板损坏无法维修；经办人：马文涛")
    assert rows[1].cells == ("SB-2016-0121", "复印机", "理光MP2014", "超过使用年限", "林小红")


def test_table_read_row_by_row_keeps_the_aligned_columns_reading() -> None:
    # travel.pdf's table has borders but one-line cells: PDFium reads it row by row, and the
    # grid reading is not needed (nor used) there
    from knowledge.readers.pdf_layout import Line
    from knowledge.readers.pdf_tables import _backtrack_regions

    lines = [Line("出差地区 单位负责人", 10, 200, 100 + 15 * k, 10.5) for k in range(6)]
    assert _backtrack_regions(lines) == []
    rows = [b for b in read("travel.pdf").documents[0].blocks if b.kind == "table_row"]
    assert len(rows) == 4 and rows[3].cells == ("其他地区", "600元", "350元")


def test_scanned_pdf_needs_ocr_or_is_read_by_it() -> None:
    path = FIXTURES / "scan.pdf"
    if not ocr.available():
        with pytest.raises(LoadError) as error:
            load_path(path)
        assert error.value.reason == ocr.MISSING
        return
    result = read("scan.pdf")
    assert result.info.ocr_pages == 1
    (doc,) = result.documents
    assert all(b.ocr for b in doc.blocks)
    assert any("值班" in b.text for b in doc.blocks)


def test_scanned_pages_in_a_text_pdf(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="knowledge.readers")
    result = read("mixed.pdf")
    (doc,) = result.documents
    assert result.info.pages == 4
    assert doc.title == "办公用品领用办法"
    assert any(b.text.startswith("第四条 职工调离本单位时") for b in doc.blocks if b.page == 2)
    if not ocr.available():
        assert result.info.warnings == [
            f"no text layer on pages 3–4 (scans?); to read them {ocr.HOW}"]
        assert result.info.ocr_pages == 0
        assert {b.page for b in doc.blocks} == {1, 2}
        return
    assert result.info.ocr_pages == 2
    assert "mixed.pdf: OCR page 3 of 4" in caplog.messages
    scanned = [b for b in doc.blocks if b.page >= 3]
    assert scanned and all(b.ocr for b in scanned)
    assert not any(b.ocr for b in doc.blocks if b.page <= 2)


def test_encrypted_pdf_is_refused_with_a_clear_reason() -> None:
    with pytest.raises(LoadError) as error:
        load_path(FIXTURES / "encrypted.pdf")
    assert error.value.reason == "encrypted PDF (a password is needed)"


def test_truncated_export_is_refused_not_half_read() -> None:
    data = (FIXTURES / "travel.pdf").read_bytes()
    with pytest.raises(LoadError) as error:
        read_bytes(data[: len(data) * 3 // 4], "travel.pdf")
    assert error.value.reason.startswith("corrupt or truncated PDF: ")
