"""Run in a fresh process with a regenerated `aimlapi_grok_api` first on sys.path: the wrapper, end to end.

Usage: python -m tests.contract.any_spec_client. Against the in-process emulator (which
answers from the same regenerated spec), it sends every request parameter of
that spec through `create()` (one call each, a value drawn from the parameter's
schema), streams one answer and parses one completion; then checks that the
wrapper's fast typed completion equals the generated ``from_dict`` on
completions drawn from that spec. Prints one JSON line: the package location,
the parameters sent, the default model, the streamed text, the completion's
class and the completions compared. Any failure raises (non-zero exit).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs
from hypothesis import HealthCheck, find, settings

from .json_strategies import _Builder
from .regenerated_round_trip import examples_checked

USER = [{"role": "user", "content": "Say hi."}]
FIND_SETTINGS = settings(derandomize=True, database=None, max_examples=200, suppress_health_check=list(HealthCheck))
COMPLETIONS_COMPARED = 60


def value_for(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The simplest value `schema` allows (hypothesis' minimal example, deterministic)."""
    checker = jsonschema_rs.validator_for({**document, **schema}, validate_formats=True)
    strategy = _Builder(document["$defs"]).build(schema).filter(checker.is_valid)
    return find(strategy, lambda _: True, settings=FIND_SETTINGS)


def fast_completions_compared(document: dict[str, Any], component: str) -> int:
    """How many completions drawn from the spec the fast typed completion built equal to the generated from_dict."""
    from aimlapi_grok._completion_model import build_completion

    def one(model: Any, body: dict[str, Any]) -> None:
        expected = model.from_dict(json.loads(json.dumps(body)))
        assert build_completion(body) == expected, body

    return examples_checked(document, component, COMPLETIONS_COMPARED, one)


def main() -> None:
    import aimlapi_grok_api
    from aimlapi_grok import Grok
    from aimlapi_grok._request import DEFAULT_MODEL, REQUEST_COMPONENT, SPEC_PARAMS
    from aimlapi_grok._schema import schema_document, surface
    from aimlapi_grok.testing import Emulator

    document = schema_document()["tolerant"]
    properties = document["$defs"][REQUEST_COMPONENT]["properties"]
    assert set(properties) - {"messages", "stream"} == SPEC_PARAMS, (sorted(properties), sorted(SPEC_PARAMS))
    emulator = Emulator()
    http_client = httpx.Client(transport=emulator.transport())
    sent: dict[str, Any] = {}
    with Grok(api_key="k", base_url="https://api.aimlapi.com", http_client=http_client) as client:
        for name in sorted(SPEC_PARAMS):
            value = value_for(document, properties[name])
            result = client.chat.completions.create(messages=USER, **{name: value})
            body = json.loads(emulator.requests[-1].raw_body)
            assert body[name] == value, (name, body.get(name), value)
            assert result.completion.choices, name
            sent[name] = value
        assert json.loads(emulator.requests[0].raw_body).get("model", DEFAULT_MODEL) == DEFAULT_MODEL
        completion = client.chat.completions.create(messages=USER).completion
        with client.chat.completions.create(messages=USER, stream=True) as stream:
            chunk_classes = sorted({type(chunk).__name__ for chunk in stream})
    print(
        json.dumps(
            {
                "package": aimlapi_grok_api.__file__,
                "sent": sorted(sent),
                "default_model": DEFAULT_MODEL,
                "streamed_text": stream.result.text,
                "finish_reason": stream.result.finish_reason,
                "completion": type(completion).__name__,
                "chunks": chunk_classes,
                "fast_completions_compared": fast_completions_compared(document, surface().COMPLETION_COMPONENT),
            }
        )
    )


if __name__ == "__main__":
    main()
