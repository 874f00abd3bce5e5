"""Fixtures for every test: each starts with an empty drift registry, whatever ran before it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

# Private on purpose: forgetting what was reported is for tests only (the package has no public door for it).
from aimlapi_grok._drift import reset_drift_reports


@pytest.fixture(autouse=True)
def _fresh_drift_reports() -> Iterator[None]:
    """A deviation is reported once per process: reset, so whether a test sees a DriftWarning never depends on order."""
    reset_drift_reports()
    yield
    reset_drift_reports()
