"""The CPU a search pays for the first question after a change (issue 12), in one process.

A writer and a reader (the search process's role) open a copy of a built knowledge base; the
writer uploads ``N`` small markdown files one at a time, and after each the reader answers a
question: the CPU time (``time.process_time``, robust on a loaded machine) of that first search —
the catch-up with the change (delta segment, tombstones, the audience map, a new searcher) and
the search — and of the stages it calls, by name (each only where the checkout has it).

    PYTHONPATH=<checkout> .venv/bin/python bench/update_cost.py KB.db [N]

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
    source = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 8
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
        writer.close()
        reader.close()


if __name__ == "__main__":
    main()
