"""Export the normalized spec's components as JSON Schema (draft 2020-12).

Validators (jsonschema-rs in the wrapper, the emulator, the contract tests)
speak JSON Schema, not OpenAPI 3.0, so the components are converted once at
generation time and shipped as data inside the generated package:

- ``tolerant``: the normalized spec as it is (what the client accepts);
- ``published``: the same with each ``x-published-required`` restored and
  unknown properties refused, which is what the published file promises. The
  client validates responses against it to report drift.

Usage:
    python spec/tools/export_schemas.py NORMALIZED.json OUT.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DROPPED = frozenset({"example", "examples", "description", "discriminator", "xml", "externalDocs"})
REF_PREFIX = "#/components/schemas/"


def convert(schema: Any, published: bool) -> Any:
    """One OpenAPI 3.0 schema as JSON Schema 2020-12."""
    if isinstance(schema, list):
        return [convert(item, published) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in DROPPED or key == "nullable" or (key.startswith("x-") and key != "x-published-required"):
            continue
        if key == "$ref":
            out[key] = "#/$defs/" + value.removeprefix(REF_PREFIX)
        elif key == "properties":
            out[key] = {name: convert(sub, published) for name, sub in value.items()}
        elif key == "x-published-required":
            if published:
                out["required"] = list(value)
        else:
            out[key] = convert(value, published)
    if published and out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    if schema.get("nullable"):
        out = nullable(out)
    return out


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    return {"anyOf": [schema, {"type": "null"}]}


def export(normalized: dict[str, Any]) -> dict[str, Any]:
    components = normalized.get("components", {}).get("schemas", {})
    out: dict[str, Any] = {"$comment": "Generated from the normalized OpenAPI spec by spec/tools/export_schemas.py."}
    for variant in ("tolerant", "published"):
        out[variant] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$defs": {name: convert(schema, variant == "published") for name, schema in sorted(components.items())},
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    args = parser.parse_args(argv)
    data = export(json.loads(args.source.read_text(encoding="utf-8")))
    args.target.parent.mkdir(parents=True, exist_ok=True)
    args.target.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
