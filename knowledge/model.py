"""Small named types returned by the knowledge base: plain data, no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["SentReply", "Citation", "Hit", "Answer", "DocumentInfo", "IngestReport", "Skipped", "Stats",
           "UnansweredQuestion", "ParagraphView", "FileReport", "DocumentView", "ShownParagraph",
           "Taught", "Escalation"]


@dataclass(frozen=True)
class Citation:
    """Where an excerpt comes from: document › section › paragraph (and a link for posts)."""

    document: str
    section: tuple[str, ...]
    paragraph: int
    source: str
    source_id: str | None = None
    url: str | None = None
    ocr: bool = False          # the text was read by OCR from a scan: it may hold misreadings
    question: str = ""         # an FAQ pair's question: cited instead of the paragraph number

    @property
    def section_label(self) -> str:
        return " › ".join(self.section)

    @property
    def place(self) -> str:
        """The last part of the label: the FAQ question, 第N段, or nothing (paragraph 0: a
        written answer that is no document's paragraph)."""
        if self.question:
            return self.question
        return f"第{self.paragraph}段" if self.paragraph > 0 else ""

    @property
    def label(self) -> str:
        parts = [self.document, *self.section, self.place]
        label = " › ".join(p for p in parts if p)
        return f"{label}（扫描件识别）" if self.ocr else label


@dataclass(frozen=True)
class Hit:
    """One matching paragraph: the excerpt to show, where it is from, and why it matched."""

    doc_id: int
    paragraph_id: int
    citation: Citation
    excerpt: str
    highlights: tuple[tuple[int, int], ...]  # [start, end) spans of matched words in excerpt
    score: float
    parts: dict[str, float] = field(default_factory=dict, compare=False)
    kind: str = "paragraph"       # "paragraph", "faq" (a question/answer pair) or "taught"
    question: str = ""            # the FAQ pair's or the taught question
    ref: str = ""                 # stable reference to the paragraph (teach, votes)
    restricted: bool = False      # its document is not for 全员 (an inline result shows no text)

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "question": self.question,
            "ref": self.ref,
            "document": self.citation.document,
            "section": self.citation.section_label,
            "paragraph": self.citation.paragraph,
            "excerpt": self.excerpt,
            "highlights": [list(span) for span in self.highlights],
            "citation": self.citation.label,
            "score": round(self.score, 4),
            "source": self.citation.url or self.citation.source,
            "source_id": self.citation.source_id,
            "ocr": self.citation.ocr,
            "doc_id": self.doc_id,
            "paragraph_id": self.paragraph_id,
        }


@dataclass(frozen=True)
class Answer:
    """The outcome of a question: ``answer`` (hits[0] is it), ``suggestions`` or ``not_found``."""

    question: str
    status: str
    hits: tuple[Hit, ...]
    explain: dict | None = None
    see_also: tuple[Hit, ...] = ()   # 另见: other documents' articles that answer it too
    searched_terms: tuple[str, ...] = ()   # the question's content words as searched (what a
                                           # not-found reply says it looked for)
    held_back: tuple[str, ...] = ()   # suggestions: the decision's rules that held a likely
                                      # answer back ("alike": two texts answer alike)

    @property
    def alike(self) -> tuple[str, str] | None:
        """Two texts' articles answering alike (suggestions, ``held_back`` "alike"): the two
        documents' names; else None."""
        if self.status != "suggestions" or "alike" not in self.held_back or not self.hits:
            return None
        # (the first hit's and the next other document's: meaning may order a second article
        # of the first document between them)
        first = self.hits[0].citation.document
        other = next((h.citation.document for h in self.hits[1:]
                      if h.citation.document != first), None)
        return (first, other) if other is not None else None

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def to_json(self) -> dict:
        out = {"question": self.question, "status": self.status,
               "hits": [hit.to_json() for hit in self.hits],
               "see_also": [hit.to_json() for hit in self.see_also]}
        if self.held_back:
            out["held_back"] = list(self.held_back)
        if self.explain is not None:
            out["explain"] = self.explain
        return out


@dataclass(frozen=True)
class ParagraphView:
    """A whole paragraph, for the "full paragraph" button (a statute article's paragraph: the
    whole article, :meth:`KnowledgeBase.paragraph`)."""

    doc_id: int
    paragraph_id: int
    citation: Citation
    text: str


@dataclass(frozen=True)
class ShownParagraph:
    """One paragraph as staffbot understood it, for ``staffbot show``."""

    number: int
    section: tuple[str, ...]
    text: str
    kind: str                     # "text", "list" (lead-in + items, one a line), "table_row",
                                  # "faq" (text is the answer to ``question``)
    page: int = 0
    ocr: bool = False
    question: str = ""            # "faq": the pair's question


@dataclass(frozen=True)
class DocumentView:
    """A whole document as staffbot understood it: what read it, sections, paragraphs, rows."""

    id: int
    title: str
    source: str
    kind: str
    reader: dict
    paragraphs: tuple[ShownParagraph, ...]

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    title: str
    source: str
    source_id: str | None
    kind: str
    paragraphs: int
    url: str | None
    ingested_at: str
    audience: str = "全员"     # who may read it: 全员 (all staff) or audience names joined by ,


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class FileReport:
    """What the reader made of one file: the truth an admin needs when an answer looks cut."""

    path: str
    reader: str
    documents: int
    pages: int = 0
    blocks: int = 0
    tables: int = 0
    table_rows: int = 0
    list_items: int = 0
    numbered: int = 0             # list items whose number the reader rendered (Word numbering)
    ocr_pages: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def to_json_text(self) -> str:
        """As stored with each document it read (``staffbot show`` prints it)."""
        import json

        return json.dumps(asdict(self), ensure_ascii=False)

    def summary(self) -> str:
        """``规定.pdf: pdfplumber, 12 pages, 2 tables (14 rows); 24 page header lines dropped``"""
        facts = [self.reader] if self.reader else []
        if self.pages:
            facts.append(f"{self.pages} page{'s' if self.pages > 1 else ''}"
                         + (f" ({self.ocr_pages} by OCR)" if self.ocr_pages else ""))
        facts.append(f"{self.blocks} blocks")
        if self.tables:
            facts.append(f"{self.tables} tables ({self.table_rows} rows)")
        if self.list_items:
            facts.append(f"{self.list_items} list items"
                         + (f" ({self.numbered} numbers rendered)" if self.numbered else ""))
        notes = [f"{count} {what} dropped" for what, count in self.dropped.items()]
        text = f"{self.path}: " + ", ".join(facts)
        return text + ("; " + "; ".join(notes) if notes else "")


@dataclass
class IngestReport:
    documents: int = 0
    sections: int = 0
    paragraphs: int = 0
    tokenised: int = 0          # paragraphs tokenised; the rest kept their stored words
    files: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0
    read: list[FileReport] = field(default_factory=list)   # one per file read (not unchanged)
    # taught questions whose paragraph's text is no longer in any document after this ingest:
    # never answered from until an admin teaches them again (staffbot taught, /unanswered)
    stale_taught: list[str] = field(default_factory=list)
    embedded: int = 0           # paragraphs given a meaning vector (knowledge/meaning.py)
    reused_vectors: int = 0     # … of which kept the vector of their unchanged text
    to_embed: int = 0           # paragraphs left without one, for a background pass (embed_later)

    def to_json(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"{self.documents} documents, {self.sections} sections, {self.paragraphs} paragraphs "
            f"from {self.files} files ({self.unchanged} unchanged) in {self.seconds:.1f} s"
        ]
        if self.to_embed:
            lines.append(f"meaning: {self.to_embed} paragraphs to embed in the background")
        if self.embedded:
            lines.append(f"meaning: {self.embedded} paragraphs embedded"
                         + (f" ({self.reused_vectors} unchanged kept theirs)"
                            if self.reused_vectors else ""))
        lines += [f"read {r.summary()}" for r in self.read]
        lines += [f"skipped {s.path}: {s.reason}" for s in self.skipped]
        lines += [f"warning: {w}" for w in self.warnings]
        if self.stale_taught:
            lines.append(f"{len(self.stale_taught)} taught question(s) now point at text no "
                         f"longer in any document (stale, see staffbot taught): "
                         + "; ".join(self.stale_taught[:10]))
        return "\n".join(lines)


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question for the admins to teach: asked without a confident answer (not found, or only
    suggestions) or answered and voted 👎 — and neither taught since nor answered confidently
    when last asked (a document added since covers it)."""
    question: str          # as it was last asked
    count: int             # the askings not answered confidently, or voted 👎
    last_asked: str
    kind: str = "not_found"   # the last asking: "not_found" | "suggestions" | "unhelpful" (👎)


@dataclass(frozen=True)
class Stats:
    documents: int
    paragraphs: int
    questions: int
    answered: int
    suggested: int
    not_found: int
    helpful: int
    unhelpful: int
    meaning: str = ""           # the encoder matching by meaning ("" : words only)
    meaning_paragraphs: int = 0  # paragraphs with its vector (the rest: words only until embedded)

    @property
    def answered_share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


# -- teaching (issue 11) ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Taught:
    """A question an admin taught: linked to a paragraph (``ref``) or answered in writing."""

    id: int
    question: str
    ref: str                      # "" for a written answer
    answer: str                   # "" for a link to a paragraph
    taught_by: str
    taught_at: str                # ISO date-time
    citation: Citation | None     # where the linked paragraph is now; None if stale or written
    stale: bool                   # the linked paragraph's text is no longer in any document

    @property
    def date(self) -> str:
        """The day it was taught (``2026-12-05``): a written answer is cited with it."""
        return self.taught_at[:10]

    def to_json(self) -> dict:
        return {"id": self.id, "question": self.question, "ref": self.ref, "answer": self.answer,
                "taught_by": self.taught_by, "taught_at": self.taught_at,
                "citation": self.citation.label if self.citation is not None else None,
                "stale": self.stale}


@dataclass(frozen=True)
class Escalation:
    """A question sent to the admins with 🙋, and whether one of them has answered it."""

    id: int
    question: str
    asker_id: int
    asker_name: str
    chat_id: int                  # where it was asked (the answer goes there)
    chat_title: str               # "" for a private chat
    message_id: int               # the asker's question message (the answer replies to it)
    status: str                   # "open" | "answered"
    answered_by: str
    taught_id: int | None
    created_at: str = ""
    answered_at: str = ""


@dataclass(frozen=True)
class SentReply:
    """One message the bot sent as (part of) an answer: what it answered, where (the forum
    topic), and with what (the question's id in the log, the ref of the passage shown), so
    that an edited question can edit it and a 👍/👎 reaction on it counts as feedback."""

    chat_id: int
    message_id: int
    asked_message_id: int         # the question's message (0: none, e.g. a button's answer)
    thread_id: int = 0            # forum topic (0: none)
    user_id: int = 0              # who asked
    question: str = ""
    question_id: int = 0          # in the question log (0: not logged)
    ref: str = ""                 # the shown passage's stable ref ("" for none)
    sent_at: str = ""             # ISO 8601, UTC (set when recorded)
