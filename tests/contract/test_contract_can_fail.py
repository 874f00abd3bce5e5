"""The contract checks can fail: a response missing a required field and a request with an enum value
outside the spec are each caught (and a correct counterpart passes the same check)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pytest
import schemathesis
from aimlapi_grok import Grok, RequestValidationError
from aimlapi_grok._request import SPEC_PARAMS
from aimlapi_grok.testing import Emulator, PlannedResponse, assert_valid_request
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance

from .contract_support import CONTRACT_API_KEY, capture_wire_bodies, contract_spec, published_schema_conformance

VALID_BODY = {"model": "x-ai/grok-4-1-fast-reasoning", "messages": [{"role": "user", "content": "hello"}]}
AUTH = {"Authorization": f"Bearer {CONTRACT_API_KEY}"}


class MissingFieldEmulator(Emulator):
    """A deliberately wrong emulator: its completions and chunks lack one top-level field (`object` unless
    told otherwise; the normalized spec requires `object`, the published one also `id`)."""

    def __init__(self, missing: str = "object") -> None:
        super().__init__(api_key=CONTRACT_API_KEY)
        self.missing = missing

    def _without(self, payload: bytes) -> bytes:
        document = json.loads(payload)
        document.pop(self.missing, None)
        return json.dumps(document).encode()

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> PlannedResponse:
        planned = super().handle(method, path, headers, body)
        if planned.status != 200:
            return planned
        if planned.record.stream:
            events = [part.removeprefix(b"data: ").strip() for part in planned.parts]
            planned.parts = [
                part if event == b"[DONE]" else b"data: " + self._without(event) + b"\n\n"
                for part, event in zip(planned.parts, events, strict=True)
            ]
        else:
            planned.parts = [self._without(planned.body)]
        return planned


def _case_for(emulator: Emulator, body: dict[str, Any]) -> schemathesis.Case[Any]:
    schema = schemathesis.openapi.from_dict(contract_spec())
    schema.app = emulator.app
    return schema["/v1/chat/completions"]["POST"].Case(body=body, media_type="application/json", headers=AUTH)


@pytest.mark.parametrize(
    ("stream", "reported"),
    [(False, r'"object" is a required property'), (True, r"SSE event violates schema\n\n    Event #0")],
    ids=["json", "event-stream"],
)
def test_a_response_missing_a_required_field_is_caught(stream: bool, reported: str) -> None:
    """response_schema_conformance flags a completion (or the first chunk) without the required `object` field."""
    body = {**VALID_BODY, "stream": stream}
    with pytest.raises(FailureGroup, match=reported):
        _case_for(MissingFieldEmulator(), body).call_and_validate(checks=[response_schema_conformance])


@pytest.mark.parametrize("stream", [False, True], ids=["json", "event-stream"])
def test_the_same_check_passes_the_correct_emulator(stream: bool) -> None:
    """Control: the unmodified emulator's answer to the same request passes response_schema_conformance."""
    body = {**VALID_BODY, "stream": stream}
    response = _case_for(Emulator(api_key=CONTRACT_API_KEY), body).call_and_validate(
        checks=[response_schema_conformance]
    )
    assert response.status_code == 200


@pytest.mark.parametrize("stream", [False, True], ids=["json", "event-stream"])
def test_a_field_only_the_published_spec_requires_is_caught_by_the_published_check(stream: bool) -> None:
    """Without `id` the answer still fits the tolerant contract, but the published-variant check names it."""
    case = _case_for(MissingFieldEmulator("id"), {**VALID_BODY, "stream": stream})
    case.call_and_validate(checks=[response_schema_conformance])
    with pytest.raises(FailureGroup, match=r"\"id\" is a required property"):
        case.call_and_validate(checks=[], additional_checks=[published_schema_conformance])


def _client(http: Any) -> Grok:
    return Grok(api_key="contract-key", http_client=http, max_retries=0)


def _misspelling_effort(body: dict[str, Any]) -> dict[str, Any]:
    """A simulated wrapper bug: its serializer writes reasoning.effort as an enum value the spec lacks."""
    return {**body, "reasoning": {**body["reasoning"], "effort": "extreme"}}


def test_a_request_with_an_enum_value_outside_the_spec_is_caught() -> None:
    """The request contract check (the one the property test runs on every wire body) names the field
    whose enum value the spec does not allow when a buggy wrapper puts one on the wire."""
    body = {**VALID_BODY, "reasoning": {"effort": "high"}}
    sent = capture_wire_bodies(_client, body, SPEC_PARAMS, corrupt=_misspelling_effort)
    assert sent == [_misspelling_effort(body)]
    with pytest.raises(AssertionError, match=r"reasoning\.effort") as caught:
        assert_valid_request(sent[0])
    assert "enum" in str(caught.value)


def test_the_wrapper_itself_refuses_that_request_before_sending() -> None:
    """Control: the real wrapper never sends it (RequestValidationError naming the field), and a valid
    request passes the same wire check."""
    with pytest.raises(RequestValidationError, match=r"reasoning\.effort"):
        capture_wire_bodies(_client, {**VALID_BODY, "reasoning": {"effort": "extreme"}}, SPEC_PARAMS)
    sent = capture_wire_bodies(_client, {**VALID_BODY, "reasoning": {"effort": "high"}}, SPEC_PARAMS)
    assert_valid_request(sent[0])
