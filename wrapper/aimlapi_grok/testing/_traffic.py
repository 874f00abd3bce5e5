"""Realistic trouble for long runs: per-key rate limits and a seeded mix of random faults.

`RateLimit` makes the emulator answer like the real API when a key sends too
much: a 429 with the AIML error body and `Retry-After` once a key has sent
`requests_per_minute` requests in the last minute, or while it already has
`concurrent_requests` answers in progress. `FaultMix` draws, from a seeded
random generator, a share of 429, 500 and 503 answers, dropped connections and
slow answers, so a run of thousands of requests meets them in a reproducible way.

The mix as `aimlapi-grok emulator --faults` takes it: ``429=0.05,500=0.02,503=0.02,drop=0.01,slow=0.05``.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from ._faults import Fault, FaultSpecError

_MIX_KEYS = {"429": "rate_429", "500": "rate_500", "503": "rate_503", "drop": "rate_drop", "slow": "rate_slow"}


@dataclass(frozen=True, slots=True)
class RateLimit:
    """Per-key limits: requests in a sliding minute, and answers in progress at once (None: unlimited).

    `window_seconds` shortens the sliding window for fast tests (the allowance
    scales with it: `requests_per_minute * window_seconds / 60` per window).
    `concurrency_retry_after` is the `Retry-After` (seconds) of a concurrency 429.
    """

    requests_per_minute: int | None = None
    concurrent_requests: int | None = None
    window_seconds: float = 60.0
    concurrency_retry_after: float = 1.0

    def __post_init__(self) -> None:
        for name in ("requests_per_minute", "concurrent_requests"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise FaultSpecError(f"{name} must be >= 1 (or None for no limit), got {value}")
        if not self.window_seconds > 0 or not self.concurrency_retry_after >= 0:
            raise FaultSpecError("window_seconds must be > 0 and concurrency_retry_after >= 0")

    @property
    def allowance(self) -> int | None:
        """Requests allowed per sliding window."""
        if self.requests_per_minute is None:
            return None
        return max(1, int(self.requests_per_minute * self.window_seconds / 60.0))


@dataclass(frozen=True, slots=True)
class FaultMix:
    """Shares (0..1, summing to at most 1) of requests answered with each fault, drawn from `seed`."""

    seed: int = 0
    rate_429: float = 0.0
    rate_500: float = 0.0
    rate_503: float = 0.0
    rate_drop: float = 0.0
    rate_slow: float = 0.0
    slow_seconds: float = 0.5
    retry_after: str = "1"  # the Retry-After of an injected 429 or 503

    def __post_init__(self) -> None:
        rates = self._rates()
        if any(not 0.0 <= rate <= 1.0 for _, rate in rates) or sum(rate for _, rate in rates) > 1.0:
            raise FaultSpecError(f"fault rates must each be 0..1 and sum to at most 1, got {dict(rates)}")
        if self.slow_seconds < 0:
            raise FaultSpecError(f"slow_seconds must be >= 0, got {self.slow_seconds}")

    def _rates(self) -> list[tuple[str, float]]:
        return [(key, getattr(self, attr)) for key, attr in _MIX_KEYS.items()]

    def draw(self, rng: random.Random) -> Fault | None:
        """The fault for one request (None: answered normally)."""
        point = rng.random()
        for key, rate in self._rates():
            if point < rate:
                return self._fault(key)
            point -= rate
        return None

    def _fault(self, key: str) -> Fault:
        if key == "drop":
            return Fault(drop_after=1)  # half of the JSON answer, then the connection closes
        if key == "slow":
            return Fault(delay=self.slow_seconds)
        if key in ("429", "503"):
            return Fault(status=int(key), retry_after=self.retry_after)
        return Fault(status=int(key))


def parse_fault_mix(text: str, *, seed: int = 0, slow_seconds: float = 0.5, retry_after: str = "1") -> FaultMix:
    """`429=0.05,500=0.02,...` as a FaultMix; FaultSpecError names a bad item."""
    rates: dict[str, float] = {}
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        attr = _MIX_KEYS.get(key.strip().lower())
        if attr is None or not sep:
            raise FaultSpecError(
                f"fault mix item {item!r}: expected KIND=SHARE with KIND one of {', '.join(_MIX_KEYS)}"
            )
        try:
            rates[attr] = float(value)
        except ValueError:
            raise FaultSpecError(f"fault mix item {item!r}: the share must be a number") from None
    return FaultMix(seed=seed, slow_seconds=slow_seconds, retry_after=retry_after, **rates)


@dataclass(slots=True)
class TrafficControl:
    """The emulator's per-key counters for a RateLimit, and the seeded generator of a FaultMix."""

    limit: RateLimit | None = None
    mix: FaultMix | None = None
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _starts: dict[str, deque[float]] = field(default_factory=dict)
    _active: dict[str, int] = field(default_factory=dict)
    _rng: random.Random = field(init=False)
    limited: int = 0  # 429s answered because of the RateLimit

    def __post_init__(self) -> None:
        self._rng = random.Random(self.mix.seed if self.mix is not None else 0)  # noqa: S311 - test traffic

    def admit(self, key: str) -> tuple[str, list[tuple[str, str]]] | None:
        """Count one request of `key`; (reason, Retry-After headers) when it is over a limit, else None."""
        limit = self.limit
        if limit is None:
            return None
        now = self.clock()
        with self._lock:
            active = self._active.get(key, 0)
            if limit.concurrent_requests is not None and active >= limit.concurrent_requests:
                self.limited += 1
                reason = f"Too many concurrent requests (limit {limit.concurrent_requests})"
                return reason, retry_after_headers(limit.concurrency_retry_after)
            starts = self._starts.setdefault(key, deque())
            while starts and starts[0] <= now - limit.window_seconds:
                starts.popleft()
            allowance = limit.allowance
            if allowance is not None and len(starts) >= allowance:
                self.limited += 1
                wait = starts[0] + limit.window_seconds - now
                reason = f"Rate limit reached ({limit.requests_per_minute} requests per minute)"
                return reason, retry_after_headers(wait)
            starts.append(now)
            self._active[key] = active + 1
        return None

    def release(self, key: str) -> None:
        """One admitted answer of `key` is over (sent, dropped, or its client went away)."""
        with self._lock:
            self._active[key] = max(0, self._active.get(key, 0) - 1)

    def draw(self) -> Fault | None:
        if self.mix is None:
            return None
        with self._lock:
            return self.mix.draw(self._rng)


def retry_after_headers(wait: float) -> list[tuple[str, str]]:
    """`Retry-After` in whole seconds rounded up, as the API sends it; under a second also `retry-after-ms`."""
    headers = [("retry-after", str(max(1, math.ceil(wait))) if wait > 0 else "0")]
    if 0 < wait < 1:
        headers.append(("retry-after-ms", str(max(1, round(wait * 1000)))))
    return headers
