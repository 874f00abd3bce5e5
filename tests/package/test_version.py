"""The version is written once and every place that shows it agrees."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version

import aimlapi_grok


def test_installed_metadata_matches_package_version() -> None:
    """The installed distribution's version is the one `aimlapi_grok.__version__` holds."""
    assert version("aimlapi-grok") == aimlapi_grok.__version__


def test_cli_version_matches_package_version() -> None:
    """`aimlapi-grok --version` prints the package version."""
    out = subprocess.run(
        [sys.executable, "-c", "from aimlapi_grok._cli import main; main(['--version'])"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["aimlapi-grok", aimlapi_grok.__version__]


def test_cli_help_states_the_library_default_timeout() -> None:
    """The `--timeout` help of `chat` and `batch run` shows the client's own default, not a copy of it."""
    from aimlapi_grok._constants import DEFAULT_TIMEOUT

    for command in (["chat", "--help"], ["batch", "run", "--help"]):
        out = subprocess.run(
            [sys.executable, "-c", f"from aimlapi_grok._cli import main; main({command!r})"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert out.returncode == 0, out.stderr
        assert f"(default {DEFAULT_TIMEOUT:g})" in " ".join(out.stdout.split()), command
