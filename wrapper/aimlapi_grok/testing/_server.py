"""Serving the emulator over loopback HTTP: `run_emulator()` (a background thread) and `serve()` (blocking)."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any

from ._asgi import EmulatedDropFilter
from ._deps import missing_extra
from ._emulator import Emulator

try:
    import uvicorn
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise missing_extra(exc) from exc

if TYPE_CHECKING:
    from ._faults import Fault
    from ._planned import RecordedRequest
    from ._traffic import FaultMix, RateLimit

DEFAULT_HOST = "127.0.0.1"
STARTUP_TIMEOUT = 10.0
SHUTDOWN_TIMEOUT = 5.0


def _install_log_filter() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, EmulatedDropFilter) for existing in logger.filters):
        logger.addFilter(EmulatedDropFilter())


def _uvicorn_config(emulator: Emulator, log_level: str, **extra: Any) -> uvicorn.Config:
    return uvicorn.Config(
        emulator.app,
        log_level=log_level,
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=1,
        **extra,
    )


class EmulatorServer:
    """An emulator served by uvicorn in a background thread; a sync and async context manager.

    `base_url` is known once started. `requests`, `script()`, `reset()` and
    `api_key` are those of the emulator it serves.
    """

    def __init__(
        self, emulator: Emulator | None = None, *, host: str = DEFAULT_HOST, port: int = 0, log_level: str = "warning"
    ) -> None:
        self.emulator = emulator if emulator is not None else Emulator()
        self.host = host
        self._requested_port = port
        self._log_level = log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.port: int | None = None

    def __repr__(self) -> str:
        state = f"serving at {self.base_url}" if self.port is not None else "stopped"
        return f"EmulatorServer({state}, {self.emulator!r})"

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise RuntimeError("the emulator server is not running (use it as a context manager or call start())")
        return f"http://{self.host}:{self.port}"

    @property
    def api_key(self) -> str:
        """A key the emulator accepts."""
        return self.emulator.client_api_key

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.emulator.requests

    def script(self, faults: Iterable[Fault]) -> None:
        self.emulator.script(faults)

    def reset(self) -> None:
        self.emulator.reset()

    def start(self, timeout: float = STARTUP_TIMEOUT) -> EmulatorServer:
        """Bind a loopback port and start serving; returns once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the emulator server is already running")
        _install_log_filter()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        self._socket = sock
        server = uvicorn.Server(_uvicorn_config(self.emulator, self._log_level))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="aimlapi-grok-emulator")
        thread.daemon = True
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the emulator server did not start within {timeout} s")
            time.sleep(0.01)
        self.port = sock.getsockname()[1]
        return self

    def stop(self, timeout: float = SHUTDOWN_TIMEOUT) -> None:
        """Stop serving and wait (bounded) for the server thread to end."""
        server, thread = self._server, self._thread
        if server is not None and thread is not None:
            server.should_exit = True
            thread.join(timeout)
            if thread.is_alive():
                server.force_exit = True
                thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
        self.port = None

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> EmulatorServer:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def run_emulator(
    emulator: Emulator | None = None, *, api_key: str | None = None, host: str = DEFAULT_HOST, port: int = 0
) -> EmulatorServer:
    """An emulator on a free loopback port: ``with run_emulator() as emu: emu.base_url``.

    Pass an `Emulator` to configure it, or `api_key` to make a new one accept only that key.
    """
    if emulator is not None and api_key is not None:
        raise ValueError("pass either an Emulator or api_key, not both (configure the key on the Emulator)")
    return EmulatorServer(emulator if emulator is not None else Emulator(api_key=api_key), host=host, port=port)


SERVED_KEPT_REQUESTS = 1000  # what serve() remembers (for a look in a debugger: the command reads none)


def serve(
    host: str = DEFAULT_HOST,
    port: int = 8080,
    *,
    api_key: str | None = None,
    log_level: str = "info",
    rate_limit: RateLimit | None = None,
    fault_mix: FaultMix | None = None,
    keep_requests: int | None = SERVED_KEPT_REQUESTS,
) -> None:
    """Serve an emulator in the foreground until interrupted (what `aimlapi-grok emulator` runs).

    It records only the last `keep_requests` requests (None: all), so a server left running does not
    grow by every request it answers (each record holds the request's headers and body).
    """
    _install_log_filter()
    emulator = Emulator(api_key=api_key, rate_limit=rate_limit, fault_mix=fault_mix, keep_requests=keep_requests)
    uvicorn.Server(_uvicorn_config(emulator, log_level, host=host, port=port)).run()
