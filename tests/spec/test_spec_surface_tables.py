"""spec/tools/surface.py's COMPLETION_TABLES: each field's kind as the typed completion builder relies on it."""

from __future__ import annotations

from typing import Any

from spec.tools.surface import Surface, render

REF = "#/components/schemas/"


def doc(completion: dict[str, Any], **schemas: dict[str, Any]) -> dict[str, Any]:
    """A normalized spec with one chat operation whose JSON answer is `completion`."""
    content = {
        "application/json": {"schema": {"$ref": REF + "Answer"}},
        "text/event-stream": {"schema": {"$ref": REF + "Chunk"}},
    }
    operation = {
        "requestBody": {"content": {"application/json": {"schema": {"$ref": REF + "Request"}}}},
        "responses": {"200": {"content": content}},
    }
    return {
        "paths": {"/v1/chat/completions": {"post": operation}},
        "components": {
            "schemas": {
                "Request": {"type": "object", "properties": {"model": {"type": "string"}}},
                "Chunk": {"type": "object", "properties": {"id": {"type": "string"}}},
                "Answer": completion,
                **schemas,
            }
        },
    }


ANSWER = {
    "type": "object",
    "required": ["object", "id"],
    "properties": {
        "object": {"type": "string", "enum": ["answer"]},
        "id": {"type": "string", "nullable": True},
        "tier": {"type": "string", "enum": ["a", "b"], "nullable": True},
        "part": {"allOf": [{"$ref": REF + "Part"}], "nullable": True},
        "parts": {"type": "array", "items": {"$ref": REF + "Part"}},
        "bytes": {"type": "array", "items": {"type": "integer"}},
        "when": {"type": "string", "format": "date-time"},
        "either": {"anyOf": [{"type": "string"}, {"$ref": REF + "Part"}]},
        "free": {"$ref": REF + "Free"},
        "unnamed": {"$ref": REF + "Unnamed"},
        "link": {"type": "string", "format": "uri", "x-note": "kept as sent"},
    },
}
PART = {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0}}}
FREE = {"type": "object"}


def test_each_field_gets_the_kind_its_generated_parsing_has() -> None:
    """Plain values, enums, the one-value required enum, models, lists of models, and `other` for the rest."""
    surface = Surface(doc(ANSWER, Part=PART, Free=FREE, Unnamed=PART))
    tables = surface.completion_tables({"Answer", "Part", "Free"})
    assert [name for name, _, _ in tables] == ["Answer", "Part"]  # breadth first from the answer, each once
    fields = {field[0]: field[2:] for field in tables[0][2]}
    assert fields == {
        "object": ("const", "answer", True, False),
        "id": ("plain", None, True, True),
        "tier": ("enum", ("a", "b"), False, True),
        "part": ("model", "Part", False, True),
        "parts": ("list", "Part", False, False),
        "bytes": ("plain", None, False, False),
        "when": ("other", None, False, False),  # the generator parses a date-time
        "either": ("other", None, False, False),  # a union
        "free": ("other", None, False, False),  # an object without properties
        "unnamed": ("other", None, False, False),  # no generated class of that name
        "link": ("plain", None, False, False),
    }
    assert tables[1][2] == [("n", "n", "plain", None, False, False)]


def test_the_tables_are_rendered_into_the_surface_module() -> None:
    """_surface.py carries COMPLETION_TABLES as plain data the wrapper reads."""
    source = render(doc(ANSWER, Part=PART, Free=FREE, Unnamed=PART), {"Answer", "Part", "Free"})["_surface.py"]
    namespace: dict[str, Any] = {}
    exec(compile(source, "_surface.py", "exec"), namespace)
    tables = namespace["COMPLETION_TABLES"]
    assert tables[0][:2] == ("Answer", "answer")
    assert ("parts", "parts", "list", "Part", False, False) in tables[0][2]
