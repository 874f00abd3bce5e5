"""Drift reports the mutation run showed unpinned: each message, relaxations that keep later reports, the caps."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from aimlapi_grok import AsyncGrok, DriftWarning, Grok, drift_reports, drift_reports_dropped
from aimlapi_grok._drift import (
    MAX_DRIFT_REPORTS,
    MAX_UNKNOWN_FIELDS_PER_OBJECT,
    report_deviation,
    report_drift,
    reset_drift_reports,
)
from aimlapi_grok.types import DriftReport

from .conftest import API_KEY, USER_HI, chunk_body, completion_body, completion_response

PATH = "/v1/chat/completions"
CHUNK_COMPONENT = "ChatCompletionChunk"
KEPT = "unknown field (kept in additional_properties)"
NONE_MATCHES = "matches none of the spec's alternatives"


def chunk(**overrides: Any) -> dict[str, Any]:
    """A chunk exactly as the published spec describes it, top-level keys replaced by `overrides`."""
    return chunk_body("a", **overrides)


def choice(**fields: Any) -> dict[str, Any]:
    """A chunk choice that conforms, with `fields` replaced."""
    return {"index": 0, "delta": {"content": "a"}, "finish_reason": None} | fields


@pytest.fixture
def caught() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning raised in the test, recorded (not raised as an error)."""
    with warnings.catch_warnings(record=True) as recorded:
        warnings.simplefilter("always")
        yield recorded


def messages(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, DriftWarning)]


def reported() -> list[tuple[str, str, str]]:
    """(path, rule, detail) of every report so far."""
    return [(r.path, r.rule, r.detail) for r in drift_reports()]


# -- what each report says -------------------------------------------------------------------------


def test_type_drift_names_the_spec_types_and_what_was_sent(caught: list[warnings.WarningMessage]) -> None:
    """Each JSON type the API may send is named, with the value; null is named without a sample."""
    data = chunk(id=1, created=1.5, model=None, object=["x"], choices={"a": True})
    report_drift(CHUNK_COMPONENT, data)
    report_drift(CHUNK_COMPONENT, chunk(choices=[choice(delta={"refusal": 5, "content": True})]))
    said = "type differs: the spec says"
    assert sorted(d for _, rule, d in reported() if rule == "type") == sorted(
        [
            f"{said} string, the API sent integer 1",
            f"{said} integer, the API sent number 1.5",
            f"{said} string, the API sent null",
            f'{said} string, the API sent array ["x"]',
            f'{said} array, the API sent object {{"a": true}}',
            f"{said} null or string, the API sent integer 5",
            f"{said} string, the API sent boolean true",
        ]
    )
    refusal = f"API drift in {CHUNK_COMPONENT}: choices[].delta.refusal: {said} null or string, the API sent integer 5"
    assert refusal in messages(caught)


@pytest.mark.parametrize(
    ("length", "shown"),
    [(78, '"' + "x" * 78 + '"'), (79, '"' + "x" * 76 + "...")],
)
def test_a_sent_value_is_shown_whole_up_to_80_characters(
    length: int, shown: str, caught: list[warnings.WarningMessage]
) -> None:
    """A value whose JSON is 80 characters is shown whole; at 81 it is cut to 77 characters and '...'."""
    report_drift(CHUNK_COMPONENT, chunk(created="x" * length))
    assert reported() == [("created", "type", f"type differs: the spec says integer, the API sent string {shown}")]


async def test_a_tool_call_matching_no_alternative_is_reported_as_such(api: Any, router: respx.MockRouter) -> None:
    """A tool call that is neither a function nor a custom call: 'matches none of the spec's alternatives', once."""
    body = completion_body()
    body["choices"][0]["message"]["tool_calls"] = [{"foo": 1}, {"foo": 2}]
    router.post(PATH).mock(return_value=completion_response(body))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = await api.create()
    assert result.text == "Hello! How can I help?"
    assert messages(caught) == [
        'API drift in ChatCompletion: choices[].message.tool_calls[]: value {"foo": 1} ' + NONE_MATCHES
    ]


@pytest.mark.parametrize(
    ("component", "data", "expected"),
    [
        (
            "Reasoning",
            {"max_tokens": 0},
            ("max_tokens", "minimum", "differs from the spec (minimum): 0 is less than the minimum of 1"),
        ),
        ("AssistantMessage", {"role": "assistant", "content": 5}, ("content", "anyOf", f"value 5 {NONE_MATCHES}")),
        ("ErrorBody", {"statusCode": 1.5}, ("statusCode", "oneOf", f"value 1.5 {NONE_MATCHES}")),
    ],
)
def test_any_spec_component_can_be_checked(
    component: str, data: dict[str, Any], expected: tuple[str, str, str], caught: list[warnings.WarningMessage]
) -> None:
    """Other components' keywords are reported too: a minimum with the validator's text, an anyOf, a oneOf."""
    report_drift(component, data)
    assert reported() == [expected]


def test_a_long_validator_message_is_cut_at_200_characters(caught: list[warnings.WarningMessage]) -> None:
    """A 251-digit negative token limit: the minimum report quotes the validator's text, cut at 200 characters."""
    huge = -(10**250)
    report_drift("Reasoning", {"max_tokens": huge})
    text = f"{huge} is less than the minimum of 1"
    assert reported() == [("max_tokens", "minimum", f"differs from the spec (minimum): {text[:200]}")]
    assert len(text) > 200


def test_deviations_inside_many_nullable_fields_are_all_reported_at_once(caught: list[warnings.WarningMessage]) -> None:
    """Six nullable fields each holding a wrong value: each is opened and reported by its own field, nothing stops."""
    bad_choice = choice(delta={"role": "bot"}, finish_reason="end_turn", logprobs={"content": []})
    data = chunk(
        choices=[bad_choice],
        usage={"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": "2"},
        meta={"usage": {"credits_used": 1, "usd_spent": "cheap"}},
        service_tier="gold",
    )
    assert report_drift(CHUNK_COMPONENT, data) is False
    assert sorted((p, r) for p, r, _ in reported()) == [
        ("choices[].delta.role", "enum"),
        ("choices[].finish_reason", "enum"),
        ("choices[].logprobs.refusal", "required"),
        ("meta.usage.usd_spent", "type"),
        ("service_tier", "enum"),
        ("usage.total_tokens", "type"),
    ]
    assert report_drift(CHUNK_COMPONENT, data) is False
    assert len(messages(caught)) == 6


# -- relaxations: reported once, nothing else lost ---------------------------------------------------


async def test_each_missing_required_field_is_reported_even_after_another(api: Any, router: respx.MockRouter) -> None:
    """usage without total_tokens, then usage without prompt_tokens: both reported; then nothing new."""
    first, second, both = completion_body(), completion_body(), completion_body()
    del first["usage"]["total_tokens"]
    del second["usage"]["prompt_tokens"]
    del both["usage"]["total_tokens"], both["usage"]["prompt_tokens"]
    router.post(PATH).mock(side_effect=[completion_response(b) for b in (first, second, both)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(3):
            await api.create()
    assert messages(caught) == [
        "API drift in ChatCompletion: usage.total_tokens: required field is missing",
        "API drift in ChatCompletion: usage.prompt_tokens: required field is missing",
    ]
    assert [r.rule for r in drift_reports()] == ["required", "required"]


def test_a_value_drift_is_reported_once_and_checks_go_on(caught: list[warnings.WarningMessage]) -> None:
    """The same mistyped value three times: one report; a new deviation later is still reported (checks not stopped)."""
    for _ in range(3):
        assert report_drift(CHUNK_COMPONENT, chunk(created="soon")) is False
    report_drift(CHUNK_COMPONENT, chunk(model=7))
    assert [(p, r) for p, r, _ in reported()] == [("created", "type"), ("model", "type")]
    assert len(messages(caught)) == 2


def test_the_same_deviation_in_two_choices_of_one_chunk_is_reported_once(
    caught: list[warnings.WarningMessage],
) -> None:
    """Two choices with the same unknown finish_reason, or 33 unknown delta fields each: one report, no crash."""
    two = chunk(choices=[choice(finish_reason="end_turn"), choice(index=1, finish_reason="end_turn")])
    report_drift(CHUNK_COMPONENT, two)
    many = {f"x{n}": n for n in range(MAX_UNKNOWN_FIELDS_PER_OBJECT + 1)}
    report_drift(CHUNK_COMPONENT, chunk(choices=[choice(delta=many), choice(index=1, delta=many)]))
    assert [(p, r) for p, r, _ in reported()] == [
        ("choices[].finish_reason", "enum"),
        ("choices[].delta", "unknown fields"),
    ]


def test_the_answer_is_again_known_to_conform_after_unknown_fields_only(
    caught: list[warnings.WarningMessage],
) -> None:
    """Conforming: True; data whose only drift (unknown fields) was reported: True again; after a type drift: False."""
    assert report_drift(CHUNK_COMPONENT, chunk()) is True
    with_extra = chunk(system_fingerprint="fp")
    assert report_drift(CHUNK_COMPONENT, with_extra) is False
    assert report_drift(CHUNK_COMPONENT, with_extra) is True
    assert report_drift(CHUNK_COMPONENT, chunk(created="soon")) is False
    assert report_drift(CHUNK_COMPONENT, chunk()) is False  # the relaxed schema no longer proves the tolerant one


# -- bounds -------------------------------------------------------------------------------------------


def test_up_to_32_unknown_fields_in_one_object_are_reported_one_by_one(caught: list[warnings.WarningMessage]) -> None:
    """32 unknown delta fields: 32 reports, each naming its field."""
    names = [f"x{n:02}" for n in range(MAX_UNKNOWN_FIELDS_PER_OBJECT)]
    report_drift(CHUNK_COMPONENT, chunk(choices=[choice(delta=dict.fromkeys(names, 1))]))
    assert sorted(reported()) == [(f"choices[].delta.{name}", "unknown field", KEPT) for name in names]


def test_the_33rd_unknown_field_of_an_object_turns_reports_into_one_summary(
    caught: list[warnings.WarningMessage],
) -> None:
    """33 unknown delta fields at once: one summary report; later unknown delta fields are kept, not reported."""
    many = {f"x{n}": n for n in range(MAX_UNKNOWN_FIELDS_PER_OBJECT + 1)}
    report_drift(CHUNK_COMPONENT, chunk(choices=[choice(delta=many)]))
    detail = "more than 32 unknown fields; further unknown fields here are kept but no longer reported one by one"
    assert reported() == [("choices[].delta", "unknown fields", detail)]
    assert report_drift(CHUNK_COMPONENT, chunk(choices=[choice(delta={"content": "a", "brand_new": 1})])) is True
    assert messages(caught) == [f"API drift in {CHUNK_COMPONENT}: choices[].delta: {detail}"]


def test_unknown_fields_are_counted_per_object(caught: list[warnings.WarningMessage]) -> None:
    """20 unknown fields in the chunk and 20 in its delta (40 in all, each object under 32): all 40 reported."""
    top = {f"top{n}": n for n in range(20)}
    inner = {f"inner{n}": n for n in range(20)}
    report_drift(CHUNK_COMPONENT, chunk(choices=[choice(delta=inner)], **top))
    rules = [rule for _, rule, _ in reported()]
    assert rules == ["unknown field"] * 40


def test_report_200_is_the_last_kept_and_says_so(caught: list[warnings.WarningMessage]) -> None:
    """Report 199 is plain; report 200 says where the rest go; a repeat of a kept one is not counted as dropped."""
    for n in range(MAX_DRIFT_REPORTS + 3):
        report_deviation("response headers", f"h{n}", "cost", "odd")
    report_deviation("response headers", "h0", "cost", "odd")  # already reported: neither kept again nor dropped
    kept = drift_reports()
    assert kept[-2] == DriftReport("response headers", "h198", "cost", "odd")
    rest = "further deviations are counted in drift_reports_dropped(), not reported"
    assert kept[-1] == DriftReport("response headers", "h199", "cost", f"odd (report 200: the last kept; {rest})")
    assert drift_reports_dropped() == 3
    assert messages(caught)[-1] == f"API drift in response headers: h199: odd (report 200: the last kept; {rest})"


# -- where the warning points -------------------------------------------------------------------------

# mutmut (`make mutate`) runs each function of the mutated module behind a trampoline frame, so a
# warning cannot point past it; these tests skip there, and _drift.py excludes that code from mutation.
points_at_caller = pytest.mark.skipif("MUTANT_UNDER_TEST" in os.environ, reason="mutmut adds frames")


@points_at_caller
def test_a_direct_report_points_at_its_caller(caught: list[warnings.WarningMessage]) -> None:
    """report_drift and report_deviation warn at the line that called them, not inside the library."""
    report_drift(CHUNK_COMPONENT, chunk(created="soon"))
    report_deviation("response headers", "x-aimlapi-usd-spent", "cost", "odd")
    assert [w.filename for w in caught] == [__file__, __file__]


@points_at_caller
def test_drift_seen_by_the_client_points_at_the_application_line(router: respx.MockRouter) -> None:
    """A drifted body and a bad cost header: both warnings point at the application's create() call."""
    body = completion_body(system_fingerprint="fp")
    router.post(PATH).mock(return_value=completion_response(body, usd="NaN"))
    with warnings.catch_warnings(record=True) as caught, Grok(api_key=API_KEY, max_retries=0) as client:
        warnings.simplefilter("always")
        client.chat.completions.create(messages=USER_HI)
    assert len(caught) == 2
    assert {w.filename for w in caught} == {__file__}


@points_at_caller
async def test_async_drift_points_at_the_application_line(router: respx.MockRouter) -> None:
    """With AsyncGrok too, a drifted body's warning points at the application's await of create()."""
    body = completion_body(system_fingerprint="fp")
    router.post(PATH).mock(return_value=completion_response(body))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with AsyncGrok(api_key=API_KEY, max_retries=0) as client:
            await client.chat.completions.create(messages=USER_HI)
    assert [w.filename for w in caught] == [__file__]


def test_reset_forgets_reports_and_the_dropped_count(caught: list[warnings.WarningMessage]) -> None:
    """After reset_drift_reports(), the registry is empty, nothing counts as dropped, a deviation warns again."""
    for n in range(MAX_DRIFT_REPORTS + 1):
        report_deviation("response headers", f"h{n}", "cost", "odd")
    reset_drift_reports()
    assert (drift_reports(), drift_reports_dropped()) == ([], 0)
    report_drift(CHUNK_COMPONENT, chunk(created="soon"))
    assert [(p, r) for p, r, _ in reported()] == [("created", "type")]


def test_a_value_nested_too_deep_is_one_depth_report(caught: list[warnings.WarningMessage]) -> None:
    """Unknown fields nested 300 deep, twice: one report at the root, rule 'depth', saying why; warned once."""
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    assert report_drift(CHUNK_COMPONENT, chunk(extra=deep)) is False
    assert report_drift(CHUNK_COMPONENT, chunk(other=deep)) is False
    assert reported() == [("", "depth", "a value is nested too deep to be checked against the spec")]
    assert messages(caught) == [
        f"API drift in {CHUNK_COMPONENT}: <root>: a value is nested too deep to be checked against the spec"
    ]
