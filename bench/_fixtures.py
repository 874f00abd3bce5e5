"""Shared benchmark inputs: a realistic request, completion, SSE body, and mock transports."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

BASE_URL = "http://127.0.0.1:9"  # loopback discard port: never contacted (MockTransport answers)
API_KEY = "bench-key-not-a-secret"
MODEL = "x-ai/grok-4-1-fast-reasoning"
SSE_PIECE_BYTES = 16 * 1024  # the body is handed out in network-sized reads

MESSAGES: list[dict[str, Any]] = [
    {"role": "system", "content": "You are a concise assistant. Answer in plain prose."},
    {"role": "user", "content": "Explain in two sentences why streaming matters for chat UIs."},
]
REQUEST_PARAMS: dict[str, Any] = {"max_tokens": 256, "temperature": 0.7}

ANSWER = (
    "Streaming lets a chat UI show the first words within a few hundred milliseconds instead of waiting "
    "for the whole answer, so the user sees progress and can start reading right away. It also lets the "
    "user stop a long or off-track answer early, which saves time and tokens."
)


def load_clients() -> tuple[Any, Any]:
    """(Grok, AsyncGrok): the public names, or the private modules while the package does not export them yet."""
    try:
        # typing: while the package did not export them (older checkouts), these names were missing
        from aimlapi_grok import AsyncGrok, Grok  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        from aimlapi_grok._async_client import AsyncGrok
        from aimlapi_grok._client import Grok
    return Grok, AsyncGrok


def completion_dict() -> dict[str, Any]:
    """A completion as the API sends it: reasoning usage, cost meta, bare model name."""
    return {
        "id": "chatcmpl-5d1e7c0a-2b8f-4c51-9a0e-3f6d7e8b9c01",
        "object": "chat.completion",
        "created": 1764100000,
        "model": "grok-4-1-fast-reasoning",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": ANSWER, "refusal": None},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {
            "prompt_tokens": 41,
            "completion_tokens": 187,
            "total_tokens": 228,
            "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
            "completion_tokens_details": {
                "reasoning_tokens": 129,
                "audio_tokens": 0,
                "accepted_prediction_tokens": 0,
                "rejected_prediction_tokens": 0,
            },
        },
        "system_fingerprint": "fp_bench",
        "meta": {"usage": {"credits_used": 1186, "usd_spent": 0.000593}},
    }


COMPLETION_BODY = json.dumps(completion_dict()).encode()
COMPLETION_HEADERS = {
    "content-type": "application/json",
    "x-inference-id": "inf-0b6f1c2e-8d4a-4e57-b1a9-6c3d2e1f0a9b",
    "x-aimlapi-credits-used": "1186",
    "x-aimlapi-usd-spent": "0.000593000",
}
STREAM_HEADERS = {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-inference-id": "inf-5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
}


def _chunk(index: int, delta: dict[str, Any], finish: str | None) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stream-bench",
        "object": "chat.completion.chunk",
        "created": 1764100000,
        "model": "grok-4-1-fast-reasoning",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        "system_fingerprint": "fp_bench",
    }


def sse_body(content_chunks: int) -> bytes:
    """An SSE body: a role chunk, `content_chunks` content chunks, a finish chunk, a usage+cost chunk, [DONE]."""
    words = ANSWER.split(" ")
    events = [_chunk(0, {"role": "assistant", "content": ""}, None)]
    events.extend(_chunk(0, {"content": words[i % len(words)] + " "}, None) for i in range(content_chunks))
    events.append(_chunk(0, {}, "stop"))
    final = _chunk(0, {}, None)
    final["choices"] = []
    final["usage"] = {
        "prompt_tokens": 41,
        "completion_tokens": content_chunks,
        "total_tokens": 41 + content_chunks,
        "completion_tokens_details": {"reasoning_tokens": 129},
    }
    final["meta"] = {"usage": {"credits_used": 1186, "usd_spent": 0.000593}}
    events.append(final)
    lines = [f"data: {json.dumps(event, separators=(',', ':'))}\n\n" for event in events]
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def stream_event_count(content_chunks: int) -> int:
    """The number of JSON chunks `sse_body(content_chunks)` carries (without [DONE])."""
    return content_chunks + 3


def _pieces(body: bytes) -> list[bytes]:
    return [body[i : i + SSE_PIECE_BYTES] for i in range(0, len(body), SSE_PIECE_BYTES)]


class _PieceStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body handed out in fixed-size pieces, like reads from a socket."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


def completion_transport() -> httpx.MockTransport:
    """A transport that answers every request with the realistic completion and its cost headers."""

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=COMPLETION_HEADERS, content=COMPLETION_BODY)

    return httpx.MockTransport(handler)


def stream_transport(body: bytes) -> httpx.MockTransport:
    """A transport that answers every request with the pre-built SSE body, in network-sized pieces."""
    pieces = _pieces(body)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=STREAM_HEADERS, stream=_PieceStream(pieces))

    return httpx.MockTransport(handler)
