"""aimlapi-grok: the typed Python client for x-ai/grok-4-1-fast-reasoning on the AIML API.

The everyday surface is here: the clients, their results and streams, the
exceptions (tree in ``_errors``), drift reports, and the tool helpers the README
uses. The rest lives in namespaces: ``aimlapi_grok.tools`` (function tools),
``aimlapi_grok.content`` (content parts), ``aimlapi_grok.types`` (generated models,
request TypedDicts, the wrapper's types), ``aimlapi_grok.batch`` and
``aimlapi_grok.testing`` (extra ``testing``). Everything public is defined in a
private module and re-exported.
"""

import importlib as _importlib
import typing as _typing
import warnings as _warnings

from ._async_client import AsyncGrok
from ._base import ClientOptions
from ._client import Grok
from ._drift import DriftWarning, drift_reports, drift_reports_dropped
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    BudgetExceededError,
    ConfigurationError,
    ConflictError,
    GrokError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ResponseValidationError,
    StreamError,
    ToolArgumentsError,
    ToolCallError,
    UnprocessableEntityError,
)
from ._response import ChatCompletionResult
from ._stream_accumulator import StreamResult
from ._streaming import AsyncStream, Stream
from ._tools import assistant_message_from, parse_tool_calls, tool_from_function, tool_result_message
from ._version import __version__

# Plain sorted() order (checked by tests/package/test_public_api.py).
__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncGrok",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ChatCompletionResult",
    "ClientOptions",
    "ConfigurationError",
    "ConflictError",
    "DriftWarning",
    "Grok",
    "GrokError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseValidationError",
    "Stream",
    "StreamError",
    "StreamResult",
    "ToolArgumentsError",
    "ToolCallError",
    "UnprocessableEntityError",
    "__version__",
    "assistant_message_from",
    "drift_reports",
    "drift_reports_dropped",
    "parse_tool_calls",
    "tool_from_function",
    "tool_result_message",
]

# Names that moved to a namespace in 0.x; importable from here for one more release, with a DeprecationWarning.
_MOVED = {
    **dict.fromkeys(
        [
            "AssistantMessageDict",
            "FunctionToolDict",
            "ParsedToolCall",
            "StreamedToolCall",
            "ToolCallDict",
            "ToolMessageDict",
            "function_tool",
            "parse_tool_call",
        ],
        "aimlapi_grok.tools",
    ),
    **dict.fromkeys(
        [
            "IMAGE_DETAILS",
            "FilePartDict",
            "ImagePartDict",
            "TextPartDict",
            "file_part",
            "file_part_from_bytes",
            "file_part_from_path",
            "image_part",
            "image_part_from_bytes",
            "image_part_from_path",
            "text_part",
        ],
        "aimlapi_grok.content",
    ),
    **dict.fromkeys(
        ["CreateParams", "DriftReport", "ResponseInfo", "SchemaViolation", "StreamAccumulator"], "aimlapi_grok.types"
    ),
}


def __getattr__(name: str) -> _typing.Any:
    namespace = _MOVED.get(name)
    if namespace is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _warnings.warn(
        f"aimlapi_grok.{name} moved to {namespace}.{name}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(_importlib.import_module(namespace), name)
