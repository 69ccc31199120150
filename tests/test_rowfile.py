"""The base segment's paragraphs in a file beside the index (knowledge.rowfile): a search reads its
candidates from there instead of SQLite, and answers exactly as before; its rows' normalised
texts and heading texts are the ones a search computes for a row from SQLite; a missing file is
not used (SQLite is), a damaged, stale or older-format one is not read but written again, and
rows added since the base are read from SQLite."""

from __future__ import annotations

import dataclasses
import gc
import logging
import marshal
import os
import random
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from test_segments import damage_file

from knowledge import KnowledgeBase, rowfile
from knowledge.normalize import normalize
from knowledge.rowfile import FORMAT_VERSION, row_file_path
from knowledge.segments import heads_text, index_path

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ["怎样为基层减负", "政绩观", "干部选拔任用", "年轻干部的培养", "党员教育管理",
             "基层党组织建设", "人才工作", "第三条", "整治形式主义", "领导班子", "天气怎么样",
             "組織部長會議", "考核评价", "严管厚爱", "年假", "报销 差旅费", "年度考核報告何時提交"]
FAQ = "问：年假怎么申请？\n答：在OA系统提交年假申请，部门负责人审批。\n\n问：差旅费怎么报销？\n答：出差回来后五个工作日内凭发票报销。\n"


def answers(kb: KnowledgeBase) -> list:
    """Everything a user or ``--explain`` sees of each question's answer."""
    out = []
    for question in QUESTIONS:
        for answer in (kb.search(question, k=5), kb.search(question, k=8, explain=True)):
            out.append((question, answer.status, [dataclasses.asdict(h) for h in answer.hits],
                        [dataclasses.asdict(h) for h in answer.see_also], answer.explain))
    return out


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The seed document, an FAQ file and 20 channel posts; index and row files written."""
    folder = tmp_path_factory.mktemp("rowfile")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    (folder / "seeds" / "常见问题.txt").write_text(FAQ, encoding="utf-8")
    db = folder / "base.db"
    with KnowledgeBase(db) as kb:
        kb.ingest([folder / "seeds"])
        sentences = kb.search("政绩观").hits[0].excerpt.split("。")
        rng = random.Random(3)
        for n in range(20):
            kb.add_post(chat_id=-100, message_id=n, url=None,
                        text=f"通知{n}\n" + "。".join(rng.sample(sentences, 2)) + "。")
        kb.add_post(chat_id=-100, message_id=20, url=None,   # traditional Chinese
                    text="人事處通知\n本單位職工應於每年十二月底前提交年度考核報告。")
        kb.add_post(chat_id=-100, message_id=21, url=None,   # ASCII only
                    text="Canteen notice\nThe canteen opens at 7 am on weekdays.")
        kb.add_post(chat_id=-100, message_id=22, url=None,   # a character beyond the BMP
                    text="𠮷野通知\n𠮷野食堂每天中午供应职工午餐。")
    # one base of everything (the posts were deltas): what a merge writes, with its row file
    subprocess.run([sys.executable, "-m", "knowledge.indexbuild", str(db)], check=True,
                   cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert index_path(db).exists() and row_file_path(db).exists()
    return db


def copy(base: Path, target: Path, *, rows: bool = True) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, target)
    shutil.copy(index_path(base), index_path(target))
    if rows:
        shutil.copy(row_file_path(base), row_file_path(target))
    return target


@pytest.fixture(scope="module")
def from_sqlite(base, tmp_path_factory) -> list:
    """The answers with the paragraphs read from SQLite (no row file)."""
    db = copy(base, tmp_path_factory.mktemp("sqlite") / "kb.db", rows=False)
    with KnowledgeBase(db) as kb:
        assert kb.searcher.snapshot.rowfile is None
        return answers(kb)


def test_answers_from_the_row_file_equal_answers_from_sqlite(base, from_sqlite, tmp_path):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        assert kb.searcher.snapshot.rowfile is not None
        got = answers(kb)
        assert len(kb.searcher) == len(kb.searcher.snapshot.rowfile)
    assert got == from_sqlite
    assert any(hit["kind"] == "faq" for _, _, hits, _, _ in got for hit in hits)


def test_the_file_gives_each_rows_normalised_text_and_heading_text(base, tmp_path):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        rowfile = kb.searcher.snapshot.rowfile
        assert rowfile is not None
        entries = [rowfile.entry(at) for at in range(len(rowfile))]
        compiled = rowfile.entries(list(range(len(rowfile))))    # (_bm25 when built)
        records = [marshal.loads(os.pread(rowfile._fd, rowfile._row_ptr[at + 1] -
                                          rowfile._row_ptr[at],
                                          rowfile._blob_at + rowfile._row_ptr[at]))
                   for at in range(len(rowfile))]
        answer = kb.search("年度考核報告何時提交")
    for (row, norm, head), (_, compiled_norm, _) in zip(entries, compiled):
        assert norm == compiled_norm == normalize(row.text)
        assert head == heads_text(row)
    traditional = [(row, norm, record) for (row, norm, _), record in zip(entries, records)
                   if "報告" in row.text]
    assert len(traditional) == 1 and "报告" in traditional[0][1]
    # the file holds the characters normalising changes, not a second copy of the text
    assert isinstance(traditional[0][2][8], tuple)
    # a row already in normalised form: the file holds nothing for it, the text is used
    assert any(norm is row.text for row, norm, _ in entries)
    assert answer.hits and answer.hits[0].citation.document == "人事處通知"


def test_texts_beyond_ascii_are_held_as_utf16_and_read_back_as_stored(base, tmp_path):
    """Format 4: a text with characters beyond ASCII is held as UTF-16 (read back by a copy,
    not decoded from UTF-8); an ASCII text, or one with a character beyond the BMP, as the
    text. The compiled and the Python reader give the paragraphs SQLite holds."""
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        rf = kb.searcher.snapshot.rowfile
        rows = range(len(rf))
        python = [rf.entry(at)[0] for at in rows]
        compiled = [row for row, _, _ in rf.entries(list(rows))]    # (_bm25 when built)
        stored = kb.store.paragraphs([row.paragraph_id for row in python])
        records = [marshal.loads(os.pread(rf._fd, rf._row_ptr[at + 1] - rf._row_ptr[at],
                                          rf._blob_at + rf._row_ptr[at])) for at in rows]
    assert python == compiled == [stored[row.paragraph_id] for row in python]
    held = {row.text: record[3] for row, record in zip(python, records)}
    kinds = {("ascii" if text.isascii() else "beyond the BMP" if max(text) > "\uffff"
              else "BMP"): type(value) for text, value in held.items()}
    assert kinds == {"ascii": str, "BMP": bytes, "beyond the BMP": str}
    # a surrogate (no SQLite text has one) would stay a str too: UTF-16 would pair it
    for text in ("a\ud83d\ude00b", "中\udc80文", "中文"):
        assert rowfile._text(rowfile._stored_text(text)) == text


@pytest.mark.skipif(rowfile._untrack is None, reason="knowledge._bm25 is not built")
@pytest.mark.parametrize("rows", [True, False], ids=["row file", "SQLite"])
def test_a_searchs_cached_rows_are_not_tracked_by_the_garbage_collector(base, tmp_path, rows):
    """The rows a search read (from the file, or from SQLite) stay cached for hundreds of
    searches: records of atomic values, untracked, so that no collection traverses them (a
    generation-0 collection traversed ~4000 of their objects at 100k, ~0.5 ms)."""
    db = copy(base, tmp_path / "kb.db", rows=rows)
    with KnowledgeBase(db) as kb:
        assert (kb.searcher.snapshot.rowfile is not None) == rows
        answer = kb.search("年度考核報告何時提交")
        cached = list(kb.searcher.snapshot.reader._cache.values())
    assert answer.hits and len(cached) >= len(answer.hits)
    for entry in cached:
        row = entry[0]
        assert not any(gc.is_tracked(o) for o in (entry, row, row.sentences, row.section,
                                                   *row.sentences))
    # a record that holds a container is left tracked: it could be part of a cycle
    held, plain = ([], "a"), tuple(["a", str(len(cached))])
    rowfile._untrack([held, plain])
    assert gc.is_tracked(held) and not gc.is_tracked(plain)


@pytest.mark.parametrize("older", ["format", "normalize"])
def test_an_older_row_file_is_written_again_not_read(base, from_sqlite, tmp_path, caplog,
                                                     older, monkeypatch):
    """An older format, or texts normalised by another version of normalize."""
    db = copy(base, tmp_path / "kb.db")
    path = row_file_path(db)
    if older == "format":
        data = bytearray(path.read_bytes())
        struct.pack_into("<I", data, 8, FORMAT_VERSION - 1)   # the head's format version
        path.write_bytes(bytes(data))
    else:
        monkeypatch.setattr(rowfile, "NORMALIZE_VERSION", rowfile.NORMALIZE_VERSION + 1)
    with caplog.at_level(logging.WARNING, logger="knowledge.rowfile"), KnowledgeBase(db) as kb:
        assert kb.searcher.snapshot.rowfile is not None
        assert any("row file written again" in e for e in kb._index.events)
        assert answers(kb) == from_sqlite
    assert any(("of this version" if older == "format" else "another version of normalize")
               in r.getMessage() for r in caplog.records)
    assert struct.unpack_from("<I", path.read_bytes(), 8)[0] == FORMAT_VERSION


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "other base"])
def test_a_damaged_or_stale_row_file_is_written_again(base, from_sqlite, tmp_path, damage,
                                                      caplog):
    db = copy(base, tmp_path / "kb.db")
    path = row_file_path(db)
    if not damage_file(path, damage):   # "other base": another knowledge base's file
        other = tmp_path / "other" / "kb.db"
        other.parent.mkdir()
        shutil.copytree(ROOT / "seeds", other.parent / "seeds")
        with KnowledgeBase(other) as kb:
            kb.ingest([other.parent / "seeds"])
        subprocess.run([sys.executable, "-m", "knowledge.indexbuild", str(other)], check=True,
                       cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
        shutil.copy(row_file_path(other), path)
    with caplog.at_level(logging.WARNING, logger="knowledge.rowfile"), KnowledgeBase(db) as kb:
        assert kb.searcher.snapshot.rowfile is not None
        assert any("row file written again" in e for e in kb._index.events)
        assert answers(kb) == from_sqlite
    assert any("row file" in r.getMessage() for r in caplog.records)


def test_rows_added_after_the_base_are_read_from_sqlite(base, tmp_path):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        kb._index.merge_fraction = 1e9      # the post stays a delta beside the base
        before = kb.search("政绩观")
        kb.add_post(chat_id=-100, message_id=99, url=None,
                    text="食堂通知\n职工食堂自下周一起早餐供应时间调整为七点至八点半。")
        answer = kb.search("食堂早餐几点供应")
        assert kb.searcher.snapshot.deltas() == 1
        assert kb.searcher.snapshot.rowfile is not None
        assert answer.hits and "七点至八点半" in answer.hits[0].excerpt
        assert answer.hits[0].citation.document == "食堂通知"
        again = kb.search("政绩观")
        assert [dataclasses.asdict(h) for h in again.hits] == \
            [dataclasses.asdict(h) for h in before.hits]
