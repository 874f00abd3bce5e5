"""A misbehaving HTTP server on loopback: raw sockets, answers written byte for byte from a script.

Not the project's emulator: each answer is exactly the bytes a test gives
(status line, headers, body), so BOMs, odd SSE framing, echoed keys and
absurd headers reach the client as a hostile server would send them.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any


def http_answer(status: int, body: Any, *, content_type: str = "application/json", **headers: str) -> bytes:
    """One complete HTTP/1.1 answer (Connection: close) with `body` as bytes, text or JSON."""
    if isinstance(body, str):
        payload = body.encode()
    elif isinstance(body, bytes):
        payload = body
    else:
        payload = json.dumps(body).encode()
    lines = [f"HTTP/1.1 {status} Hostile", f"content-type: {content_type}", f"content-length: {len(payload)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    lines.append("connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


class HostileServer:
    """Serves `script` answers in order (the last one repeated); records each request's raw bytes."""

    def __init__(self, script: list[bytes], *, hold_open: float = 0.0) -> None:
        self.script = list(script)
        self.hold_open = hold_open  # seconds an answered connection stays open (until the server stops)
        self.requests: list[bytes] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                self.requests.append(_read_request(connection))
                answer = self.script.pop(0) if len(self.script) > 1 else self.script[0]
                with suppress(OSError):
                    connection.sendall(answer)
                self._stop.wait(self.hold_open)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._socket.close()
        self._thread.join(timeout=5)


def _read_request(connection: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        part = connection.recv(65536)
        if not part:
            return data
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        part = connection.recv(65536)
        if not part:
            break
        body += part
    return head + b"\r\n\r\n" + body


@contextmanager
def hostile_server(*answers: bytes, hold_open: float = 0.0) -> Iterator[HostileServer]:
    """A running HostileServer answering `answers` in order (each connection held open `hold_open` seconds)."""
    with HostileServer(list(answers), hold_open=hold_open) as server:
        yield server
