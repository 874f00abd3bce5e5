"""A call's total deadline, on top of httpx's per-operation timeouts.

`timeout` (httpx semantics) limits each connect, each write, each wait for the
pool and each read *separately*: a server that sends one byte every 100 ms
never trips a 1 s read timeout, and SSE comments keep a stream alive forever.
`deadline` limits the whole call, in wall-clock seconds from `create()`:
sending, every retry and its wait, reading the answer, and, for a stream,
every event until the end (also the time the caller spends between events).

How it is enforced: each attempt's httpx timeouts are capped at the time left
(so a silent server cannot hold the call past it), a retry whose wait would
end past it is not made, and the answer's byte stream is wrapped so that
bytes arriving after it raise httpx.ReadTimeout (APITimeoutError for a JSON
answer, StreamError caused by it for a stream).
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator

import httpx


class Deadline:
    """The moment a call must be over by (time.monotonic() clock)."""

    __slots__ = ("at", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.at - time.monotonic()

    def expired_error(self, request: httpx.Request) -> httpx.ReadTimeout:
        return httpx.ReadTimeout(f"the call's deadline of {self.seconds:g} s has passed", request=request)

    def capped_timeout(self, timeout: float | httpx.Timeout | None, request: httpx.Request) -> dict[str, float]:
        """httpx's per-operation timeouts, none longer than the time left; ReadTimeout if none is left."""
        left = self.remaining()
        if left <= 0:
            raise self.expired_error(request)
        parts = httpx.Timeout(timeout).as_dict()
        return {name: left if value is None else min(value, left) for name, value in parts.items()}

    def guard(self, response: httpx.Response) -> None:
        """Make reading `response` raise httpx.ReadTimeout once the deadline has passed."""
        response.stream = _DeadlineStream(response.stream, self, response.request)


class _DeadlineStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response byte stream that stops with ReadTimeout at the deadline, whatever trickles in."""

    def __init__(self, inner: httpx.SyncByteStream | httpx.AsyncByteStream, deadline: Deadline, request: httpx.Request):
        self._inner = inner
        self._deadline = deadline
        self._request = request

    def _check(self) -> None:
        if self._deadline.remaining() <= 0:
            raise self._deadline.expired_error(self._request)

    def __iter__(self) -> Iterator[bytes]:
        assert isinstance(self._inner, httpx.SyncByteStream)
        for chunk in self._inner:
            self._check()
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        assert isinstance(self._inner, httpx.AsyncByteStream)
        async for chunk in self._inner:
            self._check()
            yield chunk

    def close(self) -> None:
        if isinstance(self._inner, httpx.SyncByteStream):
            self._inner.close()

    async def aclose(self) -> None:
        if isinstance(self._inner, httpx.AsyncByteStream):
            await self._inner.aclose()
