"""In-memory BM25 postings, built from the SQLite store and used to retrieve candidates fast.

SQLite is the source of truth; this is a derived, read-only cache built when the knowledge base
changes (its ``generation`` moves). Scoring a question is a few numpy gathers and
one ``bincount`` per field, like bm25s's sparse matrices.

Two kinds of field share the postings code:

* :class:`FieldIndex`: string terms (jieba words), built from token lists.
* :class:`GramIndex`: CJK character bigrams, computed with numpy straight from the code points of
  each paragraph, so that no Python string is made per bigram occurrence (a 100k-paragraph
  knowledge base has tens of millions of them).
"""

from __future__ import annotations

import ctypes
import sys
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import TypeVar

import numpy as np

from .text import CJK_IDEOGRAPHS

__all__ = ["FieldIndex", "GramCoder", "GramIndex", "TokenCoder", "batches", "code_runs",
           "gram_codes", "release_free_memory", "row_spans", "token_codes"]

_ROW_BITS = 27            # rows per index: up to 134M
_CHAR_BITS = 18           # CJK code points stay below 0x40000


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's ``malloc_trim``).

    Building an index allocates and frees large numpy temporaries; glibc raises its mmap
    threshold after the first large free, so later ones come from the heap and stay in the
    process once freed. Trimmed after each field is built, a process that built a
    10k-paragraph index (the load bench's) holds ~50 MB less: RSS 247 → 198 MB.
    """
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)
        except (OSError, AttributeError):
            pass


_PART_CODES = 1 << 23    # code_runs sorts at most about this many codes at once (64 MB)


def code_runs(chunks: list[np.ndarray], *, tf8: bool = False, spans: bool = False
              ) -> tuple:
    """Postings' skeleton from int64 codes ``term_key << 27 | row`` (``chunks`` is emptied, so
    each temporary is freed as soon as it is used: the peak of an index build is here).

    Sorting orders the codes by term then row; runs of equal codes are the term frequencies, so
    no other sort or Python object per occurrence is needed. Returns the distinct term keys in
    order, ``indptr`` (int64, a term's postings are ``indptr[t]:indptr[t + 1]``), the rows (int32)
    and each posting's term frequency (int64; ``tf8``: capped at 255 as ``uint8``, range by
    range — a 1M base's 400M bigram postings as int64 would be 3.2 GB, twice while joined).
    ``spans``: the rows as ``uint16`` (their low 16 bits) and, fifth, their spans
    (:func:`row_spans`), made range by range: no int32 row of every posting is ever held.

    Bounded memory: the codes are cut at term boundaries into key ranges of about
    ``_PART_CODES`` codes (split points from a sample), and each range is sorted and coded on
    its own, its codes freed before the next; the temporaries are a range's, not two or three
    times all the codes (a 1M-paragraph base has ~500M bigram codes: 4 GB each time)."""
    total = sum(int(c.size) for c in chunks)
    bounds = _split_points(chunks, total // _PART_CODES)
    parts: list[list[np.ndarray]] = [[] for _ in range(bounds.size + 1)]
    while chunks:
        chunk = chunks.pop()
        if bounds.size:
            chunk.sort()
            for part, piece in zip(parts, np.split(chunk, np.searchsorted(chunk, bounds))):
                part.append(piece.copy())
        else:
            parts[0].append(chunk)
        del chunk
    keys_out, starts_out, rows_out, tf_out, first_out, high_out = [], [], [], [], [], []
    done = 0
    for i in range(len(parts)):
        codes = np.concatenate(parts[i]) if parts[i] else np.zeros(0, dtype=np.int64)
        parts[i] = []
        # the range's pieces were small heap blocks: give their pages back now, or the heap
        # keeps all codes' worth of holes while the postings grow (1M: bigram process 7.5 GB)
        release_free_memory()
        codes.sort()
        term_keys, starts, rows, tf = _runs(codes)
        del codes
        if tf8:
            tf = np.minimum(tf, 255).astype(np.uint8)
        keys_out.append(term_keys)
        starts_out.append(starts + done)
        if spans:     # (a term's postings all fall in one range: its spans too)
            _, first, high = row_spans(np.append(starts, rows.size), rows)
            first_out.append(first[:-1] + done)
            high_out.append(high)
            rows = rows.astype(np.uint16)
        rows_out.append(rows)
        tf_out.append(tf)
        done += rows.size
    indptr = np.append(np.concatenate(starts_out), done).astype(np.int64)
    out = (np.concatenate(keys_out), indptr, np.concatenate(rows_out), np.concatenate(tf_out))
    if not spans:
        return out
    span_first = np.append(np.concatenate(first_out), done).astype(np.int64)
    span_ptr = np.searchsorted(span_first[:-1], indptr, side="left").astype(np.int64)
    return (*out, (span_ptr, span_first, np.concatenate(high_out).astype(np.int32)))


SPAN_BITS = 16          # a posting's row in an index file: its span's number << 16 | 16 bits
_SPAN_BLOCK = 1 << 22


def row_spans(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``span_ptr``, ``span_first``, ``span_high`` (:class:`.segments.Postings`) of postings
    with full ``rows``: a span starts with each term and where a term's rows pass a multiple of
    65,536 (found a block of postings at a time)."""
    starts = [indptr[:-1][indptr[1:] > indptr[:-1]]]
    for start in range(0, rows.size, _SPAN_BLOCK):
        end = min(start + _SPAN_BLOCK, rows.size)
        low = max(start - 1, 0)
        high = rows[low:end] >> SPAN_BITS
        starts.append(np.flatnonzero(high[1:] != high[:-1]) + (low + 1))
    first = np.unique(np.concatenate(starts).astype(np.int64))
    span_high = (rows[first] >> SPAN_BITS).astype(np.int32)
    span_ptr = np.searchsorted(first, indptr, side="left").astype(np.int64)
    return span_ptr, np.append(first, rows.size).astype(np.int64), span_high


def _split_points(chunks: list[np.ndarray], parts: int) -> np.ndarray:
    """Up to ``parts - 1`` codes, each the first possible code of a term (a term's codes all
    fall in one range), cutting the codes into ranges of about equal size."""
    if parts < 2:
        return np.zeros(0, dtype=np.int64)
    sample = np.sort(np.concatenate([c[::max(1, c.size // 4096)] for c in chunks]))
    cuts = sample[(np.arange(1, parts) * sample.size) // parts]
    return np.unique((cuts >> _ROW_BITS) << _ROW_BITS)


def _runs(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted codes → distinct term keys, where each term's postings start, rows, tf."""
    n_codes = codes.size
    # np.unique without its copies: mark where a new (term, row) starts.
    starts_pair = np.ones(n_codes, dtype=bool)
    np.not_equal(codes[1:], codes[:-1], out=starts_pair[1:])
    pairs = codes[starts_pair]
    starts = np.flatnonzero(starts_pair)
    del starts_pair
    tf = np.empty(starts.size, dtype=np.int64)
    if starts.size:
        tf[:-1] = np.diff(starts)
        tf[-1] = n_codes - starts[-1]
    del starts
    keys = pairs >> _ROW_BITS
    rows = (pairs & ((1 << _ROW_BITS) - 1)).astype(np.int32)
    del pairs
    first = np.ones(keys.size, dtype=bool)
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    return keys[first], np.flatnonzero(first), rows, tf


def token_codes(docs: Iterable[Sequence[str]]
                ) -> tuple[dict[str, int], list[np.ndarray], np.ndarray]:
    """Each token occurrence of ``docs`` (one token list per row) as an int64 code
    ``term_id << 27 | row``, in chunks; term ids in order of first appearance. Returns the
    vocabulary, the chunks and each row's length (number of tokens). See :class:`TokenCoder`."""
    coder = TokenCoder()
    for batch in batches(docs, _BATCH_ROWS):
        coder.add(batch)
    return coder.vocab, coder.chunks, coder.lengths_array()


_T = TypeVar("_T")


def batches(items: Iterable[_T], size: int) -> Iterator[list[_T]]:
    """``items`` streamed in lists of ``size``; the last list always comes, short or empty, so
    a coder fed by it has at least one chunk."""
    items = iter(items)
    while True:
        batch = list(islice(items, size))
        yield batch
        if len(batch) < size:
            return


class TokenCoder:
    """:func:`token_codes` fed a batch of rows at a time (a base build streams its rows from
    the database and never holds every row's words).

    No Python bytecode per token: the batch's tokens in one list, its new terms found through
    ``dict.fromkeys`` (distinct tokens only), and the ids looked up by ``map`` straight into
    numpy (a 100k-paragraph build: 20M tokens, ~12 s of per-token Python before, ~1.5 s so)."""

    def __init__(self) -> None:
        self.vocab: dict[str, int] = {}
        self.chunks: list[np.ndarray] = []
        self.lengths = array("q")

    def add(self, batch: list[Sequence[str]]) -> None:
        """The next rows' token lists."""
        self.chunks.append(_batch_codes(batch, len(self.lengths), self.vocab, self.lengths))

    def lengths_array(self) -> np.ndarray:
        return np.frombuffer(self.lengths, np.int64)


_BATCH_ROWS = 4096


def _batch_codes(batch: list[Sequence[str]], first_row: int, vocab: dict[str, int],
                 lengths: array) -> np.ndarray:
    flat = list(chain.from_iterable(batch))
    size = len(vocab)
    new = [t for t in dict.fromkeys(flat) if t not in vocab]
    vocab.update(zip(new, range(size, size + len(new))))
    counts = np.fromiter(map(len, batch), np.int64, count=len(batch))
    lengths.frombytes(counts.tobytes())
    ids = np.fromiter(map(vocab.__getitem__, flat), np.int64, count=len(flat))
    rows = np.repeat(np.arange(first_row, first_row + len(batch), dtype=np.int64), counts)
    ids <<= _ROW_BITS
    ids |= rows
    return ids


def gram_codes(texts: Sequence[str]) -> tuple[list[np.ndarray], np.ndarray]:
    """Each CJK bigram occurrence of ``texts`` (normalised, one per row) as an int64 code
    ``bigram_key << 27 | row`` (:meth:`GramIndex.row_keys` of each row), in chunks, and each
    row's number of bigrams. See :class:`GramCoder`."""
    coder = GramCoder()
    for start in range(0, len(texts), _BATCH_ROWS):
        coder.add(texts[start:start + _BATCH_ROWS])
    return coder.chunks, coder.lengths_array()


class GramCoder:
    """:func:`gram_codes` fed a batch of rows at a time. A batch is one numpy pass over their
    code points joined by a line break (not CJK: no bigram crosses two rows), not a few numpy
    calls per row."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.lengths = array("q")

    def add(self, part: Sequence[str]) -> None:
        """The next rows' normalised texts."""
        start = len(self.lengths)
        lengths = np.zeros(len(part), dtype=np.int64)
        codes = np.frombuffer("\n".join(part).encode("utf-32-le"), dtype=np.uint32
                              ).astype(np.int64)
        if codes.size >= 2:
            sizes = np.fromiter(map(len, part), np.int64, count=len(part)) + 1
            rows = np.repeat(np.arange(start, start + len(part), dtype=np.int64), sizes)[:-1]
            cjk = _is_cjk_codes(codes)
            both = cjk[:-1] & cjk[1:]
            keys = ((codes[:-1] << _CHAR_BITS) | codes[1:])[both]
            rows = rows[:-1][both]
            lengths[:] = np.bincount(rows - start, minlength=len(part))
            keys <<= _ROW_BITS
            keys |= rows
            self.chunks.append(keys)
        self.lengths.frombytes(lengths.tobytes())

    def lengths_array(self) -> np.ndarray:
        return np.frombuffer(self.lengths, np.int64)


@dataclass
class _Postings:
    """BM25 postings: per term, the rows it occurs in and a precomputed weight per row."""

    indptr: np.ndarray      # int64, n_terms + 1
    rows: np.ndarray        # int32 paragraph row of each posting (sorted within a term)
    weights: np.ndarray     # float32 idf × saturated tf of each posting
    idf: np.ndarray         # float32 per term
    size: int               # number of rows

    @classmethod
    def from_codes(cls, chunks: list[np.ndarray], lengths: np.ndarray, *, k1: float,
                   b: float) -> tuple["_Postings", np.ndarray]:
        """Postings with BM25 weights from int64 codes ``term_key << 27 | row`` (``chunks`` is
        emptied, see :func:`code_runs`). Returns the postings and the distinct term keys in
        term-id order."""
        n_rows = len(lengths)
        term_keys, indptr, rows, tf = code_runs(chunks)
        tf = tf.astype(np.float32)
        df = np.diff(indptr)
        idf = np.log1p((n_rows - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = np.float32(max(float(lengths.mean()) if n_rows else 0.0, 1e-9))
        k1f, bf = np.float32(k1), np.float32(b)
        norm = k1f * (np.float32(1) - bf + bf * lengths.astype(np.float32)[rows] / avgdl)
        term_of = np.repeat(idf, df)
        weights = term_of * tf * (k1f + np.float32(1)) / (tf + norm)
        return cls(indptr, rows, weights.astype(np.float32, copy=False), idf, n_rows), term_keys

    def gather(self, ids: Iterable[tuple[int, float]], scale: float = 1.0
               ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and weights (× query weight × ``scale``) of the postings of ``ids``, in one
        array each (gathered with a few numpy calls, not a slice per term)."""
        pairs = list(ids)
        if not pairs:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        tids = np.fromiter((t for t, _ in pairs), np.int64, count=len(pairs))
        qweights = np.fromiter((w for _, w in pairs), np.float64, count=len(pairs)) * scale
        starts, ends = self.indptr[tids], self.indptr[tids + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        # position k of term i's run → starts[i] + (k - run start): one arange, shifted per run
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        where = np.arange(total) + shift
        return self.rows[where], self.weights[where] * np.repeat(qweights, lengths)

    def df_of(self, tid: int) -> int:
        return int(self.indptr[tid + 1] - self.indptr[tid])


class FieldIndex:
    """BM25 over string terms (jieba words of paragraphs, of titles and headings)."""

    def __init__(self, vocab: dict[str, int], postings: _Postings) -> None:
        self.vocab = vocab
        self._postings = postings
        self.idf = postings.idf
        self.size = postings.size

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> "FieldIndex":
        vocab, chunks, lengths = token_codes(docs)
        postings, term_keys = _Postings.from_codes(chunks, lengths, k1=k1, b=b)
        # Term ids were given in order of first appearance; postings are in id order, and every
        # id that occurs has postings, so ids and positions agree.
        assert term_keys.size == len(vocab)
        return cls(vocab, postings)

    def term_idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        return float(self.idf[tid]) if tid is not None else 0.0

    def latin_terms(self, min_length: int) -> list[str]:
        """Terms that start with an ASCII character, at least ``min_length`` long."""
        return [w for w in self.vocab if w[0].isascii() and len(w) >= min_length]

    def known(self, terms: Sequence[str]) -> list[str]:
        """The ``terms`` the index has, in order."""
        return [t for t in terms if t in self.vocab]

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        return self._postings.df_of(tid) if tid is not None else 0

    def postings(self, query: Mapping[str, float], scale: float = 1.0
                 ) -> tuple[np.ndarray, np.ndarray]:
        """The postings of ``query``'s terms: rows and BM25 weights × query weight × ``scale``
        (summed per row: each row's BM25 score × ``scale``)."""
        vocab = self.vocab
        return self._postings.gather(((vocab[t], w) for t, w in query.items() if t in vocab),
                                     scale)


def _gram_key(gram: str) -> int:
    return (ord(gram[0]) << _CHAR_BITS) | ord(gram[1])


def _is_cjk_codes(codes: np.ndarray) -> np.ndarray:
    """:func:`.text.is_cjk` of each code point."""
    cjk = np.zeros(codes.shape, dtype=bool)
    for first, last in CJK_IDEOGRAPHS:
        cjk |= (codes >= first) & (codes <= last)
    return cjk


class GramIndex:
    """BM25 over overlapping CJK character bigrams, keyed by their two code points."""

    def __init__(self, keys: np.ndarray, postings: _Postings) -> None:
        self.keys = keys          # sorted distinct bigram keys; a term's id is its position
        self._postings = postings
        self.idf = postings.idf
        self.size = postings.size

    @staticmethod
    def row_keys(text: str) -> np.ndarray:
        """Bigram keys of one normalised text: pairs of adjacent CJK characters."""
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        if codes.size < 2:
            return np.zeros(0, dtype=np.int64)
        cjk = _is_cjk_codes(codes)
        both = cjk[:-1] & cjk[1:]
        return ((codes[:-1] << _CHAR_BITS) | codes[1:])[both]

    @classmethod
    def build(cls, texts: Iterable[str], *, k1: float = 1.2, b: float = 0.75) -> "GramIndex":
        chunks, lengths = gram_codes(list(texts))
        postings, term_keys = _Postings.from_codes(chunks, lengths, k1=k1, b=b)
        return cls(term_keys, postings)

    def _ids(self, grams: Iterable[str]) -> list[int | None]:
        grams = list(grams)
        if not grams or self.keys.size == 0:
            return [None] * len(grams)
        wanted = np.fromiter((_gram_key(g) if len(g) == 2 else -1 for g in grams), np.int64,
                             count=len(grams))
        pos = np.searchsorted(self.keys, wanted)
        pos[pos >= self.keys.size] = 0
        hit = self.keys[pos] == wanted
        return [int(p) if h else None for p, h in zip(pos, hit)]

    def known(self, grams: Sequence[str]) -> list[str]:
        """The ``grams`` that occur in the knowledge base."""
        return [g for g, tid in zip(grams, self._ids(grams)) if tid is not None]

    def known_replacing(self, term: str, options: Sequence[Sequence[str]]) -> list[str]:
        """:meth:`known` of ``term`` with one character replaced by each of ``options[i]``."""
        return self.known([term[:i] + h + term[i + 1:] for i, hs in enumerate(options) for h in hs])

    def term_idf(self, gram: str) -> float:
        tid = self._ids([gram])[0]
        return float(self.idf[tid]) if tid is not None else 0.0

    def df(self, gram: str) -> int:
        tid = self._ids([gram])[0]
        return self._postings.df_of(tid) if tid is not None else 0

    def postings(self, query: Mapping[str, float], scale: float = 1.0
                 ) -> tuple[np.ndarray, np.ndarray]:
        """See :meth:`FieldIndex.postings`."""
        ids = self._ids(query)
        return self._postings.gather(((tid, w) for tid, w in zip(ids, query.values())
                                      if tid is not None), scale)
