"""The CPU a search pays for the first question after a change (issue 12), in one process.

A writer and a reader (the search process's role) open a copy of a built knowledge base; the
writer uploads ``N`` small markdown files one at a time, and after each the reader answers a
question: the CPU time (``time.process_time``, robust on a loaded machine) of that first search —
the catch-up with the change (delta segment, tombstones, the audience map, a new searcher) and
the search — and of the stages it calls, by name (each only where the checkout has it).

    PYTHONPATH=<checkout> .venv/bin/python bench/update_cost.py KB.db [N] [--merge]

``--merge`` then starts a background merge (as when deltas outgrow their share of the base),
waits for its process, and times the questions after it: the first one (on a checkout before
the merged file was loaded on a thread, it loaded the file itself) and the one that swaps the
merged base in.

Works on a copy (KB.db, .idx, .rows are copied to a temp folder); point ``PYTHONPATH`` at
another checkout for its figures.
"""

from __future__ import annotations

import functools
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from knowledge import KnowledgeBase
from knowledge import analysis, audiences, kb as kbm, query, search, segmented, store

STAGES = [(segmented.IndexKeeper, "_catch_up"), (segmented.IndexKeeper, "_changed_documents"),
          (segmented.Snapshot, "apply"), (store.Store, "doc_audiences"),
          (audiences.DocAudiences, "moved"), (query.QueryBuilder, "_keys_by_first"),
          (search.Searcher, "__init__"), (analysis.Analyzer, "add_words"),
          (search.Searcher, "search")]
SPENT: dict[str, list[float]] = {}


def timed(cls, name: str) -> None:
    inner = getattr(cls, name, None)
    if inner is None:
        return

    @functools.wraps(inner)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT.setdefault(f"{cls.__name__}.{name}", []).append(
                (time.process_time() - started) * 1000)
    setattr(cls, name, wrapper)


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--merge"]
    source = Path(args[0])
    n = int(args[1]) if len(args) > 1 else 8
    with tempfile.TemporaryDirectory(prefix="update-cost-") as tmp:
        db = Path(tmp) / "kb.db"
        for suffix in ("", ".idx", ".rows"):
            if Path(f"{source}{suffix}").exists():
                shutil.copy(f"{source}{suffix}", f"{db}{suffix}")
        writer, reader = KnowledgeBase(db), KnowledgeBase(db)
        for question in ("劳动合同的期限", "年假有多少天", "无人机飞行"):
            reader.search(question, 3)
        for cls, name in STAGES:
            timed(cls, name)
        SPENT.clear()
        firsts = []
        for i in range(n):
            text = f"# 无人机飞行管理办法{i}\n\n第一条 无人机飞行前应当向管理部门报备，编号 QX{i}7788。\n"
            writer.ingest_bytes(text.encode(), f"drone{i}.md")
            started = time.process_time()
            reader.search(f"无人机飞行前要做什么 QX{i}7788", 3)
            firsts.append((time.process_time() - started) * 1000)
            reader.search("工资支付", 3)
        print(f"first search after a change, CPU ms: median {statistics.median(firsts):.1f}, "
              f"max {max(firsts):.1f} ({n} uploads, {len(reader.searcher)} paragraphs)")
        for key, spent in sorted(SPENT.items(), key=lambda kv: -sum(kv[1])):
            print(f"  {key:36s} calls {len(spent):3d}  median {statistics.median(spent):6.2f} ms"
                  f"  total {sum(spent):7.1f} ms")
        if "--merge" in sys.argv:
            merge(writer, reader)
        writer.close()
        reader.close()


def timed_search(kb: KnowledgeBase, question: str) -> str:
    started, cpu = time.perf_counter(), time.process_time()
    kb.search(question, 3)
    return (f"{(time.perf_counter() - started) * 1000:.0f} ms wall, "
            f"{(time.process_time() - cpu) * 1000:.0f} ms CPU")


def merge(writer: KnowledgeBase, reader: KnowledgeBase) -> None:
    keeper = reader._index
    keeper.merge_fraction, keeper.max_deltas = 0.0, 0
    writer.ingest_bytes("# 合并\n\n合并前的最后一份，编号QM0。\n".encode(), "merge.md")
    reader.search("编号QM0", 3)
    process = keeper._merge
    keeper.merge_fraction, keeper.max_deltas = 1e9, 10**6
    started = time.perf_counter()
    process.wait()
    print(f"merge process: {time.perf_counter() - started:.1f} s")
    print(f"  first question after it: {timed_search(reader, '编号QM0')}")
    loading = getattr(keeper, "_loading", None)
    if loading is not None:
        started = time.perf_counter()
        loading.join()
        print(f"  its file loaded on a thread, {time.perf_counter() - started:.2f} s more")
        print(f"  the question that swaps it in: {timed_search(reader, '编号QM0')}")
    print(f"  the next: {timed_search(reader, '工资支付')}; events: {keeper.events[-2:]}")


if __name__ == "__main__":
    main()
