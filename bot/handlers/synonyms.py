"""Admins' synonym commands (private chats): /synonym adds a group, /synonyms lists them,
/unsynonym removes one. A change applies to the next question (no re-ingest)."""

from __future__ import annotations

import asyncio

from telegram import Update

from .. import render
from ..api import send
from ..context import StaffContext
from .admin import _admin, _argument
from .common import lang

__all__ = ["on_synonym", "on_synonyms", "on_unsynonym"]

_LISTED = 200   # admin groups shown by /synonyms (the newest); the CLI lists them all


async def on_synonym(update: Update, context: StaffContext) -> None:
    """/synonym 年假 年休假 (admin): add a group; /synonym 老板 > 用人单位: a one-way one."""
    if not await _admin(update, context):
        return
    text, language = _argument(update), lang(update)
    user = update.effective_user
    by = f"telegram:{user.id}" + (f" ({user.full_name})" if user.full_name else "")
    try:
        async with context.writing():
            group_id = await asyncio.to_thread(context.kb.add_synonyms, text, by=by)
    except ValueError:
        await send(context.bot, update.effective_chat.id,
                   render.render_message(language, "synonym_usage"))
        context.outcome(update, "synonym_usage")
        return
    groups = await asyncio.to_thread(context.kb.synonym_groups, "admin")
    added = next((g.text for g in groups if g.id == group_id), text)
    await send(context.bot, update.effective_chat.id,
               render.render_message(language, "synonym_added", id=str(group_id),
                                     group=render.truncate(added, 300)))
    context.outcome(update, "synonym")


async def on_synonyms(update: Update, context: StaffContext) -> None:
    """/synonyms (admin): the admins' groups with their ids, and how big the thesaurus is."""
    if not await _admin(update, context):
        return
    language = lang(update)
    groups = await asyncio.to_thread(context.kb.synonym_groups)
    admin = [g for g in groups if g.source == "admin"]
    lines = [render.text_for(language, "synonyms_header", n=len(admin),
                             shipped=len(groups) - len(admin))]
    lines += [f"<code>{g.id}</code> {render.escape(render.truncate(g.text, 200))}"
              for g in admin[-_LISTED:]]
    if not admin:
        lines.append(render.text_for(language, "synonyms_none"))
    replies = [render.Reply(part) for part in render.split_html("\n".join(lines))]
    await send(context.bot, update.effective_chat.id, replies)
    context.outcome(update, "synonyms")


async def on_unsynonym(update: Update, context: StaffContext) -> None:
    """/unsynonym ID|word (admin): remove an admin's group by id, or every one with the word."""
    if not await _admin(update, context):
        return
    ref, language = _argument(update), lang(update)
    if not ref:
        replies = render.render_message(language, "unsynonym_usage")
    else:
        async with context.writing():
            removed = await asyncio.to_thread(context.kb.remove_synonyms, ref)
        replies = render.render_message(language, "synonym_removed" if removed else
                                        "synonym_none", n=str(removed),
                                        ref=render.truncate(ref, 100))
    await send(context.bot, update.effective_chat.id, replies)
    context.outcome(update, "unsynonym")
