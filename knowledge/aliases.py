"""Names a document defines for itself (issue 16): 信息技术中心（以下简称信息中心）, 基本养老保险费、
失业保险费(以下统称社会保险费), 本条例所称城镇企业，是指国有企业、城镇集体企业….

After such a line a document says only the short or collective name, while staff ask with the name
they know. :func:`defined_names` reads the lines (pure); the knowledge base stores them with their
document (table ``names``, beside schema 5: created when a file lacks it) and adds them to the synonyms every question is expanded with:

* a 简称 (以下简称, 下称, 以下称) of one full name is two-way: the full name finds the short one and
  the short one the full (when the full is a name, at most ``FULL_MAX`` characters);
* a 统称 (以下统称, 合称), or any name given to a list (A、B和C), is one-way: each item finds the
  collective term, not the reverse (社会保险费 is no question about 失业保险费 alone); an item
  ending in 费 is said without it too (交失业保险 means its 失业保险费); an item of two
  characters (公司, 企业 of 国家机关、公司、企业…（以下统称单位）) is an everyday word, left out;
* a name for the document itself (本法, 本办法) is left out: in the whole knowledge base it would
  join every law's 本法.
"""

from __future__ import annotations

import re

from .analysis import _cut
from .normalize import normalize

__all__ = ["FULL_MAX", "defined_names"]

FULL_MAX = 12          # a longer "full name" is a description: only it finds the short name
_TITLE_MAX = 30        # a quoted full name (《title》)
_ITEM_MAX = 20         # a list item (or a one-way full name) kept at most this long
_QUOTES = "“”\"「」『』《》‘’'"
# （以下简称“信息中心”） (以下统称社会保险费) （下称甲方） (简称：信息中心)
_PAREN = re.compile(
    r"[（(]\s*(?:以下|下文|下)?\s*(?:分别)?(简称|统称|合称|称)(?:为)?\s*[：:]?\s*"
    rf"([{_QUOTES}]?)([^（）()，,。；;、\s{_QUOTES}]{{1,20}})[{_QUOTES}]?\s*[）)]")
# 本办法所称城镇企业，是指国有企业、城镇集体企业以及其他城镇企业。
_MEANS = re.compile(r"所称[“\"「]?([^，,。；;“”\"「」、\s]{2,12})[”\"」]?[，,]?\s*是指([^。；;\n]{2,80})")
# where the full name starts: after a clause boundary, a heading (第三条), or quotes
_BOUNDARY = re.compile(r"[，,。；;：:！!？?\n\r\t 　]")
# words before a name that are not part of it (为了规范企业 → 企业; 对企业和个体工商户 → 企业…)
_LEAD = frozenset("根据 依照 依据 按照 对于 对 由 经 向 在 将 把 凡 除 从 自 是 与 同 指 "
                  "应当 应 可以 须 必须 依法 并 并且 另行 给予 予以".split())
_NOT_NAME = ("的", "等", "之", "其", "该", "上述", "前款", "本")
_ITEMS = re.compile(r"、|以及|及其|及|和|与|或者|或")
_CJK_NAME = re.compile(r"^[\w\u3400-\u4dbf\u4e00-\u9fff·\-]+$")


def _clean(name: str) -> str:
    return normalize(name).strip(_QUOTES + " ").strip()


def _ok(name: str, longest: int) -> bool:
    return 2 <= len(name) <= longest and bool(_CJK_NAME.match(name)) and \
        not name.isdigit() and not name.startswith(_NOT_NAME)


def _full_before(text: str, end: int) -> tuple[str, bool]:
    """The name a parenthesis at ``end`` gives another name to, and whether it is quoted: a
    《title》 or “quote” right before it, else the clause before it, from its last boundary on."""
    before = text[:end].rstrip()
    if before and before[-1] in "》”\"」』":
        opening = {"》": "《", "”": "“", '"': '"', "」": "「", "』": "『"}[before[-1]]
        start = before.rfind(opening, 0, len(before) - 1)
        if start >= 0:
            return before[start + 1 : -1], True
    starts = [m.end() for m in _BOUNDARY.finditer(before)]
    return before[starts[-1] if starts else 0 :], False


def _items(full: str) -> tuple[int, list[str]]:
    """A full name's items when it is a list (A、B和C: the last of the 、 parts split at 和/及/或
    too; with no 、, a name without 的 split there), each without a preposition leading into it
    or 其他: how many parts there were, and the items kept."""
    parts = full.replace("共和国", "\0").split("、")
    if len(parts) > 1 and "的" in parts[-1]:
        # 拥有注册商标、专利等经营资源的企业: the list says what the one name is
        return 1, [full] if _ok(full, _ITEM_MAX) else []
    if len(parts) > 1 or "的" not in full:
        parts[-1:] = [p for p in _ITEMS.split(parts[-1]) if p]
    out = []
    for part in parts:
        part = _unled(part.replace("\0", "共和国"))
        if _ok(part, _ITEM_MAX) and not part.startswith(("为", "其他")):
            out.append(part)
    return len(parts), out


def _unled(part: str) -> str:
    """``part`` without a preposition jieba cuts off its start (对|企业 → 企业; 自治县 stays)."""
    while part and (part[:2] in _LEAD or part[:1] in _LEAD):
        first = _cut(part)[0]
        if first not in _LEAD:
            break
        part = part[len(first):]
    return part


def _one_way(items: list[str], name: str) -> list[tuple[tuple[str, ...], bool]]:
    groups = []
    for item in items:
        # an item of two characters is an everyday word (公司, 企业, 设备), broader than what
        # the list means by it: 公司 → 单位 would join every question about a company to 单位
        if len(item) <= 2 or item == name or name in item and item.endswith(name):
            continue
        groups.append(((item, name), True))
        if item.endswith("费") and len(item) >= 4 and item[:-1] != name:
            groups.append(((item[:-1], name), True))    # 交失业保险 = its 失业保险费
    return groups


def defined_names(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """The names ``text`` defines, as synonym groups (words, one_way): ``(("信息技术中心",
    "信息中心"), False)`` for a 简称, ``(("失业保险费", "社会保险费"), True)`` for each item of a
    统称. [] for text without such a line (most: checked with one ``in``)."""
    if "称" not in text:
        if "稱" not in text:
            return []
        text = normalize(text)       # 以下簡稱 of a document in traditional characters
    groups: list[tuple[tuple[str, ...], bool]] = []
    for match in _PAREN.finditer(text):
        kind, name = match.group(1), _clean(match.group(3))
        if not _ok(name, _ITEM_MAX):
            continue
        full, quoted = _full_before(text, match.start())
        full = _clean(full)
        if quoted:     # 《中华人民共和国个人信息保护法》（以下简称《个保法》）: a name, whole
            if _ok(full, _TITLE_MAX) and name not in full:
                groups.append(((full, name), False))
            continue
        count, items = _items(full)
        if not items:
            continue
        if kind in ("统称", "合称") or count > 1:
            groups.extend(_one_way(items, name))
        elif name not in items[0]:
            # a 简称: two-way when the full name is a name, else only it finds the short one
            # (a full name that says the short one already needs neither)
            groups.append(((items[0], name), len(items[0]) > FULL_MAX))
    for match in _MEANS.finditer(text):
        name, meaning = _clean(match.group(1)), match.group(2)
        if not _ok(name, _ITEM_MAX) or "，" in meaning or "的" in meaning:
            continue
        count, items = _items(_clean(meaning))
        if count > 1:
            groups.extend(_one_way(items, name))
        elif items and items[0] != name and len(items[0]) <= FULL_MAX:
            groups.append(((items[0], name), False))
    return list(dict.fromkeys(groups))
