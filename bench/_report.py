"""Result rows, the printed table, and the JSON + markdown files."""

from __future__ import annotations

import json
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Row:
    """One measured contender in one section."""

    section: str
    case: str
    value: float | None
    unit: str
    ratio: float | None = None  # to the section's floor (raw httpx), in the direction of the target
    target: str = ""
    verdict: str = ""  # PASS / MISS for the wrapper rows, "" for the others
    detail: str = ""

    def formatted_value(self) -> str:
        if self.value is None:
            return "n/a"
        if self.value >= 1000:
            return f"{self.value:,.0f}"
        return f"{self.value:.1f}" if self.value >= 10 else f"{self.value:.2f}"


def verdict(ratio: float | None, *, at_most: float | None = None, at_least: float | None = None) -> str:
    """PASS or MISS for a ratio against a bound ("" when there is no ratio)."""
    if ratio is None:
        return "n/a"
    if at_most is not None:
        return "PASS" if ratio <= at_most else "MISS"
    if at_least is not None:
        return "PASS" if ratio >= at_least else "MISS"
    return ""


MAX_DETAIL = 160
_HEADERS = ("case", "value", "unit", "x floor", "target", "verdict", "detail")


def _cells(row: Row) -> tuple[str, ...]:
    ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
    detail = " ".join(row.detail.split())
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 3] + "..."
    return (row.case, row.formatted_value(), row.unit, ratio, row.target, row.verdict, detail)


def render_text(rows: list[Row]) -> str:
    """A plain-text table, one block per section."""
    widths = [len(h) for h in _HEADERS]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, _cells(row), strict=True)]
    lines: list[str] = []
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            header = "  ".join(h.ljust(w) for h, w in zip(_HEADERS, widths, strict=True)).rstrip()
            lines.extend(["", f"== {section}", header])
        lines.append("  ".join(c.ljust(w) for c, w in zip(_cells(row), widths, strict=True)).rstrip())
    return "\n".join(lines).lstrip("\n")


def render_markdown(rows: list[Row], environment: dict[str, Any]) -> str:
    """The same table as markdown, with the machine it ran on."""
    from .summary import goals_table

    lines = ["# aimlapi-grok benchmarks", "", _environment_line(environment), "", "## Goals (issue 11)", ""]
    lines.append(goals_table({"rows": [asdict(row) for row in rows], "environment": environment}))
    section = None
    for row in rows:
        if row.section != section:
            section = row.section
            lines.extend(["", f"## {section}", "", "| " + " | ".join(_HEADERS) + " |", "|" + "---|" * len(_HEADERS)])
        lines.append("| " + " | ".join(c.replace("|", "/") for c in _cells(row)) + " |")
    return "\n".join(lines) + "\n"


def environment(quick: bool) -> dict[str, Any]:
    """Versions and machine facts recorded next to the numbers."""
    import os
    from importlib import metadata

    versions = {}
    for dist in ("aimlapi-grok", "httpx", "httpx-sse", "openai", "pydantic", "attrs"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "quick": quick,
        "versions": versions,
    }


def _environment_line(env: dict[str, Any]) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in env["versions"].items())
    mode = " (quick mode: fewer iterations, numbers are rough)" if env["quick"] else ""
    return f"Python {env['python']} on {env['platform']}, {env['cpus']} CPUs; {versions}{mode}."


def write_results(out_dir: Path, rows: list[Row], env: dict[str, Any]) -> tuple[Path, Path]:
    """Write results.json and results.md into `out_dir`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "results.json"
    md_path = out_dir / "results.md"
    json_path.write_text(json.dumps({"environment": env, "rows": [asdict(r) for r in rows]}, indent=2) + "\n")
    md_path.write_text(render_markdown(rows, env))
    return json_path, md_path
