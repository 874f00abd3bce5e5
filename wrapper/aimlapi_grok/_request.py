"""The request side of `create()`: typed parameters, the JSON body, and validation before sending.

Every request parameter of the spec's ChatCompletionRequest is a keyword of
`create()` (see `CreateParams`). Parameters left out are not sent. The body is
validated against the normalized spec (compiled once by `_schema`) plus the
rules the spec cannot say (reasoning takes effort OR max_tokens; the
X-Client-Request-Id alphabet and length); any violation raises
RequestValidationError naming field, value and rule, and nothing is sent.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any, TypedDict

from ._arguments import extra_body_violations, image_url_violations, tool_violations
from ._constants import CLIENT_REQUEST_ID_PATTERN
from ._errors import RequestValidationError
from ._schema import (
    SchemaViolation,
    checker_for,
    format_path,
    generated_module,
    schema_document,
    surface,
    validator,
    violations,
)

if TYPE_CHECKING:
    import httpx
    from aimlapi_grok_api._params import BodyParams

# The spec's facts, generated into aimlapi_grok_api._surface (spec/tools/surface.py).
REQUEST_COMPONENT: str = surface().REQUEST_COMPONENT
DEFAULT_MODEL: str | None = surface().DEFAULT_MODEL
MAX_SHOWN = 300  # characters of a value shown in an error message


class CallOptions(TypedDict, total=False):
    """Options of one `create()` call, not part of the JSON body."""

    client_request_id: str
    max_retries: int
    timeout: float | httpx.Timeout | None
    deadline: float | None
    extra_headers: Mapping[str, str]
    extra_body: Mapping[str, Any]


if TYPE_CHECKING:

    class CreateParams(BodyParams, CallOptions, total=False):
        """Keyword arguments of `create()` besides `messages` and `stream`: the spec's request parameters
        (`BodyParams`, generated; unset ones are not sent) and the call options."""

else:

    def __getattr__(name: str) -> Any:
        # CreateParams is built on first use: the generated TypedDicts cost milliseconds to create, and
        # `import aimlapi_grok` should not pay for what only type checkers and introspection read.
        if name != "CreateParams":
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        body_params = generated_module("_params").BodyParams

        class CreateParams(body_params, CallOptions, total=False):
            """Keyword arguments of `create()` besides `messages` and `stream`: the spec's request parameters
            (`BodyParams`, generated; unset ones are not sent) and the call options."""

        globals()[name] = CreateParams
        return CreateParams


SPEC_PARAMS: frozenset[str] = surface().BODY_PARAMS
CALL_OPTIONS = frozenset(CallOptions.__annotations__)
_MESSAGE_PATH = re.compile(r"messages\[(\d+)\]")
_MODEL_PARAM = "model"  # the request field naming the model: DEFAULT_MODEL fills it in when not given
# One encoder for every call: json.dumps with non-default options builds a new one each time.
# ensure_ascii=False: UTF-8 text as is, so a lone surrogate fails to encode here instead of reaching the API.
_ENCODER = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False)
# Levels of objects and lists the checking walk (`plain_json`) goes down before refusing: it runs when the fast
# path fails, e.g. when the C encoder hits the recursion limit, so anything too deep to encode is refused.
MAX_NESTING = 256


def build_body(messages: Sequence[Any], stream: bool, params: Mapping[str, Any]) -> dict[str, Any]:
    """The body for `create()` as given (models not yet converted), unset parameters left out.

    Raises TypeError for an unknown keyword (like any Python call).
    """
    unknown = params.keys() - SPEC_PARAMS - CALL_OPTIONS
    if unknown:
        raise TypeError(f"create() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
    # (a list first: the Mapping and Sequence ABC checks are slow, and this runs on every call)
    not_a_list = type(messages) is not list
    if not_a_list and (isinstance(messages, str | bytes | Mapping) or not isinstance(messages, Sequence)):
        raise RequestValidationError(
            [_violation("messages", messages, "type", "expected a list of messages, got " + type(messages).__name__)]
        )
    body: dict[str, Any] = {} if DEFAULT_MODEL is None else {_MODEL_PARAM: DEFAULT_MODEL}
    body["messages"] = messages
    for name, value in params.items():
        if name in SPEC_PARAMS:
            body[name] = value
    if stream:
        body["stream"] = True
    extra_body = params.get("extra_body")
    if extra_body is not None:
        clashes = extra_body_violations(extra_body, params.keys() & SPEC_PARAMS)
        if clashes:
            raise RequestValidationError(clashes)
        body.update(extra_body)
    return body


def encode_request(body: dict[str, Any], client_request_id: object, max_retries: object) -> bytes:
    """Validate the call and return the JSON body bytes; RequestValidationError (nothing sent) on any problem.

    Fast path: plain JSON data is validated as it is (one compiled predicate)
    and serialized by the C encoder. Anything else (generated models, tuples
    of models, non-JSON values) is first converted by `plain_json`, which
    names the location of a value that cannot be JSON.
    """
    checker = checker_for(REQUEST_COMPONENT)
    try:
        valid = checker.is_valid(body)
    except (ValueError, RecursionError):  # a type jsonschema-rs cannot read (a model, a non-str key), a cycle
        body = _plain_body(body)
        valid = checker.is_valid(body)
    if not valid:
        body = _plain_body(body)  # a value that is not JSON (NaN, a lone surrogate) is named as itself, not as null
    validate_request(body, client_request_id, max_retries, schema_checked=valid)
    try:
        return _ENCODER.encode(body).encode()
    except (TypeError, ValueError, RecursionError):  # e.g. a Decimal the schema accepted, NaN, a lone surrogate
        return _ENCODER.encode(_plain_body(body)).encode()


def _plain_body(body: dict[str, Any]) -> dict[str, Any]:
    try:
        # typing: plain_json returns JSON typed Any; a dict in gives a dict out
        return plain_json(body)  # type: ignore[no-any-return]
    except _NotJSON as exc:
        raise RequestValidationError([exc.violation()]) from None


class _NotJSON(Exception):
    def __init__(self, value: Any, reason: str) -> None:
        self.value = value
        self.reason = reason
        self.parts: list[str | int] = []

    def violation(self) -> SchemaViolation:
        return _violation(format_path(list(reversed(self.parts))), self.value, "type", self.reason)


def plain_json(value: Any, _open: set[int] | None = None) -> Any:
    """`value` as plain JSON data: generated models through `to_dict()`, tuples as lists.

    Refused (with the location): NaN and infinities, text with a lone surrogate
    (not Unicode, so not JSON), non-str keys, other types, nesting deeper than
    MAX_NESTING and a container that holds itself.
    """
    if value is None or isinstance(value, int):  # bool is an int
        return value
    if isinstance(value, str):
        if not value.isascii():
            _check_unicode(value)
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        raise _NotJSON(value, f"{value!r} is not a JSON number")
    if _open is None:
        _open = set()
    if isinstance(value, Mapping | list | tuple):
        if id(value) in _open:
            raise _NotJSON(value, "this object contains itself (a recursive value is not JSON)")
        if len(_open) >= MAX_NESTING:
            raise _NotJSON(value, f"nested more than {MAX_NESTING} levels deep")
        _open.add(id(value))
        try:
            return _plain_container(value, _open)
        finally:
            _open.discard(id(value))
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict):
        return plain_json(to_dict(), _open)
    raise _NotJSON(value, f"{_a(type(value).__name__)} is not JSON data")


def _plain_container(value: Mapping[Any, Any] | list[Any] | tuple[Any, ...], open_ids: set[int]) -> Any:
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotJSON(key, f"object keys must be strings, got {type(key).__name__}")
            try:
                _check_unicode(key)
                out[key] = plain_json(item, open_ids)
            except _NotJSON as exc:
                exc.parts.append(key)
                raise
        return out
    items: list[Any] = []
    for index, item in enumerate(value):
        try:
            items.append(plain_json(item, open_ids))
        except _NotJSON as exc:
            exc.parts.append(index)
            raise
    return items


def _check_unicode(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        reason = f"text with a lone surrogate {text[exc.start]!r} at index {exc.start} is not Unicode"
        raise _NotJSON(text, reason) from None


def validate_request(
    body: Mapping[str, Any], client_request_id: object, max_retries: object, *, schema_checked: bool = False
) -> None:
    """Raise RequestValidationError (nothing sent) listing every problem of this request.

    `schema_checked=True` says the body already passed the compiled schema check.
    """
    problems = [] if schema_checked else violations(REQUEST_COMPONENT, body)
    if problems:
        problems = _explain_messages(body, _explain_alternatives(REQUEST_COMPONENT, body, problems))
    reasoning = body.get("reasoning")
    if reasoning is not None and isinstance(reasoning, Mapping) and "effort" in reasoning and "max_tokens" in reasoning:
        problems.append(
            _violation(
                "reasoning",
                dict(reasoning),
                "effort-or-max_tokens",
                "reasoning takes effort or max_tokens, not both",
            )
        )
    if not isinstance(client_request_id, str) or not CLIENT_REQUEST_ID_PATTERN.fullmatch(client_request_id):
        problems.append(
            _violation(
                "client_request_id",
                client_request_id,
                "pattern",
                f"{_shown(client_request_id)} must be 1 to 128 characters from A-Z a-z 0-9 . _ : - "
                "(the API silently drops any other value)",
            )
        )
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        problems.append(_violation("max_retries", max_retries, "minimum", "must be an int >= 0"))
    problems += tool_violations(body)
    problems += image_url_violations(body.get("messages"))
    if problems:
        raise RequestValidationError(problems)


@cache
def message_components() -> dict[str, str]:
    """role -> message component name, read from the spec's `messages` oneOf."""
    defs = schema_document()["tolerant"]["$defs"]
    variants = defs[REQUEST_COMPONENT]["properties"]["messages"]["items"]["oneOf"]
    roles: dict[str, str] = {}
    for variant in variants:
        name = variant["$ref"].rsplit("/", 1)[-1]
        for role in defs[name]["properties"]["role"].get("enum", []):
            roles[role] = name
    return roles


def _explain_messages(body: Mapping[str, Any], problems: list[SchemaViolation]) -> list[SchemaViolation]:
    """Replace "not valid under any of the oneOf schemas" on a message by that role's precise errors."""
    messages = body.get("messages")
    out: list[SchemaViolation] = []
    for problem in problems:
        index = _message_index(problem.path)
        if problem.rule != "oneOf" or index is None or not isinstance(messages, list | tuple):
            out.append(_shortened(problem))
            continue
        out.extend(_message_problems(problem.path, messages[index]))
    return out


def _message_index(path: str) -> int | None:
    """i for the path "messages[i]" (the validator's path into the very list validated), else None."""
    found = _MESSAGE_PATH.fullmatch(path)
    return int(found[1]) if found else None


def _message_problems(path: str, message: Any) -> list[SchemaViolation]:
    roles = message_components()
    allowed = ", ".join(repr(role) for role in roles)
    if not isinstance(message, Mapping):
        kind = "null" if message is None else type(message).__name__
        return [_violation(path, message, "type", f"expected a message object, got {kind}")]
    if "role" not in message:
        return [_violation(f"{path}.role", None, "required", f"required field is missing (one of {allowed})")]
    role = message["role"]
    component = roles.get(role) if isinstance(role, str) else None
    if component is None:
        return [_violation(f"{path}.role", role, "enum", f"{_shown(role)} is not one of {allowed}")]
    found = _explain_alternatives(component, message, violations(component, message))
    if not found:  # valid alone but not under oneOf: report what jsonschema said
        return [_violation(path, message, "oneOf", "matches more than one message schema")]
    return [
        _shortened(
            SchemaViolation(f"{path}.{v.path}" if v.path else path, v.value, v.rule, f"{v.message} ({role} message)")
        )
        for v in found
    ]


def _explain_alternatives(component: str, value: Any, problems: list[SchemaViolation]) -> list[SchemaViolation]:
    """Spell out the allowed forms where a value matched none of an anyOf's alternatives."""
    if not any(p.rule == "anyOf" for p in problems):
        return problems
    defs = schema_document()["tolerant"]
    locations = {
        format_path(list(error.instance_path)): list(error.schema_path)
        for error in validator(component).iter_errors(value)
        if error.schema_path and error.schema_path[-1] == "anyOf"
    }
    out: list[SchemaViolation] = []
    for problem in problems:
        location = locations.get(problem.path) if problem.rule == "anyOf" else None
        node: Any = defs
        for part in location or []:
            node = node[part]
        if location:  # it ends with "anyOf": node is the list of alternatives
            forms = ", ".join(_describe_form(alternative, defs) for alternative in node)
            message = f"{_shown(problem.value)} is none of: {forms}"
            out.append(_violation(problem.path, problem.value, "anyOf", message))
        else:
            out.append(problem)
    return out


def _describe_form(schema: Any, defs: dict[str, Any]) -> str:
    if not isinstance(schema, dict):
        return "anything"
    if "$ref" in schema:
        name = str(schema["$ref"]).rpartition("/")[2]
        target = defs["$defs"].get(name, {})
        if "enum" in target:
            return " or ".join(repr(v) for v in target["enum"])
        return f"{_a(name)} object"
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _describe_form(schema["allOf"][0], defs)
    if "enum" in schema:
        return " or ".join(repr(v) for v in schema["enum"])
    kinds = schema.get("type")
    if kinds is None:
        return "anything"
    kinds = kinds if isinstance(kinds, list) else [kinds]
    words = []
    for kind in kinds:
        if kind == "array" and isinstance(schema.get("items"), dict):
            items = schema["items"]
            parts = items.get("anyOf") or items.get("oneOf") or [items]
            words.append(f"a list of ({' | '.join(_describe_form(part, defs) for part in parts)})")
        else:
            words.append(_a(kind) if kind != "null" else "null")
    return " or ".join(words)


def _a(noun: str) -> str:
    """The noun with its indefinite article: "a string", "an array", "an ImageUrlContentPart"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _violation(path: str, value: Any, rule: str, message: str) -> SchemaViolation:
    return SchemaViolation(path=path, value=value, rule=rule, message=message)


def _shortened(problem: SchemaViolation) -> SchemaViolation:
    if len(problem.message) <= MAX_SHOWN:
        return problem
    return SchemaViolation(problem.path, problem.value, problem.rule, problem.message[: MAX_SHOWN - 3] + "...")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
