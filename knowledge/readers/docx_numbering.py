"""Word automatic numbering rendered as Word shows it (``第三条``, ``（二）``, ``1.2``, ``a.``).

A numbered Word paragraph does not hold its number: ``w:numPr`` (on the paragraph or its style)
points into ``word/numbering.xml`` (``w:num`` → ``w:abstractNum`` → ``w:lvl`` with start, format
and ``w:lvlText`` such as ``第%1条``). :class:`Numbering` keeps Word's counters while the reader
walks the document in order and returns each paragraph's rendered number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

__all__ = ["Level", "Numbered", "Numbering", "W", "format_number"]


@dataclass(frozen=True)
class Level:
    """One ``w:lvl`` of a list definition."""

    start: int = 1
    fmt: str = "decimal"
    text: str = ""                 # w:lvlText, e.g. "第%1条", "（%2）", "%1.%2"
    restart: int | None = None     # w:lvlRestart: None = after any higher level, 0 = never
    legal: bool = False            # w:isLgl: every number in this level's text in Arabic digits
    style: str = ""                # w:pStyle: the paragraph style this level belongs to
    suffix: str = "tab"            # w:suff: what follows the number (tab, space, nothing)


@dataclass(frozen=True)
class Numbered:
    """A paragraph's rendered number (``""`` for a bullet) and its list level."""

    number: str
    level: int
    bullet: bool
    suffix: str


@dataclass
class _List:
    levels: dict[int, Level]
    counter_key: tuple[str, str]
    starts: dict[int, int] = field(default_factory=dict)   # w:startOverride per level


def _val(element, tag: str) -> str | None:
    child = element.find(W + tag) if element is not None else None
    return None if child is None else child.get(W + "val")


def _int(text: str | None, default: int | None) -> int | None:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _level(lvl) -> Level:
    legal = lvl.find(W + "isLgl")
    return Level(
        start=_int(_val(lvl, "start"), 1) or 0,
        fmt=_val(lvl, "numFmt") or "decimal",
        text=_val(lvl, "lvlText") or "",
        restart=_int(_val(lvl, "lvlRestart"), None),
        legal=legal is not None and legal.get(W + "val", "true") not in ("0", "false", "off"),
        style=_val(lvl, "pStyle") or "",
        suffix=_val(lvl, "suff") or "tab",
    )


class Numbering:
    """The definitions of ``numbering.xml`` and the running counters of one document.

    ``style_num_id`` maps a numbering style id to its ``numId`` (for ``w:numStyleLink``).
    Nums that share an abstract definition share its counters (Word continues such lists); a num
    with ``w:startOverride`` restarts them where it is first used, and the nums used after it go on
    counting from there. A list whose first item directly follows an item of another definition
    that looks the same (level format and text) goes on with that list's count: LibreOffice saves
    one list of an old .doc as two such definitions, and Word shows them as one list.
    """

    def __init__(self, root, style_num_id=lambda style_id: None) -> None:
        self._abstract: dict[str, object] = {}
        self._nums: dict[str, object] = {}
        if root is not None:
            for node in root.iter(W + "abstractNum"):
                self._abstract[node.get(W + "abstractNumId", "")] = node
            for node in root.iter(W + "num"):
                self._nums[node.get(W + "numId", "")] = node
        self._style_num_id = style_num_id
        self._lists: dict[str, _List | None] = {}
        self._counters: dict[tuple[str, str], dict[int, int]] = {}
        self._restarted: set[tuple[str, int]] = set()   # (numId, level) whose override was used
        self._used: set[str] = set()
        self._previous: tuple[_List, int] | None = None     # the item just before, if adjacent

    def interrupt(self) -> None:
        """A paragraph without numbering: the next list does not continue the one before."""
        self._previous = None

    def _abstract_levels(self, abstract_id: str, depth: int = 0) -> dict[int, Level]:
        node = self._abstract.get(abstract_id)
        if node is None:
            return {}
        link = _val(node, "numStyleLink")
        if link and depth < 3:  # the definition lives in the numbering style's own num
            linked = self._nums.get(self._style_num_id(link) or "")
            if linked is not None:
                return self._abstract_levels(_val(linked, "abstractNumId") or "", depth + 1)
        return {_int(lvl.get(W + "ilvl"), 0) or 0: _level(lvl) for lvl in node.iter(W + "lvl")}

    def _list(self, num_id: str) -> _List | None:
        if num_id in self._lists:
            return self._lists[num_id]
        node = self._nums.get(num_id)
        found = None
        if node is not None:
            abstract_id = _val(node, "abstractNumId") or ""
            levels = dict(self._abstract_levels(abstract_id))
            starts: dict[int, int] = {}
            for override in node.iter(W + "lvlOverride"):
                ilvl = _int(override.get(W + "ilvl"), 0) or 0
                replaced = override.find(W + "lvl")
                if replaced is not None:
                    levels[ilvl] = _level(replaced)
                start = _int(_val(override, "startOverride"), None)
                if start is not None:
                    starts[ilvl] = start
            if levels:
                found = _List(levels, ("abstract", abstract_id), starts)
        self._lists[num_id] = found
        return found

    def style_level(self, num_id: str, style_id: str) -> int | None:
        """The level whose ``w:pStyle`` is this paragraph style (style-linked numbering)."""
        found = self._list(num_id)
        if found is None:
            return None
        return next((i for i, lvl in sorted(found.levels.items()) if lvl.style == style_id), None)

    def next(self, num_id: str, ilvl: int) -> Numbered | None:
        """Count one paragraph of list ``num_id`` at level ``ilvl``; its rendered number."""
        if num_id in ("", "0"):
            return None  # numId 0 switches numbering off
        found = self._list(num_id)
        if found is None or not found.levels:
            return None
        if ilvl not in found.levels:
            ilvl = max(i for i in found.levels if i <= ilvl) if min(found.levels) <= ilvl \
                else min(found.levels)
        level = found.levels[ilvl]
        if num_id not in self._used:
            self._used.add(num_id)
            previous = self._previous
            if previous is not None and previous[1] == ilvl and ilvl not in found.starts and \
                    previous[0].counter_key != found.counter_key and \
                    _same_look(previous[0].levels.get(ilvl), level):
                found = self._lists[num_id] = _List(found.levels, previous[0].counter_key,
                                                    found.starts)
        self._previous = (found, ilvl)
        counts = self._counters.setdefault(found.counter_key, {})
        if level.fmt != "bullet":
            if ilvl in found.starts and (num_id, ilvl) not in self._restarted:
                self._restarted.add((num_id, ilvl))
                counts[ilvl] = found.starts[ilvl]
            else:
                counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else level.start
        for deeper in [d for d in counts if d > ilvl]:
            if _restarts(found.levels.get(deeper), ilvl, deeper):
                del counts[deeper]
        if level.fmt == "bullet":
            return Numbered("", ilvl, True, level.suffix)
        number = _render(level, found, counts)
        return Numbered(number.strip(), ilvl, False, level.suffix)


def _same_look(a: Level | None, b: Level) -> bool:
    return a is not None and (a.fmt, a.text, a.start) == (b.fmt, b.text, b.start)


def _restarts(level: Level | None, used: int, deeper: int) -> bool:
    """Does using level ``used`` restart the deeper level? (w:lvlRestart is 1-based.)"""
    if level is None or level.restart is None or level.restart > deeper:
        return True
    return level.restart != 0 and used < level.restart


def _render(level: Level, found: _List, counts: dict[int, int]) -> str:
    def substitute(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        other = found.levels.get(index, Level())
        value = counts.get(index, found.starts.get(index, other.start))
        fmt = "decimal" if level.legal and other.fmt not in ("none", "bullet") else other.fmt
        return format_number(value, fmt)

    return re.sub(r"%([1-9])", substitute, level.text)


# -- number formats (w:numFmt) --------------------------------------------------------------------

_CN = "〇一二三四五六七八九"
_LEGAL_SIMPLIFIED = ("零壹贰叁肆伍陆柒捌玖", "拾佰仟")
_LEGAL_TRADITIONAL = ("零壹貳參肆伍陸柒捌玖", "拾佰仟")
_PLAIN = (_CN, "十百千")
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def _counting_thousand(n: int, digits: str = _CN, units: str = "十百千",
                       ten_alone: bool = True) -> str:
    """一百〇五, 一千〇一十 (Word's chineseCountingThousand); ``ten_alone``: 10-19 as 十…."""
    if ten_alone and 10 <= n <= 19:
        return units[0] + (digits[n - 10] if n > 10 else "")
    out, zero = [], False
    for power in (3, 2, 1, 0):
        digit = n // 10 ** power % 10
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append(digits[0])  # Word writes one 〇 for a gap: 一百〇五, 一千〇五十
            zero = False
        out.append(digits[digit] + (units[power - 1] if power else ""))
    return "".join(out)


def _chinese_counting(n: int) -> str:
    """Word's chineseCounting: 十, 十一 … 九十九, then digit by digit (一〇五)."""
    if n < 100:
        return _counting_thousand(n)
    return "".join(_CN[int(d)] for d in str(n))


def _japanese_counting(n: int) -> str:
    """十, 十一, 百五, 千: no 一 before a unit, no zero digit."""
    out = []
    for power in (3, 2, 1, 0):
        digit = n // 10 ** power % 10
        if digit:
            lead = "" if power and digit == 1 else _CN[digit]
            out.append(lead + ("十百千"[power - 1] if power else ""))
    return "".join(out)


def _roman(n: int) -> str:
    out = []
    for value, numeral in _ROMAN:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def _letter(n: int) -> str:
    """Word's letters: a … z, then aa, bb … (the letter repeated)."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def _enclosed(n: int, first: int, last: int, base: int) -> str:
    return chr(base + n - first) if first <= n <= last else str(n)


def format_number(n: int, fmt: str) -> str:
    """``n`` in a ``w:numFmt`` format; unknown formats fall back to Arabic digits."""
    if fmt in ("none", "bullet"):
        return ""
    if n <= 0 and fmt != "decimalZero":
        return str(n)
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return str(n).translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    if fmt in ("chineseCounting", "taiwaneseCounting"):
        return _chinese_counting(n) if n < 10000 else str(n)
    if fmt in ("chineseCountingThousand", "taiwaneseCountingThousand"):
        return _counting_thousand(n) if n < 10000 else str(n)
    if fmt == "japaneseCounting":
        return _japanese_counting(n) if n < 10000 else str(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(_CN[int(d)] for d in str(n))
    if fmt in ("chineseLegalSimplified", "ideographLegalTraditional", "japaneseLegal"):
        digits, units = _LEGAL_SIMPLIFIED if fmt == "chineseLegalSimplified" \
            else _LEGAL_TRADITIONAL
        return _counting_thousand(n, digits, units, ten_alone=False) if n < 10000 else str(n)
    if fmt == "ideographTraditional":
        return _STEMS[n - 1] if n <= 10 else str(n)
    if fmt in ("ideographZodiac", "ideographZodiacTraditional"):
        return _BRANCHES[n - 1] if n <= 12 else str(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese"):
        return _enclosed(n, 1, 20, 0x2460)                  # ① … ⑳
    if fmt == "decimalEnclosedFullstop":
        return _enclosed(n, 1, 20, 0x2488)                  # ⒈ … ⒛
    if fmt == "decimalEnclosedParen":
        return _enclosed(n, 1, 20, 0x2474)                  # ⑴ … ⒇
    if fmt == "ideographEnclosedCircle":
        return _enclosed(n, 1, 10, 0x3280)                  # ㊀ … ㊉
    if fmt in ("upperRoman", "lowerRoman"):
        return _roman(n) if fmt == "upperRoman" else _roman(n).lower()
    if fmt in ("upperLetter", "lowerLetter"):
        return _letter(n).upper() if fmt == "upperLetter" else _letter(n)
    if fmt == "ordinal":
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    return str(n)
