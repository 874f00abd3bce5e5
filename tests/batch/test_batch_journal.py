"""The journal: states across reopenings, refused body changes, export order and format."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import pytest
from aimlapi_grok.batch import BatchInputError, BatchRequest, Journal, Outcome, Shard, check_records, export, status
from aimlapi_grok.batch._journal import INVALID_INPUT, open_existing


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


def test_a_new_journal_is_a_wal_file_with_its_own_job_id(tmp_path: Path) -> None:
    """The file is in WAL mode (readers run beside a batch); each journal draws its own id, kept on reopening."""
    with Journal(tmp_path / "one.db") as one, Journal(tmp_path / "two.db") as two:
        crid = one.client_request_id("a")
        assert re.fullmatch(r"batch-[0-9a-f]{8}-[0-9a-f]{24}", crid)
        assert crid == f"batch-{one.job_id}-{hashlib.sha256(b'a').hexdigest()[:24]}"
        assert two.job_id != one.job_id
        assert one.client_request_id("b") != crid
    with Journal(tmp_path / "one.db") as again:
        assert again.client_request_id("a") == crid
    with closing(sqlite3.connect(tmp_path / "one.db")) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_a_journal_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    """A journal written by another layout of the file is an input error naming both versions, not a crash."""
    path = tmp_path / "j.db"
    Journal(path).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(BatchInputError, match=rf"{re.escape(str(path))}: journal schema 0, expected 1$") as caught:
        Journal(path)
    assert [problem.line for problem in caught.value.problems] == [0]  # the file, not a line of the input


def test_a_journal_whose_first_open_was_killed_gets_its_job_id(tmp_path: Path) -> None:
    """A file left with its schema version but no job id (killed mid-creation) gets one: request ids stay unique."""
    path = tmp_path / "j.db"
    Journal(path).close()
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DELETE FROM meta WHERE key = 'job_id'")
    with Journal(path) as journal, Journal(tmp_path / "other.db") as other:
        assert re.fullmatch(r"batch-[0-9a-f]{8}-[0-9a-f]{24}", journal.client_request_id("a"))
        assert journal.client_request_id("a") != other.client_request_id("a")
        job_id = journal.job_id
    with Journal(path) as again:
        assert again.job_id == job_id


def test_open_existing_refuses_a_missing_journal(tmp_path: Path) -> None:
    """`status`/`export` on a path with no journal: an input error naming the path (no empty file is created)."""
    path = tmp_path / "missing.db"
    with pytest.raises(BatchInputError, match=rf"no journal at {re.escape(str(path))}$") as caught:
        open_existing(path)
    assert [problem.line for problem in caught.value.problems] == [0]
    assert not path.exists()
    Journal(path).close()
    with open_existing(path) as journal:
        assert journal.states() == {}


def test_an_unsharded_journal_refuses_a_shard(tmp_path: Path) -> None:
    """A journal that ran the whole input says so when asked to run one shard, and the other way round."""
    with Journal(tmp_path / "all.db") as journal:
        journal.bind_shard(None)
        journal.bind_shard(None)
        with pytest.raises(BatchInputError, match=r"is the journal of shard all, not 1/2$") as caught:
            journal.bind_shard(Shard(1, 2))
        assert [problem.line for problem in caught.value.problems] == [0]
    with Journal(tmp_path / "one.db") as journal:
        journal.bind_shard(Shard(2, 3))
        with pytest.raises(BatchInputError, match=r"is the journal of shard 2/3, not all$"):
            journal.bind_shard(None)


def test_a_changed_body_is_reported_with_its_line_and_custom_id(tmp_path: Path) -> None:
    """Each changed body is one problem naming its input line and custom_id; nothing new is registered."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b"))
        with pytest.raises(BatchInputError) as caught:
            journal.register([*_requests("a", "b", prompt="changed"), *_requests("x", "y", "new")[2:]])
        message = "the body differs from the one this journal recorded under this custom_id"
        assert [(p.line, p.custom_id, p.message) for p in caught.value.problems] == [
            (1, "a", message),
            (2, "b", message),
        ]
        assert journal.states() == {"a": "pending", "b": "pending"}


def test_runnable_follows_the_input_order_and_counts_each_interruption(tmp_path: Path) -> None:
    """Runnable requests come in input order (not custom_id order); every reopening finding one in flight counts."""
    path = tmp_path / "j.db"
    with Journal(path) as journal:
        journal.register(_requests("zulu", "alpha", "mike", "yankee"))
        journal.mark_in_flight(["alpha"])
        journal.mark_in_flight(["alpha", "mike"])
        assert journal.runnable(["zulu", "alpha", "mike"], retry_failed=False) == (["zulu", "alpha", "mike"], 2)
        assert journal.runnable(["alpha"], retry_failed=False) == (["alpha"], 1)
        journal.record([Outcome("zulu", "failed", status_code=500, error_code="http_500")])
        everything = ["zulu", "alpha", "mike", "yankee"]
        assert journal.runnable(everything, retry_failed=True) == (everything, 2)
    with Journal(path) as journal:
        rows = {row.custom_id: row for row in journal.rows()}
    assert [(rows[c].sends, rows[c].interrupted) for c in ("zulu", "alpha", "mike")] == [(0, 0), (2, 3), (1, 2)]
    assert [row.seq for row in rows.values()] == [1, 2, 3, 4]


def test_mark_pending_only_puts_back_requests_still_in_flight(tmp_path: Path) -> None:
    """Requests stopped before their turn go back to pending; one that finished meanwhile keeps its result."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b", "c"))
        journal.mark_in_flight(["a", "b"])
        journal.record([Outcome("a", "done", status_code=200, body={"id": "x"})])
        journal.mark_pending(["a", "b", "c"])
        assert journal.states() == {"a": "done", "b": "pending", "c": "pending"}


def test_unmark_puts_back_requests_marked_ahead_and_uncounts_their_send(tmp_path: Path) -> None:
    """A request marked in flight whose send never came is pending again with no send counted; others keep theirs."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b", "c"))
        journal.mark_in_flight(["a", "b", "c"])
        journal.record([Outcome("a", "done", status_code=200, body={"id": "x"})])
        journal.unmark(["a", "b"])
        assert journal.states() == {"a": "done", "b": "pending", "c": "in_flight"}
        assert {row.custom_id: row.sends for row in journal.rows()} == {"a": 1, "b": 0, "c": 1}


def test_one_commit_stores_results_and_starts_sends_together_or_not_at_all(tmp_path: Path) -> None:
    """A commit whose result cannot be stored changes nothing: no result, no send counted."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b"))
        with pytest.raises(TypeError):
            journal.commit([Outcome("a", "done", body={"x": 1}), Outcome("b", "done", body={object()})], ["b"])
        assert journal.states() == {"a": "pending", "b": "pending"}
        journal.commit([Outcome("a", "done", body={"x": 1})], ["b"])
        assert journal.states() == {"a": "done", "b": "in_flight"}


def test_rows_give_back_every_recorded_field(tmp_path: Path) -> None:
    """A result reads back as recorded: the body as JSON (or its raw text), the cost as an exact Decimal."""
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b", "c", "d"))
        journal.mark_in_flight(["a", "b", "c", "d"])
        done = Outcome(
            "a",
            "done",
            status_code=200,
            body={"ignored": True},
            request_id="req-1",
            inference_id="inf-1",
            credits_used=7,
            usd_spent=Decimal("0.000123400"),
            prompt_tokens=11,
            completion_tokens=13,
            raw_body='{"id": "c1", "text": "é"}',
        )
        failed = Outcome("b", "failed", status_code=429, error_code="http_429", error_message="slow down")
        journal.record([done, failed, Outcome("d", "done", body={"id": "c2", "text": "ü"})])
        rows = {row.custom_id: row for row in journal.rows()}
        only_failed = [row.custom_id for row in journal.rows(states=("failed",))]
    a, b = rows["a"], rows["b"]
    assert (a.state, a.status_code, a.response, a.request_id, a.inference_id) == (
        "done",
        200,
        {"id": "c1", "text": "é"},
        "req-1",
        "inf-1",
    )
    assert (a.credits_used, a.usd_spent, a.prompt_tokens, a.completion_tokens) == (7, Decimal("0.000123400"), 11, 13)
    assert (a.error_code, a.error_message, a.client_request_id) == (None, None, journal.client_request_id("a"))
    assert (b.state, b.status_code, b.response, b.usd_spent, b.error_code, b.error_message) == (
        "failed",
        429,
        None,
        None,
        "http_429",
        "slow down",
    )
    assert (rows["c"].state, rows["c"].sends, rows["c"].error_code) == ("in_flight", 1, None)
    assert (rows["d"].response, rows["d"].request_id) == ({"id": "c2", "text": "ü"}, None)
    assert only_failed == ["b"]


def test_totals_count_every_state_and_add_up_what_was_spent(tmp_path: Path) -> None:
    """Counts per state (zero included), credits, tokens, the exact USD sum and the largest single cost."""
    with Journal(tmp_path / "empty.db") as journal:
        empty = journal.totals()
    assert (empty.counts, empty.total, empty.credits_used, empty.usd_spent, empty.max_usd) == (
        {"pending": 0, "in_flight": 0, "done": 0, "failed": 0},
        0,
        0,
        Decimal(0),
        None,
    )
    assert (empty.prompt_tokens, empty.completion_tokens, type(empty.usd_spent)) == (0, 0, Decimal)
    with Journal(tmp_path / "j.db") as journal:
        journal.register(_requests("a", "b", "c", "d", "e"))
        journal.mark_in_flight(["c"])
        journal.record(
            [
                Outcome("a", "done", usd_spent=Decimal("0.1"), credits_used=3, prompt_tokens=5, completion_tokens=1),
                Outcome("b", "done", usd_spent=Decimal("0.2"), credits_used=4, prompt_tokens=6, completion_tokens=2),
                Outcome("d", "failed", error_code="http_500"),
            ]
        )
        totals = journal.totals()
    assert totals.counts == {"pending": 1, "in_flight": 1, "done": 2, "failed": 1}
    assert totals.total == 5
    assert (totals.credits_used, totals.prompt_tokens, totals.completion_tokens) == (7, 11, 3)
    assert (totals.usd_spent, totals.max_usd) == (Decimal("0.3"), Decimal("0.2"))
