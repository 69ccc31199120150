"""Telegram update handlers, one module per kind of chat or update.

Each handler is ``async def on_x(update, context: StaffContext)``: it reads the update, calls pure
code (:mod:`knowledge` through ``context.answerer`` / ``context.kb``, :mod:`bot.render`,
:mod:`bot.access`) and sends with :mod:`bot.api`. Blocking knowledge-base calls run in a thread
(``asyncio.to_thread``); writes take ``context.writing()``. Each handler records an outcome
(``context.outcome``) that :func:`log_update` writes as one line per update. They are registered
in :func:`bot.app.build_application`.
"""

from .admin import on_audience, on_docs, on_document, on_reload, on_remove, on_stats, on_unanswered
from .bookkeeping import log_update, on_error, stamp_update
from .callbacks import on_callback
from .channel import on_channel_post
from .common import MAX_QUESTION, clean_question
from .deeplink import on_start
from .escalation import on_reply
from .group import on_chat_member, on_group_text, on_my_chat_member
from .inline import on_chosen_inline_result, on_inline_query
from .private import on_ask, on_help, on_private_text, on_unknown_command
from .replies import on_reaction
from .synonyms import on_synonym, on_synonyms, on_unsynonym
from .taught import on_forget, on_taught

__all__ = ["MAX_QUESTION", "clean_question", "log_update", "on_ask", "on_audience", "on_callback",
           "on_chat_member",
           "on_channel_post", "on_chosen_inline_result", "on_docs", "on_document", "on_error", "on_forget",
           "on_group_text", "on_help", "on_inline_query", "on_my_chat_member", "on_private_text",
           "on_reaction", "on_reload", "on_remove", "on_reply", "on_start", "on_stats",
           "on_synonym", "on_synonyms", "on_taught", "on_unanswered", "on_unknown_command", "on_unsynonym", "stamp_update"]
