"""JSON lines (.jsonl): one document per record with "text" (and "title", "id")."""

from __future__ import annotations

import json
from ..blocks import (ReadInfo, SourceDocument, Unloadable, clean, decode, paragraph, stem)

# jsonl
# --------------------------------------------------------------------------


def _jsonl_record(line: str, number: int
                  ) -> tuple[dict[str, object] | None, list[str], str | None]:
    """Parse one jsonl line into (record, its text's cleaned lines, warning); the record or
    the warning is None. (The text cleaned once: it is most of a large file's reading time.)"""
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):
        return None, [], f"line {number}: not valid JSON"
    if not isinstance(record, dict):
        return None, [], f"line {number}: not a JSON object"
    text = record.get("text")
    lines = [p for p in map(clean, text.splitlines()) if p] if isinstance(text, str) else []
    if not lines:
        return None, [], f'line {number}: missing or empty "text"'
    if isinstance(record.get("id"), (dict, list, bool)):
        return None, [], f'line {number}: "id" must be a string or a number'
    return record, lines, None


def _jsonl_document(record: dict[str, object], lines: list[str], number: int,
                    name: str) -> SourceDocument:
    raw_id = record.get("id")
    source_id = None if raw_id is None else str(raw_id)
    raw_title = record.get("title")
    title = clean(raw_title) if isinstance(raw_title, str) else ""
    if not title:
        title = f"{stem(name)} #{source_id if source_id is not None else f'line {number}'}"
    return SourceDocument(title, tuple(map(paragraph, lines)), name, source_id, "jsonl")


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    docs: list[SourceDocument] = []
    seen_ids: set[str] = set()
    for number, line in enumerate(decode(data).split("\n"), start=1):
        if not line.strip():
            continue
        record, lines, problem = _jsonl_record(line, number)
        if record is None:
            info.warn(str(problem))
            continue
        doc = _jsonl_document(record, lines, number, name)
        if doc.source_id is not None and doc.source_id in seen_ids:
            info.warn(f"line {number}: duplicate id {doc.source_id}, skipped")
            continue
        if doc.source_id is not None:
            seen_ids.add(doc.source_id)
        docs.append(doc)
    if not docs:
        first = f"; first: {info.warnings[0]}" if info.warnings else ""
        raise Unloadable(f"no valid records ({len(info.warnings)} bad lines{first})")
    return docs
