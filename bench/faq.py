"""FAQ measure: do paraphrases of an FAQ sheet's questions find the right pair, and are
off-topic questions declined?

Ingests ``bench/faq/faq.csv`` (an office FAQ sheet: 分类, 问题, 答案; 40 pairs) into a fresh
knowledge base, optionally next to other documents (``--with bench/realdocs/build/txt``: the FAQ
among 30 statutes and office rules), and asks ``bench/faq/questions.jsonl``: two or more
paraphrases per pair written differently from its question (colloquial, other word order,
synonyms), and off-topic questions. Prints, for the paraphrases, the share answered (status
``answer``) with the right pair first; the ranking's own figures whatever the decision (the right
pair first, in the top 3); and the share of off-topic questions declined (not ``answer``).

``--calibration`` measures the sheets the FAQ decision is fitted on instead
(``bench/calibration/NAME.csv`` with its questions ``NAME.jsonl``), each in a knowledge base of
its own (with the ``--with`` documents), per sheet and all together.

``--misses`` lists every miss under its cause (the ranking: the pair 2nd/3rd or not in the top 3;
the decision: the pair first but only suggested or not found, with its confidence p; a wrong
pair first and answered; an off-topic question answered), with a count per cause.
``bench/faq/campus.csv`` (campus services: shuttle, canteen, dormitory, PPE, shifts, parcels;
26 pairs, 52 paraphrases, 10 off-topic in ``campus.jsonl``) is held out: written before the
rules of faq5, measured at its start and end only (``--sheet ... --questions ...``); it is dev
data since faq6. ``bench/faq/admin.csv`` (building and admin services: seals, assets, archives,
visitors, parking, lockers, mail room; 25 pairs, 50 paraphrases, 10 off-topic in
``admin.jsonl``) is held out the same way: written before faq6's changes, measured at its start
and end only; dev since faq7. ``bench/faq/lab.csv`` (an R&D centre's laboratory services:
reagents, waste, instruments, access, protective wear, spills, gas cylinders, samples; 25 pairs,
50 paraphrases, 10 off-topic in ``lab.jsonl``) was faq7's held-out sheet; dev since faq7's end.
``bench/faq/helpdesk.csv`` (an IT service desk: accounts, remote access, mail, computers,
peripherals, printers, storage, software licences, networks, permissions, phones; 26 pairs, 52
paraphrases, 10 off-topic in ``helpdesk.jsonl``) is faq8's held-out sheet, measured at its start
and end only. ``bench/faq/legal.csv`` (a legal and compliance desk: contract review, templates,
signing and archiving, NDAs, patents, copyright, trademarks, open source, gifts, hospitality,
conflicts of interest, whistleblowing, export control, personal data, recordings, lawsuits,
debts, non-compete, media; 25 pairs, 50 paraphrases, 10 off-topic in ``legal.jsonl``) is faq9's
held-out sheet, measured at its start and end only. ``bench/faq/library.csv`` (a company
library's desk: loans, renewals, overdue and lost books, e-resources, reading rooms, copying,
donations, standards, interlibrary loan; 25 pairs, 50 paraphrases, 10 off-topic in
``library.jsonl``) is faqnew's new-domain check: written before its change, never fitted on, no
thesaurus word added for it (``--skip library`` for the figures before it).
``bench/faq/warehouse.csv`` (a factory's warehouse and materials desk: picking and returning
materials, deliveries and incoming inspection, material codes, stock, stocktaking, slow-moving
and scrapped stock, tools, forklifts, flammables, shipping, samples, packing, pallets; 25 pairs,
50 paraphrases, 10 off-topic in ``warehouse.jsonl``) is faqhr's, the same way (``--skip
warehouse``). ``bench/faq/sports.csv`` (an employee sports and activity centre: hours, entry,
family and guests, court booking and cancelling, fees, pool rules, classes, trainers, borrowing
and damaging equipment, lockers, lost property, food, dress, injuries, clubs, contests; 25 pairs,
50 paraphrases, 10 off-topic in ``sports.jsonl``) is life12's, the same way (``--skip sports``).
``bench/faq/apartment.csv`` (employee flats: repairs, utility bills, moving in and out, deposits,
keys and door cards, guests, pets, appliances, cooking, rubbish, noise, wifi, parcels, laundry;
25 pairs, 50 paraphrases, 5 off-topic) is faq13's new-domain dev sheet and
``bench/faq/medins.csv`` (a supplementary medical insurance desk: who is covered, outpatient and
inpatient claims, papers, deadlines, pharmacies, dentists, glasses, lost receipts, rejections;
25 pairs, 50 paraphrases, 5 off-topic) its held-out one (``--skip apartment --skip medins``).
``bench/faq/commute.csv`` (staff shuttle buses and commuting: routes, times, boarding, missed
buses, allowances, stops, seats, lost property, weather, complaints, luggage, parking, e-bikes,
car-sharing, late taxis, holidays, safety, accidents; 25 pairs, 50 paraphrases, 5 off-topic) is
faq14's new-domain dev sheet and ``bench/faq/meeting.csv`` (meeting rooms, printers, the office
network and phones: booking, cancelling, check-in, video calls, screens, guests, printing,
scanning, wifi, VPN, passwords; 25 pairs, 50 paraphrases, 5 off-topic) its check sheet
(``--skip commute --skip meeting``).
``bench/faq/welfare.csv`` (a staff union's welfare desk: joining, festival gifts, births,
hospital visits, bereavement, hardship aid, outings, film vouchers, clubs, family day, summer
care for children, school awards, merchant discounts, Women's Day, summer drinks, rest trips,
retirement, blood donation, sports day, the member card, points, counselling, legal advice,
leaving; 25 pairs, 50 paraphrases, 8 off-topic) is faq16's new-domain dev sheet and
``bench/faq/abroad.csv`` (business trips abroad: approval, passports, visas, invitations,
briefings, foreign currency, allowances, hotels, flights, insurance, phones, laptops, gifts,
changing plans, family, lost passports, emergencies, vaccines, reports, claims, Hong Kong and
Macao, interpreters; 25 pairs, 50 paraphrases, 8 off-topic) its check sheet (``--skip welfare
--skip abroad``).
``bench/faq/training.csv`` (a training desk: courses in-house and outside, who pays, service
agreements, hours, the learning platform, certificates, degrees, trainers, tests, slides,
mentors, English classes, books, records; 20 pairs, 40 paraphrases in other words, 5 off-topic)
is vecfaq17's dev sheet for a match in meaning, never fitted on (``--skip training``).
``--all-sheets`` measures every sheet of ``bench/faq/`` (faq.csv with questions.jsonl, each
other NAME.csv with NAME.jsonl), each in a knowledge base of its own, and all together;
``--skip NAME`` leaves a held-out sheet out of it while developing.

    python bench/faq.py [--with DIR ...] [--calibration | --all-sheets [--skip NAME]] [--misses] [--json]
    python bench/faq.py --sheet bench/faq/campus.csv --questions bench/faq/campus.jsonl
    python bench/faq.py --sheet bench/faq/admin.csv --questions bench/faq/admin.jsonl
    python bench/faq.py --sheet bench/faq/lab.csv --questions bench/faq/lab.jsonl
    python bench/faq.py --sheet bench/faq/helpdesk.csv --questions bench/faq/helpdesk.jsonl
    python bench/faq.py --sheet bench/faq/legal.csv --questions bench/faq/legal.jsonl
    python bench/faq.py --sheet bench/faq/library.csv --questions bench/faq/library.jsonl
    python bench/faq.py --sheet bench/faq/warehouse.csv --questions bench/faq/warehouse.jsonl
    python bench/faq.py --sheet bench/faq/sports.csv --questions bench/faq/sports.jsonl
    python bench/faq.py --sheet bench/faq/apartment.csv --questions bench/faq/apartment.jsonl
    python bench/faq.py --sheet bench/faq/commute.csv --questions bench/faq/commute.jsonl
    python bench/faq.py --sheet bench/faq/welfare.csv --questions bench/faq/welfare.jsonl
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from knowledge import KnowledgeBase

HERE = Path(__file__).resolve().parent / "faq"
CALIBRATION = Path(__file__).resolve().parent / "calibration"


def calibration_sheets() -> list[tuple[str, Path, Path]]:
    """The calibration FAQ sheets: (name, NAME.csv, NAME.jsonl), by name."""
    return [(csv.stem, csv, csv.with_suffix(".jsonl"))
            for csv in sorted(CALIBRATION.glob("*.csv"))]


def faq_sheets() -> list[tuple[str, Path, Path]]:
    """bench/faq's sheets: faq.csv with questions.jsonl, then every other NAME.csv with
    NAME.jsonl, by name."""
    return [("faq", HERE / "faq.csv", HERE / "questions.jsonl")] + [
        (csv.stem, csv, csv.with_suffix(".jsonl"))
        for csv in sorted(HERE.glob("*.csv")) if csv.stem != "faq"]


def read_questions(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


MEANING: str | None = None   # --meaning CACHE: match by meaning too (bench/meaning_cache.py)


def run(questions: list[dict], folders: list[str], sheet: Path = HERE / "faq.csv") -> list[dict]:
    """Each question with its outcome: status, the first three hits' FAQ questions and kinds."""
    outcomes = []
    meaning = None
    if MEANING:
        sys.path.insert(0, str(HERE.parent))
        from meaning_cache import cached_encoder
        meaning = cached_encoder(MEANING)
    with tempfile.TemporaryDirectory() as tmp, \
            KnowledgeBase(Path(tmp) / "kb.db", meaning=meaning) as kb:
        kb.ingest([str(sheet), *folders])
        for item in questions:
            answer = kb.search(item["question"], k=3, explain=True)
            # the ranking's first three whatever the decision (a "not found" shows no hits)
            ranked = [c["citation"] for c in answer.explain["candidates"][:3]]
            outcomes.append({**item, "status": answer.status,
                             "p": answer.explain["stages"]["decide"].get("confidence"),
                             "hits": [h.question or h.citation.label for h in answer.hits],
                             "ranked": [_asked(label, questions) for label in ranked]})
    return outcomes


def _asked(label: str, questions: list[dict]) -> str:
    """The FAQ question a citation label ends with (文件 › 分类 › 问题), else the label."""
    golds = {q["gold"] for q in questions if q.get("gold")}
    return next((g for g in golds if label.endswith(g)), label)


def figures(outcomes: list[dict]) -> dict[str, float]:
    paraphrases = [o for o in outcomes if o["kind"] == "paraphrase"]
    offtopic = [o for o in outcomes if o["kind"] == "offtopic"]
    n, m = len(paraphrases) or 1, len(offtopic) or 1
    first = [o for o in paraphrases if o["hits"][:1] == [o["gold"]]]
    return {
        "paraphrases": len(paraphrases),
        "answered_right": sum(o["status"] == "answer" for o in first) / n,
        "right_first": sum(o["ranked"][:1] == [o["gold"]] for o in paraphrases) / n,
        "right_top3": sum(o["gold"] in o["ranked"][:3] for o in paraphrases) / n,
        "answered_wrong": sum(o["status"] == "answer" and o not in first for o in paraphrases) / n,
        "offtopic": len(offtopic),
        "offtopic_declined": sum(o["status"] != "answer" for o in offtopic) / m,
        "offtopic_not_found": sum(o["status"] == "not_found" for o in offtopic) / m,
    }


def cause(o: dict) -> tuple[str, dict] | None:
    """Why a question missed (None: it did not): the ranking (its pair 2nd/3rd, or not in the
    top 3), the decision (its pair first but only suggested or not found; a wrong hit answered),
    or an off-topic question answered."""
    if o["kind"] == "offtopic":
        return ("off-topic answered", o) if o["status"] == "answer" else None
    first = o["ranked"][:1] == [o["gold"]]
    if first:
        return None if o["status"] == "answer" else ("decision: first, declined", o)
    if o["status"] == "answer":
        return "wrong pair first, answered", o
    return ("ranking: 2nd/3rd" if o["gold"] in o["ranked"] else "ranking: not in top 3"), o


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with", dest="folders", action="append", default=[],
                        help="more documents to ingest next to the FAQ sheet (repeatable)")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--sheet", type=Path, default=HERE / "faq.csv",
                        help="the FAQ sheet (default bench/faq/faq.csv; bench/calibration/ "
                             "holds the ones the decision is fitted on: --calibration)")
    parser.add_argument("--questions", type=Path, default=HERE / "questions.jsonl")
    parser.add_argument("--calibration", action="store_true",
                        help="measure the calibration sheets (bench/calibration/*.csv) instead, "
                             "each in a knowledge base of its own")
    parser.add_argument("--all-sheets", action="store_true",
                        help="measure every sheet of bench/faq/ (NAME.csv with NAME.jsonl; "
                             "faq.csv with questions.jsonl), each in a knowledge base of its own")
    parser.add_argument("--skip", action="append", default=[], metavar="NAME",
                        help="leave sheet NAME out of --all-sheets (a held-out sheet while "
                             "developing; repeatable)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--meaning", metavar="CACHE",
                        help="match by meaning too (the meaning extra); vectors cached in CACHE")
    args = parser.parse_args()
    global MEANING
    MEANING = args.meaning
    if args.calibration or args.all_sheets:
        sheets = [(name, sheet, read_questions(questions)) for name, sheet, questions
                  in (calibration_sheets() if args.calibration else faq_sheets())
                  if name not in args.skip]
    else:
        sheets = [(str(args.sheet), args.sheet, read_questions(args.questions))]
    outcomes = []
    results = {}
    for name, sheet, questions in sheets:
        mine = run(questions, args.folders, sheet)
        results[name] = figures(mine)
        outcomes += mine
    if len(sheets) > 1:
        results["all"] = figures(outcomes)
    if args.json:
        print(json.dumps(results if len(sheets) > 1 else results[sheets[0][0]], indent=1))
    else:
        for name, result in results.items():
            print(f"FAQ sheet {name} + {args.folders or 'nothing else'}")
            print(f"paraphrases {result['paraphrases']}: answered with the right pair "
                  f"{result['answered_right']:.1%}, ranked first {result['right_first']:.1%}, "
                  f"ranked in top 3 {result['right_top3']:.1%}, answered with a wrong hit "
                  f"{result['answered_wrong']:.1%}")
            print(f"off-topic {result['offtopic']}: declined {result['offtopic_declined']:.1%} "
                  f"(not found {result['offtopic_not_found']:.1%})")
    if args.misses:
        misses = sorted((m for m in map(cause, outcomes) if m), key=lambda m: m[0])
        for name in dict.fromkeys(c for c, _ in misses):
            print(f"{name}: {sum(c == name for c, _ in misses)}")
        for name, o in misses:
            p = "" if o["p"] is None else f" p {o['p']:.2f}"
            print(f"  {name:24} {o['status']:11}{p} {o['question']}  →  "
                  f"{' | '.join(o['ranked'])}  (want {o.get('gold', '-')})")


if __name__ == "__main__":
    main()
