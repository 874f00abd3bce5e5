"""Keeping the API key secret and the transport honest.

- `Secret` holds the key; its repr and str never show it, and it refuses to be
  pickled, so the key cannot leak through a client's repr, a log record or a
  traceback that prints objects.
- `resolve_api_key` takes the key from the argument or `AIMLAPI_API_KEY`.
- `resolve_base_url` refuses plain http:// for a host that is not loopback
  (unless explicitly allowed) and URLs carrying credentials.
"""

from __future__ import annotations

import ipaddress
import os
from typing import NoReturn

import httpx

from ._constants import API_KEY_ENV, BASE_URL_ENV, CHAT_COMPLETIONS_PATH, DEFAULT_BASE_URL
from ._errors import ConfigurationError


class Secret:
    """A string that never shows itself: repr/str print a placeholder."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret itself; call it only where the value must go on the wire."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('<hidden>')"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("an API key secret cannot be pickled")


def resolve_api_key(api_key: str | None) -> Secret:
    """The key from the argument, else from AIMLAPI_API_KEY; a clear error when there is none."""
    source = "the api_key argument"
    if api_key is None:
        api_key = os.environ.get(API_KEY_ENV)
        source = f"the {API_KEY_ENV} environment variable"
        if api_key is None:
            raise ConfigurationError(
                f"no API key: pass api_key=... or set the {API_KEY_ENV} environment variable "
                "(keys are created in the AIML API dashboard)"
            )
    if not isinstance(api_key, str):
        raise ConfigurationError(f"the API key must be a str, got {type(api_key).__name__}")
    if not api_key.strip():
        raise ConfigurationError(f"the API key from {source} is empty")
    if api_key != api_key.strip() or not api_key.isascii() or not api_key.isprintable() or " " in api_key:
        # The value is never echoed: say what is wrong, not what it is.
        raise ConfigurationError(
            f"the API key from {source} contains whitespace, control or non-ASCII characters "
            "(a stray newline from a file or a shell?); the value is not shown"
        )
    return Secret(api_key)


def is_loopback_host(host: str) -> bool:
    """True for localhost names and loopback addresses (127.0.0.0/8, ::1)."""
    name = host.lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name.strip("[]")).is_loopback
    except ValueError:
        return False


def resolve_base_url(base_url: str | None, *, allow_insecure_http: bool) -> str:
    """The base URL from the argument, else AIMLAPI_BASE_URL, else the default; checked and without trailing '/'."""
    source = "base_url"
    if base_url is None:
        env_value = os.environ.get(BASE_URL_ENV)
        if env_value:
            base_url, source = env_value, BASE_URL_ENV
        else:
            base_url = DEFAULT_BASE_URL
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise ConfigurationError(f"{source} is not a valid URL: {exc}") from None
    if url.userinfo:
        raise ConfigurationError(
            f"{source} carries user:password credentials; pass the key as api_key instead (URL not shown)"
        )
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{source} must be an http(s) URL with a host, got {base_url!r}")
    if url.query or url.fragment:
        raise ConfigurationError(f"{source} must not have a query or fragment, got {base_url!r}")
    if url.scheme == "http" and not allow_insecure_http and not is_loopback_host(url.host):
        raise ConfigurationError(
            f"refusing plain http:// base URL {base_url!r}: the API key would travel unencrypted to a "
            "non-loopback host. Use https://, or pass allow_insecure_http=True if you really mean it"
        )
    return str(url).rstrip("/")


def chat_completions_url(base_url: str) -> str:
    """The endpoint URL; a base URL already ending in /v1 (openai style) is accepted too."""
    if base_url.endswith("/v1"):
        return base_url + CHAT_COMPLETIONS_PATH.removeprefix("/v1")
    return base_url + CHAT_COMPLETIONS_PATH
