"""Everyday questions by domain (issue 11, branch colloq4), through the CLI (``staffbot ask
--json --explain``): the words staff say for the formal terms of archives, tax, fire safety,
personal information and equipment (复印件, 退税, 灭火器, 个人资料 填错, 电梯) are looked
for as the rules say them (knowledge/data/thesaurus.txt, block colloq4), and an everyday length
of time (一个星期, 半个月) as rules write it (7天, 15天; ``query.duration_forms``).

The rules are written for this test in the words rules use (复制件, 汇算清缴, 消防设施 扑救,
不准确 更正, 特种设备); the questions the way staff type them. A weekday (星期六) is no
length of time.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import asked, ingested, looked_for, staffbot  # noqa: E402

RULES = """综合管理工作细则摘录
第一条 职工请事假3天以内的，由部门负责人审批。
第二条 职工连续请事假7天以上的，由分管领导审批。
第三条 职工连续请事假15天以上的，报单位主要负责人审批。
第四条 职工查阅本人档案需要复制的，经档案管理人员同意，可以提供复制件。
第五条 职工办理个人所得税汇算清缴的，由人事处协助提供全年收入情况。
第六条 发现初起火灾的，应当立即报警，就近使用消防设施扑救。
第七条 职工发现人事系统中本人信息不准确的，可以向人事处申请更正。
第八条 特种设备发生故障的，由后勤处联系维保单位处理。
第九条 星期六、星期日值班的，按照值班表安排补休。
第十条 职工每周工作40小时，每日工作8小时。
第十一条 计算机感染病毒的，应当立即断开网络，并报告信息中心。
第十二条 职工账号被锁定的，持工作证到信息中心办理解锁。
第十三条 职工被诊断为职业病的，依法享受工伤保险待遇。
第十四条 职工福利基金专款专用，任何单位和个人不得挪用。
第十五条 挪用职工福利基金的，责令追回，对直接负责的人员给予处分。
"""
DURATIONS = [
    ("请一个星期的事假要谁批？", "第二条", "7天"),        # 一个星期 → 7天
    ("请半个月事假找谁批？", "第三条", "15天"),            # 半个月 → 15天
]
EVERYDAY = [
    ("档案能给我一份复印件吗？", "第四条", "复制件"),                 # 复印件 → 复制件
    ("个税退税公司能帮忙吗？", "第五条", "汇算清缴"),                 # 退税 → 汇算清缴
    ("看到着火了能自己拿灭火器灭火吗？", "第六条", "消防设施扑救"),   # 灭火器 灭火
    ("系统里我的个人资料填错了找谁？", "第七条", "申请更正"),         # 个人资料 填错
    ("单位电梯坏了找哪个部门？", "第八条", "后勤处"),                 # 电梯 → 特种设备
]
WEEKDAY = "星期六值班能补休吗？"       # a weekday, no length of time: no 7天
# (colloq5) A rate said with 一 and asked as a quantity is 每周/每月 (``query.rate_forms``), and
# 钟头 is 小时; said without asking a quantity (一个月迟到三次会怎么样) it is no rate.
RATE = ("一周要工作多少个钟头？", "第十条", "每周工作40小时")
NO_RATE = "一个月迟到三次会怎么样？"
# (colloq5) 会不会被 asks whether something may happen: the rule (不得挪用), not the penalty of
# an article that punishes it (会被 alone, 会被罚, asks the consequence).
MAY_IT = ("职工福利基金会不会被挪用？", "第十四条")
# (colloq5) Question forms and talk as staff say them (咋整, 咋办, 干嘛; 马上, 实在): no topic
# words, so a rule lacking them lacks nothing; a named disease is looked for as its category.
SPOKEN = [
    ("电脑中病毒了咋整？", "第十一条", "立即断开网络", "咋整"),
    ("账号被锁了，想马上解锁该干嘛？", "第十二条", "办理解锁", "马上"),
    ("得了尘肺病能享受工伤保险吗？", "第十三条", "职业病", None),     # 尘肺病 → 职业病
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[str, dict]:
    """``ask --json --explain`` of every question of this module, asked at once."""
    db = ingested(tmp_path_factory.mktemp("domains"), "综合管理工作细则摘录.txt", RULES)
    questions = [WEEKDAY, *(q for q, _, _ in DURATIONS), *(q for q, _, _ in EVERYDAY),
                 RATE[0], NO_RATE, MAY_IT[0], *(q for q, _, _, _ in SPOKEN)]
    return asked(db, questions)


def sections(answer: dict) -> list[str]:
    return [h["section"] for h in answer["hits"]]


def first_says(answers: dict, cases, *, answered: bool = False) -> None:
    """Each (question, word, article, says) of ``cases``: ``word`` looked for (unless None),
    the first hit ``article`` with ``says`` in its excerpt, and confident with ``answered``."""
    for question, word, article, says in cases:
        answer = answers[question]
        if word:
            looked_for(answer, word)
        if answered:
            assert answer["status"] == "answer", (question, answer["status"], sections(answer))
        assert answer["hits"] and article in answer["hits"][0]["citation"] \
            and says in answer["hits"][0]["excerpt"], (question, answer["status"], sections(answer))


@pytest.mark.parametrize(("question", "article", "says"), DURATIONS)
def test_an_everyday_length_of_time_is_looked_for_as_rules_write_it(answers, question, article,
                                                                    says) -> None:
    answer = answers[question]
    looked_for(answer, says)
    assert answer["status"] == "answer", (answer["status"], sections(answer))
    assert sections(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]


def test_a_weekday_is_no_length_of_time(answers) -> None:
    answer = answers[WEEKDAY]
    assert not any("7天" in alts for alts in answer["explain"]["query"]["expansions"].values())
    assert sections(answer)[0] == "第九条"


@pytest.mark.parametrize(("question", "article", "says"), EVERYDAY)
def test_everyday_words_of_each_domain_find_the_rule_that_answers(answers, question, article,
                                                                  says) -> None:
    answer = answers[question]
    assert answer["status"] == "answer", (answer["status"], sections(answer))
    assert sections(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]


def test_a_rate_said_with_one_is_looked_for_as_each(answers) -> None:
    question, article, says = RATE
    answer = answers[question]
    expansions = answer["explain"]["query"]["expansions"]
    assert any("每周" in alts for alts in expansions.values())
    assert any("小时" in alts for alts in expansions.values())
    assert answer["status"] == "answer", (answer["status"], sections(answer))
    assert sections(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]


def test_a_span_not_asked_as_a_quantity_is_no_rate(answers) -> None:
    answer = answers[NO_RATE]
    assert "一个月" in [u["text"] for u in answer["explain"]["query"]["units"]]
    assert not any("每月" in alts for alts in answer["explain"]["query"]["expansions"].values())


@pytest.mark.parametrize(("question", "article", "says", "talk"), SPOKEN)
def test_spoken_question_forms_and_named_cases_find_the_rule(answers, question, article, says,
                                                             talk) -> None:
    answer = answers[question]
    units = [u["text"] for u in answer["explain"]["query"]["units"]]
    if talk:
        assert talk not in units, units
    assert answer["status"] == "answer", (answer["status"], sections(answer), units)
    assert sections(answer)[0] == article
    assert says in answer["hits"][0]["excerpt"]


def test_may_it_happen_asks_for_the_rule_not_the_penalty(answers) -> None:
    question, article = MAY_IT
    answer = answers[question]
    assert "consequence" not in answer["explain"]["query"]["asks"]
    assert sections(answer)[0] == article, sections(answer)


# A night asked a rate of (一晚上 … 多少钱) is a rule's day (住宿费每人每天), not the evening a
# rule names (晚上十一点后不得喧哗): its words stand for 每天 alone (``query.night_rates``).
MEANING18 = Path(__file__).parent / "fixtures" / "meaning18"


def test_a_night_asked_a_rate_of_is_a_day_not_the_evening(tmp_path) -> None:
    db = tmp_path / "kb.db"
    staffbot("ingest", str(MEANING18), db=db)
    hotel, quiet = "住酒店一晚上能报多少钱", "宿舍晚上几点以后不能大声说话"
    answers = asked(db, [hotel, quiet])
    answer = answers[hotel]
    units = [u["text"] for u in answer["explain"]["query"]["units"]]
    assert "每天" in units and "晚上" not in units, units
    assert answer["status"] == "answer", (answer["status"], sections(answer))
    assert answer["hits"][0]["citation"].startswith("差旅费管理办法 › 第四条")
    assert "住宿费" in answer["hits"][0]["excerpt"]
    # the evening asked about, no rate: 晚上 as the rule says it
    answer = answers[quiet]
    assert "晚上" in [u["text"] for u in answer["explain"]["query"]["units"]]
    assert "第三条" in answer["hits"][0]["citation"], sections(answer)


# (this session) Office talk for keeping, cancelling and coming into force: 在谁那里 → 保管,
# 不用了 → 取消, 开始执行 → 施行 (knowledge/data/thesaurus.txt), on a rule written here in the
# words such rules use; each was answered with another item of the rule, or not at all.
SEALS = """会议室与印章使用管理办法
一、会议室管理
（一）会议室实行网上预约，使用部门应当至少提前一个工作日提交申请。
（二）预约后不使用的，应当在会议开始前2小时取消。
二、印章管理
（一）公司公章由综合办公室专人保管。
（二）使用公章应当填写用印审批单，经分管领导签字后方可用印。
三、附则
本办法由综合办公室负责解释，自2026年1月1日起施行。
"""
KEEPING = [
    ("公章在谁那里？", "保管", "专人保管"),
    ("订了会议室不用了怎么办？", "取消", "前2小时取消"),
    ("这个办法什么时候开始执行？", "施行", "起施行"),
]


def test_office_talk_for_keeping_cancelling_and_coming_into_force(tmp_path) -> None:
    db = ingested(tmp_path, "会议室与印章使用管理办法.txt", SEALS)
    answers = asked(db, [q for q, _, _ in KEEPING])
    for question, word, says in KEEPING:
        answer = answers[question]
        looked_for(answer, word)
        assert answer["status"] == "answer", (question, answer["status"], sections(answer))
        assert says in answer["hits"][0]["excerpt"], (question, sections(answer))


# (this session) A new starter's notes in 1. items: 发工资 is looked for as 发放工资 (工资每月15日
# 发放), 社保 as 五险一金 (a handbook's word for them); the 一 of an ordinal (第一天) is no rate
# (每天), where 一天 asked a quantity is; and an item's label keeps its time of day (9:00).
STARTER = """# 新员工入职须知

## 报到

1. 新员工应当在录用通知书载明的日期上午9:00到人力资源部报到。
2. 报到时须携带身份证原件和学历学位证书原件。

## 工资与福利

1. 工资每月15日发放，遇节假日提前。
2. 公司按规定为员工缴纳五险一金，自入职当月起缴纳。
"""


def test_a_starters_words_and_an_ordinal_day(tmp_path) -> None:
    db = ingested(tmp_path, "新员工入职须知.md", STARTER)
    pay, insurance, first = "几号发工资？", "公司给交社保吗？", "第一天几点去报到？"
    answers = asked(db, [pay, insurance, first])
    looked_for(answers[pay], "发放工资")
    assert answers[pay]["status"] == "answer", sections(answers[pay])
    assert "15日发放" in answers[pay]["hits"][0]["excerpt"]
    looked_for(answers[insurance], "五险一金")
    assert "五险一金" in answers[insurance]["hits"][0]["excerpt"], answers[insurance]["status"]
    assert not any("每天" in alts for alts in answers[first]["explain"]["query"]["expansions"]
                   .values()), answers[first]["explain"]["query"]["expansions"]
    # an item's label (its citation) keeps a time of day whole: 上午9:00, not 上午9
    assert any("上午9:00到" in section for section in sections(answers[first])), \
        sections(answers[first])


# (session 23) Asked as staff ask, of rules nobody tuned on: a modal jieba glued onto the verb
# (能带 / 出去) still says 带出去 (→ 带出, 外带); 交 is paying (→ 缴纳); the 时候 and 开始 of
# 从什么时候开始 are the question's form where no rule says them, and 自入职当月起 answers a
# start asked; 找谁领 is what a rule says 发放 of; 有事 is a rule's 特殊原因; 开完会 its 会后;
# 走什么流程 asks for the steps (填写…审批单，经…签字后), and 几点 for a time of day (9:00).
OFFICE = """# 办公与入职须知

## 一、印章

（一）使用公章应当填写《用印审批单》，经部门负责人签字后方可用印。

（二）印章原则上不得带出公司；确需外带的，须经总经理批准。

（三）严禁在空白纸张上加盖公章。

## 二、会议室

（一）会议室内禁止吸烟，会后由使用部门关闭投影仪和空调。

## 三、入职

1. 新员工应当在录用通知书载明的日期上午9:00到人力资源部报到。
2. 因特殊原因不能按时报到的，应当提前与人力资源部联系。
3. 员工工牌在报到当日由行政部发放。
4. 公司为员工缴纳五险一金，自入职当月起缴纳。
"""
OFFICE_ASKED = [
    ("公章能带出去吗？", "带出", "不得带出公司"),
    ("社保从什么时候开始交？", "缴纳", "自入职当月起缴纳"),
    ("工牌找谁领？", "发放", "由行政部发放"),
    ("报到那天有事去不了怎么办？", "特殊原因", "不能按时报到"),
]
OFFICE_FIRST = [
    ("开完会要做什么？", "会后", "关闭投影仪"),
    ("盖公章要走什么流程？", None, "用印审批单"),
    ("第一天几点去报到？", None, "上午9:00"),
]


def test_glued_modals_paying_a_start_and_steps_asked_as_staff_ask(tmp_path) -> None:
    db = ingested(tmp_path, "办公与入职须知.md", OFFICE)
    answers = asked(db, [q for q, _, _ in OFFICE_ASKED + OFFICE_FIRST])
    for question, word, says in OFFICE_ASKED:
        answer = answers[question]
        looked_for(answer, word)
        assert answer["status"] == "answer", (question, answer["status"], sections(answer))
        assert says in answer["hits"][0]["excerpt"], (question, sections(answer))
    units = [u["text"] for u in answers["社保从什么时候开始交？"]["explain"]["query"]["units"]]
    assert "时候" not in units and "开始" not in units, units
    assert "start" in answers["社保从什么时候开始交？"]["explain"]["query"]["asks"]
    # not sure of these, but the item that answers comes first (盖公章 was answered with 严禁…
    # 加盖公章, which says the words and not the steps; 第一天几点 with the next item)
    for question, word, says in OFFICE_FIRST:
        answer = answers[question]
        if word:
            looked_for(answer, word)
        assert answer["hits"] and says in answer["hits"][0]["excerpt"], (
            question, answer["status"], sections(answer))
    assert answers["盖公章要走什么流程？"]["explain"]["query"]["asks"] == ["steps"]


# (session 23) A car rule and a security rule asked as staff ask: 撞了 is a rule's 交通事故 (the
# fine of 违章停车 was answered, 自己赔 alone found it), 公司的车 its 公务车辆 and 归谁管 its 统一
# 管理 (it answered 由部门负责人审批, the one article saying 负责), 来访客户 its 外来人员, 优盘 its
# U盘 (with meaning, tests/test_meaning.py: suggested, not "not found").
CARS = """公务车辆使用管理规定
第一条 为加强公务车辆管理，制定本规定。
第二条 公务车辆由行政部统一管理、统一调度。
第三条 市内用车由部门负责人审批；市外用车由分管副总经理审批。
第四条 车辆发生交通事故的，驾驶员应当立即报警；因驾驶员违章造成的损失，由驾驶员承担百分之二十。
第五条 因违章停车、超速等产生的罚款，由当事驾驶员本人承担。
第六条 外来人员需要使用公司网络的，由接待部门向信息中心申请临时账号。
第七条 禁止将办公电脑接入未经批准的无线网络。
第八条 U盘等移动存储设备应当在信息中心登记后使用。
"""
CARS_ASKED = [
    ("公司的车归谁管？", "公务车辆", "第二条", "统一管理"),
    ("优盘能随便插吗？", "移动存储设备", "第八条", "登记后使用"),
]
# (the words alone put beside them the fine's 本人承担 and the 无线网络 of wifi: both are shown,
# not sure which; the sentence model puts these first)
BESIDE = [("开公车撞了要自己赔吗？", "交通事故", "第四条", "承担百分之二十"),
          ("来访客户要连wifi怎么办？", "外来人员", "第六条", "申请临时账号")]


def test_a_car_and_a_security_rule_asked_as_staff_ask(tmp_path) -> None:
    db = ingested(tmp_path, "公务车辆使用管理规定.txt", CARS)
    answers = asked(db, [q for q, _, _, _ in CARS_ASKED + BESIDE])
    first_says(answers, CARS_ASKED)
    for question, word, article, says in BESIDE:
        answer = answers[question]
        looked_for(answer, word)
        assert answer["status"] != "answer" or article in answer["hits"][0]["citation"], (
            question, sections(answer))
        assert any(article in hit["citation"] and says in hit["excerpt"]
                   for hit in answer["hits"][:2]), (question, sections(answer))


# (session 23) A training rule and an assets rule asked as staff ask: 都讲什么 asks for a rule's
# 内容 (it was answered with the kinds of training, 分为…三类); 辞职 is the 离职 of 服务期内离职;
# 转到另一个部门 is 调拨; 坏了不能用 is 报废.
TRAINING = """员工培训与资产管理规定
第一条 公司培训分为新员工入职培训、岗位技能培训和外派培训三类。
第二条 新员工入职培训由人力资源部组织，时间为2天，内容包括公司制度、安全知识和岗位职责。
第三条 外派培训费用在5000元以上的，员工应当与公司签订培训服务协议，约定服务期。
第四条 员工在服务期内离职的，按未履行服务期的比例退还培训费用。
第五条 固定资产在部门之间调拨的，应当填写调拨单，经双方部门负责人签字后办理。
第六条 因个人原因造成固定资产丢失或者损坏的，由责任人按照资产净值赔偿。
第七条 固定资产报废，由使用部门提出申请，行政部组织鉴定，报总经理批准。
"""
TRAINING_ASKED = [
    ("新员工培训都讲什么？", "内容", "第二条", "内容包括"),
    ("培训完没到期就辞职要赔钱吗？", "离职", "第四条", "退还培训费用"),
    ("电脑从一个部门转到另一个部门怎么弄？", "调拨", "第五条", "调拨单"),
    ("设备坏了不能用了怎么办？", "报废", "第七条", "报总经理批准"),
]



# (session 23) An attendance rule asked as staff ask: 几点 asks for a time of day, which 8:30
# says and 3个工作日 does not (几点上班 was answered with the clock-in article, which says 上下班);
# 结婚能休 is 婚假 and 老婆生孩子 the father's 陪产假 (the words alone found nothing).
ATTENDANCE = """考勤与休假制度
第一章 工作时间
第一条 公司实行标准工时制，上午8:30至12:00，下午13:30至17:30。
第二条 员工上下班应当打卡；忘记打卡的，应当在3个工作日内提交补卡申请。
第二章 假期
第三条 婚假10天，丧假3天，均为带薪假。
第四条 女员工产假158天，男员工陪产假15天。
"""
ATTENDANCE_ASKED = [
    ("几点上班？", None, "第一条", "上午8:30"),
    ("结婚能休几天？", "婚假", "第三条", "婚假10天"),
    ("老婆生孩子我能休几天？", "陪产假", "第四条", "陪产假15天"),
]


def test_an_attendance_rule_asked_as_staff_ask(tmp_path) -> None:
    db = ingested(tmp_path, "考勤与休假制度.txt", ATTENDANCE)
    first_says(asked(db, [q for q, _, _, _ in ATTENDANCE_ASKED]), ATTENDANCE_ASKED,
               answered=True)


# (session 23) A visitors-and-parcels rule and a rewards-and-sanctions rule asked as staff ask:
# 几种 counts kinds (分为…四种; it was answered with the article on erasing records, which says
# 处分 three times and 一年); 觉得 is talk and 不公平 is 不服 (→ 申诉); 带客户 is 访客 and 提前说
# 预约; and the office's own 办公区 is no place asked for (我的快递在哪拿 was answered with the
# visitors' article, 进入办公区).
VISITORS = """访客、快递与奖惩规定
第一条 外来访客应当在前台登记，领取访客卡后由接待人员陪同进入办公区。
第二条 接待人员应当提前一天在OA系统填写访客预约，写明来访人数和事由。
第三条 公司快递统一由前台代收，收件人应当在3个工作日内领取。
第四条 处分分为警告、记过、降职降薪和解除劳动合同四种。
第五条 员工对处分决定不服的，可以在15日内向人力资源部提出书面申诉。
第六条 受到警告处分满一年、记过处分满两年没有再受处分的，处分记录可以撤销。
"""
VISITORS_ASKED = [
    ("处分有几种？", None, "第四条", "四种"),
    ("觉得处分不公平怎么办？", "申诉", "第五条", "提出书面申诉"),
    ("带客户进公司要提前说吗？", "访客", "第二条", "访客预约"),
]


def test_a_visitors_and_a_sanctions_rule_asked_as_staff_ask(tmp_path) -> None:
    db = ingested(tmp_path, "访客、快递与奖惩规定.txt", VISITORS)
    answers = asked(db, [q for q, _, _, _ in VISITORS_ASKED] + ["我的快递在哪拿？"])
    first_says(answers, VISITORS_ASKED)
    assert "觉得" not in [u["text"] for u in answers["觉得处分不公平怎么办？"]["explain"]["query"]
                          ["units"]]
    parcel = answers["我的快递在哪拿？"]
    assert parcel["status"] != "answer" or "第三条" in parcel["hits"][0]["citation"], \
        sections(parcel)


# (session 23) A welfare rule asked as staff ask: 过节 is a rule's 节日 and 发东西 its 发放慰问品
# (过节发东西吗 found nothing); 家里老人走了 is 直系亲属去世 and 有表示 慰问 (nothing either); 红包
# for a wedding is 贺礼.
WELFARE = """员工福利管理办法
第一条 员工生日当月，公司发放价值300元的生日礼品卡。
第二条 春节、端午节、中秋节，公司向在职员工发放节日慰问品，标准为每人每节不超过500元。
第三条 员工结婚的，工会送贺礼1000元；员工生育子女的，送慰问金800元。
第四条 员工本人住院治疗的，工会探望并送慰问金500元；员工直系亲属去世的，送慰问金1000元。
"""
WELFARE_ASKED = [
    ("过节发东西吗？", "节日", "第二条", "节日慰问品"),
    ("家里老人走了公司有表示吗？", "去世", "第四条", "直系亲属去世"),
    ("结婚公司给多少红包？", "贺礼", "第三条", "贺礼1000元"),
]


# (session 24) Who ends the employment. Staff say it in the verb — 辞退, 开除 are the company's
# act, 辞职 the employee's —, a rule says 解除劳动合同 for both and names the side doing it; the
# thesaurus maps both verbs to 解除 and so lost the side (试用期被辞退了怎么办 was answered with
# the employee's own notice, 员工在试用期内提前三日通知公司，可以解除). A paragraph whose 解除
# only the other side does is put below and says no answer (parties.ender_asked / enders;
# ``ender`` in --explain).
CONTRACTS = """劳动合同管理办法
第一条 为规范劳动合同的订立、履行和解除，制定本办法。
第二条 员工提前三十日以书面形式通知公司，可以解除劳动合同。员工在试用期内提前三日通知公司，可以解除劳动合同。
第三条 在试用期中，除员工有本办法第四条规定的情形外，公司不得解除劳动合同。公司在试用期解除劳动合同的，应当向员工说明理由。
第四条 员工有下列情形之一的，公司可以解除劳动合同：
（一）在试用期间被证明不符合录用条件的；
（二）严重违反公司规章制度的；
（三）严重失职，给公司造成重大损害的。
第五条 公司与员工协商一致，可以解除劳动合同。
"""
ENDED = [
    ("试用期被辞退了怎么办？", None, "第三条", "公司不得解除劳动合同"),
    ("试用期公司可以随便辞退人吗？", None, "第三条", "公司不得解除劳动合同"),
    ("试用期想辞职要提前几天说？", None, "第二条", "提前三日"),
]
# (and the words staff say for a rule's: 回家路上 is 上下班途中, 写字 书写; 不太会 and 不了 are
# talk, not topic words missing from every paragraph)
INJURY = """工伤与仲裁须知
第一条 职工在上下班途中，受到非本人主要责任的交通事故伤害的，应当认定为工伤。
第二条 书写仲裁申请确有困难的，可以口头申请，由仲裁委员会记入笔录。
第三条 职工因工作遭受事故伤害，需要暂停工作接受治疗的，在停工留薪期内原工资福利待遇不变。
"""
INJURY_ASKED = [
    ("下班回家路上被车撞了算工伤吗？", "上下班途中", "第一条", "上下班途中"),
    ("我不太会写字，仲裁申请书写不了怎么办？", None, "第二条", "口头申请"),
]


def test_who_ends_the_employment_is_read_from_the_verb(tmp_path) -> None:
    db = ingested(tmp_path, "劳动合同管理办法.txt", CONTRACTS)
    answers = asked(db, [q for q, _, _, _ in ENDED])
    first_says(answers, ENDED)
    candidates = answers["试用期被辞退了怎么办？"]["explain"]["candidates"]
    employee = next(c for c in candidates if "第二条" in c["citation"])
    assert employee["ender"] == -1.0 and employee["answer_type"] == 0.0, employee
    # a rule both sides may end by (协商一致) and the company's own are not put below
    assert all("ender" not in c for c in candidates if "第二条" not in c["citation"]), candidates


def test_a_workers_words_for_the_road_home_and_writing(tmp_path) -> None:
    db = ingested(tmp_path, "工伤与仲裁须知.txt", INJURY)
    answers = asked(db, [q for q, _, _, _ in INJURY_ASKED])
    first_says(answers, INJURY_ASKED, answered=True)
    units = [u["text"] for u in answers["我不太会写字，仲裁申请书写不了怎么办？"]["explain"]["query"]["units"]]
    assert "不太会" not in units and "不了" not in units, units


# (session 24) A situation said with a number (我工作8年了) is held by a rule's range written
# 已满1年不满10年 as by 1年以上不满10年: the article stating the days for it comes first, not the
# one saying who has the leave at all (连续工作1年以上).
LEAVE = """年休假规定
第一条 职工连续工作1年以上的，享受带薪年休假。
第二条 职工累计工作已满1年不满10年的，年休假5天；已满10年不满20年的，年休假10天；已满20年的，年休假15天。
第三条 年休假在1个年度内可以集中安排，也可以分段安排。
"""
LEAVE_ASKED = [("年假有几天啊，我工作8年了", "年休假", "第二条", "年休假5天")]


# (session 24) An act not done to the asker, said with the asker in it (老板不跟我签合同, 没给我
# 交社保): looked for as a rule says it (未订立, 未缴纳), as 不签 and 不交 were; before, 不 and 跟我
# were lost and the question asked only 老板 签合同 (answered with the rule to sign within a month
# or the part-time contract article).
NOT_DONE = """劳动用工规定
第一条 用人单位应当自用工之日起一个月内与劳动者订立书面劳动合同。
第二条 用人单位自用工之日起超过一个月不满一年未与劳动者订立书面劳动合同的，应当向劳动者每月支付二倍的工资。
第三条 非全日制用工的劳动者可以与一个或者一个以上用人单位订立劳动合同。
第四条 用人单位应当按时足额缴纳社会保险费。
第五条 用人单位未按时足额缴纳社会保险费的，由社会保险费征收机构责令限期缴纳或者补足，并加收滞纳金。
"""
NOT_DONE_ASKED = [
    ("老板不跟我签合同怎么办？", "未订立", "第二条", "二倍的工资"),
    ("公司一直没给我交社保怎么办？", "未缴纳", "第五条", "责令限期缴纳"),
]


# (session 24) A state organ's ban answers whether a thing may be done to the asker. The organ
# rule holds back an article binding the state when staff ask about themselves (a duty of the
# government is no answer to 单位要不要…); asked 会不会 / 要…吗 of what the organ does to them,
# its 不得 is the answer (被罚了去申辩会不会罚得更重 was only suggested).
PENALTIES = """行政处罚实施细则
第一条 行政机关在调查时，执法人员不得少于两人。
第二条 行政机关不得因当事人提出陈述、申辩而加重处罚。
第三条 当事人应当自收到罚款决定书之日起十五日内缴纳罚款。
第四条 单位受到处罚的，应当在十日内向上级主管单位报告。
第五条 员工因个人过错导致单位被罚款的，单位可以要求其承担部分罚款。
第六条 员工对单位的处理不服的，可以向工会申诉，工会应当在十五日内答复。
第七条 行政机关办理罚款事项，不得向当事人收取任何手续费。
第八条 单位缴纳罚款，由财务部门办理，经办人员应当取得收据。
"""
PENALTIES_ASKED = [
    ("被罚了想去申辩一下，会不会罚得更重？", None, "第二条", "不得因当事人提出陈述、申辩而加重处罚"),
    ("我们交罚款要交手续费吗", None, "第七条", "不得向当事人收取任何手续费"),
]


def test_a_state_organs_ban_answers_whether_it_may_be_done_to_the_asker(tmp_path) -> None:
    db = ingested(tmp_path, "行政处罚实施细则.txt", PENALTIES)
    answers = asked(db, [q for q, _, _, _ in PENALTIES_ASKED])
    first_says(answers, PENALTIES_ASKED, answered=True)
    for question, _, _, _ in PENALTIES_ASKED:
        assert "organ" not in answers[question]["explain"]["stages"]["decide"]["held_back"]


# (session 24) A purchase as an office's clerk says it: 只找一家 is a rule's 单一来源, 假材料 its
# 虚假材料, 分开买 its 化整为零 (thesaurus block labour24's purchase lines).
PURCHASES = """采购管理办法
第一条 采购项目只能从唯一供应商处采购的，可以采用单一来源方式采购。
第二条 采用询价方式采购的，应当向三家以上供应商发出询价通知书，比较报价后确定成交供应商。
第三条 供应商提供虚假材料谋取中标的，处以采购金额千分之五的罚款，列入不良行为记录名单。
第四条 采购人不得将应当公开招标的项目化整为零，规避公开招标。
第五条 供应商对采购结果有异议的，可以在七个工作日内以书面形式提出质疑。
"""
PURCHASES_ASKED = [
    ("什么情况下可以直接只找一家供应商买？", "单一来源", "第一条", "单一来源"),
    ("供应商交了假材料中标了会怎么处理？", "提供虚假", "第三条", "千分之五"),
    ("领导说把这批家具分开买就不用公开招标了，可以吗？", "化整为零", "第四条", "化整为零"),
]


# (session 24) A public institution's staff end their employment by 解除聘用合同 and a civil
# servant by 辞去公职, where a company's rule says 解除劳动合同: 辞职 and 辞退 asked there are
# looked for as those (我在事业单位想辞职 was answered with 劳动合同法's 劳动者提前三十日).
APPOINTMENTS = """事业单位聘用合同管理办法
第一条 工作人员提前30日书面通知本单位，可以解除聘用合同。
第二条 工作人员连续旷工超过15个工作日的，本单位可以解除聘用合同。
第三条 聘用合同期满前一个月，本单位应当与工作人员协商续订事宜。
第四条 工作人员在本单位工作满10年的，续订聘用合同时可以订立至退休的聘用合同。
"""
APPOINTMENTS_ASKED = [
    ("我在事业单位干了五年想辞职，要提前多久跟单位说？", "解除聘用合同", "第一条", "提前30日"),
]


# Each rule asked as staff ask, its cases as (question, word looked for, article, says) — the
# first hit that article, saying it (first_says).
@pytest.mark.parametrize(("name", "text", "cases"), [
    ("员工培训与资产管理规定.txt", TRAINING, TRAINING_ASKED),
    ("员工福利管理办法.txt", WELFARE, WELFARE_ASKED),
    ("年休假规定.txt", LEAVE, LEAVE_ASKED),
    ("劳动用工规定.txt", NOT_DONE, NOT_DONE_ASKED),
    ("采购管理办法.txt", PURCHASES, PURCHASES_ASKED),
    ("事业单位聘用合同管理办法.txt", APPOINTMENTS, APPOINTMENTS_ASKED)],
    ids=["training_and_assets", "welfare", "years_from_full_years", "act_not_done_to_the_asker",
         "purchases_as_a_clerk_says", "public_institution_ending"])
def test_an_office_rule_asked_as_staff_ask(tmp_path, name, text, cases) -> None:
    db = ingested(tmp_path, name, text)
    first_says(asked(db, [q for q, _, _, _ in cases]), cases)
