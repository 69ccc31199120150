"""How much of each domain's formal vocabulary the workplace thesaurus reaches (issue 11).

For each domain (labour contracts, social insurance, safety …: the documents listed in DOMAINS,
from ``../shared/laws``, ``bench/realdocs/office`` and STARD-dev's statute articles), counts the
words of every article's lead sentence (up to its first 。；：), keeps the formal terms — said in
three lead sentences or more, and rare in everyday Chinese (jieba's dictionary counts them fewer
than ``--everyday`` times, or not at all) — and reports how many of them some thesaurus group
expands a question *to* (a two-way group's word, a one-way group's right side), and the groups
whose targets are in the domain's terms. Those not reached are the list to ask "how does a staff
member say this?" of (``--verbose`` prints them).

    .venv/bin/python bench/thesaurus_domains.py [--thesaurus FILE] [--everyday 3000] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402

from knowledge.analysis import Synonyms  # noqa: E402
from knowledge.normalize import normalize  # noqa: E402

DOMAINS = {
    "labour contracts and pay": ["stard:劳动合同法", "stard:劳动合同法实施条例", "stard:劳动法"],
    "leave, attendance, discipline": ["考勤与休假管理规定"],
    "social insurance": ["stard:社会保险法", "社会保险费征缴暂行条例", "失业保险条例"],
    "work injury": ["stard:工伤保险条例"],
    "travel and reimbursement": ["差旅费管理办法"],
    "safety, fire, occupational disease": ["安全生产法", "消防法", "职业病防治法"],
    "data and privacy": ["个人信息保护法", "数据安全法", "网络安全法", "信息系统账号与数据安全管理规定"],
    "archives and accounting": ["档案法实施条例", "会计法"],
    "public administration, office affairs": [
        "政府信息公开条例", "信访工作条例", "机关事务管理条例", "企业事业单位内部治安保卫条例",
        "国务院关于国家行政机关和企业事业单位社会团体印章管理的规定"],
    "employment, inspection, women, tax": [
        "就业促进法", "劳动保障监察条例", "妇女权益保障法", "残疾人就业条例", "个人所得税法"],
}
# The statutes' own framing words, in every domain: no staff member asks with or about them.
FRAME = frozenset("""应当 规定 有关 按照 依照 依法 或者 以及 其他 本法 本条例 本办法 本规定 国家 可以
    不得 进行 负责 根据 下列 情形 之一 没有 需要 部门 人民政府 县级 以上 实施 管理 工作 单位 个人
    制定 相关 具体 同时 必须 方式 措施 情况 用于 要求 建立 健全 加强 组织 行为 有权 职责 违反 主管
    行政 活动""".split())
_ARTICLE = re.compile(r"^\s*(?:#+\s*)?(第[一二三四五六七八九十百零]+条|[一二三四五六七八九十]+、)\s*")


def read_documents(laws: Path, office: Path, stard: Path) -> dict[str, list[str]]:
    docs: dict[str, list[str]] = {}
    for path in [*sorted(laws.glob("*.md")), *sorted(office.glob("*.md"))]:
        if path.name != "README.md":
            docs[path.stem] = [normalize(line).strip() for line in
                               path.read_text("utf-8").splitlines() if line.strip()]
    if stard.is_file():
        for line in stard.read_text("utf-8").splitlines():
            passage = json.loads(line)
            law = passage["title"].split(" ")[0].removeprefix("中华人民共和国")
            docs.setdefault(f"stard:{law}", []).append("第一条 " + normalize(passage["text"]))
    return docs


def formal_terms(paragraphs: list[str], everyday: int) -> Counter:
    """The words of each article's lead sentence, counted; only rare words of three or more."""
    counts: Counter = Counter()
    for paragraph in paragraphs:
        article = _ARTICLE.match(paragraph)
        if not article:
            continue
        lead = re.split(r"[。；：]", paragraph[article.end():])[0]
        counts.update(w for w in jieba.cut(lead) if len(w) >= 2 and w not in FRAME
                      and re.fullmatch(r"[\u4e00-\u9fff]+", w))
    return Counter({w: n for w, n in counts.items()
                    if n >= 3 and jieba.dt.FREQ.get(w, 0) < everyday})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--thesaurus", type=Path, default=ROOT / "knowledge/data/thesaurus.txt")
    parser.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "laws")
    parser.add_argument("--stard", type=Path,
                        default=ROOT.parent / "shared/eval/stard-dev/passages.jsonl")
    parser.add_argument("--everyday", type=int, default=3000,
                        help="a word jieba's dictionary counts this often or more is everyday")
    parser.add_argument("--verbose", action="store_true", help="print the terms not reached")
    args = parser.parse_args()
    jieba.setLogLevel(60)
    jieba.initialize()
    synonyms = Synonyms.load([args.thesaurus])
    targets: dict[str, int] = Counter()
    for group in synonyms.lines:
        targets.update(set(group.words[1:] if group.one_way else group.words))
    docs = read_documents(args.laws, ROOT / "bench/realdocs/office", args.stard)
    print(f"{'domain':40s} {'terms':>5s} {'reached':>8s} {'groups':>6s}")
    for domain, names in DOMAINS.items():
        terms = formal_terms([p for n in names for p in docs.get(n, [])], args.everyday)
        reached = [w for w in terms if w in targets]
        groups = sum(1 for g in synonyms.lines
                     if set(g.words[1:] if g.one_way else g.words) & set(terms))
        print(f"{domain:40s} {len(terms):5d} {len(reached):4d} {100 * len(reached) / max(len(terms), 1):2.0f}%"
              f" {groups:6d}")
        if args.verbose:
            print("    not reached:", " ".join(f"{w}{n}" for w, n in terms.most_common()
                                               if w not in targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
