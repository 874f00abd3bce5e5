"""A tool loop against the emulator: the model calls a tool, the app runs it and sends the result back,
the model answers with text. JSON and streamed, sync and async."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from aimlapi_grok import (
    AsyncGrok,
    Grok,
    assistant_message_from,
    parse_tool_calls,
    tool_from_function,
    tool_result_message,
)
from aimlapi_grok.testing import EmulatorServer, assert_valid_request

from .e2e_support import get_weather

MAX_TURNS = 4  # a tool loop that does not end within this many turns is a failure


def weather(city: str) -> str:
    """The weather in a city."""
    return get_weather(city)


TOOLS = [tool_from_function(weather)]


def test_a_tool_loop_ends_with_a_text_answer(make_client: Callable[..., Grok], grok_emulator: EmulatorServer) -> None:
    """Tool call -> local function -> tool result -> final text, every request valid against the spec."""
    client = make_client()
    messages: list[Any] = [{"role": "user", "content": "Paris"}]
    for _turn in range(MAX_TURNS):
        result = client.chat.completions.create(messages=messages, tools=TOOLS)
        calls = parse_tool_calls(result)
        if not calls:
            break
        messages.append(assistant_message_from(result))
        messages += [tool_result_message(call.id or "", weather(**call.arguments)) for call in calls]
    else:
        raise AssertionError(f"no text answer within {MAX_TURNS} turns")
    assert result.finish_reason == "stop"
    assert '"forecast": "sunny"' in result.text
    assert [record.status for record in grok_emulator.requests] == [200, 200]
    first_call = grok_emulator.requests[0].body
    assert first_call["tools"][0]["function"]["name"] == "weather"
    for record in grok_emulator.requests:
        assert_valid_request(record.body)


def test_a_streamed_tool_call_is_assembled_from_fragments(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """Streamed tool-call argument fragments are joined per index into calls the loop can run."""
    client = make_client()
    messages: list[Any] = [{"role": "user", "content": "Oslo"}]
    with client.chat.completions.create(messages=messages, tools=TOOLS, stream=True) as stream:
        result = stream.get_final_result()
    (call,) = parse_tool_calls(result)
    assert call.name == "weather"
    assert call.arguments == {"city": "Oslo"}
    assert result.finish_reason == "tool_calls"
    messages += [assistant_message_from(result), tool_result_message(call.id or "", weather(**call.arguments))]
    with client.chat.completions.create(messages=messages, tools=TOOLS, stream=True) as stream:
        final = stream.get_final_result()
    assert json.loads(final.text.split("returned: ", 1)[1].removesuffix(". Done."))["city"] == "Oslo"
    assert_valid_request(grok_emulator.requests[-1].body)


async def test_an_async_tool_loop_ends_with_a_text_answer(make_async_client: Callable[..., AsyncGrok]) -> None:
    """The same loop with AsyncGrok."""
    client = make_async_client()
    messages: list[Any] = [{"role": "user", "content": "Rome"}]
    for _turn in range(MAX_TURNS):
        result = await client.chat.completions.create(messages=messages, tools=TOOLS, tool_choice="required")
        calls = parse_tool_calls(result)
        if not calls:
            break
        messages.append(assistant_message_from(result))
        messages += [tool_result_message(call.id or "", weather(**call.arguments)) for call in calls]
    else:
        raise AssertionError(f"no text answer within {MAX_TURNS} turns")
    assert '"city": "Rome"' in result.text
