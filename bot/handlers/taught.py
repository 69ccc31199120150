"""Admins' commands for what was taught (private chats): /taught lists the taught questions —
each with the passage it was linked to or the written answer, and a mark where the passage's
text is gone — and /forget removes one. Teaching happens on the 🙋 cards (就是这段, a reply);
these undo a wrong one without the command line (``staffbot taught`` / ``staffbot forget``).
The next question already goes without it."""

from __future__ import annotations

import asyncio

from telegram import Update

from .. import render
from ..api import send
from ..context import StaffContext
from .admin import _admin, _admin_view, _argument
from .common import lang

__all__ = ["on_forget", "on_taught"]


async def on_taught(update: Update, context: StaffContext) -> None:
    """/taught (admin): the taught questions with their ids, newest last."""
    await _admin_view(update, context, context.kb.taught, render.render_taught, "taught")


async def on_forget(update: Update, context: StaffContext) -> None:
    """/forget ID (admin): forget one taught question (ids are in /taught)."""
    if not await _admin(update, context):
        return
    ref, language = _argument(update).lstrip("#"), lang(update)
    if not (ref.isascii() and ref.isdigit()):       # (not ², not ٣)
        await send(context.bot, update.effective_chat.id,
                   render.render_message(language, "forget_usage"))
        context.outcome(update, "forget_usage")
        return
    entry = next((t for t in await asyncio.to_thread(context.kb.taught) if t.id == int(ref)),
                 None)
    forgotten = False
    if entry is not None:
        async with context.writing():
            forgotten = await asyncio.to_thread(context.kb.forget, entry.id)
    replies = render.render_message(language, "forgotten", id=ref,
                                    question=render.truncate(entry.question, 200)) \
        if forgotten else render.render_message(language, "forget_none",
                                                id=render.truncate(ref, 20))
    await send(context.bot, update.effective_chat.id, replies)
    context.outcome(update, "forget")
