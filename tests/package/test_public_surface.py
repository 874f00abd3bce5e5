"""The public surface: each `__all__` as a snapshot, every public attribute listed, moved names deprecated."""

from __future__ import annotations
import __future__

import importlib
from types import ModuleType

import aimlapi_grok
import aimlapi_grok.batch
import aimlapi_grok.content
import aimlapi_grok.testing
import aimlapi_grok.tools
import aimlapi_grok.types
import aimlapi_grok_api._params
import aimlapi_grok_api.models
import pytest

ERRORS = [
    *("APIConnectionError", "APIError", "APIStatusError", "APITimeoutError", "AuthenticationError", "BadRequestError"),
    *(
        "BudgetExceededError",
        "ConfigurationError",
        "ConflictError",
        "GrokError",
        "InternalServerError",
        "NotFoundError",
    ),
    *("PermissionDeniedError", "RateLimitError", "RequestValidationError", "ResponseValidationError", "StreamError"),
    *("ToolArgumentsError", "ToolCallError", "UnprocessableEntityError"),
]
SNAPSHOTS = {
    "aimlapi_grok": sorted(
        [
            *ERRORS,
            *("AsyncGrok", "AsyncStream", "ChatCompletionResult", "ClientOptions", "DriftWarning", "Grok", "Stream"),
            "StreamResult",
            *("__version__", "assistant_message_from", "drift_reports", "drift_reports_dropped", "parse_tool_calls"),
            *("tool_from_function", "tool_result_message"),
        ]
    ),
    "aimlapi_grok.tools": [
        *("AssistantMessageDict", "FunctionToolDict", "ParsedToolCall", "StreamedToolCall", "ToolCallDict"),
        *("ToolMessageDict", "assistant_message_from", "function_tool", "parse_tool_call", "parse_tool_calls"),
        *("tool_from_function", "tool_result_message"),
    ],
    "aimlapi_grok.content": [
        *("IMAGE_DETAILS", "IMAGE_MIME_TYPES", "FilePartDict", "ImageDetail", "ImagePartDict", "TextPartDict"),
        *("file_part", "file_part_from_bytes"),
        *("file_part_from_path", "image_part", "image_part_from_bytes", "image_part_from_path", "text_part"),
    ],
    "aimlapi_grok.testing": [
        *("FAULT_HEADER", "Emulator", "EmulatorServer", "Fault", "FaultMix", "FaultSpecError", "GrokMock"),
        *("PlannedResponse", "RateLimit", "RecordedRequest", "assert_valid_request", "assert_valid_response"),
        *("assert_valid_stream", "completion_response", "emulator_transport", "error_response", "mock_grok"),
        *("parse_fault", "parse_fault_mix", "run_emulator", "serve", "sse_payloads", "stream_response"),
    ],
    "aimlapi_grok.batch": [
        *("BatchInputError", "BatchProgress", "BatchReport", "BatchRequest", "InputProblem", "Journal", "JournalRow"),
        *("Outcome", "ParsedInput", "Shard", "Totals", "check_records", "export", "output_line", "read_input"),
        *("run_batch", "status"),
    ],
}
WRAPPER_TYPES = ["CreateParams", "DriftReport", "ResponseInfo", "SchemaViolation", "StreamAccumulator"]
MODULES = [*SNAPSHOTS, "aimlapi_grok.types"]


@pytest.mark.parametrize("name", list(SNAPSHOTS))
def test_all_matches_its_snapshot(name: str) -> None:
    """A name added to or dropped from a namespace's `__all__` is a decision: this list changes with it."""
    assert importlib.import_module(name).__all__ == SNAPSHOTS[name]


def test_types_lists_the_wrapper_types_and_every_generated_name() -> None:
    """`aimlapi_grok.types` holds the wrapper's types and all of the generated models and request TypedDicts."""
    generated = [*aimlapi_grok_api.models.__all__, *aimlapi_grok_api._params.__all__]
    assert aimlapi_grok.types.__all__ == [*WRAPPER_TYPES, *generated]
    assert all(hasattr(aimlapi_grok.types, name) for name in aimlapi_grok.types.__all__)


@pytest.mark.parametrize("name", MODULES)
def test_every_public_attribute_is_listed(name: str) -> None:
    """httpx's rule: a namespace has no public attribute its `__all__` does not list (submodules aside)."""
    module = importlib.import_module(name)
    for exported in module.__all__:
        getattr(module, exported)  # lazy namespaces load their names on first use
    public = {
        attribute
        for attribute, value in vars(module).items()
        if not attribute.startswith("_")
        and not isinstance(value, ModuleType | __future__._Feature)  # submodules; `from __future__ import ...`
    }
    assert sorted(public) == sorted(set(module.__all__) - {"__version__"})


@pytest.mark.parametrize(
    ("name", "namespace"),
    [(name, "tools") for name in ("ParsedToolCall", "StreamedToolCall", "function_tool", "parse_tool_call")]
    + [(name, "content") for name in ("IMAGE_DETAILS", "TextPartDict", "text_part", "image_part_from_path")]
    + [(name, "types") for name in WRAPPER_TYPES],
)
def test_a_moved_name_still_imports_from_the_package_with_a_deprecation_warning(name: str, namespace: str) -> None:
    """Names that moved to a namespace stay importable from `aimlapi_grok` for one release, warning where they went."""
    with pytest.warns(DeprecationWarning, match=rf"aimlapi_grok\.{name} moved to aimlapi_grok\.{namespace}\.{name}"):
        value = getattr(aimlapi_grok, name)
    assert value is getattr(importlib.import_module(f"aimlapi_grok.{namespace}"), name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    """A name that never existed raises AttributeError naming it (no warning, no None)."""
    with pytest.raises(AttributeError, match="no_such_name"):
        aimlapi_grok.no_such_name  # noqa: B018
