"""Placeholder: replaced by the office reader."""

from __future__ import annotations

from ..blocks import ReadInfo, SourceDocument, Unloadable


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    raise Unloadable("this file type is not supported yet")
