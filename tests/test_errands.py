"""Getting things done, asked as staff ask it, on an office rule of our own (tests/fixtures/
errands, written for these tests), through the CLI: the thesaurus's block s26 (a permit 续期 is
the rule's 延续, 批下来 its 批准 / 作出决定, a fine 交不起 / 分几次交 its 暂缓 / 分期, evidence
拿出来 its 提供) and a "usually" said before what is asked (一般多久), which is no topic word."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_cli import answers_of, articles, looked_for, units

DOCS = Path(__file__).parent / "fixtures" / "errands"

QUESTIONS = ("许可证明年到期，续期要提前多久去申请？", "证照申请交上去以后，一般多久能批下来？",
             "罚款一下子交不起，能分几次交吗？", "考勤记录都在公司手上，打官司谁负责拿出来？")


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    return answers_of(tmp_path_factory, DOCS, QUESTIONS)


def test_a_permits_renewal_is_the_rules_extension(answers) -> None:
    answer = answers["许可证明年到期，续期要提前多久去申请？"]
    looked_for(answer, "延续")
    assert articles(answer)[0] == "第四条"
    assert "届满三十日前" in answer["hits"][0]["excerpt"]


def test_how_long_until_it_is_approved(answers) -> None:
    answer = answers["证照申请交上去以后，一般多久能批下来？"]
    looked_for(answer, "批准")
    looked_for(answer, "提交")
    assert "一般" not in units(answer)
    assert articles(answer)[0] == "第三条"
    assert "二十日内" in answer["hits"][0]["excerpt"]


def test_a_fine_that_cannot_be_paid_at_once(answers) -> None:
    answer = answers["罚款一下子交不起，能分几次交吗？"]
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == "第六条"
    assert "分期缴纳" in answer["hits"][0]["excerpt"]


def test_evidence_brought_out_is_evidence_provided(answers) -> None:
    answer = answers["考勤记录都在公司手上，打官司谁负责拿出来？"]
    looked_for(answer, "提供")
    assert articles(answer)[0] == "第八条"
