"""Function tools: declare them, read the calls a model makes, and send the results back.

``tool_from_function(fn)`` builds the tool definition from a typed, documented
function; ``parse_tool_calls(result)`` gives each call with its arguments decoded
(``ParsedToolCall``); ``tool_result_message(call, value)`` and
``assistant_message_from(result)`` are the messages of the next turn. The dicts
these helpers return are typed (``FunctionToolDict``, ``ToolMessageDict``, ...).
Parsing errors are ``aimlapi_grok.ToolCallError`` / ``ToolArgumentsError``.
"""

# The namespace is exactly _tools' public names.
from ._tools import *  # noqa: F403
from ._tools import __all__  # noqa: F401
