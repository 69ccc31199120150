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
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from rapidfuzz import fuzz, process

from .excerpt import asks_for_list, make_excerpt
from rapidfuzz.distance import Levenshtein

from .analysis import Analyzer, homophone_chars, homophone_variants
from .index import FieldIndex, GramIndex, release_free_memory
from .model import Answer, Citation, Hit
from .normalize import is_cjk, normalize, normalize_aligned
from .sections import find_references

__all__ = ["Searcher", "Query", "SearchConfig"]



@dataclass(frozen=True)
class SearchConfig:
    """Weights and thresholds of the ranking (measured on the DRCD dev set; see README)."""

    context_weight: float = 0.4      # title + heading words, relative to paragraph words
    gram_weight: float = 0.35        # character bigrams, relative to paragraph words
    candidates: int = 15             # how many BM25 candidates the rerank looks at
    window_weight: float = 1.0       # best 1–2 sentence window's share of the query
    title_in_window: int = 1         # the document title and headings count towards a window
    fuzzy_weight: float = 1.5        # rapidfuzz partial_ratio of the question and a sentence
    pair_discount: float = 0.85      # a two-sentence window counts a little less than one
    coverage_weight: float = 0.4     # paragraph's share of the query
    reference_weight: float = 2.0    # the paragraph is under the 第N条/章 the question names
    unit_power: float = 1.0          # question words weigh idf ** unit_power in coverage
    synonym_weight: float = 0.8
    typo_weight: float = 0.8
    excerpt_chars: int = 160
    answer_coverage: float = 0.6     # ≥ this: a confident answer
    suggest_coverage: float = 0.3    # ≥ this: suggestions; below: not found


@dataclass(frozen=True)
class Unit:
    """One content word of the question, as the rerank and the excerpt look for it in text.

    ``alternatives`` stand in for the whole word (synonyms, homophones, near spellings);
    ``grams`` lists, per bigram of the word, that bigram and its homophones, so that a word
    matched only in part (a typo, a longer compound) still counts in part.
    """

    text: str
    weight: float
    alternatives: tuple[str, ...] = ()
    grams: tuple[tuple[str, ...], ...] = ()
    parts: tuple[str, ...] = ()      # its sub-words: 选拔干部 → 选拔, 干部

    def match(self, text: str) -> float:
        if self.text in text:
            return 1.0
        for alternative in self.alternatives:
            if alternative in text:
                return 0.9
        score = 0.0
        if self.parts:
            found = sum(1 for part in self.parts if part in text)
            if found == len(self.parts):
                return 0.85  # every sub-word, just not side by side (选拔…干部)
            score = 0.7 * found / len(self.parts)
        if len(self.grams) >= 2:
            found = sum(1 for options in self.grams if any(g in text for g in options))
            score = max(score, 0.7 * found / len(self.grams))
        return score


class _Spans:
    """Many text spans searched at once: the texts joined, each needle found with ``str.find``.

    ``Unit.match`` on every span × unit (the rerank's sentences × the question's words) called
    Python code span by span; here each spelling is looked for once in the joined text and its
    occurrences are mapped to the spans that contain them whole.
    """

    def __init__(self, text: str, starts: list[int], ends: list[int]) -> None:
        self.text, self.starts, self.ends = text, starts, ends
        self.n = len(starts)
        self._found: dict[str, np.ndarray] = {}

    def containing(self, needle: str) -> np.ndarray:
        """Boolean per span: ``needle in span``."""
        found = self._found.get(needle)
        if found is not None:
            return found
        starts, ends, size, find = self.starts, self.ends, len(needle), self.text.find
        spans: list[int] = []
        pos = find(needle) if size else -1
        while pos != -1:
            i = bisect_right(starts, pos) - 1
            end = ends[i] if i >= 0 else -1         # (before the first span: in none)
            if pos + size <= end:
                spans.append(i)
                pos = find(needle, end)             # the next span
            else:                                   # across the separator after span i
                pos = find(needle, pos + 1)
        found = np.zeros(self.n, dtype=bool)
        found[spans] = True
        self._found[needle] = found
        return found

    def match(self, unit: "Unit") -> np.ndarray:
        """``[unit.match(span) for span in spans]`` (see :meth:`Unit.match`)."""
        exact = self.containing(unit.text)
        if not unit.alternatives and not unit.parts and len(unit.grams) < 2:
            return exact  # (most words: found or not)
        score = np.where(exact, 1.0, 0.0)
        for alternative in unit.alternatives:
            score = np.maximum(score, np.where(self.containing(alternative), 0.9, 0.0))
        if unit.parts:
            count = np.zeros(self.n)
            for part in unit.parts:
                count += self.containing(part)
            score = np.maximum(score, np.where(count == len(unit.parts), 0.85,
                                               0.7 * count / len(unit.parts)))
        if len(unit.grams) >= 2:
            count = np.zeros(self.n)
            for options in unit.grams:
                has = self.containing(options[0])
                for other in options[1:]:
                    has = has | self.containing(other)
                count += has
            score = np.maximum(score, 0.7 * count / len(unit.grams))
        return score


@dataclass
class Query:
    """An analysed question: weighted terms per field and how they were found (for explain)."""

    text: str
    normalized: str
    words: dict[str, float]
    grams: dict[str, float]
    units: list[Unit]
    expansions: dict[str, list[str]] = field(default_factory=dict)
    references: list[tuple[str, int]] = field(default_factory=list)   # 第三条 → ("条", 3)

    @cached_property
    def content(self) -> str:
        """The question's content words in order, for fuzzy comparison with sentences."""
        return "".join(u.text for u in self.units)

    @cached_property
    def mass(self) -> float:
        return sum(u.weight for u in self.units) or 1.0

    def cover(self, text: str) -> float:
        """Share (0–1) of the question's weighted content words that ``text`` contains."""
        return sum(u.weight * u.match(text) for u in self.units) / self.mass

    @cached_property
    def highlight_terms(self) -> list[str]:
        """The spellings to highlight in an excerpt, each once."""
        terms = [u.text for u in self.units if len(u.text) >= 2 or not is_cjk(u.text[0])]
        terms += [w for w in self.words if len(w) >= 2]
        for unit in self.units:
            terms.extend(unit.alternatives)
            if len(unit.grams) >= 2:
                terms.extend(g for options in unit.grams for g in options)
        return [t for t in dict.fromkeys(terms) if t]

    def to_json(self) -> dict:
        return {"normalized": self.normalized, "words": self.words, "grams": self.grams,
                "units": [{"text": u.text, "weight": round(u.weight, 3),
                           "alternatives": list(u.alternatives)} for u in self.units],
                "expansions": self.expansions}


@dataclass(frozen=True)
class _Row:
    paragraph_id: int
    doc_id: int
    number: int
    text: str
    norm: str                              # normalize(text), aligned with text
    sentences: tuple[tuple[int, int], ...]
    section: tuple[str, ...]
    title: str
    source: str
    source_id: str | None
    url: str | None
    kind: str = "text"                     # "text", "list" (lead-in + items) or "table_row"
    ocr: bool = False


class Searcher:
    """An immutable snapshot of the knowledge base's paragraphs, ready to answer questions."""

    def __init__(self, rows, analyzer: Analyzer, config: SearchConfig | None = None) -> None:
        self.analyzer = analyzer
        self.config = config or SearchConfig()
        self.rows: list[_Row] = []
        words: list[str] = []                    # space-joined tokens, split while indexing
        context: list[str] = []
        for (pid, doc_id, number, text, sentences, pwords, path, swords, title, twords, source,
             source_id, url, kind, ocr) in rows:
            norm = normalize(text)
            if len(norm) != len(text):  # keep offsets aligned with text (rare: NFKC expansions)
                norm = normalize_aligned(text)
            elif norm == text:
                norm = text  # one string, not two equal ones (most simplified Chinese text)
            spans = tuple(tuple(s) for s in json.loads(sentences)) if sentences else ()
            self.rows.append(_Row(pid, doc_id, number, text, norm, spans, tuple(json.loads(path)),
                                  title, source, source_id, url, kind or "text", bool(ocr)))
            words.append(pwords)
            context.append(twords + " " + swords)
        self._heads = [normalize(" ".join((r.title, *r.section))) + "\n" for r in self.rows]
        # 第三条, 第二章 … in heading paths, so that a question naming an article finds it.
        self._references: dict[tuple[str, int], list[int]] = defaultdict(list)
        for row, data in enumerate(self.rows):
            for ref in {ref for label in data.section for ref in find_references(label[:12])}:
                self._references[ref].append(row)
        # each build's freed temporaries go back to the system before the next one allocates
        self.words = FieldIndex.build(w.split() for w in words)
        del words
        release_free_memory()
        context_tokens: dict[str, list[str]] = {}
        self.context = FieldIndex.build(context_tokens.setdefault(c, c.split()) for c in context)
        del context, context_tokens
        release_free_memory()
        self.grams = GramIndex.build(r.norm for r in self.rows)
        release_free_memory()
        self._max_idf = float(max(self.words.idf.max(initial=0.0),
                                  self.grams.idf.max(initial=0.0))) or 1.0
        self._latin_words: list[str] | None = None
        self._shapes: dict[str, tuple[list[str], tuple[str, ...]]] = {}
        homophone_chars("的")  # load the homophone table now, not on a user's first typo (≈0.6 s)

    def __len__(self) -> int:
        return len(self.rows)

    # -- 1. analyse --------------------------------------------------------------------------------
    def analyse(self, question: str) -> Query:
        cfg = self.config
        normalized = normalize(question).strip()
        word_list, unit_list = self.analyzer.question_tokens(normalized)
        words = dict.fromkeys(word_list, 1.0)
        unit_texts = list(dict.fromkeys(unit_list))
        grams = dict.fromkeys(self.analyzer.unit_grams(unit_texts), 1.0)
        expansions: dict[str, list[str]] = {}

        # Whole-word alternatives: synonyms, then homophones / near spellings of unknown words.
        alternatives: dict[str, list[str]] = {}
        for word in dict.fromkeys([*unit_texts, *words]):
            found = sorted(self.analyzer.synonyms.expand(word))
            weight = cfg.synonym_weight
            if not found and word not in self.words.vocab and \
                    not self.analyzer.is_dictionary_word(word):
                found = self._near_words(word)
                weight = cfg.typo_weight
            if found:
                alternatives[word] = found
                expansions[word] = found
                for other in found:
                    words.setdefault(other, weight)
                    for gram in self.analyzer.grams(other):
                        grams.setdefault(gram, weight * 0.5)
        # Bigram alternatives: a bigram the knowledge base (almost) never has is likely a typo.
        gram_alternatives: dict[str, list[str]] = {}
        # Only in words no dictionary knows: 德意志's rare bigram 意志 is no typo for 意识.
        suspects = {g for u in unit_texts if u not in self.words.vocab
                    and not self.analyzer.is_dictionary_word(u) for g in self.analyzer.grams(u)}
        for gram in [g for g in grams if g in suspects and len(g) == 2 and is_cjk(g[0])
                     and self.grams.df(g) <= 1]:
            found = [g for g in self._homophone_grams(gram) if g != gram]
            if found:
                gram_alternatives[gram] = found
                expansions[gram] = found
                for other in found:
                    grams.setdefault(other, cfg.typo_weight)

        units = [self._unit(text, alternatives.get(text, ()), gram_alternatives)
                 for text in unit_texts]
        return Query(question, normalized, words, grams, units, expansions,
                     find_references(normalized))

    def _unit(self, text: str, alternatives, gram_alternatives: dict[str, list[str]]) -> Unit:
        unit_grams, parts = self._unit_shape(text)
        options = tuple((g, *gram_alternatives.get(g, ())) for g in unit_grams)
        if len(text) == 1 and is_cjk(text):
            # A lone character says little on its own (一, 米, 税): half weight at most.
            weight = 0.5 * (self.words.term_idf(text) or self._max_idf)
        elif text in self.words.vocab:
            weight = self.words.term_idf(text)
        elif not alternatives and not any(len(opts) > 1 for opts in options):
            # A word the knowledge base has never seen, with no typo reading: it weighs like the
            # rarest word, so a paragraph that lacks it cannot look like a confident answer.
            weight = self._max_idf
        else:
            known = [max(self.grams.term_idf(g) for g in opts) for opts in options]
            known = [k for k in known if k > 0]
            alt = [self.words.term_idf(a) for a in alternatives]
            # A word the knowledge base has never seen weighs like the rarest word: a question
            # about it cannot be answered by a paragraph that lacks it.
            weight = max([*alt, (sum(known) / len(options)) if known else self._max_idf])
        return Unit(text, weight ** self.config.unit_power, tuple(alternatives), options, parts)

    def _unit_shape(self, text: str) -> tuple[list[str], tuple[str, ...]]:
        """A unit's bigrams and sub-words (选拔干部 → 选拔, 干部), remembered per text: the same
        words come back in question after question. (A searcher lives for one database
        generation, so the jieba dictionary does not change under this cache.)"""
        shape = self._shapes.get(text)
        if shape is None:
            grams = self.analyzer.grams(text) if is_cjk(text[0]) and len(text) >= 2 else []
            parts = tuple(w for w in dict.fromkeys(self.analyzer.words(text))
                          if w != text and len(w) >= 2) if len(text) >= 4 else ()
            if len(self._shapes) >= 50_000:
                self._shapes.clear()
            shape = self._shapes[text] = (grams, parts)
        return shape

    def _near_words(self, word: str) -> list[str]:
        """Words of the knowledge base that sound like ``word`` or are one edit from it."""
        if is_cjk(word[0]):
            if len(word) < 2:
                return []
            found = [w for w in homophone_variants(word) if w in self.words.vocab]
            return sorted(found, key=lambda w: -self.words.df(w))[:3]
        if len(word) < 4:
            return []
        if self._latin_words is None:
            self._latin_words = [w for w in self.words.vocab if w[0].isascii() and len(w) >= 3]
        matches = process.extract(word, self._latin_words, scorer=Levenshtein.distance,
                                  score_cutoff=1 if len(word) < 8 else 2, limit=3)
        return [m[0] for m in matches]

    def _homophone_grams(self, gram: str) -> list[str]:
        found = self.grams.known(homophone_variants(gram))
        return sorted(found, key=lambda g: -self.grams.df(g))[:4]

    # -- 2. retrieve ---------------------------------------------------------------------------------
    def retrieve(self, query: Query, n: int, *, fields: bool = True
                 ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Rows of the ``n`` best BM25 candidates, and their scores (aligned with the rows):
        ``total`` and, with ``fields``, each field's own (for ``explain``).

        One ``bincount`` over the three fields' postings (weights scaled by the field weights)
        scores every row; each field's own score is then summed for the candidates only.
        """
        cfg = self.config
        size = len(self.rows)
        postings = {"words": self.words.postings(query.words),
                    "context": self.context.postings(query.words, cfg.context_weight),
                    "grams": self.grams.postings(query.grams, cfg.gram_weight)}
        all_rows = np.concatenate([rows for rows, _ in postings.values()])
        if all_rows.size:
            total = np.bincount(all_rows, minlength=size,
                                weights=np.concatenate([w for _, w in postings.values()]))
            matched = np.flatnonzero(total > 0)
        else:
            total, matched = None, np.zeros(0, dtype=np.int64)
        if matched.size > n:
            top = np.argpartition(-total[matched], n - 1)[:n]
            matched = matched[top]
        if matched.size:
            matched = matched[np.argsort(-total[matched], kind="stable")]
        named = self._named_rows(query)
        if named:
            have = set(matched.tolist())
            extra = np.fromiter((r for r in named if r not in have), np.int64)
            matched = np.concatenate([matched, extra[:n]])
        parts = {"total": total[matched] if total is not None else np.zeros(matched.size)}
        if not fields:
            return matched, parts
        # Each field's score of the candidates (unscaled), aligned with ``matched``.
        slot = np.full(size, -1, dtype=np.int64)
        slot[matched] = np.arange(matched.size)
        for (name, (rows, weights)), scale in zip(postings.items(), (1.0, cfg.context_weight,
                                                                    cfg.gram_weight)):
            score = np.zeros(matched.size)
            if rows.size and matched.size:
                at = slot[rows]
                keep = at >= 0
                score = np.bincount(at[keep], weights=weights[keep],
                                    minlength=matched.size) / (scale or 1.0)
            parts[name] = score
        return matched, parts

    def _named_rows(self, query: Query) -> list[int]:
        """Rows under every heading the question names (第二章第四条 → rows of 第四条 in 第二章)."""
        if not query.references:
            return []
        sets = [set(self._references.get(ref, ())) for ref in query.references]
        both = set.intersection(*sets)
        return sorted(both or set().union(*sets))

    # -- 3. rerank -----------------------------------------------------------------------------------
    def rerank(self, query: Query, rows: np.ndarray, parts: dict[str, np.ndarray]):
        """(final score, row, score parts) for each candidate, best first.

        Each unit is looked up once per sentence; a two-sentence window takes, per unit, the
        better of its two sentences, and the paragraph the best of all (plus the title and
        headings, which name what the paragraph is about). The arithmetic runs on one matrix of
        every candidate's sentences × the question's units.
        """
        cfg = self.config
        units = query.units
        weights = np.array([u.weight / query.mass for u in units], dtype=np.float64)
        total = parts["total"]          # (parts are aligned with rows)
        top_total = float(total.max()) or 1.0
        named = set(self._named_rows(query))
        row_list = [int(row) for row in rows]
        # One span per sentence of every candidate (a candidate without sentences: one empty
        # span, so that its heading still counts), then one per distinct heading: offsets into
        # one text, the candidates' paragraphs and the headings joined (no string per sentence).
        pieces: list[str] = []
        span_starts: list[int] = []
        span_ends: list[int] = []
        starts: list[int] = []
        head_of: list[int] = []
        head_index: dict[str, int] = {}
        at = 0
        for row in row_list:
            data = self.rows[row]
            starts.append(len(span_starts))
            head = self._heads[row] if cfg.title_in_window else ""
            sentences = data.sentences
            head_of.extend([head_index.setdefault(head, len(head_index))] * (len(sentences) or 1))
            if sentences:
                span_starts.extend([at + a for a, _ in sentences])
                span_ends.extend([at + b for _, b in sentences])
            else:
                span_starts.append(at)
                span_ends.append(at)
            pieces.append(data.norm)
            at += len(data.norm) + 1
        n_rows = len(span_starts)
        for head in head_index:
            span_starts.append(at)
            span_ends.append(at + len(head))
            pieces.append(head)
            at += len(head) + 1
        spans = _Spans("\x00".join(pieces), span_starts, span_ends)
        found = np.zeros((spans.n, len(units)))
        for j, unit in enumerate(units):
            found[:, j] = spans.match(unit)
        own = found[:n_rows]
        heads = found[n_rows:][head_of]
        matches = np.maximum(own, heads)
        own_cover = own @ weights
        cover = matches @ weights
        # Per candidate: its best sentence (the first of the best), the best one- or two-sentence
        # window (a pair counts pair_discount; pairs across candidates never count) and the
        # share of the question the whole paragraph covers.
        best_cover = np.maximum.reduceat(cover, starts)
        ends = np.array(starts[1:] + [n_rows])
        is_best = np.flatnonzero(cover == np.repeat(best_cover, ends - np.array(starts)))
        best = is_best[np.searchsorted(is_best, starts)]
        pair = np.full(n_rows, -np.inf)
        pair[:-1] = np.maximum(matches[:-1], matches[1:]) @ weights * cfg.pair_discount
        pair[ends - 1] = -np.inf
        window = np.maximum(best_cover, np.maximum.reduceat(pair, starts))
        coverage = np.maximum.reduceat(matches, starts, axis=0) @ weights if units else \
            np.zeros(len(starts))
        bm25 = total / top_total
        fuzzy = np.zeros(len(row_list))
        if cfg.fuzzy_weight:
            with_sentences = [i for i, row in enumerate(row_list) if self.rows[row].sentences]
            if with_sentences:
                fuzzy[with_sentences] = process.cdist(
                    [query.content], [spans.text[span_starts[k]:span_ends[k]]
                                      for k in best[with_sentences].tolist()],
                    scorer=fuzz.partial_ratio, dtype=np.float64)[0] / 100
        reference = np.array([1.0 if row in named else 0.0 for row in row_list])
        final = bm25 + cfg.window_weight * window + cfg.coverage_weight * coverage \
            + cfg.fuzzy_weight * fuzzy + cfg.reference_weight * reference
        scored = [_Scored(f, row, own_cover[a:b].tolist() if self.rows[row].sentences else [], {
            "bm25": bm, "window": win, "coverage": cov, "fuzzy": fz, "reference": ref,
            "final": f})
            for row, a, b, f, bm, win, cov, fz, ref in zip(
                row_list, starts, ends.tolist(), final.tolist(), bm25.tolist(),
                window.tolist(), coverage.tolist(), fuzzy.tolist(), reference.tolist())]
        if "words" in parts:  # (explain: each field's BM25 score too)
            for item, *field_scores in zip(scored, *(parts[name].tolist() for name in
                                                     ("words", "context", "grams"))):
                item.parts.update(zip(("words", "context", "grams"), field_scores))
        scored.sort(key=lambda item: -item.final)
        return scored

    # -- the whole flow ----------------------------------------------------------------------------
    def search(self, question: str, k: int = 5, *, explain: bool = False,
               keep_weak: bool = False) -> Answer:
        """Answer ``question`` with up to ``k`` hits.

        Hits after the first that cover less of the question than a suggestion needs are left
        out (a user would not want them as "more results"); ``keep_weak`` keeps them, for
        measuring the ranking.
        """
        query = self.analyse(question)
        rows, parts = self.retrieve(query, max(self.config.candidates, k), fields=explain)
        scored = self.rerank(query, rows, parts) if rows.size else []
        status = self._decide(scored)
        if not keep_weak:
            scored = scored[:1] + [item for item in scored[1:] if self._strength(item) >=
                                   self.config.suggest_coverage]
        hits = tuple(self._hit(item, query) for item in scored[:k]) if status != "not_found" else ()
        return Answer(question, status, hits, self._explain(query, scored[:k]) if explain else None)

    def _decide(self, scored) -> str:
        """Confident when the best paragraph holds most of the question's weighted words."""
        if not scored:
            return "not_found"
        coverage = self._strength(scored[0])
        if coverage >= self.config.answer_coverage:
            return "answer"
        if coverage >= self.config.suggest_coverage:
            return "suggestions"
        return "not_found"

    @staticmethod
    def _strength(item: "_Scored") -> float:
        return max(item.parts["coverage"], item.parts["window"])

    # -- 4. excerpt ----------------------------------------------------------------------------------
    def _hit(self, item: "_Scored", query: Query) -> Hit:
        data = self.rows[item.row]
        excerpt = make_excerpt(data.text, data.norm, data.sentences, item.covers,
                               query.highlight_terms, self.config.excerpt_chars,
                               is_list=data.kind == "list", wants_list=asks_for_list(query.text),
                               is_row=data.kind == "table_row")
        citation = Citation(data.title, data.section, data.number, data.source, data.source_id,
                            data.url, data.ocr)
        return Hit(data.doc_id, data.paragraph_id, citation, excerpt.text, excerpt.highlights,
                   item.final, item.parts)

    def _explain(self, query: Query, scored) -> dict:
        return {"query": query.to_json(),
                "idf": {t: round(self.words.term_idf(t), 3) for t in query.words},
                "candidates": [{"paragraph_id": self.rows[row].paragraph_id,
                                "citation": _label(self.rows[row]),
                                **{k: round(v, 4) for k, v in part.items()}}
                               for item in scored for row, part in [(item.row, item.parts)]]}


@dataclass(frozen=True)
class _Scored:
    final: float
    row: int
    covers: list[float]          # per sentence: share of the question it covers (for excerpts)
    parts: dict[str, float]


def _label(row: _Row) -> str:
    return Citation(row.title, row.section, row.number, row.source).label
