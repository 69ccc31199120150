"""Find files and read them with the reader for their format: bytes → :class:`SourceDocument`.

Each format has one module in :mod:`knowledge.readers` exposing ``read(data, name, info)``; this
module picks it by the file's suffix, enforces the size limits, and turns every problem into a
:class:`LoadError` with a short reason naming what is wrong (unsupported type, too big, empty,
undecodable, corrupt, a zip bomb, a scan without OCR installed), never another exception type.
:func:`read_bytes` also returns the reader's :class:`ReadInfo` (what it read and dropped) with
counts of blocks, tables and numbered list items, for the ingest report.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .blocks import (Block, LoadError, ReadInfo, SourceDocument, Unloadable, decode_text,
                     format_size)

__all__ = [
    "Block",
    "SourceDocument",
    "LoadError",
    "ReadInfo",
    "FileRead",
    "SUPPORTED_SUFFIXES",
    "MAX_FILE_BYTES",
    "READER_VERSION",
    "iter_files",
    "decode_text",
    "read_bytes",
    "load_path",
    "load_bytes",
    "load_path_with_warnings",
    "load_bytes_with_warnings",
]

MAX_FILE_BYTES = 20 * 1024 * 1024
# Bumped whenever a reader's output changes: files read by an older version are read again.
READER_VERSION = 5   # 3: FAQ sheets and 问：/答： text read as question/answer pairs
#                      4: normalised words read 答覆/瞭解/憑藉 by OpenCC's phrases (答复, 了解, 凭借)
#                      5: a numbered lead-in's list ends at a paragraph numbered at its own level
#                         or above (sections._outranks: （三） after （二）…：1.…2.… is not its item)

# suffix -> (document kind, reader module under knowledge.readers)
_READERS = {
    ".txt": ("txt", "text"),
    ".md": ("md", "markdown"),
    ".markdown": ("md", "markdown"),
    ".docx": ("docx", "docx"),
    ".pdf": ("pdf", "pdf"),
    ".html": ("html", "html"),
    ".htm": ("html", "html"),
    ".jsonl": ("jsonl", "jsonl"),
    ".xlsx": ("xlsx", "sheet"),
    ".csv": ("csv", "sheet"),
    ".doc": ("doc", "office"),
    ".wps": ("wps", "office"),
    ".rtf": ("rtf", "office"),
    ".odt": ("odt", "office"),
    ".png": ("image", "image"),
    ".jpg": ("image", "image"),
    ".jpeg": ("image", "image"),
}
SUPPORTED_SUFFIXES = frozenset(_READERS)


@dataclass(frozen=True)
class FileRead:
    """One file read: its documents and what the reader did (see :class:`ReadInfo`)."""

    documents: list[SourceDocument]
    info: ReadInfo
    blocks: int
    tables: int
    table_rows: int
    list_items: int

    @property
    def warnings(self) -> list[str]:
        """The reader's warnings, then one line per kind of dropped text."""
        dropped = [f"{count} {what} dropped" for what, count in self.info.dropped.items()]
        return [*self.info.warnings, *dropped]


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield files to load: given files as-is, folders walked recursively.

    Folder walks are sorted by name, yield only supported suffixes and skip hidden entries
    (".name") and Office lock files ("~$name").
    """
    for item in paths:
        path = Path(item)
        if path.is_dir():
            yield from _walk(path, set())
        else:
            yield path


def _walk(folder: Path, seen: set[str]) -> Iterator[Path]:
    real = os.path.realpath(folder)
    if real in seen:  # symlink loop
        return
    seen.add(real)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith((".", "~$")):
            continue
        if entry.is_dir():
            yield from _walk(entry, seen)
        elif entry.is_file() and entry.suffix.lower() in SUPPORTED_SUFFIXES:
            yield entry


# What a bot reads most often from admins' uploads, and cheap to hold (markdown-it: ~1.2 MB)
LIGHT_SUFFIXES = (".txt", ".md")


def warm_readers(suffixes: Iterable[str] = LIGHT_SUFFIXES) -> None:
    """Read a two-line file of each suffix: the reader's modules imported and its parser built
    now, not by the first upload (markdown-it's import: ~25 ms of the interpreter's time,
    taken from the questions a bot answers meanwhile)."""
    for suffix in suffixes:
        read_bytes("标题\n\n预热。\n".encode("utf-8"), f"warm{suffix}")


def read_bytes(data: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES) -> FileRead:
    """Read content named ``filename`` (only its suffix and name are used); raise LoadError."""
    name = PurePosixPath(str(filename).replace("\\", "/")).name
    path = Path(name or "upload")
    kind, module = _reader_for(path)
    data = bytes(data)
    if len(data) > max_bytes:
        raise LoadError(path, _too_big(len(data), max_bytes))
    if not data.strip():
        raise LoadError(path, "empty file")
    info = ReadInfo()
    try:
        reader = importlib.import_module(f".readers.{module}", __package__)
        documents = reader.read(data, path.name, info)
    except Unloadable as exc:
        raise LoadError(path, exc.reason) from None
    except LoadError:
        raise
    except Exception as exc:  # safety net: a bad file must never crash callers
        raise LoadError(path, f"could not be read ({type(exc).__name__}: {exc})") from None
    if not info.reader:
        info.reader = module
    blocks = [b for d in documents for b in d.blocks]
    return FileRead(documents, info, len(blocks),
                    tables=len({(b.table, d.title) for d in documents for b in d.blocks
                                if b.kind == "table_row"}),
                    table_rows=sum(b.kind == "table_row" for b in blocks),
                    list_items=sum(b.kind == "list_item" for b in blocks))


def load_path(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> list[SourceDocument]:
    """Load one file from disk; raise LoadError for any problem with it."""
    return load_path_with_warnings(path, max_bytes=max_bytes)[0]


def load_bytes(data: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES
               ) -> list[SourceDocument]:
    """Load uploaded content; ``filename`` only picks the format and source."""
    return read_bytes(data, filename, max_bytes=max_bytes).documents


def load_path_with_warnings(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES
                            ) -> tuple[list[SourceDocument], list[str]]:
    """Like load_path, also returning non-fatal problems (e.g. bad jsonl lines)."""
    path = Path(path)
    _reader_for(path)
    read = read_bytes(_read_file(path, max_bytes), path.name, max_bytes=max_bytes)
    return read.documents, read.warnings


def load_bytes_with_warnings(data: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES
                             ) -> tuple[list[SourceDocument], list[str]]:
    """Like load_bytes, also returning non-fatal problems."""
    read = read_bytes(data, filename, max_bytes=max_bytes)
    return read.documents, read.warnings


def _reader_for(path: Path) -> tuple[str, str]:
    found = _READERS.get(path.suffix.lower())
    if found is None:
        raise LoadError(path, f"unsupported file type {path.suffix or '(none)'}")
    return found


def _read_file(path: Path, max_bytes: int) -> bytes:
    try:
        if path.is_dir():
            raise LoadError(path, "is a folder, not a file")
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(path, _too_big(size, max_bytes))
        return path.read_bytes()
    except FileNotFoundError:
        raise LoadError(path, "file not found") from None
    except OSError as exc:
        raise LoadError(path, f"cannot read file ({exc.strerror or exc})") from None


def _too_big(size: int, limit: int) -> str:
    return (f"file is {format_size(size, decimals=True)}; "
            f"the limit is {format_size(limit, decimals=False)}")
