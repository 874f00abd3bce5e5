"""A stream's body is read as bytes and decoded by the SSE reader: what iter_text() gave, each test sync and async."""

from __future__ import annotations

import gzip
import json
from unittest import mock

import httpx
import pytest
from aimlapi_grok import Stream, StreamError
from aimlapi_grok._sse import EventReader
from aimlapi_grok.types import ResponseInfo
from httpx._decoders import ByteChunker

from .test_streaming_io import SSE, STORY, Body, Harness, chunk, harness, sse

__all__ = ["harness"]  # the fixture, imported for the tests below


async def test_a_gzip_encoded_stream_gives_the_same_chunks(harness: Harness) -> None:
    """A body sent with Content-Encoding: gzip is decompressed before the events are read."""
    body = Body(gzip.compress(sse(*STORY, "[DONE]")))
    stream = await harness.open(body, headers={**SSE, "content-encoding": "gzip"})
    chunks = await harness.chunks(stream)
    assert len(chunks) == 5
    assert (stream.result.text, stream.result.completed) == ("Once upon a time", True)


async def test_a_character_split_across_reads_arrives_whole(harness: Harness) -> None:
    """Network reads that end inside a multi-byte UTF-8 character still give the character intact."""
    raw = sse(chunk("café ☕ 𝄞", finish="stop"), "[DONE]")
    cut = raw.index("☕".encode()) + 1  # inside the three bytes of the cup
    pieces = [raw[: cut - 2], raw[cut - 2 : cut], raw[cut : cut + 3], raw[cut + 3 :]]
    stream = await harness.open(Body(*pieces))
    assert await harness.texts(stream) == ["café ☕ 𝄞"]


async def test_invalid_utf8_becomes_replacement_characters(harness: Harness) -> None:
    """Bytes that are not UTF-8 inside a chunk's text become U+FFFD, as iter_text() decoded them, not an error."""
    raw = sse(chunk("ok XX", finish="stop"), "[DONE]").replace(b"XX", b"\xff\xfe")
    stream = await harness.open(Body(raw))
    assert await harness.texts(stream) == ["ok \ufffd\ufffd"]


async def test_the_charset_of_the_content_type_is_honoured(harness: Harness) -> None:
    """A `charset=` on the content type decodes the body (as httpx's iter_text() does); UTF-8 without one."""
    text = json.dumps(chunk("naïve", finish="stop"), ensure_ascii=False)
    raw = f"data: {text}\n\ndata: [DONE]\n\n".encode("latin-1")
    stream = await harness.open(Body(raw), headers={**SSE, "content-type": "text/event-stream; charset=latin-1"})
    assert await harness.texts(stream) == ["naïve"]


async def test_a_body_read_before_streaming_is_streamed_from_memory(harness: Harness) -> None:
    """A response whose body httpx already holds (built from bytes, as mocks do) streams the same chunks."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    if harness.kind == "sync":
        stream.response.read()
    else:
        await stream.response.aread()
    assert stream.response.is_stream_consumed
    chunks = await harness.chunks(stream)
    assert (len(chunks), stream.result.text) == (5, "Once upon a time")


async def test_a_body_ending_inside_a_character_ends_cleanly(harness: Harness) -> None:
    """Half a character after the last event (a body cut mid-byte-sequence) is not an error: the answer is complete."""
    stream = await harness.open(Body(sse(chunk("done", finish="stop")) + "☕".encode()[:2]))
    assert await harness.texts(stream) == ["done"]
    assert stream.result.completed


def test_the_reader_decodes_bytes_incrementally() -> None:
    """EventReader.feed_bytes keeps a partial character until its last byte arrives."""
    reader = EventReader()
    encoded = 'data: {"x": "☕"}\n\n'.encode()
    split = encoded.index("☕".encode()) + 1
    assert reader.feed_bytes(encoded[:split]) == []
    ((data, name),) = reader.feed_bytes(encoded[split:])
    assert (json.loads(data), name) == ({"x": "☕"}, "message")
    assert reader.flush() == []


async def test_the_transport_stream_is_read_without_a_chunker(harness: Harness) -> None:
    """A plain body is read from the transport's byte stream: marked consumed, no per-stream ByteChunker made."""
    made: list[object] = []

    def counted(chunk_size: int | None = None) -> ByteChunker:
        made.append(chunk_size)
        return ByteChunker(chunk_size)

    stream = await harness.open(Body(*(sse(piece) for piece in STORY), sse("[DONE]")))
    with mock.patch("httpx._models.ByteChunker", counted):
        chunks = await harness.chunks(stream)
    assert (len(chunks), stream.result.text, made) == (5, "Once upon a time", [])
    assert stream.response.is_stream_consumed
    assert stream.response.is_closed


async def test_a_transport_error_mid_stream_carries_its_request(harness: Harness) -> None:
    """The httpx error that broke a stream off (the StreamError's cause) has the stream's request, as in iter_raw()."""
    stream = await harness.open(Body(sse(chunk("a")), then_raise=httpx.ReadError("reset")))
    with pytest.raises(StreamError) as caught:
        await harness.texts(stream)
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ReadError)
    assert cause.request is stream.response.request


async def test_a_response_closed_under_the_stream_ends_it_with_a_stream_error(harness: Harness) -> None:
    """Closing the httpx response before reading: httpx's StreamClosed, as before, becomes the StreamError's cause."""
    stream = await harness.open(Body(sse(*STORY, "[DONE]")))
    if harness.kind == "sync":
        stream.response.close()
    else:
        await stream.response.aclose()
    with pytest.raises(StreamError, match="broke off") as caught:
        await harness.texts(stream)
    assert isinstance(caught.value.__cause__, httpx.StreamClosed)


def test_a_response_built_by_hand_breaking_off_still_gives_a_stream_error() -> None:
    """(sync) A response without a request whose body breaks: a StreamError, its cause without a request set."""
    response = httpx.Response(200, headers=SSE, stream=Body(sse(chunk("a")), then_raise=httpx.ReadError("reset")))
    stream = Stream(response, info=ResponseInfo.from_response(response))
    with pytest.raises(StreamError, match="broke off") as caught:
        list(stream)
    cause = caught.value.__cause__
    assert isinstance(cause, httpx.ReadError)
    with pytest.raises(RuntimeError):
        _ = cause.request
