"""How long an admin waits for an upload's reply with matching by meaning on: the upload
embedded before the reply (``staffbot ingest``'s way) against the bot's way (``embed_later``:
the reply once the words are in, the paragraphs embedded afterwards by a background pass).

    PYTHONPATH=$PWD .venv/bin/python bench/upload_latency.py FILE [FILE ...]

Needs the meaning extra. Each file is uploaded (``KnowledgeBase.ingest_bytes``) into a fresh
knowledge base per way, the model loaded and warm; prints, per file, its paragraphs, the
seconds until the upload returns each way, and the background pass's seconds.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from knowledge import KnowledgeBase  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    print(f"{'file':32} {'paragraphs':>10} {'embedded first s':>16} {'reply s':>8} "
          f"{'background s':>12}")
    for path in args.files:
        data = path.read_bytes()
        with tempfile.TemporaryDirectory() as tmp:
            times = {}
            for later in (False, True):
                with KnowledgeBase(Path(tmp) / f"{later}.db", meaning="on",
                                   embed_later=later) as kb:
                    kb.meaning.query("预热")                      # the model loaded
                    started = time.perf_counter()
                    report = kb.ingest_bytes(data, path.name)
                    times[later] = time.perf_counter() - started
                    if later:
                        started = time.perf_counter()
                        kb.embed_missing(workers=1, batch=8)       # as the bot's pass does
                        times["background"] = time.perf_counter() - started
            print(f"{path.name:32} {report.paragraphs:10} {times[False]:16.2f} "
                  f"{times[True]:8.2f} {times['background']:12.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
