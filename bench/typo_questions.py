"""Make a typo variant of a question set: one character per question replaced by a homophone.

This is the mistake a pinyin input method makes (政级考核 for 政绩考核): the replacement sounds the
same (toneless pinyin) and is a common character (GB2312 level 1). Only characters inside content
words of two or more characters are replaced, so the question keeps its meaning to a reader.

    python bench/typo_questions.py QUESTIONS.jsonl OUT.jsonl [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import unicodedata
from collections import defaultdict

import jieba
from pypinyin.pinyin_dict import pinyin_dict

from knowledge.analysis import STOPWORDS


def _toneless(reading: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
    return plain.replace("ü", "v")


def _common(char: str) -> bool:
    try:
        encoded = char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and 0xB0 <= encoded[0] <= 0xD7


def homophones() -> dict[str, list[str]]:
    """Common character → other common characters with the same (first) toneless reading."""
    by_sound: dict[str, list[str]] = defaultdict(list)
    first: dict[str, str] = {}
    for code, readings in pinyin_dict.items():
        char = chr(code)
        if _common(char):
            sound = _toneless(readings.split(",")[0])
            by_sound[sound].append(char)
            first[char] = sound
    return {c: [o for o in by_sound[s] if o != c] for c, s in first.items()}


def make_typo(question: str, table: dict[str, list[str]], rng: random.Random) -> str | None:
    positions = []
    offset = 0
    for word in jieba.lcut(question):
        if len(word) >= 2 and word not in STOPWORDS:
            positions += [offset + i for i, c in enumerate(word) if table.get(c)]
        offset += len(word)
    if not positions:
        return None
    pos = rng.choice(positions)
    return question[:pos] + rng.choice(table[question[pos]]) + question[pos + 1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("questions")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    table = homophones()
    changed = total = 0
    with open(args.questions, encoding="utf-8") as src, open(args.out, "w", encoding="utf-8") as out:
        for line in src:
            if not line.strip():
                continue
            record = json.loads(line)
            total += 1
            typo = make_typo(record["question"], table, rng)
            if typo:
                changed += 1
                record = {**record, "question": typo, "original": record["question"]}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{changed} of {total} questions carry one homophone typo → {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
