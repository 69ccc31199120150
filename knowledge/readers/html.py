"""Web pages (.html, .htm): the page's main text as a person reads it, without the site around it.

The stdlib parser builds a small tree; site chrome is dropped by what it is (nav/form/script,
class or id names such as ``nav``/``crumb``/``footer``/``share``/``related``, link-dense menus) and
by the words of footers and toolbars (当前位置, 分享到, ICP备, 主办单位, 打印本页...), never a
subtree holding most of the page's text, so plain short pages read in full. Headings keep their
levels, ``<ol>``/``<ul>`` items become list items with their rendered numbers, data tables become
table rows (spanned headers and values repeated over the cells they cover). The title is the
page's ``ArticleTitle`` meta, else its first ``<h1>``, else ``<title>`` without the site's suffix.
"""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

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

DROPPED = "web page menu/footer lines"
_BR = "\u2028"  # a <br> in running text (source newlines are only wrapping)
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "iframe", "object", "form",
                   "select", "button", "input", "textarea", "nav", "head"})
_HEAD_CONTENT = frozenset({"title", "meta", "link", "base", "style", "script", "noscript",
                           "template"})
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
_BLOCKS = frozenset({"p", "div", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "section",
                     "article", "header", "footer", "main", "aside", "figure", "figcaption", "hr",
                     "address", "fieldset", "caption", "details", "summary", "body", "html",
                     "center", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "pre", "h1",
                     "h2", "h3", "h4", "h5", "h6"})
# An open <p>/<li>/<td>/<tr> is closed by these, as browsers do with unclosed tags.
_CLOSES = {"p": _BLOCKS - {"caption", "td", "th", "tr", "thead", "tbody", "tfoot"},
           "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "option": {"option"},
           "td": {"td", "th", "tr"}, "th": {"td", "th", "tr"}, "tr": {"tr"}}
_CHROME_NAME = re.compile(r"(?:^|[-_\s])(?:nav|navbar|menu|crumbs?|breadcrumbs?|foot|footer|bottom|"
                          r"copyright|share|related|sidebar|toolbar|tools|top-?bar|search|"
                          r"position|location)(?=$|[-_\s\d])", re.IGNORECASE)
_CHROME_TEXT = re.compile(
    r"^(?:当前位置|您现在的位置|您的位置|所在位置)|分享到|ICP备|公网安备|网站标识码|"
    r"^(?:主办|承办|协办)单位|版权所有|Copyright|©|技术支持[:：]|打印本页|关闭本页|关闭窗口|"
    r"【打印】|【关闭】|\[打印|字号[:：]|浏览次数|阅读次数|点击数[:：]|^联系我们|网站地图|"
    r"^相关(?:文件|链接|阅读|新闻)|建议使用.{0,20}(?:浏览器|分辨率)|分辨率浏览", re.IGNORECASE)
_CHROME_MAX = 120  # a longer paragraph is content even if it says 版权所有
_CAPTION = re.compile(r"^(?:附)?表\s*[0-9０-９一二三四五六七八九十]+")
_TITLE_SEP = re.compile(r"\s*(?:[_|｜]|\s[-–—]\s|——)\s*")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.IGNORECASE)


class Node:
    __slots__ = ("_size", "attrs", "children", "tag")

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs = tag, attrs
        self.children: list[Node | str] = []
        self._size = -1

    def size(self) -> int:
        """Visible characters (not whitespace) in this subtree."""
        if self._size < 0:
            self._size = sum(len("".join(c.split())) if isinstance(c, str) else c.size()
                             for c in self.children)
        return self._size

    def find(self, tags: frozenset[str] | set[str]) -> bool:
        return any(isinstance(c, Node) and (c.tag in tags or c.find(tags)) for c in self.children)

    def links(self) -> tuple[int, int]:
        """(number of links, characters inside links)."""
        count = chars = 0
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == "a" and child.attrs.get("href") is not None:
                    count, chars = count + 1, chars + child.size()
                else:
                    sub = child.links()
                    count, chars = count + sub[0], chars + sub[1]
        return count, chars


class _TreeBuilder(HTMLParser):
    """Tolerant tree: void tags, unclosed <p>/<li>/<td>, stray end tags, an unclosed <head>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]
        self.title: list[str] = []
        self.meta: dict[str, str] = {}
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and values.get("name"):
            self.meta[values["name"].lower()] = values.get("content", "")
        if self.stack[-1].tag == "head" and tag not in _HEAD_CONTENT:
            self.stack.pop()  # <body> or body content ends an unclosed <head>
        if tag == "title":
            self._in_title = not self.title
        for index in range(len(self.stack) - 1, 0, -1):
            open_tag = self.stack[index].tag
            if tag in _CLOSES.get(open_tag, ()):
                del self.stack[index:]
                break
            if open_tag in ("table", "ul", "ol") or open_tag in _BLOCKS and tag not in _BLOCKS:
                break
        node = Node(tag, values)
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title.append(data)
        else:
            self.stack[-1].children.append(data)


class _Emitter:
    """Walk the tree, dropping chrome, and collect blocks."""

    def __init__(self, info: ReadInfo, page_size: int) -> None:
        self.info, self.page_size = info, page_size
        self.blocks: list[Block] = []
        self.tables = 0
        self._inline: list[str] = []
        self._level = 0

    # -- flow -------------------------------------------------------------

    def walk(self, node: Node) -> None:
        for child in node.children:
            if isinstance(child, str):
                self._inline.append(child)
            elif not self._chrome(child):
                self.element(child)

    def element(self, node: Node) -> None:
        tag = node.tag
        if tag == "br":
            self._inline.append(_BR)
        elif tag in _HEADINGS:
            self.flush()
            self._level = _HEADINGS[tag]
            self.walk(node)
            self.flush()
            self._level = 0
        elif tag in ("ul", "ol"):
            self.flush()
            self.list(node, 0)
        elif tag == "table":
            self.flush()
            self.table(node)
        elif tag == "pre":
            self.flush()
            text = "\n".join(filter(None, map(clean, _text(node, keep_lines=True).split("\n"))))
            if text:
                self.blocks.append(paragraph(text))
        elif tag in _BLOCKS:
            self.flush()
            self.walk(node)
            self.flush()
        else:
            self.walk(node)

    def flush(self) -> None:
        raw, self._inline = "".join(self._inline), []
        if self._level:
            text = join_lines(raw.replace(_BR, "\n").split("\n"))
            if text:
                self.blocks.append(heading(text, self._level))
            return
        for line in raw.split(_BR):  # <br> ends a paragraph line; source newlines do not
            text = join_lines(line.split("\n"))
            if text and _CHROME_TEXT.search(text) and len(text) <= _CHROME_MAX:
                self.info.drop(DROPPED)
            elif text:
                self.blocks.append(paragraph(text))

    def _chrome(self, node: Node) -> bool:
        """Drop a subtree that is site chrome (counting its lines), unless it is most of the page."""
        if node.tag in _SKIP:
            if node.tag == "nav":
                self._count_dropped(node)
            return True
        if node.size() * 2 >= self.page_size or node.tag in _HEADINGS:
            return False
        names = f"{node.attrs.get('class', '')} {node.attrs.get('id', '')}"
        links, link_chars = node.links()
        if _CHROME_NAME.search(names) or (links >= 3 and link_chars * 2 >= node.size()):
            self._count_dropped(node)
            return True
        return False

    def _count_dropped(self, node: Node) -> None:
        scratch = _Emitter(ReadInfo(), 0)
        scratch.element(node)
        scratch.flush()
        self.info.drop(DROPPED, max(1, len(scratch.blocks)))

    # -- lists --------------------------------------------------------------

    def list(self, node: Node, level: int) -> None:
        number = _int(node.attrs.get("start"), 1)
        style = node.attrs.get("type", "") or _css_list_style(node.attrs.get("style", ""))
        for child in node.children:
            if not isinstance(child, Node) or child.tag != "li" or self._chrome(child):
                continue
            number = _int(child.attrs.get("value"), number)
            label = _ol_label(number, style) if node.tag == "ol" else ""
            nested = [c for c in child.children if isinstance(c, Node) and c.tag in ("ul", "ol")]
            own = Node("li", {})
            own.children = [c for c in child.children if not any(c is n for n in nested)]
            text = join_lines(_text(own).split("\n"))
            if text:
                self.blocks.append(list_item(label, text, level))
                if label:
                    self.info.numbered += 1
            for sub in nested:
                self.list(sub, level + 1)
            number += 1

    # -- tables -------------------------------------------------------------

    def table(self, node: Node) -> None:
        rows = _rows(node)
        width = max((sum(_int(c.attrs.get("colspan"), 1) for c in r) for r in rows), default=0)
        if (len(rows) < 2 or width < 2 or node.attrs.get("role") == "presentation"
                or any(c.find({"table", "ul", "ol", "form", *_HEADINGS}) for r in rows for c in r)):
            for row in rows:  # a layout table: its cells are ordinary page flow
                for cell in row:
                    if not self._chrome(cell):
                        self.walk(cell)
                        self.flush()
            return
        grid, is_head = _grid(rows)
        caption = self._caption(node)
        self.tables += 1
        name = caption or f"表{self.tables}"
        heads = sum(1 for r in node.children if isinstance(r, Node) and r.tag == "thead"
                    for _ in _rows(r))
        if not heads:
            heads = next((i for i, flags in enumerate(is_head) if not all(flags)), len(grid))
        heads = heads or 1
        if heads >= len(grid):
            heads = 1
        headers = [_join_header([grid[r][c] for r in range(heads)]) for c in range(width)]
        number = 0
        for cells in grid[heads:]:
            if not any(cells):
                continue
            if len(set(cells)) == 1:  # one cell spanning the row: a sub-heading inside the table
                self.blocks.append(paragraph(cells[0]))
                continue
            number += 1
            self.blocks.append(table_row(headers, cells, table=name, row=number))

    def _caption(self, node: Node) -> str:
        for child in node.children:
            if isinstance(child, Node) and child.tag == "caption":
                text = join_lines(_text(child).split("\n"))
                if text:
                    self.blocks.append(paragraph(text))
                    return text
        last = self.blocks[-1] if self.blocks else None
        if last and last.kind == "paragraph" and len(last.text) <= 40 \
                and _CAPTION.match(last.text):
            return last.text
        return ""


def _text(node: Node, keep_lines: bool = False) -> str:
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif child.tag == "br":
            parts.append("\n")
        elif child.tag not in _SKIP:
            inner = _text(child, keep_lines)
            parts.append(f"\n{inner}\n" if child.tag in _BLOCKS and not keep_lines else inner)
    return "".join(parts)


def _rows(table: Node) -> list[list[Node]]:
    rows: list[list[Node]] = []
    for child in table.children:
        if isinstance(child, Node) and child.tag == "tr":
            rows.append([c for c in child.children if isinstance(c, Node) and c.tag in ("td", "th")])
        elif isinstance(child, Node) and child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(_rows(child))
    return [r for r in rows if r]


def _grid(rows: list[list[Node]]) -> tuple[list[list[str]], list[list[bool]]]:
    """Cell texts laid out on a grid: a colspan/rowspan cell fills every slot it covers."""
    grid: list[list[str]] = []
    is_head: list[list[bool]] = []
    pending: dict[tuple[int, int], tuple[str, bool]] = {}
    for r, row in enumerate(rows):
        texts: list[str] = []
        heads: list[bool] = []
        cells = iter(row)
        while True:
            if (r, len(texts)) in pending:
                text, head = pending.pop((r, len(texts)))
                texts.append(text)
                heads.append(head)
                continue
            cell = next(cells, None)
            if cell is None:
                break
            text = join_lines(_text(cell).split("\n"))
            span, down = _int(cell.attrs.get("colspan"), 1), _int(cell.attrs.get("rowspan"), 1)
            for c in range(len(texts), len(texts) + min(span, 100)):
                for below in range(1, min(down, 1000)):
                    pending[(r + below, c)] = (text, cell.tag == "th")
            texts.extend([text] * min(span, 100))
            heads.extend([cell.tag == "th"] * min(span, 100))
        grid.append(texts)
        is_head.append(heads)
    width = max(map(len, grid), default=0)
    return ([row + [""] * (width - len(row)) for row in grid],
            [flags + [False] * (width - len(flags)) for flags in is_head])


def _join_header(parts: list[str]) -> str:
    """Header rows of one column, spans repeated once: 住宿费标准/一般人员."""
    kept: list[str] = []
    for part in parts:
        if part and part not in kept:
            kept.append(part)
    return "/".join(kept)


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _css_list_style(style: str) -> str:
    found = re.search(r"list-style(?:-type)?\s*:\s*([a-z-]+)", style)
    return found.group(1) if found else ""


_CJK_DIGITS = "零一二三四五六七八九"


def _cjk_number(n: int) -> str:
    if n < 10:
        return _CJK_DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return f"{'' if tens == 1 else _CJK_DIGITS[tens]}十{_CJK_DIGITS[ones] if ones else ''}"
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _ol_label(n: int, style: str) -> str:
    """The number a browser shows for item ``n`` of an ``<ol type=…>`` or list-style-type."""
    if style in ("a", "A", "lower-alpha", "upper-alpha", "lower-latin", "upper-latin") and n > 0:
        letter = chr(ord("a") + (n - 1) % 26)
        return f"{letter.upper() if style[0] in 'Au' else letter}."
    if style in ("i", "I", "lower-roman", "upper-roman") and n > 0:
        roman = _roman(n)
        return f"{roman.upper() if style[0] in 'Iu' else roman}."
    if style in ("cjk-ideographic", "simp-chinese-informal", "cjk-decimal") and n >= 0:
        return f"{_cjk_number(n)}、"
    return f"{n}."


def _decode(data: bytes) -> str:
    """The page's declared charset if it is not UTF-8/GB (those decode() tries itself)."""
    found = _CHARSET.search(data[:4096])
    if found:
        try:
            name = codecs.lookup(found.group(1).decode("ascii")).name
        except LookupError:
            name = ""
        if name and name not in ("utf-8", "gb2312", "gbk", "gb18030", "utf-16"):
            try:
                return data.decode(name).replace("\r\n", "\n")
            except UnicodeDecodeError:
                pass
    return decode(data)


def _site_title(title: str) -> str:
    """``关于…的通知_部门文件_中国政府网`` → ``关于…的通知``."""
    parts = [p for p in _TITLE_SEP.split(title) if p]
    return parts[0] if parts else title


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    info.reader = "html.parser"
    builder = _TreeBuilder()
    builder.feed(_decode(data))
    builder.close()
    root = builder.root
    emitter = _Emitter(info, root.size())
    emitter.walk(root)
    emitter.flush()
    blocks = emitter.blocks
    h1 = next((b.text for b in blocks if b.kind == "heading" and b.level == 1), "")
    title = (clean(builder.meta.get("articletitle", "")) or h1
             or _site_title(clean("".join(builder.title))) or stem(name))
    # A title shown as a bold line (old pages without <h1>) heads the document.
    for index, block in enumerate(blocks[:3]):
        if block.kind == "paragraph" and block.text == title:
            blocks[index] = heading(title, 1)
            break
    return [document(title, blocks, name, "html")]
