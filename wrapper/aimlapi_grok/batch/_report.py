"""What a batch run tells: a progress snapshot while it runs and the report at its end."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """A snapshot of a running batch (passed to the progress callback)."""

    total: int  # requests of this run's input (shard)
    done: int
    failed: int
    in_flight: int
    concurrency: int
    usd_spent: Decimal  # the whole job, all runs
    tokens: int  # this run
    rate_limited: int  # 429s met in this run
    elapsed: float  # seconds since this run started
    finished_this_run: int

    @property
    def requests_per_second(self) -> float:
        return self.finished_this_run / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def remaining(self) -> int:
        return self.total - self.done - self.failed

    @property
    def eta_seconds(self) -> float | None:
        rate = self.requests_per_second
        return self.remaining / rate if rate > 0 else None


@dataclass(slots=True)
class BatchReport:
    """The end of a run: counts, tokens, cost, trouble met, wall time, and why it stopped early (if it did)."""

    total: int = 0
    done: int = 0
    failed: int = 0
    pending: int = 0  # still without a result (budget or a stop): the next run sends them
    sent: int = 0  # HTTP sends in this run, retries included
    resent_after_interrupt: int = 0  # requests found in flight from a killed run, sent again
    rate_limited: int = 0  # 429s met
    server_unavailable: int = 0  # 503s met
    other_retries: int = 0  # 408, other 5xx and connection errors retried
    prompt_tokens: int = 0  # this run
    completion_tokens: int = 0  # this run
    credits_used: int = 0  # the whole job
    usd_spent: Decimal = Decimal(0)  # the whole job
    usd_spent_this_run: Decimal = Decimal(0)
    wall_seconds: float = 0.0
    final_concurrency: int = 0
    peak_concurrency: int = 0
    stop_reason: str | None = None
    skipped_lines: list[str] = field(default_factory=list)  # invalid lines without a usable custom_id

    @property
    def complete(self) -> bool:
        return self.pending == 0 and self.stop_reason is None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["usd_spent"] = str(self.usd_spent)
        data["usd_spent_this_run"] = str(self.usd_spent_this_run)
        data["complete"] = self.complete
        return data

    def lines(self) -> list[str]:
        """The human summary (for stderr)."""
        state = "complete" if self.complete else f"stopped: {self.stop_reason or 'requests left'}"
        out = [
            f"batch {state}: {self.done} done, {self.failed} failed, {self.pending} pending of {self.total}"
            f" in {self.wall_seconds:.1f} s",
            f"  tokens this run: {self.prompt_tokens} prompt, {self.completion_tokens} completion;"
            f" cost: ${self.usd_spent_this_run:f} this run, ${self.usd_spent:f} total ({self.credits_used} credits)",
            f"  sends: {self.sent} ({self.resent_after_interrupt} re-sent after an interrupted run);"
            f" met {self.rate_limited} x 429, {self.server_unavailable} x 503, {self.other_retries} other retryable;"
            f" concurrency {self.final_concurrency} (peak {self.peak_concurrency})",
        ]
        if self.skipped_lines:
            out.append(f"  {len(self.skipped_lines)} invalid line(s) could not be recorded (no usable custom_id)")
        return out
