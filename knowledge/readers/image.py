"""Images (.png, .jpg, .jpeg): a scanned or photographed page read by OCR (:mod:`.ocr`) into
paragraphs, each block marked ``ocr=True`` so citations can say the text may hold misreadings.
Without the OCR extra the file is refused with a message saying how to enable it."""

from __future__ import annotations

import re

from ..blocks import (
    ReadInfo,
    SourceDocument,
    Unloadable,
    document,
    heading,
    paragraph,
    stem,
)
from . import ocr

# A first paragraph this short with no sentence punctuation is the page's title (会议室使用管理规定).
_MAX_TITLE_CHARS = 30
_SENTENCE = re.compile(r"[。；;，,：:！!？?]")


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    if not ocr.available():
        raise Unloadable(ocr.MISSING)
    try:
        lines = ocr.read_lines(data)
    except Unloadable:
        raise
    except Exception as exc:   # the engine failing must not look like a bad file's fault
        raise Unloadable(f"OCR failed ({type(exc).__name__}: {exc})") from None
    info.reader = "rapidocr"
    info.pages = 1
    info.ocr_pages = 1
    texts = ocr.paragraphs(lines)
    if not texts:
        raise Unloadable("OCR found no text in the image")
    title = stem(name)
    blocks = []
    first = texts[0]
    if len(texts) > 1 and len(first) <= _MAX_TITLE_CHARS and not _SENTENCE.search(first) \
            and not ocr.starts_item(first):
        title = first
        blocks.append(heading(first, 0, ocr=True))
        texts = texts[1:]
    blocks.extend(paragraph(text, ocr=True) for text in texts)
    return [document(title, blocks, name, "image")]
