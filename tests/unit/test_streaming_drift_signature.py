"""Typed streams check drift by chunk signature: the same reports as checking every chunk in full."""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest
from aimlapi_grok._chunk_signature import content_free, signature_plan
from aimlapi_grok._constants import CHUNK_COMPONENT
from aimlapi_grok._drift import DriftReport, drift_reports, reset_drift_reports
from aimlapi_grok._schema import schema_document
from aimlapi_grok._stream_chunk import _TABLES, _Compiler
from aimlapi_grok.types import StreamAccumulator
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Values that conform, and values the published spec does not allow (type, enum, bool for integer, 1.0 / 1.5).
ANY_SCALAR = st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from([1.0, 1.5, "", "x", "stop"])
FINISH = st.none() | st.sampled_from(["stop", "length", "tool_calls", "end_turn"]) | ANY_SCALAR
DELTA = st.fixed_dictionaries(
    {},
    optional={
        "content": st.text(max_size=3) | ANY_SCALAR,
        "role": st.sampled_from(["assistant", "model"]) | ANY_SCALAR,
        "refusal": st.none() | st.text(max_size=2),
        "reasoning_content": st.text(max_size=2),
        "tool_calls": st.lists(
            st.fixed_dictionaries(
                {"index": st.integers(0, 1) | ANY_SCALAR},
                optional={
                    "id": st.text(max_size=2),
                    "type": st.sampled_from(["function", "custom"]),
                    "function": st.fixed_dictionaries(
                        {}, optional={"name": ANY_SCALAR, "arguments": st.text(max_size=2)}
                    ),
                },
            ),
            max_size=2,
        ),
    },
)
CHOICE = st.fixed_dictionaries(
    {"index": st.just(0) | ANY_SCALAR, "delta": DELTA, "finish_reason": FINISH},
    optional={"logprobs": st.none() | st.just({"content": []}), "extra": ANY_SCALAR},
)
CHUNK = st.fixed_dictionaries(
    {"id": st.just("c") | ANY_SCALAR, "choices": st.lists(CHOICE, max_size=2)},
    optional={
        "object": st.sampled_from(["chat.completion.chunk", "chat.completion"]),
        "created": st.just(1) | ANY_SCALAR,
        "model": st.just("m") | ANY_SCALAR,
        "system_fingerprint": ANY_SCALAR,
        "service_tier": st.none() | st.sampled_from(["auto", "premium"]),
        "usage": st.none() | st.just({"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}),
    },
)


def fresh_parser() -> Callable[[dict[str, Any]], tuple[Any, Any]]:
    """parse_chunk_signed from a new compiler (no layout compiled yet, so every layout gets a signature)."""
    parser: Callable[[dict[str, Any]], tuple[Any, Any]] = _Compiler(
        _TABLES, schema_document()["published"]["$defs"]
    ).namespace["parse_0"]
    return parser


def reports(
    chunks: list[dict[str, Any]], *, by_signature: bool, parser: Callable[[dict[str, Any]], tuple[Any, Any]]
) -> list[DriftReport]:
    """The drift reports of one stream's chunks: checked in full, or through typed_checked's signatures."""
    reset_drift_reports()
    accumulator = StreamAccumulator()
    with (
        mock.patch("aimlapi_grok._stream_accumulator.signed_chunk_parser", return_value=parser),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        for chunk in chunks:
            payload = accumulator.decode(json.dumps(chunk), check_drift=not by_signature)
            assert payload is not None
            if by_signature:
                accumulator.typed_checked(payload)
    return drift_reports()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CHUNK, min_size=1, max_size=8))
def test_signatures_report_the_same_drift_as_checking_every_chunk(chunks: list[dict[str, Any]]) -> None:
    """On any sequence of chunks, conforming or not, the signature path reports exactly what the full check does."""
    full = reports(chunks, by_signature=False, parser=fresh_parser())
    assert reports(chunks, by_signature=True, parser=fresh_parser()) == full


def content_chunk(text: str, **choice: Any) -> dict[str, Any]:
    """A content chunk as the API streams it."""
    return {
        "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "system_fingerprint": "fp",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None, "logprobs": None, **choice}],
    }  # fmt: skip


def test_chunks_differing_in_text_only_share_a_signature() -> None:
    """Two content chunks whose texts differ have one signature; an enum value or an integer's type changes it."""
    parse = fresh_parser()
    signature = parse(content_chunk("Hello"))[1]
    assert parse(content_chunk("world, and more"))[1] == signature
    assert parse(content_chunk("x", finish_reason="stop"))[1] != signature
    assert parse(content_chunk("x", index=True))[1] != signature
    assert parse(content_chunk("x", index=0.0))[1] != signature
    assert parse(content_chunk("x", finish_reason=None, extra="new key"))[1] != signature


def test_a_later_deviation_of_the_same_layout_is_still_reported() -> None:
    """After many conforming chunks, a chunk of the same keys with a value the spec refuses is reported."""
    chunks = [content_chunk(f"w{i}") for i in range(5)]
    chunks.append(content_chunk("w", finish_reason="end_turn"))
    chunks.append(content_chunk("w", index="0"))
    found = [(report.path, report.rule) for report in reports(chunks, by_signature=True, parser=fresh_parser())]
    assert found == [
        ("system_fingerprint", "unknown field"),
        ("choices[].finish_reason", "enum"),
        ("choices[].index", "type"),
    ]


def test_a_value_without_signature_is_checked_in_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk whose usage is an object (no signature) goes through the full check every time."""
    seen: list[Any] = []
    accumulator = StreamAccumulator(report_drift=lambda component, data: seen.append(data))
    parser = fresh_parser()
    monkeypatch.setattr("aimlapi_grok._stream_accumulator.signed_chunk_parser", lambda: parser)
    chunk = content_chunk("a")
    chunk["usage"] = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    for _ in range(3):
        payload = accumulator.decode(json.dumps(chunk), check_drift=False)
        assert payload is not None
        accumulator.typed_checked(payload)
    assert len(seen) == 3
    for text in ("b", "c", "d"):
        payload = accumulator.decode(json.dumps(content_chunk(text)), check_drift=False)
        assert payload is not None
        accumulator.typed_checked(payload)
    assert len(seen) == 4  # one full check for the layout, then the signature answers


@pytest.mark.parametrize(
    ("schema", "free"),
    [
        ({"type": "string"}, True),
        ({"type": ["string", "null"], "description": "text"}, True),
        ({"anyOf": [{"$ref": "#/$defs/Text"}, {"type": "null"}]}, True),
        ({}, True),
        (True, True),
        ({"type": "integer"}, False),
        ({"type": "number"}, False),
        ({"type": "string", "maxLength": 3}, False),
        ({"type": "string", "format": "uri"}, False),
        ({"enum": ["a"]}, False),
        ({"$ref": "#/$defs/Missing"}, False),
        ({"anyOf": [{"type": "string"}, {"const": "x"}]}, False),
    ],
)
def test_content_free_schemas_are_the_type_only_ones(schema: Any, free: bool) -> None:
    """Only a schema that judges a value by its JSON type (no integer/number, no other keyword) is content-free."""
    assert content_free(schema, {"Text": {"type": "string"}}) is free


@pytest.mark.parametrize(
    ("schema", "free"),
    [
        ({"type": "integer"}, True),
        ({"type": ["number", "null"]}, True),
        ({"anyOf": [{"type": "integer"}, {"type": "null"}]}, True),
        ({"type": "string"}, True),
        ({"type": "integer", "minimum": 0}, False),
        ({"type": "number", "multipleOf": 2}, False),
        ({"enum": [1, 2]}, False),
    ],
)
def test_number_free_schemas_judge_an_int_by_its_type(schema: Any, free: bool) -> None:
    """`numbers=True` also lets plain integer and number types in; a bound or an enum makes the value count."""
    assert content_free(schema, {}, numbers=True) is free


def test_streams_of_the_default_reporter_share_their_checked_signatures() -> None:
    """A second stream's chunk of a signature the first stream checked is not checked again; a reset forgets."""
    reset_drift_reports()
    parser = fresh_parser()
    calls: list[Any] = []

    def counted(component: str, data: Any) -> bool:
        calls.append(data)
        return True

    def feed(accumulator: StreamAccumulator, text: str) -> None:
        payload = accumulator.decode(json.dumps(content_chunk(text) | {"created": len(text)}), check_drift=False)
        assert payload is not None
        accumulator.typed_checked(payload)

    with (
        mock.patch("aimlapi_grok._stream_accumulator.signed_chunk_parser", return_value=parser),
        mock.patch("aimlapi_grok._stream_accumulator.report_drift", counted),
    ):
        feed(StreamAccumulator(), "first stream")
        feed(StreamAccumulator(), "second")  # another text, another `created`: the same signature
        assert len(calls) == 1
        own = StreamAccumulator(report_drift=counted)  # its own reporter: its own set
        feed(own, "third")
        assert len(calls) == 2
        reset_drift_reports()
        feed(StreamAccumulator(), "after a reset")
        assert len(calls) == 3


@pytest.mark.parametrize("own_reporter", [True, False], ids=["own reporter", "default reporter"])
def test_a_full_set_of_checked_signatures_starts_over(monkeypatch: pytest.MonkeyPatch, own_reporter: bool) -> None:
    """When the set is full (a stream's own, or the process's) it is emptied: a signature seen before is checked
    again, neither forgotten for good nor kept past the bound."""
    monkeypatch.setattr("aimlapi_grok._stream_accumulator.MAX_CONFORMING", 2 if own_reporter else 1000)
    monkeypatch.setattr("aimlapi_grok._stream_accumulator.MAX_CHECKED_SIGNATURES", 1000 if own_reporter else 2)
    reset_drift_reports()
    seen: list[Any] = []

    def counted(component: str, data: Any) -> bool:
        seen.append(data)
        return True

    monkeypatch.setattr("aimlapi_grok._stream_accumulator.report_drift", counted)
    accumulator = StreamAccumulator(report_drift=counted) if own_reporter else StreamAccumulator()
    parser = fresh_parser()
    monkeypatch.setattr("aimlapi_grok._stream_accumulator.signed_chunk_parser", lambda: parser)

    def feed(**choice: Any) -> None:
        payload = accumulator.decode(json.dumps(content_chunk("x", **choice)), check_drift=False)
        assert payload is not None
        accumulator.typed_checked(payload)

    feed()
    feed(finish_reason="stop")
    feed()  # remembered: no check
    assert len(seen) == 2
    feed(finish_reason="length")  # the third signature: the full set starts over with it
    feed()  # checked again
    assert len(seen) == 4


@pytest.mark.parametrize("created", [0, -1, 2**63, 2**64, 10**30, 10**400])
def test_an_int_of_any_size_is_judged_as_any_other_int(created: int) -> None:
    """What lets an int sign by its type: `created` of any size gets the reports `created: 1` gets, in full."""
    chunks = [content_chunk("a"), content_chunk("b") | {"created": created}, content_chunk("c") | {"extra": created}]
    baseline = [content_chunk("a"), content_chunk("b"), content_chunk("c") | {"extra": 1}]
    assert reports(chunks, by_signature=False, parser=fresh_parser()) == reports(
        baseline, by_signature=False, parser=fresh_parser()
    )
    assert reports(chunks, by_signature=True, parser=fresh_parser()) == reports(
        chunks, by_signature=False, parser=fresh_parser()
    )


def test_a_lone_surrogate_in_free_text_is_judged_as_other_text() -> None:
    """Text is left out of signatures: a chunk whose text is a lone surrogate gets the same reports either way."""
    chunks = [content_chunk("plain"), content_chunk("\ud800"), content_chunk("x\udfffy")]
    assert chunks[1]["choices"][0]["delta"]["content"] == "\ud800"
    full = reports(chunks, by_signature=False, parser=fresh_parser())
    assert reports(chunks, by_signature=True, parser=fresh_parser()) == full


def published_defs() -> dict[str, Any]:
    """A copy of the published schema's $defs (the drift check's)."""
    defs: dict[str, Any] = copy.deepcopy(schema_document()["published"]["$defs"])
    return defs


def test_every_chunk_model_of_the_published_spec_can_be_signed() -> None:
    """On the spec as published, each table is signable and the delta text is left out of signatures."""
    plan = signature_plan(_TABLES, CHUNK_COMPONENT, published_defs())
    assert plan.signable == dict.fromkeys(range(len(_TABLES)), True)
    delta = next(number for number, (class_name, _, _) in enumerate(_TABLES) if class_name == "Delta")
    assert "content" in plan.free[delta]
    assert "index" not in plan.free[0] | plan.free[1]  # an integer: its value counts


@pytest.mark.parametrize(
    "twist",
    [
        {"patternProperties": {"^x": {"type": "integer"}}},
        {"additionalProperties": {"type": "string"}},
        {"not": {"required": ["content"]}},
    ],
)
def test_an_object_schema_that_judges_more_gets_no_signature(twist: dict[str, Any]) -> None:
    """A published object with more than plain properties (values of unlisted keys count) is never signed."""
    defs = published_defs()
    defs["Delta"].update(twist)
    plan = signature_plan(_TABLES, CHUNK_COMPONENT, defs)
    delta = next(number for number, (class_name, _, _) in enumerate(_TABLES) if class_name == "Delta")
    assert plan.signable[delta] is False
    parse = _Compiler(_TABLES, defs).namespace["parse_0"]
    with pytest.raises(TypeError):
        hash(parse(content_chunk("a"))[1])  # unhashable: checked in full


def test_a_key_the_table_lacks_but_the_spec_lists_gets_no_signature() -> None:
    """A key outside the tables that the published schema describes keeps its value in the check: no signature."""
    defs = published_defs()
    defs["Delta"]["properties"]["audio"] = {"type": "string", "maxLength": 2}
    parse = _Compiler(_TABLES, defs).namespace["parse_0"]
    chunk = content_chunk("a")
    chunk["choices"][0]["delta"]["audio"] = "abc"
    with pytest.raises(TypeError):
        hash(parse(chunk)[1])
    assert hash(parse(content_chunk("a"))[1]) is not None
