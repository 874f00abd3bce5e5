"""Response metadata: tracing ids, cost, status and headers of one API call."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from ._constants import CREDITS_USED_HEADER, INFERENCE_ID_HEADER, USD_SPENT_HEADER

if TYPE_CHECKING:
    import httpx


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
        headers = response.headers
        return cls(
            status_code=response.status_code,
            headers=headers,
            inference_id=headers.get(INFERENCE_ID_HEADER),
            client_request_id=headers.get("x-client-request-id"),
            credits_used=parse_credits(headers.get(CREDITS_USED_HEADER)),
            usd_spent=parse_usd(headers.get(USD_SPENT_HEADER)),
            retries=retries,
        )


def parse_credits(value: object) -> int | None:
    """Credits as an int, from a header text or a JSON number; None when absent or not a number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() else None


def parse_usd(value: object) -> Decimal | None:
    """USD as an exact Decimal ("0.001240000" stays exact; a JSON float goes through its repr)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
