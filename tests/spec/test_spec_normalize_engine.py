"""The normalizer's engine on small specs: the command line, `is_normalized`, selectors, naming, references."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from spec.tools.normalize import NormalizeError, is_normalized, load_rules, main, normalize
from tests.spec.test_spec_normalize_generic import switched_off, thing_operation, thing_spec

Spec = dict[str, Any]


def test_the_command_line_writes_the_normalized_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`normalize.py IN OUT` writes the normalized document (indented, non-ASCII as is) and says how many components."""
    spec = thing_spec()
    spec["paths"]["/v2/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]["description"] = "Größe"
    source, target = tmp_path / "in.json", tmp_path / "new" / "dir" / "out.json"
    source.write_text(json.dumps(spec), encoding="utf-8")
    assert main([str(source), str(target)]) == 0
    expected = normalize(spec)
    assert target.read_text(encoding="utf-8") == json.dumps(expected, indent=2, ensure_ascii=False) + "\n"
    assert "Größe" in target.read_text(encoding="utf-8")
    assert capsys.readouterr().out == f"normalize: {target} ({len(expected['components']['schemas'])} components)\n"
    assert main([str(source), str(target)]) == 0  # the folder exists now: written again


def test_the_command_line_reads_the_rules_it_is_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--rules` replaces the shipped rule file; a rule file that breaks its schema is exit status 1 and a message."""
    source, target, rules_file = tmp_path / "in.json", tmp_path / "out.json", tmp_path / "rules.yaml"
    source.write_text(json.dumps(thing_spec()), encoding="utf-8")
    rules = load_rules()
    rules["operations"]["operation_id"] = "do_{response}"
    rules_file.write_text(yaml.safe_dump(rules), encoding="utf-8")
    assert main([str(source), str(target), "--rules", str(rules_file)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["paths"]["/v2/things"]["post"]["operationId"] == "do_thing"
    rules["stages"].pop()
    rules_file.write_text(yaml.safe_dump(rules), encoding="utf-8")
    capsys.readouterr()
    assert main([str(source), str(tmp_path / "never.json"), "--rules", str(rules_file)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("normalize: error: the rule file does not conform")
    assert error.endswith("has less than 11 items\n")
    assert not (tmp_path / "never.json").exists()


def unmarked(edit: Callable[[Spec], object]) -> Spec:
    """The normalized thing spec without its mark, changed by `edit`."""
    doc = normalize(thing_spec())
    del doc["info"]["x-normalized"]
    edit(doc)
    return doc


def post(doc: Spec) -> Spec:
    """The one operation of the normalized thing spec."""
    operation: Spec = doc["paths"]["/v2/things"]["post"]
    return operation


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (unmarked(lambda doc: doc.pop("info")), True),
        (unmarked(lambda doc: post(doc).pop("requestBody")), True),
        (unmarked(lambda doc: post(doc)["requestBody"].pop("content")), True),
        (unmarked(lambda doc: doc.pop("components")), False),
        (unmarked(lambda doc: doc.pop("paths")), False),
        (unmarked(lambda doc: post(doc).pop("responses")), True),
        (unmarked(lambda doc: post(doc)["responses"]["200"]["content"]["text/event-stream"].update(schema={})), False),
        (unmarked(lambda doc: post(doc)["responses"]["200"]["content"]["text/event-stream"].pop("schema")), False),
        (unmarked(lambda doc: post(doc)["requestBody"]["content"]["application/json"].update(schema={})), False),
        (unmarked(lambda doc: doc["components"]["schemas"].pop("ThingChunk")), False),
        (thing_spec() | {"info": {"x-normalized": True}}, True),
        (thing_spec(), False),
    ],
    ids=[
        "no info",
        "no request body",
        "request without content",
        "no components",
        "no operations",
        "no responses",
        "inline success body",
        "success body without schema",
        "inline request body",
        "reference to a missing component",
        "marked",
        "published",
    ],
)
def test_a_normalized_document_is_told_by_its_mark_or_its_reference_bodies(doc: Spec, expected: bool) -> None:
    """Marked, or every request and success body a `$ref` to a component it has: normalized; anything else is not."""
    assert is_normalized(doc) is expected


def test_references_inside_lists_are_inlined_and_recursion_there_stays_a_reference() -> None:
    """A `$ref` that is a member of a union is inlined like any other; a recursive one in a list stays a `$ref`."""
    spec = thing_spec()
    node: Spec = {"type": "object", "properties": {"label": {"type": "string"}}}
    node["properties"]["next"] = {"oneOf": [{"$ref": "#/components/schemas/Node.DTO"}, {"type": "string"}]}
    spec["components"] = {"schemas": {"Node.DTO": node, "Label.DTO": {"type": "string", "enum": ["a", "b"]}}}
    request = spec["paths"]["/v2/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    request["properties"]["label"] = {"anyOf": [{"$ref": "#/components/schemas/Label.DTO"}, {"type": "integer"}]}
    request["properties"]["tree"] = {"$ref": "#/components/schemas/Node.DTO"}
    schemas = normalize(spec)["components"]["schemas"]
    label = schemas["ThingRequest"]["properties"]["label"]["anyOf"]
    assert [schemas[member["$ref"].rsplit("/", 1)[-1]] for member in label[:1]] == [
        {"type": "string", "enum": ["a", "b"]}
    ]
    assert schemas["Tree"]["properties"]["next"]["oneOf"][0] == {"$ref": "#/components/schemas/Node.DTO"}
    assert "Label.DTO" not in schemas


def test_pruning_keeps_the_components_reached_through_other_components() -> None:
    """With bodies left as references, a component reached only through another one is kept; unreached ones go."""
    rules = switched_off("published_components", "inline_body_refs")
    spec = thing_spec()
    request = spec["paths"]["/v2/things"]["post"]["requestBody"]["content"]["application/json"]
    body = request["schema"]
    body["properties"]["owner"] = {"$ref": "#/components/schemas/Owner.DTO"}
    owner = {"type": "object", "properties": {"name": {"type": "string"}}}
    spec["components"] = {"schemas": {"Req.DTO": body, "Owner.DTO": owner, "Unused.DTO": {"type": "string"}}}
    request["schema"] = {"$ref": "#/components/schemas/Req.DTO"}
    schemas = normalize(spec, rules)["components"]["schemas"]
    assert {"Req.DTO", "Owner.DTO"} <= set(schemas)
    assert "Unused.DTO" not in schemas


def echo_spec(request: Spec, response_properties: Spec) -> Spec:
    """A one-operation spec: `request` as the JSON body, a response object `echo` with these extra properties."""
    response = {"type": "object", "properties": {"object": {"type": "string", "enum": ["echo"]}, **response_properties}}
    return {
        "openapi": "3.0.0",
        "info": {"title": "Echo", "version": "1"},
        "paths": {
            "/v1/echo": {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": request}}},
                    "responses": {"200": {"content": {"application/json": {"schema": response}}}},
                }
            }
        },
    }


def test_a_false_selector_matches_every_schema_that_lacks_the_fact() -> None:
    """`root: false` selects properties, array items and union members alike (not only the schemas lacking `root`)."""
    rules = load_rules()
    reason = "marks non-root strings"
    word = {"format": "word", "nullable_properties": ["absent"]}  # a string has no properties to make nullable
    rules["corrections"] = [{"select": {"root": False, "type": "string"}, "set": word, "reason": reason}]
    request = {"type": "array", "items": {"type": "string"}}
    doc = normalize(echo_spec(request, {"either": {"anyOf": [{"type": "string"}, {"type": "integer"}]}}), rules)
    body = doc["paths"]["/v1/echo"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"type": "array", "items": {"type": "string", "format": "word"}}
    echo = doc["components"]["schemas"]["Echo"]["properties"]
    assert echo["either"]["anyOf"] == [{"type": "string", "format": "word"}, {"type": "integer"}]
    assert echo["object"]["format"] == "word"
    word_only = {"type": "string", "format": "word"}
    for root, expected in (
        (
            {"type": "object", "additionalProperties": {"type": "string"}},
            {"type": "object", "additionalProperties": word_only},
        ),
        ({"anyOf": [{"type": "string"}]}, {"anyOf": [word_only]}),
    ):
        doc = normalize(echo_spec(root, {}), rules)
        assert doc["paths"]["/v1/echo"]["post"]["requestBody"]["content"]["application/json"]["schema"] == expected


def test_a_property_selector_does_not_reach_into_the_values_of_a_map() -> None:
    """`property: labels` fires on the labels schema, not on the schema of each value under it."""
    rules = load_rules()
    rules["corrections"] = [{"select": {"property": "labels"}, "set": {"format": "labels"}, "reason": "marks labels"}]
    labels = {"type": "object", "additionalProperties": {"type": "string"}}
    doc = normalize(echo_spec({"type": "object"}, {"labels": labels}), rules)
    assert doc["components"]["schemas"]["Echo"]["properties"]["labels"] == {**labels, "format": "labels"}


def test_items_of_selects_only_the_items_of_that_array() -> None:
    """`items_of: bytes` fires on the items of an array named bytes, not on a property named bytes in an array item."""
    samples = {"type": "array", "items": {"type": "object", "properties": {"bytes": {"type": "number"}}}}
    doc = normalize(
        echo_spec({"type": "object"}, {"bytes": {"type": "array", "items": {"type": "number"}}, "samples": samples})
    )
    schemas = doc["components"]["schemas"]
    assert schemas["Echo"]["properties"]["bytes"]["items"] == {"type": "integer"}
    assert schemas["Sample"]["properties"]["bytes"] == {"type": "number"}


def test_names_keep_inner_capitals_and_make_plural_arrays_singular() -> None:
    """Objects are named from their property in PascalCase; array items from its singular (-ies, -s, not -ss)."""
    item = {"type": "object", "properties": {"id": {"type": "string"}}}
    other = {"type": "object", "properties": {"code": {"type": "string"}}}
    third = {"type": "object", "properties": {"size": {"type": "integer"}}}
    properties = {
        "shippingAddress": {"type": "object", "properties": {"city": {"type": "string"}}},
        "entries": {"type": "array", "items": item},
        "business": {"type": "array", "items": other},
        "data": {"type": "array", "items": third},
    }
    names = set(normalize(echo_spec({"type": "object"}, properties))["components"]["schemas"])
    assert {"ShippingAddress", "Entry", "Business", "Data"} <= names


def test_a_response_object_required_without_properties_keeps_its_published_list() -> None:
    """Tolerance makes `required` optional even on an object that lists no properties (nothing to keep required)."""
    doc = normalize(echo_spec({"type": "object"}, {"extra": {"type": "object", "required": ["id"]}}))
    extra = doc["components"]["schemas"]["Echo"]["properties"]["extra"]
    assert extra == {"type": "object", "x-published-required": ["id"]}


@pytest.mark.parametrize(
    "responses",
    [
        {"201": {"content": {"application/json": {"schema": {"type": "object"}}}}},
        {"200": {"description": "OK"}, "201": {"content": {"application/json": {"schema": {"type": "object"}}}}},
        {"200": {"content": {"application/json": {}, "text/plain": {"schema": {"type": "string"}}}}},
    ],
    ids=["success is 201", "200 without a body", "JSON without a schema"],
)
def test_an_operation_without_a_json_200_schema_is_named_from_its_path(responses: Spec) -> None:
    """No component to name the operation after: its id comes from the path (`create_v1_echo`), without a crash."""
    spec = echo_spec({"type": "object", "properties": {"text": {"type": "string"}}}, {})
    spec["paths"]["/v1/echo"]["post"]["responses"] = responses
    assert normalize(spec)["paths"]["/v1/echo"]["post"]["operationId"] == "create_v1_echo"


def test_every_operation_without_a_success_body_gets_the_documented_one() -> None:
    """Each operation is fixed on its own (one with a body does not stop the next), even one without `responses`."""
    spec = echo_spec({"type": "object", "properties": {"text": {"type": "string"}}}, {})
    spec["paths"]["/v1/other"] = {"post": {"requestBody": spec["paths"]["/v1/echo"]["post"]["requestBody"]}}
    spec["paths"]["/v1/third"] = {"post": {"responses": {"201": {"description": "Created"}}}}
    paths = normalize(spec)["paths"]
    assert paths["/v1/echo"]["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Echo"
    }
    for path in ("/v1/other", "/v1/third"):
        success = paths[path]["post"]["responses"]["200"]
        assert success["description"] == "OK"
        assert success["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ChatCompletion"}


def test_a_document_without_paths_normalizes_to_its_components() -> None:
    """No operation: nothing to rename or fix; the error body component is still defined, the file stays valid."""
    doc = normalize({"openapi": "3.0.0", "info": {"title": "Empty", "version": "1"}})
    assert doc["info"] == {"title": "Empty", "version": "1", "x-normalized": True}
    assert list(doc["components"]["schemas"]) == ["ErrorBody"]
    assert "paths" not in doc
    assert normalize({"openapi": "3.0.0"})["info"] == {"x-normalized": True}


def test_listed_extensions_are_dropped_from_path_items_and_operations_only() -> None:
    """`drop_extensions` names go from path items and operations; another `x-` key stays."""
    spec = thing_spec()
    item = spec["paths"]["/v2/things"]
    item["x-hideTryItPanel"] = True
    item["x-owner"] = "team"
    item["post"]["x-hideTryItPanel"] = True
    normalized = normalize(spec)["paths"]["/v2/things"]
    assert ("x-hideTryItPanel" in normalized, normalized["x-owner"]) == (False, "team")
    assert "x-hideTryItPanel" not in normalized["post"]


def test_a_response_keeps_the_description_it_has() -> None:
    """Only a missing or empty response description is filled in; a published one is kept word for word."""
    spec = thing_spec()
    responses = spec["paths"]["/v2/things"]["post"]["responses"]
    responses["200"]["description"] = "The thing, or its chunks"
    responses["404"] = {"description": "", "content": {"application/json": {"schema": {"type": "object"}}}}
    normalized = normalize(spec)["paths"]["/v2/things"]["post"]["responses"]
    assert (normalized["200"]["description"], normalized["404"]["description"]) == (
        "The thing, or its chunks",
        "Not Found",
    )


def test_stages_in_another_order_meet_documents_without_responses_or_components() -> None:
    """Operations named first, error responses before the success body, nullable enums before naming: each copes."""
    rules = load_rules()
    early = ["operations", "published_components", "nullable_enums", "error_responses"]
    rules["stages"] = [*early, *(stage for stage in rules["stages"] if stage not in early)]
    spec = echo_spec({"type": "object", "properties": {"text": {"type": "string"}}}, {})
    del spec["paths"]["/v1/echo"]["post"]["responses"]
    operation = normalize(spec, rules)["paths"]["/v1/echo"]["post"]
    assert sorted(operation["responses"]) == ["200", "400", "401", "403", "404", "429", "500", "502", "503", "504"]
    assert operation["operationId"] == "create_v1_echo"


def test_error_responses_are_added_around_a_published_one() -> None:
    """A published 400 is kept as is; every other documented error status is still added after it."""
    spec = thing_spec()
    published_400 = {"description": "Bad", "content": {"application/json": {"schema": {"type": "string"}}}}
    spec["paths"]["/v2/things"]["post"]["responses"]["400"] = published_400
    responses = normalize(spec)["paths"]["/v2/things"]["post"]["responses"]
    assert responses["400"] == published_400
    assert sorted(responses) == ["200", "400", "401", "403", "404", "429", "500", "502", "503", "504"]


def test_a_request_is_named_without_a_json_response_to_name_it_after() -> None:
    """`{response}Request` with only a streamed response (or a JSON array) gives `Request`, not a made-up prefix."""
    rules = load_rules()
    rules["error_responses"]["statuses"] = {}  # no ErrorBody response to be named after
    chunk = {"type": "object", "properties": {"object": {"type": "string", "enum": ["echo.chunk"]}}}
    for content in (
        {"text/event-stream": {"schema": chunk}},
        {"application/json": {"schema": {"type": "array", "items": {"type": "string"}}}},
    ):
        spec = echo_spec({"type": "object", "properties": {"text": {"type": "string"}}}, {})
        spec["paths"]["/v1/echo"]["post"]["responses"] = {"200": {"content": content}}
        operation = normalize(spec, rules)["paths"]["/v1/echo"]["post"]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/Request"}


def test_two_different_roots_wanting_one_name_are_numbered() -> None:
    """Three operations whose answers are all `object: echo` but differ in shape: Echo, Echo2, Echo3."""
    request = {"type": "object", "properties": {"text": {"type": "string"}}}
    spec = echo_spec(request, {"size": {"type": "integer"}})
    for path, extra in (("/v1/other", "colour"), ("/v1/third", "shade")):
        spec["paths"][path] = echo_spec(request, {extra: {"type": "string"}})["paths"]["/v1/echo"]
    names = set(normalize(spec)["components"]["schemas"])
    assert {"Echo", "Echo2", "Echo3"} <= names
    assert "Echo4" not in names


def test_a_component_that_takes_a_nullable_enum_name_is_an_error_naming_both() -> None:
    """The nullable enum `Choice.finish_reason` wants `ChoiceFinishReason`; an object already named so is refused."""
    spec = thing_spec()
    thing = spec["paths"]["/v2/things"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    thing["properties"]["choiceFinishReason"] = {"type": "object", "properties": {"why": {"type": "string"}}}
    with pytest.raises(
        NormalizeError, match=r"^Choice\.finish_reason: component ChoiceFinishReason exists and is not this enum$"
    ):
        normalize(spec)


def test_a_response_root_no_naming_rule_matches_is_an_error_naming_its_place() -> None:
    """A JSON answer with neither an `object` constant nor a rule for it cannot be named: the error says where."""
    spec = echo_spec({"type": "object"}, {})
    response = spec["paths"]["/v1/echo"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    del response["properties"]["object"]
    response["properties"]["text"] = {"type": "string"}
    with pytest.raises(NormalizeError, match=r"^no naming rule matches a response root schema \(application/json\)$"):
        normalize(spec)


def test_an_error_response_shaped_like_the_error_body_reuses_it() -> None:
    """A published error schema equal to ErrorBody (keys in any order) becomes a reference to ErrorBody, not a copy."""
    error_body = load_rules()["error_responses"]["schema"]
    reordered = dict(reversed(list(error_body.items())))
    spec = thing_spec()
    content = {"application/json": {"schema": reordered}}
    spec["paths"]["/v2/things"]["post"]["responses"]["400"] = {"description": "Bad", "content": content}
    rules = load_rules()
    rules["naming"].append({"select": {"root": True}, "name": "PublishedError", "reason": "names the 400 root"})
    normalized = normalize(spec, rules)
    schema = normalized["paths"]["/v2/things"]["post"]["responses"]["400"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/ErrorBody"}
    assert [name for name in normalized["components"]["schemas"] if name.startswith("ErrorBody")] == ["ErrorBody"]


def test_an_alias_with_more_request_properties_is_recorded() -> None:
    """Properties only the alias path's request has are listed under their own key (media without a schema skipped)."""
    spec = thing_spec()
    spec["paths"] = {"/v2/things": {"post": thing_operation(False)}, "/things": {"post": thing_operation(True)}}
    spec["paths"]["/things"]["post"]["requestBody"]["content"]["text/plain"] = {}
    item = normalize(spec)["paths"]["/v2/things"]
    assert item["x-alias-differences"] == {"/things": {"request_properties_only_alias": ["colour"]}}


def test_a_request_media_type_selector_reads_the_request_body_media_type() -> None:
    """A correction for `media_type: application/json` in requests fires on the JSON request body."""
    rules = load_rules()
    select = {"media_type": "application/json", "request_body": True}
    rules["corrections"] = [{"select": select, "set": {"x-checked": True}, "reason": "marks the JSON request"}]
    assert normalize(thing_spec(), rules)["components"]["schemas"]["ThingRequest"]["x-checked"] is True


@pytest.mark.parametrize(
    ("json_root", "stream_root", "expected"),
    [
        ({"type": "array", "items": {"type": "string"}}, {"type": "object"}, {"type": "object"}),
        (
            {"type": "object", "properties": {"meta": {"type": "string"}}},
            {"type": "object"},
            {"type": "object", "properties": {"meta": {"type": "string"}}},
        ),
        (
            {"type": "object", "properties": {"meta": {"type": "string"}}},
            {"type": "object", "properties": {"meta": {"type": "integer"}}},
            {"type": "object", "properties": {"meta": {"type": "integer"}}},
        ),
    ],
    ids=["completion without properties", "chunk without properties", "chunk with its own meta"],
)
def test_the_chunk_gets_the_completion_meta_only_when_it_lacks_one(
    json_root: Spec, stream_root: Spec, expected: Spec
) -> None:
    """`copy_property` copies `meta` from the JSON answer to the streamed one, never over the chunk's own."""
    rules = load_rules()
    rules["corrections"] = [rule for rule in rules["corrections"] if "copy_property" in rule]
    rules["naming"] = [{"select": {"root": True}, "name": "Root", "reason": "one name for the test"}]
    spec = echo_spec({"type": "object"}, {})
    spec["paths"]["/v1/echo"]["post"]["responses"] = {
        "200": {"content": {"application/json": {"schema": json_root}, "text/event-stream": {"schema": stream_root}}},
        "201": {"description": "no body"},
        "202": {"content": {"text/plain": {"schema": {"type": "string"}}}},
        "203": {"content": {"application/json": {}}},
    }
    rules["stages"] = [stage for stage in rules["stages"] if stage != "naming"] + ["naming"]
    normalized = normalize(spec, rules)
    chunk = normalized["paths"]["/v1/echo"]["post"]["responses"]["200"]["content"]["text/event-stream"]["schema"]
    assert chunk == expected or normalized["components"]["schemas"][chunk["$ref"].rsplit("/", 1)[-1]] == expected


def test_the_command_line_help_says_what_it_does(capsys: pytest.CaptureFixture[str]) -> None:
    """`normalize.py --help` describes the tool with its module's first line."""
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "Normalize a published OpenAPI file with the rules of spec/rules/normalize.yaml." in help_text


def test_an_enum_under_a_map_is_left_inline_even_in_a_union() -> None:
    """Only a union's own enum members get a component; the enum values of a map (inside a union or not) stay inline."""
    values = {"type": "object", "additionalProperties": {"type": "string", "enum": ["a", "b"]}}
    listed = {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}}
    either = {"anyOf": [values, listed, {"type": "string"}]}
    request = {"type": "object", "properties": {"tags": values, "listed": listed, "either": either}}
    schemas = normalize(echo_spec(request, {}))["components"]["schemas"]
    assert schemas["EchoRequest"]["properties"]["tags"] == values
    assert schemas["EchoRequest"]["properties"]["listed"] == listed
    assert schemas["EchoRequest"]["properties"]["either"]["anyOf"] == [values, listed, {"type": "string"}]


def test_operation_ids_and_tags_follow_the_rule_file_for_any_method_and_path() -> None:
    """A method without a verb keeps its own name; a path without a segment gets no tag; published tags are kept."""
    request = {"type": "object", "properties": {"text": {"type": "string"}}}
    spec = echo_spec(request, {})
    operation = spec["paths"]["/v1/echo"].pop("post")
    spec["paths"]["/v1/echo"]["options"] = operation
    spec["paths"]["/"] = {"post": echo_spec(request, {"size": {"type": "integer"}})["paths"]["/v1/echo"]["post"]}
    spec["paths"]["/v1/tagged"] = {
        "post": {**echo_spec(request, {"n": {"type": "integer"}})["paths"]["/v1/echo"]["post"], "tags": ["mine"]}
    }
    paths = normalize(spec)["paths"]
    assert paths["/v1/echo"]["options"]["operationId"] == "options_echo"
    assert "tags" not in paths["/"]["post"]
    assert paths["/v1/tagged"]["post"]["tags"] == ["mine"]


def test_a_union_member_whose_name_is_taken_is_prefixed_with_its_parent() -> None:
    """An object in a union named like another component of a different shape gets its parent's name in front."""
    member = {"type": "object", "properties": {"name": {"type": "string"}}}
    request = {"type": "object", "properties": {"owner": {"anyOf": [member, {"type": "string"}]}}}
    owner = {"type": "object", "properties": {"id": {"type": "string"}}}
    schemas = normalize(echo_spec(request, {"owner": owner}))["components"]["schemas"]
    assert schemas["Owner"]["properties"] == {"id": {"type": "string"}}
    assert schemas["EchoRequestOwner"]["properties"] == {"name": {"type": "string"}}
