"""Run in a fresh process with a regenerated `aimlapi_grok_api` first on sys.path: the wrapper, end to end.

Usage: python -m tests.contract.any_spec_client. Against the in-process emulator (which
answers from the same regenerated spec), it sends every request parameter of
that spec through `create()` (one call each, a value drawn from the parameter's
schema), streams one answer and parses one completion. Prints one JSON line:
the package location, the parameters sent, the default model, the streamed
text and the completion's class. Any failure raises (non-zero exit).
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import jsonschema_rs
from hypothesis import HealthCheck, find, settings

from .json_strategies import _Builder

USER = [{"role": "user", "content": "Say hi."}]
FIND_SETTINGS = settings(derandomize=True, database=None, max_examples=200, suppress_health_check=list(HealthCheck))


def value_for(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The simplest value `schema` allows (hypothesis' minimal example, deterministic)."""
    checker = jsonschema_rs.validator_for({**document, **schema}, validate_formats=True)
    strategy = _Builder(document["$defs"]).build(schema).filter(checker.is_valid)
    return find(strategy, lambda _: True, settings=FIND_SETTINGS)


def main() -> None:
    import aimlapi_grok_api
    from aimlapi_grok import Grok
    from aimlapi_grok._request import DEFAULT_MODEL, REQUEST_COMPONENT, SPEC_PARAMS
    from aimlapi_grok._schema import schema_document
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
            }
        )
    )


if __name__ == "__main__":
    main()
