"""Stream events the mutation run showed unpinned: error wording, odd field types, tool call parts, retries."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aimlapi_grok import DriftWarning, StreamError, drift_reports
from aimlapi_grok._meta import ResponseInfo
from aimlapi_grok._stream_accumulator import StreamAccumulator

KEY = "sk-test-STREAM-KEY-0123456789"


def chunk(delta: dict[str, Any] | None = None, **top: Any) -> str:
    """One chunk's data: a choice 0 with `delta`, top-level fields replaced by `top`."""
    body: dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m"}
    body["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": None}]
    body.update(top)
    return json.dumps(body)


def accumulator(retries: int = 0) -> StreamAccumulator:
    """An accumulator for a stream that took `retries` retries, its request carrying the key."""
    request = httpx.Request(
        "POST", "https://api.aimlapi.com/v1/chat/completions", headers={"authorization": f"Bearer {KEY}"}
    )
    info = ResponseInfo.from_response(httpx.Response(200, request=request), retries=retries)
    return StreamAccumulator(info, report_drift=lambda component, data: None, request=request)


def failure(events: list[tuple[str, str]], retries: int = 0) -> StreamError:
    """The StreamError raised while decoding `events` ((data, event name) pairs) in order."""
    acc = accumulator(retries)
    for data, event in events[:-1]:
        acc.decode(data, event)
    data, event = events[-1]
    with pytest.raises(StreamError) as caught:
        acc.decode(data, event)
    return caught.value


@pytest.mark.parametrize(
    ("events", "message"),
    [
        (
            [(chunk({"content": "a"}), ""), ("", "error")],
            "the stream carried an error event after 1 chunk(s), without a message",
        ),
        ([("model overloaded", "error")], "the stream carried an error event after 0 chunk(s): model overloaded"),
        ([(chunk(), ""), ("[1, 2]", "error")], "the stream carried an error event after 1 chunk(s): [1, 2]"),
        ([(chunk(), ""), ("[1, 2]", "")], "stream event 2 is a JSON list, not a chunk object"),
        ([('{"error": {"message": "boom"}}', "")], "the stream carried an error after 0 chunk(s): boom"),
        ([('{"message": "bad key", "statusCode": 401}', "")], "the stream carried an error after 0 chunk(s): bad key"),
        ([('{"detail": "x"}', "error")], 'the stream carried an error event after 0 chunk(s): {"detail": "x"}'),
        ([('{"error": {"message": ""}}', "")], 'the stream carried an error after 0 chunk(s): {"message": ""}'),
        ([('{"error": {"message": 5}}', "")], 'the stream carried an error after 0 chunk(s): {"message": 5}'),
        ([('{"error": "quota"}', "")], "the stream carried an error after 0 chunk(s): quota"),
        ([(chunk(), ""), ("[" * 100_000, "")], "stream event 2 is nested too deep to decode"),
    ],
)
def test_each_stream_error_says_what_and_where(events: list[tuple[str, str]], message: str) -> None:
    """Each way a stream can fail gives a StreamError whose message names the event number and the cause."""
    assert str(failure(events)) == message


def test_invalid_json_is_quoted_shortened_with_its_position() -> None:
    """Invalid JSON is quoted (up to 200 characters, longer ones cut at 197 + '...') with the event number."""
    short = "{oops" + "x" * 195  # 200 characters: shown whole
    assert str(failure([(chunk(), ""), (short, "")])).endswith(f"): {short!r}")
    assert str(failure([(chunk(), ""), (short, "")])).startswith("stream event 2 is not valid JSON (")
    long = short + "y"
    assert str(failure([(long, "")])).endswith(f"): {long[:197] + '...'!r}")
    text_error = "e" * 201
    assert str(failure([(text_error, "error")])).endswith(": " + "e" * 197 + "...")


def test_json_error_text_is_capped() -> None:
    """An error event's non-object JSON is shown up to 300 characters, a body without a message up to 300 too."""
    listed = json.dumps(["z" * 400])
    assert str(failure([(listed, "error")])).endswith(": " + listed[:300])
    body = {"detail": "d" * 400}
    assert str(failure([(json.dumps(body), "error")])).endswith(": " + json.dumps(body)[:300])


def test_status_code_alone_is_not_an_error() -> None:
    """A chunk carrying `statusCode` but no message or error is a chunk (its text kept), not an error."""
    acc = accumulator()
    acc.decode(chunk({"content": "ok"}, statusCode=200))
    assert acc.snapshot().text == "ok"


def test_stream_error_carries_the_retries_and_the_request() -> None:
    """A StreamError after 2 retries says retries == 2, keeps the request, and redacts an echoed key in its body."""
    error = failure([(json.dumps({"error": {"message": f"bad key {KEY}"}}), "")], retries=2)
    assert error.retries == 2
    assert error.request is not None
    assert error.request.url.path == "/v1/chat/completions"
    assert KEY not in json.dumps(error.body)
    assert KEY not in str(error)


def test_stream_error_without_response_info_counts_no_retries() -> None:
    """An accumulator with no ResponseInfo raises StreamErrors with retries == 0."""
    acc = StreamAccumulator(report_drift=lambda component, data: None)
    with pytest.raises(StreamError) as caught:
        acc.decode("{not json")
    assert caught.value.retries == 0


def test_feed_skips_named_events_and_types_chunks() -> None:
    """feed() with a `ping` event returns None and counts nothing; a message event gives a typed chunk."""
    acc = accumulator()
    assert acc.feed(chunk({"content": "x"}), "ping") is None
    assert acc.chunk_count == 0
    typed = acc.feed(chunk({"content": "x"}), "message")
    assert typed is not None
    # typing: generated fields are `X | Unset`; this chunk has them
    assert typed.choices[0].delta.content == "x"  # type: ignore[index, union-attr]
    with pytest.raises(StreamError, match="carried an error event"):
        acc.feed('{"message": "down"}', "error")


def test_odd_field_types_are_ignored_not_crashing() -> None:
    """Non-string refusal/reasoning, non-list tool calls, a string usage or meta: ignored, the rest assembled."""
    acc = accumulator()
    acc.decode(chunk({"content": "a", "refusal": 5, "reasoning_content": 5, "tool_calls": 5}))
    acc.decode(chunk({"tool_calls": [{"index": 0, "id": 5, "type": 5, "function": "f"}]}))
    acc.decode(chunk({"tool_calls": [{"index": 0, "function": {"name": 5, "arguments": 5}}]}, usage="x", meta="x"))
    acc.decode(chunk({"content": "b"}, usage=None, meta={"usage": "x"}))
    result = acc.snapshot()
    assert (result.text, result.refusal, result.reasoning_text, result.usage) == ("ab", None, "", None)
    [call] = result.tool_calls
    assert (call.index, call.id, call.type, call.name, call.arguments) == (0, None, None, None, "")


def test_refusal_and_reasoning_text_are_assembled() -> None:
    """Refusal and reasoning fragments are joined; with none, refusal is None and reasoning_text ""."""
    acc = accumulator()
    acc.decode(chunk({"content": "a"}))
    assert (acc.snapshot().refusal, acc.snapshot().reasoning_text) == (None, "")
    acc.decode(chunk({"refusal": "can", "reasoning_content": "think "}))
    acc.decode(chunk({"refusal": "not", "reasoning_content": "more"}))
    assert (acc.snapshot().refusal, acc.snapshot().reasoning_text) == ("cannot", "think more")


def test_stream_cost_drift_names_the_chunk_field() -> None:
    """An unusable meta.usage cost in a chunk is reported at ChatCompletionChunk meta.usage.<field>, not counted."""
    acc = accumulator()
    with pytest.warns(DriftWarning):
        acc.decode(chunk({"content": "a"}, meta={"usage": {"credits_used": -1, "usd_spent": "NaN"}}))
    assert [(r.component, r.path) for r in drift_reports()] == [
        ("ChatCompletionChunk", "meta.usage.credits_used"),
        ("ChatCompletionChunk", "meta.usage.usd_spent"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        acc.decode(chunk(meta={"usage": {"credits_used": 3, "usd_spent": "0.25"}}))
    assert (acc.snapshot().credits_used, acc.snapshot().usd_spent) == (3, Decimal("0.25"))


def test_unindexed_first_tool_fragment_starts_call_zero() -> None:
    """A first tool call fragment with neither index nor id starts call 0; the next unindexed one continues it."""
    acc = accumulator()
    acc.decode(chunk({"tool_calls": [{"function": {"name": "weather", "arguments": '{"ci'}}]}))
    acc.decode(chunk({"tool_calls": [{"function": {"arguments": 'ty": "Oslo"}'}}]}))
    [call] = acc.snapshot().tool_calls
    assert (call.index, call.name, call.parse_arguments()) == (0, "weather", {"city": "Oslo"})


def test_text_delta_is_empty_before_any_event() -> None:
    """A new accumulator's text_delta is "" (no chunk decoded yet)."""
    assert accumulator().text_delta == ""


def test_a_cut_stream_says_it_is_incomplete() -> None:
    """A body that ends before [DONE] or a finish reason raises StreamError saying how many chunks arrived."""
    acc = accumulator()
    acc.decode(chunk({"content": "par"}))
    with pytest.raises(StreamError) as caught:
        acc.check_end_of_body()
    assert str(caught.value) == (
        "the stream ended after 1 chunk(s) without [DONE] or a finish reason (the answer is incomplete)"
    )
    assert caught.value.partial_text == "par"
