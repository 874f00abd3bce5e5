"""The emulator's behaviour, independent of any web framework: one request in, one planned answer out.

`Emulator.handle()` authenticates, applies faults, validates the body against
the normalized spec's `ChatCompletionRequest` and plans the answer (status,
headers, body parts). The Starlette app (`_asgi.py`) and the in-process httpx
transport (`_mocking.py`) only deliver what it planned, so both behave the same.

Authentication: `Emulator(api_key=None)` (the default) accepts any non-empty
bearer key; `Emulator(api_key="k")` accepts exactly "k". A missing header, a
scheme other than Bearer, an empty or (when configured) a different key gets 401.
"""

from __future__ import annotations

import http
import json
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from .._constants import (
    CLIENT_REQUEST_ID_HEADER,
    CLIENT_REQUEST_ID_PATTERN,
    CREDITS_USED_HEADER,
    INFERENCE_ID_HEADER,
    USD_SPENT_HEADER,
)
from .._schema import openapi_document, schema_document
from ._answers import completion_body, json_format_field, plan_answer, stream_chunks
from ._contract import REQUEST_COMPONENT, strict_violations
from ._faults import FAULT_HEADER, Fault, FaultSpecError, parse_fault
from ._planned import PlannedResponse, RecordedRequest
from ._traffic import FaultMix, RateLimit, TrafficControl
from ._transport import emulator_transport

if TYPE_CHECKING:
    import httpx
    from starlette.applications import Starlette

DEFAULT_CREATED = 1_762_343_744  # the `created` timestamp of every answer (fixed: answers are deterministic)
DEFAULT_CLIENT_KEY = "emulator-test-key"  # what clients bound to an emulator send when it accepts any key
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"
HTML_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
MAX_REASONS_IN_MESSAGE = 5


class Emulator:
    """A spec-driven stand-in for the AIML chat completions endpoint.

    Use `app` (Starlette, for uvicorn or ASGI), `transport()` (httpx, in process),
    or `run_emulator()` (a loopback server). Every request is recorded in
    `requests`; `script()` queues faults for the next requests. `rate_limit`
    answers 429 with Retry-After past per-key limits; `fault_mix` injects a
    seeded share of faults (see `_traffic`).
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        created: int = DEFAULT_CREATED,
        rate_limit: RateLimit | None = None,
        fault_mix: FaultMix | None = None,
        keep_requests: int | None = None,
    ) -> None:
        if api_key is not None and not api_key.strip():
            raise ValueError("api_key must be a non-empty key, or None to accept any non-empty key")
        if keep_requests is not None and (type(keep_requests) is not int or keep_requests < 0):
            raise ValueError(f"keep_requests must be a whole number >= 0, or None to keep all; got {keep_requests!r}")
        self._api_key = api_key
        self.created = created
        self._lock = threading.Lock()
        self._script: deque[Fault] = deque()
        # `requests` holds the last `keep_requests` (all by default): a long-running server keeps a bounded tail.
        self._requests: deque[RecordedRequest] = deque(maxlen=keep_requests)
        self._routes = _routes_from_spec()
        self._json_field = json_format_field(schema_document()["tolerant"]["$defs"], REQUEST_COMPONENT)
        self._app: Starlette | None = None
        self.traffic = TrafficControl(rate_limit, fault_mix)

    def __repr__(self) -> str:
        mode = "any non-empty key" if self._api_key is None else "one configured key"
        return f"Emulator(accepts={mode}, requests={len(self._requests)}, scripted_faults={len(self._script)})"

    @property
    def client_api_key(self) -> str:
        """A key this emulator accepts (the configured one, else a fixed test key)."""
        return self._api_key if self._api_key is not None else DEFAULT_CLIENT_KEY

    @property
    def routes(self) -> dict[str, frozenset[str]]:
        """Served paths (the spec's paths and their `x-aliases`) and their methods."""
        return dict(self._routes)

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far (the last `keep_requests` of them, if set), oldest first (a copy)."""
        with self._lock:
            return list(self._requests)

    @property
    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return list(self._script)

    def script(self, faults: Iterable[Fault]) -> None:
        """Queue faults: each of the next authenticated requests takes one (a header fault takes precedence)."""
        items = list(faults)
        for item in items:
            if not isinstance(item, Fault):
                raise TypeError(f"script() takes Fault objects, got {type(item).__name__}")
        with self._lock:
            self._script.extend(items)

    def reset(self) -> None:
        """Forget recorded requests and queued faults."""
        with self._lock:
            self._script.clear()
            self._requests.clear()

    @property
    def app(self) -> Starlette:
        """The Starlette (ASGI) app serving this emulator (needs the `testing` extra)."""
        if self._app is None:
            # Imported here: _asgi imports Starlette (tens of ms), which only serving needs.
            # Imported here: _asgi imports Starlette (~50 ms), which only serving needs.
            from ._asgi import build_app  # noqa: PLC0415

            self._app = build_app(self)
        return self._app

    def transport(self) -> httpx.MockTransport:
        """An httpx transport (sync and async) answering in process, without a server."""
        return emulator_transport(self)

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> PlannedResponse:
        """Plan the answer to one request (and record it)."""
        lowered = {name.lower(): value for name, value in headers.items()}
        record = RecordedRequest(method.upper(), path, _redacted(lowered), body)
        with self._lock:
            self._requests.append(record)
        planned = self._plan(record, lowered)
        record.status = planned.status
        return planned

    def _plan(self, record: RecordedRequest, headers: dict[str, str]) -> PlannedResponse:
        methods = self._routes.get(record.path)
        if methods is None or record.method not in methods:
            return self._error(record, 404, f"Cannot {record.method} {record.path}")
        auth_problem = self._auth_problem(headers.get("authorization"))
        if auth_problem:
            return self._error(record, 401, auth_problem)
        key = headers["authorization"].strip().partition(" ")[2].strip()
        over_limit = self.traffic.admit(key)
        if over_limit is not None:
            reason, retry_headers = over_limit
            return self._error(record, 429, reason, retry_headers)
        if self.traffic.limit is not None:
            record.on_finish = lambda: self.traffic.release(key)
        try:
            fault = parse_fault(headers[FAULT_HEADER.lower()]) if FAULT_HEADER.lower() in headers else None
        except FaultSpecError as exc:
            return self._error(record, 400, f"Body validation error: {exc}")
        if fault is None:
            with self._lock:
                fault = self._script.popleft() if self._script else None
        if fault is None:
            fault = self.traffic.draw()
        record.fault = fault
        if fault is not None and fault.error_status is not None:
            return self._fault_error(record, fault)
        problem = _decode_body(record)
        if problem:
            return self._error(record, 400, f"Body validation error: {problem}")
        return self._answer(record, fault or Fault(), headers.get(CLIENT_REQUEST_ID_HEADER.lower()))

    def _auth_problem(self, authorization: str | None) -> str | None:
        if not authorization:
            return "Missing API key: send an 'Authorization: Bearer <key>' header"
        scheme, _, key = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not key.strip():
            return "Invalid API key: the Authorization header must be 'Bearer <key>'"
        if self._api_key is not None and key.strip() != self._api_key:
            return "Invalid API key"
        return None

    def _answer(self, record: RecordedRequest, fault: Fault, client_request_id: str | None) -> PlannedResponse:
        body: dict[str, Any] = record.body
        answer = plan_answer(body, created=self.created, stretch_to=fault.chunks, json_field=self._json_field)
        record.inference_id = f"inf-{uuid.uuid4().hex}"
        headers = [(INFERENCE_ID_HEADER, record.inference_id)]
        if client_request_id is not None and CLIENT_REQUEST_ID_PATTERN.fullmatch(client_request_id):
            headers.append(("x-client-request-id", client_request_id))
        headers += _retry_headers(fault)
        record.stream = body.get("stream") is True
        if record.stream:
            include_usage = (body.get("stream_options") or {}).get("include_usage") is True
            events = [_sse_data(chunk) for chunk in stream_chunks(answer, include_usage=include_usage)]
            if fault.malformed_json and len(events) > 1:
                events[1] = events[1][: len(events[1]) // 2] + b"\n\n"
            if fault.error_after is not None:
                events = [*events[: fault.error_after], _sse_data({"error": _stream_error()})]
            else:
                events.append(b"data: [DONE]\n\n")
            headers += [("content-type", SSE_CONTENT_TYPE), ("cache-control", "no-cache")]
            parts = events
        else:
            payload = json.dumps(completion_body(answer), ensure_ascii=False).encode()
            if fault.malformed_json:
                payload = payload[: len(payload) // 2]
            headers += [
                ("content-type", JSON_CONTENT_TYPE),
                (CREDITS_USED_HEADER, str(answer.credits_used)),
                (USD_SPENT_HEADER, f"{answer.usd_spent:.9f}"),
            ]
            half = len(payload) // 2
            parts = [payload[:half], payload[half:]]
        return PlannedResponse(200, headers, parts, record, fault.delay, fault.chunk_delay, fault.drop_after)

    def _fault_error(self, record: RecordedRequest, fault: Fault) -> PlannedResponse:
        status = fault.error_status
        assert status is not None
        extra = _retry_headers(fault)
        if fault.empty_body:
            planned = PlannedResponse(status, extra, [], record)
        elif fault.html:
            planned = PlannedResponse(status, [("content-type", "text/html"), *extra], [HTML_502.encode()], record)
        else:
            planned = self._error(record, status, f"{_phrase(status)} (injected by the emulator)", extra)
        planned.delay, planned.drop_after = fault.delay, fault.drop_after
        return planned

    def _error(
        self, record: RecordedRequest, status: int, message: str, extra: list[tuple[str, str]] | None = None
    ) -> PlannedResponse:
        payload = json.dumps(error_body(status, message, record.path)).encode()
        headers = [("content-type", JSON_CONTENT_TYPE), *(extra or [])]
        return PlannedResponse(status, headers, [payload], record)


def error_body(status: int, message: str, path: str) -> dict[str, Any]:
    """The AIML error body (`statusCode` is sent as text for 429, as the real API sometimes does)."""
    return {
        "message": message,
        "path": path,
        "requestId": str(uuid.uuid4()),
        "statusCode": str(status) if status == 429 else status,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }


def _routes_from_spec() -> dict[str, frozenset[str]]:
    methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
    routes: dict[str, frozenset[str]] = {}
    for path, item in openapi_document()["paths"].items():
        allowed = frozenset(name.upper() for name in item if name in methods)
        for served in (path, *item.get("x-aliases", [])):
            routes[served] = allowed
    return routes


def _decode_body(record: RecordedRequest) -> str | None:
    """Decode and validate the body in place; the reason it is refused, or None."""
    if not record.raw_body.strip():
        return "the body is empty; send a JSON object"
    try:
        record.body = json.loads(record.raw_body)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"the body is not valid JSON ({exc})"
    try:
        json.dumps(record.body, ensure_ascii=False).encode()
    except UnicodeEncodeError:
        return "the body contains a lone UTF-16 surrogate, which is not valid Unicode"
    found = strict_violations(REQUEST_COMPONENT, record.body)
    if not found:
        return None
    reasons = "; ".join(v.describe() for v in found[:MAX_REASONS_IN_MESSAGE])
    more = f" (and {len(found) - MAX_REASONS_IN_MESSAGE} more)" if len(found) > MAX_REASONS_IN_MESSAGE else ""
    return reasons + more


def _redacted(headers: dict[str, str]) -> dict[str, str]:
    return {name: ("<redacted>" if name == "authorization" else value) for name, value in headers.items()}


def _retry_headers(fault: Fault) -> list[tuple[str, str]]:
    headers = []
    if fault.retry_after is not None:
        headers.append(("retry-after", str(fault.retry_after)))
    if fault.retry_after_ms is not None:
        headers.append(("retry-after-ms", str(fault.retry_after_ms)))
    return headers


def _sse_data(payload: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


def _stream_error() -> dict[str, Any]:
    return {"message": "Upstream model provider failed mid-stream (injected by the emulator)", "code": 502}


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"
