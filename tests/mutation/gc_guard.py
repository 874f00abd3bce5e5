"""A pytest plugin of the mutation runs (`-p tests.mutation.gc_guard`): no automatic cycle collection.

mutmut's trampolines set a ContextVar around every call into the mutated module, its ``__del__``
methods included. CPython 3.11's ``ContextVar.set`` is not reentrant: when the allocation inside
it (``_PyHamt_Assoc``) starts a cycle collection, and that collection runs such a finalizer, the
inner set frees the HAMT nodes the outer one is still reading. Valgrind showed it (an invalid read
in ``hamt_node_bitmap_assoc`` of a node freed by the nested ``contextvar_set``), and the stats
run of `_streaming` died of it (SIGSEGV in ``ContextVar.set``) once a change moved when the
collector ran. With the thresholds out of reach the collector runs only where a test calls
``gc.collect()``, outside any ContextVar.set. Plain test runs never set a ContextVar in a
finalizer of ours and keep the collector as it is.
"""

from __future__ import annotations

import gc

import pytest

UNREACHABLE = 2**30  # allocations: more than a mutation run makes


def pytest_configure(config: pytest.Config) -> None:
    """Before the first test: automatic collections off by threshold (a test's gc.enable() keeps them off)."""
    gc.set_threshold(UNREACHABLE, UNREACHABLE, UNREACHABLE)
