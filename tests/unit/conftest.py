"""Shared fixtures for the client-core unit tests (respx-mocked, sync and async mirrored).

`client_kind` runs a test once with Grok and once with AsyncGrok; `make_api`
builds an `Api` adapter whose methods are awaitable for both, so one test body
checks both clients.
"""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import respx
import stamina
from aimlapi_grok import AsyncGrok, Grok

API_KEY = "sk-test-SECRET-KEY-0123456789abcdef"
BASE_URL = "https://api.aimlapi.com"
ENDPOINT = f"{BASE_URL}/v1/chat/completions"
USER_HI = [{"role": "user", "content": "hi"}]

COMPLETION: dict[str, Any] = {
    "id": "chatcmpl-8f2d1c0e",
    "object": "chat.completion",
    "created": 1762343744,
    "model": "x-ai/grok-4-1-fast-reasoning",
    "choices": [
        {
            "index": 0,
            "finish_reason": "stop",
            "logprobs": None,
            "message": {"role": "assistant", "content": "Hello! How can I help?", "refusal": None},
        }
    ],
    "usage": {
        "prompt_tokens": 12,
        "completion_tokens": 30,
        "total_tokens": 42,
        "completion_tokens_details": {"reasoning_tokens": 21},
    },
    "meta": {"usage": {"credits_used": 2480, "usd_spent": 0.00124}},
}


def completion_body(**overrides: Any) -> dict[str, Any]:
    """A realistic completion body (deep copy), top-level keys replaced by `overrides`."""
    body = copy.deepcopy(COMPLETION)
    body.update(overrides)
    return body


def chunk_body(content: str, **overrides: Any) -> dict[str, Any]:
    """A streamed chunk as the published spec describes it (one choice, a `content` delta), top-level keys replaced."""
    base = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "x-ai/grok-4-1-fast-reasoning",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": None}],
    }
    return base | overrides


def completion_response(
    body: dict[str, Any] | None = None,
    *,
    credits: str | None = "2480",
    usd: str | None = "0.001240000",
    inference_id: str = "inf-123",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A 200 JSON answer with the tracing and cost headers the API sends."""
    all_headers = {"x-inference-id": inference_id}
    if credits is not None:
        all_headers["x-aimlapi-credits-used"] = credits
    if usd is not None:
        all_headers["x-aimlapi-usd-spent"] = usd
    all_headers.update(headers or {})
    return httpx.Response(200, json=completion_body() if body is None else body, headers=all_headers)


def error_response(status: int, message: str = "boom", *, status_field: Any = None, **headers: str) -> httpx.Response:
    """An AIML error body (message, path, requestId, statusCode, timestamp)."""
    body = {
        "message": message,
        "path": "/v1/chat/completions",
        "requestId": "req-42",
        "statusCode": status if status_field is None else status_field,
        "timestamp": "2026-11-25T20:00:00.000Z",
    }
    return httpx.Response(status, json=body, headers=headers)


def sse_response(chunks: list[dict[str, Any]], *, done: bool = True) -> httpx.Response:
    """A text/event-stream answer carrying `chunks` (then `[DONE]`)."""
    lines = [f"data: {json.dumps(chunk)}\n\n" for chunk in chunks]
    if done:
        lines.append("data: [DONE]\n\n")
    return httpx.Response(200, content="".join(lines).encode(), headers={"content-type": "text/event-stream"})


def sent_json(call: Any) -> Any:
    """The JSON body of a recorded respx call."""
    return json.loads(call.request.content)


class Api:
    """One client (sync or async) behind awaitable methods, so a test body covers both."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("api_key", API_KEY)
        self.client: Grok | AsyncGrok = Grok(**kwargs) if kind == "sync" else AsyncGrok(**kwargs)

    async def _run(self, value: Any) -> Any:
        return await value if self.kind == "async" else value

    async def create(self, **kwargs: Any) -> Any:
        kwargs.setdefault("messages", USER_HI)
        return await self._run(self.client.chat.completions.create(**kwargs))

    async def raw(self, **kwargs: Any) -> Any:
        kwargs.setdefault("messages", USER_HI)
        return await self._run(self.client.chat.completions.with_raw_response.create(**kwargs))

    async def ask(self, prompt: str, **kwargs: Any) -> Any:
        return await self._run(self.client.ask(prompt, **kwargs))

    async def close(self) -> None:
        await self._run(self.client.close())

    async def read_stream(self, stream: Any) -> list[Any]:
        """Iterate a (sync or async) stream to its end inside its context manager."""
        if self.kind == "sync":
            with stream:
                return list(stream)
        async with stream:
            return [chunk async for chunk in stream]


@pytest.fixture(params=["sync", "async"])
def client_kind(request: pytest.FixtureRequest) -> str:
    """Run the test with Grok and with AsyncGrok."""
    return str(request.param)


@pytest.fixture
async def make_api(client_kind: str) -> AsyncIterator[Any]:
    """Factory of Api adapters of the current kind; closes them after the test."""
    made: list[Api] = []

    def factory(**kwargs: Any) -> Api:
        api = Api(client_kind, **kwargs)
        made.append(api)
        return api

    yield factory
    for api in made:
        await api.close()


@pytest.fixture
async def api(make_api: Any) -> Api:
    """A default client of the current kind (key set, default base URL)."""
    # typing: the factory fixture is typed Any (it builds sync or async wrappers)
    return make_api()  # type: ignore[no-any-return]


@pytest.fixture
def router() -> Iterator[respx.MockRouter]:
    """respx router for the API host; nothing reaches the network."""
    with respx.mock(base_url=BASE_URL, assert_all_called=False, assert_all_mocked=True) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No real sleeps between retries, no key or URL from the environment (fresh drift reports: tests/conftest.py)."""
    monkeypatch.delenv("AIMLAPI_API_KEY", raising=False)
    monkeypatch.delenv("AIMLAPI_BASE_URL", raising=False)
    # Test mode: stamina waits 0 s but keeps our attempt limit (cap=True); the waits we
    # compute are still logged (record.retry_wait) for the tests to check.
    with stamina.set_testing(True, attempts=1000, cap=True):
        yield
