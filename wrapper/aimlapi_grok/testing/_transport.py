"""The emulator as an httpx transport: answers in process, pacing and drops included.

``transport = emulator_transport(Emulator())`` gives an `httpx.MockTransport`
(sync and async) that answers like the loopback server (a drop raises
`httpx.RemoteProtocolError` mid-body, as a real one does).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator

import httpx

from ._planned import PlannedResponse, Responder

__all__ = ["PlannedStream", "answer_request", "emulator_transport", "planned_to_httpx"]


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


def answer_request(emulator: Responder, request: httpx.Request) -> httpx.Response:
    """Let `emulator` answer an httpx request (the request body must be readable)."""
    planned = emulator.handle(request.method, request.url.path, dict(request.headers), request.read())
    return planned_to_httpx(planned, request)


def emulator_transport(emulator: Responder) -> httpx.MockTransport:
    """An httpx transport (for httpx.Client and httpx.AsyncClient) answered by `emulator` in process."""
    return httpx.MockTransport(lambda request: answer_request(emulator, request))
