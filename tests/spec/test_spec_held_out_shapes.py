"""Shapes met in catalogue files the project does not ship, each reproduced by a synthetic fragment.

Held-out files of the catalogue were run through the pipeline; each shape that broke it is rebuilt
here from scratch (no upstream text): a request body published as a union of per-model variants
(the router files), a map whose values are objects, a success response without a JSON body, a
streamable operation that publishes no chunk schema (a minimal hand-written file), and files of
other endpoints (`/v1/messages`, `/v1/responses`), which must be refused by name.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from spec.tools.generate import generate, main
from spec.tools.normalize import NormalizeError, load_rules, normalize
from spec.tools.request_variants import merge_variants
from spec.tools.surface import SurfaceError, chat_paths

from .test_spec_normalize_engine import echo_spec

Spec = dict[str, Any]
REF = "#/components/schemas/"


def message(role: str, content: Spec) -> Spec:
    role_schema = {"type": "string", "enum": [role]}
    return {"type": "object", "required": ["role", "content"], "properties": {"role": role_schema, "content": content}}


def variant(models: list[str], messages: list[Spec], **extra: Spec) -> Spec:
    """One routed model family's request: its model enum, its messages, its own parameters."""
    properties = {
        "model": {"type": "string", "enum": models},
        "messages": {"type": "array", "items": {"oneOf": messages}},
        **extra,
    }
    return {"type": "object", "required": ["model", "messages"], "properties": properties}


TEXT = {"type": "string"}
PARTS = {"type": "array", "items": {"type": "object", "properties": {"text": TEXT}}}
ROUTED = {
    "anyOf": [
        variant(
            ["acme/router", "acme/fast"],
            [message("user", {"anyOf": [TEXT, PARTS]}), message("system", TEXT)],
            temperature={"type": "number", "minimum": 0, "maximum": 2},
            reasoning={"type": "object", "properties": {"effort": {"type": "string", "enum": ["low", "high"]}}},
        ),
        variant(
            ["acme/slow", "acme/router"],
            [message("user", TEXT), message("tool", TEXT)],
            temperature={"type": "number", "minimum": 0, "maximum": 1},
            reasoning={"type": "object", "properties": {"summary": {"type": "string"}}, "required": ["summary"]},
            top_k={"type": "integer", "minimum": 1, "description": "Only this family has it."},
        ),
    ]
}


def test_a_request_published_as_variants_is_one_request_with_every_parameter() -> None:
    """Router files publish the request as anyOf of per-model objects: the client gets one request with every
    parameter, every model in one enum, and only what every variant requires as required."""
    schemas = normalize(echo_spec(copy.deepcopy(ROUTED), {}))["components"]["schemas"]
    request = schemas["EchoRequest"]
    assert list(request["properties"]) == ["model", "messages", "temperature", "reasoning", "top_k"]
    assert request["properties"]["model"]["enum"] == ["acme/router", "acme/fast", "acme/slow"]
    assert request["required"] == ["model", "messages"]
    assert request["x-request-variants"] == 2
    # A property the variants publish differently keeps each form; objects are merged property by property.
    assert request["properties"]["temperature"]["anyOf"] == [
        {"type": "number", "minimum": 0, "maximum": 2},
        {"type": "number", "minimum": 0, "maximum": 1},
    ]
    reasoning = schemas[request["properties"]["reasoning"]["$ref"].removeprefix(REF)]
    assert sorted(reasoning["properties"]) == ["effort", "summary"]
    assert "required" not in reasoning  # only one variant requires `summary`


def test_messages_of_one_role_from_several_variants_become_one_message_model() -> None:
    """Each role is one message model (its content forms combined), so a user message matches exactly one member."""
    merged = merge_variants(copy.deepcopy(ROUTED))
    assert merged is not None
    members = merged["properties"]["messages"]["items"]["oneOf"]
    assert [member["properties"]["role"]["enum"] for member in members] == [["user"], ["system"], ["tool"]]
    user_content = members[0]["properties"]["content"]
    assert user_content == {"anyOf": [{"anyOf": [TEXT, PARTS]}, TEXT]}
    normalized = normalize(echo_spec(copy.deepcopy(ROUTED), {}))
    assert {"UserMessage", "SystemMessage", "ToolMessage"} <= set(normalized["components"]["schemas"])
    assert list(OpenAPIV30SpecValidator(normalized).iter_errors()) == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": "object", "properties": {"text": TEXT}},  # an ordinary request
        {"anyOf": [{"type": "object", "properties": {"text": TEXT}}, TEXT]},  # a union that is not all objects
        {"oneOf": []},
    ],
)
def test_only_a_union_of_objects_is_merged(body: Spec) -> None:
    """A request that is an object already, or a union with a non-object member, is left as published."""
    assert merge_variants(copy.deepcopy(body)) is None


def test_a_union_request_that_cannot_be_merged_is_an_error_naming_its_place() -> None:
    """A union with a non-object member stays a union; its object member cannot be named, and the error says so."""
    body = {"anyOf": [{"type": "object", "properties": {"text": TEXT}}, TEXT]}
    with pytest.raises(NormalizeError, match=r"^no naming rule matches a union member at a request root schema"):
        normalize(echo_spec(body, {}))


def test_the_request_variants_switch_is_read() -> None:
    """Switched off, the union stays and normalizing stops at the unnamed variants."""
    rules = load_rules()
    rules["request_variants"]["enabled"] = False
    with pytest.raises(NormalizeError, match="union member at a request root"):
        normalize(echo_spec(copy.deepcopy(ROUTED), {}), rules)


def test_a_map_of_objects_names_its_values_after_the_map() -> None:
    """`model_info: {<name>: {...}}` (a map whose values are objects) gives a ModelInfoValue model, not an error."""
    value = {"type": "object", "properties": {"name": TEXT, "version": TEXT}}
    listed = {"type": "array", "items": {"type": "object", "properties": {"score": {"type": "number"}}}}
    response = {
        "model_info": {"type": "object", "additionalProperties": value},
        "scores": {"type": "object", "additionalProperties": listed},
    }
    schemas = normalize(echo_spec({"type": "object", "properties": {"text": TEXT}}, response))["components"]["schemas"]
    assert schemas["Echo"]["properties"]["model_info"]["additionalProperties"] == {"$ref": REF + "ModelInfoValue"}
    assert schemas["ModelInfoValue"]["properties"] == value["properties"]
    assert schemas["Echo"]["properties"]["scores"]["additionalProperties"]["items"] == {"$ref": REF + "ScoresValue"}


def test_an_error_body_never_names_the_request() -> None:
    """Without a JSON success body the request is not named after the first JSON answer (the error body)."""
    chunk = {"type": "object", "properties": {"object": {"type": "string", "enum": ["echo.chunk"]}}}
    spec = echo_spec({"type": "object", "properties": {"text": TEXT}}, {})
    spec["paths"]["/v1/echo"]["post"]["responses"] = {"200": {"content": {"text/event-stream": {"schema": chunk}}}}
    normalized = normalize(spec)
    assert "ErrorBody" in normalized["components"]["schemas"]  # the error responses were added first
    body = normalized["paths"]["/v1/echo"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": REF + "Request"}


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/responses", "/v1/chat/completions/extra"])
def test_a_file_of_another_endpoint_is_refused_naming_what_it_has(path: str, tmp_path: Path) -> None:
    """A catalogue file for /v1/messages or /v1/responses is not a chat-completions spec: generation stops at once
    with an error naming the operations the file has, before the normalizer or the generator runs."""
    spec = echo_spec({"type": "object", "properties": {"text": TEXT}}, {})
    spec["paths"] = {path: spec["paths"]["/v1/echo"], "/v1/models": {"get": {"responses": {}}}}
    source = tmp_path / "published.json"
    source.write_text(json.dumps(spec), encoding="utf-8")
    with pytest.raises(SurfaceError) as refused:
        generate(source, tmp_path / "aimlapi_grok_api")
    assert str(refused.value) == (
        "not a chat-completions spec: no POST operation at a .../chat/completions path"
        f" (operations: POST {path}, GET /v1/models)"
    )
    assert not (tmp_path / "aimlapi_grok_api").exists()


def test_the_command_line_says_why_a_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`make generate SPEC=<a /v1/responses file>` exits 1 with the cause on stderr, not a traceback."""
    source = tmp_path / "published.json"
    source.write_text(json.dumps({"openapi": "3.0.0", "paths": {}}), encoding="utf-8")
    assert main([str(source), "--out", str(tmp_path / "out")]) == 1
    assert capsys.readouterr().err == (
        "generate: error: not a chat-completions spec: no POST operation at a .../chat/completions path"
        " (operations: none)\n"
    )


def test_the_chat_operation_is_found_under_either_published_path() -> None:
    """Both published paths of the chat operation (`/v1/chat/completions` and `/chat/completions`) count."""
    for path in ("/v1/chat/completions", "/chat/completions"):
        assert list(chat_paths({"paths": {path: {"post": {}}, "/v1/models": {"get": {}}}})) == [path]


def json_only_spec(request_properties: Spec) -> Spec:
    """A chat-like operation that publishes only the JSON completion (no chunk schema), as a minimal file does."""
    return echo_spec({"type": "object", "properties": request_properties}, {})


@pytest.mark.parametrize("enabled", [True, False])
def test_a_streamable_operation_without_a_chunk_schema_gets_the_documented_one(enabled: bool) -> None:
    """A file whose request has `stream` but whose 200 publishes only JSON gets the documented chunk next to its
    own completion (kept as published); with the switch off it keeps only what it publishes."""
    rules = load_rules()
    rules["missing_success_body"]["complete_partial_bodies"]["enabled"] = enabled
    spec = json_only_spec({"text": TEXT, "stream": {"type": "boolean"}})
    content = normalize(spec, rules)["paths"]["/v1/echo"]["post"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": REF + "Echo"}  # the published completion, kept
    if enabled:
        assert content["text/event-stream"]["schema"] == {"$ref": REF + "ChatCompletionChunk"}
    else:
        assert list(content) == ["application/json"]


def test_an_operation_that_cannot_stream_gets_no_chunk_schema() -> None:
    """Without `stream` in the request nothing says the operation streams: its JSON-only answer stays alone."""
    content = normalize(json_only_spec({"text": TEXT}))["paths"]["/v1/echo"]["post"]["responses"]["200"]["content"]
    assert list(content) == ["application/json"]


@pytest.mark.parametrize(
    ("open_variants", "expected"),
    [((False, False), False), ((False, True), None), ((True, True), None)],
)
def test_additional_properties_are_kept_only_when_every_variant_agrees(
    open_variants: tuple[bool, bool], expected: bool | None
) -> None:
    """`additionalProperties: false` on every variant stays; a variant open to other keys opens the merged request."""
    variants: list[Spec] = [{"type": "object", "properties": {"model": TEXT}} for _ in open_variants]
    for variant, is_open in zip(variants, open_variants, strict=True):
        if not is_open:
            variant["additionalProperties"] = False
    merged = merge_variants({"oneOf": variants, "description": "Routed.", "title": "acme/router"})
    assert merged is not None
    assert merged.get("additionalProperties") is expected
    assert (merged["description"], merged["title"], merged["x-request-variants"]) == ("Routed.", "acme/router", 2)
