"""The Word reader on .docx files written by real tools (tests/fixtures/make_docx.py):
automatic numbering rendered as Word shows it, headings made by direct formatting, tables read
row by row with their headers, page furniture left out."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.loaders import Block, SourceDocument, load_path, read_bytes
from knowledge.readers.docx_numbering import format_number

FIXTURES = Path(__file__).parent / "fixtures" / "docx"


def read(name: str):
    path = FIXTURES / name
    return read_bytes(path.read_bytes(), path.name)


def only(name: str) -> SourceDocument:
    (doc,) = load_path(FIXTURES / name)
    return doc


def kinds(doc: SourceDocument, kind: str) -> list[Block]:
    return [b for b in doc.blocks if b.kind == kind]


# -- numbering ---------------------------------------------------------------------------------

def test_libreoffice_articles_and_items_get_the_numbers_word_shows() -> None:
    """LibreOffice: 第%1条 / （%2） list continued across chapters, 第%1章 on Heading 1."""
    read_file = read("numbering_lo.docx")
    (doc,) = read_file.documents
    items = kinds(doc, "list_item")
    assert [b.number for b in items if b.level == 0] == [
        "第一条", "第二条", "第三条", "第四条", "第五条", "第六条", "第七条", "第八条",
        "第九条", "第十条", "第十一条", "第十二条"]
    # The （一） items restart under each new article.
    assert [b.number for b in items if b.level == 1] == [
        "（一）", "（二）", "（三）", "（四）", "（一）", "（二）"]
    assert items[3].text == "（一）城市间交通费；"
    assert items[-1].text == "第十二条本办法自发布之日起施行，由财务处负责解释。"
    # Chapter numbers come from the Heading 1 style's numbering.
    assert [(b.text, b.level) for b in kinds(doc, "heading")] == [
        ("差旅费管理办法", 0), ("第一章 总则", 1), ("第二章 开支标准", 1), ("第三章 报销程序", 1)]
    assert doc.title == "差旅费管理办法"
    assert doc.blocks[-1] == Block("paragraph", "附件：差旅费报销单")  # after the list
    assert read_file.info.numbered == 21 and read_file.info.reader == "python-docx"


def test_word_numbering_definitions_restarts_overrides_and_styles() -> None:
    doc = only("numbering_word.docx")
    outline = [(b.kind, b.level, b.text) for b in doc.blocks]
    assert outline[:17] == [
        ("heading", 0, "请假管理规定"),
        ("heading", 1, "第一章 总则"),                      # level found by w:pStyle
        ("list_item", 0, "第一条为规范请假管理，制定本规定。"),  # numPr of the base style
        ("list_item", 0, "第二条本规定适用于全体职工。"),
        ("heading", 1, "第二章 假期种类"),
        ("heading", 2, "2.1 年休假"),                       # w:isLgl: 2.1, not 二.1
        ("list_item", 0, "第三条职工年休假天数如下："),
        ("list_item", 1, "（一）工作满一年不满十年的，五天；"),
        ("list_item", 2, "1. 含试用期；"),
        ("list_item", 2, "2. 不含停薪留职期间；"),
        ("list_item", 1, "（二）工作满十年不满二十年的，十天；"),
        ("list_item", 2, "3. 含借调期间。"),                # w:lvlRestart 1: not after （二）
        ("list_item", 0, "第四条年休假可以分段使用。"),
        ("heading", 2, "2.2 病假"),
        ("list_item", 0, "第五条病假应当提供医疗机构证明。"),
        ("list_item", 3, "门诊病历可以作为证明。"),         # a bullet: no number
        ("list_item", 0, "第六条病假期间按规定发放工资。"),
    ]
    assert ("paragraph", 0, "（本条原文已删除，编号不再显示。）") in outline  # numId 0: off
    numbers = [b.number for b in doc.blocks if b.kind == "list_item" and b.level == 0]
    assert numbers[6:] == ["第七条", "第八条", "第九条", "第十条", "第十一条", "第十二条",
                           "第一条", "①", "②"]      # w:startOverride restarts the appendix
    assert outline[-3:] == [("list_item", 1, "（一）须知随本规定一并印发。"),
                            ("list_item", 0, "① 请假单"), ("list_item", 0, "② 销假单")]


@pytest.mark.parametrize(("number", "fmt", "shown"), [
    (1, "chineseCounting", "一"), (10, "chineseCounting", "十"),
    (11, "chineseCounting", "十一"), (20, "chineseCounting", "二十"),
    (99, "chineseCounting", "九十九"), (105, "chineseCounting", "一〇五"),
    (10, "chineseCountingThousand", "十"), (19, "chineseCountingThousand", "十九"),
    (105, "chineseCountingThousand", "一百〇五"), (110, "chineseCountingThousand", "一百一十"),
    (1050, "chineseCountingThousand", "一千〇五十"), (12, "taiwaneseCountingThousand", "十二"),
    (10, "chineseLegalSimplified", "壹拾"), (105, "chineseLegalSimplified", "壹佰零伍"),
    (3, "ideographTraditional", "丙"), (11, "ideographTraditional", "11"),
    (105, "japaneseCounting", "百五"), (105, "ideographDigital", "一〇五"),
    (3, "decimalEnclosedCircle", "③"), (21, "decimalEnclosedCircle", "21"),
    (7, "decimalFullWidth", "７"), (7, "decimalZero", "07"),
    (27, "lowerLetter", "aa"), (2, "upperLetter", "B"), (14, "upperRoman", "XIV"),
    (4, "lowerRoman", "iv"), (3, "none", ""), (3, "someFutureFormat", "3"),
])
def test_number_formats_as_word_renders_them(number: int, fmt: str, shown: str) -> None:
    assert format_number(number, fmt) == shown


def test_pandoc_lists_restart_and_bullets_have_no_number() -> None:
    doc = only("pandoc.docx")
    assert doc.title == "会议室使用规定"
    items = [(b.number, b.level, b.text) for b in kinds(doc, "list_item")]
    assert items == [
        ("1.", 0, "1. 提前一天在办公系统中提交申请；"),
        ("2.", 0, "2. 写明会议名称、参会人数和使用时间："),
        ("a.", 1, "a. 内部会议由部门负责人审批；"),
        ("b.", 1, "b. 外事会议由办公室审批。"),
        ("3.", 0, "3. 使用后关闭空调和投影仪。"),
        ("", 0, "会议室内禁止吸烟；"),
        ("", 0, "会议室内禁止携带食物。"),
        ("1.", 0, "1. 一号会议室设有视频会议系统。"),   # a new list starts again at 1
        ("2.", 0, "2. 二号会议室设有投影仪。"),
    ]
    texts = [b.text for b in doc.blocks]
    after = texts.index("3. 使用后关闭空调和投影仪。") + 1
    assert doc.blocks[after] == Block("paragraph", "会议室使用中如有问题，请联系办公室。")
    assert "表1 会议室一览" not in texts  # the caption names the table instead
    assert [(b.table, b.row, b.text) for b in kinds(doc, "table_row")] == [
        ("表1 会议室一览", 1, "会议室：一号会议室；容纳人数：20；设备：视频会议系统"),
        ("表1 会议室一览", 2, "会议室：二号会议室；容纳人数：12；设备：投影仪"),
    ]


# -- direct formatting and page furniture ------------------------------------------------------

def test_bold_centred_lines_are_headings_ranked_by_size() -> None:
    read_file = read("direct_lo.docx")
    (doc,) = read_file.documents
    assert doc.title == "考勤管理规定"  # the first big centred bold line
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 0, "考勤管理规定"),
        ("paragraph", 0, "（2024年3月1日办公室印发）"),   # centred, but a bracketed note
        ("heading", 1, "第一章 总则"),                   # 16 pt bold centred
        ("paragraph", 0, "为规范工作秩序，加强考勤管理，结合本单位实际，制定本规定。"),
        ("paragraph", 0, "本规定适用于本单位全体职工。"),  # first-line indent
        ("heading", 1, "第二章 工作时间"),
        ("heading", 2, "一、作息时间"),                   # 14 pt bold
        ("paragraph", 0, "上午八时三十分至十二时，下午一时三十分至五时三十分。"),
        ("heading", 2, "二、打卡要求"),
        ("paragraph", 0, "职工每日上下班各打卡一次；忘记打卡的，应当当日补签。"),
        ("paragraph", 0, "迟到三次按旷工半天处理。"),      # bold, but a sentence
        ("heading", 1, "第三章 附则"),
        ("paragraph", 0, "本规定由办公室负责解释，自印发之日起施行。"),
    ]
    # The running header, the page-number footer and the footnote are not read, but counted.
    assert read_file.info.dropped == {"footnotes": 1, "page header lines": 1,
                                      "page footer lines": 1}
    assert "1 page header lines dropped" in read_file.warnings
    assert not any("外勤" in b.text or "内部文件" in b.text for b in doc.blocks)


# -- tables ------------------------------------------------------------------------------------

def test_table_rows_carry_combined_headers_merged_values_and_captions() -> None:
    read_file = read("tables_lo.docx")
    (doc,) = read_file.documents
    rows = kinds(doc, "table_row")
    caption = "表1 差旅费开支标准（单位：元/人·天）"
    assert rows[0].headers == ("地区类别", "出差地区", "住宿费（司局级）", "住宿费（其余人员）",
                               "伙食补助费", "市内交通费")
    assert [(r.table, r.row, r.text) for r in rows[:5]] == [
        (caption, 1, "地区类别：一类地区；出差地区：北京；住宿费（司局级）：500；"
                     "住宿费（其余人员）：350；伙食补助费：100；市内交通费：80"),
        (caption, 2, "地区类别：一类地区；出差地区：上海；住宿费（司局级）：500；"
                     "住宿费（其余人员）：400；伙食补助费：100；市内交通费：80"),
        (caption, 3, "地区类别：二类地区；出差地区：广州；住宿费（司局级）：450；"
                     "住宿费（其余人员）：350；伙食补助费：100；市内交通费：80"),
        (caption, 4, "地区类别：二类地区；出差地区：深圳；住宿费（司局级）：450；"
                     "住宿费（其余人员）：350；伙食补助费：100；市内交通费：80"),
        # One value across both 住宿费 columns: under their shared parent header.
        (caption, 5, "地区类别：其他地区；出差地区：其他城市；住宿费：380；伙食补助费：100；"
                     "市内交通费：80"),
    ]
    # Caption after the table; empty cells left out of the text.
    assert [(r.table, r.text) for r in rows[5:7]] == [
        ("附表 报销审批权限", "报销金额：五千元以下；审批人：部门负责人"),
        ("附表 报销审批权限", "报销金额：五千元以上；审批人：分管领导；备注：须附情况说明"),
    ]
    # No caption: 表N by its place; a nested table flattened into its cell.
    assert (rows[7].table, rows[7].text) == ("表3", "地点：一号值班室；开放时间：工作日 九点，周末 十点")
    texts = [b.text for b in doc.blocks]
    assert caption not in texts and "附表 报销审批权限" not in texts
    # A one-row table is layout: its cells are read as paragraphs, in place.
    assert doc.blocks[-2:] == (Block("paragraph", "制表：财务处"),
                               Block("paragraph", "日期：2024年3月"))
    assert texts.index("超出标准的部分由个人承担。") == texts.index(rows[4].text) + 1
    assert (read_file.tables, read_file.table_rows) == (3, 8)


def test_revisions_text_boxes_outline_levels_and_contents() -> None:
    """Word XML python-docx cannot write: tracked changes, a text box (with its VML fallback
    copy), an explicit outline level, a table-of-contents content control."""
    import io

    import docx
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    word = docx.Document()
    word.element.body.insert(0, parse_xml(
        f'<w:sdt {w}><w:sdtPr><w:docPartObj><w:docPartGallery w:val="Table of Contents"/>'
        "</w:docPartObj></w:sdtPr><w:sdtContent><w:p><w:r><w:t>第一章 总则 …… 1</w:t></w:r>"
        "</w:p><w:p><w:r><w:t>第二章 附则 …… 3</w:t></w:r></w:p></w:sdtContent></w:sdt>"))
    edited = word.add_paragraph("会议")._p
    edited.append(parse_xml(f'<w:del {w} w:id="1" w:author="a"><w:r><w:delText>每周</w:delText>'
                            "</w:r></w:del>"))
    edited.append(parse_xml(f'<w:ins {w} w:id="2" w:author="a"><w:r><w:t>每月召开一次。</w:t>'
                            "</w:r></w:ins>"))
    word.add_paragraph("议事规则")._p.get_or_add_pPr().append(
        parse_xml(f'<w:outlineLvl {w} w:val="1"/>'))
    box = "<w:txbxContent><w:p><w:r><w:t>会议纪要由办公室印发。</w:t></w:r></w:p></w:txbxContent>"
    word.add_paragraph("正文。")._p.append(parse_xml(
        f"<w:r {w} {mc}><mc:AlternateContent><mc:Choice Requires=\"wps\"><w:drawing>{box}"
        f"</w:drawing></mc:Choice><mc:Fallback><w:pict>{box}</w:pict></mc:Fallback>"
        "</mc:AlternateContent></w:r>"))
    buffer = io.BytesIO()
    word.save(buffer)
    read_file = read_bytes(buffer.getvalue(), "议事.docx")
    assert [(b.kind, b.level, b.text) for b in read_file.documents[0].blocks] == [
        ("paragraph", 0, "会议每月召开一次。"),      # the deleted 每周 is not read
        ("heading", 2, "议事规则"),                  # w:outlineLvl 1 → level 2
        ("paragraph", 0, "正文。"),
        ("paragraph", 0, "会议纪要由办公室印发。"),  # the text box once, after its anchor
    ]
    assert read_file.info.dropped == {"table of contents lines": 2}


def test_one_list_that_libreoffice_saved_as_two_look_alike_definitions_counts_on() -> None:
    # split_list_lo.docx: tests/fixtures/office/差旅费管理办法.doc converted by LibreOffice 7.4
    # (`soffice --headless --convert-to docx`): item 1 has a numbering definition of its own,
    # items 2 and 3 another that looks the same; Word and LibreOffice show 1, 2, 3.
    items = [b.text for b in kinds(only("split_list_lo.docx"), "list_item")]
    assert items == ["1. 无正式发票的；", "2. 超出标准部分未经分管领导批准的；", "3. 擅自延长出差时间的。"]
