"""The compiled BM25 candidates (knowledge/_bm25.c, built by ``python setup.py build_ext
--inplace`` or ``pip install -e .``) answer exactly as the numpy path: the same rows, in the same
order, with the same totals bit for bit — on a small random corpus with duplicate paragraphs
(ties), delta segments and tombstones, with and without an audience mask, and its loop against
numpy over segments of several row blocks, and the row file's rows read in one compiled call
as Python reads them; and the rerank's compiled spans (``rank._layout``), spans × units matrix
(``rank._Spans.matrix``) and windows (``rank._windows``) equal their Python paths on random
texts, units and matrices.

A search with ``explain=True`` takes the numpy path (it needs each field's own score); one
without takes the compiled one when it is built. Without it, these tests are skipped: both paths
would be numpy's.
"""

from __future__ import annotations

import random
import re
import shutil
from itertools import chain, pairwise
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import KnowledgeBase, index, rank
from knowledge.query import Unit

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [s for s in re.findall(r"[^。！？\s]+[。！？]", (ROOT / "seeds" /
             "organization-work-2025.txt").read_text(encoding="utf-8")) if len(s) > 12]

pytestmark = pytest.mark.skipif(rank._bm25 is None, reason="knowledge._bm25 is not built "
                                "(python setup.py build_ext --inplace)")


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """The seed document, 40 channel posts (some the same text: tied scores), then 10 posts
    more and 5 removed after the index file was written: a base, deltas and tombstones."""
    folder = tmp_path_factory.mktemp("compiled")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    rng = random.Random(5)
    texts = ["".join(rng.sample(SENTENCES, rng.randint(1, 3))) for _ in range(30)]
    with KnowledgeBase(folder / "kb.db") as first:
        first.ingest([folder / "seeds"])
        for n in range(40):
            first.add_post(chat_id=-100, message_id=n, text=f"通知\n{texts[n % 30]}", url=None)
        assert first.search("政绩观").hits
    base = KnowledgeBase(folder / "kb.db")
    base._index.merge_fraction = 1e9     # keep the deltas and tombstones: no merge
    for n in range(40, 50):
        base.add_post(chat_id=-100, message_id=n, text=f"通知\n{texts[n % 30]}", url=None)
    for n in (3, 17, 41):
        assert base.remove_origin(f"telegram:-100:{n}")
    base.search("政绩观")
    snapshot = base.searcher.snapshot
    assert snapshot.deltas() >= 1 and snapshot.n_live < snapshot.n_rows
    yield base
    base.close()


def questions(seed: int, count: int) -> list[str]:
    """Random questions: pieces of the corpus's sentences, a few words long."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        sentence = rng.choice(SENTENCES)
        start = rng.randrange(max(1, len(sentence) - 6))
        out.append(sentence[start:start + rng.randint(3, 14)])
    return out


def test_compiled_candidates_equal_the_numpy_path(kb):
    searcher = kb.searcher
    ranker, config = searcher.ranker, searcher.config
    rng = np.random.default_rng(3)
    for question in questions(11, 120):
        query = searcher.analyse(question)
        for visible in (None, rng.random(len(searcher.rows)) < 0.7):
            for n in (1, 5, 25):
                fast = ranker.candidates(query, n, config, fields=False, visible=visible)
                slow = ranker.candidates(query, n, config, fields=True, visible=visible)
                assert fast.rows.tolist() == slow.rows.tolist(), question
                assert fast.total.tolist() == slow.total.tolist(), question   # bit for bit
                assert fast.named == slow.named


def test_a_search_answers_the_same_through_either_path(kb):
    for question in questions(12, 60) + ["政绩观", "第三条", "天气怎么样", "基层减负"]:
        plain = kb.search(question, 8, closest=True)
        explained = kb.search(question, 8, closest=True, explain=True)
        assert plain.status == explained.status, question
        assert [(h.paragraph_id, h.score, h.excerpt) for h in plain.hits] == \
            [(h.paragraph_id, h.score, h.excerpt) for h in explained.hits], question


def test_the_rerank_reads_a_snapshots_rows_as_from_plain_lists(kb):
    """The rerank over a snapshot's views reads each candidate's paragraph, normalised text and
    headings in one lookup, and its liability articles in one gather: the same ranking, parts
    and order as a ranker over plain mappings and sets of the same rows (deltas, tombstones)."""
    searcher = kb.searcher
    ranker, config, size = searcher.ranker, searcher.config, len(searcher.rows)
    assert ranker._entries is not None and not ranker._asked
    live = searcher.snapshot.live_mask()
    searcher.snapshot.fetch(np.flatnonzero(live).tolist())
    keep = [i for i in range(size) if live[i]]
    plain = rank.Ranker({i: searcher.rows[i] for i in keep}, {i: searcher.norms[i] for i in keep},
                        searcher.words, searcher.context, searcher.grams,
                        heads={i: searcher.snapshot.heads[i] for i in keep}, questions={},
                        liability={i for i in keep if i in ranker._liability},
                        references=ranker._references, associations=ranker.associations)
    assert plain._entries is None
    compared = 0
    for question in questions(13, 60):
        query = searcher.analyse(question)
        candidates = ranker.candidates(query, 25, config, fields=False)
        if not candidates.rows.size:
            continue
        mine, theirs = ranker.rerank(query, candidates, config), plain.rerank(query, candidates,
                                                                                config)
        assert [(r.row, r.final, r.parts, r.covers) for r in mine] == \
            [(r.row, r.final, r.parts, r.covers) for r in theirs], question
        compared += 1
    assert compared > 40


def test_the_compiled_row_reader_reads_the_rows_as_python(kb, monkeypatch):
    """A search's rows from the row file (``_bm25.read_rows``: one pread and marshal a row,
    its sentences paired) are what :meth:`RowFile.entry` reads in Python; and without the
    compiled reader, ``entries`` is that Python path."""
    from knowledge import rowfile
    if rowfile._read_rows is None:
        pytest.skip("no compiled row reader here (Windows)")
    file = kb.searcher.snapshot.rowfile
    assert file is not None and len(file) > 40
    ats = list(range(len(file))) + [5, 0, 5]
    python = [file.entry(at) for at in ats]
    assert file.entries(ats) == python
    assert [row.sentences for row, _, _ in file.entries(ats)] == \
        [row.sentences for row, _, _ in python]
    with pytest.raises(IndexError):
        file.entries([len(file)])
    monkeypatch.setattr(rowfile, "_read_rows", None)
    assert file.entries(ats) == python


def numpy_top(total: np.ndarray, n: int, visible: np.ndarray | None) -> list[int]:
    """The numpy path's pick (rank.Ranker.candidates)."""
    matched = np.flatnonzero((total > 0) & visible if visible is not None else total > 0)
    if matched.size > n:
        matched = matched[np.argpartition(-total[matched], n - 1)[:n]]
    return matched[np.argsort(-total[matched], kind="stable")].tolist()


def spanned(lists: list[np.ndarray]):
    """Postings of term row lists as the index stores them: rows in 16 bits, spans."""
    rows = np.concatenate(lists).astype(np.int32)
    indptr = np.concatenate([[0], np.cumsum([len(x) for x in lists])]).astype(np.int64)
    span_ptr, span_first, span_high = index.row_spans(indptr, rows)
    return rows.astype(np.uint16), indptr, span_ptr, span_first, span_high


@pytest.mark.parametrize("seed", range(4))
def test_accumulate_over_several_row_blocks_and_spans_equals_numpy(seed):
    """``_bm25.accumulate_spans`` walks the rows in blocks (totals and norms kept in the cache)
    and their rows' high bits from spans of 65,536 rows; over a segment of several blocks and
    spans, with tombstones and an offset, every row's total is the numpy sum in query order,
    bit for bit."""
    rng = np.random.default_rng(seed)
    n_local, offset = int(rng.integers(20_000, 200_000)), int(rng.integers(0, 3)) * 7
    lists = [np.sort(rng.choice(n_local, size=int(size), replace=False)).astype(np.int32)
             for size in rng.integers(0, n_local // 4, size=12)]
    full = np.concatenate(lists)
    rows, indptr, span_ptr, span_first, span_high = spanned(lists)
    tf = rng.integers(1, 9, size=rows.size).astype(np.uint8)
    norms = (rng.random(n_local) * 2 + 0.3).astype(np.float32)
    alive = rng.random(n_local) < 0.9 if seed % 2 else None
    idf = (rng.random(len(lists)) * 5).astype(np.float32)
    qweights = rng.random(len(lists)) * 2
    one = np.float32(2.2)
    got = np.zeros(n_local + offset + 5)
    added = rank._bm25.accumulate_spans(got, rows, tf, norms, alive, offset, span_first,
                                        span_high, span_ptr[:-1], span_ptr[1:], idf, qweights,
                                        float(one))
    want = np.zeros_like(got)
    for b, e, w, q in zip(indptr[:-1], indptr[1:], idf, qweights):
        r, f = full[b:e], tf[b:e].astype(np.float32)
        weight = (w * f * one / (f + norms[r])).astype(np.float64) * q
        if alive is not None:
            r, weight = r[alive[r]], weight[alive[r]]
        want[offset + r] += weight
    assert added == sum(int(alive[x].sum()) if alive is not None else x.size for x in lists)
    assert got.tobytes() == want.tobytes()
    if n_local > 1 << 16:
        assert span_high.max() >= 1
    with pytest.raises(ValueError):    # a row beyond the segment's: an error, not a read past
        rank._bm25.accumulate_spans(got, rows, tf, norms[:n_local // 2], None, offset,
                                    span_first, span_high, span_ptr[:-1], span_ptr[1:], idf,
                                    qweights, float(one))


@pytest.mark.parametrize("seed", range(3))
def test_accumulate_span_terms_gathers_as_numpy_did(seed):
    """``_bm25.accumulate_span_terms`` (term ids in, their spans and idf gathered in C) adds
    the same totals, bit for bit, as ``accumulate_spans`` on the arrays numpy gathered; a term
    id out of range is an error, not a read past the arrays."""
    rng = np.random.default_rng(seed)
    n_local, n_terms = 90_000, 40
    lists = [np.sort(rng.choice(n_local, size=int(size), replace=False)).astype(np.int32)
             for size in rng.integers(0, n_local // 3, size=n_terms)]
    rows, indptr, span_ptr, span_first, span_high = spanned(lists)
    tf = rng.integers(1, 9, size=rows.size).astype(np.uint8)
    norms = (rng.random(n_local) * 2 + 0.3).astype(np.float32)
    alive = rng.random(n_local) < 0.9 if seed % 2 else None
    idf_all = (rng.random(n_terms + 7) * 5).astype(np.float32)
    locs = rng.choice(n_terms, size=9, replace=False).tolist()
    ats = rng.choice(idf_all.size, size=9).tolist()
    qweights = (rng.random(9) * 2).tolist()
    one, offset = float(np.float32(2.2)), 3
    want = np.zeros(n_local + offset)
    locs_a = np.array(locs, dtype=np.int64)
    want_added = rank._bm25.accumulate_spans(want, rows, tf, norms, alive, offset, span_first,
                                             span_high, span_ptr[locs_a], span_ptr[locs_a + 1],
                                             idf_all[np.array(ats)], np.array(qweights), one)
    got = np.zeros_like(want)
    added = rank._bm25.accumulate_span_terms(got, rows, tf, norms, alive, offset, span_ptr,
                                             span_first, span_high, idf_all, locs, ats,
                                             qweights, one)
    assert added == want_added > 0
    assert got.tobytes() == want.tobytes()
    for bad_locs, bad_ats in (([n_terms], [0]), ([0], [idf_all.size]), ([-1], [0])):
        with pytest.raises(ValueError):
            rank._bm25.accumulate_span_terms(got, rows, tf, norms, alive, offset, span_ptr,
                                             span_first, span_high, idf_all, bad_locs,
                                             bad_ats, [1.0], one)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=0, max_size=80), st.integers(1, 30),
       st.booleans(), st.randoms(use_true_random=False))
def test_top_is_numpys_pick_or_declines_a_tie(values, n, masked, rnd):
    total = np.array(values, dtype=np.float64) / 4
    visible = np.array([rnd.random() < 0.7 for _ in values], dtype=bool) if masked else None
    got = rank._bm25.top(total, n, visible)
    count = int(((total > 0) & (visible if visible is not None else True)).sum())
    best = sorted(total[(total > 0) & (visible if visible is not None else True)], reverse=True)
    tie = count > n and len(set(best[:n + 1])) < n + 1
    if tie:
        assert got is None
    else:
        assert got == numpy_top(total, n, visible)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("甲乙丙a\U00020000", max_size=12), min_size=1, max_size=8),
       st.text("甲乙丙a\U00020000", max_size=4), st.randoms(use_true_random=False))
def test_the_compiled_sentence_lookup_equals_pythons(pieces, needle, rnd):
    """rank._Spans: which sentences hold a word whole (never across two sentences, nor across
    the separator between two paragraphs), on texts of 1-, 2- and 4-byte characters."""
    text = "\x00".join(pieces)
    starts, ends, at = [], [], 0
    for piece in pieces:              # each piece cut into one to three sentences
        cuts = sorted(rnd.sample(range(len(piece) + 1), min(len(piece) + 1, rnd.randint(0, 2))))
        bounds = [0, *cuts, len(piece)]
        for a, b in pairwise(bounds):
            if b > a or len(piece) == 0:
                starts.append(at + a)
                ends.append(at + b)
        at += len(piece) + 1
    spans = rank._Spans(text, starts, ends)
    assert spans.containing(needle).tolist() == spans.containing_in_python(needle).tolist()
    assert spans.containing(needle).tolist() == \
        [bool(needle) and needle in text[a:b] for a, b in zip(starts, ends)]


SPELLING = st.text("甲乙丙5.1\U00020000", min_size=0, max_size=3)
UNIT = st.builds(
    lambda text, alternatives, parts, alternative_parts, grams:
        Unit(text, 1.0, tuple(alternatives), tuple(map(tuple, grams)), tuple(parts),
             tuple(map(tuple, alternative_parts))),
    SPELLING, st.lists(SPELLING, max_size=2), st.lists(SPELLING, max_size=3),
    st.lists(st.lists(SPELLING, min_size=1, max_size=3), max_size=2),
    st.lists(st.lists(SPELLING, min_size=1, max_size=2), max_size=4))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text("甲乙丙5.1 \U00020000", max_size=14), min_size=1, max_size=8),
       st.lists(UNIT, max_size=6), st.randoms(use_true_random=False))
def test_the_compiled_found_matrix_equals_pythons(pieces, units, rnd):
    """rank._Spans.matrix (the rerank's spans × units, one compiled call) gives the Python
    path's doubles exactly: words, alternatives, sub-words, an alternative's words, bigrams
    with their options, numbers said whole (5 is not in 15 nor in 5.1, 1 not in 5.1), empty
    spellings and spans, non-BMP characters, adjacent sentences and the text between spans."""
    text = "\x00".join(pieces)
    starts, ends, at = [], [], 0
    for piece in pieces:              # each piece cut into sentences, a few characters left out
        cuts = sorted(rnd.sample(range(len(piece) + 1), min(len(piece) + 1, rnd.randint(0, 3))))
        bounds = [0, *cuts, len(piece)]
        for a, b in pairwise(bounds):
            if rnd.random() < 0.8:
                starts.append(at + a)
                ends.append(at + b - (1 if b - a > 2 and rnd.random() < 0.3 else 0))
        at += len(piece) + 1
    fast = rank._Spans(text, starts, ends).matrix(units)
    slow = rank._Spans(text, starts, ends, compiled=False).matrix(units)
    assert fast.shape == slow.shape == (len(starts), len(units))
    assert fast.tolist() == slow.tolist()
    # Unit.match, the reference, span by span: where the two agree by design (no empty
    # spelling, which Unit.match finds everywhere; no digits, which the spans read as numbers
    # in every spelling and with the characters around a span)
    spellings = [s for u in units for s in (u.text, *u.alternatives, *u.parts,
                                            *chain(*u.alternative_parts), *chain(*u.grams))]
    if all(spellings) and not any(c in "51." for c in text):
        assert fast.tolist() == [[u.match(text[a:b]) for u in units]
                                 for a, b in zip(starts, ends)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text("甲乙a\U00020000", max_size=10),
                          st.sampled_from(["", "总则", "第一章 总则", "\U00020000"]),
                          st.randoms(use_true_random=False)), min_size=1, max_size=8))
def test_the_compiled_layout_equals_pythons(rows):
    """rank._layout (the rerank's spans: every candidate's sentences, an empty span for one
    without, then each distinct heading once) gives the Python path's text and offsets."""
    texts = [text for text, _, _ in rows]
    heads = [head for _, head, _ in rows]
    sentence_lists = []
    for text, _, rnd in rows:
        cuts = sorted(rnd.sample(range(len(text) + 1), min(len(text) + 1, rnd.randint(0, 3))))
        sentence_lists.append(tuple(pairwise([0, *cuts, len(text)])) if text else ())
    fast = rank._layout(sentence_lists, texts, heads)
    slow = rank._layout(sentence_lists, texts, heads, compiled=False)
    assert fast[0].text == slow[0].text
    assert [b.tolist() for b in fast[0].bounds] == [b.tolist() for b in slow[0].bounds]
    assert fast[1].tolist() == slow[1].tolist() and fast[2].tolist() == slow[2].tolist()
    spans, firsts, head_of = fast
    assert spans.n == len(head_of) + len(dict.fromkeys(heads))
    for r, (text, head) in enumerate(zip(texts, heads)):   # each text's sentences, its heading
        begin = firsts[r]
        for k, (a, b) in enumerate(sentence_lists[r] or [(0, 0)]):
            assert spans.text[spans.starts[begin + k]:spans.ends[begin + k]] == text[a:b]
            assert spans.text[spans.starts[len(head_of) + head_of[begin + k]]:
                              spans.ends[len(head_of) + head_of[begin + k]]] == head


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=8), st.integers(0, 5),
       st.integers(1, 3), st.randoms(use_true_random=False))
def test_the_compiled_windows_equal_numpys(sentences, n_units, n_heads, rnd):
    """rank._windows (each candidate's best sentence, window, units found and coverage, from
    the spans × units matrix) gives the numpy path's arrays bit for bit, ties included (the
    first best sentence), pairs never across candidates."""
    n_rows = sum(sentences)
    starts = np.array([0, *np.cumsum(sentences)[:-1]], dtype=np.int64)
    scores = [0.0, 0.35, 0.7, 0.85, 0.9, 1.0, 0.7 / 3]
    found = np.array([[rnd.choice(scores) for _ in range(n_units)]
                      for _ in range(n_rows + n_heads)]).reshape(n_rows + n_heads, n_units)
    head_of = np.array([rnd.randrange(n_heads) for _ in range(n_rows)], dtype=np.int64)
    weights = np.array([rnd.random() for _ in range(n_units)])
    fast = rank._windows(found, n_rows, head_of, starts, weights, 0.9)
    slow = rank._windows(found, n_rows, head_of, starts, weights, 0.9, compiled=False)
    for a, b in zip(fast, slow):
        assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), max_size=30))
def test_the_compiled_term_hashes_are_the_vocabularys(terms):
    """_bm25.term_hashes (a word's homophone spellings hashed in one call, ``Vocab.get_many``)
    gives segments._term_hash of each term (zlib's CRC-32 | Adler-32 << 32 of its UTF-8), or
    None when a term has a lone surrogate (then Python hashes them)."""
    from knowledge.segments import _term_hash

    hashed = rank._bm25.term_hashes(terms)
    if any("\ud800" <= c <= "\udfff" for t in terms for c in t):
        assert hashed is None
    else:
        assert np.frombuffer(hashed, np.uint64).tolist() == [
            _term_hash(t.encode("utf-8")) for t in terms]


# -- jieba's best route (knowledge/cut.py, _bm25.route) -----------------------------------------
ROUTE_CHARS = "的中华人民共和国劳动合同法第条年假工资加班出差报销北京大学图书馆一二三张李弥远沂王"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*ROUTE_CHARS, *SENTENCES[:20]]), max_size=12))
def test_the_compiled_route_is_jiebas_route_in_python(pieces):
    """``_bm25.route`` (jieba's DAG and best route through a clause, FastCut._route) gives the
    Python path's ends and remembers the same log-probabilities, on random runs of dictionary
    characters, words and whole sentences; and the cut through it is ``jieba.lcut``'s."""
    from knowledge.analysis import _jieba
    from knowledge.cut import FastCut
    text = "".join(pieces)
    compiled, python = FastCut(_jieba()), FastCut(_jieba())
    python.compiled = False
    assert compiled.compiled
    for cutter in (compiled, python):
        cutter._check_state()
    assert compiled._route(text) == python._route(text)
    assert compiled._scores.keys() == python._scores.keys()
    assert all(compiled._scores[k] is python._scores[k] or
               compiled._scores[k] == python._scores[k] for k in python._scores)
    assert compiled.cut(text) == python.cut(text) == _jieba().lcut(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=[*ROUTE_CHARS, *"弥远沂王库那西利伊尔茨克", *"ab9.%，。 "], max_size=16),
       st.booleans())
def test_the_compiled_hmm_cut_is_jiebas(text, force):
    """``cut._hmm_cut`` (jieba's HMM cut of a run no dictionary word covers, its Viterbi path
    from ``_bm25.viterbi``) gives ``jieba.finalseg.cut``'s words, a forced split word split."""
    from jieba import finalseg

    from knowledge.cut import _hmm_cut
    want = list(finalseg.cut(text))
    forced = {w for w in want if len(w) > 1 and force}
    saved = finalseg.Force_Split_Words
    finalseg.Force_Split_Words = saved | forced
    try:
        assert _hmm_cut(text) == list(finalseg.cut(text))
    finally:
        finalseg.Force_Split_Words = saved
