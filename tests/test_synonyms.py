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
from test_cli import copy_database, ingested, staffbot, staffbot_together  # noqa: E402

# Short rules in the words policies use; the questions below use the words staff use.
RULES = """员工管理规则
第一条 用人单位自用工之日起即与劳动者建立劳动关系。建立劳动关系，应当订立书面劳动合同。
第二条 职工在上下班途中，受到非本人主要责任的交通事故伤害的，应当认定为工伤。
第三条 职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；已满20年的，年休假15天。
第四条 用人单位安排劳动者延长工作时间的，应当支付不低于工资的百分之一百五十的工资报酬。
第五条 职工就餐卡遗失的，应当及时到行政处办理挂失，补办费用由本人承担。
第六条 用人单位应当按时足额缴纳社会保险费，不得拖欠。
第七条 门禁卡损坏或者遗失的，应当到物业服务中心登记，重新制卡。
"""


@pytest.fixture(scope="module")
def rules_db(tmp_path_factory) -> Path:
    """The rules ingested once. Tests that only ask and list share it; a test that adds or
    removes a synonym group works on its own copy (``own_db``)."""
    return ingested(tmp_path_factory.mktemp("synonyms"), "员工管理规则.txt", RULES)


@pytest.fixture
def own_db(rules_db, tmp_path: Path) -> Path:
    return copy_database(rules_db, tmp_path / "kb.db")


def ask(question: str, db: Path) -> dict:
    result = staffbot("ask", question, "--json", db=db, check=None)
    return json.loads(result.stdout)


EVERYDAY = [
    ("老板不跟我签合同怎么办", "第一条", "订立书面劳动合同"),
    ("年假有几天", "第三条", "年休假5天"),
    ("上班路上出车祸算工伤吗", "第二条", "上下班途中"),
    ("加班费怎么算", "第四条", "工资报酬"),
    ("公司不给交社保怎么办", "第六条", "缴纳社会保险费"),
    # jieba glues the thesaurus word 门卡 to the next character (门卡坏 / 了): it is found
    # inside the question's text and expanded to 门禁卡 all the same (not found before)
    ("门卡坏了怎么办", "第七条", "门禁卡损坏"),
]
OFF_TOPIC = "食堂几点开饭"


@pytest.fixture(scope="module")
def answers(rules_db) -> dict[str, dict]:
    """``ask --json`` of each everyday question and the off-topic one, asked at once (asking
    changes no answer)."""
    questions = [q for q, _, _ in EVERYDAY] + [OFF_TOPIC]
    results = staffbot_together(*[(["ask", q, "--json"], None) for q in questions], db=rules_db)
    return {q: json.loads(r.stdout) for q, r in zip(questions, results)}


@pytest.mark.parametrize("question, article, says", EVERYDAY)
def test_the_thesaurus_answers_everyday_words_from_formal_rules(answers, question, article,
                                                                 says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer", answer
    assert answer["hits"][0]["section"] == article
    assert says in answer["hits"][0]["excerpt"]


def test_an_off_topic_question_is_still_declined(answers) -> None:
    assert answers[OFF_TOPIC]["status"] == "not_found"


def test_an_admin_synonym_applies_to_the_next_question_and_remove_undoes_it(own_db) -> None:
    question = "饭卡遗失怎么办"
    assert ask(question, own_db)["status"] != "answer"  # 饭卡 is nowhere in the rules
    added = staffbot("synonyms", "add", "饭卡", "就餐卡", db=own_db)
    assert added.stdout.startswith("added #1: 饭卡 就餐卡")
    asked, listing = staffbot_together((["ask", question, "--json"], None),
                                       (["synonyms", "list", "--admin", "--json"], 0), db=own_db)
    answer = json.loads(asked.stdout)                      # no re-ingest in between
    assert answer["status"] == "answer" and answer["hits"][0]["section"] == "第五条", answer

    listed = json.loads(listing.stdout)
    assert [(g["id"], g["words"], g["one_way"], g["source"]) for g in listed] == \
        [(1, ["饭卡", "就餐卡"], False, "admin")]
    assert "removed 1 group" in staffbot("synonyms", "remove", "1", db=own_db).stdout
    assert ask(question, own_db)["status"] != "answer"


def test_a_one_way_group_expands_only_from_the_left(own_db) -> None:
    staffbot("synonyms", "add", "饭卡", "就餐卡", "--one-way", db=own_db)
    asked, explained, listed = staffbot_together(
        (["ask", "饭卡遗失怎么办", "--json"], None), (["ask", "就餐卡遗失", "--json", "--explain"], 0),
        (["synonyms", "list", "--admin"], 0), db=own_db)
    assert json.loads(asked.stdout)["status"] == "answer"
    assert "饭卡" not in json.dumps(json.loads(explained.stdout)["explain"]["query"]["expansions"],
                                     ensure_ascii=False)
    assert "饭卡 > 就餐卡" in listed.stdout
    # removing by word removes every admin group holding it
    assert "removed 1 group" in staffbot("synonyms", "remove", "就餐卡", db=own_db).stdout


def test_the_list_shows_the_shipped_thesaurus_too(rules_db) -> None:
    groups = json.loads(staffbot("synonyms", "list", "--json", db=rules_db).stdout)
    shipped = [g for g in groups if g["source"] == "thesaurus"]
    assert len(shipped) >= 300
    assert any(g["words"][:2] == ["老板", "用人单位"] and g["one_way"] for g in shipped)


BAD = [
    (["add", "年假"], 2, "at least two words"),
    (["add", "年假", "年假"], 2, "at least two different words"),
    (["remove", "99"], 1, "no admin synonym group 99"),
    (["remove", "年假"], 1, "shipped thesaurus"),
    (["remove"], 2, "one group id or one word"),
    (["list", "年假"], 2, "takes no words"),
]


@pytest.fixture(scope="module")
def refusals(rules_db) -> list:
    """Each bad command of ``BAD``, run at once (each is refused before it writes anything)."""
    return staffbot_together(*[(["synonyms", *args], None) for args, _, _ in BAD], db=rules_db)


@pytest.mark.parametrize("index", range(len(BAD)),
                         ids=[" ".join(args) or "-" for args, _, _ in BAD])
def test_bad_synonym_commands_get_clear_messages(refusals, index) -> None:
    _, code, message = BAD[index]
    result = refusals[index]
    assert result.returncode == code, (result.args, result.stdout, result.stderr)
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
