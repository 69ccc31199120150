"""Statutes that ``../shared/laws`` lacks, read from a checkout of the public LawRefBook/Laws
repository (never committed): the labour and administrative laws staff ask about most — the
laws issue 11's examples come from (劳动合同法, 社会保险法, 工伤保险条例, 年休假) and the ones an
office meets (行政处罚, 行政许可, 政府采购, 保密, 公务员, 事业单位人事, 道路交通). Copied with
``../shared/laws`` beside them (the rivals: 失业保险条例, 劳动保障监察条例, 就业促进法…) into
``build-fetched24/txt`` (git-ignored), for the question sets written blind on them in session 24
(``dev_fetched24_labour.jsonl``, ``dev_fetched24_admin.jsonl``: 90 + 90 staff questions, 10 + 10
off-topic, by helpers who read the laws and never ran staffbot):

    git clone https://github.com/LawRefBook/Laws /tmp/Laws     # (read at 2f4c5c2)
    .venv/bin/python bench/realdocs/fetched.py /tmp/Laws
    PYTHONPATH=$PWD .venv/bin/python bench/meaning_sets.py --build bench/realdocs/build-fetched24 \\
        --cache CACHE bench/realdocs/dev_fetched24_labour.jsonl \\
        bench/realdocs/dev_fetched24_admin.jsonl --variants off on
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# stem (the question files' ``doc``) → path in the LawRefBook/Laws checkout
FILES = {
    "劳动合同法": "社会法/劳动合同法(2012-12-28).md",
    "劳动法": "社会法/劳动法(2018-12-29).md",
    "社会保险法": "社会法/社会保险法(2018-12-29).md",
    "工会法": "社会法/工会法(2021-12-24).md",
    "劳动合同法实施条例": "行政法规/劳动合同法实施条例(2008-09-18).md",
    "住房公积金管理条例": "行政法规/住房公积金管理条例(2019-03-24).md",
    "女职工劳动保护特别规定": "行政法规/女职工劳动保护特别规定(2012-04-28).md",
    "国务院关于职工工作时间的规定": "行政法规/国务院关于职工工作时间的规定(1995-03-25).md",
    "保障农民工工资支付条例": "行政法规/保障农民工工资支付条例(2019-12-30).md",
    "工伤保险条例": "行政法规/工伤保险条例(2010-12-20).md",
    "职工带薪年休假条例": "行政法规/职工带薪年休假条例(2007-12-14).md",
    "劳动争议调解仲裁法": "诉讼与非诉讼程序法/劳动争议调解仲裁法(2007-12-29).md",
    "企业职工带薪年休假实施办法":
        "部门规章/人力资源社会保障部/企业职工带薪年休假实施办法(2008-07-17).md",
    "行政处罚法": "行政法/行政处罚法(2021-01-22).md",
    "行政许可法": "行政法/行政许可法(2019-04-23).md",
    "保守国家秘密法": "行政法/保守国家秘密法(2024-02-27).md",
    "公务员法": "行政法/公务员法(2018-12-29).md",
    "道路交通安全法": "行政法/道路交通安全法(2021-04-29).md",
    "政府采购法": "经济法/政府采购法(2014-08-31).md",
    "政府采购法实施条例": "行政法规/政府采购法实施条例(2015-01-30).md",
    "事业单位人事管理条例": "行政法规/事业单位人事管理条例(2014-04-25).md",
    "电子签名法": "民法商法/电子签名法(2019-04-23).md",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkout", type=Path, help="a clone of LawRefBook/Laws")
    parser.add_argument("--laws", type=Path, default=HERE.parents[2] / "shared" / "laws")
    parser.add_argument("--out", type=Path, default=HERE / "build-fetched24")
    args = parser.parse_args(argv)
    if not args.laws.is_dir():
        print(f"no {args.laws}: name the shared statutes with --laws", file=sys.stderr)
        return 1
    missing = [path for path in FILES.values() if not (args.checkout / path).is_file()]
    if missing:
        print(f"not in {args.checkout}: {', '.join(missing)}", file=sys.stderr)
        return 1
    folder = args.out / "txt"
    folder.mkdir(parents=True, exist_ok=True)
    for stem, path in FILES.items():
        shutil.copyfile(args.checkout / path, folder / f"{stem}.md")
    laws = sorted(p for p in args.laws.glob("*.md") if p.name != "README.md")
    for law in laws:
        shutil.copyfile(law, folder / law.name)
    print(f"{len(FILES)} fetched + {len(laws)} from {args.laws} → {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
