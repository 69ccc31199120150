"""Staff questions on a statute-style rule (issue 16, branch rules14), through the CLI on
tests/fixtures/rules14 (our own 场所消防与采购管理办法): asked what follows, the paragraph that says
the sanction is shown, not the one leaving it to the paragraph before (…的，依照前款规定处罚);
哪些项目, which jieba's dictionary holds as one word, asks about 项目; and everyday words for
the rule's terms (宿舍 → 居住场所 is the statutes', 一栋楼 → 同一建筑物, 英文 → 外国文字,
商场 → 人员密集场所)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answered_looking_for, answers_of, articles, looked_for

DOCS = Path(__file__).parent / "fixtures" / "rules14"

QUESTIONS = ("放杂物的仓库和宿舍在一栋楼里，会怎么处罚？", "哪些项目必须公开招标？",
             "采购记录能用英文写吗？", "商场装修用什么材料？", "消防器材多久检查一次？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_asked_what_follows_the_paragraph_saying_the_sanction_is_shown(answers) -> None:
    answer = answers["放杂物的仓库和宿舍在一栋楼里，会怎么处罚？"]
    assert articles(answer)[0] == "第八条"
    assert "二千元以上一万元以下" in answer["hits"][0]["excerpt"]


def test_a_question_word_glued_to_its_noun_leaves_the_noun_asked(answers) -> None:
    answer = answers["哪些项目必须公开招标？"]
    assert "项目" in [u["text"] for u in answer["explain"]["query"]["units"]]
    assert answer["status"] == "answer", answer["explain"]["stages"]["decide"]["held_back"]
    assert articles(answer)[0] == "第六条"


def test_everyday_words_for_the_rules_terms(answers) -> None:
    answered_looking_for(answers["采购记录能用英文写吗？"], "第七条", "外国文字")
    answer = answers["商场装修用什么材料？"]
    looked_for(answer, "人员密集场所")
    assert articles(answer)[0] == "第四条"
    assert "不燃、难燃材料" in answer["hits"][0]["excerpt"]
    looked_for(answers["放杂物的仓库和宿舍在一栋楼里，会怎么处罚？"], "同一建筑物")


def test_a_plain_frequency_question_still_answers(answers) -> None:
    answer = answers["消防器材多久检查一次？"]
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第五条"
