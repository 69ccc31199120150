"""What several handlers share: the asker's language, cleaning a question, asking it."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest

from .. import render
from ..api import send
from ..context import StaffContext
from ..render import lang_for
from .replies import send_answer

__all__ = ["MAX_QUESTION", "answer_callback", "ask", "audiences_here", "can_escalate",
           "clean_question", "lang", "log", "may_see", "query_expired"]

log = logging.getLogger("bot.handlers")  # one logger for every handler module

MAX_QUESTION = 500          # characters of a question that are searched


def lang(update: Update) -> str:
    user = update.effective_user
    return lang_for(user.language_code if user else None)


def clean_question(text: str) -> str:
    """Whitespace collapsed, control characters dropped, cut to :data:`MAX_QUESTION` characters."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUESTION]


async def answer_callback(update: Update, query, *args, **kwargs) -> None:
    """answerCallbackQuery; an expired query (the button still works) is one WARNING line."""
    try:
        await query.answer(*args, **kwargs)
    except BadRequest as err:
        if not query_expired(err):
            raise
        log.warning("callback query of update %s answered too late (%s)", update.update_id,
                    err.message)


def can_escalate(context: StaffContext) -> bool:
    """Whether a 🙋 question has somewhere to go (admins or an admin chat are configured)."""
    settings = context.settings
    return bool(settings.admins) or settings.admin_chat is not None


def query_expired(err: BadRequest) -> bool:
    """Whether Telegram refused a callback/inline answer because the query expired."""
    message = err.message.lower()
    return "query is too old" in message or "query id is invalid" in message


async def audiences_here(context: StaffContext, user_id: int | None, chat) -> frozenset[str] | None:
    """The audiences an answer sent to ``chat`` may draw on: the asker's own in a private chat
    (None for an admin: every document), the chat's anywhere else (what all its members may
    read: 全员 and the audiences that list the chat)."""
    private = chat is None or chat.type == ChatType.PRIVATE
    return await context.access.reader_audiences(user_id, None if chat is None else chat.id,
                                                 private)


async def may_see(context: StaffContext, doc_id: int, user_id: int | None, chat) -> bool:
    """Whether a paragraph of ``doc_id`` may be sent to ``chat`` because ``user_id`` pressed a
    button: the presser may read it (not the one who asked), and in a group every member may."""
    if not doc_id:   # an admin's written answer: no document behind it
        return True
    if not context.kb.may_read(doc_id, await context.access.audiences_of(user_id)):
        return False
    private = chat is None or chat.type == ChatType.PRIVATE
    return private or context.kb.may_read(doc_id, context.access.chat_audiences(chat.id))


async def ask(update: Update, context: StaffContext, question: str) -> None:
    """Answer ``question`` in the chat of ``update`` (access checked), replying to its message."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    language = lang(update)
    private = chat.type == ChatType.PRIVATE
    if not await context.access.may_ask(user.id if user else None, chat.id):
        if private:
            await send(context.bot, chat.id, render.render_message(language, "refused"))
        context.outcome(update, "refused")
        return
    question = clean_question(question)
    if not question:
        if update.edited_message is not None:  # edited into no question: leave the answer be
            context.outcome(update, "edited, no question")
            return
        await send(context.bot, chat.id, render.render_message(language, "usage"),
                   reply_to=message)
        context.outcome(update, "usage")
        return
    audiences = await audiences_here(context, user.id if user else None, chat)
    asked = await context.answerer.ask(question, chat_kind="private" if private else "group",
                                       audiences=audiences)
    answer = asked.answer
    if asked.question_id:
        context.recent.remember(asked.question_id, answer)
    best = answer.best if answer.status == "answer" else None
    original = best is not None and bool(best.doc_id) and \
        await asyncio.to_thread(context.kb.original_file, best.doc_id) is not None
    replies = render.render_answer(answer, asked.question_id, language,
                                   escalate=can_escalate(context), original=original,
                                   bot_username=None if private else context.bot.username)
    how = await send_answer(update, context, replies, answer, asked.question_id)
    context.outcome(update, answer.status + (" (edited)" if how == "edited" else ""))
