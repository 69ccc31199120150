"""staffbot's knowledge base: documents → sections → paragraphs → sentences in SQLite, and
questions → cited excerpts. Nothing here knows about Telegram.

    from knowledge import KnowledgeBase
    kb = KnowledgeBase("staffbot.db")
    kb.ingest(["seeds/"])
    asked = Answerer(kb).ask_now("怎样为基层减负")      # search, time, log: the one question path
    asked.answer.status, asked.answer.best.excerpt, asked.answer.best.citation.label
"""

from .answerer import Answerer, Asked
from .kb import KnowledgeBase, default_db_path
from .loaders import SUPPORTED_SUFFIXES, LoadError, SourceDocument
from .meaning import MeaningUnavailable
from .meaning import available as meaning_available
from .meaning import problem as meaning_problem
from .model import (Answer, Citation, DocumentInfo, DocumentView, Escalation, FileReport, Hit,
                    IngestReport, ParagraphView, SentReply, ShownParagraph, Skipped, Stats,
                    Taught, UnansweredQuestion)
from .readers import configure as configure_readers
from .store import SchemaError
from .search import SearchConfig
from .worker import SearchWorker, WorkerGone, can_fork

__all__ = [
    "KnowledgeBase",
    "Answerer",
    "Asked",
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
    "SentReply",
    "SchemaError",
    "MeaningUnavailable",
    "meaning_available",
    "meaning_problem",
    "configure_readers",
    "Skipped",
    "Stats",
    "UnansweredQuestion",
    "Taught",
    "Escalation",
    "SearchConfig",
    "SearchWorker",
    "WorkerGone",
    "can_fork",
    "SourceDocument",
    "LoadError",
    "SUPPORTED_SUFFIXES",
]
