"""`aimlapi-grok chat` end to end against the emulator: streamed text, summary line, options, --json, stdin."""

from __future__ import annotations

import io
import json
import os
import re
import selectors
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from aimlapi_grok._cli import main, read_prompt
from aimlapi_grok._cli_common import UsageError
from aimlapi_grok._version import __version__
from aimlapi_grok.testing import EmulatorServer, Fault
from aimlapi_grok.testing._answers import REASONING_TOKENS, USD_PER_CREDIT

from .cli_support import chat_args, run_cli, start_cli

SUMMARY = re.compile(
    r"^\[tokens: (?P<prompt>\d+) prompt, (?P<completion>\d+) completion \((?P<reasoning>\d+) reasoning\)"
    r" \| credits: (?P<credits>\d+) \| usd: \$(?P<usd>[0-9.]+) \| inference id: (?P<inference>\S+)\]$"
)


def summary_of(stderr: str) -> re.Match[str]:
    """The summary line (the last line of stderr), parsed."""
    match = SUMMARY.match(stderr.strip().splitlines()[-1])
    assert match is not None, stderr
    return match


def test_offline_chat_streams_the_answer_and_prints_a_summary() -> None:
    """`chat --offline` answers from the embedded emulator with no key: text on stdout, summary on stderr."""
    prompt = "Explain in two sentences why streaming matters for chat UIs."
    proc = run_cli("chat", "--offline", prompt, api_key=None)
    assert proc.returncode == 0, proc.stderr
    assert prompt in proc.stdout  # the emulator quotes the prompt in its answer
    assert proc.stdout.endswith("\n")
    summary = summary_of(proc.stderr)
    assert int(summary["completion"]) > 0
    assert summary["inference"].startswith("inf-")


def test_summary_reports_tokens_reasoning_credits_usd_and_inference_id(emulator: EmulatorServer) -> None:
    """The summary carries the final chunk's usage and cost and the answer's inference id."""
    proc = run_cli(*chat_args(emulator, "--reasoning-effort", "high"))
    assert proc.returncode == 0, proc.stderr
    summary = summary_of(proc.stderr)
    assert int(summary["reasoning"]) == REASONING_TOKENS["high"]
    assert Decimal(summary["usd"]) == int(summary["credits"]) * USD_PER_CREDIT
    assert summary["inference"] == emulator.requests[-1].inference_id
    assert proc.stdout.strip() != ""


def test_options_become_the_request_body(emulator: EmulatorServer) -> None:
    """--system, --max-tokens, --temperature, --reasoning-effort and --client-request-id reach the API as sent."""
    args = chat_args(
        emulator,
        *("--system", "Be brief.", "--max-tokens", "50", "--temperature", "0.3"),
        *("--reasoning-effort", "low", "--client-request-id", "cli-test.1"),
        prompt=["What is SSE?"],
    )
    proc = run_cli(*args)
    assert proc.returncode == 0, proc.stderr
    (request,) = emulator.requests
    assert request.body["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "What is SSE?"},
    ]
    assert request.body["max_tokens"] == 50
    assert request.body["temperature"] == 0.3
    assert request.body["reasoning"] == {"effort": "low"}
    assert request.body["stream"] is True
    assert request.body["stream_options"] == {"include_usage": True}
    assert request.headers["x-client-request-id"] == "cli-test.1"


def test_text_is_written_as_it_arrives(emulator: EmulatorServer) -> None:
    """The first words reach stdout while the stream is still going (flushed per delta)."""
    emulator.script([Fault(chunks=12, chunk_delay=0.2)])
    proc = start_cli(*chat_args(emulator))
    assert proc.stdout is not None
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=30), "no output within 30 s"
        first = os.read(proc.stdout.fileno(), 4096)
        assert first.strip()
        assert proc.poll() is None, "the process had already finished: the text was not streamed"
        rest, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, stderr
    assert b"Say hello." in first + rest  # the emulator's answer quotes the prompt
    assert emulator.requests[-1].completed


def test_json_prints_the_final_completion(emulator: EmulatorServer) -> None:
    """--json sends a non-streamed request and prints the completion as JSON; the summary uses the cost headers."""
    proc = run_cli(*chat_args(emulator, "--json"))
    assert proc.returncode == 0, proc.stderr
    completion = json.loads(proc.stdout)
    assert completion["object"] == "chat.completion"
    assert completion["choices"][0]["message"]["content"]
    assert "stream" not in emulator.requests[-1].body
    summary = summary_of(proc.stderr)
    assert int(summary["credits"]) == completion["meta"]["usage"]["credits_used"]
    assert int(summary["prompt"]) == completion["usage"]["prompt_tokens"]


@pytest.mark.parametrize("argument", [["-"], []], ids=["dash", "no-argument"])
def test_prompt_is_read_from_piped_stdin(emulator: EmulatorServer, argument: list[str]) -> None:
    """With `-` or no prompt argument, the prompt comes from piped stdin, unchanged."""
    text = "A prompt from a pipe,\nover two lines."
    proc = run_cli(*chat_args(emulator, prompt=argument), stdin=text)
    assert proc.returncode == 0, proc.stderr
    assert emulator.requests[-1].body["messages"][-1] == {"role": "user", "content": text}


def test_empty_stdin_prompt_is_a_usage_error(emulator: EmulatorServer) -> None:
    """An empty piped prompt exits 2 and sends nothing."""
    proc = run_cli(*chat_args(emulator, prompt=["-"]), stdin="  \n")
    assert proc.returncode == 2
    assert "the prompt is empty" in proc.stderr
    assert emulator.requests == []


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_prompt_on_a_terminal_is_a_usage_error() -> None:
    """No prompt argument and stdin a terminal: a usage error that says how to give one (nothing is read)."""
    with pytest.raises(UsageError, match="no prompt"):
        read_prompt(None, _Terminal("never read"))


def test_no_prompt_on_a_terminal_exits_2(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """main() turns the missing prompt into exit status 2 and a message on stderr."""
    monkeypatch.setattr(sys, "stdin", _Terminal(""))
    monkeypatch.setenv("AIMLAPI_API_KEY", "unused-key")
    assert main(["chat"]) == 2
    assert "no prompt" in capsys.readouterr().err


def test_version_prints_the_package_version() -> None:
    """--version prints the program name and the package version."""
    proc = run_cli("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"aimlapi-grok {__version__}"


def test_console_script_is_installed() -> None:
    """The `aimlapi-grok` entry point next to the interpreter runs main()."""
    script = Path(sys.executable).parent / "aimlapi-grok"
    if not script.exists():
        pytest.skip("the package is not installed with its console script in this environment")
    import subprocess

    proc = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"aimlapi-grok {__version__}"
