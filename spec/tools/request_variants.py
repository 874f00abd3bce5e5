"""Merge a request body published as a union of object variants into one object (rule `request_variants`).

Router files of the catalogue publish the request body as `anyOf` (or `oneOf`)
of one object per routed model family, each with its own `model` enum and
parameters. A client sends one object, and the request model, its typed keywords
and its validator need one property table; see the rule's reason in
spec/rules/normalize.yaml.

The merged object has:
- every property of every variant, in order of first appearance;
- for a property the variants publish differently: string enums (`model`) become
  one enum with every value; objects are merged the same way; arrays get their
  merged items; unions of one kind (a `oneOf` of messages) one union of every
  distinct member; anything else an `anyOf` of the distinct forms;
- `required`: what every variant requires;
- the other keys of the first variant (`additionalProperties` only when every
  variant has the same value).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from spec.tools.schema_identity import IDENTITY_IGNORED, identity

Schema = dict[str, Any]

__all__ = ["merge_variants", "variants_of"]


def variants_of(schema: Schema) -> list[Schema] | None:
    """The object variants of a body published as a union of objects, or None for any other body."""
    if schema.get("type") == "object" or "properties" in schema:
        return None
    for key in ("anyOf", "oneOf"):
        members = schema.get(key)
        if isinstance(members, list) and members and all(is_object(member) for member in members):
            return members
    return None


def is_object(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "object" and isinstance(schema.get("properties"), dict)


def merge_forms(forms: list[Schema]) -> Schema:
    """One schema for the forms the variants publish for the same property."""
    distinct: dict[str, Schema] = {}
    for form in forms:
        distinct.setdefault(identity(form), form)
    if len(distinct) == 1:
        return copy.deepcopy(forms[0])
    unique = list(distinct.values())
    if all(is_string_enum(form) for form in unique):
        merged = copy.deepcopy(unique[0])
        merged["enum"] = list(dict.fromkeys(value for form in unique for value in form["enum"]))
        return merged
    if all(is_object(form) for form in unique):
        return merge_objects(unique)
    if all(form.get("type") == "array" and isinstance(form.get("items"), dict) for form in unique):
        merged = copy.deepcopy(unique[0])
        merged["items"] = merge_forms([form["items"] for form in unique])
        return merged
    combinator = union_key(unique)
    if combinator:  # the same kind of union in every form: one union, one member per tag (or distinct form)
        groups: dict[str, list[Schema]] = {}
        for form in unique:
            for member in form[combinator]:
                groups.setdefault(tag(member) or identity(member), []).append(member)
        merged = copy.deepcopy(unique[0])
        merged[combinator] = [merge_forms(group) for group in groups.values()]
        return merged
    return {"anyOf": [copy.deepcopy(form) for form in unique]}


def tag(member: Schema) -> str | None:
    """What tells a union's object member apart (its single-valued enum properties: `role: user`), if anything."""
    if not is_object(member):
        return None
    consts = {
        name: sub["enum"][0]
        for name, sub in member["properties"].items()
        if isinstance(sub, dict) and isinstance(sub.get("enum"), list) and len(sub["enum"]) == 1
    }
    return json.dumps(consts, sort_keys=True) if consts else None


def union_key(forms: list[Schema]) -> str | None:
    for key in ("oneOf", "anyOf"):
        if all(isinstance(form.get(key), list) and not form.get("properties") for form in forms):
            return key
    return None


def is_string_enum(schema: Schema) -> bool:
    others = set(schema) - IDENTITY_IGNORED - {"title", "type", "enum", "nullable"}
    return schema.get("type") == "string" and isinstance(schema.get("enum"), list) and not others


def merge_objects(variants: list[Schema]) -> Schema:
    """One object with every property of `variants`, required = what every variant requires."""
    forms: dict[str, list[Schema]] = {}
    for variant in variants:
        for name, sub in variant["properties"].items():
            forms.setdefault(name, []).append(sub)
    merged = {k: copy.deepcopy(v) for k, v in variants[0].items() if k not in ("properties", "required")}
    merged.pop("additionalProperties", None)
    extra = {identity(variant.get("additionalProperties")) for variant in variants}
    if len(extra) == 1 and "additionalProperties" in variants[0]:
        merged["additionalProperties"] = copy.deepcopy(variants[0]["additionalProperties"])
    merged["properties"] = {name: merge_forms(subs) for name, subs in forms.items()}
    first = variants[0].get("required", [])
    required = [name for name in first if all(name in variant.get("required", []) for variant in variants)]
    if required:
        merged["required"] = required
    return merged


def merge_variants(schema: Schema) -> Schema | None:
    """One object holding every variant of a union-of-objects body, or None when `schema` is not one."""
    variants = variants_of(schema)
    if variants is None:
        return None
    merged = merge_objects(variants)
    for key in ("description", "title"):
        if key in schema:
            merged[key] = schema[key]
    merged["x-request-variants"] = len(variants)
    return merged
