"""Cost: per-answer credits and USD, per-client running totals, and the USD budget."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
import respx
from aimlapi_grok import BudgetExceededError, ConfigurationError
from aimlapi_grok._cost import CostTracker, parse_budget

from .conftest import completion_body, completion_response

PATH = "/v1/chat/completions"


async def test_cost_and_tracing_headers_on_the_result(api: Any, router: respx.MockRouter) -> None:
    """Credits (int), USD (exact Decimal), inference id and the echoed client request id come from the headers."""
    router.post(PATH).mock(
        return_value=completion_response(inference_id="inf-9", headers={"x-client-request-id": "mine-1"})
    )
    result = await api.create(client_request_id="mine-1")
    assert result.credits_used == 2480
    assert result.usd_spent == Decimal("0.001240000")
    assert str(result.usd_spent) == "0.001240000"
    assert result.inference_id == "inf-9"
    assert result.client_request_id == "mine-1"
    assert result.info.status_code == 200
    assert result.info.headers["x-inference-id"] == "inf-9"


async def test_totals_accumulate_exactly(api: Any, router: respx.MockRouter) -> None:
    """Three calls add up to exactly 3x the credits and USD (Decimal, no float rounding)."""
    router.post(PATH).mock(return_value=completion_response(credits="7", usd="0.1"))
    for _ in range(3):
        await api.create()
    assert api.client.total_credits_used == 21
    assert api.client.total_usd_spent == Decimal("0.3")


async def test_body_meta_usage_when_headers_are_missing(api: Any, router: respx.MockRouter) -> None:
    """Without cost headers, the body's meta.usage gives credits and USD (and the totals)."""
    router.post(PATH).mock(return_value=completion_response(credits=None, usd=None))
    result = await api.create()
    assert result.info.credits_used is None
    assert result.credits_used == 2480
    assert result.usd_spent == Decimal("0.00124")
    assert api.client.total_usd_spent == Decimal("0.00124")


async def test_no_cost_anywhere_adds_nothing(api: Any, router: respx.MockRouter) -> None:
    """An answer with no cost headers and no meta leaves the totals at zero and the result's cost None."""
    router.post(PATH).mock(return_value=completion_response(completion_body(meta=None), credits=None, usd=None))
    result = await api.create()
    assert result.credits_used is None
    assert result.usd_spent is None
    assert api.client.total_credits_used == 0
    assert api.client.total_usd_spent == Decimal(0)


async def test_budget_refuses_calls_once_reached(make_api: Any, router: respx.MockRouter) -> None:
    """With budget_usd=0.002 and 0.00124 per call, the 3rd call is refused and never sent."""
    api = make_api(budget_usd="0.002")
    route = router.post(PATH).mock(return_value=completion_response())
    await api.create()
    await api.create()  # spent 0.00124 < 0.002 before this call: allowed
    with pytest.raises(BudgetExceededError) as caught:
        await api.create()
    assert route.call_count == 2
    assert caught.value.spent_usd == Decimal("0.002480000")
    assert caught.value.budget_usd == Decimal("0.002")
    assert "budget reached" in str(caught.value)


async def test_zero_budget_refuses_the_first_call(make_api: Any, router: respx.MockRouter) -> None:
    """budget_usd=0 refuses every call before anything is sent."""
    api = make_api(budget_usd=0)
    route = router.post(PATH).mock(return_value=completion_response())
    with pytest.raises(BudgetExceededError):
        await api.create()
    assert route.call_count == 0


@pytest.mark.parametrize("budget", [-1, "abc", float("inf"), True, [1]])
def test_invalid_budget_is_a_configuration_error(budget: Any) -> None:
    """A negative, non-numeric or infinite budget is refused at construction."""
    with pytest.raises(ConfigurationError, match="budget_usd"):
        parse_budget(budget)


def test_float_budget_keeps_its_decimal_text() -> None:
    """A float budget becomes the Decimal of its repr (0.1 -> Decimal('0.1'), not its binary expansion)."""
    assert parse_budget(0.1) == Decimal("0.1")


def test_tracker_is_thread_safe() -> None:
    """8 threads recording 2,000 costs each give the exact total."""
    tracker = CostTracker()

    def work() -> None:
        for _ in range(2000):
            tracker.record(1, Decimal("0.001"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert tracker.credits_used == 16000
    assert tracker.usd_spent == Decimal("16.000")
