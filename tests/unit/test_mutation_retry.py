"""Retry behaviours the mutation run showed unpinned: counts on errors, Retry-After in any timezone, no total limit."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import httpx
import pytest
import respx
import stamina
from aimlapi_grok import APIConnectionError, AsyncGrok, BadRequestError, Grok, InternalServerError, StreamError
from aimlapi_grok._retry import RetryPolicy, compute_wait, is_retryable, retry_after_seconds

from .conftest import API_KEY, chunk_body, completion_response, error_response, sse_response

PATH = "/v1/chat/completions"
CHUNK = chunk_body("Par")


def status_error(status: int, **headers: str) -> InternalServerError:
    """The error a `status` answer with `headers` raises (its request set, as after a real call)."""
    response = error_response(status, **headers)
    response.request = httpx.Request("POST", "https://api.aimlapi.com/v1/chat/completions")
    return InternalServerError("failed", response=response, body=None)


@pytest.fixture
def local_time_five_hours_behind(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The process runs in a zone 5 hours behind UTC (a POSIX TZ string: no tz database needed)."""
    monkeypatch.setenv("TZ", "XST+5")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("local_time_five_hours_behind")
@pytest.mark.parametrize("zone", ["-0000", "GMT", "+0000"])
def test_retry_after_date_in_utc_waits_the_same_in_any_local_zone(zone: str) -> None:
    """A Retry-After date 30 s ahead, written with -0000, GMT or +0000, waits 30 s in a UTC-5 process (not 5 h more)."""
    now = 1_700_000_000.0
    date = formatdate(now + 30, usegmt=True).replace("GMT", zone)
    assert retry_after_seconds({"retry-after": date}, now=now) == pytest.approx(30.0)


def test_retry_after_ms_wins_and_bad_values_fall_back() -> None:
    """retry-after-ms is read in milliseconds before Retry-After; negative or unparsable values are ignored."""
    assert retry_after_seconds({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert retry_after_seconds({"retry-after-ms": "-5", "retry-after": "9"}) == 9.0
    assert retry_after_seconds({"retry-after-ms": "soon", "retry-after": "0"}) == 0.0
    assert retry_after_seconds({"retry-after": "-1"}) is None
    assert retry_after_seconds({"retry-after": "nan"}) is None
    assert retry_after_seconds({"retry-after": " 7 "}) == 7.0
    assert retry_after_seconds({"retry-after": "1e400"}) == math.inf
    assert retry_after_seconds({}) is None


def test_retry_after_date_in_the_past_waits_nothing() -> None:
    """A Retry-After date already past gives 0 s; a garbled date is ignored (None)."""
    now = 1_700_000_000.0
    assert retry_after_seconds({"retry-after": formatdate(now - 100, usegmt=True)}, now=now) == 0.0
    assert retry_after_seconds({"retry-after": "Someday, 99 Foo 2024 25:61:00 GMT"}, now=now) is None


def test_unparsable_retry_after_is_logged_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    """A Retry-After that is neither seconds nor a date gives no wait and a DEBUG record quoting it."""
    caplog.set_level(logging.DEBUG, logger="aimlapi_grok")
    assert retry_after_seconds({"retry-after": "soon"}) is None
    assert retry_after_seconds({"retry-after": "Mon, 31 Feb 2025 10:00:00 GMT"}) is None
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert messages == [
        "ignoring unparsable Retry-After header 'soon'",
        "ignoring unparsable Retry-After header 'Mon, 31 Feb 2025 10:00:00 GMT'",
    ]


async def test_more_retries_than_stamina_allows_by_default(make_api: Any, router: respx.MockRouter) -> None:
    """max_retries=12 (above stamina's default of 10 attempts) takes all 12 retries before raising."""
    route = router.post(PATH).mock(return_value=error_response(503))
    api = make_api(max_retries=12)
    with pytest.raises(InternalServerError) as caught:
        await api.create()
    assert caught.value.retries == 12
    assert route.call_count == 13


async def test_a_non_retryable_answer_after_a_retry_ends_the_call(make_api: Any, router: respx.MockRouter) -> None:
    """503 then 400: the 400 is raised at once (retries == 1), the third answer is never asked for."""
    route = router.post(PATH).mock(side_effect=[error_response(503), error_response(400), completion_response()])
    api = make_api(max_retries=3)
    with pytest.raises(BadRequestError) as caught:
        await api.create()
    assert caught.value.retries == 1
    assert route.call_count == 2


def test_retry_after_dates_at_the_edge_of_datetime() -> None:
    """Year 9999 is a real (finite) wait; year 10000 and beyond, too far for datetime, wait as long as possible."""
    now = 1_700_000_000.0
    last = retry_after_seconds({"retry-after": "Fri, 31 Dec 9999 23:59:59 GMT"}, now=now)
    assert last == 253402300799 - now
    assert retry_after_seconds({"retry-after": "Sat, 01 Jan 10000 00:00:00 GMT"}, now=now) == math.inf
    assert retry_after_seconds({"retry-after": "Mon, 01 Jan 99999999999 00:00:00 GMT"}, now=now) == math.inf


def test_exponential_wait_uses_the_policy() -> None:
    """Without a hint the wait is initial * 2^(n-1) + jitter * jitter_max, capped at wait_max; a hint is capped too."""
    policy = RetryPolicy(max_retries=5, wait_initial=1.0, wait_max=5.0, wait_jitter=0.25, retry_after_cap=3.0)
    connection_error = APIConnectionError("down")
    assert compute_wait(1, connection_error, policy, jitter=lambda: 0.0) == 1.0
    assert compute_wait(2, connection_error, policy, jitter=lambda: 1.0) == 2.25
    assert compute_wait(4, connection_error, policy, jitter=lambda: 0.0) == 5.0
    assert compute_wait(1, status_error(503, **{"retry-after": "10"}), policy) == 3.0
    assert compute_wait(1, status_error(503, **{"retry-after": "2"}), policy) == 2.0


def test_only_retryable_failures_are_retryable() -> None:
    """408/429/5xx and connection errors are retryable; a 499 or a request httpx refused to build is not."""
    assert [is_retryable(status_error(s)) for s in (408, 429, 500, 599, 499, 400)] == [True] * 4 + [False] * 2
    refused = APIConnectionError("bad header")
    refused.__cause__ = httpx.LocalProtocolError("bad header")
    assert not is_retryable(refused)
    assert is_retryable(APIConnectionError("reset"))
    assert not is_retryable(ValueError("not an API error"))


async def test_stream_error_counts_the_retries_before_it(make_api: Any, router: respx.MockRouter) -> None:
    """Two 503s, then a stream that breaks off with an error event: the StreamError says retries == 2."""
    error_event = sse_response([CHUNK, {"error": {"message": "model overloaded"}}], done=False)
    router.post(PATH).mock(side_effect=[error_response(503), error_response(503), error_event])
    api = make_api(max_retries=3)
    stream = await api.create(stream=True)
    with pytest.raises(StreamError, match="model overloaded") as caught:
        await api.read_stream(stream)
    assert caught.value.retries == 2
    assert caught.value.partial_text == "Par"


async def test_retry_log_names_number_total_and_error(
    make_api: Any, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """Each retry is logged at INFO as 'retry n of max for <what> ... after <Error>' with its number."""
    caplog.set_level(logging.INFO, logger="aimlapi_grok")
    router.post(PATH).mock(side_effect=[error_response(503), error_response(503), error_response(503)])
    api = make_api(max_retries=2)
    with pytest.raises(InternalServerError) as caught:
        await api.create(client_request_id="trace-9")
    assert caught.value.retries == 2
    records = [r for r in caplog.records if hasattr(r, "retry_number")]
    assert [r.retry_number for r in records] == [1, 2]
    assert [r.levelno for r in records] == [logging.INFO, logging.INFO]
    assert records[1].getMessage().startswith("retry 2 of 2 for chat completion trace-9 in ")
    assert records[1].getMessage().endswith(f" s after InternalServerError: {caught.value}")


class VirtualClock:
    """time.monotonic / time.sleep stand-ins: sleeping advances the clock, nothing really waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_retries_are_not_cut_by_a_total_time_limit(monkeypatch: pytest.MonkeyPatch, router: respx.MockRouter) -> None:
    """Three 503s asking for 30 s each (90 s in all, past stamina's default 45 s limit) are all retried."""
    clock = VirtualClock()
    monkeypatch.setattr(time, "monotonic", clock.monotonic)
    monkeypatch.setattr(time, "sleep", clock.sleep)
    busy = [error_response(503, **{"retry-after": "30"}) for _ in range(3)]
    route = router.post(PATH).mock(side_effect=[*busy, sse_response([CHUNK])])
    with stamina.set_testing(False), Grok(api_key=API_KEY, max_retries=5) as client:
        stream = client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], stream=True)
        with stream:
            assert "".join(stream.iter_text()) == "Par"
    assert route.call_count == 4
    assert stream.info.retries == 3
    assert clock.slept == [30.0, 30.0, 30.0]


async def test_async_retries_are_not_cut_by_a_total_time_limit(
    monkeypatch: pytest.MonkeyPatch, router: respx.MockRouter
) -> None:
    """The async client too retries three 30 s Retry-After waits (90 s in all), past stamina's default 45 s limit."""
    clock = VirtualClock()
    real_sleep = asyncio.sleep

    async def virtual_sleep(seconds: float) -> None:
        clock.sleep(seconds)
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", virtual_sleep)
    monkeypatch.setattr(time, "monotonic", clock.monotonic)  # only advanced by the virtual sleeps
    busy = [error_response(503, **{"retry-after": "30"}) for _ in range(3)]
    route = router.post(PATH).mock(side_effect=[*busy, sse_response([CHUNK])])
    with stamina.set_testing(False):
        async with AsyncGrok(api_key=API_KEY, max_retries=5) as client:
            stream = await client.chat.completions.create(messages=[{"role": "user", "content": "hi"}], stream=True)
            async with stream:
                assert [text async for text in stream.iter_text()] == ["Par"]
    assert route.call_count == 4
    assert stream.info.retries == 3
    assert clock.slept == [30.0, 30.0, 30.0]


def retry_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The client's retry records (the ones carrying a retry number)."""
    return [record for record in caplog.records if hasattr(record, "retry_number")]


async def test_each_retry_record_names_what_it_is_after(
    make_api: Any, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """A 503, a read timeout and a refused connection: the records say HTTP 503, a timeout, a connection error."""
    caplog.set_level(logging.INFO, logger="aimlapi_grok")
    failures: list[httpx.Response | Exception] = [
        error_response(503),
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
    ]
    router.post(PATH).mock(side_effect=[*failures, completion_response()])
    result = await make_api(max_retries=3).create()
    assert result.retries == 3
    reasons = [getattr(record, "retry_reason", None) for record in retry_records(caplog)]
    assert reasons == ["HTTP 503", "a timeout", "a connection error"]


async def test_a_retry_the_deadline_forbids_is_logged_with_the_deadline(
    make_api: Any, router: respx.MockRouter, caplog: pytest.LogCaptureFixture
) -> None:
    """The retry not made because of the deadline is logged at INFO, naming the call and the deadline."""
    caplog.set_level(logging.INFO, logger="aimlapi_grok")
    router.post(PATH).mock(return_value=error_response(503, **{"retry-after": "30"}))
    api = make_api(max_retries=2, deadline=2.5)
    with pytest.raises(InternalServerError):
        await api.create(client_request_id="trace-5")
    records = [r for r in caplog.records if r.getMessage().startswith("no retry")]
    assert [(r.levelno, r.getMessage()) for r in records] == [
        (logging.INFO, "no retry for chat completion trace-5: the call's deadline of 2.5 s would pass")
    ]
    assert retry_records(caplog) == []


async def test_a_wait_ending_exactly_at_the_deadline_is_not_taken(
    make_api: Any, router: respx.MockRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the clock standing still, a 2 s Retry-After against a 2 s deadline leaves no time: no retry is made."""
    monkeypatch.setattr(time, "monotonic", lambda: 1000.0)
    route = router.post(PATH).mock(side_effect=[error_response(503, **{"retry-after": "2"}), completion_response()])
    api = make_api(max_retries=2, deadline=2.0)
    with pytest.raises(InternalServerError) as caught:
        await api.create()
    assert caught.value.retries == 0
    assert route.call_count == 1
