"""The package surface: sorted re-exports and a light import."""

from __future__ import annotations

import aimlapi_grok

from .fresh import fresh_stdout


def test_all_is_sorted_and_unique() -> None:
    """`__all__` is sorted and lists each name once."""
    assert aimlapi_grok.__all__ == sorted(set(aimlapi_grok.__all__))


def test_every_exported_name_resolves() -> None:
    """Each name in `__all__` is an attribute of the package."""
    missing = [name for name in aimlapi_grok.__all__ if not hasattr(aimlapi_grok, name)]
    assert missing == []


def test_public_names_come_from_private_modules() -> None:
    """Exported classes and functions are defined in the package's private modules."""
    for name in aimlapi_grok.__all__:
        module = getattr(getattr(aimlapi_grok, name), "__module__", "aimlapi_grok._")
        assert module.startswith(("aimlapi_grok._", "aimlapi_grok.testing")), (name, module)


def test_import_pulls_in_no_test_or_emulator_dependency() -> None:
    """`import aimlapi_grok` loads none of the testing extra nor test tools."""
    heavy = ["starlette", "uvicorn", "respx", "hypothesis", "schemathesis", "pytest", "openai"]
    code = f"import sys, aimlapi_grok\nprint(','.join(m for m in {heavy!r} if m in sys.modules))\n"
    assert fresh_stdout(code).strip() == ""


def test_the_streaming_modules_load_with_the_first_use_of_a_stream_name() -> None:
    """`import aimlapi_grok` leaves the streaming modules unloaded; the stream names load them (PEP 562)."""
    code = (
        "import sys, aimlapi_grok\n"
        "lazy = ('aimlapi_grok._streaming', 'aimlapi_grok._stream_accumulator')\n"
        "print(','.join(m for m in lazy if m in sys.modules))\n"
        "print(sorted({'AsyncStream', 'Stream', 'StreamResult'} - set(dir(aimlapi_grok))))\n"
        "print(aimlapi_grok.AsyncStream.__module__, aimlapi_grok.StreamResult.__module__)\n"
    )
    assert fresh_stdout(code).splitlines() == ["", "[]", "aimlapi_grok._streaming aimlapi_grok._stream_result"]


def test_the_tool_content_and_predicate_modules_load_with_first_use() -> None:
    """`import aimlapi_grok` leaves the tool helpers, content parts and schema predicate compiler unloaded; the
    tool names and the `tools` / `content` namespaces still resolve after a plain import, and load them."""
    code = (
        "import sys, aimlapi_grok\n"
        "assert not hasattr(aimlapi_grok, '__wrapped__')  # a probe by inspect, doctest or an IDE\n"
        "lazy = ('aimlapi_grok._tools', 'aimlapi_grok._content', 'aimlapi_grok._schema_predicate',"
        " 'aimlapi_grok.tools', 'aimlapi_grok.content')\n"
        "print(','.join(m for m in lazy if m in sys.modules))\n"
        "print(sorted({'tools', 'content', 'tool_from_function'} - set(dir(aimlapi_grok))))\n"
        "print(aimlapi_grok.tool_from_function.__module__, aimlapi_grok.tools.__name__,"
        " aimlapi_grok.content.text_part.__module__)\n"
    )
    assert fresh_stdout(code).splitlines() == [
        "",
        "[]",
        "aimlapi_grok._tools aimlapi_grok.tools aimlapi_grok._content",
    ]


def test_the_drift_reporter_loads_with_the_first_use_of_its_names() -> None:
    """`import aimlapi_grok` leaves the drift reporter unloaded; its public names load it on first use (PEP 562)."""
    code = (
        "import sys, aimlapi_grok\n"
        "print('aimlapi_grok._drift' in sys.modules)\n"
        "print(aimlapi_grok.DriftWarning.__module__, aimlapi_grok.drift_reports())\n"
    )
    assert fresh_stdout(code).splitlines() == ["False", "aimlapi_grok._drift []"]
