"""Emit ``aimlapi_grok_api/_surface.py`` and ``_params.py``: what the hand-written wrapper knows of the spec.

The wrapper holds behaviour only; every fact of the spec it needs is read
from these generated modules (``_surface``: plain data, cheap to import;
``_params``: the TypedDicts, for type checkers and ``aimlapi_grok.types``):

- ``DEFAULT_MODEL`` (``_surface``): the first value of the request's ``model`` enum (or its
  default), None when the spec leaves the model free;
- ``BodyParams`` (``_params``): a TypedDict with one key per request property besides
  ``messages`` and ``stream`` (enums as ``Literal``, objects as the generated
  model or its ``...Param`` TypedDict, ranges and defaults in the docstrings),
  which ``create(**params)`` unpacks; ``BODY_PARAMS`` (``_surface``) lists its keys;
- ``MessageParam``: a message (each role's model or TypedDict, or a mapping);
- one ``<Component>Param`` TypedDict per object the request can carry
  (messages, content parts, tools, ...);
- ``CHUNK_TABLES`` (``_surface``): for each model of a streamed chunk (chunk, choice,
  delta, tool call, function, in that order), its class, module and fields
  (JSON key, attribute name, kind) for the fast chunk builder and the
  tolerant parser;
- ``COMPLETION_TABLES`` (``_surface``): for each model a completion reaches (the completion
  first), its class, module and fields (JSON key, attribute name, kind, detail, required,
  nullable), for the wrapper's fast builder of the typed completion. A field whose generated
  parsing is more than taking the value (a union, a date, a free-form object) is of kind
  ``other``: the builder leaves its object to the generated ``from_dict``.

Rendering is deterministic (sorted where the spec has no order), so the same
spec gives the same files byte for byte. Names follow openapi-python-client's
own rules (``openapi_python_client.strings``).
"""

from __future__ import annotations

import keyword
import re
from typing import Any

from openapi_python_client.strings import ClassName, PythonIdentifier, snake_case

REF_PREFIX = "#/components/schemas/"
FIELD_PREFIX = "field_"  # openapi-python-client's default config.field_prefix
NOT_PARAMS = ("messages", "stream")  # keywords of create() itself
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CHAT_PATH = re.compile(r"(^|/)chat/completions$")  # the operation the wrapper calls, in every published file
CHUNK_PATH = ("choices", "delta", "tool_calls", "function")  # chunk -> choice -> delta -> tool call -> function

Schema = dict[str, Any]
Field = tuple[str, str, str, Any, bool, bool]  # JSON key, attribute, kind, detail, required, nullable
# A value the generated models keep as received: JSON types whose generated parsing takes the value as is.
PLAIN_TYPES = frozenset({"string", "integer", "number", "boolean"})
PLAIN_KEYWORDS = frozenset(
    {"type", "format", "description", "example", "nullable", "title", "default", "deprecated", "readOnly"}
    | {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "pattern"}
)
PLAIN_FORMATS = frozenset({"uri", "url", "email", "hostname", "password", "int32", "int64", "float", "double"})


class SurfaceError(Exception):
    """The normalized spec lacks what the wrapper needs (no chat operation, no chunk schema, ...)."""


def ref_name(schema: Schema) -> str | None:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith(REF_PREFIX):
        return ref.removeprefix(REF_PREFIX)
    members = schema.get("allOf")
    if isinstance(members, list) and len(members) == 1 and isinstance(members[0], dict):
        return ref_name(members[0])
    return None


def chat_paths(doc: Schema) -> Schema:
    """The path items with the chat-completions operation (POST .../chat/completions), published or normalized.

    A file without one (the catalogue also publishes /v1/messages and /v1/responses files) is not a
    chat-completions spec: SurfaceError names the operations it has.
    """
    paths = doc.get("paths", {})
    chat = {path: item for path, item in paths.items() if CHAT_PATH.search(path) and "post" in item}
    if not chat:
        found = ", ".join(f"{m.upper()} {path}" for path, item in paths.items() for m in item if m in METHODS)
        raise SurfaceError(
            f"not a chat-completions spec: no POST operation at a .../chat/completions path"
            f" (operations: {found or 'none'})"
        )
    return chat


class Surface:
    def __init__(self, doc: Schema) -> None:
        self.schemas: Schema = doc.get("components", {}).get("schemas", {})
        self.request, self.completion, self.chunk = self.chat_operation(doc)
        self.param_dicts: dict[str, Schema] = {}

    def chat_operation(self, doc: Schema) -> tuple[str, str, str]:
        chat = chat_paths(doc)
        for item in chat.values():
            op = item.get("post")
            if not isinstance(op, dict):
                continue
            body = op.get("requestBody", {}).get("content", {})
            request = ref_name(body.get("application/json", {}).get("schema", {}))
            content = op.get("responses", {}).get("200", {}).get("content", {})
            completion = ref_name(content.get("application/json", {}).get("schema", {}))
            chunk = ref_name(content.get("text/event-stream", {}).get("schema", {}))
            if request and completion and chunk:
                return request, completion, chunk
        raise SurfaceError(
            f"the chat operation ({', '.join(chat)}) lacks a JSON request, a JSON 200 or a text/event-stream 200 body"
        )

    def target(self, schema: Schema) -> Schema:
        name = ref_name(schema)
        return self.schemas.get(name, {}) if name else schema

    def enum_values(self, schema: Schema) -> list[Any] | None:
        values = self.target(schema).get("enum")
        return list(values) if isinstance(values, list) else None

    # --- request side ------------------------------------------------------
    def py_type(self, schema: Schema, *, in_array: bool = False) -> str:
        """The annotation an app may pass for a value of `schema`."""
        nullable = bool(schema.get("nullable"))
        text = self.py_type_of(schema, in_array=in_array)
        if nullable and text != "Any":
            text += " | None"
        return text

    def py_type_of(self, schema: Schema, *, in_array: bool) -> str:
        name = ref_name(schema)
        if name is not None:
            target = self.schemas.get(name, {})
            if "enum" in target:
                return literal(target["enum"])
            if target.get("type") == "object" and target.get("properties"):
                self.param_dicts.setdefault(name, target)
                forms = [ClassName(name, ""), f"{ClassName(name, '')}Param"]
                # A list an app builds is often typed list[dict[str, Any]]: its items accept any mapping too.
                return " | ".join([*forms, "Mapping[str, Any]"] if in_array else forms)
            return self.py_type_of(target, in_array=in_array)
        if "enum" in schema:
            return literal(schema["enum"])
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                return union(self.py_type(member, in_array=in_array) for member in schema[key])
        kind = schema.get("type")
        if kind == "array":
            items = schema.get("items")
            return f"Sequence[{self.py_type(items, in_array=True) if isinstance(items, dict) else 'Any'}]"
        simple = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
        if kind in simple:
            return simple[kind]
        if kind == "object":
            return "Mapping[str, Any]"
        return "Any"

    def typed_dict(
        self, class_name: str, schema: Schema, doc: str, skip: tuple[str, ...] = (), *, all_optional: bool = False
    ) -> list[str]:
        props = {k: v for k, v in schema.get("properties", {}).items() if k not in skip}
        required = set() if all_optional else set(schema.get("required", [])) - set(skip)
        fields = []
        for key, sub in props.items():
            annotation = self.py_type(sub)
            fields.append((key, f"Required[{annotation}]" if key in required else annotation, describe(sub)))
        if any(not key.isidentifier() or keyword.iskeyword(key) for key, _, _ in fields):
            body = ", ".join(f"{key!r}: {annotation}" for key, annotation, _ in fields)
            return [f"{class_name} = TypedDict({class_name!r}, {{{body}}}, total=False)", f'"""{escape(doc)}"""']
        lines = [f"class {class_name}(TypedDict, total=False):", f'    """{escape(doc)}"""', ""]
        for key, annotation, text in fields:
            lines.append(f"    {key}: {annotation}")
            if text:
                lines.append(f'    """{escape(text)}"""')
        if not fields:
            lines.append("    pass")
        return lines

    def request_lines(self) -> list[str]:
        request = self.schemas[self.request]
        props = request.get("properties", {})
        out = self.typed_dict(
            "BodyParams",
            request,
            f"Keyword arguments of `create()` from the spec's {self.request} (all optional; unset ones are not sent).",
            skip=NOT_PARAMS,
            all_optional=True,  # the wrapper fills in the default model; validation names any missing field
        )
        items = props.get("messages", {}).get("items", {})
        members = items.get("oneOf") or items.get("anyOf") or [items]
        message_types = [self.py_type(member) for member in members] + ["Mapping[str, Any]"]
        out += ["", "", f"MessageParam: TypeAlias = {union(message_types)!r}", '"""A message of `messages`."""']
        done: set[str] = set()
        while len(done) < len(self.param_dicts):
            for name in sorted(set(self.param_dicts) - done):
                done.add(name)
                doc = f"`{name}` as a dict (the generated model `{ClassName(name, '')}` is accepted too)."
                out += ["", "", *self.typed_dict(f"{ClassName(name, '')}Param", self.param_dicts[name], doc)]
        return out

    def body_params(self) -> list[str]:
        return sorted(key for key in self.schemas[self.request].get("properties", {}) if key not in NOT_PARAMS)

    def default_model(self) -> str | None:
        model = self.target(self.schemas[self.request].get("properties", {}).get("model", {}))
        values = model.get("enum")
        if isinstance(values, list) and values:
            return str(values[0])
        default = model.get("default")
        return str(default) if isinstance(default, str) else None

    # --- stream chunk tables ----------------------------------------------
    def chunk_tables(self) -> list[tuple[str, str, list[tuple[str, str, str, Any]]]]:
        tables: list[tuple[str, str, list[tuple[str, str, str, Any]]]] = []
        name: str | None = self.chunk
        for step in (*CHUNK_PATH, None):
            if name is None:
                break
            schema = self.schemas[name]
            tables.append((str(ClassName(name, "")), snake_case(name), self.fields(schema)))
            sub = schema.get("properties", {}).get(step, {}) if step else {}
            sub = sub.get("items", {}) if sub.get("type") == "array" else sub
            name = ref_name(sub) if step else None
        return tables

    def fields(self, schema: Schema) -> list[tuple[str, str, str, Any]]:
        out = []
        for key, sub in schema.get("properties", {}).items():
            attr = str(PythonIdentifier(key, FIELD_PREFIX))
            nullable = bool(sub.get("nullable"))
            values = self.enum_values(sub)
            target_name = ref_name(sub)
            items = sub.get("items") if sub.get("type") == "array" else None
            if values is not None and len(values) == 1 and key in schema.get("required", []):
                out.append((key, attr, "const", values[0]))
            elif values is not None:
                out.append((key, attr, "enum", (tuple(values), nullable)))
            elif target_name is not None and self.schemas.get(target_name, {}).get("type") == "object":
                out.append((key, attr, "model", ClassName(target_name, "")))
            elif isinstance(items, dict) and ref_name(items) is not None:
                out.append((key, attr, "list", ClassName(str(ref_name(items)), "")))
            else:
                out.append((key, attr, "plain", None))
        return out

    # --- completion tables ------------------------------------------------
    def completion_tables(self, model_names: set[str]) -> list[tuple[str, str, list[Field]]]:
        """Every model the completion reaches (breadth first, the completion first), with its fields."""
        tables: list[tuple[str, str, list[Field]]] = []
        schema_of: dict[str, str] = {}  # class name -> the first schema named so (what a model field holds)
        for name in self.schemas:
            schema_of.setdefault(str(ClassName(name, "")), name)
        pending = [self.completion]
        done: set[str] = set()
        while pending:
            name = pending.pop(0)
            if name in done:
                continue
            done.add(name)
            fields = self.completion_fields(self.schemas[name], model_names)
            tables.append((str(ClassName(name, "")), snake_case(name), fields))
            pending += [schema_of[field[3]] for field in fields if field[2] in ("model", "list")]
        return tables

    def completion_fields(self, schema: Schema, model_names: set[str]) -> list[Field]:
        required = schema.get("required", [])
        out: list[Field] = []
        for key, sub in schema.get("properties", {}).items():
            attr = str(PythonIdentifier(key, FIELD_PREFIX))
            kind, detail = self.completion_kind(sub, model_names)
            if kind == "enum" and len(detail) == 1 and key in required:
                kind, detail = "const", detail[0]
            out.append((key, attr, kind, detail, key in required, bool(sub.get("nullable"))))
        return out

    def completion_kind(self, sub: Schema, model_names: set[str]) -> tuple[str, Any]:
        values = self.enum_values(sub)
        if values is not None:
            return "enum", tuple(values)
        target = ref_name(sub)
        if target is not None:
            return self.model_kind("model", target, model_names)
        items = sub.get("items")
        if sub.get("type") == "array" and isinstance(items, dict):
            if ref_name(items) is not None:
                return self.model_kind("list", str(ref_name(items)), model_names)
            return ("plain", None) if self.is_plain(items) else ("other", None)
        return ("plain", None) if self.is_plain(sub) else ("other", None)

    def model_kind(self, kind: str, name: str, model_names: set[str]) -> tuple[str, Any]:
        """A reference to an object schema the generator made a class of, else `other`."""
        class_name = str(ClassName(name, ""))
        target = self.schemas.get(name, {})
        if target.get("type") == "object" and target.get("properties") and class_name in model_names:
            return kind, class_name
        return "other", None

    @staticmethod
    def is_plain(schema: Schema) -> bool:
        keys = {key for key in schema if not key.startswith("x-")} - PLAIN_KEYWORDS
        kind_format = schema.get("format")
        return not keys and schema.get("type") in PLAIN_TYPES and (kind_format is None or kind_format in PLAIN_FORMATS)


def literal(values: list[Any]) -> str:
    return f"Literal[{', '.join(repr(value) for value in values)}]"


def union(types: Any) -> str:
    seen: list[str] = []
    for text in types:
        for part in text.split(" | "):
            if part not in seen:
                seen.append(part)
    return " | ".join(seen)


RANGE_WORDS = (
    ("minimum", "minimum"),
    ("exclusiveMinimum", "exclusive minimum"),
    ("maximum", "maximum"),
    ("exclusiveMaximum", "exclusive maximum"),
    ("minLength", "min length"),
    ("maxLength", "max length"),
    ("minItems", "min items"),
    ("maxItems", "max items"),
    ("default", "default"),
)


def describe(schema: Schema) -> str:
    """The field's description, then its ranges and default as the spec states them."""
    text = " ".join(str(schema.get("description", "")).split())
    facts = [f"{word} {schema[key]!r}" for key, word in RANGE_WORDS if key in schema]
    if facts:
        text = (text + " " if text else "") + f"({', '.join(facts)})"
    return text


def escape(text: str) -> str:
    return re.sub(r'"(?=")|"$', '\\"', text.replace("\\", "\\\\"))


SURFACE_HEADER = '''"""The spec's facts for the hand-written wrapper: generated from the normalized spec, do not edit.

Written by spec/tools/surface.py at generation time (see its docstring). Plain data, cheap to
import; the request TypedDicts are in ``_params`` (imported for typing and by ``aimlapi_grok.types``).
"""

from __future__ import annotations

from typing import Any
'''

PARAMS_HEADER = '''"""The request's TypedDicts: generated from the normalized spec, do not edit.

Written by spec/tools/surface.py at generation time (see its docstring).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Required, TypeAlias, TypedDict
'''


def render(doc: Schema, model_names: set[str]) -> dict[str, str]:
    """The generated modules (file name -> source) for a normalized spec whose models are `model_names`."""
    surface = Surface(doc)
    request = surface.request_lines()
    used = sorted(name for name in model_names if re.search(rf"\b{name}\b", "\n".join(request)))
    params = [PARAMS_HEADER]
    if used:
        imports = [f"        {name}," for name in used]
        params += ["if TYPE_CHECKING:", "    from .models import (", *imports, "    )", ""]
    exported = sorted(re.findall(r"^(?:class )?(\w+Params?)\b", "\n".join(request), re.MULTILINE))
    params += ["__all__ = [", *(f"    {name!r}," for name in exported), "]", "", "", *request]
    lines = [
        SURFACE_HEADER,
        f"DEFAULT_MODEL: str | None = {surface.default_model()!r}",
        f"REQUEST_COMPONENT = {surface.request!r}",
        f"COMPLETION_COMPONENT = {surface.completion!r}",
        f"CHUNK_COMPONENT = {surface.chunk!r}",
        "# The keys of _params.BodyParams: the keyword arguments of create() that go into the body.",
        f"BODY_PARAMS: frozenset[str] = frozenset({surface.body_params()!r})",
        "",
        "# (class, module under .models, ((JSON key, attribute, kind, detail), ...)); kinds: const (the one value),",
        "# enum ((values), nullable), model (class), list (item class), plain.",
        "CHUNK_TABLES: tuple[tuple[str, str, tuple[tuple[str, str, str, Any], ...]], ...] = (",
    ]
    for class_name, module, fields in surface.chunk_tables():
        lines.append(f"    ({class_name!r}, {module!r}, (")
        lines += [f"        {field!r}," for field in fields]
        lines.append("    )),")
    lines.append(")")
    lines += [
        "",
        "# (class, module under .models, ((JSON key, attribute, kind, detail, required, nullable), ...)); kinds:",
        "# const (detail: the one value), enum (the values), model (class), list (item class), plain, other.",
        "COMPLETION_TABLES: tuple[tuple[str, str, tuple[tuple[str, str, str, Any, bool, bool], ...]], ...] = (",
    ]
    for class_name, module, completion_fields in surface.completion_tables(model_names):
        lines.append(f"    ({class_name!r}, {module!r}, (")
        lines += [f"        {field!r}," for field in completion_fields]
        lines.append("    )),")
    lines.append(")")
    return {"_surface.py": "\n".join(lines) + "\n", "_params.py": "\n".join(params) + "\n"}
