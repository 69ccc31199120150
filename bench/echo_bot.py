"""The ceiling for bench/bench_load.py: a bare python-telegram-bot echo bot.

    TELEGRAM_BOT_TOKEN=... TELEGRAM_BASE_URL=http://127.0.0.1:PORT/bot python bench/echo_bot.py

Built like staffbot's ``build_application`` (same ApplicationBuilder settings: token, base_url,
base_file_url, ``AIORateLimiter(max_retries=5)``, sequential update processing, the same
allowed_updates), but each text message is answered with its own text as a reply and each inline
query with one article: no search, no rendering, no database. ``ECHO_OVERALL_RATE=0`` turns off the
limiter's overall 30 messages/s cap (the per-group 20/min limit stays), for the comparison with
staffbot run the same way. ``ECHO_STACK=staffbot`` runs it on staffbot's own stack (the aiohttp
transport of ``bot/transport.py`` and uvloop), to see what the search and citing cost on top.
"""

from __future__ import annotations

import logging
import os

from telegram import InlineQueryResultArticle, InputTextMessageContent, ReplyParameters, Update
from telegram.ext import (AIORateLimiter, ApplicationBuilder, ContextTypes, InlineQueryHandler,
                          MessageHandler, filters)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CHANNEL_POST,
                   Update.EDITED_CHANNEL_POST, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                   Update.CHOSEN_INLINE_RESULT, Update.MY_CHAT_MEMBER]


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await context.bot.send_message(message.chat_id, message.text,
                                   reply_parameters=ReplyParameters(message.message_id))


async def inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    await query.answer([InlineQueryResultArticle(
        id="1", title=query.query or "-",
        input_message_content=InputTextMessageContent(query.query or "-"))], cache_time=10)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    overall = os.environ.get("ECHO_OVERALL_RATE", "")
    limiter = (AIORateLimiter(max_retries=5) if overall == "" else
               AIORateLimiter(overall_max_rate=float(overall), max_retries=5))
    builder = ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).rate_limiter(limiter)
    if os.environ.get("ECHO_STACK") == "staffbot":  # staffbot's transport and loop, to compare
        from bot.app import use_uvloop
        from bot.transport import AiohttpRequest
        builder = builder.request(AiohttpRequest(256)).get_updates_request(AiohttpRequest(1))
        use_uvloop()
    builder = builder.base_url(os.environ["TELEGRAM_BASE_URL"])
    if os.environ.get("TELEGRAM_BASE_FILE_URL"):
        builder = builder.base_file_url(os.environ["TELEGRAM_BASE_FILE_URL"])
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.add_handler(InlineQueryHandler(inline))
    application.run_polling(allowed_updates=ALLOWED_UPDATES)


if __name__ == "__main__":
    main()
