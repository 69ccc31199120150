"""HTML pages (.html, .htm): headings, paragraphs and table rows from the markup."""

from __future__ import annotations

from html.parser import HTMLParser
from ..blocks import (Block, ReadInfo, SourceDocument, clean, decode, document, heading,
                      join_lines, paragraph, stem)

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
        self._level = 0
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
            self._level = _HTML_HEADINGS[tag]
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
            self._level = 0
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
        elif self._level:
            self._buf.append(" ")
        else:
            self._flush()

    def _flush(self) -> None:
        raw = "".join(self._buf)
        self._buf = []
        if self._pre:
            text = "\n".join(line for line in map(clean, raw.split("\n")) if line)
        else:
            text = join_lines(raw.split("\n"))
        if text:
            block = heading(text, self._level) if self._level else paragraph(text)
            self.blocks.append(block)

    def _end_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(join_lines("".join(self._cell).split("\n")))
        self._cell = None

    def _end_row(self) -> None:
        self._end_cell()
        if self._row:
            text = " | ".join(cell for cell in self._row if cell)
            if text:
                self.blocks.append(paragraph(text))
        self._row = None


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    parser = _HtmlExtractor()
    parser.feed(decode(data))
    parser.close()
    blocks = parser.blocks
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), None)
    title = clean("".join(parser.title_parts)) or h1 or stem(name)
    return [document(title, blocks, name, "html")]
