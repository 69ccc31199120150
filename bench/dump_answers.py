"""Every answer to a question set, dumped whole (JSON lines), to show that a change to the search
machinery changes no answer: dump before and after, then ``diff`` (or ``cmp``) the two files.

    PYTHONPATH=$PWD .venv/bin/python bench/dump_answers.py --db /tmp/kb-100k.db \
        [--passages P.jsonl] [--questions Q.jsonl] [--limit 500] [--seed 13] > answers.jsonl

``--passages``: ingest them into ``--db`` first when it does not exist yet (a DRCD-dev or
STARD-dev database). Each question is asked three ways: ``kb.search(q, k=5)`` (what a user
gets), ``keep_weak=True, k=10, closest=True`` (what ``staffbot eval`` reads) and
``explain=True`` (every candidate's score parts, per field, and the decision's evidence);
each line holds all of it, floats as ``repr``: a difference in the last bit shows.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge import KnowledgeBase  # noqa: E402
from search_stages import sample_questions  # noqa: E402


def _plain(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if hasattr(value, "tolist"):
        return _plain(value.tolist())
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--passages")
    parser.add_argument("--questions",
                        default=str(ROOT.parent / "shared" / "eval" / "drcd-dev" / "questions.jsonl"))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    questions = sample_questions(args.questions, args.limit, args.seed)
    fresh = not Path(args.db).exists()
    kb = KnowledgeBase(args.db)
    if fresh and args.passages:
        kb.ingest([args.passages])
    searcher = kb.searcher
    out = sys.stdout
    for question in questions:
        user = kb.search(question, k=5)
        weak = searcher.search(question, k=10, keep_weak=True, closest=True)
        explained = kb.search(question, k=5, explain=True)
        out.write(json.dumps({"q": question, "user": _plain(user), "weak": _plain(weak),
                              "explain": _plain(explained)}, ensure_ascii=False,
                             sort_keys=True) + "\n")
    kb.close()


if __name__ == "__main__":
    main()
