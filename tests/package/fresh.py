"""Run a snippet in a fresh interpreter (what `import aimlapi_grok` loads depends on a clean `sys.modules`)."""

from __future__ import annotations

import subprocess
import sys


def fresh_stdout(code: str) -> str:
    """What `python -c code` prints in a new process of this interpreter (CalledProcessError when it fails)."""
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
