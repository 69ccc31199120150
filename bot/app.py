"""Wiring: :func:`build_application` makes the PTB Application, :func:`run_bot` runs it.

Polling by default; a webhook server when ``STAFFBOT_WEBHOOK_URL`` is set. The knowledge base is
opened in ``post_init`` (in a thread: the seeds folder is ingested when it is empty) and closed in
``post_shutdown``. With ``STAFFBOT_SEARCH_PROCESS`` (on by default, Linux) ``post_init`` then forks
the search process (:class:`knowledge.SearchWorker`), which builds the index and answers every
search; the bot's own process keeps Telegram, logging and writes, and searches itself only if
the search process dies.

Surviving Telegram's and the network's faults:

* Every request but getUpdates goes through :class:`RetryingRateLimiter`, which keeps to
  ``STAFFBOT_RATE_LIMIT`` messages per second overall and 20 per minute per group: a 429 is
  waited out (``retry_after``), a 5xx answer, a dropped connection or a timeout is retried with
  backoff. After a lost answer the request may in fact have gone through: a retried edit that
  Telegram calls "not modified" or a retried callback/inline answer it calls "too old / invalid"
  counts as done. A
  retried ``sendMessage`` whose first answer was lost after Telegram processed it is sent twice
  (the Bot API has no idempotency key; Telegram's own clients have the same problem): delivery is
  at least once for that case, exactly once for 429, 5xx and a connection lost before processing.
* Polling confirms an update only once it has been processed. PTB confirms a batch (the next
  getUpdates offset) as soon as it is fetched; :class:`ReliableBot` never sends an offset past an
  update that :class:`ReliableApplication` has not finished, and drops the copies Telegram hands
  out again meanwhile from the raw JSON, before PTB parses them. Since such a getUpdates can only
  bring new updates after all the unfinished ones, it is not sent while more than
  :data:`REFILL_AT` updates are unfinished (back-pressure: the backlog waits at Telegram, not in
  this process). A process killed mid-update gets that update again on restart; at SIGTERM
  the fetched updates are processed (PTB drains its queue) and confirmed in ``post_stop``.
  In webhook mode the same holds through :class:`WebhookQueue`: Telegram's request for an update
  is answered only once the update has been processed.
  Re-delivered updates are idempotent where it matters: a channel post or an upload with the same
  content is stored once (the knowledge base skips identical content; each document is replaced in
  one SQLite transaction). A question re-delivered after a kill may be answered twice.
* Concurrency (``STAFFBOT_CONCURRENT_UPDATES``, on by default): :class:`PerChatUpdateProcessor`
  runs updates of different chats at once (up to :data:`CONCURRENT_UPDATES`) and those of one
  chat — or one user's inline queries, or one channel's posts and edits — in arrival order.
  Updates then finish out of order; the offset still only passes updates that are all finished
  (:meth:`UpdateTracker.safe_offset` takes the lowest unfinished one), and at SIGTERM PTB waits
  for every fetched update. Measured with a 50 ms delay on every sendMessage (a real network):
  one at a time 18 answers/s, concurrent 187/s; against the local fake server (no delay) a bot
  searching in its own process is CPU-bound on one core (about 1.9 ms of CPU per answer, half of
  it the search), hence the search process.
* Requests go through :class:`bot.transport.AiohttpRequest` (aiohttp instead of PTB's httpx),
  and replies are sent as JSON built here (:meth:`ReliableBot.send_text`,
  :meth:`ReliableBot.answer_inline_json`) without parsing Telegram's answer into objects: both
  were large parts of a busy bot's CPU (see README, Load).
* 409 Conflict (another process polls with the same token): a process that has never polled
  successfully gives up after :data:`CONFLICT_LIMIT` conflicts in a row, logging "another instance
  is polling with this token", and exits with status 3; a process that was polling logs it and
  backs off (PTB's retry interval grows to 30 s) so the running instance survives a newcomer.
"""

from __future__ import annotations

import asyncio
import datetime as dtm
import itertools
import logging
import time

from telegram import (BotCommand, BotCommandScopeAllGroupChats, BotCommandScopeAllPrivateChats,
                      BotCommandScopeChat, Update)
from telegram.error import BadRequest, Conflict, NetworkError, TelegramError
from telegram.ext import (AIORateLimiter, Application, ApplicationBuilder, BaseUpdateProcessor,
                          CallbackQueryHandler, ChatMemberHandler, ChosenInlineResultHandler, CommandHandler, ExtBot,
                          InlineQueryHandler, MessageHandler, TypeHandler, filters)

from knowledge import KnowledgeBase, SearchWorker, WorkerGone, can_fork

from . import handlers as h
from .access import Access
from .settings import Settings
from .transport import AiohttpRequest

__all__ = ["build_application", "run_bot", "open_knowledge_base", "ALLOWED_UPDATES",
           "configure_logging", "ReliableBot", "ReliableApplication", "RetryingRateLimiter",
           "WebhookQueue", "use_uvloop",
           "UpdateTracker", "PerChatUpdateProcessor", "order_key", "CONFLICT_LIMIT",
           "EXIT_CONFLICT", "CONCURRENT_UPDATES"]

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

CONFLICT_LIMIT = 3      # 409s in a row before a process that never polled gives up
REFILL_AT = 16          # polling: fetch more updates once at most this many are unfinished
EXIT_CONFLICT = 3       # exit status when another instance holds the token
CONCURRENT_UPDATES = 12  # STAFFBOT_CONCURRENT_UPDATES=on: updates processed at once


# -- faults: retries, confirming processed updates only, 409 ----------------------------------------
def _already_done(endpoint: str, err: BadRequest) -> bool:
    """Whether a retry's 400 says the earlier attempt (whose answer was lost) went through."""
    message = err.message.lower()
    if endpoint.startswith("edit"):
        return "message is not modified" in message
    if endpoint in ("answerCallbackQuery", "answerInlineQuery"):
        return "query is too old" in message or "query id is invalid" in message
    return False


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (throttles, waits out 429s) that also retries 5xx answers, dropped
    connections and timeouts with exponential backoff (see the module docstring)."""

    def __init__(self, *, network_retries: int = 5, first_delay: float = 0.5,
                 max_delay: float = 8.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.network_retries = network_retries
        self.first_delay = first_delay
        self.max_delay = max_delay

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        uncertain = False  # an earlier attempt may have been processed (its answer was lost)

        async def attempt(*a, **kw):
            nonlocal uncertain
            delay = self.first_delay
            for n in itertools.count(1):
                try:
                    return await callback(*a, **kw)
                except BadRequest as err:  # a subclass of NetworkError: never retried
                    if uncertain and _already_done(endpoint, err):
                        log.info("%s: the earlier attempt went through (%s)", endpoint, err.message)
                        return True
                    raise
                except NetworkError as err:  # 5xx, connection dropped, timed out
                    uncertain = True
                    if n > self.network_retries:
                        raise
                    log.warning("%s failed (%s); retry %d of %d in %.1f s", endpoint, err.message,
                                n, self.network_retries, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_delay)
            raise AssertionError("unreachable")

        return await super().process_request(attempt, args, kwargs, endpoint, data,
                                             rate_limit_args)


class UpdateTracker:
    """Which fetched updates are still being processed (polling only)."""

    def __init__(self) -> None:
        self.high: int | None = None       # highest update id handed to the application
        self.pending: set[int] = set()     # fetched, not yet finished
        self.fetched_at: dict[int, float] = {}  # pending update id → time.monotonic() of fetch
        self.repeated = 0                  # updates the last getUpdates repeated (dropped unparsed)
        self.progress = asyncio.Event()    # set whenever an update finishes
        self.conflicts = 0                 # 409s in a row
        self.polled = False                # a getUpdates has succeeded in this process
        self.gave_up = False               # stopped because another instance polls
        self.application: Application | None = None

    def safe_offset(self, requested: int | None) -> int | None:
        """The offset to send: never past an update that is still being processed."""
        if self.pending and (requested is None or requested > min(self.pending)):
            return min(self.pending)
        return requested

    def is_new(self, update_id: int) -> bool:
        return self.high is None or update_id > self.high

    def drop_repeated(self, raw: list) -> list:
        """getUpdates' raw JSON without the updates handed out before (Telegram repeats every
        unconfirmed one), so that PTB does not parse them again only for them to be dropped."""
        fresh = [u for u in raw if not (isinstance(u, dict) and isinstance(u.get("update_id"), int))
                 or self.is_new(u["update_id"])]
        self.repeated = len(raw) - len(fresh)
        return fresh

    def fetched(self, updates) -> list:
        """The updates not handed out before (Telegram repeats the unconfirmed ones)."""
        fresh = [u for u in updates if self.is_new(u.update_id)]
        now = time.monotonic()
        for update in fresh:
            self.pending.add(update.update_id)
            self.fetched_at[update.update_id] = now
            self.high = update.update_id if self.high is None else max(self.high, update.update_id)
        return fresh

    def finished(self, update_id: int) -> None:
        if update_id in self.pending:
            self.pending.discard(update_id)
            self.fetched_at.pop(update_id, None)
            self.progress.set()

    def waited(self, update_id: int) -> float | None:
        """Seconds since ``update_id`` was fetched (None: not fetched by polling)."""
        fetched = self.fetched_at.get(update_id)
        return None if fetched is None else time.monotonic() - fetched

    async def wait_progress(self, timeout: float) -> None:
        """Until an update finishes (clear :attr:`progress` first) or ``timeout`` seconds."""
        # (asyncio.wait, not wait_for: Python 3.11's wait_for can swallow the cancellation
        # that stops polling when the event fires at the same moment)
        waiter = asyncio.ensure_future(self.progress.wait())
        try:
            await asyncio.wait({waiter}, timeout=timeout)
        finally:
            waiter.cancel()

    def confirm_offset(self) -> int | None:
        """The offset that confirms everything processed and nothing else."""
        if self.pending:
            return min(self.pending)
        return None if self.high is None else self.high + 1


def _seconds(timeout) -> float:
    if isinstance(timeout, dtm.timedelta):
        return timeout.total_seconds()
    return float(timeout or 0)


class ReliableBot(ExtBot):
    """ExtBot whose getUpdates confirms only processed updates and explains 409 Conflicts."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        with self._unfrozen():
            self.tracker = UpdateTracker()

    def update_age(self, update_id: int) -> float | None:
        """Seconds since polling fetched ``update_id`` (None when it came another way)."""
        return self.tracker.waited(update_id)

    async def get_updates(self, offset=None, limit=None, timeout=None, allowed_updates=None,
                          **kwargs):
        tracker = self.tracker
        if tracker.gave_up:
            return ()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + _seconds(timeout)
        while True:
            # Back-pressure: while many fetched updates are unfinished, a getUpdates (whose offset
            # may not pass them) would mostly bring back those same updates; wait until few are
            # left, then fetch the next batch while they finish.
            while True:
                tracker.progress.clear()
                if len(tracker.pending) <= REFILL_AT:
                    break
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return ()
                await tracker.wait_progress(min(remaining, 1.0))
            try:
                updates = await super().get_updates(
                    offset=tracker.safe_offset(offset), limit=limit, timeout=timeout,
                    allowed_updates=allowed_updates, **kwargs)
            except Conflict:
                self._conflict()
                raise
            if tracker.conflicts:
                log.info("polling again after %d conflict(s)", tracker.conflicts)
            tracker.conflicts, tracker.polled = 0, True
            fresh = tracker.fetched(updates)
            remaining = deadline - loop.time()
            if fresh or not tracker.repeated or remaining <= 0:
                return tuple(fresh)
            # Only updates still being processed came back (they are not confirmed yet): wait
            # until one finishes, then confirm it with the next request.
            await tracker.wait_progress(min(remaining, 1.0))

    async def send_text(self, chat_id: int, text: str, *, parse_mode: str | None = None,
                        reply_markup: dict | None = None, disable_preview: bool = False,
                        reply_to: int | None = None, message_thread_id: int | None = None,
                        ) -> dict:
        """sendMessage, returning Telegram's answer as it came (a dict, not a ``Message``).

        Every reply the bot sends goes through here: building a ``Message`` (with the message
        it replies to inside) from each answer was ~8 % of a busy bot's CPU, for nothing.
        Same path as ``send_message`` otherwise (rate limiter, retries, error mapping).
        """
        data = {"chat_id": chat_id, "text": text, "parse_mode": parse_mode,
                "reply_markup": reply_markup, "message_thread_id": message_thread_id,
                "link_preview_options": {"is_disabled": True} if disable_preview else None,
                "reply_parameters": {"message_id": reply_to, "allow_sending_without_reply": True}
                if reply_to is not None else None}
        return await self._post("sendMessage", data)

    async def answer_inline_json(self, inline_query_id: str, results: list[dict], *,
                                 cache_time: int, is_personal: bool,
                                 button: dict | None = None) -> bool:
        """answerInlineQuery with results already in the Bot API's JSON form (as
        :meth:`send_text`: PTB's result objects, copied for defaults, cost ~5 % of the CPU)."""
        return await self._post("answerInlineQuery", {
            "inline_query_id": inline_query_id, "results": results, "cache_time": cache_time,
            "is_personal": is_personal, "button": button})

    async def _do_post(self, endpoint, data, *args, **kwargs):
        result = await super()._do_post(endpoint, data, *args, **kwargs)
        if endpoint == "getUpdates" and isinstance(result, list):
            result = self.tracker.drop_repeated(result)
        return result

    def _conflict(self) -> None:
        tracker = self.tracker
        tracker.conflicts += 1
        if not tracker.polled and tracker.conflicts >= CONFLICT_LIMIT:
            log.error("409 Conflict from getUpdates %d times in a row: another instance is polling "
                      "with this token. Stopping this one (exit status %d); run one instance per "
                      "bot token.", tracker.conflicts, EXIT_CONFLICT)
            tracker.gave_up = True
            self._stop_application()
        elif tracker.conflicts == 1 or tracker.conflicts % 10 == 0:
            log.warning("409 Conflict from getUpdates (%d in a row): another instance is polling "
                        "with this token; backing off", tracker.conflicts)

    def _stop_application(self) -> None:
        application = self.tracker.application
        if application is None:
            return
        if application.running:
            application.stop_running()
        else:  # still starting: try again shortly
            asyncio.get_running_loop().call_later(0.2, self._stop_application)

    async def confirm_processed(self) -> None:
        """Confirm (getUpdates with the offset) every update processed so far; at shutdown."""
        tracker = self.tracker
        offset = tracker.confirm_offset()
        if tracker.gave_up or offset is None:
            return
        try:
            await super().get_updates(offset=offset, limit=1, timeout=0)
        except TelegramError as err:
            log.warning("could not confirm the processed updates (%s): the next start gets them "
                        "again", err)
        else:
            log.info("confirmed updates below %d; %d fetched but unprocessed left for the next "
                     "start", offset, len(tracker.pending))


class ReliableApplication(Application):
    """Application that tells :class:`ReliableBot` (polling) or the :class:`WebhookQueue`
    (webhook) when an update has been processed."""

    async def process_update(self, update: object) -> None:
        try:
            await super().process_update(update)
        finally:
            if isinstance(update, Update):
                tracker = getattr(self.bot, "tracker", None)
                if tracker is not None:
                    tracker.finished(update.update_id)
                if isinstance(self.update_queue, WebhookQueue):
                    self.update_queue.processed(update.update_id)


WEBHOOK_ACK_SECONDS = 45.0


class WebhookQueue(asyncio.Queue):
    """The update queue in webhook mode: ``put`` returns once the update has been processed.

    PTB's webhook handler answers Telegram's request when ``update_queue.put`` returns; with a
    plain queue that is as soon as the update is queued, so a process killed with updates in its
    queue lost them (Telegram had its 200 and never sends them again). Here Telegram's request
    is answered when :class:`ReliableApplication` has processed the update, so a killed process
    gets unanswered requests re-delivered, as polling does. Telegram sends updates on several
    connections at once (``max_connections``), so updates still run concurrently. An update that
    takes longer than :data:`WEBHOOK_ACK_SECONDS` (a large upload) is acknowledged then and goes
    on, so that Telegram does not time out and send it again while it runs.
    """

    def __init__(self, ack_after: float = WEBHOOK_ACK_SECONDS) -> None:
        super().__init__()
        self.ack_after = ack_after
        self._waiting: dict[int, asyncio.Future] = {}

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):  # PTB's own sentinels (stop)
            await super().put(item)
            return
        done = self._waiting.get(item.update_id)
        if done is None:  # (a re-delivery of an update still running waits for that run)
            done = self._waiting[item.update_id] = asyncio.get_running_loop().create_future()
            await super().put(item)
        try:
            await asyncio.wait_for(asyncio.shield(done), self.ack_after)
        except asyncio.TimeoutError:
            log.info("update %s still running after %.0f s: acknowledged to Telegram",
                     item.update_id, self.ack_after)

    def processed(self, update_id: int) -> None:
        done = self._waiting.pop(update_id, None)
        if done is not None and not done.done():
            done.set_result(None)


# -- concurrency: different chats at once, one chat in order ---------------------------------------
def order_key(update: object) -> tuple[str, int] | None:
    """What an update must stay in order with: its chat (messages, edits, channel posts and their
    edits, button presses on a message, membership changes), else its user (inline queries, chosen
    inline results, a button on an inline message); None: no order needed."""
    if not isinstance(update, Update):
        return None
    chat = update.effective_chat
    if chat is not None:
        return ("chat", chat.id)
    user = update.effective_user
    if user is not None:
        return ("user", user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_running`` updates processed at once; updates with the same :func:`order_key`
    one after the other in arrival order, different keys concurrently.

    PTB creates one task per update, in arrival order, and calls :meth:`do_process_update` from it
    before the task first yields (PTB's own semaphore is made large enough never to be waited on),
    so each update joins the end of its key's chain in arrival order. An update waiting for an
    earlier one of its chat does not hold one of the ``max_running`` slots, so a slow chat (a
    large upload) never takes the slots of the others. The number of waiting updates is bounded
    by polling's back-pressure (``REFILL_AT`` plus one getUpdates batch).

    ``ReliableApplication`` marks an update finished whatever order they finish in, and
    ``ReliableBot`` confirms only below the lowest unfinished one. At SIGTERM PTB waits until every
    queued update has been processed (its update queue is joined), these chains included.
    """

    def __init__(self, max_running: int = CONCURRENT_UPDATES, max_waiting: int = 100_000) -> None:
        super().__init__(max_waiting)
        self.max_running = max_running
        self._slots = asyncio.Semaphore(max_running)
        self._tails: dict[tuple[str, int], asyncio.Future] = {}  # key → its last update's "done"

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass

    @property
    def waiting_chats(self) -> int:
        """Keys with an update being processed or waiting (for tests and logs)."""
        return len(self._tails)

    async def do_process_update(self, update: object, coroutine) -> None:
        key = order_key(update)
        previous = self._tails.get(key) if key is not None else None
        done = asyncio.get_running_loop().create_future()
        if key is not None:
            self._tails[key] = done
        started = False
        try:
            if previous is not None:
                await asyncio.shield(previous)  # never fails: set_result in the finally below
            async with self._slots:
                started = True
                await coroutine
        finally:
            if not started:  # cancelled while waiting: do not leave the coroutine un-awaited
                coroutine.close()
            done.set_result(None)
            if key is not None and self._tails.get(key) is done:
                del self._tails[key]


def open_knowledge_base(settings: Settings, *, build_index: bool = True) -> KnowledgeBase:
    """Open the knowledge base; ingest the seeds folder when it has no documents (blocking).

    ``build_index=False`` (a search process will build it) loads jieba only."""
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
    if build_index:
        kb.search("组织工作")  # warm up: loads jieba and builds the in-memory index
    else:
        kb.analyzer.words("组织工作")  # loads jieba
    return kb


def use_search_process(settings: Settings) -> bool:
    return settings.search_process and can_fork() and str(settings.db) != ":memory:"


def build_application(settings: Settings, kb: KnowledgeBase | None = None) -> Application:
    """The bot: every handler wired, the knowledge base opened in post_init (unless given)."""
    bot_kwargs = {}
    if settings.base_url:
        bot_kwargs["base_url"] = settings.base_url
    if settings.base_file_url:
        bot_kwargs["base_file_url"] = settings.base_file_url
    bot = ReliableBot(settings.token, request=AiohttpRequest(256),
                      get_updates_request=AiohttpRequest(1),
                      rate_limiter=RetryingRateLimiter(
                          max_retries=5, overall_max_rate=settings.rate_limit), **bot_kwargs)
    workers = settings.concurrent_updates
    builder = ApplicationBuilder().bot(bot).application_class(ReliableApplication)
    if settings.webhook_url:  # Telegram's request is answered once its update is processed
        builder = builder.update_queue(WebhookQueue())
    application = (builder
                   .concurrent_updates(PerChatUpdateProcessor(workers) if workers > 1 else 1)
                   .post_init(_post_init).post_stop(_post_stop).post_shutdown(_post_shutdown)
                   .build())
    bot.tracker.application = application

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
    docs = await asyncio.to_thread(s.kb.documents)
    log.info("knowledge base %s: %d documents; %s; concurrent updates: %d; event loop: %s; "
             "searches: %s", s.kb.path, len(docs), s.settings.log_summary(),
             application.update_processor.max_running
             if isinstance(application.update_processor, PerChatUpdateProcessor) else 1,
             type(asyncio.get_running_loop()).__module__.split(".")[0],
             f"search process {s.worker.pid}" if s.worker else "in this process")
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


async def _post_stop(application: Application) -> None:
    """Polling: confirm the updates processed while PTB drained its queue."""
    if isinstance(application.bot, ReliableBot) and application.updater is not None:
        await application.bot.confirm_processed()


async def _post_shutdown(application: Application) -> None:
    s: h.Services = application.bot_data[h.SERVICES_KEY]
    if s.worker is not None:
        await s.worker.close()
    if s.kb is not None and s.owns_kb:
        s.kb.close()
    log.info("stopped; outcomes: %s", dict(s.counters))


class _NetworkTracebacks(logging.Filter):
    """PTB logs some network trouble with a traceback (a 502 page that is not JSON, a failed
    final getUpdates): keep it to one WARNING line, since it is retried or harmless."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.exc_info:
            err = record.exc_info[1]
            if isinstance(err, (NetworkError, Conflict)) or (
                    isinstance(err, TelegramError) and "server response" in str(err)):
                record.msg = f"{record.getMessage()[:200]} ({type(err).__name__}: {err})"
                record.args, record.exc_info, record.exc_text = None, None, None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
            elif record.getMessage().startswith("Can not load invalid JSON data"):
                record.msg = "Telegram answered with something that is not JSON (a proxy error page?)"
                record.args, record.exc_info, record.exc_text = None, None, None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_NetworkTracebacks())
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def use_uvloop() -> bool:
    """Run the event loop on uvloop when it is installed (a dependency on Linux and macOS).

    The bot is CPU-bound on one core under load, and asyncio's own loop (callbacks, transports,
    futures) was a tenth of that: the load bench answers 6–11 % more questions per second on
    uvloop (paired runs, see README, Load).
    """
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True


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
        if isinstance(application.bot, ReliableBot) and application.bot.tracker.gave_up:
            raise SystemExit(EXIT_CONFLICT)
