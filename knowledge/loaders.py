"""Turn staff documents (txt, md, docx, pdf, html, jsonl) into plain data.

Every loader produces :class:`SourceDocument` objects made of :class:`Block`
items (headings and paragraphs with cleaned, markup-free text).  Nothing here
knows about Telegram: files come from disk (:func:`load_path`) or as raw
bytes from an upload (:func:`load_bytes`).

Every problem with a file -- unsupported type, too big, empty, undecodable,
corrupt, a zip bomb, a scanned PDF without text -- is reported as
:class:`LoadError` with a short human-readable reason, never as another
exception type.
"""

from __future__ import annotations

import codecs
import html
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: python-docx and pypdf cost ~20 MB in every process
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from pypdf import PdfReader

__all__ = [
    "Block",
    "SourceDocument",
    "LoadError",
    "SUPPORTED_SUFFIXES",
    "MAX_FILE_BYTES",
    "MAX_DOCX_UNPACKED_BYTES",
    "iter_files",
    "decode_text",
    "load_path",
    "load_bytes",
    "load_path_with_warnings",
    "load_bytes_with_warnings",
]


# --------------------------------------------------------------------------
# Public types and constants
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One heading or paragraph of cleaned text."""

    kind: str  # "heading" or "paragraph"
    text: str
    level: int = 0  # heading level from markup; 0 for paragraphs or unknown


@dataclass(frozen=True)
class SourceDocument:
    """A loaded document: a title and its blocks, plus where it came from."""

    title: str
    blocks: tuple[Block, ...]
    source: str  # file name (basename)
    source_id: str | None  # jsonl "id" as str, else None
    kind: str  # "txt", "md", "docx", "pdf", "html", "jsonl"


class LoadError(Exception):
    """A file that cannot be loaded, with ``.path`` and a short ``.reason``."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path.name}: {reason}")

    def __reduce__(self) -> tuple[type[LoadError], tuple[Path, str]]:
        return (type(self), (self.path, self.reason))


SUPPORTED_SUFFIXES = frozenset(
    {".txt", ".md", ".markdown", ".docx", ".pdf", ".html", ".htm", ".jsonl"}
)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_DOCX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_DOCX_MEMBER_RATIO = 200  # uncompressed/compressed, for members over 1 MB

_KIND_BY_SUFFIX = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".pdf": "pdf",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
}
_MB = 1024 * 1024


class _Unloadable(Exception):
    """Internal: raised by format parsers; becomes LoadError with the path."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------

# Zero-width characters, BOMs, soft hyphen and C0/C1 controls (except the
# whitespace ones, which split() handles) are deleted outright.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff\x7f" + "".join(
    chr(c) for c in [*range(0x20), *range(0x80, 0xA0)] if not chr(c).isspace()
)
_INVISIBLE_RE = re.compile(f"[{re.escape(_INVISIBLE)}]")
_CJK_RE = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]")
_SENTENCE_END = tuple("。！？.!?；;")
_PDF_SENTENCE_END = tuple("。！？：；.!?:;")


def _clean(text: str) -> str:
    """Drop invisible characters, collapse all whitespace (incl. U+3000, NBSP)."""
    return " ".join(_INVISIBLE_RE.sub("", text).split())


def _is_cjk(char: str) -> bool:
    return bool(_CJK_RE.match(char))


def _join_lines(lines: Iterable[str]) -> str:
    """Join wrapped lines: no space next to CJK text or after a hyphen."""
    parts: list[str] = []
    for raw in lines:
        line = _clean(raw)
        if not line:
            continue
        if parts:
            prev = parts[-1][-1]
            if not (_is_cjk(prev) or _is_cjk(line[0]) or prev == "-"):
                parts.append(" ")
        parts.append(line)
    return "".join(parts)


def _paragraph(text: str) -> Block:
    return Block("paragraph", text)


def _heading(text: str, level: int) -> Block:
    return Block("heading", text, level)


def decode_text(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030.

    Line endings are normalised to ``\\n``.  Raises ValueError when no
    encoding decodes the data cleanly (or it holds NUL bytes, i.e. binary).
    """
    text = _try_decode(data)
    if text is None:
        raise ValueError("not valid UTF-8 or GB18030 text")
    if "\x00" in text:
        raise ValueError("contains NUL bytes (binary data, not text)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _try_decode(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        attempts = [(data[len(codecs.BOM_UTF8) :], "utf-8")]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        attempts = [(data, "utf-16")]
    else:
        attempts = [(data, "utf-8"), (data, "gb18030")]
    for payload, encoding in attempts:
        try:
            return payload.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _decode(data: bytes) -> str:
    try:
        text = decode_text(data)
    except ValueError as exc:
        raise _Unloadable(str(exc)) from None
    if not _clean(text):
        raise _Unloadable("empty file")
    return text


def _format_size(size: int, *, decimals: bool) -> str:
    if size >= _MB:
        value, unit = size / _MB, "MB"
    elif size >= 1024:
        value, unit = size / 1024, "KB"
    else:
        return f"{size} bytes"
    return f"{value:.1f} {unit}" if decimals else f"{value:g} {unit}"


def _too_big(size: int, limit: int) -> str:
    return (
        f"file is {_format_size(size, decimals=True)}; "
        f"the limit is {_format_size(limit, decimals=False)}"
    )


# --------------------------------------------------------------------------
# Finding files
# --------------------------------------------------------------------------


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Yield files to load: given files as-is, folders walked recursively.

    Folder walks are sorted by name, yield only supported suffixes and skip
    hidden entries (".name") and Office lock files ("~$name").
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


# --------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------


def load_path(path: str | Path, *, max_bytes: int = MAX_FILE_BYTES) -> list[SourceDocument]:
    """Load one file from disk; raise LoadError for any problem with it."""
    return load_path_with_warnings(path, max_bytes=max_bytes)[0]


def load_bytes(
    data: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES
) -> list[SourceDocument]:
    """Load uploaded content; ``filename`` only picks the format and source."""
    return load_bytes_with_warnings(data, filename, max_bytes=max_bytes)[0]


def load_path_with_warnings(
    path: str | Path, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[list[SourceDocument], list[str]]:
    """Like load_path, also returning non-fatal problems (e.g. bad jsonl lines)."""
    path = Path(path)
    _kind_for(path, path.name)
    data = _read_file(path, max_bytes)
    return _load(data, path, max_bytes)


def load_bytes_with_warnings(
    data: bytes, filename: str, *, max_bytes: int = MAX_FILE_BYTES
) -> tuple[list[SourceDocument], list[str]]:
    """Like load_bytes, also returning non-fatal problems."""
    name = PurePosixPath(str(filename).replace("\\", "/")).name
    return _load(bytes(data), Path(name or "upload"), max_bytes)


def _kind_for(path: Path, name: str) -> str:
    kind = _KIND_BY_SUFFIX.get(Path(name).suffix.lower())
    if kind is None:
        suffix = Path(name).suffix or "(none)"
        raise LoadError(path, f"unsupported file type {suffix}")
    return kind


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


def _load(data: bytes, path: Path, max_bytes: int) -> tuple[list[SourceDocument], list[str]]:
    kind = _kind_for(path, path.name)
    if len(data) > max_bytes:
        raise LoadError(path, _too_big(len(data), max_bytes))
    if not data.strip():
        raise LoadError(path, "empty file")
    warnings: list[str] = []
    try:
        docs = _PARSERS[kind](data, path.name, warnings)
    except _Unloadable as exc:
        raise LoadError(path, exc.reason) from None
    except Exception as exc:  # safety net: a bad file must never crash callers
        raise LoadError(path, f"could not be read ({type(exc).__name__}: {exc})") from None
    return docs, warnings


def _document(
    title: str, blocks: Iterable[Block], name: str, kind: str, source_id: str | None = None
) -> SourceDocument:
    blocks = tuple(blocks)
    if not blocks:
        raise _Unloadable("no readable text found")
    return SourceDocument(title, blocks, name, source_id, kind)


def _stem(name: str) -> str:
    return Path(name).stem or name


# --------------------------------------------------------------------------
# txt
# --------------------------------------------------------------------------


def _parse_txt(data: bytes, name: str, warnings: list[str]) -> list[SourceDocument]:
    lines = [line for line in map(_clean, _decode(data).split("\n")) if line]
    title = _stem(name)
    first = lines[0]
    if len(lines) > 1 and len(first) <= 40 and not first.endswith(_SENTENCE_END):
        title, lines = first, lines[1:]
    return [_document(title, map(_paragraph, lines), name, "txt")]


# --------------------------------------------------------------------------
# markdown
# --------------------------------------------------------------------------

_MD_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_MD_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$|(?=[^\x00-\x7f]))(.*?)(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_MD_BREAK_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_MD_QUOTE_RE = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_MD_BULLET_RE = re.compile(r"^\s*[-*+][ \t]+(.*)$")
_MD_ORDERED_RE = re.compile(r"^\s*(\d{1,9}[.)])[ \t]+(.*)$")
_MD_REFDEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(?:[A-Za-z][\w+.-]*:|/|#|\.|www\.)")
_MD_TABLE_SEP_RE = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_MD_YAML_LINE_RE = re.compile(r"^(?:\s|-|#|[\w\- ]+:)")
_MD_FRONT_TITLE_RE = re.compile(r"^title\s*:\s*(.*?)\s*$", re.IGNORECASE)

_MD_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_MD_CODE_RE = re.compile(r"(`+)(.+?)\1", re.DOTALL)
_MD_INLINE_SUBS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])"), ""),  # images
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # [text](url)
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),  # [text][ref]
    (re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>"), r"\1"),  # autolinks
    (re.compile(r"<!--.*?-->", re.DOTALL), ""),  # html comments
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),  # html tags
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", re.DOTALL), r"\2"),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~", re.DOTALL), r"\1"),
    (re.compile(r"\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*"), r"\1"),
    (re.compile(r"(?<![A-Za-z0-9_])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![A-Za-z0-9_])"), r"\1"),
)
_ESCAPE_BASE = 0xE000  # escaped ASCII punctuation parks in the private-use area


def _md_inline(text: str) -> str:
    """Strip inline markdown (emphasis, links, images, code, html) from text."""
    text = _MD_ESCAPE_RE.sub(lambda m: chr(_ESCAPE_BASE + ord(m.group(1))), text)
    pieces = _MD_CODE_RE.split(text)  # [text, ticks, code, text, ticks, code, ...]
    out: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 3 == 0:
            for pattern, repl in _MD_INLINE_SUBS:
                piece = pattern.sub(repl, piece)
            out.append(html.unescape(piece))
        elif index % 3 == 2:
            out.append(piece)
    text = "".join(out)
    return re.sub("[\ue000-\ue07f]", lambda m: chr(ord(m.group()) - _ESCAPE_BASE), text)


def _split_front_matter(text: str) -> tuple[str | None, str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return None, text
    if not all(_MD_YAML_LINE_RE.match(line) for line in lines[1:end] if line.strip()):
        return None, text
    title = None
    for line in lines[1:end]:
        match = _MD_FRONT_TITLE_RE.match(line)
        if match:
            title = _clean(match.group(1).strip("'\"")) or None
            break
    return title, "\n".join(lines[end + 1 :])


def _md_table_row(line: str) -> str | None:
    stripped = line.strip()
    if _MD_TABLE_SEP_RE.match(stripped):
        return None
    cells = re.split(r"(?<!\\)\|", stripped.strip("|"))
    texts = [_clean(_md_inline(cell)) for cell in cells]
    return " | ".join(text for text in texts if text) or None


class _MarkdownParser:
    """Line-based markdown reader producing heading and paragraph blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._para: list[str] = []
        self._para_is_item = False
        self._fence: str | None = None
        self._code: list[str] = []

    def parse(self, text: str) -> list[Block]:
        for line in text.split("\n"):
            self._line(line)
        self._flush()
        self._flush_code()
        return self.blocks

    def _line(self, line: str) -> None:
        if self._fence is not None:
            self._code_line(line)
            return
        fence = _MD_FENCE_RE.match(line)
        if fence:
            self._flush()
            self._fence = fence.group(1)
            return
        line = _MD_QUOTE_RE.sub("", line, count=1)
        if not line.strip():
            self._flush()
        elif not self._structure(line):
            self._para.append(line)

    def _structure(self, line: str) -> bool:
        """Handle a line that is headings/breaks/lists/tables; False if plain."""
        setext = _MD_SETEXT_RE.match(line)
        if setext and self._para and not self._para_is_item:
            text = _join_lines(_md_inline("\n".join(self._para)).split("\n"))
            self._para = []
            if text:
                self.blocks.append(_heading(text, 1 if setext.group(1)[0] == "=" else 2))
            return True
        if _MD_BREAK_RE.match(line) or _MD_REFDEF_RE.match(line):
            self._flush()
            return True
        atx = _MD_ATX_RE.match(line)
        if atx:
            self._flush()
            text = _clean(_md_inline(atx.group(2)))
            if text:
                self.blocks.append(_heading(text, len(atx.group(1))))
            return True
        if line.lstrip().startswith("|"):
            self._flush()
            row = _md_table_row(line)
            if row:
                self.blocks.append(_paragraph(row))
            return True
        return self._list_item(line)

    def _list_item(self, line: str) -> bool:
        bullet = _MD_BULLET_RE.match(line)
        if bullet:
            text = bullet.group(1)  # "- " / "* " / "+ " markers carry no meaning
        elif ordered := _MD_ORDERED_RE.match(line):
            text = f"{ordered.group(1)} {ordered.group(2)}"  # keep "1." numbering
        else:
            return False
        self._flush()
        self._para = [text]
        self._para_is_item = True
        return True

    def _code_line(self, line: str) -> None:
        assert self._fence is not None
        closing = line.strip()
        if closing.startswith(self._fence) and set(closing) == {self._fence[0]}:
            self._flush_code()
        else:
            self._code.append(line)

    def _flush(self) -> None:
        if self._para:
            text = _join_lines(_md_inline("\n".join(self._para)).split("\n"))
            if text:
                self.blocks.append(_paragraph(text))
        self._para = []
        self._para_is_item = False

    def _flush_code(self) -> None:
        lines = [_clean(line) for line in self._code]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(_paragraph(text))
        self._code = []
        self._fence = None


def _parse_md(data: bytes, name: str, warnings: list[str]) -> list[SourceDocument]:
    front_title, body = _split_front_matter(_decode(data))
    blocks = _MarkdownParser().parse(body)
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = front_title or h1 or _stem(name)
    return [_document(title, blocks, name, "md")]


# --------------------------------------------------------------------------
# html
# --------------------------------------------------------------------------

_HTML_SKIP = frozenset({"script", "style", "nav", "head", "noscript", "template", "svg", "iframe"})
_HTML_HEAD_CONTENT = frozenset(
    {"title", "meta", "link", "base", "style", "script", "noscript", "template"}
)
_HTML_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_HTML_BLOCKS = frozenset(
    """p div li ul ol dl dt dd blockquote section article header footer main
    aside figure figcaption hr address form fieldset caption details summary
    body html center table thead tbody tfoot""".split()
)


class _HtmlExtractor(HTMLParser):
    """Collect heading/paragraph blocks and the <title> from HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.title_parts: list[str] = []
        self._title_done = False
        self._in_title = False
        self._skip: list[str] = []
        self._buf: list[str] = []
        self._heading = 0
        self._pre = 0
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    # -- parser callbacks -------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip[-1:] == ["head"] and tag not in _HTML_HEAD_CONTENT:
            self._skip.pop()  # <body> or body content ends an unclosed <head>
        if tag == "title":
            self._in_title = not self._title_done and all(t == "head" for t in self._skip)
        elif tag in _HTML_SKIP:
            self._skip.append(tag)
        elif not self._skip:
            self._open(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._title_done = self._title_done or self._in_title
            self._in_title = False
        elif tag in _HTML_SKIP:
            if tag in self._skip:
                del self._skip[len(self._skip) - 1 - self._skip[::-1].index(tag) :]
        elif not self._skip:
            self._close(tag)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title_parts.append(data)
        elif self._skip:
            return
        elif self._cell is not None:
            self._cell.append(data)
        elif self._row is not None and data.strip():
            self._cell = [data]
        else:
            self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._end_row()
        self._flush()

    # -- structure --------------------------------------------------------

    def _open(self, tag: str) -> None:
        if tag in _HTML_HEADINGS:
            self._flush()
            self._heading = _HTML_HEADINGS[tag]
        elif tag == "tr":
            self._flush()
            self._end_row()
            self._row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self._row is None:
                self._row = []
            self._cell = []
        elif tag == "br":
            self._line_break()
        elif tag == "pre":
            self._flush()
            self._pre += 1
        elif tag in _HTML_BLOCKS:
            self._block_edge(tag)

    def _close(self, tag: str) -> None:
        if tag in _HTML_HEADINGS:
            self._flush()
            self._heading = 0
        elif tag in ("td", "th"):
            self._end_cell()
        elif tag in ("tr", "table"):
            self._end_row()
        elif tag == "pre":
            self._flush()
            self._pre = max(0, self._pre - 1)
        elif tag in _HTML_BLOCKS:
            self._block_edge(tag)

    def _block_edge(self, tag: str) -> None:
        if self._cell is not None:
            self._cell.append(" ")
        else:
            if tag == "table":
                self._end_row()
            self._flush()

    def _line_break(self) -> None:
        if self._cell is not None:
            self._cell.append(" ")
        elif self._pre:
            self._buf.append("\n")
        elif self._heading:
            self._buf.append(" ")
        else:
            self._flush()

    def _flush(self) -> None:
        raw = "".join(self._buf)
        self._buf = []
        if self._pre:
            text = "\n".join(line for line in map(_clean, raw.split("\n")) if line)
        else:
            text = _join_lines(raw.split("\n"))
        if text:
            block = _heading(text, self._heading) if self._heading else _paragraph(text)
            self.blocks.append(block)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(_join_lines("".join(self._cell).split("\n")))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row:
            text = " | ".join(cell for cell in self._row if cell)
            if text:
                self.blocks.append(_paragraph(text))
        self._row = None


def _parse_html(data: bytes, name: str, warnings: list[str]) -> list[SourceDocument]:
    parser = _HtmlExtractor()
    parser.feed(_decode(data))
    parser.close()
    blocks = parser.blocks
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = _clean("".join(parser.title_parts)) or h1 or _stem(name)
    return [_document(title, blocks, name, "html")]


# --------------------------------------------------------------------------
# docx
# --------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DOCX_HEADING_RE = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_DOCX_TITLE_STYLES = frozenset({"title", "标题"})


def _check_docx_archive(data: bytes) -> None:
    """Refuse non-zips, truncated zips, zip bombs and zips that are not Word."""
    if data.startswith(_OLE_MAGIC):
        raise _Unloadable("an old .doc or password-protected Word file, not a .docx")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith(b"PK"):
            raise _Unloadable("truncated or corrupt .docx (incomplete zip archive)")
        raise _Unloadable("truncated or corrupt .docx (not a zip archive)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _Unloadable(f"truncated or corrupt .docx ({exc})") from None
    _check_docx_sizes(members)
    if not any(m.filename == "word/document.xml" for m in members):
        raise _Unloadable("not a Word document (no word/document.xml inside)")


def _check_docx_sizes(members: list[zipfile.ZipInfo]) -> None:
    total = sum(m.file_size for m in members)
    if total > MAX_DOCX_UNPACKED_BYTES:
        raise _Unloadable(
            f"unpacks to {_format_size(total, decimals=True)}; the limit is "
            f"{_format_size(MAX_DOCX_UNPACKED_BYTES, decimals=False)} (zip bomb?)"
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _MB and ratio > MAX_DOCX_MEMBER_RATIO:
            raise _Unloadable(
                f"{member.filename} is compressed {ratio:.0f}:1, which looks like a zip bomb"
            )


def _docx_style_name(paragraph: Paragraph) -> str:
    try:
        style = paragraph.style
        return (style.name or "").strip() if style is not None else ""
    except Exception:  # broken or missing style definitions
        return ""


def _docx_paragraph_block(paragraph: Paragraph) -> tuple[Block | None, bool]:
    """Return (block, is_title_style) for a python-docx Paragraph."""
    text = _join_lines(paragraph.text.split("\n"))
    if not text:
        return None, False
    style = _docx_style_name(paragraph)
    if style.lower() in _DOCX_TITLE_STYLES:
        return _heading(text, 0), True
    match = _DOCX_HEADING_RE.match(style)
    if match:
        return _heading(text, int(match.group(1))), False
    return _paragraph(text), False


def _docx_table_blocks(table: Table) -> Iterator[Block]:
    for row in table.rows:
        texts: list[str] = []
        previous = None
        for cell in row.cells:
            if previous is not None and cell._tc is previous._tc:  # merged cell
                continue
            previous = cell
            text = _join_lines(cell.text.split("\n"))
            if text:
                texts.append(text)
        if texts:
            yield _paragraph(" | ".join(texts))


def _parse_docx(data: bytes, name: str, warnings: list[str]) -> list[SourceDocument]:
    _check_docx_archive(data)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[Block] = []
        title_style_text = None
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                blocks.extend(_docx_table_blocks(item))
                continue
            block, is_title = _docx_paragraph_block(item)
            if block is not None:
                blocks.append(block)
                if is_title and title_style_text is None:
                    title_style_text = block.text
        core_title = _clean(document.core_properties.title or "")
    except _Unloadable:
        raise
    except Exception as exc:
        raise _Unloadable(f"corrupt .docx ({type(exc).__name__}: {exc})") from None
    first_heading = next((b.text for b in blocks if b.kind == "heading"), None)
    title = core_title or title_style_text or first_heading or _stem(name)
    return [_document(title, blocks, name, "docx")]


# --------------------------------------------------------------------------
# pdf
# --------------------------------------------------------------------------

_PDF_HEADING_RE = re.compile(
    r"^(?:第[一二三四五六七八九十百千零〇\d]+[章节条部分篇编]"
    r"|[一二三四五六七八九十]+、"
    r"|[（(][一二三四五六七八九十\d]+[)）]"
    r"|\d{1,2}(?:[、．]|\.(?!\d)|(?:\.\d{1,2})+)"
    r"|附件|附录|chapter\s|section\s)",
    re.IGNORECASE,
)
_PDF_PAGE_NUMBER_RE = re.compile(r"^[-–—\s]*(?:第\s*)?\d{1,3}\s*(?:页)?[-–—\s]*$|^\d+\s*/\s*\d+$")
_UNTITLED = frozenset({"untitled", "untitled document", "无标题", "unknown", "document", "title"})


def _pdf_heading_like(line: str, starts_paragraph: bool) -> bool:
    if len(line) > 40 or line.endswith(_PDF_SENTENCE_END + tuple("，,、")):
        return False
    return bool(_PDF_HEADING_RE.match(line)) or (starts_paragraph and len(line) <= 15)


def _pdf_paragraphs(lines: Iterable[str]) -> list[Block]:
    """Re-join lines wrapped by the PDF layout into paragraphs."""
    paragraphs: list[list[str]] = []
    previous: str | None = None  # None: the next line starts a paragraph
    for raw in lines:
        line = _clean(raw)
        if not line:
            previous = None
            continue
        if _PDF_PAGE_NUMBER_RE.match(line):
            continue
        starts = (
            previous is None
            or previous.endswith(_PDF_SENTENCE_END)
            or _pdf_heading_like(line, False)
        )
        if starts:
            paragraphs.append([line])
        else:
            paragraphs[-1].append(line)
        previous = None if _pdf_heading_like(line, starts) else line
    return [_paragraph(_join_lines(lines)) for lines in paragraphs]


def _pdf_title(reader: PdfReader, name: str) -> str:
    try:
        raw = reader.metadata.title if reader.metadata else None
    except Exception:
        raw = None
    title = _clean(str(raw)) if raw else ""
    title = re.sub(r"^Microsoft (?:Word|PowerPoint) - ", "", title)
    if not title or title.lower() in _UNTITLED:
        return _stem(name)
    return title


def _open_pdf(data: bytes) -> PdfReader:
    if b"%PDF-" not in data[:1024]:
        raise _Unloadable("not a PDF file (no %PDF header)")
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise _Unloadable("encrypted PDF (a password is needed)")
        len(reader.pages)
    except _Unloadable:
        raise
    except Exception as exc:
        raise _Unloadable(f"corrupt or truncated PDF: {exc}") from None
    return reader


def _pdf_lines(reader: PdfReader, warnings: list[str]) -> list[str]:
    lines: list[str] = []
    try:
        pages = list(reader.pages)
    except Exception as exc:
        raise _Unloadable(f"corrupt or truncated PDF: {exc}") from None
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:
            warnings.append(f"page {number}: text could not be extracted ({exc})")
            continue
        lines.extend(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return lines


def _parse_pdf(data: bytes, name: str, warnings: list[str]) -> list[SourceDocument]:
    reader = _open_pdf(data)
    blocks = _pdf_paragraphs(_pdf_lines(reader, warnings))
    if not blocks:
        raise _Unloadable("no text layer (scanned PDF?)")
    return [_document(_pdf_title(reader, name), blocks, name, "pdf")]


# --------------------------------------------------------------------------
# jsonl
# --------------------------------------------------------------------------


def _jsonl_record(line: str, number: int) -> tuple[dict[str, object] | None, str | None]:
    """Parse one jsonl line into (record, warning); exactly one is None."""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None, f"line {number}: not valid JSON"
    if not isinstance(record, dict):
        return None, f"line {number}: not a JSON object"
    text = record.get("text")
    if not isinstance(text, str) or not _clean(text):
        return None, f'line {number}: missing or empty "text"'
    if isinstance(record.get("id"), (dict, list, bool)):
        return None, f'line {number}: "id" must be a string or a number'
    return record, None


def _jsonl_document(record: dict[str, object], number: int, name: str) -> SourceDocument:
    raw_id = record.get("id")
    source_id = None if raw_id is None else str(raw_id)
    raw_title = record.get("title")
    title = _clean(raw_title) if isinstance(raw_title, str) else ""
    if not title:
        title = f"{_stem(name)} #{source_id if source_id is not None else f'line {number}'}"
    text = str(record["text"])
    blocks = [_paragraph(p) for p in map(_clean, text.splitlines()) if p]
    return SourceDocument(title, tuple(blocks), name, source_id, "jsonl")


def _parse_jsonl(data: bytes, name: str, warnings: list[str]) -> list[SourceDocument]:
    docs: list[SourceDocument] = []
    seen_ids: set[str] = set()
    for number, line in enumerate(_decode(data).split("\n"), start=1):
        if not line.strip():
            continue
        record, problem = _jsonl_record(line, number)
        if record is None:
            warnings.append(str(problem))
            continue
        doc = _jsonl_document(record, number, name)
        if doc.source_id is not None and doc.source_id in seen_ids:
            warnings.append(f"line {number}: duplicate id {doc.source_id}, skipped")
            continue
        if doc.source_id is not None:
            seen_ids.add(doc.source_id)
        docs.append(doc)
    if not docs:
        first = f"; first: {warnings[0]}" if warnings else ""
        raise _Unloadable(f"no valid records ({len(warnings)} bad lines{first})")
    return docs


_PARSERS: dict[str, Callable[[bytes, str, list[str]], list[SourceDocument]]] = {
    "txt": _parse_txt,
    "md": _parse_md,
    "html": _parse_html,
    "docx": _parse_docx,
    "pdf": _parse_pdf,
    "jsonl": _parse_jsonl,
}
