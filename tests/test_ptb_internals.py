"""python-telegram-bot under bot/: fails loudly when an installed PTB no longer has what
bot/ptb_internals.py (and the seams around it) rely on — the signatures called or overridden,
and the PTB code paths whose behaviour the overrides assume. On failure: read the new PTB's code
for the named method, adapt bot/ptb_internals.py, then widen the pin in pyproject.toml."""

from __future__ import annotations

import inspect
import re
import tomllib
from importlib.metadata import version
from pathlib import Path

import telegram
from telegram import Bot
from telegram.ext import Application, BaseUpdateProcessor, ContextTypes, ExtBot, Updater
from telegram.ext._utils.webhookhandler import TelegramHandler
from telegram.request import BaseRequest

from bot import ptb_internals
from bot.context import CONTEXT_TYPES, BotState, StaffContext
from bot.polling import PollingRequest
from bot.transport import DefaultValue

ROOT = Path(__file__).resolve().parent.parent


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def test_the_installed_ptb_is_in_the_pinned_range_and_the_pin_matches_the_module():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pin = next(d for d in pyproject["project"]["dependencies"]
               if d.startswith("python-telegram-bot"))
    low, high = ptb_internals.PTB_RANGE
    assert pin.endswith(f"{low},{high}"), (pin, ptb_internals.PTB_RANGE)
    installed = _release(version("python-telegram-bot"))
    assert _release(low) <= installed < _release(high), (installed, ptb_internals.PTB_RANGE)
    assert _release(telegram.__version__) == installed
    assert _release(low) <= _release(ptb_internals.PTB_WRITTEN_AGAINST) < _release(high)


def _params(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_get_updates_still_takes_what_polling_bot_passes_and_the_updater_still_calls_it():
    # PollingBot.get_updates overrides it and calls it with these keywords
    assert _params(ExtBot.get_updates)[:5] == ["self", "offset", "limit", "timeout",
                                               "allowed_updates"]
    assert ptb_internals.PollingBot.get_updates is not ExtBot.get_updates
    # the Updater confirms a batch only through the offset it passes to bot.get_updates
    source = inspect.getsource(Updater._start_polling)
    assert re.search(r"self\.bot\.get_updates\(\s*offset=self\._last_update_id", source), source
    assert "self._last_update_id = updates[-1].update_id + 1" in source


def test_every_update_goes_through_the_update_processor():
    # bot.ordering.PerChatUpdateProcessor orders updates and reports them finished from there
    source = inspect.getsource(Application)
    assert "await self._update_processor.process_update(update, self.process_update(update))" \
        in source
    assert "if self._update_processor.max_concurrent_updates > 1:" in source
    assert {"do_process_update", "initialize", "shutdown"} <= BaseUpdateProcessor.__abstractmethods__
    assert _params(BaseUpdateProcessor.do_process_update) == ["self", "update", "coroutine"]


def test_the_webhook_handler_answers_after_update_queue_put_returns():
    # bot.webhook.WebhookQueue.put returns only once the update has been processed
    source = inspect.getsource(TelegramHandler.post)
    put = source.index("await self.update_queue.put(update)")
    # (tornado sends the answer when post() returns, unless it is finished or flushed earlier)
    assert not re.search(r"self\.(finish|flush|write)\(", source[:put]), source


def test_the_public_seams_keep_their_signatures():
    # bot.api
    assert _params(Bot.do_api_request)[:4] == ["self", "endpoint", "api_kwargs", "return_type"]
    assert "rate_limit_args" in _params(ExtBot.do_api_request)
    # bot.polling.PollingRequest, bot.transport.AiohttpRequest
    assert "self.parse_json_payload(" in inspect.getsource(BaseRequest.post)
    assert PollingRequest.parse_json_payload is not BaseRequest.parse_json_payload
    assert _params(BaseRequest.do_request) == ["self", "url", "method", "request_data",
                                               "read_timeout", "write_timeout",
                                               "connect_timeout", "pool_timeout"]
    assert isinstance(BaseRequest.DEFAULT_NONE, DefaultValue)
    # bot.context
    assert CONTEXT_TYPES.context is StaffContext and CONTEXT_TYPES.bot_data is BotState
    assert {"context", "bot_data"} <= set(_params(ContextTypes.__init__))
