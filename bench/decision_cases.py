"""The decision's cases (answer / suggestions / not found) on dev and held-out questions (issue 16).

One row per question: the evidence the Ranker computed for its best hit (``stages.decide``),
the next two hits' score parts, the status given, and whether hit 1 is right. Sets: DRCD-dev,
STARD-dev (split by position in questions.jsonl: even positions dev, odd held out),
bench/realdocs' clean text, its off-topic questions (with 300 DRCD ones), and the colloquial
sets asked of the realdocs clean text (1–5 and 7: all dev; 6 and 8 are held out and never asked
here). It prints right:wrong per set and status, and per rule of ``knowledge.rank.held_back``
among the suggestions it made.

``--steady`` asks every question again once without each of its words (calibration.STEADY)
and adds ``steady`` to the features: the weighted share of the question's words without which
the best article is still first (is it first for the whole question, or for one word?).

``--fit`` asks whether a logistic over more evidence decides better than ``decision.json``:
fitted on the dev sets only (numpy, each set weighing the same; the evidence, the next hits'
coverage, score ratio and same-title, ``steady`` when asked, and the logistic's own logit), it
may only take answers back (P < ``--keep``) or promote suggestions (P ≥ ``--promote``); the
figures are answered right / wrong per set, dev and held out, at a grid of both. ``--band``
fits on the given status's rows only (answers for taking back, suggestions for promoting).
``--auc`` prints, per feature, how well it orders right above wrong first hits (AUC) among
the answers and the suggestions of the staff sets (realdocs, colloquial), STARD's halves and
DRCD: what the logistic does not already see shows there first.

    .venv/bin/python bench/decision_cases.py [--dump F.json | --load F.json] [--steady]
        [--auc] [--fit [--band]]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from knowledge import KnowledgeBase
from knowledge.rank import EVIDENCE, held_back
from knowledge.search import SearchConfig

DEV = ("drcd", "stard_even", "realdocs", "offtopic", "colloquial1", "colloquial2",
       "colloquial3", "colloquial4", "colloquial5", "colloquial7")
HELD = ("stard_odd",)
# bench/realdocs/heldout_colloquial{,2,…}.jsonl: the dev sets (6 and 8 are held out)
COLLOQUIAL = {1: "", 2: "2", 3: "3", 4: "4", 5: "5", 7: "7"}


def collect(steady: bool = False) -> dict[str, list[dict]]:
    """Every set's rows (calibration.py's, and the colloquial sets asked the same way)."""
    import calibration
    import realdocs

    calibration.STEADY = steady

    out: dict[str, list[dict]] = {"offtopic": []}
    # the colloquial sets first, as realdocs.py asks them: ingesting DRCD and STARD first
    # teaches the process's word cutter their words (one colloquial 4 answer changed with it)
    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(Path(tmp) / "r.db") as kb:
        kb.ingest([realdocs.BUILD / "txt"])
        for number, suffix in COLLOQUIAL.items():
            path = ROOT / "bench" / "realdocs" / f"heldout_colloquial{suffix}.jsonl"
            rows = out[f"colloquial{number}"] = []
            for q in realdocs.read_questions(path):
                right = (lambda hit, q=q: any(realdocs.hit_matches(hit.to_json(), d, a)
                                              for d, a in q["golds"]))
                row = calibration._ask(kb, q["question"], right if q["doc"] else
                                       (lambda hit: False))
                (rows if q["doc"] else out["offtopic"]).append(row)
    asked = calibration.collect(["drcd", "stard", "realdocs", "offtopic"])
    stard = asked.pop("stard")
    asked["stard_even"], asked["stard_odd"] = stard[0::2], stard[1::2]
    asked["offtopic"] += out.pop("offtopic")
    return {**out, **asked}


def features(row: dict) -> dict[str, float]:
    """The evidence, the logistic's logit, and for the next two hits: coverage, score over the
    best's, and whether they are of the best's title (a law's chapter, a rule)."""
    found = {key: float(row["evidence"].get(key, 0.0)) for key in EVIDENCE}
    p = min(max(row["p"] or 0.0, 1e-6), 1 - 1e-6)
    found["logit"] = math.log(p / (1 - p))
    candidates = row["candidates"]
    best = candidates[0] if candidates else {}
    for i in (1, 2):
        item = candidates[i] if len(candidates) > i else None
        found[f"coverage{i}"] = item.get("article", item["coverage"]) if item else 0.0
        found[f"ratio{i}"] = item["final"] / best["final"] if item and best.get("final") \
            else 0.0
        found[f"same_title{i}"] = float(bool(item) and item["citation"].split(" › ")[0]
                                        == best["citation"].split(" › ")[0])
    if "steady" in row:
        said = row["steady"]
        total = sum(weight for weight, _ in said)
        found["steady"] = sum(weight for weight, place in said if place == 0) / total \
            if total else 0.0
    return found


def auc(right: list[float], wrong: list[float]) -> float:
    """P(a right row's value > a wrong row's), ties half."""
    if not right or not wrong:
        return float("nan")
    a, b = np.array(right)[:, None], np.array(wrong)[None, :]
    return float(((a > b).sum() + 0.5 * (a == b).sum()) / (a.size * b.size))


STAFF = ("realdocs", "colloquial1", "colloquial2", "colloquial3", "colloquial4", "colloquial5",
         "colloquial7")


def aucs(sets: dict[str, list[dict]]) -> None:
    """Each feature's AUC (right over wrong first hits) within the answers and the suggestions."""
    groups = {f"{label} {status[:4]}": [r for name in names for r in sets.get(name, [])
                                         if r["status"] == status
                                         and not r["evidence"].get("faq")]
              for status in ("answer", "suggestions")
              for label, names in (("staff", STAFF), ("stard_e", ("stard_even",)),
                                   ("stard_o", ("stard_odd",)), ("drcd", ("drcd",)))}
    rows = {g: [(features(r), r["right"]) for r in found] for g, found in groups.items()}
    print(f"\n{'AUC':14}" + "".join(f"{g:>13}" for g in groups))
    print(f"{'right:wrong':14}" + "".join(
        f"{sum(y for _, y in v):>8}:{sum(not y for _, y in v):<4}" for v in rows.values()))
    keys = next((list(f) for v in rows.values() for f, _ in v[:1]), [])
    for key in keys:
        print(f"{key:14}" + "".join(
            f"{auc([f[key] for f, y in v if y], [f[key] for f, y in v if not y]):13.3f}"
            for v in rows.values()))


def report(sets: dict[str, list[dict]], config: SearchConfig) -> None:
    print(f"{'set':12} {'n':>5}  answer r:w   suggest r:w   not found r:w   "
          "held back (rule r:w among suggestions)")
    for name in (*DEV, *HELD):
        rows = sets.get(name, [])
        count = Counter((r["status"], bool(r["right"])) for r in rows)
        rules = Counter((rule, bool(r["right"])) for r in rows if r["status"] == "suggestions"
                        for rule in held_back(config, r["evidence"]) or ("below",))
        held = " ".join(f"{rule} {rules[rule, True]}:{rules[rule, False]}"
                        for rule in dict.fromkeys(rule for rule, _ in rules))
        status = "  ".join(f"{count[s, True]:5}:{count[s, False]:<5}"
                           for s in ("answer", "suggestions", "not_found"))
        print(f"{name:12} {len(rows):5}  {status}  {held}")


def fit(sets: dict[str, list[dict]], keys: list[str], l2: float = 1e-3,
        steps: int = 3000, status: str | None = None) -> callable:
    """Logistic regression of "hit 1 is right" on ``keys`` over the dev sets (each weighing
    the same; FAQ pairs left to their own decision; only rows of ``status`` if given);
    returns P for a row."""
    xs, ys, ws = [], [], []
    for name in DEV:
        rows = [r for r in sets.get(name, []) if not r["evidence"].get("faq")
                and status in (None, r["status"])]
        if rows:
            xs.append(np.array([[features(r)[k] for k in keys] for r in rows]))
            ys.append(np.array([r["right"] for r in rows], dtype=float))
            ws.append(np.full(len(rows), 1.0 / len(rows)))
    x = np.concatenate(xs)
    mean, scale = x.mean(0), x.std(0) + 1e-9
    x = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    y, w = np.concatenate(ys), np.concatenate(ws)
    w /= w.sum()
    beta = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-x @ beta))
        beta -= 2.0 * (x.T @ (w * (p - y)) + l2 * np.r_[beta[:-1], 0])
    print("weights (per unit):", {k: round(float(b / s), 3)
                                  for k, b, s in zip(keys, beta[:-1], scale)})

    def probability(row: dict) -> float:
        found = features(row)
        z = ((np.array([found[k] for k in keys]) - mean) / scale) @ beta[:-1] + beta[-1]
        return float(1 / (1 + math.exp(-z)))
    return probability


def compare(sets: dict[str, list[dict]], probability, keep: float, promote: float,
            promoting=None) -> str:
    """Answered right:wrong per set when the fitted P takes back answers below ``keep`` and
    promotes suggestions (not held back by a rule) at ``promote`` or above (``promoting``:
    another P for the suggestions)."""
    config, cells = SearchConfig(), []
    promoting = promoting or probability
    for name in (*DEV, *HELD):
        right = wrong = 0
        for r in sets.get(name, []):
            answer = r["status"] == "answer"
            if not r["evidence"].get("faq"):
                if answer:
                    answer = probability(r) >= keep
                elif r["status"] == "suggestions" and not held_back(config, r["evidence"]):
                    answer = promoting(r) >= promote
            right += answer and r["right"]
            wrong += answer and not r["right"]
        cells.append(f"{name.replace('colloquial', 'c').replace('stard_', 's_')} {right}:{wrong}")
    return "  ".join(cells)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", help="write every set's rows to this JSON file")
    parser.add_argument("--load", help="read the rows from a --dump file instead of asking")
    parser.add_argument("--fit", action="store_true")
    parser.add_argument("--band", action="store_true",
                        help="fit taking back on answers, promoting on suggestions, apart")
    parser.add_argument("--steady", action="store_true",
                        help="ask each question again without each of its words")
    parser.add_argument("--auc", action="store_true")
    parser.add_argument("--keep", default="0,0.3,0.4,0.5")
    parser.add_argument("--promote", default="0.7,0.8,0.9,1.1")
    args = parser.parse_args()
    sets = json.loads(Path(args.load).read_text(encoding="utf-8")) if args.load else collect(args.steady)
    if args.dump:
        Path(args.dump).write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
    report(sets, SearchConfig())
    if args.auc:
        aucs(sets)
    if args.fit:
        extra = ["logit", *(f"{name}{i}" for i in (1, 2)
                            for name in ("coverage", "ratio", "same_title"))]
        if all("steady" in r for name in (*DEV, *HELD) for r in sets.get(name, [])
               if r["candidates"]):
            extra.append("steady")
            print("\ndecision.json's logit and steady: answered right:wrong")
            taking, promoting = (fit(sets, ["logit", "steady"], status=status)
                                 for status in ("answer", "suggestions")) if args.band \
                else [fit(sets, ["logit", "steady"])] * 2
            for keep in map(float, args.keep.split(",")):
                for promote in map(float, args.promote.split(",")):
                    print(f"keep {keep:.2f} promote {promote:.2f}  "
                          f"{compare(sets, taking, keep, promote, promoting)}")
        numeric = [k for k in EVIDENCE if k != "faq"]
        for label, keys in (("decision.json's logit and the next hits", extra),
                            ("every piece of evidence and the next hits", [*numeric, *extra])):
            print(f"\n{label}: answered right:wrong (keep = take back below, promote = answer "
                  "suggestions at or above; keep 0 / promote 1.1 is main)")
            taking, promoting = (fit(sets, keys, status=status)
                                 for status in ("answer", "suggestions")) if args.band \
                else [fit(sets, keys)] * 2
            for keep in map(float, args.keep.split(",")):
                for promote in map(float, args.promote.split(",")):
                    print(f"keep {keep:.2f} promote {promote:.2f}  "
                          f"{compare(sets, taking, keep, promote, promoting)}")


if __name__ == "__main__":
    main()
