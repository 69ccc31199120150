"""The Bot API calls the handlers send with, as functions taking any PTB bot.

Replies are sent as JSON built here, through PTB's public ``Bot.do_api_request`` (so the rate
limiter, retries and error mapping apply), without turning Telegram's answer into objects nobody
reads: building a ``Message`` per reply and PTB's inline result objects were ~8 % and ~5 % of a
busy bot's CPU. A plain ``telegram.Bot``/``ExtBot`` can run every handler.

    await send(context.bot, chat_id, render.render_answer(...), reply_to=update.effective_message)
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot, Message
from telegram.constants import ParseMode
from telegram.warnings import PTBUserWarning

from . import render
from .render import Button, Reply

__all__ = ["answer_inline", "delete_message", "edit_text", "inline_results_json", "markup_json",
           "send", "send_document", "send_text"]

# do_api_request warns when the endpoint has a Bot method ("Please use 'Bot.sendMessage'"): we
# call it on purpose, for the JSON in and out.
warnings.filterwarnings("ignore", r"Please use 'Bot\.(sendMessage|answerInlineQuery|"
                        r"editMessageText|sendDocument|deleteMessage)'", PTBUserWarning)


def markup_json(buttons: tuple[tuple[Button, ...], ...]) -> dict | None:
    """:class:`render.Button` rows → the Bot API's ``reply_markup`` object (None when none)."""
    if not buttons:
        return None
    return {"inline_keyboard": [[{key: value for key, value in (
        ("text", b.text), ("callback_data", b.callback_data), ("url", b.url),
        ("switch_inline_query", b.switch_inline_query)) if value is not None}
        for b in row] for row in buttons]}


def inline_results_json(results: list[render.InlineResult]) -> list[dict]:
    """:class:`render.InlineResult` → the Bot API's InlineQueryResultArticle objects."""
    return [{"type": "article", "id": r.id, "title": r.title, "description": r.description,
             "input_message_content": {"message_text": r.text, "parse_mode": ParseMode.HTML,
                                       "link_preview_options": {"is_disabled": True}}}
            for r in results]


async def send_text(bot: Bot, chat_id: int, text: str, *, parse_mode: str | None = None,
                    reply_markup: dict | None = None, disable_preview: bool = False,
                    reply_to: int | None = None, message_thread_id: int | None = None) -> Any:
    """sendMessage, returning Telegram's answer as it came (a dict, not a ``Message``)."""
    return await bot.do_api_request("sendMessage", {
        "chat_id": chat_id, "text": text, "parse_mode": parse_mode, "reply_markup": reply_markup,
        "message_thread_id": message_thread_id,
        "link_preview_options": {"is_disabled": True} if disable_preview else None,
        "reply_parameters": {"message_id": reply_to, "allow_sending_without_reply": True}
        if reply_to is not None else None})


async def edit_text(bot: Bot, chat_id: int, message_id: int, reply: Reply) -> Any:
    """editMessageText with ``reply`` (its buttons replace the message's; none: removed)."""
    return await bot.do_api_request("editMessageText", {
        "chat_id": chat_id, "message_id": message_id, "text": reply.text,
        "parse_mode": reply.parse_mode, "reply_markup": markup_json(reply.buttons),
        "link_preview_options": {"is_disabled": True} if reply.disable_preview else None})


async def answer_inline(bot: Bot, inline_query_id: str, results: list[dict], *, cache_time: int,
                        is_personal: bool, button: dict | None = None) -> Any:
    """answerInlineQuery with results already in the Bot API's JSON form."""
    return await bot.do_api_request("answerInlineQuery", {
        "inline_query_id": inline_query_id, "results": results, "cache_time": cache_time,
        "is_personal": is_personal, "button": button})


async def send(bot: Bot, chat_id: int, replies: list[Reply], *, reply_to: Message | None = None,
               ) -> list[Any]:
    """Send ``replies`` in order; the first one replies to ``reply_to`` (in its topic, if any).
    Returns Telegram's answers (the sent messages as dicts)."""
    thread = _thread(reply_to)
    return [await send_text(
        bot, chat_id, reply.text, parse_mode=reply.parse_mode,
        reply_markup=markup_json(reply.buttons), disable_preview=reply.disable_preview,
        reply_to=reply_to.message_id if reply_to is not None and n == 0 else None,
        message_thread_id=thread) for n, reply in enumerate(replies)]


async def send_document(bot: Bot, chat_id: int, file_id: str, *,
                        reply_to: Message | None = None) -> Any:
    """sendDocument by Telegram's ``file_id`` (no upload), replying to ``reply_to`` in its topic."""
    return await bot.do_api_request("sendDocument", {
        "chat_id": chat_id, "document": file_id, "message_thread_id": _thread(reply_to),
        "reply_parameters": {"message_id": reply_to.message_id,
                             "allow_sending_without_reply": True}
        if reply_to is not None else None})


async def delete_message(bot: Bot, chat_id: int, message_id: int) -> Any:
    return await bot.do_api_request("deleteMessage", {"chat_id": chat_id,
                                                      "message_id": message_id})


def _thread(message: Message | None) -> int | None:
    """The forum topic of ``message`` (None outside topics)."""
    return message.message_thread_id if message is not None and message.is_topic_message \
        else None
