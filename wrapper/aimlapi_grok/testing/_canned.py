"""Canned httpx responses shaped like the real API's, for respx routes and MockTransports."""

from __future__ import annotations

import json
from typing import Any

import httpx

from .._constants import (
    CHAT_COMPLETIONS_PATH,
    CREDITS_USED_HEADER,
    INFERENCE_ID_HEADER,
    USD_SPENT_HEADER,
)
from .._request import DEFAULT_MODEL
from ._answers import Answer, bare_model_name, completion_body, split_tokens, stream_chunks
from ._emulator import DEFAULT_CREATED, HTML_502, JSON_CONTENT_TYPE, SSE_CONTENT_TYPE, error_body

CANNED_INFERENCE_ID = "inf-canned-0001"


def _answer(text: str, tool_calls: list[dict[str, Any]] | None, prompt_tokens: int, reasoning_tokens: int) -> Answer:
    calls = [
        {"id": call.get("id", f"call_canned_{index}"), "type": "function", "function": dict(call["function"])}
        for index, call in enumerate(tool_calls or [])
    ]
    return Answer(
        id="chatcmpl-canned",
        model=bare_model_name(DEFAULT_MODEL or "model"),
        created=DEFAULT_CREATED,
        tokens=[] if calls else split_tokens(text),
        finish_reason="tool_calls" if calls else "stop",
        tool_calls=calls,
        prompt_tokens=prompt_tokens,
        reasoning_tokens=reasoning_tokens,
        logprobs_top=None,
    )


def completion_response(
    text: str = "Hello from the canned completion.",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    prompt_tokens: int = 10,
    reasoning_tokens: int = 0,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A 200 `chat.completion` with the tracing and cost headers.

    `tool_calls` items need `function: {name, arguments}` (and may carry `id`);
    with tool calls the message has no text and finish_reason is "tool_calls".
    """
    answer = _answer(text, tool_calls, prompt_tokens, reasoning_tokens)
    all_headers = {
        "content-type": JSON_CONTENT_TYPE,
        INFERENCE_ID_HEADER: CANNED_INFERENCE_ID,
        CREDITS_USED_HEADER: str(answer.credits_used),
        USD_SPENT_HEADER: f"{answer.usd_spent:.9f}",
        **(headers or {}),
    }
    return httpx.Response(200, headers=all_headers, content=json.dumps(completion_body(answer)).encode())


def stream_response(
    text: str = "Hello from the canned stream.",
    *,
    tool_calls: list[dict[str, Any]] | None = None,
    include_usage: bool = True,
    prompt_tokens: int = 10,
    reasoning_tokens: int = 0,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """A 200 `text/event-stream`: one content delta per word, the cost in the last chunk, then `[DONE]`."""
    answer = _answer(text, tool_calls, prompt_tokens, reasoning_tokens)
    events = [
        f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n"
        for chunk in stream_chunks(answer, include_usage=include_usage)
    ]
    body = "".join(events) + "data: [DONE]\n\n"
    all_headers = {"content-type": SSE_CONTENT_TYPE, INFERENCE_ID_HEADER: CANNED_INFERENCE_ID, **(headers or {})}
    return httpx.Response(200, headers=all_headers, content=body.encode())


def error_response(
    status: int,
    message: str | None = None,
    *,
    retry_after: str | int | None = None,
    html: bool = False,
    empty: bool = False,
) -> httpx.Response:
    """An error answer: the AIML error body, or an HTML proxy page (`html=True`), or no body (`empty=True`)."""
    headers = {} if retry_after is None else {"retry-after": str(retry_after)}
    if empty:
        return httpx.Response(status, headers=headers)
    if html:
        return httpx.Response(status, headers={"content-type": "text/html", **headers}, content=HTML_502.encode())
    body = error_body(status, message or f"HTTP {status} (canned)", CHAT_COMPLETIONS_PATH)
    return httpx.Response(
        status, headers={"content-type": JSON_CONTENT_TYPE, **headers}, content=json.dumps(body).encode()
    )
