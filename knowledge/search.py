"""Answering a question: :class:`Searcher` runs the stages over one snapshot of the paragraphs.

``Searcher(rows, analyzer, config).search(question, k, explain=)`` reads top to bottom, one stage
and one small type at a time:

1. analyse (:mod:`.query`): the question → :class:`~.query.Query` (words, bigrams, expansions,
   typo readings, 第N条 references, weighted content words).
2. candidates (:mod:`.rank`): BM25 over paragraph words, title + heading words and paragraph
   bigrams → :class:`~.rank.Candidates`.
3. rerank (:mod:`.rank`): whether the question's words occur together in one or two sentences,
   how much of it the paragraph covers → :class:`~.rank.Ranked`, best first.
4. decide (:func:`~.rank.decide`): a confident answer, suggestions, or not found.
5. excerpt (:mod:`.excerpt`): the one to three sentences that cover the question best, with the
   matched words highlighted → :class:`~.model.Hit`.

``explain=True`` returns each stage's figures in :attr:`Answer.explain`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .analysis import Analyzer, homophone_chars
from .excerpt import asks_for_list, make_excerpt
from .index import FieldIndex, GramIndex, release_free_memory
from .model import Answer, Citation, Hit
from .normalize import normalize, normalize_aligned
from .query import Query, QueryBuilder
from .rank import (
    DECISION,
    FIELDS,
    Candidates,
    Ranked,
    Ranker,
    confidence,
    decide,
    one_per_article,
)
from .store import IndexRow, ParagraphRow

__all__ = ["Query", "SearchConfig", "Searcher"]


@dataclass(frozen=True)
class SearchConfig:
    """Weights and thresholds of the ranking (measured on the DRCD dev set; see README)."""

    context_weight: float = 0.4      # title + heading words, relative to paragraph words
    gram_weight: float = 0.35        # character bigrams, relative to paragraph words
    candidates: int = 25             # how many BM25 candidates the rerank looks at (paragraphs:
                                     # several of one article make one hit)
    window_weight: float = 1.0       # best 1–2 sentence window's share of the query
    title_in_window: int = 1         # the document title and headings count towards a window
    fuzzy_weight: float = 1.5        # rapidfuzz partial_ratio of the question and a sentence
    pair_discount: float = 0.85      # a two-sentence window counts a little less than one
    coverage_weight: float = 0.4     # paragraph's share of the query
    reference_weight: float = 2.0    # the paragraph is under the 第N条/章 the question names
    type_weight: float = 0.15        # the paragraph says what the question asks for (多少 → 30日)
    liability_weight: float = 0.3    # a 法律责任/罚则 article: + for 怎么处罚-questions, − else
    unit_power: float = 1.0          # question words weigh idf ** unit_power in coverage
    synonym_weight: float = 0.8
    typo_weight: float = 0.8
    excerpt_chars: int = 160
    answer_coverage: float = 0.6     # (the decision without evidence) ≥ this: an answer
    suggest_coverage: float = 0.3    # more results cover ≥ this; < 0: always show hits
    answer_confidence: float = DECISION["answer"]    # confidence() ≥ this: a confident answer
    suggest_confidence: float = DECISION["suggest"]  # ≥ this: suggestions; below: not found


class Searcher:
    """An immutable snapshot of the knowledge base's paragraphs, ready to answer questions.

    ``rows`` are :meth:`Store.load_rows`'s, consumed once (the index is built as they stream).
    """

    def __init__(self, rows: Iterable[IndexRow], analyzer: Analyzer,
                 config: SearchConfig | None = None) -> None:
        self.analyzer = analyzer
        self.config = config or SearchConfig()
        self.rows: list[ParagraphRow] = []
        self.norms: list[str] = []               # normalize(text), aligned with text
        words: list[str] = []                    # space-joined tokens, split while indexing
        context: list[str] = []
        for item in rows:
            text = item.paragraph.text
            norm = normalize(text)
            if len(norm) != len(text):  # keep offsets aligned with text (rare: NFKC expansions)
                norm = normalize_aligned(text)
            elif norm == text:
                norm = text  # one string, not two equal ones (most simplified Chinese text)
            self.rows.append(item.paragraph)
            self.norms.append(norm)
            words.append(item.words)
            context.append(item.title_words + " " + item.section_words)
        # each build's freed temporaries go back to the system before the next one allocates
        self.words = FieldIndex.build(w.split() for w in words)
        del words
        release_free_memory()
        context_tokens: dict[str, list[str]] = {}
        self.context = FieldIndex.build(context_tokens.setdefault(c, c.split()) for c in context)
        del context, context_tokens
        release_free_memory()
        self.grams = GramIndex.build(self.norms)
        release_free_memory()
        self.queries = QueryBuilder(analyzer, self.words, self.grams)
        self.ranker = Ranker(self.rows, self.norms, self.words, self.context, self.grams)
        homophone_chars("的")  # load the homophone table now, not on a user's first typo (≈0.6 s)

    def __len__(self) -> int:
        return len(self.rows)

    def analyse(self, question: str) -> Query:
        """The question as the ranking sees it (stage 1)."""
        return self.queries.analyse(question, self.config)

    def search(self, question: str, k: int = 5, *, explain: bool = False,
               keep_weak: bool = False) -> Answer:
        """Answer ``question`` with up to ``k`` hits.

        Hits after the first that cover less of the question than a suggestion needs are left
        out (a user would not want them as "more results"); ``keep_weak`` keeps them, for
        measuring the ranking.
        """
        config = self.config
        query = self.analyse(question)
        candidates = self.ranker.candidates(query, max(config.candidates, k), config,
                                            fields=explain)
        ranked = self.ranker.rerank(query, candidates, config) if candidates.rows.size else []
        ranked = one_per_article(ranked, self.rows, query)
        evidence = self.ranker.evidence(ranked, query)
        status = decide(ranked, config, evidence)
        if not keep_weak:
            ranked = ranked[:1] + [item for item in ranked[1:]
                                   if item.strength >= config.suggest_coverage]
        hits = tuple(self._hit(item, query) for item in ranked[:k]) if status != "not_found" \
            else ()
        return Answer(question, status, hits,
                      self._explain(query, candidates, ranked, status, k, evidence) if explain else None,
                      searched_terms=tuple(u.text for u in query.units))

    def _hit(self, item: Ranked, query: Query) -> Hit:
        data = self.rows[item.row]
        excerpt = make_excerpt(data.text, self.norms[item.row], data.sentences, item.covers,
                               query.highlight_terms, self.config.excerpt_chars,
                               is_list=data.kind == "list", wants_list=asks_for_list(query.text),
                               is_row=data.kind == "table_row")
        return Hit(data.doc_id, data.paragraph_id, data.citation, excerpt.text,
                   excerpt.highlights, item.final, item.parts,
                   kind="faq" if data.kind == "faq" else "paragraph", question=data.question,
                   ref=data.ref)

    def _explain(self, query: Query, candidates: Candidates, ranked: list[Ranked], status: str,
                 k: int, evidence: dict[str, float]) -> dict:
        """``query``, ``idf`` and ``candidates`` (each shown candidate's score parts, from every
        stage), then ``stages``: what each stage did that the candidates do not show."""
        cfg = self.config
        rows = self.rows
        return {
            "query": query.to_json(),
            "idf": {t: round(self.words.term_idf(t), 3) for t in query.words},
            "candidates": [{"paragraph_id": rows[item.row].paragraph_id,
                            "citation": _label(rows[item.row]),
                            **{key: round(value, 4) for key, value in item.parts.items()}}
                           for item in ranked[:k]],
            "stages": {
                "analyse": {"units": len(query.units), "words": len(query.words),
                            "grams": len(query.grams), "references": query.references},
                "candidates": {"count": int(candidates.rows.size),
                               "field_weights": dict(zip(FIELDS, (1.0, cfg.context_weight,
                                                                  cfg.gram_weight))),
                               "named_paragraphs": [rows[r].paragraph_id
                                                    for r in sorted(candidates.named)]},
                "rerank": {"weights": {"bm25": 1.0, "window": cfg.window_weight,
                                       "coverage": cfg.coverage_weight,
                                       "fuzzy": cfg.fuzzy_weight,
                                       "reference": cfg.reference_weight,
                                       "answer_type": cfg.type_weight,
                                       "liability": cfg.liability_weight},
                           "asks": list(query.asks)},
                "decide": {"status": status,
                           "evidence": {key: round(value, 4) for key, value in evidence.items()},
                           "confidence": round(confidence(evidence), 4),
                           "weights": DECISION["weights"], "bias": DECISION["bias"],
                           "answer_confidence": cfg.answer_confidence,
                           "suggest_confidence": cfg.suggest_confidence,
                           "strength": round(ranked[0].strength, 4) if ranked else 0.0,
                           "answer_coverage": cfg.answer_coverage,
                           "suggest_coverage": cfg.suggest_coverage},
            },
        }


def _label(row: ParagraphRow) -> str:
    """The citation label in explain (without the scan mark the answer's citation carries)."""
    return Citation(row.title, row.section, row.number, row.source).label
