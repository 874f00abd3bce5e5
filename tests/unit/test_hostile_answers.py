"""Hostile answers: each gives a typed result, a library error or a drift warning, never anything else."""

from __future__ import annotations

import contextlib
import copy
import decimal
import io
import json
import logging
import math
import warnings
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aimlapi_grok import (
    AsyncGrok,
    ChatCompletionResult,
    DriftWarning,
    Grok,
    GrokError,
    ResponseValidationError,
    StreamError,
    ToolArgumentsError,
    ToolCallError,
    assistant_message_from,
    drift_reports,
    drift_reports_dropped,
    parse_tool_calls,
)
from aimlapi_grok._cli_chat import ChatOptions, run_chat
from aimlapi_grok._drift import MAX_DRIFT_REPORTS, _relaxed, report_deviation, report_drift
from aimlapi_grok._retry import RETRY_AFTER_CAP, RetryPolicy, compute_wait, retry_after_seconds

from .conftest import API_KEY, COMPLETION, USER_HI, chunk_body
from .hostile_server import hostile_server, http_answer

CHUNK = chunk_body("Hello")
LAST = {**CHUNK, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}


def _client(body: Any, *, headers: dict[str, str] | None = None, content_type: str = "application/json") -> Grok:
    """A Grok whose transport answers every request with `body` (bytes, text or JSON)."""
    if isinstance(body, bytes):
        content = body
    elif isinstance(body, str):
        content = body.encode()
    else:
        content = json.dumps(body).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content, headers={"content-type": content_type, **(headers or {})})

    transport = httpx.MockTransport(answer)
    return Grok(api_key=API_KEY, max_retries=0, http_client=httpx.Client(transport=transport))


def _events(*payloads: Any) -> str:
    return "".join(f"data: {p if isinstance(p, str) else json.dumps(p)}\n\n" for p in payloads)


def _with_message(**fields: Any) -> dict[str, Any]:
    body = copy.deepcopy(COMPLETION)
    body["choices"][0]["message"].update(fields)
    return body


def _drift_paths() -> set[str]:
    return {report.path for report in drift_reports()}


# -- cost values ------------------------------------------------------------------------------------

HOSTILE_AMOUNTS = ["1e600000", "1e1000000", "1e5000", "-1", "-0.5", "NaN", "sNaN", "Infinity", "-Infinity", "1e-600000"]
HOSTILE_AMOUNTS += ["twelve", "0x10", "1" * 100, "0E-600000", "0E+600000"]


@pytest.mark.parametrize("value", HOSTILE_AMOUNTS)
def test_hostile_cost_headers_are_drift_and_not_counted(value: str) -> None:
    """A cost header with a huge exponent, a sign, NaN or infinity: drift warning, None, totals untouched."""
    client = _client(COMPLETION | {"meta": {}}, headers={"x-aimlapi-usd-spent": value, "x-aimlapi-credits-used": value})
    with pytest.warns(DriftWarning, match="x-aimlapi-(usd-spent|credits-used)"):
        result = client.chat.completions.create(messages=USER_HI)
    assert result.usd_spent is None
    assert result.credits_used is None
    assert client.total_usd_spent == 0
    assert client.total_credits_used == 0
    assert {"x-aimlapi-usd-spent", "x-aimlapi-credits-used"} <= _drift_paths()


@pytest.mark.parametrize("value", ["1e600000", -3, "NaN", 1e308 * 10, [1], {"usd": 1}])
def test_hostile_meta_usage_in_body_and_stream_is_drift_and_not_counted(value: Any) -> None:
    """meta.usage.usd_spent out of bounds (or not a number) in a completion or a final chunk: drift, not counted."""
    meta = {"usage": {"credits_used": value, "usd_spent": value}}
    client = _client(COMPLETION | {"meta": meta})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = client.chat.completions.create(messages=USER_HI)
        assert (result.usd_spent, result.credits_used) == (None, None)
        streamed = _client(_events(CHUNK, LAST | {"meta": meta}, "[DONE]"), content_type="text/event-stream")
        final = streamed.chat.completions.create(messages=USER_HI, stream=True).get_final_result()
    assert (final.usd_spent, final.credits_used, final.text) == (None, None, "Hello")
    assert client.total_usd_spent == streamed.total_usd_spent == 0
    assert any(issubclass(w.category, DriftWarning) for w in caught)
    assert {"meta.usage.usd_spent", "meta.usage.credits_used"} & _drift_paths()


def test_totals_keep_their_own_decimal_context() -> None:
    """A caller's decimal.getcontext().prec = 4 does not round the client's totals."""
    client = _client(COMPLETION, headers={"x-aimlapi-usd-spent": "1234.56789", "x-aimlapi-credits-used": "7"})
    with decimal.localcontext() as context:
        context.prec = 4
        context.traps[decimal.Inexact] = True  # any rounding in the totals would raise here
        for _ in range(3):
            client.chat.completions.create(messages=USER_HI)
    assert client.total_usd_spent == Decimal("3703.70367")
    assert client.total_credits_used == 21


def test_cli_summary_survives_a_hostile_cost() -> None:
    """The CLI run against a server sending usd 1e5000 prints its summary and exits 0 (the cost shown as n/a)."""
    answer = http_answer(200, COMPLETION | {"meta": {}}, x_aimlapi_usd_spent="1e5000")
    with hostile_server(answer) as server:
        out, err = io.StringIO(), io.StringIO()
        options = ChatOptions(prompt="hi", as_json=True, base_url=server.url, api_key=API_KEY, max_retries=0)
        with pytest.warns(DriftWarning):
            status = run_chat(options, out, err)
    assert status == 0, err.getvalue()
    assert "usd: n/a" in err.getvalue()


# -- Retry-After ------------------------------------------------------------------------------------

HOSTILE_RETRY_AFTER = [
    "Mon, 01 Jan 99999999999 00:00:00 GMT",
    "Fri, 31 Dec 9999 23:59:59 +2359",
    "1e400",
    "99999999999999999999999",
    "inf",
    "nan",
    "-5",
    "Mon, 99 Foo 2001 99:99:99 GMT",
    "\x00",
]


@pytest.mark.parametrize("value", HOSTILE_RETRY_AFTER)
def test_retry_after_of_any_date_or_number_gives_a_capped_wait(value: str) -> None:
    """Any Retry-After / retry-after-ms value gives a wait between 0 and the cap, never OverflowError."""
    request = httpx.Request("POST", "https://api.aimlapi.com/v1/chat/completions")
    for header in ("retry-after", "retry-after-ms"):
        response = httpx.Response(503, headers={header: value}, request=request)
        from aimlapi_grok._errors import status_error_for

        wait = compute_wait(1, status_error_for(response), RetryPolicy(3))
        assert 0 <= wait <= RETRY_AFTER_CAP
    assert retry_after_seconds({"retry-after": "Mon, 01 Jan 99999999999 00:00:00 GMT"}) == math.inf


def test_retry_after_far_future_date_from_a_real_server_waits_the_cap(caplog: pytest.LogCaptureFixture) -> None:
    """A 503 with Retry-After in year 99999999999, then a 200: one retry, its logged wait is the cap."""
    caplog.set_level(logging.INFO, logger="aimlapi_grok")
    hostile = http_answer(503, {"message": "later"}, retry_after="Mon, 01 Jan 99999999999 00:00:00 GMT")
    with (
        hostile_server(hostile, http_answer(200, COMPLETION)) as server,
        Grok(api_key=API_KEY, base_url=server.url) as c,
    ):
        result = c.chat.completions.create(messages=USER_HI)
    assert result.retries == 1
    assert [getattr(r, "retry_wait", None) for r in caplog.records if hasattr(r, "retry_wait")] == [RETRY_AFTER_CAP]


def test_completion_body_with_a_utf8_bom_is_read() -> None:
    """A JSON completion starting with a UTF-8 BOM (which RFC 8259 lets a reader ignore) parses as usual."""
    result = _client(b"\xef\xbb\xbf" + json.dumps(COMPLETION).encode()).chat.completions.create(messages=USER_HI)
    assert result.text == COMPLETION["choices"][0]["message"]["content"]


# -- nesting ----------------------------------------------------------------------------------------


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def test_body_nested_100000_deep_is_a_response_validation_error() -> None:
    """A body nested 100,000 deep (object or array): ResponseValidationError, not RecursionError."""
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        with pytest.raises(ResponseValidationError, match="nested too deep"):
            _client(body).chat.completions.create(messages=USER_HI)


@pytest.mark.parametrize("where", ["content", "tool_calls"])
def test_typed_field_nested_300_deep_is_a_library_error(where: str) -> None:
    """A value nested 300 deep in a typed field: ResponseValidationError, never RecursionError/ValueError."""
    body = copy.deepcopy(COMPLETION)
    body["choices"][0]["message"][where] = _nested(300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        with pytest.raises(ResponseValidationError, match="nested too deep"):
            _client(body).chat.completions.create(messages=USER_HI)


def test_unknown_field_nested_300_deep_is_kept_as_drift() -> None:
    """A value nested 300 deep in an unknown field: reported as drift and kept in additional_properties."""
    body = _with_message(deep_extra=_nested(300))
    with pytest.warns(DriftWarning, match="nested too deep"):
        result = _client(body).chat.completions.create(messages=USER_HI)
    # typing: generated fields are `X | Unset`; this answer has them
    assert result.completion.choices[0].message.additional_properties["deep_extra"] == _nested(300)  # type: ignore[union-attr,index]


def test_tool_arguments_nested_100000_deep_are_a_tool_arguments_error() -> None:
    """Tool call arguments nested 100,000 deep: parse_tool_calls raises ToolArgumentsError, not RecursionError."""
    deep = '{"a":' * 100_000 + "1" + "}" * 100_000
    call = {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": deep}}
    result = _client(_with_message(tool_calls=[call])).chat.completions.create(messages=USER_HI)
    with pytest.raises(ToolArgumentsError, match="nested too deep") as caught:
        parse_tool_calls(result)
    assert caught.value.raw_arguments == deep


def test_stream_event_nested_deep_mid_stream_is_a_stream_error_or_drift() -> None:
    """Mid-stream: an event nested 100,000 deep is a StreamError keeping the text so far; 300 deep is drift."""
    deep_event = "[" * 100_000 + "]" * 100_000
    client = _client(_events(CHUNK, deep_event, LAST, "[DONE]"), content_type="text/event-stream")
    stream = client.chat.completions.create(messages=USER_HI, stream=True)
    with pytest.raises(StreamError, match="nested too deep") as caught:
        stream.get_final_result()
    assert caught.value.partial_text == "Hello"
    deep_field = CHUNK | {"choices": [{"index": 0, "delta": {"content": " there", "extra": _nested(300)}}]}
    client = _client(_events(CHUNK, deep_field, LAST, "[DONE]"), content_type="text/event-stream")
    with pytest.warns(DriftWarning, match="nested too deep"):
        result = client.chat.completions.create(messages=USER_HI, stream=True).get_final_result()
    assert result.text == "Hello there"


# -- odd but possible fields ------------------------------------------------------------------------


ODD_ANSWERS = {
    "object null": COMPLETION | {"object": None},
    "annotation type null": _with_message(annotations=[{"type": None, "url_citation": None}]),
    "tool call without function": _with_message(tool_calls=[{"id": "call_1", "type": "function"}]),
    "custom tool call": _with_message(tool_calls=[{"id": "call_2", "type": "custom", "custom": {"name": "sql"}}]),
    "function name null": _with_message(tool_calls=[{"id": "c", "type": "function", "function": {"name": None}}]),
    "lone surrogate text": _with_message(content="\ud800 half a pair"),
}


@pytest.mark.parametrize("name", list(ODD_ANSWERS))
def test_odd_answers_give_typed_results_or_library_errors(name: str) -> None:
    """create(), .completion, .usage, .tool_calls, parse_tool_calls and assistant_message_from: typed or GrokError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        result = _client(ODD_ANSWERS[name]).chat.completions.create(messages=USER_HI)
        assert isinstance(result, ChatCompletionResult)
        assert result.completion.to_dict()["object"] == "chat.completion"
        assert result.usage is not None
        assert isinstance(result.tool_calls, list)
        for helper in (parse_tool_calls, assistant_message_from):
            with contextlib.suppress(GrokError):
                helper(result)
    if "tool call" in name:
        with pytest.raises(ToolCallError):
            parse_tool_calls(result)


@pytest.mark.parametrize("name", list(ODD_ANSWERS))
def test_cli_json_prints_odd_answers(name: str) -> None:
    """`chat --json` against a real server sending each odd answer: valid JSON on a UTF-8 stdout, exit 0."""
    with hostile_server(http_answer(200, ODD_ANSWERS[name])) as server:
        raw = io.BytesIO()
        out = io.TextIOWrapper(raw, encoding="utf-8")
        err = io.StringIO()
        options = ChatOptions(prompt="hi", as_json=True, base_url=server.url, api_key=API_KEY, max_retries=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DriftWarning)
            status = run_chat(options, out, err)
        out.flush()
    assert status == 0, err.getvalue()
    printed = json.loads(raw.getvalue().decode("utf-8"))
    assert printed["object"] == "chat.completion"


# -- drift registry ---------------------------------------------------------------------------------


def test_drift_registry_stays_bounded_under_a_new_unknown_field_per_answer() -> None:
    """2,000 answers, each with a new unknown field: few reports, and the relaxed schema stops growing."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        for n in range(100):
            report_drift("ChatCompletion", COMPLETION | {f"novel_{n}": n})
        size_after_100 = len(json.dumps(_relaxed["ChatCompletion"].defs))
        for n in range(100, 2000):
            report_drift("ChatCompletion", COMPLETION | {f"novel_{n}": n})
    assert len(json.dumps(_relaxed["ChatCompletion"].defs)) <= size_after_100
    assert len(drift_reports()) < 100
    assert any(report.rule == "unknown fields" for report in drift_reports())


def test_drift_registry_keeps_the_first_reports_and_counts_the_rest() -> None:
    """Past MAX_DRIFT_REPORTS distinct deviations, the rest are counted, not stored nor warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for n in range(MAX_DRIFT_REPORTS + 50):
            report_deviation("ChatCompletion", f"field_{n}", "type", "differs")
    assert len(drift_reports()) == MAX_DRIFT_REPORTS
    assert drift_reports_dropped() == 50
    assert len(caught) == MAX_DRIFT_REPORTS
    assert "drift_reports_dropped" in drift_reports()[-1].detail


# -- streams ----------------------------------------------------------------------------------------


async def _final(kind: str, url: str) -> Any:
    if kind == "sync":
        with Grok(api_key=API_KEY, base_url=url, max_retries=0) as client:
            return client.chat.completions.create(messages=USER_HI, stream=True).get_final_result()
    async with AsyncGrok(api_key=API_KEY, base_url=url, max_retries=0) as aclient:
        stream = await aclient.chat.completions.create(messages=USER_HI, stream=True)
        return await stream.get_final_result()


def _sse_answer(text: str | bytes) -> bytes:
    return http_answer(200, text, content_type="text/event-stream")


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_stream_with_a_utf8_bom_loses_nothing(kind: str) -> None:
    """A real server starting the event stream with a UTF-8 BOM: the first event is kept."""
    body = b"\xef\xbb\xbf" + _events(CHUNK, LAST, "[DONE]").encode()
    with hostile_server(_sse_answer(body)) as server:
        result = await _final(kind, server.url)
    assert result.text == "Hello"
    assert result.chunk_count == 2


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_ping_and_other_named_events_are_skipped_without_drift(kind: str) -> None:
    """`event: ping` (with or without data) and other named events: not chunks, not drift."""
    body = (
        'event: ping\ndata: {"type": "ping"}\n\n'
        + _events(CHUNK)
        + "event: ping\n\n"
        + "event: progress\ndata: 42\n\n"
        + _events(LAST, "[DONE]")
    )
    with hostile_server(_sse_answer(body)) as server, warnings.catch_warnings():
        warnings.simplefilter("error", DriftWarning)
        result = await _final(kind, server.url)
    assert (result.text, result.chunk_count, result.finish_reason) == ("Hello", 2, "stop")
    assert drift_reports() == []


ERROR_BODIES = {
    "bare json": '{"message": "upstream overloaded", "statusCode": 503}\n',
    "bare pretty json after a chunk": _events(CHUNK)
    + '{\n  "message": "upstream overloaded",\n  "statusCode": 503\n}\n',
    "error event, text data": "event: error\ndata: upstream overloaded\n\n",
    "error event, json data": 'event: error\ndata: {"message": "upstream overloaded"}\n\n',
    "framed error object": _events({"error": {"message": "upstream overloaded", "code": 503}}),
}


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("name", list(ERROR_BODIES))
async def test_json_error_inside_an_event_stream_is_a_stream_error_with_its_message(kind: str, name: str) -> None:
    """A JSON error object in an event-stream body, framed as an event or bare: StreamError with the server's text."""
    with (
        hostile_server(_sse_answer(ERROR_BODIES[name])) as server,
        pytest.raises(StreamError, match="overloaded") as caught,
    ):
        await _final(kind, server.url)
    assert caught.value.partial_text in ("", "Hello")


def test_error_event_without_data_is_a_stream_error() -> None:
    """An `event: error` carrying no data after a chunk: StreamError (not a silently skipped event)."""
    client = _client(_events(CHUNK) + "event: error\n\n" + _events(LAST, "[DONE]"), content_type="text/event-stream")
    with pytest.raises(StreamError, match="error event after 1 chunk") as caught:
        client.chat.completions.create(messages=USER_HI, stream=True).get_final_result()
    assert caught.value.partial_text == "Hello"


def test_null_in_a_non_nullable_nested_chunk_slot_is_kept_aside() -> None:
    """A tool call delta with `"function": null`: the typed chunk serializes, the null kept in additional_properties."""
    fragment = {"index": 0, "id": "call_1", "type": "function", "function": None}
    odd = CHUNK | {"choices": [{"index": 0, "delta": {"tool_calls": [fragment]}, "finish_reason": None}]}
    client = _client(_events(CHUNK, odd, LAST, "[DONE]"), content_type="text/event-stream")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        chunks = list(client.chat.completions.create(messages=USER_HI, stream=True))
    # typing: generated fields are `X | Unset`; this chunk has them
    call = chunks[1].choices[0].delta.tool_calls[0]  # type: ignore[index,union-attr]
    assert call.additional_properties == {"function": None}
    assert chunks[1].to_dict()["choices"][0]["delta"]["tool_calls"][0]["function"] is None
