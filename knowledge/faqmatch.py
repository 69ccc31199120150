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

__all__ = ["FaqSheet", "asks_advice", "asks_permission", "forms_agree", "question_form"]

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
# A pair's words naming the kind of answer asked (期限 for 多久) count this much as said.
KIND_SHARE = 0.9
# ... and the question's kind words count this much as said by such a pair's text (support).
KIND_SUPPORT = 0.9


# The kinds of answer a question asks for that tell two pairs on one topic apart: a length of
# time, a time of day or date, a place, a person or desk, an amount. Not the generic forms (能…吗,
# 要不要, 什么, 怎么, 怎么办): staff say those whatever they want to know. Two kinds of one group
# are no disagreement (多久 ~ 什么时候: both a time; 去哪 ~ 找谁: where to turn).
FORMS = (("long", re.compile("多久|多长时间|多长|几天|多少天|几个月|几年")),
         ("when", re.compile("几点|什么时候|啥时候|哪天|几号|何时")),
         ("where", re.compile("哪里|哪儿|去哪|在哪|什么地方|哪个地方")),
         ("who", re.compile("找谁|谁|哪个部门|电话")),
         ("much", re.compile("多少|比例|标准|(?<!哪)几个|几次|几张")))
FORM_GROUPS = {"long": "time", "when": "time", "where": "turn", "who": "turn", "much": "much"}


def question_form(text: str) -> str | None:
    """The specific kind of answer ``text`` asks for (:data:`FORMS`, first match), or None."""
    for name, pattern in FORMS:
        if pattern.search(text):
            return name
    return None


def forms_agree(question: str, asked: str) -> float:
    """1 when ``question`` and a pair's question ``asked`` ask for the same specific kind of
    answer (:func:`question_form`), -1 when for kinds of different groups (多少 ~ 哪里), else 0
    (either asks no specific kind, or two of one group)."""
    mine, theirs = question_form(question), question_form(asked)
    if mine is None or theirs is None:
        return 0.0
    if mine == theirs:
        return 1.0
    return 0.0 if FORM_GROUPS[mine] == FORM_GROUPS[theirs] else -1.0


# Asking whether one may (a yes or no: 可以带家属吗, 能不能自己装) rather than how or what. Not a
# kind of FORMS (staff ask 能…吗 of anything, so the decision does not read it), but two
# questions that both ask it agree a little more, in the ranking only.
PERMISSION = re.compile("可以|可不可以|能不能|能否|允许|行不行|行吗|让不让|能[^吗？?]{0,10}吗")


def asks_permission(text: str) -> bool:
    """Does ``text`` ask whether one may (:data:`PERMISSION`)?"""
    return PERMISSION.search(text) is not None


# Asking for a consumer's choice or a recommendation (哪个牌子好, 哪家好, 怎么买最划算, 推荐一部
# 好看的, 去哪里玩好玩): what to buy or where to go, which no staff sheet's pair answers unless its
# own question asks the same (初学者用哪款字帖好？). A pair found for such a question through the
# thing named (电动车 → 电动车可以停在哪里充电？) answers another question: the decision holds it
# back to suggestions (:func:`~.rank.held_back`, ``advice``). Narrow on purpose: 牌子 and 品牌
# only asked which (门口的牌子坏了, 品牌手册在哪下载 are staff matters), 划算 only of buying (年假怎么
# 休最划算 is not), 推荐 only of a good one (推荐一个朋友来公司 is a referral), no bare 选哪家
# (体检选哪家医院 is what a sheet answers). Nor does a pair answer a judgement of taste or ease
# asked of a thing (哪家电影院座位舒服, 去哪里献血最方便, 哪家店的砚台便宜, 这个证好考吗): a
# superlative of price, comfort or convenience, 哪家 … 便宜, 好考 / 难考 — not 最好 and what it
# starts (最好提前申请, 最好用公司邮箱: advice a sheet gives), 最多 / 最晚 (limits), 最近
# (recently) or 最安全 (放哪里最安全 is a rule).
ADVICE = re.compile("(?:什么|哪个|哪种|哪家|啥)(?:牌子|品牌)|牌子[^，,。？?]{0,2}好|性价比"
                    "|买[^，,。？?]{0,6}划算|划算[^，,。？?]{0,3}买|值得买|值不值得买"
                    "|哪家[^，,。？?]{0,6}好|哪个好|哪款[^，,。？?]{0,4}好"
                    "|推荐[一几]?[个部本款家些首][^，,。？?]{0,4}好|好玩"
                    "|最(?:方便|便宜|实惠|舒服|靠谱|划算|省钱)"
                    "|哪家[^，,。？?]{0,8}(?:舒服|便宜|实惠|靠谱|方便)"
                    "|好考|难考|好不好考|难不难考")


def asks_advice(text: str) -> bool:
    """Does ``text`` ask for a choice to buy or a recommendation (:data:`ADVICE`)?"""
    return ADVICE.search(text) is not None


# The words that name a kind of answer (借书期限, 数量限制, 领取地点) rather than a topic: a
# question asking that kind (多久, 最多几本, 在哪) says them in its own way. By kind of FORMS
# (时间 is a length of time or a time of day), with the forms that ask an amount as a limit
# (最多, 几本) beside FORMS' own. Not 标准: a question's 标准 is as often what a rule says (报销的
# 标准和手续 → 招待费报销有什么要求？) as an amount (出差住宿费标准 next to 公积金缴存比例).
KIND_WORDS = {
    "long": frozenset("时间 长时间 期限 时长 周期 有效期 天数".split()),
    "when": frozenset("时间 日期 时段".split()),
    "much": frozenset("数量 金额 费用 价格 价钱 比例 次数 额度 上限 下限 限额 限制 数额".split()),
    "where": frozenset("地点 位置 地址 场所".split()),
    "who": frozenset("负责人 联系人 联系方式 电话".split()),
}
LIMIT_FORM = re.compile("最多|最少|最高|最低|最长|最短|多大|几[本台位件条份张个次]")


def kind_spans(text: str) -> list[tuple[str, int, int]]:
    """Where ``text`` asks or names a kind of answer: (kind, start, end) of each form of
    :data:`FORMS` and :data:`LIMIT_FORM` it says and of each word of :data:`KIND_WORDS`."""
    found = [(name, m.start(), m.end())
             for name, pattern in FORMS for m in pattern.finditer(text)]
    found += [("much", m.start(), m.end()) for m in LIMIT_FORM.finditer(text)]
    for kind, words in KIND_WORDS.items():
        for word in words:
            at = text.find(word)
            while at >= 0:
                found.append((kind, at, at + len(word)))
                at = text.find(word, at + 1)
    return found


def _kind_words(text: str, words: Iterable[str]) -> tuple[set[str], set[str]]:
    """The kinds of answer ``text`` asks or names (:func:`kind_spans`), and those of ``words``
    (its topic words) that say one: a kind word, or a piece of a form (时间 of 多长时间). A
    form or kind word inside a topic word two characters longer names a thing, not a kind
    (标准 of 国家标准; not 几本 of 几本书)."""
    words = [w for w in dict.fromkeys(words) if w and w in text]
    spans = kind_spans(text)

    def inside(word: str, a: int, b: int) -> bool:
        at = text.find(word)
        while at >= 0:
            if at <= a and b <= at + len(word) and len(word) >= b - a + 2:
                return True
            at = text.find(word, at + 1)
        return False

    def bound(a: int, b: int) -> bool:
        return any(inside(w, a, b) and not any(w in found for found in KIND_WORDS.values())
                   for w in words)

    spans = [(k, a, b) for k, a, b in spans if not bound(a, b)]
    kinds = {k for k, _, _ in spans}
    said = set()
    for word in words:
        at = text.find(word)
        while at >= 0:
            if any(a <= at and at + len(word) <= b for _, a, b in spans):
                said.add(word)
                break
            at = text.find(word, at + 1)
    return kinds, said


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
                 answers: dict[int, str] | None = None,
                 questions: dict[int, str] | None = None) -> None:
        self.rows = np.array(sorted(asked), dtype=np.int64)
        self._questions = [(questions or {}).get(row, "") for row in self.rows.tolist()]
        # (synonyms' stamp, expansion → pairs, the thesaurus's words, word → pairs saying it)
        self._expanded: tuple = (None, {}, set(), {})
        self._last_related: tuple | None = None   # (query, expansions' stamp, keys, per unit)
        keys_of = [set().union(*map(_keys, asked[row])) if asked[row] else set()
                   for row in self.rows.tolist()]
        self._keys_of = keys_of
        # per pair: the kinds of answer its question asks or names, and its kind words' keys
        kinds = [_kind_words(self._questions[i], asked[row])
                 for i, row in enumerate(self.rows.tolist())]
        self._kinds: dict[str, np.ndarray] = {}   # kind → which pairs ask or name it
        for i, (asks, _) in enumerate(kinds):
            for kind in asks:
                self._kinds.setdefault(kind, np.zeros(len(kinds), dtype=bool))[i] = True
        self._kinds_of: tuple = (None, None)    # the last query's (agreement, kind units)
        self._kind_keys = [set().union(*map(_keys, words)) & keys_of[i] if words else set()
                           for i, (_, words) in enumerate(kinds)]
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
            for key in sorted(keys):     # sorted: sums that do not depend on the hash seed
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
        # each pair's question and answer as one text, its characters weighted by their rarity
        # among the pairs' texts: what :meth:`support` reads
        self._texts = [(self._questions[i] + (answers or {}).get(row, "")).lower()
                       for i, row in enumerate(self.rows.tolist())]
        whole: dict[str, list[int]] = defaultdict(list)
        for i, text in enumerate(self._texts):
            for char in sorted({c for c in text if is_cjk(c)}):
                whole[char].append(i)
        self._whole = {char: np.array(found, dtype=np.int64) for char, found in whole.items()}
        self._whole_idf = {char: math.log(1 + n / len(found)) for char, found in whole.items()}
        self._unseen_whole = math.log(1 + 2 * n) if n else 1.0
        self._anywhere: dict[str, frozenset[int]] = {}
        self._support: tuple = (None, np.zeros(0))
        self._latin: dict[str, np.ndarray] = {}

    def __len__(self) -> int:
        return int(self.rows.size)

    def unit_idf(self, query: Query) -> tuple[np.ndarray, np.ndarray]:
        """Per unit of ``query``: its idf over the sheet's pairs (question and answer), not over
        the whole knowledge base: log(1 + n / the pairs saying it or an alternative of it); and
        whether any pair says it. A word every pair of a library's sheet says (借书, 图书馆)
        tells the pairs apart as little as 的."""
        n = len(self)
        idf = np.zeros(len(query.units))
        said = np.zeros(len(query.units), dtype=bool)
        for j, unit in enumerate(query.units):
            pairs: set[int] = set()
            for option in (unit.text, *unit.alternatives):
                if option:
                    pairs |= self._saying_anywhere(option.lower())
            idf[j] = math.log(1 + n / len(pairs)) if pairs else self._unseen_whole
            said[j] = bool(pairs)
        return idf, said

    def _saying_anywhere(self, word: str) -> frozenset[int]:
        """The pairs whose question or answer says ``word`` (found once per sheet and word)."""
        found = self._anywhere.get(word)
        if found is None:
            if len(self._anywhere) > 50_000:    # (words asked, not the sheet's: bounded)
                self._anywhere.clear()
            found = self._anywhere[word] = frozenset(
                i for i, text in enumerate(self._texts) if word in text)
        return found

    def support(self, query: Query) -> np.ndarray:
        """Per pair (aligned with ``rows``), 0–1: the idf-weighted share of the question's topic
        characters (not its question form; a Latin word whole) that the pair's question or
        answer says. Weaker than :meth:`closeness` for the ranking, but a paraphrase often
        names what the right pair's answer says (记实验数据的本子 → an answer about 记录本's
        data) and what a wrong pair sharing one word does not."""
        if self._support[0] is query:
            return self._support[1]
        n = len(self)
        found = np.zeros(n)
        total = 0.0
        unseen = math.log(1 + 2 * n) if n else 1.0
        for key in sorted(k for k in _said(query)[0] if not _is_gram(k)):
            if is_cjk(key[0]):
                idf = self._whole_idf.get(key, unseen)
                rows = self._whole.get(key)
            else:
                rows = self._latin_rows(key)
                idf = math.log(1 + n / rows.size) if rows.size else unseen
            total += idf
            if rows is not None and rows.size:
                found[rows] += idf
        if SYNONYM_SHARE and total:
            found = found + self._support_by_alternatives(query, unseen)
        if KIND_SUPPORT and total:
            found = found + self._support_by_kind(query, unseen)
        shares = found / total if total else found
        self._support = (query, shares)
        return shares

    def _support_by_alternatives(self, query: Query, unseen: float) -> np.ndarray:
        """Per pair: the weight :meth:`support` adds for the question's units the pair says in a
        thesaurus alternative (找不到了 → 遗失 补办: the answer says 补办): SYNONYM_SHARE of the
        unit's characters' weight × the share of its best alternative's characters the pair's
        question or answer says, beyond what the unit's own characters found there."""
        n = len(self)
        extra = np.zeros(n)
        seen: set[str] = set()
        for unit in query.units:
            if QUESTION_FORM.fullmatch(unit.text):
                continue
            chars = sorted({c for c in unit.text if is_cjk(c)} - seen)
            seen |= set(chars)
            weight = sum(self._whole_idf.get(c, unseen) for c in chars)
            if not weight:
                continue
            direct = self._said(chars, n)
            best = np.zeros(n)
            for alternative in unit.alternatives:
                alt = sorted({c for c in alternative if is_cjk(c)})
                size = sum(self._whole_idf.get(c, unseen) for c in alt)
                if size:
                    best = np.maximum(best, self._said(alt, n) / size)
            extra += np.maximum(0.0, SYNONYM_SHARE * best * weight - direct)
        return extra

    def _support_by_kind(self, query: Query, unseen: float) -> np.ndarray:
        """Per pair: the weight :meth:`support` adds for the question's kind words (数量, 期限)
        where the pair asks or names that kind of answer (一次最多能借几本书): KIND_SUPPORT of
        the word's characters' weight, beyond what they found there themselves."""
        n = len(self)
        extra = np.zeros(n)
        agree, units = self._kinds_asked(query)
        if not agree.any():
            return extra
        seen: set[str] = set()
        for unit in units:
            chars = sorted({c for c in unit.text if is_cjk(c)} - seen)
            seen |= set(chars)
            weight = sum(self._whole_idf.get(c, unseen) for c in chars)
            extra += np.where(agree, np.maximum(0.0, KIND_SUPPORT * weight
                                                - self._said(chars, n)), 0.0)
        return extra

    def _said(self, chars, n: int) -> np.ndarray:
        """Per pair, the idf of those of ``chars`` its question or answer says."""
        said = np.zeros(n)
        for c in chars:
            rows = self._whole.get(c)
            if rows is not None:
                said[rows] += self._whole_idf[c]
        return said

    def _latin_rows(self, key: str) -> np.ndarray:
        """The pairs whose question or answer holds the Latin word ``key``, found once per
        sheet (not a scan of every pair's text in every question that says it)."""
        rows = self._latin.get(key)
        if rows is None:
            rows = self._latin[key] = np.array(
                [i for i, text in enumerate(self._texts) if key in text], dtype=np.int64)
        return rows

    def closeness(self, query: Query, synonyms=None) -> np.ndarray:
        """Per pair (aligned with ``rows``), 0–1: how close its question is to ``query``
        (``synonyms``: the thesaurus, for words related through it, :meth:`_related`)."""
        n = len(self)
        if not n:
            return np.zeros(0)
        own, said = _said(query)
        related = self._related(query, synonyms, said) if synonyms is not None else None
        if KIND_SHARE:
            related = self._kind_related(query, said, related)
        scores = np.zeros(n)
        for kind in (0, 1):
            mine = sorted(k for k in own if _is_gram(k) == kind)
            size = sum(self._idf.get(k, self._unseen) for k in mine)
            if not size:
                continue
            precise = np.zeros(n)   # the question's own keys the pair has (in its answer: a part)
            recalled = np.zeros(n)  # the pair's keys the question says (or its synonyms)
            for key in mine:
                if ANSWER_SHARE and key in self._answered:
                    precise[self._answered[key]] += ANSWER_SHARE * self._idf.get(key, self._unseen)
            for key in sorted(said):
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
                precise += self._said_by_alternatives(query, kind, n,
                                                      related[0] if related else None)
            if related:
                recalled += related[1][kind]
            norm = self._norm[kind]
            recall = np.divide(recalled, norm, out=np.zeros(n), where=norm > 0)
            precision = precise / size
            f = (1 + BETA ** 2) * precision * recall
            bottom = BETA ** 2 * precision + recall
            f = np.divide(f, bottom, out=np.zeros(n), where=bottom > 0)
            scores += (GRAM_SHARE if kind else 1 - GRAM_SHARE) * f
        return scores

    def _kinds_asked(self, query: Query) -> tuple[np.ndarray, list]:
        """Per pair: does its question ask or name a kind of answer the question does too
        (:func:`kind_spans`)? And the question's units that are kind words (数量, 期限)."""
        if self._kinds_of[0] is query:
            return self._kinds_of[1]
        mine = [u for u in query.units if not QUESTION_FORM.fullmatch(u.text)]
        asks, words = _kind_words(query.normalized, [u.text for u in mine])
        agree = np.zeros(len(self), dtype=bool)
        for kind in asks:
            if kind in self._kinds:
                agree |= self._kinds[kind]
        units = [u for u in mine if u.text in words
                 and any(u.text in found for found in KIND_WORDS.values())]
        self._kinds_of = (query, (agree, units))
        return agree, units

    def _kind_related(self, query: Query, said: set[str], related: tuple | None) -> tuple:
        """:meth:`_related` with the kinds of answer aligned: a pair whose question asks or names
        a kind the question does too (多久 ~ 借书期限是多长时间, 数量限制 ~ 最多能借几本) has its
        kind words recalled (× KIND_SHARE), and the question's kind words are the pair's."""
        n = len(self)
        per_unit, recalled = (dict(related[0]), related[1].copy()) if related \
            else ({}, np.zeros((2, n)))
        agree, units = self._kinds_asked(query)
        if not agree.any():
            return per_unit, recalled
        for i in np.flatnonzero(agree).tolist():
            for key in sorted(self._kind_keys[i] - said):
                recalled[_is_gram(key), i] += KIND_SHARE * self._idf.get(key, self._unseen)
        for unit in units:    # (a kind word, not a piece of the question's form: 找 of 找谁)
            flags = per_unit.get(id(unit))
            per_unit[id(unit)] = agree if flags is None else flags | agree
        return per_unit, recalled

    def _related(self, query: Query, synonyms, said: set[str]
                 ) -> tuple[dict[int, np.ndarray], np.ndarray]:
        """What a pair and the question say through the thesaurus that the question's own
        alternatives miss: a word of the pair expands to a word of the question (U盘 →
        移动存储设备, 中毒 → 病毒) or to one of its alternatives (转岗 and 调岗 → 调整工作岗位).
        Per unit of the question (by id), the pairs so related to it; per kind (characters,
        bigrams) and pair, the weight of the pair's keys so said."""
        n = len(self)
        per_unit = {}
        recalled = np.zeros((2, n))
        extra = self._related_keys(query, synonyms, said, per_unit)
        for i, keys in extra.items():
            for key in sorted(keys):
                recalled[_is_gram(key), i] += self._idf.get(key, self._unseen)
        return per_unit, recalled

    def _related_keys(self, query: Query, synonyms, said: set[str],
                      per_unit: dict[int, np.ndarray] | None = None) -> dict[int, set[str]]:
        """Per related pair (:meth:`_related`), the keys of its related words not in ``said``;
        ``per_unit`` gets, per unit of the question (by id), which pairs relate to it. A word
        of the question is a unit, an alternative of one, or a stretch of its text however
        jieba cut it (移动|介质)."""
        index = self._expansions(synonyms)
        if not index and not self._expanded[2]:
            return {}
        # (one question asks twice: closeness, then shared_characters for the same query)
        last = self._last_related
        if last is not None and last[0] is query and last[1] == self._expanded[0]:
            if per_unit is not None:
                per_unit.update(last[3])
            return last[2]
        units = [u for u in query.units if not QUESTION_FORM.fullmatch(u.text)]
        text = query.normalized
        spans = {text[i:i + size] for size in range(2, 9) for i in range(len(text) - size + 1)}
        options = {o for u in units for o in (u.text, *u.alternatives)} | spans
        extra: dict[int, set[str]] = defaultdict(set)
        found_by = [(option, index.get(option)) for option in options]
        # the other way: a thesaurus word the question spells across jieba's cut (坐厂|车 says
        # 厂车 → 班车), whose expansions a pair's question says
        found_by += [(span, pairs) for span, pairs in self._spelled_out(query, spans, synonyms)]
        for option, pairs in found_by:
            if not pairs:
                continue
            for i, word in pairs:
                extra[i] |= (_keys(word) & self._keys_of[i]) - said
            if per_unit is None:
                continue
            for unit in units:
                if unit.text == option or option in unit.alternatives or unit.text in option:
                    flags = per_unit.setdefault(id(unit), np.zeros(len(self), dtype=bool))
                    flags[[i for i, _ in pairs]] = True
        if per_unit is not None:
            self._last_related = (query, self._expanded[0], extra, dict(per_unit))
        return extra

    def _spelled_out(self, query: Query, spans: set[str], synonyms
                     ) -> list[tuple[str, list[tuple[int, str]]]]:
        """The thesaurus's words in the question's text that are no unit of it (jieba cut
        across them: 坐厂|车, 交社保), each with the pairs whose question says one of the
        words it expands to (pair, that word)."""
        said_as_unit = {u.text for u in query.units}
        found = []
        for span in sorted(spans & self._expanded[2] - said_as_unit):
            pairs = [(i, word) for word in synonyms.expand(span) - {span}
                     for i in self._saying(word)]
            if pairs:
                found.append((span, pairs))
        return found

    def spelled_words(self, query: Query, synonyms) -> set[str]:
        """What the thesaurus's words the question spells across jieba's cut expand to, where
        a pair's question says them (厂车 of 坐厂|车 → 班车): for ``asked``, as synonyms."""
        if synonyms is None:
            return set()
        self._expansions(synonyms)
        text = query.normalized
        spans = {text[i:i + size] for size in range(2, 9) for i in range(len(text) - size + 1)}
        return {word for _, pairs in self._spelled_out(query, spans, synonyms)
                for _, word in pairs}

    def _saying(self, word: str) -> list[int]:
        """The pairs whose question's text says ``word`` (kept with the expansions)."""
        cache = self._expanded[3]
        if word not in cache:
            cache[word] = [i for i, question in enumerate(self._questions) if word in question]
        return cache[word]

    def _expansions(self, synonyms) -> dict[str, list[tuple[int, str]]]:
        """Every word the pairs' words expand to → (pair, its word); kept until the synonyms
        change (an admin's group)."""
        stamp = (id(synonyms), len(synonyms.lines))
        if self._expanded[0] != stamp:
            index: dict[str, list[tuple[int, str]]] = defaultdict(list)
            keys = synonyms.keys()
            for i, question in enumerate(self._questions):
                # the thesaurus's words in the pair's question, however jieba cut it (u|盘)
                words = {question[a:a + size] for size in range(2, 9)
                         for a in range(len(question) - size + 1)} & keys
                for word in words:
                    for other in synonyms.expand(word) - {word}:
                        index[other].append((i, word))
            self._expanded = (stamp, dict(index), keys, {})
        return self._expanded[1]

    def _said_by_alternatives(self, query: Query, kind: int, n: int,
                              related: dict | None = None) -> np.ndarray:
        """Per pair: the weight of the question's words that the pair says only as one of their
        alternatives (线上开会 → 视频会议, 优盘 → U盘): each such word counts towards precision
        as the share of its best alternative's keys the pair has, × SYNONYM_SHARE, beyond what
        its own keys already counted."""
        extra = np.zeros(n)
        for unit in query.units:
            flags = related.get(id(unit)) if related else None
            if (not unit.alternatives and flags is None) or QUESTION_FORM.fullmatch(unit.text):
                continue
            mine = sorted(k for k in _keys(unit.text) if _is_gram(k) == kind)
            size = sum(self._idf.get(k, self._unseen) for k in mine)
            if not size:
                continue
            direct = self._weight_found(mine, n)
            best = np.zeros(n)
            for alternative in unit.alternatives:
                keys = sorted(k for k in _keys(alternative) if _is_gram(k) == kind)
                total = sum(self._idf.get(k, self._unseen) for k in keys)
                if total:
                    best = np.maximum(best, self._weight_found(keys, n) / total)
            if flags is not None:
                best = np.maximum(best, flags.astype(np.float64))
            extra += np.maximum(0.0, SYNONYM_SHARE * best * size - direct)
        return extra

    def _weight_found(self, keys: Iterable[str], n: int) -> np.ndarray:
        """Per pair: the idf weight of ``keys`` its question has."""
        found = np.zeros(n)
        for key in sorted(set(keys)):
            rows = self._postings.get(key)
            if rows is not None:
                found[rows] += self._idf[key]
        return found

    def shared_characters(self, query: Query, synonyms=None) -> np.ndarray:
        """Per pair: how many distinct characters of its question ``query`` says (or its
        synonyms say, or a word related to one of the pair's through ``synonyms``,
        :meth:`_related`). One shared character (天 of 天气 and 多少天) is no sign of a
        paraphrase."""
        said = _said(query)[1]
        counts = np.zeros(len(self), dtype=np.int64)
        for key in said:
            if _is_gram(key):
                continue
            found = self._postings.get(key)
            if found is not None:
                counts[found] += 1
        if synonyms is not None:
            for i, keys in self._related_keys(query, synonyms, said).items():
                counts[i] += sum(1 for key in keys if not _is_gram(key))
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
