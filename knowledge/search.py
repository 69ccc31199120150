"""Answering a question: candidates by BM25 on three fields, a sentence-level rerank, an excerpt.

The flow reads top to bottom in :meth:`Searcher.search`:

1. ``analyse`` the question: normalised text → jieba words and character bigrams without filler
   words, plus expansions (synonyms; homophone and near-spelling replacements for words the
   knowledge base does not contain).
2. ``retrieve`` candidates: BM25 over paragraph words, over title + heading words, and over
   paragraph bigrams, added with fixed weights.
3. ``rerank`` the best candidates with what BM25 cannot see: whether the query's terms occur
   together in one or two sentences (the answer usually sits in one sentence), and how much of the
   query the paragraph covers at all.
4. ``excerpt``: the one to three sentences (≤ ~160 characters) that cover the query best, with the
   matched words as highlight spans.
5. ``decide``: a confident answer, suggestions, or not found, from the query coverage of the top
   paragraph.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .analysis import Analyzer, pinyin_keys
from .index import FieldIndex
from .model import Answer, Citation, Hit
from .normalize import is_cjk, normalize, normalize_with_offsets
from .sections import split_sentences

__all__ = ["Searcher", "Query", "SearchConfig"]

_CLAUSE = re.compile(r"[，,、：:]")


@dataclass(frozen=True)
class SearchConfig:
    """Weights and thresholds of the ranking (measured on the DRCD dev set; see README)."""

    context_weight: float = 0.6      # title + heading words, relative to paragraph words
    gram_weight: float = 0.35        # character bigrams, relative to paragraph words
    candidates: int = 30             # how many BM25 candidates the rerank looks at
    window_weight: float = 0.6       # best 1–2 sentence window's share of the query
    coverage_weight: float = 0.2     # paragraph's share of the query
    synonym_weight: float = 0.8
    typo_weight: float = 0.8
    excerpt_chars: int = 160
    answer_coverage: float = 0.6     # ≥ this: a confident answer
    suggest_coverage: float = 0.3    # ≥ this: suggestions; below: not found


@dataclass
class Query:
    """An analysed question: weighted terms per field and how they were found (for explain)."""

    text: str
    normalized: str
    words: dict[str, float]
    grams: dict[str, float]
    expansions: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"normalized": self.normalized, "words": self.words, "grams": self.grams,
                "expansions": self.expansions}


@dataclass(frozen=True)
class _Row:
    paragraph_id: int
    doc_id: int
    number: int
    text: str
    section: tuple[str, ...]
    title: str
    source: str
    source_id: str | None
    url: str | None


class Searcher:
    """An immutable snapshot of the knowledge base's paragraphs, ready to answer questions."""

    def __init__(self, rows, analyzer: Analyzer, config: SearchConfig | None = None) -> None:
        self.analyzer = analyzer
        self.config = config or SearchConfig()
        self.rows: list[_Row] = []
        words, context, grams = [], [], []
        context_cache: dict[tuple[str, str], list[str]] = {}
        for (pid, doc_id, number, text, pwords, path, swords, title, twords, source, source_id,
             url) in rows:
            section = tuple(json.loads(path))
            self.rows.append(_Row(pid, doc_id, number, text, section, title, source, source_id, url))
            words.append(pwords.split())
            key = (twords, swords)
            if key not in context_cache:
                context_cache[key] = (twords + " " + swords).split()
            context.append(context_cache[key])
            grams.append(analyzer.grams(normalize(text)))
        self.words = FieldIndex.build(words)
        self.context = FieldIndex.build(context)
        self.grams = FieldIndex.build(grams)
        self._pinyin_words: dict[str, list[str]] | None = None
        self._pinyin_grams: dict[str, list[str]] | None = None
        self._latin_words: list[str] | None = None

    def __len__(self) -> int:
        return len(self.rows)

    # -- 1. analyse --------------------------------------------------------------------------------
    def analyse(self, question: str) -> Query:
        cfg = self.config
        normalized = normalize(question).strip()
        words = dict.fromkeys(self.analyzer.words(normalized), 1.0)
        grams = dict.fromkeys(self.analyzer.grams(self.analyzer.content_text(normalized)), 1.0)
        expansions: dict[str, list[str]] = {}

        for word in list(words):
            found = sorted(self.analyzer.synonyms.expand(word))
            if found:
                expansions[word] = found
                for synonym in found:
                    words.setdefault(synonym, cfg.synonym_weight)
                    for gram in self.analyzer.grams(synonym):
                        grams.setdefault(gram, cfg.synonym_weight * 0.5)
        for word in [w for w in words if w not in self.words.vocab and w not in expansions]:
            found = self._near_words(word)
            if found:
                expansions[word] = found
                for other in found:
                    words.setdefault(other, cfg.typo_weight)
        for gram in [g for g in grams if len(g) == 2 and is_cjk(g[0]) and self.grams.df(g) <= 1]:
            found = [g for g in self._homophone_grams(gram) if g != gram]
            if found:
                expansions[gram] = found
                for other in found:
                    grams.setdefault(other, cfg.typo_weight)
        return Query(question, normalized, words, grams, expansions)

    def _near_words(self, word: str) -> list[str]:
        """Words of the knowledge base that sound like ``word`` or are one edit from it."""
        if is_cjk(word[0]):
            if len(word) < 2:
                return []
            if self._pinyin_words is None:
                self._pinyin_words = _pinyin_index(w for w in self.words.vocab if len(w) >= 2)
            found: list[str] = []
            for key in pinyin_keys(word):
                found.extend(self._pinyin_words.get(key, ()))
            return sorted(set(found), key=lambda w: -self.words.df(w))[:3]
        if len(word) < 4:
            return []
        if self._latin_words is None:
            self._latin_words = [w for w in self.words.vocab if w[0].isascii() and len(w) >= 3]
        matches = process.extract(word, self._latin_words, scorer=Levenshtein.distance,
                                  score_cutoff=1 if len(word) < 8 else 2, limit=3)
        return [m[0] for m in matches]

    def _homophone_grams(self, gram: str) -> list[str]:
        if self._pinyin_grams is None:
            self._pinyin_grams = _pinyin_index(g for g in self.grams.vocab if len(g) == 2)
        found: list[str] = []
        for key in pinyin_keys(gram):
            found.extend(self._pinyin_grams.get(key, ()))
        return sorted(set(found), key=lambda g: -self.grams.df(g))[:4]

    # -- 2. retrieve ---------------------------------------------------------------------------------
    def retrieve(self, query: Query, n: int) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Rows of the ``n`` best BM25 candidates and each field's scores."""
        size = len(self.rows)
        parts = {
            "words": self.words.score(query.words),
            "context": self.context.score(query.words),
            "grams": self.grams.score(query.grams),
        }
        zero = np.zeros(size, dtype=np.float64)
        parts = {name: (scores if scores is not None else zero) for name, scores in parts.items()}
        total = (parts["words"] + self.config.context_weight * parts["context"]
                 + self.config.gram_weight * parts["grams"])
        matched = np.flatnonzero(total > 0)
        if matched.size == 0:
            return matched, parts
        if matched.size > n:
            top = np.argpartition(-total[matched], n - 1)[:n]
            matched = matched[top]
        order = np.argsort(-total[matched], kind="stable")
        parts["total"] = total
        return matched[order], parts

    # -- 3. rerank -----------------------------------------------------------------------------------
    def _term_weights(self, query: Query) -> tuple[dict[str, float], dict[str, float]]:
        word_w = {w: self.words.term_idf(w) * q for w, q in query.words.items()}
        gram_w = {g: self.grams.term_idf(g) * q for g, q in query.grams.items()}
        return ({w: v for w, v in word_w.items() if v > 0}, {g: v for g, v in gram_w.items() if v > 0})

    def _query_mass(self, query: Query, gram_w: dict[str, float]) -> float:
        """IDF mass of the question's own bigrams (expansions count only in place of a typo)."""
        mass = 0.0
        for gram in self.analyzer.grams(self.analyzer.content_text(query.normalized)):
            alternatives = [gram, *query.expansions.get(gram, ())]
            mass += max((self.grams.term_idf(g) for g in alternatives), default=0.0) or 1.0
        return mass or 1.0

    # -- the whole flow ----------------------------------------------------------------------------
    def search(self, question: str, k: int = 5, *, explain: bool = False) -> Answer:
        cfg = self.config
        query = self.analyse(question)
        rows, parts = self.retrieve(query, max(cfg.candidates, k))
        if rows.size == 0:
            return Answer(question, "not_found", (), self._explain(query, []) if explain else None)
        _, gram_w = self._term_weights(query)
        mass = self._query_mass(query, gram_w)
        top_total = float(parts["total"][rows[0]]) or 1.0
        scored = []
        for row in rows:
            text_norm = normalize(self.rows[row].text)
            spans = split_sentences(self.rows[row].text)
            sentence_cover = [_cover(text_norm[s:e], gram_w) for s, e in spans] or [0.0]
            window = max(sentence_cover)
            for left, right in zip(sentence_cover, sentence_cover[1:]):
                window = max(window, 0.85 * _cover_pair(left, right))
            paragraph = _cover(text_norm, gram_w)
            bm25 = float(parts["total"][row]) / top_total
            final = bm25 + cfg.window_weight * min(window / mass, 1.0) \
                + cfg.coverage_weight * min(paragraph / mass, 1.0)
            scored.append((final, int(row), {
                "bm25": bm25, "words": float(parts["words"][row]),
                "context": float(parts["context"][row]), "grams": float(parts["grams"][row]),
                "window": min(window / mass, 1.0), "coverage": min(paragraph / mass, 1.0),
                "final": final}))
        scored.sort(key=lambda item: -item[0])
        hits = tuple(self._hit(row, query, gram_w, final, part) for final, row, part in scored[:k])
        status = self._decide(scored)
        return Answer(question, status, hits if status != "not_found" else (),
                      self._explain(query, hits) if explain else None)

    def _decide(self, scored) -> str:
        coverage = scored[0][2]["coverage"]
        if coverage >= self.config.answer_coverage:
            return "answer"
        if coverage >= self.config.suggest_coverage:
            return "suggestions"
        return "not_found"

    # -- 4. excerpt ----------------------------------------------------------------------------------
    def _hit(self, row: int, query: Query, gram_w: dict[str, float], final: float,
             parts: dict[str, float]) -> Hit:
        data = self.rows[row]
        excerpt = make_excerpt(data.text, gram_w, self.config.excerpt_chars)
        terms = [w for w in query.words if len(w) >= 2 or not is_cjk(w[0])]
        for alternatives in query.expansions.values():
            terms.extend(alternatives)
        citation = Citation(data.title, data.section, data.number, data.source, data.source_id,
                            data.url)
        return Hit(data.doc_id, data.paragraph_id, citation, excerpt,
                   highlight_spans(excerpt, terms), final, parts)

    def _explain(self, query: Query, hits) -> dict:
        return {"query": query.to_json(),
                "idf": {t: round(self.words.term_idf(t), 3) for t in query.words},
                "hits": [{"citation": h.citation.label, **{k: round(v, 4) for k, v in h.parts.items()}}
                         for h in hits]}


def _pinyin_index(terms) -> dict[str, list[str]]:
    index: dict[str, list[str]] = defaultdict(list)
    for term in terms:
        if all(is_cjk(c) for c in term):
            for key in pinyin_keys(term, limit=2):
                index[key].append(term)
    return index


def _cover(text: str, weights: dict[str, float]) -> float:
    return sum(w for term, w in weights.items() if term in text)


def _cover_pair(left: float, right: float) -> float:
    return left + right


def make_excerpt(text: str, gram_w: dict[str, float], limit: int = 160) -> str:
    """The one to three consecutive sentences of ``text`` that best cover the query, ≤ ``limit``."""
    spans = split_sentences(text)
    if not spans:
        return text[:limit]
    norm = normalize(text)
    covers = [_cover(norm[s:e], gram_w) for s, e in spans]
    best = max(range(len(spans)), key=lambda i: (covers[i], -i))
    start, end = spans[best]
    if end - start > limit:
        return _window(text, norm, start, end, gram_w, limit)
    left, right = best, best
    # Grow towards the better-covered neighbour while the excerpt stays within the limit:
    # answers often sit in the sentence after the one that repeats the question's words.
    while right - left < 2:
        options = []
        if right + 1 < len(spans) and spans[right + 1][1] - start <= limit:
            options.append((covers[right + 1] + 0.01, "right"))
        if left > 0 and end - spans[left - 1][0] <= limit:
            options.append((covers[left - 1], "left"))
        if not options:
            break
        _, side = max(options)
        if side == "right":
            right += 1
            end = spans[right][1]
        else:
            left -= 1
            start = spans[left][0]
    return text[start:end]


def _window(text: str, norm: str, start: int, end: int, gram_w: dict[str, float], limit: int) -> str:
    """The ``limit``-character stretch of a long sentence with the most matched weight."""
    marks = np.zeros(end - start + 1)
    for term, weight in gram_w.items():
        pos = norm.find(term, start, end)
        while pos != -1:
            marks[pos - start] += weight
            pos = norm.find(term, pos + 1, end)
    sums = np.convolve(marks, np.ones(limit - 2), mode="valid") if len(marks) > limit else marks
    offset = start + int(np.argmax(sums)) if len(marks) > limit else start
    # Start at a clause boundary when one is close, so the excerpt reads from a clause start.
    boundary = max((m.end() for m in _CLAUSE.finditer(text, max(start, offset - 20), offset)),
                   default=offset)
    offset = boundary if boundary > start else offset
    stop = min(end, offset + limit - 2)
    return ("…" if offset > start else "") + text[offset:stop] + ("…" if stop < end else "")


def highlight_spans(excerpt: str, terms) -> tuple[tuple[int, int], ...]:
    """[start, end) spans of ``excerpt`` where any of ``terms`` (normalised) occurs, merged."""
    norm, offsets = normalize_with_offsets(excerpt)
    found: list[tuple[int, int]] = []
    for term in set(terms):
        if not term:
            continue
        pos = norm.find(term)
        while pos != -1:
            found.append((offsets[pos], offsets[pos + len(term) - 1] + 1))
            pos = norm.find(term, pos + len(term))
    found.sort()
    merged: list[list[int]] = []
    for start, end in found:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)
