"""How `run_batch` hands slots on: all of them at once, the next send as an answer lands, errors raised."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from pathlib import Path

import httpx
import pytest
from aimlapi_grok import AsyncGrok
from aimlapi_grok.batch import BatchProgress, run_batch
from aimlapi_grok.testing import Emulator

from .batch_support import numbered_lines

Handler = Callable[[httpx.Request], Coroutine[None, None, httpx.Response]]
TURNS = 20  # event-loop turns (asyncio.sleep(0)): far less than any timer, enough for a task to start another


def _client(handler: Handler) -> AsyncGrok:
    """An AsyncGrok whose requests go to `handler` (in this event loop), completions made by the emulator."""
    return AsyncGrok(api_key="k", http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)))


def _answer(request: httpx.Request) -> httpx.Response:
    """The emulator's completion for `request`."""
    answer = Emulator().transport().handle_request(request)
    answer.read()
    return answer


async def _turns_until(condition: Callable[[], bool]) -> int:
    """Yield to the event loop until `condition` holds; how many turns it took (TURNS + 1: it never did)."""
    for turn in range(TURNS + 1):
        if condition():
            return turn
        await asyncio.sleep(0)
    return TURNS + 1


async def test_every_slot_is_in_flight_before_the_first_answer(tmp_path: Path) -> None:
    """With 40 requests and concurrency 8, 8 requests are out at once before any answer comes back."""
    in_flight: list[httpx.Request] = []
    release = asyncio.Event()

    async def handler(request: httpx.Request) -> httpx.Response:
        in_flight.append(request)
        await release.wait()
        return _answer(request)

    async with _client(handler) as client:
        run = asyncio.create_task(
            run_batch(client, numbered_lines(40), journal=tmp_path / "j.db", concurrency=8, max_concurrency=8)
        )
        assert await _turns_until(lambda: len(in_flight) == 8) <= TURNS
        await asyncio.sleep(0.05)  # time enough for a ninth to go out, were the limit not kept
        assert len(in_flight) == 8
        release.set()
        report = await run
    assert report.done == 40
    assert report.peak_concurrency == 8


async def test_an_answer_hands_its_slot_on_at_once_with_its_result_committed(tmp_path: Path) -> None:
    """The next request goes out within a few loop turns of an answer (no wait for others to land, no commit of its
    own: it was committed in flight ahead of its turn), and the answer is committed by then."""
    journal = tmp_path / "j.db"
    answers: dict[str, asyncio.Future[None]] = {}
    seen_at_send: dict[str, dict[str, str]] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        client_id = request.headers["x-client-request-id"]
        with sqlite3.connect(journal) as db:  # what another process would read at this moment
            seen_at_send[client_id] = dict(db.execute("SELECT client_request_id, state FROM requests").fetchall())
        answers[client_id] = asyncio.get_running_loop().create_future()
        await answers[client_id]
        return _answer(request)

    async with _client(handler) as client:
        lines = numbered_lines(12)
        run = asyncio.create_task(run_batch(client, lines, journal=journal, concurrency=8, max_concurrency=8))
        assert await _turns_until(lambda: len(answers) == 8) <= TURNS
        first = next(iter(answers))
        answers[first].set_result(None)
        assert await _turns_until(lambda: len(answers) == 9) <= TURNS
        ninth = list(answers)[8]
        assert seen_at_send[ninth][ninth] == "in_flight"
        with sqlite3.connect(journal) as db:
            assert db.execute("SELECT state FROM requests WHERE client_request_id = ?", (first,)).fetchone() == (
                "done",
            )
        while not run.done():
            for answer in answers.values():
                if not answer.done():
                    answer.set_result(None)
            await asyncio.sleep(0.001)
        report = await run
    assert report.done == 12


async def test_a_429_level_is_not_probed_again_within_its_pause_cost(tmp_path: Path) -> None:
    """A server taking 2 at a time: the limit finds 2 with one 429 and holds it for the whole run (the re-probe
    waits 20 of the 200 ms pauses, longer than the run), where probing after 16 windows of successes met more."""
    active = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active
        if active >= 2:
            return httpx.Response(429, headers={"retry-after-ms": "200"}, json={"message": "Too many concurrent"})
        active += 1
        try:
            await asyncio.sleep(0.005)
        finally:
            active -= 1
        return _answer(request)

    async with _client(handler) as client:
        report = await run_batch(client, numbered_lines(120), journal=tmp_path / "j.db", concurrency=2)
    assert report.complete
    assert report.rate_limited == 1
    assert report.final_concurrency == 2


async def test_an_unexpected_error_in_a_send_is_raised_from_run_batch(tmp_path: Path) -> None:
    """An exception that is not an API error (a bug, a broken transport) ends the run with that exception."""
    calls = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise LookupError("broken transport")
        return _answer(request)

    async with _client(handler) as client:
        with pytest.raises(LookupError, match="broken transport"):
            await run_batch(client, numbered_lines(10), journal=tmp_path / "j.db", concurrency=1)


async def test_a_progress_callback_that_raises_ends_the_run_with_its_error(tmp_path: Path) -> None:
    """The callback runs as answers land; its exception reaches the caller of run_batch, not the event loop."""

    def on_progress(progress: BatchProgress) -> None:
        if progress.done:
            raise ValueError(f"display broke at {progress.done}")

    async def handler(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(0.001)
        return _answer(request)

    async with _client(handler) as client:
        with pytest.raises(ValueError, match="display broke at 1"):
            await run_batch(client, numbered_lines(10), journal=tmp_path / "j.db", on_progress=on_progress)


async def test_answers_landed_before_a_failure_are_saved_and_nothing_is_sent_after_it(tmp_path: Path) -> None:
    """When a progress callback raises, every answer received is done in the journal (not sent again by the next
    run) and no request is sent once the run has failed: each journal send count is a real send."""
    sends: dict[str, int] = {}

    def on_progress(progress: BatchProgress) -> None:
        if progress.done:
            raise ValueError("display broke")

    async def handler(request: httpx.Request) -> httpx.Response:
        client_id = request.headers["x-client-request-id"]
        sends[client_id] = sends.get(client_id, 0) + 1
        await asyncio.sleep(0.001)
        return _answer(request)

    async with _client(handler) as client:
        with pytest.raises(ValueError, match="display broke"):
            await run_batch(
                client, numbered_lines(40), journal=tmp_path / "j.db", concurrency=8, on_progress=on_progress
            )
    await asyncio.sleep(0.05)  # a send started after the failure would reach the handler by now
    with sqlite3.connect(tmp_path / "j.db") as db:
        rows = db.execute("SELECT client_request_id, state, sends FROM requests").fetchall()
    assert "in_flight" not in {state for _, state, _ in rows}
    assert {client_id: count for client_id, _, count in rows if count} == sends


async def test_a_stopped_run_leaves_no_request_marked_ahead_in_flight(tmp_path: Path) -> None:
    """After a stop (the key refused), every request not sent is pending and each journal send count is a real send."""
    sends: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        client_id = request.headers["x-client-request-id"]
        sends[client_id] = sends.get(client_id, 0) + 1
        if sum(sends.values()) > 12:
            return httpx.Response(401, json={"message": "key revoked"})
        await asyncio.sleep(0.002)
        return _answer(request)

    async with _client(handler) as client:
        report = await run_batch(client, numbered_lines(40), journal=tmp_path / "j.db", concurrency=8)
    assert report.stop_reason is not None
    assert "key revoked" in report.stop_reason
    with sqlite3.connect(tmp_path / "j.db") as db:
        rows = db.execute("SELECT client_request_id, state, sends FROM requests").fetchall()
    assert {state for _, state, _ in rows} == {"done", "pending"}
    assert {client_id: count for client_id, _, count in rows if count} == sends
