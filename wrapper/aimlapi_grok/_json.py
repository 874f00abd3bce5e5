"""Decoding the API's JSON: msgspec when it is installed (the ``fast`` extra), else the standard library.

``decode_json(text)`` returns what ``json.loads(text)`` returns and raises what
it raises (a ``ValueError``), with or without msgspec: msgspec decodes first
(it gives the same values as ``json.loads``, integers of any size included),
and a text it refuses goes to ``json.loads``, which either accepts it (NaN,
Infinity, 1e400, lone surrogate escapes, a UTF-16 body: JSON that msgspec is
stricter about) or raises its own error. So msgspec changes the speed (about
three times faster on a stream chunk), never a result. (orjson was measured
too: it turns integers beyond 64 bits into floats, a different result.)

A hot loop takes ``first_decoder()`` once and calls ``json.loads`` itself when
it raises (one Python call less per chunk). msgspec is imported on the first
decode, not with the package.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from typing import Any

__all__ = ["decode_json", "first_decoder"]

Decoder = Callable[[str | bytes], Any]


@cache
def first_decoder() -> Decoder:
    """msgspec's JSON decoder when installed, else ``json.loads``; on ValueError, ask ``json.loads`` (see above)."""
    try:
        # Imported here: msgspec is optional (the fast extra); its absence is decided once, on first decode.
        import msgspec  # noqa: PLC0415
    except ImportError:
        return json.loads
    loads: Decoder = msgspec.json.Decoder().decode  # msgspec.DecodeError is a ValueError
    return loads


def decode_json(text: str | bytes) -> Any:
    """``json.loads(text)``, faster where msgspec is installed (see the module docstring)."""
    decoder = first_decoder()
    try:
        return decoder(text)
    except ValueError:
        if decoder is json.loads:
            raise
        return json.loads(text)  # the standard library's verdict: a value, or its own error
