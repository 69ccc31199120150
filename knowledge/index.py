"""In-memory BM25 postings, built from the SQLite store and used to retrieve candidates fast.

SQLite (with its FTS5 table) is the source of truth; this is a derived, read-only cache built by
:meth:`FieldIndex.build` when the knowledge base changes (its ``generation`` moves). Scoring a
question is a few numpy gathers and one ``bincount`` per field, like bm25s's sparse matrices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["FieldIndex"]


@dataclass
class FieldIndex:
    """BM25 postings of one field: term → (paragraph rows, precomputed BM25 weight)."""

    vocab: dict[str, int]
    indptr: np.ndarray      # int64, len(vocab) + 1
    rows: np.ndarray        # int32 paragraph row of each posting
    weights: np.ndarray     # float32 BM25 term weight (idf × saturated tf) of each posting
    idf: np.ndarray         # float32 per term
    size: int               # number of paragraph rows

    @classmethod
    def build(cls, docs: Sequence[Sequence[str]], *, k1: float = 1.2, b: float = 0.75) -> "FieldIndex":
        vocab: dict[str, int] = {}
        get = vocab.setdefault
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        flat_terms = np.fromiter((get(t, len(vocab)) for d in docs for t in d), dtype=np.int64,
                                 count=int(lengths.sum()))
        n_docs = len(docs)
        flat_rows = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
        if flat_terms.size == 0:
            empty = np.zeros(0, dtype=np.float32)
            return cls(vocab, np.zeros(len(vocab) + 1, dtype=np.int64), np.zeros(0, dtype=np.int32),
                       empty, empty, n_docs)
        keys, tf = np.unique(flat_terms * max(n_docs, 1) + flat_rows, return_counts=True)
        terms = keys // max(n_docs, 1)
        rows = keys % max(n_docs, 1)
        df = np.bincount(terms, minlength=len(vocab))
        idf = np.log1p((n_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        avgdl = max(float(lengths.mean()), 1e-9)
        norm = k1 * (1 - b + b * lengths[rows] / avgdl)
        weights = idf[terms] * tf * (k1 + 1) / (tf + norm)
        indptr = np.zeros(len(vocab) + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(vocab, indptr, rows.astype(np.int32), weights.astype(np.float32), idf, n_docs)

    def term_idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        return float(self.idf[tid]) if tid is not None else 0.0

    def df(self, term: str) -> int:
        tid = self.vocab.get(term)
        return int(self.indptr[tid + 1] - self.indptr[tid]) if tid is not None else 0

    def score(self, query: Mapping[str, float]) -> np.ndarray | None:
        """BM25 score of every row for ``query`` (term → query weight); None when nothing matches."""
        row_parts: list[np.ndarray] = []
        weight_parts: list[np.ndarray] = []
        for term, qweight in query.items():
            tid = self.vocab.get(term)
            if tid is None:
                continue
            start, end = self.indptr[tid], self.indptr[tid + 1]
            row_parts.append(self.rows[start:end])
            weight_parts.append(self.weights[start:end] * qweight if qweight != 1.0
                                else self.weights[start:end])
        if not row_parts:
            return None
        rows = np.concatenate(row_parts) if len(row_parts) > 1 else row_parts[0]
        weights = np.concatenate(weight_parts) if len(weight_parts) > 1 else weight_parts[0]
        return np.bincount(rows, weights=weights, minlength=self.size)

    def row_terms(self, row: int, terms: Sequence[str]) -> dict[str, float]:
        """Posting weights of ``terms`` in one row (for explain)."""
        out: dict[str, float] = {}
        for term in terms:
            tid = self.vocab.get(term)
            if tid is None:
                continue
            start, end = self.indptr[tid], self.indptr[tid + 1]
            segment = self.rows[start:end]
            pos = np.searchsorted(segment, row)
            if pos < len(segment) and segment[pos] == row:
                out[term] = float(self.weights[start + pos])
        return out
