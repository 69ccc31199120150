"""Web pages and markdown through the public loader, on the fixtures of tests/fixtures/html and
tests/fixtures/md (pandoc and LibreOffice output; recipe tests/fixtures/make_web_and_sheets.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.loaders import load_bytes, load_path, read_bytes

FIXTURES = Path(__file__).parent / "fixtures"
LAWS = Path(__file__).resolve().parents[2] / "shared" / "laws"
CHROME = ["首页", "政务公开", "热门搜索", "搜索", "当前位置", "分享到", "微博", "打印本页", "关闭窗口",
          "相关文件", "会议费管理办法", "主办单位", "联系我们", "ICP备", "公网安备", "网站标识码",
          "无障碍", "字号", "部门导航", "快速链接", "内部邮箱", "人事处", "内网首页", "关闭本页",
          "版权所有", "浏览次数", "您现在的位置"]


def read(path: Path):
    result = read_bytes(path.read_bytes(), path.name)
    (doc,) = result.documents
    return doc, result.info


def texts(doc, kind: str | None = None) -> list[str]:
    return [b.text for b in doc.blocks if kind in (None, b.kind)]


def test_gov_page_main_text_without_the_site() -> None:
    doc, info = read(FIXTURES / "html" / "gov_notice.html")
    assert doc.title == "关于印发《差旅费管理办法》的通知"  # not the <title> with the site suffix
    assert info.reader == "html.parser"
    assert info.dropped["web page menu/footer lines"] >= 15
    assert not [t for t in texts(doc) for word in CHROME if word in t]
    assert [(b.text, b.level) for b in doc.blocks if b.kind == "heading"] == [
        ("关于印发《差旅费管理办法》的通知", 1), ("差旅费管理办法", 2), ("第一章 总 则", 3),
        ("第二章 住宿费", 3), ("第三章 附 则", 3)]
    articles = [t[:3] for t in texts(doc, "paragraph") if re.match("第.条", t)]
    assert articles == ["第一条", "第二条", "第三条", "第四条", "第五条", "第六条"]
    assert "各处室、各直属单位：" in texts(doc) and "示财行〔2024〕12号" in texts(doc)


def test_gov_page_table_with_spanned_headers_and_values() -> None:
    doc, _ = read(FIXTURES / "html" / "gov_notice.html")
    table = [b for b in doc.blocks if b.kind == "table_row"]
    assert {b.table for b in table} == {"表1 住宿费标准（元/人·天）"}  # the caption paragraph
    assert table[0].headers == ("出差地区", "住宿费标准/一般人员", "住宿费标准/处级人员", "伙食补助")
    assert [b.text for b in table] == [
        "出差地区：上海；住宿费标准/一般人员：500；住宿费标准/处级人员：600；伙食补助：100",
        "出差地区：广州；住宿费标准/一般人员：450；住宿费标准/处级人员：550；伙食补助：100",
        "出差地区：其他地区；住宿费标准/一般人员：350；住宿费标准/处级人员：450；伙食补助：80",
    ]
    # the table sits where it is on the page: after the article that refers to it
    index = doc.blocks.index(table[0])
    assert doc.blocks[index - 2].text.startswith("第三条")


def test_intranet_layout_table_page_in_gb2312() -> None:
    doc, info = read(FIXTURES / "html" / "intranet.html")
    assert doc.title == "办公区管理规定"  # "<title>办公区管理规定 - 行政办公室 - 单位内网"
    assert (doc.blocks[0].kind, doc.blocks[0].text) == ("heading", "办公区管理规定")
    assert not [t for t in texts(doc) for word in CHROME if word in t]
    assert info.dropped["web page menu/footer lines"] >= 5
    assert texts(doc, "list_item") == [
        "1. 员工凭工作证刷卡进入办公区。", "2. 访客须在前台登记，由接待人员陪同。",
        "3. 使用完毕后关闭空调和投影仪。", "4. 不得在会议室用餐。",  # <ol start="3">
        "a. 大会议室可容纳40人；", "b. 小会议室可容纳10人。"]  # <ol type="a">
    assert info.numbered == 6
    assert texts(doc, "table_row") == ["楼层：三楼；会议室：301；座位数：40",
                                       "楼层：三楼；会议室：305；座位数：10",  # rowspan
                                       "楼层：五楼；会议室：502；座位数：12"]
    assert texts(doc)[-1] == "本规定自发布之日起执行，由行政办公室负责解释。"


def test_pandoc_page() -> None:
    doc, info = read(FIXTURES / "html" / "pandoc_leave.html")
    assert doc.title == "请假管理规定" and info.dropped == {}
    assert texts(doc) == [
        "请假管理规定", "一、适用范围", "本规定适用于本单位全体在编职工。", "二、请假程序",
        "1. 填写请假单；", "2. 部门负责人签字；", "3. 报人事处备案。", "三、审批权限",
        "请假天数：3天以内；审批人：部门负责人", "请假天数：3天以上；审批人：分管领导"]


def test_simple_short_page_reads_in_full() -> None:
    doc, info = read(FIXTURES / "html" / "simple.html")
    assert info.dropped == {}
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("heading", "食堂开放时间"), ("paragraph", "早餐7:00至8:30，午餐11:30至13:00。"),
        ("paragraph", "节假日只供应午餐。"), ("list_item", "一楼：自选餐"),
        ("list_item", "二楼：面食")]


def test_page_title_without_h1_drops_the_site_suffix() -> None:
    page = ("<title>关于做好2024-2025年度体检工作的通知_部门文件_中国政府网</title>"
            "<p>请各单位于10月底前完成体检。</p>").encode()
    (doc,) = load_bytes(page, "notice.html")
    assert doc.title == "关于做好2024-2025年度体检工作的通知"


def test_a_page_of_links_is_still_read() -> None:
    page = "<h2>规章制度</h2><ul>" + "".join(
        f'<li><a href="/zd/{n}.html">制度{n}</a></li>' for n in range(1, 6)) + "</ul>"
    (doc,) = load_bytes(page.encode(), "index.html")
    assert texts(doc, "list_item") == ["制度1", "制度2", "制度3", "制度4", "制度5"]


def test_declared_charset_and_chinese_list_style() -> None:
    page = ('<meta charset="big5"><ol style="list-style-type: cjk-ideographic">'
            "<li>請假須提前申請</li><li>病假須附證明</li></ol>").encode("big5")
    (doc,) = load_bytes(page, "big5.htm")
    assert texts(doc) == ["一、請假須提前申請", "二、病假須附證明"]


# -- markdown -------------------------------------------------------------------------------


def test_markdown_from_word_through_pandoc() -> None:
    doc, info = read(FIXTURES / "md" / "docx_travel.md")
    assert (doc.title, info.reader) == ("公务用车管理办法", "markdown-it-py")
    assert texts(doc, "list_item") == ["1. 用车人在OA系统提交申请；", "2. 办公室审核并派车；",
                                      "3. 驾驶员填写行车记录。"]
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    # pandoc writes an empty header row for a Word table without one: the first row heads it
    assert rows[0].headers == ("车型", "每公里费用", "备注")
    assert [b.text for b in rows] == ["车型：轿车；每公里费用：1.2元；备注：含油费",
                                      "车型：商务车；每公里费用：1.8元；备注：含油费、过路费"]
    assert [b.text for b in doc.blocks if b.kind == "heading" and b.level == 2] == [
        "第一章 总则", "第二章 派车", "第三章 附则"]


def test_markdown_statute_layout() -> None:
    text = ("# 示例单位档案管理规定\n\n2024年1月5日 办公会议通过\n\n<!-- INFO END -->\n\n"
            "## 第一章 总则\n\n### 第一节 一般规定\n\n第一条 为规范档案管理，制定本规定。\n\n"
            "第二条 档案由办公室统一保管。\n借阅须登记。\n")
    (doc,) = load_bytes(text.encode(), "rules.md")
    assert doc.title == "示例单位档案管理规定"
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 1, "示例单位档案管理规定"), ("paragraph", 0, "2024年1月5日 办公会议通过"),
        ("heading", 2, "第一章 总则"), ("heading", 3, "第一节 一般规定"),
        ("paragraph", 0, "第一条 为规范档案管理，制定本规定。"),
        ("paragraph", 0, "第二条 档案由办公室统一保管。借阅须登记。")]


def test_markdown_list_numbers_as_rendered() -> None:
    text = "3. 第三项\n1. 第四项\n   - 细则\n\n1) 甲\n1) 乙\n"
    (doc,) = load_bytes(text.encode(), "list.md")
    assert [(b.text, b.number, b.level) for b in doc.blocks] == [
        ("3. 第三项", "3.", 0), ("4. 第四项", "4.", 0), ("细则", "", 1),
        ("1)甲", "1)", 0), ("2)乙", "2)", 0)]


@pytest.mark.skipif(not LAWS.is_dir(), reason="the shared statutes are not on this machine")
def test_shared_statutes_read_one_article_a_paragraph() -> None:
    for path in sorted(LAWS.glob("*.md")):
        if path.name == "README.md":
            continue
        (doc,) = load_path(path)
        first = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert doc.title == first.lstrip("# ").strip()
        assert not any("INFO END" in b.text for b in doc.blocks)
        assert {b.kind for b in doc.blocks} <= {"heading", "paragraph"}
        assert all(b.level in (1, 2, 3) for b in doc.blocks if b.kind == "heading")
        article = re.compile(r"第[一二三四五六七八九十百零]+条[ 　]")
        source = [line for line in path.read_text(encoding="utf-8").split("\n")
                  if article.match(line)]
        assert len([b for b in doc.blocks if article.match(b.text)]) == len(source)
