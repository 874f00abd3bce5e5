"""_schema_predicate: JSON Schema as jsonschema-rs applies it to Python values, and the fallback to jsonschema-rs."""

from __future__ import annotations

import enum
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import jsonschema_rs
import pytest
from aimlapi_grok import _schema
from aimlapi_grok._schema import Checker, checker_for, schema_document, violations
from aimlapi_grok._schema_predicate import MAX_PLAIN_DEPTH, UnsupportedSchemaError, compile_predicate, predicate_source

INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
STRING = {"type": "string"}
ROLE = {"type": "object", "properties": {"role": {"enum": ["a"]}, "n": {"type": "integer"}}, "required": ["role"]}
OTHER_ROLE = {"type": "object", "properties": {"role": {"enum": ["b"]}, "s": STRING}, "required": ["role"]}
CONST_ROLE = {"type": "object", "properties": {"role": {"const": "c"}}, "required": ["role"]}
NOT_REQUIRING = {"type": "object", "properties": {"role": {"enum": ["d"]}}}
NUMBER_ROLE = {"type": "object", "properties": {"role": {"enum": [1]}}, "required": ["role"]}
NO_PROPERTIES = {"type": "object", "required": ["role"]}
ALTERNATIVES = {
    "role_a": ROLE,
    "role_b": OTHER_ROLE,
    "role_c": CONST_ROLE,
    "role_d": NOT_REQUIRING,
    "role_1": NUMBER_ROLE,
    "bare": NO_PROPERTIES,
}
TREE = {"type": "object", "properties": {"child": {"anyOf": [{"$ref": "#/$defs/tree"}, {"type": "null"}]}}}


class Colour(enum.Enum):
    RED = "red"


class Text(str):
    """A str subclass: jsonschema-rs refuses to read one."""


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


def tree(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"child": None}
    for _ in range(depth):
        value = {"child": value}
    return value


def document(schema: Any, **defs: Any) -> dict[str, Any]:
    """A draft 2020-12 document: `schema` as component "it", beside ALTERNATIVES and `defs`."""
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": {"it": schema, **ALTERNATIVES, **defs}}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def rs_answer(schema_document: dict[str, Any], value: Any) -> bool | None:
    """jsonschema-rs's answer; None when it raises (it cannot read the value)."""
    try:
        return bool(jsonschema_rs.validator_for({**schema_document, "$ref": "#/$defs/it"}).is_valid(value))
    except ValueError:
        return None


CASES: list[tuple[str, Any, Any]] = [
    ("a bool is not an integer", INTEGER, True),
    ("a bool is not a number", NUMBER, False),
    ("1.0 is an integer", INTEGER, 1.0),
    ("1.5 is not an integer", INTEGER, 1.5),
    ("a huge float with no fraction is an integer", INTEGER, 1e300),
    ("a big int is an integer", INTEGER, 2**70),
    ("a big int is over a maximum", {"type": "integer", "maximum": 10}, 2**70),
    ("a big int is under a big minimum", {"type": "integer", "minimum": 2**65}, 2**64 + 1),
    ("an int under a float minimum", {"type": "number", "minimum": 0.01}, 0),
    ("a float at the minimum", {"type": "number", "minimum": 0.01}, 0.01),
    ("exclusive bounds", {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}, 1),
    ("bounds ignore strings", {"minimum": 5}, "text"),
    ("bounds ignore bools", {"minimum": 5}, True),
    ("bounds without type check numbers", {"maximum": 5}, 6),
    ("NaN is no number", NUMBER, float("nan")),
    ("infinity is no number", NUMBER, float("inf")),
    ("NaN under an empty schema", {}, float("nan")),
    ("a tuple is an array", {"type": "array", "items": INTEGER}, (1, 2)),
    ("a tuple's item is checked", {"type": "array", "items": INTEGER}, (1, "2")),
    ("a non-str key", {"type": "object"}, {1: 2}),
    ("a non-str key under an empty schema", {}, {1: 2}),
    ("a str subclass", STRING, Text("x")),
    ("a lone surrogate", STRING, "\ud800"),
    ("a lone surrogate in an unknown key", {"type": "object", "additionalProperties": {}}, {"\ud800": 1}),
    ("an Enum member", STRING, Colour.RED),
    ("a Decimal", NUMBER, Decimal("1.5")),
    ("an OrderedDict", {"type": "object"}, OrderedDict(a=1)),
    ("an object()", {}, object()),
    ("an enum 1 takes 1.0", {"enum": [1]}, 1.0),
    ("an enum 1 refuses True", {"enum": [1]}, True),
    ("an enum True refuses 1", {"enum": [True]}, 1),
    ("an enum of lists takes a tuple", {"enum": [[1, "a"]]}, (1, "a")),
    ("an enum of objects compares values as JSON", {"enum": [{"a": 1}]}, {"a": 1.0}),
    ("an enum of objects refuses an extra key", {"enum": [{"a": 1}]}, {"a": 1, "b": 2}),
    ("an enum of strings and null takes null", {"enum": ["a", None]}, None),
    ("an enum of strings refuses a str subclass", {"enum": ["a"]}, Text("a")),
    ("const", {"const": "a"}, "a"),
    ("const refuses another value", {"const": "a"}, "b"),
    ("a string-typed enum refuses null", {"type": "string", "enum": ["a", None]}, None),
    ("type list", {"type": ["integer", "null"]}, None),
    ("type list refuses a string", {"type": ["integer", "null"]}, "1"),
    ("format is an annotation", {"type": "string", "format": "date-time"}, "not a date"),
    ("required", {"type": "object", "required": ["a"]}, {"b": 1}),
    ("required met", {"type": "object", "required": ["a"]}, {"a": None}),
    (
        "additionalProperties false",
        {"type": "object", "properties": {"a": {}}, "additionalProperties": False},
        {"b": 1},
    ),
    ("additionalProperties schema", {"type": "object", "additionalProperties": INTEGER}, {"b": "x"}),
    ("a str-subclass key", {"type": "object", "properties": {"a": {}}}, {Text("a"): 1}),
    ("object keywords without type skip non-objects", {"properties": {"a": INTEGER}}, [1]),
    ("object keywords without type check objects", {"properties": {"a": INTEGER}}, {"a": "x"}),
    ("items without type skip non-arrays", {"items": INTEGER}, "x"),
    ("items without type check arrays", {"items": INTEGER}, ["x"]),
    ("oneOf refuses a value matching two", {"oneOf": [INTEGER, NUMBER]}, 1),
    ("oneOf takes a value matching one", {"oneOf": [INTEGER, STRING]}, "x"),
    ("anyOf", {"anyOf": [INTEGER, STRING]}, None),
    ("allOf", {"allOf": [NUMBER, {"minimum": 3}]}, 2),
    ("a discriminated oneOf picks by role", {"oneOf": [ref("role_a"), ref("role_b")]}, {"role": "b", "s": "x"}),
    ("a discriminated oneOf checks the picked one", {"oneOf": [ref("role_a"), ref("role_b")]}, {"role": "a", "n": "x"}),
    ("a discriminated oneOf refuses an unknown role", {"oneOf": [ref("role_a"), ref("role_b")]}, {"role": "c"}),
    ("a discriminated oneOf refuses a list role", {"oneOf": [ref("role_a"), ref("role_b")]}, {"role": ["a"]}),
    ("a discriminated anyOf refuses a non-object", {"anyOf": [ref("role_a"), ref("role_b")]}, "a"),
    ("a deep list under an empty schema", {}, nested(MAX_PLAIN_DEPTH)),
    ("a list just within the depth cap", {}, nested(MAX_PLAIN_DEPTH - 1)),
    ("a const discriminated oneOf", {"oneOf": [ref("role_a"), ref("role_c")]}, {"role": "c"}),
    ("a const discriminated oneOf refuses", {"oneOf": [ref("role_a"), ref("role_c")]}, {"role": "b"}),
    ("alternatives not all requiring the key", {"oneOf": [ref("role_a"), ref("role_d")]}, {"role": "d"}),
    ("alternatives not all requiring the key, both", {"anyOf": [ref("role_a"), ref("role_d")]}, {"role": "a"}),
    ("alternatives with a number enum", {"oneOf": [ref("role_a"), ref("role_1")]}, {"role": 1}),
    ("alternatives without properties", {"oneOf": [ref("role_a"), ref("bare")]}, {"role": "a", "n": 1}),
    ("a discriminated allOf is not dispatched", {"allOf": [ref("role_a"), ref("role_b")]}, {"role": "a"}),
    ("one discriminated alternative", {"oneOf": [ref("role_a")]}, {"role": "a", "n": 2}),
    (
        "a discriminated anyOf beside a oneOf",
        {"anyOf": [ref("role_a"), ref("role_b")], "oneOf": [{"required": ["zz"]}]},
        {"role": "a"},
    ),
    ("an enum of strings against another type", {"type": "integer", "enum": ["a"]}, "a"),
    ("an enum of numbers against the string type", {"type": "string", "enum": [1]}, 1),
    ("non-ASCII text under an empty schema", {}, "é"),
    ("overlapping enums are counted", {"oneOf": [ref("role_a"), ref("role_a")]}, {"role": "a"}),
    ("non-ASCII text in a list", {}, ["é", {"ü": "ß"}]),
    ("a lone surrogate in a list", {}, ["a", "\ud800"]),
    ("a lone surrogate as a key in a list", {}, [{"\ud800": 1}]),
    ("a non-str key in a list", {}, [{2: 1}]),
    ("a str subclass in a list", {}, [Text("x")]),
    ("non-ASCII text", STRING, "é"),
    ("a non-ASCII key", {"type": "object", "additionalProperties": INTEGER}, {"ü": 1}),
    ("an enum with a Decimal", {"enum": [1]}, Decimal(1)),
    ("an enum with an object()", {"enum": [1, "a"]}, object()),
    ("an enum of lists refuses a shorter tuple", {"enum": [[1, "a"]]}, (1,)),
    ("an enum of lists refuses other items", {"enum": [[1, "a"]]}, [1, "b"]),
    ("an enum of lists refuses a dict", {"enum": [[1]]}, {"a": 1}),
    ("an enum of objects refuses a list", {"enum": [{"a": 1}]}, [1]),
    ("an enum of objects refuses a non-str key", {"enum": [{"a": 1}]}, {"a": 1, 2: 3}),
    ("an enum with null takes null", {"enum": [1, None]}, None),
    ("an enum with null refuses False", {"enum": [1, None]}, False),
    ("an enum with a bool takes it", {"enum": [1, True]}, True),
    ("an enum with text refuses a number", {"enum": [1, "1"]}, 2),
    ("a number enum refuses its text", {"enum": [1]}, "1"),
    ("type and enum both apply", {"type": "integer", "enum": [1, 2]}, 3),
    ("type and a string enum", {"type": "string", "enum": ["a"]}, "b"),
    ("type and anyOf both apply", {"type": "string", "anyOf": [{"minimum": 0}, {"type": "null"}]}, 5),
    ("bounds without type refuse a non-JSON value", {"minimum": 0}, Text("x")),
    ("an array without items", {"type": "array"}, [1, "a", None]),
    ("an array type refuses a string", {"type": "array", "items": INTEGER}, "x"),
    ("boolean property schemas", {"type": "object", "properties": {"a": True, "b": False}}, {"a": [1]}),
    ("a false property schema", {"type": "object", "properties": {"a": True, "b": False}}, {"b": 1}),
    (
        "a checked nested array",
        {"type": "object", "properties": {"a": {"type": "array", "items": INTEGER}}},
        {"a": ["x"]},
    ),
    (
        "two properties, one schema",
        {"type": "object", "properties": {"a": ROLE, "b": ROLE}},
        {"a": {"role": "a"}, "b": {}},
    ),
    ("unknown keys allowed beside properties", {"type": "object", "properties": {"a": {}}}, {"b": 1}),
    (
        "unknown keys checked beside properties",
        {"type": "object", "properties": {"a": {}}, "additionalProperties": INTEGER},
        {"b": "x"},
    ),
    (
        "unknown keys refused beside properties",
        {"type": "object", "properties": {"a": {}}, "additionalProperties": False},
        {"a": 1, "b": 2},
    ),
    ("no unknown key at all", {"type": "object", "additionalProperties": False}, {"a": 1}),
    ("an empty object with no unknown key", {"type": "object", "additionalProperties": False}, {}),
    ("a NaN under unknown keys", {"type": "object", "properties": {"a": {}}}, {"b": float("nan")}),
    ("true schema", True, {"a": [1, None]}),
    ("false schema", False, 1),
]


# Values jsonschema-rs reads (lazily, or converting them) though they are not plain JSON: the predicate says no.
NOT_PLAIN_BUT_READ = {
    "NaN under an empty schema",
    "an Enum member",
    "a Decimal",
    "an OrderedDict",
    "a lone surrogate in an unknown key",
    "a deep list under an empty schema",
    "a lone surrogate in a list",
    "a lone surrogate as a key in a list",
    "a non-str key in a list",
    "a str subclass in a list",
    "an enum with a Decimal",
    "a NaN under unknown keys",
}


@pytest.mark.parametrize(("label", "schema", "value"), CASES, ids=[case[0] for case in CASES])
def test_the_predicate_says_what_jsonschema_rs_says(label: str, schema: Any, value: Any) -> None:
    """Valid and invalid as jsonschema-rs says; a value jsonschema-rs cannot read (or would read the other way
    without it being plain JSON) gets a no, and jsonschema-rs decides."""
    doc = document(schema)
    predicate = compile_predicate(doc, "it")
    assert predicate is not None
    expected = rs_answer(doc, value)
    plain_json = label not in NOT_PLAIN_BUT_READ
    if plain_json:
        assert predicate(value) is bool(expected)
    else:
        assert expected is not False  # (these are the values jsonschema-rs accepts or cannot read)
        assert predicate(value) is False


def test_the_cases_cover_both_answers() -> None:
    """The table holds values jsonschema-rs accepts, refuses and cannot read (the test above can fail both ways)."""
    answers = []
    for _, schema, value in CASES:
        answers.append(rs_answer(document(schema), value))
    assert answers.count(True) >= 15
    assert answers.count(False) >= 15
    assert answers.count(None) >= 3


def test_a_discriminated_choice_is_one_dict_look_up() -> None:
    """Alternatives that all require `role` with distinct enums compile to a table keyed by role."""
    source = predicate_source(document({"oneOf": [ref("role_a"), ref("role_b")]}), "it")
    assert "x = v.get('role')" in source
    assert " + " not in source  # no counting of matching alternatives


def test_a_recursive_schema_is_followed_and_a_too_deep_value_is_a_no() -> None:
    """$ref recursion works; a value nested deeper than the stack gets False (not RecursionError)."""
    doc = document({"$ref": "#/$defs/tree"}, tree=TREE)
    predicate = compile_predicate(doc, "it")
    assert predicate is not None
    assert predicate(tree(50)) is True
    assert predicate({"child": {"child": 3}}) is False
    assert predicate(tree(5000)) is False


def test_a_cycle_is_a_no() -> None:
    """A list that holds itself ends at the depth cap (jsonschema-rs decides about it)."""
    loop: list[Any] = []
    loop.append(loop)
    predicate = compile_predicate(document({}), "it")
    assert predicate is not None
    assert predicate(loop) is False


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "pattern": "^a$"},
        {"type": "object", "properties": {"a": {"not": {"type": "null"}}}},
        {"anyOf": [{"$ref": "#/$defs/other"}, {"type": "null"}]},
        {"$ref": "https://example.com/schema.json"},
        {"$ref": "#/$defs/missing"},
        {"type": "array", "items": [{"type": "string"}]},
        {"type": "decimal"},
        {"type": 3},
        {"minimum": "1"},
        {"enum": []},
        {"anyOf": []},
        {"properties": []},
        {"enum": ["\ud800"]},
        {"$ref": "#/$defs/loop_a"},
        7,
        {"type": "object", "properties": {"\ud800": {}}},
        {"type": "object", "required": [1]},
        {"type": "object", "required": "a"},
        {"maximum": float("nan")},
        {"minimum": True},
        {"oneOf": [{"$ref": "#/$defs/role_a"}, {"$ref": "#/$defs/missing"}]},
        {"oneOf": [{"$ref": "#/$defs/role_a"}, {"$ref": "#/$defs/odd_required"}]},
        {"oneOf": [{"$ref": "#/$defs/role_a"}, {"$ref": 5}]},
        {"type": ["string", 5]},
        {"type": []},
    ],
)
def test_an_unsupported_schema_has_no_predicate(schema: Any) -> None:
    """A keyword or form the compiler does not translate, anywhere the component reaches: no predicate at all."""
    odd_required = {"type": "object", "properties": {"role": {"enum": ["b"]}}, "required": 5}
    doc = document(schema, other={"type": "object", "minProperties": 1}, loop_a={"$ref": "#/$defs/loop_b"})
    doc["$defs"]["odd_required"] = odd_required
    doc["$defs"]["loop_b"] = {"$ref": "#/$defs/loop_a"}
    assert compile_predicate(doc, "it") is None


def test_an_unsupported_component_out_of_reach_does_not_matter() -> None:
    """Only what the component reaches counts: an unknown keyword elsewhere in $defs leaves its predicate."""
    predicate = compile_predicate(document(STRING, other={"type": "string", "pattern": "^a$"}), "it")
    assert predicate is not None
    assert predicate("b") is True


def test_an_unknown_component_is_a_key_error() -> None:
    """Asking for a component the document does not have names it."""
    with pytest.raises(KeyError, match="nope"):
        compile_predicate(document(STRING), "nope")
    with pytest.raises(KeyError, match="nope"):
        checker_for("nope")


@pytest.mark.parametrize("answer", [None, False])
def test_the_checker_asks_jsonschema_rs_without_a_yes(monkeypatch: pytest.MonkeyPatch, answer: bool | None) -> None:
    """No predicate (an unsupported schema) or a predicate saying no: jsonschema-rs's answer counts."""
    monkeypatch.setattr(_schema, "predicate", lambda definition, variant: None if answer is None else (lambda v: False))
    checker = Checker("StreamOptions", "tolerant")
    assert checker.is_valid({"include_usage": True}) is True
    assert checker.is_valid({"include_usage": 1}) is False
    assert [error.message for error in checker.iter_errors({"include_usage": 1})] == ['1 is not of type "boolean"']


def test_violations_are_unchanged_by_the_predicate() -> None:
    """The detailed violations still come from jsonschema-rs: path, rule and message."""
    found = violations("StreamOptions", {"include_usage": "yes", "other": 1})
    assert [(v.path, v.rule, v.message) for v in found] == [("include_usage", "type", '"yes" is not of type "boolean"')]
    assert violations("StreamOptions", {"include_usage": True}) == []


def test_every_shipped_component_has_a_predicate() -> None:
    """The generated client's schemas use only keywords the compiler translates (no jsonschema-rs on the happy path)."""
    for variant in ("tolerant", "published"):
        defs = schema_document()[variant]
        missing = [name for name in defs["$defs"] if compile_predicate(defs, name) is None]
        assert missing == [], variant


@pytest.mark.parametrize(
    ("schema", "reason"),
    [
        ({"$ref": "#/$defs/loop_a"}, "components that only $ref each other in a cycle"),
        ({"$ref": "#/$defs/missing"}, "$ref to a missing component 'missing'"),
        ({"$ref": "https://example.com/s.json"}, "$ref 'https://example.com/s.json' does not point into #/$defs/"),
        ({"items": 7}, "a schema must be an object or a boolean, not 7"),
        ({"type": "string", "pattern": "^a$"}, "keywords ['pattern'] are not compiled"),
        ({"anyOf": []}, "anyOf must be a non-empty list"),
        ({"enum": []}, "enum must be a non-empty list"),
        ({"enum": [float("nan")]}, "an enum value is not plain JSON"),
        ({"type": [3]}, "type [3] is not a type name or a list of them"),
        ({"type": "decimal"}, "unknown type 'decimal'"),
        ({"maximum": "2"}, "maximum '2' is not a finite number"),
        ({"properties": []}, "properties must be an object and required a list"),
        ({"required": [1]}, "a property name is not a plain string"),
        ({"type": "array", "items": [True]}, "items as a list (use prefixItems in draft 2020-12)"),
    ],
)
def test_the_compiler_says_why_it_has_no_predicate(schema: Any, reason: str) -> None:
    """predicate_source names what it does not translate (compile_predicate then returns None)."""
    doc = document(schema, loop_a={"$ref": "#/$defs/loop_b"}, loop_b={"$ref": "#/$defs/loop_a"})
    with pytest.raises(UnsupportedSchemaError) as caught:
        predicate_source(doc, "it")
    assert str(caught.value) == reason


@pytest.mark.parametrize("schema", [{"enum": ["a", "b"]}, {"type": "string", "const": "a"}])
def test_strings_are_a_set_look_up(schema: Any) -> None:
    """An enum or const of strings compiles to `in` a frozenset, with no type test of its own and no generic compare."""
    source = predicate_source(document(schema), "it")
    assert "_in_enum" not in source
    assert "isascii" not in source


def test_a_const_discriminated_choice_is_a_look_up() -> None:
    """Alternatives told apart by a const compile to the same table."""
    source = predicate_source(document({"oneOf": [ref("role_a"), ref("role_c")]}), "it")
    assert "x = v.get('role')" in source
