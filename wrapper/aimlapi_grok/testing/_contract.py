"""Contract assertions an app's tests can call: is this request (or response) what the spec allows?

These checks are stricter than the client's pre-send validation in one way:
they also enforce the spec's `format`s (an image URL must be a URI, an error
timestamp a date-time), as a server holding to the spec would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING, Any

import httpx

from .._schema import SchemaViolation, Variant, schema_document, to_violation

if TYPE_CHECKING:
    import jsonschema_rs

REQUEST_COMPONENT = "ChatCompletionRequest"


def _decode(value: Any) -> Any:
    if isinstance(value, httpx.Request):
        value = value.read()
    if isinstance(value, bytes | bytearray | str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise AssertionError(f"the body is not valid JSON: {exc}") from None
    return value


@cache
def _strict_validator(component: str, variant: Variant) -> jsonschema_rs.Validator:
    # Imported here: the compiled validator library (~3 ms) loads when a schema is first checked.
    import jsonschema_rs  # noqa: PLC0415

    defs = schema_document()[variant]
    if component not in defs["$defs"]:
        raise KeyError(f"no schema component named {component!r}")
    return jsonschema_rs.validator_for({"$ref": f"#/$defs/{component}", **defs}, validate_formats=True)


_KIND_MISMATCH = {"Enum", "Constant", "Type"}


def _refined(error: jsonschema_rs.ValidationError) -> list[jsonschema_rs.ValidationError]:
    """For a failed oneOf/anyOf, the errors of the alternative of the same kind as the value, if one is clear.

    An alternative is of another kind when the value's own type, or the enum of one of its direct
    properties (a message's `role`, a part's `type`), does not match. When exactly the alternatives
    of one kind remain, their fewest errors are reported (refined again), so a message names the
    field at fault instead of "not valid under any of the schemas".
    """
    context = getattr(error.kind, "context", None)
    if not context:
        return [error]
    depth = len(error.instance_path)
    same_kind = [
        alternative
        for alternative in context
        if not any(
            type(item.kind).__name__ in _KIND_MISMATCH and len(item.instance_path) <= depth + 1 for item in alternative
        )
    ]
    if not same_kind:
        return [error]
    chosen = min(same_kind, key=len)
    return [refined for item in chosen for refined in _refined(item)]


def strict_violations(component: str, value: Any, variant: Variant = "tolerant") -> list[SchemaViolation]:
    """Every way `value` breaks `component`, formats included; empty when it conforms."""
    checker = _strict_validator(component, variant)
    if checker.is_valid(value):
        return []
    return [to_violation(error) for top in checker.iter_errors(value) for error in _refined(top)]


def _problems(component: str, value: Any, variant: Variant) -> list[str]:
    return [v.describe() for v in strict_violations(component, value, variant)]


def assert_valid_request(body: Mapping[str, Any] | bytes | str | httpx.Request) -> None:
    """Raise AssertionError naming each field path when `body` is not a request the spec allows.

    Accepts the JSON body as a dict, as text/bytes, or the `httpx.Request` itself.
    """
    problems = _problems(REQUEST_COMPONENT, _decode(body), "tolerant")
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"request body breaks the AIML API spec ({REQUEST_COMPONENT}):\n{listing}")


def assert_valid_response(
    body: Mapping[str, Any] | bytes | str, component: str = "ChatCompletion", *, variant: Variant = "tolerant"
) -> None:
    """Raise AssertionError naming each field path when `body` does not conform to `component`.

    `variant="published"` holds it to the published promises (required fields, no unknown properties).
    """
    problems = _problems(component, _decode(body), variant)
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems)
        raise AssertionError(f"response body breaks the AIML API spec ({component}, {variant}):\n{listing}")


def sse_payloads(text: str | bytes) -> list[str]:
    """The `data:` payloads of an SSE body, in order (the `[DONE]` marker included)."""
    if isinstance(text, bytes):
        text = text.decode()
    payloads = []
    for event in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line[5:].removeprefix(" ") for line in event.split("\n") if line.startswith("data:")]
        if lines:
            payloads.append("\n".join(lines))
    return payloads


def assert_valid_stream(text: str | bytes, *, variant: Variant = "tolerant") -> list[dict[str, Any]]:
    """Check every event of a streamed answer against ChatCompletionChunk; return the chunks.

    The stream must end with `data: [DONE]` and carry no other non-JSON event.
    """
    payloads = sse_payloads(text)
    if not payloads or payloads[-1] != "[DONE]":
        raise AssertionError("the stream does not end with 'data: [DONE]'")
    chunks = []
    for index, payload in enumerate(payloads[:-1]):
        chunk = _decode(payload)
        problems = _problems("ChatCompletionChunk", chunk, variant)
        if problems:
            listing = "\n".join(f"  - {problem}" for problem in problems)
            raise AssertionError(f"stream event {index} breaks the AIML API spec (ChatCompletionChunk):\n{listing}")
        chunks.append(chunk)
    return chunks
