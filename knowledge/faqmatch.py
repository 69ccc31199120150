"""How close a question is to each FAQ pair's question, character by character.

An FAQ sheet is small and its questions short, and a paraphrase often shares no whole word with
the question it rephrases: 门卡 for 门禁卡, 饭堂 for 食堂, 报销款 for 报销的钱. Words (BM25, the
rerank's units) miss those; characters and character bigrams do not. :class:`FaqSheet` keeps the
topic words of every pair's question (not its question form: 怎么办, 多久) as characters and
bigrams, each weighted by its rarity among the sheet's questions (a 卡 in three questions says
less than 禁 in one), and :meth:`FaqSheet.closeness` scores every pair at once: the weighted
share of the pair's characters the question says (recall; a synonym's characters count) against
the share of the question's characters the pair says (precision), recall weighing more (a
paraphrase adds words of its own). The ranking uses it for FAQ pairs only: as their closeness in
the rerank and to bring pairs BM25 missed into the candidates (:mod:`.search`).
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from .query import QUESTION_FORM, Query
from .text import is_cjk

__all__ = ["FaqSheet", "asked_kind", "same_kind"]

# Recall weighs BETA² times precision in the F-measure (a paraphrase adds words of its own).
BETA = 1.5
# A bigram match says more than two single characters: the F of bigrams weighs this much, the
# F of characters the rest.
GRAM_SHARE = 0.3
# A character of the question the pair's answer says (not its question) counts this much
# towards precision (去哪领笔 → an answer naming 笔、本子).
ANSWER_SHARE = 0.5
# A question's word the pair says only as a synonym (线上开会 for 视频会议) counts this much of
# the word towards precision (its characters are not the pair's, its meaning is).
SYNONYM_SHARE = 0.9


# What a question asks for, as one kind, first match wins (a question says its kind in a handful
# of forms, whatever its topic): 几点开饭 and 什么时候吃饭 both ask for a time, 找谁修 and 打哪个
# 电话 for a person, 能…吗 and 可以…吗 for a yes or no. Two paraphrases of one question ask for
# the same kind; two pairs sharing the question's topic words often do not (食堂几点开饭？ against
# 可以带家属进食堂吃饭吗？).
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(forms)) for name, forms in (
    ("why", r"为什么|为啥|怎么会|何故"),
    ("time", r"什么时候|啥时候|什么时间|何时|几点|多久|多长时间|多少时间|哪天|哪一天|几号|几月|"
             r"几天|多少天|多长|期限|截止|几个工作日"),
    ("who", r"谁|哪个部门|什么部门|哪个人|哪位|联系人|哪个电话|什么电话|电话是多少|电话多少"),
    ("where", r"哪里|哪儿|在哪|去哪|哪个地方|什么地方|何处|哪领|哪办|哪买|哪看|哪查"),
    ("list", r"哪些|哪几|什么材料|什么资料|什么东西|什么证件|什么票据|什么单据|什么要求|"
             r"什么条件|什么手续"),
    ("amount", r"多少|几[个次成折倍级]|比例|标准是|多高|多大|额度|上限"),
    ("remedy", r"怎么办(?!理)|咋办|咋整|怎么处理|如何处理|该干嘛|干什么|做什么|怎么弄|咋弄|怎么做|"
               r"怎么解决|如何解决|后果|影响"),
    ("how", r"怎么|怎样|如何|咋|流程|步骤|手续|方法|办法"),
    ("yesno", r"吗$|(?<!什)么$|[不否]$|能不能|可不可以|是不是|是否|有没有|要不要|需不需要|能否|可否|"
              r"行不行|算不算"),
    ("what", r"什么|啥"),
))
# Kinds close enough that a paraphrase may swap them (怎么申请 / 要走什么流程; 是什么 / 哪些).
_NEAR = {frozenset(("how", "remedy")), frozenset(("what", "list")), frozenset(("time", "amount"))}


def asked_kind(question: str) -> str | None:
    """The kind of answer ``question`` (letters, digits and CJK only) asks for (:data:`KINDS`),
    or None when it says no question form."""
    return next((name for name, forms in KINDS if forms.search(question)), None)


def same_kind(one: str | None, other: str | None) -> float:
    """1 when two questions ask for the same kind, 0.5 for near kinds, else (or unknown) 0."""
    if one is None or other is None:
        return 0.0
    if one == other:
        return 1.0
    return 0.5 if frozenset((one, other)) in _NEAR else 0.0


def _keys(word: str) -> set[str]:
    """A word's characters (CJK only; a Latin word stays whole) and its bigrams."""
    if not word:
        return set()
    if not is_cjk(word[0]):
        return {word.lower()}
    chars = {c for c in word if is_cjk(c)}
    return chars | {word[i:i + 2] for i in range(len(word) - 1)}


class FaqSheet:
    """Every FAQ pair's question as weighted characters and bigrams (``rows``: the ranker's row
    of each pair; ``asked``: each row's question's topic words)."""

    def __init__(self, asked: dict[int, Iterable[str]],
                 answers: dict[int, str] | None = None) -> None:
        self.rows = np.array(sorted(asked), dtype=np.int64)
        keys_of = [set().union(*map(_keys, asked[row])) if asked[row] else set()
                   for row in self.rows.tolist()]
        df: dict[str, int] = defaultdict(int)
        for keys in keys_of:
            for key in keys:
                df[key] += 1
        n = len(keys_of)
        self._idf = {key: math.log(1 + n / count) for key, count in df.items()}
        self._unseen = math.log(1 + 2 * n) if n else 1.0  # a character no question has
        postings: dict[str, list[int]] = defaultdict(list)
        self._norm = np.zeros((2, n))     # per row: its characters' and its bigrams' weight
        for i, keys in enumerate(keys_of):
            for key in keys:
                postings[key].append(i)
                self._norm[_is_gram(key), i] += self._idf[key]
        self._postings = {key: np.array(found, dtype=np.int64) for key, found in postings.items()}
        answered: dict[str, list[int]] = defaultdict(list)
        for i, row in enumerate(self.rows.tolist()):
            text = (answers or {}).get(row, "")
            for key in {text[j:j + 2] for j in range(len(text) - 1)} | set(text):
                if key and is_cjk(key[0]) and (len(key) == 1 or is_cjk(key[1])):
                    answered[key].append(i)
        self._answered = {key: np.array(found, dtype=np.int64) for key, found in answered.items()}

    def __len__(self) -> int:
        return int(self.rows.size)

    def closeness(self, query: Query) -> np.ndarray:
        """Per pair (aligned with ``rows``), 0–1: how close its question is to ``query``."""
        n = len(self)
        if not n:
            return np.zeros(0)
        own, said = _said(query)
        scores = np.zeros(n)
        for kind in (0, 1):
            mine = [k for k in own if _is_gram(k) == kind]
            size = sum(self._idf.get(k, self._unseen) for k in mine)
            if not size:
                continue
            precise = np.zeros(n)   # the question's own keys the pair has (in its answer: a part)
            recalled = np.zeros(n)  # the pair's keys the question says (or its synonyms)
            for key in mine:
                if ANSWER_SHARE and key in self._answered:
                    precise[self._answered[key]] += ANSWER_SHARE * self._idf.get(key, self._unseen)
            for key in said:
                if _is_gram(key) != kind:
                    continue
                found = self._postings.get(key)
                if found is None:
                    continue
                recalled[found] += self._idf[key]
                if key in own:      # in the question: in full, whether the answer says it or not
                    answered = np.zeros(n, dtype=bool)
                    if ANSWER_SHARE and key in self._answered:
                        answered[self._answered[key]] = True
                    precise[found] += self._idf[key] * np.where(answered[found],
                                                                1 - ANSWER_SHARE, 1.0)
            if SYNONYM_SHARE:
                precise += self._said_by_alternatives(query, kind, n)
            norm = self._norm[kind]
            recall = np.divide(recalled, norm, out=np.zeros(n), where=norm > 0)
            precision = precise / size
            f = (1 + BETA ** 2) * precision * recall
            bottom = BETA ** 2 * precision + recall
            f = np.divide(f, bottom, out=np.zeros(n), where=bottom > 0)
            scores += (GRAM_SHARE if kind else 1 - GRAM_SHARE) * f
        return scores


    def _said_by_alternatives(self, query: Query, kind: int, n: int) -> np.ndarray:
        """Per pair: the weight of the question's words that the pair says only as one of their
        alternatives (线上开会 → 视频会议, 优盘 → U盘): each such word counts towards precision
        as the share of its best alternative's keys the pair has, × SYNONYM_SHARE, beyond what
        its own keys already counted."""
        extra = np.zeros(n)
        for unit in query.units:
            if not unit.alternatives or QUESTION_FORM.fullmatch(unit.text):
                continue
            mine = [k for k in _keys(unit.text) if _is_gram(k) == kind]
            size = sum(self._idf.get(k, self._unseen) for k in mine)
            if not size:
                continue
            direct = self._weight_found(mine, n)
            best = np.zeros(n)
            for alternative in unit.alternatives:
                keys = [k for k in _keys(alternative) if _is_gram(k) == kind]
                total = sum(self._idf.get(k, self._unseen) for k in keys)
                if total:
                    best = np.maximum(best, self._weight_found(keys, n) / total)
            extra += np.maximum(0.0, SYNONYM_SHARE * best * size - direct)
        return extra

    def _weight_found(self, keys: Iterable[str], n: int) -> np.ndarray:
        """Per pair: the idf weight of ``keys`` its question has."""
        found = np.zeros(n)
        for key in set(keys):
            rows = self._postings.get(key)
            if rows is not None:
                found[rows] += self._idf[key]
        return found

    def shared_characters(self, query: Query) -> np.ndarray:
        """Per pair: how many distinct characters of its question ``query`` says (or its
        synonyms say). One shared character (天 of 天气 and 多少天) is no sign of a paraphrase."""
        counts = np.zeros(len(self), dtype=np.int64)
        for key in _said(query)[1]:
            if _is_gram(key):
                continue
            found = self._postings.get(key)
            if found is not None:
                counts[found] += 1
        return counts


def _said(query: Query) -> tuple[set[str], set[str]]:
    """The characters and bigrams of the question's topic words (not its question form), and
    the same with their synonyms' (what the question says, one way or another)."""
    own: set[str] = set()
    said: set[str] = set()
    for unit in query.units:
        if QUESTION_FORM.fullmatch(unit.text):
            continue
        mine = _keys(unit.text)
        own |= mine
        said |= mine
        for alternative in unit.alternatives:
            said |= _keys(alternative)
    return own, said


def _is_gram(key: str) -> int:
    return 1 if len(key) == 2 and is_cjk(key[0]) else 0
