"""Question words → the words of the headings that file their answers (issue 16, item 7).

People ask in their own words (邻居, 漏水, 打伤); the law files the answer under a chapter that
names the matter its own way (相邻关系, 责任主体的特殊规定). :class:`Associations` holds, per
question word, heading words with P(heading word | question word) learned from question →
answering-article pairs; the rerank (:meth:`~.rank.Ranker.rerank`, ``parts.associated``) scores
each candidate by the heading words its title and headings say, weighted by the question word's
weight and that probability.

The table is data, ``knowledge/data/associations.tsv`` (``question word<TAB>heading word<TAB>p``),
written by ``bench/associations.py`` (the recipe and its two-fold check): law names and
numbering (第七章, 分编) are never targets, so it holds what words mean, not which law or
chapter is asked about most.

The same form holds translations, ``knowledge/data/translations.tsv``: question word → words
of the answering articles' own text, P(article word | question word) by IBM Model 1, written by
``bench/translations.py``. They choose BM25 candidates (:meth:`~.rank.Ranker.candidates`,
``expansion_weight``), so that an article saying the matter in its own words (漏水 → 排水) is
among those the rerank reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

__all__ = ["Associations", "default_associations", "default_translations"]


@dataclass(frozen=True)
class Associations:
    """Per question word: (heading word, P(heading word | question word)), strongest first."""

    table: Mapping[str, tuple[tuple[str, float], ...]]

    def __len__(self) -> int:
        return len(self.table)

    def expand(self, words: Iterable[tuple[str, float]]) -> dict[str, float]:
        """The heading words that ``words`` (question word, its weight) point to, each with the
        sum of weight × probability over the question words that point to it."""
        found: dict[str, float] = {}
        for word, weight in words:
            for target, p in self.table.get(word, ()):
                found[target] = found.get(target, 0.0) + weight * p
        return found

    @classmethod
    def read(cls, lines: Iterable[str]) -> Associations:
        table: dict[str, list[tuple[str, float]]] = {}
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            word, target, p = line.split("\t")
            table.setdefault(word, []).append((target, float(p)))
        return cls({w: tuple(sorted(t, key=lambda x: -x[1])) for w, t in table.items()})

    @classmethod
    def load(cls, path: str | Path) -> Associations:
        with open(path, encoding="utf-8") as handle:
            return cls.read(handle)

    def lines(self) -> list[str]:
        return [f"{word}\t{target}\t{p:.3f}" for word in sorted(self.table)
                for target, p in self.table[word]]


@lru_cache(maxsize=1)
def default_associations() -> Associations:
    """The committed table (read once)."""
    with (files("knowledge") / "data" / "associations.tsv").open(encoding="utf-8") as handle:
        return Associations.read(handle)


@lru_cache(maxsize=1)
def default_translations() -> Associations:
    """The committed question word → article word table (read once)."""
    with (files("knowledge") / "data" / "translations.tsv").open(encoding="utf-8") as handle:
        return Associations.read(handle)
