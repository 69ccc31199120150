"""How often questions the knowledge base cannot answer get a confident answer anyway.

Builds a knowledge base from a folder (default ``seeds/``) and asks it questions about something
else (default: the DRCD questions, Wikipedia topics), printing how many come back ``answer``,
``suggestions`` and ``not_found``. A good engine says "not found" to nearly all of them.

    python bench/out_of_scope.py [--docs seeds] [--questions ../shared/eval/drcd-dev/questions.jsonl]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections import Counter
from pathlib import Path

from knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", default=str(ROOT / "seeds"))
    parser.add_argument("--questions",
                        default=str(ROOT.parent / "shared" / "eval" / "drcd-dev" / "questions.jsonl"))
    args = parser.parse_args()
    with open(args.questions, encoding="utf-8") as handle:
        questions = [json.loads(line)["question"] for line in handle if line.strip()]
    with tempfile.TemporaryDirectory() as tmp, KnowledgeBase(Path(tmp) / "kb.db") as kb:
        kb.ingest([args.docs])
        counts = Counter(kb.search(q, k=3).status for q in questions)
    total = len(questions) or 1
    for status in ("answer", "suggestions", "not_found"):
        print(f"{status:12} {counts[status]:6}  {counts[status] / total:6.1%}")


if __name__ == "__main__":
    main()
