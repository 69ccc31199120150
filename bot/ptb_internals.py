"""Every place staffbot relies on python-telegram-bot beyond its documented seams — in one module.

Written against python-telegram-bot 22.8 (pinned in pyproject.toml to :data:`PTB_RANGE`);
``tests/test_ptb_internals.py`` fails loudly when an installed PTB no longer has what is relied on
here. Everything else uses PTB's seams: ``BaseRequest`` (bot.transport, bot.polling's
``parse_json_payload``), ``BaseUpdateProcessor`` (bot.ordering: also how a finished update is
noticed), ``BaseRateLimiter`` (bot.retry), ``ContextTypes`` (bot.context), ``Bot.do_api_request``
(bot.api), ``ApplicationBuilder.update_queue`` and ``post_init``/``post_stop``/``post_shutdown``.

What is left, and why:

* :class:`PollingBot` overrides ``ExtBot.get_updates`` (PTB 22.8): PTB's ``Updater`` confirms a
  batch by passing ``offset=<last fetched id + 1>`` to ``bot.get_updates`` as soon as it has queued
  it (``Updater._start_polling``), and offers no hook to hold it back; the override sends an
  offset no further than the lowest unfinished update (:func:`bot.polling.get_updates`). It relies
  on the Updater calling ``self.bot.get_updates(offset=..., timeout=..., allowed_updates=...)``.
* :class:`bot.webhook.WebhookQueue` relies on PTB's webhook handler (``TelegramHandler.post``)
  answering Telegram only once ``await update_queue.put(update)`` returns.
* :class:`bot.ordering.PerChatUpdateProcessor` relies on ``Application`` wrapping every update as
  ``update_processor.process_update(update, self.process_update(update))``, creating one task per
  update in arrival order when ``max_concurrent_updates > 1``.
"""

from __future__ import annotations

from telegram.ext import ExtBot

from .polling import UpdateTracker, confirm_processed, get_updates

__all__ = ["PTB_RANGE", "PTB_WRITTEN_AGAINST", "PollingBot"]

PTB_WRITTEN_AGAINST = "22.8"
PTB_RANGE = (">=22.8", "<22.9")  # as pinned in pyproject.toml


class PollingBot(ExtBot):
    """ExtBot whose getUpdates confirms only processed updates (PTB 22.8, see module docstring)."""

    def __init__(self, *args, tracker: UpdateTracker, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._tracker = tracker  # (PTB objects are frozen after __init__, except "_" names)

    @property
    def tracker(self) -> UpdateTracker:
        return self._tracker

    async def get_updates(self, offset=None, limit=None, timeout=None, allowed_updates=None,
                          **kwargs):
        return await get_updates(self.tracker, super().get_updates, offset=offset, limit=limit,
                                 timeout=timeout, allowed_updates=allowed_updates, **kwargs)

    async def confirm_processed(self) -> None:
        """Confirm every update processed so far (at shutdown, once PTB drained its queue)."""
        await confirm_processed(self.tracker, super().get_updates)
