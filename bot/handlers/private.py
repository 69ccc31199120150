"""Questions and help: private-chat text, /ask (any chat), /start and /help, unknown commands."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from knowledge import SUPPORTED_SUFFIXES

from .. import render
from ..api import send
from ..context import StaffContext
from .common import ask, lang

__all__ = ["on_ask", "on_help", "on_private_text", "on_unknown_command"]


async def on_ask(update: Update, context: StaffContext) -> None:
    """/ask <question> (also /ask@thisbot) in any chat."""
    parts = (update.effective_message.text or "").split(maxsplit=1)
    await ask(update, context, parts[1] if len(parts) > 1 else "")


async def on_private_text(update: Update, context: StaffContext) -> None:
    """Any non-command text in a private chat is a question."""
    await ask(update, context, update.effective_message.text or "")


async def on_help(update: Update, context: StaffContext) -> None:
    """/start and /help in any chat: how to use the bot (admins also see the admin commands)."""
    chat, user = update.effective_chat, update.effective_user
    user_id = user.id if user else None
    private = chat.type == ChatType.PRIVATE
    if not await context.access.may_ask(user_id, chat.id):
        if private:
            await send(context.bot, chat.id, render.render_message(lang(update), "refused"))
        context.outcome(update, "refused")
        return
    admin = private and context.access.is_admin(user_id)
    replies = render.render_help(lang(update), admin, context.bot.username, SUPPORTED_SUFFIXES)
    await send(context.bot, chat.id, replies,
               reply_to=None if private else update.effective_message)
    context.outcome(update, "help")


async def on_unknown_command(update: Update, context: StaffContext) -> None:
    """Any other /command in a private chat: point to /help."""
    await send(context.bot, update.effective_chat.id,
               render.render_message(lang(update), "unknown_command"))
    context.outcome(update, "unknown_command")
