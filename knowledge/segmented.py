"""The live index: a base segment, small deltas and tombstones, kept current with the database.

:class:`Snapshot` is one immutable view a :class:`~.search.Searcher` answers from: segments
(:mod:`.segments`) with a mask of live rows each. Its three fields score exact BM25 at query
time from the *global* statistics of the live rows (document frequency of a term summed over
the segments' live postings, the live rows' average length), computed in the same float32
operations a single build would use — so a base with deltas ranks exactly as a fresh build of
the same rows, whenever the last merge ran. A row's global number is its segment's offset plus
its row in the segment; dead rows never reach a candidate list. A snapshot's statistics never
change, so each field keeps the weights it computed for the terms searched lately.

:class:`RowReader` reads the few paragraphs a search shows (about 25 candidates) when asked,
with a small cache, instead of holding every paragraph as Python objects: the base segment's
rows from the row file written with it (``<db>.rows``, :mod:`.rowfile`), the others (deltas, or
no usable file) from SQLite.

:class:`IndexKeeper` owns the lifecycle: on start it loads the base segment saved beside the
database (``<db>.idx``, :mod:`.segments`) or builds and saves it; when the database's generation
moves it compares the documents' fingerprints with the ones it holds (a document changes only by
being replaced) — removed or replaced documents' rows become tombstones, new ones a delta
segment; when deltas and tombstones outgrow ``merge_fraction`` of the base, a background process
(``python -m knowledge.indexbuild``) writes a new base file, which a thread loads (mmap, its
checksums read, the new snapshot's statistics computed: ~0.2 s of work at 100k paragraphs) and
the next question after that swaps in and catches up. Questions are answered from the old
snapshot meanwhile: neither the merge nor loading its file is done on a question's time.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .compiled import loops
from .index import release_free_memory
from .normalize import normalize_aligned, normalize_many
from .rowfile import RowFile, load_row_file, row_file_path, write_row_file
from .segments import (
    FIELDS,
    KINDS,
    IndexFileError,
    Postings,
    Segment,
    build_base,
    build_segment,
    document_fingerprints,
    heads_text,
    index_path,
    load_segment,
    save_segment,
)
from .store import ParagraphRow, Store

__all__ = ["IndexKeeper", "RowReader", "Snapshot"]

log = logging.getLogger(__name__)

_CHAR_BITS = 18


def _gram_key(gram: str) -> int:
    return (ord(gram[0]) << _CHAR_BITS) | ord(gram[1]) if len(gram) == 2 else -1


def _live_df(postings: Postings, alive: np.ndarray | None) -> np.ndarray:
    """Each term's number of live rows in one segment."""
    return postings.df if alive is None else postings.live_df(alive)


class _Field:
    """One field (words, context or grams) over the live rows of every segment: exact BM25."""

    def __init__(self, name: str, segments: Sequence[Segment], alive: Sequence[np.ndarray | None],
                 live_df: Sequence[np.ndarray], offsets: Sequence[int], n_live: int, *,
                 k1: float = 1.2, b: float = 0.75) -> None:
        self.name = name
        self.size = n_live
        self._parts = [(seg.fields[name], a, off, seg) for seg, a, off in zip(segments, alive, offsets)]
        total = sum(int(p.lengths.sum()) if a is None else int(p.lengths[a].sum())
                    for p, a, *_ in self._parts)
        self._avgdl = np.float32(max(total / n_live if n_live else 0.0, 1e-9))
        self._k1, self._b = np.float32(k1), np.float32(b)
        self._one = float(self._k1 + np.float32(1))      # the compiled kernel's k1 + 1
        # per row: BM25's length normalisation k1 (1 - b + b len / avgdl), float32 as one
        # build computes it per posting (the same value: a gather per posting at query time)
        k1f, bf, avgdl = self._k1, self._b, self._avgdl
        self._norms = [k1f * (np.float32(1) - bf + bf * p.lengths.astype(np.float32) / avgdl)
                       for p, *_ in self._parts]
        base_df = live_df[0].astype(np.int64)
        self._n_base = base_df.size
        # Terms of the deltas: their slot in the base's terms, or an "extra" slot after them.
        self._extra: dict = {}
        self._delta_slots: list[dict[int, int]] = [{}]     # per segment: global slot → local id
        added: list[tuple[np.ndarray, np.ndarray]] = []
        for seg, seg_df in zip(segments[1:], live_df[1:]):
            keys = self._keys_of(seg)
            slots = self._base_lookup(keys)
            for i in np.flatnonzero(slots < 0).tolist():
                slots[i] = self._extra.setdefault(keys[i], self._n_base + len(self._extra))
            self._delta_slots.append(dict(zip(slots.tolist(), range(len(keys)))))
            added.append((slots, seg_df.astype(np.int64)))
        df = np.concatenate([base_df, np.zeros(len(self._extra), dtype=np.int64)])
        for slots, delta_df in added:
            np.add.at(df, slots, delta_df)
        self.global_df = df
        # the same expression (and dtype) as one build's idf: identical scores
        self.idf_all = np.log1p((n_live - df + 0.5) / (df + 0.5)).astype(np.float32)
        self.idf = self.idf_all[df > 0]
        self._slots: dict[str, int | None] = {}
        self.vocab = _LiveTerms(self)
        gram_keys = segments[0].gram_keys
        self._gram_keys = memoryview(gram_keys).cast("B").cast("q") if gram_keys.size else []
        # per delta segment: local term id → global slot
        self._global_slots: list[np.ndarray | None] = [None]
        for slots, _ in added:
            self._global_slots.append(slots)
        self._cache: OrderedDict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._cached = 0
        self._cache_lock = threading.Lock()

    # -- terms → global slots -------------------------------------------------------------------
    def _keys_of(self, seg: Segment) -> list:
        if self.name == "grams":
            return seg.gram_keys.tolist()
        vocab = seg.words_vocab if self.name == "words" else seg.context_vocab
        return list(vocab)

    def _base_lookup(self, keys: list) -> np.ndarray:
        base = self._parts[0][3]
        if self.name == "grams":
            return _sorted_lookup(base.gram_keys, np.array(keys, dtype=np.int64))
        vocab = base.words_vocab if self.name == "words" else base.context_vocab
        return np.array([-1 if at is None else at for at in vocab.get_many(keys)], dtype=np.int64)

    def _key(self, term: str):
        return _gram_key(term) if self.name == "grams" else term

    def slot(self, term: str) -> int | None:
        """The term's global slot if a live row has it."""
        found = self._slots.get(term, -1)
        if found == -1:
            if len(self._slots) > 100_000:
                self._slots.clear()
            found = self._slots[term] = self._find(term)
        return found

    def slots(self, terms: Sequence[str]) -> list[int | None]:
        """``[self.slot(t) for t in terms]``, the terms not seen before looked up together
        (one ``searchsorted`` over the base's keys, not a ``bisect`` each): a word's homophone
        spellings, a bigram's."""
        cached = self._slots
        out = [cached.get(t, -1) for t in terms]
        new = [t for t, at in zip(terms, out) if at == -1]
        if len(new) < 4:
            return [self.slot(t) if at == -1 else at for t, at in zip(terms, out)]
        if self.name == "grams":
            keys = [_gram_key(t) for t in new]
            found = _sorted_lookup(self._parts[0][3].gram_keys,
                                   np.array(keys, dtype=np.int64)).tolist()
        else:
            keys = new
            vocab = self._parts[0][3].words_vocab if self.name == "words" else \
                self._parts[0][3].context_vocab
            found = [-1 if at is None else at for at in vocab.get_many(new)]
        extra, df = self._extra, self.global_df
        if len(cached) > 100_000:
            cached.clear()
        for term, key, at in zip(new, keys, found):
            if at < 0 and extra:
                at = extra.get(key, -1)
            cached[term] = at if at >= 0 and df[at] > 0 else None
        return [cached[t] if at == -1 else at for t, at in zip(terms, out)]

    def _find(self, term: str) -> int | None:
        key = self._key(term)
        if self.name == "grams":
            keys = self._gram_keys
            at = bisect_left(keys, key) if key >= 0 else -1   # (no numpy call for one key)
            at = at if 0 <= at < len(keys) and keys[at] == key else -1
        else:
            vocab = self._parts[0][3].words_vocab if self.name == "words" else \
                self._parts[0][3].context_vocab
            found = vocab.get(key)
            at = -1 if found is None else found
        if at < 0:
            at = self._extra.get(key, -1)
        return at if at >= 0 and self.global_df[at] > 0 else None

    # -- the FieldIndex / GramIndex interface -------------------------------------------------------
    def term_idf(self, term: str) -> float:
        at = self.slot(term)
        return float(self.idf_all[at]) if at is not None else 0.0

    def df(self, term: str) -> int:
        at = self.slot(term)
        return int(self.global_df[at]) if at is not None else 0

    def latin_terms(self, min_length: int) -> list[str]:
        """Live terms that start with an ASCII character, at least ``min_length`` long (found
        by their first byte in each vocabulary's blob: no string made per term)."""
        out: set[str] = set()
        for i, (_, _, _, seg) in enumerate(self._parts):
            vocab = seg.words_vocab if self.name == "words" else seg.context_vocab
            if vocab.size == 0:
                continue
            blob = np.frombuffer(vocab.blob, dtype=np.uint8)
            starts = vocab.offsets[:-1]
            lengths = np.diff(vocab.offsets)
            ids = np.flatnonzero((lengths >= min_length) & (blob[np.minimum(starts, blob.size - 1)]
                                                             < 0x80))
            slots = ids if i == 0 else np.array(
                [self._extra.get(vocab.term(t), -1) for t in ids.tolist()], dtype=np.int64)
            for term_id, at in zip(ids.tolist(), slots.tolist()):
                if at >= 0 and self.global_df[at] > 0:
                    term = vocab.term(term_id)
                    if len(term) >= min_length:
                        out.add(term)
        return sorted(out)      # the order of one build's vocabulary, whatever the segments

    def known_replacing(self, term: str, options: Sequence[Sequence[str]]) -> list[str]:
        """:meth:`known` of ``term`` with one character replaced, at each position ``i`` by
        each of ``options[i]`` in turn (a bigram's homophone spellings: hundreds, nearly all
        absent). A bigram's replacement characters are looked up by their keys, computed from
        their code points in numpy: no string is made but for the ones found."""
        spelled = len(term) == 2 and len(options) == 2
        firsts, seconds = ("".join(o) for o in options) if spelled else ("", "")
        if (self.name != "grams" or not spelled or self._extra or not self._n_base
                or len(firsts) != len(options[0]) or len(seconds) != len(options[1])):
            return self.known([term[:i] + h + term[i + 1:]
                               for i, hs in enumerate(options) for h in hs])
        codes = np.frombuffer((firsts + seconds).encode("utf-32-le", "surrogatepass"),
                              dtype=np.uint32).astype(np.int64)
        n = len(firsts)
        wanted = np.empty_like(codes)      # _gram_key of each spelling
        wanted[:n] = (codes[:n] << _CHAR_BITS) | ord(term[1])
        wanted[n:] = (ord(term[0]) << _CHAR_BITS) | codes[n:]
        found = _sorted_lookup(self._parts[0][3].gram_keys, wanted)
        live = found >= 0
        live[live] = self.global_df[found[live]] > 0
        return [firsts[i] + term[1] if i < n else term[0] + seconds[i - n]
                for i in np.flatnonzero(live).tolist()]

    def known(self, terms: Sequence[str]) -> list[str]:
        """The ``terms`` a live row has, in order (``t in self.vocab`` of each). Many words
        (a word's homophone spellings: hundreds, nearly all absent, not asked again) are looked
        up together without the per-term cache, whose bookkeeping cost more than the lookup."""
        if len(terms) < _UNCACHED or self.name == "grams":
            return [t for t, at in zip(terms, self.slots(terms)) if at is not None]
        vocab = self._parts[0][3].words_vocab if self.name == "words" else \
            self._parts[0][3].context_vocab
        found = vocab.get_many(list(terms))
        extra, df = self._extra, self.global_df
        if extra:   # (a term only the deltas have; as slots() finds it)
            found = [extra.get(t, -1) if at is None else at for t, at in zip(terms, found)]
            return [t for t, at in zip(terms, found) if at >= 0 and df[at] > 0]
        return [t for t, at in zip(terms, found) if at is not None and df[at] > 0]

    def postings(self, query: Mapping[str, float], scale: float = 1.0
                 ) -> tuple[np.ndarray, np.ndarray]:
        """Global rows and BM25 weights × query weight × ``scale`` of ``query``'s terms' live
        postings (per row in query order, as one build's postings would be)."""
        rows, weights, qweights = self.postings_parts(query, scale)
        if not rows:
            return np.zeros(0, dtype=np.int32), np.zeros(0)
        lengths = [r.size for r in rows]
        # float32 weights × float64 query weights: float64, as one build's postings are
        return np.concatenate(rows), np.concatenate(weights) * np.repeat(qweights, lengths)

    def postings_parts(self, query: Mapping[str, float], scale: float = 1.0
                       ) -> tuple[list[np.ndarray], list[np.ndarray], list[float]]:
        """:meth:`postings` before it is joined: per term and segment its rows, its float32
        weights, and the query weight × ``scale`` they are to be multiplied by (the candidates
        stage joins the three fields' at once)."""
        rows: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        qweights: list[float] = []
        terms = [(w, at) for t, w in query.items() if (at := self.slot(t)) is not None]
        if not terms:
            return rows, weights, qweights
        for i in range(len(self._parts)):
            if i == 0:
                found = [(at, w * scale) for w, at in terms if at < self._n_base]
            else:
                local = self._delta_slots[i]
                found = [(loc, w * scale) for w, at in terms
                         if (loc := local.get(at)) is not None]
            if not found:
                continue
            for (term_rows, term_weights), (_, qweight) in zip(
                    self._term_postings(i, [loc for loc, _ in found]), found):
                rows.append(term_rows)
                weights.append(term_weights)
                qweights.append(qweight)
        return rows, weights, qweights

    def accumulate(self, total: np.ndarray, query: Mapping[str, float], scale: float,
                   kernel) -> int:
        """Add ``query``'s terms' BM25 weights × query weight × ``scale`` into ``total`` (a
        float64 per global row) with the compiled ``kernel`` (``knowledge._bm25``): the same
        weights, summed in the same order, as :meth:`postings_parts` joined and ``bincount``,
        without the weights cache. Returns how many postings it added."""
        terms = [(w, at) for w, at in zip(query.values(), self.slots(list(query)))
                 if at is not None]
        added = 0
        if not terms:
            return added
        one = self._one
        for i, (postings, alive, offset, _) in enumerate(self._parts):
            if i == 0:
                found = [(at, at, w * scale) for w, at in terms if at < self._n_base]
            else:
                local = self._delta_slots[i]
                found = [(loc, at, w * scale) for w, at in terms
                         if (loc := local.get(at)) is not None]
            if not found:
                continue
            locs, ats, qweights = zip(*found)     # (a gather each, not a numpy read per term)
            # the postings' bounds, spans and idf gathered in C, no numpy call per term list
            added += kernel.accumulate_span_terms(
                total, postings.rows, postings.tf, self._norms[i], alive, offset,
                postings.span_ptr, postings.span_first, postings.span_high, self.idf_all, locs,
                ats, list(qweights), one)
        return added

    def _term_postings(self, i: int, tids: list[int]
                       ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per term id of segment ``i``: its live postings' global rows and float32 BM25 weights
        (idf × saturated tf). The weights are kept, up to :data:`_CACHED_POSTINGS` per field
        (the least recently used go first): a snapshot's statistics never change, so neither
        do they, and the same words come back in question after question (一, 地区, 研究). The
        base segment's rows are not kept: made again from the postings' 16 bits when asked."""
        cache = self._cache
        out: list = [None] * len(tids)
        missing: list[int] = []
        with self._cache_lock:
            for j, tid in enumerate(tids):
                found = cache.get((i, tid))
                if found is None:
                    missing.append(j)
                else:
                    cache.move_to_end((i, tid))
                    out[j] = found
        postings, alive, offset, _ = self._parts[i]
        plain = alive is None and not offset
        for j in range(len(tids)):
            if out[j] is not None and out[j][0] is None:   # (None, term, weights)
                out[j] = (postings.term_rows(out[j][1]), out[j][2])
        if not missing:
            return out
        k1 = self._k1
        if plain:   # each term's postings are a slice of the segment's
            indptr, idf_all, norms, one = postings.indptr, self.idf_all, self._norms[i], \
                k1 + np.float32(1)
            new = []
            for j in missing:
                tid = tids[j]
                begin, stop = int(indptr[tid]), int(indptr[tid + 1])
                term_rows = postings.term_rows(tid)
                tf = postings.tf[begin:stop].astype(np.float32)
                # the same float32 operations, in the same order, as the gathered path below
                term_weights = (idf_all[tid] * tf * one / (tf + norms[term_rows])).astype(
                    np.float32, copy=False)
                out[j] = (term_rows, term_weights)
                new.append(((i, tid), (None, tid, term_weights)))
            self._keep(new)
            return out
        local = np.fromiter((tids[j] for j in missing), np.int64, count=len(missing))
        glob = local if i == 0 else self._global_slots[i][local]
        idf = self.idf_all[glob]
        starts, ends = postings.indptr[local], postings.indptr[local + 1]
        lengths = ends - starts
        where = np.arange(int(lengths.sum())) + np.repeat(starts - (np.cumsum(lengths) - lengths),
                                                          lengths)
        rows = postings.rows_at(where)
        tf = postings.tf[where].astype(np.float32)
        norm = self._norms[i][rows]
        term_of = np.repeat(idf, lengths)
        weights = (term_of * tf * (k1 + np.float32(1)) / (tf + norm)).astype(np.float32, copy=False)
        if alive is not None:
            keep = alive[rows]
            rows, weights = rows[keep], weights[keep]
            lengths = np.bincount(np.repeat(np.arange(len(missing)), lengths)[keep],
                                  minlength=len(missing))
        if offset:
            rows = rows.astype(np.int64) + offset
        new = []
        at = 0
        for j, size in zip(missing, lengths.tolist()):
            # their own copies: not views holding the whole gather
            out[j] = (rows[at:at + size].copy(), weights[at:at + size].copy())
            new.append(((i, tids[j]), out[j]))
            at += size
        self._keep(new)
        return out

    def _keep(self, new: list) -> None:
        """Put computed weights in the cache; the least recently used go beyond the limit."""
        cache = self._cache
        with self._cache_lock:
            for key, value in new:
                if key not in cache:
                    cache[key] = value
                    self._cached += value[-1].size
            while self._cached > _CACHED_POSTINGS and cache:
                self._cached -= cache.popitem(last=False)[1][-1].size


# cached rows made in Python untracked by the garbage collector, as the compiled row reader
# leaves its own (knowledge/_bm25.c: untrack)
_untrack = getattr(loops, "untrack", None)

_UNCACHED = 64                  # known(): this many terms or more skip the per-term cache
_CACHED_POSTINGS = 2_000_000    # weights kept per field and snapshot (float32: ≤ 8 MB; a
                                # delta's or a base with tombstones' rows too: ≤ 16 MB)


class _LiveTerms:
    """``term in field.vocab``: a live row has it; iteration: every live term (rarely used)."""

    def __init__(self, field: _Field) -> None:
        self._field = field
        self._slots = field._slots     # (cleared in place, never replaced)

    def __contains__(self, term: object) -> bool:
        # a question's analysis asks ~100 times: a term seen before costs one dict lookup
        try:
            found = self._slots.get(term, -1)
        except TypeError:        # unhashable: no term
            return False
        if found == -1:
            return isinstance(term, str) and self._field.slot(term) is not None
        return found is not None

    def __iter__(self) -> Iterator[str]:
        field = self._field
        seen: set[str] = set()
        for _, _, _, seg in field._parts:
            vocab = seg.words_vocab if field.name == "words" else seg.context_vocab
            for term in vocab:
                if term not in seen and field.slot(term) is not None:
                    seen.add(term)
                    yield term


def _members(values: np.ndarray, sorted_set: np.ndarray) -> np.ndarray:
    """Per value: whether it is in ``sorted_set`` (sorted; a binary search, no hashing)."""
    if sorted_set.size == 0:
        return np.zeros(values.size, dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_set, values), sorted_set.size - 1)
    return sorted_set[pos] == values


def _sorted_lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each ``wanted`` key in sorted ``keys`` (-1: absent)."""
    if keys.size == 0 or wanted.size == 0:
        return np.full(wanted.size, -1, dtype=np.int64)
    pos = np.searchsorted(keys, wanted)
    pos[pos >= keys.size] = 0
    return np.where(keys[pos] == wanted, pos, -1)


class RowReader:
    """Paragraphs by id: read from the store when a search needs them, a few thousand cached
    (with their normalised text and headings); or all kept in memory (a searcher built from
    rows, without a database)."""

    def __init__(self, store: Store | None = None, *, kept: Iterable[ParagraphRow] = (),
                 cache: int = 4096) -> None:
        self.store = store
        self._kept = {row.paragraph_id: row for row in kept}
        self._cache: OrderedDict[int, tuple[ParagraphRow, str, str]] = OrderedDict()
        self._size = cache
        self._heads: dict[tuple, str] = {}    # (title, headings, question) → heads_text
        self._lock = threading.RLock()
        self.asked_words: dict[int, tuple[str, list[str]]] = {}  # FAQ pair: question, its words

    def fetch(self, ids: Iterable[int], same_norm: Iterable[bool] = (), *,
              rowfile: RowFile | None = None, places: Iterable[int] = ()) -> None:
        """Read the paragraphs of ``ids`` not cached, in one query (``same_norm``: per id,
        whether its text is already normalised, as the index recorded); the cached ones count
        as just used. With ``rowfile`` (the base segment's, :mod:`.rowfile`), an id whose
        ``places`` entry is a row of it (not -1) is read from there, not from SQLite, with its
        normalised text and heading text (nothing to compute)."""
        ids = list(ids)
        with self._lock:   # searches in threads share the cache (an eviction between two steps)
            cache = self._cache
            missing = []
            if rowfile is not None:
                same_list = list(same_norm) or [False] * len(ids)
                rest: list[int] = []
                rest_same: list[bool] = []
                read: dict[int, int] = {}     # the file's rows to read: id → row
                touch = cache.move_to_end
                for pid, same, at in zip(ids, same_list, places):
                    if pid in cache:
                        touch(pid)
                    elif at >= 0:
                        read[pid] = at
                    else:   # (read below with the rows from SQLite: normalised at once)
                        rest.append(pid)
                        rest_same.append(same)
                if read:     # (in one call, in the order asked: the cache's order as before)
                    cache.update(zip(read, rowfile.entries(list(read.values()))))
                while len(cache) > self._size:   # (the least recently used, once)
                    cache.popitem(last=False)
                if not rest:
                    return
                ids, same_norm = rest, rest_same
            same = dict(zip(ids, same_norm))
            for pid in dict.fromkeys(ids):
                if pid in cache:
                    cache.move_to_end(pid)
                else:
                    missing.append(pid)
            self._fetch(missing, same)

    def _fetch(self, missing: list[int], same: dict[int, bool]) -> None:
        if not missing:
            return
        found: dict[int, ParagraphRow] = {}
        found.update((i, self._kept[i]) for i in missing if i in self._kept)
        if self.store is not None and len(found) < len(missing):
            found.update(self.store.paragraphs([i for i in missing if i not in found]))
        rows = [found.get(pid) or ParagraphRow(pid, 0, 0, "", (), (), "", "", None, None)
                for pid in missing]
        todo = [at for at, pid in enumerate(missing) if not same.get(pid, False)]
        norms = [row.text for row in rows]
        for at, norm in zip(todo, normalize_many([norms[at] for at in todo])):
            norms[at] = norm
        for pid, row, norm in zip(missing, rows, norms):
            self._put(pid, row, norm)

    def _put(self, pid: int, row: ParagraphRow, norm: str) -> tuple[ParagraphRow, str, str]:
        text = row.text
        if len(norm) != len(text):  # keep offsets aligned with text (rare: NFKC expansions)
            norm = normalize_aligned(text)
        elif norm == text:
            norm = text
        key = (row.title, row.section, row.question)
        head = self._heads.get(key)
        if head is None:
            if len(self._heads) > 20_000:
                self._heads.clear()
            head = self._heads[key] = heads_text(row)
        entry = self._cache[pid] = (row, norm, head)
        if _untrack is not None:    # (kept long: no collection need traverse it, rowfile.py)
            _untrack([*row.sentences, row.sentences, row.section, row, entry])
        if len(self._cache) > self._size:
            self._cache.popitem(last=False)
        return entry

    def entry(self, pid: int, rowfile: RowFile | None = None, at: int = -1
              ) -> tuple[ParagraphRow, str, str]:
        found = self._cache.get(pid)   # (a search's rows were fetched and touched just before)
        if found is None:
            with self._lock:
                self.fetch([pid], rowfile=rowfile, places=[at])
                found = self._cache[pid]
        return found

    def forget(self, ids: Iterable[int]) -> None:
        """Drop cached paragraphs (their rows died: an id may be used again)."""
        with self._lock:
            for pid in ids:
                self._cache.pop(pid, None)
                self.asked_words.pop(pid, None)

    def ids_by_ref(self, ref: str) -> list[int]:
        if self.store is not None:
            return self.store.paragraph_ids_by_ref(ref)
        return sorted(pid for pid, row in self._kept.items() if row.ref == ref)


class _RowView(Sequence):
    """``view[row]`` for every global row of a snapshot: a paragraph, its normalised text, or
    its heading text (``part`` 0, 1, 2), read through the :class:`RowReader` (from the base's
    row file for its rows, when there is one)."""

    def __init__(self, reader: RowReader, ids: np.ndarray, part: int,
                 rowfile: RowFile | None = None) -> None:
        self._reader, self._ids, self._part = reader, ids, part
        # (a search reads ~150 rows through the views: Python ints, not numpy scalars)
        self._id_of = memoryview(np.ascontiguousarray(ids, dtype=np.int64)).cast("B").cast("q") \
            if ids.size else []
        self._rowfile = rowfile
        self._file_rows = len(rowfile) if rowfile is not None else 0
        self._cached = reader._cache.get   # (the reader's cache is never replaced)

    def __len__(self) -> int:
        return int(self._ids.size)

    def __getitem__(self, row):  # type: ignore[override]
        row = int(row)
        pid = self._id_of[row]
        found = self._cached(pid)   # (a search's rows were fetched just before: the usual case)
        if found is None:
            found = self._reader.entry(pid, self._rowfile, row if row < self._file_rows else -1)
        return found[self._part]

    def entries(self, rows: Sequence[int]) -> list[tuple[ParagraphRow, str, str]]:
        """Each row's whole entry, one lookup a row: its paragraph, normalised text and
        heading text (what a snapshot's three views give for it)."""
        id_of, cached, out = self._id_of, self._cached, []
        for row in rows:
            found = cached(id_of[row])
            if found is None:
                found = self._reader.entry(id_of[row], self._rowfile,
                                           row if row < self._file_rows else -1)
            out.append(found)
        return out

    def completes(self, norms: object, heads: object) -> bool:
        """Are ``norms`` and ``heads`` the normalised texts' and heading texts' views of the
        same rows (so that :meth:`entries` gives all three)?"""
        return self._part == 0 and all(
            isinstance(view, _RowView) and view._reader is self._reader
            and view._ids is self._ids and view._part == part
            for view, part in ((norms, 1), (heads, 2)))


class Snapshot:
    """Segments and their live rows: what one :class:`~.search.Searcher` answers from."""

    def __init__(self, segments: list[Segment], alive: list[np.ndarray | None],
                 reader: RowReader, live_df: list[dict[str, np.ndarray]] | None = None,
                 rowfile: RowFile | None = None) -> None:
        """``rowfile``: the base segment's paragraphs (:mod:`.rowfile`), if its file is there."""
        self.segments, self.alive, self.reader = segments, alive, reader
        self.rowfile = rowfile
        self._file_rows = len(rowfile) if rowfile is not None else 0
        # per segment and field: each term's live rows (kept up to date by apply())
        self.live_df = live_df if live_df is not None else [
            {name: _live_df(seg.fields[name], a) for name in FIELDS}
            for seg, a in zip(segments, alive)]
        sizes = [len(seg) for seg in segments]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        self.n_rows = int(self.offsets[-1])
        self.n_live = sum(size if a is None else int(a.sum()) for size, a in zip(sizes, alive))
        self.ids = np.concatenate([seg.ids for seg in segments]) if len(segments) > 1 \
            else segments[0].ids
        # each row's document id (what a per-document filter such as an audience needs,
        # without reading the rows)
        self.docs = np.concatenate([seg.docs for seg in segments]) if len(segments) > 1 \
            else segments[0].docs
        self._alive_all = None if all(a is None for a in alive) else np.concatenate(
            [np.ones(len(seg), dtype=bool) if a is None else a for seg, a in zip(segments, alive)])
        offsets = self.offsets[:-1].tolist()
        self.words, self.context, self.grams = (
            _Field(name, segments, alive, [d[name] for d in self.live_df], offsets, self.n_live)
            for name in FIELDS)
        self.rows = _RowView(reader, self.ids, 0, rowfile)
        self.norms = _RowView(reader, self.ids, 1, rowfile)
        self.heads = _RowView(reader, self.ids, 2, rowfile)
        live = self.live_mask()
        self.liability = _RowSet(np.concatenate([seg.liability for seg in segments]) & live)
        self.references = _References(self)
        self._same_norm = np.concatenate([seg.same_norm for seg in segments])
        kinds = np.concatenate([seg.kinds for seg in segments])
        self.faq_rows = np.flatnonzero((kinds == KINDS.index("faq")) & live)

    @classmethod
    def of_rows(cls, rows: Iterable) -> "Snapshot":
        """A snapshot built from :class:`~.store.IndexRow` s in memory (no database behind it)."""
        segment = build_segment(rows, keep_rows=True)
        reader = RowReader(kept=segment.rows or ())
        segment.rows = None
        return cls([segment], [None], reader)

    def live_mask(self) -> np.ndarray:
        return self._alive_all if self._alive_all is not None else np.ones(self.n_rows, dtype=bool)

    def fetch(self, rows: Iterable[int] | np.ndarray) -> None:
        """Read these global rows' paragraphs now, in one query (a search's candidates: their
        array as it is, no list made and turned back into an array)."""
        if not isinstance(rows, np.ndarray):
            rows = np.fromiter(rows, np.int64)
        elif rows.dtype != np.int64:     # (an empty array may be float)
            rows = rows.astype(np.int64)
        ids, same = self.ids[rows].tolist(), self._same_norm[rows].tolist()
        if self.rowfile is None:
            self.reader.fetch(ids, same)
            return
        # (every row is the file's when there is no delta: the rows are their own places)
        places = rows.tolist() if self._file_rows == self.n_rows else \
            np.where(rows < self._file_rows, rows, -1).tolist()
        self.reader.fetch(ids, same, rowfile=self.rowfile, places=places)

    def row_of_ref(self, ref: str) -> int | None:
        """The first live row holding the paragraph of stable reference ``ref``."""
        live = self.live_mask()
        for pid in self.reader.ids_by_ref(ref):
            for at in np.flatnonzero(self.ids == pid).tolist():
                if live[at]:
                    return at
        return None

    def deltas(self) -> int:
        return len(self.segments) - 1

    def changed_rows(self) -> int:
        """Rows in deltas and tombstones: what a merge would fold in."""
        dead = self.n_rows - self.n_live
        return dead + sum(len(seg) for seg in self.segments[1:])

    def apply(self, removed_docs: Iterable[int], delta: Segment | None) -> "Snapshot":
        """A new snapshot: the rows of ``removed_docs`` dead, ``delta`` added."""
        removed = np.fromiter(removed_docs, np.int64)
        alive: list[np.ndarray | None] = []
        live_df: list[dict[str, np.ndarray]] = []
        dead_ids: list[int] = []
        for seg, a, df in zip(self.segments, self.alive, self.live_df):
            if removed.size:
                dying = np.isin(seg.docs, removed)
                if a is not None:
                    dying &= a
                if dying.any():
                    dead_ids.extend(seg.ids[dying].tolist())
                    a = (np.ones(len(seg), dtype=bool) if a is None else a.copy())
                    a[dying] = False
                    rows = np.flatnonzero(dying)
                    df = {name: df[name] - seg.fields[name].df_of_rows(rows) for name in FIELDS}
            alive.append(a)
            live_df.append(df)
        self.reader.forget(dead_ids)
        segments = list(self.segments)
        if delta is not None and len(delta):
            segments.append(delta)
            alive.append(None)
            live_df.append({name: delta.fields[name].df for name in FIELDS})
        # a segment whose rows all died goes (not the base)
        kept = [i for i, a in enumerate(alive) if i == 0 or a is None or a.any()]
        return Snapshot([segments[i] for i in kept], [alive[i] for i in kept], self.reader,
                        [live_df[i] for i in kept], self.rowfile)


class _RowSet:
    """``row in rows``: a boolean per global row, without a Python set of them."""

    def __init__(self, mask: np.ndarray) -> None:
        self._mask = mask

    def __contains__(self, row: object) -> bool:
        return bool(self._mask[row]) if isinstance(row, (int, np.integer)) else False

    def take(self, rows: np.ndarray) -> np.ndarray:
        """``[row in self for row in rows]`` as booleans, in one gather."""
        return self._mask[rows]


class _References:
    """(章/条, n) → the live rows under such a heading, gathered from the segments when asked."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._found: dict[tuple[str, int], list[int]] = {}

    def get(self, ref: tuple[str, int], default=()):
        found = self._found.get(ref)
        if found is None:
            snap, rows = self._snapshot, []
            live = snap.live_mask()
            for seg, offset in zip(snap.segments, snap.offsets[:-1].tolist()):
                at = seg.references.get(ref)
                if at is not None:
                    at = at.astype(np.int64) + offset
                    rows.extend(at[live[at]].tolist())
            found = self._found[ref] = rows
        return found or default


@contextmanager
def _one_read(store: Store) -> Iterator[None]:
    """Reads that see one state of the database (a read transaction in WAL mode)."""
    conn = store.db.conn
    began = not conn.in_transaction
    if began:
        conn.execute("BEGIN")
    try:
        yield
    finally:
        if began:
            conn.execute("COMMIT")


@dataclass(frozen=True)
class Changes:
    """What one catch-up found between two generations of the database: the documents gone
    (removed or replaced) and those come (added or replaced) with their stored audience, read in
    the same read as their rows (:meth:`DocAudiences.moved <.audiences.DocAudiences.moved>`)."""

    since: int
    until: int
    removed: np.ndarray
    added: dict[int, str]


class IndexKeeper:
    """Keeps a :class:`Snapshot` current with one store (see the module docstring)."""

    def __init__(self, store: Store, *, merge_fraction: float = 0.05, max_deltas: int = 16,
                 background: bool = True) -> None:
        self.store = store
        self.path = None if store.path == ":memory:" else index_path(store.path)
        self.merge_fraction, self.max_deltas = merge_fraction, max_deltas
        self.background = background and self.path is not None
        self.snapshot: Snapshot | None = None
        self.generation = -1
        self._documents = (np.zeros(0, np.int64), np.zeros(0, np.int64))   # ids, fingerprints
        self._merge: subprocess.Popen | None = None
        self.changes: Changes | None = None     # what the last catch-up found
        self._loading: threading.Thread | None = None    # loads a merge's file beside questions
        self._loaded: tuple | None = None       # its (segment, snapshot) or (None, the error)
        self.events: list[str] = []     # what happened, for logs and tests: loaded, built, …

    def stale(self, generation: int | None = None) -> bool:
        """Whether :meth:`current` has work to do (the database moved, a merge finished);
        ``generation``: the database's, if just read (else it is read here)."""
        if generation is None:
            generation = self.store.generation
        return self.snapshot is None or self.generation != generation or self._merge_news()

    def _merge_news(self) -> bool:
        """A merge process has ended (its file is to be loaded), or its file is loaded."""
        if self._loading is not None:
            return not self._loading.is_alive()
        return self._merge is not None and self._merge.poll() is not None

    def current(self) -> tuple[Snapshot, int]:
        """The snapshot of the database as it is now, and its generation."""
        if self._loading is None and self._merge is not None and self._merge.poll() is not None:
            self._load_merged()
        if self._loading is not None and not self._loading.is_alive():
            self._finish_merge()
        if self.snapshot is None:
            self._open()
        elif self.generation != self.store.generation:
            self._catch_up()
        self._maybe_merge()
        return self.snapshot, self.generation

    def close(self) -> None:
        if self._merge is not None and self._merge.poll() is None:
            self._merge.kill()
            self._merge.wait()
        self._merge = None
        if self._loading is not None:
            self._loading.join()
        self._loading = self._loaded = None

    # -- open: load the file or build ---------------------------------------------------------------
    def _open(self) -> None:
        segment = None
        if self.path is not None:
            try:
                started = time.perf_counter()
                segment = load_segment(self.path, schema=self.store.schema_version)
                self._event(f"loaded {self.path} (generation {segment.generation}, "
                            f"{len(segment)} rows) in {time.perf_counter() - started:.2f} s")
            except IndexFileError as err:
                if self.path.exists():
                    log.warning("index file: %s; building it again", err)
                self._event(f"rebuild: {err}")
        if segment is not None:
            self._use_base(segment, rewrite_rows=True)
            self._catch_up()
            if self.snapshot.changed_rows() <= max(len(segment), 1) // 2:
                return
            self._event("file too far behind the database: rebuilding")
        self._build()

    def _build(self) -> None:
        started = time.perf_counter()
        with _one_read(self.store):   # (the row file: its paragraphs as the same read sees them)
            generation, _, segment = build_base(
                self.store, rows_to=None if self.path is None else row_file_path(self.store.path))
        self._use_base(segment)
        self._event(f"built generation {generation} ({len(segment)} rows"
                    f"{'' if self.path is None else ', and its row file'}) in "
                    f"{time.perf_counter() - started:.2f} s")
        if self.path is not None:
            try:
                save_segment(segment, self.path, schema=self.store.schema_version)
            except OSError as err:  # a read-only folder: search from memory, rebuild next start
                log.warning("cannot write the index file %s: %s", self.path, err)
                return
            # Search the file just written (mapped: the process keeps the pages its questions
            # read) rather than the arrays built, which are the whole index in this process's
            # own memory (a 1M-paragraph base: GBs for as long as the process lives).
            del segment
            try:
                saved = load_segment(self.path, schema=self.store.schema_version)
            except IndexFileError as err:
                log.warning("index file written but not readable: %s", err)
                return
            if saved.generation == generation:
                self._use_base(saved)
                release_free_memory()

    def _use_base(self, segment: Segment, *, rewrite_rows: bool = False,
                  snapshot: Snapshot | None = None) -> None:
        """Search ``segment`` (a base) with its row file; ``rewrite_rows``: write the row file
        again when there is one that cannot be used (an older format, damaged, another
        base's) and the base is the database's current state. ``snapshot``: the base's
        snapshot as a thread already made it (a merge's, :meth:`_load_merged`)."""
        reader = self.snapshot.reader if self.snapshot is not None else RowReader(self.store)
        reader.forget(list(reader._cache))   # ids may have been used again since
        if snapshot is None:
            rowfile = None
            if self.path is not None:
                rows_path = row_file_path(self.store.path)
                rowfile = load_row_file(rows_path, ids=segment.ids, docs=segment.docs,
                                        generation=segment.generation,
                                        schema=self.store.schema_version)
                if rowfile is None and rewrite_rows and rows_path.exists():
                    rowfile = self._rewrite_rows(segment, rows_path)
            snapshot = Snapshot([segment], [None], reader, rowfile=rowfile)
        self.snapshot = snapshot
        self._documents = segment.documents or (np.zeros(0, np.int64), np.zeros(0, np.int64))
        self.generation = segment.generation
        self.changes = None

    def _rewrite_rows(self, segment: Segment, rows_path: Path) -> RowFile | None:
        started = time.perf_counter()
        with _one_read(self.store):
            if self.store.generation != segment.generation:
                return None    # (the next base build writes it)
            try:
                size = write_row_file(self.store, segment.ids, rows_path,
                                      generation=segment.generation,
                                      schema=self.store.schema_version)
            except OSError as err:
                log.warning("cannot write the row file: %s", err)
                return None
        if size is None:
            return None
        self._event(f"row file written again ({size} bytes) in "
                    f"{time.perf_counter() - started:.2f} s")
        return load_row_file(rows_path, ids=segment.ids, docs=segment.docs,
                             generation=segment.generation, schema=self.store.schema_version)

    # -- updates: tombstones and deltas ----------------------------------------------------------
    def _catch_up(self) -> None:
        started = time.perf_counter()
        with _one_read(self.store):
            generation = self.store.generation
            documents, removed, added = self._changed_documents()
            delta = build_segment(self.store.load_rows(added)) if added else None
            audiences = self.store.audiences_of(added)
        self.changes = Changes(self.generation, generation, np.array(removed, dtype=np.int64),
                               audiences)
        if removed or delta is not None:
            self.snapshot = self.snapshot.apply(removed, delta)
            self._event(f"generation {generation}: {len(removed)} documents out, {len(added)} "
                        f"in ({len(delta) if delta else 0} rows) in "
                        f"{(time.perf_counter() - started) * 1000:.0f} ms")
        self._documents = documents
        self.generation = generation

    def _changed_documents(self) -> tuple[tuple[np.ndarray, np.ndarray], list[int], list[int]]:
        """The documents as they are now (ids, fingerprints), the ids of those removed or
        replaced since, and of those added or replaced — reading little: new documents have
        ids above the largest known one; a removal shows in the count (then every id is read,
        from a small index); and a document replaced under its old id (SQLite reuses the
        largest rowid) was inserted when every id from its own up had gone, so such documents
        are a run at the top of the known ids: their fingerprints are read from the top down
        until one has not changed."""
        store = self.store
        old_ids, old_fps = self._documents
        top = int(old_ids[-1]) if old_ids.size else -1
        above = np.array(store.document_ids(above=top), dtype=np.int64)
        if store.document_count() - above.size == old_ids.size:
            present = np.ones(old_ids.size, dtype=bool)    # nothing below the top was removed
        else:
            present = _members(old_ids, np.sort(store.document_ids()))
        common, removed = old_ids[present], old_ids[~present]
        replaced: list[int] = []
        end, chunk = common.size, 16
        while end > 0:
            start = max(0, end - chunk)
            ids = common[start:end]
            now = dict(store.document_fingerprints(ids.tolist()))
            before = old_fps[np.searchsorted(old_ids, ids)]
            same = [now.get(int(d)) == int(fp) for d, fp in zip(ids, before)]
            if all(same):
                break
            unchanged = [i for i, ok in enumerate(same) if ok]
            replaced.extend(ids[unchanged[-1] + 1 if unchanged else 0:].tolist())
            if unchanged:
                break
            end, chunk = start, chunk * 4
        added = sorted([*above.tolist(), *replaced])
        fresh = document_fingerprints(store.document_fingerprints(added)) if added else \
            (np.zeros(0, np.int64), np.zeros(0, np.int64))
        keep = present & ~_members(old_ids, np.array(sorted(replaced), dtype=np.int64))
        ids = np.concatenate([old_ids[keep], fresh[0]])
        fps = np.concatenate([old_fps[keep], fresh[1]])
        kept = old_ids[keep]
        if not (kept.size and fresh[0].size and fresh[0][0] <= kept[-1]):
            documents = (ids, fps)     # (new ids above the known ones: already in order)
        else:
            order = np.argsort(ids, kind="stable")
            documents = (ids[order], fps[order])
        return documents, sorted([*removed.tolist(), *replaced]), fresh[0].tolist()

    # -- merge -------------------------------------------------------------------------------------
    def _maybe_merge(self) -> None:
        snap = self.snapshot
        if self._merge is not None or snap.deltas() == 0 and snap.n_rows == snap.n_live:
            return
        base = len(snap.segments[0])
        if snap.changed_rows() <= self.merge_fraction * base and snap.deltas() <= self.max_deltas:
            return
        if not self.background:
            self._event("merge (in this process)")
            self._build()
            return
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            [root, *filter(None, [os.environ.get("PYTHONPATH")])])}
        self._merge = subprocess.Popen(
            [sys.executable, "-m", "knowledge.indexbuild", self.store.path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        self._event(f"merge started (process {self._merge.pid}): {snap.deltas()} deltas, "
                    f"{snap.n_rows - snap.n_live} tombstones")

    def _load_merged(self) -> None:
        """The merge process has ended: if it wrote its file, load it on a thread — the file's
        and the row file's checksums, the mapping and the new snapshot's statistics — while
        questions are answered from the current snapshot (:meth:`_finish_merge` swaps)."""
        merge = self._merge
        err = merge.stderr.read().decode(errors="replace")[-2000:] if merge.stderr else ""
        if merge.stderr:
            merge.stderr.close()
        if merge.returncode != 0:
            self._merge = None
            log.warning("index merge failed (exit %s): %s", merge.returncode, err)
            self._event(f"merge failed: {merge.returncode}")
            return
        schema = self.store.schema_version
        reader = self.snapshot.reader

        def load() -> None:
            try:
                segment = load_segment(self.path, schema=schema)
                rowfile = load_row_file(row_file_path(self.store.path), ids=segment.ids,
                                        docs=segment.docs, generation=segment.generation,
                                        schema=schema)
                self._loaded = (segment, Snapshot([segment], [None], reader, rowfile=rowfile))
            except Exception as error:  # noqa: BLE001 - an unreadable file (IndexFileError)
                self._loaded = (None, error)       # or worse: reported by _finish_merge

        self._loaded = None
        self._loading = threading.Thread(target=load, name="index-merge-load", daemon=True)
        self._loading.start()
        self._event("merge written: loading its file")

    def _finish_merge(self) -> None:
        """Swap in the merged base the thread loaded, and catch up with what changed since the
        merge read the database."""
        self._loading.join()
        (segment, loaded), self._loading, self._loaded, self._merge = self._loaded, None, None, None
        if segment is None:
            log.warning("index merge: %s", loaded)
            self._event(f"merge unreadable: {loaded}")
            return
        self._use_base(segment, snapshot=loaded)
        self._event(f"merged: base generation {segment.generation}, {len(segment)} rows")
        self._catch_up()

    def _event(self, what: str) -> None:
        log.info("index: %s", what)
        self.events.append(what)
        del self.events[:-50]
