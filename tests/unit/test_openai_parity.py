"""What openai-python users rely on, checked against openai-python itself: error names, status mapping, defaults."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import aimlapi_grok
import httpx
import openai
import pytest
from aimlapi_grok._client import Grok
from aimlapi_grok._errors import GrokError, RequestValidationError, ResponseValidationError, status_error_for
from aimlapi_grok._response import parse_completion
from aimlapi_grok._tools import assistant_message_from

from .conftest import API_KEY, completion_body

# openai-python's exceptions this client names differently (README, "Coming from openai-python").
RENAMED = {"OpenAIError": GrokError, "APIResponseValidationError": ResponseValidationError}
# Chat-completions exceptions every ported program may catch.
EXPECTED_SHARED = {
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
}
STATUSES = (400, 401, 403, 404, 409, 418, 422, 429, 500, 502, 503, 504)


def openai_exceptions() -> dict[str, type[BaseException]]:
    """The exception classes openai-python exports, by name."""
    exported = {name: getattr(openai, name) for name in dir(openai) if not name.startswith("_")}
    return {
        name: value for name, value in exported.items() if inspect.isclass(value) and issubclass(value, BaseException)
    }


def test_openai_exception_names_exist_with_the_same_hierarchy() -> None:
    """Each chat error of openai-python exists here under its name, and subclasses what it subclasses there."""
    theirs = openai_exceptions()
    shared = {name for name in theirs if hasattr(aimlapi_grok, name)}
    assert shared >= EXPECTED_SHARED
    mapped = {name: getattr(aimlapi_grok, name) for name in shared} | RENAMED
    for name, ours in mapped.items():
        for parent, our_parent in mapped.items():
            assert issubclass(ours, our_parent) == issubclass(theirs[name], theirs[parent]), (name, parent)


@pytest.mark.parametrize("status", STATUSES)
def test_statuses_map_to_the_same_exception_as_openai(status: int) -> None:
    """An error status raises the class openai-python raises for it, with status_code and the JSON body."""
    request = httpx.Request("POST", "https://api.aimlapi.com/v1/chat/completions")
    body = {"message": "boom", "statusCode": status}
    theirs = openai.OpenAI(api_key=API_KEY)._make_status_error_from_response(
        # typing: openai-python annotates its own vendored httpx's Response; at run time it reads any Response
        httpx.Response(status, json=body, request=request)  # type: ignore[arg-type]
    )
    ours = status_error_for(httpx.Response(status, json=body, request=request))
    assert type(ours).__name__ == type(theirs).__name__
    assert (ours.status_code, ours.body) == (theirs.status_code, theirs.body)
    assert ours.request is not None
    assert (ours.response.status_code, str(ours.request.url)) == (theirs.response.status_code, str(theirs.request.url))
    assert "boom" in ours.message
    assert "boom" in theirs.message


def test_timeout_and_retry_defaults_match_openai() -> None:
    """Grok() waits as long as openai-python for an answer and retries as often by default."""
    with Grok(api_key=API_KEY) as client:
        assert client.max_retries == openai.DEFAULT_MAX_RETRIES
        assert client.timeout == openai.DEFAULT_TIMEOUT.read


def tool_call_answer() -> Any:
    """A parsed answer that only calls a tool (content null), as the API sends it."""
    body = completion_body()
    body["choices"][0]["finish_reason"] = "tool_calls"
    body["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_completion(httpx.Response(200, json=body))


def test_appending_the_response_message_as_is_is_refused_before_sending() -> None:
    """The openai habit `messages.append(r.choices[0].message)` after a tool call names the null content."""
    result = tool_call_answer()
    messages: list[Any] = [{"role": "user", "content": "hi"}, result.choices[0].message]
    with Grok(api_key=API_KEY) as client, pytest.raises(RequestValidationError, match=r"messages\[1\]\.content"):
        client.chat.completions.create(messages=messages)


def test_assistant_message_from_sends_that_message_back_without_content() -> None:
    """The helper the README suggests instead gives a message the spec accepts: role and tool calls."""
    message = assistant_message_from(tool_call_answer())
    assert message == {
        "role": "assistant",
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}],
    }
