"""A python-telegram-bot ``BaseRequest`` on aiohttp: the same requests, a cheaper HTTP client.

python-telegram-bot's default transport, ``HTTPXRequest``, spends more CPU per request than the
rest of an echo bot together: httpcore walks every pooled connection and polls its socket before
each request, and form-encodes every parameter. On a busy bot (many chats at once, so many pooled
connections) that was ~30 % of staffbot's CPU. This class sends the same Bot API calls through
aiohttp's connection pool (C HTTP parser, no per-request socket polling) with a JSON body (which
the Bot API accepts for every method but file uploads; those go as multipart/form-data).

Errors map onto python-telegram-bot's as ``HTTPXRequest`` maps them: timeouts → ``TimedOut``,
connection and protocol errors → ``NetworkError``, so retries and the rate limiter behave the same.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest"]

_JSON = {"Content-Type": "application/json"}
# PTB's "argument not passed" marker class (public as the type of BaseRequest.DEFAULT_NONE)
DefaultValue = type(BaseRequest.DEFAULT_NONE)


class AiohttpRequest(BaseRequest):
    """Bot API requests over one ``aiohttp.ClientSession`` (created in :meth:`initialize`).

    Timeouts mean what they mean for ``HTTPXRequest``: ``connect_timeout`` + ``pool_timeout`` to
    get a connection, ``read_timeout`` between bytes of the answer, ``write_timeout`` for the whole
    request when it carries files (``media_write_timeout``).
    """

    __slots__ = ("_connect_timeout", "_media_write_timeout", "_pool_size", "_pool_timeout",
                 "_read_timeout", "_session", "_write_timeout")

    def __init__(self, connection_pool_size: int = 1, *, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0, media_write_timeout: float | None = 20.0) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size, ttl_dns_cache=300),
                headers={"User-Agent": self.USER_AGENT}, skip_auto_headers=("Accept-Encoding",))

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout=BaseRequest.DEFAULT_NONE,
                         write_timeout=BaseRequest.DEFAULT_NONE,
                         connect_timeout=BaseRequest.DEFAULT_NONE,
                         pool_timeout=BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        read = self._read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect_timeout if isinstance(connect_timeout, DefaultValue) \
            else connect_timeout
        pool = self._pool_timeout if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = (self._media_write_timeout if files else self._write_timeout) \
            if isinstance(write_timeout, DefaultValue) else write_timeout
        timeout = aiohttp.ClientTimeout(
            total=None if read is None or write is None else read + write + (connect or 0)
            + (pool or 0),
            connect=None if connect is None and pool is None else (connect or 0) + (pool or 0),
            sock_read=read)
        kwargs: dict = {}
        if files:
            form = aiohttp.FormData(quote_fields=False)
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime_type) in files.items():
                form.add_field(name, content, filename=filename, content_type=mime_type)
            kwargs["data"] = form
        elif request_data is not None and (parameters := request_data.parameters):
            # The values themselves (ints, objects), not PTB's JSON-encoded strings of them.
            kwargs["data"] = json.dumps(parameters, ensure_ascii=False).encode()
            kwargs["headers"] = _JSON
        try:
            async with session.request(method, url, timeout=timeout, **kwargs) as response:
                return response.status, await response.read()
        except asyncio.TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
