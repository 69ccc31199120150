"""Old and other word-processor files (.doc, .wps, .rtf, .odt): LibreOffice converts them to
.docx, which the Word reader (:mod:`.docx`) then reads, so numbering, headings and tables are
understood the same way as in a .docx.

LibreOffice is found at ``STAFFBOT_SOFFICE`` or as ``soffice``/``libreoffice`` on PATH. Each
conversion runs headless in a temporary folder with a private profile (never the user's running
LibreOffice), bounded by ``STAFFBOT_SOFFICE_TIMEOUT`` seconds (60); on timeout its whole process
group is killed, so a file LibreOffice chokes on cannot hang ingest.
"""

from __future__ import annotations

import atexit
import dataclasses
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import zipfile
from pathlib import Path, PurePath

from . import setting
from ..blocks import ReadInfo, SourceDocument, Unloadable, decode_text
from ..text import format_size

__all__ = ["DEFAULT_TIMEOUT_S", "find_soffice", "read", "timeout_seconds"]

DEFAULT_TIMEOUT_S = 60.0
MAX_UNPACKED_BYTES = 200 * 1024 * 1024   # an .odt (a zip) that unpacks to more is a zip bomb
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # binary Word 97-2003, Kingsoft WPS
_INSTALL = "apt-get install libreoffice-writer (or set STAFFBOT_SOFFICE)"


def read(data: bytes, name: str, info: ReadInfo) -> list[SourceDocument]:
    from . import docx as docx_reader

    suffix = PurePath(name).suffix.lower() or ".doc"
    kind = suffix.lstrip(".")
    if _is_docx(data):
        # A .docx saved under an old name is common ("报告.doc"): no LibreOffice needed.
        documents = docx_reader.read(data, name, info)
        info.warn(f"this {suffix} file is really a .docx; read it as one")
    else:
        _check_signature(data, suffix)
        converted = convert_to_docx(data, suffix)
        try:
            documents = docx_reader.read(converted, name, info)
        except Unloadable as exc:
            if ".docx" not in exc.reason:
                raise
            raise Unloadable(f"LibreOffice's .docx of it could not be read: {exc.reason}") from None
        info.reader = "LibreOffice → python-docx"
    return [dataclasses.replace(doc, kind=kind) for doc in documents]


# -- what the bytes are -------------------------------------------------------------------------

def _is_docx(data: bytes) -> bool:
    if not data.startswith(b"PK"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _check_signature(data: bytes, suffix: str) -> None:
    """Refuse what no word processor wrote: LibreOffice would read random bytes as plain text."""
    if data.startswith(_OLE_MAGIC) or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf"):
        return
    if data.startswith(b"PK"):
        _check_zip(data, suffix)
        return
    try:
        decode_text(data)   # HTML or text saved as .doc ("另存为网页") is read by LibreOffice too
    except ValueError:
        raise Unloadable(f"not a {suffix} document (unrecognised binary data)") from None


def _check_zip(data: bytes, suffix: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unloadable(f"truncated or corrupt {suffix} (bad zip archive: {exc})") from None
    if total > MAX_UNPACKED_BYTES:
        raise Unloadable(f"unpacks to {format_size(total, decimals=True)}; the limit is "
                         f"{format_size(MAX_UNPACKED_BYTES, decimals=False)} (zip bomb?)")


# -- LibreOffice --------------------------------------------------------------------------------

def find_soffice() -> str | None:
    """The LibreOffice program to run: ``STAFFBOT_SOFFICE`` if set, else soffice on PATH."""
    configured = setting("STAFFBOT_SOFFICE")
    if configured:
        found = shutil.which(configured)
        return found
    for program in ("soffice", "libreoffice"):
        found = shutil.which(program)
        if found:
            return found
    mac = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
    return mac if os.access(mac, os.X_OK) else None


def timeout_seconds() -> float:
    raw = setting("STAFFBOT_SOFFICE_TIMEOUT")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if value > 0 else DEFAULT_TIMEOUT_S


def convert_to_docx(data: bytes, suffix: str) -> bytes:
    """The .docx LibreOffice makes of ``data``; Unloadable when it cannot (missing, fails, hangs)."""
    soffice = find_soffice()
    if soffice is None:
        configured = setting("STAFFBOT_SOFFICE")
        bad = f"; STAFFBOT_SOFFICE={configured} is not a program" if configured else ""
        raise Unloadable(f"needs LibreOffice to read {suffix} files: {_INSTALL}{bad}")
    timeout = timeout_seconds()
    with _PROFILE.lock, tempfile.TemporaryDirectory(prefix="staffbot-office-") as folder:
        work = Path(folder)
        # An ASCII name: LibreOffice and the locale never disagree about it.
        source = work / f"document{suffix}"
        source.write_bytes(data)
        command = [soffice, f"-env:UserInstallation={_PROFILE.uri()}", "--headless",
                   "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(work / "out"),
                   str(source)]
        returncode, output = _run(command, timeout)
        result = work / "out" / "document.docx"
        if not result.is_file():
            status = f"exit {returncode}: " if returncode else ""
            raise Unloadable(f"LibreOffice could not convert it ({status}{_why(output)})")
        return result.read_bytes()


def _run(command: list[str], timeout: float) -> tuple[int, str]:
    """Run LibreOffice in its own process group: (exit status, output)."""
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    except OSError as exc:
        raise Unloadable(f"could not start LibreOffice ({command[0]}: "
                         f"{exc.strerror or exc})") from None
    try:
        raw, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        _PROFILE.discard()   # a killed LibreOffice may leave its profile locked or half-written
        raise Unloadable(f"LibreOffice did not finish converting it within {timeout:g} s and "
                         f"was stopped (STAFFBOT_SOFFICE_TIMEOUT allows longer)") from None
    _kill_group(process)   # the soffice wrapper can leave a soffice.bin behind
    return process.returncode, raw.decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        pass   # already gone (or not POSIX)
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def _why(output: str) -> str:
    lines = [line.strip() for line in output.splitlines()
             if line.strip() and "javaldx" not in line]
    error = next((line for line in lines if line.startswith("Error")), None)
    if error and "could not be loaded" in error:
        return "corrupt, truncated or password-protected"
    return (error or (lines[-1] if lines else "no output"))[:200]


class _Profile:
    """One LibreOffice profile per process, reused: a fresh one costs ~1.5 s of first start.

    Conversions in a process take turns (one profile serves one LibreOffice at a time); a forked
    child makes its own, and each is deleted at exit.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._path: Path | None = None
        self._pid = 0

    def uri(self) -> str:
        if self._path is None or self._pid != os.getpid():
            self._path = Path(tempfile.mkdtemp(prefix="staffbot-lo-profile-"))
            self._pid = os.getpid()
            atexit.register(shutil.rmtree, self._path, True)
        return self._path.as_uri()

    def discard(self) -> None:
        if self._path is not None and self._pid == os.getpid():
            shutil.rmtree(self._path, ignore_errors=True)
        self._path = None


_PROFILE = _Profile()
