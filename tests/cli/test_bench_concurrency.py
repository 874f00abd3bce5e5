"""The async benchmark's repeated runs: the judged figures come from the right run."""

from __future__ import annotations

from typing import Any

from bench.concurrency import combined


def result(elapsed: float, peak: int, cpu: float = 1.0) -> dict[str, Any]:
    """One worker's result line, as `bench._async_worker` prints it."""
    return {
        "elapsed_s": elapsed, "cpu_s": cpu, "chunks": 400, "streams_ok": 10, "errors": [], "error_count": 0,
        "baseline_rss_kib": peak // 2, "peak_rss_kib": peak,
    }  # fmt: skip


def test_runs_combine_into_the_median_time_and_the_median_memory() -> None:
    """Throughput and CPU come from the median run by wall time, peak RSS (and its baseline) from the median by peak."""
    runs = [result(3.2, 900, cpu=3.0), result(2.9, 700, cpu=2.8), result(3.5, 800, cpu=3.1)]
    merged = combined(runs)
    assert (merged["elapsed_s"], merged["cpu_s"], merged["peak_rss_kib"], merged["baseline_rss_kib"]) == (
        3.2,
        3.0,
        800,
        400,
    )
    assert (merged["runs"], merged["fastest_s"]) == (3, 2.9)


def test_an_even_number_of_runs_takes_the_lower_median() -> None:
    """With four runs the second fastest (and the second smallest peak) stands for them: no run is invented."""
    merged = combined([result(4.0, 400), result(1.0, 100), result(3.0, 300), result(2.0, 200)])
    assert (merged["elapsed_s"], merged["peak_rss_kib"], merged["fastest_s"]) == (2.0, 200, 1.0)


def test_one_failed_run_fails_the_combination() -> None:
    """A run that failed is reported, never hidden behind a better run."""
    failure = {"failure": "worker exit 1: boom"}
    assert combined([result(2.0, 500), failure, result(1.0, 400)]) == failure


def test_a_single_run_is_itself() -> None:
    """One run combines into itself (with `runs` = 1, and itself as the fastest)."""
    one = result(1.5, 600)
    assert combined([one]) == {**one, "runs": 1, "fastest_s": 1.5}
