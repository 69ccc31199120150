"""Matching by meaning (knowledge/meaning.py): vectors written with their paragraphs, kept for
unchanged text, removed with their documents, replaced by another model's, never the cause of a
lost ingest; and, with the real model (the meaning extra), a question in other words finds the
article through the CLI and the bot, a question the words miss but meaning finds is offered, and
an off-topic question the words alone would answer is "not found".

``fixtures/meaning18/`` holds two short rules written for these tests (a dormitory rule and a
travel-expense rule, invented, in the style of an office's 办法), asked in words they do not use.

The plumbing tests give the knowledge base a small encoder of their own (character pairs hashed
into 64 numbers, through the encoder seam the CLI's setting fills with the real model), so they
run whether or not the extra is installed and count exactly what was embedded.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

import numpy as np
import pytest
from test_cli import ROOT, staffbot

from knowledge import KnowledgeBase, meaning_available

FIXTURE = ROOT / "tests" / "fixtures" / "meaning18"

RULE = """# 员工宿舍管理办法

第一条 为规范员工宿舍管理，制定本办法。

第二条 入住宿舍的员工应当遵守作息时间，晚上十一点后不得大声喧哗。

第三条 宿舍内禁止使用电炉、电热毯等大功率电器。

第四条 员工离职的，应当在离职之日起七日内搬离宿舍并交还钥匙。
"""


SURE = "宿舍里能用电热毯吗"        # 第三条, a confident answer by the words
UNSURE = "宿舍几点要安静"           # 第二条's 作息时间 and 喧哗 are not its words: suggestions


class PairEncoder:
    """Character pairs hashed into 64 numbers, unit length: texts sharing pairs are close."""

    dim = 64

    def __init__(self, name: str = "pairs-v1", broken: bool = False) -> None:
        self.name, self.broken = name, broken
        self.embedded: list[str] = []
        self.asked: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.dim, dtype=np.float32)
        for a, b in zip(text, text[1:]):
            vector[zlib.crc32((a + b).encode()) % self.dim] += 1.0
        return vector / (np.linalg.norm(vector) or 1.0)

    def query(self, text: str) -> np.ndarray:
        self.asked.append(text)
        return self._vector(text)

    def passages(self, texts):
        if self.broken:
            raise RuntimeError("the model file is damaged")
        self.embedded.extend(texts)
        return np.stack([self._vector(t) for t in texts])


def _vectors(db: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT paragraph_id, model FROM vectors ORDER BY 1").fetchall()


def _paragraph_ids(db: Path) -> list[int]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM paragraphs ORDER BY 1")]


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "宿舍.md").write_text(RULE, encoding="utf-8")
    (folder / "考勤.txt").write_text(
        "考勤管理规定\n\n第一条 员工应当按时上下班。\n\n第二条 迟到三次的，扣发当月全勤奖。\n",
        encoding="utf-8")
    return folder


def test_every_paragraph_gets_one_vector_and_unchanged_ones_keep_theirs(docs, tmp_path):
    encoder = PairEncoder()
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=encoder) as kb:
        report = kb.ingest([docs])
        assert report.embedded == report.paragraphs == len(encoder.embedded)
        assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
        assert kb.stats().meaning_paragraphs == kb.stats().paragraphs
        assert "meaning: " in report.summary()
        # one article edited: only its paragraph is embedded again; the others keep theirs
        encoder.embedded.clear()
        (docs / "宿舍.md").write_text(RULE.replace("七日内", "十日内"), encoding="utf-8")
        again = kb.ingest([docs])
        assert len(encoder.embedded) == 1 and "十日内" in encoder.embedded[0]
        assert again.embedded == again.paragraphs == 4          # the file's four articles
        assert again.reused_vectors == 3
        assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
        # nothing changed: nothing embedded
        encoder.embedded.clear()
        assert kb.ingest([docs]).embedded == 0 and not encoder.embedded


def test_an_articles_paragraphs_share_one_vector_of_the_whole_article(tmp_path):
    # 第五条's two 款 are read together (what the second says is about what the first names):
    # one embedding of the whole article, its vector on both paragraphs
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "设施.md").write_text(
        "# 公共设施管理规定\n\n第四条 公共设施由行政部管理。\n\n"
        "第五条 员工应当爱护会议室的投影仪和音响。\n\n损坏的，按照购置价格照价赔偿。\n",
        encoding="utf-8")
    encoder = PairEncoder()
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=encoder) as kb:
        report = kb.ingest([folder])
    assert report.paragraphs == 3 and report.embedded == 3
    assert len(encoder.embedded) == 2                      # two articles, two embeddings
    article = next(t for t in encoder.embedded if "第五条" in t)
    assert "投影仪" in article and "照价赔偿" in article, article
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT s.path, v.vec FROM vectors v JOIN paragraphs p ON "
                            "p.id = v.paragraph_id JOIN sections s ON s.id = p.section_id "
                            "ORDER BY p.id").fetchall()
    assert [path for path, _ in rows] == ['["第四条"]', '["第五条"]', '["第五条"]']
    assert rows[1][1] == rows[2][1] != rows[0][1]


def test_a_removed_document_takes_its_vectors(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder()) as kb:
        kb.ingest([docs])
        assert kb.remove("考勤管理规定") == 1
        assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
        assert len(_paragraph_ids(db)) == 4                     # 宿舍's four articles


def test_a_paragraph_missing_its_vector_before_newer_ones_is_found_too(docs, tmp_path):
    # new paragraphs are looked for after the last one embedded; one missing before it (an
    # interrupted batch) is found by the scan when there is none after
    db = tmp_path / "kb.db"
    encoder = PairEncoder()
    with KnowledgeBase(db, meaning=encoder) as kb:
        kb.ingest([docs])
        with sqlite3.connect(db) as conn:
            conn.execute("DELETE FROM vectors WHERE paragraph_id = ?", [_paragraph_ids(db)[1]])
        encoder.embedded.clear()
        assert kb.embed_missing() == 1 and len(encoder.embedded) == 1
        assert kb.embed_missing() == 0
    assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)


def _stale_vectors(db: Path, encoder: PairEncoder) -> list[int]:
    """Paragraphs whose stored vector is not that of their text as it is now."""
    from knowledge.meaning import from_blob, passage_text

    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT p.id, d.title, s.path, p.text, v.vec FROM vectors v JOIN paragraphs p ON "
            "p.id = v.paragraph_id JOIN sections s ON s.id = p.section_id JOIN documents d ON "
            "d.id = p.doc_id").fetchall()
    return [pid for pid, title, path, text, vec in rows
            if not np.allclose(from_blob(vec), encoder._vector(
                passage_text(title, json.loads(path), text)), atol=1e-3)]


def test_a_write_can_leave_its_embedding_to_a_later_pass(docs, tmp_path):
    # (the bot's way: an upload is answered once its words are in; a background pass embeds)
    encoder = PairEncoder()
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=encoder, embed_later=True) as kb:
        report = kb.ingest([docs])
        assert report.embedded == 0 and not encoder.embedded and _vectors(db) == []
        assert report.to_embed == report.paragraphs == 6
        assert "6 paragraphs to embed in the background" in report.summary()
        # the words answer meanwhile
        assert kb.search("离职后几天内搬离宿舍", k=3).status == "answer"
        upload = kb.ingest_bytes("# 车辆管理办法\n\n第一条 公务用车由行政部统一调度。\n"
                                 .encode("utf-8"), "车辆.md")
        assert upload.to_embed == 7 and upload.embedded == 0
        assert kb.embed_missing() == 7
    assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)
    assert _stale_vectors(db, encoder) == []


class ReplacingEncoder(PairEncoder):
    """Replaces a document while its first batch is being embedded (an upload arriving while
    the bot's background pass runs)."""

    def __init__(self, replace) -> None:
        super().__init__()
        self.replace = replace

    def passages(self, texts):
        vectors = super().passages(texts)
        replace, self.replace = self.replace, None
        if replace is not None:
            replace()
        return vectors


def test_a_paragraph_replaced_while_it_is_embedded_gets_the_vector_of_its_new_text(tmp_path):
    # the replaced paragraphs' ids are reused by the new version's: the vectors of the old
    # texts must not land on them
    db = tmp_path / "kb.db"
    first = "# 车辆管理办法\n\n第一条 公务用车由行政部统一调度。\n\n第二条 驾驶员应当持证上岗。\n"
    second = "# 车辆管理办法\n\n第一条 公务用车由办公室统一调度。\n\n第二条 车辆每年检修一次。\n"
    encoder = ReplacingEncoder(None)
    with KnowledgeBase(db, meaning=encoder, embed_later=True) as kb:
        ids = None
        kb.ingest_bytes(first.encode("utf-8"), "车辆.md")
        ids = _paragraph_ids(db)
        encoder.replace = lambda: kb.ingest_bytes(second.encode("utf-8"), "车辆.md")
        kb.embed_missing()
        assert _paragraph_ids(db) == ids                    # (the same ids, the new texts)
        kb.embed_missing()                                  # the next pass: the new texts
        assert [pid for pid, _ in _vectors(db)] == ids
    assert _stale_vectors(db, encoder) == []


def _question_vectors(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT norm, model FROM question_vectors ORDER BY 1").fetchall()


def test_a_taught_question_is_embedded_and_its_vector_goes_with_it(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder("pairs-v1")) as kb:
        kb.ingest([docs])
        first = kb.teach("宿舍几点熄灯？", answer="晚上十一点。")
        kb.teach("饭卡丢了怎么办", answer="到行政部补办。")
        assert _question_vectors(db) == [("宿舍几点熄灯", "pairs-v1"), ("饭卡丢了怎么办", "pairs-v1")]
        assert kb.forget(first.id)
        assert _question_vectors(db) == [("饭卡丢了怎么办", "pairs-v1")]
    with KnowledgeBase(db, meaning=PairEncoder("pairs-v2")) as kb:    # another model
        kb.embed_missing()
    assert _question_vectors(db) == [("饭卡丢了怎么办", "pairs-v2")]


def test_another_model_replaces_the_vectors_and_words_only_keeps_them(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder("pairs-v1")) as kb:
        kb.ingest([docs])
    with KnowledgeBase(db) as kb:           # words only: nothing embedded, nothing dropped
        assert kb.ingest([docs]).embedded == 0
        assert kb.stats().meaning == ""
    assert {model for _, model in _vectors(db)} == {"pairs-v1"}
    with KnowledgeBase(db, meaning=PairEncoder("pairs-v2")) as kb:
        assert kb.ingest([docs]).embedded == len(_paragraph_ids(db))   # files unchanged
    assert {model for _, model in _vectors(db)} == {"pairs-v2"}
    assert [pid for pid, _ in _vectors(db)] == _paragraph_ids(db)


def test_a_broken_model_loses_nothing_and_the_next_ingest_catches_up(docs, tmp_path):
    db = tmp_path / "kb.db"
    with KnowledgeBase(db, meaning=PairEncoder(broken=True)) as kb:
        report = kb.ingest([docs])
        assert report.documents == 2 and report.embedded == 0
        assert any("meaning" in w and "damaged" in w for w in report.warnings), report.warnings
        # asked all the same, by words (the candidates have no vector: the part is neutral)
        answer = kb.search("离职后几天内搬离宿舍", k=3, explain=True)
        assert answer.status == "answer" and "第四条" in answer.hits[0].citation.label
    assert _vectors(db) == []
    with KnowledgeBase(db, meaning=PairEncoder()) as kb:
        assert kb.ingest([docs]).embedded == len(_paragraph_ids(db))


def test_only_unsure_questions_are_ordered_by_meaning_and_weight_zero_is_words_only(docs,
                                                                                    tmp_path):
    from dataclasses import replace

    from knowledge import SearchConfig

    db = tmp_path / "kb.db"
    with KnowledgeBase(db) as kb:
        kb.ingest([docs])
        words = {q: kb.search(q, k=3, explain=True) for q in (SURE, UNSURE)}
    encoder = PairEncoder()
    with KnowledgeBase(db, meaning=encoder) as kb:
        kb.ingest([docs])                  # the paragraphs written words-only get their vectors
        sure = kb.search(SURE, k=3, explain=True)
        # a confident answer by the words is theirs: the question is not even embedded
        assert sure.status == "answer" and encoder.asked == []
        assert sure.explain["stages"]["meaning"].startswith("not needed")
        assert [h.ref for h in sure.hits] == [h.ref for h in words[SURE].hits]
        unsure = kb.search(UNSURE, k=3, explain=True, closest=True)
        assert unsure.status == words[UNSURE].status == "suggestions"   # the words' status
        assert unsure.explain["stages"]["meaning"].startswith("applied") and encoder.asked == [UNSURE]
        parts = [c["meaning"] for c in unsure.explain["candidates"]]
        # the gap form: the closest in meaning scores 0, the rest below (the closest need not
        # be among the candidates listed: the words' order may put another first)
        assert parts and all(p <= 0.0 for p in parts), parts
        assert unsure.explain["stages"]["rerank"]["weights"]["meaning"] == \
            SearchConfig().meaning_weight
        kb.config = replace(kb.config, meaning_weight=0.0)
        kb._searcher = None
        off = kb.search(UNSURE, k=3, explain=True)
        assert off.explain["stages"]["meaning"] == "off"
    assert [h.ref for h in off.hits] == [h.ref for h in words[UNSURE].hits]
    assert off.status == words[UNSURE].status


def test_meaning_decides_only_on_short_texts_and_never_makes_an_answer():
    from knowledge.meaning import Closeness, Judging
    from knowledge.rank import meaning_decides

    judging = Judging(suggest_at=0.88, decline_at=0.85, chars_below=250)

    def status(words: str, first: tuple[float, int], *others: tuple[float, int]) -> str:
        close = {row: Closeness(*c) for row, c in enumerate((first, *others))}
        return meaning_decides(words, 0, close, judging)[0]

    assert status("not_found", (0.82, 80), (0.89, 60)) == "suggestions"    # closest: offered
    assert status("not_found", (0.87, 80)) == "not_found"
    assert status("not_found", (0.95, 400)) == "not_found"                 # long: not judged
    assert status("suggestions", (0.84, 80), (0.83, 90)) == "not_found"    # nothing close
    # … unless the words' first hit says the question's heaviest words (优盘 for U盘)
    assert meaning_decides("suggestions", 0, {0: Closeness(0.84, 80), 1: Closeness(0.83, 90)},
                           judging, said=True)[0] == "suggestions"
    assert status("suggestions", (0.84, 80), (0.86, 90)) == "suggestions"
    assert status("suggestions", (0.80, 500)) == "suggestions"             # long: not judged
    assert status("answer", (0.90, 80)) == "answer"
    assert status("answer", (0.84, 80), (0.83, 60)) == "not_found"         # far: taken back
    assert status("answer", (0.84, 80), (0.86, 60)) == "suggestions"       # … to the closer
    assert status("answer", (0.80, 600)) == "answer"                       # long: the words'
    assert status("suggestions", (0.99, 80)) == "suggestions"              # never an answer
    # the words' first hit not embedded yet (a knowledge base being embedded): not declined
    assert meaning_decides("suggestions", 0, {1: Closeness(0.80, 60)}, judging)[0] == \
        "suggestions"
    # an answer not to be judged (an FAQ pair's: its own decision) is kept
    assert meaning_decides("answer", 0, {0: Closeness(0.80, 60)}, judging,
                           answer_judged=False)[0] == "answer"
    assert meaning_decides("suggestions", 0, {0: Closeness(0.5, 10)}, None)[0] == "suggestions"


def test_meaning_answers_only_the_hit_the_words_put_first_where_it_leads():
    """The one answer meaning makes: the words' first hit, which they only suggest with no rule
    holding it back (``agreed``: an FAQ pair's row, or an article's paragraphs), is also the
    closest candidate in meaning, ``agree`` close and ``agree_lead`` ahead of every candidate
    not of it."""
    from knowledge.meaning import Closeness, Judging
    from knowledge.rank import meaning_decides

    judging = Judging(suggest_at=0.88, decline_at=0.85, chars_below=250, agree=0.88,
                      agree_lead=0.015)

    def status(words: str, first: float, *others: float, agreed=frozenset({0})) -> str:
        close = {row: Closeness(c, 60) for row, c in enumerate((first, *others))}
        return meaning_decides(words, 0, close, judging, agreed=agreed)[0]

    assert status("suggestions", 0.90, 0.88) == "answer"
    assert status("suggestions", 0.90, 0.89) == "suggestions"             # leads by 0.01
    assert status("suggestions", 0.875, 0.80) == "suggestions"            # not close enough
    assert status("suggestions", 0.88, 0.90) == "suggestions"             # another is closer
    # not agreed on (held back by a rule of the words', or too long to judge): never
    assert status("suggestions", 0.90, 0.80, agreed=frozenset()) == "suggestions"
    assert status("answer", 0.90, 0.80) == "answer"
    assert status("not_found", 0.90, 0.80) == "suggestions"               # offered, no more
    # an article's other paragraphs share its vector: they are not the next candidate
    assert status("suggestions", 0.90, 0.90, 0.88, agreed=frozenset({0, 1})) == "answer"
    assert status("suggestions", 0.90, 0.90, 0.88) == "suggestions"
    # an encoder without these cosines: never
    plain = Judging(suggest_at=0.88, decline_at=0.85, chars_below=250)
    assert meaning_decides("suggestions", 0, {0: Closeness(0.99, 60)}, plain,
                           agreed=frozenset({0}))[0] == "suggestions"


def test_the_setting_is_auto_on_or_off_and_on_without_the_model_says_how_to_install(tmp_path):
    db = tmp_path / "kb.db"
    wrong = staffbot("stats", db=db, check=2, env={"STAFFBOT_MEANING": "sometimes"})
    assert "STAFFBOT_MEANING" in wrong.stderr and "auto, on or off" in wrong.stderr
    on = staffbot("stats", "--json", db=db, check=None, env={"STAFFBOT_MEANING": "on"})
    if meaning_available():
        assert on.returncode == 0 and json.loads(on.stdout)["meaning"].startswith("e5-small")
    else:
        assert on.returncode == 2 and "pip install -e '.[meaning]'" in on.stderr, on.stderr
    auto = json.loads(staffbot("stats", "--json", db=db, env={"STAFFBOT_MEANING": "auto"}).stdout)
    assert auto["meaning"].startswith("e5-small") if meaning_available() else \
        auto["meaning"] == ""
    assert json.loads(staffbot("stats", "--json", db=db).stdout)["meaning"] == ""   # off


def test_a_cpu_without_avx2_is_told_not_crashed(tmp_path, monkeypatch):
    # the engine's x86-64 build uses AVX2 unconditionally: on a CPU without it the process
    # would die (SIGILL) on the first embedding, so auto means words only there
    import platform

    from knowledge import meaning

    monkeypatch.setattr(platform, "machine", lambda: "x86_64")
    old = tmp_path / "cpuinfo"
    old.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 ssse3 sse4_1 sse4_2 avx\n")
    new = tmp_path / "cpuinfo-new"
    new.write_text("processor\t: 0\nflags\t\t: fpu sse sse2 avx avx2 fma\n")
    assert meaning._cpu_lacks(str(old)) == "AVX2" and meaning._cpu_lacks(str(new)) == ""
    monkeypatch.setattr(meaning, "_cpu_lacks", lambda: "AVX2")
    monkeypatch.setattr(meaning.importlib.util, "find_spec", lambda name: object())
    assert meaning.choose("auto") is None and "lacks AVX2" in meaning.problem()
    with pytest.raises(meaning.MeaningUnavailable, match="lacks AVX2"):
        meaning.choose("on")


needs_model = pytest.mark.skipif(not meaning_available(),
                                 reason="the meaning extra is not installed "
                                        "(pip install -e '.[meaning]')")


def _ask(db: Path, question: str, meaning: str) -> dict:
    run = staffbot("ask", "--json", "--explain", question, db=db, check=None,
                   env={"STAFFBOT_MEANING": meaning})
    assert run.returncode == (1 if '"status": "not_found"' in run.stdout else 0), run.stderr
    return json.loads(run.stdout)


# Asked in words the rule does not use (饭钱 for 伙食补助费): by the words alone, suggestions
# with 第六条 (报销手续) first; by meaning too, 第五条 (伙食补助费…每人每天一百元) first.
MEAL = "出差的饭钱怎么算"


@needs_model
def test_the_model_puts_the_article_asked_in_other_words_first(tmp_path):
    db = tmp_path / "kb.db"
    run = staffbot("ingest", str(FIXTURE), db=db, env={"STAFFBOT_MEANING": "on"})
    assert "meaning: " in run.stdout + run.stderr, run.stdout
    stats = json.loads(staffbot("stats", "--json", db=db,
                                env={"STAFFBOT_MEANING": "on"}).stdout)
    assert stats["meaning"].startswith("e5-small")
    assert stats["meaning_paragraphs"] == stats["paragraphs"] > 0
    meant, words = _ask(db, MEAL, "on"), _ask(db, MEAL, "off")
    assert meant["status"] == words["status"] == "suggestions"    # the words' status
    assert meant["explain"]["stages"]["meaning"].startswith("applied")
    assert "第五条" in meant["hits"][0]["citation"], [h["citation"] for h in meant["hits"]]
    assert "伙食补助费" in meant["hits"][0]["excerpt"]
    assert "第六条" in words["hits"][0]["citation"], [h["citation"] for h in words["hits"]]
    # a question the words answer confidently is theirs, with or without the model
    sure = "坐飞机能坐头等舱吗"
    assert _ask(db, sure, "on")["hits"][0]["ref"] == _ask(db, sure, "off")["hits"][0]["ref"]


SHEET = """分类,问题,答案
维修,公寓内设施损坏如何报修？,在公寓服务号提交报修单，写明房间号和损坏情况，维修师傅一般在24小时内上门。
钥匙,把自己锁在门外了怎么办？,拨打前台电话8001，核对身份后由值班人员开门；晚上十点后联系保安室。
邻里,室友或邻居太吵怎么处理？,先友好沟通；沟通无效的，向楼栋管理员反映，由管理员出面协调。
缴费,公寓的水电费怎么缴纳？,水电费每月5日前在公寓服务号在线缴纳，账单可在同一页面查询。
宠物,公寓里可以养宠物吗？,公寓内不允许饲养猫狗等宠物，观赏鱼除外。
访客,亲友来访可以留宿吗？,亲友留宿须提前一天在前台登记，每次不超过三晚。
网络,公寓的网络怎么连接？,连接无线网络“Staff-Home”，用工号和密码登录即可。
退宿,离职时怎么办理退宿？,离职前三天到前台申请退宿，检查房间设施后退还押金。
"""


@needs_model
def test_an_faq_pair_the_words_suggest_and_meaning_agrees_on_is_answered(tmp_path):
    """隔壁半夜打游戏很吵怎么办 on an apartment FAQ sheet: the words put 室友或邻居太吵怎么处理？
    first but only suggest it (游戏, 半夜 are not the pair's words); the model finds it closest
    too, leading the next pair: answered, with the whole answer. An off-topic question stays
    unanswered."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "公寓服务问答.csv").write_text(SHEET, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(docs), db=db, env={"STAFFBOT_MEANING": "on"})
    noisy = "隔壁半夜打游戏很吵怎么办"
    words, meant = _ask(db, noisy, "off"), _ask(db, noisy, "on")
    assert words["status"] == "suggestions" and words["hits"][0]["question"] == "室友或邻居太吵怎么处理？"
    assert meant["status"] == "answer", meant["explain"]["stages"]["meaning"]
    assert meant["hits"][0]["question"] == "室友或邻居太吵怎么处理？"
    assert meant["hits"][0]["excerpt"].startswith("先友好沟通")
    assert meant["explain"]["stages"]["meaning"].startswith("applied; the words' first hit answers")
    assert _ask(db, "附近哪家火锅好吃", "on")["status"] != "answer"


@needs_model
def test_an_faq_pair_whose_own_question_is_closest_in_meaning_is_answered(tmp_path):
    """饭卡没钱了在哪充 on a campus services sheet (tests/fixtures/faq_meaning, bench/faq's
    campus sheet): the words only suggest 食堂饭卡怎么充值？ and the pair read with its answer
    leads the next by too little to answer; asked as a question, it is closest to that pair's
    own question (both embedded as questions, ≥ 0.93, no other pair's question closer):
    answered with the whole answer. An off-topic question stays unanswered."""
    db = tmp_path / "kb.db"
    staffbot("ingest", str(ROOT / "tests" / "fixtures" / "faq_meaning"), db=db,
             env={"STAFFBOT_MEANING": "on"})
    asked = "饭卡没钱了在哪充"
    words, meant = _ask(db, asked, "off"), _ask(db, asked, "on")
    assert words["status"] == "suggestions" and words["hits"][0]["question"] == "食堂饭卡怎么充值？"
    assert meant["status"] == "answer", meant["explain"]["stages"]["meaning"]
    assert meant["hits"][0]["question"] == "食堂饭卡怎么充值？"
    assert "the pair's question" in meant["explain"]["stages"]["meaning"]
    for off_topic in ("附近哪家火锅好吃", "明天上海会下雨吗"):
        assert _ask(db, off_topic, "on")["status"] != "answer"


@needs_model
def test_an_article_the_words_suggest_and_meaning_agrees_on_is_answered(tmp_path):
    """宿舍能养宠物吗 on the dormitory rule: the words put 第五条 (不得在宿舍内饲养猫、狗等动物)
    first but only suggest it (宠物 is not the rule's word); the model finds that article
    closest too, ahead of every other: answered. An off-topic question is not."""
    db = tmp_path / "kb.db"
    staffbot("ingest", str(FIXTURE), db=db, env={"STAFFBOT_MEANING": "on"})
    pet = "宿舍能养宠物吗"
    words, meant = _ask(db, pet, "off"), _ask(db, pet, "on")
    assert words["status"] == "suggestions" and "第五条" in words["hits"][0]["citation"]
    assert meant["status"] == "answer", meant["explain"]["stages"]["meaning"]
    assert "第五条" in meant["hits"][0]["citation"] and "饲养" in meant["hits"][0]["excerpt"]
    assert meant["explain"]["stages"]["meaning"].startswith("applied; the words' first hit answers")
    assert _ask(db, "附近哪家火锅好吃", "on")["status"] != "answer"


@needs_model
def test_a_taught_question_asked_in_other_words_is_offered_where_the_words_are_unsure(tmp_path):
    db = tmp_path / "kb.db"
    on = {"STAFFBOT_MEANING": "on"}
    staffbot("ingest", str(FIXTURE), db=db, env=on)
    taught = staffbot("teach", "快递柜坏了找谁修", "--answer", "找行政部（分机 8001），工作日上门维修。",
                      db=db, env=on).stdout
    staffbot("teach", "宿舍可以用电热毯吗", "--answer", "不可以。", db=db, env=on)
    # in other words (no word of 坏 / 修 / 找谁): the words alone never reach the taught answer
    asked = "快递柜出故障了该联系谁"
    words = _ask(db, asked, "off")
    assert not any(h["kind"] == "taught" for h in words["hits"]), words["hits"]
    meant = _ask(db, asked, "on")
    first = meant["hits"][0]
    assert meant["status"] == "suggestions" and first["kind"] == "taught", meant["hits"]
    assert "行政部" in first["excerpt"] and first["question"] == "快递柜坏了找谁修"
    assert meant["explain"]["stages"]["teaching"]["taught"]["meaning"] >= 0.93
    # a question the words answer surely (第四条 says 电热毯) keeps their answer, however close
    # in meaning to a taught question
    sure = _ask(db, "在宿舍里用电热毯行不行", "on")
    assert sure["status"] == "answer" and "第四条" in sure["hits"][0]["citation"]
    assert not any(h["kind"] == "taught" for h in sure["hits"])
    # forgotten: its meaning goes with it
    staffbot("forget", taught.split(":")[0].split()[-1], db=db, env=on)
    again = _ask(db, asked, "on")
    assert not any(h["kind"] == "taught" for h in again["hits"]), again["hits"]


@needs_model
def test_an_answer_keeps_its_see_also_with_the_model(tmp_path):
    # the more results follow meaning's order, whose part lowers their scores: 另见 weighs the
    # words' (with the model it had vanished: the state text no longer offered beside the rule)
    db = tmp_path / "kb.db"
    staffbot("ingest", str(ROOT / "tests" / "fixtures" / "own_rule"), db=db,
             env={"STAFFBOT_MEANING": "on"})
    meant, words = _ask(db, "单位里能抽烟吗？", "on"), _ask(db, "单位里能抽烟吗？", "off")
    assert meant["status"] == words["status"] == "answer"
    assert meant["explain"]["stages"]["meaning"].startswith("applied")
    assert [(a["document"], a["section"]) for a in meant["see_also"]] \
        == [(a["document"], a["section"]) for a in words["see_also"]] \
        == [("公共场所控烟条例", "第二章 禁止吸烟场所 › 第八条")]


# Asked in words the rule does not share enough of (开会, 吃饭, 补 for 出差, 伙食补助费): by the
# words alone "not found"; close in meaning to 第五条, so offered as a suggestion.
FAR_WORDS = "去外地开会吃饭补多少钱"
# Off-topic questions the words alone answer confidently in a knowledge base this small (飞机 and
# 门卫 are rare words here): far from every article in meaning, so "not found".
OFF_TOPIC = ("飞机为什么能飞", "门卫大爷叫什么名字")


@needs_model
def test_meaning_decides_between_suggestions_and_not_found(tmp_path):
    db = tmp_path / "kb.db"
    staffbot("ingest", str(FIXTURE), db=db, env={"STAFFBOT_MEANING": "on"})
    words = _ask(db, FAR_WORDS, "off")
    assert words["status"] == "not_found" and words["hits"] == [], words
    meant = _ask(db, FAR_WORDS, "on")
    assert meant["status"] == "suggestions", meant["explain"]["stages"]["meaning"]
    assert "not found by the words, suggested" in meant["explain"]["stages"]["meaning"]
    assert "第五条" in meant["hits"][0]["citation"] and "伙食补助费" in meant["hits"][0]["excerpt"]
    plain = staffbot("ask", FAR_WORDS, db=db, check=None, env={"STAFFBOT_MEANING": "on"})
    assert plain.returncode == 0 and "第五条" in plain.stdout, plain.stdout
    # asked in traditional characters: embedded as the words read it, simplified (as typed,
    # 0.872 from 第五条, under the 0.88 that offers it; simplified 0.894)
    traditional = _ask(db, "去外地開會吃飯補多少錢", "on")
    assert traditional["status"] == "suggestions", traditional["explain"]["stages"]["meaning"]
    assert "第五条" in traditional["hits"][0]["citation"]
    for question in OFF_TOPIC:
        assert _ask(db, question, "off")["status"] == "answer"      # the words alone: sure
        declined = _ask(db, question, "on")
        assert declined["status"] == "not_found" and declined["hits"] == [], declined
        assert "the words' answer is" in declined["explain"]["stages"]["meaning"]
        run = staffbot("ask", question, db=db, check=None, env={"STAFFBOT_MEANING": "on"})
        assert run.returncode == 1, run.stdout        # "not found" is the CLI's exit code 1
    # an answer close in meaning stays the words' own (the more results after it follow
    # meaning's order)
    sure = "坐飞机能坐头等舱吗"
    on, off = _ask(db, sure, "on"), _ask(db, sure, "off")
    assert on["status"] == off["status"] == "answer"
    assert on["hits"][0]["ref"] == off["hits"][0]["ref"]
    more = _ask(db, "回来以后多久要去报账", "on")          # 第六条, with two more results
    assert more["status"] == "answer" and "第六条" in more["hits"][0]["citation"]
    candidates = more["explain"]["candidates"]
    assert "meaning" not in candidates[0] and len(candidates) > 1
    assert all("meaning" in c for c in candidates[1:]), candidates
    assert "answer kept" in on["explain"]["stages"]["meaning"]


@needs_model
def test_a_large_ingest_embeds_on_several_processes_with_the_same_vectors(tmp_path):
    from knowledge.meaning import choose, from_blob

    vectors = {}
    for workers in (1, 2):
        db = tmp_path / f"kb{workers}.db"
        with KnowledgeBase(db) as kb:                       # words only first
            kb.ingest([FIXTURE])
        with KnowledgeBase(db, meaning=choose("on"), workers=workers) as kb:
            assert kb.embed_missing(parallel_from=1) == len(_paragraph_ids(db))
        with sqlite3.connect(db) as conn:
            vectors[workers] = {pid: from_blob(blob) for pid, blob in
                                conn.execute("SELECT paragraph_id, vec FROM vectors")}
    assert vectors[1].keys() == vectors[2].keys()
    for pid, vector in vectors[1].items():
        assert float(vector @ vectors[2][pid]) > 0.999, pid


@needs_model
@pytest.mark.asyncio
async def test_the_bot_embeds_what_was_ingested_before_and_answers_by_meaning(tmp_path):
    """The real bot (python -m bot, its search process forked) through the fake Bot API, on a
    knowledge base ingested by words only before the meaning extra was on: it embeds those
    paragraphs in the background (/stats shows how far); an admin's upload is answered once
    its words are in, its paragraphs embedded in the background too; and then a question in
    other words gets the article asked about as its first suggestion."""
    import asyncio
    import re
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from botprocess import BotProcess
    from fakebot import FakeTelegram, iter_buttons, user

    workdir = tmp_path / "bot"
    workdir.mkdir()
    staffbot("ingest", str(FIXTURE / "员工宿舍管理办法.md"), db=workdir / "kb.db")  # words only
    staffbot("teach", "快递柜坏了找谁修", "--answer", "找行政部（分机 8001），工作日上门维修。",
             db=workdir / "kb.db")
    assert _vectors(workdir / "kb.db") == []
    admin, asker = user(1001, "Admin", "zh-hans"), user(2001, "Ann", "zh-hans")
    fake = FakeTelegram()
    await fake.start()
    bot = BotProcess(fake, workdir, STAFFBOT_MEANING="on", STAFFBOT_ADMINS=str(admin["id"]))

    async def embedded() -> re.Match:
        for _ in range(120):                  # /stats until every paragraph is embedded
            mark = fake.mark()
            fake.private_message(admin, "/stats")
            stats = await fake.wait_for_message(chat_id=admin["id"], after=mark, timeout=30)
            done = re.search(r"语义匹配：(\d+)/(\d+)", stats["text"])
            assert done, stats["text"]
            if done[1] == done[2]:
                return done
            await asyncio.sleep(0.5)
        raise AssertionError(stats["text"])

    try:
        await bot.start(timeout=120)
        before = await embedded()
        assert before[1] != "0"
        # the upload's reply comes once its words are in; its embedding follows
        mark = fake.mark()
        content = (FIXTURE / "差旅费管理办法.md").read_bytes()
        fake.document_message(admin, "差旅费管理办法.md", content)
        reply = await fake.wait_for_message(chat_id=admin["id"], after=mark, timeout=60)
        assert "差旅费管理办法" in reply["text"] and "后台向量化" in reply["text"], reply["text"]
        after = await embedded()
        assert int(after[2]) > int(before[2]), (before[0], after[0])
        # a question taught (before the extra) asked in other words: its written answer is the
        # first 猜你想问, and pressing it shows the answer
        update = fake.private_message(asker, "快递柜出故障了该联系谁")
        reply = await fake.wait_for_message(
            lambda m: m["chat_id"] == asker["id"]
            and m.get("reply_to_message_id") == update["message"]["message_id"], timeout=30)
        first = next(iter_buttons(reply))
        assert first["text"].startswith("① 快递柜坏了找谁修"), reply
        mark = fake.mark()
        fake.callback_query(asker, reply, first["callback_data"])
        shown = await fake.wait_for_message(chat_id=asker["id"], after=mark, timeout=30)
        assert "找行政部（分机 8001）" in shown["text"] and "管理员答复" in shown["text"], shown
        update = fake.private_message(asker, MEAL)
        reply = await fake.wait_for_message(
            lambda m: m["chat_id"] == asker["id"]
            and m.get("reply_to_message_id") == update["message"]["message_id"], timeout=30)
        # the first suggestion is the article asked about (by the words alone: 第六条 first)
        first = reply["text"].split("②")[0]
        assert "伙食补助费" in first and "第五条" in first, reply["text"]
        # "not found" by the words, close in meaning: offered, with its button
        update = fake.private_message(asker, FAR_WORDS)
        reply = await fake.wait_for_message(
            lambda m: m["chat_id"] == asker["id"]
            and m.get("reply_to_message_id") == update["message"]["message_id"], timeout=30)
        assert "伙食补助费" in reply["text"] and "第五条" in reply["text"], reply["text"]
        assert "没有找到" not in reply["text"], reply["text"]
        # off-topic, answered by the words alone: "not found", with the admins' button
        update = fake.private_message(asker, OFF_TOPIC[0])
        reply = await fake.wait_for_message(
            lambda m: m["chat_id"] == asker["id"]
            and m.get("reply_to_message_id") == update["message"]["message_id"], timeout=30)
        assert "没有找到" in reply["text"] and "第三条" not in reply["text"], reply["text"]
        assert not [e for e in fake.unexpected_errors() if e["status"] == 400], fake.errors
    finally:
        code = await bot.stop()
        await fake.stop()
    assert code == 0, bot.log()[-3000:]
    assert "meaning=on" in bot.log() and "meaning: " in bot.log()


# A word the model reads poorly (优盘 beside the rule's U盘) is no sign that nothing answers: the
# words found the one article saying it (优盘 → U盘, the thesaurus) and suggest it; it is far
# in meaning (0.844 < decline_at 0.85), which turned it into "not found" before.
USB = """信息安全管理办法
第一条 员工账号实行实名制，一人一号，不得转借他人使用。
第二条 办公电脑不得安装与工作无关的软件。
第三条 发现电脑感染病毒的，应当立即断开网络，并在1小时内报告信息中心。
第四条 U盘等移动存储设备应当在信息中心登记后使用，严禁在涉密电脑和非涉密电脑之间交叉使用。
"""


@needs_model
def test_a_hit_saying_the_questions_heaviest_word_is_not_declined_for_its_meaning(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "信息安全管理办法.txt").write_text(USB, encoding="utf-8")
    db = tmp_path / "kb.db"
    staffbot("ingest", str(docs), db=db, env={"STAFFBOT_MEANING": "on"})
    usb = _ask(db, "优盘能随便插吗", "on")
    assert usb["status"] == "suggestions", usb["explain"]["stages"]["meaning"]
    assert "kept: the words' first hit says" in usb["explain"]["stages"]["meaning"]
    assert "第四条" in usb["hits"][0]["citation"] and "登记后使用" in usb["hits"][0]["excerpt"]
    # a question the rule does not answer, its words said nowhere, is still "not found"
    assert _ask(db, "食堂今天吃什么", "on")["status"] == "not_found"
