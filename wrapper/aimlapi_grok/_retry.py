"""Retries: which failures are retried, how long to wait, and the loops (built on stamina).

Retried: HTTP 408, 429 and >= 500 answers, and connection errors including
timeouts (APIConnectionError / APITimeoutError). A `Retry-After` header
(seconds or an HTTP date) or `retry-after-ms` sets the wait, capped at
`RETRY_AFTER_CAP` seconds; otherwise the wait grows exponentially with jitter:
``min(WAIT_MAX, WAIT_INITIAL * 2 ** (n - 1) + uniform(0, WAIT_JITTER))``.

The first attempt runs outside stamina, so a call that succeeds pays nothing
for the retry machinery. Only after a retryable failure does stamina take
over: its first attempt re-raises that failure (so stamina's own backoff,
instrumentation, `stamina.set_active(False)` and `stamina.set_testing(...)` all
apply to every retry), then it runs the remaining attempts. Each retry is
logged on the `aimlapi_grok` logger at INFO with the wait in `record.retry_wait`,
its number in `record.retry_number` and what caused it in `record.retry_reason`
(``HTTP 503``, ``a timeout``, ``a connection error``).

Nothing is printed unless the application configures logging: the
`aimlapi_grok` logger and stamina's `stamina` logger get a NullHandler (the
logging HOWTO's advice for libraries), so Python's last-resort handler does
not print stamina's ``stamina.retry_scheduled`` warnings to stderr. An
application that configures logging (a root handler) receives both as before.

Streams are retried only until their answer's status is known: the stream's
body is read after `send` returns, outside the loop, so a stream that has
delivered data is never retried.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, UTC
from email.utils import parsedate_to_datetime, parsedate_tz
from typing import TYPE_CHECKING, TypeVar

import httpx

from ._errors import APIConnectionError, APIError, APIStatusError, APITimeoutError

if TYPE_CHECKING:
    from ._deadline import Deadline

T = TypeVar("T")

logger = logging.getLogger("aimlapi_grok")
logger.addHandler(logging.NullHandler())
logging.getLogger("stamina").addHandler(logging.NullHandler())

RETRYABLE_STATUS = frozenset({408, 429})
WAIT_INITIAL = 0.5
WAIT_MAX = 8.0
WAIT_JITTER = 0.5
RETRY_AFTER_CAP = 60.0
_NOT_RETRYABLE_TRANSPORT = (httpx.UnsupportedProtocol, httpx.LocalProtocolError, httpx.DecodingError)


@dataclass(slots=True)
class RetryPolicy:
    """How many retries one call may take, and the backoff parameters."""

    max_retries: int
    wait_initial: float = WAIT_INITIAL
    wait_max: float = WAIT_MAX
    wait_jitter: float = WAIT_JITTER
    retry_after_cap: float = RETRY_AFTER_CAP
    deadline: Deadline | None = None  # no retry whose wait would end past the call's deadline


def is_retryable(exc: BaseException) -> bool:
    """True for 408, 429, >= 500 and connection errors (not for other statuses or local errors)."""
    if isinstance(exc, APIStatusError):
        return exc.status_code in RETRYABLE_STATUS or exc.status_code >= 500
    if isinstance(exc, APIConnectionError):
        # A request httpx refused to send as built (bad protocol, bad header) fails the same way again.
        return not isinstance(exc.__cause__, _NOT_RETRYABLE_TRANSPORT)
    return False


def retry_after_seconds(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """The server's requested wait from `retry-after-ms` or `Retry-After` (seconds or HTTP date), uncapped.

    None when neither header is present or parses; a date in the past gives 0; a number or
    date too large to represent gives `math.inf` (`compute_wait` caps every wait).
    """
    millis = headers.get("retry-after-ms")
    if millis is not None:
        seconds = _non_negative_float(millis)
        if seconds is not None:
            return seconds / 1000.0
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _non_negative_float(value)
    if seconds is not None:
        return seconds

    fields = parsedate_tz(value.strip())
    if fields is None:
        logger.debug("ignoring unparsable Retry-After header %r", value)
        return None
    if not 1 <= fields[0] <= MAXYEAR:
        return math.inf  # a date datetime cannot hold (year 99999999999): as far as it gets, capped by the caller
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        logger.debug("ignoring unparsable Retry-After header %r", value)
        return None
    if when.tzinfo is None:  # "-0000" means UTC with no zone information
        when = when.replace(tzinfo=UTC)
    current = time.time() if now is None else now
    try:
        return max(0.0, when.timestamp() - current)
    except (OverflowError, ValueError):
        return math.inf


def _non_negative_float(text: str) -> float | None:
    """Seconds as sent: any number >= 0 (huge ones give inf, capped by the caller); None otherwise (NaN too)."""
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def compute_wait(
    retry_number: int, error: BaseException, policy: RetryPolicy, *, jitter: Callable[[], float] = random.random
) -> float:
    """Seconds to wait before retry number `retry_number` (1-based) after `error`."""
    if isinstance(error, APIStatusError):
        hinted = retry_after_seconds(error.response.headers)
        if hinted is not None:
            return min(hinted, policy.retry_after_cap)
    exponential = policy.wait_initial * 2.0 ** (retry_number - 1) + jitter() * policy.wait_jitter
    return min(policy.wait_max, exponential)


class RetryRun:
    """The retry bookkeeping of one call; `backoff_hook` is stamina's `on=` hook."""

    __slots__ = ("label", "policy", "scheduled")

    def __init__(self, policy: RetryPolicy, label: str) -> None:
        self.policy = policy
        self.label = label
        self.scheduled = 0  # retries scheduled so far

    def backoff_hook(self, exc: Exception) -> bool | float:
        """False to stop (not retryable or no retries left), else the wait in seconds."""
        if not is_retryable(exc) or self.scheduled >= self.policy.max_retries:
            return False
        number = self.scheduled + 1
        wait = compute_wait(number, exc, self.policy)
        deadline = self.policy.deadline
        if deadline is not None and wait >= deadline.remaining():
            logger.info("no retry for %s: the call's deadline of %g s would pass", self.label, deadline.seconds)
            return False
        self.scheduled = number
        logger.info(
            "retry %d of %d for %s in %.3f s after %s: %s",
            number,
            self.policy.max_retries,
            self.label,
            wait,
            type(exc).__name__,
            exc,
            extra={"retry_number": number, "retry_wait": wait, "retry_reason": retry_reason(exc)},
        )
        return wait


def retry_reason(exc: BaseException) -> str:
    """What a retry is after, in a few words: ``HTTP 503``, ``a timeout``, ``a connection error``.

    Only retryable failures get here (`is_retryable`): a status error, else a connection error.
    """
    if isinstance(exc, APIStatusError):
        return f"HTTP {exc.status_code}"
    return "a timeout" if isinstance(exc, APITimeoutError) else "a connection error"


def call_with_retries(attempt: Callable[[int], T], policy: RetryPolicy, label: str) -> T:
    """Run `attempt(retries_so_far)` until it returns, retrying retryable APIErrors per `policy`."""
    try:
        return attempt(0)
    except APIError as exc:
        if policy.max_retries <= 0 or not is_retryable(exc):
            raise
        first_failure = exc
    # Imported here: stamina costs ~20 ms at import; it loads on the first retry decision.
    import stamina  # noqa: PLC0415

    run = RetryRun(policy, label)
    # timeout=None: one completion may legitimately take minutes; backoff_hook stops at max_retries.
    for stamina_attempt in stamina.retry_context(on=run.backoff_hook, attempts=policy.max_retries + 1, timeout=None):
        with stamina_attempt:
            if stamina_attempt.num == 1:
                raise first_failure  # replayed so stamina schedules (and sleeps) the first retry
            return attempt(stamina_attempt.num - 1)
    raise AssertionError("unreachable: stamina re-raises the last failure")  # pragma: no cover


async def acall_with_retries(attempt: Callable[[int], Awaitable[T]], policy: RetryPolicy, label: str) -> T:
    """The async mirror of `call_with_retries`."""
    try:
        return await attempt(0)
    except APIError as exc:
        if policy.max_retries <= 0 or not is_retryable(exc):
            raise
        first_failure = exc
    # Imported here: stamina costs ~20 ms at import; it loads on the first retry decision.
    import stamina  # noqa: PLC0415

    run = RetryRun(policy, label)
    retrying = stamina.retry_context(on=run.backoff_hook, attempts=policy.max_retries + 1, timeout=None)
    async for stamina_attempt in retrying:
        with stamina_attempt:
            if stamina_attempt.num == 1:
                raise first_failure
            return await attempt(stamina_attempt.num - 1)
    raise AssertionError("unreachable: stamina re-raises the last failure")  # pragma: no cover
