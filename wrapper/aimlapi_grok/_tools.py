"""Function tools: declare them, read the model's tool calls, answer them.

Tools are plain JSON dicts (typed as ``FunctionToolDict``): what the API
takes, printable and editable, accepted by ``create(tools=[...])`` as is.
A tool loop::

    tools = [tool_from_function(get_weather)]
    result = client.chat.completions.create(messages=messages, tools=tools)
    while calls := parse_tool_calls(result):
        messages.append(assistant_message_from(result))
        for call in calls:
            messages.append(tool_result_message(call, get_weather(**call.arguments)))
        result = client.chat.completions.create(messages=messages, tools=tools)

``parse_tool_calls`` reads a ``ChatCompletionResult`` (anything with
``.completion``), a generated ``ChatCompletion`` or ``ChatCompletionMessage``,
or a ``StreamResult``; invalid JSON arguments raise ``ToolArgumentsError``
carrying the raw text. A tool call that is not a function call (a custom
tool call, which the spec allows in answers but not in requests), or that
has no function name or id, raises ``ToolCallError`` (its parent) rather
than being skipped: read such calls from ``result.tool_calls``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal, NotRequired, Protocol, TypedDict

from ._errors import ToolCallError
from ._tool_calls import ParsedToolCall, StreamedToolCall, parse_tool_call, str_or_none
from ._tool_definitions import check_function_name, checked_parameters
from ._tool_schema import function_parameters_schema, split_docstring

if TYPE_CHECKING:
    from aimlapi_grok_api.models import ChatCompletion, ChatCompletionMessage, CustomToolCall, ToolCall

    from ._stream_result import StreamResult

__all__ = [
    "AssistantMessageDict",
    "FunctionToolDict",
    "ParsedToolCall",
    "StreamedToolCall",
    "ToolCallDict",
    "ToolMessageDict",
    "assistant_message_from",
    "function_tool",
    "parse_tool_call",
    "parse_tool_calls",
    "tool_from_function",
    "tool_result_message",
]


class FunctionDefinitionDict(TypedDict):
    name: str
    parameters: dict[str, Any]
    description: NotRequired[str]
    strict: NotRequired[bool]


class FunctionToolDict(TypedDict):
    """A function tool as the API takes it (``tools=[...]``)."""

    type: Literal["function"]
    function: FunctionDefinitionDict


class FunctionCallDict(TypedDict):
    name: str
    arguments: str


class ToolCallDict(TypedDict):
    """One tool call inside an assistant message sent back to the API."""

    id: str
    type: Literal["function"]
    function: FunctionCallDict


class ToolMessageDict(TypedDict):
    """A tool's answer to one tool call (``role: tool``)."""

    role: Literal["tool"]
    tool_call_id: str
    content: str


class AssistantMessageDict(TypedDict):
    """The assistant's turn, to append to the conversation before the tool results."""

    role: Literal["assistant"]
    content: NotRequired[str]
    refusal: NotRequired[str]
    tool_calls: NotRequired[list[ToolCallDict]]


class _HasCompletion(Protocol):
    """A ChatCompletionResult (or anything else holding a generated ChatCompletion)."""

    @property
    def completion(self) -> ChatCompletion: ...


class _HasId(Protocol):
    @property
    def id(self) -> Any: ...


def function_tool(
    name: str, description: str | None, parameters: Mapping[str, Any], *, strict: bool | None = None
) -> FunctionToolDict:
    """A function tool from its name, description and JSON Schema ``parameters`` (checked here, not by the API)."""
    check_function_name(name, "name")
    if description is not None and not isinstance(description, str):
        raise TypeError(f"description must be a str or None, not {type(description).__name__}")
    if not isinstance(parameters, Mapping):
        raise TypeError(f"parameters must be a JSON Schema object (a dict), not {type(parameters).__name__}")
    if strict is not None and not isinstance(strict, bool):
        raise TypeError(f"strict must be a bool or None, not {type(strict).__name__}")
    schema = checked_parameters(dict(parameters))
    function: FunctionDefinitionDict = {"name": name, "parameters": schema}
    if description is not None:
        function["description"] = description
    if strict is not None:
        function["strict"] = strict
    return {"type": "function", "function": function}


def tool_from_function(
    fn: Callable[..., Any], *, name: str | None = None, description: str | None = None, strict: bool | None = None
) -> FunctionToolDict:
    """A function tool describing a typed Python function (schema from its signature, text from its docstring).

    See ``_tool_schema`` for the supported annotations; an unsupported one
    raises TypeError naming the parameter.
    """
    tool_name = name if name is not None else getattr(fn, "__name__", "")
    check_function_name(tool_name, "name" if name is not None else "the function's __name__ (pass name=...)")
    parameters = function_parameters_schema(fn, f"tool {tool_name!r}")
    if description is None:
        description, _ = split_docstring(inspect.getdoc(fn))
    return function_tool(tool_name, description, parameters, strict=strict)


def parse_tool_calls(
    result: _HasCompletion | ChatCompletion | ChatCompletionMessage | StreamResult,
) -> list[ParsedToolCall]:
    """The first choice's function tool calls with their arguments decoded ([] when there are none)."""
    return [parse_tool_call(call) for call in _tool_calls_of(result)]


def tool_result_message(tool_call: str | _HasId, content: Any) -> ToolMessageDict:
    """The ``role: tool`` message answering one call; non-str content is sent as JSON text."""
    call_id = tool_call if isinstance(tool_call, str) else getattr(tool_call, "id", None)
    if not isinstance(call_id, str) or not call_id:
        raise ValueError(
            f"tool_call must be a tool call id (a non-empty str) or a tool call with an id, got {call_id!r}"
        )
    if not isinstance(content, str):
        try:
            content = json.dumps(content, ensure_ascii=False)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"the result for tool call {call_id!r} is not a str and not JSON-serializable: {exc}"
            ) from None
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def assistant_message_from(
    result: _HasCompletion | ChatCompletion | ChatCompletionMessage | StreamResult,
) -> AssistantMessageDict:
    """The assistant message (text and tool calls) of a result, to append to the conversation."""
    # Imported here: the streaming modules load with the first stream, not with the package.
    from ._stream_result import StreamResult  # noqa: PLC0415

    if isinstance(result, StreamResult):
        text, refusal = result.text, result.refusal
        calls = [
            _call_dict(call.id, call.name, call.arguments, f"tool call #{call.index}") for call in result.tool_calls
        ]
    else:
        message = _message_of(result)
        text = message.content if isinstance(message.content, str) else ""
        refusal = message.refusal if isinstance(message.refusal, str) else None
        calls = []
        for position, call in enumerate(message.tool_calls if isinstance(message.tool_calls, list) else []):
            function = getattr(call, "function", None)
            if getattr(call, "type_", None) != "function":
                raise ToolCallError(f"tool call #{position} is not a function tool call; it cannot be sent back as one")
            name = str_or_none(getattr(function, "name", None))
            arguments = getattr(function, "arguments", None)
            arguments = arguments if isinstance(arguments, str) else ""
            calls.append(_call_dict(str_or_none(call.id), name, arguments, f"tool call #{position}"))
    message_dict: AssistantMessageDict = {"role": "assistant"}
    if text or not calls:
        message_dict["content"] = text
    if refusal:
        message_dict["refusal"] = refusal
    if calls:
        message_dict["tool_calls"] = calls
    return message_dict


def _call_dict(call_id: str | None, name: str | None, arguments: str, where: str) -> ToolCallDict:
    if not call_id:
        raise ToolCallError(f"{where} has no id; a tool call cannot be answered without one")
    if not name:
        raise ToolCallError(f"{where} ({call_id!r}) has no function name")
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _tool_calls_of(result: Any) -> list[StreamedToolCall] | list[ToolCall | CustomToolCall]:
    from ._stream_result import StreamResult  # noqa: PLC0415  # (see assistant_message_from)

    if isinstance(result, StreamResult):
        return list(result.tool_calls)
    calls = _message_of(result).tool_calls
    return list(calls) if isinstance(calls, list) else []


def _message_of(result: Any) -> ChatCompletionMessage:
    # Imported here: a completion's generated models (~20 ms CPU) load on first use, not on import.
    from aimlapi_grok_api.models import ChatCompletion, ChatCompletionMessage  # noqa: PLC0415

    if isinstance(result, ChatCompletionMessage):
        return result
    completion = result.completion if hasattr(result, "completion") else result
    if not isinstance(completion, ChatCompletion):
        raise TypeError(
            "expected a ChatCompletionResult, ChatCompletion, ChatCompletionMessage or StreamResult, "
            f"got {type(result).__name__}"
        )
    choices = completion.choices if isinstance(completion.choices, list) else []
    message = choices[0].message if choices else None
    return message if isinstance(message, ChatCompletionMessage) else ChatCompletionMessage()
