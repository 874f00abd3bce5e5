"""What a chunk's signature may leave out: read from the published schema the drift check uses.

A typed stream checks drift once per chunk *signature* (see ``_stream_chunk`` and
``StreamAccumulator.typed_checked``): two chunks with equal signatures must get
the same verdict from the published schema, and from every relaxation of it the
drift reporter makes (relaxing only drops constraints). The signature holds the
keys of each object (its layout), the type and value of every scalar, and nests;
it leaves out only

- the text of a field whose schema judges a value by its JSON type alone
  (``content_free``: a string field with no enum, pattern, format, length...),
- the value of a Python ``int`` in a field whose schema judges by JSON type
  alone but lets integers or numbers in (``content_free(..., numbers=True)``:
  a plain ``created`` or ``index``): every int is a valid JSON integer and
  number, whatever its size, so only a float's value counts there (1.0 is an
  integer, 1.5 is not, NaN is no number). Streams then share signatures
  (``created`` differs per stream), and one set of checked signatures serves
  them all (see ``_drift.checked_signatures``),
- the values of keys the published object does not list (refused whatever they
  are until reported, accepted whatever they are once relaxed).

All three hold only where the object's published schema is plain (``type``,
``properties``, ``required``, a boolean ``additionalProperties``, annotations),
reached from the chunk through plain wrappers ($ref, allOf of one, anyOf/oneOf
of one schema and null; arrays with ``items`` and a length at most). A table
whose object is anything else (or that the walk cannot find) gets no signature:
its chunks are checked in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["SignaturePlan", "content_free", "signature_plan"]

Table = tuple[str, str, tuple[tuple[str, str, str, Any], ...]]

_ANNOTATIONS = frozenset(("description", "deprecated", "readOnly", "writeOnly", "examples", "default", "$comment"))
_CONTENT_FREE_TYPES = frozenset(("string", "null", "boolean", "object", "array"))  # not integer (1.0), number (NaN)
_NUMBER_TYPES = _CONTENT_FREE_TYPES | {"integer", "number"}  # a float's value counts: 1.5 is no integer, NaN no number
_OBJECT_KEYWORDS = frozenset(("type", "properties", "required", "additionalProperties")) | _ANNOTATIONS
_ARRAY_KEYWORDS = frozenset(("type", "items", "minItems", "maxItems")) | _ANNOTATIONS
_NULL = {"type": "null"}


def content_free(node: Any, defs: Mapping[str, Any], depth: int = 0, *, numbers: bool = False) -> bool:
    """True when the schema `node` accepts or refuses a value by its JSON type alone, never by its content.

    Only `type` (without integer or number), annotations, and anyOf/allOf/oneOf/$ref of such schemas; any
    other keyword makes the content count. Conservative: what it cannot tell is not content-free.
    `numbers=True` lets `integer` and `number` types in too: then only a float's value counts.
    """
    allowed = _NUMBER_TYPES if numbers else _CONTENT_FREE_TYPES
    if isinstance(node, bool):
        return True
    if not isinstance(node, dict) or depth > 16:
        return False
    for keyword, value in node.items():
        if keyword in _ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword == "type":
            if not set(value if isinstance(value, list) else [value]) <= allowed:
                return False
        elif keyword in ("anyOf", "allOf", "oneOf"):
            if not isinstance(value, list) or not all(
                content_free(branch, defs, depth + 1, numbers=numbers) for branch in value
            ):
                return False
        elif keyword == "$ref":
            target = _ref(value, defs)
            if target is None or not content_free(target, defs, depth + 1, numbers=numbers):
                return False
        else:
            return False
    return True


def _ref(value: Any, defs: Mapping[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("#/$defs/"):
        return defs.get(value.rsplit("/", 1)[-1])
    return None


def _unwrap(node: Any, defs: Mapping[str, Any]) -> dict[str, Any] | None:
    """The schema behind plain wrappers ($ref, allOf [X], anyOf/oneOf [X, null]); None when it is no plain wrap."""
    for _ in range(16):
        if not isinstance(node, dict):
            return None
        rest = {key: value for key, value in node.items() if key not in _ANNOTATIONS}
        if rest.keys() == {"$ref"}:
            node = _ref(rest["$ref"], defs)
        elif rest.keys() == {"allOf"} and isinstance(rest["allOf"], list) and len(rest["allOf"]) == 1:
            node = rest["allOf"][0]
        elif len(rest) == 1 and rest.keys() <= {"anyOf", "oneOf"}:
            branches = next(iter(rest.values()))
            others = [branch for branch in branches if branch != _NULL] if isinstance(branches, list) else []
            if len(others) != 1 or len(branches) - len(others) > 1:
                return None
            node = others[0]
        else:
            return node
    return None


def _plain_object(node: Any, defs: Mapping[str, Any]) -> dict[str, Any] | None:
    schema = _unwrap(node, defs)
    if schema is None or not schema.keys() <= _OBJECT_KEYWORDS:
        return None
    if not isinstance(schema.get("additionalProperties", True), bool):
        return None
    properties = schema.get("properties", {})
    return schema if isinstance(properties, dict) else None


@dataclass
class SignaturePlan:
    """Per table: whether its objects can have a signature, its content-free keys (`free`; `int_free`: those
    where only a float's value counts), and the keys its schema lists."""

    signable: dict[int, bool] = field(default_factory=dict)
    free: dict[int, set[str]] = field(default_factory=dict)
    int_free: dict[int, set[str]] = field(default_factory=dict)
    listed: dict[int, set[str]] = field(default_factory=dict)

    def meet(
        self, number: int, schema: dict[str, Any] | None, free: set[str], int_free: set[str], listed: set[str]
    ) -> None:
        """Record one path to table `number` (a table reached twice must be signable on both, free on both)."""
        self.signable[number] = self.signable.get(number, True) and schema is not None
        self.free[number] = self.free[number] & free if number in self.free else free
        self.int_free[number] = self.int_free[number] & int_free if number in self.int_free else int_free
        self.listed[number] = self.listed.get(number, set()) | listed

    def signs(self, number: int, unknown: tuple[str, ...]) -> bool:
        """Whether objects of table `number` with these keys beyond the table can have a signature.

        A key the table lacks but the published schema lists has a schema for its value: not left out.
        """
        return self.signable.get(number, False) and not self.listed.get(number, set()).intersection(unknown)


def signature_plan(tables: tuple[Table, ...], root: str, defs: Mapping[str, Any]) -> SignaturePlan:
    """Walk the published schema from component `root` along the tables (table 0 is the chunk)."""
    numbers = {class_name: number for number, (class_name, _, _) in enumerate(tables)}
    plan = SignaturePlan()
    pending: list[tuple[int, dict[str, Any] | None]] = [(0, _plain_object(defs.get(root), defs))]
    visited: set[tuple[int, int]] = set()
    while pending:
        number, schema = pending.pop()
        if (number, id(schema)) in visited:
            continue
        visited.add((number, id(schema)))
        properties: dict[str, Any] = schema.get("properties", {}) if schema is not None else {}
        free = {key for key, sub in properties.items() if content_free(sub, defs)}
        int_free = {key for key, sub in properties.items() if content_free(sub, defs, numbers=True)}
        plan.meet(number, schema, free, int_free, set(properties))
        for key, _, kind, detail in tables[number][2]:
            if detail not in numbers or kind not in ("model", "list"):
                continue
            sub = properties.get(key) if schema is not None else None
            if kind == "list":
                array = _unwrap(sub, defs)
                sub = array.get("items") if array is not None and array.keys() <= _ARRAY_KEYWORDS else None
            pending.append((numbers[detail], _plain_object(sub, defs) if sub is not None else None))
    return plan
