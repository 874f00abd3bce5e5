"""Checks of call arguments that the spec's JSON Schema cannot express (no I/O, nothing sent on failure).

One rule per kind of argument, used by the constructor (ConfigurationError) and
by each call (RequestValidationError) alike:

- time limits (`timeout`, `deadline`): None, or seconds as a finite number > 0
  (not a bool); `timeout` may also be an httpx.Timeout whose parts follow the
  same rule;
- header names and values: an HTTP token and visible ASCII (no CR, LF or other
  control characters, nothing that cannot be sent as Latin-1 safely);
- `extra_body`: a mapping, and it must not set what an argument of `create()`
  already sets (`messages`, `stream`, or a parameter passed explicitly);
- function tools (found by shape): a function name matching
  ``^[a-zA-Z0-9_-]{1,64}$`` and `parameters` that is a valid JSON Schema (as
  `function_tool()` requires);
- image parts: an http(s) URL or a base64 data URL (as `image_part()` requires).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Set
from typing import NoReturn

import httpx

from ._errors import ConfigurationError, RequestValidationError
from ._schema import SchemaViolation
from ._tool_definitions import function_problem

_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_HEADER_VALUE = re.compile(r"[\t\x20-\x7e]*")
_ALWAYS_SET_BY_ARGUMENTS = frozenset({"messages", "stream"})


def time_limit_problem(name: str, value: object) -> str | None:
    """Why `value` is not a usable `timeout` / `deadline` (None or seconds > 0), or None when it is."""
    if value is None:
        return None
    if isinstance(value, httpx.Timeout) and name == "timeout":
        for part, seconds in value.as_dict().items():
            problem = time_limit_problem(name, seconds)
            if problem is not None:
                return f"its {part} part {problem}"
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        forms = "seconds (a number > 0), an httpx.Timeout or None" if name == "timeout" else "seconds or None"
        return f"must be {forms}, got {type(value).__name__} {value!r}"
    if math.isnan(value) or math.isinf(value):
        return f"must be a finite number of seconds (None for no limit), got {value!r}"
    if value <= 0:
        return f"must be more than 0 seconds, got {value!r}"
    return None


def check_time_limit_setting(name: str, value: object) -> None:
    """Constructor form: ConfigurationError naming the setting."""
    problem = time_limit_problem(name, value)
    if problem is not None:
        raise ConfigurationError(f"{name} {problem}")


def time_limit_violation(name: str, value: object) -> SchemaViolation | None:
    """Per-call form: the violation naming the option, or None."""
    problem = time_limit_problem(name, value)
    return None if problem is None else SchemaViolation(name, value, "time-limit", problem)


def header_problem(name: object, value: object) -> str | None:
    """Why a header cannot be sent as given (type, CR/LF, non-ASCII), or None."""
    if not isinstance(name, str) or not isinstance(value, str):
        return f"must map str to str, got {name!r}: {type(value).__name__}"
    if not _HEADER_NAME.fullmatch(name):
        return f"header name {name!r} is not an HTTP token (letters, digits and !#$%&'*+-.^_`|~ only)"
    if not _HEADER_VALUE.fullmatch(value):
        return f"header {name!r} has a value with CR, LF, another control character or non-ASCII text: {value!r}"
    return None


def checked_headers(headers: object, name: str, *, per_call: bool) -> dict[str, str]:
    """Header names lower-cased (ours and the caller's merge case-insensitively); each header checked."""
    if headers is None:
        return {}
    if not isinstance(headers, Mapping):
        message = f"{name} must be a mapping of header names to values, got {type(headers).__name__}"
        _refuse(name, headers, "type", message, per_call=per_call)
    out: dict[str, str] = {}
    for key, value in headers.items():
        problem = header_problem(key, value)
        if problem is not None:
            _refuse(name, key, "header", f"{name} {problem}", per_call=per_call)
        out[str(key).lower()] = str(value)
    return out


def extra_body_violations(extra_body: object, explicit: Set[str]) -> list[SchemaViolation]:
    """`extra_body` must be a mapping that does not set `messages`, `stream` or an explicitly passed parameter."""
    if extra_body is None:
        return []
    if not isinstance(extra_body, Mapping):
        message = f"must be a mapping of extra body fields, got {type(extra_body).__name__}"
        return [SchemaViolation("extra_body", extra_body, "type", message)]
    clashes = sorted(key for key in extra_body if key in _ALWAYS_SET_BY_ARGUMENTS or key in explicit)
    return [
        SchemaViolation(
            f"extra_body.{key}",
            extra_body[key],
            "conflict",
            f"extra_body sets {key!r}, which the argument {key}= of create() already sets; use the argument",
        )
        for key in clashes
    ]


def tool_violations(body: Mapping[str, object]) -> list[SchemaViolation]:
    """Function tools anywhere at the top of the body: names and parameter schemas checked as `function_tool()` does.

    Found by shape (a list of objects holding a `function` object), not by the field's name: the schema check
    reports a malformed list, this one what the schema cannot say.
    """
    found: list[SchemaViolation] = []
    for key, items in body.items():
        if isinstance(items, str) or not isinstance(items, list | tuple):
            continue
        for index, item in enumerate(items):
            function = item.get("function") if isinstance(item, dict | Mapping) else None
            if function is None or not isinstance(function, Mapping):  # (None first: the Mapping ABC check is slow)
                continue
            for field, problem in function_problem(function.get("name"), function.get("parameters", None)):
                where = f"{key}[{index}].function.{field}"
                found.append(SchemaViolation(where, function.get(field), "tool", problem))
    return found


def image_url_violations(messages: object) -> list[SchemaViolation]:
    """Image parts whose URL is neither http(s) nor a base64 data URL."""
    if not isinstance(messages, list | tuple):
        return []
    found: list[SchemaViolation] = []
    for m_index, message in enumerate(messages):
        # (dict first: isinstance against the Mapping ABC is slow, and this runs on every call)
        content = message.get("content") if isinstance(message, dict | Mapping) else None
        if isinstance(content, str) or not isinstance(content, list | tuple):
            continue
        for p_index, part in enumerate(content):
            image = part.get("image_url") if isinstance(part, Mapping) else None
            url = image.get("url") if isinstance(image, Mapping) else None
            if not isinstance(url, str):
                continue
            # Imported here: the content helpers (~0.5 ms of import time) load with the first image part.
            from ._content import image_url_problem  # noqa: PLC0415

            problem = image_url_problem(url)
            if problem is not None:
                where = f"messages[{m_index}].content[{p_index}].image_url.url"
                found.append(SchemaViolation(where, url, "image-url", problem))
    return found


def _refuse(name: str, value: object, rule: str, message: str, *, per_call: bool) -> NoReturn:
    if per_call:
        raise RequestValidationError([SchemaViolation(name, value, rule, message)])
    raise ConfigurationError(message)
