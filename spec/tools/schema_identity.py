"""What makes two schemas the same one: equal once descriptions and examples are set aside.

The normalizer registers structurally identical objects as one component, and the request-variant
merge keeps a property once when every variant publishes it alike; both compare with `identity`.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["IDENTITY_IGNORED", "identity", "strip_docs"]

IDENTITY_IGNORED = frozenset({"description", "example", "examples"})


def strip_docs(value: Any) -> Any:
    """`value` without the documentation keys (IDENTITY_IGNORED) at any depth."""
    if isinstance(value, dict):
        return {k: strip_docs(v) for k, v in value.items() if k not in IDENTITY_IGNORED}
    if isinstance(value, list):
        return [strip_docs(v) for v in value]
    return value


def identity(schema: Any) -> str:
    """A key equal for two schemas exactly when they are alike, documentation aside."""
    return json.dumps(strip_docs(schema), sort_keys=True)
