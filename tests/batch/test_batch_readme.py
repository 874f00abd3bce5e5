"""The README's batch example runs as printed, against the emulator over loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from aimlapi_grok.testing import run_emulator

from .batch_support import numbered_lines, read_output, write_jsonl

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_batch_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    found = [block for block in blocks if "run_batch(" in block]
    assert len(found) == 1, "README.md should have one python example of run_batch"
    return str(found[0])


def test_readme_batch_example_runs_against_the_emulator(tmp_path: Path) -> None:
    """The example labels requests.jsonl, writes results.jsonl and prints the report's counts."""
    write_jsonl(tmp_path / "requests.jsonl", numbered_lines(12))
    script = tmp_path / "batch_example.py"
    script.write_text(readme_batch_example() + "\nimport asyncio\n\nasyncio.run(label())\n", encoding="utf-8")
    with run_emulator() as emulator:
        env = {**os.environ, "AIMLAPI_BASE_URL": emulator.base_url, "AIMLAPI_API_KEY": "readme-test-key"}
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("12 0 0.")
    assert len(read_output(tmp_path / "results.jsonl")) == 12
