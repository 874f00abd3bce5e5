"""What the batch scheduler decides, without I/O: how many in flight, when to send, when to stop.

- `Concurrency`: additive increase, multiplicative decrease. The limit grows by
  one after a window of successes as long as the limit, and halves on a 429 or
  503, at most once per window (a burst of 429s from requests sent before the
  cut counts once, as TCP does). After a 429 it climbs back fast (one per
  success) to just below the level that met it, then waits longer before
  probing that level again: `patience` windows, multiplied (up to a cap) each
  time the probe meets a 429 at the same level, so a steady server limit costs few
  429s; a window at that level without one forgets it. A probe that meets a 429
  stops every worker for the shared pause, so the level is probed no sooner
  than `PROBE_COST` pauses after the 429 (meant to keep the pauses near 1/PROBE_COST
  of the run's time; the tests check that wait, not the share). Successes count only
  while the limit is in use (as in TCP's window validation): a run held back
  by a pause, a cap or a short queue does not grow its limit.
- `Gate`: the shared pause (a Retry-After stops every worker, not one request)
  and the optional requests-per-minute and tokens-per-minute caps.
- `Budget`: spent plus what is in flight must stay within the budget; each
  request in flight is reserved at the largest cost seen so far (until a cost
  is known, one request at a time).
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

WINDOW = 60.0  # seconds of the per-minute caps
DEFAULT_CONCURRENCY = 8  # where the limit starts
DEFAULT_MAX_CONCURRENCY = 64  # how far it may grow
DEFAULT_MAX_ATTEMPTS = 6  # sends per request and run
PROBE_COST = 20.0  # probe the level of a 429 no sooner than this many of its pauses after it


@dataclass(slots=True)
class Concurrency:
    """The AIMD limit on requests in flight."""

    limit: int
    maximum: int
    minimum: int = 1
    base_patience: int = 16  # windows of successes before probing the level of the last 429
    max_patience: int = 1024
    patience_growth: int = 4  # a per-key limit rarely moves: each failed probe of a level makes the next much later
    cuts: int = 0
    ceiling: int | None = None  # the limit at which the last 429 came (a 503 cuts but says nothing of a limit)
    clock: Callable[[], float] = time.monotonic
    probe_after: float = 0.0  # clock time before which the level of the last 429 is not probed
    patience: int = field(init=False)
    _successes: int = 0
    _started: int = 0  # requests started so far (their sequence numbers)
    _cut_at: int = -1  # sequence number of the first request started after the last cut

    def __post_init__(self) -> None:
        if not 1 <= self.minimum <= self.limit <= self.maximum:
            raise ValueError(f"need 1 <= minimum <= limit <= maximum, got {self.minimum}, {self.limit}, {self.maximum}")
        self.patience = self.base_patience

    def started(self) -> int:
        """Number a request being sent (used to tell whether its 429 predates the last cut)."""
        self._started += 1
        return self._started

    def succeeded(self, in_flight: int) -> None:
        """A success while `in_flight` requests were out: it counts only if the limit was in use."""
        if in_flight < self.limit:
            return  # the limit was not what held the run back: no evidence that more would work
        self._successes += 1
        ceiling = self.ceiling
        if ceiling is not None and self.limit < ceiling - 1:
            self.limit += 1  # back to just below the level of the last 429: one per success
            self._successes = 0
            return
        probing = ceiling is not None and self.limit == ceiling - 1  # the next step is the level of the 429
        if self._successes < self.limit * (self.patience if probing else 1):
            return
        if probing and self.clock() < self.probe_after:
            return  # patient enough in answers, not yet in time: the pause a failed probe costs stays small
        self._successes = 0
        if ceiling is not None and self.limit >= ceiling:  # a whole window at that level went well
            self.ceiling, self.patience = None, self.base_patience
        if self.limit < self.maximum:
            self.limit += 1

    def throttled(self, sequence: int, *, rate_limited: bool = True, pause: float = 0.0) -> bool:
        """A 429 (or 503) for the request numbered `sequence`, which paused every worker `pause` seconds.

        Halve the limit once per window; True if cut.
        """
        if sequence < self._cut_at:
            return False
        if rate_limited:
            if self.ceiling == self.limit:  # the same level met a 429 again: probe it less often
                self.patience = min(self.max_patience, self.patience * self.patience_growth)
            self.ceiling = self.limit
            self.probe_after = self.clock() + PROBE_COST * pause
        self.limit = max(self.minimum, self.limit // 2)
        self._successes = 0
        self._cut_at = self._started + 1
        self.cuts += 1
        return True


@dataclass(slots=True)
class Gate:
    """When the next request may go: the shared pause and the per-minute caps."""

    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    paused_until: float = 0.0
    _starts: deque[float] = field(default_factory=deque)
    _tokens: deque[list[float]] = field(default_factory=deque)  # [start time, tokens] (estimate, then actual)

    def pause(self, now: float, seconds: float) -> None:
        """Every worker waits `seconds` from now (a longer pause already set stays)."""
        self.paused_until = max(self.paused_until, now + seconds)

    def wait(self, now: float, tokens: float) -> float:
        """Seconds until a request of about `tokens` tokens may start (0: now)."""
        waits = [self.paused_until - now]
        self._expire(now)
        if self.requests_per_minute is not None and len(self._starts) >= self.requests_per_minute:
            waits.append(self._starts[0] + WINDOW - now)
        if self.tokens_per_minute is not None and self._tokens:
            used = sum(entry[1] for entry in self._tokens)
            if used + tokens > self.tokens_per_minute:
                waits.append(self._tokens[0][0] + WINDOW - now)
        return max(0.0, *waits)

    def started(self, now: float, tokens: float) -> list[float]:
        """Count a request going out now; the returned entry takes its actual tokens later (`settle`)."""
        self._starts.append(now)
        entry = [now, tokens]
        if self.tokens_per_minute is not None:
            self._tokens.append(entry)
        return entry

    @staticmethod
    def settle(entry: list[float], tokens: int | None) -> None:
        """The actual tokens of a request once answered (0 when it failed)."""
        entry[1] = float(tokens or 0)

    def _expire(self, now: float) -> None:
        while self._starts and self._starts[0] <= now - WINDOW:
            self._starts.popleft()
        while self._tokens and self._tokens[0][0] <= now - WINDOW:
            self._tokens.popleft()


@dataclass(slots=True)
class TokenEstimate:
    """Tokens a request will use, for the tokens-per-minute cap: the mean seen so far, else a text estimate.

    The estimate only reserves room; each answer's actual count replaces it in the window (`Gate.settle`).
    """

    seen_requests: int = 0
    seen_tokens: int = 0

    def observe(self, tokens: int | None) -> None:
        if tokens:
            self.seen_requests += 1
            self.seen_tokens += tokens

    def estimate(self, body_chars: int) -> float:
        """The mean of the answered requests; before any, the body's size (about 4 characters a token)."""
        if self.seen_requests:
            return self.seen_tokens / self.seen_requests
        return float(math.ceil(body_chars / 4))


@dataclass(slots=True)
class Budget:
    """USD budget of a job: spent (all runs) plus in-flight reservations must stay within `limit`."""

    limit: Decimal | None
    spent: Decimal = Decimal(0)
    largest: Decimal | None = None  # the largest single cost seen
    in_flight: int = 0

    def allows_one_more(self) -> bool:
        if self.limit is None:
            return True
        if self.largest is None:  # no cost known yet: one request at a time
            return self.in_flight == 0 and self.spent < self.limit
        return self.spent + self.largest * (self.in_flight + 1) <= self.limit

    def reserve(self) -> None:
        self.in_flight += 1

    def settle(self, cost: Decimal | None) -> None:
        self.in_flight -= 1
        if cost is not None:
            self.spent += cost
            self.largest = cost if self.largest is None else max(self.largest, cost)
