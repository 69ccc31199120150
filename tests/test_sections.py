"""Tests for knowledge.sections: heading paths, paragraph numbers, labels and sentence splits."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from knowledge.loaders import Block, SourceDocument, load_bytes
from knowledge.sections import lead_label, split_document, split_sentences

P = lambda text: Block("paragraph", text)  # noqa: E731
H = lambda text, level: Block("heading", text, level)  # noqa: E731


def document(*blocks: Block, title: str = "差旅费管理办法") -> SourceDocument:
    return SourceDocument(title, tuple(blocks), "policy.txt", None, "txt")


def outline(doc: SourceDocument) -> list[tuple[int, tuple[str, ...], str]]:
    return [(p.number, p.section, p.text) for p in split_document(doc).paragraphs]


# -- heading styles ------------------------------------------------------------------------------

@pytest.mark.parametrize(("lines", "expected"), [
    # 第一章 / 第一节 as pure heading lines
    (["第一章 总则", "为规范差旅管理制定本办法。", "第一节 适用范围", "本办法适用于全体员工。"],
     [(1, ("第一章 总则",), "为规范差旅管理制定本办法。"),
      (2, ("第一章 总则", "第一节 适用范围"), "本办法适用于全体员工。")]),
    # 第一编 above 第一章
    (["第一编 总则", "第一章 目的", "本办法规范出差。", "第二编 细则", "第二章 住宿", "按标准住宿。"],
     [(1, ("第一编 总则", "第一章 目的"), "本办法规范出差。"),
      (2, ("第二编 细则", "第二章 住宿"), "按标准住宿。")]),
    # 一、 then （一） then 1. then 1.1 nest in order of first appearance
    (["一、总体要求", "坚持勤俭节约。", "（一）住宿标准", "每晚不超过五百元。", "1. 一类城市",
      "上浮百分之二十。", "1.1 北京", "北京按一类城市执行。", "（二）交通标准", "乘坐二等座。",
      "二、报销流程", "凭发票报销。"],
     [(1, ("一、总体要求",), "坚持勤俭节约。"),
      (2, ("一、总体要求", "（一）住宿标准"), "每晚不超过五百元。"),
      (3, ("一、总体要求", "（一）住宿标准", "1. 一类城市"), "上浮百分之二十。"),
      (4, ("一、总体要求", "（一）住宿标准", "1. 一类城市", "1.1 北京"), "北京按一类城市执行。"),
      (5, ("一、总体要求", "（二）交通标准"), "乘坐二等座。"),
      (6, ("二、报销流程",), "凭发票报销。")]),
    # (1) and ① markers
    (["一、请假", "(1)病假", "需要医院证明。", "①住院", "附出院小结。", "(2)事假", "提前一天申请。"],
     [(1, ("一、请假", "(1)病假"), "需要医院证明。"),
      (2, ("一、请假", "(1)病假", "①住院"), "附出院小结。"),
      (3, ("一、请假", "(2)事假"), "提前一天申请。")]),
    # 第三条 with its text on the same line: the article number is the section, the rest the text
    (["第一章 总则", "第一条 为规范差旅费管理，制定本办法。", "第二条 本办法适用于全体员工。",
      "第二章 住宿", "第三条 住宿费按标准报销。"],
     [(1, ("第一章 总则", "第一条"), "为规范差旅费管理，制定本办法。"),
      (2, ("第一章 总则", "第二条"), "本办法适用于全体员工。"),
      (3, ("第二章 住宿", "第三条"), "住宿费按标准报销。")]),
])
def test_heading_styles_give_heading_path_and_1_based_paragraph_numbers(lines, expected) -> None:
    assert outline(document(*map(P, lines))) == expected


def test_article_with_text_on_the_same_line_from_a_gb18030_txt() -> None:
    data = "差旅费管理办法\n第一章　总则\n第三条　出差须经部门负责人批准。\n".encode("gb18030")
    (doc,) = load_bytes(data, "差旅.txt")
    assert outline(doc) == [(1, ("第一章 总则", "第三条"), "出差须经部门负责人批准。")]


@pytest.mark.parametrize(("line", "label"), [
    ("一、坚持党的领导。各级党组织要把方向、管大局。", "一、坚持党的领导"),
    ("2. 凭发票报销，发票应当真实有效，不得虚开。", "2.凭发票报销，发票应当真实有效，不得虚开"),
    ("（三）加强培训：每年组织两次集中培训。", "（三）加强培训"),
    ("十、本办法由财务部负责解释，自发布之日起施行，此前规定与本办法不一致的，以本办法为准。",
     "十、本办法由财务部负责解释，自发布之日起施行，此前规定与本…"),
])
def test_numbered_long_paragraph_keeps_its_text_and_its_lead_clause_is_the_label(line, label):
    assert outline(document(P(line))) == [(1, (label,), line)]


def test_numbered_paragraph_label_nests_under_the_chapter() -> None:
    doc = document(P("第二章 报销"), P("一、坚持勤俭。差旅从简。"), P("差旅费从严控制。"))
    assert outline(doc) == [(1, ("第二章 报销", "一、坚持勤俭"), "一、坚持勤俭。差旅从简。"),
                            (2, ("第二章 报销", "一、坚持勤俭"), "差旅费从严控制。")]


def test_document_without_headings_labels_each_paragraph_with_its_lead_sentence() -> None:
    doc = document(P("理论是行动的先导。越是目标宏伟远大，越要加强思想引领。"),
                   P("党的干部是党和国家事业的中坚力量。要坚持以党的政治建设统领领导班子建设。"),
                   P("这是一个非常非常非常非常非常非常长的没有任何标点的句子一直写下去"))
    assert [(n, s) for n, s, _ in outline(doc)] == [
        (1, ("理论是行动的先导",)),
        (2, ("党的干部是党和国家事业的中坚力量",)),
        (3, ("这是一个非常非常非常非常非常非常长的没有任何标…",)),
    ]


def test_seed_document_lead_sentences_and_numbers() -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "organization-work-2025.txt"
    (doc,) = load_bytes(seed.read_bytes(), seed.name)
    paragraphs = split_document(doc).paragraphs
    assert doc.title == "坚持用改革精神和严的标准扎实做好组织工作"
    assert [p.number for p in paragraphs] == [1, 2, 3, 4, 5, 6, 7]
    assert paragraphs[1].section == ("理论是行动的先导",)
    assert paragraphs[3].section == ("党的工作重心在基层，最坚实的力量支撑也在基层",)
    assert paragraphs[6].section == ("打铁必须自身硬",)


@pytest.mark.parametrize(("text", "label"), [
    ("理论是行动的先导。越是目标宏伟远大", "理论是行动的先导"),
    ("注意：出差须审批", "注意"),
    ("没有标点", "没有标点"),
    ("一二三四五六七八九十一二三四五六七八九十一二三四五", "一二三四五六七八九十一二三四五六七八九十一二三…"),
])
def test_lead_label(text: str, label: str) -> None:
    assert lead_label(text) == label


# -- markup headings -------------------------------------------------------------------------------

def test_markdown_heading_levels_nest_and_the_title_h1_is_not_repeated() -> None:
    md = ("# 员工手册\n\n## 第一章 考勤\n\n上班时间为九点。\n\n### 迟到\n\n迟到三次扣半天工资。\n\n"
          "#### 例外\n\n因公外出不算迟到。\n\n## 第二章 休假\n\n年假五天。\n")
    (doc,) = load_bytes(md.encode(), "handbook.md")
    assert doc.title == "员工手册"
    assert outline(doc) == [
        (1, ("第一章 考勤",), "上班时间为九点。"),
        (2, ("第一章 考勤", "迟到"), "迟到三次扣半天工资。"),
        (3, ("第一章 考勤", "迟到", "例外"), "因公外出不算迟到。"),
        (4, ("第二章 休假",), "年假五天。"),
    ]


def test_a_numbered_first_heading_taken_as_the_title_stays_in_the_path() -> None:
    (doc,) = load_bytes("# 第一章 总则\n\n全体员工适用。\n\n# 第二章 细则\n\n从严执行。\n".encode(),
                        "rules.md")
    assert doc.title == "第一章 总则"  # the loader's fallback title
    assert outline(doc) == [(1, ("第一章 总则",), "全体员工适用。"),
                            (2, ("第二章 细则",), "从严执行。")]


def test_html_heading_levels_nest() -> None:
    page = ("<html><head><title>员工手册</title></head><body><h1>员工手册</h1><p>总则内容。</p>"
            "<h2>考勤</h2><p>上班时间为九点。</p><h3>迟到</h3><p>迟到三次扣半天工资。</p>"
            "<h2>休假</h2><p>年假五天。</p></body></html>")
    (doc,) = load_bytes(page.encode(), "handbook.html")
    assert outline(doc) == [
        (1, ("总则内容",), "总则内容。"),
        (2, ("考勤",), "上班时间为九点。"),
        (3, ("考勤", "迟到"), "迟到三次扣半天工资。"),
        (4, ("休假",), "年假五天。"),
    ]


def test_heading_blocks_without_level_rank_by_their_marker() -> None:
    doc = document(H("第一章 总则", 0), H("一、范围", 0), P("全体员工。"), H("第二章 细则", 0),
                   P("从严执行。"))
    assert outline(doc) == [(1, ("第一章 总则", "一、范围"), "全体员工。"),
                            (2, ("第二章 细则",), "从严执行。")]


def test_a_plain_text_chapter_after_a_styled_one_is_its_sibling() -> None:
    """Word files often style some chapters as Heading 1 and type others as plain text."""
    word = docx.Document()
    word.add_heading("第一章 总则", level=1)
    word.add_paragraph("本制度适用于全体员工。")
    word.add_paragraph("第二章 细则")          # typed, not styled
    word.add_paragraph("一、考勤")
    word.add_paragraph("每日打卡两次。")
    word.add_heading("第三章 附则", level=1)
    word.add_paragraph("自发布之日起施行。")
    buffer = io.BytesIO()
    word.save(buffer)
    (doc,) = load_bytes(buffer.getvalue(), "制度.docx")
    assert outline(doc) == [
        (1, ("第一章 总则",), "本制度适用于全体员工。"),
        (2, ("第二章 细则", "一、考勤"), "每日打卡两次。"),
        (3, ("第三章 附则",), "自发布之日起施行。"),
    ]


def test_blank_blocks_are_skipped_and_numbers_stay_consecutive() -> None:
    doc = document(P("第一段。"), P("   "), P(""), P("第二段。"))
    assert [(n, t) for n, _, t in outline(doc)] == [(1, "第一段。"), (2, "第二段。")]


# -- sentences -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "sentences"), [
    ("第一句。第二句！第三句？第四句；第五句……第六句",
     ["第一句。", "第二句！", "第三句？", "第四句；", "第五句……", "第六句"]),
    ("他说：“好。”然后走了。", ["他说：“好。”", "然后走了。"]),
    ("句子。」后面", ["句子。」", "后面"]),
    ("Leave is 1.5 days. Next one.", ["Leave is 1.5 days.", "Next one."]),
    ("增长1.5倍。下一句", ["增长1.5倍。", "下一句"]),
    ("版本2.0发布。", ["版本2.0发布。"]),
    ("1. 凭发票报销。发票应当真实。", ["1. 凭发票报销。", "发票应当真实。"]),
    ("第一句。\n第二句", ["第一句。", "第二句"]),
    ("你好!! 再见?", ["你好!!", "再见?"]),
    ("  前后有空格。  ", ["前后有空格。"]),
    ("", []),
])
def test_split_sentences(text: str, sentences: list[str]) -> None:
    assert [text[a:b] for a, b in split_sentences(text)] == sentences


def test_paragraph_sentences_are_offsets_into_its_text() -> None:
    (paragraph,) = split_document(document(P("第一条 出差须审批。住宿按标准！"))).paragraphs
    assert paragraph.text == "出差须审批。住宿按标准！"
    assert [paragraph.text[a:b] for a, b in paragraph.sentences] == ["出差须审批。", "住宿按标准！"]
