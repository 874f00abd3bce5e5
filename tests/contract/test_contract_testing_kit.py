"""The testing kit an app uses: cheap lazy import, clear missing-extra error, respx mocks, canned answers,
the in-process transport and the request assertion."""

from __future__ import annotations

import json
import subprocess
import sys

import aimlapi_grok.testing as kit
import httpx
import pytest
from aimlapi_grok import Grok, InternalServerError, RateLimitError
from aimlapi_grok.testing import (
    Emulator,
    assert_valid_request,
    assert_valid_response,
    assert_valid_stream,
    completion_response,
    emulator_transport,
    error_response,
    mock_grok,
    stream_response,
)

from .contract_support import user_body

CHAT_URL = "https://api.aimlapi.com/v1/chat/completions"


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False)


def test_importing_the_kit_loads_no_server_or_mock_library() -> None:
    """`import aimlapi_grok.testing` (and using Emulator in process) imports neither starlette, uvicorn nor respx."""
    code = (
        "import sys, aimlapi_grok.testing as kit\n"
        "kit.Emulator().handle('POST', '/v1/chat/completions', {}, b'')\n"
        "print(','.join(m for m in ('starlette', 'uvicorn', 'respx') if m in sys.modules))\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_a_missing_testing_extra_is_named_with_the_install_command() -> None:
    """Without starlette, run_emulator's import fails with an ImportError naming `aimlapi-grok[testing]`."""
    code = (
        "import sys\n"
        "sys.modules['starlette'] = None\n"
        "try:\n"
        "    from aimlapi_grok.testing import run_emulator\n"
        "except ImportError as exc:\n"
        "    print(exc)\n"
    )
    done = run_python(code)
    assert done.returncode == 0, done.stderr
    assert "pip install 'aimlapi-grok[testing]'" in done.stdout
    assert "starlette" in done.stdout


def test_the_kit_exports_what_it_lists() -> None:
    """Every name in `aimlapi_grok.testing.__all__` resolves; an unknown one is an AttributeError."""
    assert all(getattr(kit, name) is not None for name in kit.__all__)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = kit.nope


@pytest.mark.parametrize(
    "response",
    [
        completion_response("Hi there."),
        completion_response(tool_calls=[{"function": {"name": "f", "arguments": "{}"}}]),
    ],
    ids=["text", "tool-call"],
)
def test_canned_completions_keep_the_published_schema(response: httpx.Response) -> None:
    """completion_response() builds a published-valid completion with the cost headers."""
    assert_valid_response(response.content, "ChatCompletion", variant="published")
    assert int(response.headers["x-aimlapi-credits-used"]) > 0


def test_canned_streams_and_errors_keep_the_published_schema() -> None:
    """stream_response() is a published-valid SSE stream; error_response() a published-valid error body."""
    streamed = assert_valid_stream(stream_response("one two three").content, variant="published")
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in streamed if c["choices"]) == "one two three"
    assert_valid_response(error_response(429, retry_after=2).content, "ErrorBody", variant="published")
    assert error_response(502, html=True).text.startswith("<html>")
    assert error_response(502, empty=True).content == b""


def test_mock_grok_routes_a_client_to_the_in_process_emulator() -> None:
    """Inside mock_grok(), a Grok aimed at the real base URL is answered by the emulator, which records it."""
    with mock_grok() as mock, Grok(api_key="k") as client:
        text = client.ask("Hello mock")
    assert text.startswith("Emulated answer to: Hello mock. The")
    assert [record.status for record in mock.requests] == [200]
    assert mock.sent_bodies()[0]["messages"] == [{"role": "user", "content": "Hello mock"}]
    mock.assert_all_requests_valid()


def test_mock_grok_serves_canned_responses_in_order() -> None:
    """mock_grok(responses=[...]) answers the chat completions path with each canned response in turn."""
    canned = [error_response(503), completion_response("Recovered.")]
    with mock_grok(responses=canned) as mock, Grok(api_key="k", max_retries=0) as client:
        with pytest.raises(InternalServerError):
            client.ask("hi")
        assert client.ask("hi") == "Recovered."
    assert len(mock.sent) == 2


def test_assert_all_requests_valid_names_the_field_an_app_got_wrong() -> None:
    """An app posting a body the spec refuses (by hand, bypassing the client) is caught with the field path."""
    with mock_grok() as mock:
        httpx.post(CHAT_URL, json=user_body(temperature=5), headers={"Authorization": "Bearer k"})
        with pytest.raises(AssertionError, match=r"temperature: 5 is greater than the maximum of 2"):
            mock.assert_all_requests_valid()


def test_assert_valid_request_accepts_dicts_text_and_requests() -> None:
    """assert_valid_request takes the body as a dict, as JSON text, or as the httpx.Request, and names paths."""
    assert_valid_request(user_body())
    assert_valid_request(json.dumps(user_body()))
    assert_valid_request(httpx.Request("POST", CHAT_URL, json=user_body()))
    with pytest.raises(AssertionError, match=r"messages\[1\]: \"tool_call_id\" is a required property"):
        assert_valid_request({**user_body(), "messages": [{"role": "user"}, {"role": "tool", "content": "x"}]})
    with pytest.raises(AssertionError, match="not valid JSON"):
        assert_valid_request(b"{")


def test_the_in_process_transport_drops_a_stream_like_a_server() -> None:
    """emulator_transport(): a drop-after fault raises httpx.RemoteProtocolError mid-body, recorded as dropped."""
    emulator = Emulator()
    with httpx.Client(transport=emulator_transport(emulator)) as http:
        headers = {"Authorization": "Bearer k", "X-Emulator-Fault": "drop-after=2"}
        with http.stream("POST", CHAT_URL, json=user_body(stream=True), headers=headers) as response:
            parts = response.iter_bytes()
            received = [next(parts), next(parts)]
            with pytest.raises(httpx.RemoteProtocolError, match="dropped by the emulator"):
                next(parts)
    assert b"".join(received).count(b"data: ") == 2
    record = emulator.requests[0]
    assert (record.parts_sent, record.dropped, record.completed) == (2, True, False)


async def test_the_in_process_transport_serves_async_clients() -> None:
    """The same transport answers an httpx.AsyncClient, and a 429 fault maps to RateLimitError in the client."""
    emulator = Emulator()
    async with httpx.AsyncClient(transport=emulator_transport(emulator)) as http:
        response = await http.post(CHAT_URL, json=user_body(), headers={"Authorization": "Bearer k"})
    assert response.status_code == 200
    assert_valid_response(response.content, "ChatCompletion", variant="published")
    emulator.script([kit.Fault(status=429, retry_after=0)])
    client = Grok(api_key="k", http_client=httpx.Client(transport=emulator.transport()), max_retries=0)
    with client, pytest.raises(RateLimitError):
        client.ask("hi")


def test_a_client_that_stops_reading_is_recorded_as_disconnected() -> None:
    """Closing a response before its end marks the request `disconnected` (the server side saw it go)."""
    emulator = Emulator()
    headers = {"Authorization": "Bearer k"}
    with (
        httpx.Client(transport=emulator.transport()) as http,
        http.stream("POST", CHAT_URL, json=user_body(stream=True), headers=headers) as response,
    ):
        next(response.iter_bytes())
    record = emulator.requests[0]
    assert record.wait_finished(0)
    assert (record.disconnected, record.completed) == (True, False)


def test_an_emulator_keeps_only_its_last_requests_when_told() -> None:
    """Emulator(keep_requests=2) holds the last two requests, oldest first; 0 holds none; the default holds all."""
    counts: dict[int | None, list[str]] = {}
    for keep in (2, 0, None):
        with mock_grok(Emulator(keep_requests=keep)) as mock, Grok(api_key="k") as client:
            for prompt in ("one", "two", "three"):
                client.ask(prompt)
            counts[keep] = [record.body["messages"][0]["content"] for record in mock.requests]
    assert counts == {2: ["two", "three"], 0: [], None: ["one", "two", "three"]}


@pytest.mark.parametrize("bad", [-1, 1.5, True, "3"])
def test_a_bad_request_history_length_is_refused_by_name(bad: object) -> None:
    """keep_requests must be a whole number >= 0 (or None): anything else is a ValueError naming it."""
    with pytest.raises(ValueError, match=r"keep_requests must be a whole number >= 0, or None to keep all; got "):
        Emulator(keep_requests=bad)  # type: ignore[arg-type]  # (the wrong types are the point)


def test_the_foreground_server_keeps_a_bounded_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """serve() (what `aimlapi-grok emulator` runs) records only its last SERVED_KEPT_REQUESTS requests."""
    from aimlapi_grok.testing import _server

    made: list[Emulator] = []

    class Recording(Emulator):
        def __init__(self, **options: object) -> None:
            super().__init__(**options)  # type: ignore[arg-type]  # (serve() passes Emulator's own keywords)
            made.append(self)

    class NotServing:
        def __init__(self, config: object) -> None:
            self.config = config

        def run(self) -> None:
            """Return at once instead of serving."""

    monkeypatch.setattr(_server, "Emulator", Recording)
    monkeypatch.setattr("aimlapi_grok.testing._server.uvicorn.Server", NotServing)
    kit.serve("127.0.0.1", 0)
    assert len(made) == 1
    with mock_grok(made[0]) as mock, Grok(api_key="k") as client:
        for index in range(_server.SERVED_KEPT_REQUESTS + 5):
            client.chat.completions.with_raw_response.create(messages=[{"role": "user", "content": str(index)}])
        kept = [record.body["messages"][0]["content"] for record in mock.requests]
    assert kept == [str(index) for index in range(5, _server.SERVED_KEPT_REQUESTS + 5)]
