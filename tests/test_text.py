"""Tests for knowledge.text: the character classes and sentence rules every module shares."""

from __future__ import annotations

import pytest

from knowledge.text import (
    CLAUSE_ENDS,
    INVISIBLE_CLEANED,
    INVISIBLE_MATCHING,
    SENTENCE_ENDS,
    format_size,
    is_cjk,
    is_cjk_wide,
)


@pytest.mark.parametrize(("char", "ideograph", "wide"), [
    ("中", True, True),
    ("㐀", True, True),          # extension A
    ("𠀀", True, True),          # extension B (supplementary plane)
    ("豈", True, True),          # compatibility ideograph
    ("，", False, True),         # full-width punctuation: joins lines, is no word
    ("、", False, True),
    ("Ａ", False, True),         # full-width letter
    ("あ", False, True),         # kana
    ("a", False, False),
    ("1", False, False),
    (" ", False, False),
])
def test_cjk_ideographs_and_wide_characters(char: str, ideograph: bool, wide: bool) -> None:
    assert (is_cjk(char), is_cjk_wide(char)) == (ideograph, wide)


def test_every_ideograph_is_wide() -> None:
    assert all(is_cjk_wide(chr(c)) for c in range(0x2E80, 0x30000) if is_cjk(chr(c)))


def test_a_clause_ends_where_a_sentence_does_and_at_a_colon() -> None:
    assert set(SENTENCE_ENDS) < set(CLAUSE_ENDS)
    assert set(CLAUSE_ENDS) - set(SENTENCE_ENDS) == {"：", ":"}
    assert "." not in SENTENCE_ENDS     # "3.5" and "1. item": each user decides


def test_invisible_characters_for_cleaning_and_for_matching() -> None:
    for char in "\u200b\u00ad\ufeff":
        assert char in INVISIBLE_CLEANED and ord(char) in INVISIBLE_MATCHING
    assert "\x07" in INVISIBLE_CLEANED and 0x07 not in INVISIBLE_MATCHING   # a space when matching
    assert ord("\u202e") in INVISIBLE_MATCHING and "\u202e" not in INVISIBLE_CLEANED
    assert not any(c.isspace() for c in INVISIBLE_CLEANED)


@pytest.mark.parametrize(("size", "decimals", "text"), [
    (800, True, "800 bytes"),
    (1536, True, "1.5 KB"),
    (20 * 1024 * 1024, False, "20 MB"),
    (20 * 1024 * 1024, True, "20.0 MB"),
    (25_500_000, True, "24.3 MB"),
    (1024 * 1024 + 1, False, "1 MB"),
])
def test_format_size(size: int, decimals: bool, text: str) -> None:
    assert format_size(size, decimals=decimals) == text
