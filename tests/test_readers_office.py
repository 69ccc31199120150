""".doc, .wps, .rtf and .odt through LibreOffice and the Word reader: real LibreOffice-made
fixtures (tests/fixtures/office, recipe tests/fixtures/make_office_and_scans.py), and fake
``soffice`` programs for a missing, failing or hanging LibreOffice (those run without it)."""

from __future__ import annotations

import functools
import os
import shutil
import sys
import time
from pathlib import Path

import docx
import pytest

from knowledge.loaders import FileRead, LoadError, load_path, read_bytes

OFFICE = Path(__file__).parent / "fixtures" / "office"
FIXTURES = sorted(OFFICE.glob("差旅费管理办法.*"))
needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed here")
posix_only = pytest.mark.skipif(os.name != "posix", reason="fake soffice is a POSIX script")


@functools.cache
def read_fixture(path: Path) -> FileRead:
    """Each fixture converted once for the tests (LibreOffice takes about a second)."""
    return read_bytes(path.read_bytes(), path.name)


def reason_of(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        load_path(path)
    return caught.value.reason


def fake_soffice(tmp_path: Path, body: str) -> Path:
    """A stand-in for LibreOffice: a Python script receiving soffice's arguments as ``args``."""
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!{sys.executable}\nimport sys, os, shutil, time\nargs = sys.argv[1:]\n"
                      + body, encoding="utf-8")
    script.chmod(0o755)
    return script


def test_fixtures_cover_every_routed_suffix() -> None:
    assert [p.suffix for p in FIXTURES] == [".doc", ".odt", ".rtf", ".wps"]


@needs_libreoffice
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.suffix)
def test_libreoffice_files_read_like_the_word_document(path: Path) -> None:
    read = read_fixture(path)
    (doc,) = read.documents
    assert (doc.kind, doc.title, doc.source) == (path.suffix[1:], "差旅费管理办法", path.name)
    assert read.info.reader == "LibreOffice → python-docx"
    assert [b.text for b in doc.blocks if b.kind == "heading"] == [
        "差旅费管理办法", "第一章 总则", "第二章 住宿费", "第三章 附则"]
    paragraphs = [b.text for b in doc.blocks if b.kind == "paragraph"]
    assert paragraphs[0] == "第一条 为规范本单位工作人员出差管理，节约经费开支，制定本办法。"
    assert paragraphs[-1] == "第五条 本办法由财务处负责解释，自2024年3月1日起施行。"
    rows = [(b.table, b.row, b.text) for b in doc.blocks if b.kind == "table_row"]
    assert rows == [
        ("表1 住宿费标准", 1, "出差地区：北京、上海；住宿费（元/人·天）：500"),
        ("表1 住宿费标准", 2, "出差地区：省会城市；住宿费（元/人·天）：380"),
        ("表1 住宿费标准", 3, "出差地区：其他地区；住宿费（元/人·天）：300"),
    ]
    items = [b.text for b in doc.blocks if b.kind == "list_item"]
    assert [item.split(" ", 1)[1] for item in items] == [
        "无正式发票的；", "超出标准部分未经分管领导批准的；", "擅自延长出差时间的。"]


@needs_libreoffice
@pytest.mark.parametrize("path", [
    OFFICE / "差旅费管理办法.rtf",
    OFFICE / "差旅费管理办法.doc",
], ids=lambda p: p.suffix)
def test_numbered_list_keeps_its_numbers(path: Path) -> None:
    (doc,) = read_fixture(path).documents
    assert [b.text for b in doc.blocks if b.kind == "list_item"] == [
        "1. 无正式发票的；", "2. 超出标准部分未经分管领导批准的；", "3. 擅自延长出差时间的。"]


@needs_libreoffice
def test_truncated_doc_names_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "坏文件.doc"
    path.write_bytes((OFFICE / "差旅费管理办法.doc").read_bytes()[:8000])
    assert reason_of(path) == (
        "LibreOffice could not convert it (corrupt, truncated or password-protected)")


def test_random_bytes_are_refused_before_libreoffice(tmp_path: Path) -> None:
    path = tmp_path / "noise.doc"
    path.write_bytes(bytes(range(256)) * 40)
    # LibreOffice would "convert" them as plain text into a page of garbage
    assert reason_of(path) == "not a .doc document (unrecognised binary data)"


def test_docx_saved_as_doc_needs_no_libreoffice(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("STAFFBOT_SOFFICE", str(tmp_path / "nonexistent"))
    word = docx.Document()
    word.add_heading("请假制度", 1)
    word.add_paragraph("第一条 职工请病假须提交医院证明。")
    path = tmp_path / "请假制度.doc"
    word.save(path)
    read = read_bytes(path.read_bytes(), path.name)
    (doc,) = read.documents
    assert doc.kind == "doc"
    assert [b.text for b in doc.blocks] == ["请假制度", "第一条 职工请病假须提交医院证明。"]
    assert read.info.reader == "python-docx"
    assert read.warnings == ["this .doc file is really a .docx; read it as one"]


@pytest.mark.parametrize("suffix", [".doc", ".wps", ".rtf", ".odt"])
def test_without_libreoffice_the_reason_says_what_to_install(
        tmp_path: Path, monkeypatch, suffix: str) -> None:
    monkeypatch.setenv("STAFFBOT_SOFFICE", "/nonexistent")
    monkeypatch.setenv("PATH", str(tmp_path))   # no soffice or libreoffice on it
    path = tmp_path / f"制度{suffix}"
    path.write_bytes((OFFICE / "差旅费管理办法.doc").read_bytes())
    assert reason_of(path) == (
        f"needs LibreOffice to read {suffix} files: apt-get install libreoffice-writer "
        f"(or set STAFFBOT_SOFFICE); STAFFBOT_SOFFICE=/nonexistent is not a program")
    monkeypatch.delenv("STAFFBOT_SOFFICE")
    assert reason_of(path) == (
        f"needs LibreOffice to read {suffix} files: apt-get install libreoffice-writer "
        f"(or set STAFFBOT_SOFFICE)")


@posix_only
def test_conversion_runs_headless_with_a_private_profile(tmp_path: Path, monkeypatch) -> None:
    made = tmp_path / "made.docx"
    word = docx.Document()
    word.add_paragraph("第一条 本制度自发布之日起施行。")
    word.save(made)
    seen = tmp_path / "args.txt"
    script = fake_soffice(tmp_path, (
        f"open({str(seen)!r}, 'w').write('\\n'.join(args))\n"
        "out = args[args.index('--outdir') + 1]\n"
        "os.makedirs(out, exist_ok=True)\n"
        f"shutil.copy({str(made)!r}, os.path.join(out, 'document.docx'))\n"))
    monkeypatch.setenv("STAFFBOT_SOFFICE", str(script))
    path = tmp_path / "制度.wps"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    (doc,) = load_path(path)
    assert (doc.kind, doc.title, [b.text for b in doc.blocks]) == (
        "wps", "制度", ["第一条 本制度自发布之日起施行。"])
    args = seen.read_text(encoding="utf-8").splitlines()
    assert args[0].startswith("-env:UserInstallation=file:///")
    assert {"--headless", "--norestore"} <= set(args)
    assert args[args.index("--convert-to") + 1] == "docx:MS Word 2007 XML"
    assert args[-1].endswith("document.wps")   # a private copy, never the user's file


@posix_only
def test_failed_conversion_says_libreoffice_could_not(tmp_path: Path, monkeypatch) -> None:
    script = fake_soffice(tmp_path, "print('Error: source file could not be loaded')\n")
    monkeypatch.setenv("STAFFBOT_SOFFICE", str(script))
    path = tmp_path / "加密.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    assert reason_of(path) == (
        "LibreOffice could not convert it (corrupt, truncated or password-protected)")


@posix_only
def test_hanging_libreoffice_is_stopped_with_its_children(tmp_path: Path, monkeypatch) -> None:
    pids = tmp_path / "pids"
    # like soffice → soffice.bin: the wrapper starts a child, and both hang
    script = fake_soffice(tmp_path, (
        "import subprocess\n"
        "child = subprocess.Popen(['sleep', '60'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(60)\n"))
    monkeypatch.setenv("STAFFBOT_SOFFICE", str(script))
    monkeypatch.setenv("STAFFBOT_SOFFICE_TIMEOUT", "1.5")
    path = tmp_path / "卡住.rtf"
    path.write_bytes(b"{\\rtf1 hello}")
    start = time.monotonic()
    reason = reason_of(path)
    assert time.monotonic() - start < 6
    assert reason == ("LibreOffice did not finish converting it within 1.5 s and was stopped "
                      "(STAFFBOT_SOFFICE_TIMEOUT allows longer)")
    for pid in map(int, pids.read_text().split()):
        deadline = time.monotonic() + 3
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid), f"process {pid} outlived the timeout"


def _alive(pid: int) -> bool:
    if Path("/proc").is_dir():
        try:
            with open(f"/proc/{pid}/stat") as stat:   # a zombie is dead, only not yet reaped
                return stat.read().split(") ")[-1][0] != "Z"
        except FileNotFoundError:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
