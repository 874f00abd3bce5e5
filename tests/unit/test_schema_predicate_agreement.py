"""The compiled schema predicate agrees with jsonschema-rs on every component of every mirrored spec.

Each distinct component (with what it `$ref`s) of the six mirrored files, both
variants, is checked on values its schema allows and on the same values
mutated (a wrong type, a bool for a number, 1.0 for an integer, an extra or a
missing key, a number out of range, an enum miss, a tuple, a non-str key, a
NaN, a lone surrogate). On plain JSON data the two agree exactly; on a value
that is not plain JSON the predicate may only say no (jsonschema-rs then
decides).
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from aimlapi_grok._schema_predicate import Predicate, compile_predicate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from spec.tools.export_schemas import export
from spec.tools.normalize import normalize
from tests.contract.json_strategies import values_of

ROOT = Path(__file__).resolve().parents[2]
MIRROR = Path(os.environ.get("SPEC_MIRROR", ROOT.parent / "shared" / "spec"))
SPECS = sorted(MIRROR.glob("*/*.json")) if MIRROR.is_dir() else []
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
_REF = re.compile(r'"#/\$defs/([^"]+)"')


@cache
def exported(spec: Path) -> dict[str, Any]:
    """The JSON Schema export of one mirrored file, as `make generate` ships it."""
    document: dict[str, Any] = export(normalize(json.loads(spec.read_text(encoding="utf-8"))))
    return document


def closure(defs: dict[str, Any], component: str) -> str:
    """The component and every component it reaches, as one canonical text (to skip repeats across specs)."""
    seen: set[str] = set()
    pending = [component]
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending += _REF.findall(json.dumps(defs[name]))
    return component + json.dumps({name: defs[name] for name in sorted(seen)}, sort_keys=True)


def distinct_components() -> list[tuple[Path, str, str]]:
    """(spec file, variant, component) for each distinct component closure of the mirrored specs."""
    found: dict[str, tuple[Path, str, str]] = {}
    for spec in SPECS:
        for variant in ("tolerant", "published"):
            defs = exported(spec)[variant]["$defs"]
            for component in defs:
                found.setdefault(closure(defs, component), (spec, variant, component))
    return list(found.values())


CASES = distinct_components()


def is_plain(value: Any, depth: int = 0) -> bool:
    """Plain JSON data: dicts with str keys, lists or tuples, finite numbers, text without lone surrogates."""
    if depth > 100:
        return False
    if isinstance(value, bool) or value is None or type(value) is int:
        return True
    if type(value) is float:
        return math.isfinite(value)
    if type(value) is str:
        return not any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if type(value) in (list, tuple):
        return all(is_plain(item, depth + 1) for item in value)
    if type(value) is dict:
        return all(type(key) is str and is_plain(key) and is_plain(item, depth + 1) for key, item in value.items())
    return False


def rs_answer(validator: jsonschema_rs.Validator, value: Any) -> bool | None:
    """jsonschema-rs's is_valid, None when it cannot read the value (a ValueError)."""
    try:
        return bool(validator.is_valid(value))
    except ValueError:
        return None


def assert_agrees(predicate: Predicate, validator: jsonschema_rs.Validator, value: Any) -> None:
    expected = rs_answer(validator, value)
    answer = predicate(value)
    if is_plain(value):
        assert answer == expected, value
    else:
        assert not answer or expected, value  # not plain JSON: a yes only where jsonschema-rs says yes


ODD_VALUES = [
    True,
    False,
    0,
    1,
    -1,
    1.0,
    2.5,
    -0.5,
    10**20,
    -(10**20),
    2**64,
    "",
    "x",
    None,
    [],
    {},
    (),
    float("nan"),
    float("inf"),
    {1: 2},
    "\ud800",
]


def _locations(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _locations(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _locations(item, (*path, index))
    return found


def _replace(root: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    holder = root
    for part in path[:-1]:
        holder = holder[part]
    holder[path[-1]] = new
    return root


def _changed(draw: st.DrawFn, value: Any) -> Any:
    """`value` changed the way a hostile caller or server would."""
    kind = type(value)
    choices: list[Any] = [*ODD_VALUES, ("same type off by much",)]
    if kind is dict:
        choices += [("extra",), ("drop",), ("non-str key",)]
    if kind is list:
        choices += [("tuple",), ("append",)]
    if kind is str:
        choices += [("enum miss",)]
    if kind is int:
        choices += [("float",)]
    action = copy.deepcopy(draw(st.sampled_from(choices)))  # (a shared list or dict must not be changed later)
    if not isinstance(action, tuple) or action == ():
        return action
    name = action[0]
    if name == "extra":
        return {
            **value,
            draw(st.sampled_from(["zz_unknown", *value])): copy.deepcopy(draw(st.sampled_from(ODD_VALUES))),
        }
    if name == "drop" and value:
        return {key: item for key, item in value.items() if key != draw(st.sampled_from(list(value)))}
    if name == "non-str key":
        return {**value, 7: "seven"}
    if name == "tuple":
        return tuple(value)
    if name == "append":
        return [*value, copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))]
    if name == "enum miss":
        return value + "_not_listed"
    if name == "float":
        return float(value)
    if kind in (int, float):
        return value * 1000 + draw(st.sampled_from([-1000, 1000, 0.5]))
    return value


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[Any]) -> Any:
    """A valid value with one to three places changed."""
    value = copy.deepcopy(draw(valid))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_locations(value)))
        try:
            target = value
            for part in path:
                target = target[part]
        except (KeyError, IndexError, TypeError):  # an earlier change moved it
            continue
        value = _replace(value, path, _changed(draw, target))
    return value


def test_the_matrix_covers_the_mirrored_specs() -> None:
    """Every mirrored file contributes its components (the matrix is not silently empty)."""
    if not SPECS:
        pytest.skip(f"no spec mirror at {MIRROR}")
    assert len(SPECS) >= 6
    assert len(CASES) > 50
    assert {component for _, _, component in CASES} >= {
        "ChatCompletionRequest",
        "ChatCompletion",
        "ChatCompletionChunk",
    }


@pytest.mark.parametrize(
    ("spec", "variant", "component"), CASES, ids=[f"{s.parent.name[:8]}-{v[:3]}-{c}" for s, v, c in CASES]
)
def test_the_predicate_agrees_with_jsonschema_rs(spec: Path, variant: str, component: str) -> None:
    """On valid and mutated values of this component, the predicate says what jsonschema-rs says."""
    document = exported(spec)[variant]
    valid = values_of(document, component)
    predicate = compile_predicate(document, component)
    if predicate is None:
        pytest.skip(f"{component} of {spec.parent.name} uses a keyword the compiler does not translate")
    validator = jsonschema_rs.validator_for({**document, "$ref": f"#/$defs/{component}"})

    @SETTINGS
    @given(valid, mutated(valid))
    def check(good: Any, changed: Any) -> None:
        assert_agrees(predicate, validator, good)
        assert_agrees(predicate, validator, changed)

    check()
