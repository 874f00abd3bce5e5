"""The normalizer's rule file: loaded and checked against its own schema before anything runs.

spec/rules/normalize.schema.yaml declares every key the engine reads (switches, selectors,
the `stages` order) and requires a reason on every rule; a rule file that does not conform
is a `NormalizeError` naming where and why, never a rule that silently does nothing.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import yaml

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
RULES = RULES_DIR / "normalize.yaml"
RULES_SCHEMA = RULES_DIR / "normalize.schema.yaml"


class NormalizeError(Exception):
    """The document cannot be normalized with these rules."""


@cache
def rules_validator() -> jsonschema_rs.Validator:
    """The compiled validator of spec/rules/normalize.schema.yaml (regex formats checked)."""
    schema = yaml.safe_load(RULES_SCHEMA.read_text(encoding="utf-8"))
    return jsonschema_rs.validator_for(schema, validate_formats=True)


def check_rules(rules: Any) -> None:
    """Raise NormalizeError listing each place where `rules` does not conform to the rule file's schema."""
    problems = [
        f"{'/'.join(str(part) for part in error.instance_path) or '(top level)'}: {error.message}"
        for error in rules_validator().iter_errors(rules)
    ]
    if problems:
        raise NormalizeError("the rule file does not conform to normalize.schema.yaml:\n  " + "\n  ".join(problems))


def load_rules(path: Path = RULES) -> dict[str, Any]:
    """The rule file at `path`, checked."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    check_rules(rules)
    return dict(rules)
