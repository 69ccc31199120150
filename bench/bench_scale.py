"""Scale benchmark: staffbot vs bm25s vs plain SQLite FTS5 on a knowledge base of 1k–100k paragraphs.

    /tmp/venv/bin/python bench/bench_scale.py [--passages P.jsonl] [--questions Q.jsonl]
        [--sizes 1000,10000,100000] [--questions-limit 500] [--systems staffbot,bm25s,fts5] [--json]

Data: the real passages (default ``../shared/eval/drcd-dev/passages.jsonl`` relative to the repo
root, not committed) are kept, so every sampled question's gold passage is present, and the set is
grown to N paragraphs with synthetic distractors: each one recombines sentences (split after
。！？) of different real passages — never of a sampled question's gold passage, so no distractor
holds a copy of the answering sentence — as many sentences as a randomly chosen real passage has, and
takes the title of one of its sources; ids are ``syn-<n>``. Everything is seeded (``--seed``), and
the grown set is shuffled and written to a temp jsonl file that all three systems read.

Systems, each run for each size in its own subprocess (``--one SYSTEM --size N --data FILE``) so
that its peak RSS (``ru_maxrss`` of that process; its worker processes are reported separately) is
its own:

* ``staffbot``: ``KnowledgeBase(tmp_db).ingest([file])`` (loading, sections, jieba on 2 worker
  processes for big inputs, SQLite writes), then the in-memory index built by the first
  ``kb.searcher`` access ("index s"), then ``kb.search(q, k=5)`` — the full pipeline with rerank,
  excerpt and highlights. ``not_found`` answers carry no hits and count as misses.
* ``bm25s``: title + text lower-cased, ``jieba.lcut_for_search``, punctuation and
  ``knowledge.analysis.STOPWORDS`` dropped, ``bm25s.BM25().index(tokens)`` ("index s"),
  ``retrieve([query tokens], k=5)``.
* ``fts5``: the same tokens joined by spaces in an on-disk FTS5 table (``tokenize='unicode61'``;
  "index s" is the INSERTs + commit), queried with
  ``SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 5`` where the query is its tokens,
  each double-quoted, OR-joined.

The baselines tokenise the corpus on the same number of worker processes as staffbot
(``--baseline-workers``, default 2, fork), so ingest figures compare engines, not parallelism.
``--baseline-python`` runs bm25s and FTS5 under another interpreter (a venv with
``bm25s jieba numpy<2`` and this project installed): bm25s' top-k is ``np.argpartition`` over every
document's score, mostly zeros, and numpy 2.4's ``argpartition`` takes ~14 ms on 100k such scores
where 1.26's takes ~0.2 ms (measured on this project's machine), so bm25s' times depend on the numpy
it runs on; the table prints each run's numpy.
Query tokenisation is inside the timed part for every system; queries run one at a time.

"ingest s" is end to end from the jsonl file until the first query can be answered (process start
and imports excluded, jieba's dictionary load included), i.e. it includes "index s"; MB/s is the
jsonl size over it. R@k: the gold passage id among the first k returned ids.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "eval" / "drcd-dev"
SYSTEMS = ("staffbot", "bm25s", "fts5")
_SENTENCE = re.compile(r"[^。！？]+[。！？]*|[。！？]+")


# -- data ---------------------------------------------------------------------------------------------
def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def grow(passages: list[dict], size: int, seed: int, exclude: set[str] = frozenset()) -> list[dict]:
    """The real passages plus synthetic distractors up to ``size`` paragraphs, shuffled.

    Distractors never reuse a sentence of the ``exclude`` passages (the gold passages of the
    sampled questions): a copy of the answering sentence elsewhere would make the question
    ambiguous, not the ranking harder.
    """
    rng = random.Random(seed)
    sentences = [[s for s in _SENTENCE.findall(p["text"].replace("\n", "")) if s.strip()]
                 if str(p["id"]) not in exclude else [] for p in passages]
    usable = [i for i, sents in enumerate(sentences) if sents]
    out = [dict(p, id=str(p["id"])) for p in passages]
    for n in range(max(0, size - len(passages))):
        count = min(len(sentences[rng.choice(usable)]), len(usable))
        sources = rng.sample(usable, count)
        text = "".join(rng.choice(sentences[i]) for i in sources)
        out.append({"id": f"syn-{n}", "title": passages[rng.choice(sources)].get("title", ""),
                    "text": text})
    rng.shuffle(out)
    return out


def write_jsonl(records: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


# -- baseline tokenisation ----------------------------------------------------------------------------
_WORDLIKE = re.compile(r"\w")
_STOP: frozenset[str] = frozenset()


def _init_tokenizer() -> None:
    global _STOP
    import logging

    import jieba

    from knowledge.analysis import STOPWORDS

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    _STOP = STOPWORDS


def tokenize(text: str) -> list[str]:
    import jieba

    return [t for t in jieba.lcut_for_search(text.lower())
            if t not in _STOP and not t.isspace() and _WORDLIKE.search(t)]


def tokenize_corpus(texts: list[str], workers: int) -> list[list[str]]:
    """jieba tokens of every text, on ``workers`` forked processes (jieba loaded before the fork)."""
    if workers <= 1:
        return [tokenize(t) for t in texts]
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(workers) as pool:
        return pool.map(tokenize, texts, chunksize=256)


def _corpus(data: Path) -> tuple[list[str], list[str]]:
    ids, texts = [], []
    for record in read_jsonl(data):
        ids.append(str(record["id"]))
        texts.append(f"{record.get('title', '')}\n{record['text']}")
    return ids, texts


# -- one system, one size (runs in its own process) --------------------------------------------------------
def run_staffbot(data: Path, questions: list[dict], tmp: Path, workers: int,
                 keep_db: Path | None = None) -> dict:
    from knowledge import KnowledgeBase
    from knowledge.loaders import MAX_FILE_BYTES

    size = data.stat().st_size
    db = keep_db or tmp / "kb.db"
    for old in (db, Path(f"{db}.idx"), Path(f"{db}-wal"), Path(f"{db}-shm")):
        old.unlink(missing_ok=True)
    started = time.perf_counter()
    kb = KnowledgeBase(db)
    # The default per-file limit (MAX_FILE_BYTES) would reject the large grown files.
    report = kb.ingest([data], max_bytes=max(MAX_FILE_BYTES, size + 1))
    ingested = time.perf_counter()
    kb.searcher  # the in-memory index, built on first use
    loaded = time.perf_counter()
    if report.skipped:
        raise SystemExit(f"staffbot skipped the data: {report.skipped}")

    def ask(question: str) -> tuple[list[str], str]:
        answer = kb.search(question, k=5)
        return [h.citation.source_id for h in answer.hits], answer.status

    result = {"paragraphs": report.paragraphs, "ingest_only_s": ingested - started,
              "index_s": loaded - ingested, "ingest_s": loaded - started,
              **_ask_all(ask, questions)}
    kb.close()
    return result


def run_bm25s(data: Path, questions: list[dict], tmp: Path, workers: int) -> dict:
    import bm25s

    started = time.perf_counter()
    _init_tokenizer()
    ids, texts = _corpus(data)
    tokens = tokenize_corpus(texts, workers)
    tokenized = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    del tokens
    loaded = time.perf_counter()

    def ask(question: str) -> tuple[list[str], str]:
        found, _ = retriever.retrieve([tokenize(question)], k=min(5, len(ids)), show_progress=False)
        return [ids[int(i)] for i in found[0]], "answer"

    return {"paragraphs": len(ids), "ingest_only_s": tokenized - started,
            "index_s": loaded - tokenized, "ingest_s": loaded - started,
            **_ask_all(ask, questions)}


def run_fts5(data: Path, questions: list[dict], tmp: Path, workers: int) -> dict:
    import sqlite3

    started = time.perf_counter()
    _init_tokenizer()
    ids, texts = _corpus(data)
    tokens = tokenize_corpus(texts, workers)
    tokenized = time.perf_counter()
    db = sqlite3.connect(tmp / "fts.db")
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61')")
    with db:
        db.executemany("INSERT INTO t(rowid, body) VALUES (?, ?)",
                       ((n + 1, " ".join(words)) for n, words in enumerate(tokens)))
    del tokens
    loaded = time.perf_counter()

    def ask(question: str) -> tuple[list[str], str]:
        words = list(dict.fromkeys(tokenize(question)))
        if not words:
            return [], "not_found"
        match = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        rows = db.execute("SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT 5",
                          [match]).fetchall()
        return [ids[r[0] - 1] for r in rows], "answer" if rows else "not_found"

    result = {"paragraphs": len(ids), "ingest_only_s": tokenized - started,
              "index_s": loaded - tokenized, "ingest_s": loaded - started,
              **_ask_all(ask, questions)}
    db.close()
    return result


def _ask_all(ask, questions: list[dict]) -> dict:
    import numpy as np

    times, r1, r5 = [], 0, 0
    statuses: dict[str, int] = {}
    for record in questions:
        t0 = time.perf_counter()
        found, status = ask(record["question"])
        times.append((time.perf_counter() - t0) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        gold = {str(g) for g in record["gold"]}
        r1 += bool(found[:1]) and found[0] in gold
        r5 += any(f in gold for f in found[:5])
    n = len(questions) or 1
    return {"questions": len(questions), "mean_ms": float(np.mean(times)) if times else 0.0,
            "p95_ms": float(np.percentile(times, 95)) if times else 0.0,
            "max_ms": float(np.max(times)) if times else 0.0,
            "r1": r1 / n, "r5": r5 / n, "not_found": statuses.get("not_found", 0),
            "statuses": statuses}


RUNNERS = {"staffbot": run_staffbot, "bm25s": run_bm25s, "fts5": run_fts5}


def run_one(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT))
    questions = read_jsonl(Path(args.questions_file))
    data = Path(args.data)
    with tempfile.TemporaryDirectory(prefix=f"bench-{args.one}-", dir=args.workdir) as tmp:
        extra = {"keep_db": Path(args.keep_db)} if args.keep_db else {}
        result = RUNNERS[args.one](data, questions, Path(tmp), args.baseline_workers, **extra)
    import numpy

    result.update(system=args.one, size=args.size, mb=data.stat().st_size / 1e6,
                  numpy=numpy.__version__,
                  peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  workers_peak_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    result["mb_per_s"] = result["mb"] / result["ingest_s"] if result["ingest_s"] else 0.0
    print(json.dumps(result, ensure_ascii=False), flush=True)


# -- the whole run ------------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", default=str(DEFAULT_DATA / "passages.jsonl"))
    parser.add_argument("--questions", default=str(DEFAULT_DATA / "questions.jsonl"))
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--systems", default=",".join(SYSTEMS))
    parser.add_argument("--questions-limit", type=int, default=500)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--baseline-workers", type=int, default=2,
                        help="processes tokenising the corpus for bm25s and fts5 (staffbot: 2)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per (size, system)")
    parser.add_argument("--baseline-python", metavar="PYTHON", default=sys.executable,
                        help="the interpreter that runs bm25s and fts5 (default: this one), e.g. "
                        "a venv with numpy<2, whose argpartition bm25s' top-k is fast on")
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    parser.add_argument("--keep", metavar="DIR", help="write the grown data sets here and keep "
                        "them, and staffbot's database (staffbot-N.db, its index file beside it)")
    # internal: one (system, size) in this process
    parser.add_argument("--one", choices=SYSTEMS, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--questions-file", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--keep-db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        run_one(args)
        return

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    systems = [s for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems: {', '.join(sorted(unknown))}")
    for path in (args.passages, args.questions):
        if not Path(path).is_file():
            parser.error(f"{path} not found (pass --passages / --questions)")
    passages = read_jsonl(Path(args.passages))
    questions = read_jsonl(Path(args.questions))
    known = {str(p["id"]) for p in passages}
    questions = [q for q in questions if any(str(g) in known for g in q.get("gold", []))]
    if args.questions_limit and len(questions) > args.questions_limit:
        picked = sorted(random.Random(args.seed).sample(range(len(questions)), args.questions_limit))
        questions = [questions[i] for i in picked]

    gold = {str(g) for q in questions for g in q["gold"]}
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    results: list[dict] = []
    try:
        qfile = work / "questions.jsonl"
        write_jsonl([{"qid": q.get("qid"), "question": q["question"],
                      "gold": [str(g) for g in q["gold"]]} for q in questions], qfile)
        for size in sizes:
            t0 = time.perf_counter()
            grown = grow(passages, size, args.seed, gold)
            folder = Path(args.keep) if args.keep else work
            folder.mkdir(parents=True, exist_ok=True)
            data = folder / f"passages-{size}.jsonl"
            write_jsonl(grown, data)
            del grown
            print(f"[{size}] {data.stat().st_size / 1e6:.1f} MB of jsonl in "
                  f"{time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
            for system in systems:
                t0 = time.perf_counter()
                python = sys.executable if system == "staffbot" else args.baseline_python
                cmd = [python, str(Path(__file__).resolve()), "--one", system,
                       "--size", str(size), "--data", str(data), "--questions-file", str(qfile),
                       "--workdir", str(work), "--baseline-workers", str(args.baseline_workers)]
                if args.keep and system == "staffbot":
                    cmd += ["--keep-db", str(folder / f"staffbot-{size}.db")]
                try:
                    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                                          timeout=args.timeout)
                except subprocess.TimeoutExpired:
                    print(f"[{size}] {system}: timed out after {args.timeout:.0f} s",
                          file=sys.stderr, flush=True)
                    results.append({"system": system, "size": size, "error": "timeout"})
                    continue
                lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
                if proc.returncode or not lines:
                    print(f"[{size}] {system}: failed (exit {proc.returncode})", file=sys.stderr,
                          flush=True)
                    results.append({"system": system, "size": size,
                                    "error": f"exit {proc.returncode}"})
                    continue
                result = json.loads(lines[-1])
                results.append(result)
                print(f"[{size}] {system}: done in {time.perf_counter() - t0:.1f} s "
                      f"(ingest {result['ingest_s']:.1f} s, p95 {result['p95_ms']:.1f} ms, "
                      f"R@1 {result['r1']:.3f})", file=sys.stderr, flush=True)
            if not args.keep:
                data.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    total = time.perf_counter() - started
    print_table(results, len(questions))
    print(f"\n{len(questions)} questions (seed {args.seed}); baselines tokenise on "
          f"{args.baseline_workers} processes; total {total:.0f} s")
    if args.json:
        print(json.dumps({"questions": len(questions), "seed": args.seed, "seconds": total,
                          "results": results}, ensure_ascii=False, indent=1))


def print_table(results: list[dict], questions: int) -> None:
    header = ["size", "system", "paras", "MB", "ingest s", "MB/s", "index s", "mean ms", "p95 ms",
              "R@1", "R@5", "not found", "RSS MB", "workers MB", "numpy"]
    rows = []
    for r in results:
        if "error" in r:
            rows.append([f"{r['size']:,}", r["system"], r["error"], *[""] * (len(header) - 3)])
            continue
        rows.append([f"{r['size']:,}", r["system"], f"{r['paragraphs']:,}", f"{r['mb']:.1f}",
                     f"{r['ingest_s']:.1f}", f"{r['mb_per_s']:.2f}", f"{r['index_s']:.2f}",
                     f"{r['mean_ms']:.2f}", f"{r['p95_ms']:.2f}", f"{r['r1']:.3f}",
                     f"{r['r5']:.3f}", str(r["not_found"]) if r["system"] == "staffbot" else "-",
                     f"{r['peak_rss_mb']:.0f}", f"{r['workers_peak_rss_mb']:.0f}",
                     r.get("numpy", "?")])
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h)
              for i, h in enumerate(header)]
    print()
    print("  ".join(h.rjust(w) if i > 1 else h.ljust(w) for i, (h, w) in enumerate(zip(header, widths))))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(c.rjust(w) if i > 1 else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths))))


if __name__ == "__main__":
    main()
