"""What the bot says, as plain data: answers, help, admin reports → :class:`Reply` (Telegram HTML).

Pure functions only: nothing here talks to Telegram or the knowledge base. Handlers turn a
:class:`Reply` into a ``send_message`` call. Every piece of text that comes from a user or a
document is escaped; messages longer than Telegram's 4096 characters are split at paragraph,
line or sentence boundaries without breaking a tag or an entity (open tags are closed at the
end of a part and reopened at the start of the next).

Callback data (≤ 64 bytes, see :func:`parse_callback`):

    p:<paragraph_id>                    show a whole paragraph
    m:<question_id>:<pid>,<pid>,...     more results (the next hits' paragraph ids)
    f:<question_id>:[<ref>:]<1|0>       👍 / 👎 feedback (on the answer's paragraph ref)
    s:<question_id>:<paragraph_id>      猜你想问: a suggestion, shown as the answer
    e:<question_id>                     🙋 send the question to the admins
    o:<paragraph_id>                    📎 the original file an admin uploaded (its document)
    a:<escalation_id>:<ref>             (admins) 就是这段: answer an escalation with a paragraph
    w:<escalation_id>                   (admins) 写答案: ask for the answer as a reply
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from knowledge import (Answer, Citation, DocumentInfo, FileReport, Hit, IngestReport,
                       ParagraphView, Stats)
from knowledge import UnansweredQuestion
from knowledge.text import SENTENCE_ENDS, format_size

from .texts import lang_for, text_for  # re-exported: handlers use render.text_for

if TYPE_CHECKING:
    from knowledge import Escalation, Taught

__all__ = ["Button", "Reply", "InlineResult", "MAX_TEXT", "MAX_CALLBACK", "lang_for", "escape",
           "escape_attr", "highlight", "citation_html", "split_html", "render_answer",
           "render_more", "render_paragraph", "render_help", "render_not_found",
           "render_inline_results", "parse_callback", "cb_paragraph", "cb_more", "cb_feedback",
           "cb_suggestion", "cb_escalate", "cb_original", "start_ref", "cb_this_one", "cb_write",
           "render_escalation_card",
           "render_card_answered", "render_escalation_answer", "render_write_prompt",
           "escalate_row", "written_answer_hit", "render_taught", "text_for", "truncate",
           "cb_audience", "deep_link", "audience_buttons", "render_audience_choice"]

MAX_TEXT = 4096         # Telegram's limit for a message text (counted here in UTF-16 units)
MAX_CALLBACK = 64       # bytes of callback_data
MAX_ECHO = 80           # characters of the question echoed back
SUGGESTIONS = 3
INLINE_RESULTS = 10
CLOSEST = 3             # closest passages offered to the admins (就是这段 ①②③)
MAX_LABEL = 24          # characters of a suggestion button's label
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


@dataclass(frozen=True)
class Button:
    text: str
    callback_data: str | None = None
    url: str | None = None
    switch_inline_query: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    parse_mode: str = "HTML"
    buttons: tuple[tuple[Button, ...], ...] = ()
    disable_preview: bool = True


@dataclass(frozen=True)
class InlineResult:
    """One inline-mode article: ``text`` is the HTML message it sends."""

    id: str
    title: str
    description: str
    text: str


# -- texts ---------------------------------------------------------------------------------------------
def escape(text: str) -> str:
    """Text for Telegram HTML: only ``&``, ``<`` and ``>`` need escaping outside attributes."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")


def truncate(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _merge(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    clean = sorted((max(0, s), min(length, e)) for s, e in spans if min(length, e) > max(0, s))
    merged: list[tuple[int, int]] = []
    for start, end in clean:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` escaped, with the ``[start, end)`` spans in bold (overlaps merged, clamped)."""
    out, position = [], 0
    for start, end in _merge(spans, len(text)):
        out.append(escape(text[position:start]))
        out.append(f"<b>{escape(text[start:end])}</b>")
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _safe_url(url: str | None) -> str | None:
    if url and re.match(r"^(https?|tg)://\S+$", url):
        return url
    return None


def see_also_label(citation: Citation) -> str:
    """《document》 and the article (the last heading), for a 另见 line and its button."""
    article = citation.section[-1] if citation.section else citation.place
    return f"《{citation.document}》{article}"


def citation_html(citation: Citation) -> str:
    """document › section › 第N段 (or the FAQ question), the document linked when the citation
    has a URL."""
    document = escape(citation.document)
    url = _safe_url(citation.url)
    if url:
        document = f'<a href="{escape_attr(url)}">{document}</a>'
    parts = [document, *(escape(s) for s in citation.section if s), escape(citation.place)]
    return "📖 " + " › ".join(p for p in parts if p)


def _units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


_TOKENS = re.compile(r"<[^<>]*>|&#?\w+;|[\s\S]")
_TAG_NAME = re.compile(r"</?\s*([A-Za-z][A-Za-z0-9-]*)")
_SENTENCE_END = frozenset(SENTENCE_ENDS)  # split long replies after a sentence


def _apply(stack: tuple[tuple[str, str], ...], token: str) -> tuple[tuple[str, str], ...]:
    if not token.startswith("<") or len(token) < 3:
        return stack
    match = _TAG_NAME.match(token)
    if not match:
        return stack
    name = match.group(1).lower()
    if token.startswith("</"):
        for i in range(len(stack) - 1, -1, -1):
            if stack[i][0] == name:
                return stack[:i] + stack[i + 1:]
        return stack
    return stack + ((name, token),)


def _visible(html: str) -> str:
    return re.sub(r"<[^<>]*>", "", html).strip()


def split_html(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split Telegram HTML into parts of at most ``limit`` units, each one valid on its own.

    Breaks preferably at a blank line, then a line end, a sentence end, a space; open tags are
    closed at the end of a part and reopened at the start of the next. Empty parts are dropped.
    """
    if _units(text) <= limit:
        return [text] if _visible(text) else []
    tokens = _TOKENS.findall(text)
    parts: list[str] = []
    start, stack = 0, ()
    while start < len(tokens):
        prefix = "".join(tag for _, tag in stack)
        size, current, i = _units(prefix), stack, start
        breaks: dict[int, tuple[int, tuple]] = {}
        while i < len(tokens):
            token = tokens[i]
            after = _apply(current, token)
            closing = sum(len(name) + 3 for name, _ in after)
            if size + _units(token) + closing > limit:
                break
            size += _units(token)
            current, i = after, i + 1
            if token == "\n":
                level = 4 if i - 2 >= start and tokens[i - 2] == "\n" else 3
            elif token in _SENTENCE_END:
                level = 2
            elif token.isspace():
                level = 1
            else:
                continue
            breaks[level] = (i, current)
        if i >= len(tokens):
            end, end_stack = i, current
        else:
            end, end_stack = i, current
            floor = start + (i - start) // 3  # don't make tiny parts for a nicer break
            for level in (4, 3, 2, 1):
                if level in breaks and breaks[level][0] > floor:
                    end, end_stack = breaks[level]
                    break
            if end == start:  # a single token longer than the limit: cannot happen with tags ≤ limit
                end, end_stack = start + 1, _apply(stack, tokens[start])
        closing = "".join(f"</{name}>" for name, _ in reversed(end_stack))
        part = (prefix + "".join(tokens[start:end]) + closing).strip()
        if _visible(part):
            parts.append(part)
        start, stack = end, end_stack
    return parts


def _replies(text: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> list[Reply]:
    """``text`` as one or more replies; the buttons go on the last one."""
    parts = split_html(text) or ["…"]
    return [Reply(part, buttons=buttons if n == len(parts) - 1 else ())
            for n, part in enumerate(parts)]


# -- callback data -------------------------------------------------------------------------------------
def cb_paragraph(paragraph_id: int) -> str:
    return f"p:{paragraph_id}"


def cb_more(question_id: int, paragraph_ids: Sequence[int]) -> str:
    ids = [str(p) for p in paragraph_ids]
    while ids:
        data = f"m:{question_id}:{','.join(ids)}"
        if len(data.encode()) <= MAX_CALLBACK:
            return data
        ids.pop()
    return f"m:{question_id}:"


def cb_feedback(question_id: int, helpful: bool, ref: str = "") -> str:
    flag = 1 if helpful else 0
    return f"f:{question_id}:{ref}:{flag}" if _REF.fullmatch(ref) else f"f:{question_id}:{flag}"


def cb_suggestion(question_id: int, paragraph_id: int) -> str:
    return f"s:{question_id}:{paragraph_id}"


def cb_escalate(question_id: int) -> str:
    return f"e:{question_id}"


def cb_original(paragraph_id: int) -> str:
    return f"o:{paragraph_id}"


def cb_this_one(escalation_id: int, ref: str) -> str:
    return f"a:{escalation_id}:{ref}"


def cb_write(escalation_id: int) -> str:
    return f"w:{escalation_id}"


def cb_audience(doc_id: int, choice: int) -> str:
    """谁可以看到？ on an upload reply: ``choice`` 0 is 全员, n the n-th configured audience."""
    return f"v:{doc_id}:{choice}"


_ID = re.compile(r"[0-9]{1,18}")  # an SQLite rowid: ASCII digits, below 2**63
_REF = re.compile(r"[0-9a-f]{6,40}")  # a paragraph's stable ref (hex of a sha1)


def _id(text: str) -> int:
    """A database id from callback data; ValueError for anything else (forged data may hold
    signs, spaces, full-width digits or numbers too large for SQLite)."""
    if not _ID.fullmatch(text):
        raise ValueError(text)
    return int(text)


def parse_callback(data: str | None) -> tuple | None:
    """The button's meaning, or None if invalid:

    ``("p", pid)``, ``("m", qid, (pid, ...))``, ``("f", qid, helpful, ref)`` (ref "" when the
    button has none), ``("s", qid, pid)``, ``("e", qid)``, ``("a", escalation_id, ref)``,
    ``("w", escalation_id)``, ``("v", doc_id, choice)``.
    """
    if not data or len(data.encode()) > MAX_CALLBACK:
        return None
    try:
        kind, _, rest = data.partition(":")
        if kind == "p":
            return ("p", _id(rest))
        if kind == "m":
            qid, _, ids = rest.partition(":")
            return ("m", _id(qid), tuple(_id(p) for p in ids.split(",") if p))
        if kind == "f":
            parts = rest.split(":")
            qid, ref, flag = (parts[0], "", parts[1]) if len(parts) == 2 else \
                (parts[0], parts[1], parts[2]) if len(parts) == 3 else ("", "", "")
            if flag not in ("0", "1") or (len(parts) == 3 and not _REF.fullmatch(ref)):
                return None
            return ("f", _id(qid), flag == "1", ref)
        if kind == "s":
            qid, _, pid = rest.partition(":")
            return ("s", _id(qid), _id(pid))
        if kind == "e":
            return ("e", _id(rest))
        if kind == "o":
            return ("o", _id(rest))
        if kind == "a":
            eid, _, ref = rest.partition(":")
            return ("a", _id(eid), ref) if _REF.fullmatch(ref) else None
        if kind == "w":
            return ("w", _id(rest))
        if kind == "v":
            doc, _, choice = rest.partition(":")
            return ("v", _id(doc), _id(choice))
    except ValueError:
        return None
    return None


# -- deep links: t.me/<bot>?start=p<ref> opens a paragraph in private chat --------------------------
START_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{1,64}")   # Telegram's limit for a start parameter


def deep_link(bot_username: str | None, ref: str) -> str | None:
    """``https://t.me/<bot>?start=p<ref>``: opens the paragraph ``ref`` names in a private chat
    with the bot (access checked there); None when the ref or the username cannot make one.
    The payload is ``p`` and the 12-hex stable ref (Telegram allows 64 of ``[A-Za-z0-9_-]``)."""
    if not (bot_username and _REF.fullmatch(ref or "")
            and re.fullmatch(r"[A-Za-z0-9_]{4,32}", bot_username)):
        return None
    return f"https://t.me/{bot_username}?start=p{ref}"


def start_ref(payload: str) -> str | None:
    """The paragraph ref a /start payload carries (``p<ref>``), None for anything else."""
    if START_PAYLOAD.fullmatch(payload) and payload.startswith("p") and _REF.fullmatch(payload[1:]):
        return payload[1:]
    return None


def _full_text_link(hit: Hit, bot_username: str | None, lang: str) -> str:
    """ `· 全文` linking to the paragraph in private chat ("" when there is no link)."""
    url = deep_link(bot_username, hit.ref) if hit.paragraph_id else None
    return f' · <a href="{escape_attr(url)}">{text_for(lang, "full_link")}</a>' if url else ""


# -- answers -------------------------------------------------------------------------------------------
def _hit_html(hit: Hit) -> str:
    return f"{highlight(hit.excerpt, hit.highlights)}\n{citation_html(hit.citation)}"


def _open_buttons(hits: Sequence[Hit], lang: str, first: int = 1) -> tuple[Button, ...]:
    return tuple(Button(text_for(lang, "open", n=n), callback_data=cb_paragraph(h.paragraph_id))
                 for n, h in enumerate(hits, first))


def escalate_row(question_id: int, lang: str = "zh") -> tuple[Button, ...]:
    """The 🙋 问管理员 button (a row of its own)."""
    return (Button(text_for(lang, "escalate"), callback_data=cb_escalate(question_id)),)


def _suggestion_label(hit: Hit, document: bool = False) -> str:
    """What a 猜你想问 button says: the FAQ/taught question, else the paragraph's heading, else
    the start of its excerpt; ``document``: the document's name before the heading (two texts
    answering alike: the asker picks by whose rule it is)."""
    label = hit.question or (hit.citation.section[-1] if hit.citation.section else "") \
        or hit.excerpt
    if document and not hit.question:
        label = f"{hit.citation.document} {label}"
    return truncate(label, MAX_LABEL) or "…"


def render_answer(answer: Answer, question_id: int | None, lang: str = "zh", *,
                  escalate: bool = False, bot_username: str | None = None,
                  original: bool = False) -> list[Reply]:
    """The reply to a question: the best excerpt, suggestions (猜你想问), or the not-found
    message. ``escalate``: offer 🙋 问管理员 (admins are configured) on not-found and
    suggestions. ``bot_username`` (a group answer): the citation links to the full text in a
    private chat with that bot. ``original``: the best passage's document was uploaded by an
    admin; a 📎 button sends that file."""
    qid = question_id or 0
    offer = escalate and bool(qid)
    if answer.status == "not_found" or not answer.hits:
        return render_not_found(answer.question, lang, terms=answer.searched_terms,
                                question_id=qid if offer else None)
    if answer.status == "suggestions":
        hits = answer.hits[:SUGGESTIONS]
        # two texts answering alike (two offices' rules): both shown, the asker picks theirs
        alike = answer.alike
        lines = [text_for(lang, "alike", first=escape(alike[0]), second=escape(alike[1]))
                 if alike else text_for(lang, "unsure")]
        lines += [f"\n{CIRCLED[n]} {_hit_html(h)}" for n, h in enumerate(hits)]
        rows = [(Button(f"{CIRCLED[n]} {_suggestion_label(h, bool(alike))}",
                        callback_data=cb_suggestion(qid, h.paragraph_id) if qid
                        else cb_paragraph(h.paragraph_id)),) for n, h in enumerate(hits)]
        if offer:
            rows.append(escalate_row(qid, lang))
        return _replies("\n".join(lines), tuple(rows))
    best = answer.hits[0]
    text = (f"{highlight(best.excerpt, best.highlights)}\n\n{citation_html(best.citation)}"
            + _full_text_link(best, bot_username, lang))
    if answer.see_also:
        text += "\n" + text_for(lang, "see_also") + "；".join(
            escape(see_also_label(h.citation)) for h in answer.see_also)
    # a written answer (taught by an admin) is whole already: no paragraph to open
    first_row = [Button(text_for(lang, "full"), callback_data=cb_paragraph(best.paragraph_id))] \
        if best.paragraph_id else []
    if len(answer.hits) > 1:
        first_row.append(Button(text_for(lang, "more"), callback_data=cb_more(
            qid, [h.paragraph_id for h in answer.hits[1:]])))
    if original and best.paragraph_id:
        first_row.append(Button(text_for(lang, "original"),
                                callback_data=cb_original(best.paragraph_id)))
    rows: list[tuple[Button, ...]] = [tuple(first_row)] if first_row else []
    if answer.see_also:
        rows.append(tuple(Button(text_for(lang, "see_also")
                                 + truncate(see_also_label(h.citation), 24),
                                 callback_data=cb_paragraph(h.paragraph_id))
                          for h in answer.see_also))
    if question_id:
        rows.append((Button("👍", callback_data=cb_feedback(qid, True, best.ref)),
                     Button("👎", callback_data=cb_feedback(qid, False, best.ref))))
    return _replies(text, tuple(rows))


def render_more(hits: Sequence[Hit], lang: str = "zh") -> list[Reply]:
    """The next hits after the best one, each cited, with a button to open each paragraph."""
    if not hits:
        return [Reply(text_for(lang, "expired"))]
    lines = [text_for(lang, "more_header")]
    lines += [f"\n{n}. {_hit_html(h)}" for n, h in enumerate(hits, 1)]
    return _replies("\n".join(lines), (_open_buttons(hits, lang),))


def render_paragraph(view: ParagraphView | None, lang: str = "zh") -> list[Reply]:
    """A whole paragraph with its citation (split when long)."""
    if view is None:
        return [Reply(text_for(lang, "gone"))]
    return _replies(f"{citation_html(view.citation)}\n\n{escape(view.text)}")


def render_not_found(question: str, lang: str = "zh", *, terms: Sequence[str] = (),
                     question_id: int | None = None) -> list[Reply]:
    """Nothing found: the question echoed, the words searched for, and (with ``question_id``)
    the 🙋 问管理员 button."""
    lines = [text_for(lang, "not_found", question=escape(truncate(question, MAX_ECHO)))]
    shown = "、".join(dict.fromkeys(t for t in terms if t.strip()))
    lines.append(text_for(lang, "searched", terms=escape(truncate(shown, MAX_ECHO))) if shown
                 else text_for(lang, "searched_nothing"))
    if question_id:
        lines.append(text_for(lang, "not_found_escalate"))
        return [Reply("\n".join(lines), buttons=(escalate_row(question_id, lang),))]
    lines.append(text_for(lang, "not_found_noted"))
    return [Reply("\n".join(lines))]


def render_help(lang: str = "zh", is_admin: bool = False, bot_username: str | None = None,
                suffixes: Iterable[str] = ()) -> list[Reply]:
    mention = escape("@" + bot_username) if bot_username else "@bot"
    parts = [text_for(lang, "intro"), text_for(lang, "how_private"),
             text_for(lang, "how_group", mention=mention),
             text_for(lang, "how_inline", mention=mention), text_for(lang, "commands")]
    if is_admin:
        listed = "、".join(sorted(s.lstrip(".") for s in suffixes)) or "txt、md、docx、pdf、html、jsonl"
        parts.append(text_for(lang, "admin", suffixes=escape(listed)))
    return _replies("\n\n".join(parts))


def render_message(lang: str, key: str, **values: str) -> list[Reply]:
    """A fixed message; ``values`` are plain text and get escaped."""
    return [Reply(text_for(lang, key, **{k: escape(str(v)) for k, v in values.items()}))]


def render_inline_results(answer: Answer, limit: int = INLINE_RESULTS, *,
                          bot_username: str | None = None, lang: str = "zh"
                          ) -> list[InlineResult]:
    """Inline-mode articles for the hits (none when nothing was found). A hit from a document
    not for 全员 carries its document's title and a "view in private chat" deep link, never
    its text (nor its headings, which may be its text: an inline result can be sent into any
    chat). Other citations end with a 全文 deep link to the full text."""
    if answer.status == "not_found":
        return []
    out = []
    for hit in answer.hits[:limit]:
        c = hit.citation
        title = " › ".join(p for p in (c.document, *c.section) if p)
        if hit.restricted:
            link = deep_link(bot_username, hit.ref)
            if link is None:
                continue   # nothing to offer without the text
            note = text_for(lang, "in_private")
            out.append(InlineResult(
                id=f"p{hit.paragraph_id}", title=truncate(c.document, 100) or "…",
                description=note,
                text=f"{text_for(lang, 'in_private_note')}\n📖 {escape(truncate(c.document, 200))}"
                     f'\n<a href="{escape_attr(link)}">{escape(note)}</a>'))
            continue
        out.append(InlineResult(
            id=f"p{hit.paragraph_id}",
            title=truncate(title, 100) or "…",
            description=truncate(hit.excerpt, 200),
            text=split_html(_hit_html(hit) + _full_text_link(hit, bot_username, lang))[0]))
    return out


# -- escalations (🙋) ----------------------------------------------------------------------------------
def _short_citation(citation: Citation) -> str:
    return "📖 " + escape(truncate(citation.label, 120))


def render_escalation_card(escalation: Escalation, closest: Sequence[Hit], lang: str = "zh", *,
                           asker_username: str = "", times: int = 0,
                           kind: str = "not_found") -> Reply:
    """What the admins get for a question: who asked and where (or, for an entry of
    /unanswered, how it failed — ``kind`` — and how often), the closest passages with 就是这段
    buttons, and 写答案. One message (bounded well below 4096)."""
    e = escalation
    lines = [text_for(lang, "card_header"), f"❓ <b>{escape(truncate(e.question, 300))}</b>"]
    if e.asker_id:
        name = truncate(e.asker_name, 64) or str(e.asker_id)
        lines.append(text_for(lang, "card_asker", name=escape(name), id=e.asker_id))
        lines.append(text_for(lang, "card_group", title=escape(truncate(e.chat_title, 64)))
                     if e.chat_title else text_for(lang, "card_private"))
    else:
        lines.append(text_for(lang, "card_unanswered", n=max(times, 1),
                              kind=text_for(lang, "kind_" + kind)))
    offered = [h for h in closest if _REF.fullmatch(h.ref)][:CLOSEST]
    if offered:
        lines.append("\n" + text_for(lang, "card_closest"))
        lines += [f"{CIRCLED[n]} {escape(truncate(h.excerpt, 150))}\n{_short_citation(h.citation)}"
                  for n, h in enumerate(offered)]
    else:
        lines.append("\n" + text_for(lang, "card_none"))
    lines.append("\n" + text_for(lang, "card_how"))
    rows: list[tuple[Button, ...]] = []
    if offered:
        rows.append(tuple(Button(text_for(lang, "this_one", n=CIRCLED[n]),
                                 callback_data=cb_this_one(e.id, h.ref))
                          for n, h in enumerate(offered)))
    rows.append((Button(text_for(lang, "write"), callback_data=cb_write(e.id)),))
    return Reply("\n".join(lines), buttons=tuple(rows))


def render_card_answered(card: Reply, by: str, lang: str = "zh") -> Reply:
    """The card once answered: its text, who answered, no buttons."""
    return Reply(card.text + "\n\n" + text_for(lang, "card_answered",
                                                 name=escape(truncate(by, 64) or "?")))


def render_write_prompt(question: str, lang: str = "zh") -> Reply:
    """The 写答案 prompt (sent with a ForceReply: the admin's reply is the answer)."""
    return Reply(text_for(lang, "write_prompt", question=escape(truncate(question, 200))))


def written_answer_hit(taught: Taught, lang: str = "zh") -> Hit:
    """A written answer as a hit, cited 管理员答复 › date (paragraph 0: no paragraph number)."""
    citation = Citation(text_for(lang, "admin_answer_label"), (taught.taught_at[:10],), 0,
                        "taught")
    return Hit(0, 0, citation, taught.answer, (), 0.0, kind="taught", question=taught.question)


def render_escalation_answer(question: str, hit: Hit, lang: str = "zh") -> list[Reply]:
    """What the asker gets once an admin answered: the passage (or written answer), cited."""
    text = (text_for(lang, "answer_for_asker", question=escape(truncate(question, MAX_ECHO)))
            + f"\n\n{highlight(hit.excerpt, hit.highlights)}\n\n{citation_html(hit.citation)}")
    buttons = ((Button(text_for(lang, "full"), callback_data=cb_paragraph(hit.paragraph_id)),),) \
        if hit.paragraph_id else ()
    return _replies(text, buttons)


# -- admin ---------------------------------------------------------------------------------------------
def render_docs(documents: Sequence[DocumentInfo], lang: str = "zh") -> list[Reply]:
    if not documents:
        return [Reply(text_for(lang, "no_docs"))]
    lines = [text_for(lang, "docs_header", n=len(documents))]
    for d in documents:
        title = escape(truncate(d.title, 80))
        url = _safe_url(d.url)
        if url:
            title = f'<a href="{escape_attr(url)}">{title}</a>'
        lines.append(f"<code>{d.id}</code> {title} — {d.paragraphs} ¶ ({escape(d.kind)}) "
                     f"· 👥 {escape(d.audience)}")
    return _replies("\n".join(lines))


def audience_buttons(doc_id: int, names: Sequence[str], lang: str = "zh"
                     ) -> tuple[tuple[Button, ...], ...]:
    """谁可以看到？ 全员 / 财务处 / …: one button per choice (three to a row)."""
    choices = [Button(text_for(lang, "everyone"), callback_data=cb_audience(doc_id, 0))]
    choices += [Button(truncate(name, MAX_LABEL), callback_data=cb_audience(doc_id, n))
                for n, name in enumerate(names, 1)]
    return tuple(tuple(choices[i:i + 3]) for i in range(0, len(choices), 3))


def render_audience_choice(replies: list[Reply], doc_id: int, names: Sequence[str],
                           lang: str = "zh") -> list[Reply]:
    """An upload's reply with the question 谁可以看到？ and its buttons under the last part."""
    last = replies[-1]
    text = f"{last.text}\n\n{text_for(lang, 'who_can_see')}"
    if _units(text) > MAX_TEXT:
        return [*replies, Reply(text_for(lang, "who_can_see"),
                                buttons=audience_buttons(doc_id, names, lang))]
    return [*replies[:-1], Reply(text, last.parse_mode,
                                 last.buttons + audience_buttons(doc_id, names, lang),
                                 last.disable_preview)]


def render_stats(stats: Stats, lang: str = "zh") -> list[Reply]:
    return [Reply(text_for(lang, "stats", documents=stats.documents, paragraphs=stats.paragraphs,
                           questions=stats.questions, answered=stats.answered,
                           share=f"{stats.answered_share:.0%}", suggested=stats.suggested,
                           not_found=stats.not_found, helpful=stats.helpful,
                           unhelpful=stats.unhelpful,
                           meaning=text_for(lang, "stats_meaning",
                                            embedded=stats.meaning_paragraphs,
                                            paragraphs=stats.paragraphs)
                           if stats.meaning else ""))]


def render_unanswered(items: Sequence[UnansweredQuestion], lang: str = "zh") -> list[Reply]:
    if not items:
        return [Reply(text_for(lang, "no_unanswered"))]
    lines = [text_for(lang, "unanswered_header")]
    lines += [f"{q.count}× {escape(truncate(q.question, 200))} · "
              f"{text_for(lang, 'kind_' + q.kind)}" for q in items]
    return _replies("\n".join(lines))


TAUGHT_LISTED = 200   # taught questions shown by /taught (the newest); the CLI lists them all


def render_taught(taught: Sequence[Taught], lang: str = "zh") -> list[Reply]:
    """/taught: each taught question with its id and what it answers with (the passage's
    citation, or the written answer with its date); a link whose passage is gone is marked."""
    if not taught:
        return [Reply(text_for(lang, "taught_none"))]
    lines = [text_for(lang, "taught_header", n=len(taught))]
    for t in taught[-TAUGHT_LISTED:]:
        if t.stale:
            target = text_for(lang, "taught_stale", id=t.id)
        elif t.citation is not None:
            target = "📖 " + escape(t.citation.label)
        else:
            target = text_for(lang, "taught_written", date=t.date,
                              answer=escape(truncate(t.answer, 80)))
        lines.append(f"<code>{t.id}</code> {escape(truncate(t.question, 200))}\n    → {target}")
    lines.append(text_for(lang, "taught_footer"))
    return _replies("\n".join(lines))


def render_too_big(name: str, size: int, limit: int, lang: str = "zh") -> list[Reply]:
    return render_message(lang, "too_big", name=name, size=format_size(size, decimals=True),
                          limit=format_size(limit, decimals=True))


# What readers drop, as a staff member would say it (other kinds are shown as the reader names them).
_DROPPED_ZH = {"page header lines": "页眉", "page footer lines": "页脚", "page numbers": "页码",
               "table of contents lines": "目录", "page headers": "页眉", "page footers": "页脚"}


def _read_facts(read: FileReport, lang: str) -> list[str]:
    """The short form of what the reader did with an upload: pages, tables, lists, drops."""
    facts = [read.reader] if read.reader else []
    if read.pages:
        facts.append(text_for(lang, "pages", n=read.pages))
    if read.ocr_pages:
        facts.append(text_for(lang, "ocr_pages", n=read.ocr_pages))
    if read.tables:
        facts.append(text_for(lang, "tables", n=read.tables, rows=read.table_rows))
    if read.list_items:
        facts.append(text_for(lang, "lists", n=read.list_items))
    if read.numbered:
        facts.append(text_for(lang, "numbered", n=read.numbered))
    for what, count in read.dropped.items():
        shown = _DROPPED_ZH.get(what, what) if lang == "zh" else what
        facts.append(text_for(lang, "dropped", what=shown, n=count))
    return facts


def render_ingest(report: IngestReport, name: str, lang: str = "zh") -> list[Reply]:
    """What an upload (or /reload) indexed, or why not."""
    if report.skipped and not report.documents:
        reason = "; ".join(s.reason for s in report.skipped)
        return render_message(lang, "not_indexed", name=name, reason=reason)
    if report.unchanged and not report.documents:
        return render_message(lang, "unchanged", name=name)
    text = text_for(lang, "ingested", name=escape(name), documents=report.documents,
                    paragraphs=report.paragraphs)
    for read in report.read:
        facts = _read_facts(read, lang)
        if facts:
            text += "\n" + text_for(lang, "read", facts=escape("，".join(facts) if lang == "zh"
                                                             else ", ".join(facts)))
    if report.to_embed:
        text += "\n" + text_for(lang, "embedding_later", count=report.to_embed)
    if report.stale_taught:
        text += "\n" + text_for(lang, "stale_taught", count=len(report.stale_taught),
                                 questions=escape(truncate("；".join(report.stale_taught), 300)))
    notes = [f"{s.path}: {s.reason}" for s in report.skipped] + list(report.warnings)
    if notes:
        text += "\n" + text_for(lang, "warnings") + "\n" + "\n".join(
            "• " + escape(truncate(n, 300)) for n in notes[:20])
    return _replies(text)
