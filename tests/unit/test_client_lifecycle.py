"""Client construction and lifetime: context managers, owned vs passed-in httpx clients, bad settings."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import AsyncGrok, ConfigurationError, Grok

from .conftest import API_KEY, USER_HI, completion_response

PATH = "/v1/chat/completions"


def test_sync_context_manager_closes_its_own_client() -> None:
    """Leaving `with Grok()` closes the httpx.Client that Grok made."""
    with Grok(api_key=API_KEY) as client:
        http = client._http
        assert not http.is_closed
    assert http.is_closed


async def test_async_context_manager_closes_its_own_client() -> None:
    """Leaving `async with AsyncGrok()` closes the httpx.AsyncClient that AsyncGrok made."""
    async with AsyncGrok(api_key=API_KEY) as client:
        http = client._http
        assert not http.is_closed
    assert http.is_closed


async def test_passed_in_clients_stay_open(router: respx.MockRouter) -> None:
    """A caller's http_client is used for the requests and left open by close()."""
    route = router.post(PATH).mock(return_value=completion_response())
    with httpx.Client() as http:
        with Grok(api_key=API_KEY, http_client=http) as client:
            client.chat.completions.create(messages=USER_HI)
        assert not http.is_closed
    async with httpx.AsyncClient() as ahttp:
        async with AsyncGrok(api_key=API_KEY, http_client=ahttp) as aclient:
            await aclient.chat.completions.create(messages=USER_HI)
        assert not ahttp.is_closed
    assert route.call_count == 2


async def test_wrong_kind_of_http_client_is_refused() -> None:
    """Grok refuses an AsyncClient and AsyncGrok a Client, saying which to use."""
    async with httpx.AsyncClient() as ahttp:
        with pytest.raises(ConfigurationError, match="use AsyncGrok"):
            # typing: an async httpx client given to Grok: the misuse under test
            Grok(api_key=API_KEY, http_client=ahttp)  # type: ignore[arg-type]
    with httpx.Client() as http, pytest.raises(ConfigurationError, match="use Grok"):
        # typing: a sync httpx client given to AsyncGrok: the misuse under test
        AsyncGrok(api_key=API_KEY, http_client=http)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": 1.5}, "max_retries"),
        ({"timeout": "fast"}, "timeout"),
        ({"default_headers": {"X-N": 3}}, "default_headers"),
        ({"budget_usd": "lots"}, "budget_usd"),
    ],
)
def test_bad_settings_are_configuration_errors(client_kind: str, kwargs: dict[str, Any], match: str) -> None:
    """Invalid max_retries, timeout, default_headers or budget raise ConfigurationError naming the setting."""
    cls = Grok if client_kind == "sync" else AsyncGrok
    with pytest.raises(ConfigurationError, match=match):
        cls(api_key=API_KEY, **kwargs)


async def test_client_settings_are_readable(make_api: Any) -> None:
    """The resolved base URL, endpoint, retries, timeout and budget are visible on the client."""
    api = make_api(base_url="https://proxy.example/", max_retries=5, timeout=30.0, budget_usd=1.5)
    client = api.client
    assert client.base_url == "https://proxy.example"
    assert client.url == "https://proxy.example/v1/chat/completions"
    assert client.max_retries == 5
    assert client.timeout == 30.0
    assert str(client.budget_usd) == "1.5"
    assert repr(client).startswith(
        ("Grok(base_url='https://proxy.example'", "AsyncGrok(base_url='https://proxy.example'")
    )


async def test_result_shortcuts(api: Any, router: respx.MockRouter) -> None:
    """The result exposes text, finish reason, id, model, usage, reasoning tokens and the typed completion."""
    router.post(PATH).mock(return_value=completion_response())
    result = await api.create()
    assert result.text == "Hello! How can I help?"
    assert result.finish_reason == "stop"
    assert result.id == "chatcmpl-8f2d1c0e"
    assert result.model == "x-ai/grok-4-1-fast-reasoning"
    assert result.usage is not None
    assert result.usage.total_tokens == 42
    assert result.reasoning_tokens == 21
    assert result.tool_calls == []
    assert result.completion.choices[0].message.content == result.text
    assert "Hello! How can I help?" in repr(result)


async def test_tool_calls_are_typed(api: Any, router: respx.MockRouter) -> None:
    """Tool calls of the first choice come back as generated ToolCall models."""
    from aimlapi_grok_api.models import FunctionCall, ToolCall

    from .conftest import completion_body

    body = completion_body()
    body["choices"][0]["finish_reason"] = "tool_calls"
    body["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "get_time", "arguments": '{"tz": "UTC"}'}}
        ],
    }
    router.post(PATH).mock(return_value=completion_response(body))
    result = await api.create()
    (call,) = result.tool_calls
    assert isinstance(call, ToolCall)
    assert isinstance(call.function, FunctionCall)
    assert call.function.name == "get_time"
    assert call.function.arguments == '{"tz": "UTC"}'
    assert result.text == ""
