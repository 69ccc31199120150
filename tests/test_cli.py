"""Tests for the ``staffbot`` command line: the real entry point in a subprocess, with the
knowledge base in tmp_path (``STAFFBOT_DB``) and the repository root as working directory."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HIT_KEYS = {"document", "section", "paragraph", "excerpt", "highlights", "citation", "score",
            "source", "source_id"}
SEED_TITLE = "坚持用改革精神和严的标准扎实做好组织工作"


def _environment(db: Path, **env: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("STAFFBOT_", "TELEGRAM_"))}
    # words only unless a test asks for meaning (tests/test_meaning.py): the rankings asserted
    # here are the words' own, whether or not the meaning extra is installed
    environment.update(STAFFBOT_DB=str(db), PYTHONIOENCODING="utf-8", STAFFBOT_MEANING="off")
    environment.update(env)
    return environment


def _checked(result: subprocess.CompletedProcess, check: int | None) -> subprocess.CompletedProcess:
    if check is not None:
        assert result.returncode == check, (result.args, result.returncode, result.stdout,
                                            result.stderr)
    return result


def staffbot(*args: str, db: Path, cwd: Path = ROOT, check: int | None = 0,
             input: str | None = None, timeout: float = 120,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m bot.cli ARGS`` with a clean staffbot environment (``input`` on stdin;
    ``env``: settings to add)."""
    result = subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd,
                            env=_environment(db, **(env or {})), capture_output=True, text=True,
                            encoding="utf-8", timeout=timeout, input=input)
    return _checked(result, check)


def staffbot_together(*commands: tuple[list[str], int], db: Path
                      ) -> list[subprocess.CompletedProcess]:
    """Run independent commands at the same time (each process spends ~0.7 s starting)."""
    processes = [(subprocess.Popen([sys.executable, "-m", "bot.cli", *args], cwd=ROOT,
                                   env=_environment(db), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, encoding="utf-8"), check)
                 for args, check in commands]
    results = []
    for process, check in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append(_checked(subprocess.CompletedProcess(process.args, process.returncode,
                                                            stdout, stderr), check))
    return results


def ingested(folder: Path, name: str, text: str) -> Path:
    """A knowledge base made by ``staffbot ingest`` of one document ``name`` holding ``text``,
    written to ``folder``/docs; the database is ``folder``/kb.db."""
    docs = folder / "docs"
    docs.mkdir()
    (docs / name).write_text(text, encoding="utf-8")
    db = folder / "kb.db"
    staffbot("ingest", str(docs), db=db)
    return db


def ingested_folder(factory: pytest.TempPathFactory, folder: Path) -> Path:
    """A knowledge base made by ``staffbot ingest`` of a fixture ``folder`` in a fresh temporary
    directory (for a module-scoped fixture); returns the database."""
    db = factory.mktemp(folder.name) / "kb.db"
    staffbot("ingest", str(folder), db=db)
    return db


def asked(db: Path, questions) -> dict[str, dict]:
    """Each question's answer as ``ask --json --explain`` prints it on the knowledge base ``db``:
    the questions asked in one ``staffbot ask --batch -`` (one process, one JSON line each; the
    same answers as one ``ask`` each, :func:`test_a_batch_answers_as_one_question_at_a_time`)."""
    questions = list(questions)
    assert all("\n" not in q and q.strip() == q and q for q in questions), questions
    run = staffbot("ask", "--batch", "-", "--json", "--explain", db=db,
                   input="\n".join(questions) + "\n", timeout=120 + 5 * len(questions))
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["question"] for a in answers] == questions, (run.stdout[-2000:], run.stderr)
    return dict(zip(questions, answers))


def answers_of(factory: pytest.TempPathFactory, folder: Path, questions) -> dict[str, dict]:
    """:func:`asked` on ``staffbot ingest`` of a fixture ``folder`` (for a module-scoped
    fixture)."""
    return asked(ingested_folder(factory, folder), questions)


def units(answer: dict) -> list[str]:
    """The question's weighted units as ``--explain`` lists them."""
    return [u["text"] for u in answer["explain"]["query"]["units"]]


def looked_for(answer: dict, says: str) -> None:
    """The question was also searched for ``says`` (a thesaurus alternative, ``--explain``)."""
    expansions = answer["explain"]["query"]["expansions"]
    assert any(says in alts for alts in expansions.values()), expansions


def answered_looking_for(answer: dict, article: str, says: str) -> None:
    """Searched for ``says`` too, and answered with ``article`` first."""
    looked_for(answer, says)
    assert answer["status"] == "answer", (answer["status"], articles(answer), units(answer))
    assert articles(answer)[0] == article


def articles(answer: dict) -> list[str]:
    """The article (the last heading) of each hit of an ``ask --json`` answer."""
    return [hit["section"].split(" › ")[-1] for hit in answer["hits"]]


def copy_database(source: Path, target: Path) -> Path:
    """A copy of the knowledge base ``source`` at ``target``, for a test that writes to it: a test
    module ingests its documents once (a CLI process each time) and each test gets its own copy.
    SQLite's backup API, so a WAL file of ``source`` cannot be left behind."""
    import sqlite3

    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(source) as old, sqlite3.connect(target) as new:
        old.backup(new)
    old.close()
    new.close()
    return target


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "staffbot.db"


@pytest.fixture
def docs_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "考勤.txt").write_bytes("考勤管理办法\n第一条 员工每日打卡两次，迟到三次扣半天工资。\n"
                                     .encode("gb18030"))
    (folder / "faq.jsonl").write_text(
        json.dumps({"id": "faq-1", "title": "门禁卡", "text": "门禁卡遗失请到保卫处补办。"},
                   ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "broken.docx").write_bytes(b"not a zip")
    return folder


# -- ask -------------------------------------------------------------------------------------------

def test_ask_json_on_an_empty_knowledge_base_builds_it_from_the_seeds(db: Path) -> None:
    result = staffbot("ask", "--json", "怎样为基层减负", db=db)
    assert "first use" in result.stderr and "7 paragraphs" in result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == "answer"
    assert answer["question"] == "怎样为基层减负"
    assert 1 <= len(answer["hits"]) <= 3  # -k defaults to 3
    best = answer["hits"][0]
    assert HIT_KEYS <= set(best)
    assert best["document"] == SEED_TITLE
    assert best["section"] == "党的工作重心在基层，最坚实的力量支撑也在基层"
    assert best["paragraph"] == 4
    assert best["citation"] == f"{SEED_TITLE} › {best['section']} › 第4段"
    assert best["source"] == "organization-work-2025.txt"
    assert best["source_id"] is None
    assert isinstance(best["score"], float) and best["score"] > 0
    assert "为基层减负赋能" in best["excerpt"]
    for start, end in best["highlights"]:
        assert 0 <= start < end <= len(best["excerpt"])
    assert db.exists()


def test_ask_prints_the_excerpt_with_marked_words_and_the_citation(db: Path,
                                                                   tmp_path: Path) -> None:
    seeds = tmp_path / "my-seeds"
    shutil.copytree(ROOT / "seeds", seeds)
    result = staffbot("--seeds", str(seeds), "ask", "-k", "1", "--explain", "政级考核", db=db,
                      cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("1. ") and "【政绩" in lines[0]
    assert f"— {SEED_TITLE} › 党的干部是党和国家事业的中坚力量 › 第3段" in lines[1]
    assert "organization-work-2025.txt" in lines[1]
    assert "\n2. " not in result.stdout  # -k 1
    explain = json.loads("\n".join(lines[2:]))  # --explain: the query words and score parts
    assert "考核" in explain["query"]["words"]
    assert any("政绩" in options for options in explain["query"]["expansions"].values())
    assert {"bm25", "words", "context", "grams", "window", "coverage", "fuzzy", "final"} <= set(
        explain["candidates"][0])


def test_not_found_exits_1_and_is_listed_by_unanswered_and_stats(db: Path) -> None:
    first = staffbot("ask", "食堂几点开饭", db=db, check=1)
    assert "Not found" in first.stdout and "Searched for: 食堂" in first.stdout
    as_json = staffbot("ask", "--json", "食堂几点开饭", db=db, check=1)
    assert json.loads(as_json.stdout) == {"question": "食堂几点开饭", "status": "not_found",
                                          "hits": [], "see_also": []}
    unanswered, unanswered_text, stats, stats_text = staffbot_together(
        (["unanswered", "--json"], 0), (["unanswered"], 0), (["stats", "--json"], 0),
        (["stats"], 0), db=db)
    assert [(q["question"], q["count"]) for q in json.loads(unanswered.stdout)] == [
        ("食堂几点开饭", 2)]
    assert "2×  食堂几点开饭" in unanswered_text.stdout
    assert json.loads(stats.stdout) == {
        "documents": 1, "paragraphs": 7, "questions": 2, "answered": 0, "suggested": 0,
        "not_found": 2, "helpful": 0, "unhelpful": 0, "answered_share": 0.0,
        "meaning": "", "meaning_paragraphs": 0}   # words only (STAFFBOT_MEANING=off)
    assert "not_found: 2" in stats_text.stdout


def test_ask_with_bytes_that_are_not_utf8_answers_without_a_traceback(db: Path) -> None:
    question = os.fsdecode(b"\xff\xfe" + "政绩考核".encode())  # how argv carries such bytes
    result = staffbot("ask", "--json", question, db=db)
    answer = json.loads(result.stdout)
    assert answer["question"] == "\ufffd\ufffd政绩考核"
    assert answer["hits"][0]["paragraph"] == 3


@pytest.mark.parametrize(("args", "message"), [
    (["ask", "   "], "the question is empty"),
    (["ask", "-k", "0", "减负"], "-k must be at least 1"),
])
def test_bad_ask_arguments_exit_2(db: Path, args: list[str], message: str) -> None:
    result = staffbot(*args, db=db, check=2)
    assert message in result.stderr
    assert not db.exists()


def test_a_batch_answers_as_one_question_at_a_time(db: Path, tmp_path: Path) -> None:
    questions = ["怎样为基层减负", "食堂几点开饭", "政级考核"]
    one_by_one = [json.loads(staffbot("ask", "--json", "--explain", q, db=db,
                                      check=None).stdout) for q in questions]
    assert [a["status"] for a in one_by_one][1] == "not_found"
    listed = tmp_path / "questions.txt"
    listed.write_text("# checked after every edit of the rules\n\n" + "\n".join(questions)
                      + "\n", encoding="utf-8")
    from_file = staffbot("ask", "--batch", str(listed), "--json", "--explain", db=db)  # exit 0
    from_stdin = staffbot("ask", "--batch", "-", "--json", "--explain", db=db,
                          input="\n".join(questions))
    for run in (from_file, from_stdin):
        lines = run.stdout.splitlines()
        assert len(lines) == 3  # one JSON answer a line, in the file's order
        batch = [json.loads(line) for line in lines]
        assert [a["question"] for a in batch] == questions
        for alone, together in zip(one_by_one, batch):
            for answer in (alone, together):  # timings differ from run to run
                answer["explain"].pop("ms", None)
                answer["explain"].get("stages", {}).pop("ms", None)
            assert together == alone
    text = staffbot("ask", "--batch", str(listed), db=db).stdout
    assert [line for line in text.splitlines() if line.startswith("» ")] == [
        f"» {q}" for q in questions]
    assert "Not found" in text and "【政绩" in text
    counts = {q["question"]: q["count"] for q in
              json.loads(staffbot("unanswered", "--json", db=db).stdout)}
    assert counts == {"食堂几点开饭": 4}  # each asking is logged, as one question's is


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gb18030"])
def test_a_batch_saved_by_a_windows_editor_is_read_as_its_questions(db: Path, tmp_path: Path,
                                                                   encoding: str) -> None:
    listed = tmp_path / "questions.txt"
    listed.write_bytes("怎样为基层减负\r\n政级考核\r\n".encode(encoding))
    run = staffbot("ask", "--batch", str(listed), "--json", db=db)
    answers = [json.loads(line) for line in run.stdout.splitlines()]
    assert [a["question"] for a in answers] == ["怎样为基层减负", "政级考核"]
    assert [a["status"] for a in answers] == ["answer", "answer"]


@pytest.mark.parametrize(("args", "stdin", "message"), [
    (["ask", "--batch", "-", "减负"], "", "give a question or --batch FILE, not both"),
    (["ask", "--batch", "no-such-file.txt"], None, "cannot read no-such-file.txt"),
    (["ask", "--batch", "-"], "# only a comment\n\n   \n", "- holds no question"),
])
def test_bad_batches_exit_2_and_say_why(db: Path, args: list[str], stdin: str | None,
                                        message: str) -> None:
    result = staffbot(*args, db=db, check=2, input=stdin)
    assert message in result.stderr
    assert not db.exists()


# -- ingest, docs, remove --------------------------------------------------------------------------

def test_ingest_docs_and_remove(db: Path, docs_folder: Path, tmp_path: Path) -> None:
    unused = tmp_path / "unused.db"  # --db wins over $STAFFBOT_DB
    report = json.loads(staffbot("--db", str(db), "ingest", "--json", str(docs_folder),
                                 db=unused).stdout)
    assert db.exists() and not unused.exists()
    assert (report["files"], report["documents"], report["paragraphs"]) == (3, 2, 2)
    assert [Path(s["path"]).name for s in report["skipped"]] == ["broken.docx"]
    assert report["skipped"][0]["reason"]

    again, documents, answer = staffbot_together(
        (["ingest", str(docs_folder)], 0), (["docs", "--json"], 0),
        (["ask", "--json", "门禁卡丢了"], 0), db=db)
    assert "0 documents" in again.stdout and "(2 unchanged)" in again.stdout
    assert f"skipped {docs_folder / 'broken.docx'}: " in again.stdout
    assert sorted((d["title"], d["kind"], d["source"], d["source_id"], d["paragraphs"])
                  for d in json.loads(documents.stdout)) == [
        ("考勤管理办法", "txt", "考勤.txt", None, 1), ("门禁卡", "jsonl", "faq.jsonl", "faq-1", 1)]
    assert json.loads(answer.stdout)["hits"][0]["source_id"] == "faq-1"

    assert staffbot("remove", "考勤管理办法", db=db).stdout.strip() == "removed 1 document"
    missing, listing = staffbot_together((["remove", "考勤管理办法"], 1), (["docs"], 0), db=db)
    assert "no document matches '考勤管理办法'" in missing.stderr
    assert "考勤管理办法" not in listing.stdout
    assert "门禁卡  (jsonl, 1 paragraphs, faq.jsonl#faq-1)" in listing.stdout


@pytest.mark.parametrize("args", [
    ["ingest", "{missing}"],
    ["ingest", "{docs}", "{missing}"],
    ["eval", "--passages", "{missing}", "--questions", "{missing}"],
])
def test_a_missing_path_exits_2_with_a_clear_message(db: Path, tmp_path: Path, docs_folder: Path,
                                                     args: list[str]) -> None:
    missing = tmp_path / "no-such-folder"
    argv = [a.format(missing=missing, docs=docs_folder) for a in args]
    result = staffbot(*argv, db=db, check=2)
    assert str(missing) in result.stderr
    assert "no such file" in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()  # nothing ingested, not even the good path


# -- eval ------------------------------------------------------------------------------------------

def test_eval_json(db: Path, tmp_path: Path) -> None:
    passages = tmp_path / "passages.jsonl"
    questions = tmp_path / "questions.jsonl"
    passages.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in [
        {"id": "p1", "title": "差旅", "text": "出差住宿每晚不超过五百元。"},
        {"id": "p2", "title": "食堂", "text": "午餐十一点半开饭。"},
    ]), encoding="utf-8")
    questions.write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in [
        {"qid": 1, "question": "出差住宿标准", "gold": ["p1"], "answer": "五百元"},
        {"qid": 2, "question": "午餐几点开饭", "gold": ["p2"], "answer": "十一点半"},
    ]), encoding="utf-8")
    result = staffbot("eval", "--passages", str(passages), "--questions", str(questions), "--json",
                      db=db)
    metrics = json.loads(result.stdout)
    assert {"questions", "r@1", "r@3", "r@5", "mrr@10", "answer_in_excerpt@1", "mean_ms",
            "p95_ms"} <= set(metrics)
    assert metrics["questions"] == 2
    assert metrics["r@1"] == metrics["r@3"] == metrics["r@5"] == metrics["mrr@10"] == 1.0
    assert metrics["answer_in_excerpt@1"] == 1.0
    assert 0 < metrics["mean_ms"] <= metrics["p95_ms"] * 2
    assert not db.exists()  # eval builds its own knowledge base


@pytest.mark.parametrize("kind", ["folder", "not-a-database"])
def test_an_unusable_knowledge_base_path_exits_2_with_a_clear_message(tmp_path: Path,
                                                                      kind: str) -> None:
    db = tmp_path / "kb.db"
    if kind == "folder":
        db.mkdir()
    else:
        db.write_text("just some notes", encoding="utf-8")
    result = staffbot("docs", db=db, check=2)
    assert result.stderr.startswith(f"staffbot: cannot open the knowledge base {db}")
    assert "Traceback" not in result.stderr


def test_the_dictionary_is_kept_read_fast_and_a_damaged_or_foreign_copy_is_not_used(tmp_path):
    """Each process loads jieba's prefix dictionary; the first writes it where jieba keeps its
    cache (the temporary folder) in a form read three times faster, the next read it, and a copy
    that is damaged or writable by others is not trusted: the question is answered as before and
    the copy is written anew."""
    from knowledge.analysis import _load_prefix_dict

    temp = tmp_path / "tmp"
    temp.mkdir()
    db = ingested(tmp_path, "休假制度.txt", "休假制度\n\n第一条 员工入职满一年可享受年休假五天。\n")
    env = {"TMPDIR": str(temp)}

    def answer() -> str:
        out = staffbot("ask", "年休假几天", db=db, env=env).stdout
        assert "第一条" in out and "五天" in out, out
        return out

    first = answer()                                   # builds jieba's cache and the copy
    (kept,) = temp.glob("staffbot-jieba-*.dict")
    assert kept.stat().st_mode & 0o077 == 0            # its owner's only
    freq, total = _load_prefix_dict(kept)
    assert freq["年休假"] > 0 and freq["员工"] > 0 and total > 10**7
    stamp = kept.stat().st_mtime_ns
    assert answer() == first and kept.stat().st_mtime_ns == stamp      # read, not rewritten

    kept.write_bytes(kept.read_bytes()[:100_000])      # damaged: cut short
    assert _load_prefix_dict(kept) is None
    assert answer() == first
    assert _load_prefix_dict(kept) is not None         # written anew

    if hasattr(os, "getuid"):
        kept.chmod(0o666)                              # others could have changed it
        assert _load_prefix_dict(kept) is None
        assert answer() == first
        assert kept.stat().st_mode & 0o077 == 0


def test_a_question_does_not_import_pkg_resources(tmp_path):
    """jieba opens its data files by path, not through setuptools' pkg_resources (0.15 s of every
    process, deprecated): the CLI's question is answered and no pkg_resources was imported."""
    db = ingested(tmp_path, "休假制度.txt", "休假制度\n\n第一条 员工入职满一年可享受年休假五天。\n")
    script = ("import runpy, sys\n"
              "sys.argv = ['staffbot', 'ask', '年休假几天']\n"
              "try:\n    runpy.run_module('bot.cli', run_name='__main__', alter_sys=True)\n"
              "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
              "print('modules:', 'jieba' in sys.modules, 'pkg_resources' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_environment(db),
                            capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert result.returncode == 0 and "第一条" in result.stdout, (result.stdout, result.stderr)
    assert "modules: True False" in result.stdout, result.stdout
