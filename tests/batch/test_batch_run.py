"""`run_batch` against the loopback emulator: faults, rate limits, budget, invalid input, resume."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from aimlapi_grok._errors import status_error_for
from aimlapi_grok._retry import RetryPolicy
from aimlapi_grok.batch import BatchInputError, BatchProgress, Journal, Shard, check_records, export, run_batch
from aimlapi_grok.testing import FaultMix, RateLimit

from .batch_support import answered, batch_line, client_for, emulator, numbered_lines, read_output

FAST_BACKOFF = RetryPolicy(0, wait_initial=0.01, wait_max=0.05, wait_jitter=0.01)


async def test_a_run_with_faults_answers_every_custom_id_once(tmp_path: Path) -> None:
    """429s, 500s, 503s, dropped connections and slow answers: every request ends done, exactly once."""
    mix = FaultMix(
        seed=3,
        rate_429=0.1,
        rate_500=0.08,
        rate_503=0.08,
        rate_drop=0.06,
        rate_slow=0.05,
        slow_seconds=0.05,
        retry_after="0",
    )
    lines = numbered_lines(150)
    with emulator(fault_mix=mix) as server:
        async with client_for(server) as client:
            report = await run_batch(
                client, lines, journal=tmp_path / "j.db", concurrency=8, max_attempts=20, backoff=FAST_BACKOFF
            )
        with Journal(tmp_path / "j.db") as journal:
            export(journal, tmp_path / "out.jsonl")
        answered_ids = answered(server)
    out = read_output(tmp_path / "out.jsonl")
    assert [line["custom_id"] for line in out] == [line["custom_id"] for line in lines]
    assert all(line["error"] is None and line["response"]["status_code"] == 200 for line in out)
    assert report.done == 150
    assert report.failed == 0
    assert report.complete
    assert report.rate_limited > 0
    assert report.server_unavailable > 0
    assert report.other_retries > 0
    assert report.sent > 150
    # One answered 200 per request, except where a drop lost an answer the server had sent.
    assert len(set(answered_ids)) == 150
    assert report.usd_spent == sum(Decimal(line["response"]["usd_spent"]) for line in out)


async def test_429s_cut_the_concurrency_and_the_run_still_completes(tmp_path: Path) -> None:
    """Under a per-key concurrency limit the scheduler halves its limit and every request is answered."""
    limit = RateLimit(concurrent_requests=3, concurrency_retry_after=0.05)
    slow = FaultMix(rate_slow=1.0, slow_seconds=0.02)
    with emulator(rate_limit=limit, fault_mix=slow) as server:
        async with client_for(server) as client:
            report = await run_batch(
                client, numbered_lines(60), journal=tmp_path / "j.db", concurrency=16, max_attempts=50
            )
    assert report.complete
    assert report.done == 60
    assert report.rate_limited > 0
    assert report.final_concurrency < 16


async def test_a_retry_after_pauses_every_worker(tmp_path: Path) -> None:
    """After a 429 with Retry-After, no request starts before the pause is over, though slots free up earlier."""
    request = httpx.Request("POST", "https://api.aimlapi.com/v1/chat/completions")
    starts: list[float] = []
    throttled_at: list[float] = []

    class FakeCompletions:
        async def create(self, **params: object) -> object:
            import asyncio
            import time

            starts.append(time.monotonic())
            number = len(starts)
            await asyncio.sleep(0.05 if number == 3 else 0.2)
            if number == 3:
                throttled_at.append(time.monotonic())
                raise status_error_for(httpx.Response(429, headers={"retry-after-ms": "300"}, request=request))
            raise status_error_for(httpx.Response(400, json={"message": "no"}, request=request))

    class FakeClient:
        chat = type("Chat", (), {"completions": FakeCompletions()})()

    # typing: FakeClient stands in for AsyncGrok (duck-typed: only create() is called)
    report = await run_batch(FakeClient(), numbered_lines(6), journal=tmp_path / "j.db", concurrency=4)  # type: ignore[arg-type]
    assert report.rate_limited == 1
    assert report.failed == 6
    later = [t for t in starts if t > throttled_at[0]]
    assert later
    assert min(later) - throttled_at[0] >= 0.29


async def test_the_budget_stops_the_run_and_a_higher_budget_resumes_it(tmp_path: Path) -> None:
    """Same-cost requests: the run stops within the budget, one request short of passing it; then resumes."""
    lines = [batch_line(f"b{i}", "The same prompt.") for i in range(30)]
    with emulator() as server:
        async with client_for(server) as client:
            first = await run_batch(client, lines[:1], journal=tmp_path / "probe.db")
            cost = first.usd_spent
            budget = cost * Decimal("10.5")
            stopped = await run_batch(client, lines, journal=tmp_path / "j.db", budget_usd=budget, concurrency=4)
            resumed = await run_batch(client, lines, journal=tmp_path / "j.db", budget_usd=cost * 100)
    assert stopped.stop_reason is not None
    assert "budget" in stopped.stop_reason
    assert stopped.usd_spent <= budget
    assert stopped.usd_spent + cost > budget  # it did not stop early either
    assert stopped.done == 10
    assert stopped.pending == 20
    assert resumed.complete
    assert resumed.done == 30
    assert resumed.sent == 20
    assert len(server.requests) == 1 + 30


async def test_invalid_input_sends_nothing_and_skip_invalid_sends_the_rest(tmp_path: Path) -> None:
    """One bad line refuses the whole run; with skip_invalid the rest runs and the bad line is a failed result."""
    lines = [*numbered_lines(3), batch_line("hot", "x", temperature=9)]
    with emulator() as server:
        async with client_for(server) as client:
            with pytest.raises(BatchInputError, match="line 4"):
                await run_batch(client, lines, journal=tmp_path / "j.db")
            assert server.requests == []
            report = await run_batch(client, lines, journal=tmp_path / "j.db", skip_invalid=True)
        with Journal(tmp_path / "j.db") as journal:
            export(journal, tmp_path / "out.jsonl")
    assert report.done == 3
    assert report.failed == 1
    assert len(server.requests) == 3
    bad = read_output(tmp_path / "out.jsonl")[3]
    assert bad["custom_id"] == "hot"
    assert bad["response"] is None
    assert bad["error"]["code"] == "invalid_input"
    assert "temperature" in bad["error"]["message"]


async def test_retry_failed_reruns_only_the_failed_requests(tmp_path: Path) -> None:
    """A request the API refused stays failed on a plain resume and is sent again with retry_failed."""
    lines = numbered_lines(4)
    parsed = check_records([(n, r) for n, r in enumerate(lines, 1)])
    with emulator() as server:
        from aimlapi_grok.testing import Fault

        server.script([Fault(status=400)])
        async with client_for(server) as client:
            first = await run_batch(client, parsed, journal=tmp_path / "j.db", concurrency=1)
            again = await run_batch(client, parsed, journal=tmp_path / "j.db")
            retried = await run_batch(client, parsed, journal=tmp_path / "j.db", retry_failed=True)
    assert (first.done, first.failed) == (3, 1)
    assert again.sent == 0
    assert again.failed == 1
    assert retried.sent == 1
    assert retried.done == 4
    assert retried.failed == 0
    ids = Counter(r.headers["x-client-request-id"] for r in server.requests)
    assert sorted(ids.values()) == [1, 1, 1, 2]  # the re-sent request kept its X-Client-Request-Id


async def test_progress_reaches_the_callback(tmp_path: Path) -> None:
    """The callback sees counts grow to the total, with the concurrency and the spend."""
    seen: list[BatchProgress] = []
    with emulator() as server:
        async with client_for(server) as client:
            await run_batch(client, numbered_lines(20), journal=tmp_path / "j.db", on_progress=seen.append)
    assert seen[-1].done == 20
    assert seen[-1].remaining == 0
    assert seen[-1].usd_spent > 0
    assert seen[-1].concurrency >= 8
    assert seen[-1].requests_per_second > 0


async def test_shards_run_apart_and_together_cover_the_input_once(tmp_path: Path) -> None:
    """Two shards with their own journals answer disjoint parts whose union is the whole input."""
    lines = numbered_lines(40)
    with emulator() as server:
        async with client_for(server) as client:
            reports = [
                await run_batch(client, lines, journal=tmp_path / f"shard{i}.db", shard=Shard(i, 2)) for i in (1, 2)
            ]
        assert len(server.requests) == 40
    assert all(r.complete for r in reports)
    assert reports[0].done + reports[1].done == 40
    assert min(reports[0].done, reports[1].done) > 5
    sent_ids = [r.headers["x-client-request-id"] for r in server.requests]
    assert len(set(sent_ids)) == 40


async def test_an_answer_starting_with_a_utf8_bom_is_journaled_and_exported(tmp_path: Path) -> None:
    """A completion the client accepts with a BOM before its JSON is stored and exported as JSON."""
    from aimlapi_grok import AsyncGrok
    from aimlapi_grok.testing import Emulator

    inner = Emulator().transport()

    def with_bom(request: httpx.Request) -> httpx.Response:
        answer = inner.handle_request(request)
        answer.read()
        headers = [(k, v) for k, v in answer.headers.items() if k.lower() != "content-length"]
        return httpx.Response(answer.status_code, headers=headers, content=b"\xef\xbb\xbf" + answer.content)

    http = httpx.AsyncClient(transport=httpx.MockTransport(with_bom))
    async with AsyncGrok(api_key="k", http_client=http) as client:
        report = await run_batch(client, numbered_lines(2), journal=tmp_path / "j.db")
    await http.aclose()
    with Journal(tmp_path / "j.db") as journal:
        export(journal, tmp_path / "out.jsonl")
    assert report.done == 2
    assert read_output(tmp_path / "out.jsonl")[0]["response"]["body"]["object"] == "chat.completion"
