"""`aimlapi-grok batch` as a subprocess: kill -9 and resume, invalid input, status and export."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from aimlapi_grok.testing import FaultMix

from .batch_support import emulator, journal_states, numbered_lines, read_output, write_jsonl

CLI = [sys.executable, "-m", "aimlapi_grok._cli"]
KEY = "batch-cli-test-key"
TIMEOUT = 60


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("AIMLAPI_API_KEY", "AIMLAPI_BASE_URL")}
    return {**env, "AIMLAPI_API_KEY": KEY, "PYTHONUNBUFFERED": "1"}


def _run_args(base_url: str, tmp_path: Path, *extra: str) -> list[str]:
    return [
        *CLI,
        "batch",
        "run",
        str(tmp_path / "in.jsonl"),
        "--out",
        str(tmp_path / "out.jsonl"),
        "--base-url",
        base_url,
        *extra,
    ]


def _done_count(journal: Path) -> int:
    if not journal.exists():
        return 0
    try:
        with sqlite3.connect(journal, timeout=5) as db:
            return int(db.execute("SELECT COUNT(*) FROM requests WHERE state = 'done'").fetchone()[0])
    except sqlite3.OperationalError:  # the runner has not created the table yet
        return 0


def test_kill_9_at_random_points_then_resume_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """Three kill -9s mid-run, then the same command: one line per custom_id, sends <= input + in flight at kills."""
    count = 160
    lines = numbered_lines(count)
    write_jsonl(tmp_path / "in.jsonl", lines)
    journal = tmp_path / "out.jsonl.journal.db"
    rng = random.Random(20261130)
    in_flight_at_kills = 0
    kills = 0
    with emulator(fault_mix=FaultMix(rate_slow=1.0, slow_seconds=0.04)) as server:
        args = _run_args(server.base_url, tmp_path, "--quiet", "--concurrency", "8", "--max-concurrency", "8")
        for round_number in range(3):
            # The with block closes the stderr pipe (left open it is a ResourceWarning, an error under pytest).
            with subprocess.Popen(args, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as proc:
                target = _done_count(journal) + rng.randint(10, 30)
                deadline = time.monotonic() + TIMEOUT
                while _done_count(journal) < target and proc.poll() is None and time.monotonic() < deadline:
                    time.sleep(0.01)
                time.sleep(rng.uniform(0.0, 0.05))
                assert proc.poll() is None, f"round {round_number}: the run ended before its kill"
                proc.send_signal(signal.SIGKILL)
                proc.wait(TIMEOUT)
            kills += 1
            states = journal_states(journal)
            in_flight_at_kills += sum(1 for state in states.values() if state == "in_flight")
        final = subprocess.run(
            [*args, "--json"], env=_env(), capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
        sent_ids = Counter(r.headers.get("x-client-request-id") for r in server.requests)
    assert final.returncode == 0, final.stderr
    report = json.loads(final.stdout)
    assert kills == 3
    assert report["complete"]
    assert report["done"] == count
    assert report["resent_after_interrupt"] > 0
    out = read_output(tmp_path / "out.jsonl")
    assert [line["custom_id"] for line in out] == [line["custom_id"] for line in lines]
    assert all(line["error"] is None for line in out)
    assert len(server.requests) <= count + in_flight_at_kills
    assert set(sent_ids) == {line["response"]["client_request_id"] for line in out}  # re-sends kept their id
    assert all(n <= 4 for n in sent_ids.values())


def test_invalid_input_lists_every_problem_and_sends_nothing(tmp_path: Path) -> None:
    """Exit status 2, each problem with its line number on stderr, no request at the emulator."""
    write_jsonl(tmp_path / "in.jsonl", [*numbered_lines(2), "[1, 2]", {"custom_id": "req-00000", "messages": []}])
    with emulator() as server:
        proc = subprocess.run(
            _run_args(server.base_url, tmp_path),
            env=_env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
        assert server.requests == []
    assert proc.returncode == 2
    assert "line 3: expected a JSON object, got list" in proc.stderr
    assert "line 4 (custom_id 'req-00000'): duplicate custom_id (first on line 1)" in proc.stderr
    assert "nothing was sent" in proc.stderr
    assert not (tmp_path / "out.jsonl").exists()


def test_status_and_export_read_the_journal(tmp_path: Path) -> None:
    """After a budget stop: exit 5 and a message; `status` counts and costs; `export` writes the done lines."""
    text = tmp_path / "in.txt"
    text.write_text("".join(f"Prompt number {i}\n" for i in range(12)), encoding="utf-8")
    with emulator() as server:
        args = [*CLI, "batch", "run", str(text), "--out", str(tmp_path / "out.jsonl"), "--base-url", server.base_url]
        stopped = subprocess.run(
            [*args, "--budget-usd", "0.0002"], env=_env(), capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    journal = str(tmp_path / "out.jsonl.journal.db")
    status = subprocess.run([*CLI, "batch", "status", journal, "--json"], capture_output=True, text=True, check=False)
    exported = subprocess.run(
        [*CLI, "batch", "export", journal, "--out", str(tmp_path / "again.jsonl")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert stopped.returncode == 5, stopped.stderr
    assert "budget" in stopped.stderr
    assert "resume" in stopped.stderr
    summary = json.loads(status.stdout)
    assert summary["total"] == 12
    assert summary["pending"] == 12 - summary["done"] > 0
    assert 0 < float(summary["usd_spent"]) <= 0.0002
    assert exported.returncode == 0
    assert (tmp_path / "again.jsonl").read_text() == (tmp_path / "out.jsonl").read_text()
    assert [line["custom_id"] for line in read_output(tmp_path / "again.jsonl")][:2] == ["1", "2"]
