"""Tokenisation: the same analysis for documents and questions.

* ``words``: jieba's search-mode segmentation of normalised text (long words also yield their
  sub-words), minus punctuation and filler words (请问, 怎么, 什么 …) that would otherwise drive the
  match. Terms the documents define in “…” / 《…》 and the user dictionary join jieba's dictionary.
* ``grams``: overlapping character bigrams of every CJK run plus latin/digit words. They need no
  dictionary and survive a typo (one wrong character breaks two bigrams, not the whole word).
* ``pinyin_keys``: toneless pinyin of a CJK string, so that a homophone typed by a pinyin input
  method (政级 for 政绩) finds the intended word.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, pairwise
from pathlib import Path

from .cut import FastCut
from .normalize import NORMALIZE_VERSION, normalize
from .text import CJK_BMP_CLASS, is_cjk

__all__ = ["Analyzer", "Synonyms", "SynonymGroup", "parse_group", "STOPWORDS", "extract_defined_terms", "pinyin_keys",
           "homophone_variants"]

log = logging.getLogger(__name__)

# Question and filler words: present in questions, carrying no topic. Removed on both sides so
# that "请问如何报销" and "报销" match the same paragraphs.
STOPWORDS = frozenset(
    """
    请问 请 问 问下 问一下 想问 想 想知道 知道 告诉 告诉我 一下 怎么 怎么样 怎样 如何 什么 什么样 啥 哪些 哪个 哪里
    哪儿 哪 哪家 哪位 哪年 哪种 吗 呢 吧 啊 呀 嘛 么 为什么 为何 多少 几 几个 几点 几时 几天 谁 何时 何 何种 何地 是否
    能否 可否 有没有 是不是 能不能 可不可以 要不要 会不会 该 应 应该 可以 能 能够 会
    我 我们 你 你们 您 他 她 它 他们 她们 它们 其 之 的 地 得 了 着 过 是 在 和 与 及 以及 或 或者 也 都 就 还 又 而
    并 且 被 把 对 对于 于 从 向 这 那 这个 那个 这些 那些 这样 那样 有 个 一个 所 等 等等 啦 哦 嗯 呢 吗 以 为 由 则
    the a an of to in on at for is are was were be been do does did what which who whom whose when where
    why how please can could would should i you we it this that these those and or with by as from
    """.split()
)

_CJK_RUN = re.compile(f"[{CJK_BMP_CLASS}]+|[a-z0-9][a-z0-9_]*")
_WORDLIKE = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]")
_DEFINED = re.compile(r"[“\"「『]([^”\"」』\n]{2,12})[”\"」』]|《([^》\n]{2,30})》")
_TERM_OK = re.compile(r"^[\w\u3400-\u4dbf\u4e00-\u9fff·\-]+$")


def extract_defined_terms(text: str) -> set[str]:
    """Terms a document defines by quoting them: “两个确立”, 《差旅费管理办法》."""
    terms: set[str] = set()
    for quoted, titled in _DEFINED.findall(text):
        term = normalize(quoted or titled).strip()
        if 2 <= len(term) <= 30 and _TERM_OK.match(term) and not term.isdigit():
            terms.add(term)
    return terms


@dataclass(frozen=True)
class SynonymGroup:
    """One line of a thesaurus file or one admin's group: ``words``, and whether the first
    word only expands to the others (``one_way``: 老板 > 用人单位) or every word to every other."""

    words: tuple[str, ...]
    one_way: bool = False
    source: str = "thesaurus"      # "thesaurus" (a file), "admin" or "document" (the database)
    id: int | None = None          # the database row of an admin's group
    added_by: str = ""
    added_at: str = ""
    document: str = ""             # the title of the document that defines it (以下简称)

    @property
    def text(self) -> str:
        """The group as written in a thesaurus file: ``年假 年休假`` or ``老板 > 用人单位``."""
        if self.one_way:
            return f"{self.words[0]} > {' '.join(self.words[1:])}"
        return " ".join(self.words)

    def to_json(self) -> dict:
        found = {"id": self.id, "words": list(self.words), "one_way": self.one_way,
                 "source": self.source, "added_by": self.added_by, "added_at": self.added_at}
        if self.source == "document":
            found["document"] = self.document
        return found


_SEPARATORS = re.compile(r"[\s,，、=;；]+")


def parse_group(text: str) -> tuple[list[str], bool]:
    """``"年假 年休假"`` → (["年假", "年休假"], False); ``"老板 > 用人单位 雇主"`` →
    (["老板", "用人单位", "雇主"], True): the first word expands to the others only."""
    left, arrow, right = text.partition(">")
    if not arrow:
        left, arrow, right = text.partition("＞")
    clean = lambda part: [w for w in (normalize(w).strip() for w in _SEPARATORS.split(part)) if w]
    words = clean(left)
    if arrow:
        return list(dict.fromkeys([*words, *clean(right)])), True
    return list(dict.fromkeys(words)), False


@dataclass
class Synonyms:
    """Groups of words that mean the same: a word expands a question to the others of its
    groups (both ways), or to the narrower words of a one-way group (``老板 > 用人单位``)."""

    groups: dict[str, set[str]] = field(default_factory=dict)      # both ways
    narrower: dict[str, set[str]] = field(default_factory=dict)    # one way: word → its targets
    lines: list[SynonymGroup] = field(default_factory=list)
    defined: dict[str, set[str]] = field(default_factory=dict)     # … of those, from documents
    named: dict[str, set[str]] = field(default_factory=dict)       # … a full name → its name
    full_names: dict[str, set[str]] = field(default_factory=dict)  # … a short name → full
    # (len(lines) when computed, by first character, by first two): see cjk_keys (groups are
    # only ever added, so the count of lines stamps them)
    _cjk_keys: tuple | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def parse(cls, text: str, *, source: str = "thesaurus") -> "Synonyms":
        """One group per line (see data/thesaurus.txt): words separated by spaces, commas, 、
        or =; ``a b > c d``: a and b expand to c and d, not back; # starts a comment."""
        synonyms = cls()
        for line in text.splitlines():
            line = line.split("#", 1)[0]
            if ">" in line or "＞" in line:
                left, _, right = line.replace("＞", ">").partition(">")
                targets = parse_group(right)[0]
                for word in parse_group(left)[0]:
                    synonyms.add_group([word, *targets], one_way=True, source=source)
            else:
                synonyms.add_group(parse_group(line)[0], source=source)
        return synonyms

    @classmethod
    def load(cls, paths: Iterable[Path]) -> "Synonyms":
        synonyms = cls()
        for path in paths:
            try:
                other = cls.parse(Path(path).read_text(encoding="utf-8-sig"))
            except (OSError, UnicodeDecodeError) as err:
                log.warning("synonym file %s not read: %s", path, err)
                continue
            synonyms.update(other)
        return synonyms

    def update(self, other: "Synonyms") -> None:
        """Add ``other``'s groups to these."""
        for group in other.lines:
            self.add(group)

    def copy(self) -> "Synonyms":
        new = Synonyms()
        new.update(self)
        return new

    def add_group(self, words: Iterable[str], *, one_way: bool = False,
                  source: str = "thesaurus") -> None:
        self.add(SynonymGroup(tuple(dict.fromkeys(words)), one_way, source))

    def add(self, group: SynonymGroup) -> None:
        words = group.words
        if len(words) < 2:
            return
        self.lines.append(group)
        if group.source == "document":
            for word in words[:1] if group.one_way else words:
                self.defined.setdefault(word, set()).update(w for w in words if w != word)
            self.named.setdefault(words[0], set()).add(words[-1])   # (full, name)
            if not group.one_way:
                self.full_names.setdefault(words[-1], set()).add(words[0])
        if group.one_way:
            self.narrower.setdefault(words[0], set()).update(words[1:])
            return
        for word in words:
            self.groups.setdefault(word, set()).update(w for w in words if w != word)

    def expand(self, word: str) -> set[str]:
        """Every word ``word`` expands to (both-way and one-way groups)."""
        found = self.groups.get(word)
        narrower = self.narrower.get(word)
        if narrower is None:
            return found or set()
        return (found | narrower) - {word} if found else narrower - {word}

    def defined_by(self, word: str, other: str) -> list[SynonymGroup]:
        """The documents' groups through which ``word`` expands to ``other`` (for explain)."""
        if other not in self.defined.get(word, ()):
            return []
        return [g for g in self.lines if g.source == "document" and other in g.words and (
            g.words[0] == word if g.one_way else word in g.words)]

    def one_way(self, word: str) -> set[str]:
        """The words ``word`` expands to only through one-way groups."""
        return self.narrower.get(word, set()) - self.groups.get(word, set()) - {word}

    def words(self) -> set[str]:
        """Every word of every group (jieba is taught them)."""
        return set(self.groups) | set(self.narrower) | {w for ws in self.narrower.values()
                                                         for w in ws}

    def keys(self) -> set[str]:
        """The words that expand a question (phrases of several jieba words are looked for
        across tokens)."""
        return set(self.groups) | set(self.narrower)

    def cjk_keys(self) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
        """The keys of two or more CJK characters by their first character and by their first
        two, longest first: computed once per set of groups (~20 ms at 100k paragraphs' worth
        of a thesaurus), not once per searcher — a new searcher comes with every change to the
        knowledge base, and the first question after it paid for this."""
        cached = self._cjk_keys
        if cached is not None and cached[0] == len(self.lines):
            return cached[1], cached[2]
        index: dict[str, list[str]] = {}
        for key in self.keys():
            if len(key) >= 2 and all(is_cjk(c) for c in key):
                index.setdefault(key[0], []).append(key)
        by_first = {c: tuple(sorted(ks, key=len, reverse=True)) for c, ks in index.items()}
        pairs: dict[str, list[str]] = {}
        for ks in by_first.values():
            for key in ks:
                pairs.setdefault(key[:2], []).append(key)
        by_pair = {pair: tuple(ks) for pair, ks in pairs.items()}
        self._cjk_keys = (len(self.lines), by_first, by_pair)
        return by_first, by_pair


_JIEBA_LOCK = threading.Lock()
# Words added to the process's jieba (its dictionary only grows): with its total frequency,
# what its cuts depend on.
_TAUGHT: set[str] = set()


@lru_cache(maxsize=4)
def _taught_fingerprint(count: int, total: int) -> str:
    """A digest of jieba's version, its total frequency and ``_TAUGHT`` (``count`` = its size:
    the set only grows)."""
    import jieba

    with _JIEBA_LOCK:
        words = sorted(_TAUGHT)
    digest = hashlib.sha1(f"jieba {jieba.__version__} {total} {NORMALIZE_VERSION}\n".encode())
    digest.update("\n".join(words).encode("utf-8"))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=1)
def _jieba():
    """One jieba tokenizer for the process, initialised once: from :func:`_load_prefix_dict`'s
    file (about 0.2 s), else by jieba (0.7 s from its own cache, 2 s without), which then writes
    that file for the next process."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = tempfile.gettempdir()
    path = _prefix_dict_path(jieba)
    loaded = _load_prefix_dict(path) if path else None
    if loaded:
        tokenizer.FREQ, tokenizer.total = loaded
        tokenizer.initialized = True
    else:
        tokenizer.initialize()
        if path:
            _save_prefix_dict(path, tokenizer.FREQ, tokenizer.total)
    return tokenizer


# jieba's prefix dictionary (about 500,000 words and prefixes → counts) as data a process reads
# three times faster than jieba's own cache (a marshal of the dict): the counts as one array of
# 64-bit integers, the words as one UTF-8 text, one a line. Each CLI question and each start of
# the bot reads it. Named after what it is made from (jieba's version and its dict.txt), in the
# temporary folder jieba uses, readable by its owner only; a file of another owner, or one that
# does not parse, is not used (jieba builds the dictionary as before and the file is rewritten).
_PREFIX_MAGIC = b"staffbot jieba prefix dict 1\n"


def _prefix_dict_path(jieba) -> Path | None:
    """Where this jieba's prefix dictionary is kept, or None when its dict.txt is not a file."""
    source = Path(jieba.__file__).with_name("dict.txt")
    try:
        stat = source.stat()
    except OSError:
        return None
    key = f"{jieba.__version__} {source} {stat.st_size} {stat.st_mtime_ns}"
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"staffbot-jieba-{digest}.dict"


def _load_prefix_dict(path: Path) -> tuple[dict[str, int], int] | None:
    """(FREQ, total) from ``path``, or None when it is missing, not ours or damaged."""
    import array
    import os

    try:
        with open(path, "rb") as handle:
            stat = os.fstat(handle.fileno())
            if hasattr(os, "getuid") and (stat.st_uid != os.getuid() or stat.st_mode & 0o022):
                return None
            data = handle.read()
    except OSError:
        return None
    if not data.startswith(_PREFIX_MAGIC):
        return None
    start = len(_PREFIX_MAGIC)
    try:
        count, total = (int(field) for field in data[start:start + 40].split(b"\n", 2)[:2])
        start = data.index(b"\n", data.index(b"\n", start) + 1) + 1
        counts = array.array("q")
        counts.frombytes(data[start:start + 8 * count])
        words = data[start + 8 * count:].decode("utf-8").split("\n")
    except (ValueError, UnicodeDecodeError):
        return None
    if len(counts) != count or len(words) != count:
        return None
    return dict(zip(words, counts)), total


def _save_prefix_dict(path: Path, freq: dict[str, int], total: int) -> None:
    """Write ``freq`` and ``total`` for :func:`_load_prefix_dict` (atomically; a failure to write
    only costs the next process jieba's slower load)."""
    import array
    import os

    if any("\n" in word for word in freq):
        return
    body = (_PREFIX_MAGIC + f"{len(freq)}\n{total}\n".encode("ascii")
            + array.array("q", freq.values()).tobytes() + "\n".join(freq).encode("utf-8"))
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(body)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass


# jieba's dictionary tags (each line of its dict.txt: word, count, tag) of the words that only
# shape a sentence: adverbs (马上, 实在, 直接), pronouns (啥, 一样, 别的), conjunctions (接着, 因为),
# prepositions, particles and interjections. A question is told with them; no rule is about them.
# Not so a negation (不经 of 不经本人同意, 未经, 无须): what it denies is what is asked.
FUNCTION_TAGS = frozenset("d ad df r c p u uj ul y e".split())
_NEGATION = re.compile("[不没未非无勿莫否]")


@lru_cache(maxsize=1)
def _function_words() -> frozenset[str]:
    """The words jieba's dictionary tags with a FUNCTION_TAGS tag (about 4,000; read once)."""
    words = set()
    with _jieba().get_dict_file() as lines:
        for line in lines:
            parts = line.decode("utf-8").split()
            if len(parts) == 3 and parts[2] in FUNCTION_TAGS and not _NEGATION.search(parts[0]):
                words.add(parts[0])
    return frozenset(words)


@lru_cache(maxsize=1)
def _cutter() -> FastCut:
    return FastCut(_jieba())


def _cut(text: str) -> list[str]:
    """jieba's precise-mode tokens of ``text`` (``_jieba().lcut(text)``, computed faster)."""
    return _cutter().cut(text)


# A question word jieba's dictionary glues onto the noun asked about (哪些项目, 哪些因素,
# 哪些地方): cut off in questions, so the noun is a word of the question like any other.
_ASKING_HEADS = ("哪些",)


def _asking_cut(tokens: list[str]) -> list[str]:
    """``tokens`` with a question word glued to a noun (哪些项目) cut in two (哪些 / 项目) where
    the rest is a word of two characters or more jieba's dictionary knows."""
    if not any(t.startswith(_ASKING_HEADS) for t in tokens):
        return tokens
    freq = _jieba().FREQ
    out: list[str] = []
    for token in tokens:
        head = next((h for h in _ASKING_HEADS if token.startswith(h)), None)
        rest = token[len(head):] if head else ""
        if head and len(rest) >= 2 and freq.get(rest):
            out.extend((head, rest))
        else:
            out.append(token)
    return out


class Analyzer:
    """Turns normalised text into index terms; see the module docstring."""

    def __init__(self, *, user_words: Iterable[str] = (), synonyms: Synonyms | None = None,
                 stopwords: frozenset[str] = STOPWORDS) -> None:
        self.synonyms = synonyms or Synonyms()
        self.stopwords = stopwords
        self._known: set[str] = set()
        self._expanded: dict[str, tuple[str, ...]] = {}   # token → its search words
        self._expanded_total = -1
        self._phrases: set[str] = set()
        self._phrase_starts: set[str] = set()
        self.add_words(user_words)
        self.set_synonyms(self.synonyms)

    def set_synonyms(self, synonyms: Synonyms) -> None:
        """Use ``synonyms`` from the next question on (an admin added a group).

        jieba is not taught their words: a document would be cut differently once a group is
        added (护理假 whole, and its 假 gone from the index), and documents indexed before and
        after would disagree. A question's pieces are joined back instead
        (:meth:`question_tokens`: 签 / 合同 → 签合同, 上班 / 路上 → 上班路上)."""
        self._phrases = {w for w in synonyms.keys() if len(w) >= 2}
        # every start of a phrase, "" and itself included: tokens joined that start none
        # join into none (:meth:`_join_phrases` stops there)
        self._phrase_starts = {w[:i] for w in self._phrases for i in range(len(w) + 1)}
        # An admin's words are kept whole in a question even where jieba cuts across them
        # (饭卡挂失 → 饭卡 / 挂 / 失去: 挂失 added by an admin is cut out whole).
        admin = sorted({w for g in synonyms.lines if g.source == "admin" for w in g.words
                        if len(w) >= 2}, key=len, reverse=True)
        self._forced = re.compile("|".join(map(re.escape, admin))) if admin else None
        self.synonyms = synonyms

    def add_words(self, words: Iterable[str]) -> None:
        """Teach jieba words it should keep whole (user dictionary, defined terms, synonyms)."""
        new = list(dict.fromkeys(w for w in (normalize(w).strip() for w in words)
                                 if len(w) >= 2 and w not in self._known))
        if not new:
            return
        tokenizer = _jieba()
        with _JIEBA_LOCK:
            for word in new:
                # once per process: adding a word again (another analyzer, a forked ingest
                # worker) would add its frequency to jieba's total again and shift every cut
                if " " not in word and word not in _TAUGHT:
                    tokenizer.add_word(word, freq=max(tokenizer.FREQ.get(word, 0), 2000))
                    _TAUGHT.add(word)
                self._known.add(word)

    @property
    def fingerprint(self) -> str:
        """What the tokens of :meth:`words` depend on besides the text: jieba's version and the
        words taught to this process's jieba (by any analyzer: the tokenizer is shared). Stored
        tokens made under another fingerprint may differ from fresh ones (a taught word changes
        the cut and the dictionary's frequencies)."""
        return _taught_fingerprint(len(_TAUGHT), _jieba().total)

    def words(self, text: str) -> list[str]:
        """jieba search-mode tokens of normalised ``text``, without punctuation and stopwords."""
        return self._search_words(_cut(text))

    def question_tokens(self, text: str) -> tuple[list[str], list[str]]:
        """``(self.words(text), self.units(text))`` from one jieba pass instead of two, with
        the synonym phrases jieba cut into pieces joined back (上班 / 路上 → 上班路上)."""
        tokens = _asking_cut(_cut(text))
        if self._forced is not None:
            tokens = self._force_words(text, tokens)
        tokens = self._free_phrases(text, tokens)
        tokens = self._without_measure(text, tokens)
        joined = self._join_phrases(tokens)
        words = self._search_words(tokens)
        if joined is not tokens:
            words.extend(t for t in joined if t in self._phrases and t not in words)
        return words, self._units(joined)

    def _force_words(self, text: str, tokens: list[str]) -> list[str]:
        """``tokens`` (jieba's cut of ``text``) re-cut so that each admin word in ``text``
        is one token."""
        cuts = set()
        for found in self._forced.finditer(text):
            cuts.update(found.span())
        if not cuts:
            return tokens
        bounds = set(_edges(tokens))
        if cuts <= bounds:
            return tokens   # jieba cut there already; joining (below) does the rest
        edges = sorted(bounds | cuts)
        pieces = [text[a:b] for a, b in pairwise(edges)]
        return pieces if "".join(pieces) == text else tokens

    def _free_phrases(self, text: str, tokens: list[str], longest: int = 6) -> list[str]:
        """``tokens`` re-cut at the edges of a synonym phrase of ``text`` that jieba cut across
        only with a guess of its own: a token its dictionary lacks (坐厂|车 → 坐|厂|车, joined
        below as 厂车). A dictionary word across the edge (分公司 over 公司) stays whole."""
        # (most questions have no guessed token: looked for before any edge or substring;
        # the dictionary's lookup, the cheaper test, first)
        freq = _jieba().FREQ
        if not any(len(token) >= 2 and not freq.get(token) and all(map(is_cjk, token))
                   for token in tokens):
            return tokens
        bounds = _edges(tokens)
        edges = set(bounds)
        guessed = {(a, b) for a, b, token in zip(bounds, bounds[1:], tokens)
                   if len(token) >= 2 and not freq.get(token) and all(map(is_cjk, token))}
        cuts: set[int] = set()
        for size in range(2, longest + 1):
            for start in range(len(text) - size + 1):
                end = start + size
                if text[start:end] not in self._phrases or {start, end} <= edges:
                    continue
                inside = [(a, b) for a, b in pairwise(bounds)
                          if a < start < b or a < end < b]
                if inside and all(span in guessed for span in inside) and not any(
                        _splits_word(text, a, b, cut, freq)
                        for a, b in inside for cut in (start, end) if a < cut < b):
                    cuts.update((start, end))
        if not cuts:
            return tokens
        points = sorted(edges | cuts)
        return [text[a:b] for a, b in pairwise(points)]

    def _without_measure(self, text: str, tokens: list[str]) -> list[str]:
        """``tokens`` with a synonym phrase said with 个 between its verb and its object
        (签个合同, 请个假, 装个软件, 交个社保) as the phrase itself, one token; the 个 dropped."""
        if "个" not in text:
            return tokens
        spans = []
        # (not a 个 that opens a word jieba cut: 员工个人信息 is 员工 / 个人信息, not 工人)
        opening = {a for a, token in zip(_edges(tokens), tokens)
                   if len(token) > 1 and token[0] == "个"}
        for at in (i for i, c in enumerate(text) if c == "个" and i not in opening):
            for left in (1, 2):
                found = next((text[at - left:at] + text[at + 1:at + 1 + right]
                              for right in (4, 3, 2, 1) if at >= left
                              and text[at - left:at] + text[at + 1:at + 1 + right]
                              in self._phrases), None)
                if found:
                    spans.append((at - left, at, at + 1 + len(found) - left, found))
                    break
        if not spans:
            return tokens
        bounds = set(_edges(tokens))
        points = sorted(bounds | {p for a, m, b, _ in spans for p in (a, m, m + 1, b)})
        starts = {a: (b, phrase) for a, _, b, phrase in spans}
        out, i = [], 0
        edges = list(pairwise(points))
        while i < len(edges):
            a, b = edges[i]
            if a in starts:
                end, phrase = starts[a]
                out.append(phrase)
                while i < len(edges) and edges[i][1] <= end:
                    i += 1
                continue
            out.append(text[a:b])
            i += 1
        return out

    def _join_phrases(self, tokens: list[str], longest: int = 5) -> list[str]:
        """``tokens`` with each run of 2–``longest`` tokens that spells a synonym phrase
        joined into one (the longest first); ``tokens`` itself when there is none."""
        phrases, starts = self._phrases, self._phrase_starts
        out: list[str] = []
        i, n = 0, len(tokens)
        changed = False
        while i < n:
            # the longest run that is a phrase, grown token by token while it starts one
            joined, found = tokens[i], None
            for j in range(i + 2, min(n, i + longest) + 1):
                if joined not in starts:
                    break
                joined += tokens[j - 1]
                if joined in phrases:
                    found = (j, joined)
            if found:
                i = found[0]
                out.append(found[1])
                changed = True
            else:
                out.append(tokens[i])
                i += 1
        return out if changed else tokens

    def _search_words(self, tokens: list[str]) -> list[str]:
        """jieba's search mode from its precise-mode ``tokens`` (what ``cut_for_search`` does:
        each token, preceded by the dictionary's 2- and 3-character words inside it), filtered.
        Each distinct token is expanded once per dictionary state (tokens recur: Zipf)."""
        tokenizer = _jieba()
        if self._expanded_total != tokenizer.total:
            self._expanded, self._expanded_total = {}, tokenizer.total
        expanded = self._expanded
        words: list[str] = []
        for w in tokens:
            found = expanded.get(w)
            if found is None:
                if len(expanded) >= 200_000:   # bounded: ~40 MB at most
                    expanded.clear()
                found = expanded[w] = self._expand(w, tokenizer.FREQ)
            words.extend(found)
        return words

    def _expand(self, w: str, freq: dict[str, int]) -> tuple[str, ...]:
        words: list[str] = []
        if len(w) > 2:
            words.extend(g for i in range(len(w) - 1) if freq.get(g := w[i:i + 2]))
        if len(w) > 3:
            words.extend(g for i in range(len(w) - 2) if freq.get(g := w[i:i + 3]))
        words.append(w)
        stop = self.stopwords
        return tuple(t for t in words if t not in stop and not t.isspace() and _WORDLIKE.search(t))

    def is_dictionary_word(self, word: str) -> bool:
        """True when jieba's dictionary knows ``word``: a real word, not a typo."""
        return _jieba().FREQ.get(word, 0) > 0

    def dictionary_count(self, word: str) -> int:
        """How often ``word`` occurs in the corpus of jieba's dictionary (0: unknown)."""
        return _jieba().FREQ.get(word, 0)

    def is_function_word(self, word: str) -> bool:
        """True when jieba's dictionary tags ``word`` as a function word (FUNCTION_TAGS: an
        adverb, pronoun, conjunction, preposition or particle)."""
        return word in _function_words()

    def units(self, text: str) -> list[str]:
        """The question's content words (jieba's precise mode, no filler), in order.

        Runs of single CJK characters are joined back into one unit: they are usually a word
        jieba did not know, often because of a typo (政级考核 → 政 / 级 / 考核).
        """
        return self._units(_cut(text))

    def _units(self, tokens: list[str]) -> list[str]:
        out: list[str] = []
        run = ""
        for token in tokens:
            # (a full-width comma is no character of a word: 赔， is 赔)
            single = len(token) == 1 and token >= "\u3400" and token.isalnum()
            if single and token not in self.stopwords:
                run += token
                continue
            if run:
                out.append(run)
                run = ""
            if token not in self.stopwords and not token.isspace() and _WORDLIKE.search(token):
                out.append(token)
        if run:
            out.append(run)
        return out

    def unit_grams(self, units: Iterable[str]) -> list[str]:
        """Bigrams inside each unit, never across two units (those pairs are noise)."""
        out: list[str] = []
        for unit in units:
            out.extend(self.grams(unit))
        return out

    def grams(self, text: str) -> list[str]:
        """Character bigrams of CJK runs (a lone character stays a unigram) and latin words."""
        out: list[str] = []
        for run in _CJK_RUN.findall(text):
            if run[0] < "\u3400":  # latin or digit word
                if run not in self.stopwords:
                    out.append(run)
            elif len(run) == 1:
                out.append(run)
            else:
                out.extend(run[i : i + 2] for i in range(len(run) - 1))
        return out


_PINYIN_TABLE = Path(__file__).parent / "data" / "pinyin.tsv"


@lru_cache(maxsize=1)
def _sound_groups() -> dict[str, tuple[str, ...]]:
    """Toneless syllable → the common (GB2312) characters read that way.

    Shipped as ``data/pinyin.tsv`` (made from pypinyin by scripts/make_pinyin_table.py):
    importing pypinyin would cost ~100 MB of memory for this 30 KB table.
    """
    groups: dict[str, tuple[str, ...]] = {}
    with open(_PINYIN_TABLE, encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or "\t" not in line:
                continue
            reading, chars = line.rstrip("\n").split("\t", 1)
            groups[reading] = tuple(chars)
    return groups


@lru_cache(maxsize=1)
def _pinyin_table() -> dict[int, tuple[str, ...]]:
    """Code point → its toneless readings (common characters only)."""
    table: dict[int, list[str]] = {}
    for reading, chars in _sound_groups().items():
        for char in chars:
            table.setdefault(ord(char), []).append(reading)
    return {code: tuple(readings) for code, readings in table.items()}


@lru_cache(maxsize=8192)
def homophone_chars(char: str) -> tuple[str, ...]:
    """Common characters that sound like ``char`` (any reading, tones ignored), itself excluded."""
    groups = _sound_groups()
    found = dict.fromkeys(c for r in _pinyin_table().get(ord(char), ()) for c in groups.get(r, ()))
    found.pop(char, None)
    return tuple(found)


def _splits_word(text: str, a: int, b: int, cut: int, freq: dict) -> bool:
    """A cut at ``cut`` inside jieba's guessed token ``text[a:b]`` would split a word its
    dictionary knows (最多 of 最多扣, cut for the phrase 多扣)."""
    return any(freq.get(text[x:y]) for x in range(a, cut) for y in range(cut + 1, b + 1)
               if y - x >= 2)


def _edges(tokens: list[str]) -> list[int]:
    """Where ``tokens`` begin and end in the text they cut: 0, each token's end."""
    return [0, *accumulate(len(token) for token in tokens)]


def homophone_variants(term: str) -> list[str]:
    """``term`` with one character replaced by a homophone: what a pinyin typo may have meant."""
    out: list[str] = []
    for i, char in enumerate(term):    # (hundreds of spellings: each end sliced once, ~3× faster)
        head, tail = term[:i], term[i + 1:]
        out.extend([head + h + tail for h in homophone_chars(char)])
    return out


def pinyin_keys(text: str, limit: int = 4) -> list[str]:
    """Toneless pinyin spellings of ``text`` (several when characters have several readings)."""
    table = _pinyin_table()
    keys = [""]
    for char in text:
        readings = table.get(ord(char), (char,))
        keys = [f"{k} {r}" if k else r for k in keys for r in readings][:limit]
    return keys
