"""Normalize a published OpenAPI file with the rules of spec/rules/normalize.yaml.

The rules are generic (they match concepts, not JSON paths); this module is
the engine that applies them. See the rule file for what each rule does and why.

The rule file is checked against its schema first (spec/tools/normalize_rules.py); the
engine then runs its sections in the order the file's `stages` list gives.

Usage:
    python spec/tools/normalize.py IN.json OUT.json [--rules RULES.yaml]
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from http import HTTPStatus
from pathlib import Path
from typing import Any

import yaml

# Run as a script, only spec/tools is on sys.path; the tools import each other
# as `spec.tools.*` from the repository root (one way for scripts, tests and mypy).
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from spec.tools.normalize_rules import RULES, NormalizeError, check_rules, load_rules
from spec.tools.request_variants import merge_variants
from spec.tools.schema_identity import IDENTITY_IGNORED, identity

__all__ = ["METHODS", "REF_PREFIX", "NormalizeError", "Normalizer", "is_normalized", "load_rules", "normalize"]

# Set on the normalized document's `info`, so tools can tell a normalized file
# from a published one without knowing which schemas this API has.
NORMALIZED_MARK = "x-normalized"
REF_PREFIX = "#/components/schemas/"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
COMBINATORS = ("anyOf", "oneOf", "allOf")

Schema = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """Where a schema sits: the facts a rule's `select` can test."""

    where: str  # "request" or "response"
    media_type: str
    prop: str | None = None  # the property holding the schema (arrays: for their items too)
    is_items: bool = False
    root: bool = False
    in_union: bool = False  # a direct member of anyOf / oneOf / allOf
    response_name: str = ""  # component name of the operation's JSON response
    status: str = ""  # the response's status code (responses only)
    map_of: str | None = None  # the property holding the map whose values (or their items) this is

    # The context of each kind of sub-schema (walking and hoisting share them).
    def of_property(self, name: str) -> Context:
        return replace(self, prop=name, is_items=False, root=False, in_union=False, map_of=None)

    def of_items(self) -> Context:
        return replace(self, is_items=True, root=False, in_union=False)

    def of_member(self) -> Context:
        return replace(self, root=False, in_union=True)

    def of_map_values(self) -> Context:
        # Without a property name, `is_items` can change no selector (items_of compares the name) nor any name.
        return replace(self, prop=None, root=False, in_union=False, map_of=self.prop or self.map_of)


def pascal(text: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def snake(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    return "_".join(part for part in re.split(r"[^A-Za-z0-9]+", text) if part).lower()


def singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def const_value(schema: Schema, prop: str) -> str | None:
    """The single enum value of property `prop`, if it has exactly one."""
    sub = schema.get("properties", {}).get(prop)
    if isinstance(sub, dict) and isinstance(sub.get("enum"), list) and len(sub["enum"]) == 1:
        return str(sub["enum"][0])
    return None


def matches(select: dict[str, Any], schema: Schema, ctx: Context) -> bool:
    props = schema.get("properties", {})
    checks: dict[str, Callable[[Any], bool]] = {
        "property": lambda v: ctx.prop == v,
        "property_pattern": lambda v: ctx.prop is not None and re.search(v, ctx.prop) is not None,
        "items_of": lambda v: ctx.is_items and ctx.prop == v,
        "type": lambda v: schema.get("type") == v,
        "has": lambda v: all(name in props for name in v),
        "only": lambda v: sorted(props) == sorted(v),
        "media_type": lambda v: ctx.media_type == v,
        "in": lambda v: ctx.where == v,
        "root": lambda v: ctx.root == v,
        "request_body": lambda v: (ctx.root and ctx.where == "request") == v,
        "const": lambda v: const_value(schema, v) is not None,
        "value": lambda v: const_value(schema, select["const"]) == v,
    }
    # The rule file's schema admits only the selectors above.
    return all(checks[key](expected) for key, expected in select.items())


def child_schemas(schema: Schema, ctx: Context) -> Iterator[tuple[Schema, Context]]:
    """Direct sub-schemas with their contexts (properties, items, unions, maps)."""
    for name, sub in schema.get("properties", {}).items():
        yield sub, ctx.of_property(name)
    if isinstance(schema.get("items"), dict):
        yield schema["items"], ctx.of_items()
    for key in COMBINATORS:
        for sub in schema.get(key, []):
            yield sub, ctx.of_member()
    if isinstance(schema.get("additionalProperties"), dict):
        yield schema["additionalProperties"], ctx.of_map_values()


def walk(schema: Schema, ctx: Context) -> Iterator[tuple[Schema, Context]]:
    yield schema, ctx
    for sub, sub_ctx in child_schemas(schema, ctx):
        yield from walk(sub, sub_ctx)


def operations(doc: Schema) -> Iterator[tuple[str, str, Schema]]:
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def body_schemas(op: Schema) -> Iterator[tuple[Schema, Context]]:
    """Every media-type schema of an operation: responses first, then the request."""
    for status, response in op.get("responses", {}).items():
        for media_type, media in response.get("content", {}).items():
            if "schema" in media:
                yield media, Context("response", media_type, root=True, prop=None, status=str(status))
    for media_type, media in op.get("requestBody", {}).get("content", {}).items():
        if "schema" in media:
            yield media, Context("request", media_type, root=True)


class Normalizer:
    def __init__(self, rules: dict[str, Any]) -> None:
        check_rules(rules)
        self.rules = rules
        self.components: dict[str, Schema] = {}
        self.by_identity: dict[str, str] = {}
        # Each stage of the rule file's `stages` list, by its section name (the schema lists the same names).
        self.stages: dict[str, Callable[[Schema], None]] = {
            "published_components": self.resolve_published_components,
            "request_variants": self.merge_request_variants,
            "missing_success_body": self.add_missing_success_bodies,
            "document": self.fix_document,
            "alias_paths": self.merge_alias_paths,
            "corrections": self.correct_all,
            "error_responses": self.add_error_responses,
            "response_tolerance": self.tolerate_all,
            "naming": self.hoist_all,
            "nullable_enums": self.name_nullable_enums,
            "operations": self.name_operations,
        }

    def run(self, published: Schema) -> Schema:
        doc = copy.deepcopy(published)
        doc.setdefault("info", {})[NORMALIZED_MARK] = True
        for stage in self.rules["stages"]:
            self.stages[stage](doc)
        return doc

    def name_operations(self, doc: Schema) -> None:
        spec = self.rules["operations"]
        for path, method, op in operations(doc):
            ref = op.get("responses", {}).get("200", {}).get("content", {})
            ref = ref.get("application/json", {}).get("schema", {}).get("$ref", "")
            target = snake(ref.rsplit("/", 1)[-1]) if ref else snake(path)
            op["operationId"] = spec["operation_id"].format(verb=spec["verbs"].get(method, method), response=target)
            tag = re.match(spec["tag_pattern"], path)
            if tag and not op.get("tags"):
                op["tags"] = [tag.group(1)]

    # published components -------------------------------------------------
    def resolve_published_components(self, doc: Schema) -> None:
        switches = self.rules["published_components"]
        if switches["inline_body_refs"]["enabled"]:
            self.inline_body_refs(doc)
        if switches["prune_unreachable"]["enabled"]:
            self.prune_components(doc)

    def inline_body_refs(self, doc: Schema) -> None:
        """Every `$ref` in an operation's bodies becomes a copy of its target (recursive ones stay refs)."""
        published = doc.get("components", {}).get("schemas", {})
        for _, _, op in operations(doc):
            for media, _ in body_schemas(op):
                media["schema"] = inline_refs(media["schema"], published, ())

    def prune_components(self, doc: Schema) -> None:
        """Drop the published component schemas that no operation reaches."""
        components = doc.get("components", {})
        schemas = components.get("schemas")
        if not isinstance(schemas, dict):
            return
        reached = reachable_components(doc.get("paths", {}), schemas)
        components["schemas"] = {name: schemas[name] for name in sorted(reached)}
        if not components["schemas"]:
            del components["schemas"]

    def merge_request_variants(self, doc: Schema) -> None:
        """A request body published as a union of object variants becomes one object (request_variants.py)."""
        if not self.rules["request_variants"]["enabled"]:
            return
        for _, _, op in operations(doc):
            for media in op.get("requestBody", {}).get("content", {}).values():
                merged = merge_variants(media.get("schema", {})) if isinstance(media, dict) else None
                if merged is not None:
                    media["schema"] = merged

    def add_missing_success_bodies(self, doc: Schema) -> None:
        """An operation whose success responses carry no body gets the documented one (rule file); one that can
        be asked for a stream (`stream` in its request) gets each documented media type its success body lacks."""
        spec = self.rules["missing_success_body"]
        for _, _, op in operations(doc):
            responses = op.setdefault("responses", {})
            success = [status for status in responses if str(status).startswith("2")]
            published = [status for status in success if responses[status].get("content")]
            if published:
                if spec["complete_partial_bodies"]["enabled"] and asks_for_stream(op):
                    content = responses[published[0]]["content"]
                    for media_type, schema in documented_body(spec["content_file"]).items():
                        content.setdefault(media_type, {"schema": schema})
                continue
            for status in success:
                del responses[status]
            responses[str(spec["status"])] = {
                "description": status_phrase(str(spec["status"])),
                "content": {
                    media_type: {"schema": schema}
                    for media_type, schema in documented_body(spec["content_file"]).items()
                },
            }

    # document fixes -------------------------------------------------------
    def fix_document(self, doc: Schema) -> None:
        document = self.rules["document"]
        drop = set(document["drop_extensions"]["names"])
        for item in doc.get("paths", {}).values():
            for key in [k for k in item if k in drop]:
                del item[key]
        for _, _, op in operations(doc):
            for key in [k for k in op if k in drop]:
                del op[key]
            for status, response in op.get("responses", {}).items():
                if document["response_description"]["enabled"] and not response.get("description"):
                    response["description"] = status_phrase(status)
            for media, ctx in body_schemas(op):
                for schema, _ in walk(media["schema"], ctx):
                    if document["drop_schema_titles"]["enabled"]:
                        schema.pop("title", None)

    # alias paths ----------------------------------------------------------
    def merge_alias_paths(self, doc: Schema) -> None:
        pattern = re.compile(self.rules["alias_paths"]["pattern"])
        paths = doc.get("paths", {})
        for path in sorted(paths):
            match = pattern.match(path)
            alias = match.group(1) if match else None
            if alias is None or alias not in paths:
                continue
            canonical_item, alias_item = paths[path], paths.pop(alias)
            canonical_item.setdefault("x-aliases", []).append(alias)
            differences = alias_differences(canonical_item, alias_item)
            if differences:
                canonical_item.setdefault("x-alias-differences", {})[alias] = differences

    # corrections ----------------------------------------------------------
    def correct_all(self, doc: Schema) -> None:
        for _, _, op in operations(doc):
            for media, ctx in body_schemas(op):
                for schema, sub_ctx in list(walk(media["schema"], ctx)):
                    self.correct(schema, sub_ctx, op)

    def correct(self, schema: Schema, ctx: Context, op: Schema) -> None:
        for rule in self.rules["corrections"]:
            if not matches(rule["select"], schema, ctx):
                continue
            patch = dict(rule.get("set", {}))
            for name in patch.pop("nullable_properties", []):
                if name in schema.get("properties", {}):
                    schema["properties"][name]["nullable"] = True
            schema.update(patch)
            if schema.get("required") == []:
                del schema["required"]  # OpenAPI 3.0 forbids an empty required list
            if "copy_property" in rule:
                copy_property(schema, op, **rule["copy_property"])

    # error responses ------------------------------------------------------
    def add_error_responses(self, doc: Schema) -> None:
        spec = self.rules["error_responses"]
        name = spec["schema_name"]
        self.register_named(name, copy.deepcopy(spec["schema"]))
        ref = {"$ref": REF_PREFIX + name}
        for _, _, op in operations(doc):
            responses = op.setdefault("responses", {})
            for status, description in spec["statuses"].items():
                if status in responses:
                    continue
                content: Schema = {"application/json": {"schema": dict(ref)}}
                if status in spec["html_statuses"]:
                    content["text/html"] = {"schema": {"type": "string"}}
                responses[status] = {"description": description, "content": content}

    # response tolerance ---------------------------------------------------
    def tolerate_all(self, doc: Schema) -> None:
        for _, _, op in operations(doc):
            for media, ctx in body_schemas(op):
                if ctx.where == "response":
                    for schema, _ in walk(media["schema"], ctx):
                        self.tolerate(schema)

    def tolerate(self, schema: Schema) -> None:
        required = schema.get("required")
        if not required:
            return
        keep_single_value_enums = self.rules["response_tolerance"]["keep_required"] == "single_value_enums"
        keep = sorted(name for name in required if keep_single_value_enums and const_value(schema, name) is not None)
        schema["x-published-required"] = sorted(required)
        if keep:
            schema["required"] = keep
        else:
            del schema["required"]

    # naming (hoisting) ----------------------------------------------------
    def hoist_all(self, doc: Schema) -> None:
        for _, _, op in operations(doc):
            response_name = ""
            for media, body_ctx in body_schemas(op):
                ctx = replace(body_ctx, response_name=response_name)
                media["schema"] = self.hoist(media["schema"], ctx, parent="")
                ref = media["schema"].get("$ref", "")
                # Named after the success body only: an error body (ErrorBody) never names the request.
                success = ctx.where == "response" and ctx.status.startswith("2")
                if success and ctx.media_type == "application/json" and not response_name:
                    response_name = ref.rsplit("/", 1)[-1]
        schemas = doc.setdefault("components", {}).setdefault("schemas", {})
        schemas.update(self.components)

    def name_nullable_enums(self, doc: Schema) -> None:
        """A model's nullable enum property refers to a named enum through a nullable allOf."""
        if not self.rules["nullable_enums"]["enabled"]:
            return
        schemas = doc.get("components", {}).get("schemas", {})
        for model in sorted(schemas):
            for prop, sub in schemas[model].get("properties", {}).items():
                if not (sub.get("nullable") and "enum" in sub and "$ref" not in sub):
                    continue
                # The name the generator gives an inline enum, so class and module names do not change.
                name = model + pascal(prop)
                enum = {k: v for k, v in sub.items() if k not in ("nullable", *IDENTITY_IGNORED)}
                if schemas.get(name, enum) != enum:
                    raise NormalizeError(f"{model}.{prop}: component {name} exists and is not this enum")
                schemas[name] = enum
                docs = {k: v for k, v in sub.items() if k in IDENTITY_IGNORED}
                schemas[model]["properties"][prop] = {"allOf": [{"$ref": REF_PREFIX + name}], "nullable": True, **docs}

    def hoist(self, schema: Schema, ctx: Context, parent: str) -> Schema:
        # A `$ref` (to a kept or recursive component) has none of the keys below: it comes back unchanged.
        is_model = schema.get("type") == "object" and bool(schema.get("properties"))
        # An enum inside a union gets a component too, or the generator names it `..._type_0`.
        is_union_enum = ctx.in_union and "enum" in schema
        wanted = self.name_for(schema, ctx) if is_model or is_union_enum else ""
        inner_parent = wanted or parent
        for name, sub in list(schema.get("properties", {}).items()):
            schema["properties"][name] = self.hoist(sub, ctx.of_property(name), inner_parent)
        if isinstance(schema.get("items"), dict):
            schema["items"] = self.hoist(schema["items"], ctx.of_items(), inner_parent)
        for key in COMBINATORS:
            if key in schema:
                schema[key] = [self.hoist(sub, ctx.of_member(), inner_parent) for sub in schema[key]]
        if isinstance(schema.get("additionalProperties"), dict):
            schema["additionalProperties"] = self.hoist(
                schema["additionalProperties"], ctx.of_map_values(), inner_parent
            )
        if not wanted:
            return schema
        nullable = bool(schema.pop("nullable", False))
        ref = {"$ref": REF_PREFIX + self.register(wanted, schema, parent)}
        # A $ref ignores its siblings in OpenAPI 3.0: nullability wraps the reference.
        return {"allOf": [ref], "nullable": True} if nullable else ref

    def name_for(self, schema: Schema, ctx: Context) -> str:
        for rule in self.rules["naming"]:
            if matches(rule["select"], schema, ctx):
                const = rule["select"].get("const")
                value = pascal(const_value(schema, const) or "") if const else ""
                return str(rule["name"]).format(value=value, response=ctx.response_name)
        if ctx.prop is None and ctx.map_of:
            return pascal(ctx.map_of) + "Value"  # a map's value object: `model_info` values -> ModelInfoValue
        if ctx.prop is None:
            member = "a union member at " if ctx.in_union else ""
            raise NormalizeError(f"no naming rule matches {member}a {ctx.where} root schema ({ctx.media_type})")
        return pascal(singular(ctx.prop) if ctx.is_items else ctx.prop)

    def register(self, wanted: str, schema: Schema, parent: str) -> str:
        key = identity(schema)
        if key in self.by_identity:
            return self.by_identity[key]
        name = wanted
        if name in self.components and parent and not name.startswith(parent):
            name = parent + name
        base, counter = name, 2
        while name in self.components:
            name, counter = f"{base}{counter}", counter + 1
        return self.register_named(name, schema, key)

    def register_named(self, name: str, schema: Schema, key: str | None = None) -> str:
        self.components[name] = schema
        self.by_identity[key or identity(schema)] = name
        return name


def inline_refs(schema: Any, published: Schema, stack: tuple[str, ...]) -> Any:
    """`schema` with each local component `$ref` replaced by a copy of its target, except a recursive one."""
    if isinstance(schema, list):
        return [inline_refs(item, published, stack) for item in schema]
    if not isinstance(schema, dict):
        return schema
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.removeprefix(REF_PREFIX)
        if not ref.startswith(REF_PREFIX) or name not in published:
            raise NormalizeError(f"unresolvable $ref {ref!r} in an operation body")
        if name in stack:
            return schema
        siblings = {key: value for key, value in schema.items() if key != "$ref"}
        return {**inline_refs(copy.deepcopy(published[name]), published, (*stack, name)), **siblings}
    return {key: inline_refs(value, published, stack) for key, value in schema.items()}


def reachable_components(root: Any, schemas: Schema) -> set[str]:
    """Names of the component schemas `root` refers to, directly or through other components."""
    found: set[str] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending.extend(node)
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(REF_PREFIX):
                name = ref.removeprefix(REF_PREFIX)
                if name in schemas and name not in found:
                    found.add(name)
                    pending.append(schemas[name])
            pending.extend(node.values())  # the `$ref` string among them is skipped as any scalar is
    return found


def documented_body(content_file: str) -> Schema:
    """The documented success body (media type -> schema, published form), a fresh copy each time."""
    return dict(yaml.safe_load((RULES.parent / content_file).read_text(encoding="utf-8")))


def asks_for_stream(op: Schema) -> bool:
    """True when the operation's request has a `stream` property (it answers JSON or a stream of chunks)."""
    content = op.get("requestBody", {}).get("content", {})
    return any("stream" in media.get("schema", {}).get("properties", {}) for media in content.values())


def status_phrase(status: str) -> str:
    try:
        return HTTPStatus(int(status)).phrase
    except ValueError:
        return f"Response {status}"


def request_properties(item: Schema) -> set[str]:
    names: set[str] = set()
    for method in METHODS:
        content = item.get(method, {}).get("requestBody", {}).get("content", {})
        for media in content.values():
            names.update(media.get("schema", {}).get("properties", {}))
    return names


def alias_differences(canonical: Schema, alias: Schema) -> dict[str, list[str]]:
    mine, theirs = request_properties(canonical), request_properties(alias)
    out = {}
    if mine - theirs:
        out["request_properties_only_canonical"] = sorted(mine - theirs)
    if theirs - mine:
        out["request_properties_only_alias"] = sorted(theirs - mine)
    return out


def copy_property(schema: Schema, op: Schema, name: str, from_media_type: str) -> None:
    if name in schema.get("properties", {}):
        return
    for response in op.get("responses", {}).values():
        source = response.get("content", {}).get(from_media_type, {}).get("schema", {})
        if name in source.get("properties", {}):
            schema.setdefault("properties", {})[name] = copy.deepcopy(source["properties"][name])
            return


def is_normalized(doc: Schema) -> bool:
    """True for a document this normalizer produced (or one shaped like it).

    The mark on `info` decides; documents normalized before the mark existed are
    recognized by their shape: every request body and success response body is
    a `$ref` into `components/schemas` (a published file has them inline).
    """
    if doc.get("info", {}).get(NORMALIZED_MARK):
        return True
    schemas = doc.get("components", {}).get("schemas", {})
    refs = []
    for _, _, op in operations(doc):
        success = [response for status, response in op.get("responses", {}).items() if str(status).startswith("2")]
        for body in [op.get("requestBody", {}), *success]:
            refs += [media.get("schema", {}).get("$ref", "") for media in body.get("content", {}).values()]
    return bool(refs) and all(ref.startswith(REF_PREFIX) and ref.removeprefix(REF_PREFIX) in schemas for ref in refs)


def normalize(published: Schema, rules: dict[str, Any] | None = None) -> Schema:
    return Normalizer(rules or load_rules()).run(published)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--rules", type=Path, default=RULES)
    args = parser.parse_args(argv)
    try:
        doc = normalize(json.loads(args.source.read_text(encoding="utf-8")), load_rules(args.rules))
    except NormalizeError as exc:
        print(f"normalize: error: {exc}", file=sys.stderr)
        return 1
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    names = sorted(doc["components"]["schemas"])  # the naming stage always creates them
    print(f"normalize: {args.target} ({len(names)} components)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
