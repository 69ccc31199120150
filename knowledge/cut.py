"""jieba's precise-mode cut (``Tokenizer.lcut(text)``, HMM on): the same tokens, faster.

Ingest time is jieba's (issue 12: ~80 % of it in ``get_DAG``, ``calc`` and their generators). This
is jieba 0.42's algorithm written for CPython speed, with nothing changed that decides a token: the
dictionary's prefix DAG and the best route through it (the same float expression, the same tie
rule: the longest word wins), single characters buffered and unknown runs cut by jieba's own HMM
(``finalseg``). What is new: each candidate word's log-probability is computed once per dictionary
state instead of once per occurrence, and the cut of a whole clause (a run jieba cuts on its own)
is remembered — boilerplate and recurring sentences are cut once — and so is the HMM's cut of a run
of unknown characters (names recur). The caches are dropped when the dictionary changes (a word
added: another total). ~1.4× jieba's speed on text without repetition, 5–10× where sentences recur
(bench/README.md). ``tests/test_analysis.py`` checks the tokens against ``jieba.lcut``.
"""

from __future__ import annotations

import sys
from math import log


def _import_jieba_without_pkg_resources() -> None:
    """Import jieba without ``pkg_resources``: jieba 0.42 imports it (0.15 s, and deprecated by
    setuptools) only to open its own data files, which without it it opens by path (its code for
    an install without setuptools). Nothing changes when something imported either already."""
    if "jieba" in sys.modules or "pkg_resources" in sys.modules:
        return
    sys.modules["pkg_resources"] = None     # an import of it raises ImportError meanwhile
    try:
        import jieba  # noqa: F401
    finally:
        del sys.modules["pkg_resources"]


_import_jieba_without_pkg_resources()

from jieba import finalseg, re_han_default, re_skip_default  # noqa: E402

from .compiled import loops

__all__ = ["FastCut"]

_PREFIX = object()   # in the dictionary with frequency 0: only the start of longer words

# clauses (and unknown runs) remembered per process, then the memo starts again: ~30 MB at most
# (a 100k-paragraph grown corpus has 36k distinct clauses)
MEMO_CLAUSES = 50_000


class FastCut:
    """``cut(text)`` equal to ``tokenizer.lcut(text)`` for one jieba ``Tokenizer``."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self._state: tuple[int, int] = (-1, -1)
        self._scores: dict[str, float] = {}
        self._memo: dict[str, tuple[str, ...]] = {}
        self._hmm: dict[str, tuple[str, ...]] = {}
        self.compiled = loops is not None     # (False: the Python route, as without the .so)

    def _check_state(self) -> None:
        tokenizer = self.tokenizer
        state = (tokenizer.total, len(tokenizer.FREQ))
        if state != self._state:
            self._state = state
            self._scores = {}
            self._memo = {}
            self._hmm = {}

    def cut(self, text: str) -> list[str]:
        """The tokens of ``text``: ``jieba.Tokenizer.lcut(text)`` (precise mode, HMM)."""
        self.tokenizer.check_initialized()
        self._check_state()
        memo = self._memo
        out: list[str] = []
        for block in re_han_default.split(text):
            if not block:
                continue
            if re_han_default.match(block):
                words = memo.get(block)
                if words is None:
                    if len(memo) >= MEMO_CLAUSES:
                        memo.clear()
                    words = memo[block] = tuple(self._cut_block(block))
                out.extend(words)
            else:
                for piece in re_skip_default.split(block):
                    if re_skip_default.match(piece):
                        out.append(piece)
                    else:
                        out.extend(piece)
        return out

    def _route(self, sentence: str) -> list[int]:
        """For each position, where the best route's word starting there ends (exclusive):
        jieba's ``get_DAG`` + ``calc``, the same arithmetic and ties (the later end wins);
        compiled (``_bm25.route``, ~2× faster) when the extension is built."""
        scores = self._scores
        logtotal = log(self.tokenizer.total)
        alone = log(1) - logtotal   # a character no word starts with (jieba: FREQ.get() or 1)
        if self.compiled and type(self.tokenizer.FREQ) is dict:
            return loops.route(sentence, self.tokenizer.FREQ, scores, _PREFIX, logtotal, alone)
        get = self.tokenizer.FREQ.get
        n = len(sentence)
        best_score = [0.0] * (n + 1)
        best_end = [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            # the dictionary's words starting at k, shortest first (jieba's DAG[k])
            top = None
            top_end = k
            i = k
            frag = sentence[k]
            while i < n:
                s = scores.get(frag)
                if s is None:
                    f = get(frag)
                    if f is None:
                        break
                    s = scores[frag] = (log(f) - logtotal) if f else _PREFIX
                if s is not _PREFIX:
                    s = s + best_score[i + 1]
                    if top is None or s >= top:   # max over (score, end): ties → later end
                        top, top_end = s, i
                i += 1
                frag = sentence[k:i + 1]
            if top is None:   # no word: the character alone (jieba's DAG[k] = [k])
                top, top_end = alone + best_score[k + 1], k
            best_score[k] = top
            best_end[k] = top_end + 1
        return best_end

    def _cut_block(self, sentence: str) -> list[str]:
        """jieba's ``__cut_DAG`` of one clause."""
        get = self.tokenizer.FREQ.get
        ends = self._route(sentence)
        out: list[str] = []
        x, n = 0, len(sentence)
        buf = ""
        while x < n:
            y = ends[x]
            if y - x == 1:
                buf += sentence[x]
            else:
                if buf:
                    self._flush(buf, out, get)
                    buf = ""
                out.append(sentence[x:y])
            x = y
        if buf:
            self._flush(buf, out, get)
        return out

    def _flush(self, buf: str, out: list[str], get) -> None:
        """Single characters in a row: an unknown run is cut by the HMM, else char by char."""
        if len(buf) == 1:
            out.append(buf)
        elif not get(buf):
            words = self._hmm.get(buf)
            if words is None:
                if len(self._hmm) >= MEMO_CLAUSES:
                    self._hmm.clear()
                words = self._hmm[buf] = tuple(_hmm_cut(buf) if self.compiled
                                               else finalseg.cut(buf))
            out.extend(words)
        else:
            out.extend(buf)


def _hmm_cut(text: str) -> list[str]:
    """``list(jieba.finalseg.cut(text))`` with its Viterbi path compiled (``_bm25.viterbi``):
    the same blocks, states and words (a forced split word still split)."""
    out: list[str] = []
    for block in finalseg.re_han.split(text):
        if finalseg.re_han.match(block):
            path = loops.viterbi(block, finalseg.start_P, finalseg.trans_P, finalseg.emit_P)
            begin = nexti = 0
            for i, pos in enumerate(path):     # finalseg.__cut
                if pos == "B":
                    begin = i
                elif pos == "E" or pos == "S":
                    word = block[begin:i + 1] if pos == "E" else block[i]
                    nexti = i + 1
                    if word in finalseg.Force_Split_Words:
                        out.extend(word)
                    else:
                        out.append(word)
            if nexti < len(block):
                word = block[nexti:]
                if word in finalseg.Force_Split_Words:
                    out.extend(word)
                else:
                    out.append(word)
        else:
            out.extend(x for x in finalseg.re_skip.split(block) if x)
    return out
