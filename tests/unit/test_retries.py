"""Retries: which failures are retried, how many attempts, and the waits computed (no real sleeping)."""

from __future__ import annotations

import logging
import time
from email.utils import formatdate
from typing import Any

import httpx
import pytest
import respx
import stamina
from aimlapi_grok import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)
from aimlapi_grok._retry import RetryPolicy, compute_wait, retry_after_seconds

from .conftest import completion_response, error_response

PATH = "/v1/chat/completions"


def waits(caplog: pytest.LogCaptureFixture) -> list[float]:
    """The waits the client computed, from its retry log records."""
    return [record.retry_wait for record in caplog.records if hasattr(record, "retry_wait")]


@pytest.fixture
def log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="aimlapi_grok")
    return caplog


async def test_429_with_retry_after_seconds(api: Any, router: respx.MockRouter, log: Any) -> None:
    """429 + `Retry-After: 2` waits 2 s then succeeds: 2 attempts, result.retries == 1."""
    route = router.post(PATH).mock(
        side_effect=[error_response(429, "slow down", **{"retry-after": "2"}), completion_response()]
    )
    result = await api.create()
    assert route.call_count == 2
    assert result.retries == 1
    assert result.info.retries == 1
    assert waits(log) == [2.0]


async def test_429_with_retry_after_http_date(api: Any, router: respx.MockRouter, log: Any) -> None:
    """429 + `Retry-After: <HTTP date 30 s ahead>` waits about 30 s (the date has 1 s resolution)."""
    date = formatdate(time.time() + 30, usegmt=True)
    route = router.post(PATH).mock(side_effect=[error_response(429, **{"retry-after": date}), completion_response()])
    result = await api.create()
    assert route.call_count == 2
    assert result.retries == 1
    (wait,) = waits(log)
    assert 27.0 <= wait <= 30.0


async def test_429_with_retry_after_ms(api: Any, router: respx.MockRouter, log: Any) -> None:
    """`retry-after-ms: 1500` wins over `Retry-After` and waits 1.5 s."""
    headers = {"retry-after-ms": "1500", "retry-after": "9"}
    route = router.post(PATH).mock(side_effect=[error_response(429, **headers), completion_response()])
    await api.create()
    assert route.call_count == 2
    assert waits(log) == [1.5]


async def test_retry_after_is_capped(api: Any, router: respx.MockRouter, log: Any) -> None:
    """A Retry-After of an hour is capped at 60 s."""
    router.post(PATH).mock(side_effect=[error_response(429, **{"retry-after": "3600"}), completion_response()])
    await api.create()
    assert waits(log) == [60.0]


async def test_503_twice_then_success_backs_off_exponentially(api: Any, router: respx.MockRouter, log: Any) -> None:
    """Two 503s then 200: 3 attempts, retries == 2, waits 0.5 s and 1 s plus up to 0.5 s of jitter."""
    route = router.post(PATH).mock(side_effect=[error_response(503), error_response(503), completion_response()])
    result = await api.create()
    assert route.call_count == 3
    assert result.retries == 2
    first, second = waits(log)
    assert 0.5 <= first <= 1.0
    assert 1.0 <= second <= 1.5


async def test_retries_exhausted_raise_last_error_with_count(api: Any, router: respx.MockRouter) -> None:
    """503 on every attempt: 1 + max_retries (2) attempts, then InternalServerError with retries == 2."""
    route = router.post(PATH).mock(return_value=error_response(503, "unavailable"))
    with pytest.raises(InternalServerError) as caught:
        await api.create()
    assert route.call_count == 3
    assert caught.value.retries == 2


async def test_connect_error_is_retried(api: Any, router: respx.MockRouter) -> None:
    """A connection error is retried: the next attempt's answer is returned with retries == 1."""
    route = router.post(PATH).mock(side_effect=[httpx.ConnectError("refused"), completion_response()])
    result = await api.create()
    assert route.call_count == 2
    assert result.retries == 1


async def test_connect_error_every_time(api: Any, router: respx.MockRouter) -> None:
    """A connection error on every attempt raises APIConnectionError (not a timeout) after 3 attempts."""
    route = router.post(PATH).mock(side_effect=httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError) as caught:
        await api.create()
    assert not isinstance(caught.value, APITimeoutError)
    assert route.call_count == 3
    assert caught.value.retries == 2
    assert isinstance(caught.value.__cause__, httpx.ConnectError)


async def test_read_timeout_is_retried_then_raised(api: Any, router: respx.MockRouter) -> None:
    """A read timeout on every attempt is retried, then raised as APITimeoutError with retries == 2."""
    route = router.post(PATH).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as caught:
        await api.create()
    assert route.call_count == 3
    assert caught.value.retries == 2


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
async def test_retryable_statuses(make_api: Any, router: respx.MockRouter, status: int) -> None:
    """408, 429 and 5xx answers are retried."""
    api = make_api(max_retries=1)
    route = router.post(PATH).mock(side_effect=[error_response(status), completion_response()])
    result = await api.create()
    assert route.call_count == 2
    assert result.retries == 1


@pytest.mark.parametrize(("status", "error_class"), [(400, BadRequestError), (404, NotFoundError)])
async def test_client_errors_are_not_retried(
    api: Any, router: respx.MockRouter, status: int, error_class: type[Exception]
) -> None:
    """400 and 404 are raised at once: one attempt, retries == 0."""
    route = router.post(PATH).mock(return_value=error_response(status))
    with pytest.raises(error_class) as caught:
        await api.create()
    assert route.call_count == 1
    # typing: retries is set on library errors only; this one is checked to carry it
    assert caught.value.retries == 0  # type: ignore[attr-defined]


async def test_max_retries_per_client_and_per_call(make_api: Any, router: respx.MockRouter) -> None:
    """Client max_retries=0 makes one attempt; a per-call max_retries=3 overrides it (4 attempts)."""
    api = make_api(max_retries=0)
    route = router.post(PATH).mock(return_value=error_response(503))
    with pytest.raises(InternalServerError):
        await api.create()
    assert route.call_count == 1
    with pytest.raises(InternalServerError) as caught:
        await api.create(max_retries=3)
    assert route.call_count == 1 + 4
    assert caught.value.retries == 3


async def test_stamina_deactivated_means_no_retries(api: Any, router: respx.MockRouter) -> None:
    """stamina.set_active(False) turns retries off globally: one attempt only."""
    route = router.post(PATH).mock(return_value=error_response(429))
    stamina.set_active(False)
    try:
        with pytest.raises(RateLimitError) as caught:
            await api.create()
    finally:
        stamina.set_active(True)
    assert route.call_count == 1
    assert caught.value.retries == 0


async def test_stamina_waits_the_computed_wait(api: Any, router: respx.MockRouter) -> None:
    """Outside test mode stamina waits the wait we computed from Retry-After (read by its documented on-retry hook)."""
    waits: list[float] = []
    hooks = stamina.instrumentation.get_on_retry_hooks()
    stamina.instrumentation.set_on_retry_hooks([lambda details: waits.append(details.wait_for)])
    router.post(PATH).mock(side_effect=[error_response(429, **{"retry-after-ms": "20"}), completion_response()])
    try:
        with stamina.set_testing(False):
            result = await api.create()
    finally:
        stamina.instrumentation.set_on_retry_hooks(hooks)
    assert waits == [0.02]
    assert result.retries == 1


def test_retry_after_parsing() -> None:
    """retry_after_seconds reads ms, seconds and HTTP dates; ignores garbage and clamps past dates to 0."""
    now = 1_800_000_000.0
    assert retry_after_seconds({"retry-after-ms": "250"}) == 0.25
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after": formatdate(now + 12, usegmt=True)}, now=now) == 12.0
    assert retry_after_seconds({"retry-after": formatdate(now - 50, usegmt=True)}, now=now) == 0.0
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({"retry-after-ms": "-5"}) is None
    assert retry_after_seconds({}) is None


def test_exponential_wait_grows_and_is_capped() -> None:
    """Without a hint the wait is initial * 2**(n-1) plus jitter, never above wait_max."""
    policy = RetryPolicy(max_retries=10)
    error = APIConnectionError("down")
    assert [compute_wait(n, error, policy, jitter=lambda: 0.0) for n in (1, 2, 3, 4, 5, 6)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        8.0,
        8.0,
    ]
    assert compute_wait(1, error, policy, jitter=lambda: 1.0) == 1.0
