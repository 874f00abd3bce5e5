"""The call path of create(stream=True): request, retries before the first byte, errors, cost via on_result."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import BudgetExceededError, RateLimitError, StreamError

from .conftest import error_response, sse_response

PATH = "/v1/chat/completions"


def chunk(content: str | None = None, *, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    delta = {} if content is None else {"content": content}
    return {
        "id": "chatcmpl-s1",
        "object": "chat.completion.chunk",
        "created": 1762343744,
        "model": "grok-4-1-fast-reasoning",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }


CHUNKS = [
    chunk("Hel"),
    chunk("lo"),
    chunk(finish="stop"),
    {**chunk(), "choices": [], "meta": {"usage": {"credits_used": 100, "usd_spent": 0.0005}}},
]


class BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A body that delivers some SSE bytes, then the connection breaks."""

    def __init__(self, first: bytes) -> None:
        self.first = first

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        raise httpx.ReadError("connection reset by peer")

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        raise httpx.ReadError("connection reset by peer")


async def test_stream_request_and_cost(api: Any, router: respx.MockRouter) -> None:
    """stream=True sends `stream: true` and Accept text/event-stream; the final chunk's cost reaches the totals."""
    route = router.post(PATH).mock(return_value=sse_response(CHUNKS))
    stream = await api.create(stream=True)
    chunks = await api.read_stream(stream)
    request = route.calls[0].request
    assert request.headers["accept"] == "text/event-stream"
    assert b'"stream":true' in request.content
    assert b"stream_options" not in request.content  # only sent when the caller gives it
    assert len(chunks) == 4
    assert stream.result.text == "Hello"
    assert stream.result.usd_spent == Decimal("0.0005")
    assert api.client.total_credits_used == 100
    assert api.client.total_usd_spent == Decimal("0.0005")


async def test_stream_options_sent_when_given(api: Any, router: respx.MockRouter) -> None:
    """stream_options given by the caller is sent as given."""
    route = router.post(PATH).mock(return_value=sse_response(CHUNKS))
    stream = await api.create(stream=True, stream_options={"include_usage": True})
    await api.read_stream(stream)
    assert b'"stream_options":{"include_usage":true}' in route.calls[0].request.content


async def test_error_status_before_the_body_is_retried(api: Any, router: respx.MockRouter) -> None:
    """A 503 answer to a stream request is retried (no data was delivered); info.retries counts it."""
    route = router.post(PATH).mock(side_effect=[error_response(503), sse_response(CHUNKS)])
    stream = await api.create(stream=True)
    await api.read_stream(stream)
    assert route.call_count == 2
    assert stream.info.retries == 1
    assert stream.result.text == "Hello"


async def test_error_status_raises_mapped_error_with_body(make_api: Any, router: respx.MockRouter) -> None:
    """A 429 answer to a stream request raises RateLimitError with the parsed error body."""
    api = make_api(max_retries=0)
    router.post(PATH).mock(return_value=error_response(429, "too many streams", status_field="429"))
    with pytest.raises(RateLimitError) as caught:
        await api.create(stream=True)
    assert caught.value.error_message == "too many streams"
    assert caught.value.error_status_code == 429


async def test_stream_broken_mid_way_is_not_retried(api: Any, router: respx.MockRouter) -> None:
    """A stream that breaks after delivering data raises StreamError with the partial text; one attempt only."""
    first = f"data: {json.dumps(chunk('Par'))}\n\n".encode()
    broken = httpx.Response(200, headers={"content-type": "text/event-stream"}, stream=BrokenBody(first))
    route = router.post(PATH).mock(return_value=broken)
    stream = await api.create(stream=True)
    with pytest.raises(StreamError) as caught:
        await api.read_stream(stream)
    assert route.call_count == 1
    assert caught.value.partial_text == "Par"


async def test_raw_stream_is_read_to_the_end(api: Any, router: respx.MockRouter) -> None:
    """with_raw_response.create(stream=True) returns the response with the whole event stream read."""
    router.post(PATH).mock(return_value=sse_response(CHUNKS))
    response = await api.raw(stream=True)
    assert response.text.endswith("data: [DONE]\n\n")


async def test_stream_cost_counts_against_the_budget(make_api: Any, router: respx.MockRouter) -> None:
    """Once streamed costs reach the budget, the next call is refused before sending."""
    api = make_api(budget_usd="0.0005")
    route = router.post(PATH).mock(return_value=sse_response(CHUNKS))
    await api.read_stream(await api.create(stream=True))
    with pytest.raises(BudgetExceededError):
        await api.create(stream=True)
    assert route.call_count == 1
