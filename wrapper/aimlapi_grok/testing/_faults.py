"""Faults the emulator can inject: parsed from the `X-Emulator-Fault` header or queued by a script.

Header syntax: `;`-separated items, each `key=value` or a bare flag, for example
``status=429;retry-after=1`` or ``drop-after=3;chunk-delay=0.05``.

=====================  ==============================================================
item                   effect
=====================  ==============================================================
``status=N``           answer with HTTP status N and the AIML error body
``retry-after=T``      add ``Retry-After: T`` (seconds or an HTTP date) to that answer
``retry-after-ms=N``   add ``retry-after-ms: N``
``delay=S``            wait S seconds before the answer's body (headers go out first)
``chunk-delay=S``      wait S seconds between streamed events (a slow stream)
``chunks=N``           stretch the streamed answer to N content chunks
``drop-after=N``       close the connection after N body parts (events of a stream,
                       or a few bytes of a JSON answer) without finishing it
``error-after=N``      send an ``error`` object as the stream's event N+1, then end it
``malformed-json``     a 200 whose JSON body (or first streamed chunk) is cut short
``html-502``           a 502 with an HTML page, as a proxy sends it
``empty-502``          a 502 with an empty body (``empty-body`` does the same; with
                       ``status=N`` it empties that status instead)
=====================  ==============================================================
"""

from __future__ import annotations

from dataclasses import dataclass

FAULT_HEADER = "X-Emulator-Fault"

_INT_KEYS = {"status", "retry-after-ms", "drop-after", "error-after", "chunks"}
_FLOAT_KEYS = {"delay", "chunk-delay"}
_TEXT_KEYS = {"retry-after"}
_FLAGS = {"malformed-json", "html-502", "empty-502", "empty-body"}


class FaultSpecError(ValueError):
    """An `X-Emulator-Fault` header or a Fault that cannot be applied; the message names the item."""


@dataclass(frozen=True, slots=True)
class Fault:
    """One injected misbehaviour. Combine fields freely; unset fields change nothing."""

    status: int | None = None
    retry_after: str | int | None = None
    retry_after_ms: int | None = None
    delay: float = 0.0
    chunk_delay: float = 0.0
    chunks: int | None = None
    drop_after: int | None = None
    error_after: int | None = None
    malformed_json: bool = False
    html: bool = False
    empty_body: bool = False

    def __post_init__(self) -> None:
        if self.status is not None and not 100 <= self.status <= 599:
            raise FaultSpecError(f"status must be an HTTP status 100..599, got {self.status}")
        for name in ("retry_after_ms", "chunks", "drop_after", "error_after"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise FaultSpecError(f"{name} must be >= 0, got {value}")
        if self.delay < 0 or self.chunk_delay < 0:
            raise FaultSpecError("delay and chunk_delay must be >= 0 seconds")
        if self.chunks is not None and self.chunks < 1:
            raise FaultSpecError(f"chunks must be >= 1, got {self.chunks}")
        if self.html and self.status is not None and self.status < 400:
            raise FaultSpecError("an HTML error page needs an error status (>= 400)")

    @property
    def error_status(self) -> int | None:
        """The status of an injected error answer, or None when the request is answered normally."""
        if self.status is not None and self.status >= 400:
            return self.status
        if self.html or self.empty_body:
            return 502
        return None


def parse_fault(text: str) -> Fault:
    """Parse an `X-Emulator-Fault` header value; raise FaultSpecError naming the bad item."""
    values: dict[str, object] = {}
    for raw in text.split(";"):
        item = raw.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip().lower(), value.strip()
        if key in _FLAGS:
            if sep:
                raise FaultSpecError(f"{FAULT_HEADER}: {key!r} is a flag and takes no value (got {item!r})")
            if key == "html-502":
                values["html"] = True
            elif key in ("empty-502", "empty-body"):
                values["empty_body"] = True
            else:
                values["malformed_json"] = True
            continue
        if key not in _INT_KEYS | _FLOAT_KEYS | _TEXT_KEYS:
            known = sorted(_INT_KEYS | _FLOAT_KEYS | _TEXT_KEYS | _FLAGS)
            raise FaultSpecError(f"{FAULT_HEADER}: unknown item {key!r} (known: {', '.join(known)})")
        if not sep or not value:
            raise FaultSpecError(f"{FAULT_HEADER}: {item!r} needs a value ({key}=...)")
        field = key.replace("-", "_")
        try:
            values[field] = int(value) if key in _INT_KEYS else float(value) if key in _FLOAT_KEYS else value
        except ValueError:
            raise FaultSpecError(f"{FAULT_HEADER}: {key} needs a number, got {value!r}") from None
    # typing: each value was converted to its field's type above; mypy cannot match a dict of mixed values to keywords
    return Fault(**values)  # type: ignore[arg-type]
