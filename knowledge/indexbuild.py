"""``python -m knowledge.indexbuild DB``: build the base index segment of the knowledge base
``DB`` and save it beside it (``DB.idx``, :mod:`.segments`; its paragraphs in ``DB.rows``,
:mod:`.rowfile`) — what the background merge of
:class:`~.segmented.IndexKeeper` runs, in a process of its own, while questions are answered.
``--grams DB DIR [--rows]``: only the bigram field, into ``DIR`` (a base build's second process),
and with ``--rows`` the row file of the same rows, ``DIR/rows``."""

from __future__ import annotations

import sys
from pathlib import Path

from .rowfile import row_file_path
from .segments import build_base, index_path, save_segment, write_gram_field
from .store import Store


def main(argv: list[str]) -> int:
    if len(argv) in (3, 4) and argv[0] == "--grams":   # the bigram field of a build_base elsewhere
        write_gram_field(Store.open_readonly(argv[1]), Path(argv[2]), rows=argv[3:] == ["--rows"])
        return 0
    if len(argv) != 1:
        print("usage: python -m knowledge.indexbuild DB", file=sys.stderr)
        return 2
    store = Store(argv[0])
    store.close()
    store.reconnect(readonly=True)   # the process that started us is the one writer
    conn = store.db.conn
    conn.execute("BEGIN")    # the row file holds the paragraphs the segment was built from
    try:
        generation, _, segment = build_base(store, rows_to=row_file_path(argv[0]))
    finally:
        conn.execute("COMMIT")
    size = save_segment(segment, index_path(argv[0]), schema=store.schema_version)
    print(f"{len(segment)} rows, generation {generation}, {size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
