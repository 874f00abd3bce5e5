"""Fixtures of the end-to-end tests: clients bound to the loopback emulator of the pytest plugin.

The `grok_emulator` fixture comes from aimlapi_grok.testing's pytest plugin
(one uvicorn server per session on 127.0.0.1, reset before each test).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from aimlapi_grok import AsyncGrok, Grok
from aimlapi_grok.testing import EmulatorServer

from .e2e_support import CLIENT_TIMEOUT


@pytest.fixture
def make_client(grok_emulator: EmulatorServer) -> Iterator[Callable[..., Grok]]:
    """Grok clients bound to the emulator (closed after the test); keyword arguments override defaults."""
    made: list[Grok] = []

    def make(**options: Any) -> Grok:
        settings = {"api_key": grok_emulator.api_key, "base_url": grok_emulator.base_url, "timeout": CLIENT_TIMEOUT}
        client = Grok(**{**settings, **options})
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
async def make_async_client(grok_emulator: EmulatorServer) -> AsyncIterator[Callable[..., AsyncGrok]]:
    """AsyncGrok clients bound to the emulator (closed after the test)."""
    made: list[AsyncGrok] = []

    def make(**options: Any) -> AsyncGrok:
        settings = {"api_key": grok_emulator.api_key, "base_url": grok_emulator.base_url, "timeout": CLIENT_TIMEOUT}
        client = AsyncGrok(**{**settings, **options})
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()
