"""What the emulator plans and records: the data its adapters (ASGI app, httpx transport) deliver.

The leaf of the testing kit's emulator: ``RecordedRequest`` (one request received and
what became of its answer), ``PlannedResponse`` (status, headers, body parts, pacing,
an optional drop), and ``Responder``, the one method the adapters call on an emulator.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from ._faults import Fault

__all__ = ["PlannedResponse", "RecordedRequest", "Responder"]


@dataclass(slots=True, eq=False)
class RecordedRequest:
    """One request the emulator received, and what became of its answer.

    `headers` has lower-case names, the Authorization value redacted. The
    delivery fields (`parts_sent`, `completed`, `disconnected`) are updated
    while the answer goes out; `wait_finished()` blocks until it is over.
    """

    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes
    body: Any = None  # the decoded JSON body, None when it was not JSON
    status: int | None = None
    fault: Fault | None = None
    stream: bool = False
    inference_id: str | None = None
    parts_sent: int = 0
    completed: bool = False
    disconnected: bool = False
    dropped: bool = False
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)
    on_finish: Callable[[], None] | None = field(default=None, repr=False)  # called once, when the answer is over

    def finish(self, *, completed: bool = False, disconnected: bool = False, dropped: bool = False) -> None:
        self.completed, self.disconnected, self.dropped = completed, disconnected, dropped
        self._finished.set()
        callback, self.on_finish = self.on_finish, None
        if callback is not None:
            callback()

    def wait_finished(self, timeout: float = 5.0) -> bool:
        """Wait (bounded) until the answer was fully sent, dropped, or the client went away."""
        return self._finished.wait(timeout)


@dataclass(slots=True)
class PlannedResponse:
    """What to send: status, headers and body parts, with pacing and an optional drop."""

    status: int
    headers: list[tuple[str, str]]
    parts: list[bytes]
    record: RecordedRequest
    delay: float = 0.0  # before the first body part
    part_delay: float = 0.0  # between body parts
    drop_after: int | None = None  # close the connection after this many parts (None: finish normally)

    @property
    def body(self) -> bytes:
        return b"".join(self.parts)


class Responder(Protocol):
    """What the ASGI app and the httpx transport answer through (an ``Emulator``)."""

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes) -> PlannedResponse:
        """Plan the answer to one request (and record it)."""
        ...
