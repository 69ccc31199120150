"""The ``staffbot`` command: build and query the knowledge base, measure it, run the bot.

Each verb is one small function: it validates its input, calls ``knowledge`` (or the bot), prints.
Settings come from the environment and ``.env`` (see ``bot.settings``); ``--db`` overrides
``STAFFBOT_DB`` for one command.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .settings import Settings, SettingsError

__all__ = ["main", "build_parser", "VERBS"]

BOLD, PLAIN = "\033[1m", "\033[0m"


def _settings(args) -> Settings:
    from knowledge import configure_readers

    settings = Settings.from_env()
    configure_readers(**settings.reader_settings())
    if getattr(args, "db", None):
        settings = _replace(settings, db=Path(args.db))
    if getattr(args, "seeds", None):
        settings = _replace(settings, seeds=Path(args.seeds))
    return settings


def _replace(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def _open(settings: Settings, *, seed_if_empty: bool = False):
    import sqlite3

    from knowledge import KnowledgeBase, MeaningUnavailable, SchemaError

    try:
        kb = KnowledgeBase(settings.db, userdict=settings.userdict, synonyms=settings.synonyms,
                           meaning=settings.meaning)
    except (SchemaError, MeaningUnavailable) as err:
        raise SettingsError(str(err)) from err
    except (OSError, sqlite3.Error) as err:
        # A folder, an unwritable place or another kind of file: say so (exit 2), not a traceback.
        raise SettingsError(f"cannot open the knowledge base {settings.db} (STAFFBOT_DB or --db): "
                            f"{getattr(err, 'strerror', None) or err}") from err
    if seed_if_empty and not kb.documents():
        if settings.seeds.is_dir():
            print(f"(first use: building the knowledge base {settings.db} from {settings.seeds}/)",
                  file=sys.stderr)
            report = kb.seed_if_empty(settings.seeds, progress=sys.stderr.isatty())
            if report is not None:
                print(report.summary(), file=sys.stderr)
        else:
            print(f"(the knowledge base {settings.db} is empty and there is no {settings.seeds}/ "
                  f"folder: add documents with `staffbot ingest PATH`)", file=sys.stderr)
    return kb


# -- verbs -------------------------------------------------------------------------------------
def cmd_ingest(args) -> int:
    """Add files or folders (txt, md, docx, pdf, html, jsonl, xlsx, csv; doc, wps, rtf, odt with
    LibreOffice; scans and images with the OCR extra) to the knowledge base."""
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        print(f"staffbot ingest: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = _settings(args)
    audience = _known_audience(settings, args.audience, "ingest") if args.audience else None
    _progress_lines()
    with _open(settings) as kb:
        report = kb.ingest(args.paths, progress=not args.json and sys.stderr.isatty(),
                           audience=audience, audience_folders=settings.audience_names)
        # the next `ask` or bot start loads the index file instead of building it (at 100k
        # paragraphs: 2.5 s to a first answer instead of a minute)
        kb.warm_up()
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
    else:
        print(report.summary())
    return 0


def _known_audience(settings: Settings, text: str, verb: str) -> str:
    """``财务处,人事处`` as stored, when every name is 全员 or in STAFFBOT_AUDIENCES."""
    from knowledge.audiences import EVERYONE, audience_names, parse_audience

    try:
        stored = parse_audience(text)
    except ValueError as err:
        raise SettingsError(f"{verb}: {err}") from None
    unknown = sorted(audience_names(stored) - {EVERYONE} - set(settings.audience_names))
    if unknown:
        known = ", ".join((EVERYONE, *settings.audience_names))
        raise SettingsError(f"{verb}: unknown audience {', '.join(unknown)} (known: {known}; "
                            f"audiences are defined in STAFFBOT_AUDIENCES)")
    return stored


def _progress_lines() -> None:
    """Readers' progress (an OCR line per page) on stderr: a scan takes seconds a page."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    readers = logging.getLogger("knowledge.readers")
    readers.addHandler(handler)
    readers.setLevel(logging.INFO)


def cmd_show(args) -> int:
    """Print a document as staffbot understood it: reader, sections, paragraphs, table rows."""
    with _open(_settings(args)) as kb:
        views = kb.show(args.document)
    if not views:
        print(f"staffbot show: no document matches {args.document!r} (see staffbot docs)",
              file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps([v.to_json() for v in views], ensure_ascii=False, indent=2))
        return 0
    for view in views:
        print(format_document(view))
    return 0


def format_document(view) -> str:
    """A document for a person: its reader's report, then each section once and its paragraphs
    numbered as citations number them (lists one item a line, table rows as header：value)."""
    reader = view.reader
    lines = [f"{view.title}  ({view.kind}, {view.source}, id {view.id})"]
    if reader:
        from knowledge import FileReport

        known = {k: v for k, v in reader.items() if k in FileReport.__dataclass_fields__}
        known["warnings"] = tuple(known.get("warnings", ()))
        lines.append("read: " + FileReport(**known).summary())
        lines += [f"warning: {w}" for w in known["warnings"]]
    section: tuple[str, ...] | None = None
    for p in view.paragraphs:
        if p.section != section:
            section = p.section
            lines.append("")
            lines.append("§ " + " › ".join(section))
        marks = "".join([f" p.{p.page}" if p.page else "", " OCR" if p.ocr else "",
                         " 表格行" if p.kind == "table_row" else "",
                         " 列表" if p.kind == "list" else "",
                         " 问答" if p.kind == "faq" else ""])
        body = p.text.replace("\n", "\n      ")
        if p.question:  # an FAQ pair: its question, then its answer
            body = f"问：{p.question}\n      答：{body}"
        lines.append(f"  [{p.number}]{marks} {body}")
    return "\n".join(lines)


def cmd_ask(args) -> int:
    """Answer a question from the knowledge base, with the cited excerpt."""
    if args.batch is not None:
        if args.question:
            print("staffbot ask: give a question or --batch FILE, not both", file=sys.stderr)
            return 2
        try:
            questions = _batch_questions(args.batch)
        except OSError as err:
            print(f"staffbot ask: cannot read {args.batch}: {err.strerror or err}", file=sys.stderr)
            return 2
        if not questions:
            print(f"staffbot ask: {args.batch} holds no question", file=sys.stderr)
            return 2
    else:
        # Bytes that are not UTF-8 reach argv as lone surrogates, which neither SQLite nor a UTF-8
        # stdout accepts: make them U+FFFD.
        questions = [os.fsencode(" ".join(args.question)).decode("utf-8", "replace").strip()]
        if not questions[0]:
            print("staffbot ask: the question is empty", file=sys.stderr)
            return 2
    from knowledge import Answerer

    audiences = None
    if args.audience is not None:   # try the question as someone in these audiences
        audiences = frozenset(n for n in args.audience.replace("，", ",").split(",")
                              if n.strip() and n.strip() != "全员")
    with _open(_settings(args), seed_if_empty=True) as kb:
        answerer = Answerer(kb)
        for question in questions:
            answer = answerer.ask_now(question, args.k, chat_kind="cli", explain=args.explain,
                                      audiences=audiences).answer
            _print_answer(answer, args, batch=args.batch is not None)
    # a batch's answers are its output; one question not found exits 1
    return 1 if args.batch is None and answer.status == "not_found" else 0


def _batch_questions(path: str) -> list[str]:
    """The questions of a ``--batch`` file (``-``: standard input): one a line, blank lines and
    lines starting with ``#`` skipped; UTF-8 (a BOM or none), UTF-16 with a BOM or GB18030, as
    documents are read."""
    from knowledge.blocks import decode_text

    data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:   # a list saved by Notepad: UTF-8 with a BOM, UTF-16, or GB18030
        text = decode_text(data)
    except ValueError:
        text = data.decode("utf-8", "replace")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _print_answer(answer, args, *, batch: bool) -> None:
    """One answer on standard output: JSON (one line each in a batch), or as a person reads it
    (a batch heads each with its question)."""
    if args.json:
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=None if batch else 2),
              flush=batch)
        return
    if batch:
        print(f"\n» {answer.question}")
    print(format_answer(answer, color=sys.stdout.isatty()))
    if args.explain:
        print(json.dumps(answer.explain, ensure_ascii=False, indent=2))


def format_answer(answer, *, color: bool = False) -> str:
    """The answer as a person reads it in a terminal."""
    if answer.status == "not_found":
        searched = f" Searched for: {'、'.join(answer.searched_terms)}." \
            if answer.searched_terms else ""
        return ("Not found: the knowledge base does not cover this question." + searched +
                " It has been logged for the admins (staffbot unanswered).")
    lines = []
    if answer.alike:
        lines.append(f"Two documents answer this, perhaps differently ({answer.alike[0]}; "
                     f"{answer.alike[1]}): see the one that applies to you.")
    elif answer.status == "suggestions":
        lines.append("Not sure; the closest passages:")
    for rank, hit in enumerate(answer.hits, 1):
        if answer.status == "answer" and rank == 2:
            lines.append("\nMore results:")
        lines.append(f"{rank}. {mark(hit.excerpt, hit.highlights, color)}")
        source = hit.citation.url or hit.citation.source
        # the ref lets an admin teach a question this paragraph (staffbot teach QUESTION REF)
        ref = f" [ref {hit.ref}]" if hit.ref else ""
        taught = f" [taught: {hit.question}]" if hit.kind == "taught" else ""
        lines.append(f"   — {hit.citation.label}  ({source}; score {hit.score:.2f}){ref}{taught}")
        if rank == 1 and answer.see_also:
            lines.append("   另见: " + "; ".join(h.citation.label for h in answer.see_also))
    return "\n".join(lines)


def mark(text: str, spans, color: bool) -> str:
    """Matched words in bold on a terminal, between 【】 otherwise."""
    left, right = (BOLD, PLAIN) if color else ("【", "】")
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], left, text[start:end], right]
        last = end
    out.append(text[last:])
    return "".join(out)


def cmd_docs(args) -> int:
    """List the documents of the knowledge base."""
    with _open(_settings(args)) as kb:
        documents = kb.documents()
    if args.json:
        print(json.dumps([d.__dict__ for d in documents], ensure_ascii=False, indent=2))
        return 0
    if not documents:
        print("The knowledge base is empty.")
    for d in documents:
        source = d.url or d.source + (f"#{d.source_id}" if d.source_id else "")
        print(f"{d.id:>5}  {d.title}  ({d.kind}, {d.paragraphs} paragraphs, {source}) "
              f"[{d.audience}]")
    return 0


def cmd_audience(args) -> int:
    """Set who may read a document: 全员 (all staff) or audiences of STAFFBOT_AUDIENCES."""
    settings = _settings(args)
    stored = _known_audience(settings, args.names, "audience")
    with _open(settings) as kb:
        changed = kb.set_audience(args.document, stored)
    if not changed:
        print(f"staffbot audience: no document matches {args.document!r} (see staffbot docs)",
              file=sys.stderr)
        return 1
    print(f"{changed} document{'s' if changed > 1 else ''} now for {stored}")
    return 0


def cmd_remove(args) -> int:
    """Delete a document (by id, title, file name or source id) and all derived from it."""
    with _open(_settings(args)) as kb:
        removed = kb.remove(args.document)
    if not removed:
        print(f"staffbot remove: no document matches {args.document!r} (see staffbot docs)",
              file=sys.stderr)
        return 1
    print(f"removed {removed} document{'s' if removed > 1 else ''}")
    return 0


def cmd_eval(args) -> int:
    """Measure retrieval on a question → passage set (R@k, MRR, answer in excerpt, latency)."""
    from knowledge.evaluate import evaluate

    for path in (args.passages, args.questions):
        if not Path(path).is_file():
            print(f"staffbot eval: no such file: {path}", file=sys.stderr)
            return 2
    from knowledge import MeaningUnavailable

    try:
        result = evaluate(args.passages, args.questions, limit=args.limit,
                          meaning=_settings(args).meaning)
    except MeaningUnavailable as err:
        raise SettingsError(str(err)) from err
    print(json.dumps(result.to_json(), indent=2) if args.json else result.summary())
    return 0


def cmd_unanswered(args) -> int:
    """The questions still to teach, most frequent first: not found, only suggested, or answered
    and voted 👎 (taught ones and those answered when last asked are left out)."""
    with _open(_settings(args)) as kb:
        rows = kb.unanswered(args.limit)
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], ensure_ascii=False, indent=2))
    elif not rows:
        print("No unanswered questions.")
    for row in rows if not args.json else ():
        print(f"{row.count:>4}×  {row.question}  ({row.kind.replace('_', ' ')}; "
              f"last {row.last_asked})")
    return 0


def cmd_stats(args) -> int:
    """Questions asked, answered share and feedback."""
    with _open(_settings(args)) as kb:
        stats = kb.stats()
    data = {**stats.__dict__, "answered_share": round(stats.answered_share, 3)}
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        print("\n".join(f"{key}: {value}" for key, value in data.items()))
    return 0


def cmd_synonyms(args) -> int:
    """Synonym groups: add one (used from the next question on, no re-ingest), list them, or
    remove an admin's group by id or word. The shipped thesaurus is knowledge/data/thesaurus.txt."""
    words = [w for w in args.words if w.strip()]
    if args.action == "add":
        if len(words) < 2 and not (len(words) == 1 and ">" in words[0]):
            print("staffbot synonyms add: give at least two words (年假 年休假; --one-way: the "
                  "first expands to the others only)", file=sys.stderr)
            return 2
        with _open(_settings(args)) as kb:
            try:
                group_id = kb.add_synonyms(words, one_way=args.one_way, by="cli")
            except ValueError as err:
                print(f"staffbot synonyms add: {err}", file=sys.stderr)
                return 2
            group = next(g for g in kb.synonym_groups("admin") if g.id == group_id)
        print(f"added #{group_id}: {group.text}")
        return 0
    if args.action == "remove":
        if len(words) != 1:
            print("staffbot synonyms remove: give one group id or one word", file=sys.stderr)
            return 2
        with _open(_settings(args)) as kb:
            removed = kb.remove_synonyms(words[0])
            in_thesaurus = any(words[0] in g.words for g in kb.synonym_groups("thesaurus"))
            defined_in = [g.document for g in kb.synonym_groups("document") if words[0] in g.words]
        if not removed:
            hint = (" (it is in the shipped thesaurus, a file: edit it or ask your developer)"
                    if in_thesaurus else
                    f" (《{defined_in[0]}》 defines it: it goes when that document no longer does)"
                    if defined_in else "")
            print(f"staffbot synonyms remove: no admin synonym group {words[0]}{hint}",
                  file=sys.stderr)
            return 1
        print(f"removed {removed} group{'s' if removed > 1 else ''}")
        return 0
    if words:
        print("staffbot synonyms list: takes no words (--admin: only the admins' groups)",
              file=sys.stderr)
        return 2
    with _open(_settings(args)) as kb:
        groups = kb.synonym_groups("admin" if args.admin else None)
    if args.json:
        print(json.dumps([g.to_json() for g in groups], ensure_ascii=False, indent=2))
        return 0
    for group in groups:
        admin = group.source == "admin"
        mark = f"#{group.id}" if admin else "  "
        by = f"  ({group.added_by}, {group.added_at})" if admin else \
            f"  (《{group.document}》)" if group.source == "document" else ""
        print(f"{mark:>5} {group.source:<10} {group.text}{by}")
    if not groups:
        print("No synonym groups added by admins." if args.admin else "No synonym groups.")
    return 0


def _question_arg(words: list[str]) -> str:
    """The question as typed (bytes that are not UTF-8 become U+FFFD, as in ``ask``)."""
    return os.fsencode(" ".join(words)).decode("utf-8", "replace").strip()


def cmd_teach(args) -> int:
    """Teach a question: the paragraph that answers it (its ref, shown by `ask`), or a written
    answer (--answer); asked again, or in close paraphrase, it is answered with that first."""
    question = _question_arg([args.question])
    if bool(args.ref) == bool(args.answer):
        print("staffbot teach: give the paragraph's REF or --answer TEXT (one of them)",
              file=sys.stderr)
        return 2
    with _open(_settings(args)) as kb:
        try:
            taught = kb.teach(question, ref=args.ref, answer=args.answer, by=args.by)
        except ValueError as err:
            print(f"staffbot teach: {err}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(taught.to_json(), ensure_ascii=False, indent=2))
    else:
        print(f"taught {taught.id}: {format_taught(taught)}")
    return 0


def format_taught(taught) -> str:
    """``年假有几天 → 考勤管理办法 › 第3段 [ref …]`` (or the written answer, or STALE)."""
    if taught.answer:
        target = f"管理员答复 › {taught.date}: {taught.answer}"
    elif taught.stale:
        target = (f"STALE: the paragraph [ref {taught.ref}] is no longer in any document; "
                  f"teach it again or forget it")
    else:
        target = f"{taught.citation.label} [ref {taught.ref}]"
    by = f" (by {taught.taught_by})" if taught.taught_by else ""
    return f"{taught.question} → {target}{by}"


def cmd_taught(args) -> int:
    """List the taught questions (stale links marked: their paragraph's text has changed)."""
    with _open(_settings(args)) as kb:
        taught = kb.taught()
    if args.json:
        print(json.dumps([t.to_json() for t in taught], ensure_ascii=False, indent=2))
        return 0
    if not taught:
        print("No taught questions.")
    for t in taught:
        print(f"{t.id:>5}  {format_taught(t)}")
    stale = sum(t.stale for t in taught)
    if stale:
        print(f"{stale} stale: not answered from until taught again (staffbot teach) or "
              f"forgotten (staffbot forget ID)", file=sys.stderr)
    return 0


def cmd_forget(args) -> int:
    """Forget a taught question (its id from `staffbot taught`)."""
    with _open(_settings(args)) as kb:
        forgotten = kb.forget(args.id)
    if not forgotten:
        print(f"staffbot forget: no taught question has the id {args.id} (see staffbot taught)",
              file=sys.stderr)
        return 1
    print(f"forgot {args.id}")
    return 0


def cmd_run(args) -> int:
    """Run the Telegram bot (long polling; a webhook server with --webhook-url)."""
    from .app import run_bot

    settings = _settings(args)
    if args.webhook_url:
        settings = _replace(settings, webhook_url=args.webhook_url)
    run_bot(settings)
    return 0


VERBS = {
    "ingest": cmd_ingest, "ask": cmd_ask, "docs": cmd_docs, "show": cmd_show,
    "remove": cmd_remove, "audience": cmd_audience,
    "eval": cmd_eval, "unanswered": cmd_unanswered, "stats": cmd_stats, "run": cmd_run,
    "synonyms": cmd_synonyms,
    "teach": cmd_teach, "taught": cmd_taught, "forget": cmd_forget,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="staffbot", description="Answer staff questions from your own documents, with "
        "cited excerpts: a knowledge base and a Telegram bot.")
    parser.add_argument("--db", help="SQLite knowledge base file (default: $STAFFBOT_DB or "
                        "staffbot.db)")
    parser.add_argument("--seeds", help="seeds folder (default: $STAFFBOT_SEEDS or seeds)")
    sub = parser.add_subparsers(dest="verb", required=True, metavar="VERB")

    def verb(name: str, **kw) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=VERBS[name].__doc__, description=VERBS[name].__doc__, **kw)

    p = verb("ingest")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument("--audience", metavar="NAME[,NAME]",
                   help="who may read these files: 全员 or audiences of STAFFBOT_AUDIENCES "
                   "(default: a file keeps its audience; a new file in a folder named after an "
                   "audience gets that one; else 全员)")

    p = verb("ask")
    p.add_argument("question", nargs="*", help="the question (quote it or not)")
    p.add_argument("--batch", metavar="FILE",
                   help="ask every question of FILE instead (one a line; - reads standard "
                   "input); with --json, one JSON answer a line, in the file's order; the exit "
                   "code is 0 whatever the answers")
    p.add_argument("-k", type=int, default=3, help="how many hits to show (default 3)")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.add_argument("--explain", action="store_true",
                   help="show the query tokens, expansions and each score part")
    p.add_argument("--audience", metavar="NAME[,NAME]",
                   help="ask as someone in these audiences (全员: as someone in none); "
                   "default: every document")

    p = verb("docs")
    p.add_argument("--json", action="store_true")

    p = verb("show")
    p.add_argument("document", help="document id, title, file name or source id")
    p.add_argument("--json", action="store_true", help="print the document as JSON")

    p = verb("remove")
    p.add_argument("document", help="document id, title, file name or source id")

    p = verb("audience")
    p.add_argument("document", help="document id, title, file name or source id")
    p.add_argument("names", metavar="NAME[,NAME]", help="全员, or audience names")

    p = verb("eval")
    p.add_argument("--passages", required=True, help="passages.jsonl: {id, title, text}")
    p.add_argument("--questions", required=True,
                   help="questions.jsonl: {qid, question, gold: [passage id], answer?}")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--json", action="store_true")

    p = verb("unanswered")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--json", action="store_true")

    p = verb("stats")
    p.add_argument("--json", action="store_true")

    p = verb("synonyms")
    p.add_argument("action", choices=("add", "list", "remove"))
    p.add_argument("words", nargs="*", metavar="WORD",
                   help="add: the group's words; remove: a group id or a word")
    p.add_argument("--one-way", action="store_true",
                   help="add: the first word expands to the others, not back (老板 → 用人单位)")
    p.add_argument("--admin", action="store_true", help="list: only the admins' groups")
    p.add_argument("--json", action="store_true", help="list: print the groups as JSON")
    p = verb("teach")
    p.add_argument("question", help="the question (quoted)")
    p.add_argument("ref", nargs="?", help="the paragraph's ref (`staffbot ask` shows it)")
    p.add_argument("--answer", help="a written answer instead of a paragraph")
    p.add_argument("--by", default="", help="who taught it (shown by `staffbot taught`)")
    p.add_argument("--json", action="store_true", help="print the taught question as JSON")

    p = verb("taught")
    p.add_argument("--json", action="store_true")

    p = verb("forget")
    p.add_argument("id", type=int, help="the taught question's id (`staffbot taught`)")

    p = verb("run")
    p.add_argument("--webhook-url", help="public HTTPS URL for webhook mode (default: "
                   "$STAFFBOT_WEBHOOK_URL; unset = long polling)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "k", 1) is not None and getattr(args, "k", 1) < 1:
        print("staffbot ask: -k must be at least 1", file=sys.stderr)
        return 2
    try:
        return VERBS[args.verb](args)
    except SettingsError as err:
        print(f"staffbot: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
