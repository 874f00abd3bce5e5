"""Key and URL checks the mutation run showed unpinned: each refusal's exact wording, loopback forms, /v1 bases."""

from __future__ import annotations

import pickle

import pytest
from aimlapi_grok import ConfigurationError
from aimlapi_grok._security import (
    Secret,
    chat_completions_url,
    is_loopback_host,
    resolve_api_key,
    resolve_base_url,
)

STRAY = (
    "contains whitespace, control or non-ASCII characters (a stray newline from a file or a shell?); "
    "the value is not shown"
)


def test_secret_shows_a_placeholder_and_refuses_pickling() -> None:
    """repr and str of a Secret are exactly Secret('<hidden>'); pickling raises a TypeError saying why."""
    secret = Secret("sk-abc")
    assert repr(secret) == str(secret) == "Secret('<hidden>')"
    with pytest.raises(TypeError, match=r"^an API key secret cannot be pickled$"):
        pickle.dumps(secret)


@pytest.mark.parametrize(
    ("api_key", "env", "message"),
    [
        (
            None,
            None,
            "no API key: pass api_key=... or set the AIMLAPI_API_KEY environment variable "
            "(keys are created in the AIML API dashboard)",
        ),
        (5, None, "the API key must be a str, got int"),
        ("  ", None, "the API key from the api_key argument is empty"),
        (None, " ", "the API key from the AIMLAPI_API_KEY environment variable is empty"),
        ("sk-abc\n", None, f"the API key from the api_key argument {STRAY}"),
        (None, "sk-abc\n", f"the API key from the AIMLAPI_API_KEY environment variable {STRAY}"),
    ],
)
def test_each_bad_key_is_refused_in_words(
    monkeypatch: pytest.MonkeyPatch, api_key: object, env: str | None, message: str
) -> None:
    """A missing, non-str, empty or padded key raises ConfigurationError naming where it came from, never its value."""
    if env is not None:
        monkeypatch.setenv("AIMLAPI_API_KEY", env)
    with pytest.raises(ConfigurationError) as caught:
        # typing: a key of the wrong type: the misuse under test
        resolve_api_key(api_key)  # type: ignore[arg-type]
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("base_url", "env", "message"),
    [
        ("http://[::1", None, "base_url is not a valid URL: "),
        (None, "http://[::1", "AIMLAPI_BASE_URL is not a valid URL: "),
        (
            "http://api.example.com",
            None,
            "refusing plain http:// base URL 'http://api.example.com': the API key would travel unencrypted to a "
            "non-loopback host. Use https://, or pass allow_insecure_http=True if you really mean it",
        ),
        (None, "ftp://x", "AIMLAPI_BASE_URL must be an http(s) URL with a host, got 'ftp://x'"),
    ],
)
def test_each_bad_base_url_is_refused_in_words(
    monkeypatch: pytest.MonkeyPatch, base_url: str | None, env: str | None, message: str
) -> None:
    """A bad base URL raises ConfigurationError naming its source (argument or AIMLAPI_BASE_URL) and the cause."""
    if env is not None:
        monkeypatch.setenv("AIMLAPI_BASE_URL", env)
    with pytest.raises(ConfigurationError) as caught:
        resolve_base_url(base_url, allow_insecure_http=False)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("localhost.", True),
        ("LOCALHOST", True),
        ("api.localhost.", True),
        ("127.0.0.1", True),
        ("[::1]", True),
        ("::1", True),
        (".localhost.example", False),
        ("8.8.8.8", False),
        ("example.com", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    """localhost names (trailing dot, any case) and loopback addresses (bracketed IPv6 too) are loopback."""
    assert is_loopback_host(host) is loopback


def test_base_url_trailing_slashes_and_v1() -> None:
    """Trailing slashes are dropped; a base ending in /v1 (openai style) gets the path once, not /v1/v1."""
    assert resolve_base_url("https://api.example.com/v1//", allow_insecure_http=False) == "https://api.example.com/v1"
    assert resolve_base_url("https://api.example.com/X/", allow_insecure_http=False) == "https://api.example.com/X"
    assert chat_completions_url("https://api.example.com/v1") == "https://api.example.com/v1/chat/completions"
    assert chat_completions_url("https://api.example.com") == "https://api.example.com/v1/chat/completions"
    assert chat_completions_url("https://api.example.com/V1") == "https://api.example.com/V1/v1/chat/completions"
