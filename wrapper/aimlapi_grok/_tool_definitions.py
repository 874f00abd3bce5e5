"""What makes a function definition valid: its name, and its parameters as the JSON Schema of an object.

The rules ``function_tool()`` raises on and ``create()`` reports (as violations) for tools given
as dicts, in one leaf both build on.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["FUNCTION_NAME_PATTERN", "check_function_name", "checked_parameters", "function_problem"]

# The spec's FunctionDefinition.name: "a-z, A-Z, 0-9, or contain underscores and dashes, with a maximum length of 64".
FUNCTION_NAME_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def function_problem(name: object, parameters: object) -> list[tuple[str, str]]:
    """(field, problem) for a function definition given to `create()`: the rules `function_tool()` applies."""
    found: list[tuple[str, str]] = []
    if not _is_function_name(name):
        found.append(("name", f"{name!r} is not a valid function name: {_NAME_RULE}"))
    if parameters is not None:
        if not isinstance(parameters, Mapping):
            found.append(("parameters", f"must be a JSON Schema object (a dict), not {type(parameters).__name__}"))
        else:
            problem = _parameters_problem(dict(parameters))
            if problem is not None:
                found.append(("parameters", problem[1]))
    return found


_NAME_RULE = "1 to 64 characters from a-z A-Z 0-9 _ -"


def _is_function_name(name: object) -> bool:
    return isinstance(name, str) and FUNCTION_NAME_PATTERN.fullmatch(name) is not None


def check_function_name(name: Any, what: str) -> None:
    if not _is_function_name(name):
        raise ValueError(f"{what} {name!r} is not a valid function name: {_NAME_RULE}")


def _parameters_problem(parameters: dict[str, Any]) -> tuple[type[Exception], str] | None:
    """The exception class and message for `parameters` that is not a JSON Schema of an object, or None."""
    try:
        text = json.dumps(parameters, sort_keys=True)
    except (TypeError, ValueError) as exc:
        return TypeError, f"parameters is not JSON-serializable: {exc}"
    if "type" in parameters and parameters["type"] != "object":
        return ValueError, f"parameters must describe a JSON object (type 'object'), not type {parameters['type']!r}"
    problem = _schema_problem(text)
    return None if problem is None else (ValueError, problem)


@functools.lru_cache(maxsize=256)
def _schema_problem(parameters_json: str) -> str | None:
    """Why a JSON Schema (as canonical JSON text) is not valid, or None; cached: the same tools come on every call."""
    # Imported here: the compiled validator library is needed only once a tool schema is checked.
    # Imported here: the compiled validator library (~3 ms) loads when a schema is first checked.
    import jsonschema_rs  # noqa: PLC0415

    try:
        jsonschema_rs.meta.validate(json.loads(parameters_json))
    except jsonschema_rs.ValidationError as exc:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in exc.instance_path)
        return f"parameters{where} is not a valid JSON Schema: {exc.message}"
    return None


def checked_parameters(parameters: dict[str, Any]) -> dict[str, Any]:
    problem = _parameters_problem(parameters)
    if problem is not None:
        raise problem[0](problem[1])
    return parameters
