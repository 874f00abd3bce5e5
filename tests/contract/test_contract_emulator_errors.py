"""The emulator's refusals and injected faults: status, AIML error body, headers, and what it records."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aimlapi_grok.testing import Emulator, Fault, FaultSpecError, assert_valid_response, parse_fault

from .contract_support import CHAT_PATH, ask, user_body


def error_of(planned: Any) -> dict[str, Any]:
    """The decoded AIML error body, after checking it against the published ErrorBody schema."""
    assert planned.headers[0] == ("content-type", "application/json; charset=utf-8")
    assert_valid_response(planned.body, "ErrorBody", variant="published")
    body: dict[str, Any] = json.loads(planned.body)
    assert set(body) == {"message", "path", "requestId", "statusCode", "timestamp"}
    return body


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "Missing API key"),
        ({"Authorization": "Basic abc"}, "Invalid API key"),
        ({"Authorization": "Bearer "}, "Invalid API key"),
    ],
    ids=["missing", "not-bearer", "empty-key"],
)
def test_a_missing_or_malformed_key_gets_401(headers: dict[str, str], reason: str) -> None:
    """Without a usable bearer key the answer is 401 with the AIML error body."""
    planned = ask(Emulator(), headers=headers, key=None)
    assert planned.status == 401
    body = error_of(planned)
    assert body["message"].startswith(reason)
    assert body["statusCode"] == 401
    assert body["path"] == CHAT_PATH


def test_a_configured_key_is_the_only_one_accepted() -> None:
    """Emulator(api_key=...) refuses any other key and accepts its own; its repr never shows the key."""
    emulator = Emulator(api_key="s3cret-key-value")
    assert ask(emulator, key="other").status == 401
    assert ask(emulator, key="s3cret-key-value").status == 200
    assert "s3cret" not in repr(emulator)
    assert all(record.headers["authorization"] == "<redacted>" for record in emulator.requests)
    with pytest.raises(ValueError, match="non-empty"):
        Emulator(api_key=" ")


@pytest.mark.parametrize(("method", "path"), [("POST", "/v2/chat/completions"), ("GET", CHAT_PATH), ("PUT", "/")])
def test_a_wrong_path_or_method_gets_404(method: str, path: str) -> None:
    """Anything but POST on a path of the spec (or its alias) is 404 with the error body naming it."""
    planned = ask(Emulator(), method=method, path=path)
    assert planned.status == 404
    assert error_of(planned)["message"] == f"Cannot {method} {path}"


def test_the_published_alias_path_is_served() -> None:
    """The spec's `x-aliases` path answers like the canonical one."""
    emulator = Emulator()
    assert set(emulator.routes) == {"/v1/chat/completions", "/chat/completions"}
    assert ask(emulator, path="/chat/completions").status == 200


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", "the body is empty"),
        (b"{not json", "the body is not valid JSON"),
        (json.dumps(user_body(model="grok-4")).encode(), 'model: "grok-4" is not one of'),
        (json.dumps(user_body(temperature=3)).encode(), "temperature: 3 is greater than the maximum of 2"),
        (json.dumps({"model": "x-ai/grok-4-1-fast-reasoning"}).encode(), '"messages" is a required property'),
        (b'"just a string"', "is not of type"),
    ],
    ids=["empty", "not-json", "enum", "range", "required", "not-object"],
)
def test_an_invalid_body_gets_400_with_the_reason(raw: bytes, reason: str) -> None:
    """A body the spec refuses gets 400, "Body validation error" and the field and rule that failed."""
    planned = ask(Emulator(), raw=raw)
    assert planned.status == 400
    message = error_of(planned)["message"]
    assert message.startswith("Body validation error: ")
    assert reason in message


def test_formats_are_enforced_like_a_strict_server() -> None:
    """An image URL that is not a URI is refused (the client's pre-send check leaves formats to the server)."""
    part = {"type": "image_url", "image_url": {"url": "not a uri"}}
    planned = ask(Emulator(), {**user_body(), "messages": [{"role": "user", "content": [part]}]})
    assert planned.status == 400
    assert "messages[0].content[0].image_url.url" in error_of(planned)["message"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status=429;retry-after=1", Fault(status=429, retry_after="1")),
        ("status=503; retry-after-ms=250", Fault(status=503, retry_after_ms=250)),
        ("drop-after=3;chunk-delay=0.05;chunks=40", Fault(drop_after=3, chunk_delay=0.05, chunks=40)),
        ("delay=0.2", Fault(delay=0.2)),
        ("malformed-json", Fault(malformed_json=True)),
        ("html-502", Fault(html=True)),
        ("empty-502", Fault(empty_body=True)),
        ("status=504;empty-body", Fault(status=504, empty_body=True)),
        ("error-after=2", Fault(error_after=2)),
    ],
)
def test_fault_headers_parse_into_faults(text: str, expected: Fault) -> None:
    """Each documented X-Emulator-Fault item becomes the matching Fault field."""
    assert parse_fault(text) == expected


@pytest.mark.parametrize(
    ("text", "named"),
    [("explode", "unknown item 'explode'"), ("status=abc", "status needs a number"), ("html-502=1", "is a flag")],
)
def test_a_bad_fault_header_is_refused_naming_the_item(text: str, named: str) -> None:
    """A fault header the emulator cannot apply is a 400 naming the item (and parse_fault raises)."""
    with pytest.raises(FaultSpecError, match=named):
        parse_fault(text)
    planned = ask(Emulator(), headers={"X-Emulator-Fault": text})
    assert planned.status == 400
    assert named in error_of(planned)["message"]


def test_fault_values_are_checked() -> None:
    """Out-of-range Fault values are refused when the Fault is made."""
    with pytest.raises(FaultSpecError, match="status"):
        Fault(status=700)
    with pytest.raises(FaultSpecError, match="drop_after"):
        Fault(drop_after=-1)


def test_an_injected_status_carries_retry_after_and_the_error_body() -> None:
    """status=429;retry-after=1 answers 429 with Retry-After and an error body whose statusCode is text."""
    planned = ask(Emulator(), headers={"X-Emulator-Fault": "status=429;retry-after=1;retry-after-ms=900"})
    assert planned.status == 429
    assert ("retry-after", "1") in planned.headers
    assert ("retry-after-ms", "900") in planned.headers
    assert error_of(planned)["statusCode"] == "429"


def test_proxy_faults_send_html_or_nothing() -> None:
    """html-502 sends an HTML page and empty-502 no body at all, as a proxy in front of the API does."""
    html = ask(Emulator(), headers={"X-Emulator-Fault": "html-502"})
    assert html.status == 502
    assert ("content-type", "text/html") in html.headers
    assert html.body.startswith(b"<html>")
    empty = ask(Emulator(), headers={"X-Emulator-Fault": "empty-502"})
    assert (empty.status, empty.body, empty.headers) == (502, b"", [])


def test_malformed_json_cuts_the_body_short() -> None:
    """malformed-json answers 200 with a JSON body (or first streamed chunk) that does not parse."""
    planned = ask(Emulator(), headers={"X-Emulator-Fault": "malformed-json"})
    assert planned.status == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(planned.body)
    stream = ask(Emulator(), user_body(stream=True), headers={"X-Emulator-Fault": "malformed-json"})
    with pytest.raises(json.JSONDecodeError):
        json.loads(stream.parts[1].removeprefix(b"data: "))
    assert stream.parts[-1] == b"data: [DONE]\n\n"


def test_error_after_ends_the_stream_with_an_error_event() -> None:
    """error-after=2 sends two chunks, then an `error` object, and no [DONE]."""
    planned = ask(Emulator(), user_body(stream=True), headers={"X-Emulator-Fault": "error-after=2"})
    assert len(planned.parts) == 3
    last = json.loads(planned.parts[-1].removeprefix(b"data: "))
    assert set(last) == {"error"}
    assert "mid-stream" in last["error"]["message"]


def test_pacing_and_drops_are_planned_for_delivery() -> None:
    """delay, chunk-delay and drop-after are handed to the delivery layer; chunks stretches the stream."""
    planned = ask(
        Emulator(), user_body(stream=True), headers={"X-Emulator-Fault": "delay=0.2;chunk-delay=0.01;drop-after=3"}
    )
    assert (planned.delay, planned.part_delay, planned.drop_after) == (0.2, 0.01, 3)
    stretched = ask(Emulator(), user_body(stream=True), headers={"X-Emulator-Fault": "chunks=40"})
    content_chunks = [part for part in stretched.parts if b'"content": "' in part and b'"role"' not in part]
    assert len(content_chunks) == 40


def test_scripted_faults_apply_in_order_and_a_header_takes_precedence() -> None:
    """script() queues one fault per request; a request with its own fault header leaves the queue alone."""
    emulator = Emulator()
    emulator.script([Fault(status=503), Fault(status=429, retry_after=0)])
    assert ask(emulator, headers={"X-Emulator-Fault": "status=500"}).status == 500
    assert [ask(emulator).status for _ in range(3)] == [503, 429, 200]
    assert emulator.pending_faults == []
    assert [record.status for record in emulator.requests] == [500, 503, 429, 200]
    with pytest.raises(TypeError, match="Fault"):
        # typing: a fault spec string where a Fault is expected: the misuse under test
        emulator.script(["status=500"])  # type: ignore[list-item]


def test_an_unauthenticated_request_does_not_use_up_a_scripted_fault() -> None:
    """Faults are taken by authenticated requests only, so a 401 leaves the script as it was."""
    emulator = Emulator()
    emulator.script([Fault(status=503)])
    assert ask(emulator, key=None).status == 401
    assert emulator.pending_faults == [Fault(status=503)]
    emulator.reset()
    assert (emulator.pending_faults, emulator.requests) == ([], [])
