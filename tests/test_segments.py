"""The index as segments (knowledge.segments, knowledge.segmented): saved beside the database,
caught up with what changed as delta segments and tombstones, merged in the background — and
ranking exactly as a fresh build of the same paragraphs."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from knowledge import KnowledgeBase
from knowledge.search import Searcher
from knowledge.segments import FORMAT_VERSION, index_path, load_segment

ROOT = Path(__file__).resolve().parent.parent
SENTENCES = [s for s in re.findall(r"[^。！？\s]+[。！？]", (ROOT / "seeds" /
             "organization-work-2025.txt").read_text(encoding="utf-8")) if len(s) > 12]
QUESTIONS = ["怎样为基层减负", "政绩观", "干部选拔任用", "年轻干部的培养", "党员教育管理",
             "基层党组织建设", "人才工作", "第三条", "整治形式主义", "领导班子", "天气怎么样",
             "组织部长会议", "考核评价", "严管厚爱"]


def post_text(rng: random.Random, n: int) -> str:
    body = "".join(rng.sample(SENTENCES, rng.randint(1, 4)))
    return f"通知{n}\n{body}"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """A knowledge base of the seed document and 30 channel posts, its index file written."""
    folder = tmp_path_factory.mktemp("segments")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    db = folder / "base.db"
    with KnowledgeBase(db) as kb:
        kb.ingest([folder / "seeds"])
        rng = random.Random(1)
        for n in range(30):
            kb.add_post(chat_id=-100, message_id=n, text=post_text(rng, n), url=None)
        assert kb.search("政绩观").hits
    assert index_path(db).exists()
    return db


def copy(base: Path, target: Path, *, index: bool = True) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(base, target)
    if index:
        shutil.copy(index_path(base), index_path(target))
    return target


def ranking(searcher: Searcher) -> list:
    out = []
    for question in QUESTIONS:
        answer = searcher.search(question, 8, keep_weak=True, closest=True)
        out.append((question, answer.status, [(h.paragraph_id, h.score) for h in answer.hits]))
    return out


def assert_same_ranking(got: list, want: list) -> None:
    for (question, status, hits), (_, want_status, want_hits) in zip(got, want):
        assert status == want_status, question
        assert [pid for pid, _ in hits] == [pid for pid, _ in want_hits], question
        assert [score for _, score in hits] == pytest.approx([s for _, s in want_hits],
                                                             rel=1e-9, abs=1e-12), question


def test_ranking_after_100_single_document_updates_equals_a_fresh_build(base, tmp_path):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        kb._index.merge_fraction = 1e9     # keep every delta: no merge folds them away
        kb._index.max_deltas = 1000
        rng = random.Random(7)
        posts = list(range(30))
        next_id = 30
        for step in range(100):
            action = rng.choice(("add", "edit", "remove")) if posts else "add"
            if action == "add":
                kb.add_post(chat_id=-100, message_id=next_id, text=post_text(rng, next_id),
                            url=None)
                posts.append(next_id)
                next_id += 1
            elif action == "edit":
                n = rng.choice(posts)
                kb.add_post(chat_id=-100, message_id=n, text=post_text(rng, n + 1000), url=None)
            else:
                n = posts.pop(rng.randrange(len(posts)))
                assert kb.remove_origin(f"telegram:-100:{n}") == 1
            kb.search(QUESTIONS[step % len(QUESTIONS)])   # each update applied on its own
            if step == 49:
                fresh = Searcher(kb.store.load_rows(), kb.analyzer, kb.config)
                assert_same_ranking(ranking(kb.searcher), ranking(fresh))
        snapshot = kb.searcher.snapshot
        assert snapshot.deltas() >= 20 and snapshot.n_rows > snapshot.n_live   # deltas, tombstones
        fresh = Searcher(kb.store.load_rows(), kb.analyzer, kb.config)
        assert len(kb.searcher) == len(fresh)
        assert_same_ranking(ranking(kb.searcher), ranking(fresh))
        assert not any("merge" in event for event in kb._index.events)


def test_a_start_loads_the_file_and_catches_up_with_what_changed_since(base, tmp_path):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:   # the file stays at the base's generation
        kb.add_post(chat_id=-100, message_id=999, text="蓝鲸计划\n蓝鲸计划于下月启动。", url=None)
        kb.remove_origin("telegram:-100:3")
    stamp = index_path(db).stat().st_mtime_ns
    with KnowledgeBase(db) as kb:
        answer = kb.search("蓝鲸计划")
        assert answer.status == "answer" and "蓝鲸计划" in answer.best.excerpt
        events = kb._index.events
        assert events[0].startswith("loaded") and "1 documents out, 1 in" in events[1], events
        assert_same_ranking(ranking(kb.searcher),
                            ranking(Searcher(kb.store.load_rows(), kb.analyzer, kb.config)))
    assert index_path(db).stat().st_mtime_ns == stamp      # loaded, not written again


def damage_file(path: Path, how: str) -> bool:
    """Break a file written beside the database as a crash, a disk or a person might: ``flip``
    one byte, ``truncate`` it to half, or replace it with ``garbage``. False for another ``how``
    (the caller's own kind of damage), leaving the file as it is."""
    data = bytearray(path.read_bytes())
    if how == "flip":
        data[len(data) // 2] ^= 0xFF
    elif how == "truncate":
        del data[len(data) // 2:]
    elif how == "garbage":
        data = bytearray(b"not a staffbot file" * 10)
    else:
        return False
    path.write_bytes(bytes(data))
    return True


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "missing"])
def test_a_damaged_or_missing_index_file_is_detected_and_rebuilt(base, tmp_path, damage, caplog):
    db = copy(base, tmp_path / "kb.db")
    path = index_path(db)
    if not damage_file(path, damage):
        path.unlink()
    with KnowledgeBase(db) as kb:
        want = ranking(Searcher(kb.store.load_rows(), kb.analyzer, kb.config))
        assert_same_ranking(ranking(kb.searcher), want)
        assert kb._index.events[0].startswith("rebuild"), kb._index.events
        assert any(e.startswith("built") for e in kb._index.events)
        schema = kb.store.schema_version
    assert load_segment(path, schema=schema).generation >= 0     # written again, whole
    if damage != "missing":
        assert "building it again" in caplog.text


def test_a_question_during_a_background_merge_is_answered(base, tmp_path):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        kb._index.merge_fraction = 0.0     # any change starts a merge
        kb.search("政绩观")
        kb.add_post(chat_id=-100, message_id=500, text="白鹭行动\n白鹭行动的报名截止日期是周五。",
                    url=None)
        first = kb.search("白鹭行动")       # answered from base + delta; the merge starts
        merge = kb._index._merge
        assert merge is not None and any(e.startswith("merge started") for e in kb._index.events)
        during = kb.search("白鹭行动")      # the merge process is still building
        assert merge.poll() is None, "the merge finished too fast to test a question during it"
        assert first.status == during.status == "answer"
        assert "白鹭行动" in during.best.excerpt
        merge.wait(timeout=60)
        # the next question starts loading the merged file on a thread (a question is answered
        # from the snapshot it has meanwhile: bench/update_cost.py --merge times it at 100k) …
        loading = kb.search("白鹭行动")
        assert "merge written: loading its file" in kb._index.events, kb._index.events
        assert loading.status == "answer" and "白鹭行动" in loading.best.excerpt
        # … and a question after the thread is done swaps the merged base in
        if kb._index._loading is not None:
            kb._index._loading.join(timeout=60)
        after = kb.search("白鹭行动")
        assert any(e.startswith("merged") for e in kb._index.events), kb._index.events
        assert kb.searcher.snapshot.deltas() == 0
        assert [(h.paragraph_id, h.score) for h in after.hits] == \
            [(h.paragraph_id, h.score) for h in during.hits]
        generation, schema = kb.store.generation, kb.store.schema_version
    assert load_segment(index_path(db), schema=schema).generation == generation   # the merged base


def test_a_merged_file_that_cannot_be_read_is_reported_and_questions_go_on(base, tmp_path,
                                                                           caplog):
    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        kb._index.merge_fraction = 0.0
        kb.search("政绩观")
        kb.add_post(chat_id=-100, message_id=501, text="灰鹤行动\n灰鹤行动的集合地点是东门。",
                    url=None)
        kb.search("灰鹤行动")               # the merge starts
        kb._index.merge_fraction = 1e9     # (no second merge after this one)
        kb._index._merge.wait(timeout=60)
        path = index_path(db)
        path.write_bytes(path.read_bytes()[:1000])    # the merged file damaged on disk
        kb.search("灰鹤行动")               # its loading starts (on a thread)
        if kb._index._loading is not None:
            kb._index._loading.join(timeout=60)
        answer = kb.search("灰鹤行动")
        assert any(e.startswith("merge unreadable") for e in kb._index.events), kb._index.events
        assert answer.status == "answer" and "东门" in answer.best.excerpt
        assert kb.searcher.snapshot.deltas() == 1      # the base it had, with the post's delta
    assert "index merge" in caplog.text


def test_the_cli_writes_the_index_file_once_and_loads_it_after(base, tmp_path):
    db = copy(base, tmp_path / "kb.db", index=False)
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def ask() -> str:
        result = subprocess.run([sys.executable, "-m", "bot.cli", "--db", str(db), "ask", "政绩观"],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    first = ask()
    stamp = index_path(db).stat().st_mtime_ns
    time.sleep(0.01)
    assert ask() == first
    assert index_path(db).stat().st_mtime_ns == stamp


def test_cli_ingest_leaves_the_index_ready_for_the_next_question(tmp_path):
    """`staffbot ingest` ends with the index file written, so the next `ask` (or the bot's start)
    loads it instead of building it; the ask does not write it again."""
    db = tmp_path / "kb.db"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def cli(*args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "bot.cli", "--db", str(db), *args],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        return result.stdout

    cli("ingest", str(ROOT / "seeds"))
    stamp = index_path(db).stat().st_mtime_ns
    time.sleep(0.01)
    assert "基层" in cli("ask", "怎样为基层减负")
    assert index_path(db).stat().st_mtime_ns == stamp


def test_segment_scores_equal_the_single_build_bm25_of_the_live_rows(base, tmp_path):
    """Against knowledge.index.FieldIndex (precomputed weights, one build, the index before
    segments): the words field of a base + deltas + tombstones scores every live row the same."""
    import numpy as np

    from knowledge.index import FieldIndex

    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        kb._index.merge_fraction = 1e9
        rng = random.Random(3)
        for n in range(12):
            kb.add_post(chat_id=-100, message_id=n * 2, text=post_text(rng, n + 500), url=None)
            kb.search("政绩观")
        kb.remove_origin("telegram:-100:5")
        snapshot = kb.searcher.snapshot
        assert snapshot.deltas() > 0 and snapshot.n_rows > snapshot.n_live
        rows = list(kb.store.load_rows())
        reference = FieldIndex.build([r.words.split() for r in rows])
        assert snapshot.words.latin_terms(3) == sorted(reference.latin_terms(3))
        row_of = {int(pid): at for at, pid in enumerate(snapshot.ids)
                  if snapshot.live_mask()[at]}
        assert all(snapshot.docs[row_of[r.paragraph.paragraph_id]] == r.paragraph.doc_id
                   for r in rows)
        for question in QUESTIONS:
            query = dict.fromkeys(kb.analyzer.words(question), 1.0)
            got_rows, got = snapshot.words.postings(query)
            want_rows, want = reference.postings(query)
            got_by = np.bincount(got_rows, weights=got, minlength=snapshot.n_rows)
            want_by = np.bincount(want_rows, weights=want, minlength=len(rows))
            for at, row in enumerate(rows):
                assert got_by[row_of[row.paragraph.paragraph_id]] == \
                    pytest.approx(want_by[at], rel=1e-6), question


def test_a_base_built_on_two_processes_equals_one_built_on_one(base, tmp_path, monkeypatch,
                                                               caplog):
    """A big base build makes its bigram field on a second process (``indexbuild --grams``),
    and there its row file too: the index file it writes is the one a build in one process
    writes, its row file holds the same paragraphs (``marshal``'s bytes may differ: refcount
    flags) and is used, and no temp is left."""
    from knowledge import segments
    from knowledge.rowfile import row_file_path
    from knowledge.segments import _arrays

    built, rows = {}, {}
    for name, min_rows in (("one", 10**9), ("two", 1)):
        monkeypatch.setattr(segments, "PARALLEL_MIN_ROWS", min_rows)
        if name == "two":   # the second process writes it, not this one
            monkeypatch.setattr(segments, "write_row_file", None)
        db = copy(base, tmp_path / name / "kb.db", index=False)
        with KnowledgeBase(db) as kb:
            assert kb.search("政绩观").hits
            assert any(e.startswith("built") for e in kb._index.events)
            rowfile = kb.searcher.snapshot.rowfile
            assert rowfile is not None and row_file_path(db).exists()
            rows[name] = [rowfile.row(at) for at in range(len(rowfile))]
            schema = kb.store.schema_version
        built[name] = _arrays(load_segment(index_path(db), schema=schema))
        assert sorted(p.name for p in db.parent.iterdir() if ".tmp" in p.name) == []
        assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert built["one"].keys() == built["two"].keys()
    for key, values in built["one"].items():
        assert values.dtype == built["two"][key].dtype and (values == built["two"][key]).all(), key
    assert len(rows["one"]) == len(built["one"]["ids"]) and rows["one"] == rows["two"]


def test_a_base_built_in_small_batches_and_ranges_equals_one_built_at_once(base, tmp_path,
                                                                           monkeypatch):
    """A base build streams its rows a batch at a time into codes and sorts them in key ranges
    (bounded memory at 1M paragraphs): batches of 3 rows, ranges of ~500 codes and transposes
    of 1000 postings write the same index file as the defaults."""
    from knowledge import index, segments
    from knowledge.segments import _arrays

    monkeypatch.setattr(segments, "PARALLEL_MIN_ROWS", 10**9)
    built = {}
    for name, batch, part, block in (("default", segments._BATCH_ROWS, index._PART_CODES,
                                      segments._BLOCK), ("small", 3, 500, 1000)):
        monkeypatch.setattr(segments, "_BATCH_ROWS", batch)
        monkeypatch.setattr(index, "_PART_CODES", part)
        monkeypatch.setattr(segments, "_BLOCK", block)
        db = copy(base, tmp_path / name / "kb.db", index=False)
        with KnowledgeBase(db) as kb:
            assert kb.search("政绩观").hits
            schema = kb.store.schema_version
        built[name] = _arrays(load_segment(index_path(db), schema=schema))
    assert len(built["default"]["ids"]) > 3 * 10    # many batches
    assert built["default"].keys() == built["small"].keys()
    for key, values in built["default"].items():
        assert values.dtype == built["small"][key].dtype and \
            (values == built["small"][key]).all(), key


def test_terms_looked_up_together_are_found_as_one_by_one(base, tmp_path):
    """A question's homophone spellings are looked up in batches (``_Field.slots``,
    ``known``, ``known_replacing``: one searchsorted): the same slots, in the same order,
    as each term's own lookup — in a fresh build's one segment, and with deltas and
    tombstones (whose terms are found outside the base)."""
    from knowledge.analysis import homophone_chars, homophone_variants

    db = copy(base, tmp_path / "kb.db")
    with KnowledgeBase(db) as kb:
        kb._index.merge_fraction = 1e9
        rng = random.Random(5)
        for n in range(6):
            kb.add_post(chat_id=-100, message_id=n * 3, text=post_text(rng, n + 700) + "蓝鲸计划",
                        url=None)
            kb.search("政绩观")
        kb.remove_origin("telegram:-100:4")
        with_deltas = kb.searcher.snapshot
        assert with_deltas.deltas() > 0 and with_deltas.words._extra
        fresh = Searcher(kb.store.load_rows(), kb.analyzer, kb.config).snapshot
        text = "".join(SENTENCES[:40]) + "蓝鲸计划"
        grams = sorted({text[i:i + 2] for i in range(len(text) - 1)}, key=lambda t: t[::-1])
        words = sorted({text[i:i + n] for n in (2, 3, 4) for i in range(0, len(text) - n, 7)},
                       key=lambda t: t[::-1])
        odd = ["", "a", "第三条", "abc", "2025年", "\U00020000\U00020001"]
        for snapshot in (fresh, with_deltas):
            for field, terms in ((snapshot.words, words), (snapshot.context, words),
                                 (snapshot.grams, grams)):
                spellings = [v for t in terms[-60:] for v in homophone_variants(t)]
                every = terms + spellings + odd
                want = [field._find(t) for t in every]
                assert field.slots(every) == want
                assert field.slots(every) == want            # (now from the cache)
                assert field.known(every) == [t for t, at in zip(every, want) if at is not None]
                assert any(at is not None for at in want)
                found = 0
                for term in terms[-80:] + ["\U00020000\U00020001"]:
                    options = [homophone_chars(c) for c in term]
                    got = field.known_replacing(term, options)
                    assert got == [v for v in homophone_variants(term)
                                   if field._find(v) is not None]
                    found += len(got)
                assert found > 0 or field is snapshot.context


def test_a_word_said_hundreds_of_times_in_a_paragraph_still_counts(tmp_path):
    """Term frequencies are stored in a byte (index format 5), capped at 255: a paragraph that
    says a word 256 times ranks as one that says it most, not as one that never says it (an
    uncapped byte would wrap to 0 and put the paragraph that mentions it once first)."""
    with KnowledgeBase(tmp_path / "k.db") as kb:
        kb.add_post(chat_id=-1, message_id=1, text="巡检日志\n" + "zebra " * 256, url=None)
        kb.add_post(chat_id=-1, message_id=2,
                    text="动物园通知\n今天讨论了zebra的饲养安排，请饲养员准时到岗。", url=None)
        for n in range(3, 12):
            kb.add_post(chat_id=-1, message_id=n,
                        text=f"通知{n}\n会议室第{n}次预约已经确认，请按时参加。", url=None)
        hits = kb.search("zebra").hits
        schema = kb.store.schema_version
    assert [h.excerpt.startswith("zebra") for h in hits[:2]] == [True, False]
    assert load_segment(index_path(tmp_path / "k.db"), schema=schema).fields["words"].tf.itemsize == 1


FRUITS = ["苹果", "香蕉", "葡萄", "橘子", "西瓜", "芒果", "菠萝", "柠檬"]
MARKED = (7, 65_535, 65_536, 65_900)     # the rows saying 鹦鹉螺: both sides of 65,536


def _same_through_both_paths(kb, questions, monkeypatch) -> None:
    """The compiled candidates' totals equal the numpy path's bit for bit, and a search with
    the compiled kernel answers as one without it."""
    from knowledge import rank
    searcher = kb.searcher
    for question in questions:
        query = searcher.analyse(question)
        fast = searcher.ranker.candidates(query, 25, searcher.config, fields=False)
        slow = searcher.ranker.candidates(query, 25, searcher.config, fields=True)
        assert fast.rows.tolist() == slow.rows.tolist(), question
        assert fast.total.tobytes() == slow.total.tobytes(), question
    compiled = [kb.search(q, 10, closest=True) for q in questions]
    with monkeypatch.context() as patched:
        patched.setattr(rank, "_bm25", None)
        plain = [kb.search(q, 10, closest=True) for q in questions]
    for one, other in zip(compiled, plain):
        assert one.status == other.status
        assert [(h.paragraph_id, h.score, h.excerpt) for h in one.hits] == \
            [(h.paragraph_id, h.score, h.excerpt) for h in other.hits]


def test_a_base_of_more_than_65536_rows_finds_rows_on_both_sides_of_the_boundary(tmp_path,
                                                                                  monkeypatch):
    """A posting's row is stored in 16 bits (index format 6) within spans of 65,536 rows: in a
    base of 66,000 paragraphs a word said at rows 7, 65,535, 65,536 and 65,900 is found at all
    four, by the compiled kernel and by the numpy path alike (the same totals, bit for bit),
    also after a document across the boundary is removed (tombstones)."""
    import numpy as np

    from knowledge.segmented import Snapshot
    n_rows = 66_000
    lines = [FRUITS[i % len(FRUITS)] * (1 + i % 3) + ("鹦鹉螺" if i in MARKED else "")
             for i in range(n_rows)]
    records = [{"id": k, "title": f"清单{k}", "text": "\n".join(lines[k:k + 6000])}
               for k in range(0, n_rows, 6000)]
    (tmp_path / "big.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False)
                                                  for r in records), encoding="utf-8")
    questions = ["鹦鹉螺", "柠檬鹦鹉螺", "苹果", "葡萄西瓜"]
    with KnowledgeBase(tmp_path / "kb.db") as kb:
        kb.ingest([tmp_path / "big.jsonl"])
        hits = kb.search("鹦鹉螺", 10).hits
        assert sorted(h.excerpt for h in hits) == sorted(lines[i] for i in MARKED)
        snapshot = kb.searcher.snapshot
        assert len(snapshot.segments) == 1 and snapshot.n_rows == n_rows
        found = np.flatnonzero(np.isin(snapshot.ids, [h.paragraph_id for h in hits]))
        assert found.tolist() == list(MARKED)
        postings = snapshot.segments[0].fields["words"]
        assert postings.rows.dtype == np.uint16 and postings.span_high.tolist().count(1) > 0
        _same_through_both_paths(kb, questions, monkeypatch)
        kb._index.merge_fraction = 1e9      # keep the tombstones: no merge
        assert kb.remove("清单60000")
        assert [h.excerpt for h in kb.search("鹦鹉螺", 10).hits] == [lines[7]]
        snapshot = kb.searcher.snapshot
        assert snapshot.alive[0] is not None and not snapshot.alive[0][60_000:].any()
        again = Snapshot(snapshot.segments, snapshot.alive, snapshot.reader)   # live df by spans
        for name in ("words", "context", "grams"):
            assert again.live_df[0][name].tolist() == snapshot.live_df[0][name].tolist()
        _same_through_both_paths(kb, questions, monkeypatch)
        schema = kb.store.schema_version
    saved = load_segment(index_path(tmp_path / "kb.db"), schema=schema).fields["grams"]
    assert saved.rows.itemsize == 2 and saved.span_high.max() == 1


def test_an_index_file_of_format_5_is_stale_and_built_again(base, tmp_path, caplog):
    """An index file of the format before rows in 16 bits (5) is not read as this one: it is
    detected, logged and built again, and the rebuilt file answers as a fresh build."""
    import struct
    db = copy(base, tmp_path / "kb.db")
    path = index_path(db)
    data = bytearray(path.read_bytes())
    assert struct.unpack_from("<I", data, 8)[0] == FORMAT_VERSION
    struct.pack_into("<I", data, 8, 5)
    path.write_bytes(bytes(data))
    with KnowledgeBase(db) as kb:
        want = ranking(Searcher(kb.store.load_rows(), kb.analyzer, kb.config))
        assert_same_ranking(ranking(kb.searcher), want)
        assert kb._index.events[0].startswith("rebuild"), kb._index.events
    assert f"has format 5, this staffbot writes {FORMAT_VERSION}" in caplog.text
    assert struct.unpack_from("<I", path.read_bytes(), 8)[0] == FORMAT_VERSION
