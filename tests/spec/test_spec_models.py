"""The generated models parse completions and chunks written from the spec, keep unknown fields and round-trip."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from aimlapi_grok_api.models import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    Choice,
    CostUsage,
    Delta,
    FunctionCall,
    FunctionCallDelta,
    ResponseMeta,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from aimlapi_grok_api.types import UNSET

BASE = {
    "id": "chatcmpl-CQ9FPg3osank0dx0k46Z53LTqtXMl",
    "object": "chat.completion",
    "created": 1762343744,
    "model": "grok-4-1-fast-reasoning",
}
USAGE = {
    "prompt_tokens": 14,
    "completion_tokens": 183,
    "total_tokens": 197,
    "completion_tokens_details": {"reasoning_tokens": 171},
    "prompt_tokens_details": {"cached_tokens": 0},
}
PLAIN: dict[str, Any] = {
    **BASE,
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Paris is the capital of France."},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
    "usage": USAGE,
}
TOOL_CALL: dict[str, Any] = {
    **BASE,
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_01",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
            "finish_reason": "tool_calls",
        }
    ],
    "usage": USAGE,
}
WITH_COST: dict[str, Any] = {**PLAIN, "meta": {"usage": {"credits_used": 2480, "usd_spent": 0.00124}}}
EXAMPLES = {"plain": PLAIN, "tool_call": TOOL_CALL, "with_cost": WITH_COST}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_completion_round_trips(name: str) -> None:
    """Each example parses into ChatCompletion and serializes back to the same JSON."""
    example = EXAMPLES[name]
    completion = ChatCompletion.from_dict(copy.deepcopy(example))
    assert completion.to_dict() == example


def test_plain_answer_is_typed() -> None:
    """The plain answer's text, finish reason and token counts are typed attributes."""
    completion = ChatCompletion.from_dict(PLAIN)
    assert isinstance(completion.choices, list)
    choice = completion.choices[0]
    assert isinstance(choice, Choice)
    assert isinstance(choice.message, ChatCompletionMessage)
    assert choice.message.content == "Paris is the capital of France."
    assert choice.finish_reason == "stop"
    assert choice.logprobs is None
    assert isinstance(completion.usage, Usage)
    assert completion.usage.total_tokens == 197
    assert completion.meta is UNSET


def test_tool_call_answer_has_null_content_and_a_typed_call() -> None:
    """content null (corrected in the spec) parses as None next to a typed ToolCall."""
    completion = ChatCompletion.from_dict(TOOL_CALL)
    assert isinstance(completion.choices, list)
    message = completion.choices[0].message
    assert isinstance(message, ChatCompletionMessage)
    assert message.content is None
    assert isinstance(message.tool_calls, list)
    call = message.tool_calls[0]
    assert isinstance(call, ToolCall)
    assert call.id == "call_01"
    assert isinstance(call.function, FunctionCall)
    assert call.function.name == "get_weather"
    assert call.function.arguments == '{"city": "Paris"}'


def test_cost_is_read_from_meta_usage() -> None:
    """meta.usage carries credits_used and usd_spent as typed fields."""
    completion = ChatCompletion.from_dict(WITH_COST)
    assert isinstance(completion.meta, ResponseMeta)
    assert isinstance(completion.meta.usage, CostUsage)
    assert completion.meta.usage.credits_used == 2480
    assert completion.meta.usage.usd_spent == pytest.approx(0.00124)


def test_unknown_fields_are_kept_at_every_level() -> None:
    """Fields the spec does not list survive in additional_properties and in to_dict."""
    example = copy.deepcopy(PLAIN)
    example["system_fingerprint"] = "fp_3a2b"
    example["choices"][0]["message"]["reasoning_content"] = "The user asks for a capital."
    example["usage"]["num_sources_used"] = 0
    completion = ChatCompletion.from_dict(copy.deepcopy(example))
    assert completion.additional_properties == {"system_fingerprint": "fp_3a2b"}
    assert isinstance(completion.choices, list)
    message = completion.choices[0].message
    assert isinstance(message, ChatCompletionMessage)
    assert message.additional_properties == {"reasoning_content": "The user asks for a capital."}
    assert isinstance(completion.usage, Usage)
    assert completion.usage.additional_properties == {"num_sources_used": 0}
    assert completion.to_dict() == example


def test_missing_published_fields_do_not_crash_parsing() -> None:
    """A completion lacking fields the published spec requires (drift) still parses; they read as UNSET."""
    drifted = {"object": "chat.completion", "choices": [{"message": {"content": "hi"}}]}
    completion = ChatCompletion.from_dict(copy.deepcopy(drifted))
    assert completion.id is UNSET
    assert completion.usage is UNSET
    assert completion.to_dict() == drifted


STREAM: list[dict[str, Any]] = [
    {
        **BASE,
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}],
    },
    {
        **BASE,
        "object": "chat.completion.chunk",
        "choices": [{"index": 0, "delta": {"content": "Par"}, "finish_reason": None}],
    },
    {
        **BASE,
        "object": "chat.completion.chunk",
        "choices": [
            {
                "index": 0,
                "delta": {"tool_calls": [{"index": 0, "function": {"arguments": '{"ci'}}]},
                "finish_reason": None,
            }
        ],
    },
    {
        **BASE,
        "object": "chat.completion.chunk",
        "choices": [],
        "usage": USAGE,
        "meta": {"usage": {"credits_used": 2480, "usd_spent": 0.00124}},
    },
]


@pytest.mark.parametrize("index", range(len(STREAM)))
def test_stream_chunks_parse_and_round_trip(index: int) -> None:
    """Role-only, content-only, tool-fragment and final usage+cost chunks parse and serialize back unchanged."""
    chunk = ChatCompletionChunk.from_dict(copy.deepcopy(STREAM[index]))
    assert chunk.to_dict() == STREAM[index]


def test_stream_fragments_are_typed() -> None:
    """A tool-call fragment is a ToolCallDelta with only index and an arguments piece; the final chunk has cost."""
    fragment = ChatCompletionChunk.from_dict(STREAM[2])
    assert isinstance(fragment.choices, list)
    delta = fragment.choices[0].delta
    assert isinstance(delta, Delta)
    assert isinstance(delta.tool_calls, list)
    piece = delta.tool_calls[0]
    assert isinstance(piece, ToolCallDelta)
    assert piece.index == 0
    assert piece.id is UNSET
    assert isinstance(piece.function, FunctionCallDelta)
    assert piece.function.arguments == '{"ci'
    final = ChatCompletionChunk.from_dict(STREAM[-1])
    assert final.choices == []
    assert isinstance(final.meta, ResponseMeta)
    assert isinstance(final.meta.usage, CostUsage)
    assert final.meta.usage.credits_used == 2480


def test_null_finish_reason_and_service_tier_parse_as_none() -> None:
    """The nullable chunk enums accept null (typed `Enum | None`) and still check real values."""
    chunk = ChatCompletionChunk.from_dict(copy.deepcopy({**STREAM[1], "service_tier": None}))
    assert chunk.service_tier is None
    assert isinstance(chunk.choices, list)
    assert chunk.choices[0].finish_reason is None
    last = ChatCompletionChunk.from_dict(
        {**STREAM[1], "service_tier": "default", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    )
    assert last.service_tier == "default"
    assert isinstance(last.choices, list)
    assert last.choices[0].finish_reason == "stop"
