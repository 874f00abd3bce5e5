"""Fuzz: hostile completions and streams through create() and every result accessor raise only library errors.

`make test` runs a fixed-seed share (FUZZ_COMPLETIONS / FUZZ_STREAMS below);
`make fuzz` runs the full count (10,000 completions, 3,000 streams) with a
random seed, printed so a failure can be replayed with FUZZ_SEED=<seed>.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import traceback
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx
from aimlapi_grok import (
    AsyncGrok,
    DriftWarning,
    Grok,
    GrokError,
    assistant_message_from,
    parse_tool_calls,
)
from aimlapi_grok._cli_chat import _json_text, usage_counts
from aimlapi_grok_api.models import ChatCompletion

from .fuzz_support import PieceStream, hostile_completion, hostile_stream, seed_answers

FULL = os.environ.get("FUZZ_FULL") == "1"
SEED = int(os.environ.get("FUZZ_SEED", "20261130"))
FUZZ_COMPLETIONS = 10_000 if FULL else 1_000
FUZZ_STREAMS = 3_000 if FULL else 300
KEY = "sk-fuzz-0123456789"
USER = [{"role": "user", "content": "hi"}]


class Failures:
    """Exceptions that are not the library's own, with the case that raised them (the first few kept)."""

    def __init__(self) -> None:
        self.count = 0
        self.kinds: dict[str, int] = {}
        self.first: list[str] = []

    def run(self, case: int, step: Callable[[], Any]) -> None:
        try:
            step()
        except GrokError:
            pass
        except Exception as exc:
            self.record(case, exc)

    async def arun(self, case: int, step: Callable[[], Awaitable[Any]]) -> None:
        try:
            await step()
        except GrokError:
            pass
        except Exception as exc:
            self.record(case, exc)

    def record(self, case: int, exc: Exception) -> None:
        self.count += 1
        kind = f"{type(exc).__name__}: {str(exc)[:120]}"
        self.kinds[kind] = self.kinds.get(kind, 0) + 1
        if len(self.first) < 5:
            self.first.append(f"case {case}: {''.join(traceback.format_exception(exc))[-1500:]}")

    def report(self, what: str, total: int, seed: int) -> str:
        kinds = "\n".join(f"  {count} x {kind}" for kind, count in sorted(self.kinds.items(), key=lambda i: -i[1]))
        return (
            f"{self.count} non-library exceptions in {total} hostile {what} (FUZZ_SEED={seed}):\n{kinds}\n"
            + "\n".join(self.first)
        )


def _read_everything(result: Any) -> None:
    """Every accessor of a result, as an app (and the CLI's --json) would use them."""
    for name in ("text", "finish_reason", "usage", "tool_calls", "usd_spent", "credits_used", "reasoning_tokens"):
        getattr(result, name)
    repr(result)
    for field in attrs.fields(ChatCompletion):  # the completion's fields as result attributes (openai-python habit)
        getattr(result, field.name)
    result.to_dict()
    result.to_json()
    result.model_dump_json()
    completion = getattr(result, "completion", None)
    if completion is not None:
        _json_text(completion.to_dict())
        usage_counts(result.usage)
        repr(result.info)
    for helper in (parse_tool_calls, assistant_message_from):
        with contextlib.suppress(GrokError):
            helper(result)


def test_fuzz_hostile_completions(capsys: Any) -> None:
    """Thousands of mutated completions (bodies, statuses, cost headers), sync and async: only library errors."""
    rng = random.Random(SEED)
    seeds = seed_answers()
    failures = Failures()
    answers: list[tuple[int, dict[str, str], bytes]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers, body = answers.pop()
        return httpx.Response(status, headers=headers, content=body)

    transport = httpx.MockTransport(answer)
    client = Grok(api_key=KEY, max_retries=0, http_client=httpx.Client(transport=transport))
    aclient = AsyncGrok(api_key=KEY, max_retries=0, http_client=httpx.AsyncClient(transport=transport))

    async def async_case() -> None:
        _read_everything(await aclient.chat.completions.create(messages=USER))

    async def run_all() -> None:
        for case in range(FUZZ_COMPLETIONS):
            answers.append(hostile_completion(rng, seeds))
            if case % 8 == 7:
                await failures.arun(case, async_case)
            else:
                failures.run(case, lambda: _read_everything(client.chat.completions.create(messages=USER)))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        asyncio.run(run_all())
    assert client.total_usd_spent + aclient.total_usd_spent >= 0  # the totals stay usable
    with capsys.disabled():
        print(f"\nfuzz: {FUZZ_COMPLETIONS} hostile completions, seed {SEED}")
    assert failures.count == 0, failures.report("completions", FUZZ_COMPLETIONS, SEED)


def test_fuzz_hostile_streams(capsys: Any) -> None:
    """Thousands of mutated event streams (chunks and SSE framing), sync and async: only library errors."""
    rng = random.Random(SEED + 1)
    seeds = seed_answers()
    failures = Failures()
    bodies: list[tuple[dict[str, str], list[bytes]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        headers, pieces = bodies.pop()
        return httpx.Response(200, headers=headers, stream=PieceStream(pieces))

    transport = httpx.MockTransport(answer)
    client = Grok(api_key=KEY, max_retries=0, http_client=httpx.Client(transport=transport))
    aclient = AsyncGrok(api_key=KEY, max_retries=0, http_client=httpx.AsyncClient(transport=transport))

    def sync_case(mode: int) -> None:
        with client.chat.completions.create(messages=USER, stream=True) as stream:
            if mode == 0:
                for chunk in stream:
                    chunk.to_dict()
            elif mode == 1:
                for _ in stream.iter_text():
                    pass
            else:
                stream.get_final_result()
        _read_everything(stream.result)

    async def async_case() -> None:
        stream = await aclient.chat.completions.create(messages=USER, stream=True)
        async with stream:
            async for chunk in stream:
                chunk.to_dict()
        _read_everything(stream.result)

    async def run_all() -> None:
        for case in range(FUZZ_STREAMS):
            bodies.append(hostile_stream(rng, seeds))
            if case % 4 == 3:
                await failures.arun(case, async_case)
            else:
                # typing: a lambda with a default (it binds the loop variable) is no zero-argument Callable to mypy
                failures.run(case, lambda case=case: sync_case(case % 3))  # type: ignore[misc]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        asyncio.run(run_all())
    with capsys.disabled():
        print(f"\nfuzz: {FUZZ_STREAMS} hostile streams, seed {SEED}")
    assert failures.count == 0, failures.report("streams", FUZZ_STREAMS, SEED)
