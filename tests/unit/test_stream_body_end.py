"""After `[DONE]` an async stream asks its closed body for its end once, without waiting, and keeps nothing of it."""

from __future__ import annotations

import asyncio
import logging
import types
from collections.abc import AsyncIterator

import httpx
import pytest
from aimlapi_grok import AsyncStream, StreamResult
from aimlapi_grok._sse import end_body
from aimlapi_grok.types import ResponseInfo

from .test_streaming_io import SSE, URL, chunk, sse

COMPLETE = sse(chunk("x", finish="stop"), "[DONE]")
SECRET = "sk-after-done-secret"


class AfterDone(httpx.AsyncByteStream):
    """A body sending a complete stream, then doing `then` (stall, raise, more bytes); records what it saw."""

    def __init__(self, then: str) -> None:
        self.then = then
        self.cancelled = False
        self.ended = False
        self.pieces_after = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield COMPLETE
        try:
            if self.then == "stall":
                await asyncio.Event().wait()  # never set
            elif self.then == "raise":
                raise ValueError(SECRET)
            elif self.then == "read-error":
                raise httpx.ReadError("connection closed")
            elif self.then == "bytes":
                while True:  # without a single await: only the step count bounds it
                    self.pieces_after += 1
                    yield sse(chunk("late"))
        except asyncio.CancelledError:
            self.cancelled = True
            raise
        finally:
            self.ended = True


async def open_stream(body: httpx.AsyncByteStream, results: list[StreamResult]) -> AsyncStream:
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(200, headers=SSE, stream=body)))
    response = await client.send(client.build_request("POST", URL), stream=True)
    return AsyncStream(response, info=ResponseInfo.from_response(response), on_result=results.append)


async def read_all(stream: AsyncStream) -> list[str]:
    async with stream:
        return [text async for text in stream.iter_text()]


async def test_a_body_that_stalls_after_done_is_cancelled_not_waited_for() -> None:
    """A body that would wait after [DONE] is cancelled at once: the stream completes and the body has ended."""
    body, results = AfterDone("stall"), list[StreamResult]()
    stream = await open_stream(body, results)
    texts = await asyncio.wait_for(read_all(stream), timeout=5)  # (a hang would fail here, not time the test)
    assert texts == ["x"]
    assert (body.cancelled, body.ended) == (True, True)
    assert [(r.completed, r.text) for r in results] == [(True, "x")]


async def test_bytes_after_done_are_fetched_once_and_discarded() -> None:
    """An endless body after [DONE]: one more piece is fetched and dropped; the result has none of it."""
    body, results = AfterDone("bytes"), list[StreamResult]()
    stream = await open_stream(body, results)
    assert await read_all(stream) == ["x"]
    assert body.pieces_after == 1
    assert [(r.completed, r.text, r.chunk_count) for r in results] == [(True, "x", 1)]


async def test_a_transport_error_after_done_is_not_the_streams(caplog: pytest.LogCaptureFixture) -> None:
    """An httpx error while ending the closed body is a closed connection's: nothing raised, nothing logged."""
    caplog.set_level(logging.DEBUG, logger="aimlapi_grok")
    body, results = AfterDone("read-error"), list[StreamResult]()
    stream = await open_stream(body, results)
    assert await read_all(stream) == ["x"]
    assert body.ended
    assert [r.completed for r in results] == [True]
    assert [record.getMessage() for record in caplog.records if "after [DONE]" in record.getMessage()] == []


async def test_another_exception_after_done_is_logged_by_type_only(caplog: pytest.LogCaptureFixture) -> None:
    """A transport's own exception after [DONE] does not fail the complete stream; DEBUG names its type, not text."""
    caplog.set_level(logging.DEBUG, logger="aimlapi_grok")
    body, results = AfterDone("raise"), list[StreamResult]()
    stream = await open_stream(body, results)
    assert await read_all(stream) == ["x"]
    assert [r.completed for r in results] == [True]
    logged = [record.getMessage() for record in caplog.records if "after [DONE]" in record.getMessage()]
    assert logged == ["ending the body after [DONE] raised ValueError; ignored (not part of the stream)"]
    assert all(SECRET not in record.getMessage() for record in caplog.records)


async def test_a_stream_closed_before_done_does_not_ask_for_more() -> None:
    """Leaving a stream before [DONE] fetches nothing more: only a stream that reached [DONE] is ended this way."""
    body = AfterDone("bytes")
    stream = await open_stream(body, [])
    async with stream:
        async for _text in stream.iter_text():
            break
    assert body.pieces_after == 0


async def test_end_body_of_a_finished_body_is_a_no_op() -> None:
    """end_body() on a body already at its end returns quietly (a second close asks nothing)."""

    async def finished() -> AsyncIterator[bytes]:
        yield b"one"

    body = finished()
    assert [piece async for piece in body] == [b"one"]
    await end_body(body)
    with pytest.raises(StopAsyncIteration):
        await body.__anext__()


async def test_a_failing_response_close_still_closes_the_event_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    """If closing the response raises, the event reader is closed and on_result called all the same."""
    results = list[StreamResult]()
    stream = await open_stream(AfterDone("bytes"), results)
    texts = stream.iter_text()
    assert await anext(texts) == "x"  # (held: the reader is open, [DONE] not yet read)

    async def failing_close() -> None:
        raise OSError("close failed")

    monkeypatch.setattr(stream.response, "aclose", failing_close)
    with pytest.raises(OSError, match="close failed"):
        await stream.close()
    assert isinstance(stream._events, types.AsyncGeneratorType)
    assert stream._events.ag_frame is None  # (closed: a suspended generator keeps its frame)
    assert [r.text for r in results] == ["x"]  # (on_result, once)
    monkeypatch.undo()
    assert isinstance(texts, types.AsyncGeneratorType)
    await texts.aclose()
