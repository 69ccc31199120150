"""The teaching loop in Telegram (issue 11): 🙋 问管理员 sends a question to the admins; an admin
answers it with 就是这段 (a passage) or by replying with text; the asker gets the answer as a reply
to their question, and the question is taught (asked again, it is answered from the teaching).

    asker  🙋 (e:qid) ─► kb.escalate ─► a card to each admin in private (or STAFFBOT_ADMIN_CHAT)
    admin  就是这段 (a:eid:ref) │ 写答案 (w:eid) → a reply with text │ a reply to the card
           ─► kb.answer_escalation ─► the answer to the asker; every copy of the card closed

``kb.escalate`` gives an asker's open escalation of the same question back instead of a new one,
and ``kb.answer_escalation`` answers only once (one transaction): so a double 🙋, an admin
answering twice or two admins answering send nothing twice. Who may answer: the admins
(``STAFFBOT_ADMINS``), and anyone in ``STAFFBOT_ADMIN_CHAT`` on the messages there. /unanswered
shows its entries as the same cards (without an asker: answering one only teaches).

Audiences: a card's closest passages are those its readers may see (an admin in private: every
document; the admin chat: what all its members may, :meth:`bot.access.Access.chat_audiences`);
the answer sent to the asker is searched as the asker's chat would be (their own audiences in
private, the group's in a group): a taught passage they may not read is cited, never quoted.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from telegram import Message, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError

from knowledge import Hit, UnansweredQuestion

from .. import render
from ..api import edit_text, markup_json, send, send_text
from ..context import Card, StaffContext
from ..render import Reply, text_for
from .common import answer_callback, audiences_here, can_escalate, lang, log
from .group import on_group_text
from .private import on_private_text

if TYPE_CHECKING:
    from knowledge import Escalation, Taught

__all__ = ["MAX_ANSWER", "UNANSWERED_CARDS", "may_answer", "on_admin_button", "on_escalate",
           "on_reply", "question_of", "send_unanswered_cards"]

MAX_ANSWER = 1500           # characters of a written answer (it is sent with a header and cited)
UNANSWERED_CARDS = 5        # /unanswered: entries shown as cards with buttons


# -- who, what -----------------------------------------------------------------------------------------
def may_answer(context: StaffContext, user_id: int | None, chat_id: int | None) -> bool:
    """Admins anywhere; anyone in the admin chat, on the messages there."""
    admin_chat = context.settings.admin_chat
    return context.access.is_admin(user_id) or (admin_chat is not None and chat_id == admin_chat)


def display_name(user: User) -> str:
    """``Ann Lee (@ann)``: who asked or answered, as the admins see it."""
    name = " ".join(user.full_name.split()) or str(user.id)
    return f"{name} (@{user.username})" if user.username else name


async def question_of(context: StaffContext, question_id: int) -> str | None:
    """The question behind a button: the remembered answer's, else the question log's (it
    survives restarts); None if neither has it."""
    answer = context.recent.recall(question_id)
    if answer is not None:
        return answer.question
    return await asyncio.to_thread(context.kb.logged_question, question_id) if question_id \
        else None


def _origin(message: Message) -> Message:
    """The asker's question message that ``message`` (the bot's reply) answers, else itself."""
    origin = message.reply_to_message
    if origin is not None and origin.from_user is not None and not origin.from_user.is_bot:
        return origin
    return message


def _clean_answer(text: str) -> str:
    lines = ("".join(ch for ch in line if ch.isprintable() or ch == "\t").strip()
             for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


async def _closest(context: StaffContext, question: str,
                   audiences: frozenset[str] | None) -> tuple[Hit, ...]:
    """The passages closest to ``question`` that readers in ``audiences`` may see, weak ones
    too (for 就是这段)."""
    asked = await context.answerer.ask(question, render.CLOSEST, closest=True, log=False,
                                       audiences=audiences)
    return asked.answer.hits


def _card_audiences(context: StaffContext, chat_id: int) -> frozenset[str] | None:
    """Who reads a card sent to ``chat_id``: an admin in private reads every document; the
    admin chat, what all its members may read."""
    if chat_id in context.access.admins:
        return None
    return context.access.chat_audiences(chat_id)


# -- the asker: 🙋 -------------------------------------------------------------------------------------
async def on_escalate(update: Update, context: StaffContext, question_id: int,
                      message: Message | None, language: str) -> None:
    """🙋 pressed: the question to the admins (once), the asker told."""
    query = update.callback_query
    question = await question_of(context, question_id)
    if question is None or message is None or not can_escalate(context):
        await _toast(update, text_for(language, "expired"), alert=True)
        context.outcome(update, "escalate expired")
        return
    origin, chat = _origin(message), message.chat
    asker = origin.from_user if origin is not message else query.from_user
    async with context.writing():
        escalation, new = await asyncio.to_thread(
            context.kb.escalate, question, asker_id=asker.id, asker_name=display_name(asker),
            chat_id=chat.id, chat_title="" if chat.type == ChatType.PRIVATE else chat.title or "",
            message_id=origin.message_id)
    if not new:
        await _toast(update, text_for(language, "already_escalated"))
        context.outcome(update, "already escalated")
        return
    await _toast(update, text_for(language, "escalated_toast"))
    await _drop_escalate_button(message)
    await send(context.bot, chat.id, render.render_message(language, "escalated"),
               reply_to=origin)
    reached = 0
    for destination in _destinations(context):
        reached += await _send_cards(
            context, escalation,
            await _closest(context, question, _card_audiences(context, destination)),
            [destination])
    context.outcome(update, f"escalated to {reached}")


def _destinations(context: StaffContext) -> list[int]:
    settings = context.settings
    return [settings.admin_chat] if settings.admin_chat is not None else sorted(settings.admins)


async def _send_cards(context: StaffContext, escalation: Escalation, closest: Sequence[Hit],
                      chats: Sequence[int], language: str = "zh",
                      logged: UnansweredQuestion | None = None) -> int:
    """The card to each of ``chats``, each noted (a reply to it answers); an admin who cannot
    be reached (blocked the bot) is logged and skipped. How many got it. ``logged``: the
    /unanswered entry the card is for (how often and how it failed)."""
    card = render.render_escalation_card(escalation, closest, language,
                                         times=logged.count if logged else 0,
                                         kind=logged.kind if logged else "not_found")
    reached = 0
    for chat_id in chats:
        try:
            sent = await send_text(context.bot, chat_id, card.text, parse_mode=card.parse_mode,
                                   reply_markup=markup_json(card.buttons), disable_preview=True)
        except TelegramError as err:
            log.warning("escalation %s not sent to %s: %s", escalation.id, chat_id, err)
            continue
        await _note(context, escalation.id, chat_id, sent["message_id"])
        context.cards.add(escalation.id, Card(chat_id, sent["message_id"], card))
        reached += 1
    return reached


async def _note(context: StaffContext, escalation_id: int, chat_id: int, message_id: int) -> None:
    async with context.writing():
        await asyncio.to_thread(context.kb.note_escalation_message, escalation_id, chat_id,
                                message_id)


async def _drop_escalate_button(message: Message) -> None:
    """The 🙋 button off the asker's message (the other buttons stay)."""
    markup = message.reply_markup
    if markup is None:
        return
    rows = [[b for b in row if not (b.callback_data or "").startswith("e:")]
            for row in markup.inline_keyboard]
    if rows == [list(row) for row in markup.inline_keyboard]:
        return  # no 🙋 on it: an edit would be refused as "not modified"
    rows = [row for row in rows if row]
    try:
        await message.edit_reply_markup(type(markup)(rows) if rows else None)
    except TelegramError as err:
        log.debug("🙋 button not removed: %s", err)


# -- the admins: 就是这段, 写答案, a reply -------------------------------------------------------------
ALERTS = ("already answered", "escalation gone", "ref gone")   # outcomes shown as an alert


async def on_admin_button(update: Update, context: StaffContext, parsed: tuple,
                          message: Message | None, language: str) -> None:
    """就是这段 (``a``) or 写答案 (``w``) pressed by someone who may answer."""
    query = update.callback_query
    if parsed[0] == "a":
        status, key, values = await _answer(context, parsed[1], ref=parsed[2], text=None,
                                            by=display_name(query.from_user), pressed=message)
        await _toast(update, _plain(language, key, values), alert=status in ALERTS)
        context.outcome(update, status)
        return
    escalation = await asyncio.to_thread(context.kb.escalation, parsed[1])
    if escalation is None or escalation.status != "open":
        key = "escalation_gone" if escalation is None else "answered_by"
        name = (escalation.answered_by if escalation is not None else "") or "?"
        await _toast(update, _plain(language, key, {"name": name}), alert=True)
        context.outcome(update, "write: " + key)
        return
    await _toast(update)
    if message is None:
        return
    prompt = render.render_write_prompt(escalation.question, language)
    sent = await send_text(context.bot, message.chat.id, prompt.text, parse_mode=prompt.parse_mode,
                           reply_markup={"force_reply": True, "input_field_placeholder":
                                         text_for(language, "write_placeholder")},
                           reply_to=message.message_id)
    await _note(context, escalation.id, message.chat.id, sent["message_id"])
    context.outcome(update, "write prompt")


async def on_reply(update: Update, context: StaffContext) -> None:
    """Text replying to one of the bot's messages: the answer to an escalation when that message
    carries one (from someone who may answer); anything else is handled as without this."""
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    replied = message.reply_to_message
    escalation = None
    if replied is not None and replied.from_user is not None \
            and replied.from_user.id == context.bot.id \
            and may_answer(context, user.id if user else None, chat.id):
        escalation = await asyncio.to_thread(context.kb.escalation_for_message, chat.id,
                                             replied.message_id)
    if escalation is None:
        await (on_private_text if chat.type == ChatType.PRIVATE else on_group_text)(update,
                                                                                    context)
        return
    if update.edited_message is not None:  # the answer went with the first version
        context.outcome(update, "edited answer ignored")
        return
    language, text = lang(update), _clean_answer(message.text or "")
    if not text or len(text) > MAX_ANSWER:
        key, values, status = "answer_too_long", {"n": len(text), "limit": MAX_ANSWER}, \
            "answer too long"
        if not text:
            key, values, status = "write_prompt", {"question": escalation.question}, "empty answer"
    else:
        status, key, values = await _answer(context, escalation.id, ref=None, text=text,
                                            by=display_name(user), pressed=replied)
    await send(context.bot, chat.id, render.render_message(language, key, **values),
               reply_to=message)
    context.outcome(update, status)


def _plain(language: str, key: str, values: dict) -> str:
    """A message as plain text (a callback query's toast: no HTML, at most 200 characters)."""
    return render.truncate(text_for(language, key, **values), 200)


async def _answer(context: StaffContext, escalation_id: int, *, ref: str | None,
                  text: str | None, by: str, pressed: Message | None
                  ) -> tuple[str, str, dict[str, object]]:
    """Answer (and so teach) an escalation, tell the asker, close the cards. Only the first
    answer does anything. The outcome, and what to tell the admin (a text key and its plain
    values)."""
    try:
        async with context.writing():
            done = await asyncio.to_thread(context.kb.answer_escalation, escalation_id, ref=ref,
                                           answer=text, by=by)
    except ValueError:  # the paragraph is gone (its document was removed or changed)
        return "ref gone", "ref_gone", {}
    if done is None:
        escalation = await asyncio.to_thread(context.kb.escalation, escalation_id)
        if escalation is None:
            return "escalation gone", "escalation_gone", {}
        return "already answered", "answered_by", {"name": escalation.answered_by or "?"}
    escalation, taught = done
    await _close_cards(context, escalation_id, by, pressed)
    question = render.truncate(escalation.question, 100)
    if not escalation.chat_id:  # an /unanswered entry: nobody waits for it
        return "taught", "taught_only", {"question": question}
    failed = await _deliver(context, escalation, taught)
    if failed:
        return "asker unreachable", "asker_unreachable", {"reason": render.truncate(failed, 100)}
    if ref is not None:
        return "answered", "answered", {}
    return "answered", "answered_text", {"question": question}


async def _deliver(context: StaffContext, escalation: Escalation, taught: Taught) -> str | None:
    """The answer to the asker, replying to their question; why not, if it could not be sent."""
    hit = await _taught_hit(context, escalation, taught) if taught.ref \
        else render.written_answer_hit(taught)
    replies = render.render_escalation_answer(escalation.question, hit)
    try:
        for n, reply in enumerate(replies):
            await send_text(context.bot, escalation.chat_id, reply.text,
                            parse_mode=reply.parse_mode, reply_markup=markup_json(reply.buttons),
                            disable_preview=True,
                            reply_to=escalation.message_id if n == 0 else None)
    except TelegramError as err:
        log.warning("escalation %s answered, but the asker was not told: %s", escalation.id, err)
        return str(err)
    return None


async def _taught_hit(context: StaffContext, escalation: Escalation, taught: Taught) -> Hit:
    """The taught paragraph as a hit for the question (its excerpt made for it), from a search
    now that it is taught, as the asker's chat may read; its citation alone if the search does
    not find it (or the asker may not read it)."""
    question = escalation.question
    if escalation.chat_id == escalation.asker_id:     # asked in private
        audiences = await context.access.audiences_of(escalation.asker_id)
    else:
        audiences = context.access.chat_audiences(escalation.chat_id)
    asked = await context.answerer.ask(question, render.CLOSEST * 2, closest=True, log=False,
                                       audiences=audiences)
    for hit in asked.answer.hits:
        if hit.ref == taught.ref:
            return hit
    citation = taught.citation or render.written_answer_hit(taught).citation
    return Hit(0, 0, citation, "…", (), 0.0, kind="taught", question=taught.question,
               ref=taught.ref)


async def _close_cards(context: StaffContext, escalation_id: int, by: str,
                       pressed: Message | None) -> None:
    """Every admin copy of the card: who answered, no buttons. The pressed (or replied-to)
    message too when it is a card this process did not send (before a restart)."""
    closed = set()
    for card in context.cards.take(escalation_id):
        closed.add((card.chat_id, card.message_id))
        await _edit(context, card.chat_id, card.message_id,
                    render.render_card_answered(card.reply, by))
    if pressed is not None and pressed.reply_markup is not None and pressed.text \
            and (pressed.chat.id, pressed.message_id) not in closed:
        await _edit(context, pressed.chat.id, pressed.message_id,
                    render.render_card_answered(Reply(pressed.text_html), by))


async def _edit(context: StaffContext, chat_id: int, message_id: int, reply: Reply) -> None:
    try:
        await edit_text(context.bot, chat_id, message_id, reply)
    except TelegramError as err:  # deleted by the admin, too old: the answer stands
        log.debug("card %s/%s not closed: %s", chat_id, message_id, err)


async def _toast(update: Update, text: str | None = None, *, alert: bool = False) -> None:
    await answer_callback(update, update.callback_query, text, show_alert=alert)


# -- /unanswered -----------------------------------------------------------------------------------------
async def send_unanswered_cards(update: Update, context: StaffContext,
                                items: Sequence[UnansweredQuestion]) -> int:
    """The open escalations, then the most frequent unanswered questions, as cards with buttons
    (:data:`UNANSWERED_CARDS` at most) in the admin's chat; how many."""
    chat_id, language = update.effective_chat.id, lang(update)
    open_ = [e for e in await asyncio.to_thread(context.kb.open_escalations) if e.asker_id]
    waiting = {_key(e.question) for e in open_}
    cards: list[tuple[Escalation, UnansweredQuestion | None]] = [
        (e, None) for e in open_[:UNANSWERED_CARDS]]
    for item in items:
        if len(cards) >= UNANSWERED_CARDS:
            break
        if _key(item.question) in waiting:
            continue
        async with context.writing():
            escalation, _ = await asyncio.to_thread(
                context.kb.escalate, item.question, asker_id=0, asker_name="", chat_id=0,
                chat_title="", message_id=0)
        cards.append((escalation, item))
    audiences = await audiences_here(context, update.effective_user.id, update.effective_chat)
    for escalation, item in cards:
        await _send_cards(context, escalation,
                          await _closest(context, escalation.question, audiences),
                          [chat_id], language, logged=item)
    return len(cards)


def _key(question: str) -> str:
    return " ".join(question.split()).casefold()
