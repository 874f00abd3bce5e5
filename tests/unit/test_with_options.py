"""`client.with_options(timeout=..., max_retries=...)`, as in openai-python, for Grok and AsyncGrok."""

from __future__ import annotations

import inspect
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok._errors import ConfigurationError, RateLimitError

from .conftest import USER_HI, Api, completion_response, error_response

PATH = "/v1/chat/completions"


async def settle(value: Any) -> Any:
    """`value`, awaited when it is awaitable (the async client's calls)."""
    return await value if inspect.isawaitable(value) else value


async def create(client: Any) -> Any:
    """One non-streamed call on a sync or async client."""
    return await settle(client.chat.completions.create(messages=USER_HI))


async def test_the_copy_retries_as_told_and_the_original_as_before(make_api: Any, router: respx.MockRouter) -> None:
    """with_options(max_retries=0) gives up on a 429; the client it came from still retries it."""
    api: Api = make_api(max_retries=2)
    router.post(PATH).mock(side_effect=[error_response(429), error_response(429), completion_response()])
    no_retries = api.client.with_options(max_retries=0)
    with pytest.raises(RateLimitError):
        await create(no_retries)
    result = await create(api.client)
    assert (result.retries, api.client.max_retries, no_retries.max_retries) == (1, 2, 0)
    assert type(no_retries) is type(api.client)


async def test_the_copy_sends_its_timeout(make_api: Any, router: respx.MockRouter) -> None:
    """Requests of the copy carry its timeout; the original keeps its own."""
    api: Api = make_api(timeout=30.0)
    route = router.post(PATH).mock(return_value=completion_response())
    await create(api.client.with_options(timeout=httpx.Timeout(2.5)))
    await create(api.client)
    sent = [call.request.extensions["timeout"] for call in route.calls]
    assert [timeouts["read"] for timeouts in sent] == [2.5, 30.0]


async def test_the_copy_has_its_own_deadline(make_api: Any) -> None:
    """with_options(deadline=...) sets the copy's total limit per call; the original keeps its own."""
    api: Api = make_api(deadline=60.0)
    copy = api.client.with_options(deadline=5.0)
    assert (copy.deadline, api.client.deadline) == (5.0, 60.0)


async def test_the_copy_shares_the_pool_and_the_costs(make_api: Any, router: respx.MockRouter) -> None:
    """Closing the copy leaves the shared connection pool open; what the copy spends counts on the original."""
    api: Api = make_api()
    router.post(PATH).mock(return_value=completion_response())
    copy = api.client.with_options(max_retries=1)
    await create(copy)
    await settle(copy.close())
    assert not api.client._http.is_closed
    assert api.client.total_usd_spent == copy.total_usd_spent == Decimal("0.001240000")
    await create(api.client)
    assert copy.total_credits_used == 2 * 2480


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"api_key": "other"}, r"with_options\(\) takes deadline, max_retries, timeout, not api_key"),
        ({"max_retries": -1}, r"max_retries must be an int >= 0, got -1"),
        ({"timeout": "soon"}, r"timeout must be seconds .*, got str 'soon'"),
        ({"deadline": -1}, r"deadline must be"),
    ],
)
async def test_bad_options_are_refused_naming_them(make_api: Any, options: dict[str, Any], match: str) -> None:
    """An option with_options() does not take, or a bad value, is a ConfigurationError naming it."""
    with pytest.raises(ConfigurationError, match=match):
        make_api().client.with_options(**options)
