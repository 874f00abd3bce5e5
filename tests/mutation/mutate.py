"""`make mutate [MODULE=_cost]`: mutmut over the hand-written core, one module at a time.

mutmut 3 imports the mutated code from `mutants/src` (or `mutants/`), so each module runs in
its own staging folder, `build/mutate/<module>/`, laid out the way mutmut expects: the wrapper
package as `src/aimlapi_grok`, the spec tools as `spec/tools`, the tests beside them, and a
pyproject.toml naming the one file to mutate and the unit tests that exercise it. The
folder is rebuilt on every run (the score always describes the current code).

For each module it prints the mutants killed out of those not listed as equivalent in
`tests/mutation-equivalents.md`, then every other survivor with its diff. Exit status 1 when
a module is below `THRESHOLD`.

mutmut numbers mutants per function, so an edit can move a listed number onto another mutant.
Each entry therefore carries a fingerprint of the diff that was judged (`(diff 0123abcd4567)`):
a listed survivor whose diff no longer matches counts as a survivor until it is judged again
and re-pinned with `--pin` (`make mutate MODULE=x PIN=1`), which writes the fingerprints of the
module's listed mutants as they are now, without running the tests.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "build" / "mutate"
EQUIVALENTS = ROOT / "tests" / "mutation-equivalents.md"
THRESHOLD = 0.90
WRAPPER = "src/aimlapi_grok"


@dataclass(frozen=True)
class Target:
    """One module to mutate: its path in the staging folder and the tests that exercise it."""

    path: str
    tests: tuple[str, ...]


def _unit(*names: str) -> tuple[str, ...]:
    return tuple(f"tests/unit/{name}.py" for name in names)


# Which unit tests pin each module down (mutmut only runs, per mutant, those that reach it).
# test_hostile_arguments is left out: its 100,000-deep value overflows the stack under mutmut's trampolines.
TARGETS: dict[str, Target] = {
    "_retry": Target(f"{WRAPPER}/_retry.py", _unit("test_retries", "test_deadline", "test_mutation_retry")),
    "_request": Target(
        f"{WRAPPER}/_request.py",
        _unit("test_validation", "test_request_body", "test_mutation_request", "test_mutation_request_values"),
    ),
    "_response": Target(
        f"{WRAPPER}/_response.py",
        _unit(
            "test_hostile_answers",
            "test_tools",
            "test_drift",
            "test_completion_fields",
            "test_stream_completion",
            "test_mutation_response",
        ),
    ),
    "_drift": Target(
        f"{WRAPPER}/_drift.py",
        _unit(
            "test_drift",
            "test_hostile_answers",
            "test_mutation_meta",
            "test_mutation_drift",
            "test_streaming_drift_signature",
        ),
    ),
    "_meta": Target(f"{WRAPPER}/_meta.py", _unit("test_cost", "test_mutation_cost", "test_mutation_meta")),
    "_cost": Target(f"{WRAPPER}/_cost.py", _unit("test_cost", "test_budget_in_flight", "test_mutation_cost")),
    "_stream_chunk": Target(
        f"{WRAPPER}/_stream_chunk.py",
        _unit("test_streaming_chunk", "test_mutation_chunk", "test_streaming_drift_signature"),
    ),
    "_schema_predicate": Target(f"{WRAPPER}/_schema_predicate.py", _unit("test_schema_predicate")),
    "_completion_model": Target(f"{WRAPPER}/_completion_model.py", _unit("test_completion_model")),
    "_model_build": Target(f"{WRAPPER}/_model_build.py", _unit("test_model_build", "test_completion_model")),
    "_stream_accumulator": Target(
        f"{WRAPPER}/_stream_accumulator.py",
        _unit(
            "test_streaming_accumulator",
            "test_streaming_io",
            "test_mutation_stream",
            "test_mutation_stream_events",
            "test_completion_fields",
            "test_stream_completion",
            "test_streaming_drift_signature",
            "test_stream_memory",
        ),
    ),
    "_streaming": Target(
        f"{WRAPPER}/_streaming.py",
        _unit(
            "test_streaming_io",
            "test_stream_call",
            "test_mutation_streaming",
            "test_stream_body_bytes",
            "test_stream_body_end",
        ),
    ),
    "_security": Target(
        f"{WRAPPER}/_security.py", _unit("test_security", "test_hostile_key", "test_mutation_security")
    ),
    "batch_journal": Target(f"{WRAPPER}/batch/_journal.py", ("tests/batch/test_batch_journal.py",)),
    "normalize": Target(
        "spec/tools/normalize.py",
        (
            "tests/spec/test_spec_normalize.py",
            "tests/spec/test_spec_normalize_generic.py",
            "tests/spec/test_spec_normalize_engine.py",
            "tests/spec/test_spec_held_out_shapes.py",
        ),
    ),
}


def _stage(name: str, target: Target) -> Path:
    """A fresh staging folder for one module; returns it."""
    folder = STAGING / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build")
    shutil.copytree(ROOT / "wrapper" / "aimlapi_grok", folder / WRAPPER, ignore=ignore)
    shutil.copytree(ROOT / "spec", folder / "spec", ignore=ignore)
    shutil.copytree(ROOT / "tests", folder / "tests", ignore=ignore)
    tests = [t for t in target.tests if (ROOT / t).exists()]
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    pytest_section = pyproject[pyproject.index("[tool.pytest.ini_options]") :]
    pytest_section = pytest_section[: pytest_section.find("\n[", 1) if "\n[" in pytest_section[1:] else None]
    (folder / "pyproject.toml").write_text(
        f"{pytest_section.rstrip()}\n\n[tool.mutmut]\n"
        f"source_paths = [{target.path.split('/')[0]!r}]\n"
        f"only_mutate = [{target.path!r}]\n"
        f"pytest_add_cli_args_test_selection = {tests!r}\n"
        'pytest_add_cli_args = ["-p", "no:randomly", "-p", "tests.mutation.gc_guard", "-q"]\n'
        "use_git_change_detection = false\n",
        encoding="utf-8",
    )
    return folder


# One list line of the equivalents file: the mutant's name, then the fingerprint of its judged diff.
_ENTRY = re.compile(r"^- `(?P<name>[^`]+)`(?: \(diff (?P<fingerprint>[0-9a-f]{12})\))?", flags=re.MULTILINE)


def _equivalents() -> dict[str, str | None]:
    """Mutant names the equivalents file lists, each with the fingerprint of its judged diff (None: not pinned)."""
    if not EQUIVALENTS.exists():
        return {}
    text = EQUIVALENTS.read_text(encoding="utf-8")
    return {match["name"]: match["fingerprint"] for match in _ENTRY.finditer(text)}


def fingerprint(diff: str) -> str:
    """A short hash of a mutant's diff without its file header: changes when the mutated function changes."""
    body = "\n".join(line.rstrip() for line in diff.splitlines() if not line.startswith(("--- ", "+++ ")))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:12]


def pin_entries(text: str, fingerprints: dict[str, str]) -> str:
    """The equivalents file's text with the fingerprint of each named entry written (or replaced)."""

    def pinned(match: re.Match[str]) -> str:
        name = match["name"]
        return f"- `{name}` (diff {fingerprints[name]})" if name in fingerprints else match[0]

    return _ENTRY.sub(pinned, text)


def _mutmut(folder: Path, *args: str) -> str:
    """Run mutmut in `folder`; its output (raises when it fails)."""
    env = {**os.environ, "SPEC_MIRROR": os.environ.get("SPEC_MIRROR", str(ROOT.parent / "shared" / "spec"))}
    done = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"mutmut {' '.join(args)} failed in {folder}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout


# Writes the diff of each named mutant (null: not a mutant of this folder) as JSON, in one process
# (`mutmut show` per mutant reloads everything each time). With --generate it first makes the
# mutants the way `mutmut run` does, without running any test.
_DIFFS = """
import json, sys
from pathlib import Path
from mutmut.__main__ import find_mutant, get_diff_for_mutant
out, generate, names = sys.argv[1], sys.argv[2] == "--generate", sys.argv[3:]
if generate:
    from mutmut.__main__ import (
        copy_also_copy_files, copy_src_dir, create_mutants, set_mutant_under_test, setup_source_paths,
    )
    set_mutant_under_test("mutant_generation")
    Path("mutants").mkdir(exist_ok=True)
    copy_src_dir(); copy_also_copy_files(); setup_source_paths(); create_mutants(2)
diffs = {}
for name in names:
    try:
        diffs[name] = get_diff_for_mutant(name, path=find_mutant(name).path)
    except Exception:  # FileNotFoundError or mutmut's own: no such mutant in this folder
        diffs[name] = None
Path(out).write_text(json.dumps(diffs), encoding="utf-8")
"""


def _diffs(folder: Path, names: list[str], *, generate: bool = False) -> dict[str, str | None]:
    """The diff of each named mutant (None when the folder has no such mutant)."""
    out = folder / "diffs.json"
    command = [sys.executable, "-c", _DIFFS, str(out), "--generate" if generate else "--", *names]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"reading mutant diffs failed in {folder}:\n{done.stderr[-4000:]}")
    diffs: dict[str, str | None] = json.loads(out.read_text(encoding="utf-8"))
    return diffs


def module_prefix(target: Target) -> str:
    """The start of the names mutmut gives this target's mutants (`aimlapi_grok._cost.`, `spec.tools.normalize.`)."""
    return target.path.removeprefix("src/").removesuffix(".py").replace("/", ".") + "."


def changed_lines(diff: str) -> str:
    """A mutant's diff reduced to its changed lines (what a maintainer judges)."""
    return "\n".join(line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("---", "+++")))


def pin(name: str) -> int:
    """Write the current fingerprint of each listed mutant of one module; how many were pinned.

    Every entry whose fingerprint changes is printed with its changed lines, to be checked against the
    entry's reason (a renumbered entry can now name another mutant). Exit when the module has listed
    entries and none was found (mutmut's internals changed, or the whole list is stale).
    """
    listed = _equivalents()
    names = sorted(k for k in listed if k.startswith(module_prefix(TARGETS[name])))
    diffs = _diffs(_stage(name, TARGETS[name]), names, generate=True)
    found = {mutant: fingerprint(diff) for mutant, diff in diffs.items() if diff is not None}
    if names and not found:
        raise SystemExit(f"== {name}: none of its {len(names)} listed mutants was found; nothing pinned")
    for mutant in sorted(k for k in found if found[k] != listed[k]):
        print(f"   re-pinned {mutant}; check it against its reason:\n{changed_lines(diffs[mutant] or '')}", flush=True)
    for mutant in sorted(set(names) - set(found)):
        print(f"   {mutant} is not a mutant any more: remove or renumber its entry", flush=True)
    EQUIVALENTS.write_text(pin_entries(EQUIVALENTS.read_text(encoding="utf-8"), found), encoding="utf-8")
    print(f"== {name}: pinned {len(found)} listed mutants in {EQUIVALENTS.name}", flush=True)
    return len(found)


@dataclass(frozen=True)
class Tally:
    """One module's mutants sorted out: which count, which of those died, and which listings no longer hold."""

    counted: dict[str, str]  # mutant -> status, for every mutant the score counts
    killed: list[str]
    survivors: list[str]
    stale: list[str]  # listed as equivalent, but a test kills it now
    moved: list[str]  # listed as equivalent, but its diff is not the one judged (or was never pinned)


def count(statuses: dict[str, str], listed: dict[str, str | None], diffs: dict[str, str | None]) -> Tally:
    """Sort mutmut's statuses against the equivalents list and the survivors' diffs."""
    stale = sorted(k for k in listed if k in statuses and statuses[k] != "survived")
    moved = sorted(
        k
        for k, v in statuses.items()
        if v == "survived" and k in listed and listed[k] != fingerprint(diffs.get(k) or "")
    )
    counted = {k: v for k, v in statuses.items() if k not in listed or k in stale or k in moved}
    killed = [k for k, v in counted.items() if v in {"killed", "timeout", "caught by type check"}]
    survivors = sorted(k for k in counted if k not in killed)
    return Tally(counted, killed, survivors, stale, moved)


def mutate(name: str, max_children: int) -> float:
    """Mutate one module, print its score and survivors; the score."""
    target = TARGETS[name]
    folder = _stage(name, target)
    print(f"== {name}: mutating {target.path} with {', '.join(target.tests)}", flush=True)
    _mutmut(folder, "run", "--max-children", str(max_children))
    statuses = dict(re.findall(r"^\s+(\S+): (.+)$", _mutmut(folder, "results", "--all", "true"), flags=re.MULTILINE))
    diffs = _diffs(folder, sorted(k for k, v in statuses.items() if v == "survived"))
    tally = count(statuses, _equivalents(), diffs)
    score = len(tally.killed) / len(tally.counted) if tally.counted else 1.0
    print(
        f"== {name}: {len(tally.killed)}/{len(tally.counted)} killed ({score:.0%}); "
        f"{len(statuses) - len(tally.counted)} listed as equivalent; {len(tally.survivors)} survivors",
        flush=True,
    )
    notes = [f"stale entry in {EQUIVALENTS.name}: {k} is {statuses[k]}, remove it" for k in tally.stale] + [
        f"{k} is listed in {EQUIVALENTS.name}, but its diff is not the one judged there (or was never pinned):"
        f" judge it again, then `make mutate MODULE={name} PIN=1`"
        for k in tally.moved
    ]
    for note in notes:
        print(f"   {note}", flush=True)
    for survivor in tally.survivors:
        print(f"# {survivor}\n{(diffs.get(survivor) or '').rstrip()}", flush=True)
    return score


def main(argv: list[str] | None = None) -> int:
    """Entry point: `python -m tests.mutation.mutate [--pin] [module ...]`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"default: all of {', '.join(TARGETS)}")
    parser.add_argument("--max-children", type=int, default=2)
    parser.add_argument(
        "--pin",
        action="store_true",
        help="write the fingerprints of the listed mutants' diffs as they are now; no test run",
    )
    args = parser.parse_args(argv)
    unknown = [name for name in args.modules if name not in TARGETS]
    if unknown:
        parser.error(f"unknown module {', '.join(unknown)}; choose from {', '.join(TARGETS)}")
    if args.pin:
        for name in args.modules or TARGETS:
            pin(name)
        return 0
    scores = {name: mutate(name, args.max_children) for name in args.modules or TARGETS}
    print("\n== mutation score per module (non-equivalent mutants killed)")
    for name, score in scores.items():
        print(f"{name:22} {score:6.0%}{'' if score >= THRESHOLD else '  below ' + format(THRESHOLD, '.0%')}")
    return 0 if all(score >= THRESHOLD for score in scores.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
