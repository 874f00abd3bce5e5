"""Names shared by the `aimlapi-grok` command modules: exit statuses and the usage error."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

PROG = "aimlapi-grok"

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_API_ERROR = 3
EXIT_NETWORK_ERROR = 4
EXIT_INTERRUPTED = 130


class UsageError(Exception):
    """A command line that cannot run (the message says why); exit status 2."""


@contextlib.contextmanager
def offline_emulator() -> Iterator[tuple[str, str]]:
    """(base URL, key) of an emulator on a loopback port, started for the duration (`--offline`)."""
    try:
        # Imported here: the emulator server (Starlette, uvicorn: ~90 ms) loads only for --offline / emulator.
        from .testing import run_emulator  # noqa: PLC0415
    except ImportError as exc:
        raise UsageError(
            f"--offline needs the testing extra ({exc.name or exc}): pip install 'aimlapi-grok[testing]'"
        ) from None
    with run_emulator() as emulator:
        yield emulator.base_url, emulator.api_key
