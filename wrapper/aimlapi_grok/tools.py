"""Function tools: declare them, read the calls a model makes, and send the results back.

``tool_from_function(fn)`` builds the tool definition from a typed, documented
function; ``parse_tool_calls(result)`` gives each call with its arguments decoded
(``ParsedToolCall``); ``tool_result_message(call, value)`` and
``assistant_message_from(result)`` are the messages of the next turn. The dicts
these helpers return are typed (``FunctionToolDict``, ``ToolMessageDict``, ...).
Parsing errors are ``aimlapi_grok.ToolCallError`` / ``ToolArgumentsError``.
"""

from ._tool_calls import ParsedToolCall, StreamedToolCall, parse_tool_call
from ._tools import (
    AssistantMessageDict,
    FunctionToolDict,
    ToolCallDict,
    ToolMessageDict,
    assistant_message_from,
    function_tool,
    parse_tool_calls,
    tool_from_function,
    tool_result_message,
)

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
