"""The benchmark harness runs end to end in its quick mode and writes its results (timings are not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SECTION_PREFIXES = ("Per-request overhead", "Streaming throughput", "Import time", "Async concurrent streams")
WRAPPER_CASES = {"aimlapi_grok (Grok)", "aimlapi_grok (Grok) .completion", "aimlapi_grok", "aimlapi_grok (AsyncGrok)"}
OPENAI_CASES = {"openai-python", "openai", "openai-python (AsyncOpenAI)"}


@pytest.mark.slow
def test_bench_quick_run_writes_json_and_markdown(tmp_path: Path) -> None:
    """`python -m bench --quick` measures every section, wrapper included, and writes results.json and .md."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads((tmp_path / "results.json").read_text())
    rows = results["rows"]
    for prefix in SECTION_PREFIXES:
        assert any(row["section"].startswith(prefix) for row in rows), prefix
    measured = {row["case"].split(maxsplit=1)[-1] if row["case"].startswith("N=") else row["case"] for row in rows}
    assert measured >= WRAPPER_CASES | OPENAI_CASES
    unmeasured = [f"{row['case']}: {row['detail']}" for row in rows if row["value"] is None]
    assert unmeasured == []
    assert results["environment"]["quick"] is True
    markdown = (tmp_path / "results.md").read_text()
    assert markdown.startswith("# aimlapi-grok benchmarks")
    assert "| aimlapi_grok (Grok) |" in markdown
    assert "## Goals (issue 11)" in markdown
    assert "x floor" in proc.stdout
