"""`make mutate` stays wired: every module it mutates and every test it selects exists, the equivalents list parses."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def mutate_tool() -> ModuleType:
    """tests/mutation/mutate.py, loaded as a module (it is a script, not a package)."""
    spec = importlib.util.spec_from_file_location("mutate_tool", ROOT / "tests" / "mutation" / "mutate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def source_of(staged: str) -> Path:
    """The repository file a staged path (`src/aimlapi_grok/...` or `spec/...`) is copied from."""
    return ROOT / staged.replace("src/aimlapi_grok", "wrapper/aimlapi_grok", 1)


def test_every_target_module_and_test_file_exists() -> None:
    """Each module `make mutate` names is a file of the repository, with at least one existing test file."""
    for name, target in mutate_tool().TARGETS.items():
        assert source_of(target.path).is_file(), f"{name}: {target.path} is missing"
        assert target.tests, name
        missing = [test for test in target.tests if not (ROOT / test).is_file()]
        assert not missing, f"{name}: missing test files {missing}"


def test_equivalents_name_known_modules_with_a_reason() -> None:
    """Each line of tests/mutation-equivalents.md names a mutant of a mutated module and gives a reason."""
    tool = mutate_tool()
    modules = {re.sub(r"^(src/|)", "", t.path)[: -len(".py")].replace("/", ".") for t in tool.TARGETS.values()}
    names = tool._equivalents()
    assert names, "no entries parsed"
    lines = [line for line in tool.EQUIVALENTS.read_text(encoding="utf-8").splitlines() if line.startswith("- `")]
    assert len(lines) == len(names), "an entry is listed twice"
    for line in lines:
        name, _, reason = line[3:].partition("`: ")
        assert name.rpartition(".")[0] in modules, f"{name}: not a mutated module"
        assert "__mutmut_" in name, name
        assert len(reason) > 10, f"{name}: no reason given"
