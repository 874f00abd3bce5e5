"""Timing helpers: interleaved rounds so every case sees the same machine conditions.

The clock is this process's CPU time (time.process_time), not wall time: the
cases are CPU-bound (a MockTransport does no I/O), and CPU time does not count
the moments other processes hold the core, so a busy machine skews it far less.
Many short rounds, rotated across the cases, and the best round per case is the
figure (as `timeit` advises: slower rounds measure interference from elsewhere,
such as a neighbour on the sibling hyperthread, not the code); the median is
kept alongside.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Case:
    """One contender: `setup()` returns (the operation to time, a teardown)."""

    name: str
    setup: Callable[[], tuple[Callable[[], object], Callable[[], None]]]
    note: str = ""


@dataclass
class Timings:
    """Seconds per operation, one sample per round, or the reason the case could not run."""

    name: str
    samples: list[float] = field(default_factory=list)
    error: str | None = None
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def best(self) -> float:
        return min(self.samples)


def run_interleaved(cases: list[Case], *, rounds: int, ops_per_round: int, warmup: int) -> list[Timings]:
    """Time each case's operation `ops_per_round` times per round, rotating the case order each round."""
    prepared: list[tuple[Timings, Callable[[], object] | None]] = []
    teardowns: list[Callable[[], None]] = []
    for case in cases:
        timings = Timings(case.name, note=case.note)
        try:
            operation, teardown = case.setup()
            teardowns.append(teardown)
            for _ in range(warmup):
                operation()
        except Exception as exc:  # a contender that cannot run is reported, not fatal
            timings.error = f"{type(exc).__name__}: {exc}"
            prepared.append((timings, None))
            continue
        prepared.append((timings, operation))
    try:
        for round_index in range(rounds):
            shift = round_index % len(prepared)
            for timings, timed in prepared[shift:] + prepared[:shift]:
                if timed is None or timings.error is not None:
                    continue
                gc.collect()
                try:
                    start = time.process_time()
                    for _ in range(ops_per_round):
                        timed()
                    elapsed = time.process_time() - start
                except Exception as exc:
                    timings.error = f"{type(exc).__name__}: {exc}"
                    continue
                timings.samples.append(elapsed / ops_per_round)
    finally:
        for teardown in teardowns:
            teardown()
    return [timings for timings, _ in prepared]
