"""A plain boolean validity predicate compiled from one component of the exported JSON Schema.

Why hand-written and not jsonschema-rs for every check: the concurrency
benchmark (1,000 async streams) showed jsonschema-rs's resident code pages
and compiled validators as the largest fixed part of the client's peak RSS
(about 6 MB over raw httpx). A conforming request or answer only needs a
yes, so that yes comes from Python source compiled here once per process
(the way fastjsonschema works, but returning a bool: no exception is raised
on the way, checks are straight-line `type(v) is ...` tests, enums are
`in frozenset`, each `$defs` entry is one function so `$ref` is a call and
recursion works). jsonschema-rs is imported only when the predicate says no,
to confirm and to explain (`_schema.Checker`).

Contract: the predicate returns True only for a value jsonschema-rs also
finds valid (draft 2020-12, `format` an annotation as jsonschema-rs applies
it by default). It returns False for an invalid value and also for one that
is not plain JSON data (a dict subclass, an Enum, a Decimal, a non-str key, a
NaN or infinity, a lone surrogate, a value nested deeper than
`MAX_PLAIN_DEPTH`): jsonschema-rs then decides, exactly as without the
predicate. Tuples count as arrays, as in jsonschema-rs. A component that
uses (anywhere it reaches) a keyword this compiler does not know gets no
predicate at all (`compile_predicate` returns None), so a spec we do not
ship never gets a wrong answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any

Predicate = Callable[[Any], bool]

# Keywords that never change validity as jsonschema-rs applies draft 2020-12 by default (format included).
ANNOTATIONS = frozenset(
    {"$comment", "$schema", "default", "deprecated", "description", "examples", "format", "readOnly", "title"}
    | {"writeOnly"}
)
_DEFS = "#/$defs/"
_BOUNDS = {"minimum": ">=", "maximum": "<=", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
_OBJECT_KEYWORDS = ("properties", "required", "additionalProperties")
_ONE_CALL = re.compile(r"(_\d+)\(v\)")
_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_PLAIN_DEPTH = 200  # deeper unconstrained values (or a cycle) are left to jsonschema-rs


class UnsupportedSchemaError(Exception):
    """The schema uses something the predicate compiler does not translate (jsonschema-rs is used instead)."""


def compile_predicate(document: dict[str, Any], definition: str) -> Predicate | None:
    """The predicate of `document["$defs"][definition]`; None when it reaches an unsupported keyword.

    KeyError when the document has no such component.
    """
    defs = document["$defs"]
    if definition not in defs:
        raise KeyError(f"no schema component named {definition!r}")
    try:
        source, namespace = _Compiler(defs).module(definition)
    except UnsupportedSchemaError:
        return None
    exec(compile(source, f"<schema predicate {definition}>", "exec"), namespace)  # noqa: S102 (source built above)
    predicate: Predicate = namespace["predicate"]
    return predicate


def predicate_source(document: dict[str, Any], definition: str) -> str:
    """The Python source `compile_predicate` runs (for reading and tests); UnsupportedSchemaError when none."""
    return _Compiler(document["$defs"]).module(definition)[0]


def text_ok(text: str) -> bool:
    """True when `text` has no lone surrogate (jsonschema-rs cannot encode one and raises)."""
    return text.isascii() or _SURROGATE.search(text) is None


def plain(value: Any) -> bool:
    """True when `value` is plain JSON data jsonschema-rs reads without error (any schema-free value)."""
    kind = type(value)
    if kind is str:
        return text_ok(value)
    if kind is dict or kind is list or kind is tuple:
        return _plain_container(value, 0)
    if kind is float:
        return bool(value - value == 0.0)  # False for NaN and infinities
    return kind is int or kind is bool or value is None


def _plain_container(value: dict[Any, Any] | list[Any] | tuple[Any, ...], depth: int) -> bool:
    # The depth cap ends a cycle; a RecursionError on the way ends in the predicate's one try as a "no".
    if depth >= MAX_PLAIN_DEPTH:
        return False
    items: Iterable[Any] = value
    # `text_ok` written out in the loops below: one call less per key and string of every checked value.
    if type(value) is dict:
        for key in value:
            if type(key) is not str or not (key.isascii() or _SURROGATE.search(key) is None):
                return False
        items = value.values()
    for item in items:
        kind = type(item)
        if kind is str:
            if not (item.isascii() or _SURROGATE.search(item) is None):
                return False
        elif kind is dict or kind is list or kind is tuple:
            if not _plain_container(item, depth + 1):
                return False
        elif not plain(item):
            return False
    return True


def same(value: Any, expected: Any) -> bool:
    """JSON equality as jsonschema-rs applies it to enum and const: 1 == 1.0, True != 1, a tuple equals a list."""
    kind = type(value)
    if kind is int or kind is float:
        return type(expected) in (int, float) and value == expected
    if kind is list or kind is tuple:
        return type(expected) is list and len(value) == len(expected) and all(map(same, value, expected))
    if kind is dict:
        return (
            type(expected) is dict
            and all(type(key) is str for key in value)
            and value.keys() == expected.keys()
            and all(same(value[key], expected[key]) for key in expected)
        )
    if kind is str or kind is bool or value is None:
        return type(expected) is kind and value == expected
    return False


def in_enum(value: Any, options: tuple[Any, ...]) -> bool:
    """True when `value` equals one of `options` (JSON equality, see `same`)."""
    return any(same(value, option) for option in options)


class _Compiler:
    """Python source for one component and every `$defs` entry it reaches."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.functions: list[str] = []
        self.tables: list[str] = []
        self.namespace: dict[str, Any] = {"_text_ok": text_ok, "_plain": plain, "_in_enum": in_enum}
        self.def_names: dict[str, str] = {}
        self.pending: list[str] = []
        self.by_schema: dict[str, str] = {}
        self.aliases: dict[str, str] = {}
        self.count = 0

    def module(self, definition: str) -> tuple[str, dict[str, Any]]:
        entry = self.def_function(definition)
        while self.pending:
            self.emit_def(self.pending.pop())
        aliases = [f"{alias} = {self.final(alias)}" for alias in self.aliases]
        # The one try: a value nested deeper than the stack (through a recursive $ref) is a "no", not an error.
        guarded = (
            f"def predicate(v):\n    try:\n        return {entry}(v)\n    except RecursionError:\n        return False"
        )
        return "\n".join([*self.functions, *aliases, *self.tables, guarded]), self.namespace

    def final(self, alias: str) -> str:
        """The function an alias (a component that is one call of another function) stands for."""
        seen = {alias}
        target = self.aliases[alias]
        while target in self.aliases:
            if target in seen:
                raise UnsupportedSchemaError("components that only $ref each other in a cycle")
            seen.add(target)
            target = self.aliases[target]
        return target

    def name(self) -> str:
        """A fresh name for a function, a table or a constant of the generated module."""
        self.count += 1
        return f"_{self.count}"

    def constant(self, value: Any) -> str:
        name = self.name()
        self.namespace[name] = value
        return name

    def def_function(self, definition: str) -> str:
        if definition not in self.def_names:
            if definition not in self.defs:
                raise UnsupportedSchemaError(f"$ref to a missing component {definition!r}")
            self.def_names[definition] = self.name()
            self.pending.append(definition)
        return self.def_names[definition]

    def emit_def(self, definition: str) -> None:
        name = self.def_names[definition]
        check = self.expression(self.defs[definition], "v")
        called = _ONE_CALL.fullmatch(check)
        if called:  # one call of another function: the component is that function (one frame less per check)
            self.aliases[name] = called.group(1)
        else:
            self.functions.append(f"def {name}(v):\n    return {check}\n")

    def function(self, schema: Any) -> str:
        """The name of a one-argument function checking `schema` (shared between equal schemas)."""
        meaning = {k: sub for k, sub in schema.items() if k not in ANNOTATIONS} if isinstance(schema, dict) else schema
        key = json.dumps(meaning, sort_keys=True)
        if key not in self.by_schema:
            check = self.expression(schema, "v")
            called = _ONE_CALL.fullmatch(check)
            if called:  # already a function of its own (an object or an array)
                self.by_schema[key] = called.group(1)
            else:
                name = self.by_schema[key] = self.name()
                self.functions.append(f"def {name}(v):\n    return {check}\n")
        return self.by_schema[key]

    def reference(self, ref: Any) -> str:
        if not isinstance(ref, str) or not ref.startswith(_DEFS):
            raise UnsupportedSchemaError(f"$ref {ref!r} does not point into #/$defs/")
        return self.def_function(ref.removeprefix(_DEFS))

    def expression(self, schema: Any, var: str) -> str:
        """A Python expression, True when the value in variable `var` is plain JSON and conforms to `schema`."""
        if schema is True:
            return f"_plain({var})"
        if schema is False:
            return "False"
        if not isinstance(schema, dict):
            raise UnsupportedSchemaError(f"a schema must be an object or a boolean, not {schema!r}")
        unknown = set(schema) - ANNOTATIONS - {"type", "$ref", "enum", "const", "anyOf", "oneOf", "allOf", "items"}
        unknown -= {*_BOUNDS, *_OBJECT_KEYWORDS}
        if unknown:
            raise UnsupportedSchemaError(f"keywords {sorted(unknown)} are not compiled")
        parts = self.value_parts(schema, var)
        typed = self.type_part(schema, var)
        if typed is not None:
            parts.insert(0, typed)
        else:
            conditional = self.untyped_parts(schema, var)
            if conditional:
                parts = [*conditional, *(parts or [f"_plain({var})"])]
        if not parts:
            return f"_plain({var})"
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def value_parts(self, schema: dict[str, Any], var: str) -> list[str]:
        """enum, const, $ref and the combinators: each holds only for plain JSON values."""
        parts: list[str] = []
        if "enum" in schema:
            parts.append(self.enum(schema["enum"], var))
        if "const" in schema:
            parts.append(self.enum([schema["const"]], var))
        if "$ref" in schema:
            parts.append(f"{self.reference(schema['$ref'])}({var})")
        for keyword, joiner in (("allOf", " and "), ("anyOf", " or "), ("oneOf", " + ")):
            if keyword not in schema:
                continue
            alternatives = schema[keyword]
            if not isinstance(alternatives, list) or not alternatives:
                raise UnsupportedSchemaError(f"{keyword} must be a non-empty list")
            picked = self.discriminated(alternatives) if keyword != "allOf" else None
            if picked is not None:
                parts.append(f"{picked}({var})")
                continue
            checks = [self.expression(alternative, var) for alternative in alternatives]
            if keyword == "oneOf":
                parts.append("(" + joiner.join(f"({check})" for check in checks) + " == 1)")
            else:
                parts.append(checks[0] if len(checks) == 1 else "(" + joiner.join(checks) + ")")
        return parts

    def discriminated(self, alternatives: list[Any]) -> str | None:
        """A function picking the one alternative that can match, when the alternatives are object
        components all requiring one property whose enums of strings do not overlap (then anyOf and oneOf
        both mean "the picked one matches"); None when they are not of that form."""
        targets: list[tuple[str, dict[str, Any]]] = []
        for alternative in alternatives:
            if not isinstance(alternative, dict) or set(alternative) - ANNOTATIONS != {"$ref"}:
                return None
            ref = alternative["$ref"]
            target = self.defs.get(ref.removeprefix(_DEFS)) if isinstance(ref, str) else None
            if not isinstance(target, dict) or target.get("type") != "object":
                return None
            targets.append((ref, target))
        for key in _required(targets[0][1]):
            table = _by_enum(key, targets)
            if table is not None:
                name, lookup = self.name(), self.name()
                entries = ", ".join(f"{value!r}: {self.reference(ref)}" for value, ref in table.items())
                self.tables.append(f"{lookup} = {{{entries}}}")
                self.functions.append(
                    f"def {name}(v):\n    if type(v) is not dict:\n        return False\n"
                    f"    x = v.get({key!r})\n    if type(x) is not str:\n        return False\n"
                    f"    f = {lookup}.get(x)\n    return f is not None and f(v)\n"
                )
                return name
        return None

    def enum(self, options: Any, var: str) -> str:
        if not isinstance(options, list) or not options:
            raise UnsupportedSchemaError("enum must be a non-empty list")
        if any(not plain(option) for option in options):
            raise UnsupportedSchemaError("an enum value is not plain JSON")
        if all(type(option) is str for option in options):
            return f"(type({var}) is str and {var} in {self.constant(frozenset(options))})"
        return f"_in_enum({var}, {self.constant(tuple(options))})"

    def type_part(self, schema: dict[str, Any], var: str) -> str | None:
        """The `type` keyword with the keywords of each type folded in; None without `type` or when an enum /
        const of strings allowed by it pins the type already (membership is the whole check)."""
        if "type" not in schema:
            return None
        names = schema["type"]
        names = [names] if isinstance(names, str) else names
        if not isinstance(names, list) or not names or not all(isinstance(name, str) for name in names):
            raise UnsupportedSchemaError(f"type {schema['type']!r} is not a type name or a list of them")
        options = _options(schema)
        if options and "string" in names and all(type(option) is str for option in options):
            return None
        checks = [self.one_type(name, schema, var) for name in names]
        return checks[0] if len(checks) == 1 else "(" + " or ".join(checks) + ")"

    def one_type(self, name: str, schema: dict[str, Any], var: str) -> str:
        bounds = self.bounds(schema, var)
        if name == "string":
            return f"(type({var}) is str and ({var}.isascii() or _text_ok({var})))"
        if name == "integer":
            check = f"(type({var}) is int or type({var}) is float and {var}.is_integer())"
            return f"({check} and {bounds})" if bounds else check
        if name == "number":
            check = f"(type({var}) is int or type({var}) is float and {var} - {var} == 0.0)"
            return f"({check} and {bounds})" if bounds else check
        if name == "boolean":
            return f"type({var}) is bool"
        if name == "null":
            return f"{var} is None"
        if name == "object":
            return f"{self.object_function(schema)}({var})"
        if name == "array":
            return f"{self.array_function(schema)}({var})"
        raise UnsupportedSchemaError(f"unknown type {name!r}")

    def untyped_parts(self, schema: dict[str, Any], var: str) -> list[str]:
        """Without `type`: the keywords of each type, each holding for values of other types."""
        parts: list[str] = []
        bounds = self.bounds(schema, var)
        if bounds:
            parts.append(f"(type({var}) is not int and type({var}) is not float or {bounds})")
        if any(keyword in schema for keyword in _OBJECT_KEYWORDS):
            parts.append(f"(type({var}) is not dict or {self.object_function(schema)}({var}))")
        if "items" in schema:
            array = self.array_function(schema)
            parts.append(f"(type({var}) is not list and type({var}) is not tuple or {array}({var}))")
        return parts

    def bounds(self, schema: dict[str, Any], var: str) -> str:
        checks = []
        for keyword, operator in _BOUNDS.items():
            if keyword not in schema:
                continue
            limit = schema[keyword]
            if type(limit) not in (int, float) or not plain(limit):
                raise UnsupportedSchemaError(f"{keyword} {limit!r} is not a finite number")
            checks.append(f"{var} {operator} {limit!r}")
        return " and ".join(checks)

    def object_function(self, schema: dict[str, Any]) -> str:
        properties = schema.get("properties", {})
        required = schema.get("required", [])
        extra = schema.get("additionalProperties", True)
        if not isinstance(properties, dict) or not isinstance(required, list):
            raise UnsupportedSchemaError("properties must be an object and required a list")
        names = [*properties, *required]
        if not all(type(name) is str and text_ok(name) for name in names):
            raise UnsupportedSchemaError("a property name is not a plain string")
        name = self.name()
        lines = [f"def {name}(v):", "    if type(v) is not dict:", "        return False"]
        if required:
            missing = " or ".join(f"{key!r} not in v" for key in dict.fromkeys(required))
            lines += [f"    if {missing}:", "        return False"]
        if not properties:
            lines += ["    for k, x in v.items():", f"        if {self.unknown_line(extra)}:"]
            lines += ["            return False"]
        else:
            table = self.name()
            entries = ", ".join(f"{key!r}: {self.function(sub)}" for key, sub in properties.items())
            self.tables.append(f"{table} = {{{entries}}}")
            lines += [
                "    for k, x in v.items():",
                f"        f = {table}.get(k)",
                "        if f is None:",
                f"            if {self.unknown_line(extra)}:",
                "                return False",
                "        elif type(k) is not str or not f(x):",
                "            return False",
            ]
        self.functions.append("\n".join([*lines, "    return True", ""]))
        return name

    def unknown_line(self, extra: Any) -> str:
        """The condition under which a key `k` with value `x` not among the properties fails."""
        if extra is False:
            return "True"  # (with no properties listed: any key fails)
        return f"type(k) is not str or not _text_ok(k) or not {self.expression(extra, 'x')}"

    def array_function(self, schema: dict[str, Any]) -> str:
        items = schema.get("items", True)
        if isinstance(items, list):
            raise UnsupportedSchemaError("items as a list (use prefixItems in draft 2020-12)")
        check = self.expression(items, "x")
        name = self.name()
        self.functions.append(
            f"def {name}(v):\n"
            "    if type(v) is not list and type(v) is not tuple:\n        return False\n"
            f"    for x in v:\n        if not {check}:\n            return False\n"
            "    return True\n"
        )
        return name


def _options(schema: dict[str, Any]) -> list[Any]:
    return [*schema.get("enum", []), *([schema["const"]] if "const" in schema else [])]


def _required(schema: dict[str, Any]) -> list[Any]:
    required = schema.get("required")
    return required if isinstance(required, list) else []


def _by_enum(key: str, targets: list[tuple[str, dict[str, Any]]]) -> dict[str, str] | None:
    """value of `key` -> the $ref of the one target allowing it; None unless every target requires `key`
    with an enum / const of strings and no value is allowed by two targets."""
    table: dict[str, str] = {}
    for ref, target in targets:
        properties = target.get("properties")
        sub = properties.get(key) if isinstance(properties, dict) else None
        if key not in _required(target) or not isinstance(sub, dict):
            return None
        options = _options(sub)
        if not options or not all(type(option) is str for option in options):
            return None
        for option in options:
            if option in table:  # (the same $ref twice in a oneOf: a value matching it matches twice)
                return None
            table[option] = ref
    return table
