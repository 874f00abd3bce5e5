"""Per-client running totals of credits and USD, and an optional USD budget.

Totals are added in their own decimal context (`TOTALS_CONTEXT`, exact for any
sum of bounded amounts, see `_meta.parse_usd`), so a caller thread's
`decimal.getcontext()` (say `prec = 4`) never rounds them.
"""

from __future__ import annotations

import threading
from decimal import Context, Decimal, DivisionByZero, InvalidOperation, Overflow

from ._errors import BudgetExceededError, ConfigurationError


def parse_budget(value: object) -> Decimal | None:
    """A budget as an exact Decimal (a float goes through its repr: 0.1 -> Decimal('0.1'))."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, Decimal | int | float | str):
        raise ConfigurationError(f"budget_usd must be a number of USD, got {type(value).__name__}")
    try:
        budget = Decimal(str(value).strip())
    except InvalidOperation:
        raise ConfigurationError(f"budget_usd is not a number: {value!r}") from None
    if not budget.is_finite() or budget < 0:
        raise ConfigurationError(f"budget_usd must be a finite amount >= 0, got {value!r}")
    return budget


TOTALS_CONTEXT = Context(prec=80, Emax=10**6, Emin=-(10**6), traps=[InvalidOperation, Overflow, DivisionByZero])


class CostTracker:
    """Thread-safe totals of what one client has spent, checked against its budget.

    The budget is checked before each call is sent; calls in flight are
    counted against it by the client's BudgetGate (_budget.py).
    """

    __slots__ = ("_credits", "_lock", "_usd", "budget_usd")

    def __init__(self, budget_usd: Decimal | None = None) -> None:
        self.budget_usd = budget_usd
        self._lock = threading.Lock()
        self._credits = 0
        self._usd = Decimal(0)

    @property
    def credits_used(self) -> int:
        return self._credits

    @property
    def usd_spent(self) -> Decimal:
        return self._usd

    def record(self, credits_used: int | None, usd_spent: Decimal | None) -> None:
        """Add one answer's cost (either part may be unknown)."""
        if credits_used is None and usd_spent is None:
            return
        with self._lock:
            if credits_used is not None:
                self._credits += credits_used
            if usd_spent is not None:
                self._usd = TOTALS_CONTEXT.add(self._usd, usd_spent)

    def ensure_within_budget(self) -> None:
        """Raise BudgetExceededError (nothing is sent) once the spend has reached the budget."""
        budget = self.budget_usd
        if budget is not None and self._usd >= budget:
            raise BudgetExceededError(self._usd, budget)
