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

__all__ = ["CONTEXT_TYPES", "BotState", "EscalationCards", "RecentAnswers", "StaffContext"]

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
    backfill: asyncio.Task | None = None      # paragraphs embedded for meaning on a thread
    backfill_stop: threading.Event = field(default_factory=threading.Event)


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
