"""Docs as tests: README.md, .env.example, /help and .ci/run agree with the code."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest

from bot import app
from bot.cli import VERBS, build_parser
from bot.render import render_help
from bot.settings import SETTINGS
from knowledge.evaluate import EvalResult
from knowledge.model import Citation, Hit

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")


def subparsers() -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def registered_commands() -> list[str]:
    names = [*app.PRIVATE_COMMANDS, *app.GROUP_COMMANDS, *app.ADMIN_COMMANDS]
    return list(dict.fromkeys(names))


def help_text(lang: str) -> str:
    return "\n".join(reply.text for reply in render_help(lang, is_admin=True, bot_username="bot"))


def bash_blocks(text: str) -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, re.DOTALL)]


def verb_rows() -> dict[str, str]:
    """README's command table: verb → its usage cell."""
    rows = re.findall(r"^\| `staffbot (\w+)([^`]*)` \|", README, re.MULTILINE)
    return {verb: usage for verb, usage in rows}


# -- CLI verbs -------------------------------------------------------------------------------------

def test_the_parser_offers_exactly_the_verbs() -> None:
    assert set(subparsers()) == set(VERBS)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_verb_is_in_the_readme_table(verb: str) -> None:
    assert verb in verb_rows(), f"README.md has no row for `staffbot {verb}`"


def test_the_readme_table_has_no_verb_the_cli_lacks() -> None:
    assert set(verb_rows()) <= set(VERBS)


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_every_option_the_readme_shows_exists(verb: str) -> None:
    usage = verb_rows().get(verb, "")
    shown = set(re.findall(r"(?<![\w-])(--?[a-z][\w-]*)", usage))
    accepted = {o for a in subparsers()[verb]._actions for o in a.option_strings}
    assert shown <= accepted, f"README shows {shown - accepted} for `staffbot {verb}`"


def test_global_db_option_is_documented_and_exists() -> None:
    assert "`--db PATH`" in README
    assert "--db" in build_parser()._option_string_actions


def test_readme_json_keys_match_the_code() -> None:
    hit = Hit(1, 2, Citation("doc", ("section",), 3, "file.txt"), "excerpt", ((0, 1),), 1.0)
    ask_row = next(line for line in README.splitlines() if line.startswith("| `staffbot ask"))
    for key in hit.to_json():
        if key not in ("doc_id", "paragraph_id"):  # internal ids, not documented
            assert f"`{key}`" in ask_row
    result = EvalResult(1, 1.0, 1.0, 1.0, 1.0, None, 1.0, 1.0, {}, 0.0)
    eval_row = next(line for line in README.splitlines() if line.startswith("| `staffbot eval"))
    for key in ("questions", "r@1", "r@3", "r@5", "mrr@10", "answer_in_excerpt@1", "mean_ms",
                "p95_ms"):
        assert key in result.to_json()
        assert f"`{key}`" in eval_row


# -- settings --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_every_setting_is_in_the_readme_and_env_example(name: str) -> None:
    assert re.search(rf"^\| `{name}` \|", README, re.MULTILINE), f"{name} not in README table"
    assert re.search(rf"^{name}=", ENV_EXAMPLE, re.MULTILINE), f"{name} not in .env.example"


def test_env_example_and_readme_list_no_unknown_setting() -> None:
    known = {s.name for s in SETTINGS}
    assert set(re.findall(r"^([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.MULTILINE)) == known
    assert set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", README, re.MULTILINE)) == known


def test_env_example_defaults_match_the_settings() -> None:
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", ENV_EXAMPLE, re.MULTILINE))
    assert values == {s.name: s.default for s in SETTINGS}


# -- bot commands ----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", registered_commands())
def test_every_registered_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"`/{command}\b", README), f"/{command} not in README.md"


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("command", registered_commands())
def test_every_registered_command_is_in_the_help_text(command: str, lang: str) -> None:
    assert re.search(rf"/{command}\b", help_text(lang)), f"/{command} not in the {lang} /help"


def test_readme_commands_line_lists_exactly_the_registered_commands() -> None:
    line = next(line for line in README.splitlines() if line.startswith("Commands: "))
    assert set(re.findall(r"`/(\w+)`", line)) == set(registered_commands())


def test_help_mentions_no_unregistered_command() -> None:
    for lang in ("zh", "en"):
        assert set(re.findall(r"(?<![\w<])/(\w+)", help_text(lang))) <= set(registered_commands())


# -- install, run, test, CI ------------------------------------------------------------------------

def test_readme_first_two_bash_blocks_are_install_and_run_then_install_and_test() -> None:
    run, test = bash_blocks(README)[:2]
    # with matching by meaning: what staff get at its best (words only: pip install -e .)
    assert run.startswith('python3 -m venv .venv && .venv/bin/pip install -e ".[meaning]" && ')
    assert re.search(r"&& \.venv/bin/staffbot ask \S", run)
    # the OCR and meaning extras too, so that the scan and model tests run (without them they
    # skip and the rest passes)
    assert test == ('python3 -m venv .venv && .venv/bin/pip install -e ".[test,ocr,meaning]" && '
                    '.venv/bin/python -m pytest -q')


def test_ci_runs_the_readme_test_command() -> None:
    test_command = bash_blocks(README)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in ci.splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    assert ci.startswith("#!/usr/bin/env bash\n") and "set -euo pipefail" in commands
    assert test_command in commands
    assert commands[-1] == test_command  # the last thing CI does, so its exit code is CI's


def test_readme_commands_name_what_pyproject_provides() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"]["staffbot"] == "bot.cli:main"
    assert "test" in project["optional-dependencies"] and "ocr" in project["optional-dependencies"]
    test_extra = " ".join(project["optional-dependencies"]["test"])
    for needed in ("pytest", "reportlab"):  # what the test suite imports beyond the runtime deps
        assert needed in test_extra
    assert any(dep.startswith("python-docx") for dep in project["dependencies"])
