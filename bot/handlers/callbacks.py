"""Buttons under an answer: the full paragraph, more results, 👍/👎."""

from __future__ import annotations

import asyncio

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from knowledge import Answer, Hit, KnowledgeBase

from .. import render
from ..api import send
from ..context import StaffContext
from ..render import lang_for
from .common import log, query_expired

__all__ = ["on_callback"]


async def on_callback(update: Update, context: StaffContext) -> None:
    """A button under an answer was pressed: full paragraph, more results, or 👍/👎."""
    query = update.callback_query
    lang = lang_for(query.from_user.language_code)
    parsed = render.parse_callback(query.data)
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else query.from_user.id
    if parsed is None:
        await _answer_callback(update, query)
        context.outcome(update, "ignored")
        return
    if not await context.access.may_ask(query.from_user.id, message.chat.id if message else None):
        await _answer_callback(update, query, render.text_for(lang, "refused"), show_alert=True)
        context.outcome(update, "refused")
        return
    kind = parsed[0]
    if kind == "p":
        view = await asyncio.to_thread(context.kb.paragraph, parsed[1])
        await _answer_callback(update, query)
        await send(context.bot, chat_id, render.render_paragraph(view, lang), reply_to=message)
        context.outcome(update, "paragraph" if view else "gone")
    elif kind == "m":
        hits = await asyncio.to_thread(_more_hits, context.kb, context.recent.recall(parsed[1]),
                                       parsed[2])
        await _answer_callback(update, query)
        await send(context.bot, chat_id, render.render_more(hits, lang), reply_to=message)
        context.outcome(update, "more")
    else:
        helpful = parsed[2]
        recorded = await asyncio.to_thread(context.kb.feedback, parsed[1], helpful)
        await _answer_callback(update, query,
                               render.text_for(lang, "thanks_up" if helpful else "thanks_down"))
        if message is not None:
            try:
                await query.edit_message_reply_markup(_without_feedback(message.reply_markup))
            except TelegramError as err:  # e.g. "message is not modified" on a double click
                log.debug("feedback buttons not removed: %s", err)
        context.outcome(update, ("helpful" if helpful else "unhelpful")
                        + ("" if recorded else " (unknown question)"))


def _without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [[b for b in row if not (b.callback_data or "").startswith("f:")]
            for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def _answer_callback(update: Update, query, *args, **kwargs) -> None:
    """answerCallbackQuery; an expired query (the button still works) is one WARNING line."""
    try:
        await query.answer(*args, **kwargs)
    except BadRequest as err:
        if not query_expired(err):
            raise
        log.warning("callback query of update %s answered too late (%s)", update.update_id,
                    err.message)


def _more_hits(kb: KnowledgeBase, answer: Answer | None, paragraph_ids: tuple[int, ...]) -> list[Hit]:
    """The hits behind a "more" button: from the remembered answer, else re-read by id."""
    if answer is not None:
        hits = {h.paragraph_id: h for h in answer.hits}
        if all(p in hits for p in paragraph_ids):
            return [hits[p] for p in paragraph_ids]
    out = []
    for pid in paragraph_ids:
        view = kb.paragraph(pid)
        if view is not None:
            out.append(Hit(view.doc_id, view.paragraph_id, view.citation,
                           render.truncate(view.text, 160), (), 0.0))
    return out
