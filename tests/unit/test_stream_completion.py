"""StreamResult read as the non-streamed completion it stands for: typed fields and the assembled JSON."""

from __future__ import annotations

import json
from typing import Any

import attrs
import pytest
from aimlapi_grok._errors import StreamError
from aimlapi_grok._stream_result import StreamResult
from aimlapi_grok_api.models import ChatCompletion, CostUsage, ToolCall, Usage
from aimlapi_grok_api.types import UNSET

from .test_streaming_accumulator import chunk, feed, usage_chunk


def tool_stream() -> list[Any]:
    """A streamed answer with text, one tool call in fragments, a usage chunk with cost, then [DONE]."""
    call = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    return [
        chunk("", delta={"role": "assistant"}, system_fingerprint="fp_9"),
        chunk("Let me check."),
        chunk(delta={"tool_calls": [call]}),
        chunk(delta={"tool_calls": [{"index": 0, "function": {"arguments": '{"city": "Paris"}'}}]}),
        chunk(finish="tool_calls"),
        usage_chunk(credits_used=2480, usd_spent=0.00124),
        "[DONE]",
    ]


def test_the_assembled_answer_reads_like_a_non_streamed_completion() -> None:
    """choices[0].message (role, content, tool_calls), finish_reason, usage, created and meta are typed."""
    result = feed(tool_stream()).snapshot()
    message = result.choices[0].message
    assert (message.role, message.content) == ("assistant", "Let me check.")
    assert isinstance(message.tool_calls[0], ToolCall)
    assert (message.tool_calls[0].id, message.tool_calls[0].function.name) == ("call_a", "get_weather")
    assert message.tool_calls[0].function.arguments == '{"city": "Paris"}'
    assert result.choices[0].finish_reason == "tool_calls"
    assert result.choices[0].index == 0
    assert isinstance(result.usage, Usage)
    assert result.usage.total_tokens == 42
    assert result.created == 1762343744
    assert isinstance(result.meta.usage, CostUsage)
    assert result.meta.usage.credits_used == 2480
    assert result.object_ == "chat.completion"
    assert result.additional_properties == {"system_fingerprint": "fp_9"}


def test_every_generated_field_reads_through_to_the_completion() -> None:
    """Each field of the generated ChatCompletion that StreamResult does not define reads from `completion`."""
    result = feed(tool_stream()).snapshot()
    own = {field.name for field in StreamResult.__dataclass_fields__.values()}
    for field in attrs.fields(ChatCompletion):
        if field.name not in own:
            assert getattr(result, field.name) == getattr(result.completion, field.name), field.name


def test_to_dict_is_the_completion_json_of_the_stream() -> None:
    """to_dict()/to_json() give the non-streamed shape: object, one choice with the message, usage, meta."""
    result = feed(tool_stream()).snapshot()
    data = result.to_dict()
    assert data["object"] == "chat.completion"
    assert (data["id"], data["model"], data["created"]) == ("chatcmpl-acc", "grok-4-1-fast-reasoning", 1762343744)
    assert data["choices"] == [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "Let me check.",
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
                    }
                ],
            },
        }
    ]
    assert data["usage"]["total_tokens"] == 42
    assert data["meta"] == {"usage": {"credits_used": 2480, "usd_spent": 0.00124}}
    assert data["system_fingerprint"] == "fp_9"
    assert json.loads(result.model_dump_json()) == data == result.model_dump()
    data["choices"].clear()
    assert result.to_dict()["choices"], "to_dict() hands out a copy"


def test_a_finish_reason_the_spec_does_not_list_is_kept() -> None:
    """An unknown finish reason stays in to_dict() and in the choice's additional_properties."""
    result = feed([chunk("Hi", delta={"role": "assistant"}), chunk(finish="paused"), "[DONE]"]).snapshot()
    assert result.to_dict()["choices"][0]["finish_reason"] == "paused"
    assert result.choices[0].finish_reason is UNSET
    assert result.choices[0].additional_properties == {"finish_reason": "paused"}


def test_a_text_only_stream_has_no_tool_calls_and_no_usage() -> None:
    """Without tool calls or usage chunk, the message has content only and usage is None."""
    result = feed([chunk("Hel", delta={"role": "assistant"}), chunk("lo", finish="stop"), "[DONE]"]).snapshot()
    assert result.choices[0].message.content == "Hello"
    assert result.choices[0].message.refusal is None
    assert result.choices[0].message.tool_calls is UNSET
    assert result.usage is None
    assert result.meta is UNSET


def test_an_empty_stream_still_reads_as_a_completion() -> None:
    """Before any chunk the view has one empty choice and no content (nothing crashes)."""
    result = feed([]).snapshot()
    assert result.choices[0].message.content is None
    assert result.choices[0].message.role is UNSET
    assert result.to_dict()["object"] == "chat.completion"


def test_the_view_is_built_once_and_does_not_change_equality() -> None:
    """The completion is cached on first access; two equal results stay equal after one was read."""
    events = [chunk("Hi", finish="stop"), "[DONE]"]
    first, second = feed(events).snapshot(), feed(events).snapshot()
    assert first.completion is first.completion
    assert first == second


def test_a_streamed_refusal_is_the_messages_refusal() -> None:
    """Refusal deltas are joined into message.refusal; the content stays null."""
    events = [chunk(delta={"role": "assistant", "refusal": "I can"}), chunk(delta={"refusal": "not."}, finish="stop")]
    message = feed([*events, "[DONE]"]).snapshot().choices[0].message
    assert (message.refusal, message.content) == ("I cannot.", None)


def test_a_value_the_spec_check_cannot_read_is_a_stream_error() -> None:
    """A key with a lone surrogate (a valid JSON escape, not UTF-8): .text works, .choices raises StreamError."""
    event = '{"object": "chat.completion.chunk", "\\ud800": 1, "choices": [{"index": 0, "delta": {"content": "Hi"}}]}'
    snapshot = feed([event]).snapshot()
    assert snapshot.text == "Hi"
    assert snapshot.to_dict()["\ud800"] == 1
    with pytest.raises(StreamError, match="cannot be read as a completion") as caught:
        _ = snapshot.choices
    assert caught.value.partial is snapshot
