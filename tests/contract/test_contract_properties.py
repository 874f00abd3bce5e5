"""Property tests: what the spec allows survives the wrapper (requests) and the generated models (responses).

Values come from the spec's JSON Schema export (tolerant variant, the contract)
via `json_strategies.values_of`; each is valid by construction (checked with
formats). Example counts: CONTRACT_EXAMPLES (default 1000 per test).
"""

from __future__ import annotations

import json
import warnings
from collections import Counter
from datetime import datetime
from typing import Any

import attrs
import httpx
from aimlapi_grok import Grok
from aimlapi_grok._content import image_url_problem
from aimlapi_grok._request import SPEC_PARAMS
from aimlapi_grok._response import parse_completion
from aimlapi_grok._schema import schema_document
from aimlapi_grok._tool_definitions import function_problem
from aimlapi_grok.testing import assert_valid_request, completion_response, stream_response
from aimlapi_grok_api.models import ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ErrorBody
from aimlapi_grok_api.types import UNSET
from hypothesis import HealthCheck, Phase, assume, given, settings

from .contract_support import PROPERTY_EXAMPLES, expected_wire_body, split_for_create
from .json_strategies import values_of

TOLERANT = schema_document()["tolerant"]
PROPERTY_SETTINGS = settings(
    max_examples=PROPERTY_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def as_json(value: Any) -> Any:
    """`value` as it reads back from the wire (tuples become lists, and so on)."""
    return json.loads(json.dumps(value))


def within_wrapper_rules(body: dict[str, Any]) -> dict[str, Any]:
    """The body with what the wrapper refuses beyond the spec replaced: tool names and schemas, image URLs.

    The spec allows any string as a function name or an image URL and any object as `parameters`; the wrapper
    refuses what `function_tool()` and `image_part()` refuse (tests/unit/test_hostile_arguments.py).
    """
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict):
            for field, _ in function_problem(function.get("name"), function.get("parameters")):
                function[field] = "tool_name" if field == "name" else {"type": "object"}
    for message in body.get("messages") or []:
        content = message.get("content") if isinstance(message, dict) else None
        for part in content if isinstance(content, list) else []:
            image = part.get("image_url") if isinstance(part, dict) else None
            if isinstance(image, dict) and isinstance(image.get("url"), str) and image_url_problem(image["url"]):
                image["url"] = "https://example.com/image.png"
    return body


def test_every_allowed_request_reaches_the_wire_unchanged(run_counts: Counter[str]) -> None:
    """Any request body the spec allows, given to Grok.create(), is sent as that same JSON and validates."""
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return stream_response() if b'"stream":true' in request.content else completion_response()

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with Grok(api_key="contract-key", http_client=http, max_retries=0) as client:

        @PROPERTY_SETTINGS
        @given(values_of(TOLERANT, "ChatCompletionRequest"))
        def check(body: dict[str, Any]) -> None:
            reasoning = body.get("reasoning")
            # The wrapper refuses effort together with max_tokens (the API's rule; the spec cannot say it).
            assume(not (isinstance(reasoning, dict) and {"effort", "max_tokens"} <= reasoning.keys()))
            body = within_wrapper_rules(body)
            sent.clear()
            client.chat.completions.with_raw_response.create(**split_for_create(body, SPEC_PARAMS))
            assert len(sent) == 1
            assert sent[0] == as_json(expected_wire_body(body))
            assert_valid_request(sent[0])
            run_counts["property examples: request -> wire"] += 1

        check()
    http.close()


def test_every_allowed_request_round_trips_through_the_generated_model(run_counts: Counter[str]) -> None:
    """ChatCompletionRequest.from_dict() then to_dict() gives back any request body the spec allows."""

    @settings(PROPERTY_SETTINGS, max_examples=max(PROPERTY_EXAMPLES // 5, 50))
    @given(values_of(TOLERANT, "ChatCompletionRequest"))
    def check(body: dict[str, Any]) -> None:
        assert as_json(ChatCompletionRequest.from_dict(body).to_dict()) == as_json(body)
        run_counts["property examples: request model round trip"] += 1

    check()


def test_every_allowed_completion_parses_and_serializes_back(run_counts: Counter[str]) -> None:
    """Any completion the spec allows round-trips through ChatCompletion and reads on the result field by field."""
    fields = [field.name for field in attrs.fields(ChatCompletion)]

    @PROPERTY_SETTINGS
    @given(values_of(TOLERANT, "ChatCompletion"))
    def check(body: dict[str, Any]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert as_json(ChatCompletion.from_dict(body).to_dict()) == as_json(body)
        run_counts["property examples: completion round trip"] += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the published spec requires more than the tolerant one
            result = parse_completion(httpx.Response(200, json=body))
        assert as_json(result.to_dict()) == as_json(body) == json.loads(result.to_json())
        completion = result.completion
        for name in fields:
            got, expected = getattr(result, name), getattr(completion, name)
            # usage, id and model answer None where the model has UNSET
            assert got == expected or (got is None and expected is UNSET), name

    check()


def test_every_allowed_chunk_parses_and_serializes_back(run_counts: Counter[str]) -> None:
    """ChatCompletionChunk.from_dict() then to_dict() gives back any streamed chunk the spec allows."""

    @PROPERTY_SETTINGS
    @given(values_of(TOLERANT, "ChatCompletionChunk"))
    def check(body: dict[str, Any]) -> None:
        assert as_json(ChatCompletionChunk.from_dict(body).to_dict()) == as_json(body)
        run_counts["property examples: chunk round trip"] += 1

    check()


def same_instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_every_allowed_error_body_parses_and_serializes_back(run_counts: Counter[str]) -> None:
    """ErrorBody.from_dict() then to_dict() gives back any error body the spec allows (statusCode int or text).

    `timestamp` (format date-time) is parsed into a datetime, so it comes back as the same instant but
    possibly spelled differently ("Z" becomes "+00:00"); it is compared as an instant.
    """

    @settings(PROPERTY_SETTINGS, max_examples=max(PROPERTY_EXAMPLES // 5, 50))
    @given(values_of(TOLERANT, "ErrorBody"))
    def check(body: dict[str, Any]) -> None:
        again = as_json(ErrorBody.from_dict(body).to_dict())
        if "timestamp" in body:
            assert same_instant(again.pop("timestamp")) == same_instant(body["timestamp"])
        assert again == as_json({key: value for key, value in body.items() if key != "timestamp"})
        run_counts["property examples: error body round trip"] += 1

    check()
