"""parse_chunk: the fast typed chunk equals the generated from_dict, and tolerates what from_dict cannot."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from aimlapi_grok._errors import ChunkParseError
from aimlapi_grok._model_build import fills_slots, model_class
from aimlapi_grok._stream_chunk import _PARSERS, _TABLES, MAX_SHAPES, _Compiler, parse_chunk
from aimlapi_grok_api.models import ChatCompletionChunk, Delta, ToolCallDelta, Usage
from aimlapi_grok_api.types import UNSET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TEXT = st.text(max_size=8)
KEYS = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=6)
SCALARS = st.none() | st.booleans() | st.integers(-5, 5) | TEXT


def objects(fields: dict[str, st.SearchStrategy[Any]], known: set[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts with any subset of `fields`, plus up to two unknown keys (kept as additional properties)."""
    extra = st.dictionaries(KEYS.filter(lambda key: key not in known), SCALARS, max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=fields), extra).map(lambda parts: {**parts[1], **parts[0]})


FUNCTION = objects({"name": TEXT, "arguments": TEXT}, {"name", "arguments"})
TOOL_CALL = objects(
    {"index": st.integers(0, 3), "id": TEXT, "type": st.just("function"), "function": FUNCTION},
    {"index", "id", "type", "function"},
)
DELTA = objects(
    {
        "content": TEXT,
        "refusal": st.none() | TEXT,
        "role": st.sampled_from(["assistant", "user", "system", "developer", "tool"]),
        "tool_calls": st.none() | st.lists(TOOL_CALL, max_size=2),
    },
    {"content", "refusal", "role", "tool_calls"},
)
CHOICE = objects(
    {
        "index": st.integers(0, 2),
        "delta": st.none() | DELTA,
        "finish_reason": st.none()
        | st.sampled_from(["stop", "length", "tool_calls", "content_filter", "function_call"]),
        "logprobs": st.none(),
    },
    {"index", "delta", "finish_reason", "logprobs"},
)
USAGE = st.fixed_dictionaries(
    {},
    optional={
        "prompt_tokens": st.integers(0, 99),
        "completion_tokens": st.integers(0, 99),
        "total_tokens": st.integers(0, 99),
        "completion_tokens_details": st.none() | st.fixed_dictionaries({"reasoning_tokens": st.integers(0, 9)}),
    },
)
META = st.fixed_dictionaries(
    {},
    optional={
        "usage": st.none() | st.fixed_dictionaries({"credits_used": st.integers(0, 9), "usd_spent": st.floats(0, 1)})
    },
)
CHUNK = objects(
    {
        "id": TEXT,
        "created": st.integers(0, 2**40),
        "model": TEXT,
        "choices": st.lists(CHOICE, max_size=2),
        "service_tier": st.none() | st.sampled_from(["auto", "default", "flex", "scale", "priority"]),
        "usage": st.none() | USAGE,
        "meta": st.none() | META,
    },
    {"id", "created", "model", "choices", "service_tier", "usage", "meta", "object"},
).map(lambda data: {"object": "chat.completion.chunk", **data})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CHUNK)
def test_parse_chunk_equals_generated_from_dict(data: dict[str, Any]) -> None:
    """On every chunk the generated from_dict reads, parse_chunk builds an equal object."""
    original = copy.deepcopy(data)
    expected = ChatCompletionChunk.from_dict(copy.deepcopy(data))
    assert parse_chunk(data) == expected
    assert data == original  # the input is not modified


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(CHUNK)
def test_the_general_parser_equals_generated_from_dict(data: dict[str, Any]) -> None:
    """The parser for any key layout (used past MAX_SHAPES layouts) builds the same object as from_dict."""
    expected = ChatCompletionChunk.from_dict(copy.deepcopy(data))
    assert _PARSERS["parse_0_any"](data)[0] == expected


def test_each_key_layout_gets_its_own_parser_up_to_max_shapes() -> None:
    """A layout's parser is compiled once and reused; past MAX_SHAPES layouts the general parser takes over."""
    parsers = _Compiler(_TABLES).namespace
    layouts = [{"object": "chat.completion.chunk", "choices": [], f"extra_{i}": i} for i in range(MAX_SHAPES + 5)]
    for data in layouts:
        assert parsers["parse_0"](data)[0] == ChatCompletionChunk.from_dict(copy.deepcopy(data))
    shapes = parsers["T0_shapes"]
    assert len(shapes) == MAX_SHAPES
    first = shapes[tuple(layouts[0])]
    assert parsers["_specialize"](0, dict(layouts[0])) is first
    assert parsers["_specialize"](0, layouts[-1]) is parsers["parse_0_any"]
    assert parsers["parse_0"](layouts[-1])[0]["extra_" + str(MAX_SHAPES + 4)] == MAX_SHAPES + 4


def test_same_keys_in_another_order_parse_alike() -> None:
    """Two layouts with the same keys in a different order give equal chunks (unknown keys in the sender's order)."""
    one = {"id": "c", "zeta": 1, "choices": [], "alpha": 2}
    other = {"alpha": 2, "choices": [], "zeta": 1, "id": "c"}
    assert parse_chunk(one) == parse_chunk(other)
    assert list(parse_chunk(one).additional_properties) == ["zeta", "alpha"]


def test_unknown_keys_are_data_never_code() -> None:
    """Keys the API sends are looked up from a tuple, not written into the compiled source: any text is kept as is."""
    hostile = {"'] or __import__('os')._exit(3) or ['": 1, "\n    return None\n": 2, "\ud800": 3, "": 4}
    parsed = parse_chunk({"id": "c", "choices": [], **hostile})
    assert parsed.additional_properties == hostile
    assert parsed.id == "c"


@settings(max_examples=100, deadline=None)
@given(CHUNK)
def test_parse_chunk_round_trips_through_to_dict(data: dict[str, Any]) -> None:
    """to_dict() of the parsed chunk gives the JSON back, nulls included."""
    assert parse_chunk(data).to_dict() == data


def test_slot_filling_is_used_for_every_generated_chunk_model() -> None:
    """Each chunk model of the spec allows the fast slot filling (its fields are exactly the table's)."""
    for class_name, _, fields in _TABLES:
        assert fills_slots(model_class(class_name), [field[1] for field in fields]), class_name


def test_slot_filling_is_refused_when_the_fields_differ() -> None:
    """A table that does not list a model's fields exactly falls back to the keyword __init__."""
    class_name, _, fields = _TABLES[0]
    assert not fills_slots(model_class(class_name), [field[1] for field in fields][1:])


def sample(**choice: Any) -> dict[str, Any]:
    """A chunk with one choice built from `choice`."""
    return {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [choice]}


def test_null_finish_reason_reads_as_none() -> None:
    """`finish_reason: null` (every chunk but the last) parses; the typed value is None."""
    parsed = parse_chunk(sample(index=0, delta={"content": "a"}, finish_reason=None))
    # typing: generated fields are `X | Unset`; this chunk has them
    assert parsed.choices[0].finish_reason is None  # type: ignore[index]
    # typing: generated fields are `X | Unset`; this chunk has them
    assert parsed.choices[0].delta.content == "a"  # type: ignore[index, union-attr]


def test_unknown_finish_reason_is_kept_in_additional_properties() -> None:
    """A finish reason the spec does not list stays readable and round-trips, instead of crashing."""
    data = sample(index=0, delta={}, finish_reason="end_turn")
    # typing: generated fields are `X | Unset`; this chunk has them
    choice = parse_chunk(data).choices[0]  # type: ignore[index]
    assert choice.finish_reason is UNSET
    assert choice["finish_reason"] == "end_turn"
    assert choice.to_dict()["finish_reason"] == "end_turn"


def test_unknown_role_keeps_the_delta_typed() -> None:
    """An unknown `delta.role` goes to additional_properties; the delta stays a Delta with its content."""
    # typing: generated fields are `X | Unset`; this chunk has them
    delta = parse_chunk(sample(index=0, delta={"role": "model", "content": "x"})).choices[0].delta  # type: ignore[index]
    assert isinstance(delta, Delta)
    assert (delta.role, delta["role"], delta.content) == (UNSET, "model", "x")


def test_tool_call_of_unknown_type_stays_typed() -> None:
    """A tool-call fragment with an unknown `type` is still a ToolCallDelta with its function."""
    fragment = {"index": 0, "type": "custom", "function": {"name": "f", "arguments": "{}", "extra": 1}}
    # typing: generated fields are `X | Unset`; this chunk has them
    delta = parse_chunk(sample(index=0, delta={"tool_calls": [fragment]})).choices[0].delta  # type: ignore[index]
    # typing: generated fields are `X | Unset`; this chunk has them
    call = delta.tool_calls[0]  # type: ignore[union-attr, index]
    assert isinstance(call, ToolCallDelta)
    # typing: generated fields are `X | Unset`; this chunk has them
    assert (call.type_, call["type"], call.function.name) == (UNSET, "custom", "f")  # type: ignore[union-attr]
    # typing: generated fields are `X | Unset`; this chunk has them
    assert call.function["extra"] == 1  # type: ignore[index]


def test_wrongly_typed_nested_values_are_kept_not_forced_into_models() -> None:
    """A delta that is a string and a `choices` that is an object land in additional_properties."""
    # typing: generated fields are `X | Unset`; this chunk has them
    as_string = parse_chunk(sample(index=0, delta="oops")).choices[0]  # type: ignore[index]
    assert (as_string.delta, as_string["delta"]) == (UNSET, "oops")
    not_a_list = parse_chunk({"object": "chat.completion.chunk", "choices": {"0": {}}})
    assert (not_a_list.choices, not_a_list["choices"]) == (UNSET, {"0": {}})


def test_missing_object_and_unknown_fields_are_tolerated() -> None:
    """A chunk without `object` still parses; unknown top-level fields are kept."""
    parsed = parse_chunk({"id": "c", "choices": [], "system_fingerprint": "fp_1"})
    assert parsed.object_ == "chat.completion.chunk"
    assert parsed["system_fingerprint"] == "fp_1"


def test_unparseable_usage_is_kept_raw_beside_the_model() -> None:
    """A usage that is not an object is kept in additional_properties; a usage object becomes Usage."""
    assert parse_chunk({"object": "chat.completion.chunk", "usage": 5})["usage"] == 5
    assert isinstance(parse_chunk({"object": "chat.completion.chunk", "usage": {"total_tokens": 1}}).usage, Usage)


def test_choice_that_is_not_an_object_raises_chunk_parse_error() -> None:
    """A choice no model can hold raises ChunkParseError naming its position."""
    with pytest.raises(ChunkParseError, match=r"choices\[1\] is int"):
        parse_chunk(sample(index=0) | {"choices": [{"index": 0}, 7]})
