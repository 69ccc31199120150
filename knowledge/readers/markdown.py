"""Markdown (.md, .markdown) through markdown-it-py (CommonMark, plus pipe tables).

Headings (ATX and setext) keep their levels; list items become ``list_item`` blocks with the
number a renderer shows (``1.``, ``2.`` from the list's start); pipe tables become table rows
with the header row (an empty header row, as pandoc writes for Word tables without one, takes the
first row); code blocks are kept as text; HTML tags and comments are stripped. The title is the
YAML front matter's ``title``, else the first ``#`` heading, else the file name. An FAQ's
``问：``/``答：`` paragraphs or question headings become question/answer pairs (:mod:`.faq`).
"""

from __future__ import annotations

import re

from ..blocks import (
    Block,
    ReadInfo,
    SourceDocument,
    clean,
    decode,
    document,
    heading,
    join_lines,
    list_item,
    paragraph,
    stem,
    table_row,
)
from .faq import pair_blocks

_MD_YAML_LINE_RE = re.compile(r"^(?:\s|-|#|[\w\- ]+:)")
_MD_FRONT_TITLE_RE = re.compile(r"^title\s*:\s*(.*?)\s*$", re.IGNORECASE)
_HTML_RE = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>", re.DOTALL)
_CAPTION_RE = re.compile(r"^(?:附)?表\s*[0-9０-９一二三四五六七八九十]+")
_PARSER = None


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


def _parser():
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt  # only when a markdown file arrives

        _PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return _PARSER


def _inline(token) -> str:
    """The text a reader sees: markup, links' targets, images and inline HTML left out."""
    parts = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return join_lines("".join(parts).split("\n"))


class _Reader:
    """Walk markdown-it's token stream and collect blocks."""

    def __init__(self, info: ReadInfo) -> None:
        self.info = info
        self.blocks: list[Block] = []
        self.lists: list[list] = []  # per open list: [ordered, next number, marker]
        self.item: list[str] | None = None  # paragraphs of the list item being read
        self.tables = 0

    def read(self, tokens) -> list[Block]:
        index = 0
        while index < len(tokens):
            index = self.token(tokens, index)
        return self.blocks

    def token(self, tokens, index: int) -> int:
        token = tokens[index]
        kind = token.type
        if kind == "heading_open":
            text = _inline(tokens[index + 1])
            if text:
                self.blocks.append(heading(text, int(token.tag[1])))
            return index + 3
        if kind == "inline":  # a paragraph's text
            text = _inline(token)
            if self.item is not None:
                self.item.append(text)
            elif text:
                self.blocks.append(paragraph(text))
        elif kind in ("bullet_list_open", "ordered_list_open"):
            self.end_item()
            start = int(token.attrGet("start") or 1) if kind == "ordered_list_open" else 0
            self.lists.append([kind == "ordered_list_open", start, token.markup])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.end_item()
            self.lists.pop()
        elif kind == "list_item_open":
            self.end_item()
            self.item = []
        elif kind == "list_item_close":
            self.end_item()
        elif kind in ("fence", "code_block"):
            lines = [clean(line) for line in token.content.split("\n")]
            self.add_text("\n".join(line for line in lines if line))
        elif kind == "html_block":
            self.add_text(join_lines(_HTML_RE.sub("", token.content).split("\n")))
        elif kind == "table_open":
            return self.table(tokens, index)
        return index + 1

    def add_text(self, text: str) -> None:
        if self.item is not None:
            self.item.append(text)
        elif text:
            self.blocks.append(paragraph(text))

    def end_item(self) -> None:
        """Emit the open item's text (before its nested list) with its rendered number."""
        if self.item is None or not self.lists:
            self.item = None
            return
        text = join_lines(part for part in self.item if part)
        self.item = None
        current = self.lists[-1]
        label = ""
        if current[0]:
            label = f"{current[1]}{current[2]}"
            current[1] += 1
        if text:
            self.blocks.append(list_item(label, text, len(self.lists) - 1))
            self.info.numbered += bool(label)

    def table(self, tokens, index: int) -> int:
        rows: list[list[str]] = []
        head_rows = 0
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                rows.append([])
            elif token.type == "inline" and rows:
                rows[-1].append(_inline(token))
            elif token.type == "thead_close":
                head_rows = len(rows)
            index += 1
        while rows and not any(rows[0]):  # pandoc's empty header row for a Word table
            rows.pop(0)
            head_rows = max(head_rows - 1, 0)
        if not rows:
            return index + 1
        headers = rows.pop(0)  # GFM tables always have a header row
        self.tables += 1
        last = self.blocks[-1] if self.blocks else None
        name = (last.text if last and last.kind == "paragraph" and len(last.text) <= 40
                and _CAPTION_RE.match(last.text) else f"表{self.tables}")
        for number, cells in enumerate((r for r in rows if any(r)), 1):
            self.blocks.append(table_row(headers, cells, table=name, row=number))
        return index + 1


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    info.reader = "markdown-it-py"
    front_title, body = _split_front_matter(decode(data))
    blocks = _Reader(info).read(_parser().parse(body))
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = front_title or h1 or stem(name)
    return [document(title, pair_blocks(blocks, title), name, "md")]
