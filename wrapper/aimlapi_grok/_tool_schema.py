"""A JSON Schema for a typed Python function's parameters (used by ``tool_from_function``).

Supported annotations: ``str``, ``int``, ``float``, ``bool``, ``None``,
``list[X]`` / ``Sequence[X]`` / ``tuple[X, ...]`` / ``set[X]`` / bare ``list``,
``dict[str, X]`` / ``Mapping[str, X]`` / bare ``dict``, ``Literal[...]`` (str,
int, float, bool or None values), an ``Enum`` subclass (its values),
``Optional[X]`` / ``X | None``, unions of these, and ``Annotated[X, "text"]``
(the text becomes the parameter's description). Anything else raises
TypeError naming the parameter and the annotation.

A parameter is required unless it has a default or its annotation admits
None. Descriptions come from the docstring: the text before the first section
is the function's description; parameters are described in a Google-style
``Args:`` section, reST ``:param name:`` fields or a NumPy ``Parameters`` section.
"""

from __future__ import annotations

import collections.abc
import inspect
import json
import re
import types
import typing
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin

__all__ = ["function_parameters_schema", "split_docstring"]

_SCALARS: dict[Any, str] = {str: "string", int: "integer", float: "number", bool: "boolean", type(None): "null"}
_ARRAYS = {list, set, frozenset, collections.abc.Sequence, collections.abc.MutableSequence, collections.abc.Set}
_OBJECTS = {dict, collections.abc.Mapping, collections.abc.MutableMapping}
_SUPPORTED = (
    "str, int, float, bool, list[...], dict[str, ...], Literal[...], an Enum, Optional[...] or a union of these"
)
_SECTION = re.compile(
    r"^\s*(Args|Arguments|Parameters|Params|Returns?|Yields?|Raises|Examples?|Notes?|See Also)\s*:?\s*$"
    r"|^\s*:(param|type|returns?|rtype|raises)\b",
    re.IGNORECASE,
)
_PARAMS_HEADER = re.compile(r"^\s*(Args|Arguments|Parameters|Params)\s*:?\s*$", re.IGNORECASE)
_REST_PARAM = re.compile(r"^:param\s+(?:[^:]*\s)?(\w+)\s*:\s*(.*)$")
_GOOGLE_ENTRY = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ENTRY = re.compile(r"^(\w+)\s*(?::.*)?$")


def function_parameters_schema(fn: typing.Callable[..., Any], where: str) -> dict[str, Any]:
    """The ``{"type": "object", ...}`` schema of `fn`'s parameters; TypeError naming what is unsupported."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{where}: cannot read the signature ({exc})") from None
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as exc:  # NameError for an unresolvable forward reference, and friends
        raise TypeError(f"{where}: cannot resolve the type annotations ({exc})") from None
    _, param_docs = split_docstring(inspect.getdoc(fn))

    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, param in signature.parameters.items():
        field = f"{where}, parameter {name!r}"
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise TypeError(f"{field}: *args and **kwargs cannot be described to the model; name each parameter")
        if name not in hints:
            raise TypeError(f"{field} has no type annotation; annotate it with {_SUPPORTED}")
        annotation = hints[name]
        schema = schema_for(annotation, field)
        if name in param_docs and "description" not in schema:
            schema["description"] = param_docs[name]
        if param.default is not param.empty:
            default = param.default.value if isinstance(param.default, Enum) else param.default
            if _is_json(default):
                schema["default"] = default
        elif not _admits_none(annotation):
            required.append(name)
        properties[name] = schema
    return {"type": "object", "properties": properties, "required": required, "additionalProperties": False}


def schema_for(annotation: Any, field: str) -> dict[str, Any]:
    """The JSON Schema of one annotation (TypeError naming `field` when it is not supported)."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is Annotated:
        schema = schema_for(args[0], field)
        notes = [meta for meta in args[1:] if isinstance(meta, str)]
        if notes:
            schema["description"] = " ".join(notes)
        return schema
    if annotation in _SCALARS:
        return {"type": _SCALARS[annotation]}
    if origin is Literal:
        return _enum_schema(list(args), field, annotation)
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return _enum_schema([member.value for member in annotation], field, annotation)
    if origin is Union or origin is types.UnionType:
        return _union_schema(args, field)
    if annotation in _ARRAYS or origin in _ARRAYS or origin is tuple:
        return _array_schema(annotation, origin, args, field)
    if annotation in _OBJECTS or origin in _OBJECTS:
        return _object_schema(args, field)
    raise TypeError(f"{field}: annotation {_name(annotation)} is not supported; use {_SUPPORTED}")


def split_docstring(doc: str | None) -> tuple[str | None, dict[str, str]]:
    """(the description before the first section, {parameter: description}) from a docstring."""
    if not doc:
        return None, {}
    lines = doc.splitlines()
    summary: list[str] = []
    for line in lines:
        if _SECTION.match(line):
            break
        summary.append(line)
    description = "\n".join(summary).strip() or None
    return description, _param_docs(lines)


def _param_docs(lines: list[str]) -> dict[str, str]:
    docs: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        rest_field = _REST_PARAM.match(line.strip())
        if rest_field:
            name, text = rest_field.group(1), [rest_field.group(2)]
            i += 1
            while i < len(lines) and _continues(lines[i], _indent(line)) and not lines[i].strip().startswith(":"):
                text.append(lines[i].strip())
                i += 1
            docs[name] = " ".join(part for part in text if part)
        elif _PARAMS_HEADER.match(line):
            numpy = i + 1 < len(lines) and _is_rule(lines[i + 1])
            i = _read_param_section(lines, i + (2 if numpy else 1), _indent(line), numpy, docs)
        else:
            i += 1
    return {name: text for name, text in docs.items() if text}


def _read_param_section(lines: list[str], i: int, header_indent: int, numpy: bool, docs: dict[str, str]) -> int:
    """Read Google (``name (type): text``) or NumPy (``name : type`` + indented text) entries; the next line index."""
    entry_indent: int | None = None
    current: str | None = None
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped:
            i += 1
            continue
        indent = _indent(line)
        ends_section = (i + 1 < len(lines) and _is_rule(lines[i + 1])) if numpy else indent <= header_indent
        if ends_section or (entry_indent is not None and indent < entry_indent):
            break
        if entry_indent is None:
            entry_indent = indent
        entry = (_NUMPY_ENTRY if numpy else _GOOGLE_ENTRY).match(stripped) if indent == entry_indent else None
        if entry:
            current = entry.group(1)
            docs[current] = "" if numpy else entry.group(2).strip()
        elif current is not None:
            docs[current] = f"{docs[current]} {stripped}".strip()
        i += 1
    return i


def _continues(line: str, indent: int) -> bool:
    return bool(line.strip()) and _indent(line) > indent


def _is_rule(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and set(stripped) == {"-"}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _enum_schema(values: list[Any], field: str, annotation: Any) -> dict[str, Any]:
    for value in values:
        if not isinstance(value, str | int | float | bool) and value is not None:
            raise TypeError(f"{field}: {_name(annotation)} has value {value!r}, which is not a JSON string or number")
    kinds = {_SCALARS[type(value)] for value in values if type(value) in _SCALARS}
    schema: dict[str, Any] = {"enum": values}
    if len(kinds) == 1:
        schema = {"type": kinds.pop(), "enum": values}
    elif kinds <= {"integer", "number"} and kinds:
        schema = {"type": "number", "enum": values}
    return schema


def _union_schema(args: tuple[Any, ...], field: str) -> dict[str, Any]:
    options = [arg for arg in args if arg is not type(None)]
    nullable = len(options) < len(args)
    if len(options) == 1:
        schema = schema_for(options[0], field)
        return _with_null(schema) if nullable else schema
    alternatives = [schema_for(option, field) for option in options]
    if nullable:
        alternatives.append({"type": "null"})
    return {"anyOf": alternatives}


def _with_null(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str) and set(schema) <= {"type", "enum", "items", "additionalProperties", "description"}:
        schema = {**schema, "type": [kind, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def _array_schema(annotation: Any, origin: Any, args: tuple[Any, ...], field: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    if origin is tuple:
        if len(args) != 2 or args[1] is not Ellipsis:
            raise TypeError(f"{field}: {_name(annotation)} is not supported; use tuple[X, ...] or list[X]")
        args = args[:1]
    if args:
        schema["items"] = schema_for(args[0], f"{field} (items)")
    if annotation in (set, frozenset) or origin in (set, frozenset, collections.abc.Set):
        schema["uniqueItems"] = True
    return schema


def _object_schema(args: tuple[Any, ...], field: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    if args:
        if args[0] is not str:
            raise TypeError(
                f"{field}: JSON object keys are strings; use dict[str, ...], not dict[{_name(args[0])}, ...]"
            )
        schema["additionalProperties"] = schema_for(args[1], f"{field} (values)")
    return schema


def _admits_none(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return _admits_none(get_args(annotation)[0])
    if annotation is type(None):
        return True
    if get_origin(annotation) in (Union, types.UnionType):
        return type(None) in get_args(annotation)
    return get_origin(annotation) is Literal and None in get_args(annotation)


def _is_json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _name(annotation: Any) -> str:
    return annotation.__name__ if isinstance(annotation, type) else repr(annotation)
