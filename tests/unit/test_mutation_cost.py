"""Cost behaviours the mutation run showed unpinned: partial costs in totals, non-finite values, budget errors."""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import pytest
import respx
from aimlapi_grok import ConfigurationError, DriftWarning, Grok
from aimlapi_grok._meta import parse_credits, parse_usd

from .conftest import API_KEY, completion_body, completion_response

PATH = "/v1/chat/completions"


async def test_partial_costs_each_reach_the_totals(api: Any, router: respx.MockRouter) -> None:
    """An answer with credits but no USD, then one with USD but no credits: both parts are added to the totals."""
    router.post(PATH).mock(
        side_effect=[
            completion_response(completion_body(meta=None), credits="7", usd=None),
            completion_response(completion_body(meta=None), credits=None, usd="0.5"),
        ]
    )
    first = await api.create()
    assert (first.credits_used, first.usd_spent) == (7, None)
    assert (api.client.total_credits_used, api.client.total_usd_spent) == (7, Decimal(0))
    second = await api.create()
    assert (second.credits_used, second.usd_spent) == (None, Decimal("0.5"))
    assert (api.client.total_credits_used, api.client.total_usd_spent) == (7, Decimal("0.5"))


@pytest.mark.parametrize("text", ["NaN", "nan", "sNaN", "Infinity", "-Infinity", "inf"])
def test_non_finite_usd_is_drift_not_a_value(text: str) -> None:
    """parse_usd("NaN"/"Infinity"/...) gives None and a DriftWarning saying the value is not finite."""
    with pytest.warns(DriftWarning, match="is not a finite number; not counted"):
        assert parse_usd(text) is None


@pytest.mark.parametrize("text", ["Infinity", "-inf", "NaN", "sNaN"])
def test_non_finite_credits_are_drift_not_an_overflow(text: str) -> None:
    """parse_credits("Infinity") gives None and a DriftWarning (no OverflowError, no ValueError)."""
    with pytest.warns(DriftWarning, match="is not a finite number; not counted"):
        assert parse_credits(text) is None


def test_drift_message_names_the_value_and_the_problem() -> None:
    """An unusable cost value is reported with its repr and why: a whole-number check for credits."""
    with pytest.warns(DriftWarning) as caught:
        assert parse_credits("2.5") is None
    assert "cost value '2.5' is not a whole number of credits; not counted" in str(caught[0].message)


def test_long_cost_value_is_shortened_in_the_report() -> None:
    """A 64+ character value is reported by its first 57 characters of repr and an ellipsis, with its length."""
    value = "1" * 70
    with pytest.warns(DriftWarning) as caught:
        assert parse_usd(value) is None
    message = str(caught[0].message)
    assert f"cost value {repr(value)[:57]}... is 70 characters long" in message


def test_valid_cost_values_raise_no_warning() -> None:
    """Plain amounts parse exactly and report nothing."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_usd(" 0.001240000 ") == Decimal("0.001240000")
        assert parse_credits(2480) == 2480
        assert parse_usd("-0") == Decimal(0)
        assert str(parse_usd("-0")) == "0"


@pytest.mark.parametrize(("value", "shown"), [(True, "bool"), ([1], "list"), (object(), "object"), (b"1", "bytes")])
def test_budget_of_a_non_number_names_its_type(value: object, shown: str) -> None:
    """budget_usd=True / [1] / object() / b"1" raises ConfigurationError naming the type received."""
    with pytest.raises(ConfigurationError, match=f"budget_usd must be a number of USD, got {shown}$"):
        # typing: a value of the wrong type: the misuse under test
        Grok(api_key=API_KEY, budget_usd=value)  # type: ignore[arg-type]
