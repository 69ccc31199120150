"""Wiring: :func:`build_application` makes the PTB Application, :func:`run_bot` runs it.

    run_bot(Settings.from_env())        # what ``python -m bot`` / ``staffbot run`` do

Polling by default; a webhook server when ``STAFFBOT_WEBHOOK_URL`` is set. The knowledge base is
opened in ``post_init`` (in a thread: the seeds folder is ingested when it is empty) and closed in
``post_shutdown``. With ``STAFFBOT_SEARCH_PROCESS`` (on by default, Linux) ``post_init`` then forks
the search process (:class:`knowledge.SearchWorker`). Where each concern lives: bot/polling.py,
bot/webhook.py, bot/ordering.py, bot/retry.py, bot/api.py, bot/context.py, bot/handlers/, and
every reliance on PTB internals in bot/ptb_internals.py.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import (BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats,
                      BotCommandScopeChat, BotCommandScopeDefault, Update)
from telegram.error import TelegramError
from telegram.ext import (Application, ApplicationBuilder, CallbackQueryHandler, ChatMemberHandler,
                          ChosenInlineResultHandler, CommandHandler, ExtBot,
                          InlineQueryHandler, MessageHandler, MessageReactionHandler,
                          TypeHandler, filters)

from knowledge import KnowledgeBase, SearchWorker, WorkerGone, can_fork, configure_readers

from . import handlers as h
from .access import Access
from .context import CONTEXT_TYPES, BackgroundEmbedding, BotState
from .ordering import CONCURRENT_UPDATES, PerChatUpdateProcessor
from .polling import EXIT_CONFLICT, PollingRequest, UpdateTracker
from .ptb_internals import PollingBot
from .retry import RetryingRateLimiter
from .runtime import configure_logging, use_uvloop
from .settings import Settings
from .texts import text_for
from .transport import AiohttpRequest
from .webhook import WebhookQueue

__all__ = [
    "ALLOWED_UPDATES",
    "CONCURRENT_UPDATES",
    "build_application",
    "configure_logging",
    "open_knowledge_base",
    "run_bot",
    "use_uvloop",
]

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CHANNEL_POST,
                   Update.EDITED_CHANNEL_POST, Update.CALLBACK_QUERY, Update.INLINE_QUERY,
                   Update.CHOSEN_INLINE_RESULT, Update.MY_CHAT_MEMBER,
                   Update.MESSAGE_REACTION,   # 👍/👎 reactions count as feedback
                   Update.CHAT_MEMBER]   # someone leaving an audience's chat: revoked at once

# The command menus (descriptions: texts.py "cmd_<name>", in Chinese and English).
PRIVATE_COMMANDS = ("start", "help", "ask")
GROUP_COMMANDS = ("ask", "help")
ADMIN_COMMANDS = ("docs", "remove", "audience", "reload", "stats", "unanswered", "synonym",
                  "synonyms", "unsynonym", "taught", "forget")
MENU_LANGUAGES = (("zh", ""), ("en", "en"))   # (our language, setMyCommands' language_code)


def open_knowledge_base(settings: Settings, *, build_index: bool = True) -> KnowledgeBase:
    """Open the knowledge base; ingest the seeds folder when it has no documents (blocking).

    ``build_index=False`` (a search process will build it) loads jieba only."""
    settings.db.parent.mkdir(parents=True, exist_ok=True)
    kb = KnowledgeBase(settings.db, userdict=settings.userdict, synonyms=settings.synonyms,
                       meaning=settings.meaning, embed_later=True)
    report = kb.seed_if_empty(settings.seeds, audience_folders=settings.audience_names)
    if report is not None:
        log.info("knowledge base was empty; ingested %s: %s", settings.seeds,
                 report.summary().replace("\n", "; "))
    kb.warm_up(index=build_index, uploads=True)
    return kb


def use_search_process(settings: Settings) -> bool:
    return settings.search_process and can_fork() and str(settings.db) != ":memory:"


def build_application(settings: Settings, kb: KnowledgeBase | None = None) -> Application:
    """The bot: every handler wired, the knowledge base opened in post_init (unless given)."""
    configure_readers(**settings.reader_settings())  # OCR and LibreOffice for uploads
    urls = {key: value for key, value in (("base_url", settings.base_url),
                                          ("base_file_url", settings.base_file_url)) if value}
    tracker = None if settings.webhook_url else UpdateTracker()
    queue = WebhookQueue() if settings.webhook_url else None
    limiter = RetryingRateLimiter(max_retries=5, overall_max_rate=settings.rate_limit)
    if tracker is not None:  # polling: getUpdates never confirms an unfinished update
        bot = PollingBot(settings.token, tracker=tracker, request=AiohttpRequest(256),
                         get_updates_request=PollingRequest(tracker, 1), rate_limiter=limiter,
                         **urls)
    else:
        bot = ExtBot(settings.token, request=AiohttpRequest(256),
                     get_updates_request=AiohttpRequest(1), rate_limiter=limiter, **urls)

    def finished(update: Update) -> None:  # polling confirms it, a webhook request is answered
        if tracker is not None:
            tracker.finished(update.update_id)
        if queue is not None:
            queue.processed(update.update_id)

    builder = ApplicationBuilder().bot(bot).context_types(CONTEXT_TYPES)
    if queue is not None:  # Telegram's request is answered once its update is processed
        builder = builder.update_queue(queue)
    application = (builder
                   .concurrent_updates(PerChatUpdateProcessor(settings.concurrent_updates,
                                                              finished=finished))
                   .post_init(_post_init).post_stop(_post_stop).post_shutdown(_post_shutdown)
                   .build())
    if tracker is not None:
        tracker.stop = lambda: _stop(application)

    async def fetch_member(chat_id: int, user_id: int):
        member = await application.bot.get_chat_member(chat_id, user_id)
        return member.status, getattr(member, "is_member", None)

    state: BotState = application.bot_data
    state.settings, state.kb, state.owns_kb, state.tracker = settings, kb, kb is None, tracker
    state.access = Access(admins=settings.admins, allowed_users=settings.allowed_users,
                          staff_chats=settings.staff_chats, fetch=fetch_member,
                          ttl=settings.staff_cache_seconds, audiences=settings.audiences)

    private = filters.ChatType.PRIVATE
    messages = filters.UpdateType.MESSAGES  # new and edited messages, not channel posts
    # Group -1 runs first for every update (timing), group 1 last (the one log line).
    application.add_handler(TypeHandler(Update, h.stamp_update), group=-1)
    application.add_handler(TypeHandler(Update, h.log_update), group=1)
    # Group 0: the first matching handler wins, so commands come before the catch-all texts.
    # CommandHandler ignores /cmd@otherbot and handles /cmd@thisbot.
    application.add_handler(CommandHandler("start", h.on_start))   # also deep links: /start p<ref>
    application.add_handler(CommandHandler("help", h.on_help))
    application.add_handler(CommandHandler("ask", h.on_ask))
    admin = {"docs": h.on_docs, "remove": h.on_remove, "audience": h.on_audience,
             "reload": h.on_reload,
             "stats": h.on_stats, "unanswered": h.on_unanswered,
             "synonym": h.on_synonym, "synonyms": h.on_synonyms, "unsynonym": h.on_unsynonym,
             "taught": h.on_taught, "forget": h.on_forget}
    for name, callback in admin.items():  # admin commands exist in private chats only
        application.add_handler(CommandHandler(name, callback, filters=private))
    application.add_handler(MessageHandler(private & filters.Document.ALL & messages,
                                           h.on_document))
    application.add_handler(MessageHandler(private & filters.COMMAND & messages,
                                           h.on_unknown_command))
    # A text reply to one of the bot's messages may answer a 🙋 question (an admin replying to
    # its card); anything else on_reply hands to the private or group text handler below.
    application.add_handler(MessageHandler(
        (private | filters.ChatType.GROUPS) & filters.REPLY & filters.TEXT & ~filters.COMMAND
        & messages, h.on_reply))
    application.add_handler(MessageHandler(private & filters.TEXT & messages, h.on_private_text))
    application.add_handler(MessageHandler(
        filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND & messages, h.on_group_text))
    application.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, h.on_channel_post))
    application.add_handler(CallbackQueryHandler(h.on_callback))
    application.add_handler(InlineQueryHandler(h.on_inline_query))
    application.add_handler(ChosenInlineResultHandler(h.on_chosen_inline_result))
    application.add_handler(ChatMemberHandler(h.on_my_chat_member,
                                              ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageReactionHandler(  # a person's reaction, not anonymous counts
        h.on_reaction, message_reaction_types=MessageReactionHandler.MESSAGE_REACTION_UPDATED))
    application.add_handler(ChatMemberHandler(h.on_chat_member, ChatMemberHandler.CHAT_MEMBER))
    application.add_error_handler(h.on_error)
    return application


def _stop(application: Application) -> None:
    """Stop polling for good (another instance holds the token)."""
    if application.running:
        application.stop_running()
    else:  # still starting: try again shortly
        asyncio.get_running_loop().call_later(0.2, _stop, application)


async def _post_init(application: Application) -> None:
    s: BotState = application.bot_data
    forking = use_search_process(s.settings)
    if s.kb is None:
        s.kb = await asyncio.to_thread(open_knowledge_base, s.settings, build_index=not forking)
    if forking:
        # Forked here, on the event loop's thread while no other thread uses the knowledge base;
        # the first search builds the child's index (the bot is ready when it is).
        try:
            s.worker = SearchWorker.fork(s.kb)
            await s.worker.search("组织工作")
        except OSError as err:  # fork refused (memory, process limit): search in this process
            log.warning("no search process (%s): searching in the bot's own process", err)
        except WorkerGone:  # it died while building its index (logged): search in this process
            pass
    # (after the fork: its connection is opened again, and the search process only reads)
    s.kb.defer_checkpoints()
    s.checkpoints = asyncio.create_task(_checkpoints(s.kb))
    # meaning vectors on a thread, after the fork (the model's lock must not be held then):
    # the seeds just ingested, documents from before the extra, and each upload and post
    s.embedding = BackgroundEmbedding(s.kb, s.write_lock)
    s.embedding.kick()
    docs = await asyncio.to_thread(s.kb.documents)
    log.info("knowledge base %s: %d documents; %s; concurrent updates: %d; event loop: %s; "
             "searches: %s", s.kb.path, len(docs), s.settings.log_summary(),
             application.update_processor.max_running,
             type(asyncio.get_running_loop()).__module__.split(".")[0],
             f"search process {s.worker.pid}" if s.worker else "in this process")
    if not s.access.restricted:
        log.warning("access is not restricted: anyone who finds the bot may ask (set "
                    "STAFFBOT_ALLOWED_USERS or STAFFBOT_STAFF_CHATS to limit it)")
    await register_commands(application.bot, s.settings)


CHECKPOINT_SECONDS = 5.0


async def _checkpoints(kb: KnowledgeBase) -> None:
    """Copy SQLite's write-ahead log into the database every few seconds on a thread, instead
    of inside whichever write crosses 1000 pages of it — the question log, written inline on
    this event loop: a 50-220 ms stall for every user at 100k paragraphs."""
    while True:
        await asyncio.sleep(CHECKPOINT_SECONDS)
        try:
            await asyncio.to_thread(kb.checkpoint)
        except Exception as err:  # noqa: BLE001 - the next one tries again; never fatal
            log.warning("database checkpoint failed: %s", err)


async def register_commands(bot, settings: Settings) -> None:
    """The command menus per scope and language: staff commands by default and in private
    chats, group commands in groups, the admin commands too in each admin's private chat; in
    Chinese (the default) and English (users whose Telegram is in English). A failure is
    logged, never fatal."""
    for lang, code in MENU_LANGUAGES:
        staff = _menu(lang, PRIVATE_COMMANDS)
        menus = [(BotCommandScopeDefault(), staff), (BotCommandScopeAllPrivateChats(), staff),
                 (BotCommandScopeAllGroupChats(), _menu(lang, GROUP_COMMANDS))]
        menus += [(BotCommandScopeChat(admin_id), staff + _menu(lang, ADMIN_COMMANDS))
                  for admin_id in sorted(settings.admins)]
        for scope, commands in menus:
            try:
                await bot.set_my_commands(commands, scope=scope, language_code=code or None)
            except TelegramError as err:
                log.warning("set_my_commands for %s (%s) failed: %s", scope.type, lang, err)


def _menu(lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, text_for(lang, "cmd_" + name)) for name in names]


async def _post_stop(application: Application) -> None:
    """Polling: confirm the updates processed while PTB drained its queue (after it, not at
    the updater's own last getUpdates, which runs before the queue is drained)."""
    if isinstance(application.bot, PollingBot) and application.updater is not None:
        await application.bot.confirm_processed()


async def _post_shutdown(application: Application) -> None:
    s: BotState = application.bot_data
    if s.embedding is not None:
        await s.embedding.close()
    if s.checkpoints is not None:
        s.checkpoints.cancel()
        await asyncio.gather(s.checkpoints, return_exceptions=True)
    if s.worker is not None:
        await s.worker.close()
    if s.kb is not None and s.owns_kb:
        s.kb.close()
    log.info("stopped; outcomes: %s", dict(s.counters))


def run_bot(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM: long polling, or a webhook server when configured."""
    settings.require_token()
    configure_logging(settings.log_level)
    use_uvloop()
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
        if application.bot_data.tracker.gave_up:
            raise SystemExit(EXIT_CONFLICT)
