"""The scheduler's decisions without I/O: AIMD concurrency, the shared pause, the caps, the budget."""

from __future__ import annotations

from decimal import Decimal

from aimlapi_grok.batch._control import PROBE_COST, WINDOW, Budget, Concurrency, Gate


def test_concurrency_grows_by_one_per_window_of_successes() -> None:
    """Additive increase: +1 after as many successes as the limit, up to the maximum."""
    control = Concurrency(4, maximum=5)
    for _ in range(3):
        control.succeeded(control.limit)
    assert control.limit == 4
    control.succeeded(control.limit)
    assert control.limit == 5
    for _ in range(20):
        control.succeeded(control.limit)
    assert control.limit == 5


def test_concurrency_halves_once_per_burst_of_429s() -> None:
    """Multiplicative decrease, once for requests sent before the cut; again for one sent after it."""
    control = Concurrency(16, maximum=64)
    sent = [control.started() for _ in range(16)]
    assert control.throttled(sent[3]) is True
    assert control.limit == 8
    assert control.throttled(sent[5]) is False  # same burst: sent before the cut
    assert control.limit == 8
    later = control.started()
    assert control.throttled(later) is True
    assert control.limit == 4
    for _ in range(5):
        control.throttled(control.started())
    assert control.limit == 1


def test_after_a_429_the_limit_recovers_fast_and_probes_that_level_patiently() -> None:
    """Back below the 429's level one per success; that level only after `patience` windows, then less often."""
    control = Concurrency(8, maximum=64, base_patience=3)
    assert control.throttled(control.started()) is True
    assert (control.limit, control.ceiling) == (4, 8)
    for _ in range(3):
        control.succeeded(control.limit)
    assert control.limit == 7
    for _ in range(7 * 3 - 1):
        control.succeeded(control.limit)
    assert control.limit == 7
    control.succeeded(control.limit)
    assert control.limit == 8
    control.throttled(control.started())
    assert control.patience == 12  # the same level met a 429 twice: probed 4 times less often
    assert control.limit == 4


def test_the_level_of_a_429_is_probed_only_after_many_of_its_pauses() -> None:
    """Patient in answers is not enough: the probe also waits PROBE_COST times the pause the 429 set."""
    now = [100.0]
    control = Concurrency(8, maximum=64, base_patience=1, clock=lambda: now[0])
    control.throttled(control.started(), pause=2.0)
    for _ in range(3 + 7 * 5):  # back to 7 (one per success), then five windows of 7: patience 1 is long past
        control.succeeded(control.limit)
    assert control.limit == 7
    now[0] = 100.0 + PROBE_COST * 2.0 - 0.01
    control.succeeded(control.limit)
    assert control.limit == 7
    now[0] = 100.0 + PROBE_COST * 2.0
    control.succeeded(control.limit)
    assert control.limit == 8
    control.throttled(control.started(), rate_limited=False, pause=60.0)  # a 503 says nothing of a level
    assert control.probe_after == 100.0 + PROBE_COST * 2.0


def test_a_good_window_at_the_old_level_forgets_it_and_a_503_sets_none() -> None:
    """Past the probe, growth is one per window again; a 503 halves without remembering a limit."""
    control = Concurrency(2, maximum=64, base_patience=2)
    control.throttled(control.started())
    assert (control.limit, control.ceiling) == (1, 2)
    for _ in range(2):
        control.succeeded(control.limit)
    assert control.limit == 2
    for _ in range(2):
        control.succeeded(control.limit)
    assert (control.limit, control.ceiling, control.patience) == (3, None, 2)
    control.throttled(control.started(), rate_limited=False)
    assert (control.limit, control.ceiling) == (1, None)


def test_successes_below_the_limit_do_not_grow_it() -> None:
    """A run that does not use its limit (held by a pause, a cap, a short queue) keeps it."""
    control = Concurrency(4, maximum=64)
    for _ in range(20):
        control.succeeded(in_flight=2)
    assert control.limit == 4
    for _ in range(4):
        control.succeeded(in_flight=4)
    assert control.limit == 5


def test_the_pause_holds_every_request_and_keeps_the_longest() -> None:
    """A Retry-After pauses all starts; a shorter one does not shorten it."""
    gate = Gate()
    gate.pause(100.0, 2.0)
    gate.pause(100.5, 0.5)
    assert gate.wait(101.0, 0) == 1.0
    assert gate.wait(102.0, 0) == 0.0


def test_the_requests_per_minute_cap_spaces_starts() -> None:
    """The N+1th start in a minute waits for the first one to leave the window."""
    gate = Gate(requests_per_minute=3)
    for t in (0.0, 1.0, 2.0):
        assert gate.wait(t, 0) == 0.0
        gate.started(t, 0)
    assert gate.wait(10.0, 0) == WINDOW - 10.0
    assert gate.wait(WINDOW + 0.5, 0) == 0.0


def test_the_tokens_per_minute_cap_counts_actual_tokens() -> None:
    """Estimates reserve tokens; the actual count replaces them when the answer arrives."""
    gate = Gate(tokens_per_minute=1000)
    entry = gate.started(0.0, 900)
    assert gate.wait(1.0, 200) == WINDOW - 1.0
    Gate.settle(entry, 300)
    assert gate.wait(1.0, 200) == 0.0


def test_the_budget_reserves_in_flight_requests_at_the_largest_cost() -> None:
    """One request at a time until a cost is known; then spent + in flight x largest cost must fit."""
    budget = Budget(Decimal("1.0"))
    assert budget.allows_one_more()
    budget.reserve()
    assert not budget.allows_one_more()
    budget.settle(Decimal("0.25"))
    budget.reserve()
    budget.reserve()
    assert budget.allows_one_more()  # 0.25 spent + 3 x 0.25 = 1.0
    budget.reserve()
    assert not budget.allows_one_more()
    assert Budget(None).allows_one_more()
