"""Channels: each post (and its edits) becomes a cited document; the bot never replies there.

Who may read a post (never wider than the channel's own readers):

* a public channel (it has a username): 全员 — anyone can read it on t.me anyway;
* a private channel: the audiences of ``STAFFBOT_AUDIENCES`` that list it (its members are
  theirs; listed under ``全员``: all staff); else the audience named like the channel's title,
  if one is configured;
* a private channel in no audience: 仅管理员 (admins only) — its posts never become an answer
  for all staff; an admin may widen it with ``/audience`` (``staffbot audience``).
"""

from __future__ import annotations

import asyncio

from telegram import Chat, Update

from knowledge.audiences import ADMINS_ONLY, EVERYONE, join_audience

from ..access import Access
from ..context import StaffContext

__all__ = ["channel_audience", "channel_wanted", "on_channel_post", "post_link"]


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


def channel_audience(access: Access, chat: Chat) -> str:
    """The audience a post of ``chat`` gets (see the module docstring)."""
    if chat.username:
        return EVERYONE
    names = access.chat_audiences(chat.id)
    if not names and (chat.title or "").strip() in access.audience_names:
        names = frozenset({chat.title.strip()})
    return join_audience(names) if names else ADMINS_ONLY


async def on_channel_post(update: Update, context: StaffContext) -> None:
    """A new or edited channel post (text or caption) becomes a cited document; never replies."""
    message = update.effective_message
    chat = message.chat
    if not channel_wanted(context.settings.channels, chat):
        context.outcome(update, "ignored channel")
        return
    async with context.writing():
        result = await asyncio.to_thread(
            context.kb.add_post, chat_id=chat.id, message_id=message.message_id,
            text=message.text or message.caption or "",
            url=post_link(chat.id, chat.username, message.message_id),
            date=(message.edit_date or message.date).isoformat() if message.date else None,
            channel_title=chat.title or "", audience=channel_audience(context.access, chat))
    context.embed_soon()
    context.outcome(update, f"post {result}")
