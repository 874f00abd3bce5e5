"""The key in every channel: reprs of what holds request headers, locals in tracebacks, pickles, echoed keys."""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
import pickle
import traceback
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import httpx
import pytest
import rich.console
import rich.traceback
from aimlapi_grok import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AsyncGrok,
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    DriftWarning,
    Grok,
    GrokError,
    InternalServerError,
    RequestValidationError,
    ResponseValidationError,
    StreamError,
    ToolArgumentsError,
    ToolCallError,
)
from aimlapi_grok import __all__ as public_names
from aimlapi_grok._errors import status_error_for
from aimlapi_grok.types import SchemaViolation, StreamAccumulator

from .conftest import API_KEY, USER_HI
from .hostile_server import hostile_server, http_answer

ECHO = f"Invalid token: Bearer {API_KEY}"


def _request() -> httpx.Request:
    return httpx.Request(
        "POST", "https://api.aimlapi.com/v1/chat/completions", headers={"authorization": f"Bearer {API_KEY}"}
    )


def _status_error(status: int = 401, body: Any = None) -> APIStatusError:
    content = json.dumps({"message": ECHO, "statusCode": status} if body is None else body).encode()
    response = httpx.Response(status, content=content, request=_request(), headers={"x-inference-id": "inf-1"})
    return status_error_for(response, retries=2)


def _rendered_tracebacks(error: BaseException) -> str:
    """The error as a locals-capturing traceback prints it: stdlib's capture_locals and rich's show_locals."""
    stdlib = "".join(traceback.TracebackException.from_exception(error, capture_locals=True).format())
    console = rich.console.Console(file=io.StringIO(), width=200)
    console.print(rich.traceback.Traceback.from_exception(type(error), error, error.__traceback__, show_locals=True))
    # typing: the console was built on a StringIO; Console.file is typed IO[str]
    rendered = str(console.file.getvalue())  # type: ignore[attr-defined]
    return stdlib + rendered


def test_prepared_call_repr_hides_the_key() -> None:
    """A PreparedCall (and its headers) repr the Authorization value as hidden, while still sending it."""
    client = Grok(api_key=API_KEY)
    call = client._prepare(USER_HI, False, {})
    assert call.headers["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in repr(call)
    assert API_KEY not in repr(call.headers)
    assert "<hidden>" in repr(call.headers)
    assert API_KEY not in repr(pickle.loads(pickle.dumps(call.headers)))


def test_locals_capturing_traceback_shows_no_key() -> None:
    """An error raised once the headers exist, printed with every frame's locals (as Sentry/rich do), has no key."""
    client = Grok(api_key=API_KEY)
    with pytest.raises(RequestValidationError) as caught:
        # typing: an int header value: the misuse under test
        client.chat.completions.create(messages=USER_HI, extra_headers={"x-trace": 1})  # type: ignore[dict-item]
    rendered = _rendered_tracebacks(caught.value)
    assert "headers" in rendered  # the frame holding the headers was rendered
    assert API_KEY not in rendered


@pytest.mark.parametrize(("status", "error_class"), [(401, AuthenticationError), (503, InternalServerError)])
def test_status_error_traceback_from_a_hostile_server_shows_no_key(status: int, error_class: type[Exception]) -> None:
    """A 401 (or a 503, retried through stamina) echoing the key, traceback rendered with locals: no key anywhere."""
    # (built inline: a local holding the echo would be rendered by the traceback of this very frame)
    with hostile_server(http_answer(status, {"message": ECHO, "statusCode": status}, retry_after="0")) as server:
        client = Grok(api_key=API_KEY, base_url=server.url, max_retries=1)
        with pytest.raises(error_class) as caught:
            client.chat.completions.create(messages=USER_HI)
        client.close()
    assert API_KEY in server.requests[0].decode()  # the key did travel (the test can fail)
    assert len(server.requests) == (2 if status == 503 else 1)
    assert API_KEY not in _rendered_tracebacks(caught.value)


def _one_of_each() -> list[GrokError]:
    """An instance of every exception class the package exports, built as the library builds them."""
    status = _status_error()
    accumulator = StreamAccumulator(request=_request())
    with pytest.warns(DriftWarning, match="required field is missing"):  # a bare chunk: no id, created, model
        accumulator.decode(json.dumps({"choices": [{"index": 0, "delta": {"content": "partial"}}]}))
    stream_error = accumulator.error(f"the stream carried an error: {ECHO}", body={"message": ECHO})
    completion_response = httpx.Response(200, content=b"<html>Bearer " + API_KEY.encode(), request=_request())
    errors: list[GrokError] = [
        status,
        _status_error(500, {"message": "down", "statusCode": "500"}),
        APIConnectionError("connect failed", request=_request(), retries=1),
        APITimeoutError("timed out", request=_request()),
        ConfigurationError("bad base_url"),
        RequestValidationError([SchemaViolation("temperature", 7, "maximum", "7 is greater than 2")]),
        BudgetExceededError("1.5", "1"),
        ToolArgumentsError("not JSON", tool_name="get_weather", raw_arguments="{"),
        ToolCallError("tool call 'c1' is a 'custom' tool call"),
        ResponseValidationError("not a completion", response=completion_response),
        stream_error,
        APIError("plain", request=_request()),
        GrokError("base"),
    ]
    exported = {obj for name in public_names if isinstance(obj := getattr(__import__("aimlapi_grok"), name), type)}
    exception_classes = {cls for cls in exported if issubclass(cls, GrokError)}
    covered = {type(error) for error in errors} | {cls for cls in exception_classes if issubclass(cls, APIStatusError)}
    assert exception_classes <= covered, exception_classes - covered
    for cls in exception_classes:  # every status class, built through the one mapping function
        if issubclass(cls, APIStatusError) and cls is not APIStatusError and cls is not type(status):
            code = {"BadRequestError": 400, "PermissionDeniedError": 403, "NotFoundError": 404}.get(cls.__name__)
            code = code or {"ConflictError": 409, "UnprocessableEntityError": 422, "RateLimitError": 429}.get(
                cls.__name__, 503
            )
            errors.append(_status_error(code))
    errors.append(_status_error(418))
    return errors


def _fields(error: BaseException) -> dict[str, Any]:
    """An error's fields, HTTP objects compared by what they say (not identity)."""
    out: dict[str, Any] = {}
    for name, value in vars(error).items():
        if isinstance(value, httpx.Request):
            out[name] = (value.method, str(value.url))
        elif isinstance(value, httpx.Response):
            out[name] = (value.status_code, value.headers.get("x-inference-id"), value.request.method)
        elif name == "partial" and value is not None:
            out[name] = (value.text, value.chunk_count)
        else:
            out[name] = value
    return out


def test_every_library_exception_pickles_to_itself_without_the_key() -> None:
    """Each exception class round-trips through pickle: same class, message and fields; the pickle holds no key."""
    for error in _one_of_each():
        data = pickle.dumps(error)
        assert API_KEY.encode() not in data, type(error).__name__
        copy = pickle.loads(data)
        assert type(copy) is type(error)
        assert str(copy) == str(error)
        assert _fields(copy) == _fields(error), type(error).__name__
        assert API_KEY not in str(copy)


def _raise_in_worker(status: int) -> None:
    raise _status_error(status)


def test_error_raised_in_a_process_pool_worker_reaches_the_parent_as_itself() -> None:
    """A library error raised in a ProcessPoolExecutor worker arrives as that error, not BrokenProcessPool."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        future = pool.submit(_raise_in_worker, 429)
        with pytest.raises(APIStatusError) as caught:
            future.result(timeout=60)
    assert type(caught.value).__name__ == "RateLimitError"
    assert caught.value.status_code == 429
    assert "Bearer <redacted>" in str(caught.value)


def test_echoed_key_is_redacted_in_message_body_and_raw_text() -> None:
    """A 401 echoing `Bearer <key>`, and an HTML page echoing the bare key: redacted everywhere they surface."""
    error = _status_error()
    assert API_KEY not in str(error)
    assert error.body == {"message": "Invalid token: Bearer <redacted>", "statusCode": 401}
    assert error.error_message == "Invalid token: Bearer <redacted>"
    html = httpx.Response(502, content=f"<p>key {API_KEY} refused</p>".encode(), request=_request())
    proxy_error = status_error_for(html)
    assert proxy_error.raw_text == "<p>key <redacted> refused</p>"
    assert API_KEY not in str(proxy_error)
    other = httpx.Response(401, json={"message": "Bearer abc.def-ghi is not valid"}, request=_request())
    assert status_error_for(other).error_message == "Bearer <redacted> is not valid"


def test_a_short_key_is_redacted_as_a_whole_token_only() -> None:
    """A one-letter key is redacted where it stands alone, and the same letter inside words is left as it was."""
    request = httpx.Request(
        "POST", "https://api.aimlapi.com/v1/chat/completions", headers={"authorization": "Bearer k"}
    )
    body = {"message": "key k is not known; token=k"}
    error = status_error_for(httpx.Response(401, json=body, request=request))
    assert error.error_message == "key <redacted> is not known; token=<redacted>"


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_echoed_key_is_in_no_log_record_nor_error_of_a_retried_call(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A real server echoing the key in 503s, then in a stream error event: no log record (ours, stamina's) has it."""
    echo_503 = http_answer(503, {"message": ECHO, "statusCode": 503}, retry_after="0")
    event = f"data: {json.dumps({'error': {'message': ECHO}})}\n\n"
    stream_echo = http_answer(200, event, content_type="text/event-stream")
    caplog.set_level(logging.DEBUG)
    with hostile_server(echo_503, echo_503, stream_echo) as server:
        if kind == "sync":
            with Grok(api_key=API_KEY, base_url=server.url, max_retries=1) as client:
                with pytest.raises(InternalServerError) as status:
                    client.chat.completions.create(messages=USER_HI)
                sync_stream = client.chat.completions.create(messages=USER_HI, stream=True)
                with pytest.raises(StreamError) as streamed:
                    sync_stream.get_final_result()
        else:
            async with AsyncGrok(api_key=API_KEY, base_url=server.url, max_retries=1) as aclient:
                with pytest.raises(InternalServerError) as status:
                    await aclient.chat.completions.create(messages=USER_HI)
                stream = await aclient.chat.completions.create(messages=USER_HI, stream=True)
                with pytest.raises(StreamError) as streamed:
                    await stream.get_final_result()
    assert status.value.retries == 1
    assert {record.name.split(".")[0] for record in caplog.records} >= {"aimlapi_grok", "stamina"}
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.__dict__)
    for error in (status.value, streamed.value):
        assert API_KEY not in str(error)
        assert API_KEY not in json.dumps(error.body)
        assert "Bearer <redacted>" in str(error)
