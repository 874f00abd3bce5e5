"""Streaming over loopback HTTP: typed chunks, the assembled result, final-chunk cost, broken streams,
and a cancelled stream whose connection the server sees closed."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aimlapi_grok import APIError, Grok, StreamError
from aimlapi_grok.testing import EmulatorServer

from .e2e_support import SERVER_WAIT, emulated_text, fault

QUESTION = [{"role": "user", "content": "Stream please"}]
MAX_CHUNKS = 500  # every loop over a stream is bounded


def test_a_stream_yields_typed_chunks_and_assembles_the_result(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """Chunks are ChatCompletionChunk models; the result joins the text and carries usage and final-chunk cost."""
    client = make_client()
    stream = client.chat.completions.create(
        messages=QUESTION, stream=True, stream_options={"include_usage": True}, reasoning={"effort": "low"}
    )
    pieces = []
    with stream:
        for count, chunk in enumerate(stream):
            assert count < MAX_CHUNKS
            assert type(chunk).__name__ == "ChatCompletionChunk"
            for choice in chunk.choices or []:
                content = choice.delta.content if choice.delta else None
                pieces.append(content if isinstance(content, str) else "")
    result = stream.result
    assert result.completed
    assert result.text == "".join(pieces) == emulated_text("Stream please")
    assert result.finish_reason == "stop"
    assert result.reasoning_tokens == 16
    assert result.usage is not None
    assert result.credits_used is not None
    assert result.credits_used > 0
    assert result.usd_spent is not None
    assert result.usd_spent > 0
    assert result.info is not None
    assert "x-aimlapi-credits-used" not in result.info.headers
    (record,) = grok_emulator.requests
    assert result.inference_id == record.inference_id
    assert record.wait_finished(SERVER_WAIT)  # (the server records its end after its last write)
    assert record.completed
    assert client.total_credits_used == result.credits_used


def test_iter_text_and_line_separators_come_through_intact(make_client: Callable[..., Grok]) -> None:
    """iter_text() yields the text deltas; U+2028 and U+2029 in the text are not treated as line breaks."""
    question = "line\u2028separator\u2029paragraph"
    with make_client().chat.completions.create(messages=[{"role": "user", "content": question}], stream=True) as s:
        text = "".join(piece for _, piece in zip(range(MAX_CHUNKS), s.iter_text(), strict=False))
    assert text == emulated_text(question)


def test_the_same_question_streamed_or_not_gives_the_same_text(make_client: Callable[..., Grok]) -> None:
    """The emulator is deterministic across framings: streamed text equals the JSON completion's text."""
    client = make_client()
    with client.chat.completions.create(messages=QUESTION, stream=True) as stream:
        streamed = stream.get_final_result()
    assert streamed.text == client.chat.completions.create(messages=QUESTION).text


def test_a_stream_dropped_mid_way_raises_with_the_partial_text(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """A connection dropped after 4 events raises StreamError keeping the text so far; it is not retried."""
    client = make_client(max_retries=2)
    stream = client.chat.completions.create(messages=QUESTION, stream=True, extra_headers=fault("drop-after=4"))
    with stream, pytest.raises(StreamError) as caught:
        stream.get_final_result()
    assert caught.value.partial_text == "Emulated answer to:"
    assert len(grok_emulator.requests) == 1
    assert grok_emulator.requests[0].dropped


def test_an_error_event_in_the_stream_raises_a_typed_error(make_client: Callable[..., Grok]) -> None:
    """An `error` object after two events raises StreamError carrying the error body and the partial text."""
    with (
        pytest.raises(StreamError) as caught,
        make_client().chat.completions.create(
            messages=QUESTION, stream=True, extra_headers=fault("error-after=2")
        ) as stream,
    ):
        for _, _chunk in zip(range(MAX_CHUNKS), stream, strict=False):
            pass
    assert "mid-stream" in str(caught.value.body)
    assert caught.value.partial_text == "Emulated"


def test_a_malformed_chunk_is_an_error_not_a_silent_skip(make_client: Callable[..., Grok]) -> None:
    """A chunk that is not valid JSON raises an APIError instead of being dropped quietly."""
    with (
        pytest.raises(APIError),
        make_client().chat.completions.create(
            messages=QUESTION, stream=True, extra_headers=fault("malformed-json")
        ) as stream,
    ):
        for _, _chunk in zip(range(MAX_CHUNKS), stream, strict=False):
            pass


def test_breaking_out_of_a_stream_closes_the_connection_the_server_sees_it(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """Leaving a slow 200-chunk stream after 3 chunks closes it; the server records the disconnect early."""
    client = make_client()
    headers = fault("chunks=200;chunk-delay=0.02")
    with client.chat.completions.create(messages=QUESTION, stream=True, extra_headers=headers) as stream:
        for count, _chunk in enumerate(stream):
            if count == 2:
                break
    assert stream.closed
    assert not stream.result.completed
    (record,) = grok_emulator.requests
    assert record.wait_finished(SERVER_WAIT)
    assert record.disconnected
    assert not record.completed
    assert record.parts_sent < 100
