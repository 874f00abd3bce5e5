"""The dependency lock is built from the direct pins, hashes every download, and agrees with the package's ranges."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DIRECT = ROOT / "requirements" / "dev.in"
LOCK = ROOT / "requirements" / "dev.lock"


def requirement_lines(text: str) -> Iterator[str]:
    """The lines of a requirements file without comments and blank lines."""
    for line in text.splitlines():
        if content := line.split("#", 1)[0].strip():
            yield content


def direct_pins() -> dict[str, str]:
    """The `name==version` lines of requirements/dev.in, by canonical name."""
    pins: dict[str, str] = {}
    for line in requirement_lines(DIRECT.read_text(encoding="utf-8")):
        name, _, version = line.partition("==")
        assert version, f"requirements/dev.in: {line!r} is not pinned with =="
        pins[canonicalize_name(name)] = version
    return pins


def locked_entries() -> dict[str, tuple[str, list[str]]]:
    """Each requirement of requirements/dev.lock: canonical name -> (version, its hashes)."""
    text = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    entries: dict[str, tuple[str, list[str]]] = {}
    for line in requirement_lines(text):
        spec, *options = line.split(" --")
        name, _, version = spec.strip().partition("==")
        hashes = [option.removeprefix("hash=").strip() for option in options if option.startswith("hash=")]
        entries[canonicalize_name(name)] = (version, hashes)
    return entries


def test_every_locked_requirement_is_pinned_and_hashed() -> None:
    """pip's --require-hashes can verify the whole lock: every entry has an exact version and a sha256."""
    entries = locked_entries()
    assert entries
    unpinned = [name for name, (version, _) in entries.items() if not version]
    unhashed = [name for name, (_, hashes) in entries.items() if not hashes]
    assert (unpinned, unhashed) == ([], [])
    assert all(digest.startswith("sha256:") for _, hashes in entries.values() for digest in hashes)


def test_the_lock_holds_every_direct_pin_at_its_version() -> None:
    """requirements/dev.in and the lock agree: a pin changed in one only is caught (run `make lock`)."""
    entries = locked_entries()
    drift = {name: (version, entries.get(name, ("missing", []))[0]) for name, version in direct_pins().items()}
    assert {name: pair for name, pair in drift.items() if pair[0] != pair[1]} == {}


def package_requirements() -> list[Requirement]:
    """The runtime dependencies and the optional extras declared in pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    return [Requirement(text) for text in declared]


@pytest.mark.parametrize("requirement", package_requirements(), ids=str)
def test_package_dependencies_are_direct_pins_within_their_range(requirement: Requirement) -> None:
    """Each range pyproject.toml declares is pinned in requirements/dev.in, at a version inside that range."""
    pins = direct_pins()
    name = canonicalize_name(requirement.name)
    assert name in pins, f"{requirement} is not pinned in requirements/dev.in"
    assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {requirement.specifier}"


def test_build_hook_generator_requirements_match_the_direct_pins() -> None:
    """hatch_build.py installs the generator's tools at the versions requirements/dev.in pins."""
    tree = ast.parse((ROOT / "hatch_build.py").read_text(encoding="utf-8"))
    assigned = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "GENERATOR_REQUIREMENTS" for t in node.targets)
    )
    pins = direct_pins()
    for text in ast.literal_eval(assigned):
        name, _, version = text.partition("==")
        assert pins.get(canonicalize_name(name)) == version, text
