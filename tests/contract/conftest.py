"""Fixtures of the contract tests, and the summary of how many cases and examples ran."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from .contract_support import RUN_COUNTS


@pytest.fixture(scope="session")
def run_counts() -> Counter[str]:
    """Counters the contract tests add to; printed at the end of the run."""
    return RUN_COUNTS


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RUN_COUNTS:
        return
    terminalreporter.section("contract test counts")
    for name, count in sorted(RUN_COUNTS.items()):
        terminalreporter.write_line(f"{name}: {count}")
