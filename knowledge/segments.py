"""Index segments: immutable postings with raw term frequencies, saved to and loaded from a file.

A :class:`Segment` is what an index build of some paragraphs produces: for each of the three
fields (paragraph words, title + heading words, paragraph bigrams) the postings of each term
(rows in 16 bits within spans of 65,536 rows, and raw term frequencies, ``uint8``, capped at 255)
and each row's length, plus what the ranking needs of every row without reading it (paragraph
id, document id, kind, whether it is a liability provision: under 法律责任 / 罚则, or a sanction
under 监督与责任, 奖惩…; the 第N条 references of its headings). BM25 weights are *not* stored:
they are computed at query time from the global statistics of all live segments
(:mod:`.segmented`), so a base segment with deltas and tombstones ranks exactly as one fresh
build of the same rows.

The base segment is saved beside the database (``staffbot.db.idx``): a header (format version,
database generation and schema, the documents it holds, each array's place) and the arrays,
checksummed (CRC-32), written to a temporary file and renamed into place (two writers racing
leave one whole file), and loaded with ``mmap`` (no copy, no per-row Python object).
``python -m knowledge.indexbuild DB`` writes it (the background merge runs that).
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .compiled import loops as _bm25  # None: not built (or stale); zlib gives the same
from .index import SPAN_BITS, GramCoder, TokenCoder, batches, code_runs, release_free_memory
from .normalize import normalize
from .rowfile import file_crc32, write_row_file
from .sections import find_references, is_liability
from .store import IndexRow, ParagraphRow

__all__ = ["FORMAT_VERSION", "IndexFileError", "Segment", "build_segment", "index_path",
           "load_segment", "save_segment"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 7          # bump when what a build writes changes (tokens, fields, layout, liability);
                            # 5: term frequencies uint8 (a search maps ~50 MB less of them at 100k);
                            # 6: postings' rows uint16 within spans of 65,536 rows
                            # 7: a paragraph under 法律责任 naming no sanction is no liability (rules13)
_MAGIC = b"STAFFIDX"
_HEAD = struct.Struct("<8sIQ")   # magic, format version, header length
_ROW_BITS = 27
_ALIGN = 64
KINDS = ("text", "list", "table_row", "faq")
FIELDS = ("words", "context", "grams")


class IndexFileError(ValueError):
    """The index file is missing, of another version, or damaged: build it again."""


def index_path(db_path: str | Path) -> Path:
    """Where the base segment of ``db_path`` is kept: beside it, ``<db>.idx``."""
    return Path(f"{db_path}.idx")


def _term_hash(key: bytes) -> int:
    """A 64-bit hash of a term that every process computes alike (not Python's salted hash)."""
    return zlib.crc32(key) | (zlib.adler32(key) << 32)


class Vocab:
    """Sorted terms as one UTF-8 blob and offsets, found through a sorted table of 64-bit term
    hashes (a ``searchsorted`` and one comparison; no dict of every term to build on load); a
    term's id is its position in sorted order."""

    def __init__(self, blob: bytes | memoryview, offsets: np.ndarray, hash_keys: np.ndarray,
                 hash_ids: np.ndarray) -> None:
        self.blob = blob
        self.offsets = offsets
        self.hash_keys, self.hash_ids = hash_keys, hash_ids
        self._offs = memoryview(offsets).cast("B").cast("q") if offsets.size else []
        self._keys = memoryview(hash_keys).cast("B").cast("Q") if hash_keys.size else []
        self._ids = memoryview(hash_ids).cast("B").cast("q") if hash_ids.size else []
        self.size = max(offsets.size - 1, 0)
        self._cache: dict[str, int | None] = {}

    @classmethod
    def of(cls, terms: list[str]) -> Vocab:
        """``terms`` already sorted."""
        encoded = [t.encode("utf-8", "surrogatepass") for t in terms]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        hashes = np.fromiter((_term_hash(e) for e in encoded), np.uint64, count=len(encoded))
        order = np.argsort(hashes, kind="stable")
        return cls(b"".join(encoded), offsets, hashes[order], order.astype(np.int64))

    def term(self, i: int) -> str:
        return bytes(self.blob[self._offs[i]:self._offs[i + 1]]).decode("utf-8", "surrogatepass")

    def get(self, term: str) -> int | None:
        found = self._cache.get(term, -1)
        if found != -1:
            return found
        key = term.encode("utf-8", "surrogatepass")
        wanted = _term_hash(key)
        keys, ids, offs, blob = self._keys, self._ids, self._offs, self.blob
        at = bisect_left(keys, wanted) if self.size else 0   # (no numpy call for one key)
        found = None
        while at < self.size and keys[at] == wanted:
            tid = ids[at]
            if bytes(blob[offs[tid]:offs[tid + 1]]) == key:
                found = tid
                break
            at += 1
        if len(self._cache) > 50_000:
            self._cache.clear()
        self._cache[term] = found
        return found

    def get_many(self, terms: list[str]) -> list[int | None]:
        """``[self.get(t) for t in terms]``, looked up together: the terms' hashes in one
        ``searchsorted`` instead of a ``bisect`` each (a word's hundreds of homophone
        spellings, nearly all absent). Not cached: the caller keeps what it found."""
        if not self.size or not terms:
            return [None] * len(terms)
        # the hashes in one compiled call when knowledge._bm25 is built (None: a lone surrogate)
        hashed = _bm25.term_hashes(list(terms)) if _bm25 is not None else None
        if hashed is not None:
            wanted = np.frombuffer(hashed, dtype=np.uint64)
        else:
            crc32, adler32 = zlib.crc32, zlib.adler32     # _term_hash, inlined
            wanted = np.array([crc32(key) | (adler32(key) << 32) for key in
                               (t.encode("utf-8", "surrogatepass") for t in terms)],
                              dtype=np.uint64)
        places = np.searchsorted(self.hash_keys, wanted)
        keys, ids, offs, blob, size = self._keys, self._ids, self._offs, self.blob, self.size
        out: list[int | None] = [None] * len(terms)
        # (rare: a hash of the vocabulary; the rest are absent)
        hits = np.flatnonzero(self.hash_keys[np.minimum(places, size - 1)] == wanted).tolist()
        for i, at, hash_ in zip(hits, places[hits].tolist(), wanted[hits].tolist()):
            key = terms[i].encode("utf-8", "surrogatepass")
            while at < size and keys[at] == hash_:
                tid = ids[at]
                if bytes(blob[offs[tid]:offs[tid + 1]]) == key:
                    out[i] = tid
                    break
                at += 1
        return out

    def __iter__(self) -> Iterator[str]:
        return (self.term(i) for i in range(self.size))


@dataclass
class Postings:
    """One field's postings in one segment: per term its rows (sorted) and raw frequencies.

    A posting's row is kept in 16 bits: its low 16 bits in ``rows``; the high bits are its
    span's (a term's postings with the same ``row >> 16``, ``span_high``). Term ``t``'s spans
    are ``span_ptr[t]:span_ptr[t + 1]``; span ``j``'s postings ``span_first[j]:span_first[j + 1]``
    (a term's postings are ``indptr[t]:indptr[t + 1]``, as before)."""

    indptr: np.ndarray      # int64, n_terms + 1
    rows: np.ndarray        # uint16 local row of each posting, its low 16 bits
    tf: np.ndarray          # uint8 term frequency of each posting (capped at 255)
    lengths: np.ndarray     # int32 per row: tokens (or bigrams) in the field
    row_ptr: np.ndarray     # int64, n_rows + 1: each row's run in row_terms
    row_terms: np.ndarray   # int32 the terms of each row (the postings transposed): what a
                            # tombstone takes off the document frequencies
    span_ptr: np.ndarray    # int64, n_terms + 1: each term's run of spans
    span_first: np.ndarray  # int64, n_spans + 1: each span's first posting (then: all postings)
    span_high: np.ndarray   # int32, n_spans: each span's row >> 16

    @property
    def df(self) -> np.ndarray:
        return np.diff(self.indptr)

    def rows_between(self, start: int, end: int) -> np.ndarray:
        """The local rows (int32) of postings ``start:end``."""
        low = self.rows[start:end]
        if self.lengths.size <= 1 << SPAN_BITS or end <= start:   # (one span: all high bits 0)
            return low.astype(np.int32)
        first = self.span_first
        j0 = int(np.searchsorted(first, start, side="right")) - 1
        j1 = int(np.searchsorted(first, end, side="left"))
        high = self.span_high[j0:j1] << SPAN_BITS
        return np.repeat(high, np.diff(np.clip(first[j0:j1 + 1], start, end))) + low

    def term_rows(self, term: int) -> np.ndarray:
        """The local rows (int32) of term ``term``'s postings."""
        begin, stop = int(self.indptr[term]), int(self.indptr[term + 1])
        out = self.rows[begin:stop].astype(np.int32)
        j0, j1 = int(self.span_ptr[term]), int(self.span_ptr[term + 1])
        for high, first, end in zip(self.span_high[j0:j1].tolist(),
                                    self.span_first[j0:j1].tolist(),
                                    self.span_first[j0 + 1:j1 + 1].tolist()):
            if high:
                out[first - begin:end - begin] += high << SPAN_BITS
        return out

    def rows_at(self, where: np.ndarray) -> np.ndarray:
        """The local rows (int32) of the postings at ``where``."""
        low = self.rows[where]
        if self.lengths.size <= 1 << SPAN_BITS or not low.size:
            return low.astype(np.int32)
        span = np.searchsorted(self.span_first, where, side="right") - 1
        return (self.span_high[span] << SPAN_BITS) + low

    def live_df(self, alive: np.ndarray) -> np.ndarray:
        """Per term, how many of its postings' rows are ``alive`` (a bool per row)."""
        if self.rows.size == 0:
            return np.zeros(self.indptr.size - 1, dtype=np.int64)
        live = np.empty(self.rows.size, dtype=bool)
        for start in range(0, self.rows.size, _BLOCK):
            end = min(start + _BLOCK, self.rows.size)
            live[start:end] = alive[self.rows_between(start, end)]
        return np.add.reduceat(live, self.indptr[:-1], dtype=np.int64)

    def df_of_rows(self, rows: np.ndarray) -> np.ndarray:
        """Per term, how many of ``rows`` have it."""
        starts, ends = self.row_ptr[rows], self.row_ptr[rows + 1]
        lengths = ends - starts
        where = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths),
                                                          lengths)
        return np.bincount(self.row_terms[where], minlength=self.indptr.size - 1)


POSTING_PARTS = ("indptr", "rows", "tf", "lengths", "row_ptr", "row_terms", "span_ptr",
                 "span_first", "span_high")


@dataclass
class Segment:
    """Postings of some paragraphs and what ranking needs of each (see the module docstring)."""

    words_vocab: Vocab
    context_vocab: Vocab
    gram_keys: np.ndarray           # sorted int64 bigram keys
    fields: dict[str, Postings]
    ids: np.ndarray                 # int64 paragraph id per row
    docs: np.ndarray                # int64 document id per row
    kinds: np.ndarray               # int8 index into KINDS per row
    liability: np.ndarray           # bool: a liability provision (sections.is_liability)
    same_norm: np.ndarray           # bool: normalize(text) is the text (no need to compute it)
    references: dict[tuple[str, int], np.ndarray]   # (章/条, n) → local rows
    generation: int = -1
    documents: tuple[np.ndarray, np.ndarray] | None = None   # base: document ids, fingerprints
    rows: list[ParagraphRow] | None = None   # kept when built for an in-memory searcher

    def __len__(self) -> int:
        return int(self.ids.size)


def heads_text(row: ParagraphRow, norm: Callable[[str], str] = normalize) -> str:
    """A paragraph's title and headings (an FAQ pair's question too), normalised: what it is
    about (the ranking's heading text)."""
    return norm(" ".join((row.title, *row.section, row.question) if row.question
                         else (row.title, *row.section))) + "\n"


def _postings(chunks: list[np.ndarray], lengths: np.ndarray) -> tuple[Postings, np.ndarray]:
    """Postings from int64 codes ``term_key << 27 | row`` (``chunks`` is emptied): one sort, runs
    of equal codes are the term frequencies. Returns them and the distinct keys in order."""
    term_keys, indptr, low, tf, spans = code_runs(chunks, tf8=True, spans=True)
    postings = Postings(indptr, low, tf, lengths.astype(np.int32), np.zeros(0, np.int64),
                        np.zeros(0, np.int32), *spans)
    postings.row_ptr, postings.row_terms = _transpose(indptr, postings.rows_between, low.size,
                                                      lengths.size)
    return postings, term_keys


_BLOCK = 1 << 22


def _transpose(indptr: np.ndarray, rows_between: Callable[[int, int], np.ndarray],
               n_postings: int, n_rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's terms (``row_ptr``, ``row_terms``: the postings in row order, a row's terms in
    term order — what a stable argsort of the rows gives), a block of postings at a time: the
    postings are in term order, so a block's terms go after the earlier blocks' in every row.
    Temporaries of a block's size, not of all postings (a 1M base: ~400M bigram postings);
    ``rows_between(start, end)``: the rows of postings ``start:end``."""
    counts = np.zeros(n_rows, dtype=np.int64)
    for start in range(0, n_postings, _BLOCK):
        counts += np.bincount(rows_between(start, min(start + _BLOCK, n_postings)),
                              minlength=n_rows)
    row_ptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(counts, out=row_ptr[1:])
    del counts
    row_terms = np.empty(n_postings, dtype=np.int32)
    free = row_ptr[:-1].copy()          # each row's next place in row_terms
    for start in range(0, n_postings, _BLOCK):
        end = min(start + _BLOCK, n_postings)
        # row << 32 | position is unique: numpy's fast sort gives the stable order
        order = rows_between(start, end).astype(np.int64)
        order <<= 32
        order |= np.arange(end - start, dtype=np.int64)
        order.sort()
        by_row = (order >> 32).astype(np.int64)
        order &= 0xFFFFFFFF
        first_term = int(np.searchsorted(indptr, start, side="right")) - 1
        last_term = int(np.searchsorted(indptr, end - 1, side="right")) - 1
        counts = np.diff(np.clip(indptr[first_term:last_term + 2], start, end))
        terms = np.repeat(np.arange(first_term, last_term + 1, dtype=np.int32), counts)[order]
        first = np.ones(by_row.size, dtype=bool)
        np.not_equal(by_row[1:], by_row[:-1], out=first[1:])
        run_starts = np.flatnonzero(first)
        run_lengths = np.diff(np.append(run_starts, by_row.size))
        rank = np.arange(by_row.size) - np.repeat(run_starts, run_lengths)
        row_terms[free[by_row] + rank] = terms
        free[by_row[run_starts]] += run_lengths
    return row_ptr, row_terms


def _field_from_coder(coder: TokenCoder) -> tuple[Vocab, Postings]:
    vocab, chunks, lengths = coder.vocab, coder.chunks, coder.lengths_array()
    terms = sorted(vocab)
    # term ids by first appearance → by sorted position, so that the vocabulary is searchable
    rank = np.empty(len(vocab), dtype=np.int64)
    rank[np.fromiter((vocab[t] for t in terms), np.int64, count=len(terms))] = \
        np.arange(len(terms))
    vocab.clear()
    mask = (1 << _ROW_BITS) - 1
    for i, chunk in enumerate(chunks):
        chunks[i] = (rank[chunk >> _ROW_BITS] << _ROW_BITS) | (chunk & mask)
    postings, keys = _postings(chunks, lengths)
    assert keys.size == len(terms)
    return Vocab.of(terms), postings


_BATCH_ROWS = 4096    # rows turned into codes at a time (what a build holds as Python strings)


def build_segment(rows: Iterable[IndexRow], *, keep_rows: bool = False,
                  generation: int = -1,
                  documents: tuple[np.ndarray, np.ndarray] | None = None,
                  grams_elsewhere: bool = False) -> Segment:
    """A segment of ``rows`` (streamed once: a batch of rows' words and texts at a time become
    int codes, so a base build holds codes, not every paragraph's strings). ``keep_rows``: keep
    each :class:`ParagraphRow` (an in-memory searcher without a database to read them from).
    ``grams_elsewhere``: leave the bigram field (and ``same_norm``) empty: another process
    builds them (:func:`build_base`)."""
    ids, docs, kinds = array("q"), array("q"), array("b")
    liability: list[bool] = []
    references: dict[tuple[str, int], list[int]] = {}
    words, context = TokenCoder(), TokenCoder()
    grams = None if grams_elsewhere else GramField()
    batch_words: list[list[str]] = []
    batch_context: list[list[str]] = []
    batch_texts: list[tuple[str, str]] = []
    kept: list[ParagraphRow] | None = [] if keep_rows else None
    heads: dict[tuple, str] = {}
    section_refs: dict[tuple[str, ...], set] = {}
    context_tokens: dict[str, list[str]] = {}    # a batch's rows share their headings' lists

    def flush() -> None:
        words.add(batch_words)
        context.add(batch_context)
        if grams is not None:
            grams.add(batch_texts)
        batch_words.clear()
        batch_context.clear()
        batch_texts.clear()
        context_tokens.clear()

    for at, item in enumerate(rows):
        p = item.paragraph
        ids.append(p.paragraph_id)
        docs.append(p.doc_id)
        kinds.append(KINDS.index(p.kind) if p.kind in KINDS else 0)
        key = (p.title, p.section, p.question)
        found = heads.get(key)
        if found is None:
            if len(heads) > 100_000:
                heads.clear()
            found = heads[key] = heads_text(p)
        liability.append(is_liability(found, p.text))
        refs = section_refs.get(p.section)
        if refs is None:
            if len(section_refs) > 100_000:
                section_refs.clear()
            refs = section_refs[p.section] = {ref for label in p.section
                                              for ref in find_references(label[:12])}
        for ref in refs:
            references.setdefault(ref, []).append(at)
        if grams is not None:
            batch_texts.append((p.text, p.question))
        batch_words.append(item.words.split())
        c = item.title_words + " " + item.section_words
        tokens = context_tokens.get(c)
        if tokens is None:
            tokens = context_tokens[c] = c.split()
        batch_context.append(tokens)
        if kept is not None:
            kept.append(p)
        if len(batch_words) == _BATCH_ROWS:
            flush()
    flush()
    del heads, section_refs
    words_vocab, words_postings = _field_from_coder(words)
    del words
    release_free_memory()
    context_vocab, context_postings = _field_from_coder(context)
    del context
    release_free_memory()
    if grams is not None:
        same_norm, gram_postings, gram_keys = grams.finish()
        del grams
        release_free_memory()
    else:
        same_norm, gram_postings, gram_keys = _no_gram_field(len(ids))
    return Segment(words_vocab, context_vocab, gram_keys,
                   {"words": words_postings, "context": context_postings, "grams": gram_postings},
                   np.frombuffer(ids, np.int64).copy(), np.frombuffer(docs, np.int64).copy(),
                   np.frombuffer(kinds, np.int8).copy(), np.array(liability, dtype=bool),
                   same_norm,
                   {ref: np.array(at, dtype=np.int32) for ref, at in references.items()},
                   generation, documents, kept)


class GramField:
    """The bigram field of rows given a batch at a time as (text, FAQ question): whether each
    text is its own normal form, and the bigram codes of the normalised texts."""

    def __init__(self) -> None:
        self.coder = GramCoder()
        self.same_norm = array("b")

    @classmethod
    def of(cls, texts: Iterable[tuple[str, str]]) -> GramField:
        """The codes of ``texts`` (streamed, a batch at a time)."""
        field = cls()
        for batch in batches(texts, _BATCH_ROWS):
            field.add(batch)
        return field

    def add(self, texts: Iterable[tuple[str, str]]) -> None:
        """The next rows."""
        grams: list[str] = []
        for text, question in texts:
            normal = normalize(text)
            self.same_norm.append(normal == text)
            grams.append(normalize(question) + "\n" + normal if question else normal)
        self.coder.add(grams)

    def finish(self) -> tuple[np.ndarray, Postings, np.ndarray]:
        """``same_norm``, the postings and their bigram keys (the codes are given up)."""
        same_norm = np.frombuffer(self.same_norm, np.int8).astype(bool)
        postings, keys = _postings(self.coder.chunks, self.coder.lengths_array())
        return same_norm, postings, keys


def gram_field(texts: Iterable[tuple[str, str]]) -> tuple[np.ndarray, Postings, np.ndarray]:
    """The bigram field of rows given as (text, FAQ question), streamed a batch at a time:
    whether each text is its own normal form, the postings and their bigram keys."""
    return GramField.of(texts).finish()


def _no_gram_field(n_rows: int) -> tuple[np.ndarray, Postings, np.ndarray]:
    empty = np.zeros(0, dtype=np.int64)
    return (np.zeros(n_rows, dtype=bool),
            Postings(np.zeros(1, np.int64), np.zeros(0, np.uint16), np.zeros(0, np.uint8),
                     np.zeros(n_rows, np.int32), np.zeros(n_rows + 1, np.int64),
                     np.zeros(0, np.int32), np.zeros(1, np.int64), np.zeros(1, np.int64),
                     np.zeros(0, np.int32)), empty)


# -- the bigram field on a second process ---------------------------------------------------------------
# A base build of many rows builds its bigram field (a third of its work: every paragraph's text
# normalised, its bigrams sorted into postings) on a second process, `python -m
# knowledge.indexbuild --grams DB DIR`, reading the same rows from the database, while this one
# builds the word fields: on two cores the build takes the time of the larger part. It also writes
# the base's row file (:mod:`.rowfile`, ~3 s at 100k paragraphs) from the same read: the bigram
# field is the smaller part (~9 s of CPU against ~17 s at 100k), so the row file costs the first
# answer nothing where it cost ~5 s written after the build.
PARALLEL_MIN_ROWS = 20_000
_PARTS = POSTING_PARTS


def write_gram_field(store, folder: Path, *, rows: bool = False) -> None:
    """The bigram field of every paragraph of ``store`` as ``.npy`` files in ``folder``, and
    the database generation they are of (``generation``, written last); with ``rows``, their
    row file too (``folder / "rows"``, read in the same transaction)."""
    conn = store.db.conn
    conn.execute("BEGIN")
    try:
        generation = store.generation
        ids = array("q")

        def texts() -> Iterator[tuple[str, str]]:
            for pid, text, question in store.paragraph_texts():
                ids.append(pid)
                yield text, question

        field = GramField.of(texts())   # streamed: codes, not every text
        if rows:
            try:
                write_row_file(store, np.frombuffer(ids, np.int64), folder / "rows",
                               generation=generation, schema=store.schema_version)
            except OSError as err:   # (the build's own process tries it)
                log.warning("cannot write the row file: %s", err)
    finally:
        conn.execute("COMMIT")
    same_norm, postings, keys = field.finish()
    del field
    arrays = {"ids": np.frombuffer(ids, np.int64), "same_norm": same_norm, "keys": keys,
              **{part: getattr(postings, part) for part in _PARTS}}
    for name, values in arrays.items():
        np.save(folder / f"{name}.npy", values)
    (folder / "generation").write_text(str(generation))


class _GramHelper:
    """The process building the bigram field of a base build, and what it wrote."""

    def __init__(self, db_path: str, *, rows: bool) -> None:
        target = index_path(db_path)
        self.folder = Path(tempfile.mkdtemp(prefix=f"{target.name}.tmp-grams-",
                                            dir=target.parent))
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        try:
            self.rows_written = False   # (the row file, once result() has checked the field)
            self.process = subprocess.Popen(
                [sys.executable, "-m", "knowledge.indexbuild", "--grams", db_path,
                 str(self.folder), *(["--rows"] if rows else [])], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE, env=env)
        except BaseException:
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def result(self, generation: int, ids: np.ndarray
               ) -> tuple[np.ndarray, Postings, np.ndarray] | None:
        """The field, if the process built it for these rows at this generation."""
        _, err = self.process.communicate()
        try:
            if self.process.returncode != 0:
                log.warning("the bigram field's process failed (exit %s): %s",
                            self.process.returncode, err.decode(errors="replace")[-500:])
                return None
            parts = {name: np.load(self.folder / f"{name}.npy")
                     for name in ("ids", "same_norm", "keys", *_PARTS)}
            if int((self.folder / "generation").read_text()) != generation or \
                    not np.array_equal(parts["ids"], ids):
                log.warning("the database moved during the index build: bigram field again")
                return None
            self.rows_written = (self.folder / "rows").exists()
            return parts["same_norm"], Postings(*(parts[p] for p in _PARTS)), parts["keys"]
        except (OSError, ValueError) as err:
            log.warning("the bigram field's process left no usable result: %s", err)
            return None

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _gram_helper(store, *, rows: bool) -> _GramHelper | None:
    """A second process for the bigram field, when it pays (a big base, two cores, a file)."""
    if store.path == ":memory:" or (os.cpu_count() or 1) < 2:
        return None
    if store.db.execute("SELECT count(*) FROM paragraphs").fetchone()[0] < PARALLEL_MIN_ROWS:
        return None
    try:
        return _GramHelper(store.path, rows=rows)
    except OSError as err:   # a read-only folder, no fork: all in this process
        log.warning("building the index in one process: %s", err)
        return None


# -- the file ---------------------------------------------------------------------------------------
def _arrays(segment: Segment) -> dict[str, np.ndarray]:
    out = {}
    for name, vocab in (("words", segment.words_vocab), ("context", segment.context_vocab)):
        out[f"{name}_blob"] = np.frombuffer(bytes(vocab.blob), np.uint8)
        out[f"{name}_offsets"] = vocab.offsets
        out[f"{name}_hash_keys"] = vocab.hash_keys
        out[f"{name}_hash_ids"] = vocab.hash_ids
    out |= {
           "gram_keys": segment.gram_keys, "ids": segment.ids, "docs": segment.docs,
           "kinds": segment.kinds, "liability": segment.liability,
           "same_norm": segment.same_norm}
    if segment.documents is not None:
        out["doc_ids"], out["doc_fingerprints"] = segment.documents
    for name, postings in segment.fields.items():
        for part in POSTING_PARTS:
            out[f"{name}_{part}"] = getattr(postings, part)
    refs = sorted(segment.references.items())
    out["ref_sizes"] = np.array([rows.size for _, rows in refs], dtype=np.int64)
    out["ref_rows"] = np.concatenate([rows for _, rows in refs]) if refs else \
        np.zeros(0, dtype=np.int32)
    return out


def save_segment(segment: Segment, path: str | Path, *, schema: int) -> int:
    """Write ``segment`` to ``path`` atomically (a temporary file renamed into place: a reader
    or a second writer never sees half a file). Returns the file's size."""
    path = Path(path)
    arrays = _arrays(segment)
    places: dict[str, list] = {}
    offset = 0
    for name, values in arrays.items():
        values = np.ascontiguousarray(values)
        arrays[name] = values
        places[name] = [values.dtype.str, list(values.shape), offset, values.nbytes]
        offset += -(-values.nbytes // _ALIGN) * _ALIGN
    crc = 0
    for name, values in arrays.items():
        crc = zlib.crc32(memoryview(values).cast("B"), crc)
    header = json.dumps({
        "format": FORMAT_VERSION, "generation": segment.generation, "schema": schema,
        "rows": len(segment), "arrays": places, "crc32": crc,
        "references": [list(ref) for ref in sorted(segment.references)],
    }, ensure_ascii=False).encode()
    start = -(-(_HEAD.size + len(header)) // _ALIGN) * _ALIGN
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{os.urandom(3).hex()}")
    try:
        with open(tmp, "wb") as out:
            out.write(_HEAD.pack(_MAGIC, FORMAT_VERSION, len(header)) + header)
            out.write(b"\0" * (start - _HEAD.size - len(header)))
            for name, values in arrays.items():
                pad = places[name][2] + start - out.tell()
                out.write(b"\0" * pad)
                out.write(memoryview(values).cast("B"))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path.stat().st_size


def load_segment(path: str | Path, *, schema: int) -> Segment:
    """The segment saved at ``path``, its arrays views of a read-only ``mmap`` of the file.
    Raises :class:`IndexFileError` when it is missing, of another format or schema, or its
    checksum does not match."""
    try:
        with open(path, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            return _segment_of(path, data, handle.fileno(), schema=schema)
    except (OSError, ValueError) as err:
        if isinstance(err, IndexFileError):
            raise
        raise IndexFileError(f"cannot open {path}: {err}") from None


def _segment_of(path: str | Path, data: mmap.mmap, fd: int, *, schema: int) -> Segment:
    view = memoryview(data)
    try:
        magic, version, size = _HEAD.unpack_from(view, 0)
        if magic != _MAGIC:
            raise IndexFileError(f"{path} is not an index file")
        if version != FORMAT_VERSION:
            raise IndexFileError(f"{path} has format {version}, this staffbot writes {FORMAT_VERSION}")
        header = json.loads(bytes(view[_HEAD.size:_HEAD.size + size]))
        if header.get("schema") != schema:
            raise IndexFileError(f"{path} was built for schema {header.get('schema')}, not {schema}")
        start = -(-(_HEAD.size + size) // _ALIGN) * _ALIGN
        arrays: dict[str, np.ndarray] = {}
        for name, (dtype, shape, offset, nbytes) in header["arrays"].items():
            if start + offset + nbytes > len(view):
                raise IndexFileError(f"{path} is truncated")
            arrays[name] = np.frombuffer(view[start + offset:start + offset + nbytes],
                                         dtype=np.dtype(dtype)).reshape(shape)
        # (read, not through the mapping: a search maps only the postings and rows it reads)
        ranges = [(start + offset, nbytes) for _, _, offset, nbytes in header["arrays"].values()]
        if file_crc32(fd, ranges) != header["crc32"]:
            raise IndexFileError(f"{path} is damaged (checksum mismatch)")
    except (struct.error, KeyError, TypeError, ValueError) as err:
        if isinstance(err, IndexFileError):
            raise
        raise IndexFileError(f"{path} is unreadable: {err}") from None
    fields = {name: Postings(*(arrays[f"{name}_{part}"] for part in POSTING_PARTS))
              for name in FIELDS}
    ends = np.cumsum(arrays["ref_sizes"])
    ref_rows = arrays["ref_rows"]
    references = {(kind, int(n)): ref_rows[end - size:end]
                  for (kind, n), size, end in zip(header["references"],
                                                  arrays["ref_sizes"].tolist(), ends.tolist())}
    vocabs = [Vocab(arrays[f"{name}_blob"].data, arrays[f"{name}_offsets"],
                    arrays[f"{name}_hash_keys"], arrays[f"{name}_hash_ids"])
              for name in ("words", "context")]
    return Segment(*vocabs,
                   arrays["gram_keys"], fields, arrays["ids"], arrays["docs"], arrays["kinds"],
                   arrays["liability"], arrays["same_norm"], references,
                   int(header["generation"]),
                   (arrays["doc_ids"], arrays["doc_fingerprints"]) if "doc_ids" in arrays else None)


def document_fingerprints(rows: Iterable[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    """Document ids and fingerprints (:meth:`Store.document_fingerprints`) as two arrays."""
    pairs = np.array(list(rows), dtype=np.int64).reshape(-1, 2)
    return pairs[:, 0].copy(), pairs[:, 1].copy()


def _placed(source: Path, target: Path) -> bool:
    try:
        os.replace(source, target)
        return True
    except OSError as err:
        log.warning("cannot move the row file into place: %s", err)
        return False


def build_base(store, *, rows_to: Path | None = None
               ) -> tuple[int, tuple[np.ndarray, np.ndarray], Segment]:
    """The base segment of everything in ``store``, read in one transaction (the generation,
    the documents and the rows agree); with ``rows_to``, its row file written there
    (:mod:`.rowfile`: by the bigram field's process when there is one, else here)."""
    conn = store.db.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        generation = store.generation
        documents = document_fingerprints(store.document_fingerprints())
        helper = _gram_helper(store, rows=rows_to is not None)
        try:
            segment = build_segment(store.load_rows(sentences=False), generation=generation,
                                    documents=documents,
                                    grams_elsewhere=helper is not None)
            rows_written = False
            if helper is not None:
                field = helper.result(generation, segment.ids)
                if field is None:   # the database moved meanwhile, or the process failed
                    field = gram_field((t, q) for _, t, q in store.paragraph_texts())
                elif rows_to is not None and helper.rows_written:
                    rows_written = _placed(helper.folder / "rows", rows_to)  # of these rows
                segment.same_norm, segment.fields["grams"], segment.gram_keys = field
            if rows_to is not None and not rows_written:
                try:
                    write_row_file(store, segment.ids, rows_to, generation=generation,
                                   schema=store.schema_version)
                except OSError as err:   # (its rows are read from SQLite instead)
                    log.warning("cannot write the row file: %s", err)
        finally:
            if helper is not None:
                helper.close()
    finally:
        if began:
            conn.execute("COMMIT")
    return generation, documents, segment
