"""Showing a run: a `rich` progress bar on a terminal, one plain line every few seconds otherwise.

`rich` is optional (extra ``batch``): without it a terminal gets the plain lines too.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import Any, Protocol, TextIO

from ._report import BatchProgress

PLAIN_INTERVAL = 5.0  # seconds between plain progress lines


class ProgressDisplay(Protocol):
    def __call__(self, progress: BatchProgress) -> None: ...

    def __enter__(self) -> ProgressDisplay: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...


def describe(progress: BatchProgress) -> str:
    """One line: counts, rates, spend, concurrency and ETA."""
    eta = progress.eta_seconds
    eta_text = "n/a" if eta is None else f"{eta:.0f} s"
    return (
        f"{progress.done + progress.failed}/{progress.total} ({progress.done} done, {progress.failed} failed,"
        f" {progress.in_flight} in flight) | {progress.requests_per_second:.1f} req/s,"
        f" {progress.tokens_per_second:.0f} tok/s | ${progress.usd_spent:f} | concurrency {progress.concurrency}"
        f" | 429s {progress.rate_limited} | eta {eta_text}"
    )


class PlainProgress:
    """A line on `out` at most every `interval` seconds (and the last one at the end)."""

    def __init__(self, out: TextIO, interval: float = PLAIN_INTERVAL) -> None:
        self._out = out
        self._interval = interval
        self._last = 0.0
        self._latest: BatchProgress | None = None
        self._shown: BatchProgress | None = None

    def __call__(self, progress: BatchProgress) -> None:
        self._latest = progress
        now = time.monotonic()
        if now - self._last >= self._interval:
            self._last = now
            self._write(progress)

    def _write(self, progress: BatchProgress) -> None:
        self._shown = progress
        self._out.write(f"batch: {describe(progress)}\n")
        self._out.flush()

    def __enter__(self) -> PlainProgress:
        self._last = time.monotonic()  # the first line after one interval, not at once
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._latest is not None and self._latest is not self._shown:
            self._write(self._latest)


class RichProgress:
    """A rich progress bar with the counts, rates, spend, concurrency and ETA."""

    def __init__(self, out: TextIO) -> None:
        # Imported here: rich is optional (the batch extra); without it progress is plain lines.
        from rich.console import Console  # noqa: PLC0415

        # Imported here: rich is optional (the batch extra); without it progress is plain lines.
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn  # noqa: PLC0415

        self._progress = Progress(
            TextColumn("[bold]batch"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[detail]}"),
            console=Console(file=out),
            transient=False,
        )
        self._task: Any = None

    def __call__(self, progress: BatchProgress) -> None:
        detail = (
            f"{progress.done} ok {progress.failed} failed {progress.in_flight} in flight |"
            f" {progress.requests_per_second:.1f} req/s {progress.tokens_per_second:.0f} tok/s |"
            f" ${progress.usd_spent:f} | conc {progress.concurrency} | 429s {progress.rate_limited}"
        )
        if self._task is None:
            self._task = self._progress.add_task("batch", total=progress.total, detail=detail)
        self._progress.update(self._task, completed=progress.done + progress.failed, detail=detail)

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.stop()


class NoProgress:
    """--quiet: nothing."""

    def __call__(self, progress: BatchProgress) -> None:
        return None

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


def progress_display(out: TextIO, *, quiet: bool, interval: float = PLAIN_INTERVAL) -> ProgressDisplay:
    """Rich on a terminal (when installed), plain lines otherwise, nothing when quiet."""
    if quiet:
        return NoProgress()
    if out.isatty():
        try:
            return RichProgress(out)
        except ImportError:
            pass  # rich is optional: plain lines instead
    return PlainProgress(out, interval)
