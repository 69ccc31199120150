"""The knowledge base: one SQLite file, with verbs to build it (``ingest``) and query it (``search``).

``KnowledgeBase`` is the only object callers need: the CLI and the Telegram bot both go through
it (questions through :class:`knowledge.Answerer`). Writes are atomic per source (a file, a channel
post): a changed file replaces its old version in one transaction, an unchanged one is skipped, a
broken one is reported by name and reason. Turning documents into rows is :mod:`.prepare`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from . import loaders
from .audiences import EVERYONE, DocAudiences, parse_audience
from .analysis import Analyzer, SynonymGroup, Synonyms, extract_defined_terms, parse_group
from .loaders import READER_VERSION, Block, LoadError, SourceDocument
from .meaning import Encoder, from_blob, passage_key, passage_text, passages_on, to_blob
from .meaning import choose as choose_meaning
from .model import (Answer, DocumentInfo, DocumentView, Escalation, IngestReport,
                    ParagraphView, SentReply, Skipped, Stats, Taught, UnansweredQuestion)
from .normalize import normalize
from .prepare import (Source, file_report, prepare_document, preparer, progress_bar, read_words,
                      release_ocr, reused)
from .rank import article_body, in_article
from .search import SearchConfig, Searcher
from .segmented import IndexKeeper
from .store import ParagraphRow, Store, Versions
from .teach import TaughtEntry, Teaching, faq_key, open_questions, question_norm

__all__ = ["KnowledgeBase", "default_db_path", "prepare_document"]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
# Below this many characters a process pool costs more than it saves.
PARALLEL_MIN_CHARS = 2_000_000
LOCAL_MAX_BYTES = 1 << 30
# Documents prepared per step of a large ingest (bounds memory; each source is still one transaction).
BATCH_DOCUMENTS = 512


def _files_under(paths: Iterable[str | Path]):
    """(the given path, a file to load) for each file under each given path."""
    for root in paths:
        for path in loaders.iter_files([root]):
            yield Path(root), path


def _folder_audience(root: Path, path: Path, names: frozenset[str]) -> str | None:
    """The audience of the innermost folder between ``root`` (itself included) and ``path``
    that is named after one of ``names``; None when none is."""
    if not names or path == root:
        return None
    try:
        folders = (root.name, *path.relative_to(root).parts[:-1])
    except ValueError:
        return None
    for folder in reversed(folders):
        if folder in names:
            return folder
    return None


def _call(job: Callable[[], None]) -> None:
    job()


def default_db_path() -> Path:
    """``STAFFBOT_DB`` if set, else ``staffbot.db`` in the current directory."""
    return Path(os.environ.get("STAFFBOT_DB") or "staffbot.db")


class KnowledgeBase:
    """Build (``ingest``, ``add_post``, ``remove``) and query (``search``) one knowledge base."""

    def __init__(self, path: str | Path | None = None, *, userdict: Sequence[Path] = (),
                 synonyms: Sequence[Path] = (), config: SearchConfig | None = None,
                 workers: int | None = None, meaning: str | Encoder | None = None,
                 embed_later: bool = False) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        # matching by meaning (knowledge/meaning.py): None = words only
        self.meaning = choose_meaning(meaning)
        # writes leave their paragraphs' vectors to a later embed_missing (a bot's background
        # pass: an upload is answered once its words are in, not after its embedding)
        self.embed_later = embed_later
        self._reusable: dict[str, bytes] = {}   # vectors of replaced paragraphs, by text key
        self.store = Store(self.path)
        self._lock = threading.RLock()
        self.config = config or SearchConfig()
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        # the shipped thesaurus and synonym files; admins' groups (the database) join them
        self._file_synonyms = Synonyms.load([DATA_DIR / "thesaurus.txt",
                                             DATA_DIR / "synonyms.txt", *synonyms])
        self._synonyms_version = self.store.synonyms_version
        self.synonyms = self._load_synonyms()
        user_words = read_words([DATA_DIR / "userdict.txt", *userdict])
        self.analyzer = Analyzer(user_words=[*user_words, *self.store.terms()],
                                 synonyms=self.synonyms)
        self._user_words = user_words
        self._searcher: Searcher | None = None
        self._searcher_generation = -1
        self._index = IndexKeeper(self.store)
        self._teaching = Teaching()
        self._audiences = DocAudiences()
        self._lock = threading.RLock()

    def close(self) -> None:
        self._index.close()
        self.store.close()

    def defer_checkpoints(self) -> None:
        """Leave copying SQLite's write-ahead log into the database to :meth:`checkpoint`
        (see :meth:`Store.defer_checkpoints <.store.Store.defer_checkpoints>`): for a process
        that writes on an event loop's thread (the bot logs each question inline)."""
        self.store.defer_checkpoints()

    def checkpoint(self) -> tuple[int, int]:
        """Copy the write-ahead log into the database (from a thread: it may take a few hundred
        ms, mostly waiting for the disk); the log's pages and how many were copied."""
        return self.store.checkpoint()

    def fork(self, child_setup: Callable[[], None] | None = None) -> int:
        """``os.fork()`` with the knowledge base usable on both sides: the SQLite connection is
        closed before and opened again after (SQLite's connections and file locks must not cross
        a fork); the child runs ``child_setup`` before it reconnects — read-only: this process
        stays the one writer — and gets a lock of its own and no in-memory index. For
        :mod:`.worker`; call it while no other thread uses this knowledge base."""
        with self._lock:
            self.store.close()
            pid = -1
            try:
                pid = os.fork()
                if pid == 0 and child_setup is not None:
                    child_setup()
            finally:
                self.store.reconnect(readonly=pid == 0)
        if pid == 0:
            self._lock = threading.RLock()
            self._searcher, self._searcher_generation = None, -1
            self._index = IndexKeeper(self.store)
            self._teaching = Teaching()
            self._audiences = DocAudiences()
        return pid

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- build ---------------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], *, progress: bool = False,
               max_bytes: int = LOCAL_MAX_BYTES, audience: str | Iterable[str] | None = None,
               audience_folders: Iterable[str] = ()) -> IngestReport:
        """Files or folders → documents. Unchanged files are skipped; see the module docstring.

        Local files an admin points at may be large exports (``max_bytes``, 1 GiB by default);
        uploads through :meth:`ingest_bytes` keep the loaders' tighter limit.

        Who may read them: ``audience`` (names) for every file, new, changed or unchanged;
        else a file keeps the audience it has (an admin's choice outlives new versions and
        reloads: never widened by them); else — a new file — a file in a folder named after one
        of ``audience_folders`` (the known audience names, e.g. ``seeds/财务处/``; the innermost
        such folder, the given folder itself included) gets that audience, any other 全员.
        """
        started = time.perf_counter()
        report = IngestReport()
        known = self.store.origins(READER_VERSION)
        forced = None if audience is None else parse_audience(audience)
        folders = frozenset(audience_folders) - {EVERYONE}
        audiences: dict[str, str] = {}      # origin → the audience it is told to have
        new: dict[str, str] = {}            # origin → its folder's audience, if it is new
        sources: list[Source] = []
        for root, path in _files_under(paths):
            report.files += 1
            origin = str(Path(path).resolve())
            if forced is not None:
                audiences[origin] = forced
            elif (folder := _folder_audience(root, Path(path), folders)) is not None:
                new[origin] = folder
            try:
                data = Path(path).read_bytes()
            except OSError as err:
                report.skipped.append(Skipped(str(path), f"cannot read: {err.strerror or err}"))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if known.get(origin) == digest:
                report.unchanged += 1
                if forced is not None and self.store.origin_audience(origin) != forced:
                    self._set_origin_audience(origin, forced)
                continue
            try:
                read = loaders.read_bytes(data, Path(path).name, max_bytes=max_bytes)
            except LoadError as err:
                report.skipped.append(Skipped(str(path), err.reason))
                continue
            report.bytes += len(data)
            report.warnings.extend(f"{Path(path).name}: {w}" for w in read.warnings)
            report_of_file = file_report(str(path), read)
            report.read.append(report_of_file)
            sources.append(Source(origin, digest, read.documents, report_of_file.to_json_text()))
        self._write(sources, report, progress=progress, audiences=audiences, new=new)
        release_ocr(report)
        self._embed_after_write(report, progress=progress)
        report.stale_taught = self._stale_questions(report)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_bytes(self, data: bytes, filename: str, *, origin: str | None = None,
                     max_bytes: int = loaders.MAX_FILE_BYTES,
                     audience: str | Iterable[str] | None = None, file_id: str = "") -> IngestReport:
        """Content without a file on disk (an upload): replaces an earlier upload of that name
        (keeping its audience unless ``audience`` names one; a new upload: 全员 by default).
        ``file_id``: Telegram's id of the uploaded file, so that the original can be sent again
        (:meth:`original_file`); recorded also when the content is unchanged.

        Raises :class:`LoadError` (name and reason) when the content cannot be loaded; nothing in
        the knowledge base changes then.
        """
        started = time.perf_counter()
        name = Path(filename.replace("\\", "/")).name or "upload"
        report = IngestReport(files=1, bytes=len(data))
        origin = origin or f"upload:{name}"
        digest = hashlib.sha256(data).hexdigest()
        wanted = None if audience is None else parse_audience(audience)
        if self.store.origin_hash(origin, READER_VERSION) == digest:
            report.unchanged = 1
            if wanted is not None and self.store.origin_audience(origin) != wanted:
                self._set_origin_audience(origin, wanted)
        else:
            try:
                read = loaders.read_bytes(data, name, max_bytes=max_bytes)
            finally:
                release_ocr(report, force=True)
            report.warnings.extend(read.warnings)
            report_of_file = file_report(name, read)
            report.read.append(report_of_file)
            self._write([Source(origin, digest, read.documents, report_of_file.to_json_text())],
                        report, progress=False,
                        audiences={origin: wanted} if wanted is not None else {})
            self._embed_after_write(report)
            report.stale_taught = self._stale_questions(report)
        if file_id:
            with self._lock:
                self.store.set_file_id(origin, file_id)
        report.seconds = time.perf_counter() - started
        return report

    def add_document(self, document: SourceDocument, *, origin: str, url: str | None = None,
                     date: str | None = None, content_hash: str | None = None,
                     audience: str | Iterable[str] | None = None, chat_id: int = 0) -> str:
        """Add or replace one document under ``origin`` (for ``audience``; else for the
        audience of the version it replaces, else 全员); returns "added", "replaced" or
        "unchanged"."""
        digest = content_hash or hashlib.sha256(
            repr((document.title, document.blocks, url)).encode("utf-8")).hexdigest()
        old = self.store.origin_hash(origin)
        wanted = None if audience is None else parse_audience(audience)
        if old == digest and self.store.origin_hash(origin, READER_VERSION) == digest:
            if wanted is not None and self.store.origin_audience(origin) != wanted:
                self._set_origin_audience(origin, wanted)
            return "unchanged"
        self._learn_terms([document])
        fingerprint = self.analyzer.fingerprint
        known = self.store.stored_words(origin, fingerprint).get(document.source) if old else None
        prepared = prepare_document(document, self.analyzer, url=url, date=date, known=known)
        with self._lock, self.store.transaction():
            kept = self.store.origin_audience(origin)
            self._keep_vectors(origin)
            self.store.delete_origin(origin)
            self.store.note_analyzer(fingerprint)
            self.store.insert_document(origin, digest, prepared,
                                       audience=wanted or kept or EVERYONE, chat_id=chat_id)
        self._embed_after_write(None)
        return "replaced" if old else "added"

    def add_post(self, *, chat_id: int, message_id: int, text: str, url: str | None,
                 date: str | None = None, channel_title: str = "",
                 audience: str | Iterable[str] | None = None) -> str:
        """A channel post as a document: title from its first line, cited with its link; for
        ``audience`` (the caller decides it from the channel; None: an edit keeps the first
        version's, a new post is for 全员), remembering the chat it came from.

        ``date`` is when this version was written (the edit date of an edit, as ISO 8601): a
        version older than the stored one is not stored ("older") — a webhook may deliver an
        earlier version after a later one (parallel connections, a re-delivery after a crash).
        """
        origin = f"telegram:{chat_id}:{message_id}"
        if date is not None:
            stored = self.store.origin_date(origin)
            if stored is not None and date < stored:
                return "older"
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if not lines:
            return "empty"
        first = lines[0]
        title = first if len(first) <= 40 else first[:39] + "…"
        if channel_title:
            title = f"{channel_title}: {title}"
        blocks = tuple(Block("paragraph", line) for line in (lines[1:] if len(lines) > 1 and
                                                             len(first) <= 40 else lines))
        document = SourceDocument(title, blocks, url or f"telegram:{chat_id}/{message_id}",
                                  str(message_id), "post")
        return self.add_document(document, origin=origin, url=url, date=date, audience=audience,
                                 chat_id=chat_id)

    def remove(self, ref: str) -> int:
        """Delete the documents named by ``ref`` (id, title, file name or source id)."""
        ids = self.store.find_documents(ref)
        if ids:
            with self._lock, self.store.transaction():
                for doc_id in ids:
                    self.store.delete_document(doc_id)
        return len(ids)

    def remove_origin(self, origin: str) -> int:
        with self._lock, self.store.transaction():
            return self.store.delete_origin(origin)

    def _learn_terms(self, documents: Sequence[SourceDocument]) -> None:
        terms: set[str] = set()
        for document in documents:
            terms.update(extract_defined_terms(document.title))
            for block in document.blocks:
                if "“" in block.text or "《" in block.text or '"' in block.text or "「" in block.text:
                    terms.update(extract_defined_terms(block.text))
        if terms:
            with self._lock, self.store.writing():  # one writer on the shared connection
                self.store.add_terms(terms)
            self.analyzer.add_words(terms)

    def _write(self, sources: list[Source], report: IngestReport, *, progress: bool,
               audiences: dict[str, str] | None = None,
               new: dict[str, str] | None = None) -> None:
        """Prepare and write each source in one transaction, a batch of documents at a time.

        Batches keep memory flat on a large file (a 100k-record jsonl is never held prepared all
        at once); the transaction still covers the whole source, so an interrupted ingest leaves
        the old version of that source in place.
        """
        total = sum(len(s.documents) for s in sources)
        if not total:
            return
        self._learn_terms([d for s in sources for d in s.documents])
        chars = sum(len(b.text) for s in sources for d in s.documents for b in d.blocks)
        bar = progress_bar(total, progress and (total > 50 or chars > 500_000))
        fingerprint = self.analyzer.fingerprint
        paragraphs_before, reused_words = report.paragraphs, 0
        try:
            with self._preparer(chars) as prepare:
                for source in sources:
                    with self._lock, self.store.transaction():
                        # told, else kept (never widened by a new version), else a new file's
                        audience = (audiences or {}).get(source.origin) or \
                            self.store.origin_audience(source.origin) or \
                            (new or {}).get(source.origin) or EVERYONE
                        # an unchanged paragraph of the old version keeps its words
                        known = self.store.stored_words(source.origin, fingerprint)
                        self._keep_vectors(source.origin)
                        report.removed += self.store.delete_origin(source.origin)
                        self.store.note_analyzer(fingerprint)   # after: ids are reused
                        for start in range(0, len(source.documents), BATCH_DOCUMENTS):
                            batch = source.documents[start : start + BATCH_DOCUMENTS]
                            for document in prepare(batch, known):
                                reused_words += reused(document, known.get(document.source))
                                sections, paragraphs = self.store.insert_document(
                                    source.origin, source.content_hash, document,
                                    audience=audience, reader=source.reader or None)
                                report.documents += 1
                                report.sections += sections
                                report.paragraphs += paragraphs
                                bar.update(1)
        finally:
            bar.close()
        written = report.paragraphs - paragraphs_before
        report.tokenised += written - reused_words
        log.info("tokenised %d of %d paragraphs (%d unchanged kept their words)",
                 written - reused_words, written, reused_words)

    # -- meaning vectors ---------------------------------------------------------------------------
    def _keep_vectors(self, origin: str) -> None:
        """Before ``origin`` is replaced: its paragraphs' vectors, by text key, so that the
        paragraphs of the new version that did not change keep theirs (not embedded again)."""
        if self.meaning is not None:
            self._reusable.update(self.store.vectors_of_origin(origin, self.meaning.name))

    def _embed_taught(self) -> int:
        """Vectors for the taught questions without one (a question is embedded as a question
        is asked: its paraphrases are found by meaning, :func:`.teach.match`). Returns how many
        were embedded."""
        if self.meaning is None:
            return 0
        return self._embed_questions(lambda: self.store.taught_without_vector(self.meaning.name),
                                     "taught questions")

    def _embed_faq_questions(self) -> int:
        """Vectors for the FAQ pairs' questions without one, each embedded as a question (a
        paraphrase asked is close to it: :meth:`.search.Searcher._faq_question_agrees`), keyed
        by :func:`.teach.faq_key`. Returns how many were embedded."""
        if self.meaning is None:
            return 0

        def missing() -> list[tuple[str, str]]:
            keys = {faq_key(q): q for q in self.store.faq_questions()}
            have = self.store.keyed_question_vectors(keys, self.meaning.name)
            return [(key, q) for key, q in keys.items() if key not in have]

        return self._embed_questions(missing, "FAQ questions")

    def _embed_questions(self, missing: Callable[[], list[tuple[str, str]]], what: str) -> int:
        """Embed ``missing()``'s (key, question) pairs as questions into the question vectors; a
        failing model is logged and leaves them for the next time (the questions are stored;
        their words still match). Returns how many were embedded."""
        encoder = self.meaning
        try:
            found = missing()
            if not found:
                return 0
            vectors = [encoder.query(normalize(question)) for _, question in found]
            with self._lock:
                self.store.put_question_vectors((key, encoder.name, to_blob(vector))
                                                for (key, _), vector in zip(found, vectors))
        except Exception:
            log.exception("meaning: %s not embedded", what)
            return 0
        return len(found)

    def _embed_after_write(self, report: IngestReport | None, *, progress: bool = False) -> None:
        """After a write: its paragraphs embedded now, or (``embed_later``) counted in the
        report as left for :meth:`embed_missing`."""
        if self.meaning is None:
            return
        if not self.embed_later:
            self.embed_missing(report, progress=progress)
        elif report is not None:
            have, paragraphs = self.store.vector_counts(self.meaning.name)
            report.to_embed = max(0, paragraphs - have)

    def embed_missing(self, report: IngestReport | None = None, *, progress: bool = False,
                      batch: int = 32, stop: threading.Event | None = None,
                      workers: int | None = None, parallel_from: int = 400,
                      write: Callable[[Callable[[], None]], None] | None = None) -> int:
        """Give every paragraph without one a vector of this knowledge base's encoder (after an
        ingest, a post, or when the meaning extra was installed after the documents were
        added); another model's vectors are replaced. Each batch is its own transaction: the
        documents are already written, and an interruption (or ``stop`` set: the bot stopping)
        leaves the rest for next time. ``workers`` processes embed when ``parallel_from`` or
        more are missing (default: the knowledge base's workers; the bot's background pass
        uses one, its cores being the bot's). ``write``: runs each batch's write (a bot runs it
        under its own write lock: the pass runs beside its uploads); a vector is written only
        for a paragraph whose text is still the one embedded (a paragraph replaced meanwhile,
        whose id may be reused, is embedded by the next pass). Returns how many were
        embedded (0 without an encoder)."""
        encoder = self.meaning
        if encoder is None:
            return 0
        store, done, reused = self.store, 0, 0
        if store.has_other_vectors(encoder.name):
            with self._lock, store.writing():
                store.drop_vectors_except(encoder.name)
        self._embed_taught()
        self._embed_faq_questions()
        have, paragraphs = store.vector_counts(encoder.name)
        if have >= paragraphs:     # (nothing to look for: counted on the index, ~10 ms at 100k)
            return 0
        workers = self.workers if workers is None else workers
        workers = workers if paragraphs - have >= parallel_from else 1
        batch *= workers * 4 if workers > 1 else 1      # (each process a few batches a round)
        bar = progress_bar(paragraphs - have, progress and paragraphs - have > 200,
                           unit="paragraph")
        kept = set(self._reusable)   # (a write meanwhile adds its own: not cleared below)
        try:
            with passages_on(encoder, workers) as embed:
                while (stop is None or not stop.is_set()) and done < paragraphs - have and \
                        (rows := store.paragraphs_without_vector(encoder.name, limit=batch)):
                    written, kept_theirs = self._embed_rows(rows, embed, write)
                    if not written:      # (every row replaced meanwhile: the next pass's)
                        break
                    reused += kept_theirs
                    done += written
                    bar.update(written)
        except Exception as err:   # (a broken model: the documents are in; words still match)
            log.exception("meaning: embedding failed")
            if report is not None:
                report.warnings.append(f"meaning: paragraphs not embedded ({err}); they are "
                                       "matched by their words until the next ingest")
        finally:
            bar.close()
            for key in kept:
                self._reusable.pop(key, None)
        if report is not None:
            report.embedded += done
            report.reused_vectors += reused
        if done:
            log.info("meaning: %d paragraphs embedded (%d kept their vectors)", done, reused)
        return done

    def _embed_rows(self, rows: list, embed, write=None) -> tuple[int, int]:
        """Vectors for ``rows`` (paragraphs without one), written in one transaction (through
        ``write``) for the rows whose text is still theirs; returns how many were written and
        how many of those kept the vector of their unchanged text. The
        paragraphs of a statute's article (its lead-in, items, 款) share one vector of the
        whole article — the article is the unit an answer cites, and its parts read together
        mean what each alone does not (STARD R@1 0.431 → 0.447, bench/README.md); a replaced
        paragraph whose text (so, article) is unchanged keeps its vector; each distinct text
        is embedded once."""
        encoder, store = self.meaning, self.store
        whole = store.section_texts(sid for _, _, section, _, question, sid in rows
                                    if not question and in_article(section))
        texts = [passage_text(title, section, "\n".join(whole[sid]) if sid in whole else text,
                              question)
                 for _, title, section, text, question, sid in rows]
        keys = [passage_key(text) for text in texts]
        new = [i for i, key in enumerate(keys) if key not in self._reusable]
        new_set = set(new)
        first = {keys[i]: i for i in reversed(new)}            # one embedding per distinct text
        unique = sorted(first.values())
        embedded = dict(zip((keys[i] for i in unique), embed([texts[i] for i in unique]))) \
            if unique else {}
        vectors = {i: to_blob(embedded[keys[i]]) if i in new_set else self._reusable[keys[i]]
                   for i in range(len(rows))}
        written: list[int] = []

        def put() -> None:
            with self._lock, store.writing():
                now = store.texts_now(row[0] for row in rows)
                current = [i for i, row in enumerate(rows) if now.get(row[0]) == row[3]]
                store.put_vectors((rows[i][0], encoder.name, keys[i], vectors[i])
                                  for i in current)
                written[:] = current

        (write or _call)(put)
        return len(written), sum(i not in new_set for i in written)

    def _preparer(self, chars: int):
        """A function that prepares a batch of documents: on worker processes when it pays."""
        workers = self.workers if chars >= PARALLEL_MIN_CHARS else 1
        return preparer(self.analyzer, [*self._user_words, *self.store.terms()], self.synonyms,
                        workers)

    def seed_if_empty(self, seeds: str | Path, *, progress: bool = False,
                      audience_folders: Iterable[str] = ()) -> IngestReport | None:
        """Build the knowledge base from the ``seeds`` folder when it has no documents.

        Returns the report, or None when there was nothing to do (documents already there) or no
        such folder (logged)."""
        if self.store.counts()[0]:
            return None
        if not Path(seeds).is_dir():
            log.warning("knowledge base %s is empty and the seeds folder %s does not exist",
                        self.path, seeds)
            return None
        return self.ingest([seeds], progress=progress, audience_folders=audience_folders)

    def warm_up(self, *, index: bool = True, uploads: bool = False) -> None:
        """Load jieba's dictionary (and its function-word tags) now, and build the in-memory
        index unless ``index`` is False (a search process will build its own): not on the first
        question. ``uploads``: the readers of the commonest uploads too (a bot)."""
        self.analyzer.words("预热")
        self.analyzer.is_function_word("预热")
        if uploads:
            loaders.warm_readers()
        if index:
            self.searcher

    # -- query -----------------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        """The index as the database is now: loaded from the file beside it (or built and
        saved) once, then brought up to date with what changed — a delta segment and
        tombstones, never a rebuild on the question path (:class:`~.segmented.IndexKeeper`)."""
        return self._current_searcher()

    def _current_searcher(self, versions: Versions | None = None) -> Searcher:
        """:attr:`searcher`; ``versions``: ``meta`` as just read (:meth:`search`: one read
        for the searcher, teaching and audiences, not five)."""
        self._refresh_synonyms(None if versions is None else versions.synonyms)
        if self._searcher is None or self._index.stale(
                None if versions is None else versions.generation):
            with self._lock:
                if self._searcher is None or self._index.stale():
                    generation = self._searcher_generation
                    snapshot, self._searcher_generation = self._index.current()
                    if generation != self._searcher_generation:
                        # terms another process (a CLI ingest, the bot) taught its own jieba
                        self.analyzer.add_words(self.store.terms())
                    if self._searcher is None or self._searcher.snapshot is not snapshot:
                        self._searcher = Searcher((), self.analyzer, self.config,
                                                  snapshot=snapshot, meaning=self.meaning)
        return self._searcher

    def ready_searcher(self) -> Searcher | None:
        """The index if it is current (a search now will not update it), else None.

        Lets an event loop run a ~1 ms search inline and send anything slower to a thread.
        """
        searcher = self._searcher
        if searcher is None or self._index.stale():
            return None
        self._refresh_synonyms()
        return searcher

    def search(self, question: str, k: int = 5, *, explain: bool = False, closest: bool = False,
               searcher: Searcher | None = None,
               audiences: frozenset[str] | None = None) -> Answer:
        """Answer ``question``: status ``answer``, ``suggestions`` or ``not_found``, with hits
        (``closest``: a ``not_found`` answer keeps its best weak hits), on ``searcher`` (a
        :meth:`ready_searcher`) or the current index; with what was taught (:attr:`teaching`);
        from the documents someone in ``audiences`` may read (None: every document)."""
        versions = self.store.versions()    # (one read of meta for the three below)
        searcher = searcher or self._current_searcher(versions)
        return searcher.search(question, k, explain=explain,
                               teaching=self._teaching_at(versions.teaching),
                               closest=closest, audiences=audiences,
                               access=self._audiences_at(versions.generation, versions.audiences))

    # -- audiences -------------------------------------------------------------------------------
    @property
    def audience_map(self) -> DocAudiences:
        """Every document's audience as searches use it, read again when a document or an
        audience changes (``meta.generation``, ``meta.audience_version``; in a search process
        too). No lock, as :attr:`teaching`."""
        return self._audiences_at(self.store.generation, self.store.audience_version)

    def _audiences_at(self, generation: int, audience_version: int) -> DocAudiences:
        key = (generation, audience_version)
        current = self._audiences
        if current.key != key:
            # only documents came or went since the map was read: the index's catch-up
            # read their audiences (in its read of the database); else read every one
            changes = self._index.changes
            if changes is not None and changes.until == generation and \
                    current.key == (changes.since, audience_version):
                current = current.moved(key, changes.removed, changes.added)
            else:
                current = DocAudiences(key, self.store.doc_audiences())
            self._audiences = current
        return current

    def may_read(self, doc_id: int, audiences: frozenset[str] | None) -> bool:
        """Whether someone in ``audiences`` (None: no restriction) may read the document."""
        return self.audience_map.allows(doc_id, audiences)

    def set_audience(self, ref: str, audience: str | Iterable[str]) -> int:
        """Who may read the documents ``ref`` names (id, title, file name, source id): 全员 or
        audience names (``"财务处,人事处"`` or a list). Takes effect from the next question,
        without rebuilding the index. Returns how many documents it names (0: none);
        ValueError for a malformed name."""
        stored = parse_audience(audience)
        ids = self.store.find_documents(ref)
        if ids:
            with self._lock:
                self.store.set_audience(ids, stored)
        return len(ids)

    def document_ids(self, ref: str) -> list[int]:
        """The ids of the documents ``ref`` names (id, title, file name, source id, origin)."""
        return self.store.find_documents(ref)

    def set_audience_of_file(self, doc_id: int, audience: str | Iterable[str]) -> int:
        """:meth:`set_audience` for every document of the file (upload, post) ``doc_id`` came
        from: a spreadsheet or jsonl upload is many documents, chosen for at once."""
        stored = parse_audience(audience)
        row = self.store.db.execute("SELECT origin FROM documents WHERE id = ?",
                                    [doc_id]).fetchone()
        if row is None:
            return 0
        ids = self.store.find_documents(row[0])
        with self._lock:
            self.store.set_audience(ids, stored)
        return len(ids)

    def _set_origin_audience(self, origin: str, audience: str) -> None:
        ids = [r[0] for r in self.store.db.execute("SELECT id FROM documents WHERE origin = ?",
                                                   [origin])]
        with self._lock:
            self.store.set_audience(ids, audience)

    @property
    def teaching(self) -> Teaching:
        """Taught questions and votes as searches use them, read again when they change (in a
        search process too: ``meta.teaching_generation``). No lock: a search on the event loop
        must not wait for an ingest; a snapshot read during a write of this process is read
        again after it (the generation it saw is not the one committed)."""
        return self._teaching_at(self.store.teaching_generation)

    def _teaching_at(self, generation: int) -> Teaching:
        teaching = self._teaching
        if teaching.generation != generation:
            meant = self.store.question_vectors(self.meaning.name) if self.meaning else {}
            taught = {norm: TaughtEntry(tid, question, norm, ref or "", answer or "",
                                        (taught_at or "")[:10],
                                        from_blob(meant[norm]) if norm in meant else None)
                      for tid, question, norm, ref, answer, _, taught_at
                      in self.store.taught_rows()}
            votes: dict[str, dict[str, int]] = {}
            for norm, ref, net in self.store.vote_sums():
                if net:
                    votes.setdefault(norm, {})[ref] = net
            teaching = self._teaching = Teaching(generation, taught, votes)
        return teaching

    def paragraph(self, paragraph_id: int, *,
                  audiences: frozenset[str] | None = None) -> ParagraphView | None:
        """The whole paragraph (None: gone, or not for someone in ``audiences``)."""
        row = self.store.paragraph(paragraph_id)
        if row is None or not self.may_read(row.doc_id, audiences):
            return None
        return self._view(row)

    def paragraph_by_ref(self, ref: str) -> ParagraphView | None:
        """The paragraph a stable ref names now (a deep link's ``p<ref>``); None when gone."""
        row = self.store.paragraph_by_ref(ref)
        if row is None:
            return None
        return self._view(row)

    def _view(self, row: ParagraphRow) -> ParagraphView:
        """A paragraph as the full-text button shows it: a statute article's paragraph with the
        rest of its article (the article is the unit its excerpt and citation are of: the
        excerpt may show the whole of a short one), up to a caption or a table after it."""
        text = row.text
        if row.kind in ("text", "list") and in_article(row.section):
            under = {number: (other, kind) for number, other, kind
                     in self.store.section_paragraphs(row.paragraph_id)}

            def part(number: int) -> bool:
                other, kind = under.get(number, ("", ""))
                return article_body(normalize(other), kind)

            if part(row.number):
                first = last = row.number
                while part(first - 1):
                    first -= 1
                while part(last + 1):
                    last += 1
                text = "\n".join(under[number][0] for number in range(first, last + 1))
        return ParagraphView(row.doc_id, row.paragraph_id, row.citation, text)

    # -- synonyms ----------------------------------------------------------------------------------
    def add_synonyms(self, words: Sequence[str], *, one_way: bool = False, by: str = "") -> int:
        """An admin's synonym group (``one_way``: the first word expands to the others, not
        back); used from the next question on, without rebuilding the index. Returns its id.

        ``words`` may also be one string as typed (``"老板 > 用人单位"``). Raises ValueError
        with a message for the admin when there are fewer than two different words."""
        parsed, arrow = parse_group(" ".join(words) if not isinstance(words, str) else words)
        one_way = one_way or arrow
        if len(parsed) < 2:
            raise ValueError("a synonym group needs at least two different words")
        if any(len(word) > 40 for word in parsed) or len(parsed) > 20:
            raise ValueError("a synonym group holds at most 20 words of up to 40 characters")
        with self._lock:
            group_id = self.store.add_synonyms(parsed, one_way, by)
        self._refresh_synonyms()
        return group_id

    def synonym_groups(self, source: str | None = None) -> list[SynonymGroup]:
        """The shipped thesaurus' groups ("thesaurus"), the admins' ("admin", with ids), then
        the names documents define ("document", with the document's id and title)."""
        groups: list[SynonymGroup] = []
        if source in (None, "thesaurus"):
            groups.extend(self._file_synonyms.lines)
        if source in (None, "admin"):
            groups.extend(self._admin_groups())
        if source in (None, "document"):
            groups.extend(self._document_groups())
        return groups

    def remove_synonyms(self, id_or_word: str | int) -> int:
        """Remove the admins' group with this id, or every admin group holding this word;
        returns how many were removed (the shipped thesaurus is a file: not removed here)."""
        key = str(id_or_word).strip()
        word = parse_group(key)[0]
        ids = [g.id for g in self._admin_groups()
               if (key.isdigit() and g.id == int(key)) or (word and word[0] in g.words)]
        with self._lock:
            removed = self.store.remove_synonyms(ids)
        self._refresh_synonyms()
        return removed

    def _admin_groups(self) -> list[SynonymGroup]:
        with self._lock:
            rows = self.store.synonym_rows()
        return [SynonymGroup(tuple(words.split()), one_way, "admin", row_id, by, at)
                for row_id, words, one_way, by, at in rows]

    def _document_groups(self) -> list[SynonymGroup]:
        """The names documents define (信息技术中心（以下简称信息中心）), for the whole knowledge
        base: the defining document's articles say the short or collective name, and so may
        others (a 统称 of a statute is the law's word everywhere); see :mod:`.aliases`."""
        with self._lock:
            rows = self.store.defined_name_rows()
        return [SynonymGroup(tuple(words.split()), one_way, "document", doc_id, document=title)
                for doc_id, title, words, one_way in rows]

    def _load_synonyms(self) -> Synonyms:
        synonyms = self._file_synonyms.copy()
        for group in (*self._admin_groups(), *self._document_groups()):
            synonyms.add(group)
        return synonyms

    def _refresh_synonyms(self, version: int | None = None) -> None:
        """Take up the admins' synonym groups and the names documents define when they
        changed (another process may have changed them; ``meta.synonyms_version`` moves for
        both): the next question is read with them; the index stays as it is.
        ``version``: ``meta.synonyms_version`` if just read."""
        if version is None:
            version = self.store.synonyms_version
        if version == self._synonyms_version:
            return
        with self._lock:
            version = self.store.synonyms_version
            if version == self._synonyms_version:
                return
            self.synonyms = self._load_synonyms()
            self.analyzer.set_synonyms(self.synonyms)
            if self._searcher is not None:
                self._searcher.queries.forget_shapes()
            self._synonyms_version = version

    # -- admin -----------------------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.store.documents()

    def show(self, ref: str, *, audiences: frozenset[str] | None = None) -> list[DocumentView]:
        """The documents named by ``ref`` (id, title, file name, source id) as staffbot understood
        them: the reader's report, and every paragraph with its section path, kind and page
        (only those someone in ``audiences`` may read; None: all)."""
        views = []
        infos = {d.id: d for d in self.store.documents()}
        for doc_id in self.store.find_documents(ref):
            if not self.may_read(doc_id, audiences):
                continue
            info = infos[doc_id]
            reader = self.store.document_reader(doc_id)
            paragraphs = tuple(self.store.document_paragraphs(doc_id))
            views.append(DocumentView(doc_id, info.title, info.source, info.kind,
                                      json.loads(reader) if reader else {}, paragraphs))
        return views

    def log_question(self, answer: Answer, *, chat_kind: str | None = None,
                     ms: float | None = None, wait: bool = True) -> int | None:
        """Record a question and its outcome; returns its id (for feedback).

        With ``wait=False`` it returns None at once instead of waiting for a write that holds
        the database (an ingest in this process or another): an event loop can log inline in
        ~40 µs, and hand the question to a thread only in that rare case.
        """
        best = answer.best
        # one writer at a time on the shared connection (the bot's threads)
        if not self._lock.acquire(blocking=wait):
            return None
        try:
            return self.store.log_question(answer.question, normalize(answer.question).strip(),
                                           answer.status, best.doc_id if best else None,
                                           best.paragraph_id if best else None, chat_kind, ms,
                                           wait=wait)
        finally:
            self._lock.release()

    def feedback(self, question_id: int, helpful: bool, *, ref: str = "",
                 voter: str = "") -> bool:
        """Record 👍/👎 on a logged answer; also a vote on (the question, the passage ``ref``
        names — by default the paragraph it was answered with) that moves that passage for the
        question and its close paraphrases (:meth:`vote`). One call, one vote."""
        with self._lock:
            recorded = self.store.set_feedback(question_id, helpful)
            logged = self.store.logged_answer(question_id) if recorded else None
            if ref and logged is not None and self.store.paragraph_by_ref(ref) is None:
                ref = ""             # the shown passage is gone: vote on the logged one
            if logged is not None and question_norm(logged[0]):
                self.store.add_vote(logged[0], question_norm(logged[0]), ref or logged[1],
                                    1 if helpful else -1, voter)
            return recorded

    def withdraw_feedback(self, question_id: int, *, ref: str = "", voter: str) -> bool:
        """Take back ``voter``'s 👍/👎 on a logged answer (a reaction removed): the vote
        :meth:`feedback` recorded for them on (question, passage) is deleted. False when they
        had none."""
        with self._lock:
            logged = self.store.logged_answer(question_id)
            if logged is None or not voter:
                return False
            if not ref or self.store.paragraph_by_ref(ref) is None:
                ref = logged[1]
            return self.store.withdraw_vote(question_id, question_norm(logged[0]), ref, voter)

    def logged_question(self, question_id: int) -> str | None:
        """The question a button's question id stands for (the question log keeps it)."""
        with self._lock:
            return self.store.logged_question(question_id)

    def unanswered(self, limit: int = 20) -> list[UnansweredQuestion]:
        """The questions still for the admins to teach (:func:`.teach.open_questions`): not
        found, only suggested or voted 👎, and neither taught since nor answered when last asked."""
        with self._lock:
            asked, taught = self.store.asked_questions(), self.store.taught_norms()
        return open_questions(asked, taught, limit)

    def stats(self) -> Stats:
        with self._lock:
            stats = self.store.stats()
            if self.meaning is None:
                return stats
            return replace(stats, meaning=self.meaning.name,
                           meaning_paragraphs=self.store.vector_counts(self.meaning.name)[0])

    # -- Telegram: answers sent, uploaded originals (issue 14) ---------------------------------------
    def note_replies(self, replies: Sequence[SentReply]) -> None:
        """Record the answer messages the bot sent (for edited questions and reactions)."""
        if replies:
            with self._lock:
                self.store.add_replies(replies)

    def replies_to(self, chat_id: int, asked_message_id: int) -> list[SentReply]:
        """The answer messages sent for the question message ``asked_message_id``, in order."""
        return self.store.replies_to(chat_id, asked_message_id)

    def sent_reply(self, chat_id: int, message_id: int) -> SentReply | None:
        """The answer the bot sent as message ``message_id`` (None: not an answer)."""
        return self.store.reply(chat_id, message_id)

    def forget_replies(self, chat_id: int, message_ids: Sequence[int]) -> None:
        with self._lock:
            self.store.delete_replies(chat_id, message_ids)

    def original_file(self, doc_id: int) -> tuple[str, str] | None:
        """(Telegram file_id, title) of the file an admin uploaded for document ``doc_id``;
        None for documents read from disk or channel posts."""
        return self.store.file_id(doc_id)

    # -- teaching (issue 11) ---------------------------------------------------------------------------
    def teach(self, question: str, *, ref: str | None = None, answer: str | None = None,
              by: str = "") -> Taught:
        """Teach ``question``: linked to the paragraph ``ref`` names, or answered in writing
        (exactly one). The same question taught again replaces its earlier teaching.
        ValueError, saying why, for an empty question, an unknown ref, or both/neither."""
        question, norm = self._question(question)
        ref, answer = (ref or "").strip(), (answer or "").strip()
        if bool(ref) == bool(answer):
            raise ValueError("give either the paragraph's ref or a written answer (not both)")
        if ref and self.store.paragraph_by_ref(ref) is None:
            raise ValueError(f"no paragraph has the ref {ref!r} (refs are shown by `staffbot "
                             f"ask` and in `ask --json`)")
        with self._lock:
            taught_id = self.store.add_taught(question, norm, ref, answer, by)
        self._embed_taught()
        return self._taught(self.store.taught_rows(taught_id)[0])

    def taught(self) -> list[Taught]:
        """Every taught question, oldest first; a link whose paragraph is gone is ``stale``."""
        return [self._taught(row) for row in self.store.taught_rows()]

    def _stale_questions(self, report: IngestReport) -> list[str]:
        """After an ingest that changed something: the taught questions it left stale."""
        if not (report.documents or report.removed):
            return []
        return [t.question for t in self.stale_taught()]

    def stale_taught(self) -> list[Taught]:
        """Taught links whose paragraph's text is no longer in any document: never answered
        from; the admins should teach them again (or forget them)."""
        return [t for t in self.taught() if t.stale]

    def forget(self, taught_id: int) -> bool:
        with self._lock:
            return self.store.delete_taught(taught_id)

    def vote(self, question: str, ref: str, vote: int, *, voter: str = "") -> None:
        """👍 (+1) or 👎 (-1) on (question, paragraph): bounded, for this question and its close
        paraphrases. A named voter's later vote on the same pair replaces the earlier one."""
        question, norm = self._question(question)
        if vote not in (1, -1):
            raise ValueError("a vote is +1 or -1")
        if self.store.paragraph_by_ref(ref) is None:
            raise ValueError(f"no paragraph has the ref {ref!r}")
        with self._lock:
            self.store.add_vote(question, norm, ref, vote, voter)

    def escalate(self, question: str, *, asker_id: int, asker_name: str, chat_id: int,
                 chat_title: str, message_id: int) -> tuple[Escalation, bool]:
        """Send ``question`` to the admins: the new escalation and True, or the asker's open
        escalation of the same question and False (send nothing again)."""
        question, norm = self._question(question)
        with self._lock:
            return self.store.add_escalation(question, norm, asker_id=asker_id,
                                             asker_name=asker_name, chat_id=chat_id,
                                             chat_title=chat_title, message_id=message_id)

    def note_escalation_message(self, escalation_id: int, chat_id: int, message_id: int) -> None:
        """An admin-side message that carries the escalation: a reply to it answers it."""
        with self._lock:
            self.store.add_escalation_message(escalation_id, chat_id, message_id)

    def escalation(self, escalation_id: int) -> Escalation | None:
        return self.store.escalation(escalation_id)

    def escalation_for_message(self, chat_id: int, message_id: int) -> Escalation | None:
        return self.store.escalation_for_message(chat_id, message_id)

    def open_escalations(self) -> list[Escalation]:
        return self.store.open_escalations()

    def answer_escalation(self, escalation_id: int, *, ref: str | None = None,
                          answer: str | None = None, by: str = ""
                          ) -> tuple[Escalation, Taught] | None:
        """Answer an open escalation by teaching its question (a paragraph or a written answer),
        in one transaction: only the first call answers; later ones (a second admin, a double
        click) get None. ValueError as :meth:`teach`."""
        escalation = self.store.escalation(escalation_id)
        if escalation is None:
            return None
        question, norm = self._question(escalation.question)
        ref, answer = (ref or "").strip(), (answer or "").strip()
        if bool(ref) == bool(answer):
            raise ValueError("give either the paragraph's ref or a written answer (not both)")
        if ref and self.store.paragraph_by_ref(ref) is None:
            raise ValueError(f"no paragraph has the ref {ref!r}")
        with self._lock, self.store.writing():
            if not self.store.close_escalation(escalation_id, by):
                return None
            taught_id = self.store.add_taught(question, norm, ref, answer, by)
            self.store.set_escalation_taught(escalation_id, taught_id)
        self._embed_taught()
        return (self.store.escalation(escalation_id),
                self._taught(self.store.taught_rows(taught_id)[0]))

    def _question(self, question: str) -> tuple[str, str]:
        question = " ".join(question.split())
        norm = question_norm(question)
        if not norm:
            raise ValueError("the question is empty")
        return question[:1000], norm

    def _taught(self, row: tuple) -> Taught:
        taught_id, question, _, ref, answer, by, taught_at = row
        paragraph = self.store.paragraph_by_ref(ref) if ref else None
        return Taught(taught_id, question, ref or "", answer or "", by or "", taught_at or "",
                      paragraph.citation if paragraph is not None else None,
                      bool(ref) and paragraph is None)
