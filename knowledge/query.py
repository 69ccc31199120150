"""The first stage of a search: a question analysed into a :class:`Query`.

:class:`QueryBuilder` turns a question into what the ranking looks for, against one snapshot of
the index (a word the knowledge base lacks may be a typo of one it has): normalised text, jieba
words and character bigrams without filler words, expansions (synonyms; homophone and
near-spelling replacements for unknown words; an amount in the other script), the 第N条/章
references it names, and the content words as weighted :class:`Unit` objects. Staff's ways of
asking are read as rules write: question talk and modals are no topic words, an A-not-A question
is said once (结没结婚 → 结婚), a separable verb is joined (加了两天班 → 加班), a verb's direction
complement is left off (交上去 → 交), and a fragment jieba could not cut (打上卡), one of the
commonest words of the language (时候), a function word jieba's dictionary tags (一再, 曾经) or a
vague noun (东西) the documents never say weighs like a lone character, not like the rarest word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .analysis import Analyzer, homophone_chars, homophone_variants
from .index import FieldIndex, GramIndex
from .normalize import normalize
from .sections import chinese_number, find_references
from .text import is_cjk, number_pattern

if TYPE_CHECKING:
    from .search import SearchConfig

__all__ = ["ANSWER_TYPES", "HANDLING", "QUESTION_FORM", "QUESTION_TALK", "Query", "QueryBuilder",
           "Unit", "answer_types"]

_NUMERAL = "0-9一二三四五六七八九十百千万零〇两半"
# A thing's handling asked (旧公章怎么处理, 报废的车怎么处理): what is to be done with it, not
# what follows a breach (会怎么处理, 被…怎么处理), nor how a dispute is resolved (纠纷应当如何处理).
# (nor after 被 anywhere before it: 拿假票报销被发现了怎么处理 asks what follows being caught)
HANDLING = re.compile(r"^(?:(?!被).)*?(?<![会将被应当该])(?:怎么|咋)处理")
# What the question asks for → the kind of sentence that answers it (issue 16). Each row: the
# type, the question forms that ask for it, and what a sentence answering it says. The ranking
# favours paragraphs that say it (``SearchConfig.type_weight``), the excerpt the sentences.
ANSWER_TYPES: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(asks), re.compile(says)) for name, asks, says in (
        # 多少/几/多久/多长时间/期限/比例/标准 → a quantity or a duration (not 好几回, 那几天,
        # 前几天: several, those, a few days ago — as _MEASURE_ASKED reads them)
        ("quantity",
         (r"多少|多久|多长时间|多长|多大|多高|多远|(?<![那这后头好])(?<![^提]前)(?<!^前)几[天日年月个次回位人倍岁周号点种项家名]|(?<![那这后头好])几个|百分之几|期限|比例|"
          r"标准是|什么时候|啥时候|何时|哪天|哪一天|截止|最长|最短|最多|最少|至少|上限|下限|最晚|最迟|"
          r"怎么算|怎么计算|如何计算|咋算"),
         (rf"[{_NUMERAL}]+(?:个)?(?:工作日|日|天|个月|月|年|周|小时|分钟|%|％|元|倍|人|位|次|岁|"
          rf"公里|米|页|份|级|家)|[{_NUMERAL}]+个(?:以上|以下|以内)|百分之|千分之|[{_NUMERAL}]+[%％‰]"
          # … and a time of day, which 几点 asks (上午9:00, 下午五点半, 17时)
          r"|\d{1,2}[:：][0-5]\d|(?:\d{1,2}|[一二三四五六七八九十]{1,3})[点时](?![钟间期])")),
        # 什么时候/哪天/从什么时候开始 → also when a thing starts: 自入职当月起, 之日起 (a rule
        # says a start without a number; asked, a number answers it too: quantity)
        ("start",
         r"什么时候|啥时候|何时|哪天|哪一天|几号|几月",
         r"自[^。；]{1,20}?起|之日起|当[日月年]起|起(?:施行|执行|生效|实施|计算|缴纳|享受)"),
        # 从哪天到哪天/什么时间段/起止 → a period: 自…起…至…止, 1月1日至12月31日 (asked, it stands
        # for quantity: a sentence with any number is no answer to it)
        ("period",
         r"哪天到哪天|从什么时候到什么时候|什么时间段|哪段时间|起止|起讫|几号到几号|几月到几月",
         (rf"自[^。；]{{0,30}}起[^。；]{{0,30}}至|至[^。；]{{1,20}}止|起至|"
          rf"[{_NUMERAL}]+[日月号]?(?:至|到|—|-|~)[{_NUMERAL}]+[日月号]")),
        # 哪些/哪几种/有什么/包括/什么情况 → an enumeration
        ("list",
         r"哪些|哪几|几种|几类|几项|有什么(?!后果|区别|影响|用)|有哪|包括|包含|什么情况|什么情形|范围|列举",
         (r"下列|以下|如下|包括|[：:]\n|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\)"
          # three items A、B、C、 (each 1–12 characters): written from its first 、, with one
          # character before it, so the engine skips to the places that can start a match
          # (the same texts match as X{1,12}、X{1,12}、X{1,12}、; ~6× faster on a paragraph)
          r"|、(?<=[^、，。]、)[^、，。]{1,12}、[^、，。]{1,12}、"
          # … or three closed by 等 (公务接待费、公务用车购置和运行费、因公出国(境)费等)
          r"|、(?<=[^、，。]、)[^、，。]{1,12}、[^、，。等]{1,12}等"
          # … or four closed by 和/及/或 that a clause says what a thing is or has (差旅费，是指…
          # 城市间交通费、住宿费、伙食补助费和市内交通费; not its subject: 机关、团体、企业事业单位和
          # 其他组织应当…)
          r"|(?:是指|系指|指的是|分别是|分别为|即|有)[^，。；：]{0,40}?、[^、，。；]{1,12}、"
          r"[^、，。；和及或]{1,12}(?:和|及|以及|或者|或)[^、，。；]"
          # … or the kinds a rule divides a thing into (处分分为警告、记过、降职降薪和解除劳动合同四种)
          rf"|分为[^。；：:]{{1,40}}?[{_NUMERAL}]+[种类]")),
        # 能不能/可以…吗/是否/算不算 → a rule: 应当, 不得, 可以, 视为, 认定为
        ("rule",
         (r"能不能|可不可以|可以.*吗|能.*吗|是否|算不算|算.*吗|要不要|需不需要|需要.*吗|会不会|"
          r"必须.*吗|得.*吗|允许|让不让|行不行|有没有权"),
         # (and 不影响: 用人单位变更名称…不影响劳动合同的履行 answers 合同还算数吗)
         r"应当|不得|可以|视为|认定为|禁止|必须|有权|无权|不予|须|准予|(?<!不)允许|准许|不属于|属于|"
         # (and an employer's commitment not to: 公司不依照第四十五条的规定解除劳动合同,
         # 公司不以罚款等名义扣减工资, 公司不因员工投诉而对其调岗)
         r"不影响|(?:公司|用人单位|本单位|单位)不(?=依照|按照|以|因)"),
        # X有什么义务/有哪些职责/要遵守什么/必须做什么 → the duties binding X: 应当, 必须, 负责
        # (the word 义务 is the question's, not the rule's: 信访人…应当遵守法律、法规，不得…)
        ("duty",
         (r"(?:负有|有|要履行|需要履行|应当履行|应该履行|履行|要尽|尽到)些?(?:什么|哪些|啥|哪几项|哪几种)"
          r"(?:样的)?(?:义务|职责|责任)|的(?:义务|职责)(?:是什么|是啥|有哪些|有什么|包括哪些|包括什么)|"
          r"(?:要|需要|必须|应当|应该|得)遵守些?(?:什么|哪些|啥)|"
          r"(?:必须|应当|应该|要|需要|该|得)做些?(?:什么|哪些|啥)"),
         r"应当|必须|应该|负责(?!人)|负有|不得|禁止|义务|职责|(?<![必无])须"),
        # X有什么权利/有权…吗/可以要求什么 → what X may do: 有权, 享有, 可以, 有…的权利
        ("right",
         (r"(?:享有|享受|有)些?(?:什么|哪些|啥|哪几项|哪几种)(?:样的)?(?:权利|权益|权力)|"
          r"的权利(?:是什么|是啥|有哪些|有什么|包括哪些|包括什么)|有权(?!益)[^，,。？?]*[吗么]|"
          r"(?:可以|能)要求(?:些)?(?:什么|哪些|啥)"),
         r"有权|享有|享受|可以|权利"),
        # X不能做什么/不许/禁止…哪些行为 → what X must not do: 不得, 禁止, 严禁 (+ 下列行为)
        ("ban",
         (r"(?:不能|不可以|不许|不准|不得|禁止|严禁)[^，,。？?]{0,12}(?:什么|哪些|啥)|"
          r"哪些(?:行为|事情?)(?:是)?(?:被)?(?:禁止|不允许|不得|不能)"),
         r"不得|禁止|严禁|不准|不许"),
        # 谁/哪个部门/由谁 → an agent (and 哪个领导 of 请假要哪个领导批: who approves; not 哪位
        # 领导者 / 领导人, a person of history DRCD asks about)
        ("agent",
         (r"谁|哪个部门|哪个机关|哪个单位|哪一级|哪级|什么部门|什么机关|哪个机构|找哪|向哪|去哪|(?<!在)哪里|"
          r"哪(?:个|位|一位|级)领导(?![者人])|什么领导(?![者人])"),
         (r"由[^，。；]{1,20}(?:负责|确定|批准|审批|决定|认定|管理|领导|制定|组织|受理|办理|"
          r"承担|负担|支付)|部门|机关|人民政府|委员会|负责人|领导|机构|"
          # who pays said as the account a cost is booked to (钱从哪里出 → 在生产成本中列支)
          r"(?:成本|经费|费用)中[^。；]{0,6}列支|列入[^。；]{0,10}(?:成本|预算)")),
        # 怎么办/会怎么样/有什么后果/怎么处罚 → procedures and consequences (said as staff say
        # them too: 咋办, 咋整, 会咋样, 咋处理; 会被 with a sanction: 会被罚, 会被开除; 会被挪用,
        # 会被公开 ask whether a thing is done, a rule; 有什么责任 without 法律 asks a duty)
        ("consequence",
         (r"怎么办|会怎么样|会怎样|后果|怎么处罚|如何处罚|怎么处理|如何处理|处罚|罚款|会被(?:罚|开除|辞退|解雇|处分|追究|追责|问责|拘留|拘|抓|判|起诉|逮捕|吊销|处理|查处|扣|通报|没收|公安|法院)|追究|"
          r"(?<!有什么)(?<!有哪些)(?<!有啥)(?<!有些什么)责任|赔偿|要怎么做|应该怎么做|该怎么做|罚|咋办|咋整|咋弄|"
          r"会咋样|咋处理|怎么整|咋搞|怎么搞|"
          # the sanction asked by its name: 受什么处分, 给什么处理, 挨什么处罚
          r"(?:受|受到|给|给予|挨|吃|背)(?:个|了)?(?:什么|啥|哪种|何种|怎样的)(?:样的)?(?:处分|处理|处罚|惩罚|惩戒)"),
         # (and an exclusion: 列入不合格供应商名单, 三年内不得参加…, 取消…资格; and the sanctions
         # an office's own rules give its staff by name: 给予记过, 降职降薪, 通报批评)
         r"责令|罚款|处分|处罚|追究|赔偿|滞纳金|吊销|没收|警告|拘留|补缴|改正|承担|"
         r"记过|记大过|降级|降职|降薪|撤职|开除|除名|留用察看|通报批评|"
         r"列入[^。；]{0,12}名单|取消[^。；]{0,20}资格|[年月日]内不得(?:参加|参与|承接|申请|再次)|"
         # (and what a proceeding does to a side that stays away: 视为撤回仲裁申请, 缺席裁决)
         r"视为(?:撤回|放弃)|缺席(?:裁决|判决)|"
         # (and what is enforced by a court: 申请支付令, 申请人民法院强制执行)
         r"支付令|强制执行"),
        # 怎么办/该怎么做/X怎么处理 → also what is to be done: 立即断开网络，并在1小时内报告 (a rule says
        # the steps with 立即/及时, 报告, 采取…措施, 启动…预案)
        ("procedure",
         (r"怎么办|怎么做|咋办|咋整|咋弄|咋做|怎么整|咋搞|怎么搞|该干嘛|该干啥|要干嘛|要干啥|[要该得]做(?:些)?(?:什么|啥)|"
          # a thing's handling asked (旧公章怎么处理), not what follows (会怎么处理)
          + HANDLING.pattern),
         r"立即|及时|报告|采取[^。；]{0,12}措施|启动|通知"),
        # 走什么流程/要什么手续/怎么申请 → the steps of getting a thing done: what to fill in,
        # submit, who signs or approves (使用公章应当填写《用印审批单》，经…签字后方可用印)
        ("steps",
         (r"什么(?:样的)?(?:流程|手续|程序)|啥(?:流程|手续|程序)|(?:流程|手续|程序)是(?:什么|啥|怎样)|"
          r"(?:怎么|如何|怎样|咋)(?:申请|办理|报名|申领|登记|报批)"),
         (r"填写|填报|提交|申请|审批|批准|签字|签批|审核|备案|登记|办理|预约|"
          r"经[^。；]{1,20}?(?:同意|批准|签字|审批|审核)")),
        # 在哪里/什么地方 → a place: 图书馆三楼, 行政楼305, 位于…, a town (not who: 哪里 alone
        # is 去哪里办)
        ("place",
         r"在哪|什么地方|哪个地方|哪栋|哪层|几楼",
         (rf"[{_NUMERAL}]+[楼层]|楼[{_NUMERAL}]+|[{_NUMERAL}]+(?:室|号楼|号院)|房间|地址|地点|"
          # (not the office's own 办公区 or 市内, which say no place asked for)
          r"[路街道巷][0-9一二三四五六七八九十]+号|位于|[省县州镇村岛]|(?<!办公)(?<!工作)区|"
          r"市(?![内外场])")),
    ))

# A quantity asked with a bound (最少几位, 最长多久) is answered by a limit in that direction: rules
# state limits as 不得少于10位, 不少于六个月, 3天以上 (a least) or 不超过24个月, 60日内 (a most),
# and a deadline asked (多长时间内) as a span within (一个月内).
# Each row: the bound, the question forms that ask for it, what a sentence stating it says.
BOUNDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = tuple(
    (name, re.compile(asks), re.compile(says)) for name, asks, says in (
        ("least", r"最少|至少|最低|起码|下限|不少于|不低于",
         rf"不得少于|不少于|不低于|不得低于|至少|最低|[{_NUMERAL}]+\S{{0,3}}以上"),
        # (and a time after which a thing can no longer be done: 过多久就不能告了, 多久以后就失效)
        ("most", (r"最多|最长|最高|上限|顶多|最晚|最迟|不超过|过了?多久|过了?多长时间|"
                  r"(?:多久|多长时间|几年|几个月|几天)(?:之后|以后|后)?就(?:不能|不可以|不行|没|过期|失效|作废)"),
         (rf"不超过|不得超过|不得长于|最长|最多|最高|最迟|上限|[{_NUMERAL}]+\S{{0,3}}(?:以内|以下)|"
          # … and a period a rule sets (申请仲裁的时效期间为一年, 答复期限为15日)
          rf"(?:期限|期间|时效)为[{_NUMERAL}]|"
          rf"[{_NUMERAL}]+(?:个)?(?:工作日|日|天|个月|月|年|周|小时)内")),
        # a time asked as a deadline (多长时间内, 几天之内): a span said with 内 (一个月内, 15日以内),
        # not a span passed (超过一个月未订立…的, what follows a deadline missed)
        ("within",
         (r"(?:多长时间|多长时候|多久|多少天|几天|几日|多少日|几个月|多少个?月|几个工作日|多少个?工作日|"
          r"几周|几年|多少年)(?:之内|以内|内)"),
         rf"[{_NUMERAL}]+(?:个)?(?:工作日|日|天|个月|月|年|周|星期|小时)(?:之内|以内|内)|"
         rf"(?:期限|期间|时效)为[{_NUMERAL}]"),
    ))

# A list asked names what is to be listed (哪些事项, 什么情况下); a rule's lead-in names what its
# items are (对下列事项实施监察：, 有下列情形之一的). Rules call a case 情形 where staff say 情况,
# and the aspects asked (查哪些方面) 下列事项 or 下列情况.
_LIST_ASKED = re.compile(r"哪些|哪几[种类项个]?|什么")
# … or its kinds (有哪几种, 分几类), which a rule divides: 分为以下五种, 分为三类, 有下列四种
_KINDS_ASKED = re.compile(r"哪几[种类]|几[种类]|哪些(?:种类|类型|类别)|什么(?:种类|类型)")
_DIVIDED = rf"(?:分为|分成|划分为|(?:以下|下列|如下)[{_NUMERAL}]*[种类])"
_CLAUSE_END = re.compile(r"[，。；：？！?!,;:]")
LISTED_AS = {"情况": ("情形",), "情形": ("情况",), "方面": ("事项", "情况", "内容")}
# … as the last word of the lead-in's noun (下列个人信息保护职责 lists duties, not 个人信息): what
# follows it ends the noun, or is the verb a lead-in puts after it (对下列事项实施监察), or the
# decision it is (拟作出下列行政处罚决定 lists the penalties: 哪些处罚).
_LEAD_END = r"(?=之一|的|[：:，,、；;\n]|$|实施|进行|予以|作出|适用|不得|应当|可以|由|按照|依照|决定)"


@dataclass(frozen=True)
class Unit:
    """One content word of the question, as the rerank and the excerpt look for it in text.

    ``alternatives`` stand in for the whole word (synonyms, homophones, near spellings);
    ``grams`` lists, per bigram of the word, that bigram and its homophones, so that a word
    matched only in part (a typo, a longer compound) still counts in part.
    """

    text: str
    weight: float
    alternatives: tuple[str, ...] = ()
    grams: tuple[tuple[str, ...], ...] = ()
    parts: tuple[str, ...] = ()      # its sub-words: 选拔干部 → 选拔, 干部
    # the words of each phrase alternative: 订立劳动合同 → 订立, 劳动合同
    alternative_parts: tuple[tuple[str, ...], ...] = ()

    def match(self, text: str) -> float:
        whole = number_pattern(self.text)   # a number is said whole (5 is not in 15天)
        if (whole.search(text) if whole is not None else self.text in text):
            return 1.0
        for alternative in self.alternatives:
            if alternative in text:
                return 0.9
        score = 0.0
        if self.parts:
            found = sum(1 for part in self.parts if part in text)
            if found == len(self.parts):
                return 0.85  # every sub-word, just not side by side (选拔…干部)
            score = 0.7 * found / len(self.parts)
        for parts in self.alternative_parts:
            if all(part in text for part in parts):
                return 0.8  # a phrase alternative's words, not side by side (订立书面劳动合同)
        if len(self.grams) >= 2:
            found = sum(1 for options in self.grams if any(g in text for g in options))
            score = max(score, 0.7 * found / len(self.grams))
        return score


# Where a question's clauses end (Query.clauses): not at 、 (a list in one clause) nor at "."
# (2.5天); 。 is kept by normalize.
_CLAUSE_MARKS = re.compile(r"[,，;；。?？!！/]")


@dataclass(frozen=True)
class Query:
    """An analysed question: weighted terms per field and how they were found (for explain)."""

    text: str
    normalized: str
    words: dict[str, float]
    grams: dict[str, float]
    units: list[Unit]
    expansions: dict[str, list[str]] = field(default_factory=dict)
    references: list[tuple[str, int]] = field(default_factory=list)   # 第三条 → ("条", 3)
    asks: tuple[str, ...] = ()       # what it asks for: ANSWER_TYPES names (quantity, list…)
    talk: tuple[str, ...] = ()       # question talk left out of the units (QUESTION_TALK, 能领)

    @cached_property
    def answer_patterns(self) -> tuple[re.Pattern[str], ...]:
        """What a sentence answering it says (one pattern per asked-for type)."""
        return tuple(says for name, _, says in ANSWER_TYPES if name in self.asks)

    @cached_property
    def asks_penalty(self) -> bool:
        """Is what befalls the asker the only thing asked (会怎么样, 罚多少, 会被查封吗): a
        consequence, and neither who (责任人是谁) nor what to do (该怎么做)?"""
        return "consequence" in self.asks and not {"agent", "procedure"} & set(self.asks)

    @cached_property
    def asks_todo(self) -> bool:
        """Is what to do (怎么办, 咋整) the only consequence asked: the question's consequence
        form is its procedure form (预算超了怎么办), not 会怎样, 怎么处罚, 后果…?"""
        if "procedure" not in self.asks or "consequence" not in self.asks:
            return False
        forms = {name: asks for name, asks, _ in ANSWER_TYPES}
        return not forms["consequence"].search(forms["procedure"].sub("", self.normalized))

    def says_answer(self, text: str) -> bool:
        """Does ``text`` say the kind of thing the question asks for (a number, a rule…)?"""
        return any(p.search(text) for p in self.answer_patterns)

    @cached_property
    def bound_patterns(self) -> tuple[re.Pattern[str], ...]:
        """A quantity asked with a bound (最少几位): how a limit in that direction is said."""
        if "quantity" not in self.asks:
            return ()
        return tuple(says for _, asks, says in BOUNDS if asks.search(self.normalized))

    @cached_property
    def measure_pattern(self) -> re.Pattern[str] | None:
        """A count asked in a measure (几天, 几家): a number in that measure (:func:`measure_asked`)."""
        return measure_asked(self.normalized) if "quantity" in self.asks else None

    def says_bound(self, text: str) -> bool:
        """Does ``text`` state the limit the question asks about (不得少于 for 最少), and a number
        in the measure a count is asked in (几天 → 三日前; 不少于二人 says no number of days)?
        True when the question asks for neither."""
        return all(p.search(text) for p in self.bound_patterns) and (
            self.measure_pattern is None or self.measure_pattern.search(text) is not None)

    @cached_property
    def listed(self) -> tuple[re.Pattern[str], ...]:
        """A list asked: the lead-ins that announce a list of what it names (哪些事项 → 下列事项,
        哪些情况 → 下列情形): one pattern per content word said after 哪些/什么 in its clause."""
        if "list" not in self.asks:
            return ()
        asked = _LIST_ASKED.search(self.normalized)
        if asked is None:
            return ()
        tail = _CLAUSE_END.split(self.normalized[asked.end():], 1)[0]
        words = [w for u in self.units if len(u.text) >= 2 and u.text in tail
                 for w in (u.text, *u.alternatives, *LISTED_AS.get(u.text, ()))]
        if _ACTS_ASKED.search(self.normalized):
            words += ACTS_LISTED
        if not words and _KINDS_ASKED.search(self.normalized):
            # X有哪几种 / X分几类: the kinds of what is said before it, which a rule divides
            # (奖励分为以下五种：, 会议分为三类：)
            head = _CLAUSE_END.split(self.normalized[:asked.start()])[-1]
            kinds = [w for u in self.units if len(u.text) >= 2 and u.text in head
                     for w in (u.text, *u.alternatives)]
            return tuple(re.compile(rf"{re.escape(w)}[^，。；：:\n]{{0,6}}?{_DIVIDED}")
                         for w in dict.fromkeys(kinds))
        return tuple(re.compile(rf"(?:下列|以下)[^，。；：:\n]{{0,8}}?{re.escape(w)}{_LEAD_END}")
                     for w in dict.fromkeys(words))

    def lists_asked(self, text: str) -> bool:
        """Does ``text`` announce a list of what the question asks to be listed?"""
        return any(p.search(text) for p in self.listed)

    @cached_property
    def clauses(self) -> int:
        """How many clauses of the question hold one of its content words (split at
        :data:`_CLAUSE_MARKS`: commas, semicolons, question and exclamation marks, full stops,
        slashes): one for 动产质权什么时候设立 and for 邻居的树影响我家，怎么办 (怎么办 holds
        none), two for 如果承包方擅自改变土地用途，发包方可以解除合同吗."""
        held = sum(1 for clause in _CLAUSE_MARKS.split(self.normalized)
                   if any(unit.text in clause for unit in self.units))
        return max(held, 1)

    @cached_property
    def content(self) -> str:
        """The question's content words in order, for fuzzy comparison with sentences."""
        return "".join(u.text for u in self.units)

    @cached_property
    def _stand_ins(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each unit with its alternatives, the longest first (the closest wording wins)."""
        return tuple((u.text, tuple(sorted(u.alternatives, key=len, reverse=True)))
                     for u in self.units)

    def content_as(self, text: str) -> str:
        """:attr:`content` as ``text`` could have said it: a unit ``text`` does not say gives
        way to the alternative it says (不给交 → 未按规定缴纳, 失业保险 → 社会保险费)."""
        if not any(alternatives for _, alternatives in self._stand_ins):
            return self.content
        said = []
        for word, alternatives in self._stand_ins:
            if alternatives and word not in text:
                word = next((a for a in alternatives if a in text), word)
            said.append(word)
        return "".join(said)

    @cached_property
    def mass(self) -> float:
        return sum(u.weight for u in self.units) or 1.0

    def cover(self, text: str) -> float:
        """Share (0–1) of the question's weighted content words that ``text`` contains."""
        return sum(u.weight * u.match(text) for u in self.units) / self.mass

    @cached_property
    def highlight_terms(self) -> list[str]:
        """The spellings to highlight in an excerpt, each once."""
        terms = [u.text for u in self.units if len(u.text) >= 2 or not is_cjk(u.text[0])]
        terms += [w for w in self.words if len(w) >= 2]
        for unit in self.units:
            terms.extend(unit.alternatives)
            terms.extend(p for parts in unit.alternative_parts for p in parts)
            if len(unit.grams) >= 2:
                terms.extend(g for options in unit.grams for g in options)
        return [t for t in dict.fromkeys(terms) if t]

    def to_json(self) -> dict:
        return {"normalized": self.normalized, "words": self.words, "grams": self.grams,
                "units": [{"text": u.text, "weight": round(u.weight, 3),
                           "alternatives": list(u.alternatives)} for u in self.units],
                "expansions": self.expansions, "asks": list(self.asks), "talk": list(self.talk)}

# How a duty, a right or a prohibition is asked (有什么义务, 有哪些职责, 享有什么权利, 不能做什么):
# question talk, cut off before jieba so that the party is one word (信访人有什么义务: not
# 信访|人有), and no topic word — a rule says 应当/不得/有权, seldom 义务 (ANSWER_TYPES duty,
# right, ban). A party's own name keeps it (扣缴义务人), and so do 法律责任 (a consequence) and a
# named kind of duty (告知义务, 审查义务是什么: the term asked about).
_OBLIGATION_TALK = re.compile(
    r"(?:负有|享有|享受|有|要履行|需要履行|应当履行|应该履行|履行|要尽|尽到)些?(?:什么|哪些|啥|哪几项|哪几种)"
    r"(?:样的)?(?:义务|职责|责任|权利|权益|权力)|的(?:义务|职责|权利)(?:是什么|是啥|有哪些|有什么|"
    r"包括哪些|包括什么)|(?:不能|不可以|不许|不准|不得|禁止|严禁)(?:做|干|搞|提|有)?些?(?:什么|哪些|啥)"
    r"|(?:不能|不可以|不许|不准)(?=[^，,。？?]{1,12}(?:做|干|搞)些?(?:什么|啥|哪些))"
    r"|(?<=[^，,。？?]{2})(?:做|干|搞)些?(?:什么|啥|哪些)")
OBLIGATIONS = frozenset({"duty", "right", "ban"})
_SCOPE_END = re.compile(r"(在[^,，。？?]{2,12}?)(?:方面|上|中)(?=,)")


def without_obligation_talk(text: str) -> str:
    """``text`` with the ways a duty, right or prohibition is asked (有什么义务, 不能做什么) cut
    out, when it asks one; else ``text``."""
    if OBLIGATIONS.isdisjoint(answer_types(text)):
        return text
    # (and the field it is asked in, 在安全生产上/方面, is said by the rule without 上/方面)
    return _SCOPE_END.sub(r"\1", _OBLIGATION_TALK.sub(",", text))


# A whole word that only says what kind of answer is wanted.
QUESTION_FORM = re.compile(
    "(?:" + "|".join(asks.pattern for _, asks, _ in ANSWER_TYPES) + r")[吗呢啊]?"
    r"|最[多少长短高低]|哪几[种类项个]|几[种类项个]|一共|总共|几|多|哪|什么|怎么|怎样|如何|为什么"
    r"|啥|咋|咋样|干嘛|干啥|为啥")


# Question talk (issue 16): words a staff member's question is phrased with that no rule says,
# so that a paragraph lacking them lacks nothing the question is about. Four kinds: who is asking
# or meant (我, 自己, 别人, 对方); the time and place of asking (今年, 现在, 的话, 这样); asking
# for a judgement (合法吗, 行吗, 正常); and everyday handling verbs a rule says in its own terms
# (拿/掏/给/出 → 支付, 承担; 找 → 向…申请; 干活, 活儿 → 作业; 钱 → 费用, 工资; 回来, 过去, 跑). When the knowledge
# base never says one, a paragraph lacking it lacks nothing: it is no topic word of the question.
# (One it says keeps its weight: 现在, 正常 are topic words of an encyclopedia.)
QUESTION_TALK = frozenset("""
    我 我们 咱 咱们 俺 你 你们 您 他 她 他们 她们 人家 自己 别人 别的 对方 大家 才 刚 刚刚
    直接
    这 那 这里 那里 这儿 那儿 这样 那样 这么 那么 这种 那种 这事 这个事 的话 现在 今天 明天
    昨天 今年 明年 去年 最近 平时 一直 还有 还能 还要 到底 究竟 真的 随便 一般 其实 反正 总是
    就是 只是 还是 然后 而且 结果 老是 这算 那算 这算是 那边 这边 那阵子 这阵子 一点儿 一下 好几 好几次 好几回
    天天 成天 整天 实在 大概 大约 差不多 马上 立马 赶紧 顺便 一起 一块儿 跟着 最后 后来 万一
    突然 居然 竟然 难道 看看 看见 看到 告诉 清楚 说清楚 觉得 感觉
    有人 死活 早就 帮着 这块 那块 不太会 不了 接下来
    活 活儿 跑 跑去 跑一趟 不用 能比
    合法 合理 正常 违法吗 合法吗 行吗 行 可以吗 对吗 没事 没问题 有问题 靠谱 吃亏 划算
    拿 掏 给 出 看 找 走 弄 搞 办 干 干活 干吗 交钱 要钱 钱 掏钱 出钱 花钱 说 讲 问 让 叫 告
    回来 回去 过来 过去 出去 进来 跟 和 同 每个 这个 那个 哪个 每次 这次 那次 比如 比方说 譬如
""".split())
# The askers and the persons a question is asked of (我, 自己, 大家; not 别人, 对方, who are often
# what is asked about: 借给别人): an FAQ pair's question is asked with them as staff ask theirs
# (宿舍可以自己做饭吗), so where only pairs' questions say one it is talk there too (faq_talk).
ASKER_TALK = frozenset("我 我们 咱 咱们 俺 你 你们 您 他 她 他们 她们 人家 自己 大家".split())
# The things and matters a question points at without naming them (有毒东西, 这件事情): where the
# knowledge base never says one it weighs like a lone character, as a fragment does (not
# dropped: 被什么东西取代 asks what the thing is).
VAGUE_WORDS = frozenset("东西 事情 事儿".split())
# The modals and intentions a question is asked with (要, 能, 该, 才能, 打算; 算 of 算旷工; 之内
# of 多久之内; 让 of 领导让我; 行 of 这样行吗): a rule says them as 应当, 可以, 按…处理, 以内,
# 安排, 不得. Unlike the talk above they are no topic word even where the knowledge base happens
# to say one (要 once, in a list): a paragraph lacking them lacks nothing the question is about.
MODAL_TALK = frozenset("要 能 会 该 想 才能 打算 准备 算 之内 让 行 去 来 该不该 应不应该 需不需要".split())
# A-not-A questions (结没结婚, 打不打算, 交没交社保, 合不合法): the verb said twice around 不/没
# and then finished. Cut as written, they leave halves (结, 打不) that weigh like the rarest words;
# the question asks about the finished verb (结婚, 打算, 交社保). A form that ends the clause
# (能不能？, 行不行) is left alone, and so is a modal's (能不能报, 是不是工伤, 算不算): it asks for a
# rule (ANSWER_TYPES), is no topic word, and said once would glue onto the verb after it.
_A_NOT_A = re.compile(r"([^\W\d_a-zA-Z能可是有要会行对好算该需准让用给])[不没]\1(?=[\u4e00-\u9fff])")


# 给不给 before a verb (路费给不给报, 给不给交社保) only asks whether the act is done: said once,
# jieba glues its 给 onto the verb (给报, 给交), a word no rule says; the verb alone is asked about
# (a space stands in for it, so that the words around it are not glued either: 公司|出钱).
_GIVE_ASKED = re.compile(r"给[不没]给(?=[\u4e00-\u9fff])")


# "Usually", said just before what is asked (一般多久能批下来, 通常要几天, 正常情况下多少钱): the
# question's manner, never its topic — though rules say 一般 elsewhere (一般规定, 一般不超过).
_USUALLY = re.compile(r"(?:一般来说|一般情况下|正常情况下|一般|通常|正常)[，,]?"
                      r"(?=(?:要|需要|得|是|会|能|可以)?(?:多久|多长|多少|几|怎么|如何|什么时候|啥时候|哪天))")


# What an employer or a worker "did" asked as a list (公司做了哪些事, 员工干了什么事, 犯了哪些错):
# rules list the cases (有下列情形之一的) or acts (有下列行为之一的), never 做…事. Read as 哪些情形:
# the verb and 事 are no topic words, and the lead-ins of 情形 and 行为 announce the list asked.
# (A ban asked, 不许做哪些事, is read as one first: _OBLIGATION_TALK.)
_ACTS_ASKED = re.compile(r"(?:做|干|搞|办)了?(?:些)?(?:哪些|什么|啥)(?:样的)?(?:事情|事儿|事)"
                         r"|犯了?(?:些)?(?:哪些|什么|啥)(?:样的)?(?:错误|错)")
ACTS_LISTED = ("情形", "行为")


# A negated verb of one character before 会 asking what follows (没交会怎么样, 不还会怎样, 不去会
# 被罚吗): jieba glues the verb onto 会 (交会, 还会) and the question loses what was not done. Cut
# apart before jieba.
_NOT_DONE_THEN = re.compile(r"([不没未][\u4e00-\u9fff])(?=会(?:怎么样|怎样|咋样|不会|被|有什么))")


def unglued_not_done(text: str) -> str:
    """``text`` with 没交会怎么样 cut as 没交 / 会怎么样 (:data:`_NOT_DONE_THEN`)."""
    return _NOT_DONE_THEN.sub(r"\1 ", text)


def without_acts_talk(text: str) -> str:
    """``text`` with 做了哪些事 read as 哪些情形 (:data:`_ACTS_ASKED`)."""
    return _ACTS_ASKED.sub("哪些情形", text)


def without_usually(text: str) -> str:
    """``text`` without a "usually" said before what it asks (一般多久 → 多久)."""
    return _USUALLY.sub("", text)


def without_a_not_a(text: str) -> str:
    """``text`` with its A-not-A forms said once (结没结婚 → 结婚, 可不可以 → 可以) and its
    给不给 before a verb left out (给不给报 → 报)."""
    return _A_NOT_A.sub(r"\1", _GIVE_ASKED.sub(" ", text))


# Separable verbs (离合词) said with an amount between their halves: 加了三天班, 出了趟差, 值了两
# 天班. Rules say the verb whole (加班, 出差); cut as written the question has only 加 and 班.
# An amount is kept, after the verb (加班三天); a bare measure word (出了趟差) is not. 请/休…假
# is left split: its 假 already matches every kind of leave (丧假, 年假), where 请假 would find
# only the articles on asking for leave.
_SEPARABLE = {"加": "班", "值": "班", "出": "差", "签": "字"}
_AMOUNT = "0-9一二三四五六七八九十两几半多"
_SPLIT_VERB = re.compile(
    rf"([{''.join(_SEPARABLE)}])((?:了|过|个|完)?(?:[{_AMOUNT}]+个?(?:天|日|周|星期|礼拜|月|年|次|趟|"
    rf"回|小时|晚上?)?|趟|次|个)的?)([班差字])")


def joined_verbs(text: str) -> str:
    """``text`` with its separable verbs joined (加了三天班 → 加班三天, 出了趟差 → 出差)."""
    def join(m: re.Match[str]) -> str:
        if _SEPARABLE[m.group(1)] != m.group(3):
            return m.group(0)
        amount = m.group(2) if re.search(f"[{_AMOUNT}]", m.group(2)) else ""
        return m.group(1) + m.group(3) + amount
    return _SPLIT_VERB.sub(join, text)


# Characters a question glues onto a word it did not know (jieba's guess for an unknown
# sequence): 能领, 我能, 最多能, 要开, 能报吗, 报掉, 来批 → 领, 最多, 开, 报, 批. A modal, a
# pronoun, a particle, a verb of direction (来, 去) or a verb's result (完, 掉).
_GLUED_HEAD = "我你他她是能要会可想该得才还再都就也只没不让来去"
_GLUED_TAIL = "吗呢吧啊呀了么的完掉能要会没"
_HEAD_NOT_NEGATION = _GLUED_HEAD.replace("不", "").replace("没", "")


# Function characters: places (上 of 打上卡, 里 of 工资里扣), measures (个 of 交个税, 每),
# adverbs (先撤, 多休, 再, 还), the passive and object markers, and the characters a question
# glues onto words (_GLUED_HEAD, _GLUED_TAIL). A run jieba could not cut that has one is a
# phrase cut in the wrong place (QueryBuilder._fragment).
_FUNCTION_CHARS = frozenset("上下里前后内外中个每先多少再又还都就才被把给将算" + _GLUED_HEAD
                            + _GLUED_TAIL)


# How often jieba's dictionary counts the commonest words of the language (about 360: 时候,
# 因为, 知道, 已经, 需要): the talk a question is told in. Rarer words the knowledge base lacks
# are what an off-topic question is about (天气 2,657, 食堂 660; at 5,000, 喜欢 and 名字 counted
# as talk and bench/calibration.py's off-topic questions declined 88.5 → 84.3 %).
EVERYDAY_COUNT = 20000

# A word jieba's dictionary counts this rarely (公伤 3, against 工伤 63) may be a pinyin typo of
# a homophone the documents use, when the dictionary counts that one TYPO_RATIO times as often.
RARE_WORD_COUNT = 5
TYPO_RATIO = 10
# … and up to this often (中点 29, against 重点 12,694) when the phrase around it says so
PHRASE_TYPO_COUNT = 200


# An amount as a question says it (三天, 一个月, 15年) and as rules write it: office rules in
# digits (3天, 1个月), statutes in Chinese numerals (三十日, 十五年), either with 日 for 天 and
# 周岁 for 岁, 个 for 家 (三家 供应商 → 三个以上供应商).
_AMOUNT_WORD = re.compile(
    r"([0-9]+|[零一二三四五六七八九十两百]+)(个)?(工作日|天|日|周|星期|月|年|小时|分钟|次|倍|元|周岁|岁|家)")


def _in_chinese(n: int) -> str:
    """12 → 十二, 30 → 三十, 105 → 一百零五 (n < 1000)."""
    digits = "零一二三四五六七八九"
    hundreds, tens, ones = n // 100, n // 10 % 10, n % 10
    out = f"{digits[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones or not n else "")


def amount_forms(text: str) -> list[str]:
    """The other ways rules write the amount ``text`` (三天 → 3天, 3日; 30日 → 三十日, 三十天);
    [] for a text that is no amount."""
    found = _AMOUNT_WORD.fullmatch(text)
    if not found:
        return []
    number, ge, measure = found.groups()
    n = chinese_number(number)
    if n is None or not 0 < n < 1000:
        return []
    measures = {measure, *({"天", "日"} if measure in ("天", "日") else ()),
                *({"岁", "周岁"} if measure in ("岁", "周岁") else ()),
                *({"个"} if measure == "家" else ())}
    numbers = {_in_chinese(n)} if number.isdigit() else {str(n)}
    if measure == "家":     # (三家 → 三个 too: the measure differs, not the script)
        numbers.add(number)
    return sorted({f"{x}{ge or ''}{m}" for x in numbers for m in measures} - {text})


# Everyday lengths of time (一个星期, 两个礼拜, 三周, 半个月): rules write them in weeks or days
# (一周, 7天, 十四日, 15天); jieba cuts the everyday form apart (一个 / 星期, 半个 / 月).
_DURATION = re.compile(r"([0-9]+|[一二两三四五六七八九十]+)个?(?:星期|礼拜|周)(?![一二三四五六日天末])|半个?月")


def duration_forms(text: str) -> dict[str, list[str]]:
    """Each everyday length of time in ``text`` → how rules write it (一个星期 → 一周, 1周,
    7天, 7日, 七天, 七日; 半个月 → 15天, 十五日 …)."""
    out: dict[str, list[str]] = {}
    for m in _DURATION.finditer(text):
        if m.group(1) is None:
            days, weeks = 15, None
        else:
            weeks = int(m.group(1)) if m.group(1).isdigit() else chinese_number(m.group(1))
            if not weeks or weeks > 52:
                continue
            days = 7 * weeks
        forms = {f"{days}天", f"{days}日", f"{_in_chinese(days)}天", f"{_in_chinese(days)}日"}
        if weeks:
            forms |= {f"{weeks}周", f"{'两' if weeks == 2 else _in_chinese(weeks)}周"}
        out[m.group(0)] = sorted(forms - {m.group(0)})
    return out


# An amount said loosely (两个多月, 十多天, 二十多个月: more than it): rules write the bound, 2个月以上,
# 10天以上. Only a number, 多 and the measure (两个多月, 十多天), not 多少, 多久, 三年多.
_LOOSE_AMOUNT = re.compile(r"([0-9]+|[一二两三四五六七八九十]+)(?:个多月|多个月|多(年|天|日|周))")


def loose_amount_forms(text: str) -> dict[str, list[str]]:
    """Each amount said loosely in ``text`` → how rules write its bound (两个多月 → 2个月以上,
    二个月以上; 十多天 → 10天以上, 十天以上)."""
    out: dict[str, list[str]] = {}
    for m in _LOOSE_AMOUNT.finditer(text):
        n = int(m.group(1)) if m.group(1).isdigit() else chinese_number(m.group(1))
        if not n or n >= 1000:
            continue
        unit = m.group(2) or "个月"
        out[m.group(0)] = [f"{n}{unit}以上", f"{_in_chinese(n)}{unit}以上"]
    return out


# A rate said with 一 (一周要上多少个钟头, 一年能休几天, 一个月能领多少): asked with a quantity it
# means "each" — rules write it 每周, 每年, 每月 (每周工作40小时). Said without asking a quantity
# (请了一个月事假, 一个月迟到三次会怎么样) it is a length or a span, left as it is; nor is the 一 of
# an ordinal or a number (第一天, 十一天).
_RATE = re.compile(r"(?<![第十百千万零〇几每\d])一个?(星期|礼拜|周|月|年|天|日|晚上|晚|夜)"
                   r"(?![一二三四五六日天末底初中间里])")
_EACH = {"星期": ("每周", "每星期"), "礼拜": ("每周",), "周": ("每周",), "月": ("每月", "每个月"),
         "年": ("每年",), "天": ("每天", "每日"), "日": ("每日", "每天"),
         "晚上": ("每天", "每日", "每晚"), "晚": ("每天", "每日", "每晚"),
         "夜": ("每天", "每日", "每晚")}
# A night asked a rate of (住酒店一晚上能报多少钱) is a day to a rule (住宿费每人每天): its 晚上
# is not the evening a rule names (晚上十一点后不得喧哗), so the night's words stand for the
# rate alone (:func:`night_rates`), where a month's 一个月 may well be a rule's own.
_NIGHT = frozenset(("晚上", "晚", "夜"))


def night_rates(rates: dict[str, list[str]]) -> frozenset[str]:
    """The rates of a night among ``rates`` (:func:`rate_forms`' spans: 一晚上, 一夜)."""
    return frozenset(span for span in rates if _RATE.match(span).group(1) in _NIGHT)


def rate_forms(text: str) -> dict[str, list[str]]:
    """Each rate said with 一 in ``text`` → how rules write it (一周 → 每周), when ``text`` asks
    for a quantity (多少, 几天); {} otherwise."""
    if "quantity" not in answer_types(text):
        return {}
    return {m.group(0): list(_EACH[m.group(1)]) for m in _RATE.finditer(text)}


# A verb's direction said after it (交上去, 说出去, 贴出来, 转过去): the verb is what a rule says
# (缴纳, 公布, 转移); the complement only tells which way it went.
_COMPLEMENT = re.compile(r"(?<=.)(?:[上下出进回过]去|[上下出进回过起]来)$")


def _unglued(text: str) -> str:
    """``text`` without the _GLUED_HEAD and _GLUED_TAIL characters at its ends (来批 → 批),
    nor a direction complement (交上去 → 交, 贴出来 → 贴)."""
    bare = _COMPLEMENT.sub("", text)
    while len(bare) > 1 and bare[0] in _GLUED_HEAD:
        bare = bare[1:]
    while len(bare) > 1 and bare[-1] in _GLUED_TAIL:
        bare = bare[:-1]
    return bare


# Question forms jieba cuts in two (什么|时候, 多长|时间): the piece it leaves is no topic word.
# 要做什么 / 该做些啥: what is to be done asked (the procedure answer type); its 做 is the form's
_DO_ASKED = re.compile(r"[要该得]做(?:些)?(?:什么|啥)")
_SPLIT_FORMS = re.compile(r"(?:什么|啥)(时候)|多长(时间)|多少(时间)")
# … and the 开始 of a start asked (从什么时候开始交): a rule says 自…起, 之日起
_START_ASKED = re.compile(r"(?:什么时候|啥时候|何时|哪天|哪一天|几号|几月)(?:起|才)?(开始)")


# a time asked as …的时候 with a question word before it (西元几年的时候, 哪一年的时候)
_WHEN_ASKED = re.compile(r"(?:几|哪|什么|啥|多少)[^，。；？！?!,;]{0,4}?的?时候")


def form_pieces(text: str) -> frozenset[str]:
    """The pieces of split question forms in ``text`` (时候 of 什么时候) that occur in it only
    inside such a form."""
    found = [m.group(m.lastindex) for form in (_SPLIT_FORMS, _START_ASKED)
             for m in form.finditer(text)]
    return frozenset(p for p in found if text.count(p) == found.count(p))


# The measure a number is asked in (多少天, 多少天内, 几个月之内, 多少个工作日): what is asked is
# the number; a rule says it with its own measure (二十日内, 20个工作日内), which the quantity
# answer type reads. jieba leaves the measure as a word of its own (天内, 天), weighed as a topic
# word the answer lacks; 几天 it already keeps whole as a form (QUESTION_FORM).
_COUNTED = re.compile(r"(?:多少|几)个?((?:工作日|天|日|周|星期|礼拜|月|年|小时|分钟)"
                      r"(?:之内|以内|内)?)")


# The measure a count is asked in (几天, 多少个工作日, 几家, 多少人) → the measures a rule says it in
# (三日, 二十个工作日; 三个以上, 三家; 五人, 二名): a number in another measure answers another
# question. 几个 alone, 多少钱, 多少 (an amount, a rate, a share) ask in no one measure; 那几天,
# 前几天 ask none.
_MEASURE_ASKED = re.compile(r"(?:多少|(?<![那这后头好])(?<![^提]前)(?<!^前)几)个?"
                            r"(工作日|天|日|星期|礼拜|周|月|年|小时|分钟|家|人|名|次|岁|倍|位|点|号|种|类)")
_MEASURES = {"工作日": "工作日|日|天", "天": "工作日|日|天", "日": "工作日|日|天", "星期": "周|星期",
             "礼拜": "周|星期", "周": "周|星期", "月": "月", "年": "年", "小时": "小时", "分钟": "分钟",
             "家": "家|个", "人": "人|名", "名": "人|名", "次": "次", "岁": "岁", "倍": "倍", "位": "位",
             # 几点: a time of day (8:30, 九点, 17时); 几号: a day of a month (measure_asked)
             "点": "点|时(?![间期])|[:：][0-5][0-9]", "号": "日|号",
             # 几种: kinds counted (处分分为警告、记过…四种)
             "种": "种|类", "类": "类|种"}


def measure_asked(question: str) -> re.Pattern[str] | None:
    """A number in the measure ``question`` asks a count in (几天 → 三日, 十五天, 二十个工作日;
    几家 → 三个, 三家), or None when it names no one measure (多少钱, 几个, 比例)."""
    found = {m.group(1) for m in _MEASURE_ASKED.finditer(question)}
    if len(found) != 1:
        return None
    measure = found.pop()
    if measure == "号":     # a day of a month: 4月7日, 每月十日前, 15号 (not 解放路88号, 3号楼)
        return re.compile(rf"(?<![路街道巷{_NUMERAL}])[{_NUMERAL}]{{1,3}}[日号](?![楼院室])")
    return re.compile(rf"[{_NUMERAL}]+(?:个)?(?:{_MEASURES[measure]})")


# … and the span asked for (是从哪天到哪天, 从什么时候到什么时候): 从 and 到 frame the two dates
# asked, as 自…起…至 frames them in a rule (the period answer type); jieba glues 是从.
_SPANNED = re.compile(r"(是?从)(?:哪天|哪一天|什么时候|啥时候|何时|几号|几月)(到|至)"
                      r"(?=哪天|哪一天|什么时候|啥时候|何时|几号|几月)")


# … and the 内 of a duration asked (多长时间内, 多久之内): a rule says 六十日内 with its number.
_WITHIN = re.compile(r"(?:多长时间|多少时间|多久|多长)(之内|以内|内)")
_SPAN_WORD = re.compile(r"是?从|到|至|之内|以内|内")


def counted_pieces(text: str) -> frozenset[str]:
    """The measures ``text`` asks a number in (天内 of 多少天内) and their pieces jieba may
    cut (天, 内), and the 从 / 到 of a span asked, each where it occurs in ``text`` only
    inside such a form."""
    found = [m.group(1) for m in _COUNTED.finditer(text)]
    pieces = {p for measure in found for p in (
        measure, measure.rstrip("之以内") or measure, measure[len(measure.rstrip("之以内")):])
        if p}
    for m in _WITHIN.finditer(text):
        found.append(m.group(1))
        pieces.add(m.group(1))
    for m in _SPANNED.finditer(text):
        found.extend((m.group(1), m.group(2)))
        pieces.update((m.group(1), m.group(1)[-1], m.group(2)))
    return frozenset(p for p in pieces if text.count(p) == sum(f.count(p) for f in found))


# The halves a modal's A-not-A leaves (要不要 → 要 / 不要, 会不会 → 不会, 能不能 → 不能): the
# modal is talk (MODAL_TALK), and so is its negated half, which a rule never says as a topic
# (不要, 不会 weighed like the rarest word and left a paragraph lacking "nothing but" them).
_MODAL_A_NOT_A = re.compile(r"([要能会是算该用需有可行给])([不没])\1")


# 还给 before no one it is given back to (还给报吗, 还给交通补贴吗) is 还 "still" + 给: talk, not
# the 还给 "give back" of 钱还给我 (the thesaurus's 还给 > 返还 would look for a refund).
_STILL_GIVE = re.compile(r"还给(?![我你您他她它人对原本单公])")
# A direction complement jieba cut off its verb (派遣|过去, 拿|出来, 批|下来): right after a verb
# it says which way the act went, never what is asked, even where the documents say the word
# (过去 "the past", 出来 of 制定出来). Not after 的/在/从… (在过去, 的出来), where it may be the past;
# not 起来, which makes an act of its own (抓起来, 关起来: detained, locked up).
_AFTER_VERB = re.compile(r"(?<=[\u4e00-\u9fff])(?<![的在从自于是了到和与])"
                         r"(?:[上下出进回过]去|[上下出进回过]来)")
# A verb's result said apart from it (没休完 → 年假没休 / 完, 扔掉): 完 and 掉 alone say that
# something was finished or got rid of, never what.
RESULT_TALK = frozenset("完 掉".split())
# Question talk (QUESTION_TALK) said by at most this many paragraphs of a knowledge base of at
# least this many is still talk (QueryBuilder._said_in_passing).
TALK_PASSING = (1, 1000)
# The place a question puts a thing in after naming it (公司里, 局里): rules say 本单位, 单位内.
PLACE_AFTER = "里"


def _finished(word: str) -> bool:
    """A verb said with its result 完 (办完, 交完): rules say 办结, or the verb alone."""
    return len(word) == 2 and word[1] == "完" and is_cjk(word[0])


def asking_pieces(text: str) -> frozenset[str]:
    """The halves of ``text``'s modal A-not-A forms (不要 and 要 of 要不要, 用 and 不用 of
    用不用), its 还给 "still give" and its direction complements said after a verb (过去 of
    派遣过去), each where it occurs in ``text`` only in such a form."""
    spans: dict[str, list[int]] = {}
    for m in _MODAL_A_NOT_A.finditer(text):
        spans.setdefault(m.group(1), []).extend((m.start(), m.end() - 1))   # 用 of 用不用
        spans.setdefault(m.group(2) + m.group(1), []).append(m.start() + 1)
    for m in _STILL_GIVE.finditer(text):
        spans.setdefault("还给", []).append(m.start())
    for m in _AFTER_VERB.finditer(text):
        spans.setdefault(m.group(0), []).append(m.start())
    out = set()
    for piece, starts in spans.items():
        at = [i for i in range(len(text)) if text.startswith(piece, i)]
        if sorted(set(starts)) == at:
            out.add(piece)
    return frozenset(out)


# A fine already imposed, named as the thing handled (收到罚款决定书, 交罚款, 罚款单, 罚款交到哪):
# a question about paying it (钱要在几天之内交掉) asks no consequence (罚款要交多少 still does).
_FINE_IN_HAND = re.compile(r"(?:交|缴|缴纳|付|收到|拿到|接到)(?:了|完)?(?:行政)?(?:罚款|罚金|罚单)|"
                           r"(?:罚款|处罚)(?:决定书|决定|通知书|通知|单|收据)|罚单|"
                           r"(?:罚款|罚金)(?:要|该|应该|得)?(?:交|缴|缴纳)(?:到|给|在|去|哪|了)")


def answer_types(question: str) -> tuple[str, ...]:
    """What ``question`` asks for, as ANSWER_TYPES names (多少天 → quantity; 谁 → agent; 从哪天
    到哪天 → period, which stands for quantity and a start)."""
    found = tuple(name for name, asks, _ in ANSWER_TYPES if asks.search(
        _FINE_IN_HAND.sub("", question) if name == "consequence" else question))
    if "period" in found:
        found = tuple(name for name in found if name not in ("quantity", "start"))
    return found


class QueryBuilder:
    """Analyses questions against one snapshot of the index (its vocabulary and idf)."""

    def __init__(self, analyzer: Analyzer, words: FieldIndex, grams: GramIndex) -> None:
        self.analyzer, self.words, self.grams = analyzer, words, grams
        self.max_idf = float(max(words.idf.max(initial=0.0),
                                 grams.idf.max(initial=0.0))) or 1.0
        self._latin_words: list[str] | None = None
        self._shapes: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        self._phrase_parts: dict[str, tuple[str, ...]] = {}
        self._keys_index: dict[str, tuple[str, ...]] = {}
        self._keys_by_pair: dict[str, tuple[str, ...]] = {}   # the same by first two characters
        # a word's near words and a bigram's homophones (_near_words, _homophone_grams)
        self._near: dict[str | tuple[str, str], tuple[str, ...]] = {}
        # Question forms (多久, 怎么办) only FAQ pairs' questions say: set by the searcher
        self.faq_forms: frozenset[str] = frozenset()
        # Question talk and vague words (自己, 东西) only FAQ pairs' questions say: set by the
        # searcher (a pair's question is asked as staff ask; its 自己 is no topic of the sheet)
        self.faq_talk: frozenset[str] = frozenset()

    def forget_shapes(self) -> None:
        """Forget how words were cut: jieba was taught new words (an admin's synonyms)."""
        self._shapes.clear()
        self._phrase_parts.clear()

    def analyse(self, question: str, config: SearchConfig) -> Query:
        cfg = config
        normalized = normalize(question).strip()
        # what is cut (结没结婚 → 结婚, 加了两天班 → 加班两天); asks are read from the question
        said = unglued_not_done(without_acts_talk(without_obligation_talk(joined_verbs(
            without_a_not_a(without_usually(normalized))))))
        word_list, unit_list = self.analyzer.question_tokens(said)
        words = dict.fromkeys(word_list, 1.0)
        unit_texts = list(dict.fromkeys(unit_list))
        grams = dict.fromkeys(self.analyzer.unit_grams(unit_texts), 1.0)
        expansions: dict[str, list[str]] = {}

        # Whole-word alternatives: synonyms, then homophones / near spellings of unknown words.
        alternatives: dict[str, list[str]] = {}
        synonyms = self.analyzer.synonyms
        # A sub-word of a word the index has (补助 in 伙食补助费) is not expanded: the whole
        # word says what is meant. An alternative containing the word (单位 → 用人单位) is
        # dropped: every text it matches, the word matches already.
        indexed = [u for u in unit_texts if u in self.words.vocab and len(u) > 2]
        # Thesaurus words jieba glued to a neighbour (门卡坏了 → 门卡坏) are expanded too.
        inside = self._inside_keys(said, unit_list, words)
        # A thesaurus word that is an A-not-A form (结没结婚 > 婚姻状况) stands for the word it
        # was said once as (结婚).
        keys = self._keys_by_first()
        for found in _A_NOT_A.finditer(normalized):
            for key in keys.get(found.group(1), ()):
                if normalized.startswith(key, found.start()):
                    inside.setdefault(key, []).extend(
                        u for u in unit_list if u in key[2:] and len(u) >= 2)
                    break
        # (时候 of 什么时候, 几年的时候 is the question's form, not 期间 as in 休假的时候)
        split_forms = form_pieces(said) | ({"时候"} if _WHEN_ASKED.search(said) else set())
        for word in dict.fromkeys([*unit_texts, *words, *inside]):
            if word not in unit_texts and any(word in u for u in indexed) \
                    or word in split_forms:
                continue
            found = sorted(w for w in synonyms.expand(word) if word not in w)
            source = word
            if not found and word in unit_texts and word not in self.words.vocab \
                    and not self._common_word(word):
                # a unit jieba glued a modal or particle onto (来批, 报掉): its bare word's,
                # even one containing it when it is one character (批 → 审批: no token of the
                # question is 批, and BM25 finds 审批 only through the alternative)
                source = _unglued(word)
                found = sorted(w for w in synonyms.expand(source)
                               if source not in w or len(source) == 1)
            if not found and word in unit_texts:
                found = amount_forms(word)          # 三天 → 3天, 3日; 30日 → 三十日
            if not found and word in unit_texts and word not in self.words.vocab:
                found = self._staff_forms(word)     # 统计员 → 统计人员
            if not found and _finished(word) and word in unit_texts \
                    and word not in self.words.vocab:
                # 办完 → 办结 (finished), 办理 (done), as rules say it
                found = [w for w in (word[0] + "结", word[0] + "理") if w in self.words.vocab]
            # A word the knowledge base itself uses (出差 in a 差旅费 rule) matches already:
            # its synonyms only widen the net, at a lower weight. One it never uses (老板, 年假)
            # is found through them.
            weight = cfg.synonym_weight * (cfg.known_word_synonyms if word in self.words.vocab
                                           else 1.0)
            one_way = synonyms.one_way(source) if found else set()
            # (question talk, 这算 of 这算啥, has no typo reading: it is dropped below)
            # (nor has a verb said with the passive 被, 被查: its homophones, 备查, read 被 as
            # the word's)
            if not found and word not in self.words.vocab and word not in QUESTION_TALK \
                    and not (word[0] == "被" and self.analyzer.is_dictionary_word(word[1:])):
                if not self.analyzer.is_dictionary_word(word):
                    found = self._near_words(word)
                elif is_cjk(word[0]):
                    found = self._commoner_homophones(word) \
                        or self._homophone_in_phrase(word, said)
                weight = cfg.typo_weight
            # a name a document gives it (失业保险费 → 社会保险费, its 以下统称): the document
            # says only that name after, so no discount for a word it also uses (the other
            # way, short → full, finds only the defining sentence: an ordinary synonym)
            defined = synonyms.named.get(source, ()) if found and synonyms.named else ()
            # … and a short name's full name (被征收人 → 被征收房屋所有权人) is said by the defining
            # sentence only, as a rule: it counts where said, but finds no candidates
            full = synonyms.full_names.get(source, ()) if found and synonyms.full_names else ()
            if found:
                alternatives[word] = found
                expansions[word] = found
                for other in found:
                    if other in full:
                        continue
                    self._expand(other, cfg.defined_name_weight if other in defined else
                                 weight * (cfg.one_way_weight / cfg.synonym_weight
                                           if other in one_way else 1.0), words, grams)
        # Everyday lengths of time (一个星期 → 一周, 7天) and amounts said loosely (两个多月 →
        # 2个月以上) stand in for the units they span.
        # A rate said with 一 (一周 … 多少) stands in for 每周 the same way.
        spans = duration_forms(said)
        spans.update(loose_amount_forms(said))      # 两个多月 → 2个月以上
        rates = rate_forms(said)
        for span, found in rates.items():
            spans[span] = list(dict.fromkeys([*spans.get(span, ()), *found]))
        nights = night_rates(rates)     # (one reading of the question's forms and rates)
        for span, found in spans.items():
            start = said.find(span)
            hosts = [u for u in unit_texts if (at := said.find(u, max(0, start - len(u) + 1)))
                     >= 0 and at < start + len(span) and start < at + len(u)]
            if span in nights and hosts and all(h in span for h in hosts):
                # a night's rate: its words (一 / 晚上) are the rate, 每天, and nothing else
                rate, *others = found
                unit_texts = list(dict.fromkeys(rate if u == hosts[0] else u
                                                for u in unit_texts if u not in hosts[1:]))
                for host in hosts:
                    words.pop(host, None)
                words.setdefault(rate, 1.0)
                hosts, found = [rate], others
            for host in hosts:
                alternatives[host] = list(dict.fromkeys([*alternatives.get(host, ()), *found]))
                expansions[host] = alternatives[host]
            if hosts:
                for other in found:
                    self._expand(other, cfg.synonym_weight, words, grams)
        # Their alternatives stand in for the units they were found in (门禁卡 for 门卡坏).
        for key, hosts in inside.items():
            for host in hosts:
                if key in alternatives and host in unit_texts:
                    alternatives[host] = list(dict.fromkeys([*alternatives.get(host, ()),
                                                             *alternatives[key]]))
        # A typo jieba cut off its word (滞纳今 → 滞纳 / 今): a lone character the knowledge
        # base never says, after a word of it, where the two with one homophone replaced are
        # a word it says (滞纳金): the word stands for both.
        unit_texts = self._rejoined_typos(said, unit_texts, alternatives, expansions, words,
                                          grams, cfg)
        # Bigram alternatives: a bigram the knowledge base (almost) never has is likely a typo.
        gram_alternatives: dict[str, list[str]] = {}
        # Only in words no dictionary knows: 德意志's rare bigram 意志 is no typo for 意识.
        suspects = {g for u in unit_texts if u not in self.words.vocab
                    and not self.analyzer.is_dictionary_word(u) for g in self.analyzer.grams(u)}
        # (nor one opening with the passive 被, glued onto its verb: 被查 is no 备查)
        for gram in [g for g in grams if g in suspects and len(g) == 2 and is_cjk(g[0])
                     and g[0] != "被" and self.grams.df(g) <= 1]:
            found = [g for g in self._homophone_grams(gram) if g != gram]
            if found:
                gram_alternatives[gram] = found
                expansions[gram] = found
                for other in found:
                    grams.setdefault(other, cfg.typo_weight)

        # A question-form word the knowledge base never says (多久, 哪几种, 算不算) asks for a
        # kind of answer (ANSWER_TYPES); as a topic word it would weigh like the rarest word.
        # Said only by FAQ pairs' questions (调休假多久过期？) it is their form, not their
        # topic, as is a form jieba cut in two (什么|时候 → 时候) put to FAQ pairs.
        # So is a piece the knowledge base never says of a form jieba cut in two (什么|时候
        # 开始 → 时候, 开始 where no rule says 开始): every paragraph lacks it alike.
        forms = self.faq_forms
        pieces = {p for p in form_pieces(said) if p in forms or p not in self.words.vocab}
        done = _DO_ASKED.search(said) if said.count("做") == 1 else None
        if done:         # 要做什么: the procedure asked (做, and 要做 as jieba may glue it)
            pieces.update(("做", done.group(0)[:2]))
        unit_texts = [t for t in unit_texts if t not in pieces and (
            (t in self.words.vocab and t not in forms) or t in alternatives
            or not QUESTION_FORM.fullmatch(t))] or unit_texts
        # The measure a number is asked in (天内 of 多少天内) is the question's form.
        # (one the knowledge base says, 工作日内, is matched as it is written)
        counted = counted_pieces(said)
        if counted:
            unit_texts = [t for t in unit_texts if t not in counted or t in alternatives
                          or (t in self.words.vocab and not _SPAN_WORD.fullmatch(t))
                          ] or unit_texts
        # A place said after a noun (单位里, 局里) is the noun's: rules say 本单位, 单位内.
        unit_texts = self._without_place(unit_texts, alternatives)
        # Question talk (QUESTION_TALK) the knowledge base never says is no topic word.
        asked = unit_texts
        unit_texts = self._without_talk(unit_texts, alternatives, asking_pieces(said))
        units = [self._unit(text, alternatives.get(text, ()), gram_alternatives,
                            cfg.unit_power, cfg.fragment_weight) for text in unit_texts]
        talk = tuple(t for t in asked if t not in unit_texts)
        if self.faq_forms:      # (nor do they count in BM25: every pair asks with them)
            words = {w: v for w, v in words.items() if w not in self.faq_forms} or words
        return Query(question, normalized, words, grams, units, expansions,
                     find_references(normalized), answer_types(normalized), talk)

    def _said_in_passing(self, word: str) -> bool:
        """A word one paragraph of a large knowledge base says (``TALK_PASSING``): said in
        passing, or a piece jieba cut out of another word (别的 of 选择性 / 别的); in a small
        one (an FAQ sheet) a word said once is a word of it."""
        return self.words.size >= TALK_PASSING[1] and self.words.df(word) <= TALK_PASSING[0]

    def _staff_forms(self, word: str) -> list[str]:
        """The staff a word names as rules name them: X员 → X人员 (统计员 → 统计人员, 保管员 →
        保管人员), when the knowledge base says X人员 or X (a phrase then, 保管 / 人员)."""
        if len(word) >= 3 and word[-1] == "员" and is_cjk(word[0]) and (
                word[:-1] + "人员" in self.words.vocab
                or (word[:-1] in self.words.vocab and "人员" in self.words.vocab)):
            return [word[:-1] + "人员"]
        return []

    def _without_place(self, texts: list[str], alternatives: dict[str, list[str]]) -> list[str]:
        """``texts`` with the place word 里 said after a noun (企业 / 里) dropped and taken off
        a unit it is glued to (局里 → 局) when the knowledge base says the noun but not the
        unit; a unit with alternatives of its own (厂里 > 用人单位) is kept as it is."""
        vocab = self.words.vocab
        out: list[str] = []
        for text in texts:
            if text == PLACE_AFTER:
                continue
            if (len(text) >= 2 and text.endswith(PLACE_AFTER) and text not in vocab
                    and text not in alternatives and text[:-1] in vocab):
                text = text[:-1]
            out.append(text)
        return list(dict.fromkeys(out)) or texts

    def _rejoined_typos(self, said: str, texts: list[str], alternatives: dict[str, list[str]],
                        expansions: dict[str, list[str]], words: dict[str, float],
                        grams: dict[str, float], cfg: SearchConfig) -> list[str]:
        """``texts`` with each lone character the knowledge base never says that follows a
        word it says, where the two spell one of its words with a homophone (滞纳 / 今 →
        滞纳金), dropped and that word made the first's alternative."""
        vocab = self.words.vocab
        out = list(texts)
        for first, lone in zip(texts, texts[1:]):
            if (len(lone) != 1 or not is_cjk(lone) or lone in vocab or first not in vocab
                    or len(first) < 2 or first + lone not in said or first in alternatives):
                continue
            found = [w for w in self._near_words(first + lone) if w.startswith(first)]
            if found:
                alternatives[first] = expansions[first] = found
                for other in found:
                    self._expand(other, cfg.typo_weight, words, grams)
                out.remove(lone)
        return out

    def _without_talk(self, texts: list[str], alternatives: dict[str, list[str]],
                      asking: frozenset[str] = frozenset()) -> list[str]:
        """``texts`` without question talk the knowledge base never says, and with the modal,
        pronoun and particle characters jieba glued onto an unknown word stripped (能领 → 领),
        and without the words that only ask (``asking``: 不要 of 要不要, 还给 of 还给报吗) even
        where the knowledge base says them; ``texts`` itself when nothing else would remain."""
        vocab = self.words.vocab
        out: list[str] = []
        for text in texts:
            # (a verb with its result 完 the knowledge base never says, 办完, 交完, is the verb
            # even where jieba's dictionary lists it: rules say 办理, 办结)
            if text not in vocab and is_cjk(text[0]) and (
                    not self._common_word(text)
                    or (_finished(text) and text not in alternatives)):
                bare = _unglued(text)
                # (a form the knowledge base says is a topic word, as it is unglued: 赔偿 of
                # 要赔偿 asks for a consequence and is what is asked about)
                if bare != text and (bare in _GLUED_HEAD or bare in _GLUED_TAIL
                                     or bare in self.analyzer.stopwords
                                     or (QUESTION_FORM.fullmatch(bare) and bare not in vocab)):
                    if not self._stands_for_said(alternatives.get(text, ())):
                        continue
                    # a thesaurus phrase that would unglue to nothing (不要我了 → 了) is a
                    # word of its own where it stands for what the documents say (解除劳动合同,
                    # 辞退); standing for nothing they say (去不了 → 取消, in a base without
                    # 取消) it only asks
                else:
                    if bare != text and text in alternatives:      # 能领 → 领, still 领取
                        # (and 来上班 → 上班 keeps 不来上班's 旷工 beside 上班's own 到岗)
                        alternatives[bare] = list(dict.fromkeys([*alternatives[text],
                                                                 *alternatives.get(bare, ())]))
                    text = bare
            if text in asking or text not in alternatives and (
                    text in MODAL_TALK or text in RESULT_TALK
                    or (text in QUESTION_TALK and (text not in vocab
                                                   or self._said_in_passing(text)
                                                   or text in self.faq_talk))):
                continue
            out.append(text)
        return list(dict.fromkeys(out)) or texts

    def _inside_keys(self, text: str, units: list[str],
                     words: dict[str, float]) -> dict[str, list[str]]:
        """Thesaurus (and admin) words of two or more characters that occur in ``text`` but
        are no token of it, each with the units it overlaps: jieba glued them to a
        neighbour (门卡坏了 → 门卡坏, 中午饭堂 → 中午饭 / 堂). The longest key at each place
        wins; a key inside a longer word a dictionary or the knowledge base knows (午饭 in
        中午饭, 社保 in 社保局) is a part of that word, not a word of its own."""
        if not self._keys_by_first():
            return {}
        # (by the first two characters: a key whose first alone matches is skipped anyway;
        # each place's keys still longest first)
        by_pair = self._keys_by_pair
        spans, at = [], 0
        for unit in units:
            start = text.find(unit, at)
            if start >= 0:
                spans.append((start, start + len(unit), unit))
                at = start + len(unit)
        found: dict[str, list[str]] = {}
        covered = 0       # the end of the last key taken: a shorter key inside it is no word
        for i in range(len(text) - 1):
            for key in by_pair.get(text[i:i + 2], ()):
                end = i + len(key)
                if end <= covered or not text.startswith(key, i):
                    continue
                overlap = [(a, b, u) for a, b, u in spans if a < end and i < b]
                if key in words:
                    covered = end
                    break
                if not overlap or any(
                        a <= i and end <= b and len(u) > len(key) and self._whole_word(u)
                        for a, b, u in spans):
                    break
                # Across a cut, what it leaves of its neighbours must be words too (中午饭 / 堂
                # → 中午 + 饭堂, but 公司 / 机关 → 公 + 司机 + 关 is no reading) unless the
                # neighbour is a fragment, no word of anyone's (要交个 / 税 → 要交 + 个税), and
                # it never cuts into a word the documents use (劳动合同 / 到期 is no 合同到期).
                first, last = overlap[0][0], overlap[-1][1]
                if not (len(overlap) == 1 and first <= i and end <= last) and (not all(
                        not rest or (len(rest) >= 2 and self._whole_word(rest))
                        or self._fragment(unit)     # jieba's guess (要交个 / 税 → 个税)
                        # a modal or particle glued on (能带 / 出去 → 能 + 带出去; not a
                        # negation: 没签 / 劳动合同 is no 签劳动合同)
                        or (rest and rest in glued)
                        for rest, unit, glued in (
                                (text[first:i], overlap[0][2], _HEAD_NOT_NEGATION),
                                (text[end:last], overlap[-1][2], _GLUED_TAIL))) or any(
                        (a < i < b or a < end < b) and u in self.words.vocab
                        for a, b, u in overlap)):
                    break
                # it stands in for the units it is at least half of (门卡 of 门卡坏, 堂 of
                # 中午饭 / 堂), not for a longer word it only touches
                found.setdefault(key, []).extend(
                    u for a, b, u in overlap if u != key and 2 * (min(b, end) - max(a, i)) >= b - a)
                covered = end
                break
        return found

    def _fragment(self, unit: str) -> bool:
        """A run of characters jieba cut as no word that neither the knowledge base nor a
        dictionary knows, and that has a function character in it (打上卡, 交个, 先撤, 里扣):
        a phrase cut in the wrong place. A run of content characters alone (月卡) may be a
        word both lack, which is what an off-topic question asks about."""
        # (the knowledge base's words first: most units are, and that is one dict lookup)
        return (len(unit) >= 2 and unit not in self.words.vocab
                and any(c in _FUNCTION_CHARS for c in unit)
                and all(is_cjk(c) for c in unit) and not self._common_word(unit))

    def _common_word(self, unit: str) -> bool:
        """A word of jieba's dictionary, unless it is a verb with a direction complement that
        the dictionary barely counts (``RARE_WORD_COUNT``: 交上去, 贴出来 are entries counted 3,
        phrases it lists rather than words)."""
        count = self.analyzer.dictionary_count(unit)
        return count > RARE_WORD_COUNT or (count > 0 and not _COMPLEMENT.search(unit))

    def _function_word(self, unit: str) -> bool:
        """A word jieba's dictionary tags as a function word (an adverb, pronoun, conjunction,
        preposition or particle: 一再, 硬是, 曾经), or a vague one (VAGUE_WORDS: 东西, 事情), that
        the knowledge base never says."""
        return (unit not in self.words.vocab or unit in self.faq_talk) and (
            unit in VAGUE_WORDS or self.analyzer.is_function_word(unit))

    def _everyday(self, unit: str) -> bool:
        """One of the commonest words of the language (时候, 因为, 知道: jieba's dictionary counts
        it ``EVERYDAY_COUNT`` times or more) that the knowledge base never says."""
        return (unit not in self.words.vocab
                and self.analyzer.dictionary_count(unit) >= EVERYDAY_COUNT)

    def _whole_word(self, unit: str) -> bool:
        """A word in its own right: the documents', jieba's dictionary's or the thesaurus's."""
        return (unit in self.words.vocab or self.analyzer.is_dictionary_word(unit)
                or bool(self.analyzer.synonyms.expand(unit)))

    def _keys_by_first(self) -> dict[str, tuple[str, ...]]:
        """The synonym keys of two or more CJK characters by first character, longest first
        (:meth:`Synonyms.cjk_keys`, kept with the groups)."""
        self._keys_index, self._keys_by_pair = self.analyzer.synonyms.cjk_keys()
        return self._keys_index

    def _unit(self, text: str, alternatives, gram_alternatives: dict[str, list[str]],
              power: float, fragment: float = 1.0) -> Unit:
        unit_grams, parts = self._unit_shape(text)
        options = tuple((g, *gram_alternatives.get(g, ())) for g in unit_grams)
        if len(text) == 1 and is_cjk(text):
            # A lone character says little on its own (一, 米, 税): half weight at most.
            weight = 0.5 * (self.words.term_idf(text) or self.max_idf)
        elif text in self.words.vocab:
            weight = self.words.term_idf(text)
        elif not alternatives and not any(len(opts) > 1 for opts in options):
            # A word the knowledge base has never seen, with no typo reading: it weighs like the
            # rarest word, so a paragraph that lacks it cannot look like a confident answer.
            weight = self.max_idf
        else:
            known = [max(self.grams.term_idf(g) for g in opts) for opts in options]
            known = [k for k in known if k > 0]
            alt = [self._alternative_idf(a) for a in alternatives]
            # A word the knowledge base has never seen weighs like the rarest word: a question
            # about it cannot be answered by a paragraph that lacks it.
            weight = max([*alt, (sum(known) / len(options)) if known else self.max_idf])
        if self._everyday(text) or not alternatives and (self._fragment(text)
                                                         or self._function_word(text)):
            # Not so a fragment: characters jieba could not cut into words, no dictionary
            # knows either, with a function character in them (打上卡 of 没打上卡, 交个 of
            # 交个税, 先撤), nor one of the commonest words of the language (时候, 因为, 知道),
            # nor a function word or a vague noun (一再, 曾经, 东西: _function_word):
            # how the question talks around its topic, not a topic the documents lack. It
            # weighs like a lone character at most, a near spelling of it (缴个) too; so does
            # a common word the thesaurus puts in the rules' words (时候 → 期间): the rules'
            # word is looked for, the question's talk weighs no more for it.
            weight = min(weight, fragment * self.max_idf)
        alternative_parts = tuple(p for p in (self._parts_of(a) for a in alternatives)
                                  if len(p) >= 2)
        return Unit(text, weight ** power, tuple(alternatives), options, parts,
                    alternative_parts)

    def _expand(self, other: str, weight: float, words: dict[str, float],
                grams: dict[str, float]) -> None:
        """Look for the alternative ``other`` as a word, and as its bigrams. A phrase the index
        does not have as one word (订立劳动合同: the documents were cut 订立 / 劳动合同) is
        looked for as its words, which together weigh as much as one word."""
        parts = self._parts_of(other)
        if other in self.words.vocab or len(parts) < 2:
            words.setdefault(other, weight)
        else:
            for part in parts:
                words.setdefault(part, weight / len(parts))
        for gram in self.analyzer.grams(other):
            grams.setdefault(gram, weight * 0.5)

    def _stands_for_said(self, alternatives: Iterable[str]) -> bool:
        """Does one of a thesaurus word's ``alternatives`` occur in the knowledge base (a
        word it indexed, or a phrase all of whose words it did)?"""
        vocab = self.words.vocab
        return any(a in vocab or ((parts := self._parts_of(a)) and all(p in vocab for p in parts))
                   for a in alternatives)

    def _parts_of(self, phrase: str) -> tuple[str, ...]:
        """The content words jieba cuts ``phrase`` into (未订立书面劳动合同 → 订立, 书面,
        劳动合同): how a document saying it was indexed. () for a single word."""
        parts = self._phrase_parts.get(phrase)
        if parts is None:
            parts = ()
            if len(phrase) >= 3 and is_cjk(phrase[0]):
                pieces = [p for p in self.analyzer.units(phrase) if len(p) >= 2]
                if len(pieces) >= 2 or (pieces and pieces[0] != phrase):
                    parts = tuple(dict.fromkeys(pieces))
            if len(self._phrase_parts) >= 50_000:
                self._phrase_parts.clear()
            self._phrase_parts[phrase] = parts
        return parts

    def _alternative_idf(self, alternative: str) -> float:
        """An alternative's idf: its own, or for a phrase the index does not have as one word,
        the mean of its words'."""
        if alternative in self.words.vocab:
            return self.words.term_idf(alternative)
        parts = self._parts_of(alternative)
        return sum(self.words.term_idf(p) for p in parts) / len(parts) if parts else 0.0

    def _unit_shape(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A unit's bigrams and sub-words (选拔干部 → 选拔, 干部), remembered per text: the same
        words come back in question after question. (A builder lives for one database
        generation, so the jieba dictionary does not change under this cache.) Tuples of
        strings, which the collector untracks when it first meets them (lists it would
        traverse in every full collection)."""
        shape = self._shapes.get(text)
        if shape is None:
            grams = tuple(self.analyzer.grams(text)) if is_cjk(text[0]) and len(text) >= 2 \
                else ()
            parts = tuple(w for w in dict.fromkeys(self.analyzer.words(text))
                          if w != text and len(w) >= 2) if len(text) >= 4 else ()
            if len(self._shapes) >= 50_000:
                self._shapes.clear()
            shape = self._shapes[text] = (grams, parts)
        return shape

    def _near_words(self, word: str) -> list[str]:
        """Words of the knowledge base that sound like ``word`` or are one edit from it
        (remembered per word: they depend on the vocabulary alone, which a builder's snapshot
        never changes)."""
        return self._remembered(word, lambda: self._find_near_words(word))

    def _remembered(self, key: str | tuple[str, str], find) -> list[str]:
        """``find()``'s words, remembered under ``key`` (at most 50,000 kept)."""
        near = self._near.get(key)
        if near is None:
            if len(self._near) >= 50_000:
                self._near.clear()
            near = self._near[key] = tuple(find())
        return list(near)

    def _find_near_words(self, word: str) -> list[str]:
        if is_cjk(word[0]):
            if len(word) < 2:
                return []
            found = self.words.known(homophone_variants(word))
            return sorted(found, key=lambda w: -self.words.df(w))[:3]
        if len(word) < 4:
            return []
        if self._latin_words is None:
            self._latin_words = self.words.latin_terms(3)
        matches = process.extract(word, self._latin_words, scorer=Levenshtein.distance,
                                  score_cutoff=1 if len(word) < 8 else 2, limit=3)
        return [m[0] for m in matches]

    def _commoner_homophones(self, word: str) -> list[str]:
        """For a word jieba's dictionary barely knows (``RARE_WORD_COUNT`` or fewer) and the
        knowledge base never says, the knowledge base's words that sound the same and that the
        dictionary counts ``TYPO_RATIO`` times as often: 公伤 (3) for 工伤 (63), a pinyin
        typo that happens to be a dictionary word. A rare word with no commoner homophone
        (a name, a term the documents lack) keeps no alternative."""
        count = self.analyzer.dictionary_count(word)
        if len(word) < 2 or count > RARE_WORD_COUNT:
            return []
        return [other for other in self._near_words(word)
                if self.analyzer.dictionary_count(other) >= TYPO_RATIO * max(count, 1)]

    def _homophone_in_phrase(self, word: str, said: str) -> list[str]:
        """For a dictionary word the knowledge base never says and the dictionary counts up to
        ``PHRASE_TYPO_COUNT`` times (中点, 29: a typo of 重点 in 消防安全中点单位), the knowledge
        base's homophones the dictionary counts ``TYPO_RATIO`` times as often whose replaced
        character makes, with the question's character beside it, a bigram the knowledge base
        has (全重 of 安全重点) where the word's own (全中) is not: the phrase around it says
        which word was meant."""
        count = self.analyzer.dictionary_count(word)
        at = said.find(word)
        if len(word) != 2 or at < 0 or not RARE_WORD_COUNT < count <= PHRASE_TYPO_COUNT:
            return []
        found = []
        for other in self._near_words(word):
            if len(other) != 2 or self.analyzer.dictionary_count(other) < TYPO_RATIO * count:
                continue
            if other[1] == word[1] and at > 0:            # 中点 → 重点: the character before
                pair, own = said[at - 1] + other[0], said[at - 1] + word[0]
            elif other[0] == word[0] and at + 2 < len(said):   # … or after the word
                pair, own = other[1] + said[at + 2], word[1] + said[at + 2]
            else:
                continue
            if is_cjk(pair[0]) and is_cjk(pair[1]) and self.grams.known([pair]) \
                    and not self.grams.known([own]):
                found.append(other)
        return found

    def _homophone_grams(self, gram: str) -> list[str]:
        def find() -> list[str]:     # (remembered as _near_words: the vocabulary's alone)
            found = self.grams.known_replacing(gram, [homophone_chars(c) for c in gram])
            return sorted(found, key=lambda g: -self.grams.df(g))[:4]
        return self._remembered(("gram", gram), find)
