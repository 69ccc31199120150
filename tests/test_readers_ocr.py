"""Images and OCR: the scan fixture (tests/fixtures/scan, a 200 dpi skewed noisy page made by
tests/fixtures/make_office_and_scans.py) read through the public loader when the OCR extra is
installed; without it (or with STAFFBOT_OCR=off) the reason says how to enable it."""

from __future__ import annotations

import difflib
import importlib.util
import io
import re
from pathlib import Path

import pytest

from knowledge.loaders import FileRead, LoadError, load_path, read_bytes
from knowledge.readers import ocr

SCAN = Path(__file__).parent / "fixtures" / "scan"
PNG = SCAN / "会议室使用管理规定.png"
JPEG = SCAN / "会议室使用管理规定.jpg"
needs_ocr = pytest.mark.skipif(not ocr.available(),
                               reason="the OCR extra is not installed (pip install -e '.[ocr]')")
# What the page says (tests/fixtures/make_office_and_scans.py SCAN_LINES), one paragraph each.
ARTICLES = [
    "第一条 为规范会议室的使用，提高使用效率，制定本规定。",
    "第二条 使用会议室须提前一个工作日在办公系统中预约，每次预约不超过4小时。",
    "第三条 会议结束后，使用部门应关闭空调、投影仪和电灯，并将桌椅恢复原位。",
    "第四条 有下列情形之一的，取消该部门当月预约资格：",
    "（一）预约后未使用且未提前取消的；",
    "（二）连续两次超时使用的。",
    "第五条 本规定由综合办公室负责解释，自2024年5月1日起施行。",
]


def reason_of(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        load_path(path)
    return caught.value.reason


def similar(read: str, expected: str) -> float:
    return difflib.SequenceMatcher(None, read, expected, autojunk=False).ratio()


@pytest.fixture(scope="module")
def scan_read() -> FileRead:
    return read_bytes(PNG.read_bytes(), PNG.name)


@pytest.mark.parametrize("path", [PNG, JPEG], ids=["png", "jpeg"])
def test_without_ocr_the_reason_says_how_to_enable_it(path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STAFFBOT_OCR", "off")
    assert reason_of(path) == ocr.MISSING
    assert "pip install -e '.[ocr]'" in ocr.MISSING


def test_ocr_is_unavailable_when_the_engine_is_not_installed(monkeypatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "rapidocr" else real(name, *a))
    monkeypatch.delenv("STAFFBOT_OCR", raising=False)
    assert not ocr.available()
    assert reason_of(PNG) == ocr.MISSING


def line(text: str, left: float, right: float, top: float) -> ocr.Line:
    return ocr.Line(text, left, right, top, top + 40)


def test_paragraphs_join_wrapped_lines_as_a_reader_would() -> None:
    lines = [
        line("差旅费报销规定", 400, 700, 100),                       # short: a title
        line("第一条为加强差旅费管理，规范报销程序，", 180, 1000, 200),   # indented start
        line("制定本规定。", 100, 340, 260),                         # ends a sentence
        line("第二条出差人员应在返回后十个工作日内", 180, 1000, 320),
        line("办理报销手续，逾期不予受理", 100, 1000, 380),             # full width: wraps on
        line("(一）因公延期的除外；", 180, 600, 440),                  # an item starts anew
        line("(二) 经批准的除外。", 180, 560, 500),
    ]
    assert ocr.paragraphs(lines) == [
        "差旅费报销规定",
        "第一条 为加强差旅费管理，规范报销程序，制定本规定。",
        "第二条 出差人员应在返回后十个工作日内办理报销手续，逾期不予受理",
        "（一）因公延期的除外；",
        "（二）经批准的除外。",
    ]
    assert ocr.paragraphs([]) == []


@needs_ocr
def test_scan_reads_as_a_title_and_one_paragraph_per_article(scan_read: FileRead) -> None:
    (doc,) = scan_read.documents
    assert (doc.kind, doc.title) == ("image", "会议室使用管理规定")
    info = scan_read.info
    assert (info.reader, info.pages, info.ocr_pages) == ("rapidocr", 1, 1)
    assert all(block.ocr for block in doc.blocks)
    assert [(b.kind, b.text) for b in doc.blocks[:1]] == [("heading", "会议室使用管理规定")]
    paragraphs = [b.text for b in doc.blocks[1:]]
    assert len(paragraphs) == len(ARTICLES)
    for read, expected in zip(paragraphs, ARTICLES):
        assert read[:3] == expected[:3]        # 第X条 / （一）: the numbers sections rely on
        assert similar(read, expected) > 0.9, (read, expected)   # OCR may misread a character


@needs_ocr
def test_scan_numbers_and_key_words_are_read_exactly(scan_read: FileRead) -> None:
    text = "".join(b.text for b in scan_read.documents[0].blocks)
    for words in ("提前一个工作日", "不超过4小时", "连续两次超时使用", "综合办公室",
                  "2024年5月1日起施行", "投影仪和电灯"):
        assert words in text


@needs_ocr
def test_jpeg_lines_come_top_to_bottom_in_reading_order() -> None:
    lines = ocr.image_lines(JPEG.read_bytes())
    assert len(lines) == 13   # the title and 12 typeset lines, wrapped lines kept apart
    assert lines[0] == "会议室使用管理规定"
    starts = [i for i, text in enumerate(lines) if re.match(r"第.条|[（(][一二][）)]", text)]
    assert [lines[i][:3] for i in starts] == ["第一条", "第二条", "第三条", "第四条", "（一）",
                                              "（二）", "第五条"]
    assert lines[-1].endswith("起施行。")


@needs_ocr
def test_image_over_40_megapixels_is_refused_unread(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "bomb.png"
    Image.new("1", (8000, 6000), 1).save(path)   # 48 MP of white: a few KB on disk
    assert path.stat().st_size < 100_000
    assert reason_of(path) == "image is 8000×6000 pixels (48 MP); the limit is 40 MP"


@needs_ocr
def test_corrupt_and_blank_images_name_the_problem(tmp_path: Path) -> None:
    from PIL import Image

    truncated = tmp_path / "truncated.jpg"
    truncated.write_bytes(JPEG.read_bytes()[:3000])
    assert reason_of(truncated).startswith("corrupt or unsupported image (")
    not_image = tmp_path / "notes.png"
    not_image.write_bytes(b"these are not pixels " * 20)
    assert reason_of(not_image).startswith("corrupt or unsupported image (")
    blank = tmp_path / "blank.png"
    buffer = io.BytesIO()
    Image.new("L", (600, 400), 255).save(buffer, "PNG")
    blank.write_bytes(buffer.getvalue())
    assert reason_of(blank) == "OCR found no text in the image"


@needs_ocr
def test_phone_photo_stored_sideways_is_read_upright(tmp_path: Path) -> None:
    from PIL import Image

    sideways = Image.open(JPEG).rotate(90, expand=True)   # the pixels as a phone stores them
    exif = Image.Exif()
    exif[0x0112] = 6                                      # Orientation: turn 90° clockwise
    path = tmp_path / "photo.jpg"
    sideways.save(path, quality=90, exif=exif)
    (doc,) = load_path(path)
    assert doc.title == "会议室使用管理规定"
    assert "2024年5月1日起施行" in doc.blocks[-1].text
