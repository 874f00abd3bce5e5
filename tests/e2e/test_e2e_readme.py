"""The README's app example runs as printed, against the emulator over loopback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from aimlapi_grok.testing import run_emulator

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_python_example() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README.md has no python example"
    return str(blocks[0])


def test_readme_example_runs_against_the_emulator(tmp_path: Path) -> None:
    """The first python block of README.md exits 0 and prints streamed, tool and async answers."""
    script = tmp_path / "readme_example.py"
    script.write_text(readme_python_example(), encoding="utf-8")
    with run_emulator() as emulator:
        env = {**os.environ, "AIMLAPI_BASE_URL": emulator.base_url, "AIMLAPI_API_KEY": "readme-test-key"}
        done = subprocess.run(
            [sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
        )
    assert done.returncode == 0, done.stderr
    assert "Emulated answer to: Count to five." in done.stdout
    assert "The tool call_" in done.stdout
    assert "spent by this client:" in done.stdout
    assert "Emulated answer to: One word for speed." in done.stdout
