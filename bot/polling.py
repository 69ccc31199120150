"""Long polling that confirms an update only once it has been processed.

PTB confirms a batch (the next getUpdates offset) as soon as it is fetched, so a process killed
with updates in its queue lost them. Here :class:`UpdateTracker` knows which fetched updates are
unfinished, and :func:`get_updates` (called by the bot's ``get_updates``, see
:mod:`bot.ptb_internals`) never sends an offset past one of them. Telegram then hands the
unfinished ones out again: :class:`PollingRequest` (the bot's ``get_updates_request``) drops those
copies from the raw JSON before PTB parses them. Back-pressure: while more than :data:`REFILL_AT`
updates are unfinished no getUpdates is sent (the backlog waits at Telegram, not here). At SIGTERM
PTB drains its queue and ``post_stop`` calls :func:`confirm_processed`.

409 Conflict (another process polls with this token): a process that never polled successfully
gives up after :data:`CONFLICT_LIMIT` in a row (exit status :data:`EXIT_CONFLICT`); one that was
polling logs it and backs off, so the running instance survives a newcomer.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import logging
import time
from collections.abc import Awaitable, Callable

from telegram.error import Conflict, TelegramError

from .transport import AiohttpRequest

__all__ = [
    "CONFLICT_LIMIT",
    "EXIT_CONFLICT",
    "REFILL_AT",
    "PollingRequest",
    "UpdateTracker",
    "confirm_processed",
    "get_updates",
]

log = logging.getLogger(__name__)

CONFLICT_LIMIT = 3      # 409s in a row before a process that never polled gives up
REFILL_AT = 16          # fetch more updates once at most this many are unfinished
EXIT_CONFLICT = 3       # exit status when another instance holds the token


class UpdateTracker:
    """Which fetched updates are still being processed (polling only)."""

    def __init__(self) -> None:
        self.high: int | None = None       # highest update id handed to the application
        self.pending: set[int] = set()     # fetched, not yet finished
        self.fetched_at: dict[int, float] = {}  # pending update id → time.monotonic() of fetch
        self.repeated = 0                  # updates the last getUpdates repeated (dropped unparsed)
        self.progress = asyncio.Event()    # set whenever an update finishes
        self.conflicts = 0                 # 409s in a row
        self.polled = False                # a getUpdates has succeeded in this process
        self.gave_up = False               # stopped because another instance polls
        self.stop: Callable[[], None] | None = None  # stops the application (set by the wiring)

    def safe_offset(self, requested: int | None) -> int | None:
        """The offset to send: never past an update that is still being processed."""
        if self.pending and (requested is None or requested > min(self.pending)):
            return min(self.pending)
        return requested

    def is_new(self, update_id: int) -> bool:
        return self.high is None or update_id > self.high

    def drop_repeated(self, raw: list) -> list:
        """getUpdates' raw JSON without the updates handed out before (Telegram repeats every
        unconfirmed one), so that PTB does not parse them again only for them to be dropped."""
        fresh = [u for u in raw if not (isinstance(u, dict) and isinstance(u.get("update_id"), int))
                 or self.is_new(u["update_id"])]
        self.repeated = len(raw) - len(fresh)
        return fresh

    def fetched(self, updates) -> list:
        """The updates not handed out before (Telegram repeats the unconfirmed ones)."""
        fresh = [u for u in updates if self.is_new(u.update_id)]
        now = time.monotonic()
        for update in fresh:
            self.pending.add(update.update_id)
            self.fetched_at[update.update_id] = now
            self.high = update.update_id if self.high is None else max(self.high, update.update_id)
        return fresh

    def finished(self, update_id: int) -> None:
        if update_id in self.pending:
            self.pending.discard(update_id)
            self.fetched_at.pop(update_id, None)
            self.progress.set()

    def waited(self, update_id: int) -> float | None:
        """Seconds since ``update_id`` was fetched (None: not fetched by polling)."""
        fetched = self.fetched_at.get(update_id)
        return None if fetched is None else time.monotonic() - fetched

    async def wait_progress(self, timeout: float) -> None:
        """Until an update finishes (clear :attr:`progress` first) or ``timeout`` seconds."""
        # (asyncio.wait, not wait_for: Python 3.11's wait_for can swallow the cancellation
        # that stops polling when the event fires at the same moment)
        waiter = asyncio.ensure_future(self.progress.wait())
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        finally:
            waiter.cancel()

    def confirm_offset(self) -> int | None:
        """The offset that confirms everything processed and nothing else."""
        if self.pending:
            return min(self.pending)
        return None if self.high is None else self.high + 1

    def conflict(self) -> None:
        """A 409 from getUpdates: count it; give up when this process never polled."""
        self.conflicts += 1
        if not self.polled and self.conflicts >= CONFLICT_LIMIT:
            log.error("409 Conflict from getUpdates %d times in a row: another instance is polling "
                      "with this token. Stopping this one (exit status %d); run one instance per "
                      "bot token.", self.conflicts, EXIT_CONFLICT)
            self.gave_up = True
            if self.stop is not None:
                self.stop()
        elif self.conflicts == 1 or self.conflicts % 10 == 0:
            log.warning("409 Conflict from getUpdates (%d in a row): another instance is polling "
                        "with this token; backing off", self.conflicts)


class PollingRequest(AiohttpRequest):
    """The getUpdates transport: drops the updates handed out before from Telegram's raw answer
    (``BaseRequest.parse_json_payload``, PTB's documented hook), before PTB parses them."""

    __slots__ = ("tracker",)

    def __init__(self, tracker: UpdateTracker, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tracker = tracker

    def parse_json_payload(self, payload: bytes) -> dict:
        data = super().parse_json_payload(payload)
        if isinstance(data, dict) and data.get("ok") and isinstance(data.get("result"), list):
            data["result"] = self.tracker.drop_repeated(data["result"])
        return data


def _seconds(timeout) -> float:
    if isinstance(timeout, dtm.timedelta):
        return timeout.total_seconds()
    return float(timeout or 0)


async def get_updates(tracker: UpdateTracker, fetch: Callable[..., Awaitable[tuple]],
                      offset=None, timeout=None, **kwargs) -> tuple:
    """One getUpdates as PTB's updater asks for it, through ``fetch`` (PTB's own get_updates):
    the offset held below unfinished updates, only fresh updates returned, back-pressure."""
    if tracker.gave_up:
        return ()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + _seconds(timeout)
    while True:
        # Back-pressure: while many fetched updates are unfinished, a getUpdates (whose offset
        # may not pass them) would mostly bring back those same updates; wait until few are
        # left, then fetch the next batch while they finish.
        while True:
            tracker.progress.clear()
            if len(tracker.pending) <= REFILL_AT:
                break
            remaining = deadline - loop.time()
            if remaining <= 0:
                return ()
            await tracker.wait_progress(min(remaining, 1.0))
        try:
            updates = await fetch(offset=tracker.safe_offset(offset), timeout=timeout, **kwargs)
        except Conflict:
            tracker.conflict()
            raise
        if tracker.conflicts:
            log.info("polling again after %d conflict(s)", tracker.conflicts)
        tracker.conflicts, tracker.polled = 0, True
        fresh = tracker.fetched(updates)
        remaining = deadline - loop.time()
        if fresh or not tracker.repeated or remaining <= 0:
            return tuple(fresh)
        # Only updates still being processed came back (they are not confirmed yet): wait
        # until one finishes, then confirm it with the next request.
        await tracker.wait_progress(min(remaining, 1.0))


async def confirm_processed(tracker: UpdateTracker, fetch: Callable[..., Awaitable[tuple]]) -> None:
    """Confirm (getUpdates with the offset) every update processed so far; at shutdown."""
    offset = tracker.confirm_offset()
    if tracker.gave_up or offset is None:
        return
    try:
        await fetch(offset=offset, limit=1, timeout=0)
    except TelegramError as err:
        log.warning("could not confirm the processed updates (%s): the next start gets them "
                    "again", err)
    else:
        log.info("confirmed updates below %d; %d fetched but unprocessed left for the next "
                 "start", offset, len(tracker.pending))
