"""pytest fixtures backed by the emulator: `grok_emulator`, `grok_client`, `async_grok_client`.

Loaded in every pytest run where aimlapi-grok is installed (entry point
`pytest11`), so this module imports nothing beyond pytest at import time; the
fixtures import the emulator (the `testing` extra) only when a test uses them.

- `grok_emulator`: an emulator served on a loopback port (one server per
  session, reset before each test), an `EmulatorServer`;
- `grok_client` / `async_grok_client`: a `Grok` / `AsyncGrok` bound to it
  (`max_retries=2`, a 30 s timeout); the async one needs pytest-asyncio.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from aimlapi_grok._client import Grok
    from aimlapi_grok.testing._server import EmulatorServer

CLIENT_TIMEOUT = 30.0


@pytest.fixture(scope="session")
def grok_emulator_server() -> Iterator[EmulatorServer]:
    """One emulator server for the whole session (use `grok_emulator`, which resets it per test)."""
    # Imported here: the pytest plugin loads in every pytest session: the server (~90 ms) waits for a fixture.
    from aimlapi_grok.testing._server import run_emulator  # noqa: PLC0415

    with run_emulator() as server:
        yield server


@pytest.fixture
def grok_emulator(grok_emulator_server: EmulatorServer) -> EmulatorServer:
    """A running loopback emulator with no recorded requests and no queued faults."""
    grok_emulator_server.reset()
    return grok_emulator_server


@pytest.fixture
def grok_client(grok_emulator: EmulatorServer) -> Iterator[Grok]:
    """A `Grok` client bound to `grok_emulator`."""
    # Imported here: the pytest plugin loads in every pytest session: the client waits for a fixture.
    from aimlapi_grok._client import Grok  # noqa: PLC0415

    with Grok(api_key=grok_emulator.api_key, base_url=grok_emulator.base_url, timeout=CLIENT_TIMEOUT) as client:
        yield client


if importlib.util.find_spec("pytest_asyncio") is not None:
    import pytest_asyncio

    @pytest_asyncio.fixture
    async def async_grok_client(grok_emulator: EmulatorServer) -> Any:
        """An `AsyncGrok` client bound to `grok_emulator`."""
        # Imported here: the pytest plugin loads in every pytest session: the client waits for a fixture.
        from aimlapi_grok._async_client import AsyncGrok  # noqa: PLC0415

        async with AsyncGrok(
            api_key=grok_emulator.api_key, base_url=grok_emulator.base_url, timeout=CLIENT_TIMEOUT
        ) as client:
            yield client

else:

    @pytest.fixture
    def async_grok_client() -> None:
        """Needs pytest-asyncio (`pip install pytest-asyncio`), which is not installed."""
        raise pytest.UsageError("the async_grok_client fixture needs pytest-asyncio: pip install pytest-asyncio")
