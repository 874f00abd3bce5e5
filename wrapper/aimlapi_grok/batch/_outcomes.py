"""A send's end as the journal stores it: a completion, or a failure with a short stable code and its reason."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    GrokError,
    RequestValidationError,
    ResponseValidationError,
)
from .._meta import ResponseInfo
from ._journal import Outcome

if TYPE_CHECKING:
    from .._response import ChatCompletionResult


def success_outcome(custom_id: str, result: ChatCompletionResult) -> Outcome:
    usage = result.body.get("usage")
    usage = usage if isinstance(usage, dict) else {}
    inference_id = result.inference_id
    return Outcome(
        custom_id,
        "done",
        status_code=result.response.status_code,
        body=result.body,
        # It parsed, so it is UTF-8 (after an optional BOM, which json.loads(str) would refuse); .text costs ~100 us.
        raw_body=result.response.content.decode("utf-8-sig"),
        request_id=inference_id,
        inference_id=inference_id,
        credits_used=result.credits_used,
        usd_spent=result.usd_spent,
        prompt_tokens=_count(usage.get("prompt_tokens")),
        completion_tokens=_count(usage.get("completion_tokens")),
    )


def failure_outcome(custom_id: str, exc: GrokError) -> Outcome:
    status_code = body = request_id = inference_id = credits = usd = None
    if isinstance(exc, APIStatusError):
        status_code, body, request_id, inference_id = exc.status_code, exc.body, exc.request_id, exc.inference_id
    elif isinstance(exc, ResponseValidationError):  # answered (and charged) but not a completion
        info = ResponseInfo.from_response(exc.response, retries=exc.retries)
        status_code, inference_id, credits, usd = (
            exc.response.status_code,
            info.inference_id,
            info.credits_used,
            info.usd_spent,
        )
    return Outcome(
        custom_id,
        "failed",
        status_code=status_code,
        body=body if body is not None else (exc.raw_text if isinstance(exc, APIStatusError) else None),
        request_id=request_id,
        inference_id=inference_id,
        credits_used=credits,
        usd_spent=usd,
        error_code=error_code(exc),
        error_message=str(exc),
    )


def error_code(exc: GrokError) -> str:
    """A short, stable code for a failure (the `error.code` of an output line)."""
    if isinstance(exc, APIStatusError):
        return f"http_{exc.status_code}"
    if isinstance(exc, APITimeoutError):
        return "timeout"
    if isinstance(exc, APIConnectionError):
        return "connection_error"
    if isinstance(exc, ResponseValidationError):
        return "invalid_response"
    if isinstance(exc, RequestValidationError):
        return "invalid_request"
    return type(exc).__name__


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
