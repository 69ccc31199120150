"""Tests for matching (knowledge.search through KnowledgeBase.search) on the real seed document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from knowledge import Answer, KnowledgeBase
from knowledge.normalize import normalize_with_offsets

ROOT = Path(__file__).resolve().parent.parent
SEED_TITLE = "坚持用改革精神和严的标准扎实做好组织工作"
STATUSES = {"answer", "suggestions", "not_found"}


@pytest.fixture(scope="module")
def seed_kb(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    folder = tmp_path_factory.mktemp("seed")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    kb = KnowledgeBase(folder / "seed.db")
    report = kb.ingest([folder / "seeds"])
    assert (report.documents, report.paragraphs) == (1, 7)
    yield kb
    kb.close()


@pytest.fixture
def fresh_kb(tmp_path: Path) -> KnowledgeBase:
    kb = KnowledgeBase(tmp_path / "kb.db")
    yield kb
    kb.close()


def paragraph_text(kb: KnowledgeBase, answer: Answer, rank: int = 0) -> str:
    view = kb.paragraph(answer.hits[rank].paragraph_id)
    assert view is not None
    return view.text


# -- the questions staff ask -----------------------------------------------------------------------

def test_reducing_the_burden_on_grassroots_is_answered_from_paragraph_4(seed_kb) -> None:
    answer = seed_kb.search("怎样为基层减负")
    assert answer.status == "answer"
    best = answer.best
    assert best.citation.document == SEED_TITLE
    assert best.citation.paragraph == 4
    assert best.citation.section == ("党的工作重心在基层，最坚实的力量支撑也在基层",)
    assert best.citation.label == (f"{SEED_TITLE} › 党的工作重心在基层，最坚实的力量支撑也在基层 › 第4段")
    assert best.citation.source == "organization-work-2025.txt"
    assert "为基层减负赋能" in best.excerpt


@pytest.mark.parametrize(("question", "paragraph"), [
    ("政绩考核", 3),
    ("政级考核", 3),           # homophone typo from a pinyin input method
    ("政績考核", 3),           # traditional characters
    ("怎樣為基層減負", 4),
    ("请问怎么为基层减负？", 4),
    ("ＡＢＣ怎样为基层减负", 4),
    ("理论武装", 2),
    ("人才评价体系", 5),
    ("党的建设制度改革", 6),
    ("模范部门", 7),
    ("两个确立", 1),
])
def test_best_paragraph(seed_kb, question: str, paragraph: int) -> None:
    answer = seed_kb.search(question)
    assert answer.status == "answer"
    assert answer.best.citation.paragraph == paragraph


def test_homophone_typo_is_expanded_to_the_knowledge_base_word(seed_kb) -> None:
    answer = seed_kb.search("政级考核", explain=True)
    assert "政绩" in answer.best.excerpt
    expansions = answer.explain["query"]["expansions"]
    assert any("政绩" in options for options in expansions.values())


def test_unanswerable_question_is_not_found_and_logged_with_a_growing_count(seed_kb) -> None:
    def count() -> int:
        return next((q.count for q in seed_kb.unanswered() if q.question.strip() == "食堂几点开饭"),
                    0)

    before = count()
    answer = seed_kb.search("食堂几点开饭")
    assert answer.status == "not_found"
    assert answer.hits == () and answer.best is None
    seed_kb.log_question(answer)
    assert count() == before + 1
    seed_kb.log_question(seed_kb.search("食堂几点开饭"))
    assert count() == before + 2
    seed_kb.log_question(seed_kb.search("食堂几点开饭 "))  # the same question, normalised
    assert count() == before + 3


def test_an_answered_question_is_not_in_the_unanswered_list(seed_kb) -> None:
    seed_kb.log_question(seed_kb.search("怎样为基层减负"))
    assert "怎样为基层减负" not in [q.question for q in seed_kb.unanswered()]


# -- any text is a valid question ------------------------------------------------------------------

@pytest.mark.parametrize("question", [
    '"', "*", "AND", "OR", "NEAR(", '" OR 1=1 --', "()", ":", "-", "", "   ", "😀👍🏻",
    "政绩考核" * 2500, "x" * 10_000, "\x00\x01\x1b[31m减负\x7f", "<b>", "\ud800", "基层 AND 减负*",
    "'; DROP TABLE paragraphs; --", "NEAR(基层 减负)", "\\", "%_", "\u200b\u200b",
])
def test_special_characters_never_error(seed_kb, question: str) -> None:
    answer = seed_kb.search(question)
    assert isinstance(answer, Answer)
    assert answer.status in STATUSES
    assert answer.question == question
    assert (answer.status == "not_found") == (not answer.hits)
    for hit in answer.hits:
        assert hit.excerpt
    question_id = seed_kb.log_question(answer)  # the question log takes it too
    assert seed_kb.feedback(question_id, True)


def test_operators_are_plain_text(seed_kb) -> None:
    assert seed_kb.search("基层 AND 减负*").best.citation.paragraph == 4
    assert seed_kb.search("NEAR(基层 减负)").best.citation.paragraph == 4
    assert seed_kb.search("AND").status == "not_found"


def test_knowledge_base_survives_a_hostile_question(seed_kb) -> None:
    seed_kb.log_question(seed_kb.search("'; DROP TABLE paragraphs; --"))
    assert seed_kb.stats().paragraphs == 7


# -- explain ---------------------------------------------------------------------------------------

def test_explain_has_the_tokens_and_every_score_part(seed_kb) -> None:
    answer = seed_kb.search("怎样为基层减负", explain=True)
    explain = answer.explain
    query = explain["query"]
    assert query["normalized"] == "怎样为基层减负"
    assert {"基层", "减负"} <= set(query["words"])
    assert not {"怎样", "为"} & set(query["words"])
    assert {"基层", "减负"} <= set(query["grams"])
    assert [u["text"] for u in query["units"]] == ["基层", "减负"]
    assert "减轻负担" in query["expansions"]["减负"]  # from knowledge/data/synonyms.txt
    first = explain["candidates"][0]
    assert {"bm25", "words", "context", "grams", "window", "coverage", "fuzzy", "final"} <= set(
        first)
    assert first["final"] == pytest.approx(answer.best.score, abs=1e-3)
    assert first["paragraph_id"] == answer.best.paragraph_id
    assert "第4段" in first["citation"]
    assert seed_kb.search("怎样为基层减负").explain is None


# -- excerpts and highlights -----------------------------------------------------------------------

EXCERPT_QUESTIONS = ["怎样为基层减负", "政级考核", "两个确立", "人才评价体系", "党的建设制度改革",
                     "中国式现代化", "正确用人导向", "改革", "模范部门", "组织工作"]


@pytest.mark.parametrize("question", EXCERPT_QUESTIONS)
def test_excerpt_is_short_and_a_piece_of_the_paragraph(seed_kb, question: str) -> None:
    answer = seed_kb.search(question, k=5)
    assert answer.hits
    for rank, hit in enumerate(answer.hits):
        assert len(hit.excerpt) <= 165
        core = hit.excerpt.removeprefix("…").removesuffix("…")
        assert core and core in paragraph_text(seed_kb, answer, rank)


@pytest.mark.parametrize("question", EXCERPT_QUESTIONS)
def test_highlights_are_valid_spans_covering_the_matched_words(seed_kb, question: str) -> None:
    answer = seed_kb.search(question, k=5)
    for hit in answer.hits:
        previous_end = 0
        for start, end in hit.highlights:
            assert previous_end <= start < end <= len(hit.excerpt)  # in order, not overlapping
            previous_end = end
    best = answer.best
    norm, offsets = normalize_with_offsets(best.excerpt)  # "…" normalises to "..."
    covered = {i for start, end in best.highlights for i in range(start, end)}
    units = [u["text"] for u in seed_kb.search(question, explain=True).explain["query"]["units"]]
    found = 0
    for word in units:
        position = norm.find(word)
        while position != -1:
            found += 1
            chars = {offsets[i] for i in range(position, position + len(word))}
            assert chars <= covered, (word, best.excerpt)
            position = norm.find(word, position + 1)
    if question != "改革":  # "改革" reaches some paragraphs through the title only
        assert found, "the best excerpt shows none of the question's words"


def test_highlights_of_the_grassroots_answer(seed_kb) -> None:
    best = seed_kb.search("怎样为基层减负").best
    marked = [best.excerpt[start:end] for start, end in best.highlights]
    assert "基层减负" in marked
    assert set(marked) <= {"基层", "减负", "基层减负", "一线", "松绑", "减轻负担"}


def test_long_paragraph_excerpt_is_cut_with_ellipsis(seed_kb) -> None:
    best = seed_kb.search("两个确立").best
    assert len(paragraph_text(seed_kb, seed_kb.search("两个确立"))) > 165
    assert "两个确立" in best.excerpt
    assert best.excerpt.startswith("…") or best.excerpt.endswith("…")
    assert len(best.excerpt) <= 165


# -- titles and headings count ---------------------------------------------------------------------

POLICY = """差旅费管理办法
第一章 出差审批
第一条 须经部门负责人签字同意后方可出行。
第二章 住宿标准
第二条 每晚不超过五百元，凭发票报销。
第三章 交通工具
第三条 乘坐高铁二等座，特殊情况可乘飞机经济舱。
"""


@pytest.mark.parametrize(("question", "section", "paragraph"), [
    ("出差审批", ("第一章 出差审批", "第一条"), 1),
    ("住宿标准是多少", ("第二章 住宿标准", "第二条"), 2),
    ("交通工具", ("第三章 交通工具", "第三条"), 3),
])
def test_a_question_naming_a_section_heading_finds_that_section(
        fresh_kb, tmp_path: Path, question: str, section: tuple[str, ...], paragraph: int) -> None:
    (tmp_path / "差旅.txt").write_text(POLICY, encoding="utf-8")
    fresh_kb.ingest([tmp_path / "差旅.txt"])
    answer = fresh_kb.search(question)
    assert answer.status in ("answer", "suggestions")
    assert answer.best.citation.document == "差旅费管理办法"
    assert answer.best.citation.section == section
    assert answer.best.citation.paragraph == paragraph


def test_a_question_naming_a_document_title_finds_that_document(fresh_kb, tmp_path: Path) -> None:
    (tmp_path / "差旅.txt").write_text(POLICY, encoding="utf-8")
    (tmp_path / "食堂.txt").write_text("员工餐厅管理规定\n午餐供应时间为十一点半至一点。\n",
                                       encoding="utf-8")
    fresh_kb.ingest([tmp_path])
    answer = fresh_kb.search("员工餐厅")
    assert answer.status in ("answer", "suggestions")
    assert answer.best.citation.document == "员工餐厅管理规定"
    assert answer.best.citation.paragraph == 1


def test_k_limits_the_hits_and_hits_are_best_first(seed_kb) -> None:
    answer = seed_kb.search("改革", k=2)
    assert len(answer.hits) == 2
    many = seed_kb.search("改革", k=7)
    scores = [hit.score for hit in many.hits]
    assert scores == sorted(scores, reverse=True)
    assert [h.paragraph_id for h in many.hits[:2]] == [h.paragraph_id for h in answer.hits]


def test_empty_knowledge_base_answers_not_found(fresh_kb) -> None:
    answer = fresh_kb.search("怎样为基层减负")
    assert (answer.status, answer.hits) == ("not_found", ())


def test_traditional_full_width_document_is_found_and_highlighted_in_its_own_characters(
        fresh_kb, tmp_path: Path) -> None:
    (tmp_path / "網絡.txt").write_text("網絡管理辦法\n員工使用ＶＰＮ連接內網，須經資訊部審批。\n",
                                       encoding="utf-8")
    fresh_kb.ingest([tmp_path / "網絡.txt"])
    best = fresh_kb.search("员工怎么连接内网vpn").best
    assert best.citation.document == "網絡管理辦法"
    assert best.excerpt == "員工使用ＶＰＮ連接內網，須經資訊部審批。"
    marked = "".join(best.excerpt[start:end] for start, end in best.highlights)
    for word in ("員工", "ＶＰＮ", "連接", "內網"):
        assert word in marked


@pytest.mark.parametrize(("document", "question"), [
    ("信息公開辦法\n第九條 機關應當自收到申請之日起20個工作日內答覆。\n第十條 申請人可以查閱檔案。\n",
     "申请后多少个工作日内答复"),
    ("信息公开办法\n第九条 机关应当自收到申请之日起20个工作日内答复。\n第十条 申请人可以查阅档案。\n",
     "申請後多少個工作日內答覆"),
    ("報銷須知\n第三條 據瞭解情況，憑藉發票報銷。\n第四條 出差須經審批。\n", "凭借什么报销"),
], ids=["traditional-document", "traditional-question", "traditional-ping-jie"])
def test_a_traditional_phrase_with_two_simplified_readings_matches_its_simplified_form(
        fresh_kb, tmp_path: Path, document: str, question: str) -> None:
    # 覆 stays 覆 by character (覆盖), but 答覆 is 答复; 藉 is 借 in 憑藉: OpenCC's phrases decide,
    # on both sides, and the excerpt keeps the document's own characters, highlighted in place.
    (tmp_path / "doc.txt").write_text(document, encoding="utf-8")
    fresh_kb.ingest([tmp_path / "doc.txt"])
    best = fresh_kb.search(question).best
    assert best is not None and best.citation.paragraph == 1
    marked = "".join(best.excerpt[start:end] for start, end in best.highlights)
    assert any(word in marked for word in ("答覆", "答复", "憑藉"))


ARTICLES = """差旅费管理办法
第一章 总则
第一条 为规范差旅费管理，制定本办法。
第二条 本办法适用于全体员工。
第二章 住宿
第三条 住宿费按标准报销，每晚不超过五百元。
第四条 超标准部分由个人承担。
"""


@pytest.mark.parametrize(("question", "paragraph"), [
    ("第三条", 3),
    ("总则第二条", 2),
    ("第二章第四条", 4),
    ("《差旅费管理办法》第三条", 3),
    ("差旅费管理办法第三条怎么规定", 3),
    ("第3条", 3),
])
def test_a_question_citing_an_article_finds_it(fresh_kb, tmp_path: Path, question: str,
                                               paragraph: int) -> None:
    (tmp_path / "差旅.txt").write_text(ARTICLES, encoding="utf-8")
    fresh_kb.ingest([tmp_path / "差旅.txt"])
    assert fresh_kb.search(question).best.citation.paragraph == paragraph


@pytest.mark.parametrize(("question", "paragraph"), [
    ("选拔干部", 3),        # jieba keeps 选拔干部 whole; the text has 选拔 … 干部 apart
    ("干部能上能下怎么推进", 3),
])
def test_a_compound_question_word_found_in_parts_is_a_confident_answer(seed_kb, question,
                                                                      paragraph) -> None:
    answer = seed_kb.search(question)
    assert answer.status == "answer"
    assert answer.best.citation.paragraph == paragraph


def test_a_rare_bigram_of_a_dictionary_word_is_not_taken_for_a_typo(seed_kb) -> None:
    query = seed_kb.searcher.analyse("德意志民族")
    assert "意志" not in query.expansions
    unit = next(u for u in query.units if u.text == "德意志")
    assert unit.weight == pytest.approx(max(u.weight for u in query.units))


# -- the rerank's span matcher ---------------------------------------------------------------------
@given(st.lists(st.text(alphabet="干部选拔任用，。", max_size=12), min_size=1, max_size=8),
       st.lists(st.integers(0, 3), min_size=8, max_size=8),
       st.sampled_from(["干部", "选拔干部", "任用", "部选"]),
       st.lists(st.sampled_from(["干", "部队", "选拔"]), max_size=2))
@settings(max_examples=300, deadline=None)
def test_spans_match_is_unit_match_on_each_span(texts, gaps, word, alternatives) -> None:
    """_Spans finds every spelling once in a joined text (with text between spans and empty
    spans); per span it must score exactly as Unit.match on that span alone."""
    from knowledge.query import Unit
    from knowledge.rank import _Spans

    grams = tuple((word[i:i + 2], *(("任用",) if i == 0 else ())) for i in range(len(word) - 1))
    parts = ("选拔", "干部") if word == "选拔干部" else ()
    unit = Unit(word, 1.0, tuple(alternatives), grams, parts)
    pieces, starts, ends, at = [], [], [], 0
    for text, gap in zip(texts, gaps):
        filler = "干部选"[:gap]          # text outside any span, which must not count
        pieces.append(filler + text)
        starts.append(at + len(filler))
        ends.append(at + len(filler) + len(text))
        at += len(filler) + len(text)
    spans = _Spans("".join(pieces), starts, ends)
    assert spans.match(unit).tolist() == [unit.match(t) for t in texts]
