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
from collections import defaultdict
from collections.abc import Iterable

import numpy as np

from .query import QUESTION_FORM, Query
from .text import is_cjk

__all__ = ["FaqSheet"]

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
