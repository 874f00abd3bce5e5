"""What `aimlapi-grok chat` prints around the answer: retry lines, one USD format, the length note; and silence."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

import pytest
from aimlapi_grok.testing import EmulatorServer, Fault

from .cli_support import TIMEOUT, chat_args, cli_env, run_cli
from .test_cli_chat import summary_of

JSON_USD = re.compile(r'"usd_spent": ([^,\n}]+)')


def test_each_retry_is_one_readable_line(emulator: EmulatorServer) -> None:
    """A 503 then a success with --max-retries 1: one `retrying in 0.0 s after HTTP 503` line, no stamina lines."""
    emulator.script([Fault(status=503, retry_after="0")])
    proc = run_cli(*chat_args(emulator)[:-3], "--max-retries", "1", "Say hello.")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert lines[0] == "aimlapi-grok: retrying in 0.0 s after HTTP 503"
    assert "stamina" not in proc.stderr
    summary_of(proc.stderr)  # the summary is still the last line


def test_the_library_prints_nothing_when_the_app_configured_no_logging(emulator: EmulatorServer) -> None:
    """An app without logging configuration sees nothing on stderr from a retried call (no stamina warnings)."""
    script = textwrap.dedent(
        f"""
        from aimlapi_grok import Grok
        with Grok(api_key={emulator.api_key!r}, base_url={emulator.base_url!r}, max_retries=1) as client:
            client.ask("hi")
        """
    )
    emulator.script([Fault(status=503, retry_after="0")])
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=cli_env(), timeout=TIMEOUT, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert [r.status for r in emulator.requests] == [503, 200]  # a retry happened...
    assert proc.stderr == ""  # ...and nothing was printed about it


def test_one_usd_format_in_the_summary_and_in_json(emulator: EmulatorServer) -> None:
    """The streamed summary, the --json summary and the JSON's usd_spent print the same plain decimal."""
    streamed = run_cli(*chat_args(emulator))
    as_json = run_cli(*chat_args(emulator, "--json"))
    assert streamed.returncode == as_json.returncode == 0, streamed.stderr + as_json.stderr
    in_json = JSON_USD.search(as_json.stdout)
    assert in_json is not None
    texts = {summary_of(streamed.stderr)["usd"], summary_of(as_json.stderr)["usd"], in_json.group(1)}
    assert len(texts) == 1, texts
    (text,) = texts
    assert "e" not in text.lower()
    assert not text.endswith("0")


def test_an_answer_cut_at_the_token_limit_is_reported(emulator: EmulatorServer) -> None:
    """finish_reason length: a line says the answer stopped at the token limit, before the summary."""
    for extra in ((), ("--json",)):
        proc = run_cli(*chat_args(emulator, "--max-tokens", "4", *extra))
        assert proc.returncode == 0, proc.stderr
        assert "stopped at the token limit (finish_reason: length)" in proc.stderr.splitlines()[-2]
    complete = run_cli(*chat_args(emulator))
    assert "token limit" not in complete.stderr


def test_deadline_ends_a_slow_stream_as_a_network_error(emulator: EmulatorServer) -> None:
    """--deadline bounds the whole streamed answer: a slow stream stops with a timeout, exit 4, partial text kept."""
    emulator.script([Fault(chunks=60, chunk_delay=0.05)])
    proc = run_cli(*chat_args(emulator, "--deadline", "0.5"))
    assert proc.returncode == 4, proc.stderr
    assert "timed out" in proc.stderr
    assert "deadline of 0.5 s" in proc.stderr
    assert not emulator.requests[-1].completed


@pytest.mark.parametrize("value", ["0", "-1"])
def test_a_bad_time_limit_is_a_usage_error(emulator: EmulatorServer, value: str) -> None:
    """--timeout or --deadline of zero or less: exit 2 naming the setting, nothing sent."""
    for option in ("--timeout", "--deadline"):
        proc = run_cli(*chat_args(emulator, option, value))
        assert proc.returncode == 2, proc.stderr
        assert option.lstrip("-") in proc.stderr
    assert emulator.requests == []
