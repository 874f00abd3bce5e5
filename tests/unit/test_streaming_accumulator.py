"""StreamAccumulator (no I/O): decoding each event's data and assembling the StreamResult."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest
from aimlapi_grok import StreamError, StreamResult, ToolArgumentsError
from aimlapi_grok.types import ResponseInfo, StreamAccumulator
from aimlapi_grok_api.models import ChatCompletionChunk, Usage


def chunk(
    content: str | None = None, *, finish: str | None = None, delta: dict[str, Any] | None = None, **top: Any
) -> dict[str, Any]:
    """A spec-conforming chunk with one choice."""
    body = dict(delta or {})
    if content is not None:
        body["content"] = content
    return {
        "id": "chatcmpl-acc",
        "object": "chat.completion.chunk",
        "created": 1762343744,
        "model": "grok-4-1-fast-reasoning",
        "choices": [{"index": 0, "delta": body, "finish_reason": finish}],
        **top,
    }


def usage_chunk(**meta_usage: Any) -> dict[str, Any]:
    """The final chunk of `include_usage`: empty choices, usage, and the cost under meta.usage."""
    out = chunk()
    out["choices"] = []
    out["usage"] = {
        "prompt_tokens": 12,
        "completion_tokens": 30,
        "total_tokens": 42,
        "completion_tokens_details": {"reasoning_tokens": 21},
    }
    if meta_usage:
        out["meta"] = {"usage": meta_usage}
    return out


class Recorder:
    """A drift reporter that records what it is given."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, component: str, data: Any) -> None:
        self.calls.append((component, data))


def feed(events: list[Any], *, info: ResponseInfo | None = None) -> StreamAccumulator:
    """An accumulator fed with each event (dicts are JSON-encoded, str sent as is)."""
    accumulator = StreamAccumulator(info, report_drift=Recorder())
    for event in events:
        accumulator.decode(event if isinstance(event, str) else json.dumps(event))
    return accumulator


def test_text_finish_reason_id_model_and_count_are_assembled() -> None:
    """Content deltas are joined in order; the finish reason, id, model and chunk count are kept."""
    result = feed([chunk("", delta={"role": "assistant"}), chunk("Hel"), chunk("lo"), chunk(finish="stop"), "[DONE]"])
    result_snapshot = result.snapshot()
    assert result_snapshot.text == "Hello"
    assert result_snapshot.finish_reason == "stop"
    assert (result_snapshot.id, result_snapshot.model) == ("chatcmpl-acc", "grok-4-1-fast-reasoning")
    assert result_snapshot.chunk_count == 4
    assert result_snapshot.completed is True


def test_text_delta_is_the_last_chunks_text() -> None:
    """`text_delta` holds choice 0's text of the chunk decoded last, "" for a chunk without text."""
    accumulator = StreamAccumulator(report_drift=Recorder())
    accumulator.decode(json.dumps(chunk("a")))
    assert accumulator.text_delta == "a"
    accumulator.decode(json.dumps(chunk(finish="stop")))
    assert accumulator.text_delta == ""


def test_other_choices_do_not_mix_into_choice_zero() -> None:
    """With n=2, the text of choice index 1 stays out of `text` (the chunks still count)."""
    both = chunk("zero")
    both["choices"].append({"index": 1, "delta": {"content": "ONE"}, "finish_reason": None})
    swapped = chunk("ONE-again")
    swapped["choices"] = [{"index": 1, "delta": {"content": "ONE"}, "finish_reason": None}, *swapped["choices"]]
    result = feed([both, swapped]).snapshot()
    assert result.text == "zeroONE-again"
    assert result.chunk_count == 2


def test_parallel_tool_calls_are_assembled_per_index() -> None:
    """Two interleaved tool calls: id/type/name from their first fragment, arguments joined per index."""
    first = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}
    second = {"index": 1, "id": "call_b", "type": "function", "function": {"name": "get_time", "arguments": '{"tz'}}
    events = [
        chunk(delta={"role": "assistant", "tool_calls": [first]}),
        chunk(delta={"tool_calls": [second]}),
        chunk(delta={"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
        chunk(delta={"tool_calls": [{"index": 1, "function": {"arguments": '": "UTC"}'}}]}),
        chunk(delta={"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
        chunk(finish="tool_calls"),
        "[DONE]",
    ]
    result = feed(events).snapshot()
    assert [(c.index, c.id, c.type, c.name, c.arguments) for c in result.tool_calls] == [
        (0, "call_a", "function", "get_weather", '{"city": "Paris"}'),
        (1, "call_b", "function", "get_time", '{"tz": "UTC"}'),
    ]
    assert result.tool_calls[0].parse_arguments() == {"city": "Paris"}
    assert result.tool_calls[1].parse().arguments == {"tz": "UTC"}
    assert result.finish_reason == "tool_calls"
    assert result.text == ""


def test_tool_fragments_without_index_follow_their_id_or_the_previous_fragment() -> None:
    """Fragments lacking `index` (drift) join the call with their id, else continue the call seen last."""
    events = [
        chunk(delta={"tool_calls": [{"id": "call_x", "function": {"name": "f", "arguments": "{"}}]}),
        chunk(delta={"tool_calls": [{"function": {"arguments": '"a": 1'}}]}),
        chunk(delta={"tool_calls": [{"id": "call_y", "function": {"name": "g", "arguments": "{}"}}]}),
        chunk(delta={"tool_calls": [{"id": "call_x", "function": {"arguments": "}"}}]}),
    ]
    calls = feed(events).snapshot().tool_calls
    assert [(c.index, c.id, c.arguments) for c in calls] == [(0, "call_x", '{"a": 1}'), (1, "call_y", "{}")]


def test_streamed_tool_call_with_invalid_arguments_raises_with_raw_text() -> None:
    """parse_arguments() on a broken arguments text raises ToolArgumentsError carrying that text."""
    fragment = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "f", "arguments": '{"a": '}}
    call = feed([chunk(delta={"tool_calls": [fragment]})]).snapshot().tool_calls[0]
    with pytest.raises(ToolArgumentsError) as caught:
        call.parse_arguments()
    assert caught.value.raw_arguments == '{"a": '
    assert caught.value.tool_name == "f"


def test_final_usage_chunk_with_empty_choices_gives_usage_and_reasoning_tokens() -> None:
    """The usage chunk (empty `choices`) yields typed Usage and the reasoning token count."""
    result = feed([chunk("hi"), chunk(finish="stop"), usage_chunk(), "[DONE]"]).snapshot()
    assert isinstance(result.usage, Usage)
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (12, 30, 42)
    assert result.reasoning_tokens == 21
    assert result.text == "hi"


def test_cost_comes_from_meta_usage_as_exact_decimal() -> None:
    """credits_used is an int and usd_spent an exact Decimal, read from the final chunk's meta.usage."""
    data = json.dumps(usage_chunk(credits_used=2480, usd_spent=0.00124))
    accumulator = StreamAccumulator(report_drift=Recorder())
    accumulator.decode(json.dumps(chunk("x", finish="stop")))
    assert accumulator.snapshot().usd_spent is None
    accumulator.decode(data)
    result = accumulator.snapshot()
    assert result.credits_used == 2480
    assert result.usd_spent == Decimal("0.00124")
    assert isinstance(result.usd_spent, Decimal)


def test_tracing_ids_come_from_the_response_info() -> None:
    """inference_id and client_request_id are those of the HTTP answer the stream came in."""
    info = ResponseInfo(200, __import__("httpx").Headers(), "inf-1", "req-1", None, None, retries=1)
    result = feed([chunk("x")], info=info).snapshot()
    assert (result.inference_id, result.client_request_id, result.info) == ("inf-1", "req-1", info)


def test_refusal_and_reasoning_content_are_assembled() -> None:
    """`delta.refusal` and `delta.reasoning_content` pieces are joined like the text."""
    events = [
        chunk(delta={"reasoning_content": "think "}),
        chunk(delta={"reasoning_content": "more"}),
        chunk(delta={"refusal": "I can"}),
        chunk(delta={"refusal": "not."}),
    ]
    result = feed(events).snapshot()
    assert result.reasoning_text == "think more"
    assert result.refusal == "I cannot."
    assert result.text == ""


def test_error_object_raises_stream_error_with_partial_text() -> None:
    """An event carrying `error` raises StreamError with the error body and the text received so far."""
    accumulator = feed([chunk("Hello, "), chunk("wor")])
    error = {"message": "upstream model provider failed", "type": "server_error", "code": 502}
    with pytest.raises(StreamError) as caught:
        accumulator.decode(json.dumps({"error": error}))
    assert caught.value.body == error
    assert caught.value.partial is not None
    assert caught.value.partial_text == "Hello, wor"
    assert "upstream model provider failed" in str(caught.value)
    assert caught.value.partial.completed is False


def test_event_named_error_raises_stream_error() -> None:
    """An SSE `event: error` is an error whatever its data holds."""
    accumulator = feed([chunk("a")])
    with pytest.raises(StreamError, match="overloaded") as caught:
        accumulator.decode(json.dumps({"message": "overloaded"}), "error")
    assert caught.value.partial_text == "a"


def test_aiml_error_body_in_the_stream_raises_stream_error() -> None:
    """An AIML error body (message + statusCode) sent as an event raises StreamError."""
    body = {"message": "Too many requests", "statusCode": "429", "path": "/v1/chat/completions", "requestId": "r1"}
    with pytest.raises(StreamError, match="Too many requests") as caught:
        feed([chunk("a"), body])
    assert caught.value.body == body


def test_null_error_next_to_a_chunk_is_not_an_error() -> None:
    """`"error": null` beside a normal chunk does not raise."""
    result = feed([{**chunk("ok"), "error": None}]).snapshot()
    assert result.text == "ok"


def test_invalid_json_raises_stream_error_naming_the_problem() -> None:
    """Invalid JSON in a data line raises StreamError that says so, quotes the data and keeps the partial text."""
    accumulator = feed([chunk("kept")])
    with pytest.raises(StreamError, match="not valid JSON") as caught:
        accumulator.decode('{"id": "x", "choices": [')
    assert '{"id": "x", "choices": [' in str(caught.value)
    assert caught.value.partial_text == "kept"


def test_json_that_is_not_an_object_raises_stream_error() -> None:
    """A data line holding a JSON array is refused with StreamError."""
    with pytest.raises(StreamError, match="JSON list, not a chunk object"):
        feed(["[1, 2]"])


def test_done_marker_completes_and_yields_nothing() -> None:
    """`[DONE]` returns None, sets `done` and `completed`, and is not counted as a chunk."""
    accumulator = feed([chunk("x")])
    assert accumulator.decode("[DONE]") is None
    assert accumulator.done
    assert accumulator.completed
    assert accumulator.snapshot().chunk_count == 1


def test_each_chunk_goes_to_the_drift_reporter() -> None:
    """Every chunk dict is reported as a ChatCompletionChunk; [DONE] and error events are not."""
    recorder = Recorder()
    accumulator = StreamAccumulator(report_drift=recorder)
    first, second = chunk("a"), chunk(finish="stop")
    for data in (first, second):
        accumulator.decode(json.dumps(data))
    accumulator.decode("[DONE]")
    with pytest.raises(StreamError):
        accumulator.decode(json.dumps({"error": {"message": "x"}}))
    assert recorder.calls == [("ChatCompletionChunk", first), ("ChatCompletionChunk", second)]


def test_default_drift_reporter_is_the_packages() -> None:
    """Without an injected reporter, the accumulator reports to `_drift.report_drift`."""
    from aimlapi_grok._drift import report_drift

    assert StreamAccumulator()._report_drift is report_drift


def test_body_ending_before_done_and_finish_reason_is_an_error() -> None:
    """check_end_of_body raises StreamError when neither [DONE] nor a finish reason arrived."""
    accumulator = feed([chunk("cut")])
    with pytest.raises(StreamError, match="incomplete") as caught:
        accumulator.check_end_of_body()
    assert caught.value.partial_text == "cut"


def test_body_ending_after_a_finish_reason_without_done_is_complete() -> None:
    """A finish reason alone completes the stream (no error when the body ends without [DONE])."""
    accumulator = feed([chunk("a"), chunk(finish="length")])
    accumulator.check_end_of_body()
    assert accumulator.snapshot().completed is True
    assert accumulator.done is False


def test_result_is_a_frozen_snapshot_that_grows_with_each_chunk() -> None:
    """Each snapshot is immutable; a later snapshot reflects the chunks decoded since."""
    accumulator = feed([chunk("a")])
    before = accumulator.snapshot()
    accumulator.decode(json.dumps(chunk("b")))
    after = accumulator.snapshot()
    assert (before.text, after.text) == ("a", "ab")
    assert (before.completed, after.completed) == (False, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        # typing: assigning to a frozen dataclass: the misuse under test
        after.text = "changed"  # type: ignore[misc]
    assert isinstance(after, StreamResult)


def test_typed_builds_the_generated_chunk() -> None:
    """typed() turns a decoded payload into the generated ChatCompletionChunk."""
    accumulator = StreamAccumulator(report_drift=Recorder())
    payload = accumulator.decode(json.dumps(chunk("x")))
    assert payload is not None
    typed = accumulator.typed(payload)
    assert isinstance(typed, ChatCompletionChunk)
    # typing: generated fields are `X | Unset`; this chunk has them
    assert typed.choices[0].delta.content == "x"  # type: ignore[index, union-attr]


def test_typed_refuses_a_chunk_no_model_can_hold() -> None:
    """A choice that is not an object makes typed() raise StreamError with the partial result."""
    accumulator = feed([chunk("kept")])
    payload = accumulator.decode(json.dumps({**chunk(), "choices": ["not an object"]}))
    assert payload is not None
    with pytest.raises(StreamError, match=r"choices\[0\] is str") as caught:
        accumulator.typed(payload)
    assert caught.value.partial_text == "kept"


def test_feed_returns_typed_chunks_and_none_for_done() -> None:
    """feed() decodes, accumulates and returns the typed chunk; [DONE] gives None."""
    accumulator = StreamAccumulator(report_drift=Recorder())
    typed = accumulator.feed(json.dumps(chunk("hey", finish="stop")))
    assert isinstance(typed, ChatCompletionChunk)
    # typing: generated fields are `X | Unset`; this chunk has them
    assert typed.choices[0].finish_reason == "stop"  # type: ignore[index]
    assert accumulator.feed("[DONE]") is None
    assert (accumulator.snapshot().text, accumulator.snapshot().completed) == ("hey", True)


def test_a_result_before_any_chunk_keeps_no_chunks() -> None:
    """Before the first chunk the result holds neither a first nor a last chunk (None, not an empty value)."""
    result = StreamAccumulator().snapshot()
    assert (result.first_chunk, result.last_chunk, result.chunk_count) == (None, None, 0)
