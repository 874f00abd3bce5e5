"""Grok: the synchronous client (a thin I/O layer over BaseGrok)."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Self, Unpack, overload

import httpx

from ._base import BaseGrok, PreparedCall, TimeoutTypes, prompt_messages
from ._budget import Reservation
from ._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._errors import ConfigurationError, status_error_for
from ._response import ChatCompletionResult
from ._retry import call_with_retries

if TYPE_CHECKING:
    from aimlapi_grok_api._params import MessageParam

    from ._request import CreateParams
    from ._streaming import Stream


class Grok(BaseGrok):
    """The client for x-ai/grok-4-1-fast-reasoning on the AIML API.

    The key comes from `api_key` or the AIMLAPI_API_KEY environment variable;
    `base_url` from the argument, AIMLAPI_BASE_URL, or https://api.aimlapi.com.
    `timeout` applies to every request (also through a passed `http_client`):
    httpx's limits on each connect, write, pool wait and read, separately.
    `deadline` (seconds, default None: no limit) bounds a whole call, retries
    and the reading of a stream included (see `_deadline`); both can be
    given per call too.
    Use it as a context manager, or call `close()`: it closes the httpx client
    it made, never one passed in as `http_client`. Redirects are not followed
    by the client it makes; a passed client's own setting applies (httpx drops
    the Authorization header on a redirect to another origin).
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        default_headers: Mapping[str, str] | None = None,
        allow_insecure_http: bool = False,
        budget_usd: Decimal | float | int | str | None = None,
        deadline: float | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(
                f"http_client must be an httpx.Client, got {type(http_client).__name__} (use AsyncGrok for async)"
            )
        super().__init__(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            allow_insecure_http=allow_insecure_http,
            budget_usd=budget_usd,
            deadline=deadline,
        )
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=timeout, follow_redirects=False)
        self._bind_namespaces()

    def _bind_namespaces(self) -> None:
        self.chat = Chat(self)

    def close(self) -> None:
        """Close the httpx client this Grok made (a passed-in `http_client` stays open)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def ask(self, prompt: str, system: str | None = None, **params: Unpack[CreateParams]) -> str:
        """One question, one answer: the first choice's text ("" when the model only called tools)."""
        return self.chat.completions.create(messages=prompt_messages(prompt, system), **params).text

    def _reserve(self, call: PreparedCall) -> Reservation | None:
        """The call's share of the budget (None without a budget); waits for calls in flight if need be."""
        reservation = self._try_reserve()
        if reservation is None and self._budget_gate is not None:
            reservation = self._budget_gate.reserve(self._owner(), call.budget_wait)
        return reservation

    def _send(self, call: PreparedCall) -> tuple[httpx.Response, int]:
        """Send with retries; a 2xx answer (body read unless streaming) and the retries taken."""
        request = self._build_request(self._http, call)

        def attempt(retries: int) -> tuple[httpx.Response, int]:
            try:
                call.arm(request)
                response = self._http.send(request, stream=True)
            except httpx.RequestError as exc:
                raise self._connection_error(exc, request, retries) from exc
            if call.hand_over(response):
                return response, retries
            try:
                response.read()
            except httpx.RequestError as exc:
                raise self._connection_error(exc, request, retries) from exc
            finally:
                response.close()
            if not response.is_success:
                raise status_error_for(response, retries=retries)
            return response, retries

        return call_with_retries(attempt, call.retry_policy, call.label)

    def _call(self, call: PreparedCall) -> ChatCompletionResult | Stream:
        """Reserve budget, send, and hand the answer over (the reservation is settled when its cost is known)."""
        reservation = self._reserve(call)
        try:
            response, retries = self._send(call)
        except BaseException:
            self._release(reservation)
            raise
        if call.stream:
            return self._open_stream(response, retries, reservation)
        return self._finish_json(response, retries, reservation)

    def _open_stream(self, response: httpx.Response, retries: int, reservation: Reservation | None) -> Stream:
        # Imported here: the streaming modules (~5 ms CPU) load with the first stream, not with the package.
        from ._streaming import Stream  # noqa: PLC0415

        try:
            on_result = functools.partial(self._stream_finished, reservation)
            return Stream(response, info=self._stream_info(response, retries), on_result=on_result)
        except BaseException:
            response.close()
            self._release(reservation)
            raise


class Chat:
    """`client.chat`."""

    def __init__(self, client: Grok) -> None:
        self.completions = Completions(client)


class Completions:
    """`client.chat.completions`: create chat completions, streamed or not."""

    def __init__(self, client: Grok) -> None:
        self._client = client
        self.with_raw_response = RawCompletions(client)

    @overload
    def create(
        self, *, messages: Sequence[MessageParam], stream: Literal[False] = False, **params: Unpack[CreateParams]
    ) -> ChatCompletionResult: ...

    @overload
    def create(
        self, *, messages: Sequence[MessageParam], stream: Literal[True], **params: Unpack[CreateParams]
    ) -> Stream: ...

    @overload
    def create(
        self, *, messages: Sequence[MessageParam], stream: bool, **params: Unpack[CreateParams]
    ) -> ChatCompletionResult | Stream: ...

    def create(
        self, *, messages: Sequence[MessageParam], stream: bool = False, **params: Unpack[CreateParams]
    ) -> ChatCompletionResult | Stream:
        """Create a chat completion; `stream=True` returns a Stream of typed chunks.

        Every request parameter of the spec is a keyword (see CreateParams);
        unset ones are not sent. The request is validated before sending
        (RequestValidationError, nothing sent). Call options: client_request_id,
        max_retries, timeout, deadline, extra_headers, extra_body.
        """
        client = self._client
        return client._call(client._prepare(messages, stream, params))


class RawCompletions:
    """`client.chat.completions.with_raw_response`: the same calls, answering the raw httpx.Response."""

    def __init__(self, client: Grok) -> None:
        self._client = client

    def create(
        self, *, messages: Sequence[MessageParam], stream: bool = False, **params: Unpack[CreateParams]
    ) -> httpx.Response:
        """Send like `create()` (validation, retries, error mapping) and return the read httpx.Response.

        A streamed answer is read to its end; its cost (in the final chunk) is not added to the totals.
        """
        client = self._client
        call = client._prepare(messages, stream, params)
        reservation = client._reserve(call)
        try:
            response, retries = client._send(call)
            try:
                response.read()
            finally:
                response.close()
        except BaseException:
            client._release(reservation)
            raise
        client._record_raw(response, retries, reservation)
        return response
