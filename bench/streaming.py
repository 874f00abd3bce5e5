"""Streaming throughput: one pre-built SSE body of many chunks, parsed end to end by each client."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from ._fixtures import API_KEY, BASE_URL, MESSAGES, MODEL, load_clients, sse_body, stream_event_count, stream_transport
from ._report import Row, verdict
from ._timing import Case, Timings, run_interleaved

TARGET = 0.8  # issue 11
FLOOR = "raw httpx + httpx-sse + json"
WRAPPER = "aimlapi_grok (Grok)"

Setup = tuple[Callable[[], object], Callable[[], None]]


def section(chunks: int) -> str:
    return f"Streaming throughput ({chunks:,}-chunk SSE stream, chunks per CPU second; higher is better)"


def _raw_httpx(body: bytes) -> Callable[[], Setup]:
    def setup() -> Setup:
        from httpx_sse import EventSource

        client = httpx.Client(
            base_url=BASE_URL, transport=stream_transport(body), headers={"Authorization": f"Bearer {API_KEY}"}
        )

        def consume() -> object:
            parts: list[str] = []
            request = {"model": MODEL, "messages": MESSAGES, "stream": True}
            with client.stream("POST", "/v1/chat/completions", json=request) as response:
                response.raise_for_status()
                for event in EventSource(response).iter_sse():
                    if event.data == "[DONE]":
                        break
                    chunk = json.loads(event.data)
                    for choice in chunk["choices"]:
                        content = choice["delta"].get("content")
                        if content:
                            parts.append(content)
            return "".join(parts)

        return consume, client.close

    return setup


def _wrapper(body: bytes, *, text_only: bool = False) -> Callable[[], Setup]:
    def setup() -> Setup:
        Grok, _ = load_clients()

        client = Grok(api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client(transport=stream_transport(body)))

        def consume() -> object:
            stream = client.chat.completions.create(messages=MESSAGES, model=MODEL, stream=True)
            with stream:
                for _ in stream.iter_text() if text_only else stream:
                    pass
            return stream.result.text

        return consume, client.close

    return setup


def _openai(body: bytes) -> Callable[[], Setup]:
    def setup() -> Setup:
        import openai

        # openai 3.x is typed for httpx2's Client but drives an httpx.Client as well (the transport sees the calls).
        http = httpx.Client(transport=stream_transport(body))
        # typing: openai-python types http_client with its own httpx stub version
        client = openai.OpenAI(api_key=API_KEY, base_url=f"{BASE_URL}/v1", http_client=http)  # type: ignore[arg-type]

        def consume() -> object:
            parts: list[str] = []
            # typing: openai-python's overloads want its own TypedDicts; the benchmark sends plain dicts
            stream: Any = client.chat.completions.create(model=MODEL, messages=MESSAGES, stream=True)  # type: ignore[arg-type]
            with stream:
                for chunk in stream:
                    for choice in chunk.choices:
                        if choice.delta.content:
                            parts.append(choice.delta.content)
            return "".join(parts)

        return consume, client.close

    return setup


def run(*, quick: bool) -> list[Row]:
    """Measure every case side by side; rows in chunks per second."""
    content_chunks = 2_000 if quick else 20_000
    rounds = 2 if quick else 7
    body = sse_body(content_chunks)
    cases = [
        Case(FLOOR, _raw_httpx(body), "iter_sse + json.loads + join the text"),
        Case(WRAPPER, _wrapper(body), "typed chunks + assembled StreamResult"),
        Case(f"{WRAPPER} iter_text()", _wrapper(body, text_only=True), "text deltas, no typed chunks + StreamResult"),
        Case("openai-python", _openai(body), "openai.OpenAI stream on the same transport"),
    ]
    results = run_interleaved(cases, rounds=rounds, ops_per_round=1, warmup=1)
    return rows_from(results, events=stream_event_count(content_chunks), content_chunks=content_chunks, rounds=rounds)


def rows_from(results: list[Timings], *, events: int, content_chunks: int, rounds: int) -> list[Row]:
    """Chunks per second for each case, with the ratio to the raw floor (higher is better)."""
    name = section(content_chunks)
    floor = next((t for t in results if t.name == FLOOR and t.samples), None)
    rows = []
    for timings in results:
        if timings.error is not None or not timings.samples:
            rows.append(Row(name, timings.name, None, "chunks/s", detail=timings.error or "no samples"))
            continue
        rate = events / timings.best
        ratio = floor.best / timings.best if floor is not None else None
        is_wrapper = timings.name == WRAPPER
        rows.append(
            Row(
                name,
                timings.name,
                rate,
                "chunks/s",
                ratio=ratio,
                target=f">= {TARGET}x" if is_wrapper else "",
                verdict=verdict(ratio, at_least=TARGET) if is_wrapper else "",
                detail=(
                    f"{timings.best * 1e3:.0f} ms CPU per stream, best of {rounds} (median {timings.median * 1e3:.0f});"
                    f" {timings.note}"
                ),
            )
        )
    return rows
