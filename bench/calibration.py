"""Calibration of the decision (answer / suggestions / not found) on dev data (issue 16).

For each set it asks every question once and records the best hit's evidence
(``explain["stages"]["decide"]["evidence"]``, see ``knowledge.rank.EVIDENCE``), whether that hit
is right (a gold passage or article) and the status given. It prints, per set, the share of
confident answers, their precision (hit 1 right), the share declined ("not found") and, for
off-topic questions, how many were answered with confidence.

Sets: ``drcd`` (DRCD-dev, encyclopedia passages), ``stard`` (STARD-dev, statute articles),
``realdocs`` (bench/realdocs clean text, its answerable questions), ``offtopic`` (realdocs'
off-topic questions and the first 300 DRCD questions asked of the realdocs statutes: nothing
there answers them), ``faq`` (every FAQ sheet of bench/calibration, NAME.csv with its
paraphrases and off-topic questions NAME.jsonl, each sheet in a knowledge base of its own, and
realdocs' off-topic questions put to each); ``faq+docs``: the same, each sheet asked twice,
alone and beside realdocs' statutes and rules.

    .venv/bin/python bench/calibration.py [--sets drcd,stard,realdocs,offtopic] \
        [--dump /tmp/evidence.json] [--fit] [--twofold]
    .venv/bin/python bench/calibration.py --sets faq+docs --fit --twofold

``--fit`` fits a logistic regression (numpy, each set weighted equally) of "hit 1 is right" on
the evidence and prints the weights with precision / declined at a few thresholds: how the
weights in ``knowledge/data/decision.json`` were trained (dev data only; they are a check on the
hand weights, not memorised answers).
"""

from __future__ import annotations

import argparse
import json
import re
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
# realdocs' off-topic questions (off-topic for statutes) that a calibration sheet does answer:
# not asked of that sheet (its pair 体检每年安排几次？ says 每年9月至10月).
ANSWERED_BY = {"onboarding": {"年度体检什么时候安排？"}, "it": {"单位WiFi密码是多少？"}}


# When true, each question is asked again without each of its words (``steady`` in a row: see
# :func:`_steady`); bench/decision_cases.py --steady sets it (six searches a question more).
STEADY = False


def _article(label: str) -> str:
    """A candidate's citation label without its paragraph (第33段): the article a user sees."""
    head, _, last = label.rpartition(" › ")
    return head if head and re.fullmatch(r"第\d+段", last) else label


def _steady(searcher, question: str, units: list[dict], top: str) -> list[list[float]]:
    """For each question word (weight, place of the best article ``top`` among the three hits
    when the question is asked without that word; 9: not among them)."""
    out = []
    for unit in units:
        if unit["text"] not in question:
            continue
        variant = question.replace(unit["text"], " ", 1)
        found = searcher.search(variant, k=3, explain=True, keep_weak=True)
        labels = [_article(c["citation"]) for c in found.explain["candidates"]]
        out.append([unit["weight"], labels.index(top) if top in labels else 9])
    return out


def _ask(kb: KnowledgeBase, question: str, right) -> dict:
    searcher = kb.searcher
    answer = searcher.search(question, k=3, explain=True, keep_weak=True)
    decide = answer.explain["stages"]["decide"]
    hits = answer.hits or _fallback_hits(searcher, question)
    extra = {}
    if STEADY and answer.explain["candidates"]:
        extra["steady"] = _steady(searcher, question, answer.explain["query"]["units"],
                                  _article(answer.explain["candidates"][0]["citation"]))
    return {"question": question, "status": answer.status, "evidence": decide["evidence"],
            **extra,
            "p": decide.get("confidence"),
            # the question's weighted words and their idf (0: no document says it)
            "units": [[u["text"], u["weight"], bool(u["alternatives"])]
                      for u in answer.explain["query"]["units"]],
            "idf": answer.explain["idf"],
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


def _faq(tmp: Path, with_documents: bool = False) -> list[dict]:
    """Every calibration FAQ sheet's paraphrases (right: the first hit is their pair) and its
    off-topic questions, with realdocs' off-topic ones (right: never), each sheet in a
    knowledge base of its own; each row names its ``sheet``. ``with_documents``: each sheet
    asked twice, alone and beside realdocs' statutes and rules (``beside``), as a deployment
    keeps its FAQ sheets next to its documents."""
    import realdocs
    from faq import calibration_sheets, read_questions as read_faq

    offtopic = [{"question": q["question"], "gold": None}
                for q in realdocs.read_questions(realdocs.QUESTIONS) if q["doc"] is None]
    rows = []
    for name, sheet, questions in calibration_sheets():
        for beside in ([], [realdocs.BUILD / "txt"]) if with_documents else ([],):
            with KnowledgeBase(tmp / f"faq-{name}-{len(beside)}.db") as kb:
                kb.ingest([sheet, *beside])
                rows += [{**_ask(kb, q["question"],
                                 lambda hit, g=q["gold"]: bool(g) and hit.question == g),
                          "gold": q["gold"], "sheet": name, "beside": bool(beside)}
                         for q in read_faq(questions) + offtopic
                         if q["question"] not in ANSWERED_BY.get(name, ())]
    return rows


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
        if "faq" in sets or "faq+docs" in sets:
            out["faq"] = _faq(Path(tmp), "faq+docs" in sets)
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
                        help="check the FAQ decision held out: fitted on all calibration sheets "
                             "but one, measured on that one (each in turn), then each sheet's "
                             "pairs split in halves, at the answer threshold")
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
    """The FAQ decision fitted on some calibration sheets, measured on another (each sheet in
    turn: a truer held-out than a split of one sheet's pairs, whose paraphrases share its
    writer and its words); then the old check, each sheet's pairs split in halves. Figures:
    answered with the right pair, answered wrongly (of the paraphrases), off-topic questions
    answered; beside them the weights in decision.json on the same questions."""
    sheets = sorted({r.get("sheet", "") for r in rows})
    golds = sorted({r["gold"] for r in rows if r.get("gold")})
    halves = [golds.index(r["gold"]) % 2 if r.get("gold") else i % 2
              for i, r in enumerate(rows)]
    folds = [(f"sheet {name}", [r.get("sheet", "") == name for r in rows]) for name in sheets] \
        if len(sheets) > 1 else []
    folds += [(f"pairs' half {fold}", [h == fold for h in halves]) for fold in (0, 1)]
    total: dict[str, np.ndarray] = {}
    for label, held in folds:
        train = [r for r, out in zip(rows, held) if not out and _is_faq(r)]
        test = [r for r, out in zip(rows, held) if out]
        beta = fit({"faq": train}, keys=FAQ_EVIDENCE)
        fitted, shipped = _faq_p(test, beta), _faq_p(test, None)
        print(f"{label:14} fitted on the rest: {_measure(test, fitted, threshold)}  |  "
              f"decision.json: {_measure(test, shipped, threshold)}")
        if label.startswith("sheet"):
            for key, p in (("fitted", fitted), ("shipped", shipped)):
                total[key] = np.concatenate([total.get(key, np.zeros(0)), p])
            total["rows"] = total.get("rows", []) + test
    if total:
        print(f"{'by sheet, all':14} fitted on the rest: "
              f"{_measure(total['rows'], total['fitted'], threshold)}  |  "
              f"decision.json: {_measure(total['rows'], total['shipped'], threshold)}")


def _faq_p(rows: list[dict], beta: np.ndarray | None) -> np.ndarray:
    """P(answer) of each row: an FAQ best hit by ``beta`` (None: decision.json's weights), a
    paragraph 0 (these knowledge bases hold FAQ pairs only)."""
    is_faq = np.array([_is_faq(r) for r in rows], dtype=bool)
    if beta is None:
        p = [confidence({**r["evidence"], "faq": 1.0}) for r in rows]
    else:
        x = np.hstack([_matrix(rows, FAQ_EVIDENCE), np.ones((len(rows), 1))])
        p = 1 / (1 + np.exp(-x @ beta))
    return np.where(is_faq, p, 0.0)


def _measure(test: list[dict], p: np.ndarray, threshold: float) -> str:
    on = p >= threshold
    para = np.array([bool(r.get("gold")) for r in test], dtype=bool)
    right = np.array([r["right"] for r in test], dtype=bool)
    n = max(1, int(para.sum()))
    return (f"answered right {100 * (on & right & para).sum() / n:5.1f}%, wrong "
            f"{100 * (on & ~right & para).sum() / n:4.1f}%, off-topic answered "
            f"{int((on & ~para).sum())}/{int((~para).sum())}")


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
