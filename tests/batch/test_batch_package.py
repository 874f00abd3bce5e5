"""The batch package surface and its displays: sorted lazy exports, a light main import, rich or plain progress."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from decimal import Decimal

import aimlapi_grok.batch as batch
from aimlapi_grok.batch import BatchProgress
from aimlapi_grok.batch._progress import NoProgress, PlainProgress, RichProgress, describe, progress_display

SNAPSHOT = BatchProgress(
    total=10,
    done=4,
    failed=1,
    in_flight=2,
    concurrency=8,
    usd_spent=Decimal("0.0001"),
    tokens=500,
    rate_limited=3,
    elapsed=2.0,
    finished_this_run=5,
)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_batch_all_is_sorted_and_every_name_resolves() -> None:
    """`aimlapi_grok.batch.__all__` is sorted, unique, and each name loads from a private module."""
    assert batch.__all__ == sorted(set(batch.__all__))
    for name in batch.__all__:
        assert getattr(batch, name).__module__.startswith("aimlapi_grok.batch._"), name


def test_import_aimlapi_grok_loads_neither_the_batch_package_nor_sqlite() -> None:
    """The batch machinery is imported only when used."""
    code = "import sys, aimlapi_grok\nprint([m for m in ('aimlapi_grok.batch', 'sqlite3') if m in sys.modules])"
    # Not measured by coverage: its data file is SQLite, so a measured process always has sqlite3 loaded.
    env = {name: value for name, value in os.environ.items() if not name.startswith("COVERAGE_")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "[]"


def test_the_plain_line_says_counts_rates_spend_concurrency_and_eta() -> None:
    """One line with done/failed/in flight, req/s, tok/s, USD, concurrency, 429s and ETA."""
    line = describe(SNAPSHOT)
    assert line.startswith("5/10 (4 done, 1 failed, 2 in flight)")
    for part in ("2.5 req/s", "250 tok/s", "$0.0001", "concurrency 8", "429s 3", "eta 2 s"):
        assert part in line


def test_a_terminal_gets_rich_a_pipe_gets_plain_lines_and_quiet_gets_nothing() -> None:
    """The display follows the stream: rich bar on a TTY, throttled plain lines otherwise, none when quiet."""
    terminal = _Terminal()
    with progress_display(terminal, quiet=False) as shown:
        assert isinstance(shown, RichProgress)
        shown(SNAPSHOT)
    assert "4 ok 1 failed 2 in flight" in terminal.getvalue()
    pipe = io.StringIO()
    with progress_display(pipe, quiet=False, interval=3600) as plain:
        assert isinstance(plain, PlainProgress)
        plain(SNAPSHOT)
        plain(SNAPSHOT)
        assert pipe.getvalue() == ""  # the first line only after one interval...
    assert pipe.getvalue().count("\n") == 1  # ... or at the end
    assert isinstance(progress_display(_Terminal(), quiet=True), NoProgress)
