"""Fixtures for the spec pipeline tests: the spec mirror, published and normalized specs, generated packages.

The mirror is `$SPEC_MIRROR` when set, else `<repo root>/../shared/spec` (laid out
as `<mirror>/<file stem>/<commit>.json`); tests that need it skip when neither exists.
No test here touches the network.
"""

from __future__ import annotations

import copy
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from spec.tools.generate import generate
from spec.tools.normalize import normalize

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "spec" / "lock.json"
# The mirrored upstream versions (see the mirror's README), by the name tests use.
VERSIONS = {
    "oldest": "0e44c1a1552113105366b99f08a20799f4294dee",  # first published version
    "middle": "1a0876e73cf1acd0f0cae6b37942054cb7885b71",  # response gains meta.usage
    "newest": "4cd011cd3dc1420832b11289ec2e9612c3b53844",  # request gains provider (the pinned one)
}


@pytest.fixture(scope="session")
def stem() -> str:
    """The mirror's folder name for this spec (the upstream file's stem)."""
    return file_stem()


def mirror_root() -> Path | None:
    configured = os.environ.get("SPEC_MIRROR")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "spec"
    return candidate.resolve() if candidate.is_dir() else None


def file_stem() -> str:
    return Path(json.loads(LOCK.read_text(encoding="utf-8"))["path"]).stem


@pytest.fixture(scope="session")
def versions() -> dict[str, str]:
    """Version name ("oldest", "middle", "newest") -> upstream commit."""
    return dict(VERSIONS)


@pytest.fixture(scope="session")
def lock_path() -> Path:
    """The project's spec lock file (tests copy it before changing anything)."""
    return LOCK


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The spec mirror directory (skips the test when there is none)."""
    root = mirror_root()
    if root is None:
        where = os.environ.get("SPEC_MIRROR") or str(ROOT.parent / "shared" / "spec")
        pytest.skip(f"no spec mirror: SPEC_MIRROR is unset or not a directory and {where} does not exist")
    return root


@pytest.fixture(scope="session")
def mirrored(mirror: Path) -> Callable[[str], Path]:
    """version name -> path of its mirrored published file (skips when the mirror lacks it)."""

    def path_for(version: str) -> Path:
        commit = VERSIONS[version]
        path = mirror / file_stem() / f"{commit}.json"
        if not path.is_file():
            pytest.skip(f"the spec mirror {mirror} has no file for commit {commit}")
        return path

    return path_for


@pytest.fixture(scope="session")
def published(mirrored: Callable[[str], Path]) -> Callable[[str], dict[str, Any]]:
    """version name -> a fresh copy of its published spec."""
    cache: dict[str, dict[str, Any]] = {}

    def load(version: str) -> dict[str, Any]:
        if version not in cache:
            cache[version] = json.loads(mirrored(version).read_text(encoding="utf-8"))
        return copy.deepcopy(cache[version])

    return load


@pytest.fixture(scope="session")
def normalized(published: Callable[[str], dict[str, Any]]) -> Callable[[str], dict[str, Any]]:
    """version name -> a fresh copy of its normalized spec."""
    cache: dict[str, dict[str, Any]] = {}

    def load(version: str) -> dict[str, Any]:
        if version not in cache:
            cache[version] = normalize(published(version))
        return copy.deepcopy(cache[version])

    return load


@pytest.fixture(scope="session")
def venv_on_path() -> Iterator[None]:
    """Put this interpreter's bin directory (openapi-python-client, ruff) first on PATH."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PATH", str(Path(sys.prefix) / "bin") + os.pathsep + os.environ.get("PATH", ""))
        yield


@pytest.fixture(scope="session")
def generated(
    mirrored: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory, venv_on_path: None
) -> Callable[[str], Path]:
    """version name -> a sys.path root holding `aimlapi_grok_api` generated from it (each generated once)."""
    roots: dict[str, Path] = {}

    def root_for(version: str) -> Path:
        if version not in roots:
            root = tmp_path_factory.mktemp(f"generated-{version}")
            generate(mirrored(version), root / "aimlapi_grok_api")
            roots[version] = root
        return roots[version]

    return root_for
