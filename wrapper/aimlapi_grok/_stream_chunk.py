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
turns each table into straight-line parse functions (as attrs compiles its
``__init__``): a general one at import, and one per key layout the first time
a stream sends it (see ``_Compiler``), so a field the spec adds needs no edit
here and the parse costs what hand-written code costs. ``parse_chunk_signed``
also returns the chunk's signature, with which a typed stream checks drift
once per kind of chunk (see ``_chunk_signature``).

This module imports the generated models, so it is imported lazily.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from collections.abc import Set as AbstractSet
from typing import TYPE_CHECKING, Any, NoReturn

import attrs
from aimlapi_grok_api.types import UNSET

from ._chunk_signature import signature_plan
from ._constants import CHUNK_COMPONENT
from ._errors import ChunkParseError
from ._model_build import GENERATED_PARSE_ERRORS, fills_slots, model_class, unknown_fields
from ._schema import checker_for, schema_document, surface

if TYPE_CHECKING:
    from aimlapi_grok_api.models import ChatCompletionChunk, Usage

__all__ = ["parse_chunk", "parse_chunk_signed", "parse_usage"]

Table = tuple[str, str, tuple[tuple[str, str, str, Any], ...]]


def _keep(extra: dict[str, Any] | None, key: str, value: Any) -> dict[str, Any]:
    # A value the typed slot cannot hold, kept in additional_properties under its own key.
    if extra is None:
        extra = {}
    extra[key] = value
    return extra


def _nested_model(model: Any, key: str, value: Any, extra: dict[str, Any] | None) -> tuple[Any, dict[str, Any] | None]:
    # A rare nested object (usage, meta, logprobs): the generated model's from_dict when the value conforms to
    # its tolerant schema, else the value kept in `extra`. (On a non-conforming value from_dict may succeed yet
    # keep raw values inside the model, which its to_dict() then cannot serialize.)
    if type(value) is dict and _conforms(model.__name__, value):
        try:
            return model.from_dict(value), extra
        except GENERATED_PARSE_ERRORS:
            pass
    return UNSET, _keep(extra, key, value)


def _conforms(component: str, value: dict[str, Any]) -> bool:
    """True when `value` conforms to the tolerant schema of `component` (every generated model has one)."""
    try:
        return checker_for(component).is_valid(value)
    except (ValueError, RecursionError):  # jsonschema-rs: "Recursion limit reached", a lone surrogate
        return False


def _nullable(cls: type[Any], attribute: str) -> bool:
    """True when the generated model types `attribute` as possibly None (`X | Unset | None`)."""
    return "None" in str(attrs.fields_dict(cls)[attribute].type)


def _field_lines(
    name: str,
    field: tuple[str, str, str, Any],
    fast: Mapping[str, int],
    root: bool,
    shape: AbstractSet[str] | None,
    *,
    content_free: bool,
    int_free: bool,
    nullable: bool,
) -> tuple[list[str], list[str]]:
    """Straight-line code that leaves the field's typed value in `v_<name>` (and moves misfits to `extra`),
    and the expressions the field adds to the object's signature.

    `shape` is the set of keys the code is specialized for (None: any keys, each read with `get`). The JSON
    key is a literal of the code; the field's constants are globals named `<name>_allowed` (an enum's values),
    `<name>_const` (a single-valued enum's value) and `<name>_model` (a nested model's class). The signature
    parts stand for the value as far as the published schema can tell values apart (see _chunk_signature):
    the type and value of a scalar, the signature of a nested object, only the type of a value whose schema
    judges nothing more (`content_free`), no value for an int where only a float's value counts (`int_free`:
    every int is a JSON integer and number); a list or an object that is not a table's model is put in as is
    (unhashable: no signature, checked in full). A null for a nested slot the generated model does not type
    as nullable is a misfit too (its to_dict() would fail on it).
    """
    key, _, kind, detail = field
    v, k, s = f"v_{name}", repr(key), f"s_{name}"
    default = f"{name}_const" if kind == "const" else "UNSET"
    if shape is not None and key not in shape:
        return [f"{v} = {default}"], []  # what `get` gives when the key is absent (the layout says it is)
    read = [f"{v} = get({k}, {default})" if shape is None else f"{v} = data[{k}]", f"{s} = {v}"]
    keep = [f"    extra = _keep(extra, {k}, {v})", f"    {v} = UNSET"]
    # A value kept aside in place of a nested model stands in the signature with its type (True is not 1).
    kept = [f"    {s} = (type({v}), {v})", *keep]
    # Conditions on a value read: specialized code reads only the keys its layout has, so never UNSET.
    sent = "True" if shape is not None else f"{v} is not UNSET"
    present = f"{v} is not None and {sent}" if nullable else sent  # else (not nullable: None too) kept aside
    if kind == "const":
        check = f"if type({v}) is not str or {v} not in {name}_allowed:"
        return [*read, check, keep[0], f"    {v} = {name}_const"], [f"type({s})", s]
    if kind == "enum":
        # The value when the spec allows it (None too, where nullable), else UNSET and the value kept.
        absent = f"{sent} and {v} is not None" if detail[1] else sent
        return [*read, f"if {absent} and (type({v}) is not str or {v} not in {name}_allowed):", *keep], [
            f"type({s})",
            s,
        ]
    if kind == "model" and detail in fast:
        lines = [f"if type({v}) is dict:", f"    {v}, {s} = {_parse_call(fast[detail], v)}"]
        return [*read, *lines, f"elif {present}:", *kept], [s]
    if kind == "model":
        nested = f"    {v}, extra = _nested_model({name}_model, {k}, {v}, extra)"
        return [*read, f"if {present}:", nested], [f"type({s})", s]
    if kind == "list" and detail in fast and root:
        # A list on the chunk itself (the choices): an item that is not an object makes the chunk unreadable.
        # One item is the usual case: built without a comprehension's frame.
        item = fast[detail]
        lines = [
            f"if type({v}) is list:",
            f"    if len({v}) == 1 and type({v}[0]) is dict:",
            f"        one, one_s = {_parse_call(item, f'{v}[0]')}",
            f"        {v}, {s} = [one], (one_s,)",
            "    else:",
            f"        pairs = [{_parse_call(item, 'x')} if type(x) is dict else _not_an_object({k}, i, x)"
            f" for i, x in enumerate({v})]",
            f"        {v}, {s} = [p[0] for p in pairs], tuple([p[1] for p in pairs])",
            f"elif {sent}:",
        ]
        return [*read, *lines, *kept], [s]
    if kind == "list" and detail in fast:
        lines = [
            f"if type({v}) is list and all(type(x) is dict for x in {v}):",
            f"    pairs = [{_parse_call(fast[detail], 'x')} for x in {v}]",
            f"    {v}, {s} = [p[0] for p in pairs], tuple([p[1] for p in pairs])",
            f"elif {present}:",
        ]
        return [*read, *lines, *kept], [s]
    if content_free:
        return read[:1], [f"type({v})"]
    if int_free:
        return read[:1], [f"type({v})", f"(None if type({v}) is int else {v})"]
    return read[:1], [f"type({v})", v]


def _not_an_object(key: str, position: int, value: Any) -> NoReturn:
    """An item of the chunk's list (a choice) that is not an object: the chunk cannot be built."""
    raise ChunkParseError(f"{key}[{position}] is {type(value).__name__}, not an object")


def _parse_call(number: int, value: str) -> str:
    """`parse_<number>(value)` with its shape lookup inlined (one Python call less per nested object)."""
    return f"(T{number}_shapes.get(tuple({value})) or _specialize({number}, {value}))({value})"


MAX_SHAPES = 32  # key layouts specialized per model; a stream that sends more uses the general parser for the rest
_NO_SIGNATURE: list[Any] = []  # unhashable: an object the general parser built has no signature


class _Compiler:
    """Compiles each table into parse functions: a general one, and one per key layout (shape) met in a stream.

    `parse_<n>(data)` looks up the function specialized for `tuple(data)` (the keys in their order): it reads
    the keys the layout has by subscript, sets the absent ones without a lookup, and copies the unknown ones
    (from a tuple of their names, never a literal of the API's text in code) without a scan. The first
    object of a layout compiles its function; past MAX_SHAPES layouts, `parse_<n>_any` (`get` for every
    field, unknown keys found by a set difference) parses the rest. Both give equal objects.

    Each returns (object, signature): the signature is a tuple of the layout's marker and its fields' parts
    (see `_field_lines`), so two objects of equal signatures are alike for every keyword of the published
    schema (`published`, the JSON Schema $defs): the same keys, and values that differ at most in the text
    of content-free strings. `parse_<n>_any` gives no signature (an unhashable marker).
    """

    def __init__(self, tables: tuple[Table, ...], published: Mapping[str, Any] | None = None) -> None:
        self.tables = tables
        self.plan = signature_plan(tables, CHUNK_COMPONENT, published or {})
        self.fast = {class_name: number for number, (class_name, _, _) in enumerate(tables)}
        self.lock = threading.Lock()
        self.namespace: dict[str, Any] = {
            "UNSET": UNSET,
            "_keep": _keep,
            "_unknown": unknown_fields,
            "_nested_model": _nested_model,
            "_not_an_object": _not_an_object,
            "_new": object.__new__,
            "_specialize": self.specialize,
            "_NOSIG": _NO_SIGNATURE,
        }
        source: list[str] = []
        for number, (class_name, _, fields) in enumerate(tables):
            self._add_constants(number, class_name, fields)
            lines = [
                f"extra = None if data.keys() <= T{number}_keys else _unknown(data, T{number}_keys)",
                "get = data.get",
                *self._body(number, None),
            ]
            source.append(f"def parse_{number}_any(data):\n" + "".join(f"    {line}\n" for line in lines))
            source.append(
                f"def parse_{number}(data):\n"
                f"    parse = T{number}_shapes.get(tuple(data))\n"
                "    if parse is None:\n"
                f"        parse = _specialize({number}, data)\n"
                "    return parse(data)\n"
            )
        exec(compile("\n".join(source), "<aimlapi_grok chunk parsers>", "exec"), self.namespace)  # noqa: S102 (our own source)

    def _add_constants(self, number: int, class_name: str, fields: tuple[tuple[str, str, str, Any], ...]) -> None:
        namespace = self.namespace
        namespace[f"T{number}_cls"] = model_class(class_name)
        namespace[f"T{number}_keys"] = frozenset(field[0] for field in fields)
        namespace[f"T{number}_shapes"] = {}
        for index, (_, _, kind, detail) in enumerate(fields):
            name = f"T{number}_{index}"
            if kind == "const":
                namespace[f"{name}_const"] = detail
                namespace[f"{name}_allowed"] = frozenset((detail,))
            elif kind == "enum":
                namespace[f"{name}_allowed"] = frozenset(detail[0])
            elif kind == "model" and detail not in self.fast:
                namespace[f"{name}_model"] = model_class(detail)

    def _body(self, number: int, shape: AbstractSet[str] | None, unknown: tuple[str, ...] = ()) -> list[str]:
        """Read every field, then build the object (`extra` is set before); return it with its signature."""
        _, _, fields = self.tables[number]
        free = self.plan.free.get(number, set())  # a table the chunk does not reach has no entry
        int_free = self.plan.int_free.get(number, set())
        prefix = f"T{number}_"
        lines: list[str] = []
        parts: list[str] = []
        cls = self.namespace[f"{prefix}cls"]
        for index, field in enumerate(fields):
            field_lines, field_parts = _field_lines(
                f"{prefix}{index}",
                field,
                self.fast,
                number == 0,
                shape,
                content_free=field[0] in free,
                int_free=field[0] in int_free,
                nullable=_nullable(cls, field[1]),
            )
            lines += field_lines
            parts += field_parts
        signed = shape is not None and self.plan.signs(number, unknown)
        signature = f"(L, {', '.join(parts)})" if signed else "_NOSIG"
        attributes = [field[1] for field in fields]
        if fills_slots(self.namespace[f"{prefix}cls"], attributes):
            lines.append(f"obj = _new({prefix}cls)")
            lines += [f"obj.{attribute} = v_{prefix}{index}" for index, attribute in enumerate(attributes)]
        else:
            arguments = ", ".join(f"{attribute}=v_{prefix}{index}" for index, attribute in enumerate(attributes))
            lines.append(f"obj = {prefix}cls({arguments})")
        return [*lines, "obj.additional_properties = extra or {}", f"return obj, {signature}"]

    def specialize(self, number: int, data: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
        """The parse function for `data`'s key layout (compiled and kept on first sight)."""
        shape = tuple(data)
        shapes: dict[tuple[str, ...], Callable[[dict[str, Any]], Any]] = self.namespace[f"T{number}_shapes"]
        with self.lock:
            parse = shapes.get(shape)
            if parse is not None:
                return parse
            if len(shapes) >= MAX_SHAPES:
                any_shape: Callable[[dict[str, Any]], Any] = self.namespace[f"parse_{number}_any"]
                return any_shape
            known = self.namespace[f"T{number}_keys"]
            unknown = tuple(key for key in shape if key not in known)
            extra = ", ".join(f"U[{i}]: data[U[{i}]]" for i in range(len(unknown)))
            lines = [f"extra = {{{extra}}}" if unknown else "extra = None", *self._body(number, set(shape), unknown)]
            source = f"def make(U, L):\n    def parse_{number}_shape(data):\n"
            source += "".join(f"        {line}\n" for line in lines) + f"    return parse_{number}_shape\n"
            made: dict[str, Any] = {}
            exec(compile(source, f"<aimlapi_grok chunk parser {number}>", "exec"), self.namespace, made)  # noqa: S102
            compiled: Callable[[dict[str, Any]], Any] = made["make"](unknown, object())  # L: the layout's marker
            shapes[shape] = compiled
            return compiled


_TABLES: tuple[Table, ...] = surface().CHUNK_TABLES
_PARSERS = _Compiler(_TABLES, schema_document()["published"]["$defs"]).namespace
_USAGE_CLASS = next(
    (model_class(detail) for key, _, kind, detail in _TABLES[0][2] if kind == "model" and key == "usage"), None
)


# (the typed chunk, its signature) for one decoded ``data:`` payload: the compiled function itself, so a
# stream pays no wrapper call per chunk. Two chunks of equal signatures (a hashable tuple) deviate from the
# published schema alike; a chunk without one has an unhashable signature (see _Compiler).
parse_chunk_signed: Callable[[Mapping[str, Any]], tuple[ChatCompletionChunk, Hashable]] = _PARSERS["parse_0"]


def parse_chunk(data: Mapping[str, Any]) -> ChatCompletionChunk:
    """The typed chunk for one decoded ``data:`` payload (see the module docstring for the rules)."""
    chunk: ChatCompletionChunk = parse_chunk_signed(data)[0]
    return chunk


def parse_usage(data: dict[str, Any]) -> Usage | None:
    """The typed usage of a stream's usage chunk (its nested details stay raw when unparseable, as generated).

    None when the spec's chunk declares no usage model: there is no type to build, and the usage as sent
    stays in the result's ``to_dict()`` (an internal ``ChunkParseError`` here would end a healthy stream).
    """
    if _USAGE_CLASS is None:
        return None
    usage: Usage = _USAGE_CLASS.from_dict(data)
    return usage
