"""A finished (or partial) stream as the JSON of the non-streamed completion it stands for.

``assemble_completion`` gives ``StreamResult.to_dict()`` and, through the same
tolerant parse as a non-streamed answer, ``StreamResult.completion``: so
``stream.result.choices[0].message.content`` reads as it would without
``stream=True``.

The top level is the first chunk's (``id``, ``created``, ``model`` and any
field the spec does not list, kept), overlaid with the last chunk's (where the
API puts ``meta``, the cost) and the completion's ``object``; choice 0 carries
the assembled message (role from the first delta, the text, the refusal, the
tool calls joined per index) and the finish reason; ``usage`` is the last one
the stream sent. Keys are written by the generated
models' ``to_dict()``, never spelled here. Values are kept as sent, also those
the spec does not allow (the tolerant parse moves them to
``additional_properties``).

This module imports the generated models, so it is imported lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from aimlapi_grok_api.models import ChatCompletion, ChatCompletionMessage, Choice, FunctionCall, ToolCall
from aimlapi_grok_api.models.chat_completion_object import CHAT_COMPLETION_OBJECT_VALUES
from aimlapi_grok_api.types import UNSET, Unset

from ._errors import ChunkParseError
from ._stream_chunk import parse_chunk

if TYPE_CHECKING:
    from ._stream_result import StreamResult
    from ._tool_calls import StreamedToolCall

__all__ = ["assemble_completion"]

_COMPLETION_OBJECT = next(iter(CHAT_COMPLETION_OBJECT_VALUES))  # the only value the spec allows


def assemble_completion(
    result: StreamResult, first_chunk: dict[str, Any] | None, last_chunk: dict[str, Any] | None
) -> dict[str, Any]:
    """The completion JSON of a stream: its first and last chunks' top level, the assembled choice 0 and usage."""
    # content and refusal are null when none arrived, as a non-streamed answer has them.
    message = ChatCompletionMessage(
        content=result.text or None,
        refusal=result.refusal,
        role=_first_role(first_chunk),
        tool_calls=[_tool_call(call) for call in result.tool_calls] if result.tool_calls else UNSET,
    )
    # finish_reason as sent (the tolerant parse moves a value the spec does not list).
    reason: Any = result.finish_reason if result.finish_reason is not None else UNSET
    choice = Choice(index=0, message=message, finish_reason=reason)
    assembled = ChatCompletion(
        object_=_COMPLETION_OBJECT,
        choices=[choice],
        usage=result.usage if result.usage is not None else UNSET,
    ).to_dict()
    return {**(first_chunk or {}), **(last_chunk or {}), **assembled}


def _first_role(first_chunk: dict[str, Any] | None) -> str | Unset:
    """The role the first chunk's delta announced (read through the generated chunk model), else UNSET."""
    if first_chunk is None:
        return UNSET
    try:
        chunk = parse_chunk(first_chunk)
    except ChunkParseError:
        return UNSET
    choices = chunk.choices
    delta = choices[0].delta if isinstance(choices, list) and choices else None
    role = delta.role if delta is not None and not isinstance(delta, Unset) else UNSET
    return role if isinstance(role, str) else UNSET


def _tool_call(call: StreamedToolCall) -> ToolCall:
    """A streamed tool call in the shape of a non-streamed one (the type as sent, possibly missing)."""
    function = FunctionCall(name=call.name if call.name is not None else UNSET, arguments=call.arguments)
    return ToolCall(type_=cast("Any", call.type), function=function, id=call.id if call.id is not None else UNSET)
