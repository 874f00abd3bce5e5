"""Stream and AsyncStream over httpx (MockTransport with streamed bodies), each test run sync and async."""

from __future__ import annotations

import asyncio
import json
import warnings
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aimlapi_grok import AsyncStream, ResponseValidationError, Stream, StreamError, StreamResult
from aimlapi_grok.types import ResponseInfo
from aimlapi_grok_api.models import ChatCompletionChunk

URL = "https://api.aimlapi.com/v1/chat/completions"
SSE = {"content-type": "text/event-stream; charset=utf-8", "x-inference-id": "inf-42"}


def chunk(content: str | None = None, *, finish: str | None = None, **delta: Any) -> dict[str, Any]:
    """A spec-conforming chunk with one choice."""
    if content is not None:
        delta["content"] = content
    return {
        "id": "chatcmpl-io",
        "object": "chat.completion.chunk",
        "created": 1762343744,
        "model": "grok-4-1-fast-reasoning",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


USAGE_AND_COST = {
    **chunk(),
    "choices": [],
    "usage": {"prompt_tokens": 5, "completion_tokens": 9, "total_tokens": 14},
    "meta": {"usage": {"credits_used": 310, "usd_spent": 0.000155}},
}


def sse(*events: Any) -> bytes:
    """SSE bytes: each event as a `data:` line (dicts JSON-encoded without ASCII escapes) and a blank line."""
    lines = [f"data: {e if isinstance(e, str) else json.dumps(e, ensure_ascii=False)}\n\n" for e in events]
    return "".join(lines).encode()


class Body(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A streamed body delivered in pieces, that may break after them, and records whether it was closed."""

    def __init__(self, *pieces: bytes, then_raise: Exception | None = None) -> None:
        self.pieces = pieces
        self.then_raise = then_raise
        self.sent = 0
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.sent += 1
            yield piece
        if self.then_raise is not None:
            raise self.then_raise

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            self.sent += 1
            yield piece
        if self.then_raise is not None:
            raise self.then_raise

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


class Harness:
    """Opens a stream over a given body with either client kind; its methods await for both."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.results: list[StreamResult] = []
        self.clients: list[httpx.Client | httpx.AsyncClient] = []

    async def open(self, body: Body, headers: dict[str, str] | None = None) -> Stream | AsyncStream:
        def handler(request: httpx.Request) -> httpx.Response:
            return httpx.Response(200, headers=SSE if headers is None else headers, stream=body)

        transport = httpx.MockTransport(handler)
        if self.kind == "sync":
            client = httpx.Client(transport=transport)
            self.clients.append(client)
            response = client.send(client.build_request("POST", URL), stream=True)
            return Stream(response, info=ResponseInfo.from_response(response), on_result=self.results.append)
        async_client = httpx.AsyncClient(transport=transport)
        self.clients.append(async_client)
        response = await async_client.send(async_client.build_request("POST", URL), stream=True)
        return AsyncStream(response, info=ResponseInfo.from_response(response), on_result=self.results.append)

    async def chunks(self, stream: Stream | AsyncStream) -> list[ChatCompletionChunk]:
        if isinstance(stream, Stream):
            with stream:
                return list(stream)
        async with stream:
            return [item async for item in stream]

    async def texts(self, stream: Stream | AsyncStream) -> list[str]:
        if isinstance(stream, Stream):
            with stream:
                return list(stream.iter_text())
        async with stream:
            return [text async for text in stream.iter_text()]

    async def first_then_break(self, stream: Stream | AsyncStream) -> ChatCompletionChunk:
        """Leave the loop (and the `with` block) after the first chunk."""
        if isinstance(stream, Stream):
            with stream:
                for item in stream:
                    return item
        else:
            async with stream:
                async for item in stream:
                    return item
        raise AssertionError("no chunk arrived")

    async def final(self, stream: Stream | AsyncStream) -> StreamResult:
        if isinstance(stream, Stream):
            return stream.get_final_result()
        return await stream.get_final_result()

    async def close(self, stream: Stream | AsyncStream) -> None:
        if isinstance(stream, Stream):
            stream.close()
        else:
            await stream.close()

    async def aclose_clients(self) -> None:
        for client in self.clients:
            if isinstance(client, httpx.Client):
                client.close()
            else:
                await client.aclose()


@pytest.fixture(params=["sync", "async"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """One Harness per client kind; closes its httpx clients afterwards."""
    made = Harness(request.param)
    yield made
    await made.aclose_clients()


STORY = [chunk("", role="assistant"), chunk("Once "), chunk("upon"), chunk(" a time", finish="stop"), USAGE_AND_COST]


async def test_chunks_are_typed_and_the_result_assembled(harness: Harness) -> None:
    """Iterating yields generated chunks; the result has text, finish reason, usage, cost and the inference id."""
    body = Body(sse(*STORY, "[DONE]"))
    stream = await harness.open(body)
    chunks = await harness.chunks(stream)
    assert all(isinstance(item, ChatCompletionChunk) for item in chunks)
    assert len(chunks) == 5
    result = stream.result
    assert (result.text, result.finish_reason, result.completed) == ("Once upon a time", "stop", True)
    assert result.usage is not None
    assert result.usage.total_tokens == 14
    assert (result.credits_used, result.usd_spent) == (310, Decimal("0.000155"))
    assert result.inference_id == "inf-42"
    assert body.closed
    assert stream.response.is_closed


async def test_iter_text_yields_the_text_deltas(harness: Harness) -> None:
    """iter_text() yields each non-empty text delta of choice 0, in order."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    assert await harness.texts(stream) == ["Once ", "upon", " a time"]
    assert stream.result.text == "Once upon a time"


async def test_line_and_paragraph_separators_come_through_intact(harness: Harness) -> None:
    """U+2028 and U+2029 inside content (raw, and split across network reads) are text, not line ends."""
    text = "line\u2028separator and paragraph\u2029separator"
    raw = sse(chunk(text), chunk("\u2029", finish="stop"), "[DONE]")
    cut = raw.index("\u2028".encode()) + 1  # split inside the 3-byte UTF-8 sequence
    stream = await harness.open(Body(raw[:cut], raw[cut:]))
    assert await harness.texts(stream) == [text, "\u2029"]
    assert stream.result.text == text + "\u2029"


async def test_parallel_tool_call_fragments_are_assembled(harness: Harness) -> None:
    """Two tool calls streamed as interleaved fragments come out whole, arguments joined per index."""
    call_a = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "weather", "arguments": '{"ci'}}
    call_b = {"index": 1, "id": "call_b", "type": "function", "function": {"name": "clock", "arguments": "{}"}}
    events = [
        chunk(role="assistant", tool_calls=[call_a]),
        chunk(tool_calls=[call_b]),
        chunk(tool_calls=[{"index": 0, "function": {"arguments": 'ty": "Oslo"}'}}]),
        chunk(finish="tool_calls"),
        "[DONE]",
    ]
    stream = await harness.open(Body(sse(*events)))
    await harness.chunks(stream)
    calls = stream.result.tool_calls
    assert [(c.id, c.name, c.parse_arguments()) for c in calls] == [
        ("call_a", "weather", {"city": "Oslo"}),
        ("call_b", "clock", {}),
    ]


async def test_error_event_raises_with_partial_text_and_closes(harness: Harness) -> None:
    """An `error` object mid-stream raises StreamError keeping the text so far; the connection is closed."""
    error = {"error": {"message": "model overloaded", "code": 503}}
    body = Body(sse(chunk("Partial "), chunk("answer"), error, chunk("never read")))
    stream = await harness.open(body)
    with pytest.raises(StreamError, match="model overloaded") as caught:
        await harness.chunks(stream)
    assert caught.value.partial_text == "Partial answer"
    assert caught.value.body == error["error"]
    assert body.closed
    assert [r.completed for r in harness.results] == [False]


async def test_invalid_json_event_raises_stream_error(harness: Harness) -> None:
    """A data line that is not JSON raises StreamError naming the problem, with the partial text."""
    stream = await harness.open(Body(sse(chunk("ok"), "{not json", "[DONE]")))
    with pytest.raises(StreamError, match="not valid JSON") as caught:
        await harness.texts(stream)
    assert caught.value.partial_text == "ok"


async def test_connection_cut_mid_stream_raises_with_partial_text(harness: Harness) -> None:
    """A transport error after some bytes raises StreamError (cause: the httpx error) keeping the text."""
    cut = httpx.RemoteProtocolError("peer closed connection without sending complete message body")
    body = Body(sse(chunk("Half "), chunk("of it")), b'data: {"id": "chatcmpl-io", "cho', then_raise=cut)
    stream = await harness.open(body)
    with pytest.raises(StreamError, match="broke off mid-stream after 2 chunk") as caught:
        await harness.chunks(stream)
    assert caught.value.partial_text == "Half of it"
    assert caught.value.__cause__ is cut
    assert body.closed
    assert len(harness.results) == 1


async def test_read_timeout_mid_stream_says_it_timed_out(harness: Harness) -> None:
    """A read timeout while streaming raises StreamError saying the connection timed out."""
    body = Body(sse(chunk("slow")), then_raise=httpx.ReadTimeout("timed out"))
    stream = await harness.open(body)
    with pytest.raises(StreamError, match="timed out mid-stream") as caught:
        await harness.texts(stream)
    assert caught.value.partial_text == "slow"


async def test_body_ending_without_done_or_finish_reason_is_an_error(harness: Harness) -> None:
    """A body that ends cleanly but early (no [DONE], no finish reason) raises StreamError: incomplete."""
    stream = await harness.open(Body(sse(chunk("trunc"))))
    with pytest.raises(StreamError, match="incomplete") as caught:
        await harness.chunks(stream)
    assert caught.value.partial_text == "trunc"


async def test_early_break_closes_the_response(harness: Harness) -> None:
    """Leaving the loop and the `with` block after one chunk closes the connection; the rest is not read."""
    body = Body(sse(chunk("first")), sse(chunk("second")), sse(chunk(finish="stop"), "[DONE]"))
    stream = await harness.open(body)
    first = await harness.first_then_break(stream)
    # typing: generated fields are `X | Unset`; this chunk has them
    assert first.choices[0].delta.content == "first"  # type: ignore[index, union-attr]
    assert body.closed
    assert stream.response.is_closed
    assert body.sent < 3
    assert stream.closed
    assert [(r.text, r.completed) for r in harness.results] == [("first", False)]


def test_breaking_a_loop_without_with_closes_the_response() -> None:
    """(sync) Breaking out of `for chunk in stream` without a `with` block also closes the connection."""
    body = Body(sse(chunk("a")), sse(chunk("b"), "[DONE]"))
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, headers=SSE, stream=body)))
    response = client.send(client.build_request("POST", URL), stream=True)
    stream = Stream(response, info=ResponseInfo.from_response(response))
    for _ in stream:
        break
    assert body.closed
    assert response.is_closed
    client.close()


async def test_on_result_is_called_exactly_once(harness: Harness) -> None:
    """on_result gets the final result once, even when the stream is closed again afterwards."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    await harness.chunks(stream)
    await harness.close(stream)
    await harness.close(stream)
    assert len(harness.results) == 1
    assert harness.results[0].completed is True
    assert harness.results[0] == stream.result


async def test_non_event_stream_answer_is_refused(harness: Harness) -> None:
    """A 2xx JSON answer to a stream request raises ResponseValidationError quoting the body; it is closed."""
    body = Body(b'{"message": "streaming unavailable"}')
    stream = await harness.open(body, headers={"content-type": "application/json"})
    with pytest.raises(ResponseValidationError, match="streaming unavailable") as caught:
        await harness.chunks(stream)
    assert "application/json" in str(caught.value)
    assert body.closed


async def test_get_final_result_reads_the_rest(harness: Harness) -> None:
    """get_final_result() reads what is left after a partial read and returns the final result."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    result = await harness.final(stream)
    assert (result.text, result.completed, result.chunk_count) == ("Once upon a time", True, 5)
    assert stream.response.is_closed


async def test_done_stops_reading(harness: Harness) -> None:
    """After `[DONE]` nothing more is read or decoded, even a malformed event."""
    stream = await harness.open(Body(sse(chunk("x", finish="stop"), "[DONE]", "garbage"), sse(chunk("late"))))
    assert await harness.texts(stream) == ["x"]
    assert stream.result.text == "x"


async def test_finished_stream_iterates_empty_and_closed_one_refuses(harness: Harness) -> None:
    """A stream read to its end yields nothing more; one closed before its end raises StreamError."""
    done = await harness.open(Body(sse(*STORY, "[DONE]")))
    await harness.chunks(done)
    assert await harness.chunks(done) == []
    cut_short = await harness.open(Body(sse(chunk("a")), sse(chunk(finish="stop"), "[DONE]")))
    await harness.first_then_break(cut_short)
    with pytest.raises(StreamError, match="closed before its end"):
        await harness.chunks(cut_short)


async def test_result_is_partial_while_streaming(harness: Harness) -> None:
    """`.result` during iteration shows what arrived so far and is not yet completed."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    seen: list[tuple[int, str, bool]] = []
    if isinstance(stream, Stream):
        with stream:
            for _ in stream:
                seen.append((stream.result.chunk_count, stream.result.text, stream.result.completed))
    else:
        async with stream:
            async for _ in stream:
                seen.append((stream.result.chunk_count, stream.result.text, stream.result.completed))
    assert seen[1] == (2, "Once ", False)
    assert seen[-1] == (5, "Once upon a time", True)


async def test_drifting_chunk_warns_and_still_streams(harness: Harness) -> None:
    """A chunk with an unknown finish reason is reported as drift, and its text still arrives."""
    from aimlapi_grok import DriftWarning
    from aimlapi_grok._drift import reset_drift_reports

    reset_drift_reports()
    stream = await harness.open(Body(sse(chunk("ok", finish="end_turn"), "[DONE]")))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        chunks = await harness.chunks(stream)
    # typing: generated fields are `X | Unset`; this chunk has them
    assert chunks[0].choices[0]["finish_reason"] == "end_turn"  # type: ignore[index]
    assert stream.result.finish_reason == "end_turn"
    assert any(issubclass(w.category, DriftWarning) and "finish_reason" in str(w.message) for w in caught)
    reset_drift_reports()


async def test_closing_inside_the_loop_ends_it_quietly(harness: Harness) -> None:
    """Calling close() from inside the loop stops the iteration without an error; the result stays partial."""
    body = Body(sse(chunk("one")), sse(chunk("two")), sse(chunk(finish="stop"), "[DONE]"))
    stream = await harness.open(body)
    seen: list[str] = []
    if isinstance(stream, Stream):
        for text in stream.iter_text():
            seen.append(text)
            stream.close()
    else:
        async for text in stream.iter_text():
            seen.append(text)
            await stream.close()
    assert seen == ["one"]
    assert body.closed
    assert (stream.result.text, stream.result.completed) == ("one", False)
    assert len(harness.results) == 1


async def test_repr_shows_the_state(harness: Harness) -> None:
    """repr() tells the class, whether it ended, the chunk count and the inference id."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    assert repr(stream) == f"{type(stream).__name__}(open, chunks=0, completed=False, inference_id='inf-42')"
    await harness.chunks(stream)
    assert repr(stream) == f"{type(stream).__name__}(ended, chunks=5, completed=True, inference_id='inf-42')"


class HangingBody(httpx.AsyncByteStream):
    """An async body that sends one event, then waits forever (until its reader is cancelled)."""

    def __init__(self, first: bytes) -> None:
        self.first = first
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        await asyncio.Event().wait()

    async def aclose(self) -> None:
        self.closed = True


async def test_cancelling_the_reading_task_closes_the_connection() -> None:
    """(async) Cancelling a task that is waiting for the next chunk closes the connection; on_result runs once."""
    body = HangingBody(sse(chunk("waiting ")))
    results: list[StreamResult] = []
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(200, headers=SSE, stream=body))
    )
    response = await client.send(client.build_request("POST", URL), stream=True)
    stream = AsyncStream(response, info=ResponseInfo.from_response(response), on_result=results.append)
    first_text = asyncio.Event()

    async def read() -> None:
        async with stream:
            async for _ in stream.iter_text():
                first_text.set()

    task = asyncio.create_task(read())
    await first_text.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert body.closed
    assert [(r.text, r.completed) for r in results] == [("waiting ", False)]
    await client.aclose()
