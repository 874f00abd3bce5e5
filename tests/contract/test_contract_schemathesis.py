"""schemathesis against the emulator (in process, as ASGI), with the normalized spec as the contract.

Positive and negative generation on the canonical path and its alias; every
response must pass the six checks below, and additionally the published
variant of its schema (ChatCompletion, every streamed ChatCompletionChunk, or
ErrorBody). Event streams are validated event by event by schemathesis itself
(see `contract_spec` in contract_support.py).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
import schemathesis
from aimlapi_grok.testing import Emulator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from .contract_support import (
    CONTRACT_API_KEY,
    RUN_COUNTS,
    SCHEMATHESIS_EXAMPLES,
    SCHEMATHESIS_STREAM_EXAMPLES,
    contract_spec,
    published_schema_conformance,
    streaming_contract_spec,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]
EMULATOR = Emulator(api_key=CONTRACT_API_KEY)
CONFIG = schemathesis.Config.from_dict(
    {"generation": {"mode": "all", "max-examples": SCHEMATHESIS_EXAMPLES, "deterministic": True, "database": "none"}}
)
SCHEMA = schemathesis.openapi.from_dict(contract_spec(), config=CONFIG)
SCHEMA.app = EMULATOR.app
STREAMING_CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {
            "mode": "positive",
            "max-examples": SCHEMATHESIS_STREAM_EXAMPLES,
            "deterministic": True,
            "database": "none",
        }
    }
)
STREAMING_SCHEMA = schemathesis.openapi.from_dict(streaming_contract_spec(), config=STREAMING_CONFIG).include(
    path="/v1/chat/completions"
)
STREAMING_SCHEMA.app = EMULATOR.app


@SCHEMA.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
def test_emulator_conforms_to_the_contract(case: schemathesis.Case[Any], run_counts: Counter[str]) -> None:
    """Every generated request (valid or not) gets an answer that passes the contract checks."""
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {CONTRACT_API_KEY}"},
        checks=CHECKS,
        additional_checks=[published_schema_conformance],
    )
    mode = case.meta.generation.mode.value if case.meta is not None else "explicit"
    run_counts[f"schemathesis cases ({mode})"] += 1
    if response.status_code == 200 and isinstance(case.body, dict) and case.body.get("stream") is True:
        run_counts["schemathesis streamed answers validated event by event"] += 1


@STREAMING_SCHEMA.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), print_blob=False)
def test_every_streamed_answer_conforms_event_by_event(case: schemathesis.Case[Any], run_counts: Counter[str]) -> None:
    """Generated streaming requests get event streams whose every chunk passes the contract checks."""
    response = case.call_and_validate(
        headers={"Authorization": f"Bearer {CONTRACT_API_KEY}"},
        checks=CHECKS,
        additional_checks=[published_schema_conformance],
    )
    assert response.headers["content-type"][0].startswith("text/event-stream")
    run_counts["schemathesis streamed answers validated event by event"] += 1


def test_the_contract_run_covered_both_modes_streams_and_rejections() -> None:
    """The schemathesis run above generated valid and invalid requests and saw streams (so its checks had work)."""
    if not RUN_COUNTS:
        pytest.skip("run together with test_emulator_conforms_to_the_contract")
    assert RUN_COUNTS["schemathesis cases (positive)"] > 0
    assert RUN_COUNTS["schemathesis cases (negative)"] > 0
    assert RUN_COUNTS["schemathesis streamed answers validated event by event"] > 0
    statuses = Counter(record.status for record in EMULATOR.requests)
    assert statuses[200] > 0, statuses
    assert statuses[400] > 0, statuses
    assert {record.path for record in EMULATOR.requests} >= {"/v1/chat/completions", "/chat/completions"}
