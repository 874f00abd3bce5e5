"""One source of truth: the wrapper writes no field of the spec by hand, outside a short, justified allow-list."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aimlapi_grok.types
import aimlapi_grok_api.models
from aimlapi_grok._request import SPEC_PARAMS
from aimlapi_grok._schema import openapi_document

from spec.tools.surface import render

from .fresh import fresh_stdout

ROOT = Path(__file__).resolve().parents[2]

WRAPPER = ROOT / "wrapper" / "aimlapi_grok"
TYPING_FILE = ROOT / "tests" / "typing" / "check_public_api.py"

# Field names the wrapper may write as string literals, each group with its reason. Anything else the spec
# names (every request parameter, every other response field) must come from the generated package.
ALLOWED: dict[str, frozenset[str]] = {
    "create()'s own keywords, and the model field the default model fills in": frozenset(
        {"messages", "stream", "model"}
    ),
    "what the wrapper adds over the spec reads these from a completion or a chunk: the text, the finish "
    "reason, tool calls joined per index, token counts, the cost under meta.usage (api-facts)": frozenset(
        {
            "choices",
            "message",
            "delta",
            "content",
            "role",
            "refusal",
            "finish_reason",
            "tool_calls",
            "function",
            "arguments",
            "name",
            "id",
            "index",
            "type",
            "object",
            "usage",
            "prompt_tokens",
            "completion_tokens",
            "completion_tokens_details",
            "reasoning_tokens",
            "meta",
            "credits_used",
            "usd_spent",
        }
    ),
    "rules the spec cannot say (api-facts): reasoning takes effort OR max_tokens; the AIML error body": frozenset(
        {"reasoning", "effort", "max_tokens", "path", "requestId", "statusCode", "timestamp"}
    ),
    "the helpers that build what an app sends (tool_from_function, tool_result_message, content parts)": frozenset(
        {"tool_call_id", "parameters", "description", "strict", "text", "image_url", "url", "detail", "file"}
        | {"file_data", "filename"}
    ),
    "the CLI's options (--temperature) and its streamed usage summary": frozenset({"temperature", "include_usage"}),
}
# Modules whose literals are another vocabulary that happens to share words with field names.
EXEMPT_MODULES = {
    "_tool_schema.py": "it writes JSON Schema (type, object, description are JSON Schema keywords)",
    "_schema_predicate.py": "it compiles any JSON Schema (title, description, default are JSON Schema keywords)",
    "testing": "the emulator plays the server: it reads requests and writes answers field by field",
    "_sse.py": "it reads the server-sent-events wire format (data, event, id, retry are SSE field names)",
}


def spec_field_names(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("properties"), dict):
            yield from node["properties"]
        for value in node.values():
            yield from spec_field_names(value)
    elif isinstance(node, list):
        for value in node:
            yield from spec_field_names(value)


def string_literals(path: Path) -> Iterator[tuple[int, str]]:
    """The string constants of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_spec_field_is_written_by_hand_in_the_wrapper() -> None:
    """No string literal in wrapper/ names a field of the spec unless the allow-list says why."""
    fields = set(spec_field_names(openapi_document()["components"]))
    allowed = frozenset().union(*ALLOWED.values())
    found = []
    for path in sorted(WRAPPER.rglob("*.py")):
        relative = path.relative_to(WRAPPER)
        if relative.parts[0] in EXEMPT_MODULES:
            continue
        found += [f"{relative}:{line}: {text!r}" for line, text in string_literals(path) if text in fields - allowed]
    assert not found, "spec facts written by hand (read them from aimlapi_grok_api._surface):\n" + "\n".join(found)


def test_the_guard_would_catch_a_request_parameter(tmp_path: Path) -> None:
    """The guard is not vacuous: the locked spec's request parameters are fields it looks for, and none is allowed
    but the ones the allow-list names."""
    fields = set(spec_field_names(openapi_document()["components"]))
    assert fields >= SPEC_PARAMS
    allowed = frozenset().union(*ALLOWED.values())
    assert {"top_p", "seed", "provider", "tool_choice", "stream_options"} <= SPEC_PARAMS - allowed
    module = tmp_path / "_hand_written.py"
    module.write_text('PARAMS = ("top_p", "seed")\n', encoding="utf-8")
    assert {text for _, text in string_literals(module)} & (fields - allowed) == {"top_p", "seed"}


def test_the_typing_file_passes_every_request_parameter_of_the_spec() -> None:
    """tests/typing/check_public_api.py calls create() with each request parameter of the locked spec."""
    tree = ast.parse(TYPING_FILE.read_text(encoding="utf-8"))
    function = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "every_request_parameter"
    )
    call = next(node for node in ast.walk(function) if isinstance(node, ast.Call) and node.keywords)
    assert {keyword.arg for keyword in call.keywords} - {"messages"} == SPEC_PARAMS


def test_types_re_exports_every_generated_model_and_request_dict() -> None:
    """`aimlapi_grok.types` holds every generated model and each request TypedDict, so apps import one package."""
    from aimlapi_grok_api import _params

    exported = set(dir(aimlapi_grok.types))
    assert set(aimlapi_grok_api.models.__all__) <= exported
    assert set(_params.__all__) <= exported
    assert {"ChatCompletion", "ChatCompletionChunk", "UserMessageParam"} <= exported


def test_no_readme_example_imports_the_generated_package() -> None:
    """README examples import aimlapi_grok (and aimlapi_grok.types), never aimlapi_grok_api."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = readme.split("```python")[1:]
    assert blocks
    assert not [block for block in blocks if "aimlapi_grok_api" in block.split("```")[0]]


def test_surface_is_what_the_generator_emits_for_the_shipped_spec() -> None:
    """The installed _surface.py and _params.py are the renderer's output for the shipped normalized spec."""
    from aimlapi_grok._schema import package_dir

    shipped = json.loads((package_dir() / "_spec" / "openapi.json").read_text(encoding="utf-8"))
    for name, source in render(shipped, set(aimlapi_grok_api.models.__all__)).items():
        assert (package_dir() / name).read_text(encoding="utf-8") == source, name


def test_import_does_not_build_the_request_typeddicts() -> None:
    """`import aimlapi_grok` loads the cheap generated data only; CreateParams and its TypedDicts come on first use."""
    code = (
        "import sys, aimlapi_grok\n"
        "print('aimlapi_grok_api._params' in sys.modules, 'aimlapi_grok_api._surface' in sys.modules)\n"
        "print(sorted(aimlapi_grok.CreateParams.__annotations__) == sorted(aimlapi_grok._request.SPEC_PARAMS"
        " | aimlapi_grok._request.CALL_OPTIONS))"
    )
    assert fresh_stdout(code).split() == ["False", "True", "True"]
