"""Redaction of the API key in what the server sends back and in what is kept of a request.

A server (or a proxy) may echo the key: a 401 body such as
``{"message": "Invalid token: Bearer sk-..."}``. Everything the library
builds from an answer (exception messages, ``.body``, ``.raw_text``, log
records) goes through a ``Redactor``, which replaces the exact key and any
``Bearer <token>`` with ``<redacted>``. The key is read from the request's
``Authorization`` header, so no other part of the library has to carry it.

``sanitized_request`` / ``sanitized_response`` are copies of httpx objects
without the Authorization header (and with the body redacted), used when an
exception is pickled.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    import httpx

REDACTED = "<redacted>"
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
# A bearer token as it appears in text or JSON: stops at whitespace, a quote, a backslash or a comma.
_BEARER = re.compile(r"(?i)\bbearer(\s+)[^\s\"'\\,;]+")
# Characters that continue a token: the key is matched only where none stands right before or after it.
_KEY_EDGE_BEFORE = r"(?<![A-Za-z0-9_\-])"
_KEY_EDGE_AFTER = r"(?![A-Za-z0-9_\-])"


class Redactor:
    """Replaces one key (when known) and every ``Bearer <token>`` in text and decoded JSON."""

    __slots__ = ("_key_token",)

    def __init__(self, key: str | None) -> None:
        # The key as a whole token: a short key ("k") must not turn every "k" of a message into <redacted>.
        self._key_token = re.compile(_KEY_EDGE_BEFORE + re.escape(key) + _KEY_EDGE_AFTER) if key else None

    @classmethod
    def for_request(cls, request: httpx.Request | None) -> Redactor:
        """The redactor for the key this request carried in its Authorization header."""
        if request is None:
            return cls(None)
        value = request.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        return cls(token.strip() if scheme.lower() == "bearer" and token.strip() else None)

    def __repr__(self) -> str:
        return "Redactor(<hidden>)"

    def needed(self, text: str) -> bool:
        """True when `text` holds the key or a bearer token."""
        return self._holds_key(text) or _BEARER.search(text) is not None

    def _holds_key(self, text: str) -> bool:
        pattern = self._key_token
        return pattern is not None and pattern.search(text) is not None

    def text(self, text: str) -> str:
        """`text` with the key and every bearer token replaced."""
        if self._key_token is not None:
            text = self._key_token.sub(REDACTED, text)
        return _BEARER.sub(lambda match: f"Bearer{match.group(1)}{REDACTED}", text) if "earer" in text.lower() else text

    def json(self, value: Any) -> Any:
        """A decoded JSON value with every string (keys included) redacted; iterative, so any depth is fine."""
        if isinstance(value, str):
            return self.text(value)
        if not isinstance(value, dict | list):
            return value
        pending: list[dict[str, Any] | list[Any]] = [value]
        while pending:
            container = pending.pop()
            items = list(container.items()) if isinstance(container, dict) else list(enumerate(container))
            for key, item in items:
                if isinstance(item, str):
                    # typing: key comes from this container's own items: a str for a dict, an int for a list
                    container[key] = self.text(item)  # type: ignore[index]
                elif isinstance(item, dict | list):
                    pending.append(item)
            if isinstance(container, dict) and any(self.needed(key) for key in container):
                renamed = {self.text(key): item for key, item in container.items()}
                container.clear()
                container.update(renamed)
        return value


def sanitized_request(request: httpx.Request | None) -> httpx.Request | None:
    """A copy of `request` without secret headers (method, URL, other headers and body kept)."""
    if request is None:
        return None

    headers = [(name, value) for name, value in request.headers.multi_items() if name.lower() not in SECRET_HEADERS]
    content = getattr(request, "_content", None)
    return httpx.Request(request.method, request.url, headers=headers, content=content if content else None)


def sanitized_response(response: httpx.Response | None) -> httpx.Response | None:
    """A closed copy of `response` whose request has no secret headers and whose body is redacted."""
    if response is None:
        return None

    request = response._request  # the public property raises when there is none
    redactor = Redactor.for_request(request)
    state = response.__getstate__()
    state["_request"] = sanitized_request(request)
    state["history"] = []
    state["next_request"] = None
    content = state.get("_content")
    if isinstance(content, bytes) and content:
        text = content.decode(response.encoding or "utf-8", "replace")
        if redactor.needed(text):
            state["_content"] = redactor.text(text).encode(response.encoding or "utf-8", "replace")
            state.pop("_text", None)
    if "_text" in state and isinstance(state["_text"], str):
        state["_text"] = redactor.text(state["_text"])
    copy = httpx.Response.__new__(httpx.Response)
    copy.__setstate__(state)
    return copy


class RequestHeaders(dict[str, str]):
    """Request headers (lower-case names) whose repr hides the Authorization value, as httpx.Headers does."""

    __slots__ = ()

    def __repr__(self) -> str:
        shown = {name: "<hidden>" if name in SECRET_HEADERS else value for name, value in self.items()}
        return f"RequestHeaders({shown!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Never pickled with the key: a copy without the secret headers.
        return (RequestHeaders, ({name: value for name, value in self.items() if name not in SECRET_HEADERS},))


def request_of(owner: httpx.Response | httpx.RequestError) -> httpx.Request | None:
    """The request an answer or a transport error belongs to (None for one built without: httpx raises then)."""
    try:
        return owner.request
    except RuntimeError:
        return None


def body_snippet(response: httpx.Response, limit: int = 200) -> str:
    """The start of a read body for an error message: whitespace collapsed, the key redacted before cutting."""
    return " ".join(Redactor.for_request(request_of(response)).text(response.text).split())[:limit]
