"""The base segment's paragraphs as a search shows them, in a file beside the index (``<db>.rows``).

A search reads its ~25 candidates' paragraphs (text, sentences, headings, citation) for the
rerank and the excerpts. From SQLite that was ~1.5 ms of a 7 ms search at 100k paragraphs (a
prepared statement, a join, wide rows, JSON per row), and a bigger cache does not help: most of
a search's rows were not read lately. This file holds, per row of the base segment and in its
order, one ``marshal`` record (a file of our own, checksummed: one C call decodes a row): the
paragraph's text (UTF-16 when it is more than ASCII: read back by a copy, where UTF-8 is
decoded a character at a time), number, kind, FAQ question and reference, and its document
(title, source, source id, url) and heading path as indexes into small tables of records of their own; and
every row's sentence offsets in one int32 array. What a search matches against is in the file
too, computed when it is written, so no question normalises its rows: the normalised text only
where it differs from the text (None otherwise: office documents in simplified Chinese are
mostly unchanged; traditional text differs in ~5 % of its characters, and the file holds just
those, their places and characters), and the normalised heading text (title,
headings, an FAQ pair's question) as an index into a table of its own, None there where it is
the plain heading text.

The rows are read with ``pread``, the small arrays are mapped (``mmap``): nothing is held per
row as a Python object, and only what a search reads is read; a search's rows in one compiled
call when ``knowledge._bm25`` is built (:meth:`RowFile.entries`), made untracked by the garbage
collector (records of atomic values: the row cache keeps them for hundreds of searches, and a
collection would traverse them all).

The rules are the index file's (:mod:`.segments`): a head and header with the format version,
the database generation and schema, the version of :func:`~.normalize.normalize` its texts
were normalised with, the row count and a CRC-32 of the base segment's paragraph
ids (so a file can only serve the base it was written with), a CRC-32 of the contents; written to
a temporary file and renamed into place. A missing, stale or damaged file is no error: the rows
are read from SQLite as before (:class:`~.segmented.RowReader`), as are the rows of deltas; one
that is there but cannot be used (an older format too) is written again when the index file is
opened, if its base is the database's current state (:class:`~.segmented.IndexKeeper`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import marshal
import mmap
import os
import re
import struct
import weakref
import zlib
from pathlib import Path

import numpy as np

from .compiled import loops
from .normalize import NORMALIZE_VERSION, normalize_aligned, normalize_many
from .store import ParagraphRow

__all__ = ["RowFile", "file_crc32", "load_row_file", "row_file_path", "write_row_file"]

log = logging.getLogger(__name__)

FORMAT_VERSION = 4   # 4: a text beyond ASCII as UTF-16; 3: a normalised text as the characters it
                     # changes; 2: each row's normalised text and heading text whole; 1: computed
                     # per search
_MAGIC = b"STAFFROW"
_HEAD = struct.Struct("<8sIQQ")   # magic, format version, header offset and length (at the end)
_ALIGN = 64
_BATCH = 4096                     # rows encoded at once while writing


def file_crc32(fd: int, ranges: list[tuple[int, int]], chunk: int = 1 << 22) -> int:
    """CRC-32 of a file's byte ranges ``(offset, length)`` in order, read in ``chunk`` bytes with
    ``pread``. An index or row file is checked this way, not through its mapping: reading every
    page of a mapping maps them all into the process, and for a moment it held the whole file
    (a 566 MB index at 100k paragraphs: the start's PSS peak) where a search keeps only what
    it reads. Raises ValueError when the file ends before a range does."""
    buffer = memoryview(bytearray(min(chunk, max((n for _, n in ranges), default=0)) or 1))
    crc = 0
    for offset, length in ranges:
        while length > 0:
            got = os.preadv(fd, [buffer[:min(len(buffer), length)]], offset)
            if got <= 0:
                raise ValueError("truncated")
            crc = zlib.crc32(buffer[:got], crc)
            offset += got
            length -= got
    return crc


def row_file_path(db_path: str | Path) -> Path:
    """Where the base segment's paragraphs of ``db_path`` are kept: ``<db>.rows``."""
    return Path(f"{db_path}.rows")


def _ids_crc(ids: np.ndarray) -> int:
    return zlib.crc32(np.ascontiguousarray(ids, dtype=np.int64).tobytes())


def write_row_file(store, ids: np.ndarray, path: str | Path, *, generation: int,
                   schema: int) -> int | None:
    """Write the paragraphs of ``ids`` (a base segment's, in its row order) to ``path``, read
    from ``store`` (call it in the read transaction the segment was built in). Returns the
    file's size, or None when the database does not hold exactly these paragraphs (nothing
    written)."""
    path = Path(path)
    ids = np.asarray(ids, dtype=np.int64)
    n = int(ids.size)
    row_ptr = np.zeros(n + 1, dtype=np.int64)
    span_ptr = np.zeros(n + 1, dtype=np.int64)
    spans: list[np.ndarray] = []
    docs: dict[int, tuple[int, bytes]] = {}
    paths: dict[str, tuple[int, bytes]] = {}
    heads: dict[tuple, tuple[int, bytes]] = {}
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}-{os.urandom(3).hex()}")
    size = n_spans = at = crc = 0
    batch: list[tuple] = []

    def flush(out) -> None:
        nonlocal size, at, crc, n_spans
        records = []
        norms = normalize_many([r[3] for r in batch])
        for (_, doc_id, number, text, _, section, title, source, source_id, url, kind, ocr,
             question, ref), norm in zip(batch, norms):
            doc = docs.get(doc_id)
            if doc is None:
                doc = docs[doc_id] = (len(docs), marshal.dumps((title, source, source_id, url)))
            heading = paths.get(section)
            if heading is None:
                heading = paths[section] = (len(paths), marshal.dumps(tuple(json.loads(section))))
            head = heads.get((doc_id, section, question or ""))
            if head is None:
                head = heads[(doc_id, section, question or "")] = (
                    len(heads), marshal.dumps(_head_or_none(title, tuple(json.loads(section)),
                                                            question or "")))
            records.append(marshal.dumps((number, kind or "text", bool(ocr), _stored_text(text),
                                          question or "", ref or "", doc[0], heading[0],
                                          _stored_norm(text, norm), head[0])))
        # the batch's sentence offsets parsed at once: [[0,12],[12,30]] → 0,12,12,30
        stored = [r[4] or "" for r in batch]
        flat = ",".join(filter(None, (t.replace("[", "").replace("]", "") for t in stored)))
        counts = np.array([t.count(",") + 1 if "," in t else 0 for t in stored], dtype=np.int64)
        # (one C parse: a tenth of the time of int() per number; np.array(split) took 0.3 s
        # of the 3 s at 100k)
        numbers = np.fromstring(flat, dtype=np.int64, sep=",") if flat else \
            np.zeros(0, np.int64)
        if numbers.size != counts.sum():
            raise ValueError("sentence offsets not as stored")
        spans.append(numbers.astype(np.int32))
        span_ptr[at + 1:at + 1 + len(batch)] = n_spans + np.cumsum(counts)
        n_spans += int(counts.sum())
        row_ptr[at + 1:at + 1 + len(batch)] = size + np.cumsum([len(r) for r in records])
        joined = b"".join(records)
        size += len(joined)
        crc = zlib.crc32(joined, crc)
        out.write(joined)
        at += len(batch)
        batch.clear()

    try:
        with open(tmp, "wb") as out:
            out.write(b"\0" * _ALIGN)       # the head, written last; the rows' blob from here
            ok = True
            for record in store.db.conn.execute(
                    "SELECT p.id, p.doc_id, p.number, p.text, p.sentences, s.path, d.title, "
                    "d.source, d.source_id, d.url, p.kind, p.ocr, p.question, p.ref "
                    "FROM paragraphs p JOIN sections s ON s.id = p.section_id "
                    "JOIN documents d ON d.id = p.doc_id ORDER BY p.id"):
                if at + len(batch) >= n or record[0] != ids[at + len(batch)]:
                    ok = False
                    break
                batch.append(record)
                if len(batch) >= _BATCH:
                    flush(out)
            if ok and batch:
                flush(out)
            if not ok or at != n:
                return None
            arrays = {"row_ptr": row_ptr, "span_ptr": span_ptr,
                      "spans": np.concatenate(spans) if spans else np.zeros(0, dtype=np.int32)}
            for name, table in (("docs", docs), ("paths", paths), ("heads", heads)):
                records = [record for _, record in table.values()]
                ends = np.cumsum([len(r) for r in records], dtype=np.int64)
                arrays[f"{name}_offsets"] = np.concatenate([[0], ends]).astype(np.int64)
                arrays[f"{name}_blob"] = np.frombuffer(b"".join(records), dtype=np.uint8)
            places: dict[str, list] = {"blob": ["|u1", [size], _ALIGN, size]}
            offset = _ALIGN + size
            for name, values in arrays.items():
                data = memoryview(np.ascontiguousarray(values)).cast("B")
                offset = -(-offset // _ALIGN) * _ALIGN
                out.write(b"\0" * (offset - out.tell()))
                out.write(data)
                crc = zlib.crc32(data, crc)
                places[name] = [values.dtype.str, list(values.shape), offset, values.nbytes]
                offset += values.nbytes
            header = json.dumps({"format": FORMAT_VERSION, "generation": int(generation),
                                 "schema": schema, "normalize": NORMALIZE_VERSION, "rows": n, "ids_crc": _ids_crc(ids),
                                 "arrays": places, "crc32": crc}).encode()
            header_at = out.tell()
            out.write(header)
            out.seek(0)
            out.write(_HEAD.pack(_MAGIC, FORMAT_VERSION, header_at, len(header)))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        return path.stat().st_size
    finally:
        tmp.unlink(missing_ok=True)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _stored_text(text: str) -> str | bytes:
    """A row's text as the file holds it: UTF-16 (little-endian) when it has characters
    beyond ASCII, all of the BMP and no surrogate, read back by a copy (UTF-8, marshal's, is
    decoded a character at a time: ~4 µs of a 400-character Chinese row's ~9, ~25 rows a
    search); else the str itself."""
    if text.isascii():
        return text
    data = text.encode("utf-16-le", "surrogatepass")
    if len(data) != 2 * len(text) or _SURROGATE.search(text):
        return text
    return data


def _text(stored: str | bytes) -> str:
    """A row's text from what the file holds for it (:func:`_stored_text`)."""
    return stored.decode("utf-16-le") if type(stored) is bytes else stored


def _stored_norm(text: str, norm: str) -> str | tuple[bytes, str] | None:
    """What a search matches ``text`` against (``norm``: normalize(text)), as the
    :class:`~.segmented.RowReader` keeps it for a row read from SQLite: None when it is the
    text itself; else, when fewer than half its characters change (traditional text: ~5 %),
    the changes — the places (uint32, little-endian) and their characters —, a second copy of
    the text read and decoded for nothing; else the normalised text."""
    if len(norm) != len(text):   # offsets stay aligned with the text (rare: NFKC expansions)
        norm = normalize_aligned(text)
    if norm == text:
        return None
    places = [i for i, (a, b) in enumerate(zip(text, norm)) if a != b]
    if 2 * len(places) >= len(text):
        return norm
    return (np.array(places, dtype="<u4").tobytes(), "".join(norm[i] for i in places))


def _patched(text: str, norm: str | tuple[bytes, str] | None) -> str:
    """The normalised text of a row from what the file holds for it (:func:`_stored_norm`)."""
    if norm is None:
        return text
    if isinstance(norm, str):
        return norm
    places, chars = norm
    parts, last = [], 0
    for at, char in zip(np.frombuffer(places, dtype="<u4").tolist(), chars):
        parts += (text[last:at], char)
        last = at + 1
    parts.append(text[last:])
    return "".join(parts)


def _head_or_none(title: str, section: tuple[str, ...], question: str) -> str | None:
    """The heading text a search matches (:func:`~.segments.heads_text`); None when it is the
    plain heading text (nothing normalised)."""
    from .segments import heads_text  # (segments writes this file)
    row = ParagraphRow(0, 0, 0, "", (), section, title, "", None, None, question=question)
    head = heads_text(row)
    return None if head == heads_text(row, _as_is) else head


def _as_is(text: str) -> str:
    return text


# the compiled reader of a search's rows (knowledge/_bm25.c; not on Windows), not one built from
# an older source (knowledge/compiled.py): it would not know this format's records
_read_rows = getattr(loops, "read_rows", None)
# (it leaves the rows it reads, kept in the row cache, untracked by the garbage collector:
# records of atomic values; untrack() does the same for rows made in Python)
_untrack = getattr(loops, "untrack", None)

_ROW_FIELDS = [getattr(ParagraphRow, f.name) for f in dataclasses.fields(ParagraphRow)]
_ROW_SLOTS = [field.__set__ for field in _ROW_FIELDS]


def _paragraph_row(*values) -> ParagraphRow:
    """``ParagraphRow(*values)``, every field given, without the frozen dataclass's
    ``__init__`` (an ``object.__setattr__`` per field: ~3 µs of a row's ~19 at 100k)."""
    row = object.__new__(ParagraphRow)
    for put, value in zip(_ROW_SLOTS, values):
        put(row, value)
    return row


def load_row_file(path: str | Path, *, ids: np.ndarray, docs: np.ndarray, generation: int,
                  schema: int) -> RowFile | None:
    """The row file at ``path`` if it was written for the base segment of these ``ids`` (and
    ``docs``: each row's document) and ``generation`` (and the database's ``schema``) and is
    whole; else None (logged unless it is simply missing): its rows are then read from SQLite."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as err:
        log.warning("row file %s: %s", path, err)
        return None
    try:
        data = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        view = memoryview(data)
        magic, version, header_at, size = _HEAD.unpack_from(view, 0)
        if magic != _MAGIC or version != FORMAT_VERSION:
            raise ValueError("not a row file of this version")
        header = json.loads(bytes(view[header_at:header_at + size]))
        if header["schema"] != schema or header["generation"] != generation or \
                header["rows"] != int(ids.size) or header["ids_crc"] != _ids_crc(ids):
            raise ValueError("written for another index")
        if header.get("normalize") != NORMALIZE_VERSION:
            raise ValueError("normalised by another version of normalize")
        arrays: dict[str, np.ndarray] = {}
        for name, (dtype, shape, offset, nbytes) in header["arrays"].items():
            if offset + nbytes > header_at:
                raise ValueError("truncated")
            arrays[name] = np.frombuffer(view[offset:offset + nbytes],
                                         dtype=np.dtype(dtype)).reshape(shape)
        if file_crc32(fd, [(o, n) for _, _, o, n in header["arrays"].values()]) != header["crc32"]:
            raise ValueError("damaged (checksum mismatch)")
    except (OSError, struct.error, KeyError, TypeError, ValueError) as err:
        os.close(fd)
        log.warning("row file %s not used: %s", path, err)
        return None
    blob_at = header["arrays"]["blob"][2]
    del arrays["blob"]
    return RowFile(arrays, ids, docs, fd, blob_at)


class RowFile:
    """The paragraphs of one base segment's rows, read from the file on demand."""

    def __init__(self, arrays: dict[str, np.ndarray], ids: np.ndarray, docs: np.ndarray,
                 fd: int, blob_at: int) -> None:
        self._arrays = arrays    # (keeps the views, and so the mapping, alive)
        self._ids, self._docs_of_rows = ids, docs
        # The rows are read with pread, not through a mapping: the kernel maps the pages
        # around each page touched (fault-around), so a mapped blob of texts became resident
        # in the process (PSS) nearly whole after a few hundred searches.
        self._fd, self._blob_at = fd, blob_at
        weakref.finalize(self, os.close, fd)
        self._row_ptr = memoryview(arrays["row_ptr"]).cast("B").cast("q")
        self._span_ptr = memoryview(arrays["span_ptr"]).cast("B").cast("q")
        self._spans = arrays["spans"]
        # Python ints through memoryviews: a numpy slice and its tolist(), and int() of numpy
        # scalars, cost ~5 µs of a row's ~22 (a search reads ~22 rows)
        self._spans_int32 = np.ascontiguousarray(self._spans, dtype=np.int32)
        self._span_list = memoryview(self._spans_int32).cast("B").cast("i")
        self._ids_int64, self._docs_int64 = (np.ascontiguousarray(a, dtype=np.int64)
                                             for a in (ids, docs))
        self._id_of, self._doc_of = (memoryview(a).cast("B").cast("q")
                                     for a in (self._ids_int64, self._docs_int64))
        self._tables = {name: (arrays[f"{name}_blob"].data,
                               memoryview(arrays[f"{name}_offsets"]).cast("B").cast("q"), {})
                        for name in ("docs", "paths", "heads")}
        self.size = int(arrays["row_ptr"].size) - 1

    def __len__(self) -> int:
        return self.size

    def _record(self, name: str, i: int):
        blob, offsets, cache = self._tables[name]
        found = cache.get(i)
        if found is None:
            if len(cache) > 20_000:
                cache.clear()
            found = cache[i] = marshal.loads(blob[offsets[i]:offsets[i + 1]])
        return found

    def row(self, at: int) -> ParagraphRow:
        """Row ``at``'s paragraph."""
        return self.entry(at)[0]

    def entry(self, at: int) -> tuple[ParagraphRow, str, str]:
        """Row ``at``'s paragraph, its normalised text and its heading text (what a search
        matches: :class:`~.segmented.RowReader` computes the same for a row from SQLite)."""
        ptr = self._row_ptr
        start = ptr[at]
        flat = iter(self._span_list[self._span_ptr[at]:self._span_ptr[at + 1]].tolist())
        return self._entry(at, marshal.loads(os.pread(self._fd, ptr[at + 1] - start,
                                                      self._blob_at + start)),
                           tuple(zip(flat, flat)))

    def entries(self, ats: list[int]) -> list[tuple[ParagraphRow, str, str]]:
        """``[self.entry(at) for at in ats]``: a search's rows, read and made in one compiled
        call when ``knowledge._bm25`` is built (the same rows, texts and headings)."""
        if _read_rows is None:
            return [self.entry(at) for at in ats]
        tables = self._tables
        return _read_rows(self._fd, self._blob_at, self._arrays["row_ptr"],
                          self._arrays["span_ptr"], self._spans_int32, ats, self._ids_int64,
                          self._docs_int64, ParagraphRow, _ROW_FIELDS, tables["docs"],
                          tables["paths"], tables["heads"])

    def _entry(self, at: int, record: tuple, sentences: tuple
               ) -> tuple[ParagraphRow, str, str]:
        number, kind, ocr, text, question, ref, doc, path, norm, head = record
        text = _text(text)
        tables = self._tables
        found = tables["docs"][2].get(doc)
        title, source, source_id, url = self._record("docs", doc) if found is None else found
        section = tables["paths"][2].get(path)
        if section is None:
            section = self._record("paths", path)
        row = _paragraph_row(self._id_of[at], self._doc_of[at], number, text, sentences,
                             section, title, source, source_id, url, kind, ocr, question, ref)
        heading = tables["heads"][2].get(head)
        if heading is None:
            heading = self._heading(row, head)
        return row, _patched(text, norm), heading

    def _heading(self, row: ParagraphRow, head: int) -> str:
        """Row ``row``'s heading text, from table record ``head`` (None: the plain heading
        text, nothing normalised), kept for the rows that share it."""
        if (heading := self._record("heads", head)) is None:
            from .segments import heads_text  # (segments writes this file)
            heading = heads_text(row, _as_is)
        self._tables["heads"][2][head] = heading
        return heading
