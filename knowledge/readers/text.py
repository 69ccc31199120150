"""Plain text (.txt) in UTF-8, UTF-16 or GB18030: one paragraph per line (an FAQ's ``问：``/``答：``
or ``Q:``/``A:`` lines become question/answer pairs, see :mod:`.faq`)."""

from __future__ import annotations

from ..blocks import ReadInfo, SourceDocument, clean, decode, document, paragraph, stem
from ..text import SENTENCE_ENDS
from .faq import pair_blocks

_SENTENCE_END = tuple(SENTENCE_ENDS + ".")   # a first line ending so is text, not a title


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    lines = [line for line in map(clean, decode(data).split("\n")) if line]
    title = stem(name)
    first = lines[0]
    if len(lines) > 1 and len(first) <= 40 and not first.endswith(_SENTENCE_END):
        title, lines = first, lines[1:]
    return [document(title, pair_blocks([paragraph(line) for line in lines], title), name, "txt")]
