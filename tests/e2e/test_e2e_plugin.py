"""The kit as an app uses it: the pytest plugin's fixtures in another project's test run, and serve()
(what `aimlapi-grok emulator --port N` runs) in its own process."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx

from .e2e_support import emulated_text

APP_TESTS = """
from aimlapi_grok.testing import Fault


def test_sync_fixture(grok_client, grok_emulator):
    assert grok_client.ask("from an app").startswith("Emulated answer to: from an app.")
    assert len(grok_emulator.requests) == 1


def test_emulator_is_reset_between_tests(grok_emulator):
    assert grok_emulator.requests == []
    grok_emulator.script([Fault(status=503)])


def test_script_does_not_leak(grok_emulator):
    assert grok_emulator.emulator.pending_faults == []


async def test_async_fixture(async_grok_client):
    assert (await async_grok_client.ask("async app")).startswith("Emulated answer to: async app.")
"""


def test_the_plugin_fixtures_work_in_an_apps_own_test_run(tmp_path: Path) -> None:
    """A fresh pytest run in another directory gets grok_emulator / grok_client / async_grok_client from the
    entry-point plugin (no conftest needed), with the emulator reset between tests."""
    (tmp_path / "test_app.py").write_text(textwrap.dedent(APP_TESTS), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "asyncio_mode=auto", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


USER_CLI = [{"role": "user", "content": "cli"}]


def test_serve_runs_an_emulator_in_the_foreground_until_stopped() -> None:
    """serve(host, port) answers on that port in its own process and shuts down cleanly on SIGTERM."""
    port = _free_port()
    code = f"from aimlapi_grok.testing import serve; serve('127.0.0.1', {port}, log_level='warning')"
    # The with block closes the pipes (an unclosed one is a ResourceWarning, an error under filterwarnings).
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    response = httpx.post(
                        f"http://127.0.0.1:{port}/chat/completions",
                        json={"model": "x-ai/grok-4-1-fast-reasoning", "messages": USER_CLI},
                        headers={"Authorization": "Bearer any"},
                        timeout=5,
                    )
                    break
                except httpx.ConnectError:
                    assert process.poll() is None, process.stderr.read() if process.stderr else ""
                    assert time.monotonic() < deadline, "serve() did not start listening within 15 s"
                    time.sleep(0.05)
            assert response.json()["choices"][0]["message"]["content"] == emulated_text("cli")
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        stderr = process.stderr.read() if process.stderr else b""
    # uvicorn shuts down gracefully, then re-raises the signal it caught, so the exit status is SIGTERM's.
    assert process.returncode in (0, -signal.SIGTERM)
    assert b"Traceback" not in stderr
