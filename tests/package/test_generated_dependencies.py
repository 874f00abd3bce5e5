"""The generated package needs nothing beyond the runtime dependencies pyproject.toml declares."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import resources
from importlib.metadata import packages_distributions
from pathlib import Path

import aimlapi_grok_api
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
GENERATED = Path(aimlapi_grok_api.__file__).parent


def third_party_imports(package: Path) -> set[str]:
    """Top-level names of the modules `package`'s files import, less the standard library and itself."""
    names: set[str] = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {package.name, "__future__"}


def test_generated_code_imports_only_declared_runtime_dependencies() -> None:
    """Every third-party module the generated code imports belongs to a distribution in [project] dependencies."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    allowed = {canonicalize_name(Requirement(text).name) for text in declared}
    owners = packages_distributions()
    used = {name: {canonicalize_name(d) for d in owners.get(name, [name])} for name in third_party_imports(GENERATED)}
    assert used, "the generated package imports no third-party module: the scan is broken"
    assert {name: dists for name, dists in used.items() if not dists & allowed} == {}


def test_date_time_fields_need_no_dateutil() -> None:
    """The spec has a `format: date-time` field (the error body's timestamp) and the generated model parses it with
    the standard library, which is why python-dateutil is no dependency (openapi-python-client 0.29 dropped it)."""
    spec = resources.files("aimlapi_grok_api").joinpath("_spec/openapi.json").read_text(encoding="utf-8")
    assert '"format": "date-time"' in spec
    error_body = (GENERATED / "models" / "error_body.py").read_text(encoding="utf-8")
    assert "datetime.datetime.fromisoformat" in error_body
    assert "dateutil" not in third_party_imports(GENERATED)
