"""Everyday words by domain, ninth to eleventh rounds (issue 11, branches colloq9 to colloq11),
through the CLI (``staffbot ask --json --explain``), each round on a rule book of its own.

Ninth round: a worker's words for leave, discipline, pay, travel and
accounts are looked for as rules say them (没打招呼 → 未经审批, 怀上 → 怀孕, 喝酒 → 饮酒, 周六 →
休息日, 压着工资 → 拖欠, 编个理由 → 虚假理由, 泡汤 → 不享受, 被盗号 → 账号被盗用), each on a rule
beside a sibling that shares the question's other words; and the question's talk is no topic
word: 给不给 asks (路费给不给报 keeps 报, not 给报), 几回 asks a number, 这算 of 这算啥 is talk.

Tenth round: a worker's words for penalties, inspection, unions, training
money, women's redress, changed posts, special trades, waivers and fire rescue are looked for as
rules say them (不服气 → 不服, 冒领 → 骗取, 拉黑 → 向社会公布, 成立工会 → 组织工会, 培训的钱 → 职工教育经费,
欺负 → 侵害, 求助电话 → 热线, 换岗位 → 转岗, 电焊工 → 特种作业人员, 生死状 → 免除, 救火 → 扑救, 店员 →
工作人员), each on a rule beside a sibling that shares the question's other words; and the
question's talk is no topic word (该不该 asks for a rule; 这块, 有人 point at nothing).

Eleventh round: a worker's words for the notions the labour, pay, leave, social-insurance,
reimbursement and inspection rules turn on are looked for as rules say them (不跟我商量 → 单方面,
效益不好 → 生产经营困难, 晚点发 → 延期支付, 赔偿N → 经济补偿, 接着领 → 停止领取, 交了多少 → 缴费记录,
从哪天开始算 → 之日起, 在这边上班 → 用工所在地, 生孩子能休 → 产假, 不想交 → 放弃, 工伤期间 →
停工留薪期, 借点钱 → 借款, 货比三家 → 询价, 五一 → 劳动节), each on a rule beside a sibling that
shares the question's other words.

The rules are written for this test in the words rules use; the questions the way staff type them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_cli import answered_looking_for, articles, asked, ingested, units  # noqa: E402

RULES9 = """职工日常管理规定
第一条 工作人员出差应当事先填写审批单。未经审批擅自出差的，差旅费不予报销。
第二条 工作人员出差的差旅费，凭发票在出差结束后十个工作日内报销。
第三条 单位不得因女职工怀孕降低其工资。
第四条 单位不得因职工参加工会活动降低其工资。
第五条 工作时间饮酒的，给予记过处分。
第六条 工作时间擅自离岗的，给予警告处分。
第七条 单位安排职工在休息日工作又不能安排补休的，支付百分之二百的工资报酬。
第八条 单位安排职工在工作日延长工作时间的，支付百分之一百五十的工资报酬。
第九条 单位无故拖欠职工工资的，职工可以向劳动保障行政部门投诉。
第十条 单位少发职工工资的，应当补足差额。
第十一条 以虚假理由骗取假期的，按旷工处理。
第十二条 请假期满未续假又不返岗的，按旷工处理。
第十三条 请事假累计20天以上的，不享受当年的年休假。
第十四条 年休假可以集中安排，也可以分段安排。
第十五条 发现账号被盗用的，应当在1小时内报告信息中心。
第十六条 账号密码每90天至少更换一次。
第十七条 一个月内迟到3次的，按旷工半天计。
"""
# (question, the article that answers, a word of the rule the question is looked for as)
WORDS9 = [
    ("没打招呼就自己跑去出差了，车费能报吗？", "第一条", "未经审批"),
    ("刚怀上孩子，单位就要给我降工资，能这样吗？", "第三条", "怀孕"),
    ("上班时间喝了点酒，会给什么处分？", "第五条", "饮酒"),
    ("周六叫我回去上班又不给调休，工资怎么算？", "第七条", "休息日"),
    ("老板一直卡着工资，我能去哪投诉？", "第九条", "拖欠"),
    ("编个理由请假被发现了，会怎么处理？", "第十一条", "虚假理由"),
    ("请了一个月事假，今年的年假是不是泡汤了？", "第十三条", "不享受"),
    ("我的账号被盗号了，多久之内要报告？", "第十五条", "账号被盗用"),
]
# (question, article, units the question must not be cut into, a unit it must keep)
TALK9 = [
    ("没经过审批的出差路费给不给报？", "第一条", ["给报", "给"], "报"),
    ("一个月迟到几回算旷工半天？", "第十七条", ["几回"], "迟到"),
    ("上班时间偷偷离岗，这算啥？", "第六条", ["这算"], "离岗"),
]

RULES10 = """园区职工权益保障办法
第一条 职工对园区管理处作出的处罚决定不服的，可以在十五日内申请复核。
第二条 园区管理处作出处罚决定前，应当告知职工作出处罚的事实和理由。
第三条 以欺骗手段骗取园区困难补助的，由管理处责令退还。
第四条 园区困难补助每季度发放一次，由管理处统一办理。
第五条 企业严重违反园区用工规定的，由管理处向社会公布。
第六条 企业用工情况由管理处每年检查一次。
第七条 企业不得阻挠职工依法组织工会。
第八条 企业应当为职工参加技能比赛提供便利。
第九条 企业不得挪用职工教育经费。
第十条 企业应当按时发放职工的加班费。
第十一条 侵害女职工合法权益的，女职工可以向园区管理处投诉。
第十二条 园区设立职工权益服务热线，受理职工的咨询和求助。
第十三条 残疾职工转岗的，企业应当组织岗前培训。
第十四条 新入职职工由企业组织入职培训。
第十五条 特种作业人员应当经专门培训，取得相应资格后方可上岗作业。
第十六条 新入职职工经安全培训合格后方可上岗作业。
第十七条 企业与职工订立的免除企业安全责任的协议无效。
第十八条 企业与职工订立的劳动合同应当采用书面形式。
第十九条 职工参加扑救火灾受伤的，由园区给予医疗补助。
第二十条 职工参加园区组织的体检，费用由园区承担。
第二十一条 商铺发生火灾时，现场工作人员应当组织顾客疏散。
第二十二条 商铺应当在每日营业结束后检查电源。
"""
# (question, the article that answers, a word of the rule the question is looked for as)
WORDS10 = [
    ("管理处罚了我，我不服气怎么办？", "第一条", "不服"),
    ("冒领困难补助被查出来会怎样？", "第三条", "骗取"),
    ("企业老违规用工，会被拉黑吗？", "第五条", "向社会公布"),
    ("企业不许我们成立工会，合法吗？", "第七条", "组织工会"),
    ("企业能不能把培训的钱挪走？", "第九条", "职工教育经费"),
    ("女职工被欺负了可以找谁？", "第十一条", "侵害"),
    ("园区有没有求助电话？", "第十二条", "热线"),
    ("残疾职工换了岗位有没有培训？", "第十三条", "转岗"),
    ("电焊工要怎样才能上岗作业？", "第十五条", "特种作业人员"),
    ("企业让职工签生死状，这个协议有效吗？", "第十七条", "免除"),
    ("职工帮着救火受伤了，有补助吗？", "第十九条", "扑救"),
    ("商铺着火了，店员要干什么？", "第二十一条", "工作人员"),
]
# (question, article, units the question must not be cut into, a unit it must keep)
TALK10 = [
    ("残疾职工转岗，企业该不该组织培训？", "第十三条", ["该不该"], "转岗"),
    ("职工教育经费这块，企业能挪用吗？", "第九条", ["这块"], "教育经费"),
    ("听说有人骗取困难补助，会怎样处理？", "第三条", ["有人"], "骗取"),
]

RULES11 = """职工服务中心办事规则
第一条 单位不得单方面变更职工的工作岗位。
第二条 单位变更职工的工作岗位，应当提前十日告知职工。
第三条 单位因生产经营困难需要调整工资的，应当与工会协商。
第四条 单位调整工资的，应当提前一个月公布。
第五条 单位延期支付工资的，最长不超过十五日。
第六条 单位支付工资时，应当向职工提供工资清单。
第七条 单位解除劳动合同的，按照职工的工作年限支付经济补偿。
第八条 单位解除劳动合同的，应当提前三十日书面通知职工。
第九条 职工领取生活补助期间重新就业的，停止领取生活补助。
第十条 职工领取生活补助，应当持本人身份证明到服务中心办理。
第十一条 职工可以向服务中心查询本人的互助金缴费记录。
第十二条 职工的互助金由服务中心统一管理。
第十三条 互助金待遇自职工入会之日起计算。
第十四条 互助金待遇的标准由理事会确定。
第十五条 职工的投诉，由用工所在地的服务站受理。
第十六条 服务站受理职工的投诉后，应当在十日内答复。
第十七条 女职工生育的，享受产假九十八天。
第十八条 女职工生育的，由服务中心发给慰问金。
第十九条 职工自愿放弃互助金的，应当书面声明。
第二十条 职工缴纳互助金有困难的，可以申请缓缴。
第二十一条 职工在停工留薪期内，原工资福利待遇不变。
第二十二条 职工因工受伤的，单位应当及时送医救治。
第二十三条 职工因公需要借款的，应当填写借款单。
第二十四条 职工需要填写的单据，由服务中心统一印制。
第二十五条 采购办公用品，应当向三家以上供应商询价。
第二十六条 采购办公用品，由行政部门统一办理。
第二十七条 劳动节期间安排职工工作的，支付百分之三百的工资报酬。
第二十八条 安排职工在休息日工作的，支付百分之二百的工资报酬。
"""
# (question, the article that answers, a word of the rule the question is looked for as)
WORDS11 = [
    ("单位不跟我商量就给我换岗位，能这样吗？", "第一条", "单方面"),
    ("单位说效益不好要调工资，要跟谁商量？", "第三条", "生产经营困难"),
    ("工资要晚点发，最长能晚多久？", "第五条", "延期支付"),
    ("单位解除合同，赔偿N按什么给？", "第七条", "经济补偿"),
    ("领生活补助期间重新就业了，还能接着领吗？", "第九条", "停止领取"),
    ("我想知道自己互助金交了多少，找谁？", "第十一条", "缴费记录"),
    ("互助金待遇从哪天开始算？", "第十三条", "之日起"),
    ("我在这边上班，投诉归哪个服务站受理？", "第十五条", "用工所在地"),
    ("女职工生孩子能休多少天？", "第十七条", "产假"),
    ("互助金我不想交了，可以吗？", "第十九条", "放弃"),
    ("工伤期间工资福利怎么算？", "第二十一条", "停工留薪期"),
    ("出差想先借点钱，要填什么单？", "第二十三条", "借款"),
    ("采购办公用品要不要货比三家？", "第二十五条", "询价"),
    ("五一安排上班，工资怎么算？", "第二十七条", "劳动节"),
]

# round → (file name, rules, everyday words, talk)
ROUNDS = {9: ("职工日常管理规定.txt", RULES9, WORDS9, TALK9),
          10: ("园区职工权益保障办法.txt", RULES10, WORDS10, TALK10),
          11: ("职工服务中心办事规则.txt", RULES11, WORDS11, [])}


@pytest.fixture(scope="module")
def answers(tmp_path_factory) -> dict[tuple[int, str], dict]:
    """``ask --json --explain`` of every question of a round, asked at once on its rule book."""
    found = {}
    for n, (name, rules, words, talk) in ROUNDS.items():
        db = ingested(tmp_path_factory.mktemp(f"domains{n}"), name, rules)
        questions = list(dict.fromkeys([*(q for q, _, _ in words), *(q for q, _, _, _ in talk)]))
        found.update({(n, q): a for q, a in asked(db, questions).items()})
    return found


@pytest.mark.parametrize(("round_", "question", "article", "says"),
                         [(n, *w) for n, (_, _, words, _) in ROUNDS.items() for w in words])
def test_everyday_words_are_looked_for_as_rules_say_them(answers, round_, question, article,
                                                         says) -> None:
    answered_looking_for(answers[round_, question], article, says)


@pytest.mark.parametrize(("round_", "question", "article", "never", "kept"),
                         [(n, *t) for n, (_, _, _, talk) in ROUNDS.items() for t in talk])
def test_question_talk_is_no_topic_word(answers, round_, question, article, never,
                                        kept) -> None:
    answer = answers[round_, question]
    assert not set(never) & set(units(answer)), units(answer)
    assert kept in units(answer), units(answer)
    assert articles(answer)[0] == article
