"""`make spec-update COMMIT=...` in a scratch copy of the repo: re-pins offline, shows the API diff, regenerates."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def scratch_repo(tmp_path: Path) -> Path:
    """The Makefile, pyproject and spec/ (without build output) copied, with this interpreter's venv linked in."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    for name in ("Makefile", "pyproject.toml"):
        shutil.copyfile(ROOT / name, repo / name)
    shutil.copytree(ROOT / "spec", repo / "spec", ignore=shutil.ignore_patterns("build", "__pycache__"))
    (repo / "generated").mkdir()
    (repo / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return repo


def make(repo: Path, mirror: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SPEC_MIRROR": str(mirror)}
    env.pop("MAKEFLAGS", None)
    return subprocess.run(
        ["make", "--no-print-directory", "-C", str(repo), *targets],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_spec_update_repins_shows_the_diff_and_regenerates(
    scratch_repo: Path, mirror: Path, mirrored: Callable[[str], Path], versions: dict[str, str]
) -> None:
    """Re-pinning from the newest to the middle version offline reports provider removed and regenerates."""
    mirrored("middle")  # skip early when the mirror lacks it
    assert make(scratch_repo, mirror, "spec").returncode == 0
    result = make(scratch_repo, mirror, "spec-update", f"COMMIT={versions['middle']}")
    assert result.returncode == 0, result.stdout + result.stderr
    lock = json.loads((scratch_repo / "spec" / "lock.json").read_text())
    assert lock["commit"] == versions["middle"]
    assert "BREAKING      request   ChatCompletionRequest.provider: removed (was string)" in result.stdout
    assert "1 breaking, 0 non-breaking change(s)" in result.stdout
    shipped = scratch_repo / "generated" / "aimlapi_grok_api" / "_spec" / "openapi.json"
    properties = json.loads(shipped.read_text())["components"]["schemas"]["ChatCompletionRequest"]["properties"]
    assert "provider" not in properties
