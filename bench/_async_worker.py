"""One async concurrency case in its own process (so peak memory is its own): `python -m bench._async_worker`.

Opens N streams at once against an emulator over loopback, reads them to the end,
and prints one JSON line: elapsed seconds, streams completed, chunks read,
errors, CPU seconds, and resident memory (baseline after imports, peak).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

FAULT_HEADER = "X-Emulator-Fault"
MESSAGES = [{"role": "user", "content": "Explain in two sentences why streaming matters for chat UIs."}]
MODEL = "x-ai/grok-4-1-fast-reasoning"


def _status_kib(field: str) -> int:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM peak), in KiB.

    VmHWM, not getrusage's ru_maxrss: on Linux ru_maxrss keeps the high-water mark
    of the forking parent across exec, so a child would report the parent's size.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # elsewhere: the best there is


def _http_limits(streams: int) -> httpx.Limits:
    return httpx.Limits(max_connections=streams, max_keepalive_connections=streams)


Runner = Callable[[argparse.Namespace, dict[str, str], Callable[[], None]], Awaitable[tuple[int, list[str]]]]


async def _gather(n: int, one: Callable[[], Awaitable[int]]) -> tuple[int, list[str]]:
    results = await asyncio.gather(*(one() for _ in range(n)), return_exceptions=True)
    errors = [f"{type(r).__name__}: {r}" for r in results if isinstance(r, BaseException)]
    return sum(r for r in results if isinstance(r, int)), errors


async def _raw(
    args: argparse.Namespace, headers: dict[str, str], start_clock: Callable[[], None]
) -> tuple[int, list[str]]:
    from httpx_sse import EventSource

    request = {"model": MODEL, "messages": MESSAGES, "stream": True}
    async with httpx.AsyncClient(
        base_url=args.base_url,
        headers={"Authorization": f"Bearer {args.api_key}"},
        limits=_http_limits(args.streams),
        timeout=args.timeout,
    ) as client:

        async def one() -> int:
            count = 0
            async with client.stream("POST", "/v1/chat/completions", json=request, headers=headers) as response:
                response.raise_for_status()
                async for event in EventSource(response).aiter_sse():
                    if event.data == "[DONE]":
                        break
                    json.loads(event.data)
                    count += 1
            return count

        await one()  # warm-up: first-use imports and the first connection are not measured
        start_clock()
        return await _gather(args.streams, one)


async def _wrapper(
    args: argparse.Namespace, headers: dict[str, str], start_clock: Callable[[], None]
) -> tuple[int, list[str]]:
    from bench._fixtures import load_clients

    _, async_grok = load_clients()
    http = httpx.AsyncClient(limits=_http_limits(args.streams), timeout=args.timeout)
    async with http, async_grok(api_key=args.api_key, base_url=args.base_url, http_client=http) as client:

        async def one() -> int:
            stream = await client.chat.completions.create(messages=MESSAGES, stream=True, extra_headers=headers)
            async with stream:
                async for _ in stream:
                    pass
            return int(stream.result.chunk_count)

        await one()  # warm-up, as for raw
        start_clock()
        return await _gather(args.streams, one)


async def _openai(
    args: argparse.Namespace, headers: dict[str, str], start_clock: Callable[[], None]
) -> tuple[int, list[str]]:
    import openai

    http = httpx.AsyncClient(limits=_http_limits(args.streams), timeout=args.timeout)
    client = openai.AsyncOpenAI(
        api_key=args.api_key,
        base_url=f"{args.base_url}/v1",
        http_client=http,  # type: ignore[arg-type]  # typed for httpx2, drives an httpx.AsyncClient as well
        max_retries=0,
    )
    async with http:

        async def one() -> int:
            count = 0
            stream: Any = await client.chat.completions.create(
                model=MODEL,
                # typing: openai-python's overloads want its own TypedDicts; the benchmark sends plain dicts
                messages=MESSAGES,  # type: ignore[arg-type]
                stream=True,
                extra_headers=headers,
            )
            async with stream:
                async for _ in stream:
                    count += 1
            return count

        await one()  # warm-up, as for raw
        start_clock()
        return await _gather(args.streams, one)


RUNNERS: dict[str, Runner] = {"raw": _raw, "wrapper": _wrapper, "openai": _openai}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench._async_worker")
    parser.add_argument("--client", choices=sorted(RUNNERS), required=True)
    parser.add_argument("--streams", type=int, required=True)
    parser.add_argument("--chunks", type=int, required=True, help="content chunks per stream")
    parser.add_argument("--chunk-delay", type=float, default=0.0, help="seconds between streamed events")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--api-key", required=True)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    fault = f"chunks={args.chunks}" + (f";chunk-delay={args.chunk_delay}" if args.chunk_delay else "")
    headers = {FAULT_HEADER: fault}
    run = RUNNERS[args.client]
    clock: dict[str, float] = {}

    def start_clock() -> None:
        clock["baseline_rss_kib"] = _status_kib("VmRSS")
        clock["cpu"] = time.process_time()
        clock["wall"] = time.perf_counter()

    chunks, errors = asyncio.run(asyncio.wait_for(run(args, headers, start_clock), timeout=args.timeout * 2))
    elapsed = time.perf_counter() - clock["wall"]
    cpu = time.process_time() - clock["cpu"]
    baseline = int(clock["baseline_rss_kib"])
    out: dict[str, Any] = {
        "elapsed_s": elapsed,
        "cpu_s": cpu,
        "chunks": chunks,
        "streams_ok": args.streams - len(errors),
        "errors": errors[:3],
        "error_count": len(errors),
        "baseline_rss_kib": baseline,
        "peak_rss_kib": _status_kib("VmHWM"),
    }
    sys.stdout.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
