"""The key stays secret (repr, str, logs, exceptions); plain http and cross-origin redirects are handled safely."""

from __future__ import annotations

import json
import logging
import pickle
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import (
    APIConnectionError,
    AsyncGrok,
    AuthenticationError,
    BudgetExceededError,
    ConfigurationError,
    Grok,
    RequestValidationError,
)
from aimlapi_grok._security import Secret

from .conftest import API_KEY, COMPLETION, completion_response, error_response

PATH = "/v1/chat/completions"


class ScriptedHandler(BaseHTTPRequestHandler):
    """Answers POSTs from the server's script: (status, headers, body) per request, the last one repeated."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length", "0")))
        # typing: the test server carries its script as an attribute set by the fixture
        script = self.server.script  # type: ignore[attr-defined]
        status, headers, body = script.pop(0) if len(script) > 1 else script[0]
        payload = json.dumps(body).encode()
        self.send_response(status)
        for name, value in {"content-type": "application/json", **headers}.items():
            self.send_header(name, value)
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass


@pytest.fixture
def loopback_server() -> Iterator[ThreadingHTTPServer]:
    """A real HTTP server on 127.0.0.1 so httpx and httpcore really log at DEBUG."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def texts_of(error: BaseException) -> str:
    return f"{error}\n{error!r}\n{error.args!r}"


def test_secret_never_shows_itself() -> None:
    """Secret's repr and str hide the value, and it refuses to be pickled."""
    secret = Secret(API_KEY)
    assert API_KEY not in repr(secret)
    assert API_KEY not in str(secret)
    assert API_KEY not in f"{secret}"
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    assert secret.reveal() == API_KEY


async def test_key_not_in_client_repr(api: Any) -> None:
    """repr() and str() of the client show the configuration but never the key."""
    for text in (repr(api.client), str(api.client), repr(vars(api.client))):
        assert API_KEY not in text
    assert "api_key=<hidden>" in repr(api.client)
    with pytest.raises(TypeError):
        pickle.dumps(api.client)


async def test_key_not_in_exceptions(make_api: Any, router: respx.MockRouter) -> None:
    """Status, connection, validation and budget errors (and their requests' reprs) never contain the key."""
    api = make_api(max_retries=0)
    router.post(PATH).mock(side_effect=[error_response(401, "Invalid key"), httpx.ConnectError("refused")])
    with pytest.raises(AuthenticationError) as status_error:
        await api.create()
    with pytest.raises(APIConnectionError) as connection_error:
        await api.create()
    with pytest.raises(RequestValidationError) as validation_error:
        await api.create(temperature=7)
    budget_api = make_api(budget_usd=0)
    with pytest.raises(BudgetExceededError) as budget_error:
        await budget_api.create()
    for caught in (status_error, connection_error, validation_error, budget_error):
        assert API_KEY not in texts_of(caught.value)
    assert API_KEY not in repr(status_error.value.request)
    assert status_error.value.request is not None
    assert API_KEY not in repr(status_error.value.request.headers)


async def test_key_not_in_any_log_record(
    client_kind: str, loopback_server: ThreadingHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Over real loopback HTTP with every logger at DEBUG (httpx, httpcore, stamina, ours), no record has the key."""
    # typing: the test server carries its script as an attribute set by the fixture
    loopback_server.script = [  # type: ignore[attr-defined]
        (429, {"retry-after": "0"}, {"message": "slow down", "statusCode": 429}),
        (200, {"x-inference-id": "inf-1"}, COMPLETION),
    ]
    base_url = f"http://127.0.0.1:{loopback_server.server_port}"
    caplog.set_level(logging.DEBUG)
    if client_kind == "sync":
        with Grok(api_key=API_KEY, base_url=base_url) as client:
            result = client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    else:
        async with AsyncGrok(api_key=API_KEY, base_url=base_url) as aclient:
            result = await aclient.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    assert result.retries == 1
    loggers = {record.name.split(".")[0] for record in caplog.records}
    assert {"httpx", "httpcore", "aimlapi_grok", "stamina"} <= loggers
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.__dict__)


def test_missing_key_names_the_variable() -> None:
    """No argument and no AIMLAPI_API_KEY: ConfigurationError naming the variable."""
    with pytest.raises(ConfigurationError, match="AIMLAPI_API_KEY"):
        Grok()
    with pytest.raises(ConfigurationError, match="AIMLAPI_API_KEY"):
        AsyncGrok()


async def test_key_from_environment(monkeypatch: pytest.MonkeyPatch, router: respx.MockRouter) -> None:
    """AIMLAPI_API_KEY is used when no argument is given; an argument wins over it."""
    monkeypatch.setenv("AIMLAPI_API_KEY", "env-key-123")
    route = router.post(PATH).mock(return_value=completion_response())
    with Grok() as client:
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    with Grok(api_key="arg-key-456") as client:
        client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    assert [call.request.headers["authorization"] for call in route.calls] == [
        "Bearer env-key-123",
        "Bearer arg-key-456",
    ]


@pytest.mark.parametrize("bad_key", ["", "   ", "sk-abc\n", "sk abc", "sk-ключ"])
def test_malformed_key_is_refused_without_showing_it(bad_key: str) -> None:
    """Empty keys and keys with whitespace, newlines or non-ASCII are refused; the message does not echo them."""
    with pytest.raises(ConfigurationError) as caught:
        Grok(api_key=bad_key)
    if bad_key.strip():
        assert bad_key.strip() not in str(caught.value)


@pytest.mark.parametrize("url", ["http://api.aimlapi.com", "http://10.0.0.5:8080", "http://example.com/v1"])
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    """A non-loopback http:// base URL raises ConfigurationError naming the URL."""
    with pytest.raises(ConfigurationError, match="refusing plain http") as caught:
        Grok(api_key=API_KEY, base_url=url)
    assert url in str(caught.value)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000", "http://localhost:9", "http://[::1]:8080", "http://a.localhost"]
)
def test_plain_http_to_loopback_is_allowed(url: str) -> None:
    """http:// to a loopback host needs no opt-in (local emulators, tests)."""
    with Grok(api_key=API_KEY, base_url=url) as client:
        assert client.base_url == url


def test_plain_http_allowed_when_asked() -> None:
    """allow_insecure_http=True accepts a remote http:// base URL."""
    with Grok(api_key=API_KEY, base_url="http://gateway.internal", allow_insecure_http=True) as client:
        assert client.url == "http://gateway.internal/v1/chat/completions"


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("https://user:pw@api.aimlapi.com", "credentials"),
        ("ftp://api.aimlapi.com", "http\\(s\\) URL"),
        ("https://api.aimlapi.com?x=1", "query"),
        ("not a url", "http\\(s\\) URL"),
    ],
)
def test_bad_base_urls(url: str, match: str) -> None:
    """Credentials in the URL, other schemes, queries and garbage are refused with the reason."""
    with pytest.raises(ConfigurationError, match=match) as caught:
        Grok(api_key=API_KEY, base_url=url)
    assert "pw" not in str(caught.value)


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """AIMLAPI_BASE_URL sets the base URL when no argument is given (and is checked the same way)."""
    monkeypatch.setenv("AIMLAPI_BASE_URL", "http://127.0.0.1:4010/")
    with Grok(api_key=API_KEY) as client:
        assert client.url == "http://127.0.0.1:4010/v1/chat/completions"
    monkeypatch.setenv("AIMLAPI_BASE_URL", "http://remote.example")
    with pytest.raises(ConfigurationError, match=r"http://remote\.example"):
        Grok(api_key=API_KEY)


@pytest.mark.parametrize(
    ("location", "keeps_key"), [("https://other.example/v1/x", False), ("https://api.aimlapi.com/v1/moved", True)]
)
async def test_authorization_only_follows_same_origin_redirects(
    client_kind: str, location: str, keeps_key: bool
) -> None:
    """A caller's client that follows redirects sends Authorization after a same-origin redirect only (httpx)."""
    with respx.mock(assert_all_called=True) as mock:
        mock.post("https://api.aimlapi.com/v1/chat/completions").mock(
            return_value=httpx.Response(307, headers={"location": location})
        )
        target = mock.post(location).mock(return_value=completion_response())
        if client_kind == "sync":
            with httpx.Client(follow_redirects=True) as http, Grok(api_key=API_KEY, http_client=http) as client:
                client.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
        else:
            async with (
                httpx.AsyncClient(follow_redirects=True) as ahttp,
                AsyncGrok(api_key=API_KEY, http_client=ahttp) as aclient,
            ):
                await aclient.chat.completions.create(messages=[{"role": "user", "content": "hi"}])
    headers = target.calls[0].request.headers
    assert ("authorization" in headers) is keeps_key
    if keeps_key:
        assert headers["authorization"] == f"Bearer {API_KEY}"
