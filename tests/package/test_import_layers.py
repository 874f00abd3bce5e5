"""The import graph is a set of layers (import-linter contracts in pyproject.toml), and a new cycle breaks them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run lint-imports with the configuration in `cwd`/pyproject.toml; `pythonpath` first on sys.path."""
    env = dict(os.environ)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_wrapper_keeps_every_import_contract() -> None:
    """Generated code imports no wrapper module, no sibling modules import each other in a cycle, layers hold."""
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def test_a_deliberate_cycle_breaks_the_contracts(tmp_path: Path) -> None:
    """A copy of the wrapper whose constants import the client (a cycle through _base) fails, naming the import."""
    copy = tmp_path / "aimlapi_grok"
    shutil.copytree(ROOT / "wrapper" / "aimlapi_grok", copy, ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "_constants.py").open("a", encoding="utf-8") as constants:
        constants.write("\nfrom . import _client  # a deliberate cycle: _client -> _constants -> _client\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    done = lint_imports(tmp_path, pythonpath=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "2 broken" in done.stdout
    assert "aimlapi_grok._constants -> aimlapi_grok._client" in done.stdout


def test_every_module_has_a_place_in_the_layers() -> None:
    """A new module of the package or of its testing kit must be put in a layer (unplaced, it would be unchecked)."""
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"][
        "contracts"
    ]
    for container in ("aimlapi_grok", "aimlapi_grok.testing"):
        layers = next(contract["layers"] for contract in contracts if contract.get("containers") == [container])
        placed = {name.strip() for layer in layers for name in layer.split("#")[0].split("|")}
        folder = ROOT / "wrapper" / container.replace(".", "/")
        modules = {path.stem for path in folder.glob("*.py") if path.stem != "__init__"}
        modules |= {path.name for path in folder.iterdir() if (path / "__init__.py").is_file()}
        assert sorted(modules - placed) == [], container
