"""Documents → rows ready to write: split into sections and tokenised, on two processes when a
batch is large; plus the small pieces of an ingest (what a file's reader reported, the user
dictionary, the progress bar, letting the OCR engine go). Used by :class:`knowledge.KnowledgeBase`.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .aliases import defined_names
from .analysis import Analyzer, Synonyms
from .loaders import READER_VERSION, FileRead, SourceDocument
from .model import FileReport, IngestReport
from .normalize import normalize
from .sections import split_document
from .store import PreparedDocument, PreparedParagraph, paragraph_ref

# Stored words of a document's paragraphs: (paragraph ref, FAQ question) → words.
Known = dict[tuple[str, str], str]

__all__ = ["prepare_document", "preparer", "reused", "Known", "Source", "file_report",
           "release_ocr", "read_words", "progress_bar"]

log = logging.getLogger(__name__)


def prepare_document(document: SourceDocument, analyzer: Analyzer, *, url: str | None = None,
                     date: str | None = None, known: Known | None = None) -> PreparedDocument:
    """Split ``document`` into sections and paragraphs and tokenise every part (pure).

    ``known``: the words of paragraphs stored before under the same analyzer, by (ref, FAQ
    question) (:meth:`Store.stored_words`); a paragraph found there is not tokenised again.
    """
    structured = split_document(document)
    section_words: dict[tuple[str, ...], str] = {}
    paragraphs = []
    for p in structured.paragraphs:
        if p.section not in section_words:
            section_words[p.section] = " ".join(analyzer.words(normalize(" ".join(p.section))))
        words = known.get((paragraph_ref(document.source, p.text), p.question)) if known else None
        if words is None:
            words = _paragraph_words(analyzer, p.text, p.question)
        paragraphs.append(PreparedParagraph(p.number, p.section, p.text, p.sentences,
                                            words, p.kind, p.page, p.ocr, p.question))
    names = tuple(dict.fromkeys(g for p in paragraphs for g in defined_names(p.text)))
    return PreparedDocument(document.title, document.source, document.source_id, document.kind,
                            tuple(paragraphs), " ".join(analyzer.words(normalize(document.title))),
                            section_words, url, date, reader_version=READER_VERSION, names=names)


def _paragraph_words(analyzer: Analyzer, text: str, question: str) -> str:
    words = analyzer.words(normalize(text))
    if question:
        # An FAQ pair is found by its question first: its words count twice, the answer's
        # once (BM25 saturates, so twice is a lift, not a flood).
        asked = analyzer.words(normalize(question))
        words = [*asked, *asked, *words]
    return " ".join(words)


def reused(document: PreparedDocument, known: Known | None) -> int:
    """How many of ``document``'s paragraphs took their words from ``known``."""
    if not known:
        return 0
    return sum((paragraph_ref(document.source, p.text), p.question) in known
               for p in document.paragraphs)


# Process-pool workers keep one analyzer each (jieba loads once per worker).
_WORKER_ANALYZER: Analyzer | None = None


def _worker_init(words: list[str], synonyms: Synonyms) -> None:
    global _WORKER_ANALYZER
    _WORKER_ANALYZER = Analyzer(user_words=words, synonyms=synonyms)


def _worker_prepare(item: tuple[SourceDocument, Known | None]) -> PreparedDocument:
    assert _WORKER_ANALYZER is not None
    return prepare_document(item[0], _WORKER_ANALYZER, known=item[1])


@dataclass(frozen=True)
class Source:
    """One thing to ingest: where it came from and what it holds."""

    origin: str
    content_hash: str
    documents: list[SourceDocument]
    reader: str = ""          # JSON of the file's FileReport, stored with each document


def file_report(path: str, read: FileRead) -> FileReport:
    info = read.info
    return FileReport(path, info.reader, len(read.documents), info.pages, read.blocks, read.tables,
                      read.table_rows, read.list_items, info.numbered, info.ocr_pages,
                      dict(info.dropped), tuple(info.warnings))


@contextmanager
def preparer(analyzer: Analyzer, words: list[str], synonyms: Synonyms, workers: int
             ) -> Iterator[Callable[[list[SourceDocument], dict[str, Known]],
                                    Iterable[PreparedDocument]]]:
    """A function that prepares a batch of documents, given the stored words of their earlier
    version by document source (:meth:`Store.stored_words`): on ``workers`` forked processes
    (each with its own jieba, ``words`` taught) when more than one, else with ``analyzer`` here."""
    if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("fork")
        # The workers are forked from this process, which holds the documents read (GBs at 1M
        # paragraphs): frozen, a worker's garbage collections skip them instead of writing to
        # (and so copying) every page of them.
        gc.freeze()
        try:
            with ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_init,
                                     initargs=(words, synonyms)) as pool:
                yield lambda batch, known: pool.map(
                    _worker_prepare, [(d, known.get(d.source)) for d in batch], chunksize=16)
        finally:
            gc.unfreeze()
    else:
        yield lambda batch, known: (prepare_document(d, analyzer, known=known.get(d.source))
                                    for d in batch)


def release_ocr(report: IngestReport, *, force: bool = False) -> None:
    """An ingest that used OCR gives its engine's memory back (a bot reads a scan now and then)."""
    if force or any(r.ocr_pages for r in report.read):
        from .readers import ocr

        ocr.release()


def read_words(paths: Iterable[Path]) -> list[str]:
    """User dictionary files: one word per line (jieba's format: extra columns are ignored)."""
    words: list[str] = []
    for path in paths:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            log.warning("user dictionary %s not read: %s", path, err)
            continue
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                words.append(line.split()[0])
    return words


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


def progress_bar(total: int, enabled: bool, unit: str = "doc"):
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, file=sys.stderr, leave=False)
