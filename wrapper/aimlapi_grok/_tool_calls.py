"""Tool calls as data: a call assembled from a stream, and a call with its arguments decoded.

The leaf under the streaming and tool helpers: ``StreamedToolCall`` (what
``StreamResult.tool_calls`` holds), ``ParsedToolCall`` (what ``parse_tool_call()``
returns), and the decoding of a call's JSON ``arguments``. It depends on the
errors only, so the stream accumulator and ``_tools`` both build on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import ToolArgumentsError, ToolCallError

if TYPE_CHECKING:
    from aimlapi_grok_api.models import CustomToolCall, ToolCall

__all__ = ["ParsedToolCall", "StreamedToolCall", "decode_arguments", "parse_tool_call", "str_or_none"]


@dataclass(frozen=True, slots=True)
class ParsedToolCall:
    """A function tool call with its arguments decoded: call ``fn(**call.arguments)``."""

    id: str | None
    name: str
    arguments: dict[str, Any]
    raw_arguments: str
    type: str = "function"
    index: int | None = None


@dataclass(frozen=True, slots=True)
class StreamedToolCall:
    """A tool call assembled from streamed fragments (one per ``index``).

    ``arguments`` is the JSON text as the model wrote it, fragments joined in
    order; ``parse()`` / ``parse_arguments()`` decode it (ToolArgumentsError
    when it is not a JSON object). ``id``, ``type`` and ``name`` come from
    whichever fragment carried them (None when none did).
    """

    index: int
    id: str | None
    type: str | None
    name: str | None
    arguments: str

    def parse(self) -> ParsedToolCall:
        """This call with its arguments decoded (raises ToolArgumentsError on invalid JSON)."""
        return parse_tool_call(self)

    def parse_arguments(self) -> dict[str, Any]:
        """The arguments decoded as a JSON object (raises ToolArgumentsError on invalid JSON)."""
        return self.parse().arguments


def parse_tool_call(call: StreamedToolCall | ToolCall | CustomToolCall) -> ParsedToolCall:
    """One tool call with its arguments decoded (ToolArgumentsError when they are not a JSON object)."""
    if isinstance(call, StreamedToolCall):
        call_id, kind, name, raw, index = call.id, call.type or "function", call.name, call.arguments, call.index
    else:
        call_id, kind = str_or_none(getattr(call, "id", None)), str(getattr(call, "type_", "function"))
        function = getattr(call, "function", None)
        if kind != "function":
            raise ToolCallError(f"tool call {call_id!r} is a {kind!r} tool call; only function tool calls are parsed")
        arguments = getattr(function, "arguments", None)
        name, index = str_or_none(getattr(function, "name", None)), None
        raw = arguments if isinstance(arguments, str) else ""
    if not name:
        raise ToolCallError(f"tool call {call_id!r} carries no function name")
    return ParsedToolCall(call_id, name, decode_arguments(raw, name, call_id), raw, kind, index)


def decode_arguments(raw: str, tool_name: str, call_id: str | None = None) -> dict[str, Any]:
    """A tool call's ``arguments`` text as a dict; "" (a function without parameters) is {}."""
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except ValueError as exc:
        raise ToolArgumentsError(
            f"the arguments of tool call {call_id!r} are not valid JSON ({exc})", tool_name=tool_name, raw_arguments=raw
        ) from None
    except RecursionError:
        raise ToolArgumentsError(
            f"the arguments of tool call {call_id!r} are nested too deep to decode",
            tool_name=tool_name,
            raw_arguments=raw,
        ) from None
    if not isinstance(value, dict):
        kind = "null" if value is None else type(value).__name__
        raise ToolArgumentsError(
            f"the arguments of tool call {call_id!r} are a JSON {kind}, not an object",
            tool_name=tool_name,
            raw_arguments=raw,
        )
    return value


def str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
