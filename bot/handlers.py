"""Telegram update handlers: read the update, call pure code (knowledge, render, access), send.

Every ``kb.*`` call runs in a worker thread (``asyncio.to_thread``): SQLite and jieba block —
except the two on every question. The search process (``STAFFBOT_SEARCH_PROCESS``,
:class:`knowledge.SearchWorker`) searches and logs the question, awaited without blocking; without
it (off, or it has died) the search runs inline on an index that is already built and current (see
:func:`_ready_searcher`) and so does logging the question when no write holds the database. Updates
of different chats are processed concurrently (``bot.app.PerChatUpdateProcessor``), so knowledge-base
writes (uploads, /reload, /remove, channel posts) go one at a time through
:meth:`Services.writing`.
Long-lived objects live in one :class:`Services` object in ``application.bot_data``, reached with
:func:`services`. Each handler records an outcome for the update (``answer``, ``not_found``,
``refused``, ``ignored``…) which :func:`log_update` writes as one INFO line per update — chat
kind, outcome and milliseconds, never the message text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import Counter, OrderedDict
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import (Chat, InlineKeyboardMarkup, InlineQueryResultsButton,
                      Message, Update)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Conflict, NetworkError, RetryAfter, TelegramError
from telegram.ext import ContextTypes

from knowledge import (SUPPORTED_SUFFIXES, Answer, Answerer, Hit, KnowledgeBase, LoadError,
                       SearchWorker)

from . import render
from .access import Access
from .render import Button, Reply, lang_for
from .settings import Settings

__all__ = ["Services", "services", "send", "markup_json", "post_link", "MAX_QUESTION"]

log = logging.getLogger(__name__)

MAX_QUESTION = 500          # characters of a question that are searched
SERVICES_KEY = "services"
RECENT_ANSWERS = 2048       # answers kept for the "more results" button
INLINE_MAX_AGE = 8.0        # seconds: an inline query older than this is not answered (Telegram
                            # refuses answers about 10 s after the query)
INLINE_SEARCH = True        # search on the event loop when the index is ready (see _search)


@dataclass
class Services:
    """The bot's long-lived objects; one per application, in ``bot_data["services"]``."""

    settings: Settings
    access: Access
    kb: KnowledgeBase | None = None
    owns_kb: bool = True
    worker: SearchWorker | None = None   # the search process, when there is one
    answerer: Answerer | None = None     # the one question path (set once the kb is open)
    counters: Counter = field(default_factory=Counter)
    _answers: OrderedDict = field(default_factory=OrderedDict)
    _started: dict = field(default_factory=dict)
    _outcomes: dict = field(default_factory=dict)
    _write_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def writing(self):
        """One knowledge-base write at a time (across chats, which run concurrently).

        The knowledge base serializes its transactions, but not everything around them (it records
        a document's defined terms on the shared connection before taking its lock, which would
        commit another thread's open transaction midway); and a search stays on the event loop
        only while no write is running (:func:`_search`).
        """
        async with self._write_lock:
            yield

    @property
    def write_running(self) -> bool:
        return self._write_lock.locked()

    def remember(self, question_id: int, answer: Answer) -> None:
        self._answers[question_id] = answer
        while len(self._answers) > RECENT_ANSWERS:
            self._answers.popitem(last=False)

    def recall(self, question_id: int) -> Answer | None:
        return self._answers.get(question_id)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """The :class:`Services` of the application handling ``context``."""
    return context.bot_data[SERVICES_KEY]


def _outcome(context: ContextTypes.DEFAULT_TYPE, update: object, status: str) -> None:
    if isinstance(update, Update):
        services(context)._outcomes[update.update_id] = status


# -- sending -------------------------------------------------------------------------------------------
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


async def send(bot: Any, chat_id: int, replies: list[Reply], *, reply_to: Message | None = None,
               ) -> None:
    """Send ``replies`` in order; the first one replies to ``reply_to`` (in its topic, if any).

    Through :meth:`bot.app.ReliableBot.send_text`: the same sendMessage, without turning
    Telegram's answer into a ``Message`` nobody reads.
    """
    thread = reply_to.message_thread_id if reply_to is not None and reply_to.is_topic_message \
        else None
    for n, reply in enumerate(replies):
        await bot.send_text(
            chat_id, reply.text, parse_mode=reply.parse_mode,
            reply_markup=markup_json(reply.buttons), disable_preview=reply.disable_preview,
            reply_to=reply_to.message_id if reply_to is not None and n == 0 else None,
            message_thread_id=thread)


def _lang(update: Update) -> str:
    user = update.effective_user
    return lang_for(user.language_code if user else None)


def _kb(context: ContextTypes.DEFAULT_TYPE) -> KnowledgeBase:
    kb = services(context).kb
    if kb is None:
        raise RuntimeError("the knowledge base is not open yet")
    return kb


# -- asking --------------------------------------------------------------------------------------------
def _answerer(context: ContextTypes.DEFAULT_TYPE) -> Answerer:
    """The question path (search process, this process, or a thread; timing and logging)."""
    s = services(context)
    if s.answerer is None:
        s.answerer = Answerer(_kb(context), worker=s.worker, inline=INLINE_SEARCH,
                              busy=lambda: s.write_running)
    return s.answerer


def clean_question(text: str) -> str:
    """Whitespace collapsed, control characters dropped, cut to :data:`MAX_QUESTION` characters."""
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())[:MAX_QUESTION]


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answer ``question`` in the chat of ``update`` (access checked), replying to its message."""
    s = services(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    lang = _lang(update)
    private = chat.type == ChatType.PRIVATE
    if not await s.access.may_ask(user.id if user else None, chat.id):
        if private:
            await send(context.bot, chat.id, render.render_message(lang, "refused"))
        _outcome(context, update, "refused")
        return
    question = clean_question(question)
    if not question:
        await send(context.bot, chat.id, render.render_message(lang, "usage"), reply_to=message)
        _outcome(context, update, "usage")
        return
    asked = await _answerer(context).ask(question, chat_kind="private" if private else "group")
    answer, question_id = asked.answer, asked.question_id
    if question_id:
        s.remember(question_id, answer)
    await send(context.bot, chat.id, render.render_answer(answer, question_id, lang),
               reply_to=message)
    _outcome(context, update, answer.status)


def _mention_pattern(username: str) -> re.Pattern:
    return re.compile(rf"(?<![\w@])@{re.escape(username)}\b", re.IGNORECASE)


async def on_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask <question> (also /ask@thisbot) in any chat."""
    text = update.effective_message.text or ""
    parts = text.split(maxsplit=1)
    await ask(update, context, parts[1] if len(parts) > 1 else "")


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any non-command text in a private chat is a question."""
    await ask(update, context, update.effective_message.text or "")


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group text: a question when it mentions the bot or replies to it; otherwise ignored."""
    message, bot = update.effective_message, context.bot
    text = message.text or ""
    pattern = _mention_pattern(bot.username) if bot.username else None
    mentioned = bool(pattern and pattern.search(text))
    replied = message.reply_to_message is not None and \
        message.reply_to_message.from_user is not None and \
        message.reply_to_message.from_user.id == bot.id
    if not (mentioned or replied):
        _outcome(context, update, "ignored")
        return
    await ask(update, context, pattern.sub(" ", text) if pattern else text)


# -- help ----------------------------------------------------------------------------------------------
async def on_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/start and /help: how to use the bot (admins also see the admin commands)."""
    s, chat, user = services(context), update.effective_chat, update.effective_user
    user_id = user.id if user else None
    if not await s.access.may_ask(user_id, chat.id):
        if chat.type == ChatType.PRIVATE:
            await send(context.bot, chat.id, render.render_message(_lang(update), "refused"))
        _outcome(context, update, "refused")
        return
    admin = chat.type == ChatType.PRIVATE and s.access.is_admin(user_id)
    replies = render.render_help(_lang(update), admin, context.bot.username, SUPPORTED_SUFFIXES)
    await send(context.bot, chat.id, replies,
               reply_to=None if chat.type == ChatType.PRIVATE else update.effective_message)
    _outcome(context, update, "help")


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any other /command in a private chat: point to /help."""
    await send(context.bot, update.effective_chat.id,
               render.render_message(_lang(update), "unknown_command"))
    _outcome(context, update, "unknown_command")


# -- buttons -------------------------------------------------------------------------------------------
def _without_feedback(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [[b for b in row if not (b.callback_data or "").startswith("f:")]
            for row in markup.inline_keyboard]
    rows = [row for row in rows if row]
    return InlineKeyboardMarkup(rows) if rows else None


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A button under an answer: full paragraph, more results, or 👍/👎."""
    s, query = services(context), update.callback_query
    lang = lang_for(query.from_user.language_code)
    parsed = render.parse_callback(query.data)
    message = query.message if isinstance(query.message, Message) else None
    chat_id = message.chat.id if message is not None else query.from_user.id
    if parsed is None:
        await _answer_callback(update, query)
        _outcome(context, update, "ignored")
        return
    if not await s.access.may_ask(query.from_user.id, message.chat.id if message else None):
        await _answer_callback(update, query, render.text_for(lang, "refused"), show_alert=True)
        _outcome(context, update, "refused")
        return
    kind = parsed[0]
    if kind == "p":
        view = await asyncio.to_thread(_kb(context).paragraph, parsed[1])
        await _answer_callback(update, query)
        await send(context.bot, chat_id, render.render_paragraph(view, lang), reply_to=message)
        _outcome(context, update, "paragraph" if view else "gone")
    elif kind == "m":
        hits = await asyncio.to_thread(_more_hits, _kb(context), s.recall(parsed[1]), parsed[2])
        await _answer_callback(update, query)
        await send(context.bot, chat_id, render.render_more(hits, lang), reply_to=message)
        _outcome(context, update, "more")
    else:
        helpful = parsed[2]
        recorded = await asyncio.to_thread(_kb(context).feedback, parsed[1], helpful)
        await _answer_callback(update, query,
                               render.text_for(lang, "thanks_up" if helpful else "thanks_down"))
        if message is not None:
            try:
                await query.edit_message_reply_markup(_without_feedback(message.reply_markup))
            except TelegramError as err:  # e.g. "message is not modified" on a double click
                log.debug("feedback buttons not removed: %s", err)
        _outcome(context, update, ("helpful" if helpful else "unhelpful")
                 + ("" if recorded else " (unknown question)"))


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


# -- inline mode ---------------------------------------------------------------------------------------
def query_expired(err: BadRequest) -> bool:
    """Whether Telegram refused a callback/inline answer because the query expired."""
    message = err.message.lower()
    return "query is too old" in message or "query id is invalid" in message


def update_age(context: ContextTypes.DEFAULT_TYPE, update: Update) -> float | None:
    """Seconds since polling fetched ``update`` (None when unknown, e.g. webhook mode)."""
    age = getattr(context.bot, "update_age", None)
    return age(update.update_id) if age is not None else None


async def on_inline_query(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """@bot keywords in any chat: up to 10 cited excerpts to send.

    A query that already waited longer than :data:`INLINE_MAX_AGE` (a backlog) is skipped: the
    user has moved on and Telegram would refuse the answer. An answer Telegram refuses as too
    old is one WARNING line, not an error.
    """
    s, query = services(context), update.inline_query
    age = update_age(context, update)
    if age is not None and age > INLINE_MAX_AGE:
        log.info("inline query %s not answered: it waited %.1f s", update.update_id, age)
        _outcome(context, update, "inline expired")
        return
    lang = lang_for(query.from_user.language_code)
    personal = s.access.restricted
    try:
        if not await s.access.is_staff(query.from_user.id):
            button = InlineQueryResultsButton(text=render.text_for(lang, "inline_refused"),
                                              start_parameter="help")
            await query.answer([], cache_time=10, is_personal=True, button=button)
            _outcome(context, update, "refused")
            return
        text = clean_question(query.query or "")
        results: list[render.InlineResult] = []
        if text:
            asked = await _answerer(context).ask(text, render.INLINE_RESULTS, log=False)
            results = render.render_inline_results(asked.answer)
        button = None if results else {"text": render.text_for(lang, "inline_button"),
                                       "start_parameter": "help"}
        await context.bot.answer_inline_json(query.id, inline_results_json(results),
                                             cache_time=10, is_personal=personal, button=button)
    except BadRequest as err:
        if not query_expired(err):
            raise
        log.warning("inline query %s answered too late (%s; waited %s)", update.update_id,
                    err.message, "?" if age is None else f"{age:.1f} s before handling")
        _outcome(context, update, "inline expired")
        return
    s.counters["inline_queries"] += 1
    _outcome(context, update, f"{len(results)} results" if text else "empty")


async def on_chosen_inline_result(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user sent one of our inline results: count it."""
    services(context).counters["inline_chosen"] += 1
    _outcome(context, update, "chosen")


# -- channels ------------------------------------------------------------------------------------------
def post_link(chat_id: int, username: str | None, message_id: int) -> str:
    """t.me link of a channel post: by username when public, by internal id when private."""
    if username:
        return f"https://t.me/{username}/{message_id}"
    internal = str(chat_id)
    internal = internal[4:] if internal.startswith("-100") else internal.lstrip("-")
    return f"https://t.me/c/{internal}/{message_id}"


def channel_wanted(channels: tuple[str, ...], chat: Chat) -> bool:
    """Whether posts of ``chat`` are indexed (every channel when ``channels`` is empty)."""
    if not channels:
        return True
    return str(chat.id) in channels or (
        chat.username is not None and "@" + chat.username.lower() in channels)


async def on_channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A new or edited channel post (text or caption) becomes a cited document; never replies."""
    s, message = services(context), update.effective_message
    chat = message.chat
    if not channel_wanted(s.settings.channels, chat):
        _outcome(context, update, "ignored channel")
        return
    async with s.writing():
        result = await asyncio.to_thread(
            _kb(context).add_post, chat_id=chat.id, message_id=message.message_id,
            text=message.text or message.caption or "",
            url=post_link(chat.id, chat.username, message.message_id),
            date=(message.edit_date or message.date).isoformat() if message.date else None,
            channel_title=chat.title or "")
    _outcome(context, update, f"post {result}")


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to, promoted in or removed from a chat: log it."""
    change = update.my_chat_member
    log.info("bot is now %s in %s %s", change.new_chat_member.status, change.chat.type,
             change.chat.id)
    _outcome(context, update, "member")


# -- admin ---------------------------------------------------------------------------------------------
async def _admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """True for admins; anyone else gets a polite refusal."""
    user = update.effective_user
    if services(context).access.is_admin(user.id if user else None):
        return True
    await send(context.bot, update.effective_chat.id,
               render.render_message(_lang(update), "admin_only"))
    _outcome(context, update, "refused")
    return False


def _argument(update: Update) -> str:
    parts = (update.effective_message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def on_docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/docs (admin): the documents with their ids."""
    if await _admin(update, context):
        docs = await asyncio.to_thread(_kb(context).documents)
        await send(context.bot, update.effective_chat.id, render.render_docs(docs, _lang(update)))
        _outcome(context, update, "docs")


async def on_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove <id|title> (admin): delete documents."""
    if not await _admin(update, context):
        return
    ref, lang = _argument(update), _lang(update)
    if not ref:
        replies = render.render_message(lang, "remove_usage")
    else:
        async with services(context).writing():
            removed = await asyncio.to_thread(_kb(context).remove, ref)
        replies = render.render_message(lang, "removed" if removed else "remove_none",
                                        n=str(removed), ref=render.truncate(ref, 100))
    await send(context.bot, update.effective_chat.id, replies)
    _outcome(context, update, "remove")


async def on_reload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reload (admin): re-ingest the seeds folder."""
    if not await _admin(update, context):
        return
    seeds, lang = services(context).settings.seeds, _lang(update)
    if not seeds.exists():
        replies = render.render_message(lang, "no_seeds", path=str(seeds))
    else:
        async with services(context).writing():
            report = await asyncio.to_thread(_kb(context).ingest, [seeds])
        replies = render.render_ingest(report, str(seeds), lang)
    await send(context.bot, update.effective_chat.id, replies)
    _outcome(context, update, "reload")


async def on_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats (admin): questions, answered share, suggestions, not found, 👍/👎."""
    if await _admin(update, context):
        stats = await asyncio.to_thread(_kb(context).stats)
        await send(context.bot, update.effective_chat.id, render.render_stats(stats, _lang(update)))
        _outcome(context, update, "stats")


async def on_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unanswered (admin): the most frequent questions that found nothing."""
    if await _admin(update, context):
        items = await asyncio.to_thread(_kb(context).unanswered, 20)
        await send(context.bot, update.effective_chat.id,
                   render.render_unanswered(items, _lang(update)))
        _outcome(context, update, "unanswered")


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent in a private chat: admins' uploads are indexed; others are refused."""
    s, message = services(context), update.effective_message
    lang, chat_id = _lang(update), update.effective_chat.id
    user = update.effective_user
    if not s.access.is_admin(user.id if user else None):
        await send(context.bot, chat_id, render.render_message(lang, "upload_refused"),
                   reply_to=message)
        _outcome(context, update, "refused")
        return
    document = message.document
    # the base name only, without control or bidi-format characters (a U+202E in an echoed
    # name would reverse the rest of the reply)
    name = Path((document.file_name or "upload").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "upload"
    limit = s.settings.max_upload_bytes
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES))
        replies, status = render.render_message(lang, "unsupported", name=name,
                                                suffixes=suffixes), "unsupported"
    elif document.file_size and document.file_size > limit:
        replies, status = render.render_too_big(name, document.file_size, limit, lang), "too_big"
    else:
        try:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
            if len(data) > limit:
                replies, status = render.render_too_big(name, len(data), limit, lang), "too_big"
            else:
                async with s.writing():
                    report = await asyncio.to_thread(_kb(context).ingest_bytes, data, name,
                                                      max_bytes=limit)
                replies, status = render.render_ingest(report, name, lang), "ingested"
        except LoadError as err:
            replies, status = render.render_message(lang, "not_indexed", name=name,
                                                    reason=err.reason), "not_indexed"
        except TelegramError as err:
            replies, status = render.render_message(lang, "not_indexed", name=name,
                                                    reason=str(err)), "download_failed"
    await send(context.bot, chat_id, replies, reply_to=message)
    _outcome(context, update, status)


# -- bookkeeping ---------------------------------------------------------------------------------------
async def stamp_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update, first: note when its handling started."""
    if isinstance(update, Update):
        services(context)._started[update.update_id] = time.perf_counter()


def _chat_kind(update: Update) -> str:
    if update.inline_query or update.chosen_inline_result:
        return "inline"
    chat = update.effective_chat
    return chat.type if chat else "-"


async def log_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update, last: one INFO line with chat kind, outcome and time taken (no text)."""
    if not isinstance(update, Update):
        return
    s = services(context)
    started = s._started.pop(update.update_id, None)
    status = s._outcomes.pop(update.update_id, "ignored")
    ms = (time.perf_counter() - started) * 1000 if started is not None else 0.0
    s.counters[status] += 1
    log.info("update %s: %s %s %.0f ms", update.update_id, _chat_kind(update), status, ms)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any exception in a handler: log it, tell a private asker, keep running.

    Polling trouble (``update`` is None: a 5xx, a lost connection, a 409) is retried by PTB with
    backoff; it gets one WARNING line, not a traceback per attempt (a 409 is explained by
    ``bot.app.ReliableBot``).
    """
    if update is None and isinstance(context.error, (NetworkError, Conflict, RetryAfter)):
        if not isinstance(context.error, Conflict):
            log.warning("getUpdates failed, retrying: %s", str(context.error)[:120])
        return
    log.error("error handling update %s", getattr(update, "update_id", "-"),
              exc_info=context.error)
    if not isinstance(update, Update):
        return
    _outcome(context, update, "error")
    chat = update.effective_chat
    if chat is not None and chat.type == ChatType.PRIVATE and update.effective_message:
        try:
            await send(context.bot, chat.id, render.render_message(_lang(update), "error"))
        except Exception:  # noqa: BLE001 — nothing more to do; already logged above
            log.debug("could not report the error to the user", exc_info=True)
