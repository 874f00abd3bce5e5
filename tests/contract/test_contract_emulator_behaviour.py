"""What the emulator answers to valid requests: text, tools, reasoning, limits, tracing and cost."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from aimlapi_grok.testing import Emulator, assert_valid_response, assert_valid_stream

from .contract_support import ask, user_body

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
            },
            "required": ["city"],
        },
    },
}
TIME_TOOL = {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object", "properties": {}}}}


def completion(body: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    planned = ask(Emulator(), body, **kwargs)
    assert planned.status == 200, planned.body
    assert_valid_response(planned.body, "ChatCompletion", variant="published")
    result: dict[str, Any] = json.loads(planned.body)
    return result


def chunks(body: dict[str, Any]) -> list[dict[str, Any]]:
    planned = ask(Emulator(), {**body, "stream": True})
    assert planned.status == 200, planned.body
    return assert_valid_stream(planned.body, variant="published")


def test_the_answer_quotes_the_last_user_message_and_names_the_bare_model() -> None:
    """The text is a fixed template around the last user message; `model` has no vendor prefix."""
    answer = completion(user_body("What is 2+2?"))
    assert answer["choices"][0]["message"]["content"].startswith("Emulated answer to: What is 2+2? The")
    assert answer["choices"][0]["finish_reason"] == "stop"
    assert answer["model"] == "grok-4-1-fast-reasoning"
    assert answer["object"] == "chat.completion"


def test_the_same_request_always_gets_the_same_answer() -> None:
    """Determinism: two emulators answer one body with identical bytes; another body gets another id."""
    assert ask(Emulator(), user_body("a")).body == ask(Emulator(), user_body("a")).body
    assert completion(user_body("a"))["id"] != completion(user_body("b"))["id"]


def test_text_in_content_parts_is_quoted_and_line_separators_survive() -> None:
    """Text parts are joined; U+2028 in the question comes back unchanged in the JSON and in the stream."""
    parts = [{"type": "text", "text": "one\u2028two"}, {"type": "image_url", "image_url": {"url": "https://a.b/c.png"}}]
    body = {**user_body(), "messages": [{"role": "user", "content": parts}]}
    text = completion(body)["choices"][0]["message"]["content"]
    assert "one\u2028two" in text
    streamed = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks(body) if c["choices"])
    assert streamed == text


@pytest.mark.parametrize(
    ("reasoning", "tokens"),
    [
        (None, 64),
        ({"effort": "low"}, 16),
        ({"effort": "medium"}, 64),
        ({"effort": "high"}, 256),
        ({"max_tokens": 7}, 7),
    ],
)
def test_reasoning_tokens_follow_the_effort(reasoning: dict[str, Any] | None, tokens: int) -> None:
    """usage.completion_tokens_details.reasoning_tokens depends on reasoning.effort (or its max_tokens)."""
    body = user_body() if reasoning is None else user_body(reasoning=reasoning)
    usage = completion(body)["usage"]
    assert usage["completion_tokens_details"]["reasoning_tokens"] == tokens
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]
    assert usage["completion_tokens"] > tokens


def test_max_tokens_cuts_the_text_with_finish_reason_length() -> None:
    """A max_tokens lower than the answer's length cuts it: reasoning takes half, the text the rest, length."""
    answer = completion(user_body(max_tokens=6))
    choice = answer["choices"][0]
    assert choice["finish_reason"] == "length"
    assert choice["message"]["content"] == "Emulated answer to:"
    assert answer["usage"]["completion_tokens_details"]["reasoning_tokens"] == 3


@pytest.mark.parametrize("limit", [{"max_tokens": 1}, {"max_tokens": 5}, {"max_completion_tokens": 8}])
@pytest.mark.parametrize("tools", [None, [WEATHER_TOOL]], ids=["text", "tools"])
def test_completion_tokens_stay_within_the_limit(limit: dict[str, Any], tools: list[Any] | None) -> None:
    """Reasoning, text and tool-call arguments together never pass max_tokens / max_completion_tokens."""
    body = user_body(**limit) if tools is None else user_body(tools=tools, **limit)
    answer = completion(body)
    assert answer["usage"]["completion_tokens"] <= next(iter(limit.values()))
    assert answer["choices"][0]["finish_reason"] in ("length", "tool_calls")


def test_cost_is_in_headers_and_meta_of_a_json_answer() -> None:
    """A JSON answer carries x-aimlapi-credits-used / x-aimlapi-usd-spent and the same cost in meta.usage."""
    planned = ask(Emulator(), user_body())
    headers = dict(planned.headers)
    meta = json.loads(planned.body)["meta"]["usage"]
    assert int(headers["x-aimlapi-credits-used"]) == meta["credits_used"] > 0
    assert Decimal(headers["x-aimlapi-usd-spent"]) == Decimal(str(meta["usd_spent"])) > 0
    assert len(headers["x-aimlapi-usd-spent"].split(".")[1]) == 9
    assert headers["x-inference-id"].startswith("inf-")


def test_a_stream_has_no_cost_headers_and_the_cost_in_its_last_chunk() -> None:
    """A streamed answer: no cost headers; with include_usage a last chunk with empty choices and usage."""
    planned = ask(Emulator(), user_body(stream=True, stream_options={"include_usage": True}))
    assert "x-aimlapi-credits-used" not in dict(planned.headers)
    streamed = assert_valid_stream(planned.body, variant="published")
    assert streamed[-1]["choices"] == []
    assert streamed[-1]["usage"] == completion(user_body())["usage"]
    assert streamed[-1]["meta"]["usage"]["credits_used"] > 0
    without_usage = chunks(user_body())
    assert without_usage[-1]["choices"][0]["finish_reason"] == "stop"
    assert "meta" in without_usage[-1]


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [("trace-1.a:b_c", "trace-1.a:b_c"), ("has space", None), ("x" * 129, None), ("x" * 128, "x" * 128)],
)
def test_a_valid_client_request_id_is_echoed_and_an_invalid_one_dropped(sent: str, echoed: str | None) -> None:
    """X-Client-Request-Id comes back when it has 1-128 allowed characters; otherwise it is silently dropped."""
    planned = ask(Emulator(), headers={"X-Client-Request-Id": sent})
    assert planned.status == 200
    assert dict(planned.headers).get("x-client-request-id") == echoed


def test_offered_tools_are_called_with_arguments_from_their_schema() -> None:
    """With tools offered (tool_choice auto) the answer is a call of the first tool, arguments per its schema."""
    message = completion(user_body("Weather in Paris?", tools=[WEATHER_TOOL, TIME_TOOL]))["choices"][0]
    assert message["finish_reason"] == "tool_calls"
    (call,) = message["message"]["tool_calls"]
    assert call["function"]["name"] == "get_weather"
    assert json.loads(call["function"]["arguments"]) == {"city": "Weather in Paris?", "unit": "celsius", "days": 1}
    assert message["message"]["content"] is None


def test_tool_choice_picks_the_tool_and_none_prevents_calls() -> None:
    """A named tool_choice calls that tool; tool_choice none answers with text; parallel calls every tool."""
    named = {"type": "function", "function": {"name": "get_time"}}
    choice = completion(user_body(tools=[WEATHER_TOOL, TIME_TOOL], tool_choice=named))["choices"][0]
    assert [c["function"]["name"] for c in choice["message"]["tool_calls"]] == ["get_time"]
    assert "tool_calls" not in completion(user_body(tools=[WEATHER_TOOL], tool_choice="none"))["choices"][0]["message"]
    parallel = completion(user_body(tools=[WEATHER_TOOL, TIME_TOOL], parallel_tool_calls=True))["choices"][0]
    assert [c["function"]["name"] for c in parallel["message"]["tool_calls"]] == ["get_weather", "get_time"]


def test_a_tool_result_ends_the_tool_loop_with_text() -> None:
    """When the last message is a tool result the answer is text quoting it, not another call."""
    call = completion(user_body("Weather?", tools=[WEATHER_TOOL]))["choices"][0]["message"]["tool_calls"][0]
    messages = [
        {"role": "user", "content": "Weather?"},
        {"role": "assistant", "tool_calls": [call]},  # the spec does not allow content: null here
        {"role": "tool", "tool_call_id": call["id"], "content": "sunny, 21 C"},
    ]
    answer = completion({**user_body(tools=[WEATHER_TOOL]), "messages": messages})["choices"][0]
    assert answer["finish_reason"] == "stop"
    assert answer["message"]["content"] == f"The tool {call['id']} returned: sunny, 21 C. Done."


def test_streamed_tool_calls_arrive_as_argument_fragments_per_index() -> None:
    """Each tool call streams its id and name once, then its arguments in several fragments, per index."""
    streamed = chunks(user_body("Weather?", tools=[WEATHER_TOOL, TIME_TOOL], parallel_tool_calls=True))
    fragments: dict[int, list[str]] = {}
    for chunk in streamed:
        for delta_call in chunk["choices"][0]["delta"].get("tool_calls", []) if chunk["choices"] else []:
            fragments.setdefault(delta_call["index"], []).append(delta_call.get("function", {}).get("arguments", ""))
    assert sorted(fragments) == [0, 1]
    assert len(fragments[0]) > 3
    assert json.loads("".join(fragments[0]))["city"] == "Weather?"
    assert json.loads("".join(fragments[1])) == {}
    assert streamed[-1]["choices"][0]["finish_reason"] == "tool_calls"


def test_logprobs_are_reported_when_asked_for() -> None:
    """logprobs true (with top_logprobs) gives one entry per token with that many alternatives."""
    choice = completion(user_body("hi", logprobs=True, top_logprobs=2))["choices"][0]
    entries = choice["logprobs"]["content"]
    assert "".join(entry["token"] for entry in entries) == choice["message"]["content"]
    assert all(len(entry["top_logprobs"]) == 2 for entry in entries)
    assert completion(user_body("hi"))["choices"][0]["logprobs"] is None


def test_requests_are_recorded_with_their_body_and_fate() -> None:
    """Each request is recorded: method, path, decoded body, status, stream flag, inference id."""
    emulator = Emulator()
    ask(emulator, user_body("one"))
    ask(emulator, user_body("two", stream=True))
    first, second = emulator.requests
    assert (first.method, first.path, first.status, first.stream) == ("POST", "/v1/chat/completions", 200, False)
    assert first.body["messages"][0]["content"] == "one"
    assert second.stream
    assert second.inference_id is not None
    assert second.inference_id != first.inference_id
