"""_completion_model: the fast typed completion equals the generated from_dict, on any completion-shaped input."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pytest
from aimlapi_grok._completion_model import _Compiler, build_completion
from aimlapi_grok._model_build import GENERATED_PARSE_ERRORS, fills_slots, model_class
from aimlapi_grok._response import tolerated_completion
from aimlapi_grok._schema import schema_document, surface
from aimlapi_grok_api.models import ChatCompletion, ChatCompletionMessage, Choice
from aimlapi_grok_api.types import UNSET
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contract.json_strategies import JSON_VALUES, values_of

from .conftest import completion_body

COMPLETIONS = values_of(schema_document()["tolerant"], surface().COMPLETION_COMPONENT)
# The compiled builder is a function-scoped fixture shared by a test's examples (compiled at test time, see below).
SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
Builder = Callable[[Mapping[str, Any]], ChatCompletion]


def fresh_builder() -> Builder:
    """The builder compiled now from the spec's tables (as the module compiles it at import: the same code)."""
    built: Builder = _Compiler(surface().COMPLETION_TABLES).namespace["item_0"]
    return built


def _objects(value: Any) -> list[dict[str, Any]]:
    """Every JSON object in `value` (itself included), outermost first."""
    found: list[dict[str, Any]] = []
    pending = [value]
    while pending:
        item = pending.pop(0)
        if isinstance(item, dict):
            found.append(item)
            pending += list(item.values())
        elif isinstance(item, list):
            pending += item
    return found


@st.composite
def odd_completions(draw: st.DrawFn) -> dict[str, Any]:
    """A valid completion with a few objects changed: an unknown field added, a field dropped, or a value swapped
    for any JSON value (a wrong type, null, an enum value the spec does not list)."""
    data: dict[str, Any] = draw(COMPLETIONS)
    for _ in range(draw(st.integers(1, 3))):
        target = draw(st.sampled_from(_objects(data)))
        action = draw(st.sampled_from(["add", "drop", "swap"]))
        if action == "add" or not target:
            target[draw(st.text("abcxyz_", min_size=1, max_size=5))] = draw(JSON_VALUES)
        elif action == "drop":
            del target[draw(st.sampled_from(sorted(target)))]
        else:
            target[draw(st.sampled_from(sorted(target)))] = draw(JSON_VALUES | st.sampled_from(["other", "chat.x"]))
    return data


@pytest.fixture
def build() -> Builder:
    """A builder compiled when the test runs (so mutation testing, which forks after import, reaches the compiler)."""
    return fresh_builder()


def assert_same_as_from_dict(build: Builder, data: Any) -> ChatCompletion | None:
    """The builder gives what ChatCompletion.from_dict gives: an equal object (returned), or the same exception."""
    original = copy.deepcopy(data)
    try:
        expected = ChatCompletion.from_dict(copy.deepcopy(data))
    except GENERATED_PARSE_ERRORS as exc:
        with pytest.raises(type(exc)):
            build(data)
        return None
    built = build(data)
    assert built == expected
    assert data == original  # the input is not modified
    return built


@SETTINGS
@given(COMPLETIONS)
def test_build_completion_equals_generated_from_dict(build: Builder, data: dict[str, Any]) -> None:
    """On every completion the spec allows (unknown fields included), the fast build equals from_dict."""
    built = assert_same_as_from_dict(build, data)
    assert built is not None
    assert built.to_dict() == data


@SETTINGS
@given(odd_completions())
def test_build_completion_equals_generated_from_dict_on_odd_completions(build: Builder, data: dict[str, Any]) -> None:
    """On completions with fields added, dropped or of another type, it gives from_dict's object or exception."""
    assert_same_as_from_dict(build, data)


@SETTINGS
@given(odd_completions())
def test_tolerated_odd_completions_stay_typed(data: dict[str, Any]) -> None:
    """After the drift tolerance, an odd completion always builds, with every moved value kept aside."""
    data["object"] = "chat.completion"  # (an answer whose `object` is something else is refused before this)
    completion = tolerated_completion(data)
    assert isinstance(completion, ChatCompletion)
    assert set(completion.to_dict()) == set(data)  # nothing lost at the top level


def test_the_realistic_completion_is_built_by_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A completion as the API sends it never reaches a generated from_dict (and is equal to its result)."""
    build = fresh_builder()
    data = completion_body(system_fingerprint="fp_1")
    expected = ChatCompletion.from_dict(copy.deepcopy(data))

    def refuse(src: Any) -> Any:
        raise AssertionError("the generated from_dict was called")

    for class_name, _, _ in surface().COMPLETION_TABLES:
        monkeypatch.setattr(model_class(class_name), "from_dict", refuse)
    assert build(data) == expected
    assert build(data).additional_properties == {"system_fingerprint": "fp_1"}


def test_a_value_the_model_cannot_take_hands_the_object_to_from_dict() -> None:
    """A finish_reason the spec does not list raises what from_dict raises (the drift layer moves it out first)."""
    build = fresh_builder()
    data = completion_body()
    data["choices"][0]["finish_reason"] = "paused"
    with pytest.raises(TypeError, match="paused"):
        ChatCompletion.from_dict(copy.deepcopy(data))
    with pytest.raises(TypeError, match="paused"):
        build(data)


def test_a_tool_call_message_is_built_by_its_generated_from_dict() -> None:
    """A field kind the tables leave to the generated code (tool calls, a union) gives the typed tool call."""
    build = fresh_builder()
    data = completion_body()
    call = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    data["choices"][0]["message"]["tool_calls"] = [call]
    built = build(data)
    assert isinstance(built.choices, list)
    message = built.choices[0].message
    assert isinstance(message, ChatCompletionMessage)
    assert isinstance(message.tool_calls, list)
    assert message.tool_calls[0].to_dict() == call
    assert built == ChatCompletion.from_dict(data)


def test_null_in_a_nullable_slot_stays_none_and_absent_stays_unset() -> None:
    """`logprobs: null` reads as None, a missing `usage` as UNSET, as from_dict has them."""
    build = fresh_builder()
    data = completion_body()
    del data["usage"]
    built = build(data)
    assert built.usage is UNSET
    assert isinstance(built.choices, list)
    assert isinstance(built.choices[0], Choice)
    assert built.choices[0].logprobs is None


def test_slot_filling_is_used_for_every_generated_completion_model() -> None:
    """Every model of the tables is built by filling slots (the attrs classes allow it), not by keyword __init__."""
    for class_name, _, fields in surface().COMPLETION_TABLES:
        assert fills_slots(model_class(class_name), [field[1] for field in fields]), class_name


def test_a_nested_object_from_dict_refuses_stays_raw_in_a_nullable_slot() -> None:
    """Logprobs whose `content` is not a list (from_dict refuses it) is kept as sent, as from_dict keeps it."""
    build = fresh_builder()
    data = completion_body()
    data["choices"][0]["logprobs"] = {"content": "not a list", "refusal": []}
    built = build(data)
    assert isinstance(built.choices, list)
    kept: Any = built.choices[0].logprobs  # typing: the generated model types it Logprobs; from_dict keeps the raw dict
    assert kept == {"content": "not a list", "refusal": []}
    assert built == ChatCompletion.from_dict(data)


def test_a_nested_object_from_dict_refuses_in_another_slot_raises_as_from_dict() -> None:
    """The same refusal under `usage` (not nullable) raises what from_dict raises."""
    build = fresh_builder()
    data = completion_body()
    data["usage"] = [("prompt_tokens", 1)]  # a list of pairs: dict() reads it, so from_dict does
    assert build(data) == ChatCompletion.from_dict(copy.deepcopy(data))
    data["usage"] = "not an object"
    with pytest.raises(ValueError, match="dictionary update sequence"):
        ChatCompletion.from_dict(copy.deepcopy(data))
    with pytest.raises(ValueError, match="dictionary update sequence"):
        build(data)


def test_the_module_builder_is_the_compiled_one() -> None:
    """`build_completion` is the compiled builder itself (no wrapper call), and builds what a fresh compile builds."""
    data = completion_body(system_fingerprint="fp_1")
    assert build_completion.__code__.co_filename == fresh_builder().__code__.co_filename
    assert fresh_builder().__code__.co_filename == "<aimlapi_grok completion builders>"  # as tracebacks name it
    assert build_completion(data) == fresh_builder()(data) == ChatCompletion.from_dict(copy.deepcopy(data))


def test_a_missing_required_field_hands_the_object_to_from_dict(monkeypatch: pytest.MonkeyPatch) -> None:
    """A field the tables mark required (not a one-value enum) and the answer lacks: from_dict decides."""
    (class_name, module, fields), *rest = surface().COMPLETION_TABLES
    required_id = tuple((*field[:4], True, field[5]) if field[0] == "id" else field for field in fields)
    build = _Compiler(((class_name, module, required_id), *rest)).namespace["item_0"]
    decided = ChatCompletion(object_="chat.completion")
    monkeypatch.setattr(ChatCompletion, "from_dict", lambda src: decided)
    assert build(completion_body(id="chatcmpl-1")).id == "chatcmpl-1"
    data = completion_body()
    del data["id"]
    assert build(data) is decided


def test_a_model_whose_slots_cannot_be_filled_is_built_by_its_keyword_init() -> None:
    """Where the tables list fewer fields than the class has, the builder calls the attrs __init__ instead."""
    name = "CompletionTokensDetails"
    fields = next(table[2] for table in surface().COMPLETION_TABLES if table[0] == name)
    listed, left_out = fields[:-1], fields[-1]
    cls = model_class(name)
    assert len(listed) >= 2
    assert not fills_slots(cls, [field[1] for field in listed])
    build = _Compiler(((name, "completion_tokens_details", listed),)).namespace["item_0"]
    data = {field[0]: number for number, field in enumerate(fields)}
    built = build(data)
    assert isinstance(built, cls)
    assert [getattr(built, field[1]) for field in listed] == list(range(len(listed)))
    assert getattr(built, left_out[1]) is UNSET
    assert built.additional_properties == {left_out[0]: len(listed)}


@pytest.mark.parametrize("key", ["usage", "choices"])
def test_null_in_a_slot_that_is_not_nullable_raises_as_from_dict(key: str) -> None:
    """`usage: null` or `choices: null` (the spec does not allow null there): what from_dict raises, not None."""
    build = fresh_builder()
    data = completion_body(**{key: None})
    with pytest.raises(TypeError):
        ChatCompletion.from_dict(copy.deepcopy(data))
    with pytest.raises(TypeError):
        build(data)
