"""Markdown (.md, .markdown): ATX/setext headings, lists, tables, front-matter title."""

from __future__ import annotations

import html
import re
from ..blocks import (Block, ReadInfo, SourceDocument, clean, decode, document, heading,
                      join_lines, paragraph, stem)

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
            title = clean(match.group(1).strip("'\"")) or None
            break
    return title, "\n".join(lines[end + 1 :])


def _md_table_row(line: str) -> str | None:
    stripped = line.strip()
    if _MD_TABLE_SEP_RE.match(stripped):
        return None
    cells = re.split(r"(?<!\\)\|", stripped.strip("|"))
    texts = [clean(_md_inline(cell)) for cell in cells]
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
            text = join_lines(_md_inline("\n".join(self._para)).split("\n"))
            self._para = []
            if text:
                self.blocks.append(heading(text, 1 if setext.group(1)[0] == "=" else 2))
            return True
        if _MD_BREAK_RE.match(line) or _MD_REFDEF_RE.match(line):
            self._flush()
            return True
        atx = _MD_ATX_RE.match(line)
        if atx:
            self._flush()
            text = clean(_md_inline(atx.group(2)))
            if text:
                self.blocks.append(heading(text, len(atx.group(1))))
            return True
        if line.lstrip().startswith("|"):
            self._flush()
            row = _md_table_row(line)
            if row:
                self.blocks.append(paragraph(row))
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
            text = join_lines(_md_inline("\n".join(self._para)).split("\n"))
            if text:
                self.blocks.append(paragraph(text))
        self._para = []
        self._para_is_item = False

    def _flush_code(self) -> None:
        lines = [clean(line) for line in self._code]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append(paragraph(text))
        self._code = []
        self._fence = None


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    front_title, body = _split_front_matter(decode(data))
    blocks = _MarkdownParser().parse(body)
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = front_title or h1 or stem(name)
    return [document(title, blocks, name, "md")]
