"""Groups: text that mentions the bot or replies to it is a question; membership changes (the
bot's own, and a member's: someone who leaves an audience's chat loses it at once)."""

from __future__ import annotations

import re

from telegram import Update

from ..context import StaffContext
from .common import ask, log

__all__ = ["on_chat_member", "on_group_text", "on_my_chat_member"]


def _mention_pattern(username: str) -> re.Pattern:
    return re.compile(rf"(?<![\w@])@{re.escape(username)}\b", re.IGNORECASE)


async def on_group_text(update: Update, context: StaffContext) -> None:
    """Group text: a question when it mentions the bot or replies to it; otherwise ignored."""
    message, bot = update.effective_message, context.bot
    text = message.text or ""
    pattern = _mention_pattern(bot.username) if bot.username else None
    mentioned = bool(pattern and pattern.search(text))
    replied = message.reply_to_message is not None and \
        message.reply_to_message.from_user is not None and \
        message.reply_to_message.from_user.id == bot.id
    if not (mentioned or replied):
        context.outcome(update, "ignored")
        return
    await ask(update, context, pattern.sub(" ", text) if pattern else text)


async def on_my_chat_member(update: Update, context: StaffContext) -> None:
    """The bot was added to, promoted in or removed from a chat: log it."""
    change = update.my_chat_member
    log.info("bot is now %s in %s %s", change.new_chat_member.status, change.chat.type,
             change.chat.id)
    context.outcome(update, "member")


async def on_chat_member(update: Update, context: StaffContext) -> None:
    """Someone joined, left or was removed from a chat the bot administers: their cached
    membership of it is dropped, so the next question checks again (access revoked at once)."""
    change = update.chat_member
    context.access.forget(change.chat.id, change.new_chat_member.user.id)
    context.outcome(update, f"member {change.new_chat_member.status}")
