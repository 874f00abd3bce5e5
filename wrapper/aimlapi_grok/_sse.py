"""Server-sent events from an httpx response, read the way a hostile server cannot trip up.

httpx-sse's line and event decoders do the framing (only CR, LF and CRLF end
a line; U+2028 inside text stays text), except for the plain ``data: `` events
the API streams, which ``EventReader`` reads itself while the decoders hold
nothing (the same events, a third of the cost: see its docstring). Around them,
``EventReader`` adds what a real server or proxy may send that plain SSE
parsing loses:

- a UTF-8 byte order mark before the first line (the SSE spec says to skip
  it; without that the first event's ``data`` field is unrecognised and the
  event is silently dropped);
- a JSON error object written into the event stream without SSE framing
  (``{"message": "...", "statusCode": 500}`` as bare lines, as a proxy or a
  failing upstream may do): such lines are not SSE fields and would be
  ignored, so the answer would look merely cut short. They are surfaced as
  an ``event: error`` carrying the JSON text, which the stream turns into a
  StreamError with the server's message. Other stray lines are ignored, as
  the SSE spec says.

Which events are chunks (``message``) and which are skipped (``ping`` and
other named events) is decided by the consumer, ``StreamAccumulator.decode``.

The body is read from the response's byte stream (``Response.stream``, the
transport's) when it has no ``Content-Encoding`` (else as httpx's decoded
bytes) and turned into text here, as ``iter_text()`` would (the response's
charset, else UTF-8; undecodable bytes replaced): three generators less per
network read than ``iter_text()``. ``iter_raw()`` itself is skipped too: it
adds a generator, a ``BytesIO`` chunker and a context manager per stream,
about 2 MB at 1,000 concurrent streams (the async benchmark's peak RSS, 77.9
against 75.8 MB, medians of eight runs). What it does besides is done here:
the response is marked consumed, a closed response or a stream of the other
kind is left to ``iter_raw()`` (and its errors), a consumed one to
``iter_bytes()`` (which streams a body read before from memory), and the
stream sets the request on a ``RequestError`` that breaks the body off. Not
kept: ``Response.num_bytes_downloaded``, which ``iter_raw()`` counts, stays 0.
"""

from __future__ import annotations

import codecs
import json
import logging
from collections.abc import AsyncGenerator, AsyncIterator, Generator, Iterator

import httpx

# The decoders live in a private module of httpx-sse; the version is pinned (<0.5) in pyproject.toml
# and tests/unit/test_hostile_answers.py and test_sse_fast_path.py exercise them through this reader.
from httpx_sse._decoders import SSEDecoder, SSELineDecoder

from ._constants import DONE_MARKER

logger = logging.getLogger("aimlapi_grok")

# One event as the stream reads it: its data and its name ("message" unless the event named itself).
Event = tuple[str, str]

BOM = "\ufeff"
SSE_FIELDS = frozenset(("data", "event", "id", "retry"))
MAX_STRAY_CHARS = 65536  # a stray (non-SSE) block longer than this is not an error object worth keeping
MAX_FAST_TAIL = 1 << 20  # (EventReader) an unfinished event longer than this is buffered by httpx-sse's decoder


class EventReader:
    """Text pieces in, server-sent events out (see the module docstring). No I/O.

    Fast path, written here because the benchmark showed httpx-sse's decoders to be the bottleneck
    of a streamed chunk's framing (1.6 us of the wrapper's 5.4 us per chunk, 20,000-chunk stream):
    while nothing is pending in those decoders (no partial line, event name, data, retry or CR, nor
    stray text) and the piece has no CR, it is split at blank lines, and each block that is exactly
    one ``data: `` line is an event without a call. The first block of any other form, and everything
    after it, goes through httpx-sse's decoders (and the stray-JSON check) as before; once they are
    clean again, the fast path resumes. Both give the same events, piece by piece
    (``tests/unit/test_sse_fast_path.py``, property tests against a reader without the fast path).
    """

    __slots__ = (
        "_decoder", "_events", "_fast", "_lines", "_started", "_stray", "_stray_chars", "_tail", "_tail_chars",
    )  # fmt: skip

    def __init__(self, encoding: str = "utf-8") -> None:
        # As httpx's iter_text(): undecodable bytes become U+FFFD rather than failing the stream.
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._lines = SSELineDecoder()
        self._events = SSEDecoder()
        self._started = False
        self._stray: list[str] = []
        self._stray_chars = 0
        self._fast = True  # see the class docstring
        # (fast path) the pieces after the last blank line, an event still arriving: kept apart and joined
        # once a piece can end it, so an event arriving in many small pieces costs no more than its length
        self._tail: list[str] = []
        self._tail_chars = 0

    def feed(self, text: str) -> list[Event]:
        """The events completed by this piece of the body."""
        if not self._started and text:
            self._started = True
            text = text.removeprefix(BOM)
            if not text:
                return []
        if not self._fast:
            if not self._clean():
                return self._feed_lines(text)
            self._fast = True
        if "\r" in text:  # CR line ends: the decoders' (the tail has none: it was read here)
            return self._leave_fast_path(text)
        if self._tail:
            if "\n\n" not in text and not (text[:1] == "\n" and self._tail[-1][-1:] == "\n"):
                self._tail.append(text)  # the event goes on: nothing ends in this piece
                self._tail_chars += len(text)
                return self._leave_fast_path("") if self._tail_chars > MAX_FAST_TAIL else []
            text = "".join(self._tail) + text
            self._tail, self._tail_chars = [], 0
        blocks = text.split("\n\n")
        last = blocks.pop()  # (the tail is empty here: joined above, or there was none)
        found: list[Event] = []
        for index, block in enumerate(blocks):
            if block[:6] == "data: " and "\n" not in block:
                found.append((block[6:], "message"))
            else:  # any other form: this block and all after it through the decoders
                found += self._leave_fast_path("\n\n".join(blocks[index:]) + "\n\n" + last)
                return found
        if last:
            self._tail, self._tail_chars = [last], len(last)
        return found

    def _leave_fast_path(self, text: str) -> list[Event]:
        """The pending tail and then `text` through httpx-sse's decoders, until they are clean again."""
        tail, self._tail, self._tail_chars, self._fast = self._tail, [], 0, False
        return self._feed_lines("".join(tail) + text if tail else text)

    def _clean(self) -> bool:
        """Nothing pending in httpx-sse's decoders (nor stray text): the fast path may read the next piece.

        A last event id may be set: it changes no event's data or name, and with nothing else pending
        a block that is one ``data: `` line makes the same event either way. A pending retry or CR is
        not: the next blank line the decoders read would then make an event of its own.
        """
        lines, events = self._lines, self._events
        return (
            not (lines.buffer or lines.trailing_cr or events._data or events._event or events._retry is not None)
            and not self._stray_chars
        )

    def _feed_lines(self, text: str) -> list[Event]:
        found: list[Event] = []
        decode = self._events.decode
        for line in self._lines.decode(text):
            # The two lines of almost every event, without a call: a data line (it completes no event),
            # and the blank line that ends an event when no stray text is pending. `_line` does the rest.
            if line.startswith("data:"):
                decode(line)
            elif not line and not self._stray_chars:
                event = decode(line)
                if event is not None:
                    found.append((event.data, event.event))
            else:
                self._line(line, found)
        return found

    def feed_bytes(self, data: bytes) -> list[Event]:
        """The events completed by this piece of the body's bytes (decoded incrementally)."""
        text = self._decoder.decode(data)
        return self.feed(text) if text else []  # (a piece may end inside a character: nothing yet)

    def flush(self) -> list[Event]:
        """At the end of the body: a pending stray error object (an unfinished event is dropped, per the spec)."""
        text = self._decoder.decode(b"", True)  # an unfinished character at the very end: U+FFFD
        found = self.feed(text) if text else []
        if self._tail:  # (fast path) what came after the last blank line goes through the decoders now
            found += self._leave_fast_path("")
        for line in self._lines.flush():
            self._line(line, found)
        self._end_stray(found)
        return found

    def _line(self, line: str, found: list[Event]) -> None:
        if line and not line.startswith(("data:", ":")) and line.partition(":")[0] not in SSE_FIELDS:
            if self._stray_chars + len(line) <= MAX_STRAY_CHARS:
                self._stray.append(line)
            self._stray_chars += len(line)
            return
        if not line:
            self._end_stray(found)
        event = self._events.decode(line)
        if event is not None:
            found.append((event.data, event.event))

    def _end_stray(self, found: list[Event]) -> None:
        if not self._stray:
            self._stray_chars = 0  # (a first line over MAX_STRAY_CHARS was counted and not kept)
            return
        text = "\n".join(self._stray)
        complete = self._stray_chars <= MAX_STRAY_CHARS
        self._stray, self._stray_chars = [], 0
        if not complete or not text.lstrip().startswith("{"):
            return
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            return
        if isinstance(value, dict) and ("error" in value or "message" in value):
            found.append((text, "error"))


def _reads_raw(response: httpx.Response) -> bool:
    """True when the body's raw bytes are its bytes: nothing to decompress, and not read already."""
    return not response.is_stream_consumed and "content-encoding" not in response.headers


def _body_bytes(response: httpx.Response) -> Iterator[bytes]:
    if not _reads_raw(response):
        return response.iter_bytes()
    stream = response.stream
    if isinstance(stream, httpx.SyncByteStream) and not response.is_closed:
        response.is_stream_consumed = True  # as iter_raw() marks it
        return iter(stream)
    return response.iter_raw()  # closed, or an async stream: iter_raw() says so


def _abody_bytes(response: httpx.Response) -> AsyncIterator[bytes]:
    """The body's bytes (async): the transport's stream, else httpx's decoded or raw bytes (module docstring)."""
    if not _reads_raw(response):
        return response.aiter_bytes()
    stream = response.stream
    if isinstance(stream, httpx.AsyncByteStream) and not response.is_closed:
        response.is_stream_consumed = True  # as aiter_raw() marks it
        return stream.__aiter__()
    return response.aiter_raw()  # closed, or a sync stream: aiter_raw() says so


def iter_events(response: httpx.Response) -> Generator[Event, None, None]:
    """The events of a streamed response body."""
    reader = EventReader(response.encoding or "utf-8")
    for data in _body_bytes(response):
        yield from reader.feed_bytes(data)
    yield from reader.flush()


async def aiter_events(response: httpx.Response) -> AsyncGenerator[Event, None]:
    """The events of a streamed response body (async).

    Closed (``aclose()``) right after it gave the ``[DONE]`` event, it asks the body for its end
    once before it ends (``end_body``): close the response first, so the connection is dropped.
    """
    reader = EventReader(response.encoding or "utf-8")
    body = _abody_bytes(response)
    event = None
    try:
        async for data in body:
            for event in reader.feed_bytes(data):
                yield event
    except GeneratorExit:
        if event is not None and event[0] == DONE_MARKER:
            await end_body(body)
        raise
    for event in reader.flush():
        yield event


async def end_body(body: AsyncIterator[bytes]) -> None:
    """After ``[DONE]``, with the response closed: ask the body for its end once, without waiting for the network.

    httpx and httpcore read a body through five nested async generators. Left suspended at
    ``[DONE]``, each is finalized by asyncio when dropped, as a task of its own woken through
    the loop's self-pipe: about 100 us of CPU per stream, 3% of the client's CPU at 1,000
    concurrent streams (the async benchmark). The body's end (the chunked terminator) has almost
    always arrived with ``[DONE]``, and one more step then ends all five here, in this task.

    A step that would wait is cancelled at once (the connection is closed, and nothing after
    ``[DONE]`` belongs to the stream); the generators then end by that cancellation instead. What
    the step gives is not read into the stream: bytes after ``[DONE]`` are discarded, and an httpx
    error (a closed connection's) is not the stream's. Any other exception is a transport's own
    after the stream ended: it is logged (its type) at DEBUG. Outside an asyncio task (trio, also
    in guest mode on an asyncio loop) nothing is done: the finalizers are not asyncio's.

    The ~100 us is a measurement, not a test: 20 concurrent 12-chunk streams over loopback took
    1,071-1,101 us of CPU each with this step and 1,130-1,215 without it; the tests check that no
    generator is left to asyncio's finalizer (``tests/e2e/test_e2e_stream_end.py``).
    """
    import asyncio  # noqa: PLC0415 (only async streams get here; asyncio is loaded under them)

    try:
        if asyncio.current_task() is None:  # (trio in guest mode runs on an asyncio loop, outside its tasks)
            return
    except RuntimeError:  # no asyncio loop running
        return
    try:
        async with asyncio.timeout(0):
            await body.__anext__()
    except (StopAsyncIteration, TimeoutError, httpx.HTTPError, httpx.StreamError):
        pass  # ended; would wait; the closed connection's error
    except Exception as exc:  # a custom transport's, after the stream ended: see the docstring
        logger.debug("ending the body after [DONE] raised %s; ignored (not part of the stream)", type(exc).__name__)
