"""The emulator's answers to any request the spec allows: spec-valid (published variant), streamed chunk by
chunk, consistent between JSON and stream, and deterministic."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from aimlapi_grok._schema import schema_document
from aimlapi_grok.testing import Emulator, assert_valid_response, assert_valid_stream
from hypothesis import HealthCheck, Phase, given, settings

from .contract_support import PROPERTY_EXAMPLES, RUN_COUNTS
from .json_strategies import values_of

EMULATOR = Emulator()
HEADERS = {"Authorization": "Bearer any-key", "X-Client-Request-Id": "contract.run:1"}
PATH = "/v1/chat/completions"


def answer(body: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    planned = EMULATOR.handle("POST", PATH, HEADERS, json.dumps(body).encode())
    return planned.status, dict(planned.headers), planned.body


def check_stream_shape(chunks: list[dict[str, Any]], include_usage: bool) -> None:
    """First chunk carries the role; finish_reason stays null until the finish chunk; usage chunk last."""
    choice_chunks = [chunk for chunk in chunks if chunk["choices"]]
    assert choice_chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert all("role" not in chunk["choices"][0]["delta"] for chunk in choice_chunks[1:])
    assert all(chunk["choices"][0]["finish_reason"] is None for chunk in choice_chunks[:-1])
    assert choice_chunks[-1]["choices"][0]["finish_reason"] is not None
    if include_usage:
        assert chunks[-1]["choices"] == []
        assert chunks[-1]["usage"]["total_tokens"] > 0
    else:
        assert all("usage" not in chunk for chunk in chunks)
    assert "meta" in chunks[-1]
    assert all("meta" not in chunk for chunk in chunks[:-1])


def assembled(chunks: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Text and tool calls put back together from the deltas (arguments joined per index)."""
    text, calls = "", dict[int, dict[str, Any]]()
    for chunk in chunks:
        for choice in chunk["choices"]:
            delta = choice["delta"]
            text += delta.get("content") or ""
            for fragment in delta.get("tool_calls") or []:
                call = calls.setdefault(fragment["index"], {"function": {"arguments": ""}})
                call.update({key: fragment[key] for key in ("id", "type") if key in fragment})
                function = fragment.get("function", {})
                if "name" in function:
                    call["function"]["name"] = function["name"]
                call["function"]["arguments"] += function.get("arguments", "")
    ordered = [calls[index] for index in sorted(calls)]
    return text, [{"id": c["id"], "type": c["type"], "function": c["function"]} for c in ordered]


@settings(
    max_examples=max(PROPERTY_EXAMPLES // 2, 100),
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
@given(values_of(schema_document()["tolerant"], "ChatCompletionRequest"))
def test_every_allowed_request_gets_a_spec_valid_consistent_answer(body: dict[str, Any]) -> None:
    """JSON and streamed answers to any allowed request keep the published schemas and agree with each other."""
    status, headers, payload = answer({**body, "stream": False})
    assert status == 200, payload
    assert_valid_response(payload, "ChatCompletion", variant="published")
    completion = json.loads(payload)
    assert answer({**body, "stream": False})[2] == payload  # deterministic
    assert completion["model"] == "grok-4-1-fast-reasoning"
    assert headers["x-client-request-id"] == HEADERS["X-Client-Request-Id"]
    assert int(headers["x-aimlapi-credits-used"]) == completion["meta"]["usage"]["credits_used"]
    assert Decimal(headers["x-aimlapi-usd-spent"]) == Decimal(str(completion["meta"]["usage"]["usd_spent"]))

    include_usage = (body.get("stream_options") or {}).get("include_usage") is True
    status, headers, payload = answer({**body, "stream": True})
    assert status == 200, payload
    assert headers["content-type"].startswith("text/event-stream")
    assert "x-aimlapi-credits-used" not in headers
    assert "x-aimlapi-usd-spent" not in headers
    chunks = assert_valid_stream(payload, variant="published")
    check_stream_shape(chunks, include_usage)
    text, tool_calls = assembled(chunks)
    message = completion["choices"][0]["message"]
    assert text == (message["content"] or "")
    assert tool_calls == message.get("tool_calls", [])
    for call in tool_calls:
        assert isinstance(json.loads(call["function"]["arguments"]), dict)
    assert chunks[-1]["meta"]["usage"]["credits_used"] == completion["meta"]["usage"]["credits_used"]
    if include_usage:
        assert chunks[-1]["usage"] == completion["usage"]
    RUN_COUNTS["property examples: emulator JSON + stream answers (published schemas)"] += 1
