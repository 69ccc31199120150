"""A search process beside the bot: the index lives and the searches run in a forked child.

A busy bot is one core's worth of Python: reading updates, sending replies and searching share one
event loop, and the search was about half of it (~0.9 ms of CPU a question at 10k paragraphs,
``bench/bench_load.py --profile``). :meth:`SearchWorker.fork` starts a child process that answers
searches for the bot's event loop (``await worker.search(question)``), so the two halves run on
two cores.

Memory: the child is forked once the knowledge base is open and jieba's dictionary loaded, but
before any index is built: the dictionary (~75 MB) stays shared copy-on-write, the index is built
in the child only, and the bot's own process never builds one while the worker answers. So the
pair holds no more than one process searching by itself did (load bench, 10k paragraphs: summed
PSS peak 261-266 MB, against 283-286 MB for the single process before).

The child opens its own SQLite connection, read-only (one inherited across ``fork`` must not be
used; the bot's process is the one writer and logs every question itself), loads the index saved
beside the database (or builds and saves it) and, when the database's generation moves, applies
what changed as a delta segment and tombstones before the next search
(:attr:`KnowledgeBase.searcher`, :class:`~.segmented.IndexKeeper`) — so documents and channel
posts written by the bot are seen by the next search, without a rebuild; when the deltas grow, a
merge runs in a background process of its own and its file is loaded when ready. Taught
questions and votes are read again when ``meta.teaching_generation`` moves
(:attr:`KnowledgeBase.teaching`).

Protocol: length-prefixed pickles on a socket pair, ``(id, question, k, explain, closest,
audiences)`` →
``(id, ok, (answer, search ms) or error text)``; the child answers one at a time, in order,
and the bot may have many questions in flight. Callers go through :class:`knowledge.Answerer`. The child exits when the bot closes the socket or dies (end of file;
on Linux also ``PR_SET_PDEATHSIG``). If the child dies or stops answering for ``timeout`` seconds,
pending and later searches raise :class:`WorkerGone` and the caller searches in its own process.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import pickle
import signal
import socket
import struct
import sys
import time
import traceback

from .kb import KnowledgeBase
from .model import Answer

__all__ = ["SearchWorker", "WorkerGone", "can_fork"]

log = logging.getLogger(__name__)

_HEADER = struct.Struct("!I")


class WorkerGone(RuntimeError):
    """The search process has exited or stopped answering: search in this process instead."""


def can_fork() -> bool:
    """Whether this platform runs a search process: Linux (fork, Unix sockets, and a child that
    dies with its parent). macOS can fork, but its system libraries are not fork-safe once
    loaded (Python's multiprocessing spawns there for that reason)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(socket, "AF_UNIX")


class SearchWorker:
    """The bot's side of a search process (see the module docstring)."""

    def __init__(self, pid: int, sock: socket.socket, *, timeout: float) -> None:
        self.pid = pid
        self.timeout = timeout
        self.gone: str | None = None       # why the worker stopped, once it has
        self._sock = sock
        self._transport: asyncio.Transport | None = None
        self._connecting: asyncio.Future | None = None
        self._watcher: asyncio.Task | None = None
        self._pending: dict[int, tuple[asyncio.Future, float]] = {}
        self._next_id = 0

    @classmethod
    def fork(cls, kb: KnowledgeBase, *, timeout: float = 120.0) -> "SearchWorker":
        """Fork the search process of ``kb`` (a file database: the child opens it again).

        Call it from the thread that will await :meth:`search`, while no other thread of this
        process is inside ``kb`` (at start-up): the child keeps only the calling thread. ``kb``
        must be this process's only connection to its database file: SQLite's per-file state
        would cross the fork with another one open.
        """
        if not can_fork():
            raise OSError("a search process runs on Linux only (fork, Unix sockets, PR_SET_PDEATHSIG)")
        if str(kb.path) == ":memory:":
            raise ValueError("an in-memory database cannot be shared with a search process")
        kb.analyzer.words("预热")  # jieba's dictionary loaded before the fork: shared, not copied
        parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        parent_pid = os.getpid()
        # Objects alive now are never collected (in either process): the collector would write
        # to every page holding them and the child would copy the pages; and in the child it
        # must not finalise the parent's objects (a socket's close would hit a reused fd).
        gc.collect()
        gc.freeze()
        try:
            pid = kb.fork(lambda: _detach(parent_end, child_end, parent_pid))
        except BaseException:
            if os.getpid() != parent_pid:  # the child failed to set up
                _report_and_exit(1)
            raise
        if pid == 0:  # the child: never returns
            try:
                _serve(kb, child_end)
            except BaseException:  # noqa: BLE001 - report anything, then exit
                _report_and_exit(1)
            _report_and_exit(0)
        child_end.close()
        log.info("search process %d started", pid)
        return cls(pid, parent_end, timeout=timeout)

    @property
    def alive(self) -> bool:
        return self.gone is None

    async def search(self, question: str, k: int = 5, *, explain: bool = False,
                     closest: bool = False, audiences: frozenset[str] | None = None) -> Answer:
        """``kb.search(question, k, explain=, closest=, audiences=)``, answered by the search
        process."""
        answer, _ = await self.search_timed(question, k, explain=explain, closest=closest,
                                            audiences=audiences)
        return answer

    async def search_timed(self, question: str, k: int = 5, *, explain: bool = False,
                           closest: bool = False, audiences: frozenset[str] | None = None
                           ) -> tuple[Answer, float]:
        """The answer and the milliseconds the search took in the search process."""
        if self.gone is not None:
            raise WorkerGone(self.gone)
        if self._transport is None:  # the first searches: one connection, made on this loop
            if self._connecting is None:
                self._connecting = asyncio.ensure_future(self._connect())
            await asyncio.shield(self._connecting)
        request_id = self._next_id
        self._next_id += 1
        future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = (future, time.monotonic())
        body = pickle.dumps((request_id, question, k, explain, closest, audiences),
                            pickle.HIGHEST_PROTOCOL)
        try:
            self._transport.write(_HEADER.pack(len(body)) + body)
        except (ConnectionError, OSError, RuntimeError) as err:
            self._fail(f"cannot write to it ({err})")
        return await future

    async def _connect(self) -> None:
        loop = asyncio.get_running_loop()
        self._transport, _ = await loop.create_unix_connection(lambda: _Replies(self),
                                                               sock=self._sock)
        self._watcher = asyncio.create_task(self._watch(), name="search-process-watch")

    def _answered(self, message: bytes) -> None:
        request_id, ok, value = pickle.loads(message)
        future, _ = self._pending.pop(request_id, (None, 0.0))
        if future is None or future.done():
            return
        if ok:
            future.set_result(value)
        else:
            future.set_exception(RuntimeError(f"search failed in the search process: {value}"))

    def _closed(self, err: Exception | None) -> None:
        self._fail(f"it closed its connection ({type(err).__name__ if err else 'end of file'}; "
                   f"exit status {self._reap()})")

    async def _watch(self) -> None:
        while self.gone is None:
            await asyncio.sleep(1.0)
            if self._pending:
                oldest = min(started for _, started in self._pending.values())
                if time.monotonic() - oldest > self.timeout:
                    self._kill()
                    self._fail(f"no answer for {self.timeout:.0f} s")

    def _fail(self, why: str) -> None:
        if self.gone is None:
            self.gone = why
            log.error("search process %d: %s; searching in the bot's own process from now on",
                      self.pid, why)
        pending, self._pending = self._pending, {}
        for future, _ in pending.values():
            if not future.done():
                future.set_exception(WorkerGone(why))

    def _reap(self) -> str:
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return "unknown"
        if pid == 0:
            return "still running"
        return str(os.waitstatus_to_exitcode(status))

    def _kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    async def close(self, wait: float = 5.0) -> None:
        """Stop the search process: it exits when its socket closes (killed after ``wait`` s)."""
        if self.gone is None:
            self.gone = "closed"
        if self._watcher is not None:
            self._watcher.cancel()
        if self._transport is not None:
            self._transport.close()
        else:
            self._sock.close()
        deadline = time.monotonic() + wait
        while self._reap() == "still running":
            if time.monotonic() > deadline:
                self._kill()
            await asyncio.sleep(0.02)
        self._fail("closed")


class _Replies(asyncio.Protocol):
    """The bot's end of the socket: frames cut from the bytes as they arrive (a protocol rather
    than a stream reader and a task: a reply costs the event loop one callback)."""

    def __init__(self, worker: SearchWorker) -> None:
        self.worker = worker
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        start, end = 0, len(buffer)
        while end - start >= _HEADER.size:
            size, = _HEADER.unpack_from(buffer, start)
            if end - start - _HEADER.size < size:
                break
            start += _HEADER.size
            self.worker._answered(bytes(buffer[start:start + size]))
            start += size
        del buffer[:start]

    def eof_received(self) -> bool:
        return False  # close the transport: connection_lost follows

    def connection_lost(self, exc: Exception | None) -> None:
        self.worker._closed(exc)


# -- the child ---------------------------------------------------------------------------------------
def _serve(kb: KnowledgeBase, sock: socket.socket) -> None:
    stream = sock.makefile("rb")
    while True:
        header = stream.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the bot closed the socket or exited
        body = stream.read(_HEADER.unpack(header)[0])
        request_id, question, k, explain, closest, audiences = pickle.loads(body)
        try:
            started = time.perf_counter()
            answer = kb.search(question, k, explain=explain, closest=closest, audiences=audiences)
            reply = (request_id, True, (answer, round((time.perf_counter() - started) * 1000, 1)))
        except Exception as err:  # noqa: BLE001 - the bot gets the error, the process goes on
            _report()
            reply = (request_id, False, f"{type(err).__name__}: {err}")
        data = pickle.dumps(reply, pickle.HIGHEST_PROTOCOL)
        sock.sendall(_HEADER.pack(len(data)) + data)


def _report() -> None:
    """The current exception's traceback on file descriptor 2 (the bot's log): the parent's
    ``sys.stderr`` object may wrap a descriptor the child has closed."""
    try:
        os.write(2, f"search process {os.getpid()}: {traceback.format_exc()}".encode())
    except BaseException:  # noqa: BLE001 - nowhere left to report to
        pass


def _report_and_exit(code: int) -> None:
    try:
        if code:
            _report()
    finally:
        os._exit(code)


def _detach(parent_end: socket.socket, sock: socket.socket, parent_pid: int) -> None:
    """Make the forked child a process of its own: the parent's signal handling, descriptors
    and lifetime are not its."""
    parent_end.close()
    try:
        signal.set_wakeup_fd(-1)
    except ValueError:
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)    # Ctrl-C: the bot stops, then closes us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the bot
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent_pid:  # the bot died before that took effect
        os._exit(0)
    # The parent's sockets and files (its connection to Telegram, its database handle): the
    # child must not keep them open after the parent closes them.
    keep = sock.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 16)
