"""Question words → the answering article's own words (knowledge/data/translations.tsv, learned
by bench/translations.py) choose BM25 candidates: with a table given here (漏水 → 渗水), a
question about a leak from upstairs reaches the article that says 管道渗水 (and fewer of the
question's own words than the rules about the upstairs neighbours), through the public API on the fixture tests/fixtures/translations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge import KnowledgeBase, SearchConfig
from knowledge import search as search_module
from knowledge.associations import Associations

FIXTURE = Path(__file__).parent / "fixtures" / "translations"
TABLE = Path(__file__).parents[1] / "knowledge" / "data" / "translations.tsv"
QUESTION = "楼上漏水，楼下住户怎么办？"


def ask(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: Associations) -> list[str]:
    monkeypatch.setattr(search_module, "default_translations", lambda: table)
    # one candidate: BM25's best, a rule that says more of the question's own words (楼上, 楼下,
    # 住户) than the one that answers it (楼下住户, and 渗水 for 漏水)
    kb = KnowledgeBase(tmp_path / "kb.db", config=SearchConfig(candidates=1))
    kb.ingest([FIXTURE])
    answer = kb.search(QUESTION, k=1, closest=True, explain=True)
    kb.close()
    assert answer.explain["stages"]["candidates"]["expansion"] == (
        {"渗水": 1.0, "管道": 0.6} if table.table else {})
    return [hit.citation.label for hit in answer.hits]


def test_a_learned_translation_brings_the_article_in_other_words(tmp_path, monkeypatch) -> None:
    table = Associations({"漏水": (("渗水", 0.5), ("管道", 0.3))})
    assert [label.split(" › ")[2] for label in ask(tmp_path, monkeypatch, table)] == ["第七条"]


def test_without_the_translation_it_is_not_found(tmp_path, monkeypatch) -> None:
    assert [label.split(" › ")[2] for label in ask(tmp_path, monkeypatch, Associations({}))] \
        == ["第六条"]


def test_the_shipped_table_names_no_numbering_and_no_law() -> None:
    """What words mean, not which law or article is asked about."""
    targets = [line.split("\t")[1] for line in TABLE.read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")]
    assert len(targets) > 1000
    assert not [t for t in targets if re.fullmatch(r"[第一二三四五六七八九十百千零〇两0-9章节编条款分则总]+", t)]
    assert not [t for t in targets if t.endswith(("法", "条例", "解释")) and not t.endswith("违法")]
