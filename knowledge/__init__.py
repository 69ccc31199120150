"""staffbot's knowledge base: documents → sections → paragraphs → sentences in SQLite, and
questions → cited excerpts. Nothing here knows about Telegram.

    from knowledge import KnowledgeBase
    kb = KnowledgeBase("staffbot.db")
    kb.ingest(["seeds/"])
    answer = kb.search("怎样为基层减负")
    answer.status, answer.best.excerpt, answer.best.citation.label
"""

from .kb import KnowledgeBase, default_db_path
from .loaders import SUPPORTED_SUFFIXES, LoadError, SourceDocument
from .model import (Answer, Citation, DocumentInfo, DocumentView, FileReport, Hit, IngestReport,
                    ParagraphView, ShownParagraph, Skipped, Stats, UnansweredQuestion)
from .store import SchemaError
from .search import SearchConfig
from .worker import SearchWorker, WorkerGone, can_fork

__all__ = [
    "KnowledgeBase",
    "default_db_path",
    "Answer",
    "Hit",
    "Citation",
    "ParagraphView",
    "DocumentInfo",
    "IngestReport",
    "FileReport",
    "DocumentView",
    "ShownParagraph",
    "SchemaError",
    "Skipped",
    "Stats",
    "UnansweredQuestion",
    "SearchConfig",
    "SearchWorker",
    "WorkerGone",
    "can_fork",
    "SourceDocument",
    "LoadError",
    "SUPPORTED_SUFFIXES",
]
