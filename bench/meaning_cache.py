"""An encoder for benchmarks: the product's meaning model (knowledge/meaning.py) with its passage
vectors kept in a SQLite file, so that a build's paragraphs are embedded once across runs
(~60 ms each on one core: 2,400 paragraphs are ~2.5 minutes the first time, seconds after).

    from meaning_cache import cached_encoder
    kb = KnowledgeBase(db, meaning=cached_encoder("/tmp/meaning-cache.db"))

Keys are the SHA-1 of the passage text (the same text gives the same vector), with the model's
name (without what follows ``+``: which texts a knowledge base embeds is in the text itself); questions are not cached (the encoder remembers the last few hundred itself).
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Sequence

import numpy as np

from knowledge.meaning import E5Encoder


class CachedEncoder:
    def __init__(self, path: str, inner: E5Encoder | None = None) -> None:
        self.inner = inner or E5Encoder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.judging = self.inner.judging
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS v (key TEXT PRIMARY KEY, vec BLOB)")
        self._lock = threading.Lock()
        self.embedded = self.reused = 0

    def query(self, text: str) -> np.ndarray:
        return self.inner.query(text)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self.name.split("+")[0]        # (the model; "+articles" says what texts are)
        keys = [hashlib.sha1(f"{model}\0{t}".encode()).hexdigest() for t in texts]
        with self._lock:
            found = {}
            for i in range(0, len(keys), 500):
                part = keys[i:i + 500]
                found.update(self._db.execute(
                    f"SELECT key, vec FROM v WHERE key IN ({','.join('?' * len(part))})", part))
        new = [i for i, key in enumerate(keys) if key not in found]
        vectors = self.inner.passages([texts[i] for i in new]) if new else None
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, key in enumerate(keys):
            if key in found:
                out[i] = np.frombuffer(found[key], dtype=np.float32)
        if new:
            out[new] = vectors
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO v VALUES (?, ?)",
                                     [(keys[i], out[i].astype(np.float32).tobytes()) for i in new])
        self.embedded += len(new)
        self.reused += len(texts) - len(new)
        return out


_shared: dict[str, CachedEncoder] = {}


def cached_encoder(path: str) -> CachedEncoder:
    """One cached encoder per cache file in this process."""
    if path not in _shared:
        _shared[path] = CachedEncoder(path)
    return _shared[path]
