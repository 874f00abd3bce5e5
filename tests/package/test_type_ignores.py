"""No `type: ignore` is left unexplained in the hand-written code (wrapper, spec tools, tests, benchmarks)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["wrapper", "spec/tools", "tests", "bench", "hatch_build.py"]
IGNORE = re.compile(r"#\s*type:\s*ignore(\[[^\]]*\])?(?P<after>.*)$")


def unexplained_lines(path: Path) -> list[int]:
    """Lines of `path` with a `# type: ignore` that has neither a comment after it nor a comment line just above."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines, 1):
        match = IGNORE.search(line)
        if match is None or line.lstrip().startswith(("#", '"', "`")):
            continue  # no pragma, or the words `type: ignore` in prose
        explained_after = match.group("after").strip().startswith("#")
        explained_above = number > 1 and lines[number - 2].lstrip().startswith("#")
        if not (explained_after or explained_above):
            found.append(number)
    return found


def test_every_type_ignore_says_why() -> None:
    """Each `# type: ignore[code]` is followed by `# <why>` or sits under a comment line that explains it."""
    found = []
    for target in CHECKED:
        paths = [ROOT / target] if target.endswith(".py") else sorted((ROOT / target).rglob("*.py"))
        found += [f"{path.relative_to(ROOT)}:{line}" for path in paths for line in unexplained_lines(path)]
    assert found == []


def test_the_check_reports_a_bare_ignore_and_accepts_explained_ones(tmp_path: Path) -> None:
    """A bare ignore is reported; one with a reason after it or a comment line above it is not."""
    source = tmp_path / "sample.py"
    source.write_text(
        "a: int = 'x'  # type: ignore[assignment]\n"
        "b: int = 'x'  # type: ignore[assignment]  # a str on purpose\n"
        "# a str on purpose\n"
        "c: int = 'x'  # type: ignore[assignment]\n",
        encoding="utf-8",
    )
    assert unexplained_lines(source) == [1]
