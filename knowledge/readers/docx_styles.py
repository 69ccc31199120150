"""Word styles (styles.xml): names, ``w:basedOn`` chains and the properties they carry.

A paragraph's look (bold, size, centring, indent, numbering, outline level) is set on the
paragraph or run, else by its style, the style that style is based on, and so on, else by the
document defaults; :class:`Styles` answers those look-ups for the Word reader.
"""

from __future__ import annotations

from .docx_numbering import W

__all__ = ["Styles", "on", "val"]

_FALSE = ("0", "false", "off", "none")


def val(node, tag: str) -> str | None:
    child = node.find(W + tag) if node is not None else None
    return None if child is None else child.get(W + "val")


def on(node) -> bool:
    return node is not None and node.get(W + "val", "true").lower() not in _FALSE


class Styles:
    """styles.xml: names, ``w:basedOn`` chains and the properties they carry."""

    def __init__(self, root) -> None:
        self._by_id = {}
        self.default_paragraph = ""
        self._defaults = (None, None)
        if root is None:
            return
        for style in root.iter(W + "style"):
            self._by_id[style.get(W + "styleId", "")] = style
            if style.get(W + "type") == "paragraph" and style.get(W + "default") in ("1", "true"):
                self.default_paragraph = style.get(W + "styleId", "")
        defaults = root.find(W + "docDefaults")
        if defaults is not None:
            self._defaults = (defaults.find(f"{W}pPrDefault/{W}pPr"),
                              defaults.find(f"{W}rPrDefault/{W}rPr"))

    def chain(self, style_id: str):
        seen = set()
        while style_id and style_id not in seen and style_id in self._by_id:
            seen.add(style_id)
            style = self._by_id[style_id]
            yield style
            style_id = val(style, "basedOn") or ""

    def name(self, style_id: str) -> str:
        style = self._by_id.get(style_id)
        return ((val(style, "name") or style_id) if style is not None else style_id).strip()

    def ppr(self, style_id: str, tag: str):
        """The first ``w:pPr/tag`` along the style's chain, then the document default."""
        for style in self.chain(style_id):
            found = style.find(f"{W}pPr/{W}{tag}")
            if found is not None:
                return found
        return self._defaults[0].find(W + tag) if self._defaults[0] is not None else None

    def rpr(self, style_id: str, tag: str, use_defaults: bool = True):
        for style in self.chain(style_id):
            found = style.find(f"{W}rPr/{W}{tag}")
            if found is not None:
                return found
        if use_defaults and self._defaults[1] is not None:
            return self._defaults[1].find(W + tag)
        return None

    def num_id(self, style_id: str) -> str | None:
        """The numId of a (numbering or paragraph) style, for w:numStyleLink."""
        found = self.ppr(style_id, "numPr")
        return val(found, "numId")
