"""A clear error when the `testing` extra (starlette, uvicorn, respx) is not installed."""

from __future__ import annotations

EXTRA_HINT = "pip install 'aimlapi-grok[testing]'"


def missing_extra(exc: ImportError) -> ImportError:
    """The ImportError to raise instead of `exc`: it names the missing module and the extra to install."""
    module = exc.name or "a dependency"
    return ImportError(f"aimlapi_grok.testing needs {module} (the 'testing' extra): {EXTRA_HINT}", name=exc.name)
