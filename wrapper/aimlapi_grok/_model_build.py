"""Helpers for the compiled builders of generated models (`_stream_chunk`, `_completion_model`)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from typing import Any

import attrs

# The exceptions the generated from_dict catches when it falls back to the raw value.
GENERATED_PARSE_ERRORS = (TypeError, ValueError, AttributeError, KeyError)


def unknown_fields(data: Mapping[str, Any], known: AbstractSet[str]) -> dict[str, Any]:
    """The keys of `data` its model has no field for, in the sender's order (its `additional_properties`)."""
    return {key: value for key, value in data.items() if key not in known}


def model_class(class_name: str) -> type[Any]:
    """The generated model class of that name (imports the generated models)."""
    models = importlib.import_module("aimlapi_grok_api.models")
    cls: type[Any] = getattr(models, class_name)
    return cls


def fills_slots(cls: type[Any], attributes: list[str]) -> bool:
    """True when filling the slots of a bare instance gives what the generated keyword __init__ gives."""
    fields = attrs.fields(cls)
    if sorted(field.name for field in fields) != sorted([*attributes, "additional_properties"]):
        return False
    if any(field.validator is not None or field.converter is not None for field in fields):
        return False
    return not (hasattr(cls, "__attrs_post_init__") or hasattr(cls, "__attrs_pre_init__"))
