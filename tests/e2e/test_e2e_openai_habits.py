"""openai-python programs run on aimlapi_grok with only their import and constructor lines changed.

`openai_style_program.py` (a completion, a stream, a tool loop, error
handling) and `openai_style_async_program.py` (concurrent completions, a
stream, errors) each run once as written, with openai-python, and once with
the import line and the constructor's class swapped for aimlapi_grok's (same
arguments, `/v1` base URL included), as separate processes against the same
emulator; both versions must exit 0 and print the same.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from aimlapi_grok._client import Grok
from aimlapi_grok.testing import run_emulator

from .e2e_support import WEATHER_TOOL, emulated_text

HERE = Path(__file__).parent
SYNC_PROGRAM = HERE / "openai_style_program.py"
ASYNC_PROGRAM = HERE / "openai_style_async_program.py"
OPENAI_IMPORT = "import openai"
GROK_IMPORT = "import aimlapi_grok as openai"  # the program keeps calling it `openai`
OPENAI_CLIENT = re.compile(r"\bopenai\.(Async)?OpenAI\(")


def ported(source: str) -> str:
    """The program importing aimlapi_grok as `openai` and constructing (Async)Grok in place of (Async)OpenAI."""
    lines = source.splitlines()
    imports = [i for i, line in enumerate(lines) if line == OPENAI_IMPORT]
    constructors = [i for i, line in enumerate(lines) if OPENAI_CLIENT.search(line)]
    assert len(imports) == 1, imports
    assert len(constructors) == 1, constructors
    lines[imports[0]] = GROK_IMPORT
    lines[constructors[0]] = OPENAI_CLIENT.sub(r"openai.\1Grok(", lines[constructors[0]])  # same arguments
    return "\n".join(lines) + "\n"


def run(script: Path, base_url: str, api_key: str) -> subprocess.CompletedProcess[str]:
    """Run one version of the program against the emulator (drift warnings would go to stderr, not compared)."""
    env = {**os.environ, "EMULATOR_URL": base_url, "EMULATOR_KEY": api_key}
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("program", [SYNC_PROGRAM, ASYNC_PROGRAM], ids=["sync", "async"])
def test_only_two_lines_differ(program: Path) -> None:
    """The ported program differs from the openai-python one in exactly the import and constructor lines."""
    source = program.read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(source.splitlines(), ported(source).splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 4, changed
    added = [line for line in changed if line.startswith("+")]
    assert added[0] == f"+{GROK_IMPORT}"
    assert re.search(r"client = openai\.(Async)?Grok\(", added[1]), added[1]


def run_both(program: Path, tmp_path: Path) -> str:
    """Run the program with openai-python and ported; assert both exit 0 and print the same; return the output."""
    grok_program = tmp_path / f"grok_{program.name}"
    grok_program.write_text(ported(program.read_text(encoding="utf-8")), encoding="utf-8")
    with run_emulator() as emulator:
        with_openai = run(program, emulator.base_url, emulator.api_key)
        with_grok = run(grok_program, emulator.base_url, emulator.api_key)
    assert with_openai.returncode == 0, with_openai.stderr
    assert with_grok.returncode == 0, with_grok.stderr
    assert with_grok.stdout.splitlines() == with_openai.stdout.splitlines()
    return with_grok.stdout


def test_the_same_program_prints_the_same_with_both_clients(tmp_path: Path) -> None:
    """Completion, stream, tool loop and errors: openai-python and aimlapi_grok print identical output."""
    printed = run_both(SYNC_PROGRAM, tmp_path)
    assert f"content: {emulated_text('Why does streaming matter?')}" in printed
    assert f"streamed: {emulated_text('Count to five.')}" in printed
    assert "tool calls: [('get_weather'," in printed
    assert "tool loop finish_reason: stop" in printed
    assert "streamed tool calls: [('call_" in printed
    for line in ("rate limited: 429", "bad key: 401", "not allowed: 403", "not found: 404", "server error: 503"):
        assert line in printed
    assert "timed out: APITimeoutError True" in printed


def test_the_same_async_program_prints_the_same_with_both_clients(tmp_path: Path) -> None:
    """Concurrent completions, an async stream and errors: AsyncOpenAI and AsyncGrok print identical output."""
    printed = run_both(ASYNC_PROGRAM, tmp_path)
    assert printed.count("answer: Emulated answer to: One word for") == 3
    assert f"streamed: {emulated_text('Stream this.')}" in printed
    assert "rate limited: 429" in printed
    assert "status error: InternalServerError 500" in printed


@pytest.mark.parametrize("question", ["Plain text, please.", "Paris"], ids=["text", "tool call"])
def test_a_streamed_answer_reads_like_the_same_answer_not_streamed(
    make_client: Callable[..., Grok], question: str
) -> None:
    """stream.result.to_dict() is the non-streamed completion of the same question (the emulator is deterministic)."""
    client = make_client()
    params: dict[str, Any] = {"messages": [{"role": "user", "content": question}], "tools": [WEATHER_TOOL]}
    if question == "Plain text, please.":
        params["tool_choice"] = "none"
    whole = client.chat.completions.create(**params)
    with client.chat.completions.create(**params, stream=True, stream_options={"include_usage": True}) as stream:
        streamed = stream.get_final_result()
    assert streamed.choices[0].message == whole.choices[0].message
    assert streamed.choices[0].finish_reason == whole.choices[0].finish_reason
    assert (streamed.id, streamed.model, streamed.created) == (whole.id, whole.model, whole.created)
    expected, got = whole.to_dict(), streamed.to_dict()
    for answer in (expected, got):
        answer["choices"][0].pop("logprobs", None)  # sent as null without stream, not at all in chunks
    assert got == expected
