"""The normalized spec's JSON Schemas, compiled once, for request and response checks.

The schemas ship inside the generated package (``aimlapi_grok_api/_spec``) and
are loaded and compiled on first use, not at import time, so ``import
aimlapi_grok`` stays light. Two variants exist (see spec/tools/export_schemas.py):

- ``tolerant``: the normalized spec, what the client sends and accepts;
- ``published``: the published file's promises (required fields, no unknown
  properties), used to report drift.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from collections.abc import Iterator

    import jsonschema_rs

    from ._schema_predicate import Predicate

Variant = Literal["tolerant", "published"]


@dataclass(frozen=True, slots=True)
class SchemaViolation:
    """One way a JSON value breaks a schema: where, what value, which rule."""

    path: str  # dotted / indexed location, e.g. "messages[0].role"; "" for the root
    value: Any
    rule: str  # the JSON Schema keyword that failed, e.g. "enum", "maximum", "required"
    message: str

    def describe(self) -> str:
        where = self.path or "<body>"
        return f"{where}: {self.message} (rule: {self.rule})"


def format_path(parts: list[str | int] | tuple[str | int, ...]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def spec_file(name: str) -> Path:
    """A data file of the generated package (under ``_spec/``)."""
    return package_dir() / "_spec" / name


def package_dir() -> Path:
    """The generated package's folder, found without running its ``__init__``.

    ``importlib.resources.files`` would import ``aimlapi_grok_api`` (its client,
    attrs, ssl) just to read JSON: the benchmark measured the first request at
    33-48 ms CPU that way and 13-15 ms with this look-up.
    """
    spec = importlib.util.find_spec("aimlapi_grok_api")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("aimlapi_grok_api (the generated client) is not installed", name="aimlapi_grok_api")
    return Path(next(iter(spec.submodule_search_locations)))


def surface() -> ModuleType:
    """The generated ``aimlapi_grok_api._surface``: the spec's facts for the wrapper (plain data)."""
    return generated_module("_surface")


@cache
def generated_module(module: str) -> ModuleType:
    """A module of the generated package written by spec/tools/surface.py, loaded without the package's __init__.

    Those modules import only the standard library at run time, so this keeps ``import aimlapi_grok`` light.
    """
    name = f"aimlapi_grok_api.{module}"
    if name in sys.modules:
        return sys.modules[name]
    location = package_dir() / f"{module}.py"
    spec = importlib.util.spec_from_file_location(name, location)
    if spec is None or spec.loader is None or not location.is_file():
        raise ImportError(f"{location} is missing: regenerate the client (`make generate`)", name=name)
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    spec.loader.exec_module(loaded)
    return loaded


@cache
def schema_document() -> dict[str, Any]:
    """The exported JSON Schema document (both variants)."""
    document: dict[str, Any] = json.loads(spec_file("json_schema.json").read_text(encoding="utf-8"))
    return document


@cache
def openapi_document() -> dict[str, Any]:
    """The normalized OpenAPI document the generated client was made from."""
    document: dict[str, Any] = json.loads(spec_file("openapi.json").read_text(encoding="utf-8"))
    return document


@cache
def validator(definition: str, variant: Variant = "tolerant") -> jsonschema_rs.Validator:
    """A compiled validator for one component (compiled once per process)."""
    # Imported here: the compiled validator library (~3 ms) loads when a schema is first checked.
    import jsonschema_rs  # noqa: PLC0415

    defs = schema_document()[variant]
    if definition not in defs["$defs"]:
        raise KeyError(f"no schema component named {definition!r}")
    return jsonschema_rs.validator_for({"$ref": f"#/$defs/{definition}", **defs})


@cache
def predicate(definition: str, variant: Variant = "tolerant") -> Predicate | None:
    """The compiled validity predicate of one component; None when its schema needs jsonschema-rs."""
    # Imported here: the predicate compiler (~0.6 ms of import time) loads with the first check, not with the package.
    from ._schema_predicate import compile_predicate  # noqa: PLC0415

    return compile_predicate(schema_document()[variant], definition)


class Checker:
    """Whether values conform to one component: the compiled predicate says yes to a conforming value;
    jsonschema-rs is imported and compiled only for a value it does not accept, to confirm and explain."""

    __slots__ = ("_definition", "_predicate", "_variant")

    def __init__(self, definition: str, variant: Variant) -> None:
        self._definition = definition
        self._variant = variant
        self._predicate = predicate(definition, variant)

    def is_valid(self, value: Any) -> bool:
        """True when `value` conforms (jsonschema-rs's answer, or its ValueError for a value it cannot read)."""
        check = self._predicate
        if check is not None and check(value):
            return True
        return bool(validator(self._definition, self._variant).is_valid(value))

    def iter_errors(self, value: Any) -> Iterator[jsonschema_rs.ValidationError]:
        """jsonschema-rs's errors for `value`."""
        return validator(self._definition, self._variant).iter_errors(value)


@cache
def checker_for(definition: str, variant: Variant = "tolerant") -> Checker:
    """The Checker of one component (one per process); KeyError for an unknown component."""
    return Checker(definition, variant)


def violations(definition: str, value: Any, variant: Variant = "tolerant") -> list[SchemaViolation]:
    """Every way `value` breaks component `definition`; empty when it conforms."""
    checker = checker_for(definition, variant)
    if checker.is_valid(value):
        return []
    return [to_violation(error) for error in checker.iter_errors(value)]


def to_violation(error: jsonschema_rs.ValidationError) -> SchemaViolation:
    """A jsonschema-rs error as a SchemaViolation (where, what value, which rule)."""
    return SchemaViolation(
        path=format_path(list(error.instance_path)),
        value=error.instance,
        rule=str(error.schema_path[-1]) if error.schema_path else "",
        message=error.message,
    )
