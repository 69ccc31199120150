"""Webhook mode: Telegram's request for an update is answered once the update is processed.

PTB's webhook handler answers Telegram when ``update_queue.put`` returns; with a plain queue that
is as soon as the update is queued, so a process killed with updates in its queue lost them
(Telegram had its 200 and never sends them again). Pass a :class:`WebhookQueue` to
``ApplicationBuilder().update_queue(...)`` and call :meth:`WebhookQueue.processed` when an update
is done (the update processor does, see :mod:`bot.app`).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

__all__ = ["WEBHOOK_ACK_SECONDS", "WebhookQueue"]

log = logging.getLogger(__name__)

WEBHOOK_ACK_SECONDS = 45.0


class WebhookQueue(asyncio.Queue):
    """The update queue in webhook mode: ``put`` returns once the update has been processed.

    A killed process gets its unanswered requests re-delivered, as polling does. Telegram sends
    updates on several connections at once (``max_connections``), so updates still run
    concurrently. An update that takes longer than :data:`WEBHOOK_ACK_SECONDS` (a large upload)
    is acknowledged then and goes on, so that Telegram does not time out and send it again while
    it runs.
    """

    def __init__(self, ack_after: float = WEBHOOK_ACK_SECONDS) -> None:
        super().__init__()
        self.ack_after = ack_after
        self._waiting: dict[int, asyncio.Future] = {}

    async def put(self, item: object) -> None:
        if not isinstance(item, Update):  # PTB's own sentinels (stop)
            await super().put(item)
            return
        done = self._waiting.get(item.update_id)
        if done is None:  # (a re-delivery of an update still running waits for that run)
            done = self._waiting[item.update_id] = asyncio.get_running_loop().create_future()
            await super().put(item)
        try:
            await asyncio.wait_for(asyncio.shield(done), self.ack_after)
        except asyncio.TimeoutError:
            log.info("update %s still running after %.0f s: acknowledged to Telegram",
                     item.update_id, self.ack_after)

    def processed(self, update_id: int) -> None:
        done = self._waiting.pop(update_id, None)
        if done is not None and not done.done():
            done.set_result(None)
