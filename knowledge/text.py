"""Character classes and sentence rules, defined once for the readers, the splitter and the search.

Which characters are Chinese (two answers, for two questions: see :func:`is_cjk` and
:func:`is_cjk_wide`), which are invisible, which punctuation ends a sentence or a clause, and how a
file size is written in messages.
"""

from __future__ import annotations

import re

__all__ = [
    "CJK_BMP_CLASS",
    "CJK_IDEOGRAPHS",
    "CLAUSE_ENDS",
    "CLAUSE_BREAKS",
    "CLOSING_QUOTES",
    "ELLIPSIS",
    "INVISIBLE_CLEANED",
    "INVISIBLE_MATCHING",
    "SENTENCE_ENDS",
    "format_size",
    "is_cjk",
    "is_cjk_wide",
    "number_pattern",
]

# -- which characters are Chinese ---------------------------------------------------------------

# CJK ideographs (first to last code point): the characters jieba segments and the index makes
# bigrams of. Unified, extension A, compatibility, and the supplementary planes' extensions.
CJK_IDEOGRAPHS: tuple[tuple[int, int], ...] = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2FA1F), (0xF900, 0xFAFF))

# The ideographs of the Basic Multilingual Plane, as a regex character class: the question
# tokenizer's runs (knowledge.analysis) have always stopped at supplementary-plane ideographs.
CJK_BMP_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Wider than the ideographs: radicals, CJK punctuation, kana, compatibility and full-width forms
# too. This answers "does a wrapped line join this character without a space?" (、 and ，
# included), not "is it a word character?".
_CJK_WIDE_RE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
                          "\U00020000-\U0003ffff]")


def is_cjk(char: str) -> bool:
    """True for a CJK ideograph (the characters jieba segments and bigrams are made of)."""
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2FA1F
        or 0xF900 <= code <= 0xFAFF
    )


def is_cjk_wide(char: str) -> bool:
    """True for any East Asian wide character (ideograph, CJK punctuation, full-width form): no
    space is put between it and the next line's text when lines are joined."""
    return bool(_CJK_WIDE_RE.match(char))


# -- invisible characters ------------------------------------------------------------------------

# Deleted by the readers when they clean text: zero-width characters, BOMs, the soft hyphen and
# the C0/C1 controls that are not whitespace (whitespace is collapsed separately).
INVISIBLE_CLEANED = "\u00ad\u200b\u200c\u200d\u2060\ufeff\x7f" + "".join(
    chr(c) for c in [*range(0x20), *range(0x80, 0xA0)] if not chr(c).isspace())

# Deleted by normalisation for matching: the zero-width characters and the bidirectional marks
# (invisible, but they would split or glue words). The controls are not here on purpose: the
# normaliser turns them into spaces, keeping them as word breaks.
INVISIBLE_MATCHING = frozenset({
    0x00AD, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x2060, 0x2061, 0x2062, 0x2063, 0x2064,
    0xFEFF, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x061C,
})

# -- sentences -----------------------------------------------------------------------------------

# Punctuation that ends a sentence, full-width and half-width (the Latin full stop is not here:
# "3.5" and "1. item" need context, each user decides where '.' counts).
SENTENCE_ENDS = "。！？!?；;"
# Also ends a clause, a line or a paragraph that introduces what follows (a lead-in, a label).
CLAUSE_ENDS = SENTENCE_ENDS + "：:"
# Inside a sentence: where an excerpt cut in the middle may start reading (a comma or a colon).
CLAUSE_BREAKS = "，,、：:"
ELLIPSIS = "…"
# May follow a sentence end and belong to the same sentence.
CLOSING_QUOTES = "”’」』）)]\"'"

# -- sizes ---------------------------------------------------------------------------------------

_MB = 1024 * 1024


def number_pattern(number: str) -> re.Pattern[str] | None:
    """For a word of ASCII digits, the pattern that finds it as a whole number: 5 is not said by
    15天 nor by 50元 nor by 2.5; None for any other word (found as a plain substring)."""
    if not (number.isascii() and number.isdigit()):
        return None
    return re.compile(rf"(?<![0-9.]){number}(?![0-9]|\.[0-9])")


def format_size(size: int, *, decimals: bool) -> str:
    """``12.3 MB``, ``512.0 KB``, ``800 bytes``; without ``decimals`` a limit reads ``20 MB``."""
    if size >= _MB:
        value, unit = size / _MB, "MB"
    elif size >= 1024:
        value, unit = size / 1024, "KB"
    else:
        return f"{size} bytes"
    return f"{value:.1f} {unit}" if decimals else f"{value:g} {unit}"
