"""Small named types returned by the knowledge base: plain data, no I/O."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

__all__ = ["Citation", "Hit", "Answer", "DocumentInfo", "IngestReport", "Skipped", "Stats",
           "UnansweredQuestion", "ParagraphView"]


@dataclass(frozen=True)
class Citation:
    """Where an excerpt comes from: document › section › paragraph (and a link for posts)."""

    document: str
    section: tuple[str, ...]
    paragraph: int
    source: str
    source_id: str | None = None
    url: str | None = None

    @property
    def section_label(self) -> str:
        return " › ".join(self.section)

    @property
    def label(self) -> str:
        parts = [self.document, *self.section, f"第{self.paragraph}段"]
        return " › ".join(p for p in parts if p)


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

    def to_json(self) -> dict:
        return {
            "document": self.citation.document,
            "section": self.citation.section_label,
            "paragraph": self.citation.paragraph,
            "excerpt": self.excerpt,
            "highlights": [list(span) for span in self.highlights],
            "citation": self.citation.label,
            "score": round(self.score, 4),
            "source": self.citation.url or self.citation.source,
            "source_id": self.citation.source_id,
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

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None

    def to_json(self) -> dict:
        out = {"question": self.question, "status": self.status,
               "hits": [hit.to_json() for hit in self.hits]}
        if self.explain is not None:
            out["explain"] = self.explain
        return out


@dataclass(frozen=True)
class ParagraphView:
    """A whole paragraph, for the "full paragraph" button."""

    doc_id: int
    paragraph_id: int
    citation: Citation
    text: str


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


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class IngestReport:
    documents: int = 0
    sections: int = 0
    paragraphs: int = 0
    files: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes: int = 0

    def to_json(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"{self.documents} documents, {self.sections} sections, {self.paragraphs} paragraphs "
            f"from {self.files} files ({self.unchanged} unchanged) in {self.seconds:.1f} s"
        ]
        lines += [f"skipped {s.path}: {s.reason}" for s in self.skipped]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)


@dataclass(frozen=True)
class UnansweredQuestion:
    question: str
    count: int
    last_asked: str


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

    @property
    def answered_share(self) -> float:
        return self.answered / self.questions if self.questions else 0.0
