"""OCR for scans and photos: RapidOCR's PP-OCR models run by onnxruntime on the CPU.

An optional extra (``pip install -e '.[ocr]'``); the models ship inside the rapidocr wheel,
so nothing is downloaded at run time. ``STAFFBOT_OCR=off`` turns it off. The engine is loaded
once per process on first use and serves one image at a time. :func:`image_lines` gives text
lines in reading order; :func:`paragraphs` joins them back into paragraphs the way a person
reads a page (for the image reader and for PDF pages without a text layer).
"""

from __future__ import annotations

import importlib.util
import io
import re
import threading
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from . import setting
from ..blocks import Unloadable, clean
from ..text import CLAUSE_ENDS, is_cjk_wide

__all__ = [
    "MAX_PIXELS",
    "MISSING",
    "HOW",
    "release",
    "loaded",
    "Line",
    "available",
    "image_lines",
    "paragraphs",
    "read_lines",
    "starts_item",
]

HOW = ("install the OCR extra: pip install -e '.[ocr]' in staffbot's folder "
       "(and leave STAFFBOT_OCR unset)")
MISSING = f"no text layer (a scan?); to read scans and images {HOW}"
MAX_PIXELS = 40_000_000   # larger is a decompression bomb, not a page (A4 at 600 dpi is 35 MP)
_OFF = frozenset({"off", "0", "false", "no"})
# Sentence ends: after one of these a wrapped line is the paragraph's last.
_PARAGRAPH_END = tuple(CLAUSE_ENDS)
# A line starting like this starts a paragraph even when the line before did not end one.
_ITEM_START = re.compile(r"^(?:第[一二三四五六七八九十百零〇\d]+[章节条款]|[一二三四五六七八九十]+[、.．]"
                         r"|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d))")
_ARTICLE_GLUED = re.compile(r"^(第[一二三四五六七八九十百零〇\d]+[章节条])(?=[\u4e00-\u9fff])")
_CN_ITEM = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]\s*")

_lock = threading.Lock()
_engine = None


@dataclass(frozen=True)
class Line:
    """One line of text on an image, with its box in pixels."""

    text: str
    left: float
    right: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return self.bottom - self.top


def available() -> bool:
    """True when the OCR extra is installed and not turned off with ``STAFFBOT_OCR=off``."""
    if setting("STAFFBOT_OCR").lower() in _OFF:
        return False
    try:
        return all(importlib.util.find_spec(name) is not None
                   for name in ("rapidocr", "onnxruntime"))
    except (ImportError, ValueError):   # a broken install, or a module blocked in sys.modules
        return False


def image_lines(image: bytes) -> list[str]:
    """The text lines of an image (PNG/JPEG bytes), top to bottom, in reading order."""
    return [line.text for line in read_lines(image)]


def read_lines(image: bytes) -> list[Line]:
    """Like :func:`image_lines`, with each line's box. Unloadable for a corrupt or huge image."""
    if not available():
        raise Unloadable(MISSING)
    picture = _open(image)
    with _lock:
        result = _get_engine()(picture)
    if result.boxes is None or not result.txts:
        return []
    boxes = []
    for points, text in zip(result.boxes.tolist(), result.txts):
        text = clean(text)
        if text:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes.append(Line(text, min(xs), max(xs), min(ys), max(ys)))
    return _rows(boxes)


def _open(image: bytes):
    """Decode with Pillow after checking the size its header claims; upright, RGB on white."""
    from PIL import Image, ImageOps

    try:
        picture = Image.open(io.BytesIO(image))
        width, height = picture.size
        if width * height > MAX_PIXELS:
            raise Unloadable(f"image is {width}×{height} pixels ({width * height / 1e6:.0f} MP); "
                             f"the limit is {MAX_PIXELS // 1_000_000} MP")
        picture.load()
        picture = ImageOps.exif_transpose(picture)   # phone photos are stored sideways
        if picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info:
            white = Image.new("RGBA", picture.size, "white")
            picture = Image.alpha_composite(white, picture.convert("RGBA"))
        return picture.convert("RGB")
    except Unloadable:
        raise
    except Image.DecompressionBombError as exc:
        raise Unloadable(f"image too large ({exc})") from None
    except Exception as exc:   # Pillow raises many types for truncated or corrupt data
        raise Unloadable(f"corrupt or unsupported image ({type(exc).__name__}: {exc})") from None


def loaded() -> bool:
    """Whether the OCR engine is in memory now."""
    return _engine is not None


def release() -> None:
    """Drop the OCR engine (~250 MB resident once used): the knowledge base calls this after an
    ingest that needed OCR, so a bot that read one scan does not hold it until it stops; the next
    scan loads it again (~2 s)."""
    global _engine
    if _engine is not None:
        _engine = None
        import gc

        gc.collect()
        from ..index import release_free_memory

        release_free_memory()


def _get_engine():
    global _engine
    if _engine is None:
        from rapidocr import RapidOCR

        # Against rapidocr's defaults, on a dense 200 dpi A4 page with 2 cores: 3.2 s instead
        # of 4.0 s, 0.6 GB peak memory instead of 1.0 GB, the same text.
        _engine = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,          # the 180° line classifier: scans are upright
            # Detect on at most 1280 px a side (12 pt text at 200 dpi stays 18 px high);
            # recognition still reads each line from the full-resolution image.
            "Det.limit_type": "max",
            "Det.limit_side_len": 1280,
            # 3 lines at a time, not 6: most of the memory saving. (onnxruntime's memory arena
            # would save ~15% of the time but keeps 1.1 GB resident afterwards: it stays off.)
            "Rec.rec_batch_num": 3,
        })
    return _engine


def _rows(boxes: list[Line]) -> list[Line]:
    """Boxes whose vertical middles overlap are one line, read left to right; lines top down."""
    rows: list[list[Line]] = []
    for box in sorted(boxes, key=lambda b: (b.top + b.bottom) / 2):
        middle = (box.top + box.bottom) / 2
        row = rows[-1] if rows else None
        if row and min(b.top for b in row) <= middle <= max(b.bottom for b in row):
            row.append(box)
        else:
            rows.append([box])
    return [_join_row(sorted(row, key=lambda b: b.left)) for row in rows]


def _join_row(row: list[Line]) -> Line:
    text = row[0].text
    for before, box in pairwise(row):
        gap = box.left - before.right
        wide = gap > 0.8 * max(before.height, box.height)
        cjk = is_cjk_wide(text[-1]) and is_cjk_wide(box.text[0])
        text += box.text if not wide and cjk else " " + box.text
    return Line(_tidy(text), row[0].left, max(b.right for b in row), min(b.top for b in row),
                max(b.bottom for b in row))


def paragraphs(lines: list[Line]) -> list[str]:
    """Join wrapped lines into paragraphs as a reader would.

    A line ends its paragraph when it ends a sentence (。；：!?) or stops well short of the text's
    right edge; a line starts one when it is indented or starts with an article or item number
    (第三条, 一、, （二）, 1.).
    """
    if not lines:
        return []
    char = median(line.height for line in lines)
    left_edge = min(line.left for line in lines)
    right_edge = max(line.right for line in lines)
    result: list[list[str]] = []
    previous: Line | None = None
    for line in lines:
        starts = (previous is None or previous.text.endswith(_PARAGRAPH_END)
                  or previous.right < right_edge - 2 * char
                  or line.left > left_edge + 1.2 * char
                  or starts_item(line.text))
        if starts:
            result.append([line.text])
        else:
            result[-1].append(line.text)
        previous = line
    return [_tidy(_join(parts)) for parts in result]   # lines from elsewhere get tidied too


def _tidy(text: str) -> str:
    """OCR's usual slips at a line's start: 第一条为规范 → 第一条 为规范, (一） → （一）."""
    text = _ARTICLE_GLUED.sub(r"\1 ", text, count=1)
    return _CN_ITEM.sub(r"（\1）", text, count=1)


def starts_item(text: str) -> bool:
    """True when ``text`` starts with an article or item number (第三条, 一、, （二）, 1.)."""
    return bool(_ITEM_START.match(text))


def _join(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        space = not (is_cjk_wide(text[-1]) or is_cjk_wide(part[0]) or text.endswith("-"))
        text += (" " if space else "") + part
    return text
