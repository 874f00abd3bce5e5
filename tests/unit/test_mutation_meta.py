"""Response metadata the mutation run showed unpinned: every ResponseInfo field, and each cost drift report."""

from __future__ import annotations

import warnings
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import DriftWarning, drift_reports
from aimlapi_grok._meta import ResponseInfo, parse_credits, parse_usd

from .conftest import completion_response, error_response

PATH = "/v1/chat/completions"
CREDITS = "x-aimlapi-credits-used"
USD = "x-aimlapi-usd-spent"


async def test_response_info_carries_every_header_field(api: Any, router: respx.MockRouter) -> None:
    """result.info has the status, inference id, echoed client request id, credits, USD and the retry count."""
    echoed = {"X-Client-Request-Id": "mine-7", "X-AIMLAPI-Credits-Used": "31", "X-AIMLAPI-USD-Spent": "0.25"}
    answer = completion_response(credits=None, usd=None, inference_id="inf-42", headers=echoed)
    router.post(PATH).mock(side_effect=[error_response(503), answer])
    result = await api.create(client_request_id="mine-7")
    info = result.info
    assert (info.status_code, info.inference_id, info.client_request_id) == (200, "inf-42", "mine-7")
    assert (info.credits_used, info.usd_spent, info.retries) == (31, Decimal("0.25"), 1)
    assert info.headers["x-client-request-id"] == "mine-7"


def test_response_info_without_headers_is_all_none() -> None:
    """An answer without tracing or cost headers gives None for each, and 0 retries by default."""
    info = ResponseInfo.from_response(httpx.Response(201, headers={"x-other": "1"}))
    assert (info.status_code, info.inference_id, info.client_request_id) == (201, None, None)
    assert (info.credits_used, info.usd_spent, info.retries) == (None, None, 0)


def test_response_info_ignores_other_headers_and_reads_latin_1() -> None:
    """Only the four known headers are read, whatever their case; a non-ASCII value is decoded as latin-1."""
    headers = [
        (b"X-Inference-ID", "inf-\xe9".encode("latin-1")),
        (b"x-unrelated", b"5"),
        (b"X-AIMLAPI-CREDITS-USED", b"9"),
    ]
    info = ResponseInfo.from_response(httpx.Response(200, headers=headers), retries=4)
    assert (info.inference_id, info.credits_used, info.retries) == ("inf-\xe9", 9, 4)


LONG_OK = "0" * 61 + "1.5"  # 64 characters: the longest accepted text
RANGE = "is outside the plausible range 0 or 1e-30..{limit}"


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        (True, "cost value True is a bool, not a number"),
        ([1], "cost value [1] is a list, not a number"),
        ("abc", "cost value 'abc' is not a number"),
        ("NaN", "cost value 'NaN' is not a finite number"),
        ("-1", "cost value '-1' " + RANGE.format(limit=1000000)),
        ("1000000.01", "cost value '1000000.01' " + RANGE.format(limit=1000000)),
        ("1e-31", "cost value '1e-31' " + RANGE.format(limit=1000000)),
        ("0E-41", "cost value '0E-41' has an implausible exponent"),
        ("0E+21", "cost value '0E+21' has an implausible exponent"),
        (LONG_OK + "0", f"cost value {repr(LONG_OK + '0')[:57]}... is 65 characters long, not a plausible amount"),
    ],
)
def test_each_unusable_usd_value_is_reported_with_its_reason(value: object, detail: str) -> None:
    """parse_usd gives None and reports the header, the rule "cost" and the value with why it is not counted."""
    with pytest.warns(DriftWarning):
        assert parse_usd(value) is None
    [report] = drift_reports()
    assert (report.component, report.path, report.rule) == ("response headers", USD, "cost")
    assert report.detail == detail + "; not counted"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1000000", Decimal(1000000)),
        ("1e-30", Decimal("1e-30")),
        ("0E-40", Decimal(0)),
        ("0E+20", Decimal(0)),
        (LONG_OK, Decimal("1.5")),
        (0.5, Decimal("0.5")),
        (Decimal("2"), Decimal(2)),
    ],
)
def test_usd_at_each_bound_is_accepted(value: object, expected: Decimal) -> None:
    """The extreme accepted amounts (1e6 USD, 1e-30, exponents -40 and 20, 64 characters) parse without drift."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_usd(value) == expected


def test_credits_bounds_and_report_location() -> None:
    """Credits up to 10^15 are accepted; above, or not whole, is reported at the place given."""
    assert parse_credits("1000000000000000") == 10**15
    assert parse_credits("7.0") == 7
    with pytest.warns(DriftWarning):
        assert parse_credits("1000000000000001") is None
    with pytest.warns(DriftWarning):
        assert parse_credits(2.5, "meta.usage.credits_used", "ChatCompletion") is None
    first, second = drift_reports()
    assert (first.component, first.path) == ("response headers", CREDITS)
    assert first.detail == "cost value '1000000000000001' " + RANGE.format(limit=10**15) + "; not counted"
    assert (second.component, second.path, second.rule) == ("ChatCompletion", "meta.usage.credits_used", "cost")
    assert second.detail == "cost value 2.5 is not a whole number of credits; not counted"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("0", 0), ("1186", 1186), ("000000000000042", 42), ("999999999999999", 999_999_999_999_999), (" 12 ", 12)],
)
def test_credits_header_as_sent_is_read_as_its_count(value: str, expected: int) -> None:
    """A header of digits (15 at most, the fast path, or padded, the checked path) is that count, no drift."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert parse_credits(value) == expected


@pytest.mark.parametrize("value", ["\u0661\u0662", "1" * 16 + "0", "-0", "+5"])
def test_credits_digits_the_fast_path_leaves_are_still_checked(value: str) -> None:
    """Non-ASCII digits, more than 16 digits, a sign: read by the checked path, which reports what is unusable."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        credits = parse_credits(value)
    assert credits == {"\u0661\u0662": 12, "-0": 0, "+5": 5}.get(value)
    assert bool(caught) == (credits is None)


def test_short_cost_value_is_shown_whole() -> None:
    """A value whose repr is exactly 60 characters is shown whole (no ellipsis)."""
    value = "x" * 58  # repr adds the two quotes
    with pytest.warns(DriftWarning):
        parse_usd(value)
    assert drift_reports()[0].detail == f"cost value {value!r} is not a number; not counted"


def test_cost_value_one_character_too_long_to_show_is_shortened() -> None:
    """A value whose repr is 61 characters is shown by its first 57 and an ellipsis."""
    value = "x" * 59
    with pytest.warns(DriftWarning):
        parse_usd(value)
    assert drift_reports()[0].detail == f"cost value {repr(value)[:57]}... is not a number; not counted"
