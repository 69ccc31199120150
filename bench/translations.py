"""Learn question words → article words (IBM Model 1 by EM) and check them two-fold.

    .venv/bin/python bench/translations.py                 # two-fold: learn on one half, ask the other
    .venv/bin/python bench/translations.py --write F.tsv   # learn on all of STARD-dev

A pair is one STARD-dev question's content words (as bench/associations.py takes them) and one
of its answering articles' words (the jieba words of its text, two characters or more, no
numbering, no word of a law's name, none said by more than ``--df`` of all articles: meaning,
not what every article says). P(article word | question word) is IBM Model 1 (Brown et al.
1993; Berger & Lafferty 1999), with an empty question word that takes the article words no
question word explains; kept: P ≥ ``--floor``, met in two pairs or more, ``--per`` per word.
The two-fold check is bench/associations.py's (each half asked with the other half's heading
associations and translations), at each of ``--weights`` (``SearchConfig.expansion_weight``),
with "stage": the share of questions whose answering article is among the BM25 candidates.

Filters of the source words, tried (bench/README.md, stard10) and off by default (the shipped
table is learned without them): ``--consistency`` (a translation met in at least that share
of its word's pairs), ``--max-entropy`` (bits of the word's whole distribution),
``--min-source`` (pairs a word is in), ``--talk`` (no question talk, query.QUESTION_TALK and
MODAL_TALK, as a source), ``--reverse`` (P(question word | article word), Model 1 trained the
other way, at least this), ``--mean`` (P stored as both directions' geometric mean).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from associations import (NUMBERING, STARD, learning_pairs, question_words, ranks,  # noqa: E402
                          stard_kb, summary)
from associations import learn as learn_headings  # noqa: E402
from associations import odd_of, write_table  # noqa: E402

from knowledge.associations import Associations  # noqa: E402
from knowledge.normalize import normalize  # noqa: E402
from knowledge.query import MODAL_TALK, QUESTION_TALK  # noqa: E402

TABLE = ROOT / "knowledge" / "data" / "translations.tsv"
TALK = QUESTION_TALK | MODAL_TALK


def article_words(passages: dict[str, dict], analyzer, most: float,
                  least: int = 1) -> dict[str, set[str]]:
    """Each article's words that may be learned as targets."""
    law_words: set[str] = set()
    for passage in passages.values():
        law_words.update(analyzer.words(normalize(passage["title"].split(" ")[0])))
    words = {pid: {w for w in analyzer.words(normalize(p["text"]))
                   if len(w) >= 2 and w not in law_words and not NUMBERING.match(w)}
             for pid, p in passages.items()}
    df = Counter(w for ws in words.values() for w in ws)
    common = {w for w, n in df.items() if n > most * len(words) or n < least}
    return {pid: ws - common for pid, ws in words.items()}


def model1(pairs: list[tuple[list[str], list[str]]], rounds: int = 20
           ) -> tuple[dict[tuple[str, str], float], Counter]:
    """P(target | source) by EM over (source words, target words) pairs; "" is the empty
    source. Also how many pairs each (source, target) meets in."""
    sources: dict[str, int] = {"": 0}
    targets: dict[str, int] = {}
    e_idx, s_idx, t_idx, g_idx = [], [], [], []
    group = 0
    met: Counter = Counter()
    for src, tgt in pairs:
        s_ids = [0] + [sources.setdefault(s, len(sources)) for s in src]
        for t in tgt:
            tid = targets.setdefault(t, len(targets))
            for sid in s_ids:
                s_idx.append(sid)
                t_idx.append(tid)
                g_idx.append(group)
            group += 1
        met.update((s, t) for s in src for t in tgt)
    s_arr, t_arr, g_arr = np.array(s_idx), np.array(t_idx), np.array(g_idx)
    keys, k_idx = np.unique(s_arr * len(targets) + t_arr, return_inverse=True)
    k_src = keys // len(targets)
    prob = np.full(keys.size, 1.0 / len(targets))
    for _ in range(rounds):
        p = prob[k_idx]
        denom = np.bincount(g_arr, weights=p, minlength=group)
        counts = np.bincount(k_idx, weights=p / denom[g_arr], minlength=keys.size)
        per_source = np.bincount(k_src, weights=counts, minlength=len(sources))
        prob = counts / per_source[k_src]
    s_names = list(sources)
    t_names = list(targets)
    table = {(s_names[k // len(targets)], t_names[k % len(targets)]): float(p)
             for k, p in zip(keys.tolist(), prob.tolist()) if k // len(targets)}
    return table, met


def entropy(probs: dict[tuple[str, str], float]) -> dict[str, float]:
    """Per source word, the entropy (bits) of its whole translation distribution."""
    spread: dict[str, float] = defaultdict(float)
    for (source, _), p in probs.items():
        if p > 0:
            spread[source] -= p * np.log2(p)
    return spread


def learn(pairs, *, floor: float, per: int, least: int = 2, rounds: int = 20,
          consistency: float = 0.0, max_entropy: float = 0.0, min_source: int = 0,
          skip: frozenset = frozenset(), reverse: float = 0.0, mean: bool = False
          ) -> Associations:
    probs, met = model1(pairs, rounds)
    back = model1([(t, s) for s, t in pairs], rounds)[0] if reverse or mean else {}
    seen = Counter(s for src, _ in pairs for s in set(src))
    spread = entropy(probs) if max_entropy else {}
    table: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (source, target), p in probs.items():
        if (p >= floor and met[source, target] >= least and source != target
                and met[source, target] >= consistency * seen[source]
                and seen[source] >= min_source and source not in skip
                and (not max_entropy or spread[source] <= max_entropy)
                and back.get((target, source), 0.0) >= reverse):
            if mean:
                p = (p * back.get((target, source), 0.0)) ** 0.5
            table[source].append((target, round(p, 3)))
    return Associations({w: tuple(sorted(t, key=lambda x: (-x[1], x[0]))[:per])
                         for w, t in sorted(table.items())})


def translations_of(searcher, records: list[dict], *, df: float = 0.01, floor: float = 0.05,
                    per: int = 5, rounds: int = 20, min_df: int = 5) -> Associations:
    """The table learned on ``records`` (STARD-dev questions) with the shipped recipe."""
    with open(STARD / "passages.jsonl", encoding="utf-8") as handle:
        passages = {p["id"]: p for p in map(json.loads, handle)}
    words = article_words(passages, searcher.analyzer, df, min_df)
    pairs = [(sorted(question_words(searcher, q["question"])), sorted(words[g]))
             for q in records for g in q["gold"] if g in words]
    return learn(pairs, floor=floor, per=per, rounds=rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db")
    parser.add_argument("--write", action="store_true", help=f"learn on all, write {TABLE}")
    parser.add_argument("--df", type=float, default=0.01)
    parser.add_argument("--min-df", type=int, default=5,
                        help="no target said by fewer articles (none naming one article)")
    parser.add_argument("--floor", type=float, default=0.05)
    parser.add_argument("--per", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--least", type=int, default=2, help="pairs a translation meets in")
    parser.add_argument("--weights", nargs="+", type=float, default=[2.0],
                        help="expansion weights to measure (beside 0)")
    parser.add_argument("--expansion-per", type=int, default=3)
    parser.add_argument("--consistency", type=float, default=0.0,
                        help="a translation met in at least this share of its word's pairs")
    parser.add_argument("--max-entropy", type=float, default=0.0)
    parser.add_argument("--min-source", type=int, default=0)
    parser.add_argument("--talk", action="store_true", help="no question talk as a source")
    parser.add_argument("--reverse", type=float, default=0.0,
                        help="kept only where P(question word | article word) is at least this")
    parser.add_argument("--mean", action="store_true",
                        help="P stored as the geometric mean of both directions")
    parser.add_argument("--no-heading", action="store_true",
                        help="without the heading associations (replace, not add beside)")
    args = parser.parse_args()

    kb = stard_kb(Path(args.db))
    searcher = kb.searcher
    passages, share, questions, qpairs = learning_pairs(searcher)
    words = article_words(passages, searcher.analyzer, args.df, args.min_df)

    def table_of(records):
        pairs = [(sorted(qpairs[q["qid"]][0]), sorted(words[g]))
                 for q in records for g in q["gold"] if g in words]
        return learn(pairs, floor=args.floor, per=args.per, rounds=args.rounds, least=args.least,
                     consistency=args.consistency, max_entropy=args.max_entropy,
                     min_source=args.min_source, skip=TALK if args.talk else frozenset(),
                     reverse=args.reverse, mean=args.mean)

    if args.write:
        table = table_of(questions)
        write_table(TABLE, table, "article word", "translations.py", "words")
        print(f"{TABLE}: {len(table)} question words, {len(table.lines())} translations")
        return

    saved = searcher.config
    settings = [0.0, *args.weights]
    totals: dict[str, list] = defaultdict(list)
    for asked_half, name in ((0, "even"), (1, "odd")):
        learning = [q for q in questions if odd_of(q) != asked_half]
        asking = [q for q in questions if odd_of(q) == asked_half]
        cited = {g for q in learning for g in q["gold"]}
        unseen = [i for i, q in enumerate(asking) if not set(q["gold"]) & cited]
        table = table_of(learning)
        searcher.ranker.translations = table
        searcher.ranker.associations = None if args.no_heading else learn_headings(
            [qpairs[q["qid"]] for q in learning], share)
        for weight in settings:
            label = f"expansion {weight}"
            searcher.config = replace(saved, expansion_weight=weight,
                                      expansion_per=args.expansion_per)
            found = ranks(searcher, asking)
            staged = [bool({searcher.ranker.rows[r].source_id for r in
                            searcher.ranker.candidates(searcher.analyse(q["question"]),
                                                       searcher.config.candidates,
                                                       searcher.config).rows.tolist()}
                           & set(q["gold"])) for q in asking]
            totals[label + " stage"] += staged
            totals[label] += found
            workplace = [r for q, r in zip(asking, found) if q.get("workplace")]
            totals[label + " workplace"] += workplace
            totals[label + " unseen"] += [found[i] for i in unseen]
            totals[label + " unseen stage"] += [staged[i] for i in unseen]
            print(f"{name} asked, {label} ({len(table)} words): {summary(found)}   "
                  f"unseen {summary([found[i] for i in unseen])}   "
                  f"workplace {summary(workplace)}", flush=True)
    searcher.config = saved
    for weight in settings:
        label = f"expansion {weight}"
        stage = sum(totals[label + " stage"]) / len(totals[label + " stage"])
        seen = totals[label + " unseen stage"]
        print(f"both halves, {label}: stage {stage:.3f} (unseen {sum(seen) / len(seen):.3f})  "
              f"{summary(totals[label])}   unseen "
              f"{summary(totals[label + ' unseen'])}   workplace "
              f"{summary(totals[label + ' workplace'])}")
    kb.close()


if __name__ == "__main__":
    main()
