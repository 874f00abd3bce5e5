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
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any

import attrs
from aimlapi_grok_api.types import UNSET

from ._schema import definition_names, surface, validator
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
    # A rare nested object (usage, meta, logprobs): the generated from_dict when the value conforms to its
    # tolerant schema, else the value kept in `extra`. (On a non-conforming value from_dict may succeed yet
    # keep raw values inside the model, which its to_dict() then cannot serialize.)
    if type(value) is dict and _conforms(getattr(from_dict, "__self__", None), value):
        try:
            return from_dict(value), extra
        except _GENERATED_PARSE_ERRORS:
            pass
    return UNSET, _keep(extra, key, value)


def _conforms(model: Any, value: dict[str, Any]) -> bool:
    """True when `value` conforms to the tolerant schema of the component the generated `model` is named after."""
    name = getattr(model, "__name__", "")
    if name not in definition_names():
        return True  # no schema to check against: the generated from_dict decides alone
    try:
        return bool(validator(name).is_valid(value))
    except (ValueError, RecursionError):  # jsonschema-rs: "Recursion limit reached"
        return False


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


def _nullable(cls: type[Any], attribute: str) -> bool:
    """True when the generated model types `attribute` as possibly None (`X | Unset | None`)."""
    field = attrs.fields_dict(cls).get(attribute)
    return field is None or "None" in str(field.type)


def _field_lines(
    name: str, field: tuple[str, str, str, Any], fast: Mapping[str, int], root: bool, nullable: bool = True
) -> list[str]:
    """Straight-line code that leaves the field's typed value in `v_<name>` (and moves misfits to `extra`).

    The JSON key is a literal of the code; the field's constants are globals named `<name>_allowed` (an enum's
    values), `<name>_const` (a single-valued enum's value) and `<name>_model` (a nested model's class).
    A null for a nested slot the generated model does not type as nullable is a misfit too (its to_dict()
    would fail on it).
    """
    key, _, kind, detail = field
    v, k = f"v_{name}", repr(key)
    if kind == "const":
        return [
            f"{v} = get({k}, {name}_const)",
            f"if type({v}) is not str or {v} not in {name}_allowed:",
            f"    extra = _keep(extra, {k}, {v})",
            f"    {v} = {name}_const",
        ]
    if kind == "enum":
        return [f"{v}, extra = _enum_value(data, {k}, {name}_allowed, extra, {detail[1]!r})"]
    if kind == "model" and detail in fast:
        return _typed_or_kept(v, k, f"type({v}) is dict", f"parse_{fast[detail]}({v})", keep_none=not nullable)
    if kind == "model":
        return [
            f"{v} = get({k}, UNSET)",
            f"if {v} is not UNSET and {v} is not None:" if nullable else f"if {v} is not UNSET:",
            f"    {v}, extra = _nested_model({name}_model.from_dict, {k}, {v}, extra)",
        ]
    if kind == "list" and detail in fast and root:
        # A list on the chunk itself (the choices): an item that is not an object makes the chunk unreadable.
        # One item is the usual case: built without a comprehension's frame.
        item = f"parse_{fast[detail]}"
        one = f"[{item}({v}[0])] if len({v}) == 1 and type({v}[0]) is dict"
        return _typed_or_kept(
            v, k, f"type({v}) is list", f"{one} else [{item}_at(x, i) for i, x in enumerate({v})]", keep_none=True
        )
    if kind == "list" and detail in fast:
        accept = f"type({v}) is list and all(type(x) is dict for x in {v})"
        return _typed_or_kept(v, k, accept, f"[parse_{fast[detail]}(x) for x in {v}]", keep_none=not nullable)
    return [f"{v} = get({k}, UNSET)"]


def _typed_or_kept(v: str, k: str, accept: str, convert: str, *, keep_none: bool) -> list[str]:
    """Code for a nested slot: `convert` when `accept` holds; else the value kept in `extra` (None too if keep_none)."""
    present = f"{v} is not UNSET" if keep_none else f"{v} is not None and {v} is not UNSET"
    return [
        f"{v} = get({k}, UNSET)",
        f"if {accept}:",
        f"    {v} = {convert}",
        f"elif {present}:",
        f"    extra = _keep(extra, {k}, {v})",
        f"    {v} = UNSET",
    ]


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
            _, _, kind, detail = field
            name = f"{prefix}{index}"
            if kind == "const":
                namespace[f"{name}_const"] = detail
                namespace[f"{name}_allowed"] = frozenset((detail,))
            elif kind == "enum":
                namespace[f"{name}_allowed"] = frozenset(detail[0])
            elif kind == "model" and detail not in fast:
                namespace[f"{name}_model"] = _model_class(detail)
            lines += _field_lines(name, field, fast, root=number == 0, nullable=_nullable(cls, field[1]))
        attributes = [field[1] for field in fields]
        if _fills_slots(cls, attributes):
            lines.append(f"obj = _new({prefix}cls)")
            lines += [f"obj.{attribute} = v_{prefix}{index}" for index, attribute in enumerate(attributes)]
        else:
            arguments = ", ".join(f"{attribute}=v_{prefix}{index}" for index, attribute in enumerate(attributes))
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
