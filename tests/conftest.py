"""Shared test plumbing: expose each test's outcome to fixtures (the e2e tests print the bot's
log when a test fails)."""

from __future__ import annotations

import pytest


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
