"""Over loopback HTTP, a complete async stream leaves no httpx body generator for asyncio to finalize."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import sys
from collections.abc import Callable, Iterator
from typing import Any

from aimlapi_grok import AsyncGrok

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
