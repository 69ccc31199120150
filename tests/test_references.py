"""Questions that name a heading (第三条, 第2章) find the paragraphs under it."""

import pytest

from knowledge.sections import chinese_number, find_references


@pytest.mark.parametrize(("text", "value"), [
    ("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("二十三", 23), ("一百零五", 105),
    ("两", 2), ("12", 12), ("三x", None),
])
def test_chinese_numbers(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(("text", "refs"), [
    ("第三条", [("条", 3)]),
    ("差旅费管理办法第二章第四条怎么规定", [("章", 2), ("条", 4)]),
    ("第 3 条", [("条", 3)]),
    ("第十二节", [("节", 12)]),
    ("第一次会议", []),
])
def test_find_references(text, refs):
    assert find_references(text) == refs
