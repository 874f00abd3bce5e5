"""A decoded stream chunk (dict) -> the generated ``ChatCompletionChunk``, fast and tolerant of drift.

The generated ``ChatCompletionChunk.from_dict`` costs about 30 µs per chunk (it
re-imports its submodels and builds closures on every call), which alone
would cost the stream more than half of its throughput. ``parse_chunk``
builds the same objects directly with the attrs constructors: on every input
that ``from_dict`` accepts it returns an equal object (a property test checks
this against schema-generated chunks).

Where ``from_dict`` would crash or hand back a raw dict in place of a model,
``parse_chunk`` keeps the model and moves the value the model cannot hold into
the parent's ``additional_properties`` under its own key:

- ``finish_reason: null`` and ``service_tier: null`` (sent on every chunk but
  the last) stay None, as the normalized spec types them;
- an enum value the spec does not list (``finish_reason``, ``service_tier``,
  ``delta.role``, ``tool_calls[].type``), or a nested value of the wrong JSON
  type (a ``delta`` that is not an object, a ``function`` that is not an
  object, a ``choices`` that is not a list, a ``usage`` its model cannot
  parse), is kept in ``additional_properties``;
- a chunk without ``object`` gets the only value the spec allows.

So nothing is lost (``to_dict()`` gives the value back, ``chunk["finish_reason"]``
reads it) and the drift reporter has already said what deviated. A chunk
that still cannot be built (a choice that is not an object) raises
``ChunkParseError``, which the stream turns into a ``StreamError``.

This module imports the generated models, so it is imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import attrs
from aimlapi_grok_api.models.chat_completion_chunk import ChatCompletionChunk
from aimlapi_grok_api.models.chat_completion_chunk_choice import ChatCompletionChunkChoice
from aimlapi_grok_api.models.chat_completion_chunk_choice_finish_reason import (
    CHAT_COMPLETION_CHUNK_CHOICE_FINISH_REASON_VALUES,
)
from aimlapi_grok_api.models.chat_completion_chunk_object import CHAT_COMPLETION_CHUNK_OBJECT_VALUES
from aimlapi_grok_api.models.chat_completion_chunk_service_tier import (
    CHAT_COMPLETION_CHUNK_SERVICE_TIER_VALUES,
)
from aimlapi_grok_api.models.delta import Delta
from aimlapi_grok_api.models.delta_role import DELTA_ROLE_VALUES
from aimlapi_grok_api.models.function_call_delta import FunctionCallDelta
from aimlapi_grok_api.models.logprobs import Logprobs
from aimlapi_grok_api.models.response_meta import ResponseMeta
from aimlapi_grok_api.models.tool_call_delta import ToolCallDelta
from aimlapi_grok_api.models.tool_call_delta_type import TOOL_CALL_DELTA_TYPE_VALUES
from aimlapi_grok_api.models.usage import Usage
from aimlapi_grok_api.types import UNSET

from ._stream_accumulator import ChunkParseError

__all__ = ["ChunkParseError", "parse_chunk", "parse_usage"]

# The exceptions the generated from_dict catches when it falls back to the raw value.
_GENERATED_PARSE_ERRORS = (TypeError, ValueError, AttributeError, KeyError)
_CHUNK_OBJECT = next(iter(CHAT_COMPLETION_CHUNK_OBJECT_VALUES))


_CHUNK_KEYS = frozenset(("object", "choices", "created", "id", "meta", "model", "service_tier", "usage"))
_CHOICE_KEYS = frozenset(("delta", "finish_reason", "index", "logprobs"))
_DELTA_KEYS = frozenset(("content", "refusal", "role", "tool_calls"))
_TOOL_CALL_KEYS = frozenset(("function", "id", "index", "type"))
_FUNCTION_KEYS = frozenset(("arguments", "name"))


def parse_chunk(data: Mapping[str, Any]) -> ChatCompletionChunk:
    """The typed chunk for one decoded ``data:`` payload (see the module docstring for the rules)."""
    # Read with .get() and copy only the unknown keys: no per-chunk dict copy in the usual case.
    extra = None if data.keys() <= _CHUNK_KEYS else _unknown(data, _CHUNK_KEYS)
    get = data.get
    object_ = get("object", _CHUNK_OBJECT)
    if type(object_) is not str or object_ not in CHAT_COMPLETION_CHUNK_OBJECT_VALUES:
        extra = _keep(extra, "object", object_)
        object_ = _CHUNK_OBJECT

    choices: Any = get("choices", UNSET)
    if type(choices) is list:
        if len(choices) == 1:  # the usual case, without a comprehension's frame
            choices = [_parse_choice(choices[0], 0)]
        else:
            choices = [_parse_choice(item, position) for position, item in enumerate(choices)]
    elif choices is not UNSET:
        extra = _keep(extra, "choices", choices)
        choices = UNSET

    service_tier, extra = _enum_value(data, "service_tier", CHAT_COMPLETION_CHUNK_SERVICE_TIER_VALUES, extra, True)

    meta = get("meta", UNSET)
    if meta is not UNSET and meta is not None:
        meta, extra = _nested_model(ResponseMeta.from_dict, "meta", meta, extra)
    usage = get("usage", UNSET)
    if usage is not UNSET and usage is not None:
        usage, extra = _nested_model(Usage.from_dict, "usage", usage, extra)

    return build_chunk(
        object_,
        choices,
        get("created", UNSET),
        get("id", UNSET),
        meta,
        get("model", UNSET),
        service_tier,
        usage,
        extra or {},
    )


def _parse_choice(data: Any, position: int) -> ChatCompletionChunkChoice:
    if type(data) is not dict:
        raise ChunkParseError(f"choices[{position}] is {type(data).__name__}, not an object")
    extra = None if data.keys() <= _CHOICE_KEYS else _unknown(data, _CHOICE_KEYS)
    get = data.get

    delta = get("delta", UNSET)
    if type(delta) is dict:
        delta = _parse_delta(delta)
    elif delta is not None and delta is not UNSET:
        extra = _keep(extra, "delta", delta)
        delta = UNSET

    finish_reason, extra = _enum_value(
        data, "finish_reason", CHAT_COMPLETION_CHUNK_CHOICE_FINISH_REASON_VALUES, extra, True
    )

    logprobs = get("logprobs", UNSET)
    if logprobs is not UNSET and logprobs is not None:
        logprobs, extra = _nested_model(Logprobs.from_dict, "logprobs", logprobs, extra)

    return build_choice(delta, finish_reason, get("index", UNSET), logprobs, extra or {})


def _parse_delta(data: dict[str, Any]) -> Delta:
    extra = None if data.keys() <= _DELTA_KEYS else _unknown(data, _DELTA_KEYS)
    get = data.get
    role, extra = _enum_value(data, "role", DELTA_ROLE_VALUES, extra, False)
    tool_calls = get("tool_calls", UNSET)
    if type(tool_calls) is list and all(type(item) is dict for item in tool_calls):
        tool_calls = [_parse_tool_call_delta(item) for item in tool_calls]
    elif tool_calls is not None and tool_calls is not UNSET:
        extra = _keep(extra, "tool_calls", tool_calls)
        tool_calls = UNSET

    return build_delta(get("content", UNSET), get("refusal", UNSET), role, tool_calls, extra or {})


def _parse_tool_call_delta(data: dict[str, Any]) -> ToolCallDelta:
    extra = None if data.keys() <= _TOOL_CALL_KEYS else _unknown(data, _TOOL_CALL_KEYS)
    type_, extra = _enum_value(data, "type", TOOL_CALL_DELTA_TYPE_VALUES, extra, False)
    function = data.get("function", UNSET)
    if type(function) is dict:
        function_extra = None if function.keys() <= _FUNCTION_KEYS else _unknown(function, _FUNCTION_KEYS)
        function = FunctionCallDelta(arguments=function.get("arguments", UNSET), name=function.get("name", UNSET))
        if function_extra:
            function.additional_properties = function_extra
    elif function is not UNSET:
        extra = _keep(extra, "function", function)
        function = UNSET

    call = ToolCallDelta(function=function, id=data.get("id", UNSET), index=data.get("index", UNSET), type_=type_)
    if extra:
        call.additional_properties = extra
    return call


def _unknown(data: Mapping[str, Any], known: frozenset[str]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in known}  # in the sender's order


def _keep(extra: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    # A value the typed slot cannot hold, kept in additional_properties under its own key.
    if extra is None:
        extra = {}
    extra[key] = value
    return extra


def _enum_value(
    data: Mapping[str, Any], key: str, allowed: AbstractSet[Any], extra: dict[str, Any] | None, nullable: bool
) -> tuple[Any, dict[str, Any] | None]:
    # An enum slot: the value when the spec allows it (None too, where nullable), else UNSET and the value kept.
    value = data.get(key, UNSET)
    if value is UNSET or (type(value) is str and value in allowed) or (value is None and nullable):
        return value, extra
    return UNSET, _keep(extra, key, value)


def _nested_model(
    from_dict: Callable[[dict[str, Any]], Any], key: str, value: Any, extra: dict[str, Any] | None
) -> tuple[Any, dict[str, Any] | None]:
    # A rare nested object (usage, meta, logprobs): the generated from_dict, else the value kept in `extra`.
    if type(value) is dict:
        try:
            return from_dict(value), extra
        except _GENERATED_PARSE_ERRORS:
            pass
    return UNSET, _keep(extra, key, value)


def parse_usage(data: dict[str, Any]) -> Usage:
    """The typed usage of a stream's usage chunk (its nested details stay raw when unparseable, as generated)."""
    return Usage.from_dict(data)


# The three models built for every chunk. attrs' keyword __init__ costs about as much as the rest of
# the parse; when it is equivalent (checked below on a sample), fill the slots of a bare instance.
def _new_chunk_by_init(  # noqa: PLR0917 (positional: called per chunk)
    object_: Any,
    choices: Any,
    created: Any,
    id_: Any,
    meta: Any,
    model: Any,
    service_tier: Any,
    usage: Any,
    extra: dict[str, Any],
) -> ChatCompletionChunk:
    chunk = ChatCompletionChunk(
        object_=object_,
        choices=choices,
        created=created,
        id=id_,
        meta=meta,
        model=model,
        service_tier=service_tier,
        usage=usage,
    )
    chunk.additional_properties = extra
    return chunk


def _new_choice_by_init(
    delta: Any, finish_reason: Any, index: Any, logprobs: Any, extra: dict[str, Any]
) -> ChatCompletionChunkChoice:
    choice = ChatCompletionChunkChoice(delta=delta, finish_reason=finish_reason, index=index, logprobs=logprobs)
    choice.additional_properties = extra
    return choice


def _new_delta_by_init(content: Any, refusal: Any, role: Any, tool_calls: Any, extra: dict[str, Any]) -> Delta:
    delta = Delta(content=content, refusal=refusal, role=role, tool_calls=tool_calls)
    delta.additional_properties = extra
    return delta


_new = object.__new__


def _new_chunk_by_slots(  # noqa: PLR0917 (positional: called per chunk)
    object_: Any,
    choices: Any,
    created: Any,
    id_: Any,
    meta: Any,
    model: Any,
    service_tier: Any,
    usage: Any,
    extra: dict[str, Any],
) -> ChatCompletionChunk:
    chunk: ChatCompletionChunk = _new(ChatCompletionChunk)
    chunk.object_ = object_
    chunk.choices = choices
    chunk.created = created
    chunk.id = id_
    chunk.meta = meta
    chunk.model = model
    chunk.service_tier = service_tier
    chunk.usage = usage
    chunk.additional_properties = extra
    return chunk


def _new_choice_by_slots(
    delta: Any, finish_reason: Any, index: Any, logprobs: Any, extra: dict[str, Any]
) -> ChatCompletionChunkChoice:
    choice: ChatCompletionChunkChoice = _new(ChatCompletionChunkChoice)
    choice.delta = delta
    choice.finish_reason = finish_reason
    choice.index = index
    choice.logprobs = logprobs
    choice.additional_properties = extra
    return choice


def _new_delta_by_slots(content: Any, refusal: Any, role: Any, tool_calls: Any, extra: dict[str, Any]) -> Delta:
    delta: Delta = _new(Delta)
    delta.content = content
    delta.refusal = refusal
    delta.role = role
    delta.tool_calls = tool_calls
    delta.additional_properties = extra
    return delta


def _slots_match_init() -> bool:
    """True when the slot-filling builders give what the generated __init__ gives (same fields, no hooks)."""
    expected = {
        ChatCompletionChunk: ("object_", "choices", "created", "id", "meta", "model", "service_tier", "usage"),
        ChatCompletionChunkChoice: ("delta", "finish_reason", "index", "logprobs"),
        Delta: ("content", "refusal", "role", "tool_calls"),
    }
    for cls, names in expected.items():
        fields = attrs.fields(cls)
        if tuple(field.name for field in fields) != (*names, "additional_properties"):
            return False
        if any(field.validator is not None or field.converter is not None for field in fields):
            return False
        if hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"):
            return False
    try:
        sample = [
            build_delta("x", None, "assistant", UNSET, {"k": 1}),
            build_choice(UNSET, "stop", 0, None, {}),
            build_chunk(_CHUNK_OBJECT, [], 1, "id", None, "m", UNSET, UNSET, {"k": 2}),
        ]
        by_init = [
            _new_delta_by_init("x", None, "assistant", UNSET, {"k": 1}),
            _new_choice_by_init(UNSET, "stop", 0, None, {}),
            _new_chunk_by_init(_CHUNK_OBJECT, [], 1, "id", None, "m", UNSET, UNSET, {"k": 2}),
        ]
    except (AttributeError, TypeError):  # frozen or otherwise guarded classes
        return False
    return sample == by_init


build_chunk, build_choice, build_delta = _new_chunk_by_slots, _new_choice_by_slots, _new_delta_by_slots
if not _slots_match_init():
    build_chunk, build_choice, build_delta = _new_chunk_by_init, _new_choice_by_init, _new_delta_by_init
