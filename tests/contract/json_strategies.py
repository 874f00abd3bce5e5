"""Hypothesis strategies for the spec's JSON Schema export: every value they draw is one the schema allows.

A small, fast generator for the keywords the export uses (type, properties,
required, additionalProperties, items, enum, anyOf, oneOf, allOf, $ref,
minimum, maximum, pattern, format uri/date-time). Every draw is checked against the
compiled validator (formats included), so a value the schema refuses can never
reach a property test. Sizes are kept small (a few items and extra keys) so a
thousand examples run in seconds; hypothesis-jsonschema does not run on the
pinned hypothesis version and schemathesis strategies were ~20x slower here.
"""

from __future__ import annotations

from datetime import UTC
from typing import Any

import jsonschema_rs
from hypothesis import strategies as st

MAX_ITEMS = 2
MAX_EXTRA_KEYS = 2
KEY_ALPHABET = st.characters(codec="utf-8", categories=["L", "N"], include_characters="_-")
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12)
URIS = st.sampled_from(["https://example.com/cat.png", "data:image/png;base64,iVBORw0KGgo=", "http://localhost/a"])
DATE_TIMES = st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat().replace("+00:00", "Z"))
FLOATS = st.floats(allow_nan=False, allow_infinity=False)
JSON_SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | FLOATS | TEXT
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=MAX_ITEMS)
        | st.dictionaries(st.text(KEY_ALPHABET, max_size=6), inner, max_size=MAX_ITEMS)
    ),
    max_leaves=3,
)


class UnsupportedKeyword(ValueError):
    """The schema uses a keyword this generator does not model (extend it rather than guess)."""


class _Builder:
    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.named: dict[str, st.SearchStrategy[Any]] = {}

    def ref(self, pointer: str) -> st.SearchStrategy[Any]:
        name = pointer.removeprefix("#/$defs/")
        if name not in self.named:
            self.named[name] = st.deferred(lambda: self.build(self.defs[name]))
        return self.named[name]

    def build(self, schema: Any) -> st.SearchStrategy[Any]:
        if schema is True or schema == {}:
            return JSON_VALUES
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        if "allOf" in schema:
            if len(schema["allOf"]) != 1:
                raise UnsupportedKeyword("allOf with more than one schema")
            return self.build(schema["allOf"][0])
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                return st.one_of([self.build(option) for option in schema[keyword]])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        kind = schema.get("type")
        if isinstance(kind, list):
            return st.one_of([self.build({**schema, "type": single}) for single in kind])
        return self.typed(kind, schema)

    def typed(self, kind: str | None, schema: dict[str, Any]) -> st.SearchStrategy[Any]:
        if kind == "string" and "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if kind == "string":
            return {"uri": URIS, "date-time": DATE_TIMES}.get(schema.get("format", ""), TEXT)
        if kind == "integer":
            return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6))
        if kind == "number":
            low, high = schema.get("minimum"), schema.get("maximum")
            return st.floats(low, high, allow_nan=False, allow_infinity=False) | st.integers(
                int(low) if low is not None else -(10**6), int(high) if high is not None else 10**6
            ).filter(lambda number: low is None or number >= low)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        if kind == "array":
            return st.lists(self.build(schema.get("items", True)), max_size=MAX_ITEMS)
        if kind == "object":
            return self.object(schema)
        if kind is None and set(schema) <= {"description", "default"}:
            return JSON_VALUES
        raise UnsupportedKeyword(f"cannot generate for schema {schema!r}")

    def object(self, schema: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        fixed = st.fixed_dictionaries(
            {name: self.build(sub) for name, sub in properties.items() if name in required},
            optional={name: self.build(sub) for name, sub in properties.items() if name not in required},
        )
        extra_schema = schema.get("additionalProperties", True)
        if extra_schema is False:
            return fixed
        keys = st.text(KEY_ALPHABET, min_size=1, max_size=8).filter(lambda key: key not in properties)
        extra = st.dictionaries(keys, self.build(extra_schema), max_size=MAX_EXTRA_KEYS)
        return st.tuples(extra, fixed).map(lambda parts: {**parts[0], **parts[1]})


def values_of(document: dict[str, Any], component: str) -> st.SearchStrategy[Any]:
    """Values of component `component` of a JSON Schema export variant (`{"$defs": ..., "$schema": ...}`)."""
    validator = jsonschema_rs.validator_for({**document, "$ref": f"#/$defs/{component}"}, validate_formats=True)
    return _Builder(document["$defs"]).ref(f"#/$defs/{component}").filter(validator.is_valid)
