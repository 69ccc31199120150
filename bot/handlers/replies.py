"""The answers the bot sent, remembered (``replies`` table through ``kb``) so that an edited
question edits its answer and a 👍/👎 reaction on an answer counts as the buttons do.

Telegram lets a bot edit its messages for 48 hours; an answer older than
:data:`EDIT_WITHIN_HOURS` (an hour's margin for clocks and queues), or one Telegram will not edit
(deleted, too old), is replaced by a fresh answer replying to the edited question.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone

from telegram import Message, ReactionTypeEmoji, Update
from telegram.error import BadRequest

from knowledge import Answer, SentReply

from ..api import delete_message, edit_text, send
from ..context import StaffContext
from ..render import Reply

__all__ = ["EDIT_WITHIN_HOURS", "editable", "on_reaction", "remember", "send_answer",
           "sent_messages"]

EDIT_WITHIN_HOURS = 47      # an answer older than this is not edited: a fresh one is sent
VOTES = {"👍": True, "👎": False}

log = logging.getLogger("bot.handlers")  # the handlers' one logger (see .common)


def editable(sent_at: str, now: datetime) -> bool:
    """Whether an answer sent at ``sent_at`` (ISO 8601, Telegram's clock) may still be edited at
    ``now`` (the edit's date, also Telegram's clock)."""
    try:
        sent = datetime.fromisoformat(sent_at)
    except ValueError:
        return False
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=timezone.utc)
    return now - sent < timedelta(hours=EDIT_WITHIN_HOURS)


async def send_answer(update: Update, context: StaffContext, replies: list[Reply],
                      answer: Answer, question_id: int | None) -> str:
    """Send the answer to the question in ``update`` and remember it; for an edited question,
    edit the answer sent before instead. Returns "sent" or "edited"."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    old = await asyncio.to_thread(context.kb.replies_to, chat.id, message.message_id) \
        if update.edited_message is not None else []
    now = message.edit_date or datetime.now(timezone.utc)
    kept = await _edit_answer(context, chat.id, old, replies) \
        if old and all(editable(r.sent_at, now) for r in old) else []
    sent = await send(context.bot, chat.id, replies[len(kept):], reply_to=message) \
        if len(replies) > len(kept) else []
    await asyncio.to_thread(remember, context, chat.id,
                            [(r.message_id, r.sent_at) for r in kept] + sent_messages(sent),
                            answer, question_id, asked=message, user_id=user.id if user else 0,
                            gone=[r.message_id for r in old if r not in kept])
    return "edited" if kept else "sent"


async def _edit_answer(context: StaffContext, chat_id: int, old: list[SentReply],
                       replies: list[Reply]) -> list[SentReply]:
    """Edit the earlier answer's messages into ``replies`` (parts it no longer needs deleted);
    the messages kept, none when Telegram would not edit them (deleted, too old)."""
    kept = []
    try:
        for prior, reply in zip(old, replies):
            await _edit(context, chat_id, prior.message_id, reply)
            kept.append(prior)
    except BadRequest as err:
        log.info("answer %s not edited (%s): sending a fresh one", old[0].message_id,
                 err.message)
        return []
    for prior in old[len(replies):]:   # the new answer is shorter
        try:
            await delete_message(context.bot, chat_id, prior.message_id)
        except BadRequest as err:
            log.debug("old answer part not deleted: %s", err.message)
    return kept


def _iso(date: int) -> str:
    """A Bot API date (Unix time) as ISO 8601, UTC."""
    return datetime.fromtimestamp(date, timezone.utc).isoformat(timespec="seconds")


async def _edit(context: StaffContext, chat_id: int, message_id: int, reply: Reply) -> None:
    try:
        await edit_text(context.bot, chat_id, message_id, reply)
    except BadRequest as err:
        if "not modified" not in err.message.lower():  # the same answer again: nothing to do
            raise


def remember(context: StaffContext, chat_id: int, messages: list[tuple[int, str]],
             answer: Answer, question_id: int | None, *, asked: Message | None = None,
             user_id: int = 0, gone: Sequence[int] = ()) -> None:
    """Record an answer's messages (id, when sent) — ``asked``: the question's message, whose
    edit edits them — and forget the ``gone`` ones. The question's id and the shown passage's
    ref are kept only on an answer that offers 👍/👎 (a reaction on it counts as they do)."""
    feedback = answer.status == "answer" and bool(answer.hits) and bool(question_id)
    rows = [SentReply(chat_id, message_id, asked.message_id if asked else 0, topic_of(asked),
                      user_id, answer.question, question_id if feedback else 0,
                      answer.hits[0].ref if feedback else "", sent_at)
            for message_id, sent_at in messages]
    if gone:
        context.kb.forget_replies(chat_id, gone)
    context.kb.note_replies(rows)


def sent_messages(sent: list[dict]) -> list[tuple[int, str]]:
    """(message id, when sent) of messages as Telegram returned them."""
    return [(m["message_id"], _iso(m["date"])) for m in sent]


def _vote(reactions: tuple, before: tuple) -> bool | None:
    """👍 True, 👎 False, neither None; both: the one just added."""
    emoji = [r.emoji for r in reactions if isinstance(r, ReactionTypeEmoji) and r.emoji in VOTES]
    if not emoji:
        return None
    old = {r.emoji for r in before if isinstance(r, ReactionTypeEmoji)}
    added = [e for e in emoji if e not in old]
    return VOTES[(added or emoji)[-1]]


async def on_reaction(update: Update, context: StaffContext) -> None:
    """A reaction on a message (private chats; groups where the bot is an administrator): 👍/👎
    on an answer count as its buttons do, one vote per person; removing it withdraws the vote."""
    change = update.message_reaction
    user = change.user
    if user is None:                     # an anonymous admin or a channel: not a person's vote
        context.outcome(update, "reaction ignored")
        return
    sent = await asyncio.to_thread(context.kb.sent_reply, change.chat.id, change.message_id)
    vote, was = _vote(change.new_reaction, change.old_reaction), \
        _vote(change.old_reaction, ())
    if sent is None or not sent.question_id or (vote is None and was is None):
        context.outcome(update, "reaction ignored")
        return
    if not await context.access.may_ask(user.id, change.chat.id):
        context.outcome(update, "refused")
        return
    async with context.writing():
        if vote is None:
            await asyncio.to_thread(context.kb.withdraw_feedback, sent.question_id,
                                    ref=sent.ref, voter=str(user.id))
        else:
            await asyncio.to_thread(context.kb.feedback, sent.question_id, vote, ref=sent.ref,
                                    voter=str(user.id))
    context.outcome(update, "reaction " + ("withdrawn" if vote is None else
                                           "helpful" if vote else "unhelpful"))


def topic_of(message: Message | None) -> int:
    """The forum topic ``message`` is in (0: none)."""
    return message.message_thread_id if message is not None and message.is_topic_message else 0
