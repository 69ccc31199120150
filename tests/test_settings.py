"""Settings: defaults, .env parsing, environment precedence, clear errors; docs list every one."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import SETTINGS, Settings, SettingsError, read_dotenv

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:AAFakeStaffbotTestToken_0123456789abcdef"


def test_defaults_without_env_or_file(tmp_path):
    s = Settings.from_env({}, tmp_path / "missing.env")
    assert s.token == "" and s.db == Path("staffbot.db") and s.seeds == Path("seeds")
    assert s.webhook_listen == "0.0.0.0" and s.webhook_port == 8443 and s.webhook_url == ""
    assert s.max_upload_mb == 20 and s.max_upload_bytes == 20 * 1024 * 1024
    assert s.log_level == "INFO" and not s.restricted and s.staff_cache_seconds == 600
    assert s.admins == frozenset() and s.channels == () and s.userdict == ()


def test_every_setting_has_a_default_matching_the_dataclass(tmp_path):
    defaults = {s.name: s.default for s in SETTINGS}
    assert len(defaults) == len(SETTINGS)
    assert all(s.help.strip() for s in SETTINGS)
    s = Settings.from_env({}, None)
    assert str(s.webhook_port) == defaults["STAFFBOT_WEBHOOK_PORT"]
    assert str(s.max_upload_mb) == defaults["STAFFBOT_MAX_UPLOAD_MB"]
    assert str(s.db) == defaults["STAFFBOT_DB"]


def test_env_overrides_dotenv(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\n"
        f"export TELEGRAM_BOT_TOKEN='{TOKEN}'\n"
        "STAFFBOT_DB=from_file.db  # trailing comment\n"
        'STAFFBOT_ADMINS="1, 2"\n'
        "STAFFBOT_WEBHOOK_PORT=9000\n"
        "UNRELATED=ignored\n", encoding="utf-8")
    s = Settings.from_env({"STAFFBOT_DB": "from_env.db", "STAFFBOT_LOG_LEVEL": "debug"}, env_file)
    assert s.token == TOKEN
    assert s.db == Path("from_env.db")
    assert s.admins == {1, 2}
    assert s.webhook_port == 9000 and s.log_level == "DEBUG"


def test_admin_chat_is_one_chat_id_or_none():
    assert Settings.from_env({}, None).admin_chat is None
    s = Settings.from_env({"STAFFBOT_ADMIN_CHAT": " -1001234567890 "}, None)
    assert s.admin_chat == -1001234567890 and "admin chat=-1001234567890" in s.log_summary()


def test_lists_parse_ids_and_channels():
    s = Settings.from_env({"STAFFBOT_ALLOWED_USERS": "10 20,30", "STAFFBOT_STAFF_CHATS":
                           "-1001234567890", "STAFFBOT_CHANNELS": "@News_Channel, -1009876",
                           "STAFFBOT_USERDICT": "a.txt,b.txt"}, None)
    assert s.allowed_users == {10, 20, 30} and s.staff_chats == {-1001234567890}
    assert s.channels == ("@news_channel", "-1009876") and s.restricted
    assert s.userdict == (Path("a.txt"), Path("b.txt"))


@pytest.mark.parametrize("token", ["abc", "123:short", "123456:" + "x" * 29, ":" + "a" * 35,
                                   "12 3:" + "a" * 35])
def test_malformed_token_is_a_clear_error(token):
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN looks malformed") as err:
        Settings.from_env({"TELEGRAM_BOT_TOKEN": token}, None)
    assert token[5:] not in str(err.value) or len(token) <= 8  # the secret is not echoed


def test_missing_token_only_fails_when_running():
    s = Settings.from_env({}, None)
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is not set"):
        s.require_token()
    assert Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN}, None).require_token().token == TOKEN


@pytest.mark.parametrize("name,value,message", [
    ("STAFFBOT_ADMINS", "12,abc", "STAFFBOT_ADMINS: 'abc' is not a numeric Telegram id"),
    ("STAFFBOT_ADMINS", "@alice", "STAFFBOT_ADMINS: '@alice' is not a numeric"),
    ("STAFFBOT_ALLOWED_USERS", "1.5", "STAFFBOT_ALLOWED_USERS"),
    ("STAFFBOT_ADMIN_CHAT", "@admins", "STAFFBOT_ADMIN_CHAT: '@admins' is not a numeric chat id"),
    ("STAFFBOT_ADMIN_CHAT", "-1001,-1002", "STAFFBOT_ADMIN_CHAT: '-1001,-1002' is not a numeric"),
    ("STAFFBOT_WEBHOOK_PORT", "http", "STAFFBOT_WEBHOOK_PORT: 'http' is not a whole number"),
    ("STAFFBOT_WEBHOOK_PORT", "70000", "out of range"),
    ("STAFFBOT_MAX_UPLOAD_MB", "0", "STAFFBOT_MAX_UPLOAD_MB"),
    ("STAFFBOT_LOG_LEVEL", "chatty", "STAFFBOT_LOG_LEVEL"),
    ("STAFFBOT_WEBHOOK_SECRET", "has space", "STAFFBOT_WEBHOOK_SECRET"),
    ("STAFFBOT_WEBHOOK_URL", "example.com/hook", "STAFFBOT_WEBHOOK_URL"),
    ("TELEGRAM_BASE_URL", "ftp://x", "TELEGRAM_BASE_URL"),
    ("STAFFBOT_CHANNELS", "not a channel!", "STAFFBOT_CHANNELS"),
    ("STAFFBOT_SEARCH_PROCESS", "maybe", "STAFFBOT_SEARCH_PROCESS: 'maybe' is neither on nor off"),
])
def test_invalid_values_name_the_setting(name, value, message):
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(".", r"\.")):
        Settings.from_env({name: value}, None)


@pytest.mark.parametrize("value,expected", [("", True), ("on", True), ("Yes", True), ("1", True),
                                            ("off", False), ("false", False), ("0", False)])
def test_search_process_switch(value, expected):
    assert Settings.from_env({"STAFFBOT_SEARCH_PROCESS": value}, None).search_process is expected


def test_base_url_must_not_contain_the_token():
    with pytest.raises(SettingsError, match="leave the token out"):
        Settings.from_env({"TELEGRAM_BOT_TOKEN": TOKEN,
                           "TELEGRAM_BASE_URL": f"http://localhost/bot{TOKEN}"}, None)


def test_webhook_path_comes_from_the_url():
    s = Settings.from_env({"STAFFBOT_WEBHOOK_URL": "https://bot.example.org/tg/hook"}, None)
    assert s.webhook_path == "tg/hook"


def test_bad_dotenv_line_is_reported(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("JUST_A_WORD\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"\.env:1: expected NAME=value"):
        read_dotenv(env_file)


def test_env_example_lists_every_setting_with_its_default():
    example = read_dotenv(ROOT / ".env.example")
    assert {s.name: s.default for s in SETTINGS} == example


def test_readme_documents_every_setting():
    if not (ROOT / "README.md").exists():
        pytest.xfail("README.md is not written yet")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [s.name for s in SETTINGS if s.name not in readme]
    if missing:
        pytest.xfail(f"README does not document yet: {', '.join(missing)}")
