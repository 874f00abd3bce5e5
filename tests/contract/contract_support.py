"""Shared pieces of the contract tests: the contract view of the spec, example budgets, run counts.

The contract is the normalized spec shipped in `aimlapi_grok_api/_spec`. Two
additions make it checkable by schemathesis, and both are spelled out here:
- the `text/event-stream` response describes one SSE event (schemathesis
  reads an OpenAPI 3.0 event-stream schema that way): an object whose `data`
  is either the `[DONE]` marker or JSON matching ChatCompletionChunk;
- every `x-aliases` path is added as a copy of its canonical path item, so
  the alias `/chat/completions` is tested too.

`make test` prints how many schemathesis cases and property examples ran
(see `pytest_terminal_summary`).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from aimlapi_grok._schema import openapi_document
from aimlapi_grok.testing import assert_valid_response, assert_valid_stream, completion_response, stream_response

# Examples per property test (CI default 1000; set CONTRACT_EXAMPLES higher for a longer run).
PROPERTY_EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "1000"))
# Cases per schemathesis generation mode (positive, negative) and path.
SCHEMATHESIS_EXAMPLES = int(os.environ.get("CONTRACT_SCHEMATHESIS_EXAMPLES", "100"))
# Cases of streamed requests (positive generation only; see streaming_contract_spec).
SCHEMATHESIS_STREAM_EXAMPLES = int(os.environ.get("CONTRACT_SCHEMATHESIS_STREAM_EXAMPLES", "60"))
# Examples per mirrored spec version in the regeneration test (fewer: each runs in a fresh process).
REGENERATED_EXAMPLES = int(os.environ.get("CONTRACT_REGENERATED_EXAMPLES", "200"))
CONTRACT_API_KEY = "contract-test-key"

RUN_COUNTS: Counter[str] = Counter()


def sse_event_schema(chunk_ref: str) -> dict[str, Any]:
    """One SSE event of the chat completion stream: `data` is `[DONE]` or a JSON chunk."""
    return {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "anyOf": [
                    {"enum": ["[DONE]"]},
                    {"contentMediaType": "application/json", "contentSchema": {"$ref": chunk_ref}},
                ],
            }
        },
    }


def contract_spec(document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The normalized spec with the SSE event described and the alias paths spelled out."""
    spec = copy.deepcopy(document if document is not None else openapi_document())
    paths: dict[str, Any] = spec["paths"]
    for _path, item in list(paths.items()):
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for response in operation["responses"].values():
                media = response.get("content", {}).get("text/event-stream")
                if media is not None:
                    media["schema"] = sse_event_schema(media["schema"]["$ref"])
        for alias in item.get("x-aliases", []):
            paths[alias] = {key: value for key, value in item.items() if not key.startswith("x-")}
    return spec


def streaming_contract_spec() -> dict[str, Any]:
    """The contract spec narrowed to streamed requests (`stream: true` required), for positive generation:
    schemathesis rarely sets `stream` on its own, and every answer to these is an event stream it checks."""
    spec = contract_spec()
    request = spec["components"]["schemas"]["ChatCompletionRequest"]
    request["properties"]["stream"] = {"type": "boolean", "enum": [True]}
    request["required"] = [*request["required"], "stream"]
    return spec


WIRE_OPTIONS = ("messages", "stream")


def split_for_create(body: dict[str, Any], spec_params: frozenset[str]) -> dict[str, Any]:
    """`create()` keyword arguments that send `body`: known parameters by name, unknown ones via extra_body."""
    kwargs = {key: value for key, value in body.items() if key in spec_params or key in WIRE_OPTIONS}
    extra = {key: value for key, value in body.items() if key not in kwargs}
    if extra:
        kwargs["extra_body"] = extra
    return kwargs


def expected_wire_body(body: dict[str, Any]) -> dict[str, Any]:
    """What the wire must carry for `body`: the same JSON, except that `stream: false` (the spec default,
    passed to create() as stream=False) is not sent."""
    return {key: value for key, value in body.items() if not (key == "stream" and value is False)}


def capture_wire_bodies(
    client_factory: Any,
    body: dict[str, Any],
    spec_params: frozenset[str],
    *,
    corrupt: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Send `body` through a client made by `client_factory(http_client)`; the JSON bodies that reached the wire.

    `corrupt` rewrites each body on its way out, to simulate a wrapper that serializes wrongly.
    """
    sent: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        wire = json.loads(request.content)
        sent.append(corrupt(wire) if corrupt is not None else wire)
        return stream_response() if body.get("stream") is True else completion_response()

    with httpx.Client(transport=httpx.MockTransport(answer)) as http, client_factory(http) as client:
        client.chat.completions.with_raw_response.create(**split_for_create(body, spec_params))
    return sent


MODEL = "x-ai/grok-4-1-fast-reasoning"
CHAT_PATH = "/v1/chat/completions"


def user_body(text: str = "hello", **params: Any) -> dict[str, Any]:
    """A minimal valid request body asking `text`, plus any request parameters."""
    return {"model": MODEL, "messages": [{"role": "user", "content": text}], **params}


def ask(
    emulator: Any,
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    path: str = CHAT_PATH,
    method: str = "POST",
    raw: bytes | None = None,
    key: str | None = "any-key",
) -> Any:
    """Let `emulator` plan its answer to one request (in process); returns the PlannedResponse."""

    all_headers = {} if key is None else {"Authorization": f"Bearer {key}"}
    all_headers.update(headers or {})
    content = raw if raw is not None else json.dumps(body if body is not None else user_body()).encode()
    return emulator.handle(method, path, all_headers, content)


def published_schema_conformance(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every emulator answer also keeps the published promises (required fields, no unknown properties).

    Passed as an additional check (not registered globally, so other schemathesis users are unaffected).
    """

    content_type = response.headers.get("content-type", [""])[0]
    if content_type.startswith("text/event-stream"):
        assert_valid_stream(response.content, variant="published")
    elif content_type.startswith("application/json"):
        component = "ChatCompletion" if response.status_code == 200 else "ErrorBody"
        assert_valid_response(response.content, component, variant="published")
    return None


REGENERATED_TIMEOUT = 600  # seconds for one script run on a regenerated package


def run_on_regenerated(package_parent: Path, script: Path, *args: str) -> dict[str, Any]:
    """Run `script` in a fresh process whose `aimlapi_grok_api` is the one under `package_parent`; its JSON report.

    The script prints its report as the last stdout line; a non-zero exit fails with the end of its stderr.
    """
    # The script runs as a module of this test package (`python -m tests.contract.<name>`), from the repository root.
    repo_root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(package_parent), str(repo_root)])}
    done = subprocess.run(
        [sys.executable, "-m", f"{__package__}.{script.stem}", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=REGENERATED_TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(report["package"]).resolve().parent == (package_parent / "aimlapi_grok_api").resolve()
    return report
