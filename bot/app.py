"""Wiring: :func:`build_application` makes the PTB Application, :func:`run_bot` runs it.

Polling by default; a webhook server when ``STAFFBOT_WEBHOOK_URL`` is set. The knowledge base is
opened in ``post_init`` (in a thread: the seeds folder is ingested when it is empty) and closed in
``post_shutdown``. Replies go through ``AIORateLimiter`` so a 429 is waited out and retried.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats,
                      BotCommandScopeChat, Update)
from telegram.error import TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, CallbackQueryHandler,
                          ChatMemberHandler, ChosenInlineResultHandler, CommandHandler,
                          InlineQueryHandler, MessageHandler, TypeHandler, filters)

from knowledge import KnowledgeBase

from . import handlers as h
from .access import Access
from .settings import Settings

__all__ = ["build_application", "run_bot", "open_knowledge_base", "ALLOWED_UPDATES",
           "configure_logging"]

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CHANNEL_POST,
                   Update.EDITED_CHANNEL_POST, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                   Update.CHOSEN_INLINE_RESULT, Update.MY_CHAT_MEMBER]

PRIVATE_COMMANDS = [("start", "开始 / Start"), ("help", "使用说明 / Help"),
                    ("ask", "提问 / Ask a question")]
GROUP_COMMANDS = [("ask", "提问 / Ask a question"), ("help", "使用说明 / Help")]
ADMIN_COMMANDS = [("docs", "文档列表 / Documents"), ("remove", "删除文档 / Remove a document"),
                  ("reload", "重新导入种子 / Re-ingest seeds"), ("stats", "统计 / Statistics"),
                  ("unanswered", "未回答的问题 / Unanswered questions")]
ADMIN_COMMAND_NAMES = [name for name, _ in ADMIN_COMMANDS]


def open_knowledge_base(settings: Settings) -> KnowledgeBase:
    """Open the knowledge base; ingest the seeds folder when it has no documents (blocking)."""
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    kb = KnowledgeBase(settings.db, userdict=settings.userdict, synonyms=settings.synonyms)
    if not kb.documents():
        if settings.seeds.exists():
            report = kb.ingest([settings.seeds])
            log.info("knowledge base was empty; ingested %s: %s", settings.seeds,
                     report.summary().replace("\n", "; "))
        else:
            log.warning("knowledge base is empty and the seeds folder %s does not exist",
                        settings.seeds)
    kb.search("组织工作")  # warm up: loads jieba and builds the in-memory index
    return kb


def build_application(settings: Settings, kb: KnowledgeBase | None = None) -> Application:
    """The bot: every handler wired, the knowledge base opened in post_init (unless given)."""
    builder = (ApplicationBuilder().token(settings.token)
               .rate_limiter(AIORateLimiter(max_retries=3))
               .post_init(_post_init).post_shutdown(_post_shutdown))
    if settings.base_url:
        builder = builder.base_url(settings.base_url)
    if settings.base_file_url:
        builder = builder.base_file_url(settings.base_file_url)
    application = builder.build()

    async def fetch_member(chat_id: int, user_id: int):
        member = await application.bot.get_chat_member(chat_id, user_id)
        return member.status, getattr(member, "is_member", None)

    access = Access(admins=settings.admins, allowed_users=settings.allowed_users,
                    staff_chats=settings.staff_chats, fetch=fetch_member,
                    ttl=settings.staff_cache_seconds)
    application.bot_data[h.SERVICES_KEY] = h.Services(settings, access, kb, owns_kb=kb is None)

    private = filters.ChatType.PRIVATE
    messages = filters.UpdateType.MESSAGES  # new and edited messages, not channel posts
    # Group -1 runs first for every update (timing), group 1 last (the one log line).
    application.add_handler(TypeHandler(Update, h.stamp_update), group=-1)
    application.add_handler(TypeHandler(Update, h.log_update), group=1)
    # Group 0: the first matching handler wins, so commands come before the catch-all texts.
    # CommandHandler ignores /cmd@otherbot and handles /cmd@thisbot.
    application.add_handler(CommandHandler(["start", "help"], h.on_help))
    application.add_handler(CommandHandler("ask", h.on_ask))
    admin = {"docs": h.on_docs, "remove": h.on_remove, "reload": h.on_reload,
             "stats": h.on_stats, "unanswered": h.on_unanswered}
    for name, callback in admin.items():  # admin commands exist in private chats only
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(MessageHandler(private & filters.Document.ALL & messages,
                                           h.on_document))
    application.add_handler(MessageHandler(private & filters.COMMAND & messages,
                                           h.on_unknown_command))
    application.add_handler(MessageHandler(private & filters.TEXT & messages, h.on_private_text))
    application.add_handler(MessageHandler(filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND
                                           & messages,
                                           h.on_group_text))
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, h.on_channel_post))
    application.add_handler(CallbackQueryHandler(h.on_callback))
    application.add_handler(InlineQueryHandler(h.on_inline_query))
    application.add_handler(ChosenInlineResultHandler(h.on_chosen_inline_result))
    application.add_handler(ChatMemberHandler(h.on_my_chat_member,
                                              ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_error_handler(h.on_error)
    return application


async def _post_init(application: Application) -> None:
    s: h.Services = application.bot_data[h.SERVICES_KEY]
    if s.kb is None:
        s.kb = await asyncio.to_thread(open_knowledge_base, s.settings)
    docs = await asyncio.to_thread(s.kb.documents)
    log.info("knowledge base %s: %d documents; %s", s.kb.path, len(docs), s.settings.log_summary())
    if not s.access.restricted:
        log.warning("access is not restricted: anyone who finds the bot may ask (set "
                    "STAFFBOT_ALLOWED_USERS or STAFFBOT_STAFF_CHATS to limit it)")
    await register_commands(application.bot, s.settings)


async def register_commands(bot, settings: Settings) -> None:
    """The command menus per scope; a failure is logged, never fatal."""
    private = [BotCommand(n, d) for n, d in PRIVATE_COMMANDS]
    menus = [(BotCommandScopeAllPrivateChats(), private),
             (BotCommandScopeAllGroupChats(), [BotCommand(n, d) for n, d in GROUP_COMMANDS])]
    admin = private + [BotCommand(n, d) for n, d in ADMIN_COMMANDS]
    menus += [(BotCommandScopeChat(admin_id), admin) for admin_id in sorted(settings.admins)]
    for scope, commands in menus:
        try:
            await bot.set_my_commands(commands, scope=scope)
        except TelegramError as err:
            log.warning("set_my_commands for %s failed: %s", scope.type, err)


async def _post_shutdown(application: Application) -> None:
    s: h.Services = application.bot_data[h.SERVICES_KEY]
    if s.kb is not None and s.owns_kb:
        s.kb.close()
    log.info("stopped; outcomes: %s", dict(s.counters))


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def run_bot(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when configured."""
    settings.require_token()
    configure_logging(settings.log_level)
    application = build_application(settings)
    if settings.webhook_url:
        if not settings.webhook_secret:
            log.warning("STAFFBOT_WEBHOOK_SECRET is not set: anyone who finds the webhook URL "
                        "can send fake updates")
        application.run_webhook(listen=settings.webhook_listen, port=settings.webhook_port,
                                url_path=settings.webhook_path, webhook_url=settings.webhook_url,
                                secret_token=settings.webhook_secret or None,
                                allowed_updates=ALLOWED_UPDATES)
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
