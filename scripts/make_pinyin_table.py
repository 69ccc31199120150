"""Regenerate knowledge/data/pinyin.tsv: toneless pinyin → the common (GB2312) characters read so.

The homophone typo correction needs only this small table; loading pypinyin itself at run time
costs about 100 MB of memory (its phrase dictionary), so the table is generated once from
pypinyin's character data (MIT licence) and shipped with the package.

    python scripts/make_pinyin_table.py   # needs pypinyin (pip install pypinyin)
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from pypinyin.pinyin_dict import pinyin_dict

OUT = Path(__file__).resolve().parent.parent / "knowledge" / "data" / "pinyin.tsv"


def toneless(syllable: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", syllable) if not unicodedata.combining(c))
    return plain.replace("ü", "v")


def common(char: str) -> bool:
    try:
        return len(char.encode("gb2312")) == 2
    except UnicodeEncodeError:
        return False


def main() -> None:
    groups: dict[str, list[str]] = {}
    for code in sorted(pinyin_dict):
        char = chr(code)
        if common(char):
            for reading in dict.fromkeys(toneless(r) for r in pinyin_dict[code].split(",")):
                groups.setdefault(reading, []).append(char)
    lines = ["# toneless pinyin<TAB>GB2312 characters with that reading (from pypinyin; "
             "regenerate with scripts/make_pinyin_table.py)"]
    lines += [f"{reading}\t{''.join(chars)}" for reading, chars in sorted(groups.items())]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(groups)} readings, {sum(map(len, groups.values()))} entries → {OUT}")


if __name__ == "__main__":
    main()
