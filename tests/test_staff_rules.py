"""Staff questions on an office's rules (issue 16, branch rules12), through the CLI on
tests/fixtures/staff12 (our own 资料室管理办法 in statute style): a staff noun said with 员 is
the rules' X人员 (保管员 → 保管人员); a place said after a noun (库房里) is the noun's, no topic
word; a verb said with the passive 被 (被查) is no typo of a word the rules say (备查); and a few
everyday words for the rules' terms (外包 → 委托, 跟原件一样 → 同等的效力); and question talk
one paragraph of a large knowledge base says in passing (直接) is still talk."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answered_looking_for, answers_of, articles, asked, ingested, units

DOCS = Path(__file__).parent / "fixtures" / "staff12"

QUESTIONS = ("保管员能把钥匙交给别人吗？", "库房里的资料多久清点一次？", "资料被查出来少了怎么办？",
             "整理资料能外包吗，有什么要求？", "资料室给的复印件跟原件一样管用吗？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_a_staff_noun_with_yuan_is_the_rules_x_renyuan(answers) -> None:
    answered_looking_for(answers["保管员能把钥匙交给别人吗？"], "第八条", "保管人员")


def test_a_place_after_a_noun_is_no_topic_word(answers) -> None:
    answer = answers["库房里的资料多久清点一次？"]
    assert "里" not in units(answer)
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第十条"


def test_a_passive_bei_is_no_typo_of_the_rules_words(answers) -> None:
    answer = answers["资料被查出来少了怎么办？"]
    expansions = answer["explain"]["query"]["expansions"]
    assert not any("备查" in alts for alts in expansions.values()), expansions


def test_everyday_words_for_the_rules_terms(answers) -> None:
    answered_looking_for(answers["整理资料能外包吗，有什么要求？"], "第十一条", "委托")
    answered_looking_for(answers["资料室给的复印件跟原件一样管用吗？"], "第十二条", "同等的效力")


def test_talk_one_paragraph_of_many_says_is_still_talk(tmp_path: Path) -> None:
    # the fixture, its 第十条 saying 直接 once, among a thousand register lines (TALK_PASSING)
    rule = (DOCS / "资料室管理办法.txt").read_text(encoding="utf-8").replace(
        "清点结果报办公室备案", "清点结果直接报办公室备案")
    shelves = "\n".join(f"库房第{n}号货架存放第{n}批办公用品，由办公室登记。" for n in range(1, 1001))
    db = ingested(tmp_path, "资料室管理办法.txt", f"{rule}\n第六章 货架登记\n{shelves}\n")
    answer = asked(db, ["报纸能不能直接拿走？"])["报纸能不能直接拿走？"]
    assert "直接" not in units(answer)
    assert answer["status"] == "answer"
    assert articles(answer)[0] == "第四条"
