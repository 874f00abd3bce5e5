"""``StreamResult``: what a stream delivered, assembled by ``StreamAccumulator`` (see ``_stream_accumulator``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ._completion_fields import CompletionFields, ResultDump
from ._errors import StreamError
from ._response import tolerated_completion

if TYPE_CHECKING:
    from decimal import Decimal

    from aimlapi_grok_api.models import ChatCompletion, Usage

    from ._meta import ResponseInfo
    from ._tool_calls import StreamedToolCall

__all__ = ["StreamResult"]


@dataclass(frozen=True, slots=True)
class StreamResult(CompletionFields, ResultDump):
    """What a stream delivered, assembled (partial until the stream ends; see ``completed``).

    ``text``, ``refusal``, ``reasoning_text``, ``finish_reason`` and
    ``tool_calls`` describe choice index 0. ``reasoning_text`` is the
    ``delta.reasoning_content`` the API may stream ("" when none arrived).
    ``usage`` and ``reasoning_tokens`` come from the chunk that carries usage
    (ask for it with ``stream_options={"include_usage": True}``);
    ``credits_used`` and ``usd_spent`` (exact Decimal) from the final chunk's
    ``meta.usage`` (streams carry no cost headers). ``completed`` is True once
    ``[DONE]`` or a finish reason arrived.

    ``completion`` is the answer as a non-streamed ``ChatCompletion`` (built on
    first access), and each of its fields an attribute, as on
    ``ChatCompletionResult``: ``result.choices[0].message.content``,
    ``.message.tool_calls``, ``result.created``. ``to_dict()`` / ``to_json()``
    (alias ``model_dump()`` / ``model_dump_json()``) give that completion's JSON.
    """

    text: str
    finish_reason: str | None
    tool_calls: tuple[StreamedToolCall, ...]
    usage: Usage | None  # type: ignore[assignment]  # None, not UNSET, when absent (as in openai-python)
    reasoning_tokens: int | None
    credits_used: int | None
    usd_spent: Decimal | None
    inference_id: str | None
    client_request_id: str | None
    chunk_count: int
    id: str | None  # type: ignore[assignment]  # None, not UNSET, when absent
    model: str | None  # type: ignore[assignment]  # None, not UNSET, when absent
    completed: bool
    refusal: str | None = None
    reasoning_text: str = ""
    info: ResponseInfo | None = None
    # The chunks the completion view is assembled from (their top-level fields), and its cache.
    first_chunk: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    last_chunk: dict[str, Any] | None = field(default=None, repr=False, compare=False)
    _json: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _completion: ChatCompletion | None = field(default=None, init=False, repr=False, compare=False)

    def _json_data(self) -> dict[str, Any]:
        if self._json is None:
            # Imported here: assembling a completion loads the completion models (~8 ms CPU), on first use only.
            from ._stream_completion import assemble_completion  # noqa: PLC0415

            object.__setattr__(self, "_json", assemble_completion(self, self.first_chunk, self.last_chunk))
        return cast("dict[str, Any]", self._json)

    @property
    def completion(self) -> ChatCompletion:
        """The assembled answer as the generated ChatCompletion (drift tolerated as for a non-streamed answer).

        Raises StreamError when a value cannot be checked against the spec (nested too deep, not valid text).
        """
        if self._completion is None:
            try:
                completion = tolerated_completion(self._json_data())
            except (ValueError, RecursionError) as exc:  # jsonschema-rs: "Recursion limit reached", lone surrogates
                raise self._unreadable(f"a value cannot be checked against the spec ({exc})") from exc
            object.__setattr__(self, "_completion", completion)
        return cast("ChatCompletion", self._completion)

    def _unreadable(self, reason: str) -> StreamError:
        retries = self.info.retries if self.info is not None else 0
        return StreamError(
            f"the streamed answer cannot be read as a completion: {reason}", partial=self, retries=retries
        )
