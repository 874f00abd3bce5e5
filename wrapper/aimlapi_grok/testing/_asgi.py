"""The Starlette app that delivers what `Emulator.handle()` planned, over real HTTP (or ASGI in process).

It streams body parts one by one (with the planned pacing), watches for the
client going away (recorded as `disconnected`), and drops the connection on a
`drop-after` fault by returning without finishing the response, which makes
the server close the socket mid-body.
"""

from __future__ import annotations

import contextvars
import logging
from typing import TYPE_CHECKING, Any

from ._deps import missing_extra

try:
    import anyio
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise missing_extra(exc) from exc

if TYPE_CHECKING:
    from starlette.types import Receive, Scope, Send

    from ._planned import PlannedResponse, Responder

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
# Set while a response is dropped on purpose, so the server's "response not completed" log line is filtered out.
DROPPING = contextvars.ContextVar("aimlapi_grok_emulator_dropping", default=False)


class EmulatedDropFilter(logging.Filter):
    """Hide the server's error log line for a connection the emulator dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not DROPPING.get()


class PlannedASGIResponse(Response):
    """Sends a PlannedResponse part by part; records delivery, disconnects and drops."""

    def __init__(self, planned: PlannedResponse, *, head_only: bool = False) -> None:
        self.planned = planned
        self.head_only = head_only
        self.status_code = planned.status
        self.background = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        planned, record = self.planned, self.planned.record
        headers = [(name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in planned.headers]
        if planned.drop_after is None and not record.stream and not self.head_only:
            headers.append((b"content-length", str(len(planned.body)).encode()))
        await send({"type": "http.response.start", "status": planned.status, "headers": headers})
        parts = [] if self.head_only else planned.parts
        limit = len(parts) if planned.drop_after is None else min(planned.drop_after, len(parts))
        disconnected = False

        async def watch_disconnect(scope_to_cancel: anyio.CancelScope) -> None:
            nonlocal disconnected
            while True:
                message: dict[str, Any] = dict(await receive())
                if message["type"] == "http.disconnect":
                    disconnected = True
                    scope_to_cancel.cancel()
                    return

        async with anyio.create_task_group() as group:
            group.start_soon(watch_disconnect, group.cancel_scope)
            if planned.delay:
                await anyio.sleep(planned.delay)
            for index in range(limit):
                if index and planned.part_delay:
                    await anyio.sleep(planned.part_delay)
                await send({"type": "http.response.body", "body": parts[index], "more_body": True})
                record.parts_sent += 1
            if planned.drop_after is None or planned.drop_after >= len(parts):
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                record.finish(completed=True)
            else:
                DROPPING.set(True)
                record.finish(dropped=True)
            group.cancel_scope.cancel()
        if disconnected and not record.completed and not record.dropped:
            record.finish(disconnected=True)


def build_app(emulator: Responder) -> Starlette:
    """A Starlette app answering every path and method through `emulator.handle()`."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        planned = emulator.handle(request.method, request.url.path, dict(request.headers), body)
        return PlannedASGIResponse(planned, head_only=request.method == "HEAD")

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=ALL_METHODS)])
