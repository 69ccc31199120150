"""FAQ documents, as a user meets them: FAQ files ingested with ``staffbot ingest``, paraphrased
questions asked with ``staffbot ask --json``, pairs shown with ``staffbot show``, and a long FAQ
answer sent by the bot process through the fake Telegram server.

The fixtures in ``fixtures/faq/`` are made by ``fixtures/faq/make_faq.py`` (LibreOffice converts
the FAQ sheet's CSV to .xlsx, pandoc the markdown FAQ to .docx).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
import pytest_asyncio

sys.path.insert(0, str(Path(__file__).parent))
from botprocess import BotProcess
from fakebot import FakeTelegram, user
from test_cli import staffbot, staffbot_together

FAQ = Path(__file__).parent / "fixtures" / "faq"
SHEET = "员工常见问题"
LEAVE_ANSWER = ("累计工作满1年不满10年的，年休假5天；满10年不满20年的，年休假10天；满20年的，年休假15天。"
                "年假可以分次休，当年未休完的可顺延至次年3月31日。")
PASSWORD_ANSWER = ("登录统一身份认证平台，点击“忘记密码”，用绑定的手机号接收验证码后即可重置。\n"
                   "新密码须为8位以上，包含大小写字母和数字，每180天须更换一次。")
PRINTER_ANSWER = ("按以下步骤添加：\n1. 打开“设置”中的“打印机和扫描仪”；\n"
                  "2. 点击“添加打印机”，输入打印机编号，例如 3F-A；\n3. 安装驱动后打印一张测试页。")


def _ingested(tmp_path: Path, *names: str) -> Path:
    """A knowledge base of the named fixtures (and not the seeds)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in names:
        shutil.copy(FAQ / name, docs / name)
    db = tmp_path / "data" / "kb.db"
    staffbot("ingest", str(docs), db=db)
    return db


@pytest.fixture(scope="module")
def faq_db(tmp_path_factory) -> Path:
    """The FAQ sheet (.xlsx by LibreOffice), the IT FAQ (.docx by pandoc), the Q:/A: text and a
    policy document (第X条) side by side."""
    return _ingested(tmp_path_factory.mktemp("faq"), f"{SHEET}.xlsx", "IT服务常见问答.docx",
                     "行政服务问答.txt", "差旅费报销办法.txt")


def _ask(db: Path, *questions: str) -> list[dict]:
    """``ask --json`` of each question (at once); the exit status is 1 exactly when not found."""
    results = staffbot_together(*[(["ask", "--json", q], None) for q in questions], db=db)
    answers = [json.loads(r.stdout) for r in results]
    for result, answer in zip(results, answers):
        assert result.returncode == (answer["status"] == "not_found"), result
    return answers


def answered_with_pair(result: dict, asked: str) -> None:
    """``result`` (``ask --json``) is a confident answer whose first hit is the FAQ pair asking
    ``asked``."""
    assert result["status"] == "answer", result
    assert result["hits"][0]["kind"] == "faq" and result["hits"][0]["question"] == asked, result


def offered_first(result: dict, asked: str) -> None:
    """``result`` is an answer or suggestions whose first hit is the FAQ pair asking ``asked``."""
    assert result["status"] != "not_found", result
    assert result["hits"][0]["kind"] == "faq" and result["hits"][0]["question"] == asked, result


def declined(answers: dict[str, dict], questions) -> None:
    """None of ``questions`` got a confident answer."""
    for question in questions:
        assert answers[question]["status"] != "answer", answers[question]


def _sheet_answers(factory, sheet: str, questions: list[str]) -> tuple[Path, dict[str, dict]]:
    """A knowledge base of one FAQ sheet alone, and ``ask --json`` of each question on it."""
    db = _ingested(factory.mktemp(Path(sheet).stem), sheet)
    return db, dict(zip(questions, _ask(db, *questions)))


PARAPHRASES = [
    # paraphrases of the sheet's questions: other words, other order, colloquial
    ("一年可以休几天年假", "年假有多少天？", f"{SHEET} › 休假 › 年假有多少天？", LEAVE_ANSWER),
    ("工牌掉了怎么补", "工牌丢了去哪里补办？", f"{SHEET} › 行政 › 工牌丢了去哪里补办？", None),
    ("忘了打卡咋办", "忘记打卡怎么办？", f"{SHEET} › 考勤 › 忘记打卡怎么办？", None),
    # the docx FAQ: an answer of two paragraphs, an answer that is a lead-in and its steps
    ("邮箱密码忘记了", "邮箱密码忘了怎么重置？",
     "IT服务常见问答 › 账号与密码 › 邮箱密码忘了怎么重置？", PASSWORD_ANSWER),
    ("网络打印机如何添加", "怎么添加网络打印机？",
     "IT服务常见问答 › 设备与打印 › 怎么添加网络打印机？", PRINTER_ANSWER),
    # the Q:/A: text (no headings: the question is the whole place)
    ("快递在哪拿", "快递寄到公司以后在哪里取？", "行政服务问答 › 快递寄到公司以后在哪里取？",
     "快递统一由一楼收发室代收，收发室会发企业微信通知，请在三个工作日内凭工牌领取。"),
]


@pytest.fixture(scope="module")
def paraphrase_answers(faq_db) -> dict[str, dict]:
    """``ask --json`` of each paraphrase, asked at once (asking changes no answer)."""
    questions = [row[0] for row in PARAPHRASES]
    return dict(zip(questions, _ask(faq_db, *questions)))


@pytest.mark.parametrize("question, asked, citation, answer", PARAPHRASES)
def test_a_paraphrase_finds_its_faq_pair_and_gets_the_whole_answer(paraphrase_answers, question,
                                                                 asked, citation, answer):
    result = paraphrase_answers[question]
    assert result["status"] == "answer", result
    best = result["hits"][0]
    assert best["kind"] == "faq" and best["question"] == asked, best
    assert best["citation"] == citation and "第" not in best["citation"].rsplit("›", 1)[-1]
    if answer is not None:
        assert best["excerpt"] == answer
    assert best["highlights"], best   # the matched words are marked in the answer


def test_a_policy_next_to_faqs_answers_its_own_questions_and_off_topic_is_declined(faq_db):
    policy, offtopic, other = _ask(faq_db, "出差住宿费标准是多少", "明天北京天气怎么样",
                                   "推荐一部好看的电影")
    best = policy["hits"][0]
    assert policy["status"] == "answer" and best["kind"] == "paragraph", policy
    assert best["citation"] == "差旅费报销办法 › 第二条 › 第2段" and best["question"] == ""
    assert offtopic["status"] == "not_found" and offtopic["hits"] == []
    assert other["status"] == "not_found"


FORM_ONLY = [
    # every pair asks with 多久, 怎么办: a pair sharing only that with the question (迟到多久按
    # 旷工处理？ beside 婚假休多久) is no match, not even a suggestion beside the answer
    ("婚假休多久", "婚假可以休几天？"),
    ("产假多久", "产假和陪产假是怎么规定的？"),
    ("迟到了怎么办", "迟到多久按旷工处理？"),
]


def test_a_pair_sharing_only_the_question_form_is_not_offered(faq_db):
    for (question, asked), result in zip(FORM_ONLY, _ask(faq_db, *(q for q, _ in FORM_ONLY))):
        assert result["status"] == "answer", result
        assert [(h["kind"], h["question"]) for h in result["hits"]] == [("faq", asked)], result


def test_show_lists_the_pairs_under_their_categories(faq_db):
    text, as_json = staffbot_together((["show", SHEET], 0), (["show", "--json", "行政服务问答"], 0),
                                      db=faq_db)
    shown = text.stdout
    assert "§ 休假" in shown and "§ 入职离职" in shown
    assert f"问答 问：年假有多少天？\n      答：{LEAVE_ANSWER}" in shown
    views = json.loads(as_json.stdout)
    paragraphs = views[0]["paragraphs"]
    assert [p["question"] for p in paragraphs] == [
        "快递寄到公司以后在哪里取？", "公司班车几点发车？", "访客怎样登记进入办公区？"]
    assert {p["kind"] for p in paragraphs} == {"faq"}


def test_csv_and_markdown_read_as_the_xlsx_and_docx_made_from_them(tmp_path, faq_db):
    """The sheet's CSV and LibreOffice's .xlsx of it give the same pairs; so do the markdown
    and pandoc's .docx of it."""
    db = _ingested(tmp_path, f"{SHEET}.csv", "IT服务常见问答.md")

    def pairs(database: Path, *names: str) -> list[list[tuple]]:
        """``show --json`` of each named document (at once): its pairs."""
        views = [json.loads(r.stdout) for r in staffbot_together(
            *[(["show", "--json", name], 0) for name in names], db=database)]
        return [[(p["section"], p["question"], p["text"], p["kind"]) for p in view["paragraphs"]]
                for view, in views]

    csv, markdown = pairs(db, f"{SHEET}.csv", "IT服务常见问答.md")
    xlsx, docx = pairs(faq_db, f"{SHEET}.xlsx", "IT服务常见问答.docx")
    assert csv == xlsx
    assert len(csv) == 15
    assert markdown == docx


# -- paraphrases that share no word with their pair (issue 11) ----------------------------------

LOGISTICS = "后勤服务问答.csv"


@pytest.fixture(scope="module")
def logistics_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a small facilities FAQ sheet alone."""
    return _sheet_answers(tmp_path_factory, LOGISTICS, [q for q, _, _ in SHORTENED] + OFF_TOPIC)[1]


SHORTENED = [
    # other words for the pair's (打印纸 for 复印纸, 冷气 for 空调, 问谁要 for 找谁领): answered
    ("打印纸没了问谁要", "复印纸用完了找谁领？", True),
    ("冷气不凉了", "空调不制冷找谁处理？", True),
    # a shortened word (门卡 for 门禁卡) that jieba cuts as 门卡坏: found inside the question's
    # text, expanded to 门禁卡 and answered
    ("门卡坏了", "门禁卡刷不开门怎么办？", True),
]
OFF_TOPIC = ["天气预报准吗"]


@pytest.mark.parametrize("question, asked, answered", SHORTENED)
def test_a_paraphrase_without_the_pairs_words_still_finds_its_pair(logistics_answers, question,
                                                                   asked, answered):
    result = logistics_answers[question]
    assert result["status"] == ("answer" if answered else "suggestions"), result
    best = result["hits"][0]
    assert best["kind"] == "faq" and best["question"] == asked, best
    assert best["citation"].startswith("后勤服务问答 › ")


def test_off_topic_put_to_a_small_faq_sheet_is_declined(logistics_answers):
    for question in OFF_TOPIC:
        assert logistics_answers[question]["status"] == "not_found", logistics_answers[question]


# -- paraphrases in the thesaurus's other words (issue 11, branch faq4) --------------------------

OFFICE = "办公服务问答.csv"
IN_OTHER_WORDS = [
    # every character of the question's word differs from the pair's (线上开会 / 视频会议, 闪存盘 /
    # U盘): the synonym counts for the pair's closeness both ways (on main: a suggestion, and
    # not found)
    ("线上开会用哪个软件", "视频会议怎么发起？"),
    ("闪存盘能不能用", "U盘可以在办公电脑上用吗？"),
    # jieba cuts the pair's 打车费 as 打|车费; the question's 出租车 (a synonym of 打车) still says
    # it (on main: a suggestion)
    ("坐出租车的钱公司给报吗", "打车费可以报销吗？"),
]
NOT_ASKED = ["公司股价今天多少", "明天天气怎么样"]


@pytest.fixture(scope="module")
def office_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a small office FAQ sheet alone."""
    return _sheet_answers(tmp_path_factory, OFFICE, [q for q, _ in IN_OTHER_WORDS] + NOT_ASKED)[1]


@pytest.mark.parametrize("question, asked", IN_OTHER_WORDS)
def test_a_paraphrase_in_the_thesauruss_other_words_is_answered_with_its_pair(office_answers,
                                                                              question, asked):
    result = office_answers[question]
    answered_with_pair(result, asked)


def test_off_topic_put_to_the_office_sheet_is_declined(office_answers):
    for question in NOT_ASKED:
        assert office_answers[question]["status"] == "not_found", office_answers[question]


REIMBURSEMENT = "报销问答.csv"
RELATED = [
    # the pair's word expands to the question's (丢了 → 遗失; 招待费's group holds 请吃饭): on
    # main a suggestion each (the question's own words expand to nothing the pair says)
    ("票据遗失怎么处理", "发票丢了怎么报销？"),
    ("请客户吃饭的钱能报吗", "招待费怎么报销？"),
]


@pytest.fixture(scope="module")
def reimbursement_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a small reimbursement FAQ sheet alone."""
    return _sheet_answers(tmp_path_factory, REIMBURSEMENT, [q for q, _ in RELATED] + NOT_ASKED)[1]


@pytest.mark.parametrize("question, asked", RELATED)
def test_a_pair_whose_words_the_thesaurus_relates_to_the_questions_answers_it(
        reimbursement_answers, question, asked):
    result = reimbursement_answers[question]
    answered_with_pair(result, asked)
    # declined = not answered, as bench/faq.py counts it (公司股价今天多少 is a suggestion at p
    # 0.18 since faq10's FAQ decision: 公司 and 多少 are said by the sheet; on the nine dev
    # sheets that decision leaves 7 more off-topic questions not found than before)
    for off_topic in NOT_ASKED:
        assert reimbursement_answers[off_topic]["status"] != "answer", off_topic


# -- campus services in everyday words (issue 11, branch faq6) -----------------------------------

SERVICES = "生活服务问答.csv"
EVERYDAY = [
    # jieba cuts 坐厂|车: the thesaurus's 厂车 is found in the question's text and its expansion
    # 班车 is what the pair says (on main: not found, no pair shares two characters)
    ("坐厂车几点走", "班车几点从园区发车？"),
    # everyday names of campus services (工装 / 工作服, 卫生室 / 医务室, 餐卡 / 饭卡, 冲 / 充值):
    # on main a suggestion, a suggestion, not found
    ("工装破了能换吗", "工作服坏了可以换新的吗？"),
    ("卫生室开到几点", "医务室几点开门？"),
    ("餐卡没钱了怎么冲", "饭卡余额不足怎么充值？"),
]


@pytest.fixture(scope="module")
def services_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a small campus-services FAQ sheet alone."""
    db, answers = _sheet_answers(tmp_path_factory, SERVICES, [q for q, _ in EVERYDAY] + NOT_ASKED)
    explained = staffbot("ask", "--json", "--explain", MEASURED, db=db)
    return {**answers, MEASURED: json.loads(explained.stdout)}


# 个 between a thesaurus phrase's verb and its object (装个软件 for 装软件, jieba: 装个 / 软件)
MEASURED = "想装个软件得谁同意"


def test_a_phrase_said_with_a_measure_word_between_is_the_phrase(services_answers):
    result = services_answers[MEASURED]
    units = [u["text"] for u in result["explain"]["query"]["units"]]
    assert units == ["装软件", "同意"], units    # on main: 装个, 软件, 同意
    assert result["status"] == "answer"
    assert result["hits"][0]["question"] == "办公电脑安装软件需要审批吗？", result


@pytest.mark.parametrize("question, asked", EVERYDAY)
def test_a_paraphrase_in_everyday_service_words_is_answered_with_its_pair(services_answers,
                                                                          question, asked):
    result = services_answers[question]
    answered_with_pair(result, asked)
    assert result["hits"][0]["citation"].startswith("生活服务问答 › ")


def test_off_topic_put_to_the_services_sheet_is_declined(services_answers):
    for question in NOT_ASKED:
        assert services_answers[question]["status"] == "not_found", services_answers[question]


# -- a thing named by its kind: instances of a sheet's categories (issue 11, branch faq8) ----------

GOODS = "物品与设备问答.csv"
INSTANCES = [
    # staff name the thing (浓盐酸, 氮气, 鼠标, 硒鼓, 滴滴, 订书机), the sheet its kind (危险化学品,
    # 气瓶, 外设, 打印耗材, 市内交通费, 办公用品): the thesaurus's one-way instance > category
    # groups relate them. On main: not found, a suggestion, a suggestion, not found, a suggestion,
    # not found.
    ("要用点浓盐酸去哪拿", "危险化学品怎么领用？"),
    ("氮气快没了", "气瓶快用完了怎么更换？"),
    ("鼠标坏了去哪换", "计算机外设坏了怎么换？"),
    ("硒鼓没粉了", "打印耗材用完了找谁？"),
    ("滴滴的钱能报吗", "市内交通费怎么报销？"),
    ("订书机去哪领", "办公用品在哪里领？"),
]
# off-topic, one of them naming an instance outside any office use (硫酸 alone is no lab reagent);
# declined = not answered, as bench/faq.py counts it (新出的手机多少钱 may get the peripherals
# pair as a suggestion: 手机 > 移动设备 shares 设备 with its answer)
GOODS_OFF_TOPIC = ["新出的手机多少钱", "周末去哪钓鱼", "硫酸的分子式是什么"]


@pytest.fixture(scope="module")
def goods_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a small sheet of lab, IT, finance and office goods."""
    return _sheet_answers(tmp_path_factory, GOODS,
                          [q for q, _ in INSTANCES] + GOODS_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", INSTANCES)
def test_a_thing_named_for_its_kind_is_answered_with_the_kinds_pair(goods_answers, question,
                                                                    asked):
    result = goods_answers[question]
    answered_with_pair(result, asked)


def test_off_topic_put_to_the_goods_sheet_is_declined(goods_answers):
    declined(goods_answers, GOODS_OFF_TOPIC)


# -- a sheet of a new domain: the FAQ decision's support and form (issue 11, branch faq10) ------

RESEARCH = "科研项目问答.csv"
NEW_DOMAIN = [
    # one word of the pair's question said (资助), but its answer says more of the question's
    # characters than any other pair's (文, 发, 编号 ~ 批准号; support 0.23): on main a
    # suggestion (p 0.37)
    ("发文章的时候写哪个资助编号", "论文发表要标注哪个基金号？"),
    # answered on main too
    ("国家级的课题去哪里报", "纵向课题怎么申报？"),
    ("申请专利的费用要自己掏吗", "专利申请费谁出？"),
]
RESEARCH_OFF_TOPIC = ["诺贝尔奖奖金有多少", "附近哪里可以打羽毛球"]


@pytest.fixture(scope="module")
def research_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a research-office FAQ sheet (a domain no thesaurus
    block was written for) alone."""
    return _sheet_answers(tmp_path_factory, RESEARCH,
                          [q for q, _ in NEW_DOMAIN] + RESEARCH_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", NEW_DOMAIN)
def test_a_paraphrase_on_a_new_domains_sheet_is_answered_with_its_pair(research_answers,
                                                                       question, asked):
    answered_with_pair(research_answers[question], asked)


def test_off_topic_put_to_the_research_sheet_is_declined(research_answers):
    declined(research_answers, RESEARCH_OFF_TOPIC)


# -- a sheet of a new domain: domain-free ways of asking (issue 11, branch faq11) ---------------

LIBRARY = "图书馆服务问答.csv"
ASKED_IN_EVERYDAY_WORDS = [
    # 找不到了 → 遗失 补办 (on main not found)
    ("借书的卡找不到了咋办", "读者证遗失如何补办？"),
    # 弄破了 → 损坏, 赔 → 赔偿 (on main not found)
    ("借的书被我弄破了要赔多少", "借阅的图书损坏了怎么赔偿？"),
    # 关门 → 开放时间 (on main not found)
    ("看书的屋子几点关门", "阅览室的开放时间是什么？"),
    # answered on main too
    ("想约一下明天的自习位子", "自习座位怎么预约？"),
]
LIBRARY_OFF_TOPIC = ["世界上最大的图书馆在哪", "图书管理员一个月挣多少"]


@pytest.fixture(scope="module")
def library_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a library's FAQ sheet (a domain no thesaurus block
    was written for) alone."""
    return _sheet_answers(tmp_path_factory, LIBRARY,
                          [q for q, _ in ASKED_IN_EVERYDAY_WORDS] + LIBRARY_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", ASKED_IN_EVERYDAY_WORDS)
def test_a_request_said_in_everyday_words_is_answered_with_its_pair(library_answers, question,
                                                                    asked):
    answered_with_pair(library_answers[question], asked)


def test_off_topic_put_to_the_library_sheet_is_declined(library_answers):
    declined(library_answers, LIBRARY_OFF_TOPIC)


# -- the bot: a long FAQ answer ------------------------------------------------------------------

ADMIN = user(1001, "Admin", "zh-hans")
ANN = user(2001, "Ann", "zh-hans")
UNITS = [f"{n}. 第{n}单元：由人力资源部讲解公司制度的第{n}部分，内容包括考勤、休假、报销、信息安全和保密要求，"
         f"学员须完成该单元的线上测验并达到80分以上。" for n in range(1, 61)]
LONG_FAQ = "\n".join(["入职培训问答", "问：新员工入职培训包括哪些内容？",
                      "答：新员工入职培训共60个单元，依次为：", *UNITS,
                      "问：入职培训在哪里上课？", "答：在总部大楼5楼培训教室，每周一上午9点开课。"])


@pytest_asyncio.fixture(loop_scope="function")
async def bot(tmp_path):
    fake = FakeTelegram()
    await fake.start()
    process = BotProcess(fake, tmp_path / "bot", STAFFBOT_ADMINS=str(ADMIN["id"]))
    await process.start()
    yield fake
    code = await process.stop()
    await fake.stop()
    assert code == 0, process.log()[-5000:]


@pytest.mark.asyncio(loop_scope="function")
async def test_a_long_faq_answer_arrives_whole_split_into_messages_with_its_citation(bot):
    fake = bot
    assert len(LONG_FAQ) > 4096
    upload = fake.document_message(ADMIN, "入职培训问答.txt", LONG_FAQ.encode())
    indexed = await fake.wait_for_message(
        lambda m: m["reply_to_message_id"] == upload["message"]["message_id"], timeout=30)
    assert "已索引" in indexed["text"], indexed["text"]
    mark = fake.mark()
    fake.private_message(ANN, "入职培训都要学些什么内容")
    last = await fake.wait_for_message(lambda m: "入职培训问答 ›" in m["text"], timeout=20,
                                       chat_id=ANN["id"], after=mark)
    sent = [m for m in fake.sent_messages(ANN["id"], after=mark) if m["seq"] <= last["seq"]]
    assert len(sent) >= 2 and all(len(m["text"]) <= 4096 for m in sent)
    text = "\n".join(m["text"] for m in sent)
    assert all(unit in text for unit in UNITS)          # every step of the answer, none cut
    assert "入职培训问答 › 新员工入职培训包括哪些内容？" in sent[-1]["text"]
    assert "总部大楼" not in text                        # the other pair is not part of it
    assert not [e for e in fake.unexpected_errors() if e["status"] == 400], fake.errors


# -- a sheet of a new domain: the pair that says the question, not one common word of the sheet
# (issue 11, branch faqrank) ---------------------------------------------------------------------

MUSEUM = "博物馆服务问答.csv"
RANKED_BY_WHAT_THE_PAIR_SAYS = [
    # 观众 and 展厅 are in several pairs; the luggage pair's answer says 箱 and 进入展厅 (on main
    # the sudden-illness pair, 观众在展厅…, came first)
    ("观众能带箱子进展厅吗", "观众的大件行李放在哪里？"),
    # 展厅 alone pulled the photography pair first, and the question was not found on main
    ("展厅里老人突然不舒服了", "观众在展厅突发疾病怎么处理？"),
    # 讲解 is in two pairs; the shift pair's answer says 换班 (on main 外语讲解 came first)
    ("讲解的时候能换人吗", "讲解员每天排几场讲解？"),
]
MUSEUM_OFF_TOPIC = ["国庆节门票多少钱", "附近有什么好吃的饭馆"]


@pytest.fixture(scope="module")
def museum_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a museum staff's FAQ sheet (a domain no thesaurus
    block was written for) alone."""
    return _sheet_answers(tmp_path_factory, MUSEUM,
                          [q for q, _ in RANKED_BY_WHAT_THE_PAIR_SAYS] + MUSEUM_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", RANKED_BY_WHAT_THE_PAIR_SAYS)
def test_the_pair_saying_most_of_the_question_comes_first(museum_answers, question, asked):
    result = museum_answers[question]
    offered_first(result, asked)


def test_off_topic_put_to_the_museum_sheet_is_declined(museum_answers):
    declined(museum_answers, MUSEUM_OFF_TOPIC)


# -- a sheet of a new domain: the pair both readings of the sheet name, admitted though its
# question shares too little with the paraphrase (issue 11, branch faqgen) ------------------------

POOL = "游泳馆员工问答.csv"
# BM25 finds no word of it in any pair, and the pair's question shares too few of its characters
# for the closeness floor (faq_floor); the closeness and the support (the pairs' questions and
# answers: 池底…看清) both put 池水发浑怎么处理？ first. Not found on main.
NAMED_BY_BOTH_READINGS = ("池子里的水看着不清", "池水发浑怎么处理？")
POOL_OFF_TOPIC = ["年终奖什么时候发", "附近哪家火锅好吃"]


@pytest.fixture(scope="module")
def pool_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a swimming pool staff's FAQ sheet (a domain no
    thesaurus block was written for) alone."""
    return _sheet_answers(tmp_path_factory, POOL,
                          [NAMED_BY_BOTH_READINGS[0]] + POOL_OFF_TOPIC)[1]


def test_the_pair_both_readings_of_the_sheet_name_is_offered(pool_answers):
    question, asked = NAMED_BY_BOTH_READINGS
    result = pool_answers[question]
    offered_first(result, asked)


def test_off_topic_put_to_the_pool_sheet_is_declined(pool_answers):
    declined(pool_answers, POOL_OFF_TOPIC)


DRIVING = "驾校前台问答.csv"
# The same topic asked for another kind: 练车场在哪里？ (a place) beside 练车场几点开门？ (a time);
# 科目三考试费是多少？ (an amount) beside 考试没过多久可以补考？ (a length of time). On main the
# first was answered with the place and the second offered the wrong pair as a suggestion.
ASKED_FOR_ITS_KIND = [("训练场几点关", "练车场几点开门？"),
                      ("路考补考要交多少", "科目三考试费是多少？")]
# Asks whether one may, as 考试没过多久可以补考？ does (on main 科目三考试费是多少？ came first).
ASKS_WHETHER_ONE_MAY = ("科目二挂了能补考吗", "考试没过多久可以补考？")
DRIVING_OFF_TOPIC = ["今天股市怎么样", "附近有什么好吃的"]


@pytest.fixture(scope="module")
def driving_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a driving school's front desk FAQ sheet (a domain no
    thesaurus block was written for) alone."""
    return _sheet_answers(tmp_path_factory, DRIVING,
                          [q for q, _ in ASKED_FOR_ITS_KIND] + [ASKS_WHETHER_ONE_MAY[0]]
                          + DRIVING_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", ASKED_FOR_ITS_KIND)
def test_the_pair_asking_for_the_same_kind_of_answer_is_answered(driving_answers, question,
                                                                 asked):
    answered_with_pair(driving_answers[question], asked)


def test_the_pair_asking_whether_one_may_comes_first(driving_answers):
    question, asked = ASKS_WHETHER_ONE_MAY
    result = driving_answers[question]
    offered_first(result, asked)


def test_off_topic_put_to_the_driving_school_sheet_is_declined(driving_answers):
    declined(driving_answers, DRIVING_OFF_TOPIC)


# -- a sheet of a new domain: the kind of answer asked, said in other words (issue 11, branch
# faqhr) -------------------------------------------------------------------------------------------

DAYCARE = "托育中心问答.csv"
# The pair's question names the kind of answer (最多几位, 地点) that the paraphrase asks in its own
# words (人数有限制, 数量限制, 位置): on main the first two were suggestions, the third not found.
KIND_SAID_OTHERWISE = [("参观的人数有限制吗", "家长一次最多能带几位访客参观？"),
                       ("带人来参观有数量限制吗", "家长一次最多能带几位访客参观？"),
                       ("托儿所的位置在哪", "托育中心的地点在哪里？")]
DAYCARE_OFF_TOPIC = ["今天股市怎么样", "附近有什么好吃的"]


@pytest.fixture(scope="module")
def daycare_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a company daycare's FAQ sheet (a domain no thesaurus
    block was written for) alone."""
    return _sheet_answers(tmp_path_factory, DAYCARE,
                          [q for q, _ in KIND_SAID_OTHERWISE] + DAYCARE_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", KIND_SAID_OTHERWISE)
def test_the_kind_of_answer_asked_in_other_words_finds_its_pair(daycare_answers, question,
                                                                asked):
    answered_with_pair(daycare_answers[question], asked)


def test_off_topic_put_to_the_daycare_sheet_is_declined(daycare_answers):
    declined(daycare_answers, DAYCARE_OFF_TOPIC)


# -- a sheet of a new domain: the question's words weighed by the sheet itself (issue 11, branch
# faq12) ------------------------------------------------------------------------------------------

POTTERY = "陶艺工作室问答.csv"
# 收费 (or its alternative 费用) is said by half the pairs, and tells them apart as little; 围裙 and
# 袖套 only by the answer of 衣服弄脏了怎么办？ (店内提供围裙和袖套). On main the first two were
# suggestions (p 0.48) and the third offered 团建包场的费用是多少？ first.
NAMED_BY_ONE_PAIR = [("围裙收费吗", "衣服弄脏了怎么办？"), ("袖套收费吗", "衣服弄脏了怎么办？")]
OFFERED_BY_ONE_PAIR = ("袖套要钱吗", "衣服弄脏了怎么办？")
POTTERY_OFF_TOPIC = ["今天股市怎么样", "附近有什么好吃的"]


@pytest.fixture(scope="module")
def pottery_answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json`` of questions put to a pottery studio's front desk FAQ sheet (a domain no
    thesaurus block was written for) alone."""
    return _sheet_answers(tmp_path_factory, POTTERY,
                          [q for q, _ in NAMED_BY_ONE_PAIR] + [OFFERED_BY_ONE_PAIR[0]]
                          + POTTERY_OFF_TOPIC)[1]


@pytest.mark.parametrize("question, asked", NAMED_BY_ONE_PAIR)
def test_a_word_only_one_pair_says_outweighs_one_half_the_sheet_says(pottery_answers, question,
                                                                      asked):
    answered_with_pair(pottery_answers[question], asked)


def test_the_pair_saying_the_rare_word_is_offered_first(pottery_answers):
    question, asked = OFFERED_BY_ONE_PAIR
    offered_first(pottery_answers[question], asked)


def test_off_topic_put_to_the_pottery_sheet_is_declined(pottery_answers):
    declined(pottery_answers, POTTERY_OFF_TOPIC)
