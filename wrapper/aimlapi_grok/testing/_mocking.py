"""A respx mock of the AIML API answered by an in-process emulator (the transport itself is in ``_transport``).

``with mock_grok() as mock: ...`` patches httpx with respx so that any client
aimed at the AIML base URL talks to an in-process emulator, or to canned
responses (`mock_grok(responses=[completion_response("hi")])`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any

import httpx

from .._constants import CHAT_COMPLETIONS_PATH, DEFAULT_BASE_URL
from ._contract import assert_valid_request
from ._deps import missing_extra
from ._emulator import Emulator
from ._transport import answer_request

if TYPE_CHECKING:
    import respx

    from ._planned import RecordedRequest


class GrokMock:
    """respx routes for the AIML API base URL, answered by an emulator or by canned responses.

    `emulator` answers (and records) every request unless `responses` are given:
    then each POST to the chat completions path gets the next canned response
    (running out is an AssertionError). `sent` keeps every request routed here
    (also after the `with` block); `assert_all_requests_valid()` checks every
    sent body against the spec.
    """

    def __init__(
        self,
        emulator: Emulator | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        responses: Sequence[httpx.Response] | None = None,
    ) -> None:
        try:
            # Imported here: respx is optional (the testing extra) and costs ~35 ms; only mock_grok() needs it.
            import respx  # noqa: PLC0415
        except ImportError as exc:
            raise missing_extra(exc) from exc

        self.emulator = emulator if emulator is not None else Emulator()
        self.base_url = base_url.rstrip("/")
        self.sent: list[httpx.Request] = []
        self._canned = list(responses) if responses is not None else None
        self.router: respx.MockRouter = respx.mock(assert_all_called=False, assert_all_mocked=True)
        if self._canned is not None:
            self.router.post(f"{self.base_url}{CHAT_COMPLETIONS_PATH}").mock(side_effect=self._next_canned)
        else:
            self.router.route(url__startswith=self.base_url).mock(side_effect=self._from_emulator)

    def _from_emulator(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return answer_request(self.emulator, request)

    def _next_canned(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        assert self._canned is not None
        if not self._canned:
            raise AssertionError(f"mock_grok: no canned response left for request {len(self.sent)} ({request.url})")
        return self._canned.pop(0)

    @property
    def requests(self) -> list[RecordedRequest]:
        """What the emulator received (empty when canned responses answer)."""
        return self.emulator.requests

    def sent_bodies(self) -> list[Any]:
        """The decoded JSON bodies of every request sent so far, in order."""
        return [json.loads(request.content) for request in self.sent if request.content]

    def assert_all_requests_valid(self) -> None:
        """Raise AssertionError (naming the field) when any sent body breaks the spec's request schema."""
        for body in self.sent_bodies():
            assert_valid_request(body)

    def __enter__(self) -> GrokMock:
        self.router.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.router.__exit__(exc_type, exc, tb)

    async def __aenter__(self) -> GrokMock:
        return self.__enter__()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.__exit__(exc_type, exc, tb)


def mock_grok(
    emulator: Emulator | None = None,
    *,
    base_url: str = DEFAULT_BASE_URL,
    responses: Sequence[httpx.Response] | None = None,
) -> GrokMock:
    """Route clients aimed at `base_url` to an in-process emulator or to canned responses (see GrokMock)."""
    return GrokMock(emulator, base_url=base_url, responses=responses)
