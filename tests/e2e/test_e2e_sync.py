"""Grok (sync) against the emulator over loopback HTTP: completions, metadata, cost, errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from aimlapi_grok import AuthenticationError, BadRequestError, Grok, PermissionDeniedError
from aimlapi_grok.testing import EmulatorServer, assert_valid_request, run_emulator

from .e2e_support import MODEL_NAME, emulated_text, fault


def test_a_completion_arrives_typed_with_its_metadata(grok_client: Grok, grok_emulator: EmulatorServer) -> None:
    """The plugin's grok_client gets the completion, its usage, reasoning tokens and tracing ids."""
    result = grok_client.chat.completions.create(
        messages=[{"role": "user", "content": "Say hi"}], reasoning={"effort": "high"}, client_request_id="e2e.sync-1"
    )
    assert result.text == emulated_text("Say hi")
    assert result.finish_reason == "stop"
    assert result.model == MODEL_NAME
    assert result.reasoning_tokens == 256
    assert result.client_request_id == "e2e.sync-1"
    (record,) = grok_emulator.requests
    assert result.inference_id == record.inference_id
    assert result.retries == 0
    assert_valid_request(record.body)
    assert record.headers["x-client-request-id"] == "e2e.sync-1"


def test_cost_headers_become_exact_decimals_and_running_totals(make_client: Callable[..., Grok]) -> None:
    """credits_used / usd_spent come from the cost headers (exact Decimal) and add up on the client."""
    client = make_client()
    first = client.chat.completions.create(messages=[{"role": "user", "content": "one"}])
    second = client.chat.completions.create(messages=[{"role": "user", "content": "two two"}])
    meta = first.completion.to_dict()["meta"]["usage"]
    assert first.credits_used == meta["credits_used"]
    assert first.usd_spent == Decimal(first.info.headers["x-aimlapi-usd-spent"])
    assert first.credits_used is not None
    assert second.credits_used is not None
    assert first.usd_spent is not None
    assert second.usd_spent is not None
    assert client.total_credits_used == first.credits_used + second.credits_used
    assert client.total_usd_spent == first.usd_spent + second.usd_spent


def test_ask_and_the_raw_response(make_client: Callable[..., Grok]) -> None:
    """ask() returns the text; with_raw_response gives the httpx.Response with the JSON body and headers."""
    client = make_client()
    assert client.ask("What now?", system="Be brief.") == emulated_text("What now?")
    raw = client.chat.completions.with_raw_response.create(messages=[{"role": "user", "content": "raw"}])
    assert raw.status_code == 200
    assert json.loads(raw.content)["choices"][0]["message"]["content"] == emulated_text("raw")
    assert "x-inference-id" in raw.headers


def test_an_invalid_client_request_id_is_refused_before_sending(
    make_client: Callable[..., Grok], grok_emulator: EmulatorServer
) -> None:
    """A client_request_id the server would silently drop is refused locally, and nothing is sent."""
    with pytest.raises(ValueError, match="client_request_id"):
        make_client().chat.completions.create(
            messages=[{"role": "user", "content": "x"}], client_request_id="no spaces"
        )
    assert grok_emulator.requests == []


def test_error_statuses_carry_the_parsed_error_body(make_client: Callable[..., Grok]) -> None:
    """An error status maps to its exception with the AIML body fields (an injected 403, then a 400)."""
    client = make_client(max_retries=0)
    with pytest.raises(PermissionDeniedError) as denied:
        client.chat.completions.create(messages=[{"role": "user", "content": "x"}], extra_headers=fault("status=403"))
    assert denied.value.status_code == 403
    assert denied.value.error_status_code == 403
    assert denied.value.path == "/v1/chat/completions"
    assert denied.value.request_id
    with pytest.raises(BadRequestError, match="Bad Request"):
        client.chat.completions.create(messages=[{"role": "user", "content": "x"}], extra_headers=fault("status=400"))


def test_a_wrong_key_gets_an_authentication_error_without_leaking_it() -> None:
    """Against an emulator that accepts one key, another key gives AuthenticationError; its text has no key."""
    with run_emulator(api_key="right-key-123") as emulator:
        with Grok(api_key="wrong-key-456", base_url=emulator.base_url, max_retries=0, timeout=10) as client:
            with pytest.raises(AuthenticationError) as caught:
                client.ask("hi")
            assert "wrong-key-456" not in str(caught.value)
            assert "wrong-key-456" not in repr(client)
        with Grok(api_key="right-key-123", base_url=emulator.base_url, timeout=10) as client:
            assert client.ask("hi") == emulated_text("hi")
