"""Helpers of the batch tests: input files, a loopback emulator with traffic options, journal reads."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aimlapi_grok import AsyncGrok
from aimlapi_grok.testing import Emulator, EmulatorServer, FaultMix, RateLimit, run_emulator

CLIENT_TIMEOUT = 10.0


def batch_line(custom_id: str, prompt: str, **params: Any) -> dict[str, Any]:
    """One OpenAI Batch API request line."""
    body = {"model": "x-ai/grok-4-1-fast-reasoning", "messages": [{"role": "user", "content": prompt}], **params}
    return {"custom_id": custom_id, "method": "POST", "url": "/v1/chat/completions", "body": body}


def write_jsonl(path: Path, records: list[Any]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records), encoding="utf-8")
    return path


def numbered_lines(count: int, prompt: str = "Say {i}.") -> list[dict[str, Any]]:
    return [batch_line(f"req-{i:05d}", prompt.format(i=i)) for i in range(count)]


@contextmanager
def emulator(rate_limit: RateLimit | None = None, fault_mix: FaultMix | None = None) -> Iterator[EmulatorServer]:
    """A loopback emulator with the given traffic options."""
    with run_emulator(Emulator(rate_limit=rate_limit, fault_mix=fault_mix)) as server:
        yield server


def client_for(server: EmulatorServer) -> AsyncGrok:
    return AsyncGrok(api_key=server.api_key, base_url=server.base_url, timeout=CLIENT_TIMEOUT)


def read_output(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def journal_states(path: Path) -> dict[str, str]:
    """custom_id -> state, read with a separate connection (as another process would)."""
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT custom_id, state FROM requests").fetchall())


def answered(server: EmulatorServer) -> list[str]:
    """The X-Client-Request-Id of every request the emulator answered 200."""
    return [r.headers.get("x-client-request-id", "") for r in server.requests if r.status == 200]
