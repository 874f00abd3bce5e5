"""Exceptions raised by aimlapi_grok.

The tree::

    GrokError                          base of everything raised here
    ├── ConfigurationError             bad client setup (no API key, insecure URL, ...)
    ├── RequestValidationError         (also ValueError) a request the spec refuses; nothing was sent
    ├── BudgetExceededError            the client's USD budget is spent; nothing was sent
    ├── ToolCallError                  (also ValueError) a tool call that cannot be parsed or sent back
    │   └── ToolArgumentsError         ... because its arguments are not valid JSON (or not an object)
    ├── APIError                       anything that went wrong talking to the API
    │   ├── APIConnectionError         the request did not get an HTTP answer
    │   │   └── APITimeoutError        ... because it timed out
    │   ├── APIStatusError             an HTTP error status (status_error_for maps status -> class)
    │   │   ├── BadRequestError            400 body validation error
    │   │   ├── AuthenticationError        401 missing or invalid key
    │   │   ├── PermissionDeniedError      403 not allowed (e.g. no credits left)
    │   │   ├── NotFoundError              404 wrong path or method
    │   │   ├── ConflictError              409
    │   │   ├── UnprocessableEntityError   422
    │   │   ├── RateLimitError             429 rate or concurrency limit
    │   │   └── InternalServerError        >= 500 server or upstream provider
    │   ├── ResponseValidationError    a 200 whose body is not a completion
    │   └── StreamError                the stream carried an `error` object or broke off
    └── (warnings) DriftWarning lives in aimlapi_grok._drift

    ChunkParseError (a ValueError, internal): a streamed chunk no model can hold;
    the stream turns it into a StreamError, so it never reaches an app. It lives
    here, not in the chunk parser, because that parser is loaded on first use.

Every APIError carries `retries` (how many retries were taken before it was
raised). Exceptions never contain the API key: a key the server echoes back
(the exact key, or any `Bearer <token>`) is redacted in messages, `body` and
`raw_text` (see `_redact`). Every exception pickles to the same class with
the same message and fields (so it crosses a ProcessPoolExecutor as itself);
the pickled `request`/`response` are copies without the Authorization header.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._redact import Redactor, body_snippet, sanitized_request, sanitized_response

if TYPE_CHECKING:
    import httpx

    from ._schema import SchemaViolation
    from ._stream_result import StreamResult


class GrokError(Exception):
    """Base class of every exception raised by aimlapi_grok."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default (cls, args) cannot rebuild keyword-only constructors, and would pickle the
        # request's Authorization header: rebuild from args and the fields, HTTP objects sanitized.
        state = dict(self.__dict__)
        if "request" in state:
            state["request"] = sanitized_request(state["request"])
        if "response" in state:
            state["response"] = sanitized_response(state["response"])
        return (_restore, (type(self), self.args, state))


def _restore(cls: type[GrokError], args: tuple[Any, ...], state: dict[str, Any]) -> GrokError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigurationError(GrokError):
    """The client cannot be used as configured (no key, insecure base URL, ...)."""


class RequestValidationError(GrokError, ValueError):
    """The request breaks the spec; it was not sent. `violations` says where and why."""

    def __init__(self, violations: list[SchemaViolation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  - {v.describe()}" for v in violations)
        super().__init__(f"request refused before sending ({len(violations)} problem(s)):\n{lines}")


class BudgetExceededError(GrokError):
    """The client's spending budget is reached; the request was not sent."""

    def __init__(self, spent_usd: object, budget_usd: object, *, reserved_usd: object = None) -> None:
        self.spent_usd = spent_usd
        self.budget_usd = budget_usd
        self.reserved_usd = reserved_usd  # what calls in flight held when this call was refused
        held = f" ({reserved_usd} USD held by calls in flight)" if reserved_usd else ""
        super().__init__(f"budget reached: spent {spent_usd} USD{held} of a {budget_usd} USD budget; request not sent")


class ToolCallError(GrokError, ValueError):
    """A tool call that cannot be parsed or sent back (not a function call, no function name, no id)."""


class ToolArgumentsError(ToolCallError):
    """A tool call's `arguments` text is not valid JSON (or not a JSON object)."""

    def __init__(self, message: str, *, tool_name: str, raw_arguments: str) -> None:
        self.tool_name = tool_name
        self.raw_arguments = raw_arguments  # whole; the message shows the start of a long text
        shown = repr(raw_arguments) if len(raw_arguments) <= 300 else repr(raw_arguments[:300]) + "..."
        super().__init__(f"{message} (tool {tool_name!r}, raw arguments: {shown})")


class APIError(GrokError):
    """Something went wrong talking to the API."""

    retries: int = 0

    def __init__(self, message: str, *, request: httpx.Request | None = None, retries: int = 0) -> None:
        message = Redactor.for_request(request).text(message)
        self.message = message
        self.request = request
        self.retries = retries
        super().__init__(message)


class APIConnectionError(APIError):
    """No HTTP answer: DNS, connect, TLS or a dropped connection."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIStatusError(APIError):
    """The API answered with an error status. Carries the parsed AIML error body.

    `body` is the decoded JSON (or None), `raw_text` the text when the body is
    not JSON (an HTML page from a proxy, an empty body). `error_message`,
    `request_id`, `path`, `error_status_code` (int, even when sent as "429")
    and `timestamp` come from the AIML error body when present.
    """

    def __init__(self, message: str, *, response: httpx.Response, body: Any, retries: int = 0) -> None:
        super().__init__(message, request=response.request, retries=retries)
        redactor = Redactor.for_request(response.request)
        self.response = response
        self.status_code = response.status_code
        self.body = redactor.json(body)
        self.raw_text = redactor.text(response.text) if body is None else None
        fields = body if isinstance(body, dict) else {}
        self.error_message: str | None = _str_or_none(fields.get("message"))
        self.request_id: str | None = _str_or_none(fields.get("requestId"))
        self.path: str | None = _str_or_none(fields.get("path"))
        self.timestamp: str | None = _str_or_none(fields.get("timestamp"))
        self.error_status_code: int | None = _int_or_none(fields.get("statusCode"))
        self.inference_id: str | None = response.headers.get("x-inference-id")


class BadRequestError(APIStatusError):
    """400: body validation error."""


class AuthenticationError(APIStatusError):
    """401: missing or invalid API key."""


class PermissionDeniedError(APIStatusError):
    """403: authenticated but not allowed (for example, no credits left)."""


class NotFoundError(APIStatusError):
    """404: wrong path or method."""


class ConflictError(APIStatusError):
    """409: conflict."""


class UnprocessableEntityError(APIStatusError):
    """422: unprocessable entity."""


class RateLimitError(APIStatusError):
    """429: rate or concurrency limit reached."""


class InternalServerError(APIStatusError):
    """>= 500: server side or upstream model provider; retried by default."""


class ResponseValidationError(APIError):
    """A 2xx answer whose body is not what the spec describes (not JSON, not a completion)."""

    def __init__(self, message: str, *, response: httpx.Response, retries: int = 0) -> None:
        super().__init__(message, request=response.request, retries=retries)
        self.response = response
        self.raw_text = Redactor.for_request(response.request).text(response.text)


class StreamError(APIError):
    """The stream carried an `error` object or broke off. `partial` holds what arrived."""

    def __init__(
        self,
        message: str,
        *,
        body: Any = None,
        partial: StreamResult | None = None,
        retries: int = 0,
        request: httpx.Request | None = None,
    ) -> None:
        super().__init__(message, request=request, retries=retries)
        self.body = Redactor.for_request(request).json(body)
        self.partial = partial

    @property
    def partial_text(self) -> str:
        return self.partial.text if self.partial is not None else ""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_for(response: httpx.Response, *, retries: int = 0) -> APIStatusError:
    """The one place that maps an HTTP error status to its exception class."""
    redactor = Redactor.for_request(response.request)
    body = redactor.json(decode_error_body(response))
    cls = _STATUS_CLASSES.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    detail = body.get("message") if isinstance(body, dict) else None
    if detail is None:
        snippet = body_snippet(response)
        detail = snippet or "empty body"
    message = f"HTTP {response.status_code} from {response.request.url.path}: {detail}"
    return cls(message, response=response, body=body, retries=retries)


class ChunkParseError(ValueError):
    """A chunk whose shape no model can hold (for example a choice that is not an object)."""


def decode_error_body(response: httpx.Response) -> Any:
    """The JSON error body, or None when the body is not JSON (HTML, empty) or nested too deep to decode."""
    try:
        return json.loads(response.content) if response.content else None
    except (ValueError, RecursionError):
        return None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None
