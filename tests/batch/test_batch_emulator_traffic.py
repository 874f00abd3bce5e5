"""The emulator's rate-limit mode and seeded fault mix, over loopback HTTP."""

from __future__ import annotations

import random
import threading

import httpx
import pytest
from aimlapi_grok.testing import Emulator, FaultMix, FaultSpecError, RateLimit, parse_fault_mix, run_emulator

from .batch_support import emulator

BODY = {"model": "x-ai/grok-4-1-fast-reasoning", "messages": [{"role": "user", "content": "hi"}]}


def _post(base_url: str, key: str = "k1") -> httpx.Response:
    return httpx.post(
        f"{base_url}/v1/chat/completions", json=BODY, headers={"authorization": f"Bearer {key}"}, timeout=10
    )


def test_requests_past_the_per_minute_limit_get_429_with_retry_after() -> None:
    """The N+1th request of a key in a minute is a 429 with the AIML error body and Retry-After; other keys pass."""
    with emulator(rate_limit=RateLimit(requests_per_minute=3)) as server:
        statuses = [_post(server.base_url).status_code for _ in range(3)]
        limited = _post(server.base_url)
        other_key = _post(server.base_url, key="k2")
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["statusCode"] == "429"
    assert "requests per minute" in limited.json()["message"]
    assert other_key.status_code == 200


def test_concurrent_requests_past_the_limit_get_429() -> None:
    """While a key has N answers in progress, another request is refused; once they end it passes."""
    slow = FaultMix(rate_slow=1.0, slow_seconds=0.5)
    with emulator(rate_limit=RateLimit(concurrent_requests=2, concurrency_retry_after=0.2), fault_mix=slow) as server:
        results: list[int] = []
        threads = [
            threading.Thread(target=lambda: results.append(_post(server.base_url).status_code)) for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        while sum(1 for r in server.requests if r.status == 200) < 2:
            threading.Event().wait(0.01)
        third = _post(server.base_url)
        for thread in threads:
            thread.join()
        after = _post(server.base_url)
    assert sorted(results) == [200, 200]
    assert third.status_code == 429
    assert third.headers["retry-after-ms"] == "200"
    assert after.status_code == 200


def test_the_fault_mix_is_reproducible_from_its_seed() -> None:
    """The same seed draws the same faults; the shares come out near the configured ones."""
    mix = parse_fault_mix("429=0.1,500=0.1,503=0.1,drop=0.1,slow=0.1", seed=7, slow_seconds=0.01)
    rng_a, rng_b = random.Random(7), random.Random(7)
    draws_a = [mix.draw(rng_a) for _ in range(2000)]
    draws_b = [mix.draw(rng_b) for _ in range(2000)]
    assert draws_a == draws_b
    statuses = [d.status for d in draws_a if d is not None and d.status is not None]
    for status in (429, 500, 503):
        assert 140 < statuses.count(status) < 260
    assert 140 < sum(1 for d in draws_a if d is not None and d.drop_after is not None) < 260
    assert 700 < draws_a.count(None) < 1300


def test_a_bad_fault_mix_is_refused_with_the_item_named() -> None:
    """Unknown kinds and shares over 1 are configuration errors naming the problem."""
    with pytest.raises(FaultSpecError, match=r"'teapot=0\.1'"):
        parse_fault_mix("teapot=0.1")
    with pytest.raises(FaultSpecError, match="sum to at most 1"):
        FaultMix(rate_429=0.7, rate_500=0.7)


def test_injected_faults_reach_the_client() -> None:
    """With a mix of only 503s every answer is a 503 carrying the configured Retry-After."""
    with run_emulator(Emulator(fault_mix=FaultMix(rate_503=1.0, retry_after="3"))) as server:
        answer = _post(server.base_url)
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "3"
