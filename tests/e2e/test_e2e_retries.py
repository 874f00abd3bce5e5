"""Retries under injected faults, counted on both sides: the attempts the server saw and `retries`."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from aimlapi_grok import APIConnectionError, APITimeoutError, Grok, InternalServerError, RateLimitError
from aimlapi_grok.testing import EmulatorServer, Fault

from .e2e_support import MODEL_NAME, fault

QUESTION = [{"role": "user", "content": "retry me"}]


def test_503_then_429_then_success_takes_two_retries(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """A scripted 503 and 429 (Retry-After 0) are retried; the third attempt answers; retries == 2."""
    grok_emulator.script([Fault(status=503, retry_after_ms=1), Fault(status=429, retry_after=0)])
    result = make_client(max_retries=2).chat.completions.create(messages=QUESTION)
    assert result.model == MODEL_NAME
    assert result.retries == 2
    assert [record.status for record in grok_emulator.requests] == [503, 429, 200]


def test_retries_stop_at_max_retries_and_the_error_counts_them(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """With max_retries=1 two 429s exhaust the budget: RateLimitError with retries == 1 after two attempts."""
    grok_emulator.script([Fault(status=429, retry_after=0)] * 3)
    with pytest.raises(RateLimitError) as caught:
        make_client(max_retries=1).chat.completions.create(messages=QUESTION)
    assert caught.value.retries == 1
    assert caught.value.error_status_code == 429  # sent as the text "429"
    assert len(grok_emulator.requests) == 2


def test_a_per_call_max_retries_overrides_the_client(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """max_retries=0 on the call means one attempt even when the client allows more."""
    grok_emulator.script([Fault(status=500)])
    with pytest.raises(InternalServerError) as caught:
        make_client(max_retries=3).chat.completions.create(messages=QUESTION, max_retries=0)
    assert caught.value.retries == 0
    assert len(grok_emulator.requests) == 1


@pytest.mark.parametrize(("injected", "raw"), [("html-502", "<html>"), ("empty-502", "")])
def test_proxy_pages_are_retried_and_reported_with_their_raw_text(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer, injected: str, raw: str
) -> None:
    """An HTML or empty 502 from a proxy is an InternalServerError with the raw text (no JSON body)."""
    with pytest.raises(InternalServerError) as caught:
        make_client(max_retries=0).chat.completions.create(messages=QUESTION, extra_headers=fault(injected))
    assert caught.value.status_code == 502
    assert caught.value.body is None
    assert (caught.value.raw_text or "").startswith(raw)


def test_a_dropped_connection_is_retried(make_client: Callable[..., Grok], grok_emulator: EmulatorServer) -> None:
    """A JSON answer cut off mid-body is a connection error; the retry gets the answer."""
    grok_emulator.script([Fault(drop_after=1)])
    result = make_client(max_retries=1).chat.completions.create(messages=QUESTION)
    assert result.retries == 1
    assert [record.dropped for record in grok_emulator.requests] == [True, False]


def test_a_stream_is_retried_before_its_first_byte_only(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """A 503 before the stream starts is retried; the stream then arrives whole."""
    grok_emulator.script([Fault(status=503, retry_after=0)])
    with make_client(max_retries=1).chat.completions.create(messages=QUESTION, stream=True) as stream:
        result = stream.get_final_result()
    assert result.completed
    assert [record.status for record in grok_emulator.requests] == [503, 200]


def test_a_slow_answer_times_out(make_client: Callable[..., Grok], grok_emulator: EmulatorServer) -> None:
    """A 1 s delay against a 0.2 s read timeout raises APITimeoutError (a connection error), not retried here."""
    with pytest.raises(APITimeoutError) as caught:
        make_client(max_retries=0, timeout=0.2).chat.completions.create(
            messages=QUESTION, extra_headers=fault("delay=1")
        )
    assert isinstance(caught.value, APIConnectionError)
    assert len(grok_emulator.requests) == 1
