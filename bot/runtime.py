"""The bot process's logging and event loop: :func:`configure_logging`, :func:`use_uvloop`."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import Conflict, NetworkError, TelegramError

__all__ = ["configure_logging", "use_uvloop"]


class _NetworkTracebacks(logging.Filter):
    """PTB logs some network trouble with a traceback (a 502 page that is not JSON, a failed
    final getUpdates): keep it to one WARNING line, since it is retried or harmless."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.exc_info:
            err = record.exc_info[1]
            if isinstance(err, (NetworkError, Conflict)) or (
                    isinstance(err, TelegramError) and "server response" in str(err)):
                record.msg = f"{record.getMessage()[:200]} ({type(err).__name__}: {err})"
                record.args, record.exc_info, record.exc_text = None, None, None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
            elif record.getMessage().startswith("Can not load invalid JSON data"):
                record.msg = "Telegram answered with something that is not JSON (a proxy error page?)"
                record.args, record.exc_info, record.exc_text = None, None, None
                record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_NetworkTracebacks())
    # httpx logs every request URL at INFO, and the URL contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def use_uvloop() -> bool:
    """Run the event loop on uvloop when it is installed (a dependency on Linux and macOS): the
    bot is CPU-bound on one core under load, and uvloop answers 6–11 % more (bench/README.md)."""
    try:
        import uvloop
    except ImportError:
        return False
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    return True
