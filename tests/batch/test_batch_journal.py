"""The journal: states across reopenings, refused body changes, export order and format."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from aimlapi_grok.batch import BatchInputError, BatchRequest, Journal, Outcome, Shard, check_records, export, status
from aimlapi_grok.batch._journal import INVALID_INPUT


def _requests(*ids: str, prompt: str = "hi") -> list[BatchRequest]:
    return check_records(
        [(n, {"custom_id": cid, "messages": [{"role": "user", "content": prompt}]}) for n, cid in enumerate(ids, 1)]
    ).requests


def test_a_killed_run_leaves_each_request_resumable(tmp_path: Path) -> None:
    """After reopening: in-flight requests are runnable again (counted as interrupted); done ones are not."""
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        journal.register(_requests("a", "b", "c"))
        journal.mark_in_flight(["a", "b"])
        journal.record([Outcome("a", "done", status_code=200, body={"ok": 1}, usd_spent=Decimal("0.001"))])
        crid = journal.client_request_id("b")
    with Journal(path) as journal:
        runnable, interrupted = journal.runnable(["a", "b", "c"], retry_failed=False)
        assert runnable == ["b", "c"]
        assert interrupted == 1
        assert journal.client_request_id("b") == crid  # the same X-Client-Request-Id on the re-send
        assert journal.totals().usd_spent == Decimal("0.001")


def test_failed_requests_rerun_only_when_asked_and_invalid_ones_never(tmp_path: Path) -> None:
    """--retry-failed brings back API failures, not lines that failed the input check."""
    with Journal(tmp_path / "j.db") as journal:
        good, bad = _requests("ok", "bad")
        journal.register([good], [(bad, "body.temperature: too hot")])
        journal.record([Outcome("ok", "failed", status_code=500, error_code="http_500", error_message="boom")])
        assert journal.runnable(["ok", "bad"], retry_failed=False) == ([], 0)
        assert journal.runnable(["ok", "bad"], retry_failed=True) == (["ok"], 0)
        rows = {row.custom_id: row for row in journal.rows()}
        assert rows["bad"].error_code == INVALID_INPUT


def test_a_changed_body_under_a_known_custom_id_is_refused(tmp_path: Path) -> None:
    """The journal keeps each body's hash; a different body under the same custom_id is an input error."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b"))
        journal.register(_requests("a", "b"))  # the same input again: fine
        with pytest.raises(BatchInputError, match="body differs"):
            journal.register(_requests("a", prompt="changed"))


def test_a_journal_belongs_to_one_shard(tmp_path: Path) -> None:
    """A shard's journal refuses to run another shard."""
    with Journal(tmp_path / "j.db") as journal:
        journal.bind_shard(Shard(1, 2))
        journal.bind_shard(Shard(1, 2))
        with pytest.raises(BatchInputError, match="shard 1/2, not 2/2"):
            journal.bind_shard(Shard(2, 2))


def test_export_writes_one_line_per_finished_request_in_input_order(tmp_path: Path) -> None:
    """Lines follow the input order whatever the finishing order; failures carry `error`, completions cost."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("first", "second", "third"))
        journal.record(
            [
                Outcome(
                    "third",
                    "failed",
                    status_code=400,
                    body={"message": "no"},
                    error_code="http_400",
                    error_message="no",
                ),
                Outcome(
                    "first",
                    "done",
                    status_code=200,
                    body={"id": "c1"},
                    inference_id="inf-1",
                    credits_used=5,
                    usd_spent=Decimal("0.000001000"),
                ),
            ]
        )
        assert export(journal, tmp_path / "out.jsonl") == 2
        summary = status(journal)
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [line["custom_id"] for line in lines] == ["first", "third"]
    assert lines[0]["error"] is None
    assert lines[0]["response"]["usd_spent"] == "0.000001000"
    assert lines[0]["response"]["inference_id"] == "inf-1"
    assert lines[1]["error"] == {"code": "http_400", "message": "no"}
    assert summary["pending"] == 1
    assert summary["errors"] == [{"code": "http_400", "count": 1, "example": "no"}]
