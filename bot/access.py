"""Who may ask, and who may read what: admins, allowed users, members of staff chats, and the
audiences of ``STAFFBOT_AUDIENCES`` (checked and cached).

No restriction configured (no allowed users, no staff chats) → everyone may ask. Otherwise a user
is staff when listed, an admin, or a member of any staff chat; the membership check is an
injected ``fetch(chat_id, user_id) -> status`` coroutine (the bot's getChatMember in production),
cached for ``ttl`` seconds. A failing check counts as "not a member" and is logged.

Audiences (who may read a restricted document; :mod:`knowledge` knows only their names):

* a person: :meth:`Access.audiences_of` — the audiences whose user list names them or whose
  chats they are a member of; an admin (``STAFFBOT_ADMINS``) is trusted with every document
  (``None``: no restriction), as they upload and manage them;
* a group or channel: :meth:`Access.chat_audiences` — only what every member of the chat may
  see: the audiences that list this chat (its members are theirs by definition), and 全员;
* a ``chat_member`` update (someone left a chat) drops the cached entry at once
  (:meth:`Access.forget`), so a person who leaves the finance chat loses 财务处 immediately.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .settings import AudienceSetting

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
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000,
                 audiences: Sequence[AudienceSetting] = ()) -> None:
        self.admins = frozenset(admins)
        self.allowed_users = frozenset(allowed_users)
        self.staff_chats = frozenset(staff_chats)
        self.fetch = fetch
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}
        self.audiences = tuple(audiences)
        # 全员=CHATS only says whose posts are for all staff: no one needs to be checked for it
        self.audience_names = tuple(a.name for a in self.audiences if a.name != "全员")

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

    # -- audiences ---------------------------------------------------------------------------------
    async def audiences_of(self, user_id: int | None) -> frozenset[str] | None:
        """The audiences ``user_id`` belongs to (listed, or a member of one of their chats);
        None for an admin (every document); empty for nobody in particular (全员 only)."""
        if user_id is not None and user_id in self.admins:
            return None
        if user_id is None:
            return frozenset()
        names = set()
        for audience in self.audiences:
            if audience.name not in self.audience_names:
                continue
            if user_id in audience.users:
                names.add(audience.name)
                continue
            for chat_id in sorted(audience.chats):
                if await self._member(chat_id, user_id):
                    names.add(audience.name)
                    break
        return frozenset(names)

    def chat_audiences(self, chat_id: int | None) -> frozenset[str]:
        """What every member of a group or channel may read: the audiences that list the chat
        (besides 全员, which needs no name)."""
        return frozenset(a.name for a in self.audiences if chat_id in a.chats)

    async def reader_audiences(self, user_id: int | None, chat_id: int | None,
                               private: bool) -> frozenset[str] | None:
        """The audiences an answer shown in ``chat_id`` may draw on: the person's own in a
        private chat, the chat's (what all its members may read) anywhere else."""
        if private:
            return await self.audiences_of(user_id)
        return self.chat_audiences(chat_id)

    def forget(self, chat_id: int, user_id: int) -> None:
        """A membership changed (a ``chat_member`` update): check it again on the next use."""
        self._cache.pop((chat_id, user_id), None)

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
