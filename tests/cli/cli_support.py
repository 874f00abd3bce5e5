"""Helpers for the CLI tests: run `aimlapi-grok` in a subprocess, build its arguments, find a closed port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Sequence

from aimlapi_grok.testing import EmulatorServer

CLI_KEY = "cli-test-key-0123456789"
CLI = [sys.executable, "-m", "aimlapi_grok._cli"]
TIMEOUT = 60


def cli_env(api_key: str | None = CLI_KEY) -> dict[str, str]:
    """The environment for a CLI subprocess: the key given (or none), no base URL from outside."""
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_API_KEY", "AIMLAPI_BASE_URL")}
    if api_key is not None:
        env["AIMLAPI_API_KEY"] = api_key
    env["PYTHONUNBUFFERED"] = "1"
    return env


def run_cli(
    *args: str, api_key: str | None = CLI_KEY, stdin: str = "", timeout: float = TIMEOUT
) -> subprocess.CompletedProcess[str]:
    """Run `aimlapi-grok ARGS` to its end; stdin is a pipe (never a terminal) holding `stdin`."""
    return subprocess.run(
        [*CLI, *args], input=stdin, capture_output=True, text=True, env=cli_env(api_key), timeout=timeout, check=False
    )


def start_cli(*args: str, api_key: str | None = CLI_KEY) -> subprocess.Popen[bytes]:
    """Start `aimlapi-grok ARGS` with piped stdout/stderr (the caller ends and reaps it)."""
    return subprocess.Popen(
        [*CLI, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(api_key)
    )


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chat_args(emulator: EmulatorServer, *extra: str, prompt: Sequence[str] = ("Say hello.",)) -> list[str]:
    """`chat --base-url <emulator> --max-retries 0 EXTRA PROMPT`."""
    return ["chat", "--base-url", emulator.base_url, "--max-retries", "0", *extra, *prompt]
