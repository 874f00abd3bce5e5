"""Hostile arguments are refused before sending, naming the field (RequestValidationError / ConfigurationError)."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import ConfigurationError, Grok

from .conftest import API_KEY, completion_response, sent_json
from .test_validation import PATH, refused

BAD_TIME_LIMITS = [-1, -0.5, 0, math.nan, math.inf, -math.inf, True, False, "10", httpx.Timeout(5.0, read=-1)]


@pytest.mark.parametrize("value", BAD_TIME_LIMITS, ids=repr)
@pytest.mark.parametrize("option", ["timeout", "deadline"])
async def test_bad_time_limits_are_refused_per_call(
    api: Any, router: respx.MockRouter, option: str, value: Any
) -> None:
    """A negative, zero, NaN, infinite, bool or text timeout/deadline given to create() is refused, nothing sent."""
    error = await refused(api, router, **{option: value})
    assert [v.path for v in error.violations] == [option]


@pytest.mark.parametrize("value", BAD_TIME_LIMITS, ids=repr)
@pytest.mark.parametrize("option", ["timeout", "deadline"])
def test_bad_time_limits_are_refused_by_the_constructor(option: str, value: Any) -> None:
    """The constructor applies the same rule as create(): ConfigurationError naming the setting."""
    with pytest.raises(ConfigurationError, match=option):
        Grok(api_key=API_KEY, **{option: value})


@pytest.mark.parametrize("value", [0.5, 30, None, httpx.Timeout(5.0, connect=2.0)], ids=repr)
async def test_good_timeouts_pass_the_same_rule(api: Any, router: respx.MockRouter, value: Any) -> None:
    """Positive seconds, None and a valid httpx.Timeout are accepted per call and by the constructor."""
    router.post(PATH).mock(return_value=completion_response())
    Grok(api_key=API_KEY, timeout=value).close()
    assert (await api.create(timeout=value)).text


@pytest.mark.parametrize(
    "headers",
    [{"X-Note": "café"}, {"X-Note": "a\r\nX-Injected: 1"}, {"X-Note": "a\nb"}, {"X-No\r\nte": "a"}, {"": "a"}],
    ids=["non-ascii", "crlf", "lf", "crlf-in-name", "empty-name"],
)
async def test_extra_headers_with_non_ascii_or_newlines_are_refused(
    api: Any, router: respx.MockRouter, headers: dict[str, str]
) -> None:
    """Header injection (CR/LF) and non-ASCII values are refused naming extra_headers, not raised by httpx."""
    error = await refused(api, router, extra_headers=headers)
    assert error.violations[0].path == "extra_headers"


def test_default_headers_with_newlines_are_a_configuration_error() -> None:
    """The constructor refuses the same headers with ConfigurationError."""
    with pytest.raises(ConfigurationError, match="default_headers"):
        Grok(api_key=API_KEY, default_headers={"X-Note": "a\r\nb"})


@pytest.mark.parametrize("extra_body", [[("user", "u")], "user=u", 3])
async def test_extra_body_must_be_a_mapping(api: Any, router: respx.MockRouter, extra_body: Any) -> None:
    """An extra_body that is not a mapping is refused naming extra_body (not a TypeError from dict.update)."""
    error = await refused(api, router, extra_body=extra_body)
    assert [v.path for v in error.violations] == ["extra_body"]


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"extra_body": {"stream": True}}, "extra_body.stream"),
        ({"extra_body": {"messages": []}}, "extra_body.messages"),
        ({"model": "x-ai/grok-4-1-fast-reasoning", "extra_body": {"model": "other"}}, "extra_body.model"),
        ({"temperature": 1, "extra_body": {"temperature": 0}}, "extra_body.temperature"),
    ],
)
async def test_extra_body_cannot_override_an_explicit_argument(
    api: Any, router: respx.MockRouter, kwargs: dict[str, Any], path: str
) -> None:
    """extra_body setting stream, messages or a parameter passed explicitly is refused: use the argument."""
    error = await refused(api, router, **kwargs)
    assert [v.path for v in error.violations] == [path]
    assert "use the argument" in error.violations[0].message


async def test_extra_body_may_add_fields_no_argument_sets(api: Any, router: respx.MockRouter) -> None:
    """Fields that no argument sets still go through extra_body unchanged."""
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create(extra_body={"user": "u-1"})
    assert sent_json(route.calls[0])["user"] == "u-1"


def _self_holding_dict() -> dict[str, Any]:
    loop: dict[str, Any] = {"role": "user"}
    loop["content"] = [loop]
    return loop


def _self_holding_list() -> list[Any]:
    items: list[Any] = []
    items.append(items)
    return items


def _nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(depth):
        node["a"] = {}
        node = node["a"]
    return root


@pytest.mark.parametrize(
    ("kwargs", "path", "reason"),
    [
        ({"messages": [_self_holding_dict()]}, "messages[0].content[0]", "contains itself"),
        ({"extra_body": {"x": _self_holding_list()}}, "x[0]", "contains itself"),
        ({"extra_body": {"x": _nested(100_000)}}, "x.a.a", "levels deep"),
        ({"messages": [{"role": "user", "content": "hi \ud800"}]}, "messages[0].content", "lone surrogate"),
        ({"extra_body": {"\udfff": 1}}, "\udfff", "lone surrogate"),
        ({"temperature": math.nan}, "temperature", "nan is not a JSON number"),
    ],
    ids=["recursive-dict", "recursive-list", "nested-100000", "surrogate", "surrogate-key", "nan-temperature"],
)
async def test_values_that_cannot_be_json_are_named(
    api: Any, router: respx.MockRouter, kwargs: dict[str, Any], path: str, reason: str
) -> None:
    """Recursive, 100,000-deep, lone-surrogate and NaN values: RequestValidationError at their location."""
    error = await refused(api, router, **kwargs)
    (violation,) = error.violations
    assert violation.path.startswith(path)
    assert reason in violation.message


async def test_nan_temperature_is_reported_as_nan_not_null(api: Any, router: respx.MockRouter) -> None:
    """A NaN temperature is reported as NaN (the value the caller passed), never as `null`."""
    error = await refused(api, router, temperature=math.nan)
    assert "nan" in str(error)
    assert "null" not in str(error)


@pytest.mark.parametrize(
    ("function", "field"),
    [
        ({"name": "get weather", "parameters": {"type": "object"}}, "name"),
        ({"name": "x" * 65, "parameters": {"type": "object"}}, "name"),
        ({"name": "f", "parameters": {"type": "object", "properties": {"a": {"type": "nonsense"}}}}, "parameters"),
        ({"name": "f", "parameters": {"type": "string"}}, "parameters"),
    ],
    ids=["space-in-name", "name-too-long", "invalid-schema", "not-an-object-schema"],
)
async def test_tools_are_checked_like_function_tool(
    api: Any, router: respx.MockRouter, function: dict[str, Any], field: str
) -> None:
    """create() refuses a tool that function_tool() would refuse, naming tools[i].function.<field>."""
    tools = [{"type": "function", "function": {"name": "ok", "parameters": {"type": "object"}}}]
    tools.append({"type": "function", "function": function})
    error = await refused(api, router, tools=tools)
    assert [v.path for v in error.violations] == [f"tools[1].function.{field}"]


@pytest.mark.parametrize("url", ["ftp://host/cat.png", "file:///etc/passwd", "cat.png", "http://", "javascript:x"])
async def test_image_urls_must_be_http_or_data(api: Any, router: respx.MockRouter, url: str) -> None:
    """An image URL that is neither http(s) nor a data URL is refused at its location."""
    content = [{"type": "text", "text": "what is this?"}, {"type": "image_url", "image_url": {"url": url}}]
    error = await refused(api, router, messages=[{"role": "user", "content": content}])
    assert [v.path for v in error.violations] == ["messages[0].content[1].image_url.url"]


async def test_http_and_data_image_urls_are_sent(api: Any, router: respx.MockRouter) -> None:
    """https and data: image URLs pass the same check."""
    route = router.post(PATH).mock(return_value=completion_response())
    parts = [
        {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}},
    ]
    await api.create(messages=[{"role": "user", "content": parts}])
    assert route.call_count == 1


async def test_an_empty_messages_list_is_sent_as_the_spec_allows(api: Any, router: respx.MockRouter) -> None:
    """The spec puts no minimum on `messages`, so [] is sent and the API's answer decides (no invented rule)."""
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create(messages=[])
    assert sent_json(route.calls[0])["messages"] == []


async def test_valid_calls_still_send_utf8_text(api: Any, router: respx.MockRouter) -> None:
    """Non-ASCII text, emoji included, goes out as UTF-8 and reads back unchanged."""
    route = router.post(PATH).mock(return_value=completion_response())
    text = "café 😀 naïve"
    await api.create(messages=[{"role": "user", "content": text}])
    assert sent_json(route.calls[0])["messages"] == [{"role": "user", "content": text}]
    assert text.encode() in route.calls[0].request.content


async def test_a_deadline_is_seconds_not_an_httpx_timeout(api: Any, router: respx.MockRouter) -> None:
    """httpx.Timeout describes per-operation limits; as a deadline it is refused, per call and by the constructor."""
    error = await refused(api, router, deadline=httpx.Timeout(5.0))
    assert "seconds or None" in error.violations[0].message
    with pytest.raises(ConfigurationError, match="deadline must be seconds or None"):
        # typing: an httpx.Timeout where seconds are expected: the misuse under test
        Grok(api_key=API_KEY, deadline=httpx.Timeout(5.0))  # type: ignore[arg-type]


async def test_tools_given_as_generated_models_are_checked_too(api: Any, router: respx.MockRouter) -> None:
    """A generated Tool model with a bad function name is refused the same way as a dict."""
    from aimlapi_grok_api.models import FunctionDefinition, FunctionDefinitionParameters, Tool

    parameters = FunctionDefinitionParameters.from_dict({"type": "object"})
    tool = Tool(type_="function", function=FunctionDefinition(name="bad name", parameters=parameters))
    error = await refused(api, router, tools=[tool])
    assert [v.path for v in error.violations] == ["tools[0].function.name"]
