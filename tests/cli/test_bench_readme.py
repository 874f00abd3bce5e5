"""The README's benchmark table is the one bench/results/results.json gives, and its verdicts can say MISS."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bench.summary import END, GOALS, README, RESULTS, START, goals_table, with_table


def committed_results() -> dict[str, Any]:
    """The results.json committed with the code."""
    results: dict[str, Any] = json.loads(RESULTS.read_text())
    return results


def test_readme_table_says_what_the_committed_results_say() -> None:
    """README.md between the bench markers is exactly the goals table rendered from bench/results/results.json."""
    readme = README.read_text()
    _, _, rest = readme.partition(START)
    block, _, _ = rest.partition(END)
    assert block.strip() == goals_table(committed_results()).strip()


def test_committed_results_are_a_full_run_with_every_goal_measured() -> None:
    """The committed run is a full one (not --quick) and has a figure and a verdict for each goal of issue 11."""
    results = committed_results()
    assert results["environment"]["quick"] is False
    table = goals_table(results)
    for goal in GOALS:
        line = next(line for line in table.splitlines() if line.startswith(f"| {goal.figure} |"))
        assert "n/a" not in line, line
        assert line.endswith(("| PASS |", "| MISS |")), line


def test_a_ratio_beyond_its_goal_reads_miss() -> None:
    """The table takes each verdict from the run: a wrapper row that missed its bound shows MISS."""
    results = copy.deepcopy(committed_results())
    for row in results["rows"]:
        if row["section"].startswith("Streaming throughput") and row["case"] == "aimlapi_grok (Grok)":
            row["ratio"], row["verdict"] = 0.5, "MISS"
    line = next(line for line in goals_table(results).splitlines() if line.startswith("| streaming"))
    assert "(0.50x)" in line
    assert line.endswith("| MISS |")


def test_with_table_replaces_only_the_block_and_needs_both_markers(tmp_path: Path) -> None:
    """The text around the markers is kept; a README without them is refused with the reason."""
    text = f"# Title\n\nbefore\n\n{START}\nold table\n{END}\n\nafter\n"
    assert with_table(text, "NEW") == f"# Title\n\nbefore\n\n{START}\nNEW\n{END}\n\nafter\n"
    with pytest.raises(ValueError, match="lacks the markers"):
        with_table("# no markers\n", "NEW")
