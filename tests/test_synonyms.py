"""Everyday words (issue 11): the shipped workplace thesaurus and admins' synonym groups.

Through the paths users take: the CLI (``staffbot ask`` / ``staffbot synonyms``) over short rule
texts written for this test in the formal wording, and the bot through the fake Bot API.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import staffbot  # noqa: E402

# Short rules in the words policies use; the questions below use the words staff use.
RULES = """员工管理规则
第一条 用人单位自用工之日起即与劳动者建立劳动关系。建立劳动关系，应当订立书面劳动合同。
第二条 职工在上下班途中，受到非本人主要责任的交通事故伤害的，应当认定为工伤。
第三条 职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；已满20年的，年休假15天。
第四条 用人单位安排劳动者延长工作时间的，应当支付不低于工资的百分之一百五十的工资报酬。
第五条 职工就餐卡遗失的，应当及时到行政处办理挂失，补办费用由本人承担。
第六条 用人单位应当按时足额缴纳社会保险费，不得拖欠。
"""


@pytest.fixture
def rules_db(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "员工管理规则.txt").write_text(RULES, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(folder), db=db)
    return db


def ask(question: str, db: Path) -> dict:
    result = staffbot("ask", question, "--json", db=db, check=None)
    return json.loads(result.stdout)


@pytest.mark.parametrize("question, article, says", [
    ("老板不跟我签合同怎么办", "第一条", "订立书面劳动合同"),
    ("年假有几天", "第三条", "年休假5天"),
    ("上班路上出车祸算工伤吗", "第二条", "上下班途中"),
    ("加班费怎么算", "第四条", "工资报酬"),
    ("公司不给交社保怎么办", "第六条", "缴纳社会保险费"),
])
def test_the_thesaurus_answers_everyday_words_from_formal_rules(rules_db, question, article,
                                                                 says) -> None:
    answer = ask(question, rules_db)
    assert answer["status"] == "answer", answer
    assert answer["hits"][0]["section"] == article
    assert says in answer["hits"][0]["excerpt"]


def test_an_off_topic_question_is_still_declined(rules_db) -> None:
    assert ask("食堂几点开饭", rules_db)["status"] == "not_found"


def test_an_admin_synonym_applies_to_the_next_question_and_remove_undoes_it(rules_db) -> None:
    question = "饭卡遗失怎么办"
    assert ask(question, rules_db)["status"] != "answer"  # 饭卡 is nowhere in the rules
    added = staffbot("synonyms", "add", "饭卡", "就餐卡", db=rules_db)
    assert added.stdout.startswith("added #1: 饭卡 就餐卡")
    answer = ask(question, rules_db)                        # no re-ingest in between
    assert answer["status"] == "answer" and answer["hits"][0]["section"] == "第五条", answer

    listed = json.loads(staffbot("synonyms", "list", "--admin", "--json", db=rules_db).stdout)
    assert [(g["id"], g["words"], g["one_way"], g["source"]) for g in listed] == \
        [(1, ["饭卡", "就餐卡"], False, "admin")]
    assert "removed 1 group" in staffbot("synonyms", "remove", "1", db=rules_db).stdout
    assert ask(question, rules_db)["status"] != "answer"


def test_a_one_way_group_expands_only_from_the_left(rules_db) -> None:
    staffbot("synonyms", "add", "饭卡", "就餐卡", "--one-way", db=rules_db)
    assert ask("饭卡遗失怎么办", rules_db)["status"] == "answer"
    explained = staffbot("ask", "就餐卡遗失", "--json", "--explain", db=rules_db).stdout
    assert "饭卡" not in json.dumps(json.loads(explained)["explain"]["query"]["expansions"],
                                     ensure_ascii=False)
    listed = staffbot("synonyms", "list", "--admin", db=rules_db).stdout
    assert "饭卡 > 就餐卡" in listed
    # removing by word removes every admin group holding it
    assert "removed 1 group" in staffbot("synonyms", "remove", "就餐卡", db=rules_db).stdout


def test_the_list_shows_the_shipped_thesaurus_too(rules_db) -> None:
    groups = json.loads(staffbot("synonyms", "list", "--json", db=rules_db).stdout)
    shipped = [g for g in groups if g["source"] == "thesaurus"]
    assert len(shipped) >= 300
    assert any(g["words"][:2] == ["老板", "用人单位"] and g["one_way"] for g in shipped)


@pytest.mark.parametrize("args, code, message", [
    (["add", "年假"], 2, "at least two words"),
    (["add", "年假", "年假"], 2, "at least two different words"),
    (["remove", "99"], 1, "no admin synonym group 99"),
    (["remove", "年假"], 1, "shipped thesaurus"),
    (["remove"], 2, "one group id or one word"),
    (["list", "年假"], 2, "takes no words"),
])
def test_bad_synonym_commands_get_clear_messages(rules_db, args, code, message) -> None:
    result = staffbot("synonyms", *args, db=rules_db, check=code)
    assert message in result.stderr


# -- the bot ---------------------------------------------------------------------------------------
@pytest.mark.asyncio(loop_scope="function")
async def test_an_admin_adds_a_synonym_in_telegram_and_the_next_question_is_answered(
        tmp_path_factory) -> None:
    from test_bot_e2e import ADMIN, ANN, ask as ask_bot, finish, replies_to, say, start_bot

    fake, bot = await start_bot(tmp_path_factory, "synonyms", STAFFBOT_ADMINS=str(ADMIN["id"]))
    try:
        update = fake.document_message(ADMIN, "rules.txt", RULES.encode())
        assert "已索引" in (await fake.wait_for_message(replies_to(update)))["text"]
        before = await ask_bot(fake, ANN, "饭卡遗失怎么办")
        assert "我不太确定" in before["text"], before["text"]   # only a suggestion

        refused = await say(fake, ANN, "/synonym 饭卡 就餐卡")
        assert "只有管理员" in refused["text"]
        usage = await say(fake, ADMIN, "/synonym 饭卡")
        assert "用法" in usage["text"]
        added = await say(fake, ADMIN, "/synonym 饭卡 就餐卡")
        assert "已添加同义词 #1" in added["text"], added["text"]
        after = await ask_bot(fake, ANN, "饭卡遗失怎么办")   # answered by the search process
        assert "我不太确定" not in after["text"] and "就餐卡" in after["text"], after["text"]
        assert "📖 员工管理规则 › 第五条" in after["text"]

        one_way = await say(fake, ADMIN, "/synonym 老板 > 东家单位")
        assert "老板 &gt; 东家单位" in one_way["text"] or "老板 > 东家单位" in one_way["text"]
        listed = await say(fake, ADMIN, "/synonyms")
        assert "饭卡 就餐卡" in listed["text"] and "内置词表" in listed["text"]
        removed = await say(fake, ADMIN, "/unsynonym 1")
        assert "已删除 1 组" in removed["text"], removed["text"]
        again = await ask_bot(fake, ANN, "饭卡遗失怎么办")
        assert again["text"] == before["text"]
        none = await say(fake, ADMIN, "/unsynonym 年假")
        assert "内置词表" in none["text"]
        fake.assert_no_errors()
    finally:
        await finish(fake, bot)
