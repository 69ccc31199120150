"""JSON lines (.jsonl): one document per record with "text" (and "title", "id")."""

from __future__ import annotations

import json
from ..blocks import (ReadInfo, SourceDocument, Unloadable, clean, decode, paragraph, stem)

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
    if not isinstance(text, str) or not clean(text):
        return None, f'line {number}: missing or empty "text"'
    if isinstance(record.get("id"), (dict, list, bool)):
        return None, f'line {number}: "id" must be a string or a number'
    return record, None


def _jsonl_document(record: dict[str, object], number: int, name: str) -> SourceDocument:
    raw_id = record.get("id")
    source_id = None if raw_id is None else str(raw_id)
    raw_title = record.get("title")
    title = clean(raw_title) if isinstance(raw_title, str) else ""
    if not title:
        title = f"{stem(name)} #{source_id if source_id is not None else f'line {number}'}"
    text = str(record["text"])
    blocks = [paragraph(p) for p in map(clean, text.splitlines()) if p]
    return SourceDocument(title, tuple(blocks), name, source_id, "jsonl")


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    docs: list[SourceDocument] = []
    seen_ids: set[str] = set()
    for number, line in enumerate(decode(data).split("\n"), start=1):
        if not line.strip():
            continue
        record, problem = _jsonl_record(line, number)
        if record is None:
            info.warn(str(problem))
            continue
        doc = _jsonl_document(record, number, name)
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
