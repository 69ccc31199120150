"""The knowledge base: one SQLite file, with verbs to build it (``ingest``) and query it (``search``).

``KnowledgeBase`` is the only object callers need: the CLI and the Telegram bot both go through
it (questions through :class:`knowledge.Answerer`). Writes are atomic per source (a file, a channel
post): a changed file replaces its old version in one transaction, an unchanged one is skipped, a
broken one is reported by name and reason. Turning documents into rows is :mod:`.prepare`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from . import loaders
from .analysis import Analyzer, SynonymGroup, Synonyms, extract_defined_terms, parse_group
from .loaders import READER_VERSION, Block, LoadError, SourceDocument
from .model import (Answer, DocumentInfo, DocumentView, Escalation, IngestReport,
                    ParagraphView, Skipped, Stats, Taught, UnansweredQuestion)
from .normalize import normalize
from .prepare import (Source, file_report, prepare_document, preparer, progress_bar, read_words,
                      release_ocr, reused)
from .search import SearchConfig, Searcher
from .store import Store
from .teach import TaughtEntry, Teaching, question_norm

__all__ = ["KnowledgeBase", "default_db_path", "prepare_document"]

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
# Below this many characters a process pool costs more than it saves.
PARALLEL_MIN_CHARS = 2_000_000
LOCAL_MAX_BYTES = 1 << 30
# Documents prepared per step of a large ingest (bounds memory; each source is still one transaction).
BATCH_DOCUMENTS = 512


def default_db_path() -> Path:
    """``STAFFBOT_DB`` if set, else ``staffbot.db`` in the current directory."""
    return Path(os.environ.get("STAFFBOT_DB") or "staffbot.db")


class KnowledgeBase:
    """Build (``ingest``, ``add_post``, ``remove``) and query (``search``) one knowledge base."""

    def __init__(self, path: str | Path | None = None, *, userdict: Sequence[Path] = (),
                 synonyms: Sequence[Path] = (), config: SearchConfig | None = None,
                 workers: int | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
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
        self._teaching = Teaching()
        self._lock = threading.RLock()

    def close(self) -> None:
        self.store.close()

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
            self._teaching = Teaching()
        return pid

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- build ---------------------------------------------------------------------------------------
    def ingest(self, paths: Iterable[str | Path], *, progress: bool = False,
               max_bytes: int = LOCAL_MAX_BYTES) -> IngestReport:
        """Files or folders → documents. Unchanged files are skipped; see the module docstring.

        Local files an admin points at may be large exports (``max_bytes``, 1 GiB by default);
        uploads through :meth:`ingest_bytes` keep the loaders' tighter limit.
        """
        started = time.perf_counter()
        report = IngestReport()
        known = self.store.origins(READER_VERSION)
        sources: list[Source] = []
        for path in loaders.iter_files(paths):
            report.files += 1
            origin = str(Path(path).resolve())
            try:
                data = Path(path).read_bytes()
            except OSError as err:
                report.skipped.append(Skipped(str(path), f"cannot read: {err.strerror or err}"))
                continue
            digest = hashlib.sha256(data).hexdigest()
            if known.get(origin) == digest:
                report.unchanged += 1
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
        self._write(sources, report, progress=progress)
        release_ocr(report)
        report.stale_taught = self._stale_questions(report)
        report.seconds = time.perf_counter() - started
        return report

    def ingest_bytes(self, data: bytes, filename: str, *, origin: str | None = None,
                     max_bytes: int = loaders.MAX_FILE_BYTES) -> IngestReport:
        """Content without a file on disk (an upload): replaces an earlier upload of that name.

        Raises :class:`LoadError` (name and reason) when the content cannot be loaded; nothing in
        the knowledge base changes then.
        """
        started = time.perf_counter()
        name = Path(filename.replace("\\", "/")).name or "upload"
        report = IngestReport(files=1, bytes=len(data))
        origin = origin or f"upload:{name}"
        digest = hashlib.sha256(data).hexdigest()
        if self.store.origin_hash(origin, READER_VERSION) == digest:
            report.unchanged = 1
        else:
            try:
                read = loaders.read_bytes(data, name, max_bytes=max_bytes)
            finally:
                release_ocr(report, force=True)
            report.warnings.extend(read.warnings)
            report_of_file = file_report(name, read)
            report.read.append(report_of_file)
            self._write([Source(origin, digest, read.documents, report_of_file.to_json_text())],
                        report, progress=False)
            report.stale_taught = self._stale_questions(report)
        report.seconds = time.perf_counter() - started
        return report

    def add_document(self, document: SourceDocument, *, origin: str, url: str | None = None,
                     date: str | None = None, content_hash: str | None = None) -> str:
        """Add or replace one document under ``origin``; returns "added", "replaced" or "unchanged"."""
        digest = content_hash or hashlib.sha256(
            repr((document.title, document.blocks, url)).encode("utf-8")).hexdigest()
        old = self.store.origin_hash(origin)
        if old == digest and self.store.origin_hash(origin, READER_VERSION) == digest:
            return "unchanged"
        self._learn_terms([document])
        fingerprint = self.analyzer.fingerprint
        known = self.store.stored_words(origin, fingerprint).get(document.source) if old else None
        prepared = prepare_document(document, self.analyzer, url=url, date=date, known=known)
        with self._lock, self.store.transaction():
            self.store.delete_origin(origin)
            self.store.note_analyzer(fingerprint)
            self.store.insert_document(origin, digest, prepared)
        return "replaced" if old else "added"

    def add_post(self, *, chat_id: int, message_id: int, text: str, url: str | None,
                 date: str | None = None, channel_title: str = "") -> str:
        """A channel post as a document: title from its first line, cited with its link.

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
        return self.add_document(document, origin=origin, url=url, date=date)

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

    def _write(self, sources: list[Source], report: IngestReport, *, progress: bool) -> None:
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
                        # an unchanged paragraph of the old version keeps its words
                        known = self.store.stored_words(source.origin, fingerprint)
                        report.removed += self.store.delete_origin(source.origin)
                        self.store.note_analyzer(fingerprint)   # after: ids are reused
                        for start in range(0, len(source.documents), BATCH_DOCUMENTS):
                            batch = source.documents[start : start + BATCH_DOCUMENTS]
                            for document in prepare(batch, known):
                                reused_words += reused(document, known.get(document.source))
                                if source.reader:
                                    document = dataclasses.replace(document, reader=source.reader)
                                sections, paragraphs = self.store.insert_document(
                                    source.origin, source.content_hash, document)
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

    def _preparer(self, chars: int):
        """A function that prepares a batch of documents: on worker processes when it pays."""
        workers = self.workers if chars >= PARALLEL_MIN_CHARS else 1
        return preparer(self.analyzer, [*self._user_words, *self.store.terms()], self.synonyms,
                        workers)

    def seed_if_empty(self, seeds: str | Path, *, progress: bool = False) -> IngestReport | None:
        """Build the knowledge base from the ``seeds`` folder when it has no documents.

        Returns the report, or None when there was nothing to do (documents already there) or no
        such folder (logged)."""
        if self.store.counts()[0]:
            return None
        if not Path(seeds).is_dir():
            log.warning("knowledge base %s is empty and the seeds folder %s does not exist",
                        self.path, seeds)
            return None
        return self.ingest([seeds], progress=progress)

    def warm_up(self, *, index: bool = True) -> None:
        """Load jieba's dictionary now, and build the in-memory index unless ``index`` is False
        (a search process will build its own): not on the first question."""
        self.analyzer.words("预热")
        if index:
            self.searcher

    # -- query -----------------------------------------------------------------------------------------
    @property
    def searcher(self) -> Searcher:
        """The in-memory index, rebuilt when the database has changed since it was built."""
        self._refresh_synonyms()
        generation = self.store.generation
        if self._searcher is None or generation != self._searcher_generation:
            with self._lock:
                generation = self.store.generation
                if self._searcher is None or generation != self._searcher_generation:
                    # terms another process (a CLI ingest, the bot) taught its own jieba
                    self.analyzer.add_words(self.store.terms())
                    self._searcher = None  # the old index is not needed while the new is built
                    self._searcher = Searcher(self.store.load_rows(), self.analyzer, self.config)
                    self._searcher_generation = generation
        return self._searcher

    def ready_searcher(self) -> Searcher | None:
        """The in-memory index if it is current (a search now will not rebuild it), else None.

        Lets an event loop run a ~1 ms search inline and send anything slower to a thread.
        """
        searcher = self._searcher
        if searcher is None or self._searcher_generation != self.store.generation:
            return None
        self._refresh_synonyms()
        return searcher

    def search(self, question: str, k: int = 5, *, explain: bool = False, closest: bool = False,
               searcher: Searcher | None = None) -> Answer:
        """Answer ``question``: status ``answer``, ``suggestions`` or ``not_found``, with hits
        (``closest``: a ``not_found`` answer keeps its best weak hits), on ``searcher`` (a
        :meth:`ready_searcher`) or the current index; with what was taught (:attr:`teaching`)."""
        return (searcher or self.searcher).search(question, k, explain=explain,
                                                  teaching=self.teaching, closest=closest)

    @property
    def teaching(self) -> Teaching:
        """Taught questions and votes as searches use them, read again when they change (in a
        search process too: ``meta.teaching_generation``). No lock: a search on the event loop
        must not wait for an ingest; a snapshot read during a write of this process is read
        again after it (the generation it saw is not the one committed)."""
        generation = self.store.teaching_generation
        teaching = self._teaching
        if teaching.generation != generation:
            taught = {norm: TaughtEntry(tid, question, norm, ref or "", answer or "",
                                        (taught_at or "")[:10])
                      for tid, question, norm, ref, answer, _, taught_at
                      in self.store.taught_rows()}
            votes: dict[str, dict[str, int]] = {}
            for norm, ref, net in self.store.vote_sums():
                if net:
                    votes.setdefault(norm, {})[ref] = net
            teaching = self._teaching = Teaching(generation, taught, votes)
        return teaching

    def paragraph(self, paragraph_id: int) -> ParagraphView | None:
        row = self.store.paragraph(paragraph_id)
        if row is None:
            return None
        return ParagraphView(row.doc_id, row.paragraph_id, row.citation, row.text)

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
        """The shipped thesaurus' groups ("thesaurus") then the admins' ("admin", with ids)."""
        groups: list[SynonymGroup] = []
        if source in (None, "thesaurus"):
            groups.extend(self._file_synonyms.lines)
        if source in (None, "admin"):
            groups.extend(self._admin_groups())
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

    def _load_synonyms(self) -> Synonyms:
        synonyms = self._file_synonyms.copy()
        for group in self._admin_groups():
            synonyms.add(group)
        return synonyms

    def _refresh_synonyms(self) -> None:
        """Take up the admins' synonym groups when they changed (another process may have
        changed them): the next question is read with them; the index stays as it is."""
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

    def show(self, ref: str) -> list[DocumentView]:
        """The documents named by ``ref`` (id, title, file name, source id) as staffbot understood
        them: the reader's report, and every paragraph with its section path, kind and page."""
        views = []
        infos = {d.id: d for d in self.store.documents()}
        for doc_id in self.store.find_documents(ref):
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

    def logged_question(self, question_id: int) -> str | None:
        """The question a button's question id stands for (the question log keeps it)."""
        with self._lock:
            return self.store.logged_question(question_id)

    def unanswered(self, limit: int = 20) -> list[UnansweredQuestion]:
        with self._lock:
            return self.store.unanswered(limit)

    def stats(self) -> Stats:
        with self._lock:
            return self.store.stats()

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
