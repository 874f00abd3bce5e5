"""Fixtures for the CLI tests: one emulator on a loopback port for the session, reset for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from aimlapi_grok.testing import EmulatorServer, run_emulator

from .cli_support import CLI_KEY


@pytest.fixture(scope="session")
def _emulator_server() -> Iterator[EmulatorServer]:
    with run_emulator(api_key=CLI_KEY) as server:
        yield server


@pytest.fixture
def emulator(_emulator_server: EmulatorServer) -> EmulatorServer:
    """The session's emulator (accepting only CLI_KEY), with no recorded requests and no queued faults."""
    _emulator_server.reset()
    return _emulator_server
