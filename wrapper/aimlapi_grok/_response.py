"""The answer of a non-streamed `create()`: the typed completion plus what the HTTP answer said.

Parsing tolerates drift: unknown fields are kept (the generated models'
`additional_properties`), missing fields are simply unset, and a value of a
type or enum the spec does not allow (which would make the generated
`from_dict` fail or hold a wrongly typed value) is moved out of its typed
slot into the `additional_properties` of the object that holds it. Every
deviation is reported once as a DriftWarning (see `_drift`). The JSON as
received stays available as `result.body` (copies: `to_dict()`, `to_json()`).

The completion's own fields (`choices`, `usage`, `id`, `model`, `created`,
`meta`, ...) are attributes of the result, as in openai-python; see
`_completion_fields`.

Only an answer that is not a chat completion at all is refused, with
ResponseValidationError: a body that is not JSON, not a JSON object, or whose
`object` is something else (or that has neither `object` nor `choices`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from ._completion_fields import CompletionFields, ResultDump
from ._constants import CLIENT_REQUEST_ID_HEADER, CREDITS_USED_HEADER, INFERENCE_ID_HEADER, USD_SPENT_HEADER
from ._errors import ResponseValidationError
from ._json import decode_json
from ._meta import ResponseInfo, parse_credits, parse_usd
from ._redact import body_snippet
from ._schema import checker_for

if TYPE_CHECKING:
    import httpx
    from aimlapi_grok_api.models import ChatCompletion, CustomToolCall, ToolCall, Usage

COMPONENT = "ChatCompletion"
COMPLETION_OBJECT = "chat.completion"

_TOLERATE_ROUNDS = 4
# A value moved out of its typed slot: (path of the object holding it, key, value).
_Moved = tuple[tuple[str | int, ...], str, Any]


class ChatCompletionResult(CompletionFields, ResultDump):
    """A chat completion and its response metadata.

    `completion` is the generated ChatCompletion and `info` the ResponseInfo
    (status, headers, tracing ids, cost, retries), both built on first access;
    `body` is the JSON as received; `response` the httpx.Response. Shortcuts
    read the first choice. Every field of the completion is also an attribute
    (`result.choices[0].message.content`, `result.created`, ...), typed as
    the generated ChatCompletion types it; `to_dict()` / `to_json()` (alias
    `model_dump()` / `model_dump_json()`) give the JSON as received.
    """

    __slots__ = ("_clean", "_completion", "_info", "_moved", "body", "response", "retries")

    def __init__(
        self,
        body: dict[str, Any],
        response: httpx.Response,
        *,
        retries: int,
        clean: dict[str, Any] | None = None,
        moved: list[_Moved] | None = None,
    ) -> None:
        self.body = body
        self.response = response
        self.retries = retries
        self._clean = body if clean is None else clean
        self._moved = moved or []
        self._completion: ChatCompletion | None = None
        self._info: ResponseInfo | None = None

    @property
    def info(self) -> ResponseInfo:
        """Status, headers, tracing ids, header cost and retries of this answer."""
        if self._info is None:
            self._info = ResponseInfo.from_response(self.response, retries=self.retries)
        return self._info

    @property
    def completion(self) -> ChatCompletion:
        """The typed completion (generated model; unknown fields in `additional_properties`)."""
        if self._completion is None:
            self._completion = typed_completion(self._clean, self._moved)
        return self._completion

    def _json_data(self) -> dict[str, Any]:
        return self.body

    def _unreadable(self, reason: str) -> ResponseValidationError:
        message = f"HTTP {self.response.status_code} answer cannot be read as a completion: {reason}"
        return ResponseValidationError(message, response=self.response, retries=self.retries)

    def _first_choice(self) -> dict[str, Any]:
        choices = self.body.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], dict):
            return choices[0]
        return {}

    @property
    def text(self) -> str:
        """The first choice's message content, or "" when there is none (e.g. only tool calls)."""
        message = self._first_choice().get("message")
        content = message.get("content") if isinstance(message, dict) else None
        return content if isinstance(content, str) else ""

    @property
    def finish_reason(self) -> str | None:
        """The first choice's finish reason as sent (also a value the spec does not list)."""
        reason = self._first_choice().get("finish_reason")
        return reason if isinstance(reason, str) else None

    @property
    def tool_calls(self) -> list[ToolCall | CustomToolCall]:
        """The first choice's tool calls (typed), or an empty list."""
        choices = self.completion.choices
        if not choices:
            return []
        message = choices[0].message
        calls = getattr(message, "tool_calls", None)
        return list(calls) if isinstance(calls, list) else []

    @property
    def usage(self) -> Usage | None:  # type: ignore[override]  # None, not UNSET, when absent (as in openai-python)
        """Token usage (typed), or None when the answer has none."""
        # Imported here: a completion's generated models (~20 ms CPU) load on first use, not on import.
        from aimlapi_grok_api.models import Usage  # noqa: PLC0415

        usage = self.completion.usage
        return usage if isinstance(usage, Usage) else None

    @property
    def reasoning_tokens(self) -> int | None:
        usage = self.body.get("usage")
        details = usage.get("completion_tokens_details") if isinstance(usage, dict) else None
        tokens = details.get("reasoning_tokens") if isinstance(details, dict) else None
        return tokens if isinstance(tokens, int) and not isinstance(tokens, bool) else None

    @property
    def id(self) -> str | None:  # type: ignore[override]  # None, not UNSET, when absent (as in openai-python)
        value = self.body.get("id")
        return value if isinstance(value, str) else None

    @property
    def model(self) -> str | None:  # type: ignore[override]  # None, not UNSET, when absent (as in openai-python)
        """The model as the API names it (the bare name, without the `x-ai/` prefix)."""
        value = self.body.get("model")
        return value if isinstance(value, str) else None

    @property
    def inference_id(self) -> str | None:
        value: str | None = self.response.headers.get(INFERENCE_ID_HEADER)
        return value

    @property
    def client_request_id(self) -> str | None:
        """The X-Client-Request-Id the API echoed (None when it dropped or did not get one)."""
        value: str | None = self.response.headers.get(CLIENT_REQUEST_ID_HEADER)
        return value

    @property
    def credits_used(self) -> int | None:
        """Credits charged: the cost header, else the body's meta.usage."""
        credits = parse_credits(self.response.headers.get(CREDITS_USED_HEADER))
        if credits is not None:
            return credits
        return parse_credits(self._meta_usage().get("credits_used"), "meta.usage.credits_used", COMPONENT)

    @property
    def usd_spent(self) -> Decimal | None:
        """USD charged (exact Decimal): the cost header, else the body's meta.usage."""
        usd = parse_usd(self.response.headers.get(USD_SPENT_HEADER))
        return (
            usd
            if usd is not None
            else parse_usd(self._meta_usage().get("usd_spent"), "meta.usage.usd_spent", COMPONENT)
        )

    def _meta_usage(self) -> dict[str, Any]:
        meta = self.body.get("meta")
        usage = meta.get("usage") if isinstance(meta, dict) else None
        return usage if isinstance(usage, dict) else {}

    def __repr__(self) -> str:
        text = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        return (
            f"ChatCompletionResult(id={self.id!r}, model={self.model!r}, finish_reason={self.finish_reason!r}, "
            f"text={text!r}, usd_spent={self.usd_spent!r}, inference_id={self.inference_id!r}, retries={self.retries})"
        )


def parse_completion(response: httpx.Response, *, retries: int = 0) -> ChatCompletionResult:
    """A 2xx answer as a ChatCompletionResult, or ResponseValidationError when it is not a completion."""
    try:
        data = decode_json(response.content)  # (bytes: a UTF-8 BOM is skipped by json.loads, as RFC 8259 allows)
    except ValueError:
        raise _not_a_completion(response, "the body is not JSON", retries) from None
    except RecursionError:
        raise _not_a_completion(response, "the body is nested too deep to decode", retries) from None
    if not isinstance(data, dict):
        raise _not_a_completion(response, f"the body is a JSON {type(data).__name__}, not an object", retries)
    kind = data.get("object")
    if kind is None and not isinstance(data.get("choices"), list):
        raise _not_a_completion(response, "the body has neither `object` nor `choices`", retries)
    if kind is not None and kind != COMPLETION_OBJECT:
        raise _not_a_completion(response, f"`object` is {kind!r}, not {COMPLETION_OBJECT!r}", retries)
    # Imported here: the drift reporter (~2 ms of import time) loads with the first answer, not the package.
    from ._drift import report_drift  # noqa: PLC0415

    # The published schema is the stricter one: when the drift check passes, the tolerant check would too.
    try:
        clean, moved = (None, []) if report_drift(COMPONENT, data) else _tolerate(data)
    except (ValueError, RecursionError):  # jsonschema-rs: "Recursion limit reached"
        raise _not_a_completion(
            response, "a value is nested too deep to be checked against the spec", retries
        ) from None
    return ChatCompletionResult(data, response, retries=retries, clean=clean, moved=moved)


def typed_completion(clean: dict[str, Any], moved: list[_Moved]) -> ChatCompletion:
    """The generated ChatCompletion of a tolerated body (`_tolerate`), the moved values in `additional_properties`."""
    completion = _completion_builder()(clean)
    for holder_path, key, value in moved:
        _follow(completion, holder_path).additional_properties[key] = value
    return completion


@cache
def _completion_builder() -> Callable[[dict[str, Any]], ChatCompletion]:
    """The compiled builder of the typed completion (`_completion_model`), imported on first use."""
    # Imported here: a completion's generated models (~20 ms CPU) load on first use, not on import.
    from ._completion_model import build_completion  # noqa: PLC0415

    return build_completion


def tolerated_completion(data: dict[str, Any]) -> ChatCompletion:
    """The generated ChatCompletion of any completion-shaped JSON object, tolerating drift (no drift report)."""
    clean, moved = _tolerate(data)
    return typed_completion(data if clean is None else clean, moved)


def _not_a_completion(response: httpx.Response, reason: str, retries: int) -> ResponseValidationError:
    snippet = body_snippet(response) or "<empty>"
    content_type = response.headers.get("content-type", "no content-type")
    return ResponseValidationError(
        f"HTTP {response.status_code} answer is not a chat completion: {reason} ({content_type}); body: {snippet}",
        response=response,
        retries=retries,
    )


def _tolerate(data: dict[str, Any]) -> tuple[dict[str, Any] | None, list[_Moved]]:
    """A copy of `data` that the generated models can hold, and the values moved out; (None, []) when it conforms."""
    checker = checker_for(COMPONENT)
    if checker.is_valid(data):  # (`object` is required: a valid body has it)
        return None, []
    clean = copy.deepcopy(data)
    clean.setdefault("object", COMPLETION_OBJECT)  # dropped by the API: the drift report says so
    moved: list[_Moved] = []
    # Moving a value out can leave its object without a field the models require (an annotation whose
    # `type` was null): the next round then removes that object as a whole. A few rounds always settle.
    for _ in range(_TOLERATE_ROUNDS):
        found = {tuple(error.instance_path) for error in checker.iter_errors(clean)} - {()}
        if not found:
            break
        # Reverse path order: a value's insides before the value, a list's later items before its earlier ones,
        # so neither a removal nor a deletion changes a path still to come.
        for path in sorted(found, reverse=True):
            if any(path[:i] in found for i in range(1, len(path))):
                continue  # inside a value that is moved as a whole
            parent = _follow_json(clean, path[:-1])
            key = path[-1]
            if isinstance(key, str):
                moved.append((path[:-1], key, parent.pop(key)))
            else:
                del parent[key]  # an unusable list item: only in `body` from now on
                moved = _after_deletion(moved, path[:-1], key)
        clean.setdefault("object", COMPLETION_OBJECT)  # a wrong `object` (null) was moved aside above
    return clean, moved


def _after_deletion(moved: list[_Moved], owner: tuple[str | int, ...], index: int) -> list[_Moved]:
    """`moved` once item `index` of the list at path `owner` is deleted: values from inside that item are dropped
    (it is only in `body`), holder paths through later items are renumbered (paths run in reverse order: none pends)."""
    depth = len(owner)
    out: list[_Moved] = []
    for holder, key, value in moved:
        position = holder[depth] if holder[:depth] == owner else None  # (a holder is an object, never the list)
        if position == index:
            continue
        if isinstance(position, int) and position > index:
            out.append(((*owner, position - 1, *holder[depth + 1 :]), key, value))
        else:
            out.append((holder, key, value))
    return out


def _follow_json(data: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def _follow(model: Any, path: tuple[str | int, ...]) -> Any:
    """The model object at the JSON path of an object in the clean body (JSON key `object` is attribute `object_`,
    and so on): the typed models mirror the clean body, so every step exists."""
    for part in path:
        if isinstance(part, int):
            model = model[part]
        else:
            model = getattr(model, part if hasattr(model, part) and part != "additional_properties" else part + "_")
    return model
