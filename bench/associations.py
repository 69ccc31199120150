"""Learn knowledge/data/associations.tsv (question words → heading words) and check it two-fold.

    .venv/bin/python bench/associations.py              # two-fold: learn on one half, ask the other
    .venv/bin/python bench/associations.py --write      # learn on all of STARD-dev, write the table

The pairs are STARD-dev's questions (../shared/eval/stard-dev, MIT licence) and the articles that
answer them. A question's words are its content words as the search analyses them (units of
two characters or more); an article's heading words are the jieba words of its title after the
law's name (编, 章, 节 names: 物权编 相邻关系 → 相邻, 关系), without any word of a law's name and
without numbering (第七章, 二分). For a question word q and heading word h:

    P(h | q) = pairs with q and h / (pairs with q + 1)

kept when q and h meet in two pairs or more and P(h | q) is at least ``--lift`` times the share of
articles whose headings say h (h says something about q, not about every question), strongest
``--per`` per question word. The two-fold check: questions with an even number learn, odd ones
are asked, and back (with the learning half's translations of bench/translations.py too, not
the shipped ones); printed beside the same halves without the table, and for the asked
questions whose answering articles no learning question cites (what does not come from which
articles are asked about most).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from knowledge.associations import Associations
from knowledge.evaluate import read_questions
from knowledge.kb import KnowledgeBase
from knowledge.normalize import normalize

STARD = ROOT.parent / "shared" / "eval" / "stard-dev"
TABLE = ROOT / "knowledge" / "data" / "associations.tsv"


def write_table(path: Path, table: Associations, target: str, script: str, of: str) -> None:
    """Ship ``table`` as ``path`` (``knowledge/data/*.tsv``) with the header saying its recipe."""
    path.write_text(
        f"# question word<TAB>{target}<TAB>P({target} | question word)\n"
        f"# written by bench/{script} --write (recipe in its docstring) from\n"
        f"# STARD-dev's questions and the {of} of the articles that answer them\n"
        + "\n".join(table.lines()) + "\n", encoding="utf-8")


NUMBERING = re.compile(r"^[第一二三四五六七八九十百千零〇两0-9章节编条款分则总]+$")


def heading_words(passages: dict[str, dict], analyzer) -> dict[str, set[str]]:
    """Each article's heading words (its title after the law's name), law names and numbering
    left out."""
    law_words: set[str] = set()
    for passage in passages.values():
        law_words.update(analyzer.words(normalize(passage["title"].split(" ")[0])))
    return {pid: {w for w in analyzer.words(normalize(" ".join(p["title"].split(" ")[1:])))
                  if len(w) >= 2 and w not in law_words and not NUMBERING.match(w)}
            for pid, p in passages.items()}


def question_words(searcher, question: str) -> set[str]:
    return {u.text for u in searcher.analyse(question).units if len(u.text) >= 2}


def learn(pairs: list[tuple[set[str], set[str]]], share: dict[str, float], *, least: int = 2,
          lift: float = 5.0, per: int = 10, floor: float = 0.25) -> Associations:
    """``pairs``: (question words, heading words of its answering articles); ``share``: the
    share of all articles whose headings say each heading word."""
    asked, both = Counter(), Counter()
    for words, heads in pairs:
        asked.update(words)
        both.update((w, h) for w in words for h in heads if h != w)
    table: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for (word, head), n in both.items():
        p = n / (asked[word] + 1)
        if n >= least and p >= max(floor, lift * share[head]):
            table[word].append((head, round(p, 3)))
    return Associations({w: tuple(sorted(t, key=lambda x: (-x[1], x[0]))[:per])
                         for w, t in sorted(table.items())})


def ranks(searcher, questions: list[dict]) -> list[int | None]:
    from dataclasses import replace

    found = []
    saved = searcher.config
    for record in questions:
        hits = searcher.search(record["question"], k=10, keep_weak=True).hits
        if not hits:      # ranking measured where the bot would say "not found" (as eval does)
            searcher.config = replace(saved, suggest_coverage=-1.0)
            hits = searcher.search(record["question"], k=10, keep_weak=True).hits
            searcher.config = saved
        ids = [h.citation.source_id for h in hits]
        found.append(next((i + 1 for i, pid in enumerate(ids) if pid in record["gold"]), None))
    return found


def confident(searcher, questions: list[dict]) -> list[bool | None]:
    """Per question: is the first hit right when the search answers confidently (None when it
    only suggests or finds nothing)? The calibration's STARD precision, out of sample."""
    answers = (searcher.search(record["question"], k=1) for record in questions)
    return [answer.hits[0].citation.source_id in record["gold"] if answer.status == "answer"
            else None for answer, record in zip(answers, questions)]


def summary(found: list[int | None]) -> str:
    n = len(found) or 1
    r1 = sum(1 for r in found if r == 1) / n
    r3 = sum(1 for r in found if r and r <= 3) / n
    mrr = sum(1 / r for r in found if r) / n
    return f"R@1 {r1:.3f}  R@3 {r3:.3f}  MRR@10 {mrr:.3f}  ({len(found)})"


def stard_kb(db: Path, meaning: str | None = None, config: str = "") -> KnowledgeBase:
    """The knowledge base of STARD-dev's passages at ``db``, ingested first when missing;
    ``meaning``: matched by meaning too, the paragraph vectors cached in that SQLite file
    (bench/meaning_cache.py; embedded here when missing); ``config``: SearchConfig changes,
    ``name=value,…``."""
    encoder = None
    if meaning:
        sys.path.insert(0, str(ROOT / "bench"))
        from meaning_cache import cached_encoder
        encoder = cached_encoder(meaning)
    fresh = not db.exists()
    kb = KnowledgeBase(db, meaning=encoder, config=config_of(config))
    if fresh:
        kb.ingest([STARD / "passages.jsonl"])
    elif encoder is not None:
        kb.embed_missing(progress=True)
    return kb


def config_of(text: str):
    """A SearchConfig with the changes ``name=value,…`` (numbers as numbers)."""
    from dataclasses import fields, replace

    from knowledge import SearchConfig
    base = SearchConfig()
    kinds = {f.name: type(getattr(base, f.name)) for f in fields(base)}
    changes = {}
    for item in filter(None, (t.strip() for t in text.split(","))):
        name, value = item.split("=", 1)
        changes[name] = value.lower() in ("1", "true", "yes", "on") if kinds[name] is bool \
            else kinds[name](value)
    return replace(base, **changes)


def odd_of(record: dict) -> int:
    """The half a STARD-dev question belongs to in the two-fold: its number's parity."""
    return int(record["qid"].rsplit("-", 1)[1]) % 2


def two_fold(searcher, questions: list[dict], pairs: dict, share: dict):
    """Each half asked with the tables learned on the other: yields (odd, learning, asking) with
    the searcher's heading associations and translations set to the learning half's."""
    from translations import translations_of
    for odd in (0, 1):
        learning = [q for q in questions if odd_of(q) != odd]
        searcher.ranker.associations = learn([pairs[q["qid"]] for q in learning], share)
        searcher.ranker.translations = translations_of(searcher, learning)
        yield odd, learning, [q for q in questions if odd_of(q) == odd]


def learning_pairs(searcher) -> tuple[dict, dict, list[dict], dict]:
    """What the table learns from: STARD-dev's passages by id, each heading word's share of the
    articles, the questions, and per question (its words, its answering articles' heading
    words)."""
    with open(STARD / "passages.jsonl", encoding="utf-8") as handle:
        passages = {p["id"]: p for p in map(json.loads, handle)}
    heads = heading_words(passages, searcher.analyzer)
    df = Counter(h for words in heads.values() for h in words)
    share = {h: n / len(heads) for h, n in df.items()}
    questions = read_questions(STARD / "questions.jsonl")
    pairs = {q["qid"]: (question_words(searcher, q["question"]),
                        set().union(*(heads.get(g, set()) for g in q["gold"])))
             for q in questions}
    return passages, share, questions, pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default="/tmp/associations-stard.db",
                        help="knowledge base of STARD-dev's passages (built when missing)")
    parser.add_argument("--write", action="store_true", help=f"learn on all, write {TABLE}")
    parser.add_argument("--least", type=int, default=2)
    parser.add_argument("--lift", type=float, default=5.0)
    parser.add_argument("--per", type=int, default=10)
    parser.add_argument("--floor", type=float, default=0.25)
    parser.add_argument("--confident", action="store_true",
                        help="also the confident answers' right-first share (with the table)")
    parser.add_argument("--meaning", metavar="CACHE",
                        help="match by meaning too (the meaning extra); vectors cached in CACHE")
    parser.add_argument("--config", default="",
                        help="SearchConfig changes, name=value,… (e.g. meaning_weight=0.5)")
    args = parser.parse_args()

    kb = stard_kb(Path(args.db), args.meaning, args.config)
    searcher = kb.searcher
    _, share, questions, pairs = learning_pairs(searcher)

    def table_of(records: list[dict]) -> Associations:
        return learn([pairs[q["qid"]] for q in records], share, least=args.least,
                     lift=args.lift, per=args.per, floor=args.floor)

    if args.write:
        table = table_of(questions)
        write_table(TABLE, table, "heading word", "associations.py", "headings")
        print(f"{TABLE}: {len(table)} question words, {len(table.lines())} associations")
        return

    kept = searcher.ranker.associations, searcher.ranker.translations
    sys.path.insert(0, str(ROOT / "bench"))
    from translations import translations_of      # the other half's translations too
    totals: dict[str, list] = defaultdict(list)
    for asked_half, name in ((0, "even"), (1, "odd")):
        learning = [q for q in questions if odd_of(q) != asked_half]
        asking = [q for q in questions if odd_of(q) == asked_half]
        cited = {g for q in learning for g in q["gold"]}
        unseen = [i for i, q in enumerate(asking) if not set(q["gold"]) & cited]
        table = table_of(learning)
        searcher.ranker.translations = translations_of(searcher, learning)
        for label, using in (("without", None), ("with", table)):
            searcher.ranker.associations = using
            found = ranks(searcher, asking)
            totals[label] += found
            workplace = [r for q, r in zip(asking, found) if q.get("workplace")]
            totals[label + " workplace"] += workplace
            totals[label + " unseen"] += [found[i] for i in unseen]
            print(f"{name} asked, {label:7} table ({len(table)} words): {summary(found)}   "
                  f"unseen gold {summary([found[i] for i in unseen])}   "
                  f"workplace {summary(workplace)}")
            if args.confident and using is not None:
                totals["confident"] += confident(searcher, asking)
    searcher.ranker.associations, searcher.ranker.translations = kept
    for label in ("without", "with"):
        print(f"both halves, {label:7}: {summary(totals[label])}   unseen gold "
              f"{summary(totals[label + ' unseen'])}   workplace "
              f"{summary(totals[label + ' workplace'])}")
    if args.confident:
        answers = [right for right in totals["confident"] if right is not None]
        print(f"both halves, with the tables: confident answers {len(answers) / len(questions):.3f}"
              f" of the questions, right first {sum(answers) / (len(answers) or 1):.3f}")
    kb.close()


if __name__ == "__main__":
    main()
