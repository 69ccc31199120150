"""The handlers' ``context``: typed access to the bot's long-lived objects.

:data:`CONTEXT_TYPES` makes PTB create a :class:`StaffContext` for every handler call and a
:class:`BotState` as the application's ``bot_data`` (PTB's ``ContextTypes`` seam, as in its
``contexttypesbot`` example). Handlers read ``context.kb``, ``context.settings``,
``context.access``, ``context.answerer`` … instead of looking things up in a dict::

    async def on_stats(update: Update, context: StaffContext) -> None:
        stats = await asyncio.to_thread(context.kb.stats)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections import Counter, OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import CallbackContext, ContextTypes, ExtBot

from knowledge import Answer, Answerer, KnowledgeBase, SearchWorker

from .access import Access
from .polling import UpdateTracker
from .render import Reply
from .settings import Settings

log = logging.getLogger(__name__)

__all__ = ["CONTEXT_TYPES", "BackgroundEmbedding", "BotState", "EscalationCards",
           "RecentAnswers", "StaffContext"]

RECENT_ANSWERS = 2048       # answers kept for the "more results" button
RECENT_CARDS = 1024         # escalations whose admin messages are remembered (to close them)
INLINE_SEARCH = True        # a search may run on the event loop when the index is ready


class RecentAnswers:
    """The last :data:`RECENT_ANSWERS` answers by question id (for the "more results" button)."""

    def __init__(self, size: int = RECENT_ANSWERS) -> None:
        self.size = size
        self._answers: OrderedDict[int, Answer] = OrderedDict()

    def remember(self, question_id: int, answer: Answer) -> None:
        self._answers[question_id] = answer
        while len(self._answers) > self.size:
            self._answers.popitem(last=False)

    def recall(self, question_id: int) -> Answer | None:
        return self._answers.get(question_id)


@dataclass(frozen=True)
class Card:
    """One admin-side message that carries an escalation, as sent (to edit it once answered)."""

    chat_id: int
    message_id: int
    reply: Reply


class EscalationCards:
    """The admin messages of the last :data:`RECENT_CARDS` escalations (by escalation id), so
    that once one admin answers, every copy loses its buttons and says who answered. Only a
    convenience: after a restart the pressed message alone is closed."""

    def __init__(self, size: int = RECENT_CARDS) -> None:
        self.size = size
        self._cards: OrderedDict[int, list[Card]] = OrderedDict()

    def add(self, escalation_id: int, card: Card) -> None:
        self._cards.setdefault(escalation_id, []).append(card)
        self._cards.move_to_end(escalation_id)
        while len(self._cards) > self.size:
            self._cards.popitem(last=False)

    def take(self, escalation_id: int) -> list[Card]:
        """The cards of ``escalation_id``, forgotten (each is closed once)."""
        return self._cards.pop(escalation_id, [])


class BackgroundEmbedding:
    """Meaning vectors for what was written without them (an upload, a channel post, /reload,
    documents from before the meaning extra), embedded on a thread while questions are
    answered: an admin's upload is answered once its words are in (a 200-paragraph file: 0.1 s
    instead of ~18 s, bench/README.md). :meth:`kick` after a write starts a pass, or asks the
    running one for another; each batch's vectors are written under the bot's write lock, so a
    pass never interleaves with an upload's transaction (and skips a paragraph it replaced)."""

    # paragraphs a batch: ~0.5 s of the model for statute articles, a few seconds for long
    # paragraphs — what a question waits at most when it is searched in this process (the
    # search process, when there is one, has a model of its own)
    BATCH = 8

    def __init__(self, kb: KnowledgeBase, write_lock: asyncio.Lock) -> None:
        self.kb, self.write_lock = kb, write_lock
        self.stop = threading.Event()
        self.task: asyncio.Task | None = None
        self._again = False

    def kick(self) -> None:
        """Embed what is missing, soon (nothing without the meaning extra)."""
        if self.kb.meaning is None or self.stop.is_set():
            return
        self._again = True
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._passes())

    async def _passes(self) -> None:
        loop = asyncio.get_running_loop()

        def write(job) -> None:          # (from the pass's thread: the job under the lock)
            async def locked() -> None:
                async with self.write_lock:
                    await asyncio.to_thread(job)
            done = asyncio.run_coroutine_threadsafe(locked(), loop)
            while True:     # (never waiting for good on a loop that has stopped)
                try:
                    return done.result(timeout=1.0)
                except concurrent.futures.TimeoutError:
                    if not loop.is_running():
                        done.cancel()
                        raise RuntimeError("the bot stopped") from None

        while self._again and not self.stop.is_set():
            self._again = False
            try:
                done = await asyncio.to_thread(self.kb.embed_missing, stop=self.stop, workers=1,
                                               batch=self.BATCH, write=write)
            except Exception as err:  # noqa: BLE001 - words still match; logged, never fatal
                log.warning("embedding paragraphs for meaning failed: %s", err)
                return
            if done:
                log.info("meaning: %d paragraphs embedded", done)

    async def close(self) -> None:
        """Stop after the batch being embedded (the rest is embedded at the next start)."""
        self.stop.set()
        if self.task is not None:
            await asyncio.gather(self.task, return_exceptions=True)


@dataclass
class BotState:
    """The application's ``bot_data``: one per application, filled in by :mod:`bot.app`."""

    settings: Settings | None = None
    access: Access | None = None
    kb: KnowledgeBase | None = None
    owns_kb: bool = True
    worker: SearchWorker | None = None     # the search process, when there is one
    answerer: Answerer | None = None       # the one question path (made once the kb is open)
    tracker: UpdateTracker | None = None   # polling's unfinished updates (None: webhook)
    recent: RecentAnswers = field(default_factory=RecentAnswers)
    cards: EscalationCards = field(default_factory=EscalationCards)
    counters: Counter = field(default_factory=Counter)
    started: dict = field(default_factory=dict)    # update id → perf_counter() at its start
    outcomes: dict = field(default_factory=dict)   # update id → what its handler did
    write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    checkpoints: asyncio.Task | None = None   # SQLite's log copied on a thread (bot.app)
    embedding: BackgroundEmbedding | None = None   # meaning vectors, on a thread (bot.app)


class StaffContext(CallbackContext[ExtBot, dict, dict, BotState]):
    """PTB's ``CallbackContext`` with typed properties for what the handlers use."""

    @property
    def state(self) -> BotState:
        return self.bot_data

    @property
    def settings(self) -> Settings:
        return self.bot_data.settings

    @property
    def access(self) -> Access:
        return self.bot_data.access

    @property
    def kb(self) -> KnowledgeBase:
        kb = self.bot_data.kb
        if kb is None:
            raise RuntimeError("the knowledge base is not open yet")
        return kb

    @property
    def answerer(self) -> Answerer:
        """The question path (search process, this process, or a thread; timing and logging)."""
        state = self.bot_data
        if state.answerer is None:
            state.answerer = Answerer(self.kb, worker=state.worker, inline=INLINE_SEARCH,
                                      busy=state.write_lock.locked)
        return state.answerer

    @property
    def recent(self) -> RecentAnswers:
        return self.bot_data.recent

    @property
    def cards(self) -> EscalationCards:
        return self.bot_data.cards

    @property
    def counters(self) -> Counter:
        return self.bot_data.counters

    def embed_soon(self) -> None:
        """After a write: its paragraphs' meaning vectors are embedded in the background."""
        if self.bot_data.embedding is not None:
            self.bot_data.embedding.kick()

    @asynccontextmanager
    async def writing(self):
        """One knowledge-base write at a time (across chats, which run concurrently).

        The knowledge base serializes its transactions, but not everything around them (it records
        a document's defined terms on the shared connection before taking its lock, which would
        commit another thread's open transaction midway); and a search stays on the event loop
        only while no write is running (``busy`` of the :class:`knowledge.Answerer`).
        """
        async with self.bot_data.write_lock:
            yield

    def outcome(self, update: object, status: str) -> None:
        """What the handler did with ``update`` (``answer``, ``refused`` …), for its log line."""
        if isinstance(update, Update):
            self.bot_data.outcomes[update.update_id] = status

    def update_age(self, update: Update) -> float | None:
        """Seconds since polling fetched ``update`` (None when unknown, e.g. webhook mode)."""
        tracker = self.bot_data.tracker
        return tracker.waited(update.update_id) if tracker is not None else None


CONTEXT_TYPES = ContextTypes(context=StaffContext, bot_data=BotState)
