"""Text normalisation shared by indexing and querying.

Both sides of a match go through :func:`normalize`, so a question typed in traditional characters,
full-width letters or upper case finds text written in simplified, half-width, lower case.

The mapping is character by character (NFKC, lower case, traditional → simplified from OpenCC's
character table, invisible marks removed), which keeps it fast (``str.translate``) and lets
:func:`normalize_with_offsets` map a match in normalised text back to the original characters for
highlighting. A few traditional characters have two simplified readings (覆 is 覆 in 覆盖 and 复 in
答覆/回覆, 瞭 is 了 in 瞭解, 藉 is 借 in 憑藉): OpenCC's phrase table decides those, applied after the
characters and only where a phrase keeps its length, so offsets stay one to one.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

from .text import INVISIBLE_MATCHING

# Bumped when what normalize returns changes: words stored under another version are made anew.
NORMALIZE_VERSION = 2   # 2: OpenCC's phrases (答覆 → 答复)

__all__ = ["NORMALIZE_VERSION", "normalize", "normalize_aligned", "normalize_many", "normalize_with_offsets"]


@lru_cache(maxsize=1)
def _traditional_to_simplified() -> dict[str, str]:
    """OpenCC's character table (first candidate), read once."""
    table: dict[str, str] = {}
    try:
        import opencc

        path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                parts = line.rstrip("\n").split("\t")
                if len(parts) == 2 and parts[1]:
                    table[parts[0]] = parts[1].split(" ")[0]
    except (ImportError, OSError):  # pragma: no cover - the package is a declared dependency
        pass
    return table


class _Phrases:
    """OpenCC's traditional phrases whose characters, mapped one by one, give another simplified
    phrase than the phrase table does (答覆 → 答覆 by character, 答复 by phrase), with the same
    length; keyed and valued in normalised form. Read on first use."""

    def __init__(self) -> None:
        self.ready = False
        self.table: dict[str, str] = {}
        self.trigger: re.Pattern[str] | None = None
        self.pattern: re.Pattern[str] | None = None

    def load(self) -> None:
        with _LEARN:
            if self.ready:
                return
            try:
                import opencc

                path = Path(opencc.__file__).parent / "dictionary" / "TSPhrases.txt"
                lines = path.read_text(encoding="utf-8").splitlines()
            except (ImportError, OSError):  # pragma: no cover - a declared dependency
                lines = []
            table: dict[str, str] = {}
            for line in lines:
                parts = line.split("\t")
                if len(parts) != 2 or not parts[1]:
                    continue
                source = parts[0].translate(_CHAR_MAP)
                target = parts[1].split(" ")[0].translate(_CHAR_MAP)
                if len(source) != len(target) or source == target or not _common(target) \
                        or "么" in source:   # 么麼 → 幺麽, an archaism, would turn 么么 into 幺么
                    continue
                table[source] = target
            marks = {a for s, t in table.items() for a, b in zip(s, t) if a != b}
            self.table = table
            if table:
                self.trigger = re.compile("[" + re.escape("".join(sorted(marks))) + "]")
                self.pattern = re.compile("|".join(
                    re.escape(k) for k in sorted(table, key=len, reverse=True)))
            self.ready = True

    def apply(self, text: str) -> str:
        if not self.ready:
            self.load()
        if self.trigger is None or not self.trigger.search(text):
            return text
        return self.pattern.sub(lambda m: self.table[m.group()], text)


def _common(text: str) -> bool:
    """Only everyday simplified characters (GB2312) as a phrase's result: OpenCC also maps some
    names and rare words to variants (锺, 𫫇) that documents do not use."""
    try:
        text.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


class _CharMap(dict):
    """Lazily filled ``str.translate`` table: code point → normalised string."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if code in INVISIBLE_MATCHING or unicodedata.category(char) == "Cc" and char not in "\n\t":
            result = "" if code in INVISIBLE_MATCHING else " "
        else:
            result = unicodedata.normalize("NFKC", char).lower()
            t2s = _traditional_to_simplified()
            result = "".join(t2s.get(c, c) for c in result)
            if result.isspace():
                result = "\n" if char == "\n" else " "
        self[code] = result
        return result


_CHAR_MAP = _CharMap()
_PHRASES = _Phrases()


# A long text is mapped with numpy, one code point to one code point (a gather in one table),
# ~10x faster than ``str.translate`` with a dict, which a search pays on every paragraph it
# reads; a text with a character that maps to none or several (invisible marks, ㈠ → (一)) or
# lies beyond the table goes through ``str.translate``, so the result is always the same.
_DENSE = 0x30000                                  # BMP, and CJK extensions B–F
_ONE_TO_ONE = np.arange(_DENSE, dtype=np.uint32)  # code point → its (first) normalised one
_OTHER = np.ones(_DENSE, dtype=np.uint8)          # 0 one to one, 1 not yet known, 2 otherwise
_OTHER[-1] = 2                                    # (where code points beyond the table land)
_LEARN = threading.Lock()
_SHORT = 48                                       # shorter texts: str.translate is as fast


def _learn(codes: np.ndarray) -> None:
    """Fill the table for code points met for the first time."""
    with _LEARN:
        for code in set(codes.tolist()):     # (np.unique's first call imports numpy.ma: 10 ms)
            mapped = _CHAR_MAP[code]
            _ONE_TO_ONE[code] = ord(mapped[:1] or " ")   # (what normalize_aligned keeps)
            _OTHER[code] = 0 if len(mapped) == 1 else 2


def _one_to_one(text: str) -> str | None:
    """``text`` normalised through the table, or None when a character needs translate."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    other = _OTHER.take(codes, mode="clip")
    if other.any():
        if (other == 1).any():
            _learn(codes[other == 1])
            other = _OTHER.take(codes, mode="clip")
        if other.any():
            return None
    return _ONE_TO_ONE.take(codes).tobytes().decode("utf-32-le", "surrogatepass")


def normalize(text: str) -> str:
    """Return ``text`` in the form used for matching (see the module docstring)."""
    if len(text) < _SHORT:
        return _PHRASES.apply(text.translate(_CHAR_MAP))
    found = _one_to_one(text)
    return _PHRASES.apply(found if found is not None else text.translate(_CHAR_MAP))


def normalize_many(texts: list[str]) -> list[str]:
    """``[normalize(t) for t in texts]`` in one pass over them all (the paragraphs a search
    reads): mapped one to one, each keeps its length, so the joined result is cut back apart;
    a text with a character the table does not map one to one goes through translate."""
    joined = "".join(texts)
    if len(joined) < _SHORT:
        return [normalize(t) for t in texts]
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    other = _OTHER.take(codes, mode="clip")
    if other.any() and (other == 1).any():
        _learn(codes[other == 1])
        other = _OTHER.take(codes, mode="clip")
    mapped = _ONE_TO_ONE.take(codes, mode="clip").tobytes().decode("utf-32-le", "surrogatepass")
    odd: set[int] = set()
    if other.any():
        ends = np.cumsum([len(t) for t in texts])
        odd = set(np.searchsorted(ends, np.flatnonzero(other), side="right").tolist())
    out, at = [], 0
    for k, text in enumerate(texts):
        out.append(text.translate(_CHAR_MAP) if k in odd else mapped[at:at + len(text)])
        at += len(text)
    return [_PHRASES.apply(t) for t in out]


def normalize_aligned(text: str) -> str:
    """Like :func:`normalize` but one character out per character in (the first of an
    expansion, a space for a removed mark), so offsets into ``text`` stay valid."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if codes.size == 0 or int(codes.max()) >= _DENSE - 1:
        return _PHRASES.apply("".join(_CHAR_MAP[ord(c)][:1] or " " for c in text))
    unknown = _OTHER.take(codes) == 1
    if unknown.any():
        _learn(codes[unknown])
    return _PHRASES.apply(_ONE_TO_ONE.take(codes).tobytes().decode("utf-32-le", "surrogatepass"))


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` and return, for each normalised character, its index in ``text``."""
    fast = text.translate(_CHAR_MAP)
    if len(fast) == len(text) and all(len(_CHAR_MAP[ord(c)]) == 1 for c in text):
        return _PHRASES.apply(fast), list(range(len(text)))
    out: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        mapped = _CHAR_MAP[ord(char)]
        out.append(mapped)
        offsets.extend([index] * len(mapped))
    return _PHRASES.apply("".join(out)), offsets
