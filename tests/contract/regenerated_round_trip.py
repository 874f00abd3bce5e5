"""Run in a fresh process with a regenerated `aimlapi_grok_api` first on sys.path: property round trips.

Usage: python -m tests.contract.regenerated_round_trip EXAMPLES. Prints one JSON line: the
package location and the examples run per component. Any failing round trip
raises (non-zero exit, hypothesis's report on stderr).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from importlib import resources
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings

from .json_strategies import values_of

COMPONENTS = ("ChatCompletionRequest", "ChatCompletion", "ChatCompletionChunk")


def fixed_settings(examples: int) -> settings:
    """Property settings for a run on a regenerated package: the same examples every run, no database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def examples_checked(
    document: dict[str, Any], component: str, examples: int, check_one: Callable[[Any, dict[str, Any]], None]
) -> int:
    """Run `check_one(generated model class, value)` on values drawn from the component; how many ran."""
    import aimlapi_grok_api.models as models

    model = getattr(models, component)
    count = 0

    @fixed_settings(examples)
    @given(values_of(document, component))
    def check(body: dict[str, Any]) -> None:
        nonlocal count
        check_one(model, body)
        count += 1

    check()
    return count


def round_trip(component: str, document: dict[str, Any], examples: int) -> int:
    def one(model: Any, body: dict[str, Any]) -> None:
        again = json.loads(json.dumps(model.from_dict(body).to_dict()))
        assert again == json.loads(json.dumps(body)), (component, body, again)

    return examples_checked(document, component, examples, one)


def main() -> None:
    import aimlapi_grok_api

    examples = int(sys.argv[1])
    text = resources.files("aimlapi_grok_api").joinpath("_spec/json_schema.json").read_text(encoding="utf-8")
    document = json.loads(text)["tolerant"]
    counts = {component: round_trip(component, document, examples) for component in COMPONENTS}
    print(json.dumps({"package": aimlapi_grok_api.__file__, "examples": counts}))


if __name__ == "__main__":
    main()
