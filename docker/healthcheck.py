"""The container's HEALTHCHECK: exit 0 when the knowledge base opens and has documents.

    python docker/healthcheck.py        # reads $STAFFBOT_DB (default staffbot.db, relative to cwd)

Opens the SQLite file read-only (never creates it) with only the standard library, so it is cheap
to run every 30 s next to the bot. Unhealthy until the bot's first start has built the knowledge
base from the seeds folder, and whenever the file is missing, unreadable or empty.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path


def check(path: Path) -> tuple[bool, str]:
    if not path.is_file():
        return False, f"no knowledge base at {path}"
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
            paragraphs = con.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as err:
        return False, f"{path}: {err}"
    if not documents:
        return False, f"{path}: no documents"
    return True, f"{path}: {documents} documents, {paragraphs} paragraphs"


def main() -> int:
    ok, message = check(Path(os.environ.get("STAFFBOT_DB") or "staffbot.db"))
    print(("healthy: " if ok else "unhealthy: ") + message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
