"""A call's total deadline, besides httpx's per-read timeouts: dripping servers and SSE comments cannot hold it."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import APITimeoutError, InternalServerError, StreamError

from .conftest import USER_HI, completion_body, completion_response, error_response
from .test_validation import PATH

DRIP_INTERVAL = 0.005  # seconds between pieces: every single read is fast


class DripStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body sent one small piece at a time (sync and async), counting what it served."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces
        self.served = 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            time.sleep(DRIP_INTERVAL)
            self.served += 1
            yield piece

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            await asyncio.sleep(DRIP_INTERVAL)
            self.served += 1
            yield piece


def drip_api(make_api: Any, client_kind: str, stream: DripStream, content_type: str, **options: Any) -> Any:
    """A client whose transport answers every request with `stream` (one piece per read)."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": content_type}, stream=stream)

    transport = httpx.MockTransport(handler)
    http_client = httpx.Client(transport=transport) if client_kind == "sync" else httpx.AsyncClient(transport=transport)
    return make_api(http_client=http_client, **options)


async def test_a_dripping_json_answer_stops_at_the_deadline(make_api: Any, client_kind: str) -> None:
    """One byte per read never trips a read timeout, but the call's deadline ends it with APITimeoutError."""
    body = json.dumps(completion_body()).encode()
    stream = DripStream([body[i : i + 1] for i in range(len(body))])
    api = drip_api(make_api, client_kind, stream, "application/json", max_retries=0)
    with pytest.raises(APITimeoutError, match=r"deadline of 0\.2 s"):
        await api.create(deadline=0.2)
    assert stream.served < len(stream.pieces)


async def test_sse_comments_cannot_keep_a_stream_alive(make_api: Any, client_kind: str) -> None:
    """A stream of keep-alive comments (no events) ends at the deadline: StreamError caused by a timeout."""
    first = b'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[]}\n\n'
    stream = DripStream([first] + [b": keep-alive\n\n"] * 1000)
    api = drip_api(make_api, client_kind, stream, "text/event-stream", deadline=0.2)
    opened = await api.create(stream=True)
    with pytest.raises(StreamError, match="timed out") as caught:
        await api.read_stream(opened)
    assert isinstance(caught.value.__cause__, httpx.ReadTimeout)
    assert stream.served < len(stream.pieces)


async def test_each_attempt_waits_at_most_the_time_left(make_api: Any, router: respx.MockRouter) -> None:
    """httpx's connect/read/write/pool timeouts are capped at the time left before the deadline."""
    route = router.post(PATH).mock(return_value=completion_response())
    api = make_api(timeout=600.0)
    await api.create(deadline=5.0)
    await api.create()
    capped, uncapped = (call.request.extensions["timeout"] for call in route.calls)
    assert all(0 < seconds <= 5.0 for seconds in capped.values())
    assert uncapped == httpx.Timeout(600.0).as_dict()


async def test_no_retry_is_made_whose_wait_ends_past_the_deadline(make_api: Any, router: respx.MockRouter) -> None:
    """A 503 asking for a 30 s wait is raised at once (retries=0) when the deadline is 2 s away."""
    route = router.post(PATH).mock(return_value=error_response(503, **{"retry-after": "30"}))
    api = make_api(max_retries=2, deadline=2.0)
    with pytest.raises(InternalServerError) as caught:
        await api.create()
    assert caught.value.retries == 0
    assert route.call_count == 1


async def test_a_deadline_leaves_normal_calls_alone(make_api: Any, router: respx.MockRouter) -> None:
    """A call that finishes well within its deadline returns its answer as usual."""
    router.post(PATH).mock(return_value=completion_response())
    api = make_api(deadline=30.0)
    assert (await api.create(messages=USER_HI)).text == "Hello! How can I help?"
