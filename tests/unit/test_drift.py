"""Drift: unknown fields are kept, missing or mistyped fields do not crash, each deviation is warned once."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
import respx
from aimlapi_grok import DriftWarning, drift_reports
from aimlapi_grok._drift import report_drift
from aimlapi_grok_api.types import UNSET

from .conftest import completion_body, completion_response

PATH = "/v1/chat/completions"


def drift_messages(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, DriftWarning)]


async def create_recording(api: Any) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = await api.create()
    return result, drift_messages(caught)


async def test_unknown_fields_are_kept_and_reported_once(api: Any, router: respx.MockRouter) -> None:
    """Unknown top-level and nested fields land in additional_properties; each is warned once, not on repeat."""
    body = completion_body(system_fingerprint="fp_1")
    body["choices"][0]["message"]["reasoning_content"] = "thinking..."
    body["usage"]["cost_details"] = {"upstream": 1}
    router.post(PATH).mock(return_value=completion_response(body))
    result, first = await create_recording(api)
    completion = result.completion
    assert completion.additional_properties == {"system_fingerprint": "fp_1"}
    assert completion.choices[0].message.additional_properties == {"reasoning_content": "thinking..."}
    assert completion.usage.additional_properties == {"cost_details": {"upstream": 1}}
    assert completion.to_dict() == body
    kept = "unknown field (kept in additional_properties)"
    assert sorted(first) == [
        f"API drift in ChatCompletion: choices[].message.reasoning_content: {kept}",
        f"API drift in ChatCompletion: system_fingerprint: {kept}",
        f"API drift in ChatCompletion: usage.cost_details: {kept}",
    ]
    _, second = await create_recording(api)
    assert second == []


async def test_missing_nested_required_fields_do_not_crash(api: Any, router: respx.MockRouter) -> None:
    """A choice without message/index and usage without total_tokens parse; the gaps are reported."""
    body = completion_body()
    body["choices"] = [{"finish_reason": "stop"}]
    del body["usage"]["total_tokens"]
    router.post(PATH).mock(return_value=completion_response(body))
    result, reported = await create_recording(api)
    assert result.text == ""
    assert result.finish_reason == "stop"
    assert result.completion.choices[0].message is UNSET
    assert result.usage is not None
    assert result.usage.total_tokens is UNSET
    assert "API drift in ChatCompletion: choices[].message: required field is missing" in reported
    assert "API drift in ChatCompletion: usage.total_tokens: required field is missing" in reported


async def test_values_of_another_type_or_enum_are_moved_aside(api: Any, router: respx.MockRouter) -> None:
    """An unknown finish_reason and a string token count do not crash: kept in additional_properties, reported."""
    body = completion_body()
    body["choices"][0]["finish_reason"] = "end_turn"
    body["usage"]["completion_tokens"] = "30"
    router.post(PATH).mock(return_value=completion_response(body))
    result, reported = await create_recording(api)
    assert result.finish_reason == "end_turn"  # the shortcut shows what the API sent
    choice = result.completion.choices[0]
    assert choice.finish_reason is UNSET
    assert choice.additional_properties["finish_reason"] == "end_turn"
    assert result.usage.additional_properties["completion_tokens"] == "30"
    assert result.completion.to_dict() == body
    assert (
        'API drift in ChatCompletion: choices[].finish_reason: value "end_turn" is not one of the spec\'s values'
        in (reported)
    )
    assert any("usage.completion_tokens: type differs" in line and "string" in line for line in reported)


async def test_repeated_value_drift_is_still_moved_aside(api: Any, router: respx.MockRouter) -> None:
    """A mistyped value already reported once is still moved out of its typed slot on the next answer."""
    body = completion_body()
    body["choices"][0]["finish_reason"] = "end_turn"
    router.post(PATH).mock(return_value=completion_response(body))
    await create_recording(api)
    second, reported_again = await create_recording(api)
    assert reported_again == []
    assert second.completion.choices[0].finish_reason is UNSET
    assert second.completion.choices[0].additional_properties["finish_reason"] == "end_turn"
    assert second.completion.to_dict() == body


async def test_conforming_answer_is_parsed_without_moving_anything(api: Any, router: respx.MockRouter) -> None:
    """An answer that matches the published spec parses straight into the models, nothing moved aside."""
    body = completion_body()
    router.post(PATH).mock(return_value=completion_response(body))
    result, reported = await create_recording(api)
    assert reported == []
    assert result.completion.choices[0].additional_properties == {}
    assert result.completion.to_dict() == body


async def test_renamed_field_is_kept_under_its_new_name(api: Any, router: respx.MockRouter) -> None:
    """A choice whose `message` arrives as `msg` keeps it as an unknown field; text is "" rather than a crash."""
    body = completion_body()
    body["choices"][0]["msg"] = body["choices"][0].pop("message")
    router.post(PATH).mock(return_value=completion_response(body))
    result, reported = await create_recording(api)
    assert result.text == ""
    assert result.completion.choices[0].additional_properties["msg"]["content"] == "Hello! How can I help?"
    assert "API drift in ChatCompletion: choices[].msg: unknown field (kept in additional_properties)" in reported


async def test_missing_object_and_unusable_choice(api: Any, router: respx.MockRouter) -> None:
    """No top-level `object` and a choice that is a bare string: parsed, the string only in result.body."""
    body = completion_body()
    del body["object"]
    body["choices"].append("garbage")
    router.post(PATH).mock(return_value=completion_response(body))
    result, reported = await create_recording(api)
    assert result.text == "Hello! How can I help?"
    assert len(result.completion.choices) == 1
    assert result.body["choices"][1] == "garbage"
    assert "API drift in ChatCompletion: object: required field is missing" in reported


def test_chunk_drift_is_reported_once_per_field_with_indices_normalized() -> None:
    """report_drift on chunks: an unknown delta field in choices 0 and 1 of many chunks warns once."""
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "grok",
        "choices": [
            {"index": 0, "delta": {"content": "a", "reasoning_content": "x"}, "finish_reason": None},
            {"index": 1, "delta": {"content": "b", "reasoning_content": "y"}, "finish_reason": None},
        ],
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(5):
            report_drift("ChatCompletionChunk", chunk)
    kept = "unknown field (kept in additional_properties)"
    assert drift_messages(caught) == [f"API drift in ChatCompletionChunk: choices[].delta.reasoning_content: {kept}"]
    assert [(r.component, r.path, r.rule) for r in drift_reports()] == [
        ("ChatCompletionChunk", "choices[].delta.reasoning_content", "unknown field")
    ]


def test_conforming_data_warns_nothing() -> None:
    """A chunk exactly as the published spec describes it produces no warning and no report."""
    chunk = {
        "id": "c",
        "object": "chat.completion.chunk",
        "created": 1,
        "model": "grok",
        "choices": [{"index": 0, "delta": {"content": "a"}, "finish_reason": "stop"}],
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report_drift("ChatCompletionChunk", chunk)
    assert drift_reports() == []


def test_a_conforming_answer_compiles_no_jsonschema_validator(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled predicate accepts a conforming chunk: no jsonschema-rs validator is built; a deviating one
    still gets its report (through jsonschema-rs, compiled then)."""
    from aimlapi_grok import _drift

    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": []}
    compile_validator = _drift._Relaxed.compile
    compiled: list[str] = []

    def recording(self: Any, definition: str) -> Any:
        compiled.append(definition)
        return compile_validator(self, definition)

    monkeypatch.setattr(_drift._Relaxed, "compile", recording)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert report_drift("ChatCompletionChunk", chunk) is True
    assert compiled == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert report_drift("ChatCompletionChunk", {**chunk, "odd": 1}) is False
        assert report_drift("ChatCompletionChunk", {**chunk, "odd": 2}) is True  # reported: relaxed from now on
    assert drift_messages(caught) == [
        "API drift in ChatCompletionChunk: odd: unknown field (kept in additional_properties)"
    ]
    assert compiled == ["ChatCompletionChunk", "ChatCompletionChunk"]  # the first check, then after relaxing


def test_stopped_checks_compile_nothing_more(monkeypatch: pytest.MonkeyPatch) -> None:
    """Once a component's checks stopped, later answers with the same deviation compile no validator again."""
    from aimlapi_grok import _drift

    monkeypatch.setattr(_drift._Relaxed, "relax", lambda self, deviation, names: False)
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [], "odd": 1}
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        report_drift("ChatCompletionChunk", chunk)
    compiled: list[str] = []
    monkeypatch.setattr(_drift._Relaxed, "compile", lambda self, definition: compiled.append(definition))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            assert report_drift("ChatCompletionChunk", chunk) is True  # not checked any more
    assert compiled == []


def test_unknown_component_is_a_key_error() -> None:
    """Asking for a component the spec does not define fails loudly."""
    with pytest.raises(KeyError, match="NoSuchThing"):
        report_drift("NoSuchThing", {})


def test_untrackable_deviation_stops_checks_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """If a deviation cannot be relaxed away, the component's checks stop (said once) instead of slowing every call."""
    from aimlapi_grok import _drift

    monkeypatch.setattr(_drift._Relaxed, "relax", lambda self, deviation, names: False)
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [], "odd": 1}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            report_drift("ChatCompletionChunk", chunk)
    messages = drift_messages(caught)
    assert messages[-1] == (
        "API drift in ChatCompletionChunk: <root>: drift checks stopped for this component "
        "(a deviation could not be tracked)"
    )
    assert len(messages) == 2  # the unknown field, then the stop notice; nothing on later calls
    stopped = drift_reports()[-1]
    assert (stopped.component, stopped.path, stopped.rule) == ("ChatCompletionChunk", "", "stopped")


def test_relaxing_one_component_changes_no_other_check() -> None:
    """A deviation reported (and accepted from then on) for chunks is still reported for completions and after a reset.

    The relaxed schema is a private copy: the shipped document, which the other components and the request
    check compile from, keeps every rule.
    """
    import json

    from aimlapi_grok._drift import reset_drift_reports
    from aimlapi_grok._schema import schema_document

    shipped = json.dumps(schema_document())
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [], "extra": 1}
    completion = {**completion_body(), "extra": 1}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report_drift("ChatCompletionChunk", chunk)
        report_drift("ChatCompletion", completion)
        reset_drift_reports()
        report_drift("ChatCompletionChunk", chunk)
    kept = "unknown field (kept in additional_properties)"
    assert drift_messages(caught) == [
        f"API drift in ChatCompletionChunk: extra: {kept}",
        f"API drift in ChatCompletion: extra: {kept}",
        f"API drift in ChatCompletionChunk: extra: {kept}",
    ]
    assert json.dumps(schema_document()) == shipped
