"""Calls in flight count against the budget: many concurrent callers cannot spend more than budget + one call."""

from __future__ import annotations

import asyncio
import decimal
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import AsyncGrok, BudgetExceededError, Grok

from .conftest import API_KEY, USER_HI, completion_response, sse_response
from .test_validation import PATH

CALL_USD = Decimal("0.001240000")  # what completion_response() reports per call
BUDGET = Decimal("0.01")  # room for about eight calls
SERVER_SECONDS = 0.02  # each answer takes this long: the calls overlap


def slow_answer(request: httpx.Request) -> httpx.Response:
    time.sleep(SERVER_SECONDS)
    return completion_response()


async def slow_async_answer(request: httpx.Request) -> httpx.Response:
    await asyncio.sleep(SERVER_SECONDS)
    return completion_response()


def outcome(call: Any) -> str:
    try:
        call()
    except BudgetExceededError:
        return "refused"
    return "sent"


def test_forty_threads_cannot_overspend(router: respx.MockRouter) -> None:
    """40 threads calling at once against a budget of ~8 calls: total spent stays under budget + one call."""
    route = router.post(PATH).mock(side_effect=slow_answer)
    with Grok(api_key=API_KEY, budget_usd=BUDGET) as client:
        with ThreadPoolExecutor(max_workers=40) as pool:
            results = list(pool.map(lambda _: outcome(lambda: client.ask("hi")), range(40)))
        assert client.total_usd_spent < BUDGET + CALL_USD
        assert client.total_usd_spent >= BUDGET  # the budget was used, not left idle
        assert results.count("sent") == route.call_count
        assert results.count("refused") == 40 - route.call_count


async def test_two_hundred_tasks_cannot_overspend(router: respx.MockRouter) -> None:
    """200 asyncio tasks calling at once: total spent stays under budget + one call, the rest are refused."""
    route = router.post(PATH).mock(side_effect=slow_async_answer)
    async with AsyncGrok(api_key=API_KEY, budget_usd=BUDGET) as client:

        async def one() -> str:
            try:
                await client.ask("hi")
            except BudgetExceededError:
                return "refused"
            return "sent"

        results = await asyncio.gather(*(one() for _ in range(200)))
        assert client.total_usd_spent < BUDGET + CALL_USD
        assert client.total_usd_spent >= BUDGET
        assert results.count("sent") == route.call_count


async def test_once_a_cost_is_known_calls_run_concurrently(router: respx.MockRouter) -> None:
    """After the first answer's cost is known, each call reserves that much: several run at the same time."""
    in_flight = 0
    most = 0

    async def counting(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(SERVER_SECONDS)
        in_flight -= 1
        return completion_response()

    router.post(PATH).mock(side_effect=counting)
    async with AsyncGrok(api_key=API_KEY, budget_usd=Decimal("1")) as client:
        await client.ask("first")
        await asyncio.gather(*(client.ask("hi") for _ in range(5)))
    assert most == 5


def test_a_stream_held_open_does_not_deadlock_its_own_thread(router: respx.MockRouter) -> None:
    """A second call from the thread that holds the only reservation is refused at once instead of waiting forever."""
    router.post(PATH).mock(return_value=sse_response([]))
    with Grok(api_key=API_KEY, budget_usd=BUDGET) as client:
        stream = client.chat.completions.create(messages=USER_HI, stream=True)
        with pytest.raises(BudgetExceededError, match="held by calls in flight"):
            client.ask("meanwhile")
        stream.close()
        router.post(PATH).mock(return_value=completion_response())
        assert client.ask("now") == "Hello! How can I help?"  # closing the stream gave its reservation back


def test_a_call_waiting_for_budget_gives_up_at_its_deadline(router: respx.MockRouter) -> None:
    """Budget held by another thread's open stream: a call waits at most its deadline, then is refused."""
    router.post(PATH).mock(return_value=sse_response([]))
    with Grok(api_key=API_KEY, budget_usd=BUDGET) as client, ThreadPoolExecutor(max_workers=1) as other:
        stream = other.submit(lambda: client.chat.completions.create(messages=USER_HI, stream=True)).result()
        with pytest.raises(BudgetExceededError, match="held by calls in flight"):
            client.ask("meanwhile", deadline=0.2)
        stream.close()
        assert client._budget_gate is not None
        assert client._budget_gate.reserved_usd == 0


def test_reservations_ignore_the_callers_decimal_context(router: respx.MockRouter) -> None:
    """With decimal.getcontext().prec = 2 in the caller, the first call still reserves the exact remaining budget."""
    router.post(PATH).mock(return_value=sse_response([]))
    with Grok(api_key=API_KEY, budget_usd="1.23456") as client, decimal.localcontext(prec=2):
        stream = client.chat.completions.create(messages=USER_HI, stream=True)
        assert client._budget_gate is not None
        assert client._budget_gate.reserved_usd == Decimal("1.23456")
        stream.close()
