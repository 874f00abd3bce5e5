"""An openai-python program runs on aimlapi_grok with only its import and constructor lines changed.

`openai_style_program.py` (a completion, a stream, a tool loop, error
handling) runs once as written, with openai-python, and once with its import
line and its constructor's class swapped for aimlapi_grok's (same arguments,
`/v1` base URL included), both as separate
processes against the same emulator; both must exit 0 and print the same.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from pathlib import Path

from aimlapi_grok.testing import run_emulator

PROGRAM = Path(__file__).with_name("openai_style_program.py")
OPENAI_IMPORT = "import openai"
OPENAI_CONSTRUCTOR = "client = openai.OpenAI("
GROK_IMPORT = "import aimlapi_grok as openai"  # the program keeps calling it `openai`


def ported(source: str) -> str:
    """The program importing aimlapi_grok as `openai` and constructing Grok in place of OpenAI (each line once)."""
    lines = source.splitlines()
    imports = [i for i, line in enumerate(lines) if line == OPENAI_IMPORT]
    constructors = [i for i, line in enumerate(lines) if line.startswith(OPENAI_CONSTRUCTOR)]
    assert len(imports) == 1, imports
    assert len(constructors) == 1, constructors
    lines[imports[0]] = GROK_IMPORT
    lines[constructors[0]] = lines[constructors[0]].replace("openai.OpenAI(", "openai.Grok(")  # same arguments
    return "\n".join(lines) + "\n"


def run(script: Path, base_url: str, api_key: str) -> subprocess.CompletedProcess[str]:
    """Run one version of the program against the emulator (drift warnings would go to stderr, not compared)."""
    env = {**os.environ, "EMULATOR_URL": base_url, "EMULATOR_KEY": api_key}
    return subprocess.run(
        [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_only_two_lines_differ() -> None:
    """The ported program differs from the openai-python one in exactly the import and constructor lines."""
    source = PROGRAM.read_text(encoding="utf-8")
    changed = [
        line
        for line in difflib.unified_diff(source.splitlines(), ported(source).splitlines(), lineterm="", n=0)
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert len(changed) == 4, changed
    added = [line for line in changed if line.startswith("+")]
    assert added[0] == f"+{GROK_IMPORT}"
    assert added[1].startswith("+client = openai.Grok(base_url=")


def test_the_same_program_prints_the_same_with_both_clients(tmp_path: Path) -> None:
    """Completion, stream, tool loop and errors: openai-python and aimlapi_grok print identical output."""
    grok_program = tmp_path / "grok_program.py"
    grok_program.write_text(ported(PROGRAM.read_text(encoding="utf-8")), encoding="utf-8")
    with run_emulator() as emulator:
        with_openai = run(PROGRAM, emulator.base_url, emulator.api_key)
        with_grok = run(grok_program, emulator.base_url, emulator.api_key)
    assert with_openai.returncode == 0, with_openai.stderr
    assert with_grok.returncode == 0, with_grok.stderr
    assert with_grok.stdout.splitlines() == with_openai.stdout.splitlines()
    printed = with_grok.stdout
    assert "content: Emulated answer to: Why does streaming matter?." in printed
    assert "streamed: Emulated answer to: Count to five.." in printed
    assert "tool calls: [('get_weather'," in printed
    assert "tool loop finish_reason: stop" in printed
    for line in ("rate limited: 429", "bad key: 401", "not allowed: 403", "not found: 404", "server error: 503"):
        assert line in printed
    assert "timed out: APITimeoutError True" in printed
