"""AsyncGrok against the emulator over loopback HTTP: completions, concurrency, streams, cancellation, retries."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from aimlapi_grok import AsyncGrok, StreamError
from aimlapi_grok.testing import EmulatorServer, Fault, run_emulator

from .e2e_support import SERVER_WAIT, emulated_text, fault

MAX_CHUNKS = 500


async def test_an_async_completion_arrives_with_cost_and_tracing(
    async_grok_client: AsyncGrok, grok_emulator: EmulatorServer
) -> None:
    """The plugin's async_grok_client gets the completion with its cost headers and inference id."""
    result = await async_grok_client.chat.completions.create(
        messages=[{"role": "user", "content": "async hi"}], client_request_id="e2e-async"
    )
    assert result.text == emulated_text("async hi")
    assert result.credits_used is not None
    assert result.credits_used > 0
    assert result.client_request_id == "e2e-async"
    assert result.inference_id == grok_emulator.requests[0].inference_id
    assert await async_grok_client.ask("again") == emulated_text("again")


async def test_concurrent_requests_each_get_their_own_answer(
    make_async_client: Callable[..., AsyncGrok], grok_emulator: EmulatorServer
) -> None:
    """Twenty concurrent calls on one client are answered correctly and all reach the server."""
    client = make_async_client()
    questions = [f"question {n}" for n in range(20)]
    answers = await asyncio.wait_for(asyncio.gather(*(client.ask(q) for q in questions)), timeout=30)
    assert answers == [emulated_text(q) for q in questions]
    assert len(grok_emulator.requests) == 20
    assert client.total_credits_used > 0


async def test_an_async_stream_assembles_text_usage_and_cost(make_async_client: Callable[..., AsyncGrok]) -> None:
    """`async for` over the stream; the result joins the text and reads cost from the final chunk."""
    client = make_async_client()
    stream = await client.chat.completions.create(
        messages=[{"role": "user", "content": "stream async"}], stream=True, stream_options={"include_usage": True}
    )
    async with stream:
        texts = [text async for text in stream.iter_text()]
    result = stream.result
    assert "".join(texts) == result.text == emulated_text("stream async")
    assert result.usage is not None
    assert result.credits_used is not None
    assert result.usd_spent is not None


async def test_leaving_an_async_stream_early_closes_it_for_the_server(
    make_async_client: Callable[..., AsyncGrok], grok_emulator: EmulatorServer
) -> None:
    """Breaking out of a slow async stream closes the connection; the server records the disconnect."""
    client = make_async_client()
    stream = await client.chat.completions.create(
        messages=[{"role": "user", "content": "slow"}], stream=True, extra_headers=fault("chunks=200;chunk-delay=0.02")
    )
    async with stream:
        count = 0
        async for _chunk in stream:
            count += 1
            if count == 3:
                break
    (record,) = grok_emulator.requests
    assert await asyncio.to_thread(record.wait_finished, SERVER_WAIT)
    assert record.disconnected
    assert record.parts_sent < 100


async def test_cancelling_the_task_reading_a_stream_closes_the_connection(
    make_async_client: Callable[..., AsyncGrok], grok_emulator: EmulatorServer
) -> None:
    """asyncio cancellation of a consumer mid-stream (async with) closes the stream; the server sees it."""
    client = make_async_client()
    started = asyncio.Event()

    async def consume() -> None:
        stream = await client.chat.completions.create(
            messages=[{"role": "user", "content": "cancel me"}],
            stream=True,
            extra_headers=fault("chunks=300;chunk-delay=0.02"),
        )
        async with stream:
            async for _chunk in stream:
                started.set()

    task = asyncio.create_task(consume())
    await asyncio.wait_for(started.wait(), timeout=10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    (record,) = grok_emulator.requests
    assert await asyncio.to_thread(record.wait_finished, SERVER_WAIT)
    assert record.disconnected


async def test_async_retries_and_a_dropped_stream(
    make_async_client: Callable[..., AsyncGrok], grok_emulator: EmulatorServer
) -> None:
    """A scripted 503 is retried (retries == 1); a stream dropped after data raises StreamError, no retry."""
    client = make_async_client(max_retries=2)
    grok_emulator.script([Fault(status=503, retry_after=0)])
    result = await client.chat.completions.create(messages=[{"role": "user", "content": "x"}])
    assert result.retries == 1
    grok_emulator.reset()
    stream = await client.chat.completions.create(
        messages=[{"role": "user", "content": "x"}], stream=True, extra_headers=fault("drop-after=3")
    )
    async with stream:
        with pytest.raises(StreamError):
            await stream.get_final_result()
    assert len(grok_emulator.requests) == 1


async def test_run_emulator_works_as_an_async_context_manager() -> None:
    """`async with run_emulator()` serves a private emulator on its own port and stops it afterwards."""
    async with run_emulator(api_key="async-key") as emulator:
        async with AsyncGrok(api_key="async-key", base_url=emulator.base_url, timeout=10) as client:
            assert await client.ask("private") == emulated_text("private")
        assert len(emulator.requests) == 1
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.base_url
