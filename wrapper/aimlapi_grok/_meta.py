"""Response metadata: tracing ids, cost, status and headers of one API call."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
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


def parse_credits(value: object) -> int | None:
    """Credits as an int, from a header text or a JSON number; None when absent or not a number."""
    number = parse_usd(value)
    return int(number) if number is not None and number == number.to_integral_value() else None


def parse_usd(value: object) -> Decimal | None:
    """USD as an exact Decimal ("0.001240000" stays exact; a JSON float goes through its repr)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
