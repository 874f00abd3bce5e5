"""In-process routes to the emulator: an httpx transport, and a respx mock of the AIML API.

``transport = emulator_transport(Emulator())`` gives an `httpx.MockTransport`
(sync and async) that answers like the loopback server, pacing and drops
included (a drop raises `httpx.RemoteProtocolError` mid-body, as a real one does).

``with mock_grok() as mock: ...`` patches httpx with respx so that any client
aimed at the AIML base URL talks to an in-process emulator, or to canned
responses (`mock_grok(responses=[completion_response("hi")])`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from .._constants import CHAT_COMPLETIONS_PATH, DEFAULT_BASE_URL
from ._contract import assert_valid_request
from ._deps import missing_extra
from ._emulator import Emulator, PlannedResponse

if TYPE_CHECKING:
    import respx

    from ._emulator import RecordedRequest


class PlannedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered part by part; records delivery, early close and drops."""

    def __init__(self, planned: PlannedResponse, request: httpx.Request) -> None:
        self.planned = planned
        self.request = request

    def _drop_error(self) -> httpx.RemoteProtocolError:
        self.planned.record.finish(dropped=True)
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (dropped by the emulator)",
            request=self.request,
        )

    def _limit(self) -> int:
        drop_after = self.planned.drop_after
        return len(self.planned.parts) if drop_after is None else min(drop_after, len(self.planned.parts))

    def __iter__(self) -> Iterator[bytes]:
        planned = self.planned
        if planned.delay:
            time.sleep(planned.delay)
        for index in range(self._limit()):
            if index and planned.part_delay:
                time.sleep(planned.part_delay)
            planned.record.parts_sent += 1
            yield planned.parts[index]
        if self._limit() < len(planned.parts):
            raise self._drop_error()
        planned.record.finish(completed=True)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        planned = self.planned
        if planned.delay:
            await asyncio.sleep(planned.delay)
        for index in range(self._limit()):
            if index and planned.part_delay:
                await asyncio.sleep(planned.part_delay)
            planned.record.parts_sent += 1
            yield planned.parts[index]
        if self._limit() < len(planned.parts):
            raise self._drop_error()
        planned.record.finish(completed=True)

    def close(self) -> None:
        record = self.planned.record
        if not record.wait_finished(0):
            record.finish(disconnected=True)

    async def aclose(self) -> None:
        self.close()


def planned_to_httpx(planned: PlannedResponse, request: httpx.Request) -> httpx.Response:
    """An httpx response that delivers a planned answer lazily."""
    return httpx.Response(planned.status, headers=planned.headers, stream=PlannedStream(planned, request))


def answer_request(emulator: Emulator, request: httpx.Request) -> httpx.Response:
    """Let `emulator` answer an httpx request (the request body must be readable)."""
    planned = emulator.handle(request.method, request.url.path, dict(request.headers), request.read())
    return planned_to_httpx(planned, request)


def emulator_transport(emulator: Emulator) -> httpx.MockTransport:
    """An httpx transport (for httpx.Client and httpx.AsyncClient) answered by `emulator` in process."""
    return httpx.MockTransport(lambda request: answer_request(emulator, request))


class GrokMock:
    """respx routes for the AIML API base URL, answered by an emulator or by canned responses.

    `emulator` answers (and records) every request unless `responses` are given:
    then each POST to the chat completions path gets the next canned response
    (running out is an AssertionError). `sent` keeps every request routed here
    (also after the `with` block); `assert_all_requests_valid()` checks every
    sent body against the spec.
    """

    def __init__(
        self,
        emulator: Emulator | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        responses: Sequence[httpx.Response] | None = None,
    ) -> None:
        try:
            import respx
        except ImportError as exc:
            raise missing_extra(exc) from exc

        self.emulator = emulator if emulator is not None else Emulator()
        self.base_url = base_url.rstrip("/")
        self.sent: list[httpx.Request] = []
        self._canned = list(responses) if responses is not None else None
        self.router: respx.MockRouter = respx.mock(assert_all_called=False, assert_all_mocked=True)
        if self._canned is not None:
            self.router.post(f"{self.base_url}{CHAT_COMPLETIONS_PATH}").mock(side_effect=self._next_canned)
        else:
            self.router.route(url__startswith=self.base_url).mock(side_effect=self._from_emulator)

    def _from_emulator(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return answer_request(self.emulator, request)

    def _next_canned(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        assert self._canned is not None
        if not self._canned:
            raise AssertionError(f"mock_grok: no canned response left for request {len(self.sent)} ({request.url})")
        return self._canned.pop(0)

    @property
    def requests(self) -> list[RecordedRequest]:
        """What the emulator received (empty when canned responses answer)."""
        return self.emulator.requests

    def sent_bodies(self) -> list[Any]:
        """The decoded JSON bodies of every request sent so far, in order."""
        return [json.loads(request.content) for request in self.sent if request.content]

    def assert_all_requests_valid(self) -> None:
        """Raise AssertionError (naming the field) when any sent body breaks the spec's request schema."""
        for body in self.sent_bodies():
            assert_valid_request(body)

    def __enter__(self) -> GrokMock:
        self.router.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.router.__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> GrokMock:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)


def mock_grok(
    emulator: Emulator | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    responses: Sequence[httpx.Response] | None = None,
) -> GrokMock:
    """Route clients aimed at `base_url` to an in-process emulator or to canned responses (see GrokMock)."""
    return GrokMock(emulator, base_url=base_url, responses=responses)
