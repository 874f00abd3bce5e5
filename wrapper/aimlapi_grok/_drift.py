"""Drift reports: where the API's answers differ from its published spec.

Entry point (called for every completion body and every streamed chunk)::

    report_drift(component: str, data: Any) -> bool  (True: data conforms to the tolerant schema too)

`component` is a schema component name ("ChatCompletion", "ChatCompletionChunk",
...), `data` the decoded JSON. The data is checked against the `published`
schema variant (the published file's required fields, no unknown properties).
Each deviation is warned about ONCE per process as a `DriftWarning`, keyed by
(component, field path with list indices written `[]`, rule), naming the field
and what differs: an unknown field (kept in the models' `additional_properties`),
a required field missing, a type or value the spec does not allow.
`drift_reports()` lists what has been reported so far.

Bounded: a server that adds a new unknown field to every answer must not
grow memory or per-call cost without end. The registry keeps the first
`MAX_DRIFT_REPORTS` distinct reports and counts the rest
(`drift_reports_dropped()`); an object that has collected
`MAX_UNKNOWN_FIELDS_PER_OBJECT` unknown field names stops checking unknown
fields (one report says so; they are still kept in the models), so
the relaxed schema below stays bounded by the size of the spec.

`report_deviation()` reports a deviation found outside schema validation
(a cost value out of bounds, a value nested too deep to be checked).

Cost: a conforming answer costs one call of the published schema's compiled
predicate (`_schema_predicate`; jsonschema-rs is not even imported). An
answer whose deviations were all reported already costs one jsonschema-rs
`is_valid` call: once reported, a deviation
is relaxed in this process's copy of the published schema (an unknown field is
added to its object's properties, a missing field is no longer required, a
failed keyword is dropped) and the validator is recompiled. Only a new
deviation pays for the full error walk. A nullable wrapper (`anyOf: [X, null]`)
that fails is opened, so the report names the field inside X that differs.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import threading
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._schema import format_path, predicate, schema_document

if TYPE_CHECKING:
    from collections.abc import Hashable
    from types import FrameType

    import jsonschema_rs

    from ._schema_predicate import Predicate


class DriftWarning(UserWarning):
    """The API answered something its published spec does not describe (reported once per deviation)."""


@dataclass(frozen=True, slots=True)
class DriftReport:
    """One deviation between an answer and the published spec."""

    component: str
    path: str  # field path, list indices written "[]", e.g. "choices[].message.reasoning_content"
    rule: str  # "unknown field", "required", "type", "enum", or another JSON Schema keyword
    detail: str

    def __str__(self) -> str:
        return f"API drift in {self.component}: {self.path or '<root>'}: {self.detail}"


MAX_DRIFT_REPORTS = 200
MAX_UNKNOWN_FIELDS_PER_OBJECT = 32
_OWN_MODULES = ("aimlapi_grok.", "aimlapi_grok_api.")
_INDEX = re.compile(r"\[\d+\]")
_JSON_TYPE = {
    dict: "object",
    list: "array",
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
}
_DEFS = "#/$defs/"  # where every $ref of the exported schema document points


@dataclass(frozen=True, slots=True)
class _Deviation:
    """One validation error, located in the instance and in the (relaxed) schema document."""

    instance_path: tuple[str | int, ...]
    schema_path: tuple[str | int, ...]
    rule: str
    details: dict[str, Any]
    instance: Any
    message: str


class _Relaxed:
    """One component's published schema, relaxed where deviations were already reported."""

    __slots__ = ("_validator", "component", "defs", "fast", "loosened", "private", "unknown_added")

    def __init__(self, component: str) -> None:
        published = schema_document()["published"]
        if component not in published["$defs"]:
            raise KeyError(f"no schema component named {component!r}")
        # The shared document until the first relaxation, then a private copy to relax (most processes never
        # relax: a copy per component would be memory held for nothing).
        self.defs: dict[str, Any] = published
        self.private = False
        # True once a relaxation accepts values the tolerant schema refuses (anything but unknown properties).
        self.loosened = False
        self.unknown_added: dict[tuple[str | int, ...], int] = {}  # unknown names added per object schema
        self.component = component
        # The published schema's predicate answers until a relaxation (or a stop) replaces the validator;
        # jsonschema-rs is compiled on the first value the predicate does not accept.
        self.fast: Predicate | None = predicate(component, "published")
        self._validator: jsonschema_rs.Validator | None = None

    def is_valid(self, data: Any) -> bool:
        """True when `data` conforms to this (relaxed) schema."""
        fast = self.fast
        if fast is not None and fast(data):
            return True
        return bool(self.validator.is_valid(data))

    @property
    def validator(self) -> jsonschema_rs.Validator:
        """jsonschema-rs's validator of this (relaxed) schema, compiled once, on the first value the predicate
        does not accept (under a lock: the slow path only, and a racing thread finds the one compiled)."""
        checker = self._validator
        if checker is not None:  # once compiled (always after a relaxation), no lock on the per-answer path
            return checker
        with _compile_lock:
            if self._validator is None:
                self._validator = self.compile(self.component)
            return self._validator

    @validator.setter
    def validator(self, checker: jsonschema_rs.Validator) -> None:
        self._validator = checker
        self.fast = None  # the predicate knows the published schema, not this relaxed one

    def compile(self, definition: str) -> jsonschema_rs.Validator:
        # Imported here: the compiled validator library (~3 ms) loads when a schema is first checked.
        import jsonschema_rs  # noqa: PLC0415

        return jsonschema_rs.validator_for({**self.defs, "$ref": f"{_DEFS}{definition}"})

    def node(self, schema_path: tuple[str | int, ...]) -> Any:
        node: Any = self.defs
        for part in schema_path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node

    def deviations(
        self, checker: jsonschema_rs.Validator, data: Any, prefix: tuple[str | int, ...] = ()
    ) -> list[_Deviation]:
        """Every error of `data`; a nullable wrapper (anyOf [X, null]) is opened to report X's own errors.

        An opening checks the failing value (`data` itself or a value inside it) against the wrapped
        component, so it can stay at the same depth: a chain of openings is as long as wrappers wrap
        wrappers in the spec. A wrapper that (through others) wraps itself, which no published spec has,
        would recurse until the RecursionError `report_drift` reports as "nested too deep".
        """
        found: list[_Deviation] = []
        for error in checker.iter_errors(data):
            schema_path = tuple(error.schema_path)
            rule = str(schema_path[-1])  # the failing keyword (every error comes from one)
            instance_path = prefix + tuple(error.instance_path)
            inner = self._single_alternative(schema_path, error.instance) if rule in ("anyOf", "oneOf") else None
            if inner is not None:
                found.extend(self.deviations(self.compile(inner), error.instance, instance_path))
                continue
            found.append(
                _Deviation(instance_path, schema_path, rule, error.kind.as_dict(), error.instance, error.message)
            )
        return found

    def _single_alternative(self, schema_path: tuple[str | int, ...], value: Any) -> str | None:
        """The component X when the failing anyOf/oneOf is [X, null] (or [X]) and `value` is not null."""
        alternatives = self.node(schema_path)
        if value is None or not isinstance(alternatives, list):
            return None
        others = [alt for alt in alternatives if alt != {"type": "null"}]
        if len(others) != 1 or not isinstance(others[0], dict):
            return None
        target = others[0]
        if "allOf" in target and len(target["allOf"]) == 1:
            target = target["allOf"][0]
        ref = target.get("$ref") if isinstance(target, dict) else None
        return ref.removeprefix(_DEFS) if isinstance(ref, str) and ref.startswith(_DEFS) else None

    def relax(self, deviation: _Deviation, names: list[str]) -> bool:
        """Accept this deviation from now on; True when an object's unknown fields were opened as a whole.

        (It had collected too many unknown names.) A schema location that cannot be found is left
        as it is: the check after the relaxation rounds then stops this component's checks.
        """
        if not self.private:
            self.defs, self.private = copy.deepcopy(self.defs), True
        node = self.node(deviation.schema_path[:-1])
        if not isinstance(node, dict):
            return False
        if deviation.rule == "additionalProperties":
            where = deviation.schema_path[:-1]
            added = self.unknown_added.get(where, 0)
            if added + len(names) > MAX_UNKNOWN_FIELDS_PER_OBJECT:
                node.pop("additionalProperties", None)  # any unknown field is accepted here from now on
                return True
            properties = node.setdefault("properties", {})
            for name in names:
                properties.setdefault(name, {})
            self.unknown_added[where] = added + len(names)
            return False
        self.loosened = True  # values the tolerant schema refuses are accepted from now on
        if deviation.rule == "required":
            node["required"] = [name for name in node["required"] if name not in names]
        else:
            node.pop(deviation.rule, None)
        return False


_lock = threading.Lock()
_compile_lock = threading.Lock()  # (never held while taking _lock)
_relaxed: dict[str, _Relaxed] = {}
_seen: set[tuple[str, str, str]] = set()
_reports: list[DriftReport] = []
_dropped = [0]  # deviations seen after MAX_DRIFT_REPORTS were kept
# Chunk signatures (see _stream_chunk) whose chunks report_drift has checked since the last reset: equal
# signatures get equal verdicts from the relaxed schema, so every stream of the process shares one set
# (1,000 open streams holding a set each is a megabyte). A full set is emptied and starts over
# (MAX_CHECKED_SIGNATURES; an API sends a handful of signatures, a server that varies them costs checks).
_checked_signatures: list[set[Hashable]] = [set()]
MAX_CHECKED_SIGNATURES = 1024


def checked_signatures() -> set[Hashable]:
    """The set of chunk signatures already checked in this process (a new set after `reset_drift_reports`).

    A stream keeps the set it started with: a reset starts a new set for the streams opened after it.
    """
    return _checked_signatures[0]


def report_drift(component: str, data: Any) -> bool:
    """Warn (once per deviation per process) where `data` differs from the published `component` schema.

    Returns True when `data` is known to conform to the tolerant schema as well
    (the published variant is the stricter one), so a caller can skip that check.
    """
    relaxed = _relaxed.get(component)
    if relaxed is None:
        with _lock:  # built once: a thread that waited here finds the one the first thread stored
            relaxed = _relaxed.get(component)
            if relaxed is None:
                relaxed = _relaxed[component] = _Relaxed(component)
    try:
        if relaxed.is_valid(data):
            return not relaxed.loosened
        found = _collect(component, relaxed, data)
    except (ValueError, RecursionError):  # jsonschema-rs: "Recursion limit reached" on deeply nested values
        with _lock:
            report = _add(component, "", "depth", "a value is nested too deep to be checked against the spec")
        found = [report] if report is not None else []
    for report in found:
        warnings.warn(DriftWarning(str(report)), stacklevel=_caller_level())  # pragma: no mutate
    return False


def report_deviation(component: str, path: str, rule: str, detail: str) -> None:
    """Report one deviation found outside schema validation (warned once per (component, path, rule))."""
    with _lock:
        report = _add(component, path, rule, detail)
    if report is not None:
        warnings.warn(DriftWarning(str(report)), stacklevel=_caller_level())  # pragma: no mutate


def drift_reports_dropped() -> int:
    """How many deviations were seen after the first MAX_DRIFT_REPORTS reports were kept (not stored, not warned)."""
    return _dropped[0]


def _add(component: str, path: str, rule: str, detail: str) -> DriftReport | None:
    """Record a new deviation (call with the lock held); None when already reported or over the cap."""
    key = (component, path, rule)
    if key in _seen:
        return None
    if len(_reports) >= MAX_DRIFT_REPORTS:
        _dropped[0] += 1
        return None
    _seen.add(key)
    if len(_reports) == MAX_DRIFT_REPORTS - 1:
        rest = "further deviations are counted in drift_reports_dropped(), not reported"
        report = DriftReport(component, path, rule, f"{detail} (report {MAX_DRIFT_REPORTS}: the last kept; {rest})")
    else:
        report = DriftReport(component, path, rule, detail)
    _reports.append(report)
    return report


def drift_reports() -> list[DriftReport]:
    """Every deviation reported so far in this process, in order."""
    with _lock:
        return list(_reports)


def reset_drift_reports() -> None:
    """Forget what was reported (for tests): every deviation will be reported again."""
    with _lock:
        _relaxed.clear()
        _seen.clear()
        _reports.clear()
        _dropped[0] = 0
        _checked_signatures[0] = set()


def _collect(component: str, relaxed: _Relaxed, data: Any) -> list[DriftReport]:
    new: list[DriftReport] = []

    def add(field_path: str, rule: str, detail: str) -> None:
        report = _add(component, field_path, rule, detail)
        if report is not None:
            new.append(report)

    with _lock:
        for _ in range(3):  # a relaxed keyword can uncover another (rare); give up after a few rounds
            deviations = relaxed.deviations(relaxed.validator, data)
            if not deviations:
                return new
            for deviation in deviations:
                names, found = _explain(deviation)
                if relaxed.relax(deviation, names):
                    where = _INDEX.sub("[]", format_path(list(deviation.instance_path)))
                    many = f"more than {MAX_UNKNOWN_FIELDS_PER_OBJECT} unknown fields"
                    detail = f"{many}; further unknown fields here are kept but no longer reported one by one"
                    found = [(where, "unknown fields", detail)]
                for field_path, rule, detail in found:
                    add(field_path, rule, detail)
            relaxed.validator = relaxed.compile(component)
        if not relaxed.validator.is_valid(data):
            # Cannot be relaxed away: stop checking this component rather than pay the slow path on every call.
            # Imported here: the compiled validator library (~3 ms) loads when a schema is first checked.
            import jsonschema_rs  # noqa: PLC0415

            relaxed.validator = jsonschema_rs.validator_for(True)
            add("", "stopped", "drift checks stopped for this component (a deviation could not be tracked)")
    return new


def _explain(deviation: _Deviation) -> tuple[list[str], list[tuple[str, str, str]]]:
    """The field names involved, and (field path, rule, detail) for each report."""
    path = _INDEX.sub("[]", format_path(list(deviation.instance_path)))
    details = deviation.details
    if deviation.rule == "additionalProperties":
        names = [str(name) for name in details["unexpected"]]
        detail = "unknown field (kept in additional_properties)"
        return names, [(_join(path, name), "unknown field", detail) for name in names]
    if deviation.rule == "required":
        name = str(details["property"])
        return [name], [(_join(path, name), "required", "required field is missing")]
    return [], [(path, deviation.rule, _describe(deviation.rule, deviation.instance, details, deviation.message))]


# `make mutate` leaves the warning's location alone: mutmut's trampolines add frames of their own,
# so the tests of where a warning points (test_mutation_drift.py) skip under mutmut.
def _caller_level() -> int:  # pragma: no mutate block
    """The stacklevel of the first frame outside this package, so the warning points at the caller's code."""
    frame: FrameType | None = sys._getframe(2)  # the caller of report_drift, stacklevel 2 of its warnings.warn
    level = 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith(_OWN_MODULES):
        frame = frame.f_back
        level += 1
    return level


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _describe(rule: str, value: Any, details: dict[str, Any], message: str) -> str:
    shown = json.dumps(value)  # `value` comes from decoded JSON
    if len(shown) > 80:
        shown = shown[:77] + "..."
    if rule == "type":
        expected = details["types"]
        actual = _JSON_TYPE[type(value)]
        sample = "" if value is None else f" {shown}"
        return f"type differs: the spec says {' or '.join(map(str, expected))}, the API sent {actual}{sample}"
    if rule == "enum":
        return f"value {shown} is not one of the spec's values"
    if rule in ("anyOf", "oneOf"):
        return f"value {shown} matches none of the spec's alternatives"
    return f"differs from the spec ({rule}): {message[:200]}"
