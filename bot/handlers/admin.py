"""Admin commands (private chats only) and uploads: /docs, /remove, /audience, /reload, /stats,
/unanswered, a file sent to the bot. Everyone else gets a polite refusal.

Who may read an upload: a caption ``#财务处`` (names of ``STAFFBOT_AUDIENCES``) gives it that
audience; its reply asks 谁可以看到？ with a button per choice (全员 / 财务处 / …); ``/audience
DOC NAME[,NAME]`` changes it later. A new version of an upload keeps its audience."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from telegram import Message, Update
from telegram.error import TelegramError

from knowledge import SUPPORTED_SUFFIXES, LoadError
from knowledge.audiences import EVERYONE, audience_names, parse_audience

from .. import render
from ..api import send
from ..context import StaffContext
from .common import answer_callback, lang
from .escalation import send_unanswered_cards

__all__ = ["on_audience", "on_audience_button", "on_docs", "on_document", "on_reload",
           "on_remove", "on_stats", "on_unanswered"]


async def _admin(update: Update, context: StaffContext) -> bool:
    """True for admins; anyone else gets a polite refusal."""
    user = update.effective_user
    if context.access.is_admin(user.id if user else None):
        return True
    await send(context.bot, update.effective_chat.id,
               render.render_message(lang(update), "admin_only"))
    context.outcome(update, "refused")
    return False


def _argument(update: Update) -> str:
    parts = (update.effective_message.text or "").split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


async def _admin_view(update: Update, context: StaffContext, read, show, outcome: str) -> None:
    """An admin command that shows something: ``read`` on a thread, then ``show(it, language)``
    sent."""
    if await _admin(update, context):
        value = await asyncio.to_thread(read)
        await send(context.bot, update.effective_chat.id, show(value, lang(update)))
        context.outcome(update, outcome)


async def on_docs(update: Update, context: StaffContext) -> None:
    """/docs (admin): the documents with their ids."""
    await _admin_view(update, context, context.kb.documents, render.render_docs, "docs")


async def on_remove(update: Update, context: StaffContext) -> None:
    """/remove <id|title> (admin): delete documents."""
    if not await _admin(update, context):
        return
    ref, language = _argument(update), lang(update)
    if not ref:
        replies = render.render_message(language, "remove_usage")
    else:
        async with context.writing():
            removed = await asyncio.to_thread(context.kb.remove, ref)
        replies = render.render_message(language, "removed" if removed else "remove_none",
                                        n=str(removed), ref=render.truncate(ref, 100))
    await send(context.bot, update.effective_chat.id, replies)
    context.outcome(update, "remove")


async def on_reload(update: Update, context: StaffContext) -> None:
    """/reload (admin): re-ingest the seeds folder."""
    if not await _admin(update, context):
        return
    seeds, language = context.settings.seeds, lang(update)
    if not seeds.exists():
        replies = render.render_message(language, "no_seeds", path=str(seeds))
    else:
        async with context.writing():
            report = await asyncio.to_thread(context.kb.ingest, [seeds],
                                             audience_folders=context.settings.audience_names)
        context.embed_soon()
        replies = render.render_ingest(report, str(seeds), language)
    await send(context.bot, update.effective_chat.id, replies)
    context.outcome(update, "reload")


async def on_stats(update: Update, context: StaffContext) -> None:
    """/stats (admin): questions, answered share, suggestions, not found, 👍/👎."""
    await _admin_view(update, context, context.kb.stats, render.render_stats, "stats")


async def on_unanswered(update: Update, context: StaffContext) -> None:
    """/unanswered (admin): the most frequent questions that found nothing, then the open 🙋
    questions and the first of those as cards to answer (就是这段 / 写答案)."""
    if await _admin(update, context):
        items = await asyncio.to_thread(context.kb.unanswered, 20)
        await send(context.bot, update.effective_chat.id,
                   render.render_unanswered(items, lang(update)))
        cards = await send_unanswered_cards(update, context, items)
        context.outcome(update, f"unanswered ({cards} cards)")


async def on_document(update: Update, context: StaffContext) -> None:
    """A file sent in a private chat: admins' uploads are indexed; others are refused."""
    message, chat_id, language = update.effective_message, update.effective_chat.id, lang(update)
    user = update.effective_user
    if not context.access.is_admin(user.id if user else None):
        await send(context.bot, chat_id, render.render_message(language, "upload_refused"),
                   reply_to=message)
        context.outcome(update, "refused")
        return
    document = message.document
    hashtags = re.findall(r"#(\S+)", message.caption or "")
    unknown = [n for n in hashtags if n != EVERYONE and n not in context.settings.audience_names]
    if unknown:   # a misspelt audience must not leave the upload for everyone
        await send(context.bot, chat_id, _unknown_audience(context, language, unknown),
                   reply_to=message)
        context.outcome(update, "unknown audience")
        return
    audience = parse_audience(hashtags) if hashtags else None
    # the base name only, without control or bidi-format characters (a U+202E in an echoed
    # name would reverse the rest of the reply)
    name = Path((document.file_name or "upload").replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip() or "upload"
    limit = context.settings.max_upload_bytes
    if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES))
        replies, status = render.render_message(language, "unsupported", name=name,
                                                suffixes=suffixes), "unsupported"
    elif document.file_size and document.file_size > limit:
        replies, status = render.render_too_big(name, document.file_size, limit, language), \
            "too_big"
    else:
        try:
            file = await document.get_file()
            data = bytes(await file.download_as_bytearray())
            if len(data) > limit:
                replies, status = render.render_too_big(name, len(data), limit, language), \
                    "too_big"
            else:
                async with context.writing():
                    report = await asyncio.to_thread(context.kb.ingest_bytes, data, name,
                                                      max_bytes=limit, audience=audience,
                                                      file_id=document.file_id)
                context.embed_soon()
                replies, status = render.render_ingest(report, name, language), "ingested"
                replies = await _with_audience_choice(context, replies, f"upload:{name}",
                                                      language)
        except LoadError as err:
            replies, status = render.render_message(language, "not_indexed", name=name,
                                                    reason=err.reason), "not_indexed"
        except TelegramError as err:
            replies, status = render.render_message(language, "not_indexed", name=name,
                                                    reason=str(err)), "download_failed"
    await send(context.bot, chat_id, replies, reply_to=message)
    context.outcome(update, status)


# -- audiences ------------------------------------------------------------------------------
def _unknown_audience(context: StaffContext, language: str, names) -> list:
    return render.render_message(language, "audience_unknown", names="、".join(names),
                                 known=" ".join(context.settings.audience_names))


async def _with_audience_choice(context: StaffContext, replies: list, origin: str,
                                language: str) -> list:
    """The upload's reply asks 谁可以看到？ (with the current audience) when audiences are
    configured and the upload is stored."""
    names = context.settings.audience_names
    stored = await asyncio.to_thread(context.kb.document_ids, origin) if names else []
    if not stored:
        return replies
    return render.render_audience_choice(replies, stored[0], names, language)


async def on_audience(update: Update, context: StaffContext) -> None:
    """/audience <id|title> <名称[,名称]> (admin): who may read a document (全员 or audiences)."""
    if not await _admin(update, context):
        return
    language, known = lang(update), context.settings.audience_names
    ref, _, names = _argument(update).rpartition(" ")
    ref = ref.strip()
    try:
        stored = parse_audience(names) if ref and names else None
    except ValueError:
        stored = None
    if stored is None:
        replies = render.render_message(language, "audience_usage",
                                        names=" ".join(known) or "(STAFFBOT_AUDIENCES)")
    elif unknown := sorted(audience_names(stored) - {EVERYONE} - set(known)):
        replies = _unknown_audience(context, language, unknown)
    else:
        async with context.writing():
            changed = await asyncio.to_thread(context.kb.set_audience, ref, stored)
        replies = render.render_message(language, "audience_set", title=render.truncate(ref, 100),
                                        audience=stored) if changed else \
            render.render_message(language, "audience_none", ref=render.truncate(ref, 100))
    await send(context.bot, update.effective_chat.id, replies)
    context.outcome(update, "audience")


async def on_audience_button(update: Update, context: StaffContext, doc_id: int, choice: int,
                             message: Message | None, language: str) -> None:
    """谁可以看到？ pressed (admins only): the upload (every document of its file) gets that
    audience."""
    query = update.callback_query
    if not context.access.is_admin(query.from_user.id):
        await answer_callback(update, query, render.text_for(language, "admins_only"),
                              show_alert=True)
        context.outcome(update, "refused")
        return
    names = context.settings.audience_names
    if choice > len(names):
        await answer_callback(update, query)
        context.outcome(update, "ignored")
        return
    audience = EVERYONE if choice == 0 else names[choice - 1]
    async with context.writing():
        changed = await asyncio.to_thread(context.kb.set_audience_of_file, doc_id, audience)
    text = render.text_for(language, "audience_set", title=str(doc_id), audience=audience) \
        if changed else render.text_for(language, "audience_none", ref=str(doc_id))
    await answer_callback(update, query, render.truncate(re.sub(r"<[^>]+>", "", text), 200))
    context.outcome(update, f"audience {audience}" if changed else "audience gone")
