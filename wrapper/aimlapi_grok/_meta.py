"""Response metadata: tracing ids, cost, status and headers of one API call."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow
from typing import TYPE_CHECKING

from ._constants import CLIENT_REQUEST_ID_HEADER, CREDITS_USED_HEADER, INFERENCE_ID_HEADER, USD_SPENT_HEADER

if TYPE_CHECKING:
    import httpx

_INFERENCE_ID = INFERENCE_ID_HEADER.lower().encode()
_CLIENT_REQUEST_ID = CLIENT_REQUEST_ID_HEADER.lower().encode()
_CREDITS_USED = CREDITS_USED_HEADER.lower().encode()
_USD_SPENT = USD_SPENT_HEADER.lower().encode()
_WANTED = frozenset({_INFERENCE_ID, _CLIENT_REQUEST_ID, _CREDITS_USED, _USD_SPENT})


@dataclass(frozen=True, slots=True)
class ResponseInfo:
    """What the HTTP answer said besides its body.

    `credits_used` and `usd_spent` come from the cost headers of a JSON answer;
    a streamed answer has none (its cost arrives in the final chunk, see
    StreamResult). `retries` counts the retries taken before this answer.
    """

    status_code: int
    headers: httpx.Headers
    inference_id: str | None
    client_request_id: str | None
    credits_used: int | None
    usd_spent: Decimal | None
    retries: int = 0

    @classmethod
    def from_response(cls, response: httpx.Response, *, retries: int = 0) -> ResponseInfo:
        # One pass over the raw headers: Headers.get() rescans and re-decodes per look-up,
        # which the overhead benchmark showed as ~16 us of a ~260 us request.
        found: dict[bytes, str] = {}
        for key, value in response.headers.raw:
            lowered = key.lower()
            if lowered in _WANTED:
                found[lowered] = value.decode("latin-1")
        return cls(
            status_code=response.status_code,
            headers=response.headers,
            inference_id=found.get(_INFERENCE_ID),
            client_request_id=found.get(_CLIENT_REQUEST_ID),
            credits_used=parse_credits(found.get(_CREDITS_USED)),
            usd_spent=parse_usd(found.get(_USD_SPENT)),
            retries=retries,
        )


# Bounds of one answer's cost: anything outside is drift, reported and never added to totals.
# (A huge exponent such as 1e600000 would otherwise cost seconds of CPU, overflow a Decimal
# context or print a million digits.)
MAX_USD = Decimal(1_000_000)  # more than any single chat completion could cost
MAX_CREDITS = 10**15
_CREDITS_DIGITS = len(str(MAX_CREDITS)) - 1  # any text of this many ASCII digits is a count within the bounds
MIN_NONZERO_EXPONENT = -30  # a positive amount below 1e-30 is not a price
MIN_EXPONENT, MAX_EXPONENT = -40, 20  # of the Decimal as written: "0.001240000" has -9
MAX_TEXT = 64  # characters of a cost value as sent
HEADERS_COMPONENT = "response headers"
_EXACT = Context(prec=60, Emax=99, Emin=-99, traps=[InvalidOperation, Overflow, DivisionByZero])


def parse_credits(value: object, where: str = CREDITS_USED_HEADER, component: str = HEADERS_COMPONENT) -> int | None:
    """Credits as an int, from a header text or a JSON number; None when absent, else reported as drift if unusable.

    Unusable: not a number, not whole, negative, NaN, infinite or above MAX_CREDITS.
    """
    # Fast path: the header as the API sends it, a plain count of ASCII digits within the bounds.
    if type(value) is str and len(value) <= _CREDITS_DIGITS and value.isdigit() and value.isascii():
        return int(value)
    number = _bounded(value, MAX_CREDITS, where, component)
    if number is None:
        return None
    if number != number.to_integral_value(context=_EXACT):
        _drift(component, where, value, "is not a whole number of credits")
        return None
    return int(number)


def parse_usd(value: object, where: str = USD_SPENT_HEADER, component: str = HEADERS_COMPONENT) -> Decimal | None:
    """USD as an exact Decimal ("0.001240000" stays exact; a JSON float goes through its repr).

    None when absent; a value that is not a number, negative, NaN, infinite or outside
    [1e-30, MAX_USD] is reported as drift (DriftWarning) and gives None, so it is never counted.
    """
    return _bounded(value, MAX_USD, where, component)


def _bounded(value: object, limit: Decimal | int, where: str, component: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        _drift(component, where, value, f"is a {type(value).__name__}, not a number")
        return None
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        _drift(component, where, value, f"is {len(text)} characters long, not a plausible amount")
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        _drift(component, where, value, "is not a number")
        return None
    if not number.is_finite():
        _drift(component, where, value, "is not a finite number")
        return None
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite numbers have an int exponent
    if number < 0 or number > limit or (number and number.adjusted() < MIN_NONZERO_EXPONENT):
        _drift(component, where, value, f"is outside the plausible range 0 or 1e{MIN_NONZERO_EXPONENT}..{limit}")
        return None
    if not MIN_EXPONENT <= exponent <= MAX_EXPONENT:  # 0E-600000 would print 600,000 zeros
        _drift(component, where, value, "has an implausible exponent")
        return None
    return number.copy_abs()  # -0 is 0 (anything else here is already >= 0)


def _drift(component: str, where: str, value: object, problem: str) -> None:
    """Report an unusable cost value as drift (its repr cut at 60 characters)."""
    # Imported here: the drift reporter loads with the first answer checked, not with the package.
    from ._drift import report_deviation  # noqa: PLC0415

    text = repr(value)
    shown = text if len(text) <= 60 else text[:57] + "..."
    report_deviation(component, where, "cost", f"cost value {shown} {problem}; not counted")
