"""The batch journal: one SQLite file (stdlib sqlite3, WAL) holding every request's state and result.

States: ``pending`` (no send yet), ``in_flight`` (written and committed before
the request is sent), ``done`` (a completion) and ``failed`` (with its reason).
A process killed at any moment leaves each request in one of them; the next
run sends only what has no result. A request found ``in_flight`` is re-sent
under the same ``X-Client-Request-Id`` (kept per request here), so both sends
can be traced in the provider's usage logs. The hash of each body is kept: a
changed body under a known custom_id is refused.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, Self

from ._input import BatchInputError, BatchRequest, InputProblem, Shard

State = Literal["pending", "in_flight", "done", "failed"]
STATES: tuple[State, ...] = ("pending", "in_flight", "done", "failed")
INVALID_INPUT = "invalid_input"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS requests (
    custom_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    body_hash TEXT NOT NULL,
    client_request_id TEXT NOT NULL,
    state TEXT NOT NULL,
    sends INTEGER NOT NULL DEFAULT 0,
    interrupted INTEGER NOT NULL DEFAULT 0,
    status_code INTEGER,
    response TEXT,
    request_id TEXT,
    inference_id TEXT,
    credits_used INTEGER,
    usd_spent TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    error_code TEXT,
    error_message TEXT,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS requests_state ON requests (state, seq);
"""
_RUNNABLE_QUERY = "SELECT custom_id, state, error_code FROM requests WHERE state IN "
_ROWS_QUERY = (
    "SELECT custom_id, seq, client_request_id, state, sends, interrupted, status_code, response, request_id,"
    " inference_id, credits_used, usd_spent, prompt_tokens, completion_tokens, error_code, error_message"
    " FROM requests WHERE state IN "
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The end of one request: a completion (`done`) or a failure with its reason (`failed`)."""

    custom_id: str
    state: Literal["done", "failed"]
    status_code: int | None = None
    body: Any = None
    request_id: str | None = None
    inference_id: str | None = None
    credits_used: int | None = None
    usd_spent: Decimal | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    error_code: str | None = None
    error_message: str | None = None
    raw_body: str | None = None  # the body's JSON text as received (stored as is, instead of re-encoding `body`)


@dataclass(frozen=True, slots=True)
class JournalRow:
    """One request as the journal holds it."""

    custom_id: str
    seq: int
    client_request_id: str
    state: State
    sends: int
    interrupted: int
    status_code: int | None
    response: Any
    request_id: str | None
    inference_id: str | None
    credits_used: int | None
    usd_spent: Decimal | None
    prompt_tokens: int | None
    completion_tokens: int | None
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True, slots=True)
class Totals:
    """Counts per state and what the finished requests cost."""

    counts: dict[str, int]
    credits_used: int
    usd_spent: Decimal
    prompt_tokens: int
    completion_tokens: int
    max_usd: Decimal | None  # the largest single cost recorded

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Journal:
    """An open journal file (created when missing); use it as a context manager or call `close()`."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._db = sqlite3.connect(self.path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a commit survives a killed process
        self._db.executescript(_SCHEMA)
        if self._meta("job_id") is None:  # a new file, or one whose first open was killed before writing its id
            # One statement: the version and the job id are written together or not at all.
            self._db.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?), ('job_id', ?)",
                (SCHEMA_VERSION, os.urandom(4).hex()),
            )
        version, job_id = self._meta("schema_version"), self._meta("job_id")
        if version != SCHEMA_VERSION or job_id is None:
            raise BatchInputError(
                [InputProblem(0, f"{self.path}: journal schema {version}, expected {SCHEMA_VERSION}")]
            )
        self.job_id = job_id

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def client_request_id(self, custom_id: str) -> str:
        """The X-Client-Request-Id of a request: stable across runs of this journal, inside the API's alphabet."""
        return f"batch-{self.job_id}-{hashlib.sha256(custom_id.encode()).hexdigest()[:24]}"

    def bind_shard(self, shard: Shard | None) -> None:
        """Record which shard this journal runs; refuse another one."""
        wanted = str(shard) if shard is not None else "all"
        known = self._meta("shard")
        if known is None:
            self._set_meta("shard", wanted)
        elif known != wanted:
            raise BatchInputError([InputProblem(0, f"{self.path} is the journal of shard {known}, not {wanted}")])

    def register(self, requests: Iterable[BatchRequest], invalid: Iterable[tuple[BatchRequest, str]] = ()) -> None:
        """Add new requests as pending (invalid ones as failed); refuse a changed body under a known custom_id."""
        known = dict(self._db.execute("SELECT custom_id, body_hash FROM requests").fetchall())
        now = time.time()
        problems: list[InputProblem] = []
        new_rows: list[tuple[Any, ...]] = []
        for request, reason in [*((r, None) for r in requests), *invalid]:
            recorded = known.get(request.custom_id)
            if recorded is not None and recorded != request.body_hash:
                message = "the body differs from the one this journal recorded under this custom_id"
                problems.append(InputProblem(request.line, message, request.custom_id))
            elif recorded is None:
                state = "pending" if reason is None else "failed"
                code = None if reason is None else INVALID_INPUT
                crid = self.client_request_id(request.custom_id)
                new_rows.append((request.custom_id, request.line, request.body_hash, crid, state, code, reason, now))
        if problems:
            raise BatchInputError(problems)
        with self._transaction():
            self._db.executemany(
                "INSERT INTO requests (custom_id, seq, body_hash, client_request_id, state, error_code, error_message,"
                " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                new_rows,
            )

    def runnable(self, custom_ids: Iterable[str], *, retry_failed: bool) -> tuple[list[str], int]:
        """Of `custom_ids`, those without a result (input order), and how many were interrupted in flight."""
        wanted = set(custom_ids)
        states = ("pending", "in_flight", "failed") if retry_failed else ("pending", "in_flight")
        query = _RUNNABLE_QUERY + _placeholders(states) + " ORDER BY seq"
        rows = self._db.execute(query, states).fetchall()
        runnable = [
            cid for cid, state, code in rows if cid in wanted and not (state == "failed" and code == INVALID_INPUT)
        ]
        interrupted = [cid for cid, state, _ in rows if cid in wanted and state == "in_flight"]
        if interrupted:
            with self._transaction():
                self._db.executemany(
                    "UPDATE requests SET interrupted = interrupted + 1 WHERE custom_id = ?", ((c,) for c in interrupted)
                )
        return runnable, len(interrupted)

    def mark_in_flight(self, custom_ids: Iterable[str]) -> None:
        """Commit the in-flight state (and count the send) before the requests go out."""
        self.commit((), custom_ids)

    def record(self, outcomes: Iterable[Outcome]) -> None:
        """Store finished requests (one commit)."""
        self.commit(outcomes, ())

    def commit(self, outcomes: Iterable[Outcome], starting: Iterable[str]) -> None:
        """One transaction: store finished requests, and mark those about to be sent in flight (sends + 1)."""
        now = time.time()
        with self._transaction():
            self._db.executemany(_RECORD, (_record_values(o, now) for o in outcomes))
            self._db.executemany(
                "UPDATE requests SET state = 'in_flight', sends = sends + 1, updated_at = ? WHERE custom_id = ?",
                ((now, cid) for cid in starting),
            )

    def mark_pending(self, custom_ids: Iterable[str]) -> None:
        """Put requests back to pending (not sent after all: stopped before their turn)."""
        with self._transaction():
            self._db.executemany(
                "UPDATE requests SET state = 'pending' WHERE custom_id = ? AND state = 'in_flight'",
                ((cid,) for cid in custom_ids),
            )

    def unmark(self, custom_ids: Iterable[str]) -> None:
        """Put requests committed in flight ahead of a send that never came back to pending, uncounting it."""
        with self._transaction():
            self._db.executemany(
                "UPDATE requests SET state = 'pending', sends = sends - 1 WHERE custom_id = ? AND state = 'in_flight'",
                ((cid,) for cid in custom_ids),
            )

    def states(self) -> dict[str, State]:
        """custom_id -> state, for every request."""
        return dict(self._db.execute("SELECT custom_id, state FROM requests").fetchall())

    def totals(self) -> Totals:
        """Counts per state, the spend and the tokens of everything recorded."""
        counts: dict[str, int] = dict.fromkeys(STATES, 0)
        for state, count in self._db.execute("SELECT state, COUNT(*) FROM requests GROUP BY state"):
            counts[state] = count
        credits, prompt, completion = self._db.execute(
            "SELECT COALESCE(SUM(credits_used), 0), COALESCE(SUM(prompt_tokens), 0),"
            " COALESCE(SUM(completion_tokens), 0) FROM requests"
        ).fetchone()
        costs = [Decimal(v) for (v,) in self._db.execute("SELECT usd_spent FROM requests WHERE usd_spent IS NOT NULL")]
        return Totals(counts, credits, sum(costs, Decimal(0)), prompt, completion, max(costs, default=None))

    def rows(self, *, states: tuple[State, ...] = STATES) -> Iterator[JournalRow]:
        """Every request in input order (optionally only some states)."""
        query = _ROWS_QUERY + _placeholders(states) + " ORDER BY seq, custom_id"
        for row in self._db.execute(query, states):
            values = list(row)
            values[7] = None if values[7] is None else json.loads(values[7])
            values[11] = None if values[11] is None else Decimal(values[11])
            yield JournalRow(*values)

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN ... COMMIT (ROLLBACK on an exception) on an autocommit connection."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


_RECORD = (
    "UPDATE requests SET state = ?, status_code = ?, response = ?, request_id = ?, inference_id = ?,"
    " credits_used = ?, usd_spent = ?, prompt_tokens = ?, completion_tokens = ?, error_code = ?,"
    " error_message = ?, updated_at = ? WHERE custom_id = ?"
)


def _record_values(o: Outcome, now: float) -> tuple[Any, ...]:
    if o.raw_body is not None:
        response: str | None = o.raw_body
    else:
        response = None if o.body is None else json.dumps(o.body, ensure_ascii=False)
    usd = None if o.usd_spent is None else str(o.usd_spent)
    return (
        o.state,
        o.status_code,
        response,
        o.request_id,
        o.inference_id,
        o.credits_used,
        usd,
        o.prompt_tokens,
        o.completion_tokens,
        o.error_code,
        o.error_message,
        now,
        o.custom_id,
    )


def _placeholders(values: tuple[str, ...]) -> str:
    """`(?, ?, ...)`: one SQL parameter per value (the values themselves are bound, never formatted in)."""
    return "(" + ", ".join("?" * len(values)) + ")"


def open_existing(path: str | os.PathLike[str]) -> Journal:
    """Open a journal that must already exist (for `status` and `export`)."""
    if not Path(path).is_file():
        raise BatchInputError([InputProblem(0, f"no journal at {path}")])
    return Journal(path)
