"""Who may ask: admins, allowed users, and members of staff chats (checked and cached).

No restriction configured (no allowed users, no staff chats) → everyone may ask. Otherwise a user
is staff when listed, an admin, or a member of any staff chat; the membership check is an
injected ``fetch(chat_id, user_id) -> status`` coroutine (the bot's getChatMember in production),
cached for ``ttl`` seconds. A failing check counts as "not a member" and is logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable

__all__ = ["Access", "counts_as_member", "MEMBER_STATUSES"]

log = logging.getLogger(__name__)

MEMBER_STATUSES = frozenset({"creator", "administrator", "member"})

# fetch(chat_id, user_id) → (status, is_member) as getChatMember reports them
Fetch = Callable[[int, int], Awaitable[tuple[str, bool | None]]]


def counts_as_member(status: str, is_member: bool | None = None) -> bool:
    """Whether a getChatMember status makes the user a member of that chat."""
    return status in MEMBER_STATUSES or (status == "restricted" and bool(is_member))


class Access:
    """The access policy; ``await access.is_staff(user_id)`` is the one question handlers ask."""

    def __init__(self, *, admins: Iterable[int] = (), allowed_users: Iterable[int] = (),
                 staff_chats: Iterable[int] = (), fetch: Fetch | None = None, ttl: float = 600,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000) -> None:
        self.admins = frozenset(admins)
        self.allowed_users = frozenset(allowed_users)
        self.staff_chats = frozenset(staff_chats)
        self.fetch = fetch
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}

    @property
    def restricted(self) -> bool:
        return bool(self.allowed_users or self.staff_chats)

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admins

    def is_trusted_chat(self, chat_id: int | None) -> bool:
        """A staff chat: anyone in it may ask there."""
        return chat_id is not None and chat_id in self.staff_chats

    async def is_staff(self, user_id: int | None) -> bool:
        if not self.restricted:
            return True
        if user_id is None:
            return False
        if user_id in self.admins or user_id in self.allowed_users:
            return True
        for chat_id in sorted(self.staff_chats):
            if await self._member(chat_id, user_id):
                return True
        return False

    async def may_ask(self, user_id: int | None, chat_id: int | None) -> bool:
        """Whether a question from ``user_id`` in ``chat_id`` gets an answer."""
        return self.is_trusted_chat(chat_id) or await self.is_staff(user_id)

    async def _member(self, chat_id: int, user_id: int) -> bool:
        key = (chat_id, user_id)
        now = self.clock()
        cached = self._cache.get(key)
        if cached and cached[0] > now:
            return cached[1]
        member, ttl = False, self.ttl
        if self.fetch is not None:
            try:
                status, is_member = await self.fetch(chat_id, user_id)
                member = counts_as_member(str(status), is_member)
            except Exception as err:  # noqa: BLE001 — any failure means "not a member"
                log.warning("getChatMember(%s, %s) failed, treating as not a member: %s",
                            chat_id, user_id, err)
                ttl = min(self.ttl, 30)  # retry a failed check soon
        if len(self._cache) >= self.max_entries:
            self._cache = {k: v for k, v in self._cache.items() if v[0] > now}
            if len(self._cache) >= self.max_entries:
                self._cache.clear()
        self._cache[key] = (now + ttl, member)
        return member
