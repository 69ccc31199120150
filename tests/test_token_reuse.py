"""Re-ingesting a changed file tokenises only its changed paragraphs (issue 12): the others keep the
words stored for them, as long as the analyzer (jieba and the words taught to it) is the same; the
result is the knowledge base a fresh ingest builds. Through ``KnowledgeBase.ingest`` and its report
(``tokenised``) and log line."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge import kb as kb_module

PARAGRAPHS = [
    "员工每年享受带薪年休假，工作满一年不满十年的，年休假五天。",
    "病假须提供二级以上医院开具的诊断证明，并经部门负责人批准。",
    "差旅费报销须在出差结束后十五日内提交，逾期不予受理。",
    "出差人员住宿费在省会城市每人每天不超过五百元，其他城市不超过三百八十元。",
    "门禁卡遗失请到保卫处补办，工本费二十元，补办期间凭工牌进出。",
    "新员工入职培训三天，内容包括规章制度、安全生产和信息保密。",
]
FAQ = "问：加班费怎么算？\n答：工作日加班按工资的百分之一百五十支付加班费。\n"
QUESTIONS = ["年休假有几天", "病假需要什么证明", "差旅费多久内报销", "住宿费标准",
             "门禁卡丢了怎么办", "入职培训几天", "加班费怎么算", "报销逾期怎么办"]


def write_rules(path: Path, paragraphs: list[str]) -> Path:
    body = "\n\n".join(paragraphs)
    path.write_text(f"# 员工手册\n\n## 制度\n\n{body}\n\n## 常见问题\n\n{FAQ}", encoding="utf-8")
    return path


def results(kb: KnowledgeBase) -> list[tuple[str, list[tuple[str, str]]]]:
    out = []
    for question in QUESTIONS:
        answer = kb.search(question, k=3)
        out.append((answer.status, [(h.citation.label, h.excerpt) for h in answer.hits]))
    return out


def stored_words(kb: KnowledgeBase) -> list[tuple[str, str]]:
    return sorted(kb.store.db.execute("SELECT text, words FROM paragraphs").fetchall())


@pytest.fixture(params=[1, 2], ids=["in-process", "worker-processes"])
def workers(request, monkeypatch) -> int:
    if request.param > 1:   # the process pool even for a small file
        monkeypatch.setattr(kb_module, "PARALLEL_MIN_CHARS", 0)
    return request.param


def test_a_changed_file_tokenises_only_its_changed_paragraph(tmp_path, workers, caplog) -> None:
    rules = write_rules(tmp_path / "rules.md", PARAGRAPHS)
    with KnowledgeBase(tmp_path / "kb.db", workers=workers) as kb:
        first = kb.ingest([rules])
        total = first.paragraphs
        assert total == len(PARAGRAPHS) + 1 and first.tokenised == total

        changed = [*PARAGRAPHS]
        changed[2] = "差旅费报销须在出差结束后三十日内提交，逾期须说明理由。"
        write_rules(rules, changed)
        with caplog.at_level(logging.INFO, logger="knowledge.kb"):
            second = kb.ingest([rules])
        assert (second.paragraphs, second.tokenised, second.removed) == (total, 1, 1)
        assert f"tokenised 1 of {total} paragraphs" in caplog.text
        reused, reused_results = stored_words(kb), results(kb)
        assert any("三十日内" in excerpt for _, hits in reused_results for _, excerpt in hits)

    with KnowledgeBase(tmp_path / "fresh.db", workers=workers) as fresh:
        assert fresh.ingest([rules]).tokenised == total
        assert stored_words(fresh) == reused
        assert results(fresh) == reused_results


def test_words_are_not_reused_once_the_analyzer_has_learnt_a_word(tmp_path) -> None:
    rules = write_rules(tmp_path / "rules.md", PARAGRAPHS)
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        total = kb.ingest([rules]).paragraphs
        # a defined term («…» / “…”) is taught to jieba: stored words may be cut otherwise now
        (tmp_path / "terms.md").write_text("# 术语\n\n本办法所称“弹性休假制”，是指员工自主安排休假。\n",
                                           encoding="utf-8")
        kb.ingest([tmp_path / "terms.md"])
        write_rules(rules, [*PARAGRAPHS[:-1], "新员工入职培训五天。"])
        assert kb.ingest([rules]).tokenised == total
        # from then on the new analyzer's words are reused again
        write_rules(rules, [*PARAGRAPHS[:-1], "新员工入职培训七天。"])
        assert kb.ingest([rules]).tokenised == 1


def test_a_reopened_knowledge_base_reuses_words(tmp_path) -> None:
    rules = write_rules(tmp_path / "rules.md", PARAGRAPHS)
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        kb.ingest([rules])
    write_rules(rules, [*PARAGRAPHS[:-1], "新员工入职培训五天。"])
    # opened again (user dictionary and stored terms taught anew): the same analyzer
    with KnowledgeBase(tmp_path / "kb.db") as reopened:
        assert reopened.ingest([rules]).tokenised == 1
        assert reopened.ingest([rules]).unchanged == 1
