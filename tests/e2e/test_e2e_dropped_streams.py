"""Streams that are dropped, broken out of or closed give their connection back (a pool of one proves it)."""

from __future__ import annotations

import asyncio
import gc
import warnings

import httpx
import pytest
from aimlapi_grok import AsyncGrok, AsyncStream, Grok
from aimlapi_grok.testing import EmulatorServer

QUESTION = [{"role": "user", "content": "Count to five."}]
ONE_CONNECTION = httpx.Limits(max_connections=1, max_keepalive_connections=1)
POOL_WAIT = httpx.Timeout(10.0, pool=2.0)  # a connection never given back fails the next call in 2 s


def one_connection_client(emulator: EmulatorServer) -> Grok:
    http = httpx.Client(limits=ONE_CONNECTION, timeout=POOL_WAIT)
    return Grok(api_key=emulator.api_key, base_url=emulator.base_url, http_client=http, max_retries=0)


def one_connection_async_client(emulator: EmulatorServer) -> AsyncGrok:
    http = httpx.AsyncClient(limits=ONE_CONNECTION, timeout=POOL_WAIT)
    return AsyncGrok(api_key=emulator.api_key, base_url=emulator.base_url, http_client=http, max_retries=0)


def test_a_dropped_sync_stream_is_closed_with_a_resource_warning(grok_emulator: EmulatorServer) -> None:
    """A stream never read nor closed warns (ResourceWarning) when collected and frees its connection."""
    client = one_connection_client(grok_emulator)
    held = [client.chat.completions.create(messages=QUESTION, stream=True)]
    with pytest.warns(ResourceWarning, match="never closed"):
        held.clear()  # the last reference: collected here
    gc.collect()
    assert client.chat.completions.create(messages=QUESTION).text
    client._http.close()


async def test_a_dropped_async_stream_is_closed_with_a_resource_warning(grok_emulator: EmulatorServer) -> None:
    """The async stream warns when collected and schedules aclose() on its loop: the next call gets the connection."""
    client = one_connection_async_client(grok_emulator)
    held = [await client.chat.completions.create(messages=QUESTION, stream=True)]
    with pytest.warns(ResourceWarning, match="never closed"):
        held.clear()  # the last reference: collected here
    await asyncio.sleep(0)
    assert (await client.chat.completions.create(messages=QUESTION)).text
    await client._http.aclose()


def test_break_in_a_sync_loop_closes_the_connection_at_once(grok_emulator: EmulatorServer) -> None:
    """`for chunk in stream: break` closes the connection (no warning); the next call reuses it."""
    client = one_connection_client(grok_emulator)
    stream = client.chat.completions.create(messages=QUESTION, stream=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResourceWarning)
        for _chunk in stream:
            break
        assert stream.closed
        assert not stream.result.completed
        assert client.chat.completions.create(messages=QUESTION).text
    client._http.close()


async def test_break_inside_async_with_closes_the_connection(grok_emulator: EmulatorServer) -> None:
    """`async with stream:` around an `async for ... break` closes the connection on leaving the block."""
    client = one_connection_async_client(grok_emulator)
    stream = await client.chat.completions.create(messages=QUESTION, stream=True)
    async with stream:
        async for _chunk in stream:
            break
    assert stream.closed
    assert (await client.chat.completions.create(messages=QUESTION)).text
    await client._http.aclose()


async def test_break_in_an_async_loop_closes_the_connection_a_few_loop_turns_later(
    grok_emulator: EmulatorServer,
) -> None:
    """`async for ... break` leaves the connection open at first; asyncio's finalizer closes it soon after."""
    client = one_connection_async_client(grok_emulator)
    stream = await client.chat.completions.create(messages=QUESTION, stream=True)
    async for _chunk in stream:
        break
    assert not is_closed(stream)  # not at the break itself...
    for _ in range(10):
        await asyncio.sleep(0)
        if is_closed(stream):
            break
    assert is_closed(stream)  # ...but once the event loop has run the generator's aclose()
    assert (await client.chat.completions.create(messages=QUESTION)).text
    await client._http.aclose()


def is_closed(stream: AsyncStream) -> bool:
    """`stream.closed` read through a call, so a type checker does not keep an earlier assert's narrowing."""
    return stream.closed
