"""Reading tool calls and answering them: parse_tool_calls, tool_result_message, assistant_message_from."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aimlapi_grok import (
    AsyncGrok,
    ChatCompletionResult,
    Grok,
    StreamResult,
    ToolArgumentsError,
    assistant_message_from,
    parse_tool_calls,
    tool_from_function,
    tool_result_message,
)
from aimlapi_grok._response import parse_completion
from aimlapi_grok._schema import violations
from aimlapi_grok.tools import ParsedToolCall, StreamedToolCall
from aimlapi_grok_api.models import ChatCompletion, ChatCompletionMessage


def tool_call(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    """A function tool call as the API sends it."""
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def completion(*calls: dict[str, Any], content: str | None = None) -> dict[str, Any]:
    """A completion body whose first choice holds `calls` (finish reason tool_calls when there are any)."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if calls:
        message["tool_calls"] = list(calls)
    return {
        "id": "chatcmpl-tools",
        "object": "chat.completion",
        "created": 1762343744,
        "model": "grok-4-1-fast-reasoning",
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop", "logprobs": None}
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }


TWO_CALLS = completion(
    tool_call("call_1", "get_weather", '{"city": "Paris", "days": 2}'),
    tool_call("call_2", "get_time", '{"tz":"Europe/Paris"}'),
)


def result_of(body: dict[str, Any]) -> ChatCompletionResult:
    """The client's result object for a completion body (as the client parses a 200 answer)."""
    request = httpx.Request("POST", "https://api.aimlapi.com/v1/chat/completions")
    return parse_completion(httpx.Response(200, json=body, request=request))


def streamed(*calls: StreamedToolCall, text: str = "") -> StreamResult:
    """A finished StreamResult holding `calls`."""
    return StreamResult(
        text=text,
        finish_reason="tool_calls",
        tool_calls=calls,
        usage=None,
        reasoning_tokens=None,
        credits_used=None,
        usd_spent=None,
        inference_id=None,
        client_request_id=None,
        chunk_count=3,
        id="chatcmpl-s",
        model="grok-4-1-fast-reasoning",
        completed=True,
    )


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(lambda: result_of(TWO_CALLS), id="ChatCompletionResult"),
        pytest.param(lambda: ChatCompletion.from_dict(TWO_CALLS), id="ChatCompletion"),
        # typing: generated fields are `X | Unset`; this completion has them
        pytest.param(lambda: ChatCompletion.from_dict(TWO_CALLS).choices[0].message, id="ChatCompletionMessage"),  # type: ignore[index]
    ],
)
def test_parse_tool_calls_reads_each_result_kind(source: Any) -> None:
    """Tool calls come out with id, name, decoded arguments and the raw text, from every result kind."""
    calls = parse_tool_calls(source())
    assert calls == [
        ParsedToolCall("call_1", "get_weather", {"city": "Paris", "days": 2}, '{"city": "Paris", "days": 2}'),
        ParsedToolCall("call_2", "get_time", {"tz": "Europe/Paris"}, '{"tz":"Europe/Paris"}'),
    ]


def test_parse_tool_calls_reads_a_stream_result() -> None:
    """A StreamResult's assembled calls parse the same way, keeping their index."""
    result = streamed(StreamedToolCall(0, "call_9", "function", "f", '{"a": [1, 2]}'))
    assert parse_tool_calls(result) == [ParsedToolCall("call_9", "f", {"a": [1, 2]}, '{"a": [1, 2]}', index=0)]


def test_no_tool_calls_gives_an_empty_list() -> None:
    """A plain text answer has no tool calls."""
    assert parse_tool_calls(result_of(completion(content="Hello"))) == []


def test_invalid_json_arguments_raise_with_the_raw_text() -> None:
    """Arguments that are not JSON raise ToolArgumentsError carrying the raw text and the tool name."""
    broken = '{"city": "Paris", "days": }'
    with pytest.raises(ToolArgumentsError, match="not valid JSON") as caught:
        parse_tool_calls(result_of(completion(tool_call("call_1", "get_weather", broken))))
    assert caught.value.raw_arguments == broken
    assert caught.value.tool_name == "get_weather"
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(("raw", "kind"), [("[1, 2]", "list"), ("null", "null"), ('"text"', "str")])
def test_arguments_that_are_not_an_object_raise(raw: str, kind: str) -> None:
    """Valid JSON that is not an object cannot be keyword arguments: ToolArgumentsError names its kind."""
    with pytest.raises(ToolArgumentsError, match=f"a JSON {kind}, not an object") as caught:
        parse_tool_calls(result_of(completion(tool_call("call_1", "f", raw))))
    assert caught.value.raw_arguments == raw


def test_empty_arguments_mean_no_arguments() -> None:
    """An empty arguments text (a function without parameters) decodes to {}."""
    assert parse_tool_calls(result_of(completion(tool_call("call_1", "ping", ""))))[0].arguments == {}


def test_parse_tool_calls_refuses_an_unrelated_object() -> None:
    """Passing something that holds no completion raises TypeError naming what is accepted."""
    with pytest.raises(TypeError, match="expected a ChatCompletionResult"):
        # typing: a plain dict where a result is expected: the misuse under test
        parse_tool_calls({"choices": []})  # type: ignore[arg-type]


def test_tool_result_message_sends_text_as_is_and_values_as_json() -> None:
    """A str result is sent unchanged; other values as JSON text (non-ASCII kept); both match ToolMessage."""
    text = tool_result_message("call_1", "18 °C")
    data = tool_result_message(ParsedToolCall("call_2", "f", {}, "{}"), {"temp": 18, "unit": "°C"})
    assert text == {"role": "tool", "tool_call_id": "call_1", "content": "18 °C"}
    assert data == {"role": "tool", "tool_call_id": "call_2", "content": '{"temp": 18, "unit": "°C"}'}
    assert violations("ToolMessage", text) == violations("ToolMessage", data) == []


def test_tool_result_message_refuses_bad_ids_and_unserializable_results() -> None:
    """An empty id raises ValueError; a result that is not JSON raises TypeError naming the call."""
    with pytest.raises(ValueError, match="non-empty str"):
        tool_result_message("", "x")
    with pytest.raises(TypeError, match="'call_1' is not a str and not JSON-serializable"):
        tool_result_message("call_1", object())


def test_assistant_message_from_a_completion_keeps_calls_verbatim() -> None:
    """The assistant message repeats the calls with their raw arguments text and matches AssistantMessage."""
    message = assistant_message_from(result_of(TWO_CALLS))
    assert message == {
        "role": "assistant",
        "tool_calls": [
            tool_call("call_1", "get_weather", '{"city": "Paris", "days": 2}'),
            tool_call("call_2", "get_time", '{"tz":"Europe/Paris"}'),
        ],
    }
    assert violations("AssistantMessage", message) == []


def test_assistant_message_from_a_stream_result_and_from_text() -> None:
    """From a StreamResult the text and assembled calls are sent back; a text answer keeps its content."""
    result = streamed(StreamedToolCall(0, "call_s", "function", "f", '{"x":1}'), text="Let me check.")
    message = assistant_message_from(result)
    assert message == {
        "role": "assistant",
        "content": "Let me check.",
        "tool_calls": [tool_call("call_s", "f", '{"x":1}')],
    }
    assert violations("AssistantMessage", message) == []
    assert assistant_message_from(ChatCompletionMessage(content="Hi")) == {"role": "assistant", "content": "Hi"}


def test_assistant_message_refuses_a_call_without_id() -> None:
    """A streamed call that never got an id cannot be answered: ValueError says which one."""
    with pytest.raises(ValueError, match="tool call #0 has no id"):
        assistant_message_from(streamed(StreamedToolCall(0, None, "function", "f", "{}")))


def get_weather(city: str, days: int = 1) -> dict[str, Any]:
    """Get the weather forecast.

    Args:
        city: The city name.
        days: Days ahead.
    """
    return {"city": city, "days": days, "forecast": "sunny"}


def get_time(tz: str) -> str:
    """Get the current time in a time zone."""
    return f"12:00 {tz}"


FUNCTIONS: dict[str, Callable[..., Any]] = {"get_weather": get_weather, "get_time": get_time}


class ScriptedApi:
    """A transport answering with tool calls first, then text; records each request body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(json.loads(request.content))
        body = TWO_CALLS if len(self.bodies) == 1 else completion(content="Sunny in Paris at noon.")
        return httpx.Response(200, json=body, headers={"x-inference-id": f"inf-{len(self.bodies)}"})


def run_tool_round(result: ChatCompletionResult, messages: list[Any]) -> None:
    """Append the assistant message and each tool's answer, as a tool loop does."""
    messages.append(assistant_message_from(result))
    for call in parse_tool_calls(result):
        messages.append(tool_result_message(call, FUNCTIONS[call.name](**call.arguments)))


def check_second_request(api: ScriptedApi) -> None:
    """The second request carries the tools, the assistant's calls and both tool results, valid per spec."""
    second = api.bodies[1]
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "tool", "tool"]
    assert second["messages"][2] == {
        "role": "tool",
        "tool_call_id": "call_1",
        "content": '{"city": "Paris", "days": 2, "forecast": "sunny"}',
    }
    assert second["messages"][3]["content"] == "12:00 Europe/Paris"
    assert second["tools"][0]["function"]["name"] == "get_weather"
    assert violations("ChatCompletionRequest", second) == []


def test_tool_loop_with_the_sync_client() -> None:
    """(sync) create -> parse_tool_calls -> append assistant + tool results -> create again works end to end."""
    api = ScriptedApi()
    tools = [tool_from_function(get_weather), tool_from_function(get_time)]
    messages: list[Any] = [{"role": "user", "content": "Weather and time in Paris?"}]
    with Grok(api_key="sk-test", http_client=httpx.Client(transport=httpx.MockTransport(api))) as client:
        result = client.chat.completions.create(messages=messages, tools=tools)
        run_tool_round(result, messages)
        final = client.chat.completions.create(messages=messages, tools=tools)
    assert final.text == "Sunny in Paris at noon."
    check_second_request(api)


async def test_tool_loop_with_the_async_client() -> None:
    """(async) The same tool loop through AsyncGrok."""
    api = ScriptedApi()
    tools = [tool_from_function(get_weather), tool_from_function(get_time)]
    messages: list[Any] = [{"role": "user", "content": "Weather and time in Paris?"}]
    async with AsyncGrok(
        api_key="sk-test", http_client=httpx.AsyncClient(transport=httpx.MockTransport(api))
    ) as client:
        result = await client.chat.completions.create(messages=messages, tools=tools)
        run_tool_round(result, messages)
        final = await client.chat.completions.create(messages=messages, tools=tools)
    assert final.text == "Sunny in Paris at noon."
    check_second_request(api)
