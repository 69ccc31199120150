"""Inline mode: ``@bot keywords`` in any chat offers up to 10 cited excerpts to send.

Searched as the asker's audiences; a result from a document not for 全员 carries only its
citation and a "在私聊中查看" deep link (the result can be sent into any chat)."""

from __future__ import annotations

from telegram import InlineQueryResultsButton, Update
from telegram.error import BadRequest

from .. import render
from ..api import answer_inline, inline_results_json
from ..context import StaffContext
from ..render import lang_for
from .common import clean_question, log, query_expired

__all__ = ["INLINE_MAX_AGE", "on_chosen_inline_result", "on_inline_query"]

INLINE_MAX_AGE = 8.0        # seconds: an inline query older than this is not answered (Telegram
                            # refuses answers about 10 s after the query)


async def on_inline_query(update: Update, context: StaffContext) -> None:
    """@bot keywords in any chat: up to 10 cited excerpts to send.

    A query that already waited longer than :data:`INLINE_MAX_AGE` (a backlog) is skipped: the
    user has moved on and Telegram would refuse the answer. An answer Telegram refuses as too
    old is one WARNING line, not an error.
    """
    query = update.inline_query
    age = context.update_age(update)
    if age is not None and age > INLINE_MAX_AGE:
        log.info("inline query %s not answered: it waited %.1f s", update.update_id, age)
        context.outcome(update, "inline expired")
        return
    lang = lang_for(query.from_user.language_code)
    # answers depend on who asks (staff only, or per audience): Telegram must not share them
    personal = context.access.restricted or bool(context.access.audiences)
    try:
        if not await context.access.is_staff(query.from_user.id):
            button = InlineQueryResultsButton(text=render.text_for(lang, "inline_refused"),
                                              start_parameter="help")
            await query.answer([], cache_time=10, is_personal=True, button=button)
            context.outcome(update, "refused")
            return
        text = clean_question(query.query or "")
        results: list[render.InlineResult] = []
        if text:
            audiences = await context.access.audiences_of(query.from_user.id)
            asked = await context.answerer.ask(text, render.INLINE_RESULTS, log=False,
                                               audiences=audiences)
            results = render.render_inline_results(asked.answer, bot_username=context.bot.username,
                                                   lang=lang)
        button = None if results else {"text": render.text_for(lang, "inline_button"),
                                       "start_parameter": "help"}
        await answer_inline(context.bot, query.id, inline_results_json(results), cache_time=10,
                            is_personal=personal, button=button)
    except BadRequest as err:
        if not query_expired(err):
            raise
        log.warning("inline query %s answered too late (%s; waited %s)", update.update_id,
                    err.message, "?" if age is None else f"{age:.1f} s before handling")
        context.outcome(update, "inline expired")
        return
    context.counters["inline_queries"] += 1
    context.outcome(update, f"{len(results)} results" if text else "empty")


async def on_chosen_inline_result(update: Update, context: StaffContext) -> None:
    """A user sent one of our inline results: count it."""
    context.counters["inline_chosen"] += 1
    context.outcome(update, "chosen")
