"""The normalizer on the mirrored specs: valid OpenAPI 3.0, named components, corrections, tolerance."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from spec.tools.normalize import is_normalized, normalize

Spec = dict[str, Any]
MESSAGE_VARIANTS = ("UserMessage", "SystemMessage", "DeveloperMessage", "ToolMessage", "AssistantMessage")
CONTENT_PARTS = ("TextContentPart", "ImageUrlContentPart", "FileContentPart", "RefusalContentPart")
CORE_MODELS = ("ChatCompletionRequest", "ChatCompletion", "ChatCompletionChunk", "Choice", "Usage", "ToolCall")
VERSIONS = ("oldest", "middle", "newest")


def errors(spec: Spec) -> list[str]:
    return [error.message for error in OpenAPIV30SpecValidator(spec).iter_errors()]


def schemas(spec: Spec) -> dict[str, Spec]:
    found: dict[str, Spec] = spec["components"]["schemas"]
    return found


def without_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: without_docs(v) for k, v in value.items() if k not in ("description", "example", "examples")}
    if isinstance(value, list):
        return [without_docs(v) for v in value]
    return value


@pytest.mark.parametrize("version", VERSIONS)
def test_normalized_spec_is_valid_openapi_30(normalized: Callable[[str], Spec], version: str) -> None:
    """Every mirrored version normalizes into a document openapi-spec-validator accepts as OpenAPI 3.0."""
    assert errors(normalized(version)) == []


def test_published_spec_is_invalid_only_for_missing_descriptions(published: Callable[[str], Spec]) -> None:
    """The published file fails validation at its 200 responses, and adding descriptions alone fixes it."""
    spec = published("newest")
    failures = list(OpenAPIV30SpecValidator(spec).iter_errors())
    assert failures, "the published file validates: the description rule would not be needed"
    assert {tuple(error.path)[-1] for error in failures} == {200}
    for item in spec["paths"].values():
        for response in item["post"]["responses"].values():
            response["description"] = "OK"
    assert errors(spec) == []


def test_normalizer_marks_its_output_and_tools_detect_it(
    published: Callable[[str], Spec], normalized: Callable[[str], Spec]
) -> None:
    """`is_normalized` tells a normalized document from a published one (the check generate and spec-diff use)."""
    assert not is_normalized(published("newest"))
    doc = normalized("newest")
    assert is_normalized(doc)
    del doc["info"]["x-normalized"]
    assert is_normalized(doc), "a normalized file without the mark is still recognized by its $ref bodies"


def test_components_have_the_names_a_person_would_choose(normalized: Callable[[str], Spec]) -> None:
    """The core models, the five message variants and the content parts are components under those names."""
    names = set(schemas(normalized("newest")))
    missing = {*CORE_MODELS, *MESSAGE_VARIANTS, *CONTENT_PARTS, "ChatCompletionChunkChoice", "ErrorBody"} - names
    assert missing == set()


def test_alias_path_is_merged_and_produces_no_duplicate_models(normalized: Callable[[str], Spec]) -> None:
    """`/chat/completions` becomes an x-alias of `/v1/chat/completions`; no component is a copy of another."""
    spec = normalized("newest")
    assert list(spec["paths"]) == ["/v1/chat/completions"]
    item = spec["paths"]["/v1/chat/completions"]
    assert item["x-aliases"] == ["/chat/completions"]
    assert item["x-alias-differences"] == {"/chat/completions": {"request_properties_only_canonical": ["provider"]}}
    bodies = [json.dumps(without_docs(schema), sort_keys=True) for schema in schemas(spec).values()]
    assert len(bodies) == len(set(bodies))
    assert [name for name in schemas(spec) if name[-1].isdigit()] == []


def test_operation_has_a_readable_id_tag_and_the_real_error_responses(normalized: Callable[[str], Spec]) -> None:
    """create_chat_completion under tag chat; 400-504 documented with ErrorBody, HTML allowed on 502/504."""
    operation = normalized("newest")["paths"]["/v1/chat/completions"]["post"]
    assert operation["operationId"] == "create_chat_completion"
    assert operation["tags"] == ["chat"]
    responses = operation["responses"]
    assert sorted(responses) == ["200", "400", "401", "403", "404", "429", "500", "502", "503", "504"]
    for status in sorted(responses.keys() - {"200"}):
        assert responses[status]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
        assert ("text/html" in responses[status]["content"]) == (status in ("502", "504"))
    assert responses["200"]["content"]["text/event-stream"]["schema"] == {
        "$ref": "#/components/schemas/ChatCompletionChunk"
    }
    status_code = schemas(normalized("newest"))["ErrorBody"]["properties"]["statusCode"]
    assert status_code["oneOf"] == [{"type": "integer"}, {"type": "string"}]


def test_response_fields_are_optional_but_keep_the_published_requirement(normalized: Callable[[str], Spec]) -> None:
    """Response models require only their single-valued discriminators; `x-published-required` keeps the rest."""
    found = schemas(normalized("newest"))
    assert found["ChatCompletion"]["required"] == ["object"]
    assert found["ChatCompletion"]["x-published-required"] == ["choices", "created", "id", "model", "object", "usage"]
    assert "required" not in found["Usage"]
    assert found["Usage"]["x-published-required"] == ["completion_tokens", "prompt_tokens", "total_tokens"]
    assert found["ToolCall"]["required"] == ["type"]
    assert found["ChatCompletionRequest"]["required"] == ["model", "messages"]
    assert "x-published-required" not in found["ChatCompletionRequest"]


def test_known_defects_are_corrected(normalized: Callable[[str], Spec]) -> None:
    """Delta, chunk finish_reason, streamed tool calls, chunk cost, null content and integer counts match reality."""
    found = schemas(normalized("newest"))
    assert "required" not in found["Delta"]
    finish_reason = found["ChatCompletionChunkChoice"]["properties"]["finish_reason"]
    assert finish_reason["allOf"] == [{"$ref": "#/components/schemas/ChatCompletionChunkChoiceFinishReason"}]
    assert finish_reason["nullable"] is True
    assert None not in found["ChatCompletionChunkChoiceFinishReason"]["enum"]
    assert found["ToolCallDelta"]["x-published-required"] == ["index"]
    assert "required" not in found["FunctionCallDelta"]
    assert found["ChatCompletionChunk"]["properties"]["meta"] == found["ChatCompletion"]["properties"]["meta"]
    assert found["ChatCompletionMessage"]["properties"]["content"]["nullable"] is True
    assert found["Usage"]["properties"]["prompt_tokens"]["type"] == "integer"
    assert found["ChatCompletionRequest"]["properties"]["top_logprobs"]["type"] == "integer"
    assert found["TopLogprob"]["properties"]["bytes"]["nullable"] is True


def test_request_titles_and_doc_site_extensions_are_dropped(normalized: Callable[[str], Spec]) -> None:
    """No schema keeps a `title` (it would rename the request model) and no x-codeSamples ship."""
    text = json.dumps(normalized("newest"))
    assert '"title": "x-ai/' not in text
    assert "x-codeSamples" not in text
    assert "x-hideTryItPanel" not in text


def test_shipped_normalized_spec_matches_the_locked_spec(mirror: Path, stem: str, lock_path: Path) -> None:
    """The installed aimlapi_grok_api ships exactly the normalized locked spec (regenerate after a rule change)."""
    locked = mirror / stem / f"{json.loads(lock_path.read_text())['commit']}.json"
    if not locked.is_file():
        pytest.skip(f"the spec mirror has no file for the locked commit ({locked.name})")
    shipped = resources.files("aimlapi_grok_api").joinpath("_spec/openapi.json").read_text(encoding="utf-8")
    expected = normalize(json.loads(locked.read_text(encoding="utf-8")))
    assert json.loads(shipped) == expected, "generated/ is stale: run `make generate`"
