"""A fake Telegram Bot API server for end-to-end tests of staffbot.

The real bot (python-telegram-bot) talks to this server over HTTP exactly as it
talks to api.telegram.org, so mistakes the bot makes (bad HTML, 65-byte callback
data, replying to a message that does not exist, answering an inline query too
late, ...) come back as the same ``400 Bad Request`` Telegram would send.

Quick start::

    async with running_fake() as fake:
        # start the bot with TELEGRAM_BASE_URL=fake.base_url,
        # TELEGRAM_BASE_FILE_URL=fake.base_file_url, TELEGRAM_TOKEN=fake.token
        ann = user(111, "Ann")
        fake.private_message(ann, "/start")
        reply = await fake.wait_for_message(lambda m: m["chat_id"] == 111)
        assert "welcome" in reply["text"]
        fake.assert_no_errors()

API summary (all on :class:`FakeTelegram`):

* lifecycle: ``await start()``, ``await stop()``, ``.base_url``, ``.base_file_url``,
  ``.token``, ``.bot_user``; context manager :func:`running_fake`.
* builders (each returns the update dict and queues it for ``getUpdates``):
  ``private_message``, ``group_message``, ``edited_message``, ``channel_post``,
  ``edited_channel_post``, ``callback_query``, ``inline_query``,
  ``chosen_inline_result``, ``document_message``, ``create_topic`` (forum topics:
  ``group(..., is_forum=True)``, ``group_message(..., thread_id=)``), ``start_link``
  (``/start <payload>``), ``reaction`` (``message_reaction``); plus ``push_update(dict)``;
  ``advance_clock`` (past the 48 h a bot may edit its message), ``delete_by_user``.
  Factories :func:`user`, :func:`group`, :func:`channel` (also as static methods).
* world configuration: ``add_chat``, ``set_member(chat, user_id, status)``,
  ``block(user_id)``, ``add_file``.
* recording: ``.calls`` (list of ``(method, params)`` tuples with ``.seq``,
  ``.status``, ``.response``), ``.errors`` (every 4xx/5xx returned),
  ``unexpected_errors()``, ``assert_no_errors()``, ``sent_messages(chat_id)``,
  ``message(chat_id, message_id)``, ``commands``, ``callback_answers``,
  ``inline_answers``, ``pending_updates``.
* waiting: ``mark()``, ``await wait_for_message(pred, timeout, after=, chat_id=)``,
  ``await wait_for_call(method, pred, timeout, after=)``,
  ``await wait_for_update_delivered(update, timeout)``.
* faults: ``fail_next(method, times=1, kind="429"|"500"|"502"|"drop"|"drop_after"
  |"delay"|"403"|"400", retry_after=1, description=None, delay=None, when=None)``,
  ``clear_faults()``.

Fidelity notes (where this fake knowingly differs from Telegram):

* HTML parsing follows tdlib's ``parse_html`` (same error texts and byte
  offsets).  Telegram passes a bare ``&`` that does not start a known entity
  through literally; by default the fake is *stricter* and rejects it
  (``strict_html_ampersand=True``) because it almost always means the bot forgot
  ``html.escape``.  Pass ``strict_html_ampersand=False`` for Telegram's behaviour.
* MarkdownV2 and legacy Markdown are implemented after tdlib's parsers, except
  that MarkdownV2 block quotes (``>`` at line start) are approximated.
* Message length is counted in Unicode code points after entity parsing and
  trimming, as tdlib does (``utf8_length(text) > 4096`` -> "message is too long").
  Entity offsets/lengths are UTF-16 code units.
* Outgoing messages get only the entities produced by parse_mode/entities; URLs,
  mentions and hashtags are not auto-detected.
* A button with more than one action field is rejected (Telegram silently uses
  the first one).  Empty button text is rejected with BUTTON_TEXT_INVALID.
* Concurrent ``getUpdates``: by default the *new* request gets 409
  (``conflict_policy="reject_new"``); real Telegram terminates the *older*
  request with the same 409 (``conflict_policy="terminate_old"``).
* Webhooks are accepted and block ``getUpdates`` like Telegram, but updates are
  never pushed to the webhook URL.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import copy
import itertools
import json
import mimetypes
import random
import re
import signal
import time
from collections.abc import Callable, Iterable
from typing import Any

from aiohttp import web

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "Call",
    "EntityParseError",
    "FakeTelegram",
    "FakeTimeout",
    "channel",
    "check_link",
    "compute_entities",
    "entity_text",
    "entity_texts",
    "group",
    "iter_buttons",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "running_fake",
    "user",
    "utf16_len",
]

DEFAULT_TOKEN = "123456789:AAFakeStaffbotTestToken_0123456789abcdef"

QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
EDIT_WINDOW = 48 * 3600   # seconds after sending during which a bot may edit its message
CONFLICT_GETUPDATES = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
    "the webhook first"
)


# ---------------------------------------------------------------------------
# small helpers
# ---------------------------------------------------------------------------


def utf16_len(s: str) -> int:
    """Length of *s* in UTF-16 code units (Telegram's unit for entity offsets)."""
    return len(s.encode("utf-16-le")) // 2


def _u16_to_index(s: str, u16: int) -> int:
    """Python string index corresponding to a UTF-16 offset."""
    count = 0
    for idx, ch in enumerate(s):
        if count >= u16:
            return idx
        count += 2 if ord(ch) > 0xFFFF else 1
    return len(s)


def entity_text(text: str, entity: dict) -> str:
    """The substring of *text* covered by *entity* (offsets in UTF-16 units)."""
    start = _u16_to_index(text, entity["offset"])
    end = _u16_to_index(text, entity["offset"] + entity["length"])
    return text[start:end]


def entity_texts(message: dict, type: str | None = None) -> list[str]:  # noqa: A002
    """Substrings of a sent-message record (or Telegram Message dict) covered by
    entities of the given type ("bold", "italic", "text_link", ...; None = all)."""
    text = message.get("text")
    if text is None:
        text = message.get("caption") or ""
    ents = message.get("entities")
    if ents is None:
        ents = message.get("caption_entities") or []
    return [entity_text(text, e) for e in ents if type is None or e["type"] == type]


def user(id: int, name: str, lang: str | None = "zh-hans", *, username: str | None = None,  # noqa: A002
         last_name: str | None = None, is_bot: bool = False) -> dict:
    """A Telegram User dict."""
    u: dict[str, Any] = {"id": int(id), "is_bot": is_bot, "first_name": name}
    if last_name:
        u["last_name"] = last_name
    if username:
        u["username"] = username
    if lang:
        u["language_code"] = lang
    return u


def group(id: int, title: str, type: str = "supergroup", *, username: str | None = None,  # noqa: A002
          is_forum: bool = False) -> dict:
    """A group/supergroup Chat dict (``is_forum``: a supergroup with topics)."""
    if type not in ("group", "supergroup"):
        raise ValueError("group type must be 'group' or 'supergroup'")
    if is_forum and type != "supergroup":
        raise ValueError("only a supergroup can be a forum")
    c: dict[str, Any] = {"id": int(id), "title": title, "type": type}
    if username:
        c["username"] = username
    if is_forum:
        c["is_forum"] = True
    return c


def channel(id: int, title: str, username: str | None = None) -> dict:  # noqa: A002
    """A channel Chat dict."""
    c: dict[str, Any] = {"id": int(id), "title": title, "type": "channel"}
    if username:
        c["username"] = username
    return c


def _private_chat(u: dict) -> dict:
    c = {"id": u["id"], "type": "private", "first_name": u.get("first_name", "")}
    if u.get("last_name"):
        c["last_name"] = u["last_name"]
    if u.get("username"):
        c["username"] = u["username"]
    return c


class ApiError(Exception):
    """Raised inside method handlers; becomes a Telegram error response."""

    def __init__(self, code: int, description: str, parameters: dict | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> ApiError:
    if not description.startswith("Bad Request: "):
        description = "Bad Request: " + description
    return ApiError(400, description)


class FakeTimeout(AssertionError):
    """A wait_for_* helper timed out."""


# ---------------------------------------------------------------------------
# Telegram's text formatting parsers (ports of tdlib's MessageEntity.cpp)
# ---------------------------------------------------------------------------


class EntityParseError(Exception):
    """Text could not be parsed; str(exc) is Telegram's message after
    "can't parse entities: "."""


_SURROGATE_ERROR = (
    "Text contains invalid Unicode characters after decoding HTML entities, check for "
    "unmatched surrogate code units"
)
_HTML_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
    "tg-emoji", "span", "pre", "code", "blockquote",
})


def _is_space(c: int) -> bool:
    # tdlib's is_space: ' ', '\t', '\r', '\n', '\0', '\v'
    return c in (0x20, 0x09, 0x0D, 0x0A, 0x00, 0x0B)


def _is_alnum(c: int) -> bool:
    return 0x30 <= c <= 0x39 or 0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A


def _u16_step(c: int) -> int:
    """UTF-16 units contributed by a UTF-8 byte (0 for continuation bytes)."""
    if (c & 0xC0) == 0x80:
        return 0
    return 2 if c >= 0xF0 else 1


def _decode_html_entity(b: bytes, pos: int) -> tuple[int, int]:
    """tdlib's decode_html_entity: returns (code point or 0, position after it)."""
    n = len(b)

    def at(i: int) -> int:
        return b[i] if i < n else 0

    end = pos + 1
    res = 0
    if at(pos + 1) == 0x23:  # '#'
        end += 1
        if at(pos + 2) == 0x78:  # 'x'
            end += 1
            while chr(at(end)) in "0123456789abcdefABCDEF" and at(end):
                res = res * 16 + int(chr(at(end)), 16)
                end += 1
                if res > 0x10FFFF * 16:
                    res = 0x10FFFF * 16
        else:
            while 0x30 <= at(end) <= 0x39:
                res = res * 10 + at(end) - 0x30
                end += 1
                if res > 0x10FFFF * 10:
                    res = 0x10FFFF * 10
        if res == 0 or res >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while 0x41 <= at(end) <= 0x5A or 0x61 <= at(end) <= 0x7A:
            end += 1
        name = b[pos + 1:end]
        res = {b"lt": 0x3C, b"gt": 0x3E, b"amp": 0x26, b"quot": 0x22}.get(name, 0)
        if res == 0:
            return 0, pos
    if at(end) == 0x3B:  # ';'
        end += 1
    return res, end


def _check_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    if not host:
        return False
    if host == "localhost" or re.fullmatch(r"\d{1,3}(\.\d{1,3}){3}", host):
        return True
    labels = host.split(".")
    if len(labels) < 2 or not all(labels):
        return False
    if not all(re.fullmatch(r"[a-z0-9_\-\u0080-\U0010ffff]+", lab) for lab in labels):
        return False
    tld = labels[-1]
    return bool(re.fullmatch(r"[a-z\u0080-\U0010ffff]{2,}|xn--[a-z0-9-]+", tld))


def check_link(url: str) -> tuple[str | None, str | None]:
    """Approximation of tdlib's LinkManager::check_link.

    Returns (normalized_url, None) or (None, error_message)."""
    u = url
    if not u:
        return None, "URL must be non-empty"
    if re.search(r"[\s\x00-\x1f]", u):
        return None, "Wrong HTTP URL"
    m = re.match(r"^([A-Za-z][A-Za-z0-9+\-]*)://(.*)$", u, re.S)
    if m:
        scheme, rest = m.group(1).lower(), m.group(2)
        if scheme in ("http", "https"):
            authority = re.split(r"[/?#]", rest, maxsplit=1)[0].rsplit("@", 1)[-1]
            host = authority[1:authority.find("]")] if authority.startswith("[") else authority.split(":")[0]
            if not host:
                return None, "URL host is empty"
            if not (authority.startswith("[") or _check_host(host)):
                return None, "Wrong HTTP URL"
            return u, None
        if scheme in ("tg", "ton"):
            if not rest:
                return None, "Wrong tg URL"
            return u, None
        return None, "Unsupported URL protocol"
    m = re.match(r"^([A-Za-z][A-Za-z0-9+\-]*):", u)
    if m and "." not in m.group(1):
        return None, "Unsupported URL protocol"
    host = re.split(r"[/?#:]", u, maxsplit=1)[0].rsplit("@", 1)[-1]
    if _check_host(host):
        return "http://" + u, None
    return None, "Wrong HTTP URL"


def _link_user_id(url: str) -> int | None:
    m = re.fullmatch(r"tg://user\?id=(\d+)", url.strip(), re.I)
    return int(m.group(1)) if m else None


def _entity(type_: str, offset: int, length: int, **extra: Any) -> dict:
    e = {"type": type_, "offset": offset, "length": length}
    e.update({k: v for k, v in extra.items() if v is not None})
    return e


def _link_entity(offset: int, length: int, url: str) -> dict | None:
    uid = _link_user_id(url)
    if uid:
        return _entity("text_mention", offset, length,
                       user={"id": uid, "is_bot": False, "first_name": str(uid)})
    norm, err = check_link(url)
    if err:
        return None
    return _entity("text_link", offset, length, url=norm)


def _sort_entities(ents: list[dict]) -> list[dict]:
    return sorted(ents, key=lambda e: (e["offset"], -e["length"]))


def parse_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict]]:
    """Parse Telegram's HTML subset exactly like tdlib's parse_html.

    Returns (plain_text, entities) or raises EntityParseError with Telegram's
    description (without the "can't parse entities: " prefix)."""
    b = text.encode("utf-8")
    n = len(b)

    def at(i: int) -> int:
        return b[i] if i < n else 0

    out = bytearray()
    entities: list[dict] = []
    u16 = 0
    # (tag, argument, utf16 offset, position in out)
    nested: list[list[Any]] = []
    i = 0
    while i < n:
        c = b[i]
        if c == 0x26:  # '&'
            ch, end = _decode_html_entity(b, i)
            if ch:
                if 0xD800 <= ch <= 0xDFFF:
                    raise EntityParseError(_SURROGATE_ERROR)
                out += chr(ch).encode("utf-8")
                u16 += 2 if ch > 0xFFFF else 1
                i = end
                continue
            if strict_ampersand:
                raise EntityParseError(
                    f'Unescaped "&" at byte offset {i} (the fake server is stricter than Telegram '
                    f'here: escape it as "&amp;")'
                )
        if c != 0x3C:  # not '<'
            out.append(c)
            u16 += _u16_step(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != 0x2F:  # start tag
            while not _is_space(at(i)) and at(i) != 0x3E:
                i += 1
            if at(i) == 0:
                raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
            tag = b[begin + 1:i].decode("utf-8", "replace").lower()
            if tag not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{tag}" at byte offset {begin}')
            argument = ""
            expandable = False
            while at(i) != 0x3E:
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) == 0x3E:
                    break
                attr_begin = i
                while not _is_space(at(i)) and at(i) not in (0x3D, 0x3E):
                    i += 1
                attr_name = b[attr_begin:i].decode("utf-8", "replace")
                if not attr_name:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {begin}')
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) != 0x3D:
                    if tag == "blockquote" and attr_name == "expandable":
                        expandable = True
                        continue
                    raise EntityParseError(
                        f'Expected equal sign in declaration of an attribute of the tag "{tag}" '
                        f"at byte offset {begin}")
                i += 1
                while at(i) != 0 and _is_space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise EntityParseError(f'Unclosed start tag "{tag}" at byte offset {begin}')
                if at(i) not in (0x22, 0x27):
                    token_begin = i
                    while _is_alnum(at(i)) or at(i) in (0x2E, 0x2D):
                        i += 1
                    value = b[token_begin:i].decode("ascii").lower()
                    if not _is_space(at(i)) and at(i) != 0x3E:
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {token_begin}")
                else:
                    quote = at(i)
                    i += 1
                    vb = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == 0x26:
                            ch, end = _decode_html_entity(b, i)
                            if ch:
                                vb += chr(ch).encode("utf-8", "surrogatepass")
                                i = end
                                continue
                        vb.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = vb.decode("utf-8", "replace")
                if at(i) == 0:
                    raise EntityParseError(f"Unclosed start tag at byte offset {begin}")
                if tag == "a" and attr_name == "href":
                    argument = value
                elif tag == "code" and attr_name == "class" and value.startswith("language-"):
                    argument = value[len("language-"):]
                elif tag == "span" and attr_name == "class" and value.startswith("tg-"):
                    argument = value[3:]
                elif tag == "tg-emoji" and attr_name == "emoji-id":
                    argument = value
                elif tag == "blockquote" and attr_name == "expandable":
                    expandable = True
            if tag == "span" and argument != "spoiler":
                raise EntityParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {begin}')
            if tag == "blockquote" and expandable:
                argument = "expandable"
            nested.append([tag, argument, u16, len(out)])
            i += 1  # skip '>'
        else:  # end tag
            if not nested:
                raise EntityParseError(f"Unexpected end tag at byte offset {begin}")
            while not _is_space(at(i)) and at(i) != 0x3E:
                i += 1
            end_tag = b[begin + 2:i].decode("utf-8", "replace")
            while _is_space(at(i)) and at(i) != 0:
                i += 1
            if at(i) != 0x3E:
                raise EntityParseError(f"Unclosed end tag at byte offset {begin}")
            tag, argument, offset, out_pos = nested[-1]
            if end_tag and end_tag != tag:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {begin}, expected "</{tag}>", '
                    f'found "</{end_tag}>"')
            i += 1  # skip '>'
            if u16 > offset:
                length = u16 - offset
                if tag in ("i", "em"):
                    entities.append(_entity("italic", offset, length))
                elif tag in ("b", "strong"):
                    entities.append(_entity("bold", offset, length))
                elif tag in ("s", "strike", "del"):
                    entities.append(_entity("strikethrough", offset, length))
                elif tag in ("u", "ins"):
                    entities.append(_entity("underline", offset, length))
                elif tag == "tg-spoiler" or (tag == "span" and argument == "spoiler"):
                    entities.append(_entity("spoiler", offset, length))
                elif tag == "a":
                    url = argument or out[out_pos:].decode("utf-8", "replace")
                    ent = _link_entity(offset, length, url)
                    if ent:
                        entities.append(ent)
                elif tag == "pre":
                    last = entities[-1] if entities else None
                    if (last and last["type"] == "code" and last["offset"] == offset
                            and last["length"] == length and last.get("_language")):
                        last["type"] = "pre"
                        last["language"] = last.pop("_language")
                    else:
                        entities.append(_entity("pre", offset, length))
                elif tag == "code":
                    last = entities[-1] if entities else None
                    if (last and last["type"] == "pre" and last["offset"] == offset
                            and last["length"] == length and "language" not in last and argument):
                        last["language"] = argument
                    else:
                        entities.append(_entity("code", offset, length, _language=argument or None))
                elif tag == "tg-emoji":
                    if not re.fullmatch(r"-?\d+", argument or "") or int(argument) == 0:
                        raise EntityParseError("Invalid custom emoji identifier specified")
                    entities.append(_entity("custom_emoji", offset, length, custom_emoji_id=argument))
                elif tag == "blockquote":
                    entities.append(_entity(
                        "expandable_blockquote" if argument == "expandable" else "blockquote",
                        offset, length))
            nested.pop()
    if nested:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{nested[-1][0]}"')
    for e in entities:
        e.pop("_language", None)
    try:
        plain = out.decode("utf-8")
    except UnicodeDecodeError as exc:  # pragma: no cover - input was valid UTF-8
        raise EntityParseError(_SURROGATE_ERROR) from exc
    return plain, _sort_entities(entities)


def parse_markdown_v2(text: str) -> tuple[str, list[dict]]:
    """Port of tdlib's parse_markdown_v2 (block quotes approximated)."""
    b = text.encode("utf-8")
    n = len(b)

    def at(i: int) -> int:
        return b[i] if i < n else 0

    out = bytearray()
    entities: list[dict] = []
    u16 = 0
    nested: list[dict] = []
    quote_start: int | None = None
    i = 0
    while i < n:
        c = b[i]
        if c == 0x5C and 0 < at(i + 1) <= 126:  # backslash escape
            i += 1
            u16 += 1
            out.append(b[i])
            i += 1
            continue
        in_code = bool(nested) and nested[-1]["type"] in ("Code", "Pre", "PreCode")
        at_line_start = i == 0 or b[i - 1] == 0x0A
        if c == 0x3E and at_line_start and not in_code:  # '>' block quote marker
            if quote_start is None:
                quote_start = u16
            i += 1
            continue
        if c == 0x0A and quote_start is not None and at(i + 1) != 0x3E:
            if u16 > quote_start:
                entities.append(_entity("blockquote", quote_start, u16 - quote_start))
            quote_start = None
        reserved = b"`" if in_code else b"_*[]()~`>#+-=|{}.!"
        if c not in reserved:
            out.append(c)
            u16 += _u16_step(c)
            i += 1
            continue

        is_end = False
        if nested:
            t = nested[-1]["type"]
            is_end = {
                "Bold": c == 0x2A,
                "Italic": c == 0x5F and at(i + 1) != 0x5F,
                "Code": c == 0x60,
                "Pre": c == 0x60 and at(i + 1) == 0x60 and at(i + 2) == 0x60,
                "PreCode": c == 0x60 and at(i + 1) == 0x60 and at(i + 2) == 0x60,
                "TextUrl": c == 0x5D,
                "Underline": c == 0x5F and at(i + 1) == 0x5F,
                "Strikethrough": c == 0x7E,
                "Spoiler": c == 0x7C and at(i + 1) == 0x7C,
                "CustomEmoji": c == 0x5D,
            }[t]

        if not is_end:
            byte_offset = i
            argument = ""
            if c == 0x5F:
                if at(i + 1) == 0x5F:
                    t = "Underline"
                    i += 1
                else:
                    t = "Italic"
            elif c == 0x2A:
                t = "Bold"
            elif c == 0x7E:
                t = "Strikethrough"
            elif c == 0x7C and at(i + 1) == 0x7C:
                t = "Spoiler"
                i += 1
            elif c == 0x5B:
                t = "TextUrl"
            elif c == 0x60:
                if at(i + 1) == 0x60 and at(i + 2) == 0x60:
                    i += 3
                    t = "Pre"
                    lang_end = i
                    while not _is_space(at(lang_end)) and at(lang_end) != 0x60:
                        lang_end += 1
                    if i != lang_end and lang_end < n and at(lang_end) != 0x60:
                        t = "PreCode"
                        argument = b[i:lang_end].decode("utf-8", "replace")
                        i = lang_end
                    if at(i) in (0x0A, 0x0D):
                        if at(i + 1) in (0x0A, 0x0D) and at(i) != at(i + 1):
                            i += 2
                        else:
                            i += 1
                    i -= 1
                else:
                    t = "Code"
            elif c == 0x21 and at(i + 1) == 0x5B:
                i += 1
                t = "CustomEmoji"
            else:
                raise EntityParseError(
                    f"Character '{chr(c)}' is reserved and must be escaped with the preceding '\\'")
            nested.append({"type": t, "argument": argument, "offset": u16,
                           "byte_offset": byte_offset, "out_pos": len(out)})
            i += 1
            continue

        top = nested[-1]
        t = top["type"]
        offset = top["offset"]
        skip = u16 == offset
        extra: dict[str, Any] = {}
        if t in ("Underline", "Spoiler"):
            i += 1
        elif t in ("Pre", "PreCode"):
            i += 2
        elif t in ("TextUrl", "CustomEmoji"):
            if at(i + 1) != 0x28:
                url = out[top["out_pos"]:].decode("utf-8", "replace")
            else:
                i += 2
                url_begin = i
                ub = bytearray()
                while i < n and b[i] != 0x29:
                    if b[i] == 0x5C and 0 < at(i + 1) <= 126:
                        ub.append(b[i + 1])
                        i += 2
                        continue
                    ub.append(b[i])
                    i += 1
                if at(i) != 0x29:
                    raise EntityParseError(f"Can't find end of a URL at byte offset {url_begin}")
                url = ub.decode("utf-8", "replace")
            if t == "CustomEmoji":
                m = re.fullmatch(r"tg://emoji\?id=(\d+)", url)
                if not m:
                    raise EntityParseError("Custom emoji URL must have an emoji identifier")
                extra["custom_emoji_id"] = m.group(1)
            else:
                ent = _link_entity(offset, max(u16 - offset, 0), url)
                if ent is None:
                    skip = True
                else:
                    extra = {k: v for k, v in ent.items() if k not in ("type", "offset", "length")}
                    if ent["type"] == "text_mention":
                        t = "MentionName"
        if not skip:
            length = u16 - offset
            api_type = {
                "Bold": "bold", "Italic": "italic", "Underline": "underline",
                "Strikethrough": "strikethrough", "Spoiler": "spoiler", "Code": "code",
                "Pre": "pre", "PreCode": "pre", "TextUrl": "text_link",
                "MentionName": "text_mention", "CustomEmoji": "custom_emoji",
            }[t]
            if t == "PreCode":
                extra["language"] = top["argument"]
            entities.append(_entity(api_type, offset, length, **extra))
        nested.pop()
        i += 1
    if nested:
        top = nested[-1]
        raise EntityParseError(
            f"Can't find end of {top['type']} entity at byte offset {top['byte_offset']}")
    if quote_start is not None and u16 > quote_start:
        entities.append(_entity("blockquote", quote_start, u16 - quote_start))
    return out.decode("utf-8"), _sort_entities(entities)


def parse_markdown(text: str) -> tuple[str, list[dict]]:
    """Port of tdlib's legacy parse_markdown (parse_mode="Markdown")."""
    b = text.encode("utf-8")
    n = len(b)

    def at(i: int) -> int:
        return b[i] if i < n else 0

    out = bytearray()
    entities: list[dict] = []
    u16 = 0
    i = 0
    while i < n:
        c = b[i]
        if c == 0x5C and at(i + 1) in (0x5F, 0x2A, 0x60, 0x5B):
            i += 1
            out.append(b[i])
            u16 += 1
            i += 1
            continue
        if c not in (0x5F, 0x2A, 0x60, 0x5B):
            out.append(c)
            u16 += _u16_step(c)
            i += 1
            continue
        begin = i
        end_char = 0x5D if c == 0x5B else c
        is_pre = False
        language = ""
        i += 1
        if c == 0x60 and at(i) == 0x60 and at(i + 1) == 0x60:
            i += 2
            is_pre = True
            lang_end = i
            while not _is_space(at(lang_end)) and at(lang_end) != 0x60:
                lang_end += 1
            if i != lang_end and lang_end < n and at(lang_end) != 0x60:
                language = b[i:lang_end].decode("utf-8", "replace")
                i = lang_end
            if at(i) in (0x0A, 0x0D):
                if at(i + 1) in (0x0A, 0x0D) and at(i) != at(i + 1):
                    i += 2
                else:
                    i += 1
        offset = u16
        out_pos = len(out)
        while i < n and (b[i] != end_char or (is_pre and not (at(i + 1) == 0x60 and at(i + 2) == 0x60))):
            out.append(b[i])
            u16 += _u16_step(b[i])
            i += 1
        if i == n:
            raise EntityParseError(f"Can't find end of the entity starting at byte offset {begin}")
        if u16 != offset:
            length = u16 - offset
            if c == 0x5F:
                entities.append(_entity("italic", offset, length))
            elif c == 0x2A:
                entities.append(_entity("bold", offset, length))
            elif c == 0x5B:
                if at(i + 1) != 0x28:
                    url = out[out_pos:].decode("utf-8", "replace")
                else:
                    i += 2
                    ub = bytearray()
                    while i < n and b[i] != 0x29:
                        ub.append(b[i])
                        i += 1
                    url = ub.decode("utf-8", "replace")
                ent = _link_entity(offset, length, url)
                if ent:
                    entities.append(ent)
            elif c == 0x60:
                if is_pre:
                    entities.append(_entity("pre", offset, length, language=language or None))
                else:
                    entities.append(_entity("code", offset, length))
        if is_pre:
            i += 2
        i += 1
    return out.decode("utf-8"), _sort_entities(entities)


_WS = " \t\n\r\x0b\x0c"


def _trim(plain: str, ents: list[dict]) -> tuple[str, list[dict]]:
    """Telegram strips leading/trailing whitespace and shifts entities."""
    left = len(plain) - len(plain.lstrip(_WS))
    new = plain.strip(_WS)
    total = utf16_len(new)
    res = []
    for e in ents:
        start = max(e["offset"] - left, 0)
        end = min(e["offset"] - left + e["length"], total)
        if end > start:
            e2 = dict(e)
            e2["offset"], e2["length"] = start, end - start
            res.append(e2)
    return new, res


def compute_entities(text: str) -> list[dict]:
    """bot_command and mention entities as Telegram computes them for incoming
    messages (ports of tdlib's match_bot_commands / match_mentions)."""
    def is_word(ch: str) -> bool:
        return ch == "_" or ch.isalnum()

    def is_ident(ch: str) -> bool:
        return ch == "_" or ("0" <= ch <= "9") or ("a" <= ch.lower() <= "z" and ch.isascii())

    ents: list[dict] = []
    n = len(text)
    # bot commands
    for i, ch in enumerate(text):
        if ch != "/":
            continue
        if i > 0 and (is_word(text[i - 1]) or text[i - 1] in "/<>"):
            continue
        j = i + 1
        while j < n and is_ident(text[j]):
            j += 1
        if not 1 <= j - i - 1 <= 64:
            continue
        end = j
        if j < n and text[j] == "@":
            k = j + 1
            while k < n and is_ident(text[k]):
                k += 1
            if not 3 <= k - j - 1 <= 32:
                continue
            end = k
        if end < n and (is_word(text[end]) or text[end] in "/<>"):
            continue
        ents.append(_entity("bot_command", utf16_len(text[:i]), utf16_len(text[i:end])))
    # mentions
    for i, ch in enumerate(text):
        if ch != "@":
            continue
        if i > 0 and is_word(text[i - 1]):
            continue
        j = i + 1
        while j < n and is_ident(text[j]):
            j += 1
        if not 2 <= j - i - 1 <= 32:
            continue
        if j < n and is_word(text[j]):
            continue
        # "/cmd@bot" is part of the command entity, not a mention
        start16 = utf16_len(text[:i])
        if any(e["offset"] < start16 < e["offset"] + e["length"] for e in ents):
            continue
        ents.append(_entity("mention", start16, utf16_len(text[i:j])))
    return _sort_entities(ents)


# ---------------------------------------------------------------------------
# recording types
# ---------------------------------------------------------------------------


class Call(tuple):
    """One API request: unpacks as ``(method, params)``; also has ``.seq``,
    ``.status`` (HTTP status or None for dropped/cancelled), ``.response``
    (decoded JSON body), ``.injected`` (fault kind or None), ``.done``."""

    def __new__(cls, method: str, params: dict, seq: int):
        self = super().__new__(cls, (method, params))
        self.seq = seq
        self.status: int | None = None
        self.response: Any = None
        self.injected: str | None = None
        self.done = False
        return self

    @property
    def method(self) -> str:
        return self[0]

    @property
    def params(self) -> dict:
        return self[1]

    @property
    def ok(self) -> bool:
        return self.status == 200

    def __repr__(self) -> str:
        return f"Call({self[0]!r}, {self[1]!r}, seq={self.seq}, status={self.status})"


class _Fault:
    def __init__(self, method: str, times: int, kind: str, retry_after: int,
                 description: str | None, delay: float | None,
                 when: Callable[[dict], bool] | None):
        self.method = method.lower()
        self.remaining = times
        self.kind = str(kind)
        self.retry_after = retry_after
        self.description = description
        self.delay = delay
        self.when = when


class _Req:
    def __init__(self, request: web.Request, files: dict[str, dict]):
        self.request = request
        self.files = files


# parameter names whose form values are plain strings, never JSON
_STRING_PARAMS = frozenset({
    "text", "caption", "parse_mode", "query", "data", "callback_query_id", "inline_query_id",
    "description", "short_description", "name", "language_code", "file_id", "url",
    "next_offset", "switch_pm_text", "switch_pm_parameter", "action", "message_effect_id",
    "business_connection_id", "inline_message_id", "secret_token", "ip_address", "title",
    "emoji", "custom_title", "sticker", "document", "photo", "audio", "video", "voice",
    "animation", "thumbnail", "result_id", "certificate", "address", "first_name",
    "last_name", "username", "payload", "start_parameter",
})
# parameters that are objects/arrays and may arrive as JSON strings even in JSON bodies
_OBJECT_PARAMS = frozenset({
    "reply_markup", "entities", "caption_entities", "reply_parameters", "results", "commands",
    "scope", "button", "link_preview_options", "menu_button", "allowed_updates", "media",
    "rights", "permissions",
})

_DEFAULT_ALLOWED_UPDATES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post",
    "business_connection", "business_message", "edited_business_message",
    "deleted_business_messages", "inline_query", "chosen_inline_result", "callback_query",
    "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
})

_CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note",
    "upload_video_note",
})

_BUTTON_ACTIONS = (
    "url", "callback_data", "callback_game", "pay", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "login_url",
    "web_app", "copy_text",
)

_SCOPE_TYPES = frozenset({
    "default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat",
    "chat_administrators", "chat_member",
})

_INLINE_RESULT_TYPES = frozenset({
    "article", "photo", "gif", "mpeg4_gif", "video", "audio", "voice", "document", "location",
    "venue", "contact", "game", "sticker",
})

_502_BODY = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


# ---------------------------------------------------------------------------
# the server
# ---------------------------------------------------------------------------



def _seq_of(record: dict) -> int:
    return record["seq"]

class FakeTelegram:
    """Fake Telegram Bot API server (see module docstring)."""

    user = staticmethod(user)
    group = staticmethod(group)
    channel = staticmethod(channel)

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "staffbot_test_bot",
        bot_first_name: str = "StaffBot",
        bot_id: int | None = None,
        can_join_groups: bool = True,
        strict_chats: bool = True,
        strict_html_ampersand: bool = True,
        conflict_policy: str = "reject_new",
        inline_query_ttl: float = 10.0,
        callback_query_ttl: float = 15.0,
        host: str = "127.0.0.1",
    ):
        if conflict_policy not in ("reject_new", "terminate_old"):
            raise ValueError("conflict_policy must be 'reject_new' or 'terminate_old'")
        self.token = token
        if bot_id is None:
            prefix = token.split(":", 1)[0]
            bot_id = int(prefix) if prefix.isdigit() else 123456789
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": can_join_groups,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.strict_chats = strict_chats
        self.strict_html_ampersand = strict_html_ampersand
        self.conflict_policy = conflict_policy
        self.inline_query_ttl = inline_query_ttl
        self.callback_query_ttl = callback_query_ttl
        self.host = host

        self.calls: list[Call] = []
        self.errors: list[dict] = []
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.menu_buttons: dict[int | None, dict] = {}
        self.callback_answers: dict[str, dict] = {}
        self.inline_answers: dict[str, dict] = {}
        self.chat_actions: list[tuple[int, str]] = []
        self.webhook: dict | None = None
        self.closed = False
        self.logged_out = False

        self._seq = itertools.count(1)
        self._last_seq = 0
        self._update_ids = itertools.count(10001)
        self._query_ids = itertools.count(random.randint(10**17, 9 * 10**17))
        self._file_ids = itertools.count(1)
        self._updates: list[dict] = []  # not yet confirmed
        self._delivered: set[int] = set()
        self._allowed_updates: frozenset[str] = _DEFAULT_ALLOWED_UPDATES
        self._chats: dict[int, dict] = {}
        self._users: dict[int, dict] = {}
        self._members: dict[tuple[int, int], str] = {}
        self._blocked: set[int] = set()
        self._msg_counter: dict[int, int] = {}
        self._messages: dict[tuple[int, int], dict] = {}
        self._sent: list[dict] = []
        self._sent_by_key: dict[tuple[int, int], dict] = {}
        self._files: dict[str, dict] = {}
        self._files_by_path: dict[str, dict] = {}
        self._callback_queries: dict[str, dict] = {}
        self._inline_queries: dict[str, dict] = {}
        self._inline_messages: dict[str, dict] = {}
        self._topics: dict[tuple[int, int], dict] = {}      # (chat, thread id) → creation message
        self._reactions: dict[tuple[int, int, int], list[dict]] = {}  # (chat, message, user)
        self._clock_offset = 0.0
        self._faults: list[_Fault] = []
        self._active_poll: dict | None = None
        self._changed = asyncio.Event()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

        self._methods: dict[str, Callable] = {}
        for name in dir(self):
            if name.startswith("_m_"):
                self._methods[name[3:]] = getattr(self, name)

    # ------------------------------------------------------------------ lifecycle

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self.host}:{self.port}/file/bot"

    @property
    def bot_id(self) -> int:
        return self.bot_user["id"]

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None,
                                     shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._stopping = False
        return self

    async def stop(self) -> None:
        self._stopping = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()

    # ------------------------------------------------------------------ world setup

    def add_chat(self, chat: dict) -> dict:
        """Make a chat known to the server (as if the bot had seen it)."""
        stored = self._chats.get(chat["id"])
        if stored is None:
            stored = dict(chat)
            self._chats[chat["id"]] = stored
        else:
            stored.update(chat)
        return stored

    def set_member(self, chat: dict | int, user_id: int | dict, status: str) -> None:
        """Configure getChatMember for (chat, user). status: creator, administrator,
        member, restricted, left, kicked. user_id may be the bot's id."""
        if status not in ("creator", "administrator", "member", "restricted", "left", "kicked"):
            raise ValueError(f"bad status {status!r}")
        if isinstance(chat, dict):
            self.add_chat(chat)
            chat_id = chat["id"]
        else:
            chat_id = int(chat)
            if chat_id not in self._chats:
                self.add_chat({"id": chat_id, "type": "supergroup" if chat_id < 0 else "private",
                               "title": f"Chat {chat_id}"} if chat_id < 0 else
                              {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"})
        if isinstance(user_id, dict):
            self._users[user_id["id"]] = dict(user_id)
            user_id = user_id["id"]
        self._members[(chat_id, int(user_id))] = status

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to their private chat get 403."""
        self._blocked.add(int(user_id))

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(int(user_id))

    def add_file(self, content: bytes, filename: str | None = None,
                 mime_type: str | None = None) -> dict:
        """Register a file; returns the Document dict (file_id, file_unique_id, ...)."""
        n = next(self._file_ids)
        ext = ""
        if filename and "." in filename:
            ext = "." + filename.rsplit(".", 1)[1]
        file_id = f"BQACAgIAAxkBAAIF{n:06d}{random.randint(10**8, 10**9 - 1)}"
        f = {
            "file_id": file_id,
            "file_unique_id": f"AgAD{n:06d}",
            "file_size": len(content),
            "file_path": f"documents/file_{n}{ext}",
            "file_name": filename,
            "mime_type": mime_type or (mimetypes.guess_type(filename or "")[0]
                                       or "application/octet-stream"),
            "content": bytes(content),
        }
        self._files[file_id] = f
        self._files_by_path[f["file_path"]] = f
        doc = {"file_id": file_id, "file_unique_id": f["file_unique_id"],
               "file_size": len(content), "mime_type": f["mime_type"]}
        if filename:
            doc["file_name"] = filename
        return doc

    def file_content(self, file_id: str) -> bytes:
        return self._files[file_id]["content"]

    # ------------------------------------------------------------------ builders

    def _now(self) -> int:
        return int(time.time() + self._clock_offset)

    def _next_message_id(self, chat_id: int, explicit: int | None = None) -> int:
        cur = self._msg_counter.get(chat_id, 0)
        mid = cur + 1 if explicit is None else int(explicit)
        self._msg_counter[chat_id] = max(cur, mid)
        return mid

    def _remember_user(self, u: dict) -> None:
        self._users[u["id"]] = dict(u)

    def _store_message(self, msg: dict) -> None:
        self._messages[(msg["chat"]["id"], msg["message_id"])] = msg

    def _resolve_reply_for_builder(self, chat_id: int, reply_to: Any) -> dict | None:
        if reply_to is None:
            return None
        if isinstance(reply_to, int):
            msg = self._messages.get((chat_id, reply_to))
            if msg is None:
                raise ValueError(f"no message {reply_to} in chat {chat_id}")
        else:
            msg = reply_to.get("message", reply_to) if "seq" in reply_to else reply_to
            msg = self._messages.get((msg["chat"]["id"], msg["message_id"]), msg)
        r = copy.deepcopy(msg)
        r.pop("reply_to_message", None)
        return r

    def push_update(self, update: dict) -> dict:
        """Queue a raw update dict (update_id assigned if missing)."""
        update = dict(update)
        update.setdefault("update_id", next(self._update_ids))
        update["_seq"] = self._next_seq()
        self._updates.append(update)
        self._notify()
        return {k: v for k, v in update.items() if k != "_seq"}

    def _message_update(self, kind: str, msg: dict) -> dict:
        self._store_message(msg)
        return self.push_update({kind: msg})

    def _base_message(self, chat: dict, from_user: dict | None, text: str | None,
                      entities: list[dict] | None, reply_to: Any,
                      message_id: int | None = None, date: int | None = None) -> dict:
        self.add_chat(chat)
        if from_user is not None:
            self._remember_user(from_user)
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"], message_id),
            "date": date or self._now(),
            "chat": dict(chat),
        }
        if from_user is not None:
            msg["from"] = dict(from_user)
        if text is not None:
            msg["text"] = text
            ents = compute_entities(text) if entities is None else entities
            if ents:
                msg["entities"] = ents
        rt = self._resolve_reply_for_builder(chat["id"], reply_to)
        if rt is not None:
            msg["reply_to_message"] = rt
        return msg

    def private_message(self, user: dict, text: str, *, entities: list[dict] | None = None,
                        reply_to: Any = None, date: int | None = None) -> dict:
        """A user writes to the bot in a private chat. Entities for /commands and
        @mentions are computed like Telegram does unless given."""
        chat = _private_chat(user)
        msg = self._base_message(chat, user, text, entities, reply_to, date=date)
        return self._message_update("message", msg)

    def group_message(self, chat: dict, user: dict, text: str, reply_to: Any = None,
                      entities: list[dict] | None = None, *, date: int | None = None,
                      thread_id: int | None = None) -> dict:
        """A user writes in a group/supergroup ("/ask@bot ...", "@bot ..." get
        bot_command / mention entities with UTF-16 offsets). ``thread_id``: in that forum
        topic (:meth:`create_topic`); like Telegram, a topic message that replies to nothing
        else carries the topic's creation message as ``reply_to_message``."""
        if chat.get("type") not in ("group", "supergroup"):
            raise ValueError("group_message needs a group or supergroup chat")
        topic = None
        if thread_id is not None:
            topic = self._topics.get((chat["id"], int(thread_id)))
            if topic is None:
                raise ValueError(f"no topic {thread_id} in chat {chat['id']}")
        msg = self._base_message(chat, user, text, entities, reply_to if reply_to is not None
                                 else topic, date=date)
        if topic is not None:
            msg["message_thread_id"], msg["is_topic_message"] = int(thread_id), True
        return self._message_update("message", msg)

    def edited_message(self, chat: dict, user: dict, text: str, message_id: int,
                       entities: list[dict] | None = None) -> dict:
        old = self._messages.get((chat["id"], message_id))
        msg = copy.deepcopy(old) if old else {
            "message_id": message_id, "date": self._now(), "chat": dict(chat), "from": dict(user)}
        msg["text"] = text
        ents = compute_entities(text) if entities is None else entities
        msg.pop("entities", None)
        if ents:
            msg["entities"] = ents
        msg["edit_date"] = self._now()
        return self._message_update("edited_message", msg)

    def channel_post(self, chat: dict, text: str, message_id: int | None = None,
                     *, entities: list[dict] | None = None, date: int | None = None) -> dict:
        """A post in a channel the bot administers (no "from"; sender_chat = channel)."""
        msg = self._base_message(chat, None, text, entities, None, message_id=message_id, date=date)
        msg["sender_chat"] = dict(chat)
        return self._message_update("channel_post", msg)

    def edited_channel_post(self, chat: dict, text: str, message_id: int,
                            *, entities: list[dict] | None = None) -> dict:
        self.add_chat(chat)
        old = self._messages.get((chat["id"], message_id))
        msg = copy.deepcopy(old) if old else {
            "message_id": message_id, "date": self._now(), "chat": dict(chat),
            "sender_chat": dict(chat)}
        msg["text"] = text
        msg.pop("entities", None)
        ents = compute_entities(text) if entities is None else entities
        if ents:
            msg["entities"] = ents
        msg["edit_date"] = self._now()
        self._msg_counter[chat["id"]] = max(self._msg_counter.get(chat["id"], 0), message_id)
        return self._message_update("edited_channel_post", msg)

    def document_message(self, user: dict, filename: str, content_bytes: bytes,
                         mime_type: str | None = None, *, caption: str | None = None,
                         chat: dict | None = None) -> dict:
        """A user sends a document; getFile + the file URL will serve the bytes."""
        doc = self.add_file(content_bytes, filename, mime_type)
        chat = chat or _private_chat(user)
        msg = self._base_message(chat, user, None, None, None)
        msg["document"] = doc
        if caption:
            msg["caption"] = caption
            ents = compute_entities(caption)
            if ents:
                msg["caption_entities"] = ents
        return self._message_update("message", msg)

    # -- forum topics, reactions, deep-link starts, aged messages (issue 14) --------------------

    def create_topic(self, chat: dict, user: dict, name: str) -> int:
        """``user`` creates a forum topic in ``chat`` (``is_forum``): the service message
        ``forum_topic_created`` is delivered; its message id is the topic's
        ``message_thread_id`` (returned)."""
        if not chat.get("is_forum"):
            raise ValueError("topics exist only in forum supergroups (group(..., is_forum=True))")
        msg = self._base_message(chat, user, None, None, None)
        msg["message_thread_id"], msg["is_topic_message"] = msg["message_id"], True
        msg["forum_topic_created"] = {"name": name, "icon_color": 7322096}
        self._topics[(chat["id"], msg["message_id"])] = msg
        self._message_update("message", msg)
        return msg["message_id"]

    def start_link(self, user: dict, payload: str) -> dict:
        """``user`` opens ``t.me/<bot>?start=<payload>``: Telegram sends ``/start <payload>``
        in the private chat. Telegram opens no chat for a payload outside its limits (1–64
        characters of ``A-Z a-z 0-9 _ -``): ValueError."""
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload):
            raise ValueError(f"Telegram would not open a start link with payload {payload!r}")
        return self.private_message(user, f"/start {payload}")

    def reaction(self, chat: dict, user: dict, message_id: int, emoji: Iterable[str] = ()
                 ) -> dict | None:
        """``user`` sets their reactions on message ``message_id`` to ``emoji`` (none: removes
        them): a ``message_reaction`` update with ``old_reaction``/``new_reaction`` as lists
        of ReactionTypeEmoji. Telegram sends it only to a bot that asked for
        ``message_reaction`` in ``allowed_updates`` (getUpdates drops it otherwise) and, in
        groups, is an administrator: otherwise None (nothing is delivered)."""
        key = (chat["id"], int(message_id), user["id"])
        if (chat["id"], int(message_id)) not in self._messages:
            raise ValueError(f"no message {message_id} in chat {chat['id']}")
        new = [{"type": "emoji", "emoji": e} for e in emoji]
        old = self._reactions.get(key, [])
        self._reactions[key] = new
        if chat["type"] != "private" and \
                self._members.get((chat["id"], self.bot_id)) not in ("administrator", "creator"):
            return None
        self._remember_user(user)
        return self.push_update({"message_reaction": {
            "chat": self._chat_public(self.add_chat(chat)), "message_id": int(message_id),
            "user": dict(user), "date": self._now(), "old_reaction": old, "new_reaction": new}})

    def advance_clock(self, seconds: float) -> None:
        """Move Telegram's clock on (dates of new messages and edits; the 48 h a bot may edit
        its message, :data:`EDIT_WINDOW`, is measured on it)."""
        self._clock_offset += seconds

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """Someone (an admin of a group, or the user in a private chat) deletes a message;
        Telegram tells the bot nothing."""
        self._messages[(chat_id, message_id)]["_deleted"] = True
        rec = self._sent_by_key.get((chat_id, message_id))
        if rec is not None:
            rec["deleted"] = True

    def _lookup_message_arg(self, message: Any) -> dict:
        if isinstance(message, tuple):
            key = (int(message[0]), int(message[1]))
        else:
            m = message["message"] if "seq" in message and "message" in message else message
            key = (m["chat"]["id"], m["message_id"])
        msg = self._messages.get(key)
        if msg is None:
            raise ValueError(f"message {key} is unknown to the fake")
        if msg.get("_deleted"):
            raise ValueError(f"message {key} was deleted; it can't be clicked")
        return msg

    def callback_query(self, user: dict, message: Any, data: str, *,
                       check_button: bool = True) -> dict:
        """The user presses an inline button with *data* on *message* (a record from
        sent_messages()/wait_for_message(), a Message dict or (chat_id, message_id)).
        By default the button must exist on the message's current keyboard."""
        msg = self._lookup_message_arg(message)
        if check_button:
            datas = [btn.get("callback_data")
                     for row in (msg.get("reply_markup") or {}).get("inline_keyboard", [])
                     for btn in row]
            if data not in datas:
                raise ValueError(f"message has no button with callback_data={data!r}; "
                                 f"buttons: {datas!r}")
        self._remember_user(user)
        qid = str(next(self._query_ids))
        q = {
            "id": qid,
            "from": dict(user),
            "message": self._public_message(msg),
            "chat_instance": str(abs(hash((msg["chat"]["id"], "ci"))) % 10**18),
            "data": data,
        }
        self._callback_queries[qid] = {"created": time.monotonic(), "answered": False}
        return self.push_update({"callback_query": q})

    def inline_query(self, user: dict, query: str, offset: str = "", *,
                     chat_type: str | None = None) -> dict:
        """The user types "@bot <query>" in any chat."""
        self._remember_user(user)
        qid = str(next(self._query_ids))
        q: dict[str, Any] = {"id": qid, "from": dict(user), "query": query, "offset": offset}
        if chat_type:
            q["chat_type"] = chat_type
        self._inline_queries[qid] = {"created": time.monotonic(), "answered": False,
                                     "user_id": user["id"], "query": query}
        return self.push_update({"inline_query": q})

    def chosen_inline_result(self, user: dict, result_id: str, query: str) -> dict:
        """The user picked an inline result. If the answered result carried a
        reply_markup, an inline_message_id is attached (editable via the API)."""
        res: dict[str, Any] = {"result_id": result_id, "from": dict(user), "query": query}
        for qid, ans in reversed(list(self.inline_answers.items())):
            info = self._inline_queries.get(qid, {})
            if info.get("user_id") != user["id"]:
                continue
            for r in ans.get("results", []):
                if r.get("id") == result_id:
                    if r.get("reply_markup"):
                        imid = f"AgAAA{next(self._file_ids):08d}"
                        imc = r.get("input_message_content") or {}
                        self._inline_messages[imid] = {
                            "text": imc.get("_plain", imc.get("message_text", "")),
                            "entities": imc.get("_entities", []),
                            "reply_markup": r.get("reply_markup"),
                        }
                        res["inline_message_id"] = imid
                    break
            else:
                continue
            break
        return self.push_update({"chosen_inline_result": res})

    # ------------------------------------------------------------------ builders: audiences

    def chat_member_update(self, chat: dict, member: dict, new_status: str, *,
                           old_status: str = "member", by: dict | None = None) -> dict:
        """``member``'s status in ``chat`` changed (joined, left, was removed): a ``chat_member``
        update as Telegram sends it to a bot that administers the chat — delivered only when
        ``allowed_updates`` names ``chat_member`` (it is not in Telegram's default set).
        getChatMember answers the new status from now on."""
        self.set_member(chat, member, new_status)
        by = by or member
        self._remember_user(by)
        change = {"chat": dict(chat), "from": dict(by), "date": self._now(),
                  "old_chat_member": self._member_object(chat["id"], member["id"], old_status),
                  "new_chat_member": self._member_object(chat["id"], member["id"], new_status)}
        return self.push_update({"chat_member": change})

    # ------------------------------------------------------------------ recording API

    def _next_seq(self) -> int:
        self._last_seq = next(self._seq)
        return self._last_seq

    def mark(self) -> int:
        """A position in the event log; pass as after= to the wait helpers."""
        return self._last_seq

    def _notify(self) -> None:
        ev = self._changed
        self._changed = asyncio.Event()
        ev.set()

    def sent_messages(self, chat_id: int | None = None, *, include_deleted: bool = False,
                      after: int | None = None) -> list[dict]:
        """Records of messages the bot sent (current state; edits applied)."""
        return [m for m in self._sent
                if (chat_id is None or m["chat_id"] == chat_id)
                and (include_deleted or not m["deleted"])
                and (after is None or m["seq"] > after)]

    def message(self, chat_id: int, message_id: int) -> dict | None:
        """Any stored message (incoming or sent) as a Telegram Message dict."""
        m = self._messages.get((chat_id, message_id))
        return None if m is None else self._public_message(m)

    @property
    def pending_updates(self) -> list[dict]:
        return [{k: v for k, v in u.items() if k != "_seq"} for u in self._updates]

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    def unexpected_errors(self) -> list[dict]:
        """Errors that were not produced by fail_next()."""
        return [e for e in self.errors if not e["injected"]]

    def assert_no_errors(self, *, include_injected: bool = False) -> None:
        errs = self.errors if include_injected else self.unexpected_errors()
        if errs:
            lines = "\n".join(f"  {e['method']}: {e['status']} {e['description']}  params={e['params']!r}"
                              for e in errs)
            raise AssertionError(f"fake Telegram returned {len(errs)} error(s):\n{lines}")

    def get_commands(self, scope: dict | None = None, language_code: str = "") -> list[dict] | None:
        return self.commands.get((self._scope_key(scope or {"type": "default"}), language_code or ""))

    async def _wait(self, check: Callable[[], Any], timeout: float, what: str) -> Any:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            res = check()
            if res is not None:
                return res
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [(m["chat_id"], m["text"][:80]) for m in self._sent[-5:]]
                calls = [c.method for c in self.calls[-10:]]
                raise FakeTimeout(
                    f"timed out after {timeout}s waiting for {what}; last sent messages: {recent}; "
                    f"last calls: {calls}; errors: {self.errors[-5:]}")
            ev = self._changed
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(ev.wait(), remaining)

    async def wait_for_message(self, predicate: Callable[[dict], bool] = lambda m: True,
                               timeout: float = 10, *, after: int | None = None,
                               chat_id: int | None = None) -> dict:
        """First sent-message record (already sent or future) matching predicate.
        Record keys: seq, method, chat_id, message_id, text (plain, after parsing),
        raw_text, parse_mode, entities, reply_markup, reply_to_message_id, message
        (Telegram Message dict), deleted, edits (previous versions), document, params."""
        def check() -> dict | None:
            sent = self._sent
            # (in seq order: start past `after`, not at the first of thousands sent, which made
            # each waiter's wake-up O(all sent) and a long benchmark's harness quadratic)
            start = 0 if after is None else bisect.bisect_right(sent, after, key=_seq_of)
            for i in range(start, len(sent)):
                m = sent[i]
                if chat_id is not None and m["chat_id"] != chat_id:
                    continue
                if m["deleted"]:
                    continue
                if predicate(m):
                    return m
            return None
        return await self._wait(check, timeout, "a matching sent message")

    async def wait_for_call(self, method: str, predicate: Callable[[Call], bool] | None = None,
                            timeout: float = 10, after: int | None = None) -> Call:
        """First completed call of *method* (case-insensitive) matching predicate(call)."""
        low = method.lower()

        def check() -> Call | None:
            for c in self.calls:
                if c.method.lower() != low or not c.done:
                    continue
                if after is not None and c.seq <= after:
                    continue
                if predicate is None or predicate(c):
                    return c
            return None
        return await self._wait(check, timeout, f"a {method} call")

    async def wait_for_update_delivered(self, update: dict, timeout: float = 10) -> None:
        """Wait until getUpdates has handed *update* to the bot."""
        uid = update["update_id"]
        await self._wait(lambda: True if uid in self._delivered else None, timeout,
                         f"delivery of update {uid}")

    # ------------------------------------------------------------------ faults

    def fail_next(self, method: str, times: int = 1, kind: str | int = "429", retry_after: int = 1,
                  *, description: str | None = None, delay: float | None = None,
                  when: Callable[[dict], bool] | None = None) -> None:
        """Make the next *times* calls of *method* fail.

        kind: "429" (Too Many Requests with retry_after), "500", "502" (nginx HTML
        page), "drop" (connection closed without response, request not processed),
        "drop_after" (request processed, then connection closed), "delay" (sleep
        *delay* seconds, then process normally), or any other HTTP status such as
        "403"/"400" with *description*. *when* restricts the fault to calls whose
        decoded params satisfy when(params). Faulted calls are not processed."""
        self._faults.append(_Fault(method, times, str(kind), retry_after, description, delay, when))

    def clear_faults(self) -> None:
        self._faults.clear()

    def _take_fault(self, method: str, params: dict) -> _Fault | None:
        low = method.lower()
        for f in self._faults:
            if f.remaining > 0 and f.method == low and (f.when is None or f.when(params)):
                f.remaining -= 1
                if f.remaining == 0:
                    self._faults.remove(f)
                return f
        return None

    # ------------------------------------------------------------------ HTTP layer

    def _json_response(self, status: int, body: Any) -> web.Response:
        return web.Response(status=status, text=json.dumps(body, ensure_ascii=False),
                            content_type="application/json")

    def _error(self, method: str, params: dict, code: int, description: str,
               parameters: dict | None = None, *, injected: str | None = None,
               call: Call | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
        if parameters:
            body["parameters"] = parameters
        self.errors.append({"method": method, "status": code, "error_code": code,
                            "description": description, "params": params,
                            "injected": injected is not None, "kind": injected,
                            "seq": call.seq if call else self._next_seq()})
        if call is not None:
            call.status, call.response = code, body
        return self._json_response(code, body)

    @staticmethod
    def _decode_value(key: str, value: str) -> Any:
        if key in _STRING_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    async def _read_params(self, request: web.Request) -> tuple[dict, dict]:
        params: dict[str, Any] = {}
        files: dict[str, dict] = {}
        for k, v in request.query.items():
            params[k] = self._decode_value(k, v)
        ctype = request.content_type
        if request.can_read_body:
            if ctype == "application/json":
                raw = await request.read()
                if raw.strip():
                    try:
                        data = json.loads(raw)
                    except ValueError as exc:
                        raise _bad("can't parse JSON object") from exc
                    if not isinstance(data, dict):
                        raise _bad("can't parse JSON object")
                    for k, v in data.items():
                        if k in _OBJECT_PARAMS and isinstance(v, str):
                            with contextlib.suppress(ValueError):
                                v = json.loads(v)
                        params[k] = v
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for k, v in form.items():
                    if isinstance(v, web.FileField):
                        content = v.file.read()
                        files[k] = {"filename": v.filename, "mime_type": v.content_type,
                                    "content": content}
                    else:
                        params[k] = self._decode_value(k, v)
        return params, files

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return await self._handle_file(request, path[len("/file/bot"):])
        if not path.startswith("/bot"):
            return self._error(path, {}, 404, "Not Found")
        token, _, method = path[len("/bot"):].partition("/")
        if token != self.token:
            if re.fullmatch(r"\d+:[A-Za-z0-9_-]{20,}", token):
                return self._error(method, {}, 401, "Unauthorized")
            return self._error(method, {}, 404, "Not Found")
        if not method or "/" in method:
            return self._error(method, {}, 404, "Not Found")
        try:
            params, files = await self._read_params(request)
        except ApiError as exc:
            return self._error(method, {}, exc.code, exc.description)
        recorded = dict(params)
        for k, f in files.items():
            recorded[k] = {"filename": f["filename"], "mime_type": f["mime_type"],
                           "size": len(f["content"])}
        call = Call(method, recorded, self._next_seq())
        self.calls.append(call)
        try:
            return await self._dispatch(request, call, method, params, files)
        finally:
            call.done = True
            self._notify()

    async def _dispatch(self, request: web.Request, call: Call, method: str, params: dict,
                        files: dict) -> web.StreamResponse:
        fault = self._take_fault(method, params)
        if fault is not None:
            call.injected = fault.kind
            kind = fault.kind
            if kind == "delay":
                await asyncio.sleep(fault.delay or 0)
            elif kind == "drop":
                return self._drop(request, call, method, params, fault)
            elif kind != "drop_after":
                return self._fault_response(call, method, params, fault)

        handler = self._methods.get(method.lower())
        if handler is None:
            return self._error(method, params, 404, "Not Found: method not found", call=call)
        try:
            result = await handler(params, _Req(request, files))
        except ApiError as exc:
            return self._error(method, params, exc.code, exc.description, exc.parameters, call=call)
        body = {"ok": True, "result": result}
        call.status, call.response = 200, body
        if fault is not None and fault.kind == "drop_after":
            return self._drop(request, call, method, params, fault)
        return self._json_response(200, body)

    def _drop(self, request: web.Request, call: Call, method: str, params: dict,
              fault: _Fault) -> web.Response:
        call.status, call.response = None, None
        self.errors.append({"method": method, "status": None, "error_code": None,
                            "description": f"connection dropped ({fault.kind})", "params": params,
                            "injected": True, "kind": fault.kind, "seq": call.seq})
        if request.transport is not None:
            request.transport.abort()
        # aiohttp ignores writes to an aborted transport (ConnectionError is swallowed)
        return web.Response(status=500)

    def _fault_response(self, call: Call, method: str, params: dict, fault: _Fault) -> web.Response:
        kind = fault.kind
        if kind == "429":
            n = int(fault.retry_after)
            return self._error(method, params, 429, fault.description or f"Too Many Requests: retry after {n}",
                               {"retry_after": n}, injected=kind, call=call)
        if kind == "502":
            self.errors.append({"method": method, "status": 502, "error_code": 502,
                                "description": "Bad Gateway", "params": params, "injected": True,
                                "kind": kind, "seq": call.seq})
            call.status = 502
            return web.Response(status=502, text=_502_BODY, content_type="text/html")
        try:
            code = int(kind)
        except ValueError:
            raise ValueError(f"unknown fault kind {kind!r}") from None
        default = {
            500: "Internal Server Error",
            400: "Bad Request: injected fault",
            403: "Forbidden: bot was blocked by the user",
            401: "Unauthorized",
            409: CONFLICT_GETUPDATES,
        }.get(code, f"Error {code}")
        return self._error(method, params, code, fault.description or default, injected=kind, call=call)

    async def _handle_file(self, request: web.Request, rest: str) -> web.StreamResponse:
        token, _, file_path = rest.partition("/")
        if token != self.token:
            return self._error("file", {"path": file_path}, 401, "Unauthorized")
        f = self._files_by_path.get(file_path)
        if f is None:
            return self._error("file", {"path": file_path}, 404, "Not Found")
        return web.Response(body=f["content"], content_type=f["mime_type"] or "application/octet-stream")

    # ------------------------------------------------------------------ shared validation

    def _resolve_chat(self, chat_id: Any, *, field: str = "chat_id") -> dict:
        if chat_id is None or chat_id == "":
            raise _bad(f"{field} is empty")
        if isinstance(chat_id, str):
            s = chat_id.strip()
            if s.startswith("@"):
                for c in self._chats.values():
                    if c.get("username", "").lower() == s[1:].lower():
                        return c
                raise _bad("chat not found")
            try:
                chat_id = int(s)
            except ValueError:
                raise _bad("chat not found") from None
        if isinstance(chat_id, bool) or not isinstance(chat_id, int):
            raise _bad("chat not found")
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise _bad("chat not found")
            chat = self.add_chat(
                {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"} if chat_id > 0
                else {"id": chat_id, "type": "supergroup", "title": f"Chat {chat_id}"})
        return chat

    def _check_can_send(self, chat: dict) -> None:
        if chat["type"] == "private":
            if chat["id"] in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        status = self._members.get((chat["id"], self.bot_id))
        if status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {chat['type']} chat")
        if status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {chat['type']} chat")

    def _format_text(self, text: Any, parse_mode: Any, entities: Any, *, caption: bool = False,
                     limit: int | None = None) -> tuple[str, list[dict]]:
        """Validate text + parse_mode/entities like Telegram; returns (plain, entities)."""
        if text is None:
            if caption:
                return "", []
            raise _bad("message text is empty")
        if not isinstance(text, str):
            text = json.dumps(text) if not isinstance(text, (int, float)) else str(text)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise _bad("strings must be encoded in UTF-8") from None
        pm = (parse_mode or "")
        if not isinstance(pm, str):
            raise _bad("unsupported parse_mode")
        pm = pm.lower()
        if entities:
            if not isinstance(entities, list):
                raise _bad("can't parse entities JSON object")
            plain, ents = text, self._validate_entities(text, entities)
        elif pm == "":
            plain, ents = text, []
        else:
            try:
                if pm == "html":
                    plain, ents = parse_html(text, strict_ampersand=self.strict_html_ampersand)
                elif pm == "markdownv2":
                    plain, ents = parse_markdown_v2(text)
                elif pm == "markdown":
                    plain, ents = parse_markdown(text)
                else:
                    raise _bad("unsupported parse_mode")
            except EntityParseError as exc:
                raise _bad(f"can't parse entities: {exc}") from None
        plain, ents = _trim(plain, ents)
        if not plain and not caption:
            raise _bad("message text is empty")
        max_len = limit or (1024 if caption else 4096)
        if len(plain) > max_len:
            raise _bad("message caption is too long" if caption else "message is too long")
        return plain, ents

    def _validate_entities(self, text: str, entities: list) -> list[dict]:
        total = utf16_len(text)
        res = []
        for e in entities:
            if not isinstance(e, dict) or "type" not in e:
                raise _bad("can't parse MessageEntity: Can't find field \"type\"")
            off, ln = e.get("offset"), e.get("length")
            if not isinstance(off, int) or not isinstance(ln, int) or off < 0 or ln < 0:
                raise _bad("can't parse MessageEntity: wrong offset or length")
            if e["type"] == "text_link":
                if not e.get("url"):
                    raise _bad("entity URL must be non-empty")
                _, err = check_link(e["url"])
                if err:
                    raise _bad(f"entity URL '{e['url']}' is invalid: {err}")
            if off >= total or ln == 0:
                continue
            e2 = dict(e)
            e2["length"] = min(ln, total - off)
            res.append(e2)
        return _sort_entities(res)

    def _validate_inline_button(self, btn: Any) -> None:
        p = "can't parse inline keyboard button: "
        if not isinstance(btn, dict):
            raise _bad(p + "InlineKeyboardButton must be an Object")
        if "text" not in btn:
            raise _bad(p + "Can't find field \"text\"")
        if not isinstance(btn["text"], str):
            raise _bad(p + "Field \"text\" must be of type String")
        present = [k for k in _BUTTON_ACTIONS
                   if k in btn and btn[k] is not None
                   and not (k in ("url", "callback_data") and btn[k] == "")]
        if not present:
            raise _bad(p + "Text buttons are unallowed in the inline keyboard")
        if len(present) > 1:
            raise _bad(p + f"exactly one of the optional fields must be used, got {present} "
                       "(fake server; Telegram would silently use the first)")
        if not btn["text"].strip():
            raise _bad("BUTTON_TEXT_INVALID")
        kind = present[0]
        value = btn[kind]
        if kind == "callback_data":
            if not isinstance(value, str):
                raise _bad(p + "Field \"callback_data\" must be of type String")
            if len(value.encode("utf-8")) > 64:
                raise _bad("BUTTON_DATA_INVALID")
        elif kind == "url":
            if not isinstance(value, str):
                raise _bad(p + "Field \"url\" must be of type String")
            if _link_user_id(value) is None:
                _, err = check_link(value)
                if err:
                    raise _bad(f"inline keyboard button URL '{value}' is invalid: {err}")
        elif kind in ("switch_inline_query", "switch_inline_query_current_chat"):
            if not isinstance(value, str):
                raise _bad(p + f"Field \"{kind}\" must be of type String")
        elif kind in ("web_app", "login_url"):
            if not isinstance(value, dict) or not value.get("url"):
                raise _bad(p + "Can't find field \"url\"")
            if kind == "web_app" and not str(value["url"]).lower().startswith("https://"):
                raise _bad("BUTTON_URL_INVALID")
        elif kind == "copy_text":
            if not isinstance(value, dict) or not isinstance(value.get("text"), str):
                raise _bad(p + "Can't find field \"text\"")
            if not 1 <= len(value["text"]) <= 256:
                raise _bad("COPY_TEXT_INVALID")

    def _validate_reply_markup(self, rm: Any, *, inline_only: bool = False) -> dict | None:
        """Validate reply_markup; returns the inline keyboard to echo (or None)."""
        if rm is None:
            return None
        if isinstance(rm, str):
            try:
                rm = json.loads(rm)
            except ValueError:
                raise _bad("can't parse reply keyboard markup JSON object") from None
        if not isinstance(rm, dict):
            raise _bad("object expected as reply markup")
        if "inline_keyboard" in rm:
            kb = rm["inline_keyboard"]
            if not isinstance(kb, list) or not all(isinstance(r, list) for r in kb):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup should be an Array '
                           'of Arrays')
            total = 0
            for row in kb:
                if len(row) > 8:
                    raise _bad("REPLY_MARKUP_TOO_LONG")
                for btn in row:
                    total += 1
                    self._validate_inline_button(btn)
            if total > 100:
                raise _bad("REPLY_MARKUP_TOO_LONG")
            if total == 0:
                return None
            return {"inline_keyboard": [[dict(b) for b in row] for row in kb if row]}
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in rm:
            kb = rm["keyboard"]
            if not isinstance(kb, list) or not all(isinstance(r, list) for r in kb):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays')
            for row in kb:
                for btn in row:
                    t = btn if isinstance(btn, str) else (btn.get("text") if isinstance(btn, dict) else None)
                    if not isinstance(t, str):
                        raise _bad("can't parse keyboard button: Field \"text\" must be of type String")
            return None
        if "remove_keyboard" in rm or "force_reply" in rm:
            return None
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_target(self, p: dict, chat: dict) -> dict | None:
        rp = p.get("reply_parameters")
        mid = None
        allow = bool(p.get("allow_sending_without_reply"))
        rchat_id = chat["id"]
        quote = None
        if rp is not None:
            if not isinstance(rp, dict) or "message_id" not in rp:
                raise _bad("can't parse reply parameters JSON object")
            mid = rp["message_id"]
            allow = allow or bool(rp.get("allow_sending_without_reply"))
            if rp.get("chat_id") not in (None, ""):
                rchat_id = self._resolve_chat(rp["chat_id"])["id"]
            quote = rp.get("quote")
        elif p.get("reply_to_message_id") not in (None, "", 0):
            mid = p["reply_to_message_id"]
        if mid is None:
            return None
        try:
            mid = int(mid)
        except (TypeError, ValueError):
            raise _bad("message to be replied not found") from None
        msg = self._messages.get((rchat_id, mid))
        if msg is None or msg.get("_deleted"):
            if allow:
                return None
            raise _bad("message to be replied not found")
        if quote:
            body = msg.get("text") or msg.get("caption") or ""
            if quote not in body:
                raise _bad("QUOTE_TEXT_INVALID")
        r = self._public_message(msg)
        r.pop("reply_to_message", None)
        return r

    @staticmethod
    def _public_message(msg: dict) -> dict:
        return {k: copy.deepcopy(v) for k, v in msg.items() if not k.startswith("_")}

    def _chat_public(self, chat: dict) -> dict:
        keys = ("id", "type", "title", "username", "first_name", "last_name", "is_forum")
        return {k: chat[k] for k in keys if k in chat}

    def _record_sent(self, method: str, chat: dict, msg: dict, p: dict, *, raw_text: str | None,
                     plain: str, ents: list[dict], markup: dict | None,
                     reply_to: dict | None, document: dict | None = None) -> dict:
        self._store_message(msg)
        rec = {
            "seq": self._next_seq(),
            "method": method,
            "chat_id": chat["id"],
            "chat": self._chat_public(chat),
            "message_id": msg["message_id"],
            "text": plain,
            "raw_text": raw_text,
            "parse_mode": p.get("parse_mode"),
            "entities": ents,
            "reply_markup": markup,
            "reply_to_message_id": reply_to["message_id"] if reply_to else None,
            "message": msg,
            "deleted": False,
            "edits": [],
            "document": document,
            "params": p,
        }
        self._sent.append(rec)
        self._sent_by_key[(chat["id"], msg["message_id"])] = rec
        return rec

    def _thread_target(self, p: dict, chat: dict, reply_to: dict | None) -> int | None:
        """The forum topic a new message goes to: ``message_thread_id`` (which must name a
        topic of a forum, else "message thread not found" as Telegram says), else the topic of
        the message it replies to."""
        tid = p.get("message_thread_id")
        if tid in (None, "", 0):
            if reply_to is not None and reply_to.get("is_topic_message"):
                return reply_to["message_thread_id"]
            return None
        try:
            tid = int(tid)
        except (TypeError, ValueError):
            raise _bad("message thread not found") from None
        if not chat.get("is_forum") or (chat["id"], tid) not in self._topics:
            raise _bad("message thread not found")
        return tid

    def _new_bot_message(self, chat: dict, reply_to: dict | None,
                         thread: int | None = None) -> dict:
        msg: dict[str, Any] = {
            "message_id": self._next_message_id(chat["id"]),
            "date": self._now(),
            "chat": self._chat_public(chat),
        }
        if thread is not None:
            msg["message_thread_id"], msg["is_topic_message"] = thread, True
        if chat["type"] == "channel":
            msg["sender_chat"] = self._chat_public(chat)
        else:
            msg["from"] = dict(self.bot_user)
        if reply_to is not None:
            msg["reply_to_message"] = reply_to
        return msg

    # ------------------------------------------------------------------ methods: bot & updates

    async def _m_getme(self, p: dict, r: _Req) -> dict:
        return dict(self.bot_user)

    async def _m_logout(self, p: dict, r: _Req) -> bool:
        self.logged_out = True
        return True

    async def _m_close(self, p: dict, r: _Req) -> bool:
        self.closed = True
        return True

    async def _m_deletewebhook(self, p: dict, r: _Req) -> bool:
        self.webhook = None
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_setwebhook(self, p: dict, r: _Req) -> bool:
        url = p.get("url") or ""
        if not url:
            self.webhook = None
            return True
        if not str(url).lower().startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = dict(p)
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _m_getwebhookinfo(self, p: dict, r: _Req) -> dict:
        info: dict[str, Any] = {"url": (self.webhook or {}).get("url", ""),
                                "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if self.webhook and self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _poll_gone(self, poll: dict) -> bool:
        t = poll["request"].transport
        return poll.get("finished", False) or t is None or t.is_closing()

    async def _m_getupdates(self, p: dict, r: _Req) -> list[dict]:
        if self.webhook:
            raise ApiError(409, CONFLICT_WEBHOOK)
        if self._active_poll is not None:
            # a poller that just disconnected needs a moment to be noticed
            for _ in range(10):
                if self._active_poll is None or self._poll_gone(self._active_poll):
                    break
                await asyncio.sleep(0.02)
            else:
                if self.conflict_policy == "reject_new":
                    raise ApiError(409, CONFLICT_GETUPDATES)
                old = self._active_poll
                old["terminated"] = True
                self._notify()
        poll = {"request": r.request, "terminated": False}
        self._active_poll = poll
        try:
            try:
                offset = int(p.get("offset") or 0)
                limit = int(p.get("limit") or 100)
                timeout = float(p.get("timeout") or 0)
            except (TypeError, ValueError):
                raise _bad("wrong parameter in getUpdates request") from None
            limit = min(max(limit, 1), 100)
            timeout = min(max(timeout, 0), 50)
            allowed = p.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = frozenset(allowed) if allowed else _DEFAULT_ALLOWED_UPDATES
            if offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            elif offset < 0:
                self._updates = self._updates[offset:]
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while True:
                if poll["terminated"]:
                    raise ApiError(409, CONFLICT_GETUPDATES)
                # drop updates of types the bot did not ask for, like Telegram
                self._updates = [u for u in self._updates if self._update_type(u) in self._allowed_updates]
                batch = self._updates[:limit]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._stopping:
                    break
                ev = self._changed
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(ev.wait(), remaining)
            for u in batch:
                self._delivered.add(u["update_id"])
            return [{k: v for k, v in u.items() if k != "_seq"} for u in batch]
        finally:
            poll["finished"] = True
            if self._active_poll is poll:
                self._active_poll = None

    @staticmethod
    def _update_type(u: dict) -> str:
        for k in u:
            if k not in ("update_id", "_seq"):
                return k
        return ""

    # ------------------------------------------------------------------ methods: messages

    async def _m_sendmessage(self, p: dict, r: _Req) -> dict:
        if "chat_id" not in p or p.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        text = p.get("text")
        if text is None or text == "":
            raise _bad("message text is empty")
        markup = self._validate_reply_markup(p.get("reply_markup"))
        plain, ents = self._format_text(text, p.get("parse_mode"), p.get("entities"))
        chat = self._resolve_chat(p.get("chat_id"))
        reply_to = self._reply_target(p, chat)
        thread = self._thread_target(p, chat, reply_to)
        self._check_can_send(chat)
        msg = self._new_bot_message(chat, reply_to, thread)
        msg["text"] = plain
        if ents:
            msg["entities"] = ents
        if markup:
            msg["reply_markup"] = markup
        self._record_sent("sendMessage", chat, msg, p, raw_text=text, plain=plain, ents=ents,
                          markup=markup, reply_to=reply_to)
        return self._public_message(msg)

    async def _m_senddocument(self, p: dict, r: _Req) -> dict:
        chat = self._resolve_chat(p.get("chat_id"))
        doc_param = p.get("document")
        upload = None
        if "document" in r.files:
            upload = r.files["document"]
        elif isinstance(doc_param, str) and doc_param.startswith("attach://"):
            upload = r.files.get(doc_param[len("attach://"):])
            if upload is None:
                raise _bad("wrong HTTP URL specified")
        if upload is not None:
            if not upload["content"]:
                raise _bad("file must be non-empty")
            doc = self.add_file(upload["content"], upload["filename"], upload["mime_type"])
        elif isinstance(doc_param, str) and doc_param in self._files:
            f = self._files[doc_param]
            doc = {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"],
                   "file_size": f["file_size"], "mime_type": f["mime_type"]}
            if f.get("file_name"):
                doc["file_name"] = f["file_name"]
        elif isinstance(doc_param, str) and doc_param.lower().startswith(("http://", "https://")):
            doc = self.add_file(b"", doc_param.rsplit("/", 1)[-1] or "file", None)
        elif not doc_param:
            raise _bad("there is no document in the request")
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        markup = self._validate_reply_markup(p.get("reply_markup"))
        caption = p.get("caption")
        plain, ents = self._format_text(caption, p.get("parse_mode"), p.get("caption_entities"),
                                        caption=True)
        reply_to = self._reply_target(p, chat)
        thread = self._thread_target(p, chat, reply_to)
        self._check_can_send(chat)
        msg = self._new_bot_message(chat, reply_to, thread)
        msg["document"] = doc
        if plain:
            msg["caption"] = plain
        if ents:
            msg["caption_entities"] = ents
        if markup:
            msg["reply_markup"] = markup
        stored = self._files[doc["file_id"]]
        self._record_sent("sendDocument", chat, msg, p, raw_text=caption, plain=plain, ents=ents,
                          markup=markup, reply_to=reply_to,
                          document={"file_id": doc["file_id"], "file_name": doc.get("file_name"),
                                    "mime_type": doc.get("mime_type"), "content": stored["content"]})
        return self._public_message(msg)

    def _edit_target(self, p: dict) -> tuple[str, Any]:
        if p.get("inline_message_id"):
            imid = p["inline_message_id"]
            if imid not in self._inline_messages:
                raise _bad("MESSAGE_ID_INVALID")
            return "inline", imid
        if p.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        chat = self._resolve_chat(p.get("chat_id"))
        if p.get("message_id") in (None, ""):
            raise _bad("message identifier is not specified")
        try:
            mid = int(p["message_id"])
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        msg = self._messages.get((chat["id"], mid))
        if msg is None or msg.get("_deleted"):
            raise _bad("message to edit not found")
        rec = self._sent_by_key.get((chat["id"], mid))
        if rec is None or self._now() - msg["date"] > EDIT_WINDOW:
            raise _bad("message can't be edited")
        return "chat", rec

    async def _m_editmessagetext(self, p: dict, r: _Req) -> Any:
        text = p.get("text")
        if text is None or text == "":
            raise _bad("message text is empty")
        markup = self._validate_reply_markup(p.get("reply_markup"), inline_only=True)
        plain, ents = self._format_text(text, p.get("parse_mode"), p.get("entities"))
        kind, target = self._edit_target(p)
        if kind == "inline":
            im = self._inline_messages[target]
            if im["text"] == plain and im["entities"] == ents and im["reply_markup"] == markup:
                raise _bad(NOT_MODIFIED[len("Bad Request: "):])
            im.update(text=plain, entities=ents, reply_markup=markup)
            return True
        rec = target
        msg = rec["message"]
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        if rec["text"] == plain and rec["entities"] == ents and rec["reply_markup"] == markup:
            raise _bad(NOT_MODIFIED[len("Bad Request: "):])
        rec["edits"].append({"text": rec["text"], "raw_text": rec["raw_text"],
                             "entities": rec["entities"], "reply_markup": rec["reply_markup"]})
        rec.update(text=plain, raw_text=text, entities=ents, reply_markup=markup,
                   parse_mode=p.get("parse_mode"), edit_seq=self._next_seq())
        msg["text"] = plain
        msg.pop("entities", None)
        msg.pop("reply_markup", None)
        if ents:
            msg["entities"] = ents
        if markup:
            msg["reply_markup"] = markup
        msg["edit_date"] = self._now()
        return self._public_message(msg)

    async def _m_editmessagereplymarkup(self, p: dict, r: _Req) -> Any:
        markup = self._validate_reply_markup(p.get("reply_markup"), inline_only=True)
        kind, target = self._edit_target(p)
        if kind == "inline":
            im = self._inline_messages[target]
            if im["reply_markup"] == markup:
                raise _bad(NOT_MODIFIED[len("Bad Request: "):])
            im["reply_markup"] = markup
            return True
        rec = target
        if rec["reply_markup"] == markup:
            raise _bad(NOT_MODIFIED[len("Bad Request: "):])
        rec["edits"].append({"text": rec["text"], "raw_text": rec["raw_text"],
                             "entities": rec["entities"], "reply_markup": rec["reply_markup"]})
        rec["reply_markup"] = markup
        rec["edit_seq"] = self._next_seq()
        msg = rec["message"]
        msg.pop("reply_markup", None)
        if markup:
            msg["reply_markup"] = markup
        msg["edit_date"] = self._now()
        return self._public_message(msg)

    async def _m_deletemessage(self, p: dict, r: _Req) -> bool:
        chat = self._resolve_chat(p.get("chat_id"))
        try:
            mid = int(p.get("message_id"))
        except (TypeError, ValueError):
            raise _bad("message identifier is not specified") from None
        msg = self._messages.get((chat["id"], mid))
        if msg is None or msg.get("_deleted"):
            raise _bad("message to delete not found")
        own = (chat["id"], mid) in self._sent_by_key
        if not own and chat["type"] != "private":
            if self._members.get((chat["id"], self.bot_id)) not in ("administrator", "creator"):
                raise _bad("message can't be deleted")
        msg["_deleted"] = True
        rec = self._sent_by_key.get((chat["id"], mid))
        if rec is not None:
            rec["deleted"] = True
            rec["delete_seq"] = self._next_seq()
        return True

    async def _m_sendchataction(self, p: dict, r: _Req) -> bool:
        action = p.get("action")
        if not action:
            raise _bad("action is empty")
        if action not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_can_send(chat)
        self.chat_actions.append((chat["id"], action))
        return True

    # ------------------------------------------------------------------ methods: queries

    async def _m_answercallbackquery(self, p: dict, r: _Req) -> bool:
        qid = str(p.get("callback_query_id") or "")
        text = p.get("text")
        if text is not None and len(str(text)) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        if p.get("url"):
            _, err = check_link(str(p["url"]))
            if err:
                raise _bad("URL_INVALID")
        q = self._callback_queries.get(qid)
        if q is None or q["answered"] or time.monotonic() - q["created"] > self.callback_query_ttl:
            raise _bad(QUERY_TOO_OLD[len("Bad Request: "):])
        q["answered"] = True
        self.callback_answers[qid] = dict(p)
        return True

    async def _m_answerinlinequery(self, p: dict, r: _Req) -> bool:
        qid = str(p.get("inline_query_id") or "")
        results = p.get("results")
        if results is None:
            raise _bad("results is empty") if "results" not in p else _bad("can't parse results JSON object")
        if not isinstance(results, list):
            raise _bad("can't parse results JSON object")
        ids: set[str] = set()
        checked = []
        for res in results:
            checked.append(self._validate_inline_result(res, ids))
        if len(results) > 50:
            raise _bad("RESULTS_TOO_MUCH")
        next_offset = p.get("next_offset")
        if next_offset is not None and len(str(next_offset).encode("utf-8")) > 64:
            raise _bad("NEXT_OFFSET_INVALID")
        button = p.get("button")
        if button is not None:
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise _bad("can't parse InlineQueryResultsButton: Can't find field \"text\"")
            if not button["text"].strip():
                raise _bad("BUTTON_TEXT_INVALID")
            if "start_parameter" in button:
                if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(button["start_parameter"])):
                    raise _bad("START_PARAM_INVALID")
            elif "web_app" in button:
                if not str((button["web_app"] or {}).get("url", "")).lower().startswith("https://"):
                    raise _bad("BUTTON_URL_INVALID")
            else:
                raise _bad("can't parse InlineQueryResultsButton: expected start_parameter or web_app")
        if p.get("switch_pm_parameter") is not None:
            if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", str(p["switch_pm_parameter"])):
                raise _bad("START_PARAM_INVALID")
        q = self._inline_queries.get(qid)
        if q is None or q["answered"] or time.monotonic() - q["created"] > self.inline_query_ttl:
            raise _bad(QUERY_TOO_OLD[len("Bad Request: "):])
        q["answered"] = True
        ans = dict(p)
        ans["results"] = checked
        self.inline_answers[qid] = ans
        return True

    def _validate_inline_result(self, res: Any, ids: set[str]) -> dict:
        p = "can't parse inline query result: "
        if not isinstance(res, dict):
            raise _bad(p + "InlineQueryResult must be an Object")
        rtype = res.get("type")
        if not isinstance(rtype, str):
            raise _bad(p + "Can't find field \"type\"")
        if rtype.lower() not in _INLINE_RESULT_TYPES:
            raise _bad(p + f"Unsupported inline query result type \"{rtype}\"")
        rid = res.get("id")
        if rid is None:
            raise _bad(p + "Can't find field \"id\"")
        rid = str(rid)
        if not rid or len(rid.encode("utf-8")) > 64:
            raise _bad("RESULT_ID_INVALID")
        if rid in ids:
            raise _bad("RESULT_ID_DUPLICATE")
        ids.add(rid)
        out = copy.deepcopy(res)
        if res.get("reply_markup") is not None:
            out["reply_markup"] = self._validate_reply_markup(res["reply_markup"], inline_only=True)
        imc = res.get("input_message_content")
        if rtype.lower() == "article":
            if not isinstance(res.get("title"), str):
                raise _bad(p + "Can't find field \"title\"")
            if not res["title"].strip():
                raise _bad(p + "Field \"title\" must be non-empty")
            if imc is None:
                raise _bad(p + "Can't find field \"input_message_content\"")
        if imc is not None:
            if not isinstance(imc, dict):
                raise _bad(p + "InputMessageContent must be an Object")
            if "message_text" in imc or not any(k in imc for k in (
                    "latitude", "phone_number", "payload", "prices")):
                plain, ents = self._format_text(imc.get("message_text"), imc.get("parse_mode"),
                                                imc.get("entities"))
                out["input_message_content"]["_plain"] = plain
                out["input_message_content"]["_entities"] = ents
        return out

    # ------------------------------------------------------------------ methods: files & chats

    async def _m_getfile(self, p: dict, r: _Req) -> dict:
        fid = p.get("file_id")
        if not fid:
            raise _bad("file_id is empty")
        f = self._files.get(str(fid))
        if f is None:
            raise _bad("invalid file_id")
        if f["file_size"] > 20 * 1024 * 1024:
            raise _bad("file is too big")
        return {"file_id": f["file_id"], "file_unique_id": f["file_unique_id"],
                "file_size": f["file_size"], "file_path": f["file_path"]}

    async def _m_getchat(self, p: dict, r: _Req) -> dict:
        chat = self._resolve_chat(p.get("chat_id"))
        info = self._chat_public(chat)
        info.update({
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {"unlimited_gifts": False, "limited_gifts": False,
                                    "unique_gifts": False, "premium_subscription": False,
                                    "gifts_from_channels": False},
        })
        for k in ("description", "bio", "invite_link"):
            if k in chat:
                info[k] = chat[k]
        return info

    def _member_object(self, chat_id: int, user_id: int, status: str) -> dict:
        if user_id == self.bot_id:
            u = {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        else:
            u = self._users.get(user_id) or {"id": user_id, "is_bot": False,
                                              "first_name": f"User {user_id}"}
            u = dict(u)
        m: dict[str, Any] = {"status": status, "user": u}
        if status == "creator":
            m["is_anonymous"] = False
        elif status == "administrator":
            m.update({
                "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
                "can_delete_messages": True, "can_manage_video_chats": True,
                "can_restrict_members": True, "can_promote_members": False,
                "can_change_info": True, "can_invite_users": True, "can_post_stories": False,
                "can_edit_stories": False, "can_delete_stories": False,
                "can_pin_messages": True,
            })
        elif status == "kicked":
            m["until_date"] = 0
        elif status == "restricted":
            m.update({
                "is_member": True, "can_change_info": False, "can_invite_users": False,
                "can_pin_messages": False, "can_send_messages": False, "can_send_polls": False,
                "can_send_other_messages": False, "can_add_web_page_previews": False,
                "can_manage_topics": False, "until_date": 0, "can_send_audios": False,
                "can_send_documents": False, "can_send_photos": False, "can_send_videos": False,
                "can_send_video_notes": False, "can_send_voice_notes": False,
                "can_edit_tag": False,
            })
        return m

    async def _m_getchatmember(self, p: dict, r: _Req) -> dict:
        chat = self._resolve_chat(p.get("chat_id"))
        uid = p.get("user_id")
        try:
            uid = int(uid)
        except (TypeError, ValueError):
            raise _bad("user_id is empty" if uid in (None, "") else "invalid user_id specified") from None
        status = self._members.get((chat["id"], uid))
        if status is None:
            if uid == self.bot_id:
                status = "member"
            elif chat["type"] == "private" and uid == chat["id"]:
                status = "member"
            else:
                status = "left"
        return self._member_object(chat["id"], uid, status)

    async def _m_getchatadministrators(self, p: dict, r: _Req) -> list[dict]:
        chat = self._resolve_chat(p.get("chat_id"))
        if chat["type"] == "private":
            raise _bad("there are no administrators in the private chat")
        return [self._member_object(cid, uid, st) for (cid, uid), st in self._members.items()
                if cid == chat["id"] and st in ("creator", "administrator")]

    async def _m_getchatmembercount(self, p: dict, r: _Req) -> int:
        chat = self._resolve_chat(p.get("chat_id"))
        return max(1, sum(1 for (cid, _), st in self._members.items()
                          if cid == chat["id"] and st in ("creator", "administrator", "member", "restricted")))

    # ------------------------------------------------------------------ methods: bot settings

    def _scope_key(self, scope: Any) -> str:
        if scope is None or scope == "":
            scope = {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
            raise _bad("can't parse BotCommandScope JSON object")
        s = {"type": scope["type"]}
        if scope["type"] in ("chat", "chat_administrators", "chat_member"):
            s["chat_id"] = self._resolve_chat(scope.get("chat_id"))["id"]
        if scope["type"] == "chat_member":
            if scope.get("user_id") in (None, ""):
                raise _bad("user_id is empty")
            s["user_id"] = int(scope["user_id"])
        return json.dumps(s, sort_keys=True)

    @staticmethod
    def _check_language(code: Any) -> str:
        code = code or ""
        if code and not re.fullmatch(r"[a-z]{2}", str(code)):
            raise _bad("invalid language code specified")
        return str(code)

    async def _m_setmycommands(self, p: dict, r: _Req) -> bool:
        cmds = p.get("commands")
        if cmds is None:
            raise _bad("commands is empty") if "commands" not in p else _bad("can't parse commands JSON object")
        if not isinstance(cmds, list):
            raise _bad("can't parse commands JSON object")
        if len(cmds) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        clean = []
        for c in cmds:
            if not isinstance(c, dict) or not isinstance(c.get("command"), str):
                raise _bad("can't parse BotCommand: Can't find field \"command\"")
            if not isinstance(c.get("description"), str):
                raise _bad("can't parse BotCommand: Can't find field \"description\"")
            name = c["command"].strip()
            if name.startswith("/"):
                name = name[1:]
            if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            desc = c["description"].strip()
            if not 1 <= len(desc) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": desc})
        key = (self._scope_key(p.get("scope")), self._check_language(p.get("language_code")))
        if clean:
            self.commands[key] = clean
        else:
            self.commands.pop(key, None)
        return True

    async def _m_getmycommands(self, p: dict, r: _Req) -> list[dict]:
        key = (self._scope_key(p.get("scope")), self._check_language(p.get("language_code")))
        return list(self.commands.get(key, []))

    async def _m_deletemycommands(self, p: dict, r: _Req) -> bool:
        key = (self._scope_key(p.get("scope")), self._check_language(p.get("language_code")))
        self.commands.pop(key, None)
        return True

    async def _m_setmydescription(self, p: dict, r: _Req) -> bool:
        d = p.get("description") or ""
        if len(d) > 512:
            raise _bad("description is too long")
        self.descriptions[self._check_language(p.get("language_code"))] = d
        return True

    async def _m_getmydescription(self, p: dict, r: _Req) -> dict:
        return {"description": self.descriptions.get(self._check_language(p.get("language_code")), "")}

    async def _m_setmyshortdescription(self, p: dict, r: _Req) -> bool:
        d = p.get("short_description") or ""
        if len(d) > 120:
            raise _bad("short description is too long")
        self.short_descriptions[self._check_language(p.get("language_code"))] = d
        return True

    async def _m_getmyshortdescription(self, p: dict, r: _Req) -> dict:
        return {"short_description":
                self.short_descriptions.get(self._check_language(p.get("language_code")), "")}

    async def _m_setmyname(self, p: dict, r: _Req) -> bool:
        n = p.get("name") or ""
        if len(n) > 64:
            raise _bad("name is too long")
        self.names[self._check_language(p.get("language_code"))] = n
        return True

    async def _m_getmyname(self, p: dict, r: _Req) -> dict:
        return {"name": self.names.get(self._check_language(p.get("language_code")), "")
                or self.bot_user["first_name"]}

    async def _m_setchatmenubutton(self, p: dict, r: _Req) -> bool:
        chat_id = None
        if p.get("chat_id") not in (None, ""):
            chat = self._resolve_chat(p["chat_id"])
            if chat["type"] != "private":
                raise _bad("chat is not private")
            chat_id = chat["id"]
        mb = p.get("menu_button") or {"type": "default"}
        if not isinstance(mb, dict) or mb.get("type") not in ("default", "commands", "web_app"):
            raise _bad("can't parse MenuButton JSON object")
        if mb["type"] == "web_app":
            if not mb.get("text") or not str((mb.get("web_app") or {}).get("url", "")).startswith("https://"):
                raise _bad("can't parse MenuButton JSON object")
        self.menu_buttons[chat_id] = mb
        return True

    async def _m_getchatmenubutton(self, p: dict, r: _Req) -> dict:
        chat_id = None
        if p.get("chat_id") not in (None, ""):
            chat_id = self._resolve_chat(p["chat_id"])["id"]
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "commands"}


@contextlib.asynccontextmanager
async def running_fake(token: str = DEFAULT_TOKEN, **kwargs: Any):
    """``async with running_fake() as fake:`` -- a started FakeTelegram."""
    fake = FakeTelegram(token, **kwargs)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


async def stop_process(proc: "asyncio.subprocess.Process", timeout: float = 20) -> int | None:
    """SIGTERM a bot process (the clean stop) and wait; SIGKILL it if it hangs past ``timeout``.

    Returns its exit status, or None when it had to be killed."""
    if proc.returncode is not None:
        return proc.returncode
    proc.send_signal(signal.SIGTERM)
    try:
        return await asyncio.wait_for(proc.wait(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        await proc.wait()
        return None


def iter_buttons(message: dict) -> Iterable[dict]:
    """All inline buttons of a sent-message record or Message dict."""
    markup = message.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        yield from row
