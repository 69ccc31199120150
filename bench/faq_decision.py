"""The FAQ decision (``DECISION["faq"]``) fitted and checked leave-one-sheet-out (issue 11,
branch faq10): how its weights in ``knowledge/data/decision.json`` were made.

Every dev FAQ sheet (bench/faq's without the held-out ``legal``, and bench/calibration's) is
asked alone, its paraphrases and off-topic questions and realdocs' off-topic ones (those a sheet
does answer left out), twice: with the shipped thesaurus, and without its office blocks
(``OFFICE_BLOCKS``: the lines written from or for these very sheets), which makes each sheet
look as a sheet of a new domain does (the dev sheets fall to the held-out sheets' figures:
helpdesk 36.5 % answered, lab 32 %). The logistic (``calibration.fit``: each sheet weighing the
same, both askings pooled) of "the first hit is the right pair" on ``FAQ_EVIDENCE`` is fitted
on eight sheets and measured on the ninth, each in turn, against the weights now shipped; with
``--fit``, then on all nine, its bias lowered by logit(``--threshold``) so that the shipped 0.5
means answering at that share.

    PYTHONPATH=$PWD .venv/bin/python bench/faq_decision.py [--threshold 0.58] [--fit]
        [--dump /tmp/faq-evidence.json | --load /tmp/faq-evidence.json]
    PYTHONPATH=$PWD .venv/bin/python bench/faq_decision.py --where   # where the misses are
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import calibration   # noqa: E402
import faq           # noqa: E402
import realdocs      # noqa: E402

from knowledge import KnowledgeBase, analysis   # noqa: E402
from knowledge.rank import DECISION, FAQ_EVIDENCE  # noqa: E402

# The thesaurus's sections written from these sheets' misses or for their services (faq, faq6,
# faq8, faq3): left out to ask a sheet as if its domain had no words of its own.
OFFICE_BLOCKS = ("# ---- 办公日常：IT", "# ---- 办公日常：设施", "# ---- 办公日常：证明",
                 "# ---- faq6:", "# ---- faq8:", "# ---- 办公日常：考勤、IT、财务的口语")
# realdocs' off-topic questions a dev sheet answers (besides calibration.ANSWERED_BY)
ANSWERED_BY = {**calibration.ANSWERED_BY,
               "faq": {"单位WiFi密码是多少？", "停车场月卡怎么办？", "工会会费怎么交？",
                       "年度体检什么时候安排？"},
               "campus": {"班车早上几点发车？"}}


# Sheets never fitted on: legal (held out), library (faqnew's new-domain check), warehouse
# (faqhr's), sports (life12's), apartment and medins (faq13's dev and held-out new-domain sheets),
# commute and meeting (faq14's), welfare and abroad (faq16's), training (vecfaq17's), each
# measured alone with bench/faq.py.
NOT_FITTED = ("legal", "library", "warehouse", "sports", "apartment", "medins", "commute",
              "meeting", "welfare", "abroad", "training")


def dev_sheets() -> list[tuple[str, Path, Path]]:
    return [s for s in faq.faq_sheets() if s[0] not in NOT_FITTED] + faq.calibration_sheets()


def _without_office(tmp: Path):
    """Synonyms.load reading the thesaurus without :data:`OFFICE_BLOCKS` (a patch; undo it
    with the returned function)."""
    load = analysis.Synonyms.load

    def trimmed(paths):
        out = []
        for path in map(Path, paths):
            if path.name == "thesaurus.txt":
                keep, drop = [], False
                for line in path.read_text(encoding="utf-8").splitlines():
                    if line.startswith("# ----"):
                        drop = line.startswith(OFFICE_BLOCKS)
                    if not drop:
                        keep.append(line)
                path = tmp / "thesaurus.txt"
                path.write_text("\n".join(keep) + "\n", encoding="utf-8")
            out.append(path)
        return load(out)

    analysis.Synonyms.load = trimmed
    return lambda: setattr(analysis.Synonyms, "load", load)


def collect() -> list[dict]:
    """Every question of every dev sheet, asked with and without the office blocks: its sheet,
    kind, the best hit's evidence (None: no candidate at all) and group (R: the right pair first;
    W: a wrong hit first; O: off-topic)."""
    extra = [q["question"] for q in realdocs.read_questions(realdocs.QUESTIONS) if q["doc"] is None]
    rows = []
    for office in (True, False):
        with tempfile.TemporaryDirectory() as tmp:
            undo = (lambda: None) if office else _without_office(Path(tmp))
            try:
                for name, sheet, path in dev_sheets():
                    questions = faq.read_questions(path) + [
                        {"question": q, "kind": "offtopic", "extra": True} for q in extra
                        if q not in ANSWERED_BY.get(name, ())]
                    with KnowledgeBase(Path(tmp) / f"{name}.db") as kb:
                        kb.ingest([str(sheet)])
                        for item in questions:
                            answer = kb.search(item["question"], k=3, explain=True)
                            ranked = [faq._asked(c["citation"], questions)
                                      for c in answer.explain["candidates"][:1]]
                            group = "O" if item["kind"] != "paraphrase" else \
                                "R" if ranked == [item["gold"]] else "W"
                            rows.append({"sheet": name, "office": office, "group": group,
                                         "extra": bool(item.get("extra")),
                                         "evidence": answer.explain["stages"]["decide"]
                                         ["evidence"] if ranked else None})
            finally:
                undo()
    return rows


def where() -> dict[bool, dict[str, int]]:
    """Where each dev sheet's paraphrases stand, asked with and without the office blocks: the
    right pair first (answered, suggested, not found), 2nd–5th or lower among the candidates, or
    no candidate; and for those not first, what the sheet offers to bridge the paraphrase to its
    pair: a character bigram of the paraphrase (outside its question form) that the pair's
    question or answer says and no other pair's does, only ones other pairs say too, or none."""
    from knowledge.query import QUESTION_FORM
    from knowledge.text import is_cjk

    def grams(text: str) -> set[str]:
        text = QUESTION_FORM.sub("|", text)
        return {text[i:i + 2] for i in range(len(text) - 1)
                if is_cjk(text[i]) and is_cjk(text[i + 1])}

    out: dict[bool, dict[str, int]] = {}
    for office in (True, False):
        counts: dict[str, int] = {}
        with tempfile.TemporaryDirectory() as tmp:
            undo = (lambda: None) if office else _without_office(Path(tmp))
            try:
                for name, sheet, path in dev_sheets():
                    questions = faq.read_questions(path)
                    with KnowledgeBase(Path(tmp) / f"{name}.db") as kb:
                        kb.ingest([str(sheet)])
                        with open(sheet, encoding="utf-8", newline="") as f:
                            texts = {r["问题"]: r["答案"] for r in csv.DictReader(f)}
                        for item in questions:
                            if item["kind"] != "paraphrase":
                                continue
                            answer = kb.searcher.search(item["question"], k=50, explain=True,
                                                        keep_weak=True)
                            ranked = [faq._asked(c["citation"], questions)
                                      for c in answer.explain["candidates"]]
                            at = ranked.index(item["gold"]) if item["gold"] in ranked else -1
                            key = f"first, {answer.status}" if at == 0 else \
                                "2nd-5th" if 0 < at < 5 else "lower" if at > 0 else "no candidate"
                            counts[key] = counts.get(key, 0) + 1
                            if at == 0:
                                continue
                            mine = grams(item["question"])
                            pair = item["gold"] + texts.get(item["gold"], "")
                            shared = {g for g in mine if g in pair}
                            alone = {g for g in shared
                                     if sum(g in q + t for q, t in texts.items()) == 1}
                            bridge = "bridge: a bigram only the pair says" if alone else \
                                "bridge: bigrams other pairs say too" if shared else "bridge: none"
                            counts[bridge] = counts.get(bridge, 0) + 1
            finally:
                undo()
        out[office] = counts
    return out


def probabilities(beta: np.ndarray, rows: list[dict], keys=FAQ_EVIDENCE) -> np.ndarray:
    x = np.hstack([calibration._matrix(rows, keys), np.ones((len(rows), 1))])
    return 1 / (1 + np.exp(-x @ beta))


# DECISION["faq"] before faq10 (fitted on the onboarding sheet alone, six features)
BEFORE = {"weights": {"asked": 0.482, "coverage": 2.944, "fuzzy": 2.007, "margin": 4.991,
                      "closeness": 1.138, "lead": 3.922}, "bias": -2.946}


def shipped(model: dict | None = None) -> np.ndarray:
    model = model or DECISION["faq"]
    return np.array([model["weights"].get(k, 0.0) for k in FAQ_EVIDENCE] + [model["bias"]])


def fit(rows: list[dict]) -> np.ndarray:
    """The logistic on these rows (with evidence, not realdocs' extra off-topic), each sheet
    weighing the same."""
    by_sheet: dict[str, list[dict]] = {}
    for row in rows:
        if row["evidence"] is not None and not row["extra"]:
            by_sheet.setdefault(row["sheet"], []).append({**row, "right": row["group"] == "R"})
    return calibration.fit(by_sheet, keys=FAQ_EVIDENCE)


def counts(rows: list[dict], p: np.ndarray, threshold: float) -> tuple[int, int, int, int]:
    """Answered: right, wrong, the sheet's off-topic, realdocs' off-topic."""
    answered = [row for row, q in zip(rows, p.tolist()) if q >= threshold]
    return (sum(r["group"] == "R" for r in answered), sum(r["group"] == "W" for r in answered),
            sum(r["group"] == "O" and not r["extra"] for r in answered),
            sum(r["extra"] for r in answered))


def _cell(count, n: int) -> str:
    return f"{count[0] / n:6.1%} / {count[1] / n:5.1%} / {count[2]} + {count[3]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.58,
                        help="answer at this share of the refit (default 0.58)")
    parser.add_argument("--fit", action="store_true", help="print the weights fitted on all")
    parser.add_argument("--where", action="store_true",
                        help="only print where the paraphrases' right pairs stand (where())")
    parser.add_argument("--dump")
    parser.add_argument("--load")
    args = parser.parse_args()
    if args.where:
        for office, found in where().items():
            print(f"== {'with' if office else 'without'} the office blocks ==")
            for key, count in sorted(found.items()):
                print(f"{key:40} {count:4}")
        return
    rows = json.loads(Path(args.load).read_text(encoding="utf-8")) if args.load else collect()
    if args.dump:
        Path(args.dump).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    sheets = [name for name, _, _ in dev_sheets()]
    print("right / wrong (of the paraphrases), off-topic answered (the sheet's + realdocs'): "
          "the weights before faq10 | shipped (fitted on all nine) | refit on the other eight "
          "sheets at the threshold")
    for office in (True, False):
        print(f"== {'with' if office else 'without'} the office blocks ==")
        total = np.zeros((3, 4), dtype=int)
        n_all = off_all = 0
        for name in sheets:
            mine = [r for r in rows if r["sheet"] == name and r["office"] == office]
            n = sum(r["group"] != "O" for r in mine)
            off = (sum(r["group"] == "O" and not r["extra"] for r in mine),
                   sum(r["extra"] for r in mine))
            scored = [r for r in mine if r["evidence"] is not None]
            beta = fit([r for r in rows if r["sheet"] != name])
            before = counts(scored, probabilities(shipped(BEFORE), scored), 0.5)
            now = counts(scored, probabilities(shipped(), scored), 0.5)
            held = counts(scored, probabilities(beta, scored), args.threshold)
            total += np.array([before, now, held])
            n_all += n
            off_all += sum(off)
            print(f"{name:11} {n:3} paraphrases, {off[0]} + {off[1]} off-topic: "
                  + "  |  ".join(_cell(c, n) for c in (before, now, held)))
        print(f"{'all':11} {n_all:3} paraphrases, {off_all} off-topic: "
              + "  |  ".join(_cell(c, n_all) for c in total.tolist()))
    if args.fit:
        beta = fit(rows)
        bias = beta[-1] - math.log(args.threshold / (1 - args.threshold))
        print(json.dumps({"weights": {k: round(float(w), 3) for k, w in
                                      zip(FAQ_EVIDENCE, beta[:-1])},
                          "bias": round(float(bias), 3)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
