"""What goes on the wire: the exact JSON body and headers of create(), ask() and raw calls."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import DriftWarning
from aimlapi_grok._constants import CLIENT_REQUEST_ID_PATTERN
from aimlapi_grok._request import CALL_OPTIONS, DEFAULT_MODEL, SPEC_PARAMS
from aimlapi_grok._schema import schema_document
from aimlapi_grok._version import __version__
from aimlapi_grok.types import CreateParams
from aimlapi_grok_api.models import Reasoning, StreamOptions, Tool, UserMessage

from .conftest import API_KEY, USER_HI, completion_response, sent_json

PATH = "/v1/chat/completions"


async def test_minimal_call_sends_exactly_model_and_messages(api: Any, router: respx.MockRouter) -> None:
    """A bare create() sends only `model` (the default) and `messages`: unset parameters are not sent."""
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create(messages=USER_HI)
    assert route.call_count == 1
    assert sent_json(route.calls[0]) == {"model": DEFAULT_MODEL, "messages": USER_HI}


async def test_headers_sent(api: Any, router: respx.MockRouter) -> None:
    """Authorization Bearer, our User-Agent, JSON content type and a valid generated X-Client-Request-Id are sent."""
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create()
    headers = route.calls[0].request.headers
    assert headers["authorization"] == f"Bearer {API_KEY}"
    assert headers["user-agent"] == f"aimlapi-grok/{__version__}"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert CLIENT_REQUEST_ID_PATTERN.fullmatch(headers["x-client-request-id"])
    assert route.calls[0].request.url == "https://api.aimlapi.com/v1/chat/completions"


async def test_generated_request_ids_differ_per_call(api: Any, router: respx.MockRouter) -> None:
    """Each call gets its own X-Client-Request-Id when the caller gives none."""
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create()
    await api.create()
    ids = {call.request.headers["x-client-request-id"] for call in route.calls}
    assert len(ids) == 2


async def test_every_parameter_is_sent_as_given(api: Any, router: respx.MockRouter) -> None:
    """Every spec parameter passed to create() appears in the body with the given value."""
    route = router.post(PATH).mock(return_value=completion_response())
    params: dict[str, Any] = {
        "logprobs": True,
        "max_completion_tokens": 300,
        "max_tokens": 200,
        "parallel_tool_calls": False,
        "prediction": {"type": "content", "content": "Hello"},
        "provider": "xai",
        "reasoning": {"effort": "low", "exclude": True},
        "repetition_penalty": 1.1,
        "seed": 7,
        "stream_options": {"include_usage": True},
        "temperature": 0.2,
        "tool_choice": "auto",
        "tools": [{"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}}],
        "top_a": 0.5,
        "top_k": 40,
        "top_logprobs": 3,
        "top_p": 0.9,
    }
    assert set(params) == SPEC_PARAMS - {"model"}
    await api.create(messages=USER_HI, **params)
    assert sent_json(route.calls[0]) == {"model": DEFAULT_MODEL, "messages": USER_HI, **params}


def test_create_params_cover_every_spec_request_property() -> None:
    """CreateParams has a keyword for each property of the spec's ChatCompletionRequest (besides messages/stream)."""
    spec_properties = set(schema_document()["tolerant"]["$defs"]["ChatCompletionRequest"]["properties"])
    assert spec_properties - {"messages", "stream"} == SPEC_PARAMS
    assert {"client_request_id", "max_retries", "timeout", "deadline", "extra_headers", "extra_body"} == CALL_OPTIONS
    assert set(CreateParams.__annotations__) == SPEC_PARAMS | CALL_OPTIONS


async def test_generated_models_are_serialized(api: Any, router: respx.MockRouter) -> None:
    """Generated models (messages, reasoning, stream_options, tools) are sent as their to_dict() JSON."""
    route = router.post(PATH).mock(return_value=completion_response())
    from aimlapi_grok_api.models import FunctionDefinition, FunctionDefinitionParameters

    parameters = FunctionDefinitionParameters.from_dict({"type": "object", "properties": {}})
    tool = Tool(function=FunctionDefinition(name="lookup", parameters=parameters), type_="function")
    await api.create(
        messages=[UserMessage(content="hi", role="user")],
        reasoning=Reasoning(effort="high"),
        stream_options=StreamOptions(include_usage=False),
        tools=[tool],
    )
    body = sent_json(route.calls[0])
    assert body["messages"] == USER_HI
    assert body["reasoning"] == {"effort": "high"}
    assert body["stream_options"] == {"include_usage": False}
    assert body["tools"] == [
        {"type": "function", "function": {"name": "lookup", "parameters": {"type": "object", "properties": {}}}}
    ]


async def test_dict_messages_may_hold_models(api: Any, router: respx.MockRouter) -> None:
    """A plain-dict message whose content parts are generated models is serialized deeply."""
    from aimlapi_grok_api.models import TextContentPart

    route = router.post(PATH).mock(return_value=completion_response())
    await api.create(messages=[{"role": "user", "content": [TextContentPart(text="hello", type_="text")]}])
    assert sent_json(route.calls[0])["messages"] == [{"role": "user", "content": [{"type": "text", "text": "hello"}]}]


async def test_call_options_shape_headers_and_body(api: Any, router: respx.MockRouter) -> None:
    """client_request_id, extra_headers and extra_body reach the wire; call options never enter the body."""
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create(
        client_request_id="order-17:try.1_a",
        extra_headers={"X-Trace": "t1"},
        extra_body={"user": "u-1"},
        max_retries=0,
        timeout=5.0,
    )
    request = route.calls[0].request
    assert request.headers["x-client-request-id"] == "order-17:try.1_a"
    assert request.headers["x-trace"] == "t1"
    assert sent_json(route.calls[0]) == {"model": DEFAULT_MODEL, "messages": USER_HI, "user": "u-1"}
    assert request.extensions["timeout"] == httpx.Timeout(5.0).as_dict()


async def test_client_timeout_applies_when_call_gives_none(make_api: Any, router: respx.MockRouter) -> None:
    """The client's timeout is set on every request; a per-call timeout replaces it."""
    api = make_api(timeout=12.5)
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create()
    await api.create(timeout=None)
    assert route.calls[0].request.extensions["timeout"] == httpx.Timeout(12.5).as_dict()
    assert route.calls[1].request.extensions["timeout"] == httpx.Timeout(None).as_dict()


async def test_default_headers_merge_case_insensitively(make_api: Any, router: respx.MockRouter) -> None:
    """default_headers are sent; an extra_headers X-Client-Request-Id replaces the generated one (one header)."""
    api = make_api(default_headers={"X-Team": "search"})
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create(extra_headers={"x-client-request-id": "from-extra"})
    request = route.calls[0].request
    assert request.headers["x-team"] == "search"
    assert request.headers.get_list("x-client-request-id") == ["from-extra"]


async def test_unknown_keyword_is_a_type_error(api: Any, router: respx.MockRouter) -> None:
    """A misspelled parameter raises TypeError naming it, like any Python call; nothing is sent."""
    route = router.post(PATH).mock(return_value=completion_response())
    with pytest.raises(TypeError, match="temprature"):
        await api.create(temprature=0.5)
    assert route.call_count == 0


async def test_ask_sends_system_and_user_and_returns_text(api: Any, router: respx.MockRouter) -> None:
    """ask() sends the optional system message then the prompt, with extra parameters, and returns the text."""
    route = router.post(PATH).mock(return_value=completion_response())
    text = await api.ask("What is 2+2?", system="Be brief.", temperature=0.0)
    assert text == "Hello! How can I help?"
    assert sent_json(route.calls[0]) == {
        "model": DEFAULT_MODEL,
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What is 2+2?"}],
        "temperature": 0.0,
    }


async def test_ask_returns_empty_text_for_tool_calls_only(api: Any, router: respx.MockRouter) -> None:
    """ask() answers "" when the model answered with tool calls and no content."""
    body = {
        "object": "chat.completion",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None}}],
    }
    router.post(PATH).mock(return_value=completion_response(body))
    with pytest.warns(DriftWarning, match="required field is missing"):  # a bare body: no id, created, model
        assert await api.ask("time?") == ""


async def test_raw_response_is_the_read_httpx_response(api: Any, router: respx.MockRouter) -> None:
    """with_raw_response.create() returns the httpx.Response (read) and still counts its cost."""
    router.post(PATH).mock(return_value=completion_response())
    response = await api.raw(temperature=1.0)
    assert isinstance(response, httpx.Response)
    assert response.json()["id"] == "chatcmpl-8f2d1c0e"
    assert api.client.total_credits_used == 2480


async def test_openai_style_base_url_with_v1_is_accepted(make_api: Any, router: respx.MockRouter) -> None:
    """A base URL ending in /v1 (as openai users write it) still posts to /v1/chat/completions."""
    api = make_api(base_url="https://api.aimlapi.com/v1/")
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create()
    assert route.call_count == 1
    assert re.fullmatch(r"https://api\.aimlapi\.com/v1/chat/completions", str(route.calls[0].request.url))
