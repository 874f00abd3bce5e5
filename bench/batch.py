"""Batch: 10,000 requests over loopback, `run_batch` against a plain `asyncio.gather` + `Semaphore` loop.

- throughput: the same AsyncGrok, the same concurrency (run_batch's ceiling set
  to it), the emulator in its own process; the journal on disk and in memory;
  the best of two rounds in alternating order (the machine may be shared);
- the time spent committing the journal, measured around each commit;
- under a rate limit (the emulator answers 429 + Retry-After past N concurrent
  requests per key): the 429s met and the wall time of run_batch (starting
  above the limit, adapting) against a fixed-concurrency loop whose client
  retries each 429 after its Retry-After.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

from ._report import Row, verdict
from .concurrency import API_KEY, emulator_process

THROUGHPUT = "Batch over loopback: throughput (higher is better)"
JOURNAL = "Batch: time spent committing the journal, per request (lower is better)"
LIMITED = "Batch under a rate limit: 429s met (lower is better)"
CONCURRENCY = 32
LIMIT = 8  # concurrent requests per key in the rate-limited case
SLOW_SECONDS = 0.1  # every answer's latency in the rate-limited case (real completions take seconds)
CLIENT_TIMEOUT = 120.0


def _lines(count: int) -> list[dict[str, Any]]:
    return [
        {"custom_id": f"req-{i:05d}", "messages": [{"role": "user", "content": f"Label item {i} in one word."}]}
        for i in range(count)
    ]


async def _gather_loop(
    base_url: str, lines: list[dict[str, Any]], concurrency: int, max_retries: int
) -> dict[str, Any]:
    from aimlapi_grok import AsyncGrok, RateLimitError

    semaphore = asyncio.Semaphore(concurrency)
    met_429 = 0

    async def one(line: dict[str, Any]) -> None:
        nonlocal met_429
        async with semaphore:
            try:
                result = await client.chat.completions.create(messages=line["messages"], max_retries=max_retries)
                met_429 += result.retries  # the only retried answers here are 429s
            except RateLimitError as exc:
                met_429 += exc.retries + 1
                raise

    async with AsyncGrok(api_key=API_KEY, base_url=base_url, timeout=CLIENT_TIMEOUT) as client:
        started = time.perf_counter()
        results = await asyncio.gather(*(one(line) for line in lines), return_exceptions=True)
        elapsed = time.perf_counter() - started
    failures = sum(1 for r in results if isinstance(r, BaseException))
    return {"elapsed": elapsed, "ok": len(lines) - failures, "met_429": met_429}


async def _batch(base_url: str, lines: list[dict[str, Any]], journal: str, start: int, ceiling: int) -> dict[str, Any]:
    from aimlapi_grok import AsyncGrok
    from aimlapi_grok.batch import Journal, check_records, run_batch

    class TimedJournal(Journal):
        """Counts the time spent committing (the journal's cost on the event loop)."""

        commit_seconds = 0.0

        def commit(self, outcomes: Any, starting: Any) -> None:
            began = time.perf_counter()
            super().commit(outcomes, starting)
            self.commit_seconds += time.perf_counter() - began

    parsed = check_records(list(enumerate(lines, start=1)))  # checked outside the timing (as the CLI does first)
    with TimedJournal(journal) as timed:
        async with AsyncGrok(api_key=API_KEY, base_url=base_url, timeout=CLIENT_TIMEOUT) as client:
            started = time.perf_counter()
            report = await run_batch(
                client, parsed, journal=timed, concurrency=start, max_concurrency=ceiling, max_attempts=100
            )
            elapsed = time.perf_counter() - started
    return {
        "elapsed": elapsed,
        "ok": report.done,
        "met_429": report.rate_limited,
        "final": report.final_concurrency,
        "commit_s": timed.commit_seconds,
    }


def _throughput(count: int, results_dir: Path, rounds: int) -> list[Row]:
    """Each case `rounds` times, in alternating order; the fastest run of each counts (the machine is shared)."""
    lines = _lines(count)
    runs: dict[str, list[dict[str, Any]]] = {"plain": [], "disk": [], "memory": []}
    with emulator_process(results_dir / "emulator-batch.log") as base_url, tempfile.TemporaryDirectory() as tmp:
        asyncio.run(_gather_loop(base_url, lines[: min(200, count)], CONCURRENCY, 0))  # warm-up
        for number in range(rounds):
            order = ["plain", "disk", "memory"] if number % 2 == 0 else ["memory", "disk", "plain"]
            for case in order:
                if case == "plain":
                    result = asyncio.run(_gather_loop(base_url, lines, CONCURRENCY, 0))
                else:
                    journal = ":memory:" if case == "memory" else str(Path(tmp) / f"j{number}.db")
                    result = asyncio.run(_batch(base_url, lines, journal, CONCURRENCY, CONCURRENCY))
                runs[case].append(result)
    plain, on_disk, in_memory = (min(runs[case], key=lambda r: r["elapsed"]) for case in ("plain", "disk", "memory"))
    floor = count / plain["elapsed"]
    rows = [
        Row(
            THROUGHPUT,
            "asyncio.gather + Semaphore (same AsyncGrok)",
            floor,
            "req/s",
            detail=f"{plain['ok']}/{count} ok in {plain['elapsed']:.2f} s, concurrency {CONCURRENCY}",
        )
    ]
    for name, result in (("run_batch, journal on disk (WAL)", on_disk), ("run_batch, journal in memory", in_memory)):
        rate = count / result["elapsed"]
        ratio = rate / floor
        rows.append(
            Row(
                THROUGHPUT,
                name,
                rate,
                "req/s",
                ratio=ratio,
                target=">= 0.9x",
                verdict=verdict(ratio, at_least=0.9),
                detail=f"{result['ok']}/{count} done in {result['elapsed']:.2f} s",
            )
        )
    for name, result in (("SQLite file (WAL, synchronous=NORMAL)", on_disk), ("SQLite in memory", in_memory)):
        share = result["commit_s"] / result["elapsed"] * 100
        rows.append(
            Row(
                JOURNAL,
                name,
                result["commit_s"] / count * 1e6,
                "us/req",
                detail=f"{result['commit_s']:.2f} s committing of {result['elapsed']:.1f} s ({share:.1f}%);"
                " one commit per event-loop turn (its results + the next requests marked in flight)",
            )
        )
    return rows


def _journal_alone(count: int) -> list[Row]:
    """The journal without the network: register `count` requests, then commit them in flight and done, 5 a step."""
    from decimal import Decimal

    from aimlapi_grok.batch import Journal, Outcome, check_records

    parsed = check_records([(i, line) for i, line in enumerate(_lines(count), start=1)])
    ids = [request.custom_id for request in parsed.requests]
    body = (
        '{"id": "chatcmpl-1", "object": "chat.completion", "choices": [{"message": {"content": "' + "w " * 450 + '"}}]}'
    )
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, path in (
            ("SQLite file (WAL), no network", str(Path(tmp) / "j.db")),
            ("SQLite in memory, no network", ":memory:"),
        ):
            with Journal(path) as journal:
                started = time.perf_counter()
                journal.register(parsed.requests)
                previous: list[str] = []
                for index in range(0, count + 5, 5):
                    step = ids[index : index + 5]
                    done = [
                        Outcome(
                            cid,
                            "done",
                            status_code=200,
                            raw_body=body,
                            usd_spent=Decimal("0.0000526"),
                            credits_used=263,
                        )
                        for cid in previous
                    ]
                    journal.commit(done, step)
                    previous = step
                elapsed = time.perf_counter() - started
            rows.append(
                Row(
                    JOURNAL,
                    name,
                    elapsed / count * 1e6,
                    "us/req",
                    detail=f"{count} registered, then committed in flight and done (~1 KB answers), 5 per step:"
                    f" {elapsed:.2f} s",
                )
            )
    return rows


def _rate_limited(count: int, results_dir: Path) -> list[Row]:
    from aimlapi_grok.batch._control import DEFAULT_CONCURRENCY, DEFAULT_MAX_CONCURRENCY

    lines = _lines(count)
    options = ("--concurrent-requests", str(LIMIT), "--faults", "slow=1.0", "--slow-seconds", str(SLOW_SECONDS))
    log = results_dir / "emulator-batch-limited.log"
    with emulator_process(log, *options) as base_url:
        fixed = asyncio.run(_gather_loop(base_url, lines, CONCURRENCY, 100))
    with emulator_process(log, *options) as base_url, tempfile.TemporaryDirectory() as tmp:
        journal = str(Path(tmp) / "j.db")
        adaptive = asyncio.run(_batch(base_url, lines, journal, DEFAULT_CONCURRENCY, DEFAULT_MAX_CONCURRENCY))
    ratio = adaptive["met_429"] / fixed["met_429"] if fixed["met_429"] else None
    passed = ratio is not None and ratio <= 0.25 and adaptive["elapsed"] <= fixed["elapsed"]
    setting = f"limit {LIMIT} concurrent per key, {SLOW_SECONDS * 1e3:g} ms answers, Retry-After 1 s"
    return [
        Row(
            LIMITED,
            f"asyncio.gather + Semaphore({CONCURRENCY}), client retries 429s",
            fixed["met_429"],
            "429s",
            detail=f"{fixed['ok']}/{count} ok in {fixed['elapsed']:.1f} s; {setting}",
        ),
        Row(
            LIMITED,
            f"run_batch defaults (AIMD from {DEFAULT_CONCURRENCY}, ceiling {DEFAULT_MAX_CONCURRENCY})",
            adaptive["met_429"],
            "429s",
            ratio=ratio,
            target="<= 0.25x, wall <= fixed",
            verdict="PASS" if passed else "MISS",
            detail=f"{adaptive['ok']}/{count} done in {adaptive['elapsed']:.1f} s (fixed loop:"
            f" {fixed['elapsed']:.1f} s), ends at concurrency {adaptive['final']}",
        ),
    ]


def run(*, quick: bool, results_dir: Path) -> list[Row]:
    results_dir.mkdir(parents=True, exist_ok=True)
    count = 300 if quick else 10_000
    try:
        return (
            _throughput(count, results_dir, 1 if quick else 2)
            + _journal_alone(count)
            + _rate_limited(count // 10 if not quick else 100, results_dir)
        )
    except RuntimeError as exc:
        return [Row(THROUGHPUT, "emulator", None, "", detail=str(exc))]
