"""The realdocs question sets with matching by meaning off and on, one ingest per build.

    PYTHONPATH=$PWD .venv/bin/python bench/meaning_sets.py --build bench/realdocs/build \\
        --cache /tmp/meaning-cache.db bench/realdocs/questions.jsonl bench/realdocs/dev_rules14.jsonl \\
        --variants off on "meaning_weight=0.5" [--json out.json]

Ingests the build's ``txt`` folder once, with the meaning model (its paragraph vectors cached in
``--cache``, bench/meaning_cache.py), as ``bench/realdocs.py --no-baseline --formats txt`` does,
then asks every set under each variant by replacing the searcher's SearchConfig: ``off`` is
``meaning_weight=0`` (words only: exactly the product without the extra), ``on`` the shipped
SearchConfig, anything else ``name=value,…`` changes of it (``suggest_at``, ``decline_at`` and
``chars_below`` change the encoder's Judging, rank.meaning_decides). Prints, per set
and variant, answered / cited / declined / confident wrong / off-topic declined as realdocs.py
counts them (and how many of those were "not found", not suggestions), and R@1 / R@3 of the
gold article in the ranking's own top three (asked with ``closest`` so that a "not found" still
shows where the article was); the last column is the answers gained and lost against ``off``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from associations import config_of  # noqa: E402
from meaning_cache import cached_encoder  # noqa: E402
from realdocs import classify, read_questions, summary  # noqa: E402

from knowledge import KnowledgeBase, SearchConfig  # noqa: E402


ENCODER_SETTINGS = ("suggest_at", "decline_at", "chars_below", "agree", "agree_lead")  # its Judging


def variant_config(text: str, base: SearchConfig, encoder=None) -> SearchConfig:
    if encoder is not None:    # suggest_at=…, decline_at=…, agree=… change its judging
        changes = {}
        items = [t for t in text.split(",") if t.split("=")[0] in ENCODER_SETTINGS]
        for item in items:
            name, value = item.split("=", 1)
            changes[name] = int(value) if name == "chars_below" else float(value)
        encoder.judging = replace(encoder.inner.judging, **changes)
        text = ",".join(t for t in text.split(",") if t not in items) or "on"
    if text == "off":
        return replace(base, meaning_weight=0.0)
    if text == "on":
        return base
    changed = config_of(text)
    return replace(base, **{k: getattr(changed, k) for k in base.__dataclass_fields__
                            if getattr(changed, k) != getattr(SearchConfig(), k)})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True)
    parser.add_argument("--cache", required=True, help="SQLite file of paragraph vectors")
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--variants", nargs="+", default=["off", "on"])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    folder = args.build / "txt"
    stems = {p.stem for p in folder.iterdir() if p.is_file()}
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        encoder = cached_encoder(args.cache)
        kb = KnowledgeBase(Path(tmp) / "kb.db", workers=1, meaning=encoder)
        report = kb.ingest([folder])
        print(f"{args.build}: {report.paragraphs} paragraphs, {encoder.embedded} embedded, "
              f"{encoder.reused} from the cache", flush=True)
        searcher = kb.searcher
        base = searcher.config
        for text in args.variants:
            searcher.config = variant_config(text, base, encoder)
            for path in args.sets:
                questions = [q for q in read_questions(path)
                             if q["doc"] is None or q["doc"] in stems]
                started = time.perf_counter()
                outs, firsts = [], []
                for q in questions:
                    answer = kb.search(q["question"], k=3, searcher=searcher,
                                       closest=True).to_json()
                    ranking = classify(q, "txt", answer)
                    if answer["status"] == "not_found":   # what realdocs.py sees: no hits
                        answer = {**answer, "hits": []}
                    outs.append(classify(q, "txt", answer))
                    firsts.append(ranking.rank)
                ms = (time.perf_counter() - started) * 1000 / max(1, len(questions))
                s = summary(outs)
                s["ms"] = round(ms, 1)
                real = [r for r, q in zip(firsts, questions) if q["doc"] is not None]
                s["r1"] = sum(r == 0 for r in real)
                s["r3"] = sum(r is not None for r in real)
                s["offtopic_not_found"] = sum(o.status == "not_found" for o in outs
                                              if o.question["doc"] is None)
                s["answered_ids"] = [o.question["id"] for o in outs if o.answered]
                s["wrong_ids"] = [o.question["id"] for o in outs
                                  if o.status == "answer" and not o.answered
                                  and o.question["doc"] is not None]
                off = results.get(path.stem, {}).get("off")
                gained = lost = 0
                if off is not None:
                    gained = len(set(s["answered_ids"]) - set(off["answered_ids"]))
                    lost = len(set(off["answered_ids"]) - set(s["answered_ids"]))
                results.setdefault(path.stem, {})[text] = s
                print(f"{path.stem:22} {text:28} n {s['questions']:3} answered {s['answered']:3} "
                      f"cited {s['cited']:3} declined {s['declined']:3} "
                      f"wrong {s['confident_wrong']:3} off-ok {s['offtopic_right']}/"
                      f"{s['offtopic']} (nf {s['offtopic_not_found']})  R@1 {s['r1']:3} R@3 {s['r3']:3}  +{gained}/-{lost}  "
                      f"{ms:4.0f} ms/q", flush=True)
        kb.close()
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
