"""Buttons under an answer: the full paragraph, more results, 👍/👎, a 猜你想问 suggestion,
🙋 问管理员, 📎 the original file; and the admins' 就是这段 / 写答案 (:mod:`.escalation`) and
谁可以看到？ (an upload's audience, :mod:`.admin`).

📄, ➕ and a suggestion show a paragraph only when the person who PRESSED may read it (not the
one who asked), and in a group only when every member may (:func:`.common.may_see`).
:func:`readable_paragraph` is the one access check of 📄, 📎 and ``t.me/<bot>?start=p<ref>``
deep links."""

from __future__ import annotations

import asyncio

from telegram import Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError

from knowledge import Answer, Hit, KnowledgeBase, ParagraphView

from .. import render
from ..api import send, send_document
from ..context import StaffContext
from ..render import lang_for
from . import admin, escalation
from . import replies as replies_log
from .common import answer_callback, can_escalate, log, may_see

__all__ = ["on_callback", "readable_paragraph"]

ADMIN_KINDS = ("a", "w")    # buttons only those who may answer escalations may press


async def on_callback(update: Update, context: StaffContext) -> None:
    """A button was pressed: full paragraph, more results, 👍/👎, a suggestion, 🙋, or (admins)
    就是这段 / 写答案."""
    query = update.callback_query
    lang = lang_for(query.from_user.language_code)
    parsed = render.parse_callback(query.data)
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else query.from_user.id
    if parsed is None:
        await answer_callback(update, query)
        context.outcome(update, "ignored")
        return
    kind = parsed[0]
    if kind == "v":
        await admin.on_audience_button(update, context, parsed[1], parsed[2], message, lang)
        return
    if kind in ADMIN_KINDS:
        if escalation.may_answer(context, query.from_user.id, message.chat.id if message else None):
            await escalation.on_admin_button(update, context, parsed, message, lang)
        else:
            await answer_callback(update, query, render.text_for(lang, "admins_only"),
                                  show_alert=True)
            context.outcome(update, "refused")
        return
    if not await context.access.may_ask(query.from_user.id, message.chat.id if message else None):
        await answer_callback(update, query, render.text_for(lang, "refused"), show_alert=True)
        context.outcome(update, "refused")
        return
    chat = message.chat if message is not None else None
    if kind == "p":
        view, refused = await readable_paragraph(context, query.from_user.id, chat,
                                                 paragraph_id=parsed[1])
        if refused:
            return await _not_available(update, context, lang)
        await answer_callback(update, query)
        await send(context.bot, chat_id, render.render_paragraph(view, lang), reply_to=message)
        context.outcome(update, "paragraph" if view else "gone")
    elif kind == "o":
        await _original(update, context, parsed[1], chat_id, message, lang)
    elif kind == "m":
        hits = await asyncio.to_thread(_more_hits, context.kb, context.recent.recall(parsed[1]),
                                       parsed[2])
        shown = [h for h in hits if await may_see(context, h.doc_id, query.from_user.id, chat)]
        if hits and not shown:
            return await _not_available(update, context, lang)
        hits = shown
        await answer_callback(update, query)
        await send(context.bot, chat_id, render.render_more(hits, lang), reply_to=message)
        context.outcome(update, "more")
    elif kind == "s":
        await _suggestion(update, context, parsed[1], parsed[2], message, lang)
    elif kind == "e":
        await escalation.on_escalate(update, context, parsed[1], message, lang)
    else:
        await _feedback(update, context, parsed[1], parsed[2], parsed[3], message, lang)


async def _not_available(update: Update, context: StaffContext, lang: str) -> None:
    """The presser may not read it: an alert, never the text."""
    await answer_callback(update, update.callback_query, render.text_for(lang, "not_available"),
                          show_alert=True)
    context.outcome(update, "not available")


async def readable_paragraph(context: StaffContext, user_id: int, chat: Chat | None, *,
                             paragraph_id: int | None = None, ref: str | None = None
                             ) -> tuple[ParagraphView | None, bool]:
    """The paragraph (by id or stable ref) if ``user_id`` may read it in ``chat``: (view,
    False); (None, True) when refused; (None, False) when it is gone. 📄, 📎 and deep links
    all go through here, so one check covers them all."""
    if not await context.access.may_ask(user_id, chat.id if chat is not None else None):
        return None, True
    if ref is not None:
        view = await asyncio.to_thread(context.kb.paragraph_by_ref, ref)
    else:
        view = await asyncio.to_thread(context.kb.paragraph, paragraph_id)
    if view is not None and not await may_see(context, view.doc_id, user_id, chat):
        return None, True
    return view, False


async def _original(update: Update, context: StaffContext, paragraph_id: int, chat_id: int,
                    message: Message | None, lang: str) -> None:
    """📎: the file an admin uploaded for the paragraph's document, sent by its file_id."""
    query = update.callback_query
    view, refused = await readable_paragraph(context, query.from_user.id,
                                             message.chat if message is not None else None,
                                             paragraph_id=paragraph_id)
    if refused:
        return await _not_available(update, context, lang)
    await answer_callback(update, query)
    original = await asyncio.to_thread(context.kb.original_file, view.doc_id) \
        if view is not None else None
    try:
        if original is not None:
            await send_document(context.bot, chat_id, original[0], reply_to=message)
            context.outcome(update, "original")
            return
    except BadRequest as err:   # a file_id Telegram no longer knows (another bot token)
        log.warning("original of document %s not sent: %s", view.doc_id, err.message)
    await send(context.bot, chat_id, render.render_message(lang, "original_gone"),
               reply_to=message)
    context.outcome(update, "original gone")


async def _suggestion(update: Update, context: StaffContext, question_id: int, paragraph_id: int,
                      message: Message | None, lang: str) -> None:
    """猜你想问: the chosen suggestion shown as the answer (👍/👎 on it), or, no longer
    remembered, its whole paragraph."""
    answer = context.recent.recall(question_id)
    hit = next((h for h in answer.hits if h.paragraph_id == paragraph_id), None) \
        if answer is not None else None
    written = hit is not None and not paragraph_id   # an admin's written answer: no paragraph
    view = None if written else await asyncio.to_thread(context.kb.paragraph, paragraph_id)
    presser = update.callback_query.from_user
    if view is not None and not await may_see(context, view.doc_id, presser.id,
                                              message.chat if message is not None else None):
        return await _not_available(update, context, lang)
    await answer_callback(update, update.callback_query)
    chat_id = message.chat.id if message is not None else update.callback_query.from_user.id
    if hit is None or (view is None and not written):  # forgotten, or its document removed
        hit = None
        replies = render.render_paragraph(view, lang)
    else:
        answer = Answer(answer.question, "answer", (hit,))
        replies = render.render_answer(answer, question_id, lang)
    sent = await send(context.bot, chat_id, replies, reply_to=message)
    if hit is not None:   # its 👍/👎 reactions count too
        await asyncio.to_thread(replies_log.remember, context, chat_id,
                                replies_log.sent_messages(sent), answer, question_id,
                                user_id=update.callback_query.from_user.id)
    context.outcome(update, "suggestion" if hit is not None else
                    "suggestion paragraph" if view is not None else "gone")


async def _feedback(update: Update, context: StaffContext, question_id: int, helpful: bool,
                    ref: str, message: Message | None, lang: str) -> None:
    """👍/👎: counted for /stats and recorded as a vote on (question, passage); after 👎 the
    keyboard offers 🙋 问管理员."""
    query = update.callback_query
    async with context.writing():   # counted, and one vote on (question, passage)
        recorded = await asyncio.to_thread(context.kb.feedback, question_id, helpful, ref=ref,
                                           voter=str(query.from_user.id))
    question = await escalation.question_of(context, question_id)
    offer = not helpful and can_escalate(context) and question is not None
    await answer_callback(update, query, render.text_for(
        lang, "thanks_up" if helpful else "down_escalate" if offer else "thanks_down"))
    if message is not None and message.reply_markup is not None:
        markup = _after_feedback(message.reply_markup, question_id if offer else None, lang)
        if markup != message.reply_markup:  # unchanged (a double click): Telegram would refuse
            try:
                await query.edit_message_reply_markup(markup)
            except TelegramError as err:
                log.debug("feedback buttons not changed: %s", err)
    context.outcome(update, ("helpful" if helpful else "unhelpful")
                    + ("" if recorded else " (unknown question)"))


def _after_feedback(markup: InlineKeyboardMarkup, escalate_id: int | None, lang: str
                    ) -> InlineKeyboardMarkup | None:
    """The keyboard without 👍/👎; with 🙋 (``escalate_id``: the question's id) unless there."""
    rows = [[b for b in row if not (b.callback_data or "").startswith("f:")]
            for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    present = any((b.callback_data or "").startswith("e:") for row in rows for b in row)
    if escalate_id is not None and not present:
        button = render.escalate_row(escalate_id, lang)[0]
        rows.append([InlineKeyboardButton(button.text, callback_data=button.callback_data)])
    return InlineKeyboardMarkup(rows) if rows else None


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
