"""The budget gate: calls in flight count against a client's USD budget.

Each call reserves an estimate of its cost before it is sent and gives the
reservation back when its cost is known (the answer is read, the stream ends,
or the call fails). A call is admitted only while
``spent + reserved < budget``; otherwise it waits for calls in flight to
finish, and is refused with BudgetExceededError when none are in flight (or
when the only calls in flight are its own caller's, which it would wait for
forever).

The estimate is the largest cost among the last `RECENT_COSTS` answers that
reported one. Before any answer reported a cost, a call reserves the whole
remaining budget: the first call runs alone, and the others start as soon as
its cost is known. Hence the bound: if no call costs more than the largest of
the recent costs, the total spent stays below ``budget + that cost``. Amounts are added in the
totals' own decimal context (`TOTALS_CONTEXT`), whatever the caller's is.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from ._cost import TOTALS_CONTEXT, CostTracker
from ._errors import BudgetExceededError

RECENT_COSTS = 32
ASYNC_POLL_FIRST = 0.005  # seconds between an async waiter's checks: doubling from this...
ASYNC_POLL_MAX = 0.1  # ...up to this


@dataclass(slots=True, eq=False)
class Reservation:
    """One admitted call's share of the budget, held until its cost is known."""

    amount: Decimal
    owner: object  # the thread or task that holds it


class BudgetGate:
    """Thread-safe reservations against one client's budget (sync threads and async tasks alike)."""

    __slots__ = ("_condition", "_costs", "_in_flight", "_recent")

    def __init__(self, costs: CostTracker) -> None:
        self._costs = costs
        self._condition = threading.Condition()
        self._in_flight: list[Reservation] = []
        self._recent: deque[Decimal] = deque(maxlen=RECENT_COSTS)

    @property
    def reserved_usd(self) -> Decimal:
        """What the calls in flight hold (their estimates)."""
        with self._condition:
            return self._reserved()

    def _reserved(self) -> Decimal:
        total = Decimal(0)
        for reservation in self._in_flight:
            total = TOTALS_CONTEXT.add(total, reservation.amount)
        return total

    def try_reserve(self, owner: object) -> Reservation | None:
        """A reservation, or None to wait for calls in flight; BudgetExceededError when waiting is useless."""
        budget = self._costs.budget_usd
        assert budget is not None
        with self._condition:
            spent = self._costs.usd_spent
            committed = TOTALS_CONTEXT.add(spent, self._reserved())
            if committed < budget:
                estimate = max(self._recent) if self._recent else TOTALS_CONTEXT.subtract(budget, committed)
                reservation = Reservation(estimate, owner)
                self._in_flight.append(reservation)
                return reservation
            if spent >= budget or all(r.owner is owner for r in self._in_flight):
                raise BudgetExceededError(spent, budget, reserved_usd=self._reserved())
            return None

    def release(self, reservation: Reservation | None, usd_spent: Decimal | None) -> None:
        """Give a reservation back once the call's cost is recorded (None when the answer said no cost)."""
        if reservation is None:
            return
        with self._condition:
            if reservation in self._in_flight:
                self._in_flight.remove(reservation)
                if usd_spent is not None and usd_spent.is_finite() and usd_spent >= 0:
                    self._recent.append(usd_spent)
            self._condition.notify_all()

    def reserve(self, owner: object, wait_seconds: float | None) -> Reservation:
        """Block until admitted (at most `wait_seconds`, None: no limit), then reserve."""
        give_up = None if wait_seconds is None else time.monotonic() + wait_seconds
        with self._condition:  # held from the check to the wait: no release is missed in between
            while True:
                reservation = self.try_reserve(owner)
                if reservation is not None:
                    return reservation
                left = None if give_up is None else give_up - time.monotonic()
                if left is not None and left <= 0:
                    raise self._still_held()
                self._condition.wait(left)

    async def areserve(self, owner: object, wait_seconds: float | None) -> Reservation:
        """The async mirror of `reserve` (polls, so it never blocks the event loop)."""
        # Imported here: anyio is needed only once an async call waits on the budget.
        import anyio  # noqa: PLC0415

        give_up = None if wait_seconds is None else time.monotonic() + wait_seconds
        pause = ASYNC_POLL_FIRST
        while True:
            reservation = self.try_reserve(owner)
            if reservation is not None:
                return reservation
            if give_up is not None and time.monotonic() >= give_up:
                raise self._still_held()
            await anyio.sleep(pause)
            pause = min(pause * 2, ASYNC_POLL_MAX)

    def _still_held(self) -> BudgetExceededError:
        budget = self._costs.budget_usd
        return BudgetExceededError(self._costs.usd_spent, budget, reserved_usd=self.reserved_usd)
