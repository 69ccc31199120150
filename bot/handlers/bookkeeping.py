"""Around every update: when it started, one log line when it is done, and errors."""

from __future__ import annotations

import time

from telegram import Update
from telegram.constants import ChatType
from telegram.error import Conflict, NetworkError, RetryAfter

from .. import render
from ..api import send
from ..context import StaffContext
from .common import lang, log

__all__ = ["log_update", "on_error", "stamp_update"]


async def stamp_update(update: object, context: StaffContext) -> None:
    """Every update, first (group -1): note when its handling started."""
    if isinstance(update, Update):
        context.state.started[update.update_id] = time.perf_counter()


def _chat_kind(update: Update) -> str:
    if update.inline_query or update.chosen_inline_result:
        return "inline"
    chat = update.effective_chat
    return chat.type if chat else "-"


async def log_update(update: object, context: StaffContext) -> None:
    """Every update, last (group 1): one INFO line with chat kind, outcome and time taken (no
    text)."""
    if not isinstance(update, Update):
        return
    state = context.state
    started = state.started.pop(update.update_id, None)
    status = state.outcomes.pop(update.update_id, "ignored")
    ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    state.counters[status] += 1
    log.info("update %s: %s %s %.0f ms", update.update_id, _chat_kind(update), status, ms)


async def on_error(update: object, context: StaffContext) -> None:
    """Any exception in a handler: log it, tell a private asker, keep running.

    Polling trouble (``update`` is None: a 5xx, a lost connection, a 409) is retried by PTB with
    backoff; it gets one WARNING line, not a traceback per attempt (a 409 is explained by
    :mod:`bot.polling`).
    """
    if update is None and isinstance(context.error, (NetworkError, Conflict, RetryAfter)):
        if not isinstance(context.error, Conflict):
            log.warning("getUpdates failed, retrying: %s", str(context.error)[:120])
        return
    log.error("error handling update %s", getattr(update, "update_id", "-"),
              exc_info=context.error)
    if not isinstance(update, Update):
        return
    context.outcome(update, "error")
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE and update.effective_message:
        try:
            await send(context.bot, chat.id, render.render_message(lang(update), "error"))
        except Exception:  # noqa: BLE001 — nothing more to do; already logged above
            log.debug("could not report the error to the user", exc_info=True)
