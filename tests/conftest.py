"""Shared test plumbing: expose each test's outcome to fixtures (the e2e tests print the bot's
log when a test fails)."""

from __future__ import annotations

import os

import pytest

# Words only, unless a test asks for meaning (tests/test_meaning.py): bots and commands the tests
# start inherit this, so their rankings are the same whether or not the meaning extra is installed.
os.environ.setdefault("STAFFBOT_MEANING", "off")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
