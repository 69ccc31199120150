"""Check the workplace thesaurus against how the words are used in real documents.

For every group of ``knowledge/data/thesaurus.txt`` (and ``synonyms.txt``), counts in which
documents each word occurs, and in what share of all paragraphs, over the statutes in
``../shared/laws``, the seeds, the office rules of ``bench/realdocs/office`` and (when present)
the statute articles of ``../shared/eval/stard-dev/passages.jsonl`` (劳动法, 劳动合同法,
社会保险法, 工伤保险条例 …, grouped by law). Then reports:

* **no formal word anywhere**: no word a question would be expanded *to* (a two-way group's
  words, a one-way group's right side) occurs in any document: the group cannot help (or the
  words are not how documents say it);
* **floods**: a word a question is expanded to that occurs in more than ``--flood`` of all
  paragraphs (单位, 工作, 规定): expanding to it matches nearly everything;
* per group, with ``--verbose``: each word, the documents holding it and its paragraph share.

    .venv/bin/python bench/thesaurus_check.py [--flood 0.05] [--verbose] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge.analysis import Synonyms  # noqa: E402
from knowledge.normalize import normalize  # noqa: E402

DATA = ROOT / "knowledge" / "data"


def read_corpus(laws: Path, extra: list[Path], stard: Path | None) -> dict[str, list[str]]:
    """Document name → its paragraphs (normalised lines)."""
    docs: dict[str, list[str]] = {}
    for folder in [laws, *extra]:
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.suffix in (".md", ".txt") and path.name != "README.md":
                lines = [normalize(line).strip() for line in path.read_text("utf-8").splitlines()]
                docs[path.stem] = [line for line in lines if line]
    if stard and stard.is_file():
        for line in stard.read_text("utf-8").splitlines():
            passage = json.loads(line)
            law = passage["title"].split(" ")[0].removeprefix("中华人民共和国")
            docs.setdefault(f"stard:{law}", []).append(normalize(passage["text"]))
    return docs


def check(synonyms: Synonyms, docs: dict[str, list[str]], flood: float) -> dict:
    paragraphs = sum(len(p) for p in docs.values())
    words = {w for g in synonyms.lines for w in g.words}
    in_docs: dict[str, list[str]] = defaultdict(list)
    share: Counter = Counter()
    for name, paras in docs.items():
        for word in words:
            n = sum(1 for p in paras if word in p)
            if n:
                in_docs[word].append(name)
                share[word] += n
    share = {w: share[w] / paragraphs for w in words}
    groups, unused, floods = [], [], []
    for group in synonyms.lines:
        targets = group.words[1:] if group.one_way else group.words
        row = {"group": group.text, "one_way": group.one_way,
               "words": {w: {"docs": len(in_docs[w]), "share": round(share[w], 4),
                             "in": in_docs[w][:5]} for w in group.words}}
        groups.append(row)
        if not any(in_docs[w] for w in targets):
            unused.append(group.text)
        for word in targets:
            if share[word] > flood:
                floods.append((group.text, word, round(share[word], 3)))
    return {"documents": len(docs), "paragraphs": paragraphs, "groups": groups,
            "no_formal_word": unused, "floods": floods}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "laws")
    parser.add_argument("--stard", type=Path,
                        default=ROOT.parent / "shared" / "eval" / "stard-dev" / "passages.jsonl")
    parser.add_argument("--files", type=Path, nargs="*",
                        default=[DATA / "thesaurus.txt", DATA / "synonyms.txt"])
    parser.add_argument("--flood", type=float, default=0.05,
                        help="a target word in more than this share of paragraphs floods")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not args.laws.is_dir():  # the shared folder sits beside the main checkout
        args.laws = Path("/work/shared/laws")
        args.stard = Path("/work/shared/eval/stard-dev/passages.jsonl")
    docs = read_corpus(args.laws, [ROOT / "seeds", ROOT / "bench" / "realdocs" / "office"],
                       args.stard)
    synonyms = Synonyms.load(args.files)
    result = check(synonyms, docs, args.flood)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
        return 0
    groups = result["groups"]
    print(f"{len(groups)} groups, {len(docs)} documents, {result['paragraphs']} paragraphs")
    useful = len(groups) - len(result["no_formal_word"])
    print(f"groups with a word to expand to in some document: {useful} "
          f"({useful / max(len(groups), 1):.0%})")
    print(f"\n== no word to expand to occurs anywhere ({len(result['no_formal_word'])}) ==")
    for text in result["no_formal_word"]:
        print("  " + text)
    print(f"\n== expands to a word in > {args.flood:.0%} of paragraphs "
          f"({len(result['floods'])}) ==")
    for text, word, share in result["floods"]:
        print(f"  {word} ({share:.1%}) in: {text}")
    if args.verbose:
        print("\n== every group ==")
        for row in groups:
            print(row["group"])
            for word, seen in row["words"].items():
                print(f"    {word}: {seen['docs']} docs, {seen['share']:.2%}  "
                      f"{' '.join(seen['in'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
