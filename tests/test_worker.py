"""The search process (knowledge.worker): a forked child answering the searches of an event loop."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import Answerer, KnowledgeBase, SearchWorker, WorkerGone, can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="the search process needs fork")

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["怎样为基层减负", "政绩观", "干部选拔任用", "第三条", "基层减負", "hello wrld", "的",
             "   ", "天气怎么样"]


@pytest.fixture
def kb(tmp_path: Path):
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    kb = KnowledgeBase(tmp_path / "kb.db")
    kb.ingest([tmp_path / "seeds"])
    yield kb
    kb.close()


def gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether process ``pid`` has exited (reaping it if it is our child) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                return True
        except ChildProcessError:  # not our child: is it still there?
            if not Path(f"/proc/{pid}").exists() or "zombie" in _state(pid):
                return True
        time.sleep(0.02)
    return False


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:")[1].split("\n")[0]
    except (OSError, IndexError):
        return "zombie"


async def test_answers_are_those_of_the_bots_own_search(kb):
    worker = SearchWorker.fork(kb)
    try:
        assert worker.alive and worker.pid != os.getpid()
        answers = await asyncio.gather(*(worker.search(q, 5) for q in QUESTIONS))
        assert answers == [kb.search(q, 5) for q in QUESTIONS]
        assert answers[0].status == "answer" and answers[0].best.excerpt
        explained = await worker.search("怎样为基层减负", 3, explain=True)
        assert explained.explain == kb.search("怎样为基层减负", 3, explain=True).explain
    finally:
        await worker.close()
    assert gone(worker.pid)


async def test_the_bots_own_process_builds_no_index(kb):
    worker = SearchWorker.fork(kb)
    try:
        assert (await worker.search("怎样为基层减负")).status == "answer"
        assert kb.ready_searcher() is None
    finally:
        await worker.close()


async def test_writes_of_the_bot_are_seen_by_the_next_search_with_their_terms(kb):
    worker = SearchWorker.fork(kb)
    try:
        assert (await worker.search("青苗护航计划怎么报送")).status != "answer"
        kb.ingest_bytes("关于实施“青苗护航计划”的通知\n\n各单位要落实青苗护航计划，每季度报送一次进展。\n"
                        .encode(), "notice.txt")
        answer = await worker.search("青苗护航计划怎么报送", explain=True)
        assert answer.status == "answer" and "每季度报送" in answer.best.excerpt
        # the defined term, learned by the bot's jieba at ingest, was learned by the child's too
        units = [u["text"] for u in answer.explain["query"]["units"]]
        assert "青苗护航计划" in units
        kb.add_post(chat_id=-100123, message_id=7, text="食堂通知\n周五食堂供应饺子。", url=None)
        assert "饺子" in (await worker.search("食堂周五供应什么")).best.excerpt
        kb.remove_origin("upload:notice.txt")
        assert all("青苗" not in h.excerpt
                   for h in (await worker.search("青苗护航计划怎么报送")).hits)
    finally:
        await worker.close()


async def test_an_error_in_one_search_is_raised_and_the_process_goes_on(kb, capfd):
    worker = SearchWorker.fork(kb)
    try:
        with pytest.raises(RuntimeError, match="search failed in the search process"):
            await worker.search("政绩观", k="five")  # type: ignore[arg-type]
        assert worker.alive
        assert (await worker.search("政绩观")).status == "answer"
    finally:
        await worker.close()
    assert "Traceback" in capfd.readouterr().err  # the child printed what went wrong


async def test_a_killed_search_process_fails_pending_and_later_searches(kb):
    worker = SearchWorker.fork(kb)
    await worker.search("政绩观")
    pending = [asyncio.ensure_future(worker.search(q)) for q in QUESTIONS * 30]
    os.kill(worker.pid, signal.SIGKILL)
    results = await asyncio.gather(*pending, return_exceptions=True)
    assert isinstance(results[-1], WorkerGone)  # some may have been answered before the kill
    assert all(isinstance(r, WorkerGone) or r.status in {"answer", "suggestions", "not_found"}
               for r in results)
    assert not worker.alive and "closed its connection" in worker.gone
    with pytest.raises(WorkerGone):
        await worker.search("政绩观")
    await worker.close()
    assert gone(worker.pid)


async def test_a_search_process_that_stops_answering_is_killed_after_the_timeout(kb):
    worker = SearchWorker.fork(kb, timeout=2)
    await worker.search("政绩观")
    os.kill(worker.pid, signal.SIGSTOP)  # hangs, as a deadlocked child would
    started = time.monotonic()
    with pytest.raises(WorkerGone, match="no answer for 2 s"):
        await worker.search("怎样为基层减负")
    assert 2 <= time.monotonic() - started < 6
    await worker.close()
    assert gone(worker.pid)


def test_the_search_process_exits_with_the_bot(kb, tmp_path):
    """SIGKILL of the bot's process: its search process does not live on as an orphan."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import asyncio, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from knowledge import KnowledgeBase, SearchWorker\n"
        "async def main():\n"
        f"    worker = SearchWorker.fork(KnowledgeBase({str(kb.path)!r}))\n"
        "    await worker.search('政绩观')\n"
        "    print(worker.pid, flush=True)\n"
        "    await asyncio.sleep(60)\n"
        "asyncio.run(main())\n", encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    try:
        child = int(parent.stdout.readline())
        assert Path(f"/proc/{child}").exists()
        parent.kill()
        parent.wait(10)
        assert gone(child, timeout=10)
    finally:
        parent.kill()
        parent.stdout.close()


def test_an_in_memory_database_cannot_be_shared():
    with KnowledgeBase(":memory:") as kb, pytest.raises(ValueError, match="in-memory"):
        SearchWorker.fork(kb)


async def test_the_search_process_only_reads_and_the_bots_process_logs_each_question_once(kb):
    worker = SearchWorker.fork(kb)
    answerer = Answerer(kb, worker=worker)
    try:
        asked = await answerer.ask("怎样为基层减负", chat_kind="group")
        assert asked.answer.status == "answer" and asked.question_id is not None
        row = kb.store.db.execute("SELECT question, status, chat_kind, paragraph_id, ms FROM "
                                  "questions WHERE id = ?", [asked.question_id]).fetchone()
        assert row[:4] == ("怎样为基层减负", "answer", "group", asked.answer.best.paragraph_id)
        assert row[4] == asked.ms and asked.ms >= 0
        # many at once: each logged exactly once, by this process
        many = await asyncio.gather(*(answerer.ask(q, chat_kind="private") for q in QUESTIONS * 5))
        ids = [a.question_id for a in many]
        assert None not in ids and len(set(ids)) == len(ids)
        assert kb.stats().questions == 1 + len(QUESTIONS) * 5
        # a write holding the database does not block the search; the log waits for it
        with kb.store.transaction():
            kb.store.db.execute("UPDATE meta SET value = value WHERE key = 'schema_version'")
            answer = await worker.search("政绩观")
            assert answer.status == "answer"
        assert kb.stats().questions == 1 + len(QUESTIONS) * 5
        # the child holds the database file open read-only (O_RDONLY): SQLite refuses its writes
        modes = [int(Path(f"/proc/{worker.pid}/fdinfo/{fd}").read_text().split("flags:")[1]
                     .split()[0], 8) & 3
                 for fd in os.listdir(f"/proc/{worker.pid}/fd")
                 if os.readlink(f"/proc/{worker.pid}/fd/{fd}") == str(kb.path.resolve())]
        assert modes == [os.O_RDONLY]
        assert kb.store.readonly is False
    finally:
        await worker.close()


def test_a_read_only_store_refuses_writes(kb):
    from knowledge.store import Store

    store = Store(kb.path)
    store.close()
    store.reconnect(readonly=True)
    assert store.readonly and store.counts()[0] == 1
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.log_question("q", "q", "answer", None, None, None, 1.0)
    store.close()


async def test_answers_fall_back_to_this_process_when_the_search_process_dies(kb):
    worker = SearchWorker.fork(kb)
    answerer = Answerer(kb, worker=worker)
    try:
        assert answerer.where == f"search process {worker.pid}"
        os.kill(worker.pid, signal.SIGKILL)
        asked = await answerer.ask("怎样为基层减负", chat_kind="private")
        assert asked.answer.status == "answer" and asked.question_id is not None
        assert answerer.where == "in this process"
    finally:
        await worker.close()
