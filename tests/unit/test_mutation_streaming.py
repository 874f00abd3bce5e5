"""Stream I/O the mutation run showed unpinned: refusal and break-off messages, ending, dropping, re-reading."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import AsyncStream, DriftWarning, ResponseValidationError, Stream, StreamError, StreamResult
from aimlapi_grok.types import ResponseInfo

from .conftest import error_response
from .test_streaming_io import SSE, STORY, URL, Body, Harness, chunk, sse

PATH = "/v1/chat/completions"


@pytest.fixture(params=["sync", "async"])
async def harness(request: pytest.FixtureRequest) -> AsyncIterator[Harness]:
    """One Harness (see test_streaming_io) per client kind; closes its httpx clients afterwards."""
    made = Harness(request.param)
    yield made
    await made.aclose_clients()


async def test_a_non_event_stream_answer_names_its_type_body_and_retries(api: Any, router: respx.MockRouter) -> None:
    """A JSON answer to stream=True (after one retry): ResponseValidationError quoting type and body, retries 1."""
    answer = httpx.Response(200, content=b'{"message":  "no\\nstreams"}', headers={"content-type": "application/json"})
    router.post(PATH).mock(side_effect=[error_response(503), answer])
    stream = await api.create(stream=True)
    with pytest.raises(ResponseValidationError) as caught:
        await api.read_stream(stream)
    assert str(caught.value) == (
        "HTTP 200 answer to a stream=True request is not text/event-stream (content-type: application/json); "
        'body: {"message": "no\\nstreams"}'
    )
    assert (caught.value.retries, caught.value.response.status_code) == (1, 200)
    assert stream.closed
    assert stream.response.is_closed


async def test_an_empty_answer_without_content_type_says_none_and_empty(harness: Harness) -> None:
    """No content type and no body: the message says `content-type: none` and `body: <empty>`."""
    stream = await harness.open(Body(b""), headers={})
    with pytest.raises(ResponseValidationError) as caught:
        await harness.texts(stream)
    assert str(caught.value).endswith("is not text/event-stream (content-type: none); body: <empty>")
    assert (caught.value.retries, stream.closed) == (0, True)
    assert [(r.completed, r.chunk_count) for r in harness.results] == [(False, 0)]


@pytest.mark.parametrize("content_type", ["TEXT/Event-Stream", " text/event-stream ; charset=utf-8"])
async def test_the_event_stream_type_is_matched_loosely(harness: Harness, content_type: str) -> None:
    """The content type is matched without regard to case, spaces or parameters."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")), headers={"content-type": content_type})
    assert "".join(await harness.texts(stream)) == "Once upon a time"


@pytest.mark.parametrize("content_type", ["text/event-streams", "text/plain; text/event-stream"])
async def test_a_type_that_only_resembles_an_event_stream_is_refused(harness: Harness, content_type: str) -> None:
    """A content type that merely contains `text/event-stream` is not one: refused before any chunk."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")), headers={"content-type": content_type})
    with pytest.raises(ResponseValidationError, match=f"content-type: {content_type}\\)"):
        await harness.chunks(stream)


async def test_a_non_event_stream_body_that_breaks_off_is_a_stream_error(harness: Harness) -> None:
    """A refused (non-event-stream) body that breaks off while read: StreamError after 0 chunks, cause kept."""
    cut = httpx.RemoteProtocolError("peer closed")
    stream = await harness.open(Body(b'{"mess', then_raise=cut), headers={"content-type": "application/json"})
    with pytest.raises(StreamError) as caught:
        await harness.chunks(stream)
    assert str(caught.value).startswith(
        "the connection broke off mid-stream after 0 chunk(s): RemoteProtocolError('peer closed')"
    )
    assert caught.value.__cause__ is cut
    assert stream.closed


@pytest.mark.parametrize(
    ("error", "what"),
    [(httpx.ReadTimeout("slow"), "timed out"), (httpx.ReadError("reset"), "broke off")],
)
async def test_a_cut_stream_says_how_it_ended_and_after_how_many_chunks(
    harness: Harness, error: Exception, what: str
) -> None:
    """A timeout is `timed out`, any other transport error `broke off`, each with the chunks read and the error."""
    stream = await harness.open(Body(sse(chunk("a"), chunk("b")), then_raise=error))
    with pytest.raises(StreamError) as caught:
        await harness.texts(stream)
    assert str(caught.value).startswith(f"the connection {what} mid-stream after 2 chunk(s): {error!r}")
    assert caught.value.partial_text == "ab"


async def test_a_stream_closed_before_its_end_refuses_to_be_read_again(harness: Harness) -> None:
    """Reading, or asking for the final result of, a stream closed early raises StreamError carrying the partial."""
    stream = await harness.open(Body(sse(chunk("a")), sse(chunk("b", finish="stop"), "[DONE]")))
    await harness.first_then_break(stream)
    expected = "this stream was closed before its end; its partial result is in `.result` (streams are read once)"
    for read in (harness.texts, harness.final):
        with pytest.raises(StreamError) as caught:
            await read(stream)
        assert str(caught.value).startswith(expected)
        assert caught.value.partial_text == "a"


async def test_the_final_result_of_a_finished_stream_is_given_again(harness: Harness) -> None:
    """get_final_result() after the stream ended returns the same final result without reading anything."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    first = await harness.final(stream)
    again = await harness.final(stream)
    assert (again, again.completed, again.text) == (first, True, "Once upon a time")
    assert len(harness.results) == 1


async def test_closing_an_unread_stream_ends_it_once_with_an_empty_result(harness: Harness) -> None:
    """close() before reading: the connection is closed, the stream ended, on_result called once (not completed)."""
    body = Body(sse(*STORY, "[DONE]"))
    stream = await harness.open(body)
    assert not stream.closed
    await harness.close(stream)
    await harness.close(stream)
    assert (stream.closed, body.closed, body.sent) == (True, True, 0)
    assert [(r.completed, r.chunk_count, r.text) for r in harness.results] == [(False, 0, "")]


async def test_text_deltas_skip_chunks_without_text(harness: Harness) -> None:
    """iter_text() yields only non-empty text deltas (a role-only or finish-only chunk yields nothing)."""
    stream = await harness.open(Body(sse(chunk(role="assistant"), chunk("x"), chunk("", finish="stop"), "[DONE]")))
    assert await harness.texts(stream) == ["x"]


async def test_the_rest_of_a_body_after_done_is_not_read(harness: Harness) -> None:
    """`[DONE]` ends the read: later pieces never reach the result (async asks for one more, to end the body)."""
    body = Body(sse(chunk("x", finish="stop"), "[DONE]"), sse(chunk("late")), sse(chunk("later")))
    stream = await harness.open(body)
    result = await harness.final(stream)
    asked_to_end = 0 if harness.kind == "sync" else 1  # (_sse.end_body: one step, its bytes discarded)
    assert (result.text, result.chunk_count, result.completed, body.sent) == ("x", 1, True, 1 + asked_to_end)


def test_a_dropped_sync_stream_warns_closes_and_reports_its_partial_result() -> None:
    """A Stream dropped unclosed: ResourceWarning naming it and its inference id; connection closed, on_result once."""
    harness = Harness("sync")
    body = Body(sse(chunk("a")), sse(chunk(finish="stop"), "[DONE]"))
    held = [asyncio.run(harness.open(body))]
    with pytest.warns(ResourceWarning) as caught:
        held.clear()  # the last reference: collected here
    assert [str(w.message) for w in caught] == [
        "Stream (inference id 'inf-42') was never closed; closing its connection now. "
        "Use `with` (`async with`) or close() it."
    ]
    assert isinstance(caught[0].source, Stream)  # (tracemalloc shows where it was opened)
    assert body.closed
    assert [(r.completed, r.chunk_count) for r in harness.results] == [(False, 0)]
    asyncio.run(harness.aclose_clients())


def test_a_closed_sync_stream_is_dropped_quietly() -> None:
    """A Stream that was closed gives no ResourceWarning when dropped, and on_result is not called again."""
    harness = Harness("sync")
    stream = asyncio.run(harness.open(Body(sse(*STORY, "[DONE]"))))
    asyncio.run(harness.chunks(stream))
    del stream  # (a warning would be an error here)
    gc.collect()
    assert len(harness.results) == 1
    asyncio.run(harness.aclose_clients())


async def test_a_dropped_async_stream_warns_and_closes_on_its_loop() -> None:
    """An AsyncStream dropped unclosed: ResourceWarning, on_result once; its loop closes the connection soon after."""
    harness = Harness("async")
    body = Body(sse(chunk("a")), sse(chunk(finish="stop"), "[DONE]"))
    loop_errors: list[dict[str, Any]] = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, context: loop_errors.append(context))
    held = [await harness.open(body)]
    with pytest.warns(ResourceWarning, match=r"^AsyncStream \(inference id 'inf-42'\) was never closed") as caught:
        held.clear()  # the last reference: collected here
    assert isinstance(caught[0].source, AsyncStream)
    assert [(r.completed, r.chunk_count) for r in harness.results] == [(False, 0)]
    for _ in range(5):
        await asyncio.sleep(0)
    assert (body.closed, loop_errors) == (True, [])
    await harness.aclose_clients()


def test_an_async_stream_made_outside_a_loop_is_dropped_without_a_close_task() -> None:
    """An AsyncStream made with no running event loop (e.g. under trio) still warns and reports when dropped."""
    results: list[Any] = []
    response = httpx.Response(200, headers=SSE, stream=Body(sse(chunk("a"))))
    held = [AsyncStream(response, info=ResponseInfo.from_response(response), on_result=results.append)]
    with pytest.warns(ResourceWarning, match="never closed"):
        held.clear()  # the last reference: collected here
    assert [r.completed for r in results] == [False]


async def test_a_stream_closed_unread_refuses_to_be_read(harness: Harness) -> None:
    """Reading a stream that was closed before any read raises StreamError (nothing is read from the closed body)."""
    body = Body(sse(*STORY, "[DONE]"))
    stream = await harness.open(body)
    await harness.close(stream)
    with pytest.raises(StreamError, match="this stream was closed before its end"):
        await harness.texts(stream)
    assert body.sent == 0


def named(event: str, data: str) -> bytes:
    """One SSE event with an `event:` name."""
    return f"event: {event}\ndata: {data}\n\n".encode()


async def test_named_events_are_skipped_in_every_read_mode(harness: Harness) -> None:
    """`event: ping` and other named events carry no chunk: texts and typed chunks skip them, the count too."""
    pieces = named("ping", '{"choices": "not a chunk"}'), sse(chunk("a")), named("usage", "{}"), sse(chunk("b"))
    done = sse(chunk(finish="stop"), "[DONE]")
    assert await harness.texts(await harness.open(Body(*pieces, done))) == ["a", "b"]
    chunks = await harness.chunks(await harness.open(Body(*pieces, done)))
    assert len(chunks) == 3
    assert [r.chunk_count for r in harness.results] == [3, 3]


async def test_drift_is_reported_when_reading_text_only(harness: Harness) -> None:
    """iter_text() builds no typed chunk but still reports a chunk that differs from the spec."""
    stream = await harness.open(Body(sse(chunk("ok", finish="end_turn"), "[DONE]")))
    with pytest.warns(DriftWarning, match="finish_reason"):
        texts = await harness.texts(stream)
    assert (texts, stream.result.finish_reason) == (["ok"], "end_turn")


async def test_a_chunk_no_model_can_hold_names_itself_and_why(harness: Harness) -> None:
    """Typed chunks: a choice that is not an object raises StreamError naming the chunk and the field; text kept."""
    odd = {**chunk(), "choices": ["X"]}
    stream = await harness.open(Body(sse(chunk("Hel"), odd, chunk("lo", finish="stop"), "[DONE]")))
    with pytest.raises(StreamError) as caught, pytest.warns(DriftWarning, match="type differs"):
        await harness.chunks(stream)
    assert str(caught.value).startswith(
        "stream chunk 2 cannot be read as a ChatCompletionChunk: choices[0] is str, not an object"
    )
    assert caught.value.partial_text == "Hel"


async def test_a_stream_error_carries_the_request_of_its_stream(harness: Harness) -> None:
    """A StreamError from a stream carries that stream's request (method and URL) for the caller to log."""
    stream = await harness.open(Body(sse(chunk("a")), then_raise=httpx.ReadError("reset")))
    with pytest.raises(StreamError) as caught:
        await harness.texts(stream)
    assert caught.value.request is stream.response.request
    assert (caught.value.request.method, str(caught.value.request.url)) == ("POST", URL)


class BlockingBody(httpx.SyncByteStream):
    """A sync body that sends one event, then blocks until it is closed, then fails as a closed socket does."""

    def __init__(self, first: bytes) -> None:
        self.first = first
        self.sent = threading.Event()
        self.released = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        yield self.first
        self.sent.set()
        self.released.wait(10)
        raise httpx.ReadError("connection closed")

    def close(self) -> None:
        self.released.set()


def test_closing_from_another_thread_ends_a_blocked_read_quietly() -> None:
    """close() while another thread waits for the next chunk: no error in either thread; the partial is kept."""
    body = BlockingBody(sse(chunk("waiting ")))
    results: list[StreamResult] = []
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, headers=SSE, stream=body))) as client:
        response = client.send(client.build_request("POST", URL), stream=True)
        stream = Stream(response, info=ResponseInfo.from_response(response), on_result=results.append)
        texts: list[str] = []
        reader = threading.Thread(target=lambda: texts.extend(stream.iter_text()))
        reader.start()
        assert body.sent.wait(10)
        stream.close()
        reader.join(10)
    assert (reader.is_alive(), texts, stream.closed) == (False, ["waiting "], True)
    assert [(r.text, r.completed) for r in results] == [("waiting ", False)]


class WaitingBody(httpx.AsyncByteStream):
    """An async body that sends one event, then waits until it is closed, then fails as a closed socket does."""

    def __init__(self, first: bytes) -> None:
        self.first = first
        self.sent = asyncio.Event()
        self.released = asyncio.Event()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.first
        self.sent.set()
        await self.released.wait()
        raise httpx.ReadError("connection closed")

    async def aclose(self) -> None:
        self.released.set()


async def test_closing_from_another_task_ends_a_waiting_read_quietly() -> None:
    """(async) close() while another task waits for the next chunk: no error in either task; the partial is kept."""
    body = WaitingBody(sse(chunk("waiting ")))
    results: list[StreamResult] = []
    transport = httpx.MockTransport(lambda r: httpx.Response(200, headers=SSE, stream=body))
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.send(client.build_request("POST", URL), stream=True)
        stream = AsyncStream(response, info=ResponseInfo.from_response(response), on_result=results.append)

        async def read() -> list[str]:
            return [text async for text in stream.iter_text()]

        reader = asyncio.create_task(read())
        await body.sent.wait()
        await stream.close()
        texts = await asyncio.wait_for(reader, 10)
    assert (texts, stream.closed) == (["waiting "], True)
    assert [(r.text, r.completed) for r in results] == [("waiting ", False)]
