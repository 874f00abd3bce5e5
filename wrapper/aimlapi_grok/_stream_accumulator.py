"""The no-I/O part of streaming: decode each SSE event's data and assemble the result.

``StreamAccumulator`` is shared by ``Stream`` and ``AsyncStream``. Feed it the
``data`` of each server-sent event, in order; it

- parses the JSON (``[DONE]`` ends the stream; invalid JSON raises StreamError),
- raises ``StreamError`` (``body`` = the error object, ``partial`` = the result
  so far) when the event carries an ``error`` object, is an ``event: error``,
  or is an AIML error body (``message`` + ``statusCode``),
- reports each chunk to the drift reporter (``_drift.report_drift``),
- and accumulates, from the decoded dict (cheaper and more tolerant than the
  typed model): the text, refusal and finish reason of choice 0, its tool
  calls assembled from fragments, the usage (final chunk, possibly with empty
  ``choices``), the cost from ``meta.usage``, the id, the model, the chunk count.

The typed ``ChatCompletionChunk`` is built only when asked for (``feed()``
returns it, ``decode()`` does not), so ``Stream.iter_text()`` never pays for it.

``StreamResult`` (in ``_stream_result``) describes choice index 0 (this model answers with one choice
unless ``n`` asks for more; iterate the chunks to read the others). It also
reads as the non-streamed completion would (``result.choices[0].message``,
``result.created``, ``to_dict()``; see ``_stream_completion``), built on first
access from the first and last chunks it keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from functools import cache
from typing import TYPE_CHECKING, Any

from ._constants import CHUNK_COMPONENT, DONE_MARKER
from ._drift import MAX_CHECKED_SIGNATURES, checked_signatures, report_drift
from ._errors import ChunkParseError, StreamError
from ._json import first_decoder
from ._meta import parse_credits, parse_usd
from ._stream_result import StreamResult
from ._tool_calls import StreamedToolCall

if TYPE_CHECKING:
    from decimal import Decimal

    import httpx
    from aimlapi_grok_api.models import ChatCompletionChunk, Usage

    from ._meta import ResponseInfo

__all__ = ["DriftReporter", "StreamAccumulator", "StreamResult"]

DriftReporter = Callable[[str, Any], object]  # its answer (conforms or not) is not needed here
_CHUNK_EVENTS = frozenset(("message", "error"))  # SSE event names that carry chunks or errors
_TEXT_DELTA_KEYS = frozenset(("content", "role"))  # a delta with nothing else needs no further look


class _ToolCallParts:
    """The fragments of one tool call seen so far."""

    __slots__ = ("arguments", "id", "index", "name", "type")

    def __init__(self, index: int) -> None:
        self.index = index
        self.id: str | None = None
        self.type: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []

    def assembled(self) -> StreamedToolCall:
        return StreamedToolCall(self.index, self.id, self.type, self.name, "".join(self.arguments))


@cache
def signed_chunk_parser() -> Callable[[dict[str, Any]], tuple[ChatCompletionChunk, Hashable]]:
    """``_stream_chunk.parse_chunk_signed`` (the typed chunk and its signature), imported on first use."""
    # Imported here: the chunk parser and the model modules a chunk needs (~30-45 ms CPU) load on first use.
    from ._stream_chunk import parse_chunk_signed  # noqa: PLC0415

    return parse_chunk_signed


MAX_CONFORMING = 256  # chunk signatures a stream with its own reporter remembers (a full set starts over)
# Text pieces (content, reasoning) kept apart before they are joined into one string: each small str costs
# ~50 bytes besides its text, which at 1,000 open streams of long answers is megabytes the result never needs.
PIECES_KEPT = 16


def _add_piece(pieces: list[str], piece: str) -> None:
    """Append a text piece; every PIECES_KEPT pieces, join them into one (linear overall, bounded per stream)."""
    pieces.append(piece)
    if len(pieces) >= PIECES_KEPT:
        pieces[:] = ("".join(pieces),)


def default_drift_reporter() -> DriftReporter:
    """The package's drift reporter (``__init__``'s default: its ``report_drift`` argument hides the import)."""

    return report_drift


def _first_chunk_kept(payload: dict[str, Any]) -> dict[str, Any]:
    """What the completion view reads of the first chunk: its top level, and of its first choice the delta's role.

    (Its text and tool calls are assembled with every other chunk's: keeping its choices whole would hold one
    more chunk per open stream, which at 1,000 concurrent streams is half a megabyte.)
    """
    kept = {key: value for key, value in payload.items() if key != "choices"}
    choices = payload.get("choices")
    first = choices[0] if type(choices) is list and choices else None
    if type(first) is dict:
        delta = first.get("delta")
        if type(delta) is dict and "role" in delta:
            choice = {key: first[key] for key in ("index",) if key in first}
            choice["delta"] = {"role": delta["role"]}
            kept["choices"] = [choice]
    return kept


class StreamAccumulator:
    """Decodes SSE ``data`` payloads one by one and assembles the StreamResult. No I/O.

    ``request`` (optional) is the request the stream answers: only used to redact
    its key if the server echoes it in an error (see ``_redact``).
    """

    __slots__ = (
        "_checked",
        "_checked_bound",
        "_credits_used",
        "_done",
        "_finish_reason",
        "_first_chunk",
        "_id",
        "_info",
        "_json",
        "_last_chunk",
        "_last_tool_call",
        "_model",
        "_parse_signed",
        "_reasoning",
        "_refusal",
        "_report_drift",
        "_request",
        "_snapshot",
        "_text",
        "_tool_calls",
        "_usage",
        "_usd_spent",
        "chunk_count",
        "text_delta",
    )

    def __init__(
        self,
        info: ResponseInfo | None = None,
        *,
        report_drift: DriftReporter | None = None,
        request: httpx.Request | None = None,
    ) -> None:
        self._info = info
        self._request = request  # only to redact an echoed key in errors (see _redact)
        self._json = first_decoder()
        self._report_drift = report_drift if report_drift is not None else default_drift_reporter()
        self._text: list[str] = []
        self._refusal: list[str] | None = None  # (rare: made on first use, as _checked)
        self._reasoning: list[str] | None = None
        self._tool_calls: dict[int, _ToolCallParts] = {}
        self._last_tool_call: _ToolCallParts | None = None
        self._finish_reason: str | None = None
        self._usage: dict[str, Any] | None = None
        self._credits_used: int | None = None
        self._usd_spent: Decimal | None = None
        self._id: str | None = None
        self._model: str | None = None
        self._first_chunk: dict[str, Any] | None = None
        self._last_chunk: dict[str, Any] | None = None
        self._done = False
        self._snapshot: StreamResult | None = None
        # The default reporter's checked signatures are the process's (see _drift.checked_signatures); a stream
        # given its own reporter keeps its own set (made on first use).
        self._checked: set[Hashable] | None = checked_signatures() if report_drift is None else None
        self._checked_bound = MAX_CHECKED_SIGNATURES if report_drift is None else MAX_CONFORMING
        self._parse_signed: Callable[[dict[str, Any]], tuple[ChatCompletionChunk, Hashable]] | None = None
        self.chunk_count = 0
        self.text_delta = ""  # choice 0's text in the chunk decoded last ("" when it had none)

    @property
    def done(self) -> bool:
        """True once ``[DONE]`` arrived."""
        return self._done

    @property
    def completed(self) -> bool:
        """True once ``[DONE]`` or a finish reason arrived."""
        return self._done or self._finish_reason is not None

    def decode(self, data: str, event: str = "", check_drift: bool = True) -> dict[str, Any] | None:
        """One event's data as a chunk dict, accumulated; None for ``[DONE]``, an empty or a non-message event.

        Only unnamed (``message``) events carry chunks, and ``error`` events errors: ``event: ping``
        and other named events are skipped, neither parsed nor reported as drift.
        ``check_drift=False`` leaves the drift check to ``typed_checked`` (which the caller then calls).
        """
        self.text_delta = ""
        if event and event not in _CHUNK_EVENTS:
            return None
        if data == DONE_MARKER:
            self._done = True
            self._snapshot = None
            return None
        if not data:
            if event == "error":
                where = f"after {self.chunk_count} chunk(s)"
                raise self.error(f"the stream carried an error event {where}, without a message")
            return None
        try:
            payload = self._json(data)
        except (ValueError, RecursionError):
            payload = self._decode_refused(data, event)
        if type(payload) is not dict:
            if event == "error":
                raise self.error(f"the stream carried an error event after {self.chunk_count} chunk(s): {data[:300]}")
            raise self.error(
                f"stream event {self.chunk_count + 1} is a JSON {type(payload).__name__}, not a chunk object"
            )
        if "error" in payload or "statusCode" in payload or event == "error":
            self._raise_error_event(payload, event)
        if check_drift:
            self._report_drift(CHUNK_COMPONENT, payload)
        self._absorb(payload)
        return payload

    def _decode_refused(self, data: str, event: str) -> Any:
        # What the fast decoder refused: the standard library's verdict (see _json), else a StreamError.
        try:
            return json.loads(data)
        except ValueError as exc:
            shown = data if len(data) <= 200 else data[:197] + "..."
            if event == "error":  # an error event whose data is plain text: the text is the server's message
                raise self.error(
                    f"the stream carried an error event after {self.chunk_count} chunk(s): {shown}"
                ) from None
            raise self.error(f"stream event {self.chunk_count + 1} is not valid JSON ({exc}): {shown!r}") from None
        except RecursionError:
            raise self.error(f"stream event {self.chunk_count + 1} is nested too deep to decode") from None

    def feed(self, data: str, event: str = "") -> ChatCompletionChunk | None:
        """``decode`` then ``typed``: one event's typed chunk, accumulated; None for ``[DONE]`` or an empty event."""
        payload = self.decode(data, event)
        return None if payload is None else self.typed(payload)

    def typed(self, payload: dict[str, Any]) -> ChatCompletionChunk:
        """The generated ChatCompletionChunk for a payload ``decode`` returned (see ``_stream_chunk``)."""
        try:
            return signed_chunk_parser()(payload)[0]
        except ChunkParseError as exc:
            raise self.unreadable_chunk(exc) from None

    def typed_checked(self, payload: dict[str, Any]) -> ChatCompletionChunk:
        """``typed`` and the drift check of a payload ``decode(..., check_drift=False)`` returned.

        The typed chunk comes with a signature (see ``_stream_chunk``): chunks of equal signatures deviate
        from the published spec alike, and once one was checked (``report_drift`` leaves the spec relaxed
        where it reported, so such a chunk conforms from then on) the others need no check: of this stream
        when it has its own reporter, of every stream of the process with the default one.
        A chunk without a signature (unhashable) is checked in full. Raises ChunkParseError like ``typed``.
        """
        parse = self._parse_signed
        if parse is None:
            parse = self._parse_signed = signed_chunk_parser()
        try:
            chunk, signature = parse(payload)
        except ChunkParseError:
            self._report_drift(CHUNK_COMPONENT, payload)  # what made it unreadable is drift too
            raise
        checked = self._checked
        if checked is None:
            checked = self._checked = set()
        try:
            seen = signature in checked
        except TypeError:  # a value the signature cannot stand for (a list, an object): checked in full
            self._report_drift(CHUNK_COMPONENT, payload)
            return chunk
        if not seen:
            self._report_drift(CHUNK_COMPONENT, payload)
            if len(checked) >= self._checked_bound:
                checked.clear()  # full: start over, so the signatures in use now are remembered again
            checked.add(signature)
        return chunk

    def unreadable_chunk(self, exc: ValueError) -> StreamError:
        """The StreamError for a chunk no model can hold (``ChunkParseError``)."""
        return self.error(f"stream chunk {self.chunk_count} cannot be read as a ChatCompletionChunk: {exc}")

    def error(self, message: str, *, body: Any = None) -> StreamError:
        """A StreamError carrying the result so far."""
        retries = self._info.retries if self._info is not None else 0
        return StreamError(message, body=body, partial=self.snapshot(), retries=retries, request=self._request)

    def check_end_of_body(self) -> None:
        """Called when the body ended: an answer cut before ``[DONE]`` and before any finish reason is an error."""
        if not self.completed:
            raise self.error(
                f"the stream ended after {self.chunk_count} chunk(s) without [DONE] or a finish reason "
                "(the answer is incomplete)"
            )

    def snapshot(self) -> StreamResult:
        """The StreamResult as of now (cached until the next chunk)."""
        if self._snapshot is None:
            self._snapshot = self._build_result()
        return self._snapshot

    def _raise_error_event(self, payload: dict[str, Any], event: str) -> None:
        if event != "error" and "error" not in payload and "message" not in payload:
            return  # a `statusCode` alone is not an AIML error body
        body = payload.get("error", payload)
        if body is None:  # `"error": null` next to a chunk is not an error
            return
        message = body.get("message") if isinstance(body, dict) else body
        if not isinstance(message, str) or not message:
            message = json.dumps(body)[:300]
        where = f"after {self.chunk_count} chunk(s)"
        kind = "an error event" if event == "error" else "an error"
        raise self.error(f"the stream carried {kind} {where}: {message}", body=body)

    def _absorb(self, payload: dict[str, Any]) -> None:
        # The per-chunk hot path: plain dict reads, no model objects.
        self.chunk_count += 1
        self._snapshot = None
        self._last_chunk = payload
        if self._first_chunk is None:
            self._first_chunk = _first_chunk_kept(payload)
        choices = payload.get("choices")
        if choices and type(choices) is list:
            if len(choices) == 1:
                choice = choices[0]
                if type(choice) is dict and choice.get("index", 0) == 0:
                    self._absorb_choice(choice)
            else:
                for position, choice in enumerate(choices):
                    if type(choice) is dict and choice.get("index", position) == 0:
                        self._absorb_choice(choice)
        if self._id is None:
            value = payload.get("id")
            if type(value) is str:
                self._id = value
        if self._model is None:
            value = payload.get("model")
            if type(value) is str:
                self._model = value
        usage = payload.get("usage")
        if usage is not None and type(usage) is dict:
            self._usage = usage
        meta = payload.get("meta")
        if meta and type(meta) is dict:
            self._absorb_cost(meta)

    def _absorb_choice(self, choice: dict[str, Any]) -> None:
        delta = choice.get("delta")
        if delta and type(delta) is dict:
            content = delta.get("content")
            if content and type(content) is str:  # `_add_piece` written out: the per-chunk path
                text = self._text
                text.append(content)
                if len(text) >= PIECES_KEPT:
                    text[:] = ("".join(text),)
                self.text_delta = content
            if not delta.keys() <= _TEXT_DELTA_KEYS:
                self._absorb_rare_delta_fields(delta)
        reason = choice.get("finish_reason")
        if reason is not None:
            self._finish_reason = reason if type(reason) is str else json.dumps(reason)

    def _absorb_rare_delta_fields(self, delta: dict[str, Any]) -> None:
        refusal = delta.get("refusal")
        if refusal and type(refusal) is str:
            if self._refusal is None:
                self._refusal = []
            _add_piece(self._refusal, refusal)
        reasoning = delta.get("reasoning_content")
        if reasoning and type(reasoning) is str:
            if self._reasoning is None:
                self._reasoning = []
            _add_piece(self._reasoning, reasoning)
        fragments = delta.get("tool_calls")
        if fragments and type(fragments) is list:
            for fragment in fragments:
                if type(fragment) is dict:
                    self._absorb_tool_fragment(fragment)

    def _absorb_tool_fragment(self, fragment: dict[str, Any]) -> None:
        call = self._tool_call_for(fragment)
        call_id = fragment.get("id")
        if call_id and type(call_id) is str:
            call.id = call_id
        kind = fragment.get("type")
        if kind and type(kind) is str:
            call.type = kind
        function = fragment.get("function")
        if function and type(function) is dict:
            name = function.get("name")
            if name and type(name) is str:
                call.name = name
            arguments = function.get("arguments")
            if arguments and type(arguments) is str:
                call.arguments.append(arguments)

    def _tool_call_for(self, fragment: dict[str, Any]) -> _ToolCallParts:
        """The call a fragment belongs to: the one with its ``index`` (created on first sight)."""
        index = fragment.get("index")
        if type(index) is int:
            call = self._tool_calls.get(index)
            if call is None:
                call = self._tool_calls[index] = _ToolCallParts(index)
        else:
            call = self._unindexed_tool_call(fragment.get("id"))
        self._last_tool_call = call
        return call

    def _unindexed_tool_call(self, call_id: object) -> _ToolCallParts:
        # The API sends `index` on every fragment; without one, match by id, else continue the call seen last.
        if call_id:
            for call in self._tool_calls.values():
                if call.id == call_id:
                    return call
        elif self._last_tool_call is not None:
            return self._last_tool_call
        index = max(self._tool_calls, default=-1) + 1
        call = self._tool_calls[index] = _ToolCallParts(index)
        return call

    def _absorb_cost(self, meta: dict[str, Any]) -> None:
        cost = meta.get("usage")
        if type(cost) is not dict:
            return
        credits_used = parse_credits(cost.get("credits_used"), "meta.usage.credits_used", CHUNK_COMPONENT)
        if credits_used is not None:
            self._credits_used = credits_used
        usd_spent = parse_usd(cost.get("usd_spent"), "meta.usage.usd_spent", CHUNK_COMPONENT)
        if usd_spent is not None:
            self._usd_spent = usd_spent

    def _build_result(self) -> StreamResult:
        info = self._info
        usage: Usage | None = None
        reasoning_tokens: int | None = None
        if self._usage is not None:
            # Imported here: the chunk parser and the model modules a chunk needs (~30-45 ms CPU) load on first use.
            from ._stream_chunk import parse_usage  # noqa: PLC0415

            usage = parse_usage(self._usage)
            details = self._usage.get("completion_tokens_details")
            tokens = details.get("reasoning_tokens") if type(details) is dict else None
            reasoning_tokens = tokens if type(tokens) is int else None
        return StreamResult(
            text="".join(self._text),
            finish_reason=self._finish_reason,
            tool_calls=tuple(self._tool_calls[i].assembled() for i in sorted(self._tool_calls)),
            usage=usage,
            reasoning_tokens=reasoning_tokens,
            credits_used=self._credits_used,
            usd_spent=self._usd_spent,
            inference_id=info.inference_id if info is not None else None,
            client_request_id=info.client_request_id if info is not None else None,
            chunk_count=self.chunk_count,
            id=self._id,
            model=self._model,
            completed=self.completed,
            refusal="".join(self._refusal) if self._refusal else None,
            reasoning_text="".join(self._reasoning) if self._reasoning else "",
            info=info,
            first_chunk=self._first_chunk,
            last_chunk=self._last_chunk,
        )
