"""The goals table (issue 11) from a results.json: raw floor, aimlapi_grok and openai-python side by side.

`python -m bench` writes it into README.md between the two markers below (and
into results.md); `python -m bench.summary` rewrites the README from the
results.json on disk. A test checks that the README says what results.json says.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START = "<!-- bench:start (written by `make bench` from bench/results/results.json; do not edit) -->"
END = "<!-- bench:end -->"
REPO_ROOT = Path(__file__).resolve().parent.parent
README = REPO_ROOT / "README.md"
RESULTS = Path(__file__).resolve().parent / "results" / "results.json"


@dataclass(frozen=True)
class Goal:
    """One line of the goals table: where its three figures are in results.json (the bound is the row's own target)."""

    figure: str
    section: str  # the start of the section title
    floor: str
    wrapper: str
    openai: str


GOALS = (
    Goal("non-streamed, `.text`", "Per-request overhead", "raw httpx + json", "aimlapi_grok (Grok)", "openai-python"),
    Goal("non-streamed, typed `.completion`", "Per-request overhead", "raw httpx + json",
         "aimlapi_grok (Grok) .completion", "openai-python"),
    Goal("streaming, typed chunks", "Streaming throughput", "raw httpx + httpx-sse + json", "aimlapi_grok (Grok)",
         "openai-python"),
    Goal("import", "Import time", "httpx", "aimlapi_grok", "openai"),
    Goal("1,000 async streams, throughput", "Async concurrent streams over loopback: throughput",
         "N=1000  raw httpx.AsyncClient + httpx-sse", "N=1000  aimlapi_grok (AsyncGrok)",
         "N=1000  openai-python (AsyncOpenAI)"),
    Goal("1,000 async streams, peak RSS", "Async concurrent streams: client peak RSS",
         "N=1000  raw httpx.AsyncClient + httpx-sse", "N=1000  aimlapi_grok (AsyncGrok)",
         "N=1000  openai-python (AsyncOpenAI)"),
)  # fmt: skip


def _find(rows: list[dict[str, Any]], section: str, case: str) -> dict[str, Any] | None:
    return next((r for r in rows if r["section"].startswith(section) and r["case"] == case), None)


def _cell(row: dict[str, Any] | None, floor: dict[str, Any] | None) -> str:
    if row is None or row["value"] is None:
        return "n/a"
    value = f"{row['value']:,.0f}" if row["value"] >= 100 else f"{row['value']:.1f}"
    text = f"{value} {row['unit']}"
    if floor is not None and row["ratio"] is not None:
        text += f" ({row['ratio']:.2f}x)"
    return text


def goals_table(results: dict[str, Any]) -> str:
    """The markdown table of the goals, one line per figure, from a results.json document."""
    rows = results["rows"]
    lines = [
        "| figure | raw floor | aimlapi_grok | openai-python | goal | verdict |",
        "|---|---|---|---|---|---|",
    ]
    for goal in GOALS:
        floor = _find(rows, goal.section, goal.floor)
        wrapper = _find(rows, goal.section, goal.wrapper)
        openai = _find(rows, goal.section, goal.openai)
        verdict = (wrapper or {}).get("verdict") or "n/a"
        target = (wrapper or {}).get("target") or "n/a"
        bound = " ".join(target.split()[:2])  # the bound the verdict was judged against ("<= 1.15x httpx": "<= 1.15x")
        cells = [goal.figure, _cell(floor, None), _cell(wrapper, floor), _cell(openai, floor), bound, verdict]
        lines.append("| " + " | ".join(cells) + " |")
    env = results["environment"]
    mode = ", quick mode (rough)" if env.get("quick") else ""
    lines += [
        "",
        f"Ratios to the raw floor; CPU time for the first four lines, one `make bench` run (Python {env['python']},"
        f" {env['cpus']} CPUs{mode}); the async lines: the median of"
        " five alternating runs. Every figure: `bench/results/results.md`.",
    ]
    return "\n".join(lines)


def with_table(readme: str, table: str) -> str:
    """`readme` with the text between the markers replaced by `table` (ValueError when a marker is missing)."""
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README.md lacks the markers {START!r} and {END!r}")
    return f"{before}{START}\n{table}\n{END}{after}"


def update_readme(results_path: Path = RESULTS, readme_path: Path = README) -> None:
    """Rewrite the README's goals table from `results_path`."""
    table = goals_table(json.loads(results_path.read_text()))
    readme_path.write_text(with_table(readme_path.read_text(), table))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.summary", description=__doc__)
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--readme", type=Path, default=README)
    args = parser.parse_args(argv)
    update_readme(args.results, args.readme)
    print(f"updated {args.readme} from {args.results}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
