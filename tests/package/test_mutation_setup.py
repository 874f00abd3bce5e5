"""`make mutate` stays wired: every module it mutates and every test it selects exists, the equivalents list parses."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType

from tests.mutation import mutate

ROOT = Path(__file__).resolve().parents[2]


def mutate_tool() -> ModuleType:
    """tests/mutation/mutate.py (`python -m tests.mutation.mutate`)."""
    return mutate


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
        entry = re.match(r"- `([^`]+)` \(diff [0-9a-f]{12}\): (.*)$", line)
        assert entry, f"not an entry with its diff's fingerprint and a reason: {line}"
        name, reason = entry.groups()
        assert name.rpartition(".")[0] in modules, f"{name}: not a mutated module"
        assert "__mutmut_" in name, name
        assert len(reason) > 10, f"{name}: no reason given"
        assert names[name] is not None, f"{name}: its fingerprint was not parsed"


DIFF = """--- src/aimlapi_grok/_cost.py
+++ src/aimlapi_grok/_cost.py
@@ -1,3 +1,3 @@
 def f(self) -> None:
-    budget = self.budget_usd
+    budget = None
"""


def test_fingerprint_follows_the_mutated_function_not_the_file_header() -> None:
    """A mutant's fingerprint ignores the diff's file header but changes when the mutated code does."""
    tool = mutate_tool()
    moved_file = DIFF.replace("src/aimlapi_grok/_cost.py", "src/aimlapi_grok/_other.py")
    assert tool.fingerprint(moved_file) == tool.fingerprint(DIFF)
    assert tool.fingerprint(DIFF.replace("budget = None", "budget = 0")) != tool.fingerprint(DIFF)
    assert tool.fingerprint(DIFF.replace(" def f", " def g")) != tool.fingerprint(DIFF)
    assert re.fullmatch(r"[0-9a-f]{12}", tool.fingerprint(DIFF))


def test_pin_writes_or_replaces_the_fingerprint_of_named_entries_only() -> None:
    """--pin adds a fingerprint to an unpinned entry, replaces a stale one, and leaves other lines as they are."""
    tool = mutate_tool()
    text = (
        "- `m.x_a__mutmut_1`: reason one.\n"
        "- `m.x_b__mutmut_2` (diff 000000000000): reason two.\n"
        "- `m.x_c__mutmut_3` (diff 111111111111): reason three.\n"
        "prose with `m.x_a__mutmut_1` inside\n"
    )
    pinned = tool.pin_entries(text, {"m.x_a__mutmut_1": "aaaaaaaaaaaa", "m.x_b__mutmut_2": "bbbbbbbbbbbb"})
    assert pinned.splitlines() == [
        "- `m.x_a__mutmut_1` (diff aaaaaaaaaaaa): reason one.",
        "- `m.x_b__mutmut_2` (diff bbbbbbbbbbbb): reason two.",
        "- `m.x_c__mutmut_3` (diff 111111111111): reason three.",
        "prose with `m.x_a__mutmut_1` inside",
    ]
    assert tool._ENTRY.findall(pinned)  # the rewritten file still parses


def test_a_listed_survivor_counts_again_when_its_diff_moved() -> None:
    """A listed mutant is left out only while its diff matches the pin; killed listings are reported stale."""
    tool = mutate_tool()
    judged = tool.fingerprint(DIFF)
    statuses = {"m.x_a__mutmut_1": "survived", "m.x_a__mutmut_2": "survived", "m.x_a__mutmut_3": "killed"}
    diffs = {"m.x_a__mutmut_1": DIFF, "m.x_a__mutmut_2": DIFF.replace("None", "0")}
    listed = {"m.x_a__mutmut_1": judged, "m.x_a__mutmut_2": judged, "m.x_a__mutmut_3": judged}
    tally = tool.count(statuses, listed, diffs)
    assert tally.moved == ["m.x_a__mutmut_2"]
    assert tally.stale == ["m.x_a__mutmut_3"]
    assert sorted(tally.counted) == ["m.x_a__mutmut_2", "m.x_a__mutmut_3"]
    assert tally.killed == ["m.x_a__mutmut_3"]
    assert tally.survivors == ["m.x_a__mutmut_2"]
    unpinned = tool.count({"m.x_a__mutmut_1": "survived"}, {"m.x_a__mutmut_1": None}, diffs)
    assert unpinned.moved == ["m.x_a__mutmut_1"]
    assert unpinned.survivors == ["m.x_a__mutmut_1"]


def test_each_target_names_the_module_prefix_of_its_mutants() -> None:
    """--pin looks up only the listed mutants of the module it stages (their names start with its prefix)."""
    tool = mutate_tool()
    assert tool.module_prefix(tool.TARGETS["_cost"]) == "aimlapi_grok._cost."
    assert tool.module_prefix(tool.TARGETS["normalize"]) == "spec.tools.normalize."
    assert tool.module_prefix(tool.TARGETS["batch_journal"]) == "aimlapi_grok.batch._journal."
    listed = tool._equivalents()
    prefixes = [tool.module_prefix(target) for target in tool.TARGETS.values()]
    assert all(any(name.startswith(prefix) for prefix in prefixes) for name in listed)
    assert tool.changed_lines(DIFF) == "-    budget = self.budget_usd\n+    budget = None"
