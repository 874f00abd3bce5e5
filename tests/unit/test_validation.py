"""Requests the spec refuses raise RequestValidationError naming field, value and rule; nothing is sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import respx
from aimlapi_grok import RequestValidationError

from .conftest import USER_HI, completion_response

PATH = "/v1/chat/completions"


async def refused(api: Any, router: respx.MockRouter, **kwargs: Any) -> RequestValidationError:
    """Call create() expecting a refusal; assert no request reached the transport."""
    route = router.post(PATH).mock(return_value=completion_response())
    with pytest.raises(RequestValidationError) as caught:
        await api.create(**kwargs)
    assert route.call_count == 0
    assert not router.calls
    return caught.value


@pytest.mark.parametrize(
    ("params", "path", "rule", "shown"),
    [
        ({"temperature": 3}, "temperature", "maximum", "3"),
        ({"temperature": -0.1}, "temperature", "minimum", "-0.1"),
        ({"top_logprobs": 21}, "top_logprobs", "maximum", "21"),
        ({"top_p": 1.5}, "top_p", "maximum", "1.5"),
        ({"max_tokens": 0}, "max_tokens", "minimum", "0"),
        ({"seed": "7"}, "seed", "type", '"7"'),
        ({"model": "gpt-4o"}, "model", "enum", '"gpt-4o"'),
        ({"reasoning": {"effort": "extreme"}}, "reasoning.effort", "enum", '"extreme"'),
        ({"stream_options": {}}, "stream_options", "required", "include_usage"),
        ({"parallel_tool_calls": "yes"}, "parallel_tool_calls", "type", '"yes"'),
    ],
)
async def test_spec_violations_name_field_value_and_rule(
    api: Any, router: respx.MockRouter, params: dict[str, Any], path: str, rule: str, shown: str
) -> None:
    """Each range/type/enum/required violation is reported with its path, the value and the rule; nothing sent."""
    error = await refused(api, router, **params)
    assert [(v.path, v.rule) for v in error.violations] == [(path, rule)]
    text = str(error)
    assert path in text
    assert shown in text
    assert f"rule: {rule}" in text


async def test_unknown_role_is_reported_precisely(api: Any, router: respx.MockRouter) -> None:
    """A message with role 'bot' is reported as messages[0].role not being one of the spec's roles."""
    error = await refused(api, router, messages=[{"role": "bot", "content": "hi"}])
    (violation,) = error.violations
    assert violation.path == "messages[0].role"
    assert violation.rule == "enum"
    assert "'bot' is not one of 'user'" in violation.message
    for role in ("system", "developer", "tool", "assistant"):
        assert repr(role) in violation.message


async def test_message_variant_errors_come_from_its_role(api: Any, router: respx.MockRouter) -> None:
    """A tool message without tool_call_id and a user message with numeric content get their own precise errors."""
    error = await refused(
        api,
        router,
        messages=[*USER_HI, {"role": "tool", "content": "42"}, {"role": "user", "content": 5}],
    )
    found = {(v.path, v.rule) for v in error.violations}
    assert ("messages[1]", "required") in found
    assert any(v.path == "messages[1]" and "tool_call_id" in v.message for v in error.violations)
    assert ("messages[2].content", "anyOf") in found
    assert all("oneOf" not in v.message for v in error.violations)


async def test_message_without_role_and_non_object_message(api: Any, router: respx.MockRouter) -> None:
    """A message lacking `role` and a message that is not an object are each named with what is wrong."""
    error = await refused(api, router, messages=[{"content": "hi"}, "hello"])
    assert [(v.path, v.rule) for v in error.violations] == [("messages[0].role", "required"), ("messages[1]", "type")]


async def test_reasoning_effort_and_max_tokens_together(api: Any, router: respx.MockRouter) -> None:
    """reasoning takes effort or max_tokens, not both (checked locally, the spec cannot say it)."""
    error = await refused(api, router, reasoning={"effort": "low", "max_tokens": 100})
    (violation,) = error.violations
    assert violation.path == "reasoning"
    assert "effort or max_tokens, not both" in str(error)


@pytest.mark.parametrize("request_id", ["", "has space", "x" * 129, "ünï", "semi;colon"])
async def test_client_request_id_outside_alphabet_or_length(
    api: Any, router: respx.MockRouter, request_id: str
) -> None:
    """An X-Client-Request-Id the server would silently drop is refused before sending."""
    error = await refused(api, router, client_request_id=request_id)
    (violation,) = error.violations
    assert (violation.path, violation.rule) == ("client_request_id", "pattern")
    assert "silently drops" in violation.message


async def test_client_request_id_of_128_allowed_characters_is_sent(api: Any, router: respx.MockRouter) -> None:
    """The longest valid X-Client-Request-Id (128 characters of the alphabet) goes through."""
    route = router.post(PATH).mock(return_value=completion_response())
    request_id = ("Az09._:-" * 16)[:128]
    await api.create(client_request_id=request_id)
    assert route.calls[0].request.headers["x-client-request-id"] == request_id


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"temperature": float("nan")}, "temperature"),
        ({"extra_body": {"metadata": {"when": dt.date(2026, 1, 1)}}}, "metadata.when"),
        ({"messages": [{"role": "user", "content": "hi", 3: "x"}]}, "messages[0]"),
    ],
)
async def test_values_that_are_not_json_are_refused(
    api: Any, router: respx.MockRouter, kwargs: dict[str, Any], path: str
) -> None:
    """NaN, non-JSON objects and non-string keys are refused with their location, before sending."""
    error = await refused(api, router, **kwargs)
    assert error.violations[0].path == path


@pytest.mark.parametrize("messages", ["hi", {"role": "user", "content": "hi"}, 5])
async def test_messages_must_be_a_list(api: Any, router: respx.MockRouter, messages: Any) -> None:
    """messages given as a string, a single dict or a number is refused naming `messages`."""
    error = await refused(api, router, messages=messages)
    assert error.violations[0].path == "messages"


async def test_bad_call_options_are_refused(api: Any, router: respx.MockRouter) -> None:
    """A negative max_retries, a non-bool stream, non-string extra headers or a bad timeout are refused, unsent."""
    assert (await refused(api, router, max_retries=-1)).violations[0].path == "max_retries"
    assert (await refused(api, router, stream="yes")).violations[0].path == "stream"
    assert (await refused(api, router, extra_headers={"X-N": 1})).violations[0].path == "extra_headers"
    assert (await refused(api, router, timeout="soon")).violations[0].path == "timeout"


async def test_several_problems_are_all_listed(api: Any, router: respx.MockRouter) -> None:
    """All violations of one request are reported together, not only the first."""
    error = await refused(api, router, temperature=9, top_p=0, client_request_id="bad id")
    assert {v.path for v in error.violations} == {"temperature", "top_p", "client_request_id"}
    assert "3 problem(s)" in str(error)


async def test_request_validation_error_is_a_value_error(api: Any, router: respx.MockRouter) -> None:
    """RequestValidationError can be caught as ValueError (it is a bad argument)."""
    router.post(PATH).mock(return_value=completion_response())
    with pytest.raises(ValueError, match="temperature"):
        await api.create(temperature=5)
