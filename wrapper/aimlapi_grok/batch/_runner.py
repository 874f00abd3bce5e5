"""`run_batch()`: send a checked batch through an AsyncGrok, journaled, rate-adaptive, within a budget.

Requests start while the AIMD limit, the shared pause, the per-minute caps
and the budget allow (`_control`), committed as in flight before they go out.
A send that ends settles its result and, in the same step, starts what now
fits, as a semaphore hands its slot on: no wait between an answer and the next
send. So that this needs no commit of its own, the next few requests in line
(a quarter of the limit) are committed in flight ahead of their turn; the
results, and the marks of the next ones, are committed once per event-loop
turn, one transaction for every answer of that turn. A request whose turn
comes unmarked is committed before it goes, at once. The loop itself only
sleeps until a timer is due (a pause, a retry's backoff, a cap, the progress
tick) or a send ended with nothing to start.
Retries are the scheduler's (the client is called with `max_retries=0`): a
429 or 503 cuts the concurrency and pauses every worker for its Retry-After;
408, other 5xx and connection errors wait their own backoff; each request
gets at most `max_attempts` sends in a run.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .._cost import parse_budget
from .._errors import (
    APIStatusError,
    AuthenticationError,
    BudgetExceededError,
    GrokError,
    PermissionDeniedError,
)
from .._retry import RetryPolicy, compute_wait, is_retryable, retry_after_seconds
from ._control import (
    DEFAULT_CONCURRENCY,
    DEFAULT_MAX_ATTEMPTS,
    DEFAULT_MAX_CONCURRENCY,
    Budget,
    Concurrency,
    Gate,
    TokenEstimate,
)
from ._input import BatchInputError, BatchRequest, ParsedInput, Shard, check_records
from ._journal import Journal, Outcome
from ._outcomes import failure_outcome, success_outcome
from ._report import BatchProgress, BatchReport

if TYPE_CHECKING:
    from .._async_client import AsyncGrok

PROGRESS_TICK = 0.5  # seconds between progress callbacks while nothing finishes
MARK_AHEAD_SHARE = 4  # requests committed in flight ahead of their turn: the limit divided by this (at least 1)
ProgressCallback = Callable[[BatchProgress], None]


async def run_batch(
    client: AsyncGrok,
    requests: ParsedInput | Iterable[BatchRequest | Mapping[str, Any]],
    *,
    journal: Journal | str | os.PathLike[str],
    concurrency: int = DEFAULT_CONCURRENCY,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    max_requests_per_minute: int | None = None,
    max_tokens_per_minute: int | None = None,
    budget_usd: Decimal | float | int | str | None = None,
    retry_failed: bool = False,
    skip_invalid: bool = False,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    shard: Shard | None = None,
    on_progress: ProgressCallback | None = None,
    backoff: RetryPolicy | None = None,
) -> BatchReport:
    """Run every request of `requests` that has no result in `journal` yet; return the report.

    `requests` is a checked input (`read_input()`), or BatchRequests / dicts in
    any input line format (checked here). Any problem raises BatchInputError
    and nothing is sent, unless `skip_invalid` (then invalid lines are recorded
    as failed). `journal` is a Journal or a path (created when missing).
    `backoff` sets the waits before re-sending after a 408, other 5xx or a
    connection error (its `max_retries` is not used: `max_attempts` counts sends).
    """
    parsed = requests if isinstance(requests, ParsedInput) else _checked(requests)
    if parsed.problems and not skip_invalid:
        raise BatchInputError(parsed.problems)
    if max_attempts < 1 or not 1 <= concurrency <= max_concurrency:
        raise ValueError(
            f"need max_attempts >= 1 and 1 <= concurrency <= max_concurrency, got {max_attempts}, "
            f"{concurrency}, {max_concurrency}"
        )
    selected = [r for r in parsed.requests if shard is None or shard.holds(r.custom_id)]
    invalid_lines = {r.line: r for r in parsed.invalid if shard is None or shard.holds(r.custom_id)}
    reasons: dict[int, list[str]] = {}
    for problem in parsed.problems:
        reasons.setdefault(problem.line, []).append(problem.message)
    invalid = [(request, "; ".join(reasons.get(line, ["invalid"]))) for line, request in invalid_lines.items()]
    recorded_lines = {r.line for r in parsed.invalid}
    skipped = [p.describe() for p in parsed.problems if p.line not in recorded_lines]
    own = not isinstance(journal, Journal)
    opened = journal if isinstance(journal, Journal) else Journal(journal)
    try:
        opened.bind_shard(shard)
        opened.register(selected, invalid)
        run = _Run(
            client,
            opened,
            control=(
                Concurrency(concurrency, max_concurrency),
                Gate(max_requests_per_minute, max_tokens_per_minute),
                Budget(parse_budget(budget_usd)),
            ),
            max_attempts=max_attempts,
            on_progress=on_progress,
            backoff=backoff or RetryPolicy(max_attempts),
        )
        report = await run.execute(selected, [r.custom_id for r, _ in invalid], retry_failed=retry_failed)
        report.skipped_lines = skipped
        return report
    finally:
        if own:
            opened.close()


def _checked(requests: Iterable[BatchRequest | Mapping[str, Any]]) -> ParsedInput:
    records: list[tuple[int, Any]] = []
    for number, item in enumerate(requests, start=1):
        if isinstance(item, BatchRequest):
            records.append((item.line, {"custom_id": item.custom_id, **item.body}))
        else:
            records.append((number, dict(item)))
    return check_records(records)


@dataclass(slots=True, eq=False)  # hashed by identity: the key of `_Run.running`
class _Flight:
    request: BatchRequest
    sequence: int
    gate_entry: list[float]


class _Run:
    """The state of one run: queues, the control, the counters."""

    def __init__(
        self,
        client: AsyncGrok,
        journal: Journal,
        *,
        control: tuple[Concurrency, Gate, Budget],
        max_attempts: int,
        on_progress: ProgressCallback | None,
        backoff: RetryPolicy,
    ) -> None:
        self.backoff = backoff
        self.client = client
        self.journal = journal
        self.concurrency, self.gate, self.budget = control
        self.max_attempts = max_attempts
        self.on_progress = on_progress
        self.tokens = TokenEstimate()
        self.pending: deque[BatchRequest] = deque()
        self.delayed: list[tuple[float, int, BatchRequest]] = []
        self.running: dict[_Flight, asyncio.Task[None]] = {}
        self.unsaved: list[Outcome] = []  # results not committed yet (the next commit takes them)
        self.marked: set[str] = set()  # committed in flight ahead of their turn, not sent yet
        self.flush: asyncio.Handle | None = None  # the commit scheduled for the end of this event-loop turn
        self.wake = asyncio.Event()  # a send ended and started nothing, or failed: the loop looks again
        self.crash: Exception | None = None  # an unexpected error in a send's task, raised by the loop
        self.attempts: dict[str, int] = {}
        self.report = BatchReport()
        self.stop_reason: str | None = None
        self.started_at = time.monotonic()
        self.last_progress = 0.0
        self.done_count = 0
        self.failed_count = 0
        self.finished_this_run = 0

    async def execute(self, selected: list[BatchRequest], invalid_ids: list[str], *, retry_failed: bool) -> BatchReport:
        by_id = {request.custom_id: request for request in selected}
        runnable, interrupted = self.journal.runnable(by_id, retry_failed=retry_failed)
        self.pending.extend(by_id[cid] for cid in runnable)
        self.report.resent_after_interrupt = interrupted
        totals = self.journal.totals()
        self.budget.spent, self.budget.largest = totals.usd_spent, totals.max_usd
        ids = set(by_id) | set(invalid_ids)
        self.report.total = len(ids)
        runnable_set = set(runnable)
        for custom_id, state in self.journal.states().items():
            if custom_id in ids and custom_id not in runnable_set:
                self.done_count += state == "done"
                self.failed_count += state == "failed"
        self.started_at = time.monotonic()
        try:
            await self._loop()
        finally:
            if self.flush is not None:
                self.flush.cancel()
            for task in self.running.values():
                task.cancel()
            if self.unsaved:  # answered (and paid for) before the end: saved, never sent again
                outcomes, self.unsaved = self.unsaved, []
                self.journal.commit(outcomes, [])
            self.journal.unmark(self.marked)
            leftovers = [r.custom_id for r in self.pending] + [r.custom_id for _, _, r in self.delayed]
            self.journal.mark_pending(leftovers)
        self._progress(force=True)
        return self._final_report(ids)

    async def _loop(self) -> None:
        """Start what fits; sleep until a send ends with nothing to start, or a timer is due; repeat."""
        while True:
            if self.crash is not None:  # before starting more: nothing is sent once the run has failed
                raise self.crash
            _, hint = self._dispatch(eager=True)
            if not self.running and (self.stop_reason or (not self.pending and not self.delayed)):
                return
            now = time.monotonic()
            waits = [w for w in (hint, self.delayed[0][0] - now if self.delayed else None) if w is not None]
            if self.on_progress is not None:
                waits.append(PROGRESS_TICK)
            self.wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(waits) if waits else None):
                    await self.wake.wait()

    def _dispatch(self, *, eager: bool) -> tuple[int, float | None]:
        """Start what fits; (how many, the wait before more could go).

        A request not marked ahead is committed in flight first, with the unsaved results and the next marks;
        otherwise that commit is made now when `eager`, else at the end of this event-loop turn.
        """
        now = time.monotonic()
        while self.delayed and self.delayed[0][0] <= now:
            self.pending.appendleft(heapq.heappop(self.delayed)[2])
        starting, hint = self._what_fits(now)
        ids = [flight.request.custom_id for flight in starting]
        unmarked = [custom_id for custom_id in ids if custom_id not in self.marked]
        self.marked.difference_update(ids)
        ahead = self._to_mark()
        if unmarked or (eager and (self.unsaved or ahead)):
            outcomes, self.unsaved = self.unsaved, []
            self.journal.commit(outcomes, [*unmarked, *ahead])
            self.marked.update(ahead)
            if self.flush is not None:  # this commit took what the scheduled one was for
                self.flush.cancel()
                self.flush = None
        elif (self.unsaved or ahead) and self.flush is None:
            self.flush = asyncio.get_running_loop().call_soon(self._flush)
        self._start(starting)
        self._progress()
        return len(starting), hint

    def _to_mark(self) -> list[str]:
        """The next requests in line to mark in flight ahead of their turn (none once the run stops)."""
        wanted = max(1, self.concurrency.limit // MARK_AHEAD_SHARE) - len(self.marked)
        chosen: list[str] = []
        if self.stop_reason:
            return chosen
        for request in self.pending:
            if len(chosen) >= wanted:
                break
            if request.custom_id not in self.marked:
                chosen.append(request.custom_id)
        return chosen

    def _flush(self) -> None:
        """End of an event-loop turn: commit its results and the next marks (and start what fits)."""
        self.flush = None
        try:
            self._dispatch(eager=True)
        except Exception as exc:
            self._crashed(exc)

    def _crashed(self, exc: Exception) -> None:
        """Hand an error raised in a callback or a send task to the loop, which raises it from run_batch."""
        self.crash = self.crash or exc
        self.wake.set()

    def _what_fits(self, now: float) -> tuple[list[_Flight], float | None]:
        """What the limit, the gate and the budget let start now; the wait before the next could go (if known)."""
        batch: list[_Flight] = []
        hint = None
        limit = self.concurrency.limit
        while self.pending and not self.stop_reason and len(self.running) + len(batch) < limit:
            request = self.pending[0]
            tokens = self._token_estimate(request)
            wait = self.gate.wait(now, tokens)
            if wait > 0:
                hint = wait
                break
            if not self.budget.allows_one_more():
                if not self.running and not batch:
                    self.stop_reason = (
                        f"the budget of ${self.budget.limit} USD would be passed by the next request"
                        f" (spent ${self.budget.spent})"
                    )
                break
            self.pending.popleft()
            self.budget.reserve()
            self.attempts[request.custom_id] = self.attempts.get(request.custom_id, 0) + 1
            batch.append(_Flight(request, self.concurrency.started(), self.gate.started(now, tokens)))
        return batch, hint

    def _start(self, flights: list[_Flight]) -> None:
        """Send (the journal holds them in flight already)."""
        for flight in flights:
            self.running[flight] = asyncio.create_task(self._send(flight))
        self.report.sent += len(flights)
        self.report.peak_concurrency = max(self.report.peak_concurrency, len(self.running))

    def _token_estimate(self, request: BatchRequest) -> float:
        if self.gate.tokens_per_minute is None:
            return 0.0
        return self.tokens.estimate(len(json.dumps(request.body)))

    async def _send(self, flight: _Flight) -> None:
        """Send one request; then settle it and start what fits in its place, in the same step."""
        try:
            result = await self._call(flight.request)
            self._finish(flight, result)
        except Exception as exc:
            self._crashed(exc)

    async def _call(self, request: BatchRequest) -> Outcome | GrokError:
        messages, params = request.create_params()
        params["client_request_id"] = self.journal.client_request_id(request.custom_id)
        params["max_retries"] = 0
        try:
            result = await self.client.chat.completions.create(messages=messages, **params)
        except GrokError as exc:
            return exc
        return success_outcome(request.custom_id, result)

    def _finish(self, flight: _Flight, result: Outcome | GrokError) -> None:
        """Settle an ended send; start what fits in its place (committed with its result), else wake the loop."""
        in_flight = len(self.running)  # this one included: what was out when it was answered
        del self.running[flight]
        outcome = self._settle(flight, result, in_flight)
        if outcome is not None:
            self.unsaved.append(outcome)
        if self.pending and not self.stop_reason and self._dispatch(eager=False)[0]:
            return
        self.wake.set()  # nothing started in its place: the loop commits the result, waits for a timer or ends

    def _settle(self, flight: _Flight, result: Outcome | GrokError, in_flight: int) -> Outcome | None:
        """Count an ended send (cost, tokens, AIMD); its Outcome, or None when it is retried or the run stops."""
        if isinstance(result, Outcome):
            self.budget.settle(result.usd_spent)
            tokens = (result.prompt_tokens or 0) + (result.completion_tokens or 0)
            Gate.settle(flight.gate_entry, tokens)
            self.tokens.observe(tokens)
            self.concurrency.succeeded(in_flight)
            self.report.prompt_tokens += result.prompt_tokens or 0
            self.report.completion_tokens += result.completion_tokens or 0
            self.report.usd_spent_this_run += result.usd_spent or Decimal(0)
            self.done_count += 1
            self.finished_this_run += 1
            return result
        Gate.settle(flight.gate_entry, 0)
        failure = self._failure(flight, result)
        cost = failure.usd_spent if failure is not None else None
        self.budget.settle(cost)
        if failure is not None:
            self.report.usd_spent_this_run += cost or Decimal(0)
            self.failed_count += 1
            self.finished_this_run += 1
        return failure

    def _failure(self, flight: _Flight, exc: GrokError) -> Outcome | None:
        """A failed send: retried (None), the run stopped (None), or the request's failed Outcome."""
        request = flight.request
        now = time.monotonic()
        if isinstance(exc, AuthenticationError | PermissionDeniedError | BudgetExceededError):
            self.stop_reason = f"{type(exc).__name__}: {exc}"
            self.pending.appendleft(request)
            return None
        if is_retryable(exc) and self.attempts[request.custom_id] < self.max_attempts:
            status = exc.status_code if isinstance(exc, APIStatusError) else None
            if status in (429, 503):
                self.report.rate_limited += status == 429
                self.report.server_unavailable += status == 503
                pause = self._server_wait(exc, self.attempts[request.custom_id], self.backoff)
                self.concurrency.throttled(flight.sequence, rate_limited=status == 429, pause=pause)
                self.gate.pause(now, pause)
                self.pending.appendleft(request)
            else:
                self.report.other_retries += 1
                wait = compute_wait(self.attempts[request.custom_id], exc, self.backoff)
                heapq.heappush(self.delayed, (now + wait, flight.sequence, request))
                self.wake.set()  # the loop's timer must take this retry's time into account
            return None
        return failure_outcome(request.custom_id, exc)

    @staticmethod
    def _server_wait(exc: GrokError, attempt: int, backoff: RetryPolicy) -> float:
        """The shared pause after a 429/503: its Retry-After (capped), else the backoff."""
        hinted = retry_after_seconds(exc.response.headers) if isinstance(exc, APIStatusError) else None
        if hinted is not None:
            return min(hinted, backoff.retry_after_cap)
        return compute_wait(attempt, exc, backoff)

    def snapshot(self) -> BatchProgress:
        return BatchProgress(
            total=self.report.total,
            done=self.done_count,
            failed=self.failed_count,
            in_flight=len(self.running),
            concurrency=self.concurrency.limit,
            usd_spent=self.budget.spent,
            tokens=self.report.prompt_tokens + self.report.completion_tokens,
            rate_limited=self.report.rate_limited,
            elapsed=time.monotonic() - self.started_at,
            finished_this_run=self.finished_this_run,
        )

    def _progress(self, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        now = time.monotonic()
        if force or now - self.last_progress >= PROGRESS_TICK / 5:
            self.last_progress = now
            self.on_progress(self.snapshot())

    def _final_report(self, ids: set[str]) -> BatchReport:
        report = self.report
        report.wall_seconds = time.monotonic() - self.started_at
        counts = {"done": 0, "failed": 0, "pending": 0, "in_flight": 0}
        for custom_id, state in self.journal.states().items():
            if custom_id in ids:
                counts[state] += 1
        report.done, report.failed = counts["done"], counts["failed"]
        report.pending = counts["pending"] + counts["in_flight"]
        totals = self.journal.totals()
        report.credits_used, report.usd_spent = totals.credits_used, totals.usd_spent
        report.final_concurrency = self.concurrency.limit
        report.stop_reason = self.stop_reason
        return report
