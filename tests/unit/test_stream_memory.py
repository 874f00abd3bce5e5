"""What an open stream keeps: its text in a few strings, not the first chunk whole, no cycle of the wrapper's own."""

from __future__ import annotations

import asyncio
import gc
import json
import tracemalloc
from collections.abc import Iterator
from typing import Any

import httpx
from aimlapi_grok import AsyncGrok, Grok
from aimlapi_grok.types import StreamAccumulator

URL = "http://127.0.0.1:9/v1/chat/completions"


def no_drift_check(component: str, data: Any) -> bool:
    """A drift reporter that checks nothing (these tests are about memory; drift has its own tests)."""
    return True


def chunk(delta: dict[str, Any], *, finish: str | None = None, **top: Any) -> str:
    """One chunk's JSON text, with one choice carrying `delta`."""
    body = {
        "id": "chatcmpl-mem",
        "object": "chat.completion.chunk",
        "created": 1762343744,
        "model": "grok-4-1-fast-reasoning",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **top,
    }
    return json.dumps(body)


def test_text_and_reasoning_are_complete_across_any_number_of_pieces() -> None:
    """Hundreds of pieces (joined as they pile up) give exactly the text sent, also when read midway."""
    pieces = [f"<{n}>" for n in range(301)]
    thoughts = [f"[{n}]" for n in range(77)]
    accumulator = StreamAccumulator(report_drift=no_drift_check)
    accumulator.decode(chunk({"role": "assistant", "content": ""}))
    for n, piece in enumerate(pieces):
        delta = {"content": piece}
        if n < len(thoughts):
            delta["reasoning_content"] = thoughts[n]
        accumulator.decode(chunk(delta))
        if n == 40:
            assert accumulator.snapshot().text == "".join(pieces[:41])
            assert accumulator.snapshot().reasoning_text == "".join(thoughts[:41])
    accumulator.decode(chunk({}, finish="stop"))
    result = accumulator.snapshot()
    assert result.text == "".join(pieces)
    assert result.reasoning_text == "".join(thoughts)
    assert result.chunk_count == len(pieces) + 2
    assert accumulator.text_delta == ""


def _traced_growth(events: list[str]) -> tuple[int, StreamAccumulator]:
    """The memory an accumulator still holds after decoding `events` (bytes allocated and not freed)."""
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        accumulator = StreamAccumulator(report_drift=no_drift_check)
        for data in events:
            accumulator.decode(data)
        held = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    return held, accumulator


def test_an_open_stream_of_many_small_pieces_holds_little_more_than_its_text() -> None:
    """2,000 one-character pieces are held in well under 20 KB (2,000 separate strings would take ~100 KB)."""
    events = [chunk({"role": "assistant", "content": ""})] + [chunk({"content": "ab"[n % 2]}) for n in range(2000)]
    held, accumulator = _traced_growth(events)
    assert accumulator.snapshot().text == "ab" * 1000
    assert held < 20_000, held


def test_the_first_chunks_choice_is_not_kept_for_the_whole_stream() -> None:
    """A bulky value in the first chunk's choice is let go; its top level and role still make the completion."""
    bulky = {"content": [{"token": "x" * 50, "logprob": -0.1}] * 2000}  # ~ 250 KB as decoded
    first = chunk({"role": "assistant", "content": "Hi"}, trace_id="t-1")
    first = first.replace('"finish_reason": null', f'"finish_reason": null, "logprobs": {json.dumps(bulky)}')
    held, accumulator = _traced_growth([first, chunk({"content": " there"}), chunk({}, finish="stop")])
    assert held < 50_000, held
    completion = accumulator.snapshot().to_dict()
    assert completion["trace_id"] == "t-1"
    assert completion["id"] == "chatcmpl-mem"
    assert completion["choices"][0]["message"] == {"content": "Hi there", "refusal": None, "role": "assistant"}


def _sse_body() -> bytes:
    events = [chunk({"role": "assistant", "content": ""}), chunk({"content": "Hello"}), chunk({}, finish="stop")]
    return "".join(f"data: {data}\n\n" for data in [*events, "[DONE]"]).encode()


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/event-stream"}, content=_sse_body())


def _wrapper_garbage() -> Iterator[str]:
    """The type names of the wrapper's objects that only the cycle collector would have freed."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = [type(obj) for obj in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    return (kind.__qualname__ for kind in found if kind.__module__.startswith("aimlapi_grok"))


def test_finished_streams_leave_no_cycle_of_the_wrappers_objects() -> None:
    """Read to the end and closed, sync and async streams are freed by reference counting (no gc pass needed)."""
    messages = [{"role": "user", "content": "hi"}]
    with Grok(api_key="k", base_url=URL, http_client=httpx.Client(transport=httpx.MockTransport(_answer))) as client:
        gc.collect()
        gc.disable()
        try:
            for _ in range(3):
                with client.chat.completions.create(messages=messages, stream=True) as stream:
                    assert list(stream.iter_text()) == ["Hello"]
                del stream
            assert sorted(_wrapper_garbage()) == []
        finally:
            gc.enable()

    async def run() -> list[str]:
        http = httpx.AsyncClient(transport=httpx.MockTransport(_answer))
        async with AsyncGrok(api_key="k", base_url=URL, http_client=http) as client, http:
            gc.collect()
            gc.disable()
            try:
                for _ in range(3):
                    stream = await client.chat.completions.create(messages=messages, stream=True)
                    async with stream:
                        assert [typed.id async for typed in stream] == ["chatcmpl-mem"] * 3
                    assert stream.result.text == "Hello"
                    del stream
                return sorted(_wrapper_garbage())
            finally:
                gc.enable()

    assert asyncio.run(run()) == []
