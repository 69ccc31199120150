"""Real-file measure: how often staffbot answers from the files offices really have.

For each format folder rendered by ``bench/realdocs/render.py`` (build/<format>/), a fresh
knowledge base is built in-process and every question of ``bench/realdocs/questions.jsonl`` whose
document is in that folder is asked (``kb.search(q, k=3)``). Beside it, a plain SQLite FTS5
baseline over the clean ``txt`` paragraphs (jieba tokens, bm25, top paragraph = its answer).

    .venv/bin/python bench/realdocs/render.py && .venv/bin/python bench/realdocs.py \
        [--formats txt,pdf] [--kinds number,table] [--misses] [--json] [--check]

Classes (see bench/realdocs/README.md): answered, cited, declined, confident-wrong; off-topic
questions are right when not answered with confidence. Misses use issue 16's classes.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "realdocs"
BUILD = HERE / "build"
QUESTIONS = HERE / "questions.jsonl"
BASELINE = "fts5(txt)"

MISS_CLASSES = ("not found although answerable", "gold not among the 3 hits", "gold 2nd or 3rd",
                "gold 1st but only suggested", "right article but excerpt lacks the answer")
_NUMERALS = "一二三四五六七八九十百千零〇两"
_ARTICLE = re.compile(rf"^(第[{_NUMERALS}]+条)")
_POINT = re.compile(rf"^([{_NUMERALS}]+、)")
_TABLE = re.compile(r"^(表\s*\d+)")


def norm(text: str) -> str:
    """Full/half width folded, whitespace removed, lower case: how `must` words are compared."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


# -- questions --------------------------------------------------------------------------------

def read_questions(path: Path) -> list[dict]:
    questions = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    for q in questions:
        golds = [(q["doc"], q["article"])] if q["doc"] else []
        for other in q.get("also") or []:
            doc, _, article = other.rpartition(":")
            golds.append((doc or q["doc"], article))
        q["golds"] = golds
    return questions


def article_in(label: str, article: str) -> bool:
    """Is ``article`` (第十七条, 十四、, a table caption or sheet name) named in a citation?"""
    label, target = norm(label), norm(article)
    if target.startswith("第") or _POINT.match(target):
        return re.search(rf"(?<![{_NUMERALS}]){re.escape(target)}", label) is not None
    if target in label:
        return True
    table = _TABLE.match(article)   # a reader that found no caption names the table 表N
    return bool(table) and re.search(rf"{re.escape(norm(table.group(1)))}(?!\d)", label) is not None


def hit_matches(hit: dict, doc: str, article: str) -> bool:
    source = Path(str(hit.get("source") or "")).stem
    if doc not in (source, hit.get("document")):
        return False
    return article_in(f"{hit.get('section', '')} › {hit.get('citation', '')}", article)


@dataclass
class Outcome:
    question: dict
    fmt: str
    status: str
    rank: int | None            # index of the first gold hit among the 3, else None
    answered: bool
    miss: str | None            # a MISS_CLASSES entry for an answerable question not answered
    hits: list[dict] = field(default_factory=list)
    see_also: list[dict] = field(default_factory=list)   # 另见 beside an answer

    @property
    def offtopic(self) -> bool:
        return self.question["doc"] is None


def classify(question: dict, fmt: str, answer: dict) -> Outcome:
    status, hits = answer["status"], answer["hits"][:3]
    also = answer.get("see_also") or []
    if question["doc"] is None:
        return Outcome(question, fmt, status, None, status != "answer", None, hits, also)
    rank = next((i for i, hit in enumerate(hits)
                 if any(hit_matches(hit, d, a) for d, a in question["golds"])), None)
    has_answer = rank == 0 and all(norm(w) in norm(hits[0]["excerpt"]) for w in question["must"])
    answered = status == "answer" and has_answer
    miss = None
    if not answered:
        if status == "not_found":
            miss = MISS_CLASSES[0]
        elif rank is None:
            miss = MISS_CLASSES[1]
        elif rank > 0:
            miss = MISS_CLASSES[2]
        elif status != "answer" and has_answer:
            miss = MISS_CLASSES[3]
        else:
            miss = MISS_CLASSES[4]
    return Outcome(question, fmt, status, rank, answered, miss, hits, also)


# -- staffbot ---------------------------------------------------------------------------------

MEANING: str | None = None   # --meaning CACHE: match by meaning too (bench/meaning_cache.py)
CONFIG: str = ""             # --config name=value,…: SearchConfig changes


def run_staffbot(folder: Path, questions: list[dict]) -> tuple[dict, list[Outcome]]:
    from knowledge import KnowledgeBase

    meaning = None
    if MEANING:
        from meaning_cache import cached_encoder
        meaning = cached_encoder(MEANING)
    with tempfile.TemporaryDirectory() as tmp:
        from associations import config_of
        kb = KnowledgeBase(Path(tmp) / "kb.db", workers=1, meaning=meaning,
                           config=config_of(CONFIG))
        try:
            started = time.perf_counter()
            report = kb.ingest([folder])
            kb.searcher  # noqa: B018 - the index build belongs to ingest, not the first question
            ingest_s = time.perf_counter() - started
            started = time.perf_counter()
            outcomes = [classify(q, folder.name, kb.search(q["question"], k=3).to_json())
                        for q in questions]
            ask_ms = (time.perf_counter() - started) * 1000 / max(1, len(questions))
        finally:
            kb.close()
    info = {"files": report.files, "documents": report.documents,
            "paragraphs": report.paragraphs,
            "skipped": [{"path": Path(s.path).name, "reason": s.reason} for s in report.skipped],
            "warnings": len(report.warnings), "warning_lines": report.warnings,
            "ingest_s": round(ingest_s, 2), "ask_ms": round(ask_ms, 1)}
    return info, outcomes


# -- the FTS5 baseline ------------------------------------------------------------------------

def txt_paragraphs(folder: Path) -> list[dict]:
    """The clean text's lines with the section each is in (章 › 第X条 › 表N), as hits."""
    rows = []
    for path in sorted(folder.glob("*.txt")):
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
        title, body = lines[0], lines[1:]
        marker = _ARTICLE if any(_ARTICLE.match(x) for x in body) else _POINT
        chapter = article = table = ""
        for line in body:
            if re.match(rf"^第[{_NUMERALS}]+[章节]", line) and len(line) < 30:
                chapter, article, table = line, "", ""
                continue
            found = marker.match(line)
            if found:
                article, table = found.group(1), ""
            elif _TABLE.match(line) and len(line) < 40:
                table = line
                continue
            section = " › ".join(x for x in (chapter, article, table) if x) or title
            rows.append({"source": path.name, "document": title, "section": section,
                         "citation": f"{title} › {section}", "excerpt": line})
    return rows


class Fts5Baseline:
    def __init__(self, folder: Path) -> None:
        import jieba

        from knowledge.analysis import STOPWORDS

        jieba.setLogLevel(60)
        self.cut, self.stop = jieba.lcut_for_search, STOPWORDS
        self.rows = txt_paragraphs(folder)
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE p USING fts5(tokens, tokenize='unicode61')")
        self.db.executemany("INSERT INTO p(rowid, tokens) VALUES (?, ?)",
                            [(i, " ".join(self.tokens(r["excerpt"])))
                             for i, r in enumerate(self.rows)])

    def tokens(self, text: str) -> list[str]:
        return [t for t in self.cut(text) if t.strip() and t not in self.stop
                and any(ch.isalnum() for ch in t)]

    def search(self, question: str) -> dict:
        terms = sorted(set(self.tokens(question)))
        if not terms:
            return {"status": "not_found", "hits": []}
        query = " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)
        ids = [r[0] for r in self.db.execute(
            "SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT 3", (query,))]
        return {"status": "answer" if ids else "not_found", "hits": [self.rows[i] for i in ids]}


def run_baseline(folder: Path, questions: list[dict]) -> tuple[dict, list[Outcome]]:
    started = time.perf_counter()
    base = Fts5Baseline(folder)
    ingest_s = time.perf_counter() - started
    outcomes = [classify(q, BASELINE, base.search(q["question"])) for q in questions]
    info = {"files": len(list(folder.glob("*.txt"))), "documents": 0,
            "paragraphs": len(base.rows), "skipped": [], "warnings": 0, "warning_lines": [],
            "ingest_s": round(ingest_s, 2), "ask_ms": 0.0}
    return info, outcomes


# -- checking the questions against the clean text ---------------------------------------------

def check(questions: list[dict], build: Path = BUILD) -> int:
    """Every gold article exists in the txt reference and holds every `must` word."""
    by_doc: dict[str, dict[str, str]] = defaultdict(lambda: defaultdict(str))
    for row in txt_paragraphs(build / "txt"):
        doc = Path(row["source"]).stem
        for part in row["section"].split(" › "):
            by_doc[doc][part] += row["excerpt"] + "\n"
        by_doc[doc][doc] += row["excerpt"] + "\n"
    problems = 0
    for q in questions:
        for n, (doc, article) in enumerate(q["golds"]):
            texts = by_doc.get(doc)
            text = texts and next((t for k, t in texts.items() if norm(k) == norm(article)
                                   or norm(k).startswith(norm(article))), None)
            if not text:
                print(f"{q['id']}: {doc} has no {article}")
                problems += 1
            elif n == 0 and not all(norm(w) in norm(text) for w in q["must"]):
                print(f"{q['id']}: {doc} {article} lacks one of {q['must']}")
                problems += 1
    print(f"{len(questions)} questions, {problems} problems")
    return 1 if problems else 0


# -- reports ----------------------------------------------------------------------------------

def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}" if whole else "    -"


def summary(outcomes: list[Outcome]) -> dict:
    real = [o for o in outcomes if not o.offtopic]
    off = [o for o in outcomes if o.offtopic]
    return {"questions": len(real), "answered": sum(o.answered for o in real),
            "cited": sum(o.rank is not None for o in real),
            "declined": sum(o.status == "not_found" for o in real),
            "confident_wrong": sum(o.status == "answer" and not o.answered for o in real),
            "offtopic": len(off), "offtopic_right": sum(o.answered for o in off),
            "misses": dict(Counter(o.miss for o in real if o.miss)),
            # 另见: answers offered with it, and how many of those name another gold article
            "see_also": sum(bool(o.see_also) for o in outcomes),
            "see_also_gold": sum(any(hit_matches(h, d, a) for h in o.see_also
                                     for d, a in o.question["golds"]) for o in real)}


def row_line(name: str, s: dict, extra: str = "") -> str:
    n = s["questions"]
    return (f"{name:16} {n:4} {pct(s['answered'], n)} {pct(s['cited'], n)} "
            f"{pct(s['declined'], n)} {pct(s['confident_wrong'], n)}   "
            f"{s['offtopic_right']:2}/{s['offtopic']:<2}{extra}")


HEADER = (f"{'':16} {'n':>4} {'answ%':>5} {'cite%':>5} {'decl%':>5} {'wrong%':>5}   off-ok")


def print_report(infos: dict, results: dict[str, list[Outcome]], show_misses: bool) -> None:
    print("\n== by format (n = answerable questions whose document is in the folder) ==")
    print(HEADER + "   files skipped warnings ingest-s ms/q")
    for fmt, outcomes in results.items():
        info = infos[fmt]
        extra = (f"   {info['files']:5} {len(info['skipped']):7} {info['warnings']:8} "
                 f"{info['ingest_s']:8.1f} {info['ask_ms']:4.0f}")
        print(row_line(fmt, summary(outcomes), extra))
    for fmt, info in infos.items():
        for skip in info["skipped"]:
            print(f"  {fmt}: skipped {skip['path']}: {skip['reason']}")
    staff = {f: o for f, o in results.items() if f != BASELINE}
    for title, chosen in (("txt", {k: v for k, v in staff.items() if k == "txt"}),
                          ("all formats", staff), (BASELINE, {BASELINE: results.get(BASELINE,
                                                                                    [])})):
        flat = [o for outs in chosen.values() for o in outs]
        if not flat:
            continue
        print(f"\n== by kind: {title} ==")
        print(HEADER)
        kinds = sorted({o.question["kind"] for o in flat}, key=_kind_order)
        for kind in kinds:
            print(row_line(kind, summary([o for o in flat if o.question["kind"] == kind])))
        print(row_line("all", summary(flat)))
    print("\n== 另见 (other documents offered beside an answer) ==")
    for fmt, outcomes in results.items():
        if fmt != BASELINE:
            s = summary(outcomes)
            print(f"{fmt:16} answers with 另见 {s['see_also']:3}; naming a gold article "
                  f"{s['see_also_gold']:3}")
    print("\n== misses by class (answerable questions not answered) ==")
    short = ("not found", "not in top 3", "2nd/3rd", "suggested only", "excerpt lacks")
    print(f"{'':16} " + " ".join(f"{s:>14}" for s in short))
    for fmt, outcomes in results.items():
        counts = summary(outcomes)["misses"]
        print(f"{fmt:16} " + " ".join(f"{counts.get(c, 0):14}" for c in MISS_CLASSES))
    if show_misses:
        print("\n== each miss ==")
        for fmt, outcomes in results.items():
            for o in outcomes:
                if o.answered:
                    continue
                q = o.question
                got = "; ".join(f"{Path(str(h.get('source'))).stem} › {h.get('section')}"
                                for h in o.hits[:3]) or "-"
                first = o.hits[0]["excerpt"][:70] if o.hits else ""
                expected = "nothing (off-topic)" if o.offtopic else \
                    f"{q['doc']} {q['article']} {q['must']}"
                print(f"[{fmt}] {q['id']} {q['question']}\n    expected: {expected}\n"
                      f"    got: {o.status} ({o.miss or 'off-topic answered'}): {got}\n"
                      f"    excerpt: {first}")


_KIND_ORDER = ("number", "list", "yesno", "who", "consequence", "colloquial", "table", "typo",
               "traditional", "cross", "offtopic")


def _kind_order(kind: str) -> int:
    return _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=BUILD)
    parser.add_argument("--questions", type=Path, default=QUESTIONS)
    parser.add_argument("--formats", help="comma-separated format folders (default: all built)")
    parser.add_argument("--kinds", help="comma-separated question kinds (default: all)")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--meaning", metavar="CACHE",
                        help="match by meaning too (the meaning extra), paragraph vectors cached "
                             "in the SQLite file CACHE")
    parser.add_argument("--config", default="",
                        help="SearchConfig changes, name=value,… (e.g. meaning_weight=0.5)")
    parser.add_argument("--check", action="store_true",
                        help="only check the questions against build/txt")
    args = parser.parse_args(argv)
    global MEANING, CONFIG
    MEANING, CONFIG = args.meaning, args.config
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    questions = read_questions(args.questions)
    if args.check:
        return check(questions, args.build)
    if args.kinds:
        kinds = set(args.kinds.split(","))
        questions = [q for q in questions if q["kind"] in kinds]
    if not args.build.is_dir():
        print(f"{args.build} is missing: run bench/realdocs/render.py first", file=sys.stderr)
        return 2
    folders = sorted((p for p in args.build.iterdir() if p.is_dir()), key=_format_order)
    if args.formats:
        wanted = args.formats.split(",")
        folders = [p for p in folders if p.name in wanted]
    infos: dict[str, dict] = {}
    results: dict[str, list[Outcome]] = {}
    for folder in folders:
        stems = {p.stem for p in folder.iterdir() if p.is_file()}
        asked = [q for q in questions if q["doc"] is None or q["doc"] in stems]
        infos[folder.name], results[folder.name] = run_staffbot(folder, asked)
        if not args.json:
            print(f"{folder.name}: {len(asked)} questions, "
                  f"{infos[folder.name]['ingest_s']:.1f} s ingest", file=sys.stderr)
    if not args.no_baseline and (args.build / "txt").is_dir():
        infos[BASELINE], results[BASELINE] = run_baseline(args.build / "txt", questions)
    if args.json:
        print(json.dumps({fmt: {"info": infos[fmt], "summary": summary(outs),
                                "by_kind": {k: summary([o for o in outs
                                                        if o.question["kind"] == k])
                                            for k in sorted({o.question["kind"] for o in outs},
                                                            key=_kind_order)},
                                "misses": [{"id": o.question["id"], "miss": o.miss,
                                            "status": o.status, "rank": o.rank}
                                           for o in outs if not o.answered]}
                          for fmt, outs in results.items()}, ensure_ascii=False, indent=1))
    else:
        print_report(infos, results, args.misses)
    return 0


def _format_order(path: Path) -> tuple[int, str]:
    from_render = ("txt", "md", "gb18030", "html", "docx-pandoc", "docx-lo", "docx-direct",
                   "docx-numbered", "doc", "pdf", "scan", "xlsx", "csv")
    name = path.name
    return (from_render.index(name) if name in from_render else len(from_render), name)


if __name__ == "__main__":
    sys.exit(main())
