"""The one question path: every question — a chat, an inline query, a button, the CLI — is
answered through :class:`Answerer`, and nothing else searches.

Where the search runs: in the search process when there is one (:mod:`knowledge.worker`, which
only reads the database); else on the caller's event loop when the in-memory index is current and
no write of this process is running (a ~1 ms search costs less than a thread hop); else in a
thread (a search that would rebuild the index). The answer is timed and, when asked for, logged
here — by this process, the one writer — with the search's milliseconds.

    answerer = Answerer(kb, worker=worker)
    asked = await answerer.ask("年假有几天", chat_kind="private")
    asked.answer, asked.question_id, asked.ms
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from .kb import KnowledgeBase
from .model import Answer
from .worker import SearchWorker, WorkerGone

__all__ = ["Answerer", "Asked"]


@dataclass(frozen=True)
class Asked:
    """A question answered: the answer, its id in the question log (None if not logged), and
    how long the search took."""

    answer: Answer
    question_id: int | None
    ms: float


def _timed(search: Callable[..., Answer], question: str, k: int, explain: bool,
           closest: bool = False, audiences: frozenset[str] | None = None
           ) -> tuple[Answer, float]:
    started = time.perf_counter()
    answer = search(question, k, explain=explain, closest=closest, audiences=audiences)
    return answer, round((time.perf_counter() - started) * 1000, 1)


class Answerer:
    """Search, time and log questions for one knowledge base (see the module docstring).

    ``worker``: the search process, if any (it may die: searches then run here). ``inline``:
    whether a search may run on the event loop at all. ``busy``: tells whether a write of this
    process is running (a search on the loop would then wait for it).
    """

    def __init__(self, kb: KnowledgeBase, *, worker: SearchWorker | None = None,
                 inline: bool = True, busy: Callable[[], bool] = lambda: False) -> None:
        self.kb = kb
        self.worker = worker
        self.inline = inline
        self.busy = busy

    async def ask(self, question: str, k: int = 5, *, chat_kind: str | None = None,
                  log: bool = True, explain: bool = False, closest: bool = False,
                  audiences: frozenset[str] | None = None) -> Asked:
        """Answer ``question`` (``k`` hits at most); log it as asked from ``chat_kind``.
        ``closest``: a ``not_found`` answer still carries its best (weak) hits, for an admin
        to pick the passage that answers it (the status stays ``not_found``). ``audiences``:
        the asker's audience names — only documents for 全员 or one of them are searched
        (None: every document; the CLI and admin tools only)."""
        answer, ms = await self._search(question, k, explain, closest, audiences)
        question_id = None
        if log:
            # inline (~40 µs); a thread only when another write holds the database
            question_id = self.kb.log_question(answer, chat_kind=chat_kind, ms=ms, wait=False)
            if question_id is None:
                question_id = await asyncio.to_thread(self.kb.log_question, answer,
                                                      chat_kind=chat_kind, ms=ms)
        return Asked(answer, question_id, ms)

    def ask_now(self, question: str, k: int = 5, *, chat_kind: str | None = None,
                log: bool = True, explain: bool = False, closest: bool = False,
                audiences: frozenset[str] | None = None) -> Asked:
        """:meth:`ask` for a caller without an event loop (the CLI): searched in this process."""
        answer, ms = _timed(self.kb.search, question, k, explain, closest, audiences)
        question_id = self.kb.log_question(answer, chat_kind=chat_kind, ms=ms) if log else None
        return Asked(answer, question_id, ms)

    @property
    def where(self) -> str:
        """Where searches run now, for the start-up log."""
        worker = self.worker
        if worker is not None and worker.alive:
            return f"search process {worker.pid}"
        return "in this process"

    async def _search(self, question: str, k: int, explain: bool, closest: bool,
                      audiences: frozenset[str] | None) -> tuple[Answer, float]:
        worker = self.worker
        if worker is not None and worker.alive:
            try:
                return await worker.search_timed(question, k, explain=explain, closest=closest,
                                                 audiences=audiences)
            except WorkerGone:
                pass  # it logged why, once; this process searches from now on
        # (on the loop only a search of words: embedding the question takes ~10-30 ms)
        ready = self.kb.ready_searcher() \
            if self.inline and not self.busy() and self.kb.meaning is None else None
        if ready is not None:
            return _timed(partial(self.kb.search, searcher=ready), question, k, explain, closest,
                          audiences)
        return await asyncio.to_thread(_timed, self.kb.search, question, k, explain, closest,
                                       audiences)
