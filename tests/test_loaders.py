"""Tests for knowledge.loaders: every fixture file is built here in tmp_path."""

from __future__ import annotations

import codecs
import io
import pickle
import subprocess
import sys
import time
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from makedocs import build_pdf_bytes
from docx.enum.style import WD_STYLE_TYPE

from knowledge.loaders import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    Block,
    LoadError,
    SourceDocument,
    decode_text,
    iter_files,
    load_bytes,
    load_bytes_with_warnings,
    load_path,
    load_path_with_warnings,
)
from knowledge.readers import ocr

P = lambda text: Block("paragraph", text)  # noqa: E731
H = lambda text, level: Block("heading", text, level)  # noqa: E731


def load_one(path: Path, **kwargs: int) -> SourceDocument:
    docs = load_path(path, **kwargs)
    assert len(docs) == 1
    return docs[0]


def error_reason(path: Path, **kwargs: int) -> str:
    with pytest.raises(LoadError) as info:
        load_path(path, **kwargs)
    assert str(info.value) == f"{path.name}: {info.value.reason}"
    return info.value.reason


# --------------------------------------------------------------------------
# Fixture builders
# --------------------------------------------------------------------------


def build_docx_bytes(*, core_title: str = "") -> bytes:
    document = docx.Document()
    document.core_properties.title = core_title
    document.add_heading("员工手册", level=0)  # "Title" style
    document.add_heading("第一章 总则", level=1)
    document.add_paragraph("本手册适用于全体员工。")
    document.add_paragraph("   ")  # blank paragraphs are dropped
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ["假期类型", "天数", "备注"], strict=True):
        cell.text = text
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "年假五天"
    document.add_heading("1.1 考勤", level=2)
    document.add_paragraph("上班时间为九点。")
    chinese_heading = document.styles.add_style("标题 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("请假流程", style=chinese_heading)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------


@pytest.fixture
def gb18030_txt(tmp_path: Path) -> Path:
    path = tmp_path / "考勤制度.txt"
    text = (
        "\u3000考勤管理办法\r\n\r\n"
        "\u3000\u3000第一章　总则\r\n"
        "\u3000\u3000为规范考勤，\u200b制定本办法。\xa0\r\n"
    )
    path.write_bytes(text.encode("gb18030"))
    return path


@pytest.fixture
def utf8_bom_txt(tmp_path: Path) -> Path:
    path = tmp_path / "notice.txt"
    long_first = "本通知自发布之日起施行，" + "各部门应当认真组织学习" * 4
    path.write_bytes(b"\xef\xbb\xbf" + f"{long_first}\n\n第二段。\n".encode())
    return path


@pytest.fixture
def utf16_txt(tmp_path: Path) -> Path:
    path = tmp_path / "wide.txt"
    path.write_bytes("Leave policy\r\nAnnual leave is five days.\r\n".encode("utf-16"))
    return path


@pytest.fixture
def markdown_path(tmp_path: Path) -> Path:
    path = tmp_path / "handbook.md"
    path.write_text(
        """---
title: "Staff Handbook"
author: HR
---
# 员工手册

本制度适用于
全体员工。Read the **full** text, *carefully*,
with _care_ and `code *x*` via [the portal](https://intra.example/x) ![logo](logo.png) <b>now</b> &amp; my_snake_name.

Benefits
--------

- 年假
* 病假
  需要证明
1. 提交申请

> 引用的话

```
run --now
  keep
```

| 类型 | 天数 |
|------|------|
| 年假 | 5 |

## 二、请假 ##
###### Deep
[portal]: https://intra.example/
Text with \\*escaped\\* stars.
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def html_path(tmp_path: Path) -> Path:
    path = tmp_path / "page.html"
    path.write_text(
        """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>考勤 &amp; 请假</title>
<style>p { color: red }</style><script>var s = "<p>hidden</p>";</script></head>
<body><nav><a href="/">首页</a></nav>
<h1>考勤制度</h1>
<p>员工应当
按时上班。</p>
<h2>请假</h2>
<div>病假需要<b>医院</b>证明</div>
<table><tr><th>类型</th><th>天数</th></tr>
<tr><td>年假</td><td>5&nbsp;天</td></tr></table>
<ul><li>第一项</li><li>第二项</li></ul>
<script>document.write("no")</script>
</body></html>""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def docx_path(tmp_path: Path) -> Path:
    path = tmp_path / "手册.docx"
    path.write_bytes(build_docx_bytes())
    return path


@pytest.fixture
def chinese_pdf_path(tmp_path: Path) -> Path:
    path = tmp_path / "制度.pdf"
    pages = [
        [
            "第一章 总则",
            "本制度适用于公司全体员工，员工应当严格遵守",
            "考勤与请假的各项规定。",
            "第二条 工作时间为每日八小时，",
            "周末休息。",
            "详细规定请参阅人力资源部发布的相关文件",
            "第三章 附则",
            "- 1 -",
        ],
        ["第二页的内容。"],
    ]
    path.write_bytes(build_pdf_bytes(pages, title="员工制度汇编"))
    return path


@pytest.fixture
def jsonl_path(tmp_path: Path) -> Path:
    path = tmp_path / "faq.jsonl"
    path.write_text(
        '{"id": 7, "title": "年假", "text": "年假五天。\\n\\n需提前申请。"}\n'
        "not json at all\n"
        "\n"
        '{"id": "b-2", "text": "病假需证明。"}\n'
        '{"id": 9, "title": "no text"}\n'
        '["a list"]\n'
        '{"id": 7, "text": "duplicate id"}\n',
        encoding="utf-8",
    )
    return path


@pytest.fixture
def zip_bomb_docx(tmp_path: Path) -> Path:
    """A .docx-shaped zip whose member inflates to 300 MB of zeros (~1.4 MB on disk)."""
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(1 << 20)
            for _ in range(300):
                member.write(chunk)
    return path


# --------------------------------------------------------------------------
# decode_text
# --------------------------------------------------------------------------


def test_decode_text_handles_bom_utf16_and_gb18030_and_normalises_newlines() -> None:
    assert decode_text(b"\xef\xbb\xbfa\r\nb\rc") == "a\nb\nc"
    assert decode_text(codecs.BOM_UTF16_LE + "中文\r\n".encode("utf-16-le")) == "中文\n"
    assert decode_text(codecs.BOM_UTF16_BE + "中文\r\n".encode("utf-16-be")) == "中文\n"
    assert decode_text("规章制度".encode("gbk")) == "规章制度"
    assert decode_text("𠀀 rare".encode("gb18030")) == "𠀀 rare"


@pytest.mark.parametrize("data", [b"\xff\xfe\xfd", b"ok \x80\xff bad", b"abc\xffdef"])
def test_decode_text_rejects_bytes_that_neither_utf8_nor_gb18030_accept(data: bytes) -> None:
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    with pytest.raises(ValueError, match="not valid UTF-8 or GB18030"):
        decode_text(data)


def test_decode_text_rejects_nul_bytes_as_binary() -> None:
    with pytest.raises(ValueError, match="NUL"):
        decode_text("plain".encode("utf-16-le"))  # UTF-16 without BOM


# --------------------------------------------------------------------------
# txt
# --------------------------------------------------------------------------


def test_gb18030_txt_short_first_line_becomes_title(gb18030_txt: Path) -> None:
    doc = load_one(gb18030_txt)
    assert doc == SourceDocument(
        title="考勤管理办法",
        blocks=(P("第一章 总则"), P("为规范考勤，制定本办法。")),
        source="考勤制度.txt",
        source_id=None,
        kind="txt",
    )


def test_utf8_bom_txt_long_first_line_keeps_file_stem_as_title(utf8_bom_txt: Path) -> None:
    doc = load_one(utf8_bom_txt)
    assert doc.title == "notice"
    assert [b.text for b in doc.blocks][1:] == ["第二段。"]
    assert doc.blocks[0].text.startswith("本通知")  # the BOM is gone


def test_utf16_txt(utf16_txt: Path) -> None:
    doc = load_one(utf16_txt)
    assert (doc.title, doc.blocks) == ("Leave policy", (P("Annual leave is five days."),))


def test_txt_first_line_ending_a_sentence_is_not_a_title(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_text("请于周五前提交。\n逾期不候。\n", encoding="utf-8")
    doc = load_one(path)
    assert doc.title == "memo"
    assert doc.blocks == (P("请于周五前提交。"), P("逾期不候。"))


def test_txt_single_short_line_is_content_not_title(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("只有一行\n", encoding="utf-8")
    assert load_one(path).blocks == (P("只有一行"),)
    assert load_one(path).title == "one"


def test_ten_megabyte_txt_loads_quickly(tmp_path: Path) -> None:
    line = "\u3000\u3000" + "员工应当遵守公司的各项规章制度，按时上下班。" * 8 + "\n"
    path = tmp_path / "big.txt"
    count = 10 * 1024 * 1024 // len(line.encode())
    path.write_bytes((line * count).encode())
    started = time.process_time()     # CPU, not wall: other processes on a loaded CI machine
    doc = load_one(path)
    elapsed = time.process_time() - started
    assert len(doc.blocks) == count
    assert elapsed < 1.5, f"10 MB txt took {elapsed:.2f}s"


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------


def test_markdown_structure_and_inline_markup(markdown_path: Path) -> None:
    doc = load_one(markdown_path)
    assert doc.title == "Staff Handbook"  # front matter beats the h1
    assert doc.kind == "md"
    assert doc.blocks == (
        H("员工手册", 1),
        P(
            "本制度适用于全体员工。Read the full text, carefully, with care and "
            "code *x* via the portal now & my_snake_name."
        ),
        H("Benefits", 2),
        Block("list_item", "年假"),
        Block("list_item", "病假需要证明"),
        Block("list_item", "1. 提交申请", number="1."),
        P("引用的话"),
        P("run --now\nkeep"),
        Block("table_row", "类型：年假；天数：5", headers=("类型", "天数"), cells=("年假", "5"),
              table="表1", row=1),
        H("二、请假", 2),
        H("Deep", 6),
        P("Text with *escaped* stars."),
    )


def test_markdown_title_from_first_h1_then_stem(tmp_path: Path) -> None:
    with_h1 = tmp_path / "a.markdown"
    with_h1.write_text("intro\n\n## Sub\n\n# Main **Title**\n\ntext\n", encoding="utf-8")
    doc = load_one(with_h1)
    assert doc.title == "Main Title"
    assert doc.blocks[2] == H("Main Title", 1)

    without = tmp_path / "notes.md"
    without.write_text("---\nauthor: x\n---\n## 小节\n正文\n", encoding="utf-8")
    doc = load_one(without)
    assert doc.title == "notes"
    assert doc.blocks == (H("小节", 2), P("正文"))


def test_markdown_thematic_break_is_not_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "rules.md"
    path.write_text("---\n第一条 按时上班。\n\n---\n\n第二条 不得迟到。\n", encoding="utf-8")
    doc = load_one(path)
    assert doc.blocks == (P("第一条 按时上班。"), P("第二条 不得迟到。"))
    # without the blank line, "---" underlines a setext heading (CommonMark)
    path.write_text("前言\n\n第一条 按时上班。\n---\n", encoding="utf-8")
    assert load_one(path).blocks == (P("前言"), H("第一条 按时上班。", 2))


# --------------------------------------------------------------------------
# html
# --------------------------------------------------------------------------


def test_html_blocks_title_and_dropped_content(html_path: Path) -> None:
    doc = load_one(html_path)
    assert doc.title == "考勤制度"  # the content's h1, not the site's <title> (issue 10)
    assert doc.kind == "html"
    assert doc.blocks == (
        H("考勤制度", 1),
        P("员工应当按时上班。"),
        H("请假", 2),
        P("病假需要医院证明"),
        Block("table_row", "类型：年假；天数：5 天", headers=("类型", "天数"),
              cells=("年假", "5 天"), table="表1", row=1),
        Block("list_item", "第一项"),
        Block("list_item", "第二项"),
    )


def test_html_title_falls_back_to_h1_and_unclosed_head_ends_at_body_content(
    tmp_path: Path,
) -> None:
    path = tmp_path / "legacy.htm"
    path.write_bytes("<head><meta charset=gbk><h1>通知</h1><p>明天放假<br>后天上班".encode("gbk"))
    doc = load_one(path)
    assert doc.title == "通知"
    assert doc.blocks == (H("通知", 1), P("明天放假"), P("后天上班"))


def test_html_with_only_script_has_no_text(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><script>alert(1)</script></html>", encoding="utf-8")
    assert error_reason(path) == "no readable text found"


# --------------------------------------------------------------------------
# docx
# --------------------------------------------------------------------------


def test_docx_headings_paragraphs_and_table_in_document_order(docx_path: Path) -> None:
    doc = load_one(docx_path)
    assert doc.title == "员工手册"  # from the Title-style paragraph
    assert doc.kind == "docx"
    assert doc.source == "手册.docx"
    assert doc.blocks == (
        H("员工手册", 0),
        H("第一章 总则", 1),
        P("本手册适用于全体员工。"),
        # A table row with its column headers (was "a | b | c" lines, issue 10): the merged
        # cell is read once under both its headers, the empty cell left out.
        Block("table_row", "假期类型/天数：年假五天", headers=("假期类型/天数", "备注"),
              cells=("年假五天", ""), table="表1", row=1),
        H("1.1 考勤", 2),
        P("上班时间为九点。"),
        H("请假流程", 3),  # Chinese style name "标题 3"
    )


def test_docx_core_properties_title_wins(tmp_path: Path) -> None:
    path = tmp_path / "core.docx"
    path.write_bytes(build_docx_bytes(core_title="  官方标题 "))
    assert load_one(path).title == "官方标题"


def test_docx_zip_bomb_is_refused(zip_bomb_docx: Path) -> None:
    reason = error_reason(zip_bomb_docx)
    assert reason == "unpacks to 300.0 MB; the limit is 200 MB (zip bomb?)"


def test_docx_member_with_absurd_compression_ratio_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ratio.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", bytes(5 * 1024 * 1024))
    assert "looks like a zip bomb" in error_reason(path)


def test_truncated_docx(tmp_path: Path) -> None:
    path = tmp_path / "cut.docx"
    path.write_bytes(build_docx_bytes()[:100])
    assert error_reason(path) == "truncated or corrupt .docx (incomplete zip archive)"


def test_docx_that_is_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("这其实是文本文件", encoding="utf-8")
    assert error_reason(path) == "truncated or corrupt .docx (not a zip archive)"


def test_zip_that_is_not_a_word_document(tmp_path: Path) -> None:
    path = tmp_path / "archive.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert error_reason(path) == "not a Word document (no word/document.xml inside)"


def test_docx_with_broken_xml(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document><unclosed>")
    assert error_reason(path).startswith("corrupt .docx (")


def test_legacy_doc_renamed_to_docx(tmp_path: Path) -> None:
    path = tmp_path / "old.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert "old .doc" in error_reason(path)


# --------------------------------------------------------------------------
# pdf
# --------------------------------------------------------------------------


def test_chinese_pdf_round_trip_rejoins_wrapped_lines(chinese_pdf_path: Path) -> None:
    docs, warnings = load_path_with_warnings(chinese_pdf_path)
    assert warnings == ["1 page numbers dropped"]  # the reader says what it left out
    (doc,) = docs
    assert doc.title == "员工制度汇编"
    assert doc.kind == "pdf"
    assert [b.page for b in doc.blocks] == [1, 1, 1, 1, 1, 2]
    assert _without_pages(doc.blocks) == (
        P("第一章 总则"),
        P("本制度适用于公司全体员工，员工应当严格遵守考勤与请假的各项规定。"),
        P("第二条 工作时间为每日八小时，周末休息。"),
        P("详细规定请参阅人力资源部发布的相关文件"),
        P("第三章 附则"),  # numbered heading line starts its own paragraph
        P("第二页的内容。"),  # the page number "- 1 -" is dropped
    )


def test_pdf_untitled_metadata_falls_back_to_stem(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(
        build_pdf_bytes(
            [["Short heading", "A sentence that wraps", "onto the next line."]], title=None
        )
    )
    doc = load_one(path)
    assert doc.title == "report"  # reportlab writes "untitled"
    assert _without_pages(doc.blocks) == (P("Short heading"),
                                          P("A sentence that wraps onto the next line."))


def _without_pages(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """PDF blocks carry their page number; these tests compare the text."""
    return tuple(replace(b, page=0) for b in blocks)


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(build_pdf_bytes([[]], title="扫描件"))
    # a blank page: no text layer, and OCR (when installed) finds nothing either
    assert error_reason(path) == (
        "no text layer, and OCR found no text on it" if ocr.available() else ocr.MISSING)


def test_pdf_that_is_really_text(tmp_path: Path) -> None:
    path = tmp_path / "fake.pdf"
    path.write_text("<html><body>not a pdf</body></html>", encoding="utf-8")
    assert error_reason(path) == "not a PDF file (no %PDF header)"


def test_truncated_pdf(tmp_path: Path, chinese_pdf_path: Path) -> None:
    data = chinese_pdf_path.read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    assert error_reason(path).startswith("corrupt or truncated PDF: ")


# --------------------------------------------------------------------------
# jsonl
# --------------------------------------------------------------------------


def test_jsonl_keeps_good_records_and_reports_bad_lines(jsonl_path: Path) -> None:
    docs, warnings = load_path_with_warnings(jsonl_path)
    assert docs == [
        SourceDocument("年假", (P("年假五天。"), P("需提前申请。")), "faq.jsonl", "7", "jsonl"),
        SourceDocument("faq #b-2", (P("病假需证明。"),), "faq.jsonl", "b-2", "jsonl"),
    ]
    assert warnings == [
        "line 2: not valid JSON",
        'line 5: missing or empty "text"',
        "line 6: not a JSON object",
        "line 7: duplicate id 7, skipped",
    ]
    assert load_path(jsonl_path) == docs


def test_jsonl_without_any_valid_record(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('oops\n{"id": 1}\n', encoding="utf-8")
    assert error_reason(path) == "no valid records (2 bad lines; first: line 1: not valid JSON)"


# --------------------------------------------------------------------------
# Generic failures
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["empty.txt", "empty.md", "empty.docx", "empty.pdf", "empty.jsonl"]
)
def test_empty_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert error_reason(path) == "empty file"


def test_whitespace_only_file_including_ideographic_spaces(tmp_path: Path) -> None:
    path = tmp_path / "blank.txt"
    path.write_text(" \n\u3000\u3000\n\t\u200b\n", encoding="utf-8")
    assert error_reason(path) == "empty file"


def test_undecodable_txt(tmp_path: Path) -> None:
    path = tmp_path / "binary.txt"
    path.write_bytes(b"ok \x80\xff bad\xfe\xfd")
    assert error_reason(path) == "not valid UTF-8 or GB18030 text"


def test_oversize_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 150)
    assert error_reason(path, max_bytes=100) == "file is 150 bytes; the limit is 100 bytes"
    assert load_one(path, max_bytes=150).blocks == (P("x" * 150),)


def test_oversize_message_in_megabytes() -> None:
    with pytest.raises(LoadError, match=r"^x\.txt: file is 20\.5 MB; the limit is 20 MB$"):
        load_bytes(b"a" * (MAX_FILE_BYTES + 512 * 1024), "x.txt")


def test_unsupported_suffix_given_directly(tmp_path: Path) -> None:
    path = tmp_path / "slides.pptx"
    path.write_bytes(b"PK")
    assert error_reason(path) == "unsupported file type .pptx"


def test_missing_file(tmp_path: Path) -> None:
    assert error_reason(tmp_path / "gone.txt") == "file not found"


def test_load_error_attributes_and_pickling(tmp_path: Path) -> None:
    error = LoadError(tmp_path / "a.pdf", "no text layer (scanned PDF?)")
    assert error.path == tmp_path / "a.pdf"
    assert str(error) == "a.pdf: no text layer (scanned PDF?)"
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.path, copy.reason, str(copy)) == (error.path, error.reason, str(error))


# --------------------------------------------------------------------------
# load_bytes
# --------------------------------------------------------------------------


def test_load_bytes_uses_only_the_basename() -> None:
    (doc,) = load_bytes("标题\n正文。".encode("gb18030"), "../../etc/x.txt")
    assert (doc.source, doc.title, doc.blocks) == ("x.txt", "标题", (P("正文。"),))
    (doc,) = load_bytes(b"a\nb.", "C:\\Users\\me\\note.TXT")
    assert doc.source == "note.TXT"


def test_load_bytes_matches_load_path(docx_path: Path, jsonl_path: Path) -> None:
    for path in (docx_path, jsonl_path):
        assert load_bytes(path.read_bytes(), path.name) == load_path(path)
    docs, warnings = load_bytes_with_warnings(jsonl_path.read_bytes(), "uploads/faq.jsonl")
    assert len(docs) == 2 and len(warnings) == 4


def test_load_bytes_errors_name_the_upload() -> None:
    with pytest.raises(LoadError) as info:
        load_bytes(b"%PDF-1.7 truncated", "dir/scan.pdf")
    assert info.value.path == Path("scan.pdf")
    assert str(info.value).startswith("scan.pdf: corrupt or truncated PDF: ")
    with pytest.raises(LoadError, match=r"^run\.exe: unsupported file type \.exe$"):
        load_bytes(b"MZ", "run.exe")


# --------------------------------------------------------------------------
# iter_files and module hygiene
# --------------------------------------------------------------------------


def test_iter_files_walks_sorted_and_skips_hidden_lock_and_unsupported(tmp_path: Path) -> None:
    root = tmp_path / "docs"
    for relative in [
        "b.md",
        "a.TXT",
        "~$a.docx",
        ".hidden.txt",
        ".git/config.txt",
        "notes.pptx",
        "sub/c.pdf",
        "sub/deeper/d.jsonl",
        "z.html",
    ]:
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(b"x")
    direct = tmp_path / "direct.pptx"
    found = list(iter_files([root, str(direct)]))
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "docs/a.TXT",
        "docs/b.md",
        "docs/sub/c.pdf",
        "docs/sub/deeper/d.jsonl",
        "docs/z.html",
        "direct.pptx",
    ]


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == {
        ".txt",
        ".md",
        ".markdown",
        ".docx",
        ".pdf",
        ".html",
        ".htm",
        ".jsonl",
        ".xlsx",
        ".csv",
        ".doc",
        ".wps",
        ".rtf",
        ".odt",
        ".png",
        ".jpg",
        ".jpeg",
    }


def test_module_does_not_import_telegram() -> None:
    code = (
        "import sys, knowledge.loaders; "
        "print(any(m.split('.')[0] == 'telegram' for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
