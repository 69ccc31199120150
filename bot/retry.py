"""Retries and rate limits for every Bot API call but getUpdates.

:class:`RetryingRateLimiter` is PTB's ``AIORateLimiter`` (``STAFFBOT_RATE_LIMIT`` messages per
second overall, 20 a minute per group, a 429 waited out) that also retries a 5xx answer, a dropped
connection or a timeout with exponential backoff. Pass it to the bot as ``rate_limiter=``.

After a lost answer the request may in fact have gone through: a retried edit that Telegram calls
"not modified", or a retried callback/inline answer it calls "too old / invalid", counts as done
(:func:`_already_done`). A retried ``sendMessage`` whose first answer was lost after Telegram
processed it is sent twice (the Bot API has no idempotency key): delivery is at least once for that
case, exactly once for 429, 5xx and a connection lost before processing.
"""

from __future__ import annotations

import asyncio
import itertools
import logging

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

__all__ = ["RetryingRateLimiter"]

log = logging.getLogger(__name__)


def _already_done(endpoint: str, err: BadRequest) -> bool:
    """Whether a retry's 400 says the earlier attempt (whose answer was lost) went through."""
    message = err.message.lower()
    if endpoint.startswith("edit"):
        return "message is not modified" in message
    if endpoint in ("answerCallbackQuery", "answerInlineQuery"):
        return "query is too old" in message or "query id is invalid" in message
    return False


class RetryingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (throttles, waits out 429s) that also retries 5xx answers, dropped
    connections and timeouts with exponential backoff (see the module docstring)."""

    def __init__(self, *, network_retries: int = 5, first_delay: float = 0.5,
                 max_delay: float = 8.0, **kwargs) -> None:
        super().__init__(**kwargs)
        self.network_retries = network_retries
        self.first_delay = first_delay
        self.max_delay = max_delay

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        uncertain = False  # an earlier attempt may have been processed (its answer was lost)

        async def attempt(*a, **kw):
            nonlocal uncertain
            delay = self.first_delay
            for n in itertools.count(1):
                try:
                    return await callback(*a, **kw)
                except BadRequest as err:  # a subclass of NetworkError: never retried
                    if uncertain and _already_done(endpoint, err):
                        log.info("%s: the earlier attempt went through (%s)", endpoint, err.message)
                        return True
                    raise
                except NetworkError as err:  # 5xx, connection dropped, timed out
                    uncertain = True
                    if n > self.network_retries:
                        raise
                    log.warning("%s failed (%s); retry %d of %d in %.1f s", endpoint, err.message,
                                n, self.network_retries, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, self.max_delay)
            raise AssertionError("unreachable")

        return await super().process_request(attempt, args, kwargs, endpoint, data,
                                             rate_limit_args)
