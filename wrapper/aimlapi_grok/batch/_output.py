"""Batch output: OpenAI Batch API output lines from the journal, the export, and the status summary.

An output line: ``{"id", "custom_id", "response": {"status_code", "request_id", "body",
"inference_id", "client_request_id", "credits_used", "usd_spent"}, "error": {"code", "message"}}``
(`response` is null when no HTTP answer came; `error` is null for a completion;
`usd_spent` is decimal text, exact). One line per finished custom_id, in input order.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ._journal import Journal, JournalRow

MAX_EXAMPLE = 300  # characters of an example error message in the status


def output_line(row: JournalRow) -> dict[str, Any]:
    """One finished request as an OpenAI Batch API output line (with cost and inference id)."""
    response = None
    if row.status_code is not None:
        response = {
            "status_code": row.status_code,
            "request_id": row.request_id,
            "body": row.response,
            "inference_id": row.inference_id,
            "client_request_id": row.client_request_id,
            "credits_used": row.credits_used,
            "usd_spent": None if row.usd_spent is None else str(row.usd_spent),
        }
    error = None if row.state == "done" else {"code": row.error_code, "message": row.error_message}
    return {
        "id": f"batch_req_{row.client_request_id}",
        "custom_id": row.custom_id,
        "response": response,
        "error": error,
    }


def export(journal: Journal, out: str | os.PathLike[str]) -> int:
    """Write every finished request to `out` (JSONL, input order), replacing it atomically; the line count."""
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            for row in journal.rows(states=("done", "failed")):
                handle.write(json.dumps(output_line(row), ensure_ascii=False) + "\n")
                count += 1
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def status(journal: Journal) -> dict[str, Any]:
    """Counts per state, cost, tokens, and the failures grouped by error code (with an example each)."""
    totals = journal.totals()
    groups: dict[str, dict[str, Any]] = {}
    for row in journal.rows(states=("failed",)):
        code = row.error_code or "unknown"
        group = groups.setdefault(code, {"code": code, "count": 0, "example": (row.error_message or "")[:MAX_EXAMPLE]})
        group["count"] += 1
    return {
        "journal": str(journal.path),
        "total": totals.total,
        **totals.counts,
        "credits_used": totals.credits_used,
        "usd_spent": str(totals.usd_spent),
        "prompt_tokens": totals.prompt_tokens,
        "completion_tokens": totals.completion_tokens,
        "errors": sorted(groups.values(), key=lambda g: (-g["count"], g["code"])),
    }


def status_lines(summary: dict[str, Any]) -> list[str]:
    """The status as text lines."""
    lines = [
        f"{summary['journal']}: {summary['total']} requests: {summary['done']} done, {summary['failed']} failed,"
        f" {summary['pending']} pending, {summary['in_flight']} in flight (interrupted)",
        f"cost: ${summary['usd_spent']} ({summary['credits_used']} credits); tokens: {summary['prompt_tokens']}"
        f" prompt, {summary['completion_tokens']} completion",
    ]
    if summary["errors"]:
        lines.append("errors:")
        lines.extend(f"  {g['count']} x {g['code']}: {g['example']}" for g in summary["errors"])
    return lines
