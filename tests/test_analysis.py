"""Tests for normalisation and tokenisation (knowledge.normalize, knowledge.analysis)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.analysis import (_WORDLIKE, STOPWORDS, Analyzer, Synonyms, _jieba,
                                extract_defined_terms, pinyin_keys)
from knowledge.cut import FastCut
from knowledge.normalize import _CHAR_MAP, _PHRASES, normalize, normalize_many, normalize_with_offsets


@pytest.fixture(scope="module")
def analyzer(tmp_path_factory: pytest.TempPathFactory) -> Analyzer:
    """The analyzer as a knowledge base configures it (default user dictionary and synonyms).

    jieba's dictionary is one per process and grows as knowledge bases learn words, so the
    expectations below avoid words whose segmentation those additions could change.
    """
    with KnowledgeBase(tmp_path_factory.mktemp("analysis") / "kb.db") as kb:
        return kb.analyzer


def tokens(analyzer: Analyzer, text: str) -> list[str]:
    return analyzer.words(normalize(text))


# -- normalisation ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("ＡＢＣ１２３", "abc123"),            # full-width → half-width
    ("（一）：", "(一):"),
    ("Hello World", "hello world"),        # case
    ("幹部", "干部"),                      # traditional → simplified
    ("組織", "组织"),
    ("怎樣為基層減負", "怎样为基层减负"),
    ("政\u200b绩\u200c考\u200d核\ufeff", "政绩考核"),  # zero-width and BOM removed
    ("报\u00ad销\u2060", "报销"),
    ("a\x00b\x07c", "a b c"),              # control characters become spaces
    ("两\u3000个", "两 个"),               # ideographic space
    ("①", "1"),
])
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_the_fast_normalize_equals_the_character_map_on_every_character() -> None:
    """normalize maps long texts through a numpy table and normalize_many joins a search's
    paragraphs: both must give what str.translate with the map gives (then OpenCC's phrases), on
    every code point."""
    def slow(text: str) -> str:
        return _PHRASES.apply(text.translate(_CHAR_MAP))

    every = "".join(chr(c) for c in range(0x110000))
    assert normalize(every) == slow(every)
    texts = ["甲A乙" * 20, "條例\u200b第Ⅲ條" * 9, "ＡＢＣ，。１２３" * 8, "𠀀𝐀x\ud800y" * 12, "",
             "短", "一般的中文段落，没有要改的字。" * 5, "申請後二十日內答覆，反覆審核。" * 4]
    assert normalize_many(texts) == [slow(t) for t in texts]
    assert [normalize(t) for t in texts] == [slow(t) for t in texts]
    assert "答复" in normalize(texts[-1]) and "反复" in normalize(texts[-1])


def test_normalize_with_offsets_maps_back_to_the_original_characters() -> None:
    text = "ﬁ幹\u200b部"
    norm, offsets = normalize_with_offsets(text)
    assert norm == "fi干部"
    assert offsets == [0, 0, 1, 3]
    assert [text[i] for i in offsets[2:]] == ["幹", "部"]


# -- words, filler, grams --------------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    "请问怎么报销差旅费", "如何报销差旅费", "差旅费怎样报销？", "请问差旅费报销是什么流程",
])
def test_filler_words_do_not_survive(analyzer: Analyzer, question: str) -> None:
    words = tokens(analyzer, question)
    assert {"报销", "差旅费"} <= set(words)
    assert not {"请问", "怎么", "如何", "什么", "怎样", "是", "？"} & set(words)


def test_filler_words_are_stopwords() -> None:
    assert {"请问", "怎么", "如何", "什么"} <= STOPWORDS


@pytest.mark.parametrize(("question", "expected"), [
    ("请问如何报销", ["报销"]),
    ("什么是差旅费", ["差旅", "旅费", "差旅费"]),
    ("怎样为基层减负", ["基层", "减负"]),
    ("HR系统怎么登录", ["hr", "系统", "登录"]),
    ("ＨＲ系統怎麼登錄", ["hr", "系统", "登录"]),
    ("請問幹部如何考核", ["干部", "考核"]),
    ("？？！！", []),
])
def test_question_words(analyzer: Analyzer, question: str, expected: list[str]) -> None:
    assert tokens(analyzer, question) == expected


@pytest.mark.parametrize(("document", "question"), [
    ("持续抓好为基层减负赋能工作。", "怎样为基层减负"),
    ("差旅费报销需要发票。", "请问差旅费如何报销"),
    ("年休假天数按工龄计算。", "什么是年休假"),
    ("是全面深化改革的重要一年。", "什么是全面深化改革"),
    ("加强和改进干部政绩考核。", "如何进行政绩考核"),
    ("加強和改進幹部政績考核。", "如何进行政绩考核"),
])
def test_a_word_gets_the_same_tokens_in_a_document_and_in_a_question(
        analyzer: Analyzer, document: str, question: str) -> None:
    question_words = set(tokens(analyzer, question)) - {"进行"}
    assert question_words
    assert question_words <= set(tokens(analyzer, document))


def test_units_join_single_characters_left_by_a_typo(analyzer: Analyzer) -> None:
    assert analyzer.units(normalize("政级考核")) == ["政级", "考核"]


@pytest.mark.parametrize(("text", "grams"), [
    ("基层减负", ["基层", "层减", "减负"]),
    ("党", ["党"]),
    ("hr系统v2", ["hr", "系统", "v2"]),
    ("the 系统", ["系统"]),
])
def test_grams(analyzer: Analyzer, text: str, grams: list[str]) -> None:
    assert analyzer.grams(text) == grams


def test_homophones_share_a_pinyin_key() -> None:
    assert set(pinyin_keys("政级")) & set(pinyin_keys("政绩"))
    assert not set(pinyin_keys("政治")) & set(pinyin_keys("政绩"))


# -- defined terms, user dictionary, synonyms ------------------------------------------------------

@pytest.mark.parametrize(("text", "terms"), [
    ("深刻领悟“两个确立”的决定性意义", {"两个确立"}),
    ("按照《差旅费管理办法》执行", {"差旅费管理办法"}),
    ("增强「四个意识」和\"ABC\"", {"四个意识", "abc"}),
    ("“好”和“这是一个很长很长很长很长的引用句子”", set()),  # too short / too long
    ("《2024》", set()),                                       # digits only
    ("“两个, 确立”", set()),                                   # punctuation inside
])
def test_extract_defined_terms(text: str, terms: set[str]) -> None:
    assert extract_defined_terms(text) == terms


def test_defined_terms_are_learned_by_ingesting_a_document(tmp_path: Path) -> None:
    kb = KnowledgeBase(tmp_path / "kb.db")
    assert kb.analyzer.units("三包五联") != ["三包五联"]  # jieba does not know it yet
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "通知.txt").write_text(
        "学习通知\n要深刻领悟“两个确立”的决定性意义。\n落实“三包五联”制度，按照《驻村工作规程》执行。\n",
        encoding="utf-8")
    kb.ingest([folder])
    assert kb.analyzer.units(normalize("深刻领悟两个确立的意义")) == ["深刻", "领悟", "两个确立", "意义"]
    assert kb.analyzer.units("三包五联") == ["三包五联"]
    assert "三包五联" in tokens(kb.analyzer, "怎么落实三包五联")
    assert "驻村工作规程" in kb.analyzer.units("驻村工作规程")
    assert {"两个确立", "三包五联", "驻村工作规程"} <= set(kb.store.terms())
    kb.close()
    with KnowledgeBase(tmp_path / "kb.db") as again:  # terms persist with the knowledge base
        assert {"两个确立", "三包五联", "驻村工作规程"} <= set(again.store.terms())
        assert again.search("三包五联").best.citation.paragraph == 2


def test_synonyms_parse_and_expand() -> None:
    synonyms = Synonyms.parse("# comment\n年假 年休假, 带薪假\n报销=報賬  # trailing\n孤词\n")
    assert synonyms.expand("年假") == {"年休假", "带薪假"}
    assert synonyms.expand("报账") == {"报销"}  # normalised to simplified
    assert synonyms.expand("孤词") == set()
    assert synonyms.words() == {"年假", "年休假", "带薪假", "报销", "报账"}


def test_user_dictionary_file_keeps_its_words_whole(tmp_path: Path) -> None:
    userdict = tmp_path / "userdict.txt"
    userdict.write_text("\ufeff嘟嘟补贴 10 n\n# comment\n\n", encoding="utf-8")
    with KnowledgeBase(tmp_path / "plain.db") as plain:
        assert plain.analyzer.units("发放嘟嘟补贴") != ["发放", "嘟嘟补贴"]
    with KnowledgeBase(tmp_path / "kb.db", userdict=[userdict]) as kb:
        assert kb.analyzer.units("发放嘟嘟补贴") == ["发放", "嘟嘟补贴"]
        assert "嘟嘟补贴" in tokens(kb.analyzer, "嘟嘟补贴怎么发")


def test_synonym_file_lets_a_synonym_only_question_find_the_paragraph(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "休假.txt").write_text(
        "休假制度\n职工累计工作满一年的，享受溜溜休假五天。\n婚假三天。\n", encoding="utf-8")
    synonyms = tmp_path / "synonyms.txt"
    synonyms.write_text("溜溜休假 叮当假期\n", encoding="utf-8")

    with KnowledgeBase(tmp_path / "plain.db") as plain:
        plain.ingest([folder])
        assert plain.search("叮当假期有几天").status == "not_found"

    with KnowledgeBase(tmp_path / "kb.db", synonyms=[synonyms]) as kb:
        kb.ingest([folder])
        answer = kb.search("叮当假期有几天")
        assert answer.status in ("answer", "suggestions")
        assert answer.best.citation.paragraph == 1
        assert "溜溜休假" in answer.best.excerpt


def test_question_tokens_are_words_and_units_from_one_jieba_pass(analyzer: Analyzer) -> None:
    seed = Path(__file__).resolve().parent.parent / "seeds" / "organization-work-2025.txt"
    texts = [normalize(line) for line in seed.read_text(encoding="utf-8").splitlines()
             if line.strip()][:40]
    texts += ["怎样为基层减负", "中华人民共和国公务员法第十三条", "政级考核怎么搞", "the KPI 2025 年度",
              "", "   ", "的了吗", "选拔任用干部工作条例（试行）", "🙂 <b>&amp;</b> NEAR( * OR 1=1"]
    tokenizer = _jieba()
    for text in texts:
        words, units = analyzer.question_tokens(text)
        # the same, except that synonym phrases jieba cut in pieces are joined (上班 / 路上)
        assert words[:len(analyzer.words(text))] == analyzer.words(text), text
        assert set(words[len(analyzer.words(text)):]) <= analyzer.synonyms.keys(), text
        assert "".join(units) == "".join(analyzer.units(text)), text
        # words() is jieba's own search mode, filtered (at index time too)
        assert analyzer.words(text) == [t for t in tokenizer.lcut_for_search(text)
                                        if t not in STOPWORDS and not t.isspace()
                                        and _WORDLIKE.search(t)], text


def test_a_question_keeps_synonym_phrases_whole_and_documents_are_cut_as_before(
        analyzer: Analyzer) -> None:
    words, units = analyzer.question_tokens("上班路上出车祸算工伤吗")
    assert units[0] == "上班路上" and "上班路上" in words and "上班" in words
    assert "上班路上" not in analyzer.words("上班路上出车祸")  # jieba was not taught it


def test_a_question_joins_the_longest_phrase_of_the_synonyms_in_use() -> None:
    """上班|路上|出|车祸: the longest run of tokens that is a phrase is joined, wherever it
    starts; an admin's new groups count from the next question on."""
    analyzer = Analyzer(synonyms=Synonyms.parse("上班路上 通勤途中\n上班路上出车祸 通勤事故"))
    question = "上班路上出车祸算工伤吗"
    assert analyzer.question_tokens(question)[1][0] == "上班路上出车祸"
    analyzer.set_synonyms(Synonyms.parse("上班路上 通勤途中"))
    assert analyzer.question_tokens(question)[1][0] == "上班路上"
    analyzer.set_synonyms(Synonyms.parse("路上出车祸 途中事故"))
    assert "路上出车祸" in analyzer.question_tokens(question)[1]
    analyzer.set_synonyms(Synonyms())
    assert not {"上班路上", "路上出车祸"} & set(analyzer.question_tokens(question)[1])


# -- the fast cut (knowledge/cut.py) equals jieba's ---------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
MIXED = ["Hello world 2024年 E-mail: a.b@c.com 100% C++ #tag　全角　空格\r\n换行 abc123def 。。。",
         "张三丰和李四光在北京大学图书馆讨论量子计算，王小明说：“弹性休假制不适用于试用期员工。”",
         "第一章 总则 第一条 为了规范差旅费报销，根据《中华人民共和国会计法》制定本办法。",
         "", " ", "的", "ＡＢＣ１２３", "一二三四五六七八九十百千万亿"]


def test_the_fast_cut_gives_jiebas_tokens_also_after_a_word_is_taught(analyzer) -> None:
    seeds = sorted((ROOT / "seeds").glob("*.txt"))
    texts = [*MIXED, *(p.read_text(encoding="utf-8") for p in seeds)]
    texts += [normalize(t) for t in texts]
    cutter = FastCut(_jieba())
    for _ in range(2):   # the second time from the clause memo
        assert [cutter.cut(t) for t in texts] == [_jieba().lcut(t) for t in texts]
    text = "枫糖浆果冻饮料"   # a word no other test uses: jieba is one per process
    assert cutter.cut(text) == _jieba().lcut(text) and "浆果冻饮" not in cutter.cut(text)
    analyzer.add_words(["浆果冻饮"])   # a new word: another total, the memo is dropped
    assert cutter.cut(text) == _jieba().lcut(text) and "浆果冻饮" in cutter.cut(text)
