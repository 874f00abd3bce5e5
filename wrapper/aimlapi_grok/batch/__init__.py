"""Batch runs: thousands of chat completions from a file, resumable, rate-adaptive, nothing lost or paid twice.

``await run_batch(client, read_input(path), journal="out.jsonl.journal.db")``
sends every request that has no result in the journal (an SQLite file) yet,
adapting its concurrency to 429s and 503s, within optional rate caps and a USD
budget; ``export(Journal(path), out)`` writes the OpenAI Batch API output
lines. The same from the command line: ``aimlapi-grok batch run|status|export``.
Names are loaded on first use, so importing this package is cheap.
"""

from __future__ import annotations

import typing as _typing

from .._lazy import lazy_exports as _lazy_exports

if _typing.TYPE_CHECKING:
    from ._input import BatchInputError, BatchRequest, InputProblem, ParsedInput, Shard, check_records, read_input
    from ._journal import Journal, JournalRow, Outcome, Totals
    from ._output import export, output_line, status
    from ._report import BatchProgress, BatchReport
    from ._runner import run_batch

_EXPORTS = {
    "BatchInputError": "._input",
    "BatchProgress": "._report",
    "BatchReport": "._report",
    "BatchRequest": "._input",
    "InputProblem": "._input",
    "Journal": "._journal",
    "JournalRow": "._journal",
    "Outcome": "._journal",
    "ParsedInput": "._input",
    "Shard": "._input",
    "Totals": "._journal",
    "check_records": "._input",
    "export": "._output",
    "output_line": "._output",
    "read_input": "._input",
    "run_batch": "._runner",
    "status": "._output",
}

__all__ = [
    "BatchInputError",
    "BatchProgress",
    "BatchReport",
    "BatchRequest",
    "InputProblem",
    "Journal",
    "JournalRow",
    "Outcome",
    "ParsedInput",
    "Shard",
    "Totals",
    "check_records",
    "export",
    "output_line",
    "read_input",
    "run_batch",
    "status",
]


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS, globals())
