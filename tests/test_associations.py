"""Question words → heading words (knowledge/associations.py), through the CLI on a small rule in
tests/fixtures/associations: two articles say the question's words, the one filed under 相邻关系
answers a question about a neighbour (邻居 → 相邻 in knowledge/data/associations.tsv) although the
other says more of its words (院子, 树枝)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_cli import ingested_folder, staffbot

FIXTURE = Path(__file__).parent / "fixtures" / "associations"
TABLE = Path(__file__).parents[1] / "knowledge" / "data" / "associations.tsv"


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_folder(tmp_path_factory, FIXTURE)


def test_a_neighbour_question_finds_the_article_filed_under_相邻关系(rules_db) -> None:
    answer = json.loads(staffbot("ask", "邻居的树枝伸到我家院子里，可以要求他修剪吗？", "--json",
                                 "--explain", db=rules_db).stdout)
    first, second = answer["hits"][:2]
    assert first["section"].endswith("相邻关系 › 第三条")
    assert second["section"].endswith("物业服务 › 第二条")
    parts = {c["citation"]: c for c in answer["explain"]["candidates"]}
    assert parts[first["citation"]]["associated"] == 1.0
    assert parts[second["citation"]]["associated"] == 0.0
    # the other article says more of the question's own words: only the association lifts
    # (and the fuzzy part's gain from 不动产权利人, the thesaurus' word for 邻居: ``said``)
    assert parts[second["citation"]]["final"] > parts[first["citation"]]["final"] \
        - answer["explain"]["stages"]["rerank"]["weights"]["associated"] \
        - parts[first["citation"]]["said"]
    assert "相邻" in answer["explain"]["stages"]["rerank"]["associated_words"]


def test_the_table_names_no_numbering_and_no_law() -> None:
    """Heading words, not which chapter or law was asked about: no 第七章, 二分, …法."""
    targets = [line.split("\t")[1] for line in TABLE.read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")]
    assert len(targets) > 500
    assert not [t for t in targets if re.fullmatch(r"[第一二三四五六七八九十百千零〇两0-9章节编条款分则总]+", t)]
    assert not [t for t in targets if t.endswith(("法", "条例", "解释"))]
