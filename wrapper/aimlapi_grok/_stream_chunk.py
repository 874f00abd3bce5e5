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

Which models a chunk has, their fields, enums and nesting come from the spec
(``CHUNK_TABLES`` in the generated ``aimlapi_grok_api._surface``); this module
turns each table into one straight-line parse function, compiled once at
import (as attrs compiles its ``__init__``), so a field the spec adds needs no
edit here and the parse costs what hand-written code costs.

This module imports the generated models, so it is imported lazily.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

import attrs
from aimlapi_grok_api.types import UNSET

from ._schema import surface
from ._stream_accumulator import ChunkParseError

if TYPE_CHECKING:
    from aimlapi_grok_api.models import ChatCompletionChunk, Usage

__all__ = ["ChunkParseError", "parse_chunk", "parse_usage"]

# The exceptions the generated from_dict catches when it falls back to the raw value.
_GENERATED_PARSE_ERRORS = (TypeError, ValueError, AttributeError, KeyError)

Table = tuple[str, str, tuple[tuple[str, str, str, Any], ...]]


def _unknown(data: Mapping[str, Any], known: AbstractSet[str]) -> dict[str, Any]:
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


def _model_class(class_name: str) -> type[Any]:
    models = importlib.import_module("aimlapi_grok_api.models")
    cls: type[Any] = getattr(models, class_name)
    return cls


def _fills_slots(cls: type[Any], attributes: list[str]) -> bool:
    """True when filling the slots of a bare instance gives what the generated keyword __init__ gives."""
    fields = attrs.fields(cls)
    if sorted(field.name for field in fields) != sorted([*attributes, "additional_properties"]):
        return False
    if any(field.validator is not None or field.converter is not None for field in fields):
        return False
    return not (hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"))


def _field_lines(index: int, field: tuple[str, str, str, Any], fast: Mapping[str, int], root: bool) -> list[str]:
    """Straight-line code that leaves field `index`'s typed value in `v{index}` (and moves misfits to `extra`)."""
    _, _, kind, detail = field
    v, k = f"v{index}", f"K{index}"
    if kind == "const":
        return [
            f"{v} = get({k}, C{index})",
            f"if type({v}) is not str or {v} not in A{index}:",
            f"    extra = _keep(extra, {k}, {v})",
            f"    {v} = C{index}",
        ]
    if kind == "enum":
        return [f"{v}, extra = _enum_value(data, {k}, A{index}, extra, {detail[1]!r})"]
    if kind == "model" and detail in fast:
        return [
            f"{v} = get({k}, UNSET)",
            f"if type({v}) is dict:",
            f"    {v} = parse_{fast[detail]}({v})",
            f"elif {v} is not None and {v} is not UNSET:",
            f"    extra = _keep(extra, {k}, {v})",
            f"    {v} = UNSET",
        ]
    if kind == "model":
        return [
            f"{v} = get({k}, UNSET)",
            f"if {v} is not UNSET and {v} is not None:",
            f"    {v}, extra = _nested_model(M{index}.from_dict, {k}, {v}, extra)",
        ]
    if kind == "list" and detail in fast and root:
        # A list on the chunk itself (the choices): an item that is not an object makes the chunk unreadable.
        item = f"parse_{fast[detail]}"
        return [
            f"{v} = get({k}, UNSET)",
            f"if type({v}) is list:",
            f"    if len({v}) == 1 and type({v}[0]) is dict:",  # the usual case, without a comprehension's frame
            f"        {v} = [{item}({v}[0])]",
            "    else:",
            f"        {v} = [{item}_at(x, i) for i, x in enumerate({v})]",
            f"elif {v} is not UNSET:",
            f"    extra = _keep(extra, {k}, {v})",
            f"    {v} = UNSET",
        ]
    if kind == "list" and detail in fast:
        return [
            f"{v} = get({k}, UNSET)",
            f"if type({v}) is list and all(type(x) is dict for x in {v}):",
            f"    {v} = [parse_{fast[detail]}(x) for x in {v}]",
            f"elif {v} is not None and {v} is not UNSET:",
            f"    extra = _keep(extra, {k}, {v})",
            f"    {v} = UNSET",
        ]
    return [f"{v} = get({k}, UNSET)"]


def _compile(tables: tuple[Table, ...]) -> dict[str, Any]:
    """One parse function per table (`parse_0` is the chunk's), compiled from straight-line source."""
    fast = {class_name: number for number, (class_name, _, _) in enumerate(tables)}
    namespace: dict[str, Any] = {
        "UNSET": UNSET,
        "_keep": _keep,
        "_unknown": _unknown,
        "_enum_value": _enum_value,
        "_nested_model": _nested_model,
        "_new": object.__new__,
        "ChunkParseError": ChunkParseError,
    }
    source: list[str] = []
    for number, (class_name, _, fields) in enumerate(tables):
        cls = _model_class(class_name)
        prefix = f"T{number}_"
        namespace[f"{prefix}cls"] = cls
        namespace[f"{prefix}keys"] = frozenset(field[0] for field in fields)
        lines = [
            f"extra = None if data.keys() <= {prefix}keys else _unknown(data, {prefix}keys)",
            "get = data.get",
        ]
        for index, field in enumerate(fields):
            key, _, kind, detail = field
            namespace[f"{prefix}K{index}"] = key
            if kind == "const":
                namespace[f"{prefix}C{index}"] = detail
                namespace[f"{prefix}A{index}"] = frozenset((detail,))
            elif kind == "enum":
                namespace[f"{prefix}A{index}"] = frozenset(detail[0])
            elif kind == "model" and detail not in fast:
                namespace[f"{prefix}M{index}"] = _model_class(detail)
            code = _field_lines(index, field, fast, root=number == 0)
            lines += [_prefixed(line, prefix) for line in code]
        attributes = [field[1] for field in fields]
        if _fills_slots(cls, attributes):
            lines.append(f"obj = _new({prefix}cls)")
            lines += [f"obj.{attribute} = v{index}" for index, attribute in enumerate(attributes)]
        else:
            arguments = ", ".join(f"{attribute}=v{index}" for index, attribute in enumerate(attributes))
            lines.append(f"obj = {prefix}cls({arguments})")
        lines += ["obj.additional_properties = extra or {}", "return obj"]
        source.append(f"def parse_{number}(data):\n" + "".join(f"    {line}\n" for line in lines))
        source.append(
            f"def parse_{number}_at(data, position):\n"
            "    if type(data) is not dict:\n"
            "        raise ChunkParseError(f'{field}[{position}] is {type(data).__name__}, not an object')\n"
            f"    return parse_{number}(data)\n".replace("{field}", _list_key(tables, number))
        )
    exec(compile("\n".join(source), "<aimlapi_grok chunk parsers>", "exec"), namespace)  # noqa: S102 (our own source)
    return namespace


def _prefixed(line: str, prefix: str) -> str:
    # Table constants (K0, A0, C0, M0, ...) are namespaced per table: T<n>_K0.
    out = line
    for name in ("K", "A", "C", "M"):
        out = _replace_names(out, name, prefix)
    return out


def _replace_names(line: str, letter: str, prefix: str) -> str:
    return re.sub(rf"\b{letter}(\d+)\b", rf"{prefix}{letter}\1", line)


def _list_key(tables: tuple[Table, ...], number: int) -> str:
    """The JSON key of the list that holds table `number`'s objects (for error messages)."""
    class_name = tables[number][0]
    for _, _, fields in tables:
        for key, _, kind, detail in fields:
            if kind == "list" and detail == class_name:
                return key
    return class_name


_TABLES: tuple[Table, ...] = surface().CHUNK_TABLES
_PARSERS = _compile(_TABLES)
_USAGE_CLASS = next(
    (_model_class(detail) for key, _, kind, detail in _TABLES[0][2] if kind == "model" and key == "usage"), None
)


def parse_chunk(data: Mapping[str, Any]) -> ChatCompletionChunk:
    """The typed chunk for one decoded ``data:`` payload (see the module docstring for the rules)."""
    chunk: ChatCompletionChunk = _PARSERS["parse_0"](data)
    return chunk


def parse_usage(data: dict[str, Any]) -> Usage:
    """The typed usage of a stream's usage chunk (its nested details stay raw when unparseable, as generated)."""
    if _USAGE_CLASS is None:
        raise ChunkParseError("the spec's chunk has no usage model")
    usage: Usage = _USAGE_CLASS.from_dict(data)
    return usage
