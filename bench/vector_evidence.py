"""Does meaning separate confident wrong answers from right ones? (issues 11 and 16)

For every question of the staff dev sets (bench/realdocs, each on the build its set is measured
on) and of STARD-dev's two halves (each half asked with the other half's association and
translation tables, as ``bench/associations.py --confident`` does), this asks the question once
(``search(k=3, explain=True, keep_weak=True)``, as ``bench/calibration.py`` does), keeps the
status, whether hit 1 is right, the question's weighted words (``explain.query.units``) and the
best two candidates' paragraph and article texts; then computes evidence from the word vectors
(``bench/vectors.py``) for each of the two:

* ``soft``: the weighted share of the question's words the article says, a word not said counting
  its best cosine with the article's words when ≥ ``--tau`` (1 when said);
* ``unsaid``: the weighted mean best cosine of the words the article does not say (1 when none);
* ``nonear``: the weighted share of the question's words neither said nor near (cos < tau);
* ``meancos`` / ``sentcos``: cosine of the question's weighted mean vector and the article's
  (paragraph's) idf-weighted mean vector;
* ``oov``: the weighted share of the question's words the vectors lack;

and the margin of each over the next candidate (``d_…``). It prints, per set, the AUC of right
over wrong first hits among the confident answers (0.5: no order; < 0.5 orders them the wrong
way), beside ``confidence`` (the logistic's own P) for comparison.

    .venv/bin/python bench/vector_evidence.py staff --dump /tmp/x/staff.json
    .venv/bin/python bench/vector_evidence.py stard --db /tmp/x/stard.db --dump /tmp/x/stard.json
    .venv/bin/python bench/vector_evidence.py drcd --dump /tmp/x/drcd.json
    .venv/bin/python bench/vector_evidence.py auc /tmp/x/staff.json /tmp/x/stard.json /tmp/x/drcd.json
    .venv/bin/python bench/vector_evidence.py auc /tmp/x/*.json --curve d_meancos   # [--tau 0.5]

Staff and STARD are asked in separate processes: ingesting STARD first teaches the process's word
cutter its words (calibration.py's note), which moves a few staff answers.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from knowledge import KnowledgeBase  # noqa: E402

REALDOCS = ROOT / "bench" / "realdocs"
BUILD = REALDOCS / "build"
HANDBOOK = REALDOCS / "build-handbook"
OFFICE14 = Path("/tmp/lead/build-office14")
# the staff dev sets and the build each is measured on (battery.sh / extra15.sh); held-out sets
# (heldout_colloquial6/8, heldout_rules, handbook_heldout) are never asked here
STAFF = {
    BUILD: ["questions", "heldout_colloquial", "heldout_colloquial2", "heldout_colloquial3",
            "heldout_colloquial4", "heldout_colloquial5", "heldout_colloquial7",
            "heldout_colloquial9", "dev_duties", "dev_admin", "dev_staff12", "dev_rules13",
            "dev_colloquial10", "dev_colloquial10b", "dev_party14", "dev_rules14",
            "dev_rules14b", "dev_vecdecide17"],
    HANDBOOK: ["handbook_dev", "handbook_dev2", "handbook_dev3", "office_dev", "dev_wrong14",
               "dev_colloquial11", "dev_colloquial11b"],
    OFFICE14: ["office14_dev", "office14_check"],
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _texts(searcher) -> tuple[dict[int, str], dict[int, str]]:
    """Each paragraph's text and its article's text (the paragraphs under the same section)."""
    rows = searcher.ranker.rows
    paragraph, groups = {}, defaultdict(list)
    for i in range(len(rows)):
        row = rows[i]
        paragraph[row.paragraph_id] = row.text
        groups[(row.doc_id, row.section)].append(row)
    article = {}
    for members in groups.values():
        text = "\n".join(r.text for r in members)
        for r in members:
            article[r.paragraph_id] = text
    return paragraph, article


def _row(searcher, texts, question: str, right) -> dict:
    answer = searcher.search(question, k=3, explain=True, keep_weak=True)
    decide = answer.explain["stages"]["decide"]
    paragraph, article = texts
    cands = answer.explain["candidates"][:2]
    return {"question": question, "status": answer.status, "p": decide.get("confidence"),
            "evidence": decide["evidence"], "held": decide.get("held_back"),
            "right": bool(answer.hits) and right(answer.hits[0]),
            "units": [[u["text"], u["weight"], u["alternatives"]]
                      for u in answer.explain["query"]["units"]],
            "cands": [{"paragraph": paragraph.get(c["paragraph_id"], ""),
                       "article": article.get(c["paragraph_id"], "")} for c in cands]}


def staff(dump: Path) -> None:
    import realdocs
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, (build, names) in enumerate(STAFF.items()):
            if not (build / "txt").exists():
                print(f"{build}: missing, skipped", file=sys.stderr)
                continue
            with KnowledgeBase(Path(tmp) / f"b{n}.db") as kb:
                kb.ingest([build / "txt"])
                texts = _texts(kb.searcher)
                for name in names:
                    rows = out[name] = []
                    for q in realdocs.read_questions(REALDOCS / f"{name}.jsonl"):
                        if q["doc"] is None:
                            continue
                        right = (lambda hit, q=q: any(realdocs.hit_matches(hit.to_json(), d, a)
                                                      for d, a in q["golds"]))
                        rows.append(_row(kb.searcher, texts, q["question"], right))
                    print(name, len(rows), file=sys.stderr)
    dump.write_text(json.dumps(out, ensure_ascii=False))


def stard(db: Path, dump: Path) -> None:
    from associations import learning_pairs, odd_of, stard_kb, two_fold
    kb = stard_kb(db)
    searcher = kb.searcher
    _, share, questions, pairs = learning_pairs(searcher)
    texts = _texts(searcher)
    out = {}
    for odd, _, asking in two_fold(searcher, questions, pairs, share):
        out["stard_odd" if odd else "stard_even"] = [
            _row(searcher, texts, q["question"],
                 lambda hit, g=set(q["gold"]): hit.citation.source_id in g) for q in asking]
    kb.close()
    dump.write_text(json.dumps(out, ensure_ascii=False))


def drcd(dump: Path) -> None:
    """DRCD-dev (encyclopedia paragraphs): what a take-back rule would cost the other library."""
    from knowledge.evaluate import read_questions
    folder = ROOT.parent / "shared" / "eval" / "drcd-dev"
    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(Path(tmp) / "d.db") as kb:
        kb.ingest([folder / "passages.jsonl"])
        texts = _texts(kb.searcher)
        rows = [_row(kb.searcher, texts, q["question"],
                     lambda hit, g=set(q["gold"]): hit.citation.source_id in g)
                for q in read_questions(folder / "questions.jsonl")]
    dump.write_text(json.dumps({"drcd": rows}, ensure_ascii=False))


# ---- the evidence -------------------------------------------------------------------------

class Meaning:
    """Vector evidence of a question's words against a candidate's text."""

    def __init__(self, vectors, tau: float):
        import jieba
        self.v, self.tau, self.cut = vectors, tau, jieba.lcut
        self.df: Counter = Counter()
        self.n = 1
        self._words: dict[str, list[str]] = {}

    def words(self, text: str) -> list[str]:
        if text not in self._words:
            self._words[text] = [w for w in self.cut(text) if len(w) >= 2 and CJK.search(w)]
        return self._words[text]

    def learn_df(self, texts) -> None:
        texts = list(texts)
        self.n = max(1, len(texts))
        for t in texts:
            self.df.update(set(self.words(t)))

    def idf(self, w: str) -> float:
        return math.log((self.n + 1) / (self.df.get(w, 0) + 1)) + 1.0

    def mean(self, words: list[str], weights: list[float]) -> np.ndarray | None:
        rows = [(self.v.index[w], x) for w, x in zip(words, weights) if w in self.v.index]
        if not rows:
            return None
        m = self.v.matrix[[r for r, _ in rows]].astype(np.float32)
        vec = (m * np.array([x for _, x in rows], dtype=np.float32)[:, None]).sum(0)
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else None

    def evidence(self, units, cand: dict | None) -> dict[str, float]:
        if not cand or not units:
            return dict.fromkeys(("soft", "unsaid", "nonear", "meancos", "sentcos", "oov"), 0.0)
        text = cand["article"] or cand["paragraph"]
        aw = sorted(set(self.words(text)))
        arows = [self.v.index[w] for w in aw if w in self.v.index]
        amat = self.v.matrix[arows].astype(np.float32) if arows else None
        total = sum(w for _, w, _ in units) or 1.0
        soft = nonear = oov = 0.0
        unsaid_w = unsaid_s = 0.0
        qwords, qweights = [], []
        for word, weight, alts in units:
            said = word in text or any(a in text for a in alts)
            vec = self.v.vector(word)
            if vec is None:
                oov += weight
                sim = 0.0
            else:
                qwords.append(word)
                qweights.append(weight)
                sim = float((amat @ vec).max()) if amat is not None else 0.0
            if said:
                soft += weight
                continue
            unsaid_w += weight
            unsaid_s += weight * sim
            if sim >= self.tau:
                soft += weight * sim
            else:
                nonear += weight
        q = self.mean(qwords, qweights)

        def cos(t: str) -> float:
            ws = self.words(t)
            a = self.mean(ws, [self.idf(w) for w in ws])
            return float(q @ a) if q is not None and a is not None else 0.0
        return {"soft": soft / total, "unsaid": unsaid_s / unsaid_w if unsaid_w else 1.0,
                "nonear": nonear / total, "meancos": cos(text),
                "sentcos": cos(cand["paragraph"] or text), "oov": oov / total}


FEATURES = ("soft", "unsaid", "nonear", "meancos", "sentcos", "oov")


def features(rows: list[dict], meaning: Meaning) -> list[dict]:
    out = []
    for r in rows:
        cands = r["cands"]
        e1 = meaning.evidence(r["units"], cands[0] if cands else None)
        e2 = meaning.evidence(r["units"], cands[1] if len(cands) > 1 else None)
        f = {**e1, **{f"d_{k}": e1[k] - e2[k] for k in FEATURES if k != "oov"},
             "confidence": r["p"] or 0.0}
        out.append(f)
    return out


def auc(pos: list[float], neg: list[float]) -> float | None:
    if not pos or not neg:
        return None
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _logit(p: float | None) -> float:
    p = min(max(p or 1e-4, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def _fit(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 3000) -> np.ndarray:
    """Logistic regression (numpy, standardised inputs) of y on x; returns [bias, weights…]."""
    x = np.c_[np.ones(len(x)), x]
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ w))
        w -= 0.5 * (x.T @ (p - y) / len(y) + l2 * np.r_[0, w[1:]])
    return w


def _beside(chosen: dict[str, list], key: str) -> dict[str, float | None]:
    """AUC among the answers of the logistic's own logit plus ``key``, fitted on one STARD half
    (its answers) and scored on the other half, the staff sets and DRCD (both ways for these;
    the mean of the two fits)."""
    out: dict[str, list[float]] = defaultdict(list)
    for train, other in (("stard_even", "stard_odd"), ("stard_odd", "stard_even")):
        xs = np.array([[_logit(f["confidence"]), f[key]] for f, _ in chosen[train]])
        ys = np.array([float(ok) for _, ok in chosen[train]])
        mu, sd = xs.mean(0), xs.std(0) + 1e-9
        w = _fit((xs - mu) / sd, ys)
        for test in (other, "staff", "drcd"):
            if test not in chosen:
                continue
            xt = (np.array([[_logit(f["confidence"]), f[key]] for f, _ in chosen[test]]) - mu) / sd
            s = np.c_[np.ones(len(xt)), xt] @ w
            oks = [ok for _, ok in chosen[test]]
            score = auc([x for x, ok in zip(s, oks) if ok], [x for x, ok in zip(s, oks) if not ok])
            out[test if test in ("staff", "drcd") else "other half"].append(score)
    return {k: sum(v) / len(v) for k, v in out.items() if None not in v}


def report(paths: list[Path], tau: float, status: str, curve: str | None) -> dict:
    import vectors
    v = vectors.load()
    if v is None:
        sys.exit("no vectors (pip install -e '.[vectors]')")
    sets: dict[str, list[dict]] = {}
    for p in paths:
        sets.update(json.loads(Path(p).read_text()))
    groups = {"stard_even": ["stard_even"], "stard_odd": ["stard_odd"],
              "staff": [s for s in sets if not s.startswith("stard") and s != "drcd"],
              "drcd": ["drcd"]}
    table: dict[str, dict] = {}
    chosen: dict[str, list] = {}
    meaning = Meaning(v, tau)
    for group, names in groups.items():
        rows = [r for n in names if n in sets for r in sets[n]]
        if not rows:
            continue
        meaning.df, meaning.n = Counter(), 1
        meaning.learn_df({c["article"] for r in rows for c in r["cands"]})
        feats = features(rows, meaning)
        chosen[group] = [(f, r["right"]) for f, r in zip(feats, rows) if r["status"] == status]
        if curve:
            chosen[group] = [(f, r["right"], r["evidence"]) for f, r in zip(feats, rows)
                             if r["status"] == status]
            _curve(group, chosen[group], curve)
            continue
        right = sum(1 for _, ok in chosen[group] if ok)
        table[group] = {"n": len(chosen[group]), "right": right}
        for key in chosen[group][0][0] if chosen[group] else ():
            table[group][key] = auc([f[key] for f, ok in chosen[group] if ok],
                                    [f[key] for f, ok in chosen[group] if not ok])
    if curve:
        return table
    keys = [k for k in next(iter(table.values())) if k not in ("n", "right")]
    print(f"AUC right over wrong first hits among status={status!r} (tau {tau})")
    print(f"{'feature':12}" + "".join(f"{g:>12}" for g in table))
    print(f"{'right:wrong':12}" + "".join(
        f"{t['right']:>7}:{t['n'] - t['right']:<4}" for t in table.values()))
    for k in keys:
        print(f"{k:12}" + "".join(
            f"{t[k]:>12.3f}" if t[k] is not None else f"{'-':>12}" for t in table.values()))
    if "stard_even" in chosen and "stard_odd" in chosen:
        print("\nAUC of the logistic's logit plus the feature, fitted on one STARD half's answers, "
              "scored on the other half / staff / DRCD (mean of both fits)")
        base = _beside({k: [({"confidence": f["confidence"], "zero": 0.0}, ok) for f, ok in c]
                        for k, c in chosen.items()}, "zero")
        print(f"{'':12}" + "".join(f"{g:>12}" for g in base))
        print(f"{'(none)':12}" + "".join(f"{x:>12.3f}" for x in base.values()))
        for k in keys:
            if k != "confidence":
                print(f"{k:12}" + "".join(f"{x:>12.3f}" for x in _beside(chosen, k).values()))
    return table


def _curve(group: str, rows: list, key: str) -> None:
    """Answers taken back (right : wrong) by ``key`` < t and the decision's margin / the
    confidence below a bound, and the right-first share of the answers left."""
    right = sum(1 for _, ok, _ in rows if ok)
    print(f"{group}: {right}:{len(rows) - right} answers")
    for t in (-0.02, 0.0, 0.01):
        for bound, limits in (("margin", (0.02, 0.08, 0.2)), ("confidence", (0.65, 0.75, 0.85))):
            for limit in limits:
                back = [ok for f, ok, e in rows if f[key] < t
                        and (f["confidence"] if bound == "confidence" else e[bound]) < limit]
                r = sum(back)
                left = len(rows) - len(back)
                print(f"  {key} < {t:+.2f} and {bound} < {limit}: back {r}:{len(back) - r}, "
                      f"right first {(right - r) / (left or 1):.3f} of {left}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("staff", "stard", "drcd", "auc"))
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--db", default="/tmp/associations-stard.db")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--tau", type=float, default=0.5)
    parser.add_argument("--status", default="answer")
    parser.add_argument("--curve", help="a feature: the take-back curve instead of the AUCs")
    args = parser.parse_args()
    if args.mode == "staff":
        staff(args.dump)
    elif args.mode == "drcd":
        drcd(args.dump)
    elif args.mode == "stard":
        stard(Path(args.db), args.dump)
    else:
        report([Path(p) for p in args.paths], args.tau, args.status, args.curve)


if __name__ == "__main__":
    main()
