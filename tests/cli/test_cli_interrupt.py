"""Ctrl-C: the chat stops cleanly (exit 130, connection closed, no traceback); the emulator command stops too."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import time

from aimlapi_grok.testing import EmulatorServer, Fault

from .cli_support import chat_args, closed_port, run_cli, start_cli


def _wait_for_output(proc: subprocess.Popen[bytes], timeout: float = 30.0) -> bytes:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ)
        assert selector.select(timeout=timeout), f"no output within {timeout} s"
    return os.read(proc.stdout.fileno(), 4096)


def _reap(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    try:
        return proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_ctrl_c_mid_stream_exits_130_and_closes_the_stream(emulator: EmulatorServer) -> None:
    """SIGINT while text is arriving: exit 130, 'interrupted', no traceback, and the server sees the client leave."""
    emulator.script([Fault(chunks=100, chunk_delay=0.2)])
    proc = start_cli(*chat_args(emulator))
    try:
        first = _wait_for_output(proc)
        assert first.strip()
        proc.send_signal(signal.SIGINT)
    finally:
        _, stderr = _reap(proc)
    assert proc.returncode == 130, stderr
    assert b"Traceback" not in stderr
    assert b"interrupted" in stderr
    record = emulator.requests[-1]
    assert record.wait_finished(10)
    assert record.disconnected
    assert not record.completed


def test_reader_going_away_ends_the_chat_quietly(emulator: EmulatorServer) -> None:
    """When stdout's reader closes the pipe mid-stream (`| head`), the CLI stops with 1 and no traceback."""
    emulator.script([Fault(chunks=200, chunk_delay=0.02)])
    proc = start_cli(*chat_args(emulator))
    assert proc.stdout is not None
    try:
        _wait_for_output(proc)
        proc.stdout.close()
        proc.wait(timeout=30)
    finally:
        _, stderr = _reap(proc)
    assert proc.returncode == 1
    assert b"Traceback" not in stderr
    assert b"Exception ignored" not in stderr


def test_emulator_command_serves_the_api_until_ctrl_c() -> None:
    """`aimlapi-grok emulator --port N` answers chat requests on that port, and Ctrl-C stops it with 130."""
    port = closed_port()
    proc = start_cli("emulator", "--host", "127.0.0.1", "--port", str(port), api_key=None)
    try:
        _wait_until_listening(port, proc)
        chat = run_cli("chat", "--base-url", f"http://127.0.0.1:{port}", "--max-retries", "0", "Hello there")
        assert chat.returncode == 0, chat.stderr
        assert "Hello there" in chat.stdout
        proc.send_signal(signal.SIGINT)
    finally:
        _, stderr = _reap(proc)
    assert proc.returncode == 130
    assert b"Traceback" not in stderr


def _wait_until_listening(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the emulator exited early"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise AssertionError(f"the emulator did not listen on port {port} within {timeout} s")
