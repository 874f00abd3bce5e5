"""The emulator answers JSON for response_format when the spec has it, and quotes prompts without doubled stops."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from aimlapi_grok._schema import schema_document
from aimlapi_grok.testing import Emulator
from aimlapi_grok.testing._answers import json_format_field, plan_answer
from aimlapi_grok.testing._contract import REQUEST_COMPONENT

from spec.tools.export_schemas import export
from spec.tools.normalize import normalize

from .contract_support import ask, user_body

ROOT = Path(__file__).resolve().parents[2]
RICH_SPEC = Path("gpt-4o") / "4cd011cd3dc1420832b11289ec2e9612c3b53844.json"  # has response_format (see the mirror)
CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city", "days"],
}


@cache
def rich_spec_defs() -> dict[str, Any]:
    """The JSON Schema $defs of a mirrored spec that has response_format, normalized by the project's rules."""
    mirror = Path(os.environ.get("SPEC_MIRROR") or ROOT.parent / "shared" / "spec")
    source = mirror / RICH_SPEC
    if not source.is_file():
        pytest.skip(f"spec mirror not found ({source})")
    defs: dict[str, Any] = export(normalize(json.loads(source.read_text(encoding="utf-8"))))["tolerant"]["$defs"]
    return defs


def answer_text(body: dict[str, Any], json_field: str | None) -> str:
    return plan_answer({**user_body(), **body}, created=1, json_field=json_field).text


def test_the_json_field_is_found_in_a_spec_that_has_it_and_only_there() -> None:
    """response_format is found by its json_object/json_schema variants; the locked spec has no such field."""
    assert json_format_field(rich_spec_defs(), REQUEST_COMPONENT) == "response_format"
    assert json_format_field(schema_document()["tolerant"]["$defs"], REQUEST_COMPONENT) is None


def test_json_object_mode_answers_a_json_object() -> None:
    """{"type": "json_object"} makes the text a JSON object carrying the usual answer."""
    field = json_format_field(rich_spec_defs(), REQUEST_COMPONENT)
    text = answer_text({"response_format": {"type": "json_object"}}, field)
    assert json.loads(text)["answer"].startswith("Emulated answer to:")


def test_json_schema_mode_answers_an_instance_of_the_schema() -> None:
    """{"type": "json_schema", ...} makes the text a JSON value valid under the given schema."""
    field = json_format_field(rich_spec_defs(), REQUEST_COMPONENT)
    response_format = {"type": "json_schema", "json_schema": {"name": "weather", "schema": CITY_SCHEMA}}
    text = answer_text({"response_format": response_format}, field)
    assert jsonschema_rs.validator_for(CITY_SCHEMA).is_valid(json.loads(text))


def test_without_the_field_in_the_spec_the_answer_is_text() -> None:
    """With no JSON field in the spec (json_field None) the answer stays the plain template."""
    assert answer_text({"response_format": {"type": "json_object"}}, None).startswith("Emulated answer to:")


@pytest.mark.parametrize(
    ("prompt", "quoted"),
    [
        ("Why does streaming matter for chat UIs.", "chat UIs. The AIML"),
        ("Is it fast?", "fast? The AIML"),
        ("Say hi", "Say hi. The AIML"),
    ],
)
def test_the_prompt_is_quoted_with_one_full_stop(prompt: str, quoted: str) -> None:
    """A prompt ending in . ! or ? is quoted as is (no `UIs..`); others get one full stop."""
    planned = ask(Emulator(), user_body(prompt))
    assert quoted in json.loads(planned.body)["choices"][0]["message"]["content"]
