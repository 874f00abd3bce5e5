"""API-level diff of two specs, each marked breaking or non-breaking for a client.

OLD and NEW may be published files (normalized first, with the same rules as
generation) or normalized ones. The report compares what a client sees: the
operations, their request bodies and parameters, their 2xx response bodies
(walked from each body through `$ref`s, so a field is named by its path, e.g.
`ChatCompletion.meta.usage.credits_used`), and the generated model names.

Path notation: `.name` a property, `[]` array items, `<Label>` one member of a
oneOf/anyOf (its component name, or its type when inline), `.*` the values of
a map (additionalProperties).

Breaking means a client written against OLD can fail against NEW:
- request: a removed field or parameter, a newly required one, a removed enum
  value or union member, a new enum restriction, null no longer accepted, a
  tightened bound (minimum, maxLength, ...), unknown fields newly refused;
- response: a removed field, a field the published spec no longer promises
  (response requiredness is read from `x-published-required`, because the
  normalized spec makes every response field optional), a new enum value or
  union member (a client may not know it), a field that may now be null;
- both: a type or format change, a removed operation, media type or model.
Everything else (added optional fields and parameters, added response fields,
added enum values in a request, ...) is non-breaking.

Usage:
    python spec/tools/spec_diff.py OLD NEW [--json]
Exit status: 0 nothing breaking, 1 something breaking, 2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from spec.tools.normalize import METHODS, REF_PREFIX, NormalizeError, is_normalized, normalize

Schema = dict[str, Any]
LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")
SCALAR_TYPES = ("string", "integer", "number", "boolean")


@dataclass(frozen=True)
class Change:
    """One API-level difference."""

    operation: str  # "POST /v1/chat/completions", or "models" for generated class names
    side: str  # "request", "response", "operation" or "model"
    path: str  # e.g. "ChatCompletionRequest.provider"
    kind: str  # added, removed, type, nullable, required, enum, variant, bound, default, media-type, ...
    detail: str
    breaking: bool
    media_type: str = ""
    fields: tuple[tuple[str, str], ...] = field(default=())  # nested fields of an added or removed object

    def line(self) -> str:
        mark = "BREAKING" if self.breaking else "non-breaking"
        return f"{mark:<12}  {self.side:<8}  {self.path}: {self.detail}"

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["fields"] = dict(self.fields)
        return data


@dataclass
class View:
    """A schema seen through `$ref` and `allOf`: what a client can observe."""

    schema: Schema
    name: str | None  # component name when reached through a $ref
    nullable: bool

    @property
    def kind(self) -> str:
        if "oneOf" in self.schema or "anyOf" in self.schema:
            return "union"
        declared = self.schema.get("type")
        if declared:
            return str(declared)
        return "object" if "properties" in self.schema else "any"

    def variants(self) -> list[Schema]:
        return list(self.schema.get("oneOf", [])) + list(self.schema.get("anyOf", []))


class Document:
    """Resolves `$ref`s and flattens `allOf` in one normalized spec."""

    def __init__(self, doc: Schema) -> None:
        self.doc = doc
        self.schemas: dict[str, Schema] = doc.get("components", {}).get("schemas", {})

    def view(self, schema: Any) -> View:
        if not isinstance(schema, dict):
            return View({}, None, nullable=False)
        nullable = bool(schema.get("nullable"))
        name = None
        seen: set[str] = set()
        while "$ref" in schema:
            ref = str(schema["$ref"])
            if not ref.startswith(REF_PREFIX) or ref in seen:
                raise ValueError(f"cannot resolve $ref {ref!r}")
            seen.add(ref)
            name = ref.removeprefix(REF_PREFIX)
            if name not in self.schemas:
                raise ValueError(f"$ref {ref!r} names no component")
            schema = self.schemas[name]
            nullable = nullable or bool(schema.get("nullable"))
        if "allOf" not in schema:
            return View(schema, name, nullable)
        members = [self.view(member) for member in schema["allOf"]]
        merged: Schema = {}
        for member in [*members, View({k: v for k, v in schema.items() if k != "allOf"}, None, nullable=False)]:
            for key, value in member.schema.items():
                if key == "properties":
                    merged.setdefault("properties", {}).update(value)
                elif key in ("required", "x-published-required"):
                    merged[key] = sorted({*merged.get(key, []), *value})
                else:
                    merged[key] = value
        if name is None and len(members) == 1:
            name = members[0].name
        return View(merged, name, nullable)

    def label(self, schema: Schema) -> str:
        seen = self.view(schema)
        return seen.name or seen.kind

    def describe(self, schema: Any) -> str:
        seen = self.view(schema)
        kind = seen.kind
        if kind == "union":
            text = "one of " + " | ".join(self.label(member) for member in seen.variants())
        elif kind == "array":
            text = "array of " + self.describe(seen.schema.get("items", {}))
        elif kind == "object":
            text = f"object {seen.name}" if seen.name else "object"
        else:
            text = kind + (f" ({seen.schema['format']})" if "format" in seen.schema else "")
            if "enum" in seen.schema:
                text += " enum " + ", ".join(json.dumps(value) for value in seen.schema["enum"])
        return ("nullable " if seen.nullable else "") + text

    def nested_fields(
        self, schema: Any, prefix: str = "", stack: frozenset[str] = frozenset()
    ) -> list[tuple[str, str]]:
        """(relative path, description) of every field under `schema`, for added or removed objects."""
        seen = self.view(schema)
        if seen.name in stack:
            return []
        stack = stack | {seen.name} if seen.name else stack
        out: list[tuple[str, str]] = []
        if seen.kind == "object":
            for name, sub in seen.schema.get("properties", {}).items():
                path = f"{prefix}.{name}" if prefix else name
                out.append((path, self.describe(sub)))
                out += self.nested_fields(sub, path, stack)
        elif seen.kind == "array":
            out += self.nested_fields(seen.schema.get("items", {}), prefix + "[]", stack)
        elif seen.kind == "union":
            for member in seen.variants():
                out += self.nested_fields(member, f"{prefix}<{self.label(member)}>", stack)
        return out


def required_names(view: View, side: str) -> set[str]:
    """Required properties; for responses, what the published spec promises."""
    names = set(view.schema.get("required", []))
    if side == "response":
        names |= set(view.schema.get("x-published-required", []))
    return names


def labelled(doc: Document, members: list[Schema]) -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for member in members:
        label = doc.label(member)
        unique, counter = label, 2
        while unique in out:
            unique, counter = f"{label}#{counter}", counter + 1
        out[unique] = member
    return out


class Differ:
    def __init__(self, old: Schema, new: Schema) -> None:
        self.old, self.new = Document(old), Document(new)
        self.changes: list[Change] = []
        self.operation = ""
        self.media_type = ""

    def add(self, side: str, path: str, kind: str, detail: str, breaking: bool, **extra: Any) -> None:
        change = Change(self.operation, side, path, kind, detail, breaking, self.media_type, **extra)
        if change not in self.changes:
            self.changes.append(change)

    # operations -------------------------------------------------------------
    def run(self) -> list[Change]:
        old_ops, new_ops = operations(self.old.doc), operations(self.new.doc)
        for key in sorted(old_ops.keys() | new_ops.keys()):
            self.operation, self.media_type = key, ""
            if key not in new_ops:
                self.add("operation", key, "removed", "operation removed", breaking=True)
            elif key not in old_ops:
                self.add("operation", key, "added", "operation added", breaking=False)
            else:
                self.compare_operation(old_ops[key], new_ops[key])
        self.operation, self.media_type = "models", ""
        old_models, new_models = set(self.old.schemas), set(self.new.schemas)
        for name in sorted(old_models - new_models):
            self.add("model", name, "removed", "generated model removed (code importing it breaks)", breaking=True)
        for name in sorted(new_models - old_models):
            self.add("model", name, "added", "generated model added", breaking=False)
        return self.changes

    def compare_operation(self, old: tuple[Schema, Schema], new: tuple[Schema, Schema]) -> None:
        (old_item, old_op), (new_item, new_op) = old, new
        old_aliases, new_aliases = set(old_item.get("x-aliases", [])), set(new_item.get("x-aliases", []))
        for alias in sorted(old_aliases - new_aliases):
            self.add("operation", alias, "alias", "alias path removed", breaking=True)
        for alias in sorted(new_aliases - old_aliases):
            self.add("operation", alias, "alias", "alias path added", breaking=False)
        self.compare_parameters(old_op.get("parameters", []), new_op.get("parameters", []))
        old_body, new_body = old_op.get("requestBody", {}), new_op.get("requestBody", {})
        if new_body.get("required") and not old_body.get("required"):
            self.add("request", "body", "required", "request body now required", breaking=True)
        self.compare_content("request", "body", old_body.get("content", {}), new_body.get("content", {}))
        old_responses, new_responses = old_op.get("responses", {}), new_op.get("responses", {})
        for status in sorted(old_responses.keys() | new_responses.keys()):
            success = status.startswith("2")
            if status not in new_responses:
                self.add("response", f"status {status}", "removed", "response status removed", breaking=success)
            elif status not in old_responses:
                self.add("response", f"status {status}", "added", "response status documented", breaking=False)
            elif success:
                old_content = old_responses[status].get("content", {})
                new_content = new_responses[status].get("content", {})
                self.compare_content("response", f"status {status}", old_content, new_content)

    def compare_parameters(self, old: list[Schema], new: list[Schema]) -> None:
        old_params = {(p.get("in", ""), p.get("name", "")): p for p in old}
        new_params = {(p.get("in", ""), p.get("name", "")): p for p in new}
        for key in sorted(old_params.keys() | new_params.keys()):
            path = f"{key[0]}:{key[1]}"
            if key not in new_params:
                self.add("request", path, "removed", "parameter removed", breaking=True)
            elif key not in old_params:
                required = bool(new_params[key].get("required"))
                what = "required" if required else "optional"
                self.add("request", path, "added", f"{what} parameter added", breaking=required)
            else:
                if new_params[key].get("required") and not old_params[key].get("required"):
                    self.add("request", path, "required", "parameter now required", breaking=True)
                self.compare(old_params[key].get("schema", {}), new_params[key].get("schema", {}), path, "request")

    def compare_content(self, side: str, where: str, old: Schema, new: Schema) -> None:
        for media_type in sorted(old.keys() | new.keys()):
            self.media_type = media_type
            if media_type not in new:
                self.add(side, where, "media-type", f"{media_type} removed", breaking=True)
            elif media_type not in old:
                self.add(side, where, "media-type", f"{media_type} added", breaking=False)
            else:
                old_schema, new_schema = old[media_type].get("schema", {}), new[media_type].get("schema", {})
                root = self.new.view(new_schema).name or self.old.view(old_schema).name or f"{side}({media_type})"
                self.compare(old_schema, new_schema, root, side)
        self.media_type = ""

    # schemas ----------------------------------------------------------------
    def compare(
        self, old_schema: Any, new_schema: Any, path: str, side: str, stack: frozenset[str] = frozenset()
    ) -> None:
        old, new = self.old.view(old_schema), self.new.view(new_schema)
        if old.name or new.name:
            pair = f"{old.name}|{new.name}"
            if pair in stack:
                return  # a recursive schema: compared once, on the way in
            stack = stack | {pair}
        if old.kind != new.kind or old.schema.get("format") != new.schema.get("format"):
            detail = f"type {self.old.describe(old_schema)} -> {self.new.describe(new_schema)}"
            self.add(side, path, "type", detail, breaking=True)
            return
        self.compare_nullable(old, new, path, side)
        self.compare_enum(old, new, path, side)
        self.compare_bounds(old, new, path, side)
        if old.schema.get("default") != new.schema.get("default"):
            detail = f"default {json.dumps(old.schema.get('default'))} -> {json.dumps(new.schema.get('default'))}"
            self.add(side, path, "default", detail, breaking=False)
        if old.kind == "object":
            self.compare_object(old, new, path, side, stack)
        elif old.kind == "array":
            self.compare(old.schema.get("items", {}), new.schema.get("items", {}), path + "[]", side, stack)
        elif old.kind == "union":
            self.compare_union(old, new, path, side, stack)

    def compare_nullable(self, old: View, new: View, path: str, side: str) -> None:
        if old.nullable == new.nullable:
            return
        if new.nullable:
            detail = "may now be null" if side == "response" else "now accepts null"
        else:
            detail = "no longer null" if side == "response" else "no longer accepts null"
        self.add(side, path, "nullable", detail, breaking=(side == "response") == new.nullable)

    def compare_enum(self, old: View, new: View, path: str, side: str) -> None:
        old_enum, new_enum = old.schema.get("enum"), new.schema.get("enum")
        if old_enum is None and new_enum is None:
            return
        request = side == "request"
        if old_enum is None or new_enum is None:
            restricted = old_enum is None
            values = ", ".join(json.dumps(value) for value in (new_enum if restricted else old_enum) or [])
            detail = f"now restricted to enum {values}" if restricted else f"enum restriction ({values}) removed"
            self.add(side, path, "enum", detail, breaking=restricted == request)
            return
        old_values, new_values = {json.dumps(v): v for v in old_enum}, {json.dumps(v): v for v in new_enum}
        if added := sorted(new_values.keys() - old_values.keys()):
            self.add(side, path, "enum", f"enum value(s) added: {', '.join(added)}", breaking=not request)
        if removed := sorted(old_values.keys() - new_values.keys()):
            self.add(side, path, "enum", f"enum value(s) removed: {', '.join(removed)}", breaking=request)

    def compare_bounds(self, old: View, new: View, path: str, side: str) -> None:
        for key in (*LOWER_BOUNDS, *UPPER_BOUNDS, "pattern"):
            before, after = old.schema.get(key), new.schema.get(key)
            if before == after:
                continue
            if after is None:
                tightened = False
            elif before is None or key == "pattern":
                tightened = True
            else:
                tightened = after > before if key in LOWER_BOUNDS else after < before
            detail = f"{key} {json.dumps(before)} -> {json.dumps(after)}"
            self.add(side, path, "bound", detail, breaking=side == "request" and tightened)

    def compare_object(self, old: View, new: View, path: str, side: str, stack: frozenset[str]) -> None:
        old_props, new_props = old.schema.get("properties", {}), new.schema.get("properties", {})
        old_required, new_required = required_names(old, side), required_names(new, side)
        promise = " in the published spec" if side == "response" else ""
        for name in sorted(old_props.keys() | new_props.keys()):
            sub = f"{path}.{name}"
            if name not in new_props:
                detail = f"removed (was {self.old.describe(old_props[name])})"
                self.add(
                    side, sub, "removed", detail, breaking=True, fields=tuple(self.old.nested_fields(old_props[name]))
                )
            elif name not in old_props:
                required = name in new_required
                what = "required" if required else "optional"
                detail = f"added ({self.new.describe(new_props[name])}; {what}{promise})"
                nested = tuple(self.new.nested_fields(new_props[name]))
                self.add(side, sub, "added", detail, breaking=required and side == "request", fields=nested)
            else:
                self.compare(old_props[name], new_props[name], sub, side, stack)
                if name in new_required and name not in old_required:
                    self.add(side, sub, "required", f"now required{promise}", breaking=side == "request")
                elif name in old_required and name not in new_required:
                    self.add(side, sub, "required", f"no longer required{promise}", breaking=side == "response")
        old_extra, new_extra = old.schema.get("additionalProperties"), new.schema.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, path + ".*", side, stack)
        elif (old_extra is False) != (new_extra is False):
            refused = new_extra is False
            detail = "unknown fields now refused" if refused else "unknown fields now allowed"
            self.add(side, path, "additional-properties", detail, breaking=refused and side == "request")

    def compare_union(self, old: View, new: View, path: str, side: str, stack: frozenset[str]) -> None:
        old_members, new_members = labelled(self.old, old.variants()), labelled(self.new, new.variants())
        for label in sorted(old_members.keys() | new_members.keys()):
            if label not in new_members:
                self.add(side, path, "variant", f"union member {label} removed", breaking=side == "request")
            elif label not in old_members:
                self.add(side, path, "variant", f"union member {label} added", breaking=side == "response")
            else:
                self.compare(old_members[label], new_members[label], f"{path}<{label}>", side, stack)


def operations(doc: Schema) -> dict[str, tuple[Schema, Schema]]:
    """`METHOD path` -> (path item, operation)."""
    out: dict[str, tuple[Schema, Schema]] = {}
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                out[f"{method.upper()} {path}"] = (item, item[method])
    return out


def load(path: Path) -> Schema:
    """A normalized spec from a published or normalized file."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or "paths" not in doc:
        raise ValueError("not an OpenAPI document (no `paths`)")
    return doc if is_normalized(doc) else normalize(doc)


def diff(old: Schema, new: Schema) -> list[Change]:
    """Every API-level change from `old` to `new` (both normalized)."""
    return Differ(old, new).run()


def report(changes: list[Change], old_name: str, new_name: str) -> str:
    lines = [f"spec diff: {old_name} -> {new_name}"]
    operation = None
    for change in changes:
        if change.operation != operation:
            operation = change.operation
            lines.append(operation)
        lines.append("  " + change.line())
        lines += [f"{'':28}{change.path}.{sub}: {what}" for sub, what in change.fields]
    breaking = sum(change.breaking for change in changes)
    if not changes:
        lines.append("no API-level changes")
    lines.append(f"{breaking} breaking, {len(changes) - breaking} non-breaking change(s)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=Path, help="published or normalized spec (before)")
    parser.add_argument("new", type=Path, help="published or normalized spec (after)")
    parser.add_argument("--json", action="store_true", help="print the changes as JSON")
    args = parser.parse_args(argv)
    specs = []
    for label, path in (("OLD", args.old), ("NEW", args.new)):
        try:
            specs.append(load(path))
        except (OSError, ValueError, NormalizeError) as exc:
            print(f"spec_diff: error: {label} {path}: {exc}", file=sys.stderr)
            return 2
    try:
        changes = diff(*specs)
    except ValueError as exc:
        print(f"spec_diff: error: {exc}", file=sys.stderr)
        return 2
    breaking = sum(change.breaking for change in changes)
    if args.json:
        data = {
            "old": str(args.old),
            "new": str(args.new),
            "breaking": breaking,
            "non_breaking": len(changes) - breaking,
            "changes": [change.as_json() for change in changes],
        }
        print(json.dumps(data, indent=2))
    else:
        print(report(changes, str(args.old), str(args.new)))
    return 1 if breaking else 0


if __name__ == "__main__":
    sys.exit(main())
