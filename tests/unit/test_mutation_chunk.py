"""The chunk parser's tolerance, pinned on every parser it compiles: nothing a chunk sends is lost or mistyped.

The parser a stream uses is compiled when `_stream_chunk` is imported; each test here also runs on a parser
compiled in the test (the per-layout one and the general one), so a mistake in the compilation shows too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from aimlapi_grok._errors import ChunkParseError
from aimlapi_grok._model_build import fills_slots as _fills_slots
from aimlapi_grok._schema import schema_document
from aimlapi_grok._stream_chunk import _TABLES, _Compiler, parse_chunk
from aimlapi_grok.types import StreamAccumulator
from aimlapi_grok_api.models import ChatCompletionChunk, CompletionTokensDetails, Delta, FunctionCallDelta, Usage
from aimlapi_grok_api.types import UNSET

Parse = Callable[[dict[str, Any]], ChatCompletionChunk]
OBJECT = "chat.completion.chunk"


def compiled(name: str, tables: Any = _TABLES) -> Parse:
    """Parser `name` of a compiler built now from `tables` and the published schema."""
    parsers = _Compiler(tables, schema_document()["published"]["$defs"]).namespace

    def parse(data: dict[str, Any]) -> ChatCompletionChunk:
        chunk: ChatCompletionChunk = parsers[name](data)[0]
        return chunk

    return parse


@pytest.fixture(params=["imported", "per-layout", "general"])
def parse(request: pytest.FixtureRequest) -> Parse:
    """The stream's parser, a per-layout parser compiled in the test, and the general one (past MAX_SHAPES)."""
    if request.param == "imported":
        return parse_chunk
    return compiled("parse_0" if request.param == "per-layout" else "parse_0_any")


def chunk(*choices: Any, **top: Any) -> dict[str, Any]:
    """A chunk with these choices and top-level fields."""
    return {"id": "c", "object": OBJECT, "created": 1, "model": "m", "choices": list(choices), **top}


def choice(delta: Any = None, **fields: Any) -> dict[str, Any]:
    """Choice 0 with this delta (and other fields)."""
    return {"index": 0, "delta": {} if delta is None else delta, **fields}


def first(parsed: ChatCompletionChunk) -> Any:
    """The first choice of a parsed chunk."""
    choices = parsed.choices
    assert isinstance(choices, list)
    return choices[0]


def test_enum_values_the_spec_lists_are_typed_and_others_kept_aside(parse: Parse) -> None:
    """service_tier, finish_reason, role and a tool call's type: a listed value is typed, another is kept by key."""
    call = {"index": 0, "type": "function", "function": {"name": "f"}}
    delta = {"role": "assistant", "tool_calls": [call]}
    listed = parse(chunk(choice(delta, finish_reason="stop"), service_tier="flex"))
    choice_0 = first(listed)
    assert (listed.service_tier, choice_0.finish_reason, choice_0.delta.role) == ("flex", "stop", "assistant")
    assert choice_0.delta.tool_calls[0].type_ == "function"
    assert (listed.additional_properties, choice_0.additional_properties, choice_0.delta.additional_properties) == (
        {},
        {},
        {},
    )
    odd_call = {**call, "type": "custom"}
    data = chunk(choice({"role": "model", "tool_calls": [odd_call]}, finish_reason="end_turn"), service_tier="premium")
    odd = parse(data)
    choice_0 = first(odd)
    assert (odd.service_tier, odd["service_tier"]) == (UNSET, "premium")
    assert (choice_0.finish_reason, choice_0["finish_reason"]) == (UNSET, "end_turn")
    assert (choice_0.delta.role, choice_0.delta["role"]) == (UNSET, "model")
    fragment = choice_0.delta.tool_calls[0]
    assert (fragment.type_, fragment["type"], fragment.function.name) == (UNSET, "custom", "f")
    assert odd.to_dict() == data


@pytest.mark.parametrize("value", [5, True, ["stop"]])
def test_an_enum_value_of_another_type_is_kept_aside(parse: Parse, value: Any) -> None:
    """A finish_reason or service_tier that is not a string is kept under its key, not typed."""
    data = chunk(choice(finish_reason=value), service_tier=value)
    parsed = parse(data)
    assert (parsed.service_tier, parsed["service_tier"]) == (UNSET, value)
    assert (first(parsed).finish_reason, first(parsed)["finish_reason"]) == (UNSET, value)
    assert parsed.to_dict() == data


def test_null_is_typed_where_the_spec_allows_it_and_kept_aside_elsewhere(parse: Parse) -> None:
    """finish_reason, service_tier, usage, meta, delta, tool_calls accept null; role, function and choices do not."""
    call = {"index": 0, "function": None}
    data = chunk(
        choice({"role": None, "tool_calls": [call]}, finish_reason=None), service_tier=None, usage=None, meta=None
    )
    parsed = parse(data)
    assert (parsed.service_tier, parsed.usage, parsed.meta, first(parsed).finish_reason) == (None, None, None, None)
    delta = first(parsed).delta
    assert (delta.role, delta["role"]) == (UNSET, None)
    assert (delta.tool_calls[0].function, delta.tool_calls[0]["function"]) == (UNSET, None)
    assert parsed.to_dict() == data
    no_delta = parse(chunk({"index": 0, "delta": None}))
    assert first(no_delta).delta is None
    no_tool_calls = parse(chunk(choice({"tool_calls": None})))
    assert first(no_tool_calls).delta.tool_calls is None
    no_choices = parse(chunk() | {"choices": None})
    assert (no_choices.choices, no_choices["choices"]) == (UNSET, None)


@pytest.mark.parametrize(
    ("place", "value"),
    [
        ("delta", "oops"),
        ("delta", [1]),
        ("tool_calls", "x"),
        ("tool_calls", [5]),
        ("tool_calls", [{"index": 0}, "x"]),
        ("function", "f"),
        ("usage", 5),
        ("meta", []),
        ("logprobs", "x"),
        ("choices", {"0": {}}),
    ],
)
def test_a_nested_value_of_the_wrong_type_is_kept_beside_its_model(parse: Parse, place: str, value: Any) -> None:
    """A value where the spec wants an object (or a list of objects) is kept under its key; the rest stays typed."""
    if place in ("usage", "meta", "choices"):
        data = chunk(choice({"content": "hi"})) | {place: value}
        holder: Any = parse(data)
    elif place in ("delta", "logprobs"):
        data = chunk(choice(**{place: value}))
        holder = first(parse(data))
    elif place == "tool_calls":
        data = chunk(choice({"content": "hi", "tool_calls": value}))
        holder = first(parse(data)).delta
        assert holder.content == "hi"
    else:
        data = chunk(choice({"tool_calls": [{"index": 0, "id": "call_1", "function": value}]}))
        holder = first(parse(data)).delta.tool_calls[0]
        assert holder.id == "call_1"
    assert (getattr(holder, place), holder[place]) == (UNSET, value)
    assert parse(data).to_dict() == data


def test_a_chunk_without_object_gets_the_spec_value_and_a_wrong_one_is_kept(parse: Parse) -> None:
    """A missing `object` reads as the only value the spec allows; another value stays readable by its key."""
    missing = {"id": "c", "choices": []}
    assert parse(missing).object_ == OBJECT
    assert parse(missing).to_dict() == {**missing, "object": OBJECT}
    for value in ("chat.completion", 5):
        parsed = parse({"id": "c", "object": value, "choices": []})
        assert (parsed.object_, parsed["object"]) == (OBJECT, value)


@pytest.mark.parametrize(
    "usage",
    [{"prompt_tokens": "five"}, {"total_tokens": 1.5}, {"completion_tokens_details": 3}, {"\ud800": 1}],
    ids=["text count", "fractional count", "details not an object", "key not valid text"],
)
def test_a_usage_that_breaks_its_schema_stays_raw(parse: Parse, usage: dict[str, Any]) -> None:
    """A usage object the spec's schema refuses (or cannot read) is kept as sent, never a half-typed Usage."""
    parsed = parse(chunk() | {"usage": usage})
    assert (parsed.usage, parsed["usage"]) == (UNSET, usage)


def test_a_usage_that_conforms_is_typed_with_its_details(parse: Parse) -> None:
    """A conforming usage becomes Usage, its details a typed model, the counts as sent."""
    usage = {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7, "completion_tokens_details": {}}
    parsed = parse(chunk() | {"usage": usage})
    assert isinstance(parsed.usage, Usage)
    assert (parsed.usage.prompt_tokens, parsed.usage.total_tokens) == (3, 7)
    assert isinstance(parsed.usage.completion_tokens_details, CompletionTokensDetails)
    assert parsed.to_dict()["usage"] == usage


@pytest.mark.parametrize(("choices", "position", "kind"), [(["x"], 0, "str"), ([{"index": 0}, 7], 1, "int")])
def test_a_choice_that_is_not_an_object_names_its_position(
    parse: Parse, choices: list[Any], position: int, kind: str
) -> None:
    """ChunkParseError says which choice could not be read and what it was."""
    with pytest.raises(ChunkParseError, match=rf"^choices\[{position}\] is {kind}, not an object$"):
        parse(chunk(*choices))


def test_every_choice_of_a_chunk_is_typed(parse: Parse) -> None:
    """A chunk of several choices keeps each one's index, text and tool call fragments in order."""
    call = {"index": 0, "function": {"name": "f", "arguments": "{}"}}
    parsed = parse(chunk(choice({"content": "A"}), choice({"content": "B", "tool_calls": [call, call]}, index=1)))
    # typing: generated fields are `X | Unset`; this chunk has them
    choices: list[Any] = parsed.choices  # type: ignore[assignment]
    assert [(c.index, c.delta.content) for c in choices] == [(0, "A"), (1, "B")]
    assert [type(f.function) for f in choices[1].delta.tool_calls] == [FunctionCallDelta, FunctionCallDelta]
    assert all(isinstance(c.delta, Delta) for c in choices)


def test_a_model_whose_fields_the_table_does_not_list_is_built_by_its_constructor() -> None:
    """When the chunk table lacks a field its model has, the chunk is still built: that key is kept aside."""
    class_name, component, fields = _TABLES[0]
    tables = ((class_name, component, tuple(field for field in fields if field[0] != "created")), *_TABLES[1:])
    for name in ("parse_0", "parse_0_any"):
        parsed = compiled(name, tables)(chunk(choice({"content": "hi"})))
        assert (parsed.id, parsed.created, parsed["created"], first(parsed).delta.content) == ("c", UNSET, 1, "hi")


def test_the_usage_of_a_stream_is_typed_in_its_result() -> None:
    """A stream's usage chunk gives the result a typed Usage with the totals the API sent."""
    accumulator = StreamAccumulator()
    accumulator.feed(json.dumps(chunk(choice({"content": "hi"}, finish_reason="stop"))))
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    accumulator.feed(json.dumps(chunk() | {"usage": usage}))
    result = accumulator.snapshot()
    assert isinstance(result.usage, Usage)
    assert (result.usage.prompt_tokens, result.usage.completion_tokens, result.usage.total_tokens) == (5, 2, 7)


def test_a_spec_without_a_usage_model_ends_the_stream_with_usage_none_and_the_usage_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without a usage model in the spec a usage chunk ends the stream normally: usage None, kept in to_dict."""
    monkeypatch.setattr("aimlapi_grok._stream_chunk._USAGE_CLASS", None)
    accumulator = StreamAccumulator()
    accumulator.feed(json.dumps(chunk(choice({"content": "hi"}, finish_reason="stop"))))
    usage = {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7}
    accumulator.feed(json.dumps(chunk() | {"usage": usage}))
    result = accumulator.snapshot()
    assert (result.text, result.usage) == ("hi", None)
    assert result.to_dict()["usage"] == usage


def test_unknown_keys_and_misfits_of_one_object_are_all_kept(parse: Parse) -> None:
    """An object with unknown keys and values its model cannot hold keeps every one of them, in any order."""
    for data in (
        chunk(service_tier="premium", usage=5, meta="m") | {"zeta": 1},
        {"zeta": 1, "usage": 5, "service_tier": "premium", "meta": "m", "choices": []},
    ):
        parsed = parse(data)
        assert parsed.additional_properties == {"zeta": 1, "usage": 5, "service_tier": "premium", "meta": "m"}
        assert parsed.to_dict() == {**data, "object": OBJECT}


def test_a_model_with_a_validator_or_converter_is_never_filled_slot_by_slot() -> None:
    """Filling slots directly would skip a validator or a converter: such a model goes through its constructor."""

    @attrs.define
    class Validated:
        """A model whose field has a validator only."""

        x: Any = attrs.field(validator=attrs.validators.instance_of(int))
        additional_properties: dict[str, Any] = attrs.field(factory=dict)

    @attrs.define
    class Converted:
        """A model whose field has a converter only."""

        x: Any = attrs.field(converter=int)
        additional_properties: dict[str, Any] = attrs.field(factory=dict)

    @attrs.define
    class Plain:
        """A model like the generated ones."""

        x: Any = None
        additional_properties: dict[str, Any] = attrs.field(factory=dict)

    @attrs.define
    class AfterInit(Plain):
        """A model with a hook after its __init__."""

        def __attrs_post_init__(self) -> None:
            """Stands for any work the constructor does after setting the fields."""

    @attrs.define
    class BeforeInit(Plain):
        """A model with a hook before its __init__."""

        def __attrs_pre_init__(self) -> None:
            """Stands for any work the constructor does before setting the fields."""

    models = (Validated, Converted, AfterInit, BeforeInit, Plain)
    assert [_fills_slots(model, ["x"]) for model in models] == [False, False, False, False, True]


def test_a_list_of_a_model_the_tables_do_not_describe_is_kept_as_sent() -> None:
    """A table field listing a model no table describes is read as a plain value (no crash when compiling)."""
    tables = tuple(
        (
            name,
            component,
            tuple((*field[:2], "list", "Elsewhere") if field[0] == "tool_calls" else field for field in fields),
        )
        for name, component, fields in _TABLES
    )
    calls = [{"index": 0, "function": {"name": "f"}}]
    for name in ("parse_0", "parse_0_any"):
        delta = first(compiled(name, tables)(chunk(choice({"content": "hi", "tool_calls": calls})))).delta
        assert (delta.content, delta.tool_calls) == ("hi", calls)


def test_an_integer_counts_by_type_where_the_spec_sets_no_bound() -> None:
    """On the published spec (no bound on `index`, `created`) every int shares a signature; a float's value counts."""
    signed = _Compiler(_TABLES, schema_document()["published"]["$defs"]).namespace["parse_0"]
    signature = signed(chunk(choice({"content": "a"})))[1]
    assert signed(chunk(choice({"content": "other text"})))[1] == signature
    assert signed(chunk(choice({"content": "a"}, index=1)))[1] == signature
    assert signed(chunk(choice({"content": "a"})) | {"created": 2**70})[1] == signature
    assert (
        signed(chunk(choice({"content": "a"})) | {"created": 1.0})[1]
        != signed(chunk(choice({"content": "a"})) | {"created": 1.5})[1]
    )
    assert signed(chunk(choice({"content": "a"}, index=True)))[1] != signature


def test_an_integer_that_differs_in_value_changes_the_signature_under_a_bound() -> None:
    """Where the spec bounds an integer (`minimum`), its value counts: 1 and -1 get different signatures."""
    defs = copy.deepcopy(schema_document()["published"]["$defs"])
    choice_def = next(d for d in defs.values() if isinstance(d, dict) and "delta" in d.get("properties", {}))
    choice_def["properties"]["index"] = {"type": "integer", "minimum": 0}
    signed = _Compiler(_TABLES, defs).namespace["parse_0"]
    signature = signed(chunk(choice({"content": "a"})))[1]
    assert signed(chunk(choice({"content": "a"}, index=1)))[1] != signature
    assert signed(chunk(choice({"content": "a"}, index=-1)))[1] != signed(chunk(choice({"content": "a"}, index=1)))[1]
