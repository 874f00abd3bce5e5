"""The normalizer matches concepts, not this file's JSON paths: the rules fire on other paths and other specs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator

from spec.tools.normalize import NormalizeError, Normalizer, load_rules, normalize
from spec.tools.normalize_rules import RULES_SCHEMA

Spec = dict[str, Any]


def thing_operation(with_colour: bool) -> Spec:
    """A published-style operation: inline schemas, a titled request, JSON and SSE 200 bodies, no descriptions."""
    widget = {
        "type": "object",
        "required": ["id", "size"],
        "properties": {"id": {"type": "string"}, "size": {"type": "number", "description": "Size in cm."}},
    }
    thing = {
        "type": "object",
        "required": ["id", "object", "widgets", "usage"],
        "properties": {
            "id": {"type": "string"},
            "object": {"type": "string", "enum": ["thing"]},
            "widgets": {"type": "array", "items": widget},
            "usage": {"type": "object", "properties": {"used_tokens": {"type": "number"}}},
        },
    }
    chunk = {
        "type": "object",
        "required": ["object", "choices"],
        "properties": {
            "object": {"type": "string", "enum": ["thing.chunk"]},
            "choices": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["index", "delta", "finish_reason"],
                    "properties": {
                        "index": {"type": "number"},
                        "finish_reason": {"type": "string", "enum": ["stop"]},
                        "delta": {
                            "type": "object",
                            "required": ["content", "role"],
                            "properties": {"content": {"type": "string"}, "role": {"type": "string"}},
                        },
                    },
                },
            },
        },
    }
    request: Spec = {
        "title": "acme/thing-model-9",
        "type": "object",
        "required": ["name"],
        "properties": {"name": {"type": "string"}, "max_tokens": {"type": "number"}},
    }
    if with_colour:
        request["properties"]["colour"] = {"type": "string", "enum": ["red", "blue"]}
    return {
        "operationId": "_v2_things",
        "x-codeSamples": [{"lang": "sh", "source": "curl ..."}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": request}}},
        "responses": {
            "200": {"content": {"application/json": {"schema": thing}, "text/event-stream": {"schema": chunk}}}
        },
    }


def thing_spec() -> Spec:
    return {
        "openapi": "3.0.0",
        "info": {"title": "Things API", "version": "2"},
        "paths": {"/v2/things": {"post": thing_operation(True)}, "/things": {"post": thing_operation(False)}},
    }


@pytest.fixture
def things() -> Spec:
    return normalize(thing_spec())


def test_alias_is_merged_on_other_paths(things: Spec) -> None:
    """`/things` is recorded as an alias of `/v2/things`, with the request property only the canonical one has."""
    assert list(things["paths"]) == ["/v2/things"]
    item = things["paths"]["/v2/things"]
    assert item["x-aliases"] == ["/things"]
    assert item["x-alias-differences"] == {"/things": {"request_properties_only_canonical": ["colour"]}}


def test_descriptions_and_validity_come_from_the_document_rules(things: Spec) -> None:
    """Missing response descriptions are added (200 -> OK) and the result is valid OpenAPI 3.0."""
    responses = things["paths"]["/v2/things"]["post"]["responses"]
    assert responses["200"]["description"] == "OK"
    assert all(response["description"] for response in responses.values())
    assert list(OpenAPIV30SpecValidator(things).iter_errors()) == []
    assert "x-codeSamples" not in json.dumps(things)


def test_names_are_derived_from_concepts(things: Spec) -> None:
    """Names come from `object` values, the request rule, property names and the chunk's parent."""
    names = set(things["components"]["schemas"])
    assert names == {
        *("Thing", "ThingRequest", "Widget", "Usage", "ThingChunk", "Choice", "Delta", "ErrorBody"),
        "ChoiceFinishReason",  # the nullable enum, named as the generator names inline enums
    }
    operation = things["paths"]["/v2/things"]["post"]
    assert operation["operationId"] == "create_thing"
    assert operation["tags"] == ["things"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ThingRequest"
    }
    assert "title" not in things["components"]["schemas"]["ThingRequest"]


def test_corrections_and_tolerance_fire_on_other_schemas(things: Spec) -> None:
    """Stream corrections, integer counts, tolerance and error responses apply to this unrelated API too."""
    found = things["components"]["schemas"]
    assert "required" not in found["Delta"]
    assert found["Choice"]["properties"]["finish_reason"] == {
        "allOf": [{"$ref": "#/components/schemas/ChoiceFinishReason"}],
        "nullable": True,
    }
    assert found["ChoiceFinishReason"] == {"type": "string", "enum": ["stop"]}
    assert found["Choice"]["properties"]["index"]["type"] == "integer"
    assert found["Usage"]["properties"]["used_tokens"]["type"] == "integer"
    assert found["ThingRequest"]["properties"]["max_tokens"]["type"] == "integer"
    assert found["Widget"]["properties"]["size"]["type"] == "number"
    assert found["Thing"]["required"] == ["object"]
    assert found["Thing"]["x-published-required"] == ["id", "object", "usage", "widgets"]
    assert found["ThingRequest"]["required"] == ["name"]
    statuses = things["paths"]["/v2/things"]["post"]["responses"]
    assert sorted(statuses) == ["200", "400", "401", "403", "404", "429", "500", "502", "503", "504"]


def test_real_spec_under_other_paths_gives_the_same_components(published: Callable[[str], Spec]) -> None:
    """Moving the published operation to `/v3/talk` (+ alias `/talk`) changes no component: nothing keys on paths."""
    spec = published("newest")
    moved = dict(spec)
    moved["paths"] = {"/v3/talk": spec["paths"]["/v1/chat/completions"], "/talk": spec["paths"]["/chat/completions"]}
    original, relocated = normalize(spec), normalize(moved)
    assert relocated["components"] == original["components"]
    assert list(relocated["paths"]) == ["/v3/talk"]
    assert relocated["paths"]["/v3/talk"]["x-aliases"] == ["/talk"]
    assert relocated["paths"]["/v3/talk"]["post"]["operationId"] == "create_chat_completion"
    assert relocated["paths"]["/v3/talk"]["post"]["tags"] == ["talk"]


def test_unknown_selector_in_a_rule_is_refused() -> None:
    """A misspelt selector in the rule file is an error naming it, not a rule that silently never fires."""
    rules = load_rules()
    rules["corrections"] = [{"select": {"propety": "delta"}, "set": {"required": []}, "reason": "typo"}]
    with pytest.raises(NormalizeError, match=r"corrections/0/select: .*'propety' was unexpected"):
        normalize(thing_spec(), rules)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda rules: rules["naming"][0].pop("reason"), r'naming/0: "reason" is a required property'),
        (lambda rules: rules["operations"].update(reason="  "), r"operations/reason: .* does not match"),
        (
            lambda rules: rules["document"]["drop_schema_titles"].pop("enabled"),
            r'drop_schema_titles: "enabled" is a required property',
        ),
        (lambda rules: rules["nullable_enums"].update(enabled="yes"), r"nullable_enums/enabled: .*boolean"),
        (lambda rules: rules["response_tolerance"].update(keep_required="all"), r"response_tolerance/keep_required"),
        (lambda rules: rules["stages"].pop(), r"stages: .* has less than 11 items"),
        (lambda rules: rules["stages"].append("hoisting"), r'stages/11: "hoisting" is not one of'),
        (lambda rules: rules.update(alias_path={}), r"\(top level\): .*'alias_path' was unexpected"),
    ],
    ids=[
        "no reason",
        "blank reason",
        "switch without enabled",
        "switch not boolean",
        "unknown mode",
        "stage missing",
        "unknown stage",
        "misspelt section",
    ],
)
def test_a_rule_file_that_breaks_its_schema_is_refused_naming_where(
    edit: Callable[[dict[str, Any]], object], expected: str
) -> None:
    """The rule file is checked against spec/rules/normalize.schema.yaml; each error names its place and cause."""
    rules = load_rules()
    edit(rules)
    with pytest.raises(NormalizeError, match=expected):
        normalize(thing_spec(), rules)


def test_every_stage_the_schema_admits_is_one_the_engine_runs() -> None:
    """The engine has a step for each stage name the schema allows in `stages`, and no other."""
    schema = yaml.safe_load(RULES_SCHEMA.read_text(encoding="utf-8"))
    assert sorted(Normalizer(load_rules()).stages) == sorted(schema["properties"]["stages"]["items"]["enum"])


def switched_off(*keys: str) -> dict[str, Any]:
    """The shipped rules with the switch at `keys` (a path into the rule file) disabled."""
    rules = load_rules()
    switch = rules
    for key in keys:
        switch = switch[key]
    switch["enabled"] = False
    return rules


def test_document_switches_are_read() -> None:
    """With `response_description` and `drop_schema_titles` off, descriptions stay missing and titles stay."""
    rules = switched_off("document", "response_description")
    rules["document"]["drop_schema_titles"]["enabled"] = False
    normalized = normalize(thing_spec(), rules)
    assert "description" not in normalized["paths"]["/v2/things"]["post"]["responses"]["200"]
    assert normalized["components"]["schemas"]["ThingRequest"]["title"] == "acme/thing-model-9"


def test_nullable_enums_switch_is_read() -> None:
    """With `nullable_enums` off, the corrected finish_reason stays an inline nullable enum (no named component)."""
    normalized = normalize(thing_spec(), switched_off("nullable_enums"))
    schemas = normalized["components"]["schemas"]
    assert "ChoiceFinishReason" not in schemas
    assert schemas["Choice"]["properties"]["finish_reason"] == {"type": "string", "enum": ["stop"], "nullable": True}


def test_keep_required_mode_is_read() -> None:
    """`keep_required: none` makes even the single-valued `object` optional; the published list is still kept."""
    rules = load_rules()
    rules["response_tolerance"]["keep_required"] = "none"
    thing = normalize(thing_spec(), rules)["components"]["schemas"]["Thing"]
    assert "required" not in thing
    assert thing["x-published-required"] == ["id", "object", "usage", "widgets"]


def test_published_component_switches_are_read() -> None:
    """With both switches off, a `$ref` body stays a reference and unreachable components are kept."""
    rules = switched_off("published_components", "inline_body_refs")
    rules["published_components"]["prune_unreachable"]["enabled"] = False
    spec = thing_spec()
    request = spec["paths"]["/v2/things"]["post"]["requestBody"]["content"]["application/json"]
    spec["components"] = {"schemas": {"Req.DTO": request["schema"], "Unused.DTO": {"type": "string"}}}
    request["schema"] = {"$ref": "#/components/schemas/Req.DTO"}
    schemas = normalize(spec, rules)["components"]["schemas"]
    assert {"Req.DTO", "Unused.DTO"} <= set(schemas)
    assert "ThingRequest" not in schemas


def test_stages_run_in_the_order_the_rule_file_lists() -> None:
    """Naming operations before hoisting finds no response component, so the id falls back to the path."""
    rules = load_rules()
    rules["stages"].remove("operations")
    rules["stages"].insert(rules["stages"].index("naming"), "operations")
    operation = normalize(thing_spec(), rules)["paths"]["/v2/things"]["post"]
    assert operation["operationId"] == "create_v2_things"


def test_body_refs_under_any_component_name_give_the_inline_components(things: Spec) -> None:
    """Bodies given as `$ref`s to DTO-named components normalize exactly as the inline file (named by concept),
    and the published components no operation reaches are dropped."""
    spec = thing_spec()
    operation = spec["paths"]["/v2/things"]["post"]
    thing = operation["responses"]["200"]["content"]["application/json"]["schema"]
    widget = thing["properties"]["widgets"]["items"]
    thing["properties"]["widgets"]["items"] = {"$ref": "#/components/schemas/Widgets.v2.WidgetDTO"}
    operation["responses"]["200"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Things.v2.ThingResponseDTO"
    }
    spec["components"] = {
        "schemas": {
            "Things.v2.ThingResponseDTO": thing,
            "Widgets.v2.WidgetDTO": widget,
            "Images.v1.GenerateImageDTO": {"type": "object", "properties": {"prompt": {"oneOf": [{}, {"x": 1}]}}},
        },
        "securitySchemes": {"access-token": {"type": "http", "scheme": "bearer"}},
    }
    normalized = normalize(spec)
    assert normalized["components"]["schemas"] == things["components"]["schemas"]
    assert normalized["components"]["securitySchemes"] == spec["components"]["securitySchemes"]
    assert list(OpenAPIV30SpecValidator(normalized).iter_errors()) == []


def test_a_recursive_body_ref_stays_a_reference() -> None:
    """A component that refers to itself is inlined once and its recursion kept as a `$ref` to the kept component."""
    spec = thing_spec()
    node: Spec = {"type": "object", "properties": {"label": {"type": "string"}}}
    node["properties"]["children"] = {"type": "array", "items": {"$ref": "#/components/schemas/Node.DTO"}}
    spec["components"] = {"schemas": {"Node.DTO": node}}
    request = spec["paths"]["/v2/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    request["properties"]["tree"] = {"$ref": "#/components/schemas/Node.DTO"}
    normalized = normalize(spec)
    schemas = normalized["components"]["schemas"]
    assert schemas["Node.DTO"] == node
    assert schemas["Tree"]["properties"]["children"]["items"] == {"$ref": "#/components/schemas/Node.DTO"}


def test_an_unresolvable_body_ref_is_an_error_naming_it() -> None:
    """A `$ref` to a component the file does not have stops normalization and names the reference."""
    spec = thing_spec()
    spec["paths"]["/v2/things"]["post"]["requestBody"]["content"]["application/json"]["schema"] = {
        "$ref": "#/components/schemas/Missing.DTO"
    }
    with pytest.raises(NormalizeError, match=r"Missing\.DTO"):
        normalize(spec)


def test_an_operation_without_a_success_body_gets_the_documented_one() -> None:
    """A bodiless `201` success (a framework default) is replaced by 200 with the completion and the chunk."""
    spec = thing_spec()
    for item in spec["paths"].values():
        item["post"]["responses"] = {"201": {"description": ""}}
    normalized = normalize(spec)
    responses = normalized["paths"]["/v2/things"]["post"]["responses"]
    assert "201" not in responses
    content = responses["200"]["content"]
    assert content["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatCompletion"}
    assert content["text/event-stream"]["schema"] == {"$ref": "#/components/schemas/ChatCompletionChunk"}
    assert normalized["paths"]["/v2/things"]["post"]["operationId"] == "create_chat_completion"
    assert list(OpenAPIV30SpecValidator(normalized).iter_errors()) == []
