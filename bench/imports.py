"""Import time of aimlapi_grok against httpx and openai, each in fresh interpreters.

The figure is CPU time (user + system) of `python -I -c <code>` minus that of
`python -I -c pass` (the bare start-up), the best of interleaved runs: CPU time
is far steadier than wall time on a shared machine, and the best run is the one
least disturbed by other processes (as `timeit` advises; the median is kept). The detail column adds the
wall-clock `-X importtime` sum (top-level imports after a marker, so start-up is
not counted). The "+ first call" rows also do one completion through an
httpx.MockTransport, so they count the imports a client defers to its first
request (lazy imports move cost, they do not remove it).
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from ._report import Row, verdict

SECTION = "Import time (fresh interpreter, CPU time over bare start-up; lower is better)"
TARGET = 1.15  # issue 11: hold
MARK = "--bench-import-mark--"
REPO_ROOT = Path(__file__).resolve().parent.parent
PUBLIC_IMPORT = "from aimlapi_grok import AsyncGrok, Grok"
PRIVATE_IMPORT = "from aimlapi_grok._client import Grok; from aimlapi_grok._async_client import AsyncGrok"
PRELUDE = f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); sys.stderr.write({MARK!r} + '\\n')\n"

_FIRST_CALL_GROK = """
from bench._fixtures import API_KEY, BASE_URL, MESSAGES, completion_transport
import httpx
Grok(api_key=API_KEY, base_url=BASE_URL, http_client=httpx.Client(transport=completion_transport())
     ).chat.completions.create(messages=MESSAGES).text
"""
_FIRST_CALL_OPENAI = """
from bench._fixtures import API_KEY, BASE_URL, MESSAGES, MODEL, completion_transport
import httpx
openai.OpenAI(api_key=API_KEY, base_url=BASE_URL + "/v1", http_client=httpx.Client(transport=completion_transport())
     ).chat.completions.create(model=MODEL, messages=MESSAGES).choices[0].message.content
"""


@dataclass(frozen=True)
class Subject:
    """One thing to import: a row name and the code whose imports are timed."""

    name: str
    code: str
    note: str = ""


def _run(code: str, *flags: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run `code` in a fresh interpreter; return the finished process and its CPU milliseconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(
        [sys.executable, "-I", *flags, "-c", PRELUDE + code], capture_output=True, text=True, check=False, timeout=120
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return proc, cpu * 1e3


def cpu_ms(code: str) -> float:
    """CPU milliseconds of a fresh interpreter running `code` (start-up included)."""
    return _run(code)[1]


def importtime_ms(code: str) -> float:
    """Wall milliseconds spent in imports by `code`, from `python -X importtime` (start-up not counted)."""
    proc, _ = _run(code, "-X", "importtime")
    _, _, after = proc.stderr.partition(MARK)
    total_us = 0
    for line in after.splitlines():
        parts = line.split("|")
        if not line.startswith("import time:") or len(parts) != 3:
            continue
        name = parts[2]
        if name.startswith("  ") or name.strip().startswith("bench"):
            continue  # nested (counted in its parent) or the benchmark's own fixtures
        total_us += int(parts[1].strip())
    return total_us / 1e3


def subjects() -> list[Subject]:
    """httpx (the floor), aimlapi_grok (public names if exported yet), openai; then the first-call rows."""
    wrapper = Subject("aimlapi_grok", PUBLIC_IMPORT, PUBLIC_IMPORT)
    try:
        importtime_ms(PUBLIC_IMPORT)
    except RuntimeError:
        wrapper = Subject("aimlapi_grok", PRIVATE_IMPORT, "Grok/AsyncGrok from private modules (not exported yet)")
    return [
        Subject("httpx", "import httpx", "import httpx"),
        wrapper,
        Subject("openai", "import openai", "import openai"),
        Subject("aimlapi_grok + first call", wrapper.code + _FIRST_CALL_GROK, "lazy imports of the first request"),
        Subject("openai + first call", "import openai" + _FIRST_CALL_OPENAI, "lazy imports of the first request"),
    ]


def run(*, quick: bool) -> list[Row]:
    """Medians over fresh interpreters, interleaved, after one warm-up run each (compiles the .pyc files)."""
    runs = 2 if quick else 11
    everything = subjects()
    errors: dict[str, str] = {}
    for subject in everything:
        try:
            cpu_ms(subject.code)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            errors[subject.name] = f"failed: {exc}"[-200:]
    measured = [s for s in everything if s.name not in errors]
    cpu: dict[str, list[float]] = {s.name: [] for s in measured}
    wall: dict[str, list[float]] = {s.name: [] for s in measured}
    bare: list[float] = []
    for _ in range(runs):
        bare.append(cpu_ms("pass"))
        for subject in measured:
            cpu[subject.name].append(cpu_ms(subject.code))
            wall[subject.name].append(importtime_ms(subject.code))
    start_up = min(bare)
    values = {name: min(samples) - start_up for name, samples in cpu.items()}
    medians = {name: statistics.median(samples) - statistics.median(bare) for name, samples in cpu.items()}
    floor = values.get("httpx")
    rows = []
    for subject in everything:
        if subject.name in errors:
            rows.append(Row(SECTION, subject.name, None, "ms CPU", detail=errors[subject.name]))
            continue
        ratio = values[subject.name] / floor if floor else None
        is_wrapper = subject.name == "aimlapi_grok"
        rows.append(
            Row(
                SECTION,
                subject.name,
                values[subject.name],
                "ms CPU",
                ratio=ratio,
                target=f"<= {TARGET}x httpx" if is_wrapper else "",
                verdict=verdict(ratio, at_most=TARGET) if is_wrapper else "",
                detail=(
                    f"best of {runs}, median {medians[subject.name]:.0f}; importtime {min(wall[subject.name]):.0f} ms"
                    f" wall; bare start-up {start_up:.0f} ms CPU; {subject.note}"
                ),
            )
        )
    return rows
