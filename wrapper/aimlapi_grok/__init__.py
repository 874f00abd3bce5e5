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
from ._version import __version__

if _typing.TYPE_CHECKING:
    from ._drift import DriftWarning, drift_reports, drift_reports_dropped
    from ._stream_result import StreamResult
    from ._streaming import AsyncStream, Stream
    from ._tools import assistant_message_from, parse_tool_calls, tool_from_function, tool_result_message

# Loaded on first use (PEP 562, in __getattr__ below): the streaming modules cost ~5 ms CPU at import,
# the tool helpers ~2.5 ms and the drift reporter ~2 ms of import time (`python -X importtime`, after the
# package; the drift reporter loads with the first answer checked).
_LAZY = {
    **dict.fromkeys(("DriftWarning", "drift_reports", "drift_reports_dropped"), "._drift"),
    "AsyncStream": "._streaming",
    "Stream": "._streaming",
    "StreamResult": "._stream_result",
    **dict.fromkeys(
        ("assistant_message_from", "parse_tool_calls", "tool_from_function", "tool_result_message"), "._tools"
    ),
}
_NAMESPACES = ("aimlapi_grok.tools", "aimlapi_grok.content")

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

# Names that moved to a namespace: importable from here for one more release, with a DeprecationWarning.
_MOVED_TO_TYPES = ("CreateParams", "DriftReport", "ResponseInfo", "SchemaViolation", "StreamAccumulator")


def _moved_to(name: str) -> str | None:
    """The namespace a name moved to, or None (a public name is looked up in tools and content, which loads them;
    types loads the models, so its moved names are listed). Dunder probes (`__wrapped__`, ...) load nothing."""
    if name.startswith("__"):
        return None
    if name in _MOVED_TO_TYPES:
        return "aimlapi_grok.types"
    for namespace in _NAMESPACES:
        if name in _importlib.import_module(namespace).__all__:
            return namespace
    return None


def __getattr__(name: str) -> _typing.Any:
    if f"{__name__}.{name}" in _NAMESPACES:  # `aimlapi_grok.tools` after a plain `import aimlapi_grok`
        return _importlib.import_module(f"{__name__}.{name}")
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    namespace = _moved_to(name)
    if namespace is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    _warnings.warn(
        f"aimlapi_grok.{name} moved to {namespace}.{name}; the old name goes in the next release",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(_importlib.import_module(namespace), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {namespace.rpartition(".")[2] for namespace in _NAMESPACES})
