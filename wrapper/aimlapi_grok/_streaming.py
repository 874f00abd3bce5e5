"""Streamed chat completions: ``Stream`` (sync) and ``AsyncStream``, thin I/O over httpx-sse.

``create(..., stream=True)`` returns one of these. Use it as a context manager;
iterate it for typed ``ChatCompletionChunk`` objects, or ``iter_text()`` for
the text deltas; ``result`` is the assembled ``StreamResult`` (partial until
the end), ``get_final_result()`` reads to the end and returns it::

    with client.chat.completions.create(messages=..., stream=True) as stream:
        for text in stream.iter_text():
            print(text, end="")
    print(stream.result.usd_spent)

Server-sent-event framing is httpx-sse's (only CR, LF and CRLF end a line,
so U+2028 / U+2029 inside text come through intact), read through ``_sse``
(plain ``data:`` events by its own fast path, to the same events; a leading
byte order mark is skipped; a bare JSON error object in the body becomes an
error event). Only ``message`` events (and ``error`` events) are
chunks: ``event: ping`` and other named events are skipped. The decoding and
assembly live in ``StreamAccumulator`` (no I/O), shared by both classes.

Ending: the connection is closed when the stream ends, on ``close()`` and
on leaving the ``with`` block. An async stream that reached ``[DONE]`` then
asks its closed body for its end once, without waiting, so that httpx's
body generators end in its task rather than as asyncio finalizer tasks
(``_sse.end_body``). What ``break`` does:

- sync, ``for chunk in stream: break``: the loop's generator is dropped, and
  CPython closes it at once, which closes the connection (the ``with`` block
  does the same on any interpreter);
- async, ``async for chunk in stream: break``: the loop does *not* close the
  async generator, so the connection is still open right after ``break``.
  CPython drops the generator at once and asyncio's async-generator finalizer
  schedules its ``aclose()`` on the event loop, which closes the connection a
  few loop iterations later (after the caller's next awaits). Under another
  event loop, or while something still holds the generator, it stays open
  until ``await stream.close()`` or the end of ``async with stream``: use
  ``async with`` to close it at a known point.

A stream that is dropped without being read to its end or closed gives its
connection back when it is garbage-collected, with a ``ResourceWarning`` (as
an unclosed file does); the async one schedules ``aclose()`` on the event loop
it was created in. ``on_result`` (given by the client) is called exactly once,
when the stream ends for whatever reason, with the final StreamResult
(``completed`` is False when it ended early). Errors:

- a 2xx answer that is not ``text/event-stream`` -> ResponseValidationError;
- an ``error`` object in the stream, invalid JSON in an event, a body that
  stops before ``[DONE]`` and before any finish reason, or a connection that
  breaks mid-stream (the httpx error is the ``__cause__``) -> StreamError,
  whose ``partial`` holds what arrived. A stream is never retried.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from ._errors import ChunkParseError, ResponseValidationError, StreamError
from ._redact import body_snippet, request_of
from ._stream_accumulator import StreamAccumulator, StreamResult
from ._tool_calls import StreamedToolCall

if TYPE_CHECKING:
    import asyncio
    from types import TracebackType

    from aimlapi_grok_api.models import ChatCompletionChunk

    from ._meta import ResponseInfo
    from ._sse import Event

__all__ = ["AsyncStream", "Stream", "StreamResult", "StreamedToolCall"]

EVENT_STREAM = "text/event-stream"
_CHUNKS, _TEXT, _NOTHING = 0, 1, 2  # what the read loop yields: typed chunks, text deltas, nothing
ResultCallback = Callable[[StreamResult], None]


class _StreamState:
    """What Stream and AsyncStream share: the accumulator, the checks, the end-of-stream bookkeeping."""

    __slots__ = ("_accumulator", "_ended", "_on_result", "info", "response")

    def __init__(self, response: httpx.Response, *, info: ResponseInfo, on_result: ResultCallback | None) -> None:
        self.response = response
        self.info = info
        self._on_result = on_result
        self._accumulator = StreamAccumulator(info, request=request_of(response))
        self._ended = False

    @property
    def result(self) -> StreamResult:
        """The assembled result so far (final once the stream has ended; see ``completed``)."""
        return self._accumulator.snapshot()

    @property
    def closed(self) -> bool:
        """True once the stream has ended (read to the end, failed, or closed)."""
        return self._ended

    def _content_type(self) -> str:
        content_type: str = self.response.headers.get("content-type", "")
        return content_type

    def _wrong_content_type(self) -> ResponseValidationError:
        # Called after the body was read (the message quotes it).
        snippet = body_snippet(self.response) or "<empty>"
        return ResponseValidationError(
            f"HTTP {self.response.status_code} answer to a stream=True request is not {EVENT_STREAM} "
            f"(content-type: {self._content_type() or 'none'}); body: {snippet}",
            response=self.response,
            retries=self.info.retries,
        )

    def _is_event_stream(self) -> bool:
        return self._content_type().partition(";")[0].strip().lower() == EVENT_STREAM

    def _broken_off(self, exc: Exception) -> StreamError:
        # Give a transport error its request, as httpx's iter_raw() does (``_sse`` reads the stream itself);
        # a response built by hand has none to give.
        request = request_of(self.response)
        if isinstance(exc, httpx.RequestError) and request is not None and request_of(exc) is None:
            exc.request = request
        what = "timed out" if isinstance(exc, httpx.TimeoutException) else "broke off"
        count = self._accumulator.chunk_count
        return self._accumulator.error(f"the connection {what} mid-stream after {count} chunk(s): {exc!r}")

    def _report_end(self) -> None:
        """Mark the stream ended and call ``on_result`` (exactly once)."""
        if self._ended:
            return
        self._ended = True
        if self._on_result is not None:
            self._on_result(self._accumulator.snapshot())

    def __repr__(self) -> str:
        result = self._accumulator.snapshot()
        state = "ended" if self._ended else "open"
        return (
            f"{type(self).__name__}({state}, chunks={result.chunk_count}, completed={result.completed}, "
            f"inference_id={result.inference_id!r})"
        )

    def _dropped(self) -> bool:
        """At garbage collection: warn and end the stream if it was left open (True when it was)."""
        if getattr(self, "_ended", True):
            return False
        warnings.warn(
            f"{type(self).__name__} (inference id {self.info.inference_id!r}) was never closed; closing its "
            "connection now. Use `with` (`async with`) or close() it.",
            ResourceWarning,
            source=self,
            stacklevel=2,
        )
        self._report_end()
        return True

    def _reiterated(self) -> StreamError:
        return self._accumulator.error(
            "this stream was closed before its end; its partial result is in `.result` (streams are read once)"
        )


class Stream(_StreamState):
    """A streamed chat completion (sync). Iterate for typed chunks; see the module docstring."""

    __slots__ = ("_events",)

    def __init__(
        self, response: httpx.Response, *, info: ResponseInfo, on_result: ResultCallback | None = None
    ) -> None:
        super().__init__(response, info=info, on_result=on_result)
        self._events: Generator[Event, None, None] | None = None

    def __iter__(self) -> Iterator[ChatCompletionChunk]:
        return self._read(_CHUNKS)

    def iter_text(self) -> Iterator[str]:
        """The text deltas of choice 0, as they arrive (no typed chunks are built)."""
        return self._read(_TEXT)

    def get_final_result(self) -> StreamResult:
        """Read the rest of the stream (if any) and return the final StreamResult."""
        for _ in self._read(_NOTHING):
            pass
        return self.result

    def __del__(self) -> None:
        if self._dropped():
            self.response.close()

    def close(self) -> None:
        """Close the connection; the result stays partial if the stream had not ended."""
        try:
            if self._events is not None:
                # ValueError: being read in another thread; closing the response below ends that read.
                with contextlib.suppress(ValueError):
                    self._events.close()
            self.response.close()
        finally:
            self._report_end()

    def __enter__(self) -> Stream:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _open(self) -> Generator[Event, None, None] | None:
        if self._events is not None or self._ended:
            if not self._ended:
                return self._events
            if self._accumulator.completed:
                return None
            raise self._reiterated()
        if not self._is_event_stream():
            try:
                self.response.read()
            except (httpx.RequestError, httpx.StreamError) as exc:
                raise self._broken_off(exc) from exc
            finally:
                self.close()
            raise self._wrong_content_type()
        # Imported here: the SSE decoder loads on the first stream.
        from ._sse import iter_events  # noqa: PLC0415

        self._events = iter_events(self.response)
        return self._events

    def _read(self, mode: int) -> Generator[Any, None, None]:
        """The one read loop: decode each event, yield what `mode` asks for; closes the connection at the end."""
        events = self._open()
        if events is None:
            return
        accumulator = self._accumulator
        decode = accumulator.decode
        typed = accumulator.typed_checked
        check_drift = mode != _CHUNKS  # typed chunks: checked with their signature (typed_checked)
        try:
            try:
                for data, name in events:
                    payload = decode(data, name, check_drift)
                    if payload is None:
                        if accumulator.done:
                            break
                    elif mode == _CHUNKS:
                        yield typed(payload)
                    elif mode == _TEXT and accumulator.text_delta:
                        yield accumulator.text_delta
                else:
                    if not self._ended:  # (ended: the caller closed the stream inside the loop)
                        accumulator.check_end_of_body()
            except (httpx.RequestError, httpx.StreamError) as exc:
                if not self._ended:
                    raise self._broken_off(exc) from exc
            except ChunkParseError as exc:
                raise accumulator.unreadable_chunk(exc) from None
        finally:
            self.close()


_CLOSING: set[asyncio.Task[None]] = set()  # strong references: the loop keeps only weak ones to tasks


def _close_later(loop: asyncio.AbstractEventLoop, response: httpx.Response) -> None:
    task = loop.create_task(response.aclose())
    _CLOSING.add(task)
    task.add_done_callback(_CLOSING.discard)


class AsyncStream(_StreamState):
    """A streamed chat completion (async). ``async for`` for typed chunks; see the module docstring."""

    __slots__ = ("_events", "_loop")

    def __init__(
        self, response: httpx.Response, *, info: ResponseInfo, on_result: ResultCallback | None = None
    ) -> None:
        super().__init__(response, info=info, on_result=on_result)
        self._events: AsyncGenerator[Event, None] | None = None
        # Imported here: asyncio costs ~10 ms at import, and only async calls need it.
        import asyncio  # (already loaded under asyncio; not imported by `import aimlapi_grok`)  # noqa: PLC0415

        try:
            self._loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # not under asyncio (trio): nothing to schedule the close on
            self._loop = None

    def __del__(self) -> None:
        if self._dropped() and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(_close_later, self._loop, self.response)

    def __aiter__(self) -> AsyncIterator[ChatCompletionChunk]:
        return self._read(_CHUNKS)

    def iter_text(self) -> AsyncIterator[str]:
        """The text deltas of choice 0, as they arrive (no typed chunks are built)."""
        return self._read(_TEXT)

    async def get_final_result(self) -> StreamResult:
        """Read the rest of the stream (if any) and return the final StreamResult."""
        async for _ in self._read(_NOTHING):
            pass
        return self.result

    async def close(self) -> None:
        """Close the connection; the result stays partial if the stream had not ended."""
        try:
            # The response is closed before the event reader: a reader closed at [DONE] then asks the closed
            # body for its end (_sse.aiter_events, end_body), so httpx's generators end in this task, not as
            # asyncio finalizer tasks, and the connection is dropped rather than pooled idle (httpcore checks
            # every idle connection's socket on each request: 1,000 idle ones made a run 18 s instead of 3).
            await self.response.aclose()
        finally:
            try:
                if self._events is not None:
                    # RuntimeError: being read by another task, whose read ends with the closed response.
                    with contextlib.suppress(RuntimeError):
                        await self._events.aclose()
            finally:
                self._report_end()

    aclose = close  # for contextlib.aclosing

    async def __aenter__(self) -> AsyncStream:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def _open(self) -> AsyncGenerator[Event, None] | None:
        if self._events is not None or self._ended:
            if not self._ended:
                return self._events
            if self._accumulator.completed:
                return None
            raise self._reiterated()
        if not self._is_event_stream():
            try:
                await self.response.aread()
            except (httpx.RequestError, httpx.StreamError) as exc:
                raise self._broken_off(exc) from exc
            finally:
                await self.close()
            raise self._wrong_content_type()
        # Imported here: the SSE decoder loads on the first stream.
        from ._sse import aiter_events  # noqa: PLC0415

        self._events = aiter_events(self.response)
        return self._events

    async def _read(self, mode: int) -> AsyncGenerator[Any, None]:
        """The one read loop: decode each event, yield what `mode` asks for; closes the connection at the end."""
        events = await self._open()
        if events is None:
            return
        accumulator = self._accumulator
        decode = accumulator.decode
        typed = accumulator.typed_checked
        check_drift = mode != _CHUNKS  # typed chunks: checked with their signature (typed_checked)
        try:
            try:
                async for data, name in events:
                    payload = decode(data, name, check_drift)
                    if payload is None:
                        if accumulator.done:
                            break
                    elif mode == _CHUNKS:
                        yield typed(payload)
                    elif mode == _TEXT and accumulator.text_delta:
                        yield accumulator.text_delta
                else:
                    if not self._ended:  # (ended: the caller closed the stream inside the loop)
                        accumulator.check_end_of_body()
            except (httpx.RequestError, httpx.StreamError) as exc:
                if not self._ended:
                    raise self._broken_off(exc) from exc
            except ChunkParseError as exc:
                raise accumulator.unreadable_chunk(exc) from None
        finally:
            await self.close()
