"""Exit statuses and error messages of `aimlapi-grok chat`: usage (2), API (3), network (4); no key; no leak."""

from __future__ import annotations

import re
import sys

import pytest
from aimlapi_grok import APIConnectionError, APITimeoutError, ConfigurationError, GrokError
from aimlapi_grok._cli import main
from aimlapi_grok._cli_chat import describe_error, exit_status_for
from aimlapi_grok.testing import EmulatorServer, Fault

from .cli_support import chat_args, closed_port, run_cli

REQUEST_ID = re.compile(r"request id: [0-9a-f-]{36}")


def test_no_key_says_how_to_get_one_and_how_to_try_offline(emulator: EmulatorServer) -> None:
    """Without AIMLAPI_API_KEY (and without --offline): exit 2, the dashboard, the variable, the offline way."""
    proc = run_cli("chat", "--base-url", emulator.base_url, "hello", api_key=None)
    assert proc.returncode == 2
    for hint in ("AIMLAPI_API_KEY", "dashboard", "aimlapi-grok chat --offline", "make demo"):
        assert hint in proc.stderr
    assert proc.stdout == ""
    assert emulator.requests == []


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["frobnicate"],
        ["chat", "--max-tokens", "0", "hi"],
        ["chat", "--max-tokens", "many", "hi"],
        ["chat", "--reasoning-effort", "extreme", "hi"],
        ["chat", "--temperature", "nan", "hi"],
        ["chat", "--offline", "--base-url", "http://127.0.0.1:1", "hi"],
        ["emulator", "--port", "70000"],
    ],
    ids=["no-command", "unknown-command", "zero-tokens", "text-tokens", "bad-effort", "nan", "offline+url", "port"],
)
def test_bad_command_lines_exit_2_with_usage(args: list[str]) -> None:
    """Malformed command lines exit 2 and print the usage with the reason."""
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert "usage: aimlapi-grok" in proc.stderr
    assert "error:" in proc.stderr


def test_request_refused_before_sending_is_a_usage_error(emulator: EmulatorServer) -> None:
    """A temperature outside the spec's 0..2 exits 2 naming the field; nothing reaches the API."""
    proc = run_cli(*chat_args(emulator, "--temperature", "5"))
    assert proc.returncode == 2
    assert "RequestValidationError" in proc.stderr
    assert "temperature" in proc.stderr
    assert emulator.requests == []


def test_wrong_key_is_an_api_error_and_the_key_is_never_printed(emulator: EmulatorServer) -> None:
    """A 401 exits 3 with the error class and the request id; the key shows nowhere."""
    secret = "sk-wrong-secret-key-1234567890"
    proc = run_cli(*chat_args(emulator), api_key=secret)
    assert proc.returncode == 3
    assert "AuthenticationError" in proc.stderr
    assert REQUEST_ID.search(proc.stderr)
    assert secret not in proc.stderr + proc.stdout


def test_bad_request_status_is_an_api_error(emulator: EmulatorServer) -> None:
    """A 400 from the API exits 3 with BadRequestError, the API's message and its request id."""
    emulator.script([Fault(status=400)])
    proc = run_cli(*chat_args(emulator))
    assert proc.returncode == 3
    assert "BadRequestError: HTTP 400" in proc.stderr
    assert REQUEST_ID.search(proc.stderr)


def test_server_error_after_retries_reports_the_retry_count(emulator: EmulatorServer) -> None:
    """Two 503s with --max-retries 1: exit 3, InternalServerError, and the one retry taken is reported."""
    emulator.script([Fault(status=503, retry_after="0"), Fault(status=503, retry_after="0")])
    proc = run_cli(*chat_args(emulator)[:-3], "--max-retries", "1", "Say hello.")
    assert proc.returncode == 3
    assert "InternalServerError" in proc.stderr
    assert "retries: 1" in proc.stderr
    assert len(emulator.requests) == 2


def test_closed_port_is_a_network_error() -> None:
    """Nothing listening at the base URL: exit 4 with APIConnectionError."""
    proc = run_cli("chat", "--base-url", f"http://127.0.0.1:{closed_port()}", "--max-retries", "0", "hello")
    assert proc.returncode == 4
    assert "APIConnectionError" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_stream_cut_mid_way_is_a_network_error_keeping_the_partial_text(emulator: EmulatorServer) -> None:
    """A connection dropped mid-stream exits 4; the text that arrived stays on stdout and the error says how much."""
    emulator.script([Fault(chunks=20, drop_after=6)])
    proc = run_cli(*chat_args(emulator))
    assert proc.returncode == 4
    assert "StreamError" in proc.stderr
    partial = re.search(r"(\d+) characters arrived before the error", proc.stderr)
    assert partial is not None
    assert int(partial.group(1)) > 0
    assert proc.stdout.startswith("Emulated")
    assert not proc.stdout.endswith("\n")  # the partial text is left exactly as received...
    assert proc.stderr.startswith("\n")  # ...and the error starts on a line of its own


def test_error_event_in_the_stream_is_an_api_error(emulator: EmulatorServer) -> None:
    """An `error` object sent inside the stream exits 3 with StreamError (the API spoke, the network was fine)."""
    emulator.script([Fault(error_after=3)])
    proc = run_cli(*chat_args(emulator))
    assert proc.returncode == 3
    assert "StreamError" in proc.stderr


def test_error_text_masks_the_key() -> None:
    """Should a message ever contain the key, the CLI prints *** in its place."""
    secret = "sk-live-0123456789abcdef"
    text = describe_error(APIConnectionError(f"could not connect with {secret}"), secret)
    assert secret not in text
    assert text == "APIConnectionError: could not connect with ***"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ConfigurationError("no key"), 2),
        (APIConnectionError("refused"), 4),
        (APITimeoutError("slow"), 4),
        (GrokError("other"), 1),
    ],
)
def test_exit_status_follows_the_error_class(error: GrokError, status: int) -> None:
    """Configuration -> 2, connection and timeout -> 4, any other GrokError -> 1."""
    assert exit_status_for(error) == status


@pytest.mark.parametrize(
    "args", [["chat", "--offline", "hi"], ["emulator", "--port", "0"]], ids=["offline", "emulator"]
)
def test_missing_testing_extra_is_a_usage_error_naming_the_extra(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without the emulator's dependencies, --offline and `emulator` exit 2 and say which extra to install."""
    monkeypatch.setitem(sys.modules, "aimlapi_grok.testing", None)  # makes `import aimlapi_grok.testing` fail
    assert main(args) == 2
    assert "pip install 'aimlapi-grok[testing]'" in capsys.readouterr().err
