"""A process whose requests and answers conform never loads jsonschema-rs; a bad request still gets its error.

Each check runs in a fresh interpreter (the test process has loaded jsonschema-rs
long ago) against the session's loopback emulator.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from aimlapi_grok import Grok, RequestValidationError
from aimlapi_grok.testing import EmulatorServer

from .e2e_support import CLIENT_TIMEOUT, FAULT

PROGRAM = """
import asyncio, json, sys
from aimlapi_grok import AsyncGrok, Grok, RequestValidationError

base_url, api_key, timeout, fault = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
options = dict(api_key=api_key, base_url=base_url, timeout=timeout)
question = [{"role": "user", "content": "hello there"}]
chunks = {fault: "chunks=40"}
report = {}
with Grok(**options) as client:
    with client.chat.completions.create(messages=question, stream=True, extra_headers=chunks) as stream:
        report["streamed"] = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    report["answer"] = client.chat.completions.create(messages=question).choices[0].message.content


async def both_async():
    async with AsyncGrok(**options) as client:
        stream = await client.chat.completions.create(messages=question, stream=True, extra_headers=chunks)
        async with stream:
            report["async_streamed"] = "".join([c.choices[0].delta.content or "" async for c in stream if c.choices])
        report["async_answer"] = (await client.chat.completions.create(messages=question)).choices[0].message.content

asyncio.run(both_async())
report["loaded_after_conforming_calls"] = "jsonschema_rs" in sys.modules
with Grok(**options) as client:
    try:
        client.chat.completions.create(messages=question, temperature=7, top_logprobs=True)
    except RequestValidationError as exc:
        report["error"] = str(exc)
report["loaded_after_bad_request"] = "jsonschema_rs" in sys.modules
print(json.dumps(report))
"""


def run_fresh(grok_emulator: EmulatorServer) -> dict[str, Any]:
    """The program's report, run in a fresh interpreter against the emulator."""
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM, grok_emulator.base_url, grok_emulator.api_key, str(CLIENT_TIMEOUT), FAULT],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    return report


@pytest.fixture
def fresh_report(grok_emulator: EmulatorServer) -> dict[str, Any]:
    """The fresh interpreter's report (conforming calls, then one bad request)."""
    return run_fresh(grok_emulator)


def test_conforming_calls_never_load_jsonschema_rs(fresh_report: dict[str, Any]) -> None:
    """Sync and async, streamed and plain: the answers arrive and jsonschema-rs is not in sys.modules."""
    assert fresh_report["streamed"]
    assert fresh_report["async_streamed"] == fresh_report["streamed"]
    assert fresh_report["answer"].startswith("Emulated answer to: hello there")
    assert fresh_report["async_answer"] == fresh_report["answer"]
    assert fresh_report["loaded_after_conforming_calls"] is False


def test_a_bad_request_loads_it_and_gets_the_same_error(
    fresh_report: dict[str, Any], grok_emulator: EmulatorServer
) -> None:
    """The first invalid request loads jsonschema-rs and raises the very message a process that had it loaded gives."""
    client = Grok(api_key=grok_emulator.api_key, base_url=grok_emulator.base_url, timeout=CLIENT_TIMEOUT)
    with client, pytest.raises(RequestValidationError) as caught:
        client.chat.completions.create(
            messages=[{"role": "user", "content": "hello there"}], temperature=7, top_logprobs=True
        )
    assert fresh_report["loaded_after_bad_request"] is True
    assert fresh_report["error"] == str(caught.value)
    assert "temperature" in fresh_report["error"]
    assert "top_logprobs" in fresh_report["error"]
