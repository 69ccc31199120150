"""/start: help, or a ``t.me/<bot>?start=<payload>`` link — ``p<ref>`` opens a paragraph in the
private chat, through the same access check as the 📄 button (:mod:`.callbacks`)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from .. import render
from ..api import send
from ..context import StaffContext
from .callbacks import readable_paragraph
from .common import lang
from .private import on_help

__all__ = ["on_start"]


async def on_start(update: Update, context: StaffContext) -> None:
    """/start in any chat; /start <payload> in a private chat (a deep link was opened)."""
    payload = context.args[0] if context.args else ""
    chat, user = update.effective_chat, update.effective_user
    if not payload or payload == "help" or chat.type != ChatType.PRIVATE or user is None:
        await on_help(update, context)
        return
    ref = render.start_ref(payload)
    if ref is None:               # not a link we make (typed, cut short, or from an old version)
        await send(context.bot, chat.id, render.render_message(lang(update), "link_invalid"))
        context.outcome(update, "bad link")
        return
    view, refused = await readable_paragraph(context, user.id, chat, ref=ref)
    replies = render.render_message(lang(update), "not_available") if refused else \
        render.render_paragraph(view, lang(update))
    await send(context.bot, chat.id, replies)
    context.outcome(update, "refused" if refused else "paragraph" if view else "gone")
