"""aimlapi-grok: the typed Python client for x-ai/grok-4-1-fast-reasoning on the AIML API.

Everything public is defined in a private module and re-exported here; the
emulator and pytest fixtures live in ``aimlapi_grok.testing`` (extra ``testing``).
"""

from typing import TYPE_CHECKING, Any

from ._async_client import AsyncGrok
from ._base import ClientOptions
from ._client import Grok
from ._content import (
    IMAGE_DETAILS,
    FilePartDict,
    ImagePartDict,
    TextPartDict,
    file_part,
    file_part_from_bytes,
    file_part_from_path,
    image_part,
    image_part_from_bytes,
    image_part_from_path,
    text_part,
)
from ._drift import DriftReport, DriftWarning, drift_reports, drift_reports_dropped
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
from ._meta import ResponseInfo
from ._response import ChatCompletionResult
from ._schema import SchemaViolation
from ._stream_accumulator import StreamAccumulator, StreamResult
from ._streaming import AsyncStream, Stream
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
from ._version import __version__

if TYPE_CHECKING:
    from ._request import CreateParams

# Plain sorted() order (checked by tests/package/test_public_api.py).
__all__ = [  # noqa: RUF022
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AssistantMessageDict",
    "AsyncGrok",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BudgetExceededError",
    "ChatCompletionResult",
    "ClientOptions",
    "ConfigurationError",
    "ConflictError",
    "CreateParams",
    "DriftReport",
    "DriftWarning",
    "FilePartDict",
    "FunctionToolDict",
    "Grok",
    "GrokError",
    "IMAGE_DETAILS",
    "ImagePartDict",
    "InternalServerError",
    "NotFoundError",
    "ParsedToolCall",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "ResponseInfo",
    "ResponseValidationError",
    "SchemaViolation",
    "Stream",
    "StreamAccumulator",
    "StreamError",
    "StreamResult",
    "StreamedToolCall",
    "TextPartDict",
    "ToolArgumentsError",
    "ToolCallDict",
    "ToolCallError",
    "ToolMessageDict",
    "UnprocessableEntityError",
    "__version__",
    "assistant_message_from",
    "drift_reports",
    "drift_reports_dropped",
    "file_part",
    "file_part_from_bytes",
    "file_part_from_path",
    "function_tool",
    "image_part",
    "image_part_from_bytes",
    "image_part_from_path",
    "parse_tool_call",
    "parse_tool_calls",
    "text_part",
    "tool_from_function",
    "tool_result_message",
]


def __getattr__(name: str) -> Any:
    # CreateParams is built on first use (see _request): `import aimlapi_grok` does not create the TypedDicts.
    if name == "CreateParams":
        from . import _request

        return _request.CreateParams
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
