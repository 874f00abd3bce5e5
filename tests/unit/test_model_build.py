"""fills_slots: the compiled builders fill a bare instance's slots only where the attrs __init__ would do no more."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from aimlapi_grok._model_build import fills_slots, unknown_fields


@attrs.define
class Plain:
    a: int = 0
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


@attrs.define
class Validated:
    a: int = attrs.field(default=0, validator=attrs.validators.instance_of(int))
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


@attrs.define
class Converted:
    a: int = attrs.field(default=0, converter=int)
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)


@attrs.define
class PostInit:
    a: int = 0
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        self.a += 1


@attrs.define
class PreInit:
    a: int = 0
    additional_properties: dict[str, Any] = attrs.field(init=False, factory=dict)

    def __attrs_pre_init__(self) -> None:
        pass


def test_a_plain_attrs_class_with_exactly_those_fields_can_be_filled() -> None:
    """The generated models' case: the listed fields plus additional_properties, nothing run at init."""
    assert fills_slots(Plain, ["a"])


def test_other_fields_refuse_slot_filling() -> None:
    """A field list that misses one, or names one the class lacks, is built by the keyword __init__."""
    assert not fills_slots(Plain, [])
    assert not fills_slots(Plain, ["a", "b"])


@pytest.mark.parametrize("cls", [Validated, Converted, PostInit, PreInit])
def test_anything_the_init_runs_refuses_slot_filling(cls: type[Any]) -> None:
    """A validator, a converter, or a pre/post-init hook: the keyword __init__ must run."""
    assert not fills_slots(cls, ["a"])


def test_unknown_fields_keep_the_senders_order() -> None:
    """The keys a model has no field for, in the order they came."""
    assert list(unknown_fields({"z": 1, "a": 2, "known": 3, "m": 4}, {"known"})) == ["z", "a", "m"]
