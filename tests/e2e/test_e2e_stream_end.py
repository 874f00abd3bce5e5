"""Over loopback HTTP, a complete async stream leaves no httpx body generator for asyncio to finalize."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any

import httpx
from aimlapi_grok import AsyncGrok
from aimlapi_grok.testing import EmulatorServer

from ..unit.hostile_server import hostile_server
from ..unit.test_streaming_io import chunk

QUESTION = [{"role": "user", "content": "Count to five."}]


@contextlib.contextmanager
def finalizer_calls() -> Iterator[list[str]]:
    """The qualified names of the async generators asyncio's finalizer hook is given inside the block.

    Installed inside the test's own coroutine: the event loop sets its hooks afresh each time it starts running.
    """
    names: list[str] = []
    firstiter, finalizer = sys.get_asyncgen_hooks()
    assert finalizer is not None  # (under asyncio)

    def counting(agen: Any) -> None:
        names.append(agen.__qualname__)
        finalizer(agen)

    sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=counting)
    try:
        yield names
    finally:
        sys.set_asyncgen_hooks(firstiter=firstiter, finalizer=finalizer)


async def settle() -> None:
    gc.collect()
    for _ in range(10):  # (a finalized generator's aclose() runs as a task: let every one run)
        await asyncio.sleep(0)


async def test_a_complete_stream_leaves_nothing_to_finalize(make_async_client: Callable[..., AsyncGrok]) -> None:
    """Read to [DONE]: httpx's and httpcore's body generators end in the stream's task, not as finalizer tasks."""
    client = make_async_client()
    with finalizer_calls() as finalized:
        for _ in range(3):
            stream = await client.chat.completions.create(messages=QUESTION, stream=True)
            async with stream:
                async for _chunk in stream:
                    pass
            assert stream.result.completed
            del stream
        await settle()
    assert finalized == []


async def test_a_stream_left_early_still_hands_its_generators_to_asyncio(
    make_async_client: Callable[..., AsyncGrok],
) -> None:
    """The control: leaving before [DONE] leaves httpx's generators suspended, and asyncio finalizes them."""
    client = make_async_client()
    with finalizer_calls() as finalized:
        stream = await client.chat.completions.create(messages=QUESTION, stream=True)
        async with stream:
            async for _chunk in stream:
                break
        assert not stream.result.completed
        del stream
        await settle()
    assert "BoundAsyncStream.__aiter__" in finalized


def chunked_events_then_silence(*events: str) -> bytes:
    """An SSE answer in one HTTP chunk, without the chunked terminator: the body never ends by itself."""
    payload = "".join(f"data: {event}\n\n" for event in events).encode()
    head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n"
    return head + f"{len(payload):x}\r\n".encode() + payload + b"\r\n"


async def test_a_server_holding_the_body_open_after_done_is_not_waited_for() -> None:
    """[DONE], then no end of body for 30 s: the stream completes at once, and its generators still end in its task."""
    last = json.dumps(chunk("hi", finish="stop"))
    with hostile_server(chunked_events_then_silence(last, "[DONE]"), hold_open=30) as server:
        async with AsyncGrok(api_key="sk-hold-open", base_url=server.url, max_retries=0) as client:
            with finalizer_calls() as finalized:
                stream = await client.chat.completions.create(messages=QUESTION, stream=True)
                texts = await asyncio.wait_for(read_texts(stream), timeout=10)  # (fails a hang, times nothing)
                assert (texts, stream.result.completed) == (["hi"], True)
                del stream
                await settle()
    assert finalized == []


async def read_texts(stream: Any) -> list[str]:
    async with stream:
        return [text async for text in stream.iter_text()]


async def test_a_finished_stream_drops_its_connection(grok_emulator: EmulatorServer) -> None:
    """The response is closed before the body's end is asked for: the connection is dropped, not pooled idle."""
    http = httpx.AsyncClient()
    async with http, AsyncGrok(api_key="sk-drop", base_url=grok_emulator.base_url, http_client=http) as client:
        stream = await client.chat.completions.create(messages=QUESTION, stream=True)
        async with stream:
            async for _chunk in stream:
                pass
        assert stream.result.completed
        pool = http._transport._pool  # type: ignore[attr-defined]  # (httpcore's pool: no public view of it)
        assert pool.connections == []
