"""Generation from every mirrored version: it imports, names files cleanly and is byte-identical when repeated."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from spec.tools.generate import generate

pytestmark = pytest.mark.slow

VERSIONS = ("oldest", "middle", "newest")
REQUIRED_MODELS = {
    "ChatCompletionRequest",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionChunkChoice",
    "Choice",
    "Usage",
    "ToolCall",
    "UserMessage",
    "SystemMessage",
    "DeveloperMessage",
    "ToolMessage",
    "AssistantMessage",
    "TextContentPart",
    "ImageUrlContentPart",
    "FileContentPart",
    "RefusalContentPart",
    "ErrorBody",
}
COST_MODELS = {"ResponseMeta", "CostUsage"}
# Run in a fresh interpreter with the generated root first on sys.path: the
# installed aimlapi_grok_api must not be the one imported.
IMPORT_CHECK = """
import json, sys
root = sys.argv[1]
sys.path.insert(0, root)
import aimlapi_grok_api.models as models
from aimlapi_grok_api.api.chat import create_chat_completion
assert models.__file__.startswith(root), models.__file__
assert create_chat_completion.__file__.startswith(root), create_chat_completion.__file__
example = json.loads(sys.argv[2])
completion = models.ChatCompletion.from_dict(example)
chunk = models.ChatCompletionChunk.from_dict(json.loads(sys.argv[3]))
print(json.dumps({
    "names": sorted(name for name in dir(models) if name[:1].isupper()),
    "round_trip": completion.to_dict() == example,
    "finish_reason": chunk.choices[0].finish_reason,
}))
"""
COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1762343744,
    "model": "grok-4-1-fast-reasoning",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi."}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5},
    "system_fingerprint": "fp_1",
}
CHUNK = {"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": "H"}, "finish_reason": None}]}


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_generates_and_imports(generated: Callable[[str], Path], version: str) -> None:
    """The generated package imports from its own root, has the core models and parses a completion and a chunk."""
    root = generated(version)
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_CHECK, str(root), json.dumps(COMPLETION), json.dumps(CHUNK)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    names = set(report["names"])
    assert REQUIRED_MODELS - names == set()
    assert (names >= COST_MODELS) == (version != "oldest"), "meta.usage arrived in the middle version"
    assert report["round_trip"] is True
    assert report["finish_reason"] is None


@pytest.mark.parametrize("version", VERSIONS)
def test_generated_file_names_are_short_and_free_of_type_chains(generated: Callable[[str], Path], version: str) -> None:
    """No generated file name contains `_type_` and every one is under 60 characters."""
    names = [path.name for path in generated(version).rglob("*") if "__pycache__" not in path.parts]
    assert len(names) > 50
    assert [name for name in names if "_type_" in name] == []
    assert [name for name in names if len(name) >= 60] == []


def test_regeneration_is_byte_identical(
    generated: Callable[[str], Path], mirrored: Callable[[str], Path], tmp_path: Path
) -> None:
    """Generating the newest spec again, elsewhere, gives the same files with the same bytes."""
    first = generated("newest") / "aimlapi_grok_api"
    second = tmp_path / "elsewhere" / "aimlapi_grok_api"
    generate(mirrored("newest"), second)
    before, after = files_of(first), files_of(second)
    assert sorted(before) == sorted(after)
    assert [name for name in before if before[name] != after[name]] == []


def test_custom_templates_override_existing_generator_templates() -> None:
    """generator.yaml's custom_template_path is spec/templates, and each file there replaces a real template."""
    import openapi_python_client

    from spec.tools.generate import custom_template_path

    folder = custom_template_path()
    assert folder == Path(__file__).resolve().parents[2] / "spec" / "templates"
    builtin = Path(openapi_python_client.__file__).parent / "templates"
    custom = sorted(p.relative_to(folder) for p in folder.rglob("*.jinja"))
    assert custom
    assert all((builtin / name).is_file() for name in custom), custom


def test_generated_models_repr_only_their_set_fields(generated: Callable[[str], Path]) -> None:
    """The custom model template is applied: a generated model's repr leaves unset fields out."""
    root = generated("newest")
    code = "import sys; sys.path.insert(0, sys.argv[1]); from aimlapi_grok_api.models import Usage; "
    code += "print(repr(Usage(total_tokens=5)))"
    result = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "Usage(total_tokens=5)"


LAZY_CHECK = """
import json, sys
sys.path.insert(0, sys.argv[1])
import aimlapi_grok_api.models as models
from aimlapi_grok_api.models import Usage
loaded = sorted(name for name in sys.modules if name.startswith("aimlapi_grok_api.models."))
client_loaded = "aimlapi_grok_api.client" in sys.modules
resolved = [name for name in models.__all__ if getattr(models, name) is not None]
try:
    models.NoSuchModel
    unknown = "resolved"
except AttributeError as exc:
    unknown = str(exc)
from aimlapi_grok_api import Client
print(json.dumps({"loaded": loaded, "client_loaded": client_loaded, "all": len(models.__all__),
                  "resolved": len(resolved), "dir": sorted(set(models.__all__) - set(dir(models))),
                  "unknown": unknown, "client": Client.__name__}))
"""


def test_generated_models_load_on_first_use(generated: Callable[[str], Path]) -> None:
    """Importing one model loads its own module, not every model's nor the HTTP client; every name still resolves."""
    root = generated("newest")
    result = subprocess.run([sys.executable, "-c", LAZY_CHECK, str(root)], capture_output=True, text=True, check=True)
    found = json.loads(result.stdout)
    assert "aimlapi_grok_api.models.usage" in found["loaded"]
    assert "aimlapi_grok_api.models.chat_completion" not in found["loaded"]
    assert len(found["loaded"]) < 10
    assert found["client_loaded"] is False
    assert found["resolved"] == found["all"] > 50
    assert found["dir"] == []
    assert found["unknown"] == "module 'aimlapi_grok_api.models' has no attribute 'NoSuchModel'"
    assert found["client"] == "Client"
