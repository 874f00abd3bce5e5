"""The no-I/O core shared by Grok and AsyncGrok: configuration, requests, answers, cost.

`Grok` (_client.py) and `AsyncGrok` (_async_client.py) only send and receive;
everything they decide is decided here, once, for both.
"""

from __future__ import annotations

import copy
import itertools
import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Self, TypedDict, Unpack

import httpx

from ._arguments import check_time_limit_setting, checked_headers, time_limit_violation
from ._budget import BudgetGate, Reservation
from ._constants import CLIENT_REQUEST_ID_HEADER
from ._cost import CostTracker, parse_budget
from ._deadline import Deadline
from ._errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    RequestValidationError,
    ResponseValidationError,
)
from ._meta import ResponseInfo
from ._redact import RequestHeaders
from ._request import build_body, encode_request
from ._response import ChatCompletionResult, parse_completion
from ._retry import RetryPolicy
from ._schema import SchemaViolation
from ._security import chat_completions_url, resolve_api_key, resolve_base_url
from ._version import __version__

if TYPE_CHECKING:
    from ._streaming import StreamResult

logger = logging.getLogger("aimlapi_grok")

USER_AGENT = f"aimlapi-grok/{__version__}"
TimeoutTypes = float | httpx.Timeout | None
_REQUEST_ID_KEY = CLIENT_REQUEST_ID_HEADER.lower()


class ClientOptions(TypedDict, total=False):
    """What ``with_options()`` changes (openai-python's two, and ``deadline``); other settings need a new client."""

    timeout: TimeoutTypes
    max_retries: int
    deadline: float | None


@dataclass(slots=True)
class PreparedCall:
    """One validated call, ready to be sent (and re-sent on retry) unchanged.

    `headers` is a RequestHeaders: its repr (and so this call's repr, and any
    locals-capturing traceback) shows the Authorization value as hidden.
    """

    content: bytes
    headers: RequestHeaders
    timeout: TimeoutTypes
    max_retries: int
    stream: bool
    client_request_id: str
    deadline: Deadline | None = None

    @property
    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.max_retries, deadline=self.deadline)

    def arm(self, request: httpx.Request) -> None:
        """Before each attempt: cap httpx's timeouts at the time left before the deadline."""
        if self.deadline is not None:
            request.extensions["timeout"] = self.deadline.capped_timeout(self.timeout, request)

    def hand_over(self, response: httpx.Response) -> bool:
        """After each attempt: guard the answer's reading with the deadline; True for a stream to return unread.

        Otherwise (a JSON answer, an error status) the attempt reads the body itself, inside the retry loop.
        """
        if self.deadline is not None:
            self.deadline.guard(response)
        return response.is_success and self.stream

    @property
    def budget_wait(self) -> float | None:
        """How long a call may wait for budget held by calls in flight: its deadline, else its read timeout."""
        if self.deadline is not None:
            return max(0.0, self.deadline.remaining())
        return httpx.Timeout(self.timeout).read

    @property
    def label(self) -> str:
        return f"chat completion {self.client_request_id}"


class BaseGrok:
    """Configuration and every no-I/O step of a call, shared by the sync and async clients."""

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None,
        timeout: TimeoutTypes,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        allow_insecure_http: bool,
        budget_usd: Decimal | float | int | str | None,
        deadline: float | None = None,
    ) -> None:
        self._api_key = resolve_api_key(api_key)
        self.base_url = resolve_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self.url = chat_completions_url(self.base_url)
        self._url = httpx.URL(self.url)  # parsed once: httpx re-parses a str URL on every request
        check_time_limit_setting("timeout", timeout)
        check_time_limit_setting("deadline", deadline)
        self.max_retries = _checked_max_retries(max_retries)
        self.timeout = timeout
        self.deadline = deadline
        self._default_headers = RequestHeaders(checked_headers(default_headers, "default_headers", per_call=False))
        # The headers every call starts from (the client's own, then default_headers), built once.
        self._headers_for_json = self._base_headers("application/json")
        self._headers_for_stream = self._base_headers("text/event-stream")
        self._costs = CostTracker(parse_budget(budget_usd))
        self._budget_gate = BudgetGate(self._costs) if self._costs.budget_usd is not None else None
        # Generated X-Client-Request-Id values: a random per-client prefix and a counter.
        self._id_prefix = f"aimlapi-grok-{os.urandom(6).hex()}"
        self._id_counter = itertools.count(1)

    def _base_headers(self, accept: str) -> RequestHeaders:
        headers = RequestHeaders(
            {
                "authorization": "Bearer " + self._api_key.reveal(),
                "user-agent": USER_AGENT,
                "content-type": "application/json",
                "accept": accept,
            }
        )
        headers.update(self._default_headers)
        return headers

    _owns_http: bool  # set by Grok / AsyncGrok: close() closes the httpx client only when it made it

    def _bind_namespaces(self) -> None:
        """Attach `chat` (and its `completions`) bound to this client; each I/O layer has its own."""
        raise NotImplementedError

    def with_options(self, **options: Unpack[ClientOptions]) -> Self:
        """This client with another `timeout`, `max_retries` or `deadline`, as openai-python's `with_options()`.

        The copy shares the connection pool, the cost totals and the budget; closing it leaves the pool
        open (closing this client closes it for both). Other settings need a new client.
        """
        unknown = sorted(set(options) - ClientOptions.__optional_keys__)
        if unknown:
            allowed = ", ".join(sorted(ClientOptions.__optional_keys__))
            raise ConfigurationError(
                f"with_options() takes {allowed}, not {', '.join(unknown)} (make a new client for other settings)"
            )
        clone = copy.copy(self)
        if "timeout" in options:
            check_time_limit_setting("timeout", options["timeout"])
            clone.timeout = options["timeout"]
        if "deadline" in options:
            check_time_limit_setting("deadline", options["deadline"])
            clone.deadline = options["deadline"]
        if "max_retries" in options:
            clone.max_retries = _checked_max_retries(options["max_retries"])
        clone._owns_http = False
        clone._bind_namespaces()
        return clone

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries}, "
            f"timeout={self.timeout!r}, deadline={self.deadline!r}, budget_usd={self.budget_usd!r}, api_key=<hidden>)"
        )

    # -- cost ---------------------------------------------------------------------------------

    @property
    def total_credits_used(self) -> int:
        """Credits spent by this client's calls so far (from cost headers and final stream chunks)."""
        return self._costs.credits_used

    @property
    def total_usd_spent(self) -> Decimal:
        """USD spent by this client's calls so far (exact Decimal)."""
        return self._costs.usd_spent

    @property
    def budget_usd(self) -> Decimal | None:
        """The USD budget; once spent, calls are refused with BudgetExceededError before sending."""
        return self._costs.budget_usd

    # -- request --------------------------------------------------------------------------------

    def _prepare(self, messages: Sequence[Any], stream: bool, params: Mapping[str, Any]) -> PreparedCall:
        """Check the budget, build and validate the call; raises before anything is sent."""
        self._costs.ensure_within_budget()
        if not isinstance(stream, bool):
            raise RequestValidationError([SchemaViolation("stream", stream, "type", "must be True or False")])
        body = build_body(messages, stream, params)
        headers = RequestHeaders(self._headers_for_stream if stream else self._headers_for_json)
        extra_headers = params.get("extra_headers")
        if extra_headers is not None:
            headers.update(checked_headers(extra_headers, "extra_headers", per_call=True))
        request_id = params.get("client_request_id")
        if request_id is None:
            request_id = headers.get(_REQUEST_ID_KEY) or f"{self._id_prefix}-{next(self._id_counter)}"
        headers[_REQUEST_ID_KEY] = request_id
        max_retries = params.get("max_retries", self.max_retries)
        content = encode_request(body, request_id, max_retries)
        timeout = params.get("timeout", self.timeout)
        deadline_seconds = params.get("deadline", self.deadline)
        timeout_problem = time_limit_violation("timeout", timeout)
        deadline_problem = time_limit_violation("deadline", deadline_seconds)
        if timeout_problem is not None or deadline_problem is not None:
            raise RequestValidationError([found for found in (timeout_problem, deadline_problem) if found is not None])
        deadline = Deadline(deadline_seconds) if deadline_seconds is not None else None
        return PreparedCall(content, headers, timeout, max_retries, stream, request_id, deadline)

    def _build_request(self, http: httpx.Client | httpx.AsyncClient, call: PreparedCall) -> httpx.Request:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("POST %s (X-Client-Request-Id %s, stream=%s)", self.url, call.client_request_id, call.stream)
        return http.build_request("POST", self._url, content=call.content, headers=call.headers, timeout=call.timeout)

    # -- answers --------------------------------------------------------------------------------

    @staticmethod
    def _connection_error(exc: httpx.RequestError, request: httpx.Request, retries: int) -> APIConnectionError:
        """Our error for an httpx transport failure (the key is never part of its text)."""
        cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
        what = "timed out" if cls is APITimeoutError else "failed"
        where = f"{request.url.scheme}://{request.url.netloc.decode('ascii', 'replace')}{request.url.path}"
        detail = str(exc) or "no detail"
        return cls(f"request to {where} {what}: {type(exc).__name__}: {detail}", request=request, retries=retries)

    def _finish_json(
        self, response: httpx.Response, retries: int, reservation: Reservation | None = None
    ) -> ChatCompletionResult:
        """Parse a read 2xx answer and add its cost to the totals."""
        try:
            result = parse_completion(response, retries=retries)
        except ResponseValidationError:
            self._record_raw(response, retries, reservation)  # charged even if unusable
            raise
        self._settle(reservation, result.credits_used, result.usd_spent)
        return result

    def _record_raw(self, response: httpx.Response, retries: int, reservation: Reservation | None = None) -> None:
        try:
            info = ResponseInfo.from_response(response, retries=retries)
        except BaseException:
            self._release(reservation)
            raise
        self._settle(reservation, info.credits_used, info.usd_spent)

    def _stream_finished(self, reservation: Reservation | None, result: StreamResult) -> None:
        """Stream callback: add the final chunk's cost (meta.usage) to the totals."""
        self._settle(reservation, result.credits_used, result.usd_spent)

    # -- budget ---------------------------------------------------------------------------------

    def _owner(self) -> object:
        """Who holds a reservation (sync: the thread)."""

        return threading.current_thread()

    def _try_reserve(self) -> Reservation | None:
        """Nothing to reserve without a budget; else a reservation, or None to wait (raises when useless)."""
        gate = self._budget_gate
        return None if gate is None else gate.try_reserve(self._owner())

    def _settle(self, reservation: Reservation | None, credits_used: int | None, usd_spent: Decimal | None) -> None:
        """Record a call's cost, then give its reservation back (in that order: the gate reads the total)."""
        try:
            self._costs.record(credits_used, usd_spent)
        finally:
            if self._budget_gate is not None:
                self._budget_gate.release(reservation, usd_spent)

    def _release(self, reservation: Reservation | None) -> None:
        if self._budget_gate is not None:
            self._budget_gate.release(reservation, None)

    def _stream_info(self, response: httpx.Response, retries: int) -> ResponseInfo:
        return ResponseInfo.from_response(response, retries=retries)


def prompt_messages(prompt: str, system: str | None) -> list[dict[str, Any]]:
    """The messages of `ask()`: an optional system message, then the user prompt."""
    messages: list[dict[str, Any]] = []
    if system is not None:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": prompt})
    return messages


def _checked_max_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"max_retries must be an int >= 0, got {value!r}")
    return value
