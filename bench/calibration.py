"""Calibration of the decision (answer / suggestions / not found) on dev data (issue 16).

For each set it asks every question once and records the best hit's evidence
(``explain["stages"]["decide"]["evidence"]``, see ``knowledge.rank.EVIDENCE``), whether that hit
is right (a gold passage or article) and the status given. It prints, per set, the share of
confident answers, their precision (hit 1 right), the share declined ("not found") and, for
off-topic questions, how many were answered with confidence.

Sets: ``drcd`` (DRCD-dev, encyclopedia passages), ``stard`` (STARD-dev, statute articles),
``realdocs`` (bench/realdocs clean text, its answerable questions), ``offtopic`` (realdocs'
off-topic questions and the first 300 DRCD questions asked of the realdocs statutes: nothing
there answers them).

    .venv/bin/python bench/calibration.py [--sets drcd,stard,realdocs,offtopic] \
        [--dump /tmp/evidence.json] [--fit] [--twofold]

``--fit`` fits a logistic regression (numpy, each set weighted equally) of "hit 1 is right" on
the evidence and prints the weights with precision / declined at a few thresholds: how the
weights in ``knowledge/data/decision.json`` were trained (dev data only; they are a check on the
hand weights, not memorised answers).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from knowledge import KnowledgeBase
from knowledge.evaluate import _fallback_hits, read_questions
from knowledge.rank import DECISION, EVIDENCE, FAQ_EVIDENCE, confidence

EVAL = ROOT.parent / "shared" / "eval"
SETS = ("drcd", "stard", "realdocs", "offtopic", "faq")
FAQ = ROOT / "bench" / "calibration"     # an FAQ sheet and paraphrases of its questions


def _ask(kb: KnowledgeBase, question: str, right) -> dict:
    searcher = kb.searcher
    answer = searcher.search(question, k=3, explain=True, keep_weak=True)
    decide = answer.explain["stages"]["decide"]
    hits = answer.hits or _fallback_hits(searcher, question)
    return {"question": question, "status": answer.status, "evidence": decide["evidence"],
            "p": decide.get("confidence"),
            # the next articles' score parts too (a feature tried on a --dump needs no new run)
            "candidates": [{**c, "right": right(h)} if h is not None else c for c, h in
                           zip(answer.explain["candidates"], [*hits, *[None] * 3])],
            "right": bool(hits) and right(hits[0]),
            "in3": any(right(hit) for hit in hits[:3])}


def _jsonl_set(name: str, tmp: Path) -> list[dict]:
    folder = EVAL / f"{name}-dev"
    with KnowledgeBase(tmp / f"{name}.db") as kb:
        kb.ingest([folder / "passages.jsonl"])
        return [_ask(kb, q["question"], lambda hit, g=set(q["gold"]): hit.citation.source_id in g)
                for q in read_questions(folder / "questions.jsonl")]


def _realdocs(tmp: Path) -> tuple[list[dict], list[dict]]:
    import realdocs

    questions = realdocs.read_questions(realdocs.QUESTIONS)
    answerable, offtopic = [], []
    with KnowledgeBase(tmp / "realdocs.db") as kb:
        kb.ingest([realdocs.BUILD / "txt"])
        for q in questions:
            if q["doc"] is None:
                offtopic.append(_ask(kb, q["question"], lambda hit: False))
                continue
            answerable.append(_ask(kb, q["question"], lambda hit, q=q: any(
                realdocs.hit_matches(hit.to_json(), d, a) for d, a in q["golds"])))
        drcd = read_questions(EVAL / "drcd-dev" / "questions.jsonl")[:300]
        offtopic += [_ask(kb, q["question"], lambda hit: False) for q in drcd]
    return answerable, offtopic


def _faq(tmp: Path) -> list[dict]:
    """The calibration FAQ sheet's paraphrases (right: the first hit is their pair) and its
    off-topic questions, with realdocs' off-topic ones (right: never)."""
    import realdocs

    questions = [json.loads(line) for line in
                 (FAQ / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line]
    questions += [{"question": q["question"], "gold": None}
                  for q in realdocs.read_questions(realdocs.QUESTIONS) if q["doc"] is None]
    with KnowledgeBase(tmp / "faq.db") as kb:
        kb.ingest([FAQ / "faq.csv"])
        return [{**_ask(kb, q["question"], lambda hit, g=q["gold"]: bool(g) and hit.question == g),
                 "gold": q["gold"]} for q in questions]


def collect(sets: list[str]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("drcd", "stard"):
            if name in sets:
                out[name] = _jsonl_set(name, Path(tmp))
        if "realdocs" in sets or "offtopic" in sets:
            answerable, offtopic = _realdocs(Path(tmp))
            if "realdocs" in sets:
                out["realdocs"] = answerable
            if "offtopic" in sets:
                out["offtopic"] = offtopic
        if "faq" in sets:
            out["faq"] = _faq(Path(tmp))
    return out


def report(results: dict[str, list[dict]]) -> None:
    print(f"{'set':10} {'n':>5} {'answer%':>8} {'precision':>9} {'suggest%':>8} "
          f"{'declined%':>9} {'right@1%':>8}")
    for name, rows in results.items():
        n = len(rows) or 1
        answers = [r for r in rows if r["status"] == "answer"]
        precision = (sum(r["right"] for r in answers) / len(answers)) if answers else float("nan")
        suggest = sum(r["status"] == "suggestions" for r in rows)
        declined = sum(r["status"] == "not_found" for r in rows)
        print(f"{name:10} {len(rows):5} {100 * len(answers) / n:8.1f} "
              f"{100 * precision:9.1f} {100 * suggest / n:8.1f} {100 * declined / n:9.1f} "
              f"{100 * sum(r['right'] for r in rows) / n:8.1f}")


def _matrix(rows: list[dict], keys=EVIDENCE) -> np.ndarray:
    return np.array([[r["evidence"].get(k, 0.0) for k in keys] for r in rows],
                    dtype=np.float64).reshape(len(rows), len(keys))


def _is_faq(row: dict) -> bool:
    return bool(row["evidence"].get("faq"))


def fit(results: dict[str, list[dict]], *, l2: float = 1e-3, steps: int = 4000,
        keys=EVIDENCE) -> np.ndarray:
    """Logistic regression of "hit 1 is right" on the evidence, each set weighing the same."""
    xs, ys, ws = [], [], []
    for rows in results.values():
        if not rows:
            continue
        xs.append(_matrix(rows, keys))
        ys.append(np.array([r["right"] for r in rows], dtype=np.float64))
        ws.append(np.full(len(rows), 1.0 / max(1, len(rows))))
    x = np.hstack([np.concatenate(xs), np.ones((sum(len(y) for y in ys), 1))])
    y, w = np.concatenate(ys), np.concatenate(ws)
    w = w / w.sum()
    beta = np.zeros(x.shape[1])
    for _ in range(steps):  # gradient descent is plenty for nine weights
        p = 1 / (1 + np.exp(-x @ beta))
        grad = x.T @ (w * (p - y)) + l2 * np.r_[beta[:-1], 0]
        beta -= 2.0 * grad
    return beta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS))
    parser.add_argument("--dump", help="write every question's evidence to this JSON file")
    parser.add_argument("--load", help="read the evidence from a --dump file instead of asking")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--twofold", action="store_true",
                        help="check the FAQ decision two-fold: the FAQ sheet's pairs split in "
                             "halves, fitted on one half's paraphrases (and half the off-topic "
                             "questions), measured on the other's at the answer threshold")
    args = parser.parse_args()
    if args.load:
        results = json.loads(Path(args.load).read_text(encoding="utf-8"))
    else:
        results = collect([s for s in args.sets.split(",") if s])
    if args.dump:
        Path(args.dump).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")
    report(results)
    if args.fit:
        # two decisions: the best hit a paragraph (every set), or an FAQ pair (FAQ_EVIDENCE)
        for label, keys, chosen in (
                ("weights", EVIDENCE, {n: [r for r in rows if not _is_faq(r)]
                                       for n, rows in results.items()}),
                ("faq weights", FAQ_EVIDENCE, {n: [r for r in rows if _is_faq(r)]
                                               for n, rows in results.items()})):
            chosen = {n: rows for n, rows in chosen.items() if rows}
            if chosen:
                _fit_report(label, keys, chosen)
    if args.twofold and results.get("faq"):
        twofold(results["faq"])


def twofold(rows: list[dict], threshold: float = DECISION["answer"]) -> None:
    """The FAQ decision fitted on half the calibration sheet's pairs, measured on the other
    half: answered with the right pair, answered wrongly (of the paraphrases), off-topic
    questions answered; beside it the weights in decision.json on the same half."""
    golds = sorted({r["gold"] for r in rows if r.get("gold")})
    half = [golds.index(r["gold"]) % 2 if r.get("gold") else i % 2 for i, r in enumerate(rows)]

    def measure(test: list[dict], p: np.ndarray) -> str:
        on = p >= threshold
        para = np.array([bool(r.get("gold")) for r in test])
        right = np.array([r["right"] for r in test])
        n = max(1, int(para.sum()))
        return (f"answered right {100 * (on & right & para).sum() / n:5.1f}%, wrong "
                f"{100 * (on & ~right & para).sum() / n:4.1f}%, off-topic answered "
                f"{int((on & ~para).sum())}/{int((~para).sum())}")

    for fold in (0, 1):
        train = [r for r, h in zip(rows, half) if h != fold and _is_faq(r)]
        test = [r for r, h in zip(rows, half) if h == fold]
        is_faq = np.array([_is_faq(r) for r in test])
        beta = fit({"faq": train}, keys=FAQ_EVIDENCE)
        x = np.hstack([_matrix(test, FAQ_EVIDENCE), np.ones((len(test), 1))])
        fitted = np.where(is_faq, 1 / (1 + np.exp(-x @ beta)), 0.0)
        shipped = np.where(is_faq, [confidence({**r["evidence"], "faq": 1.0}) for r in test],
                           0.0)
        print(f"half {fold}: fitted on the other half: {measure(test, fitted)}  |  "
              f"decision.json: {measure(test, shipped)}")


def _fit_report(label: str, keys, results: dict[str, list[dict]]) -> None:
    beta = fit(results, keys=keys)
    print(f"\n{label}:", json.dumps({k: round(float(b), 3) for k, b in zip((*keys, "bias"), beta)}))
    for name, rows in results.items():
        x = np.hstack([_matrix(rows, keys), np.ones((len(rows), 1))])
        p = 1 / (1 + np.exp(-x @ beta))
        right = np.array([r["right"] for r in rows])
        line = []
        for t in (0.3, 0.4, 0.5, 0.6, 0.7):
            on = p >= t
            prec = right[on].mean() if on.any() else float("nan")
            line.append(f"p≥{t}: {100 * on.mean():5.1f}% ans, prec {100 * prec:5.1f}")
        print(f"{name:10} " + " | ".join(line))


if __name__ == "__main__":
    main()
