"""Concurrency: updates of different chats at once, those of one chat in arrival order.

:class:`PerChatUpdateProcessor` is a PTB ``BaseUpdateProcessor`` (give it to
``ApplicationBuilder().concurrent_updates(...)``); :func:`order_key` says what an update must stay
in order with. The processor also reports each finished update to ``finished`` (polling confirms
it, webhook mode answers Telegram's request), whatever order updates finish in.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

__all__ = ["CONCURRENT_UPDATES", "PerChatUpdateProcessor", "order_key"]

CONCURRENT_UPDATES = 12  # STAFFBOT_CONCURRENT_UPDATES=on: updates processed at once


def order_key(update: object) -> tuple[str, int] | None:
    """What an update must stay in order with: its chat (messages, edits, channel posts and their
    edits, button presses on a message, membership changes), else its user (inline queries, chosen
    inline results, a button on an inline message); None: no order needed."""
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    if chat is not None:
        return ("chat", chat.id)
    user = update.effective_user
    if user is not None:
        return ("user", user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_running`` updates processed at once; updates with the same :func:`order_key`
    one after the other in arrival order, different keys concurrently. ``max_running=1``: PTB
    processes one update at a time, in arrival order.

    PTB creates one task per update, in arrival order, and calls :meth:`do_process_update` from it
    before the task first yields (PTB's own semaphore is made large enough never to be waited on),
    so each update joins the end of its key's chain in arrival order. An update waiting for an
    earlier one of its chat does not hold one of the ``max_running`` slots, so a slow chat (a
    large upload) never takes the slots of the others. The number of waiting updates is bounded
    by polling's back-pressure (``bot.polling.REFILL_AT`` plus one getUpdates batch). At SIGTERM
    PTB waits until every queued update has been processed (its update queue is joined).
    """

    def __init__(self, max_running: int = CONCURRENT_UPDATES, max_waiting: int = 100_000, *,
                 finished: Callable[[Update], None] | None = None) -> None:
        super().__init__(max_waiting if max_running > 1 else 1)
        self.max_running = max_running
        self.finished = finished
        self._slots = asyncio.Semaphore(max_running)
        self._tails: dict[tuple[str, int], asyncio.Future] = {}  # key → its last update's "done"

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def waiting_chats(self) -> int:
        """Keys with an update being processed or waiting (for tests and logs)."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine) -> None:
        key = order_key(update)
        previous = self._tails.get(key) if key is not None else None
        done = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)  # never fails: set_result in the finally below
            async with self._slots:
                started = True
                await coroutine
        finally:
            if not started:  # cancelled while waiting: do not leave the coroutine un-awaited
                coroutine.close()
            done.set_result(None)
            if key is not None and self._tails.get(key) is done:
                del self._tails[key]
            if self.finished is not None and isinstance(update, Update):
                self.finished(update)
