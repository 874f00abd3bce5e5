"""spec/tools/spec_diff.py: the API-level report on the mirrored versions and on synthetic changes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from spec.tools import spec_diff
from spec.tools.spec_diff import Change, diff

Spec = dict[str, Any]
SPEC_DIFF = Path(__file__).resolve().parents[2] / "spec" / "tools" / "spec_diff.py"
OPERATION = "POST /v1/chat/completions"
COST_FIELDS = (
    ("usage", "nullable object CostUsage"),
    ("usage.credits_used", "number"),
    ("usage.usd_spent", "number"),
)


def summary(changes: list[Change]) -> set[tuple[str, str, str, bool]]:
    return {(change.side, change.path, change.kind, change.breaking) for change in changes}


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SPEC_DIFF), *args], capture_output=True, text=True, check=False)


def test_oldest_to_middle_adds_meta_with_cost(normalized: Callable[[str], Spec]) -> None:
    """0e44c1a1 -> 1a0876e7: `meta` (usage.credits_used, usage.usd_spent) added to the completion and the chunk."""
    changes = diff(normalized("oldest"), normalized("middle"))
    assert summary(changes) == {
        ("response", "ChatCompletion.meta", "added", False),
        ("response", "ChatCompletionChunk.meta", "added", False),
        ("model", "CostUsage", "added", False),
        ("model", "ResponseMeta", "added", False),
    }
    meta = next(change for change in changes if change.path == "ChatCompletion.meta")
    assert meta.operation == OPERATION
    assert meta.media_type == "application/json"
    assert meta.fields == COST_FIELDS
    assert meta.detail == "added (nullable object ResponseMeta; optional in the published spec)"
    chunk_meta = next(change for change in changes if change.path == "ChatCompletionChunk.meta")
    assert chunk_meta.media_type == "text/event-stream"
    assert chunk_meta.fields == COST_FIELDS


def test_middle_to_newest_adds_the_provider_parameter(normalized: Callable[[str], Spec]) -> None:
    """1a0876e7 -> 4cd011cd: exactly one change, the optional `provider` request parameter (non-breaking)."""
    changes = diff(normalized("middle"), normalized("newest"))
    assert [(c.side, c.path, c.kind, c.detail, c.breaking) for c in changes] == [
        ("request", "ChatCompletionRequest.provider", "added", "added (string; optional)", False)
    ]


def test_downgrade_reports_the_removals_as_breaking(normalized: Callable[[str], Spec]) -> None:
    """newest -> oldest: provider and meta removed, and the cost models gone, all breaking."""
    changes = diff(normalized("newest"), normalized("oldest"))
    assert summary(changes) == {
        ("request", "ChatCompletionRequest.provider", "removed", True),
        ("response", "ChatCompletion.meta", "removed", True),
        ("response", "ChatCompletionChunk.meta", "removed", True),
        ("model", "CostUsage", "removed", True),
        ("model", "ResponseMeta", "removed", True),
    }


def test_identical_specs_have_no_changes(normalized: Callable[[str], Spec]) -> None:
    """A spec compared with itself reports nothing."""
    assert diff(normalized("newest"), normalized("newest")) == []


def test_cli_exit_status_and_text_on_mirrored_files(mirrored: Callable[[str], Path]) -> None:
    """The CLI takes published files, exits 0 on the additive transitions and 1 on the downgrade."""
    forward = run_cli(str(mirrored("oldest")), str(mirrored("middle")))
    assert forward.returncode == 0, forward.stderr
    assert "non-breaking  response  ChatCompletion.meta: added" in forward.stdout
    assert "ChatCompletion.meta.usage.credits_used: number" in forward.stdout
    assert "ChatCompletion.meta.usage.usd_spent: number" in forward.stdout
    assert forward.stdout.rstrip().endswith("0 breaking, 4 non-breaking change(s)")
    provider = run_cli(str(mirrored("middle")), str(mirrored("newest")))
    assert provider.returncode == 0
    assert "non-breaking  request   ChatCompletionRequest.provider: added (string; optional)" in provider.stdout
    backward = run_cli(str(mirrored("newest")), str(mirrored("middle")))
    assert backward.returncode == 1
    assert "BREAKING      request   ChatCompletionRequest.provider: removed (was string)" in backward.stdout


def test_published_and_normalized_inputs_compare_equal(
    mirrored: Callable[[str], Path], normalized: Callable[[str], Spec], tmp_path: Path
) -> None:
    """A published file and its normalized form are the same API: no changes, exit 0 (--json output)."""
    normalized_file = tmp_path / "newest.normalized.json"
    normalized_file.write_text(json.dumps(normalized("newest")))
    result = run_cli(str(mirrored("newest")), str(normalized_file), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "old": str(mirrored("newest")),
        "new": str(normalized_file),
        "breaking": 0,
        "non_breaking": 0,
        "changes": [],
    }


def schema(spec: Spec, name: str) -> Spec:
    found: Spec = spec["components"]["schemas"][name]
    return found


def require_temperature(spec: Spec) -> None:
    schema(spec, "ChatCompletionRequest")["required"].append("temperature")


def drop_high_effort(spec: Spec) -> None:
    schema(spec, "Reasoning")["properties"]["effort"]["enum"].remove("high")


def add_finish_reason(spec: Spec) -> None:
    schema(spec, "Choice")["properties"]["finish_reason"]["enum"].append("refusal")


def prompt_tokens_as_string(spec: Spec) -> None:
    schema(spec, "Usage")["properties"]["prompt_tokens"]["type"] = "string"


def drop_created(spec: Spec) -> None:
    del schema(spec, "ChatCompletion")["properties"]["created"]


def unpromise_id(spec: Spec) -> None:
    schema(spec, "ChatCompletion")["x-published-required"].remove("id")


def nullable_total_tokens(spec: Spec) -> None:
    schema(spec, "Usage")["properties"]["total_tokens"]["nullable"] = True


def lower_max_temperature(spec: Spec) -> None:
    schema(spec, "ChatCompletionRequest")["properties"]["temperature"]["maximum"] = 1


def drop_message_variant(spec: Spec) -> None:
    items = schema(spec, "ChatCompletionRequest")["properties"]["messages"]["items"]
    items["oneOf"] = [member for member in items["oneOf"] if not member["$ref"].endswith("/DeveloperMessage")]


def add_low_effort(spec: Spec) -> None:
    schema(spec, "Reasoning")["properties"]["effort"]["enum"].append("minimal")


def add_optional_param(spec: Spec) -> None:
    schema(spec, "ChatCompletionRequest")["properties"]["user"] = {"type": "string"}


def promise_meta(spec: Spec) -> None:
    schema(spec, "ChatCompletion")["x-published-required"].append("meta")


BREAKING_CASES = [
    (require_temperature, "request", "ChatCompletionRequest.temperature", "required", "now required"),
    (drop_high_effort, "request", "ChatCompletionRequest.reasoning.effort", "enum", 'enum value(s) removed: "high"'),
    (add_finish_reason, "response", "ChatCompletion.choices[].finish_reason", "enum", 'value(s) added: "refusal"'),
    (prompt_tokens_as_string, "response", "ChatCompletion.usage.prompt_tokens", "type", "type integer -> string"),
    (drop_created, "response", "ChatCompletion.created", "removed", "removed (was integer)"),
    (unpromise_id, "response", "ChatCompletion.id", "required", "no longer required in the published spec"),
    (nullable_total_tokens, "response", "ChatCompletion.usage.total_tokens", "nullable", "may now be null"),
    (lower_max_temperature, "request", "ChatCompletionRequest.temperature", "bound", "maximum 2 -> 1"),
    (drop_message_variant, "request", "ChatCompletionRequest.messages[]", "variant", "DeveloperMessage removed"),
]
NON_BREAKING_CASES = [
    (add_low_effort, "request", "ChatCompletionRequest.reasoning.effort", "enum", 'enum value(s) added: "minimal"'),
    (add_optional_param, "request", "ChatCompletionRequest.user", "added", "added (string; optional)"),
    (promise_meta, "response", "ChatCompletion.meta", "required", "now required in the published spec"),
]


@pytest.mark.parametrize(
    ("mutate", "side", "path", "kind", "detail"), BREAKING_CASES, ids=[case[0].__name__ for case in BREAKING_CASES]
)
def test_synthetic_breaking_change_is_marked_and_exits_1(
    normalized: Callable[[str], Spec],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    mutate: Callable[[Spec], None],
    side: str,
    path: str,
    kind: str,
    detail: str,
) -> None:
    """Each change that can break a client is reported BREAKING at its field path, and the CLI exits 1."""
    old, new = normalized("newest"), normalized("newest")
    mutate(new)
    matching = [c for c in diff(old, new) if (c.side, c.path, c.kind) == (side, path, kind)]
    assert len(matching) == 1
    assert matching[0].breaking is True
    assert detail in matching[0].detail
    (tmp_path / "old.json").write_text(json.dumps(old))
    (tmp_path / "new.json").write_text(json.dumps(new))
    assert spec_diff.main([str(tmp_path / "old.json"), str(tmp_path / "new.json")]) == 1
    assert f"BREAKING      {side:<8}  {path}: " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("mutate", "side", "path", "kind", "detail"),
    NON_BREAKING_CASES,
    ids=[case[0].__name__ for case in NON_BREAKING_CASES],
)
def test_synthetic_compatible_change_is_non_breaking(
    normalized: Callable[[str], Spec],
    mutate: Callable[[Spec], None],
    side: str,
    path: str,
    kind: str,
    detail: str,
) -> None:
    """Additive changes (request enum value, optional parameter, a new published promise) are non-breaking."""
    old, new = normalized("newest"), normalized("newest")
    mutate(new)
    changes = diff(old, new)
    assert [(c.side, c.path, c.kind, c.breaking) for c in changes] == [(side, path, kind, False)]
    assert detail in changes[0].detail


def test_unreadable_input_is_a_usage_error(tmp_path: Path, mirrored: Callable[[str], Path]) -> None:
    """A missing file or a file that is not an OpenAPI document exits 2 and names the argument."""
    missing = run_cli(str(tmp_path / "absent.json"), str(mirrored("newest")))
    assert missing.returncode == 2
    assert f"OLD {tmp_path / 'absent.json'}" in missing.stderr
    (tmp_path / "list.json").write_text("[1, 2]")
    not_openapi = run_cli(str(mirrored("newest")), str(tmp_path / "list.json"))
    assert not_openapi.returncode == 2
    assert "NEW" in not_openapi.stderr
    assert "not an OpenAPI document" in not_openapi.stderr
    assert run_cli(str(mirrored("newest"))).returncode == 2
