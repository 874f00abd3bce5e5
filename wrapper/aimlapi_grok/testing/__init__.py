"""A testing kit for apps built on aimlapi_grok: a spec-driven emulator of the AIML API, fixtures, mocks.

Needs the `testing` extra (``pip install 'aimlapi-grok[testing]'``). Names are
loaded on first use, so importing this package is cheap.

- ``Emulator``: the emulator (``.app`` is its Starlette app; ``.transport()`` an
  in-process httpx transport; ``.script([Fault(...)])`` queues faults;
  ``.requests`` records what it received).
- ``run_emulator()``: serve it on a free loopback port (``with run_emulator() as emu:``);
  ``serve(host, port)`` serves it in the foreground.
- ``Fault`` / header ``X-Emulator-Fault``: injected errors, delays, drops.
- ``RateLimit`` (per-key requests per minute and concurrent requests, answered 429 + Retry-After) and
  ``FaultMix`` (a seeded share of 429, 500, 503, drops, slow answers): ``Emulator(rate_limit=..., fault_mix=...)``.
- ``mock_grok()``: respx routes for the AIML base URL, answered by an emulator or canned
  responses (``completion_response``, ``stream_response``, ``error_response``).
- ``assert_valid_request(body)``, ``assert_valid_response(body)``, ``assert_valid_stream(text)``.
- pytest fixtures (loaded automatically): ``grok_emulator``, ``grok_client``, ``async_grok_client``.
"""

from __future__ import annotations

import typing as _typing

from .._lazy import lazy_exports as _lazy_exports

if _typing.TYPE_CHECKING:
    from ._canned import completion_response, error_response, stream_response
    from ._contract import assert_valid_request, assert_valid_response, assert_valid_stream, sse_payloads
    from ._emulator import Emulator
    from ._faults import FAULT_HEADER, Fault, FaultSpecError, parse_fault
    from ._mocking import GrokMock, mock_grok
    from ._planned import PlannedResponse, RecordedRequest
    from ._server import EmulatorServer, run_emulator, serve
    from ._traffic import FaultMix, RateLimit, parse_fault_mix
    from ._transport import emulator_transport

_EXPORTS = {
    "Emulator": "._emulator",
    "EmulatorServer": "._server",
    "FAULT_HEADER": "._faults",
    "Fault": "._faults",
    "FaultMix": "._traffic",
    "FaultSpecError": "._faults",
    "GrokMock": "._mocking",
    "PlannedResponse": "._planned",
    "RateLimit": "._traffic",
    "RecordedRequest": "._planned",
    "assert_valid_request": "._contract",
    "assert_valid_response": "._contract",
    "assert_valid_stream": "._contract",
    "completion_response": "._canned",
    "emulator_transport": "._transport",
    "error_response": "._canned",
    "mock_grok": "._mocking",
    "parse_fault": "._faults",
    "parse_fault_mix": "._traffic",
    "run_emulator": "._server",
    "serve": "._server",
    "sse_payloads": "._contract",
    "stream_response": "._canned",
}

__all__ = [
    "FAULT_HEADER",
    "Emulator",
    "EmulatorServer",
    "Fault",
    "FaultMix",
    "FaultSpecError",
    "GrokMock",
    "PlannedResponse",
    "RateLimit",
    "RecordedRequest",
    "assert_valid_request",
    "assert_valid_response",
    "assert_valid_stream",
    "completion_response",
    "emulator_transport",
    "error_response",
    "mock_grok",
    "parse_fault",
    "parse_fault_mix",
    "run_emulator",
    "serve",
    "sse_payloads",
    "stream_response",
]


__getattr__, __dir__ = _lazy_exports(__name__, _EXPORTS, globals())
