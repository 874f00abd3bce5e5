"""`aimlapi-grok chat`: one prompt, the answer streamed (or as JSON), a one-line summary on stderr."""

from __future__ import annotations

import contextlib
import json
import logging
import math
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

import httpx

from ._cli_common import (
    EXIT_API_ERROR,
    EXIT_FAILURE,
    EXIT_NETWORK_ERROR,
    EXIT_OK,
    EXIT_USAGE,
    PROG,
    UsageError,
    offline_emulator,
)
from ._client import Grok
from ._constants import API_KEY_ENV
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    ConfigurationError,
    GrokError,
    RequestValidationError,
    StreamError,
)

if TYPE_CHECKING:
    from ._client import Grok
    from ._errors import GrokError


@dataclass(frozen=True)
class ChatOptions:
    """Everything `chat` needs, parsed from the command line and the environment."""

    prompt: str
    system: str | None = None
    reasoning_effort: str | None = None
    max_tokens: int | None = None
    temperature: float | None = None
    as_json: bool = False
    offline: bool = False
    base_url: str | None = None
    api_key: str | None = None
    client_request_id: str | None = None
    timeout: float | None = None
    deadline: float | None = None
    max_retries: int | None = None

    def __repr__(self) -> str:  # the key never shows
        return f"ChatOptions(offline={self.offline}, base_url={self.base_url!r}, as_json={self.as_json})"

    def messages(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        if self.system:
            messages.append({"role": "system", "content": self.system})
        messages.append({"role": "user", "content": self.prompt})
        return messages

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if self.reasoning_effort is not None:
            params["reasoning"] = {"effort": self.reasoning_effort}
        if self.max_tokens is not None:
            params["max_tokens"] = self.max_tokens
        if self.temperature is not None:
            params["temperature"] = self.temperature
        if self.client_request_id is not None:
            params["client_request_id"] = self.client_request_id
        return params


@dataclass(frozen=True)
class Summary:
    """What the one-line summary reports; None where the API did not say."""

    prompt_tokens: int | None
    completion_tokens: int | None
    reasoning_tokens: int | None
    credits_used: int | None
    usd_spent: Decimal | None
    inference_id: str | None
    finish_reason: str | None = None

    def line(self) -> str:
        reasoning = f" ({_shown(self.reasoning_tokens)} reasoning)"
        usd = "n/a" if self.usd_spent is None else f"${usd_text(self.usd_spent)}"
        return (
            f"[tokens: {_shown(self.prompt_tokens)} prompt, {_shown(self.completion_tokens)} completion{reasoning}"
            f" | credits: {_shown(self.credits_used)} | usd: {usd} | inference id: {_shown(self.inference_id)}]"
        )


def _shown(value: object) -> str:
    return "n/a" if value is None else str(value)


def usd_text(value: Decimal) -> str:
    """The one USD format of the CLI: plain decimal notation, no exponent, no trailing zeros (0.0000462)."""
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


LENGTH_FINISH = "length"  # the finish reason of an answer cut at the token limit


def truncation_note(finish_reason: str | None) -> str | None:
    """The line the CLI prints when the answer stopped at the token limit."""
    if finish_reason != LENGTH_FINISH:
        return None
    return f"{PROG}: the answer stopped at the token limit (finish_reason: length); raise --max-tokens for more"


class RetryLines(logging.Handler):
    """Prints one readable line per retry (`retrying in 2.0 s after HTTP 503`) to the CLI's stderr."""

    def __init__(self, err: TextIO) -> None:
        super().__init__(logging.INFO)
        self._err = err

    def emit(self, record: logging.LogRecord) -> None:
        wait = getattr(record, "retry_wait", None)
        if not isinstance(wait, float | int):
            return
        reason = getattr(record, "retry_reason", "an error")
        self._err.write(f"{PROG}: retrying in {wait:.1f} s after {reason}\n")
        self._err.flush()


@contextlib.contextmanager
def _retry_lines(err: TextIO) -> Iterator[None]:
    """For the duration of the command, the library's retry records become lines on `err`."""
    library = logging.getLogger("aimlapi_grok")
    handler = RetryLines(err)
    level = library.level
    library.addHandler(handler)
    library.setLevel(logging.INFO)
    try:
        yield
    finally:
        library.removeHandler(handler)
        library.setLevel(level)


class _TextOut:
    """The answer's output: flushed on every write; remembers whether the last write ended a line."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self.mid_line = False

    def write(self, text: str) -> None:
        if text:
            try:
                self._out.write(text)
            except UnicodeEncodeError:  # a lone surrogate from the server: shown escaped, nothing dropped
                encoding = getattr(self._out, "encoding", None) or "utf-8"
                self._out.write(text.encode(encoding, "backslashreplace").decode(encoding))
            self._out.flush()
            self.mid_line = not text.endswith("\n")

    def end_line(self) -> None:
        if self.mid_line:
            self.write("\n")


def run_chat(options: ChatOptions, out: TextIO, err: TextIO) -> int:
    """Send the prompt; stream or print the answer to `out`, the summary or the error to `err`."""

    text_out = _TextOut(out)
    secret = options.api_key
    try:
        with _endpoint(options) as (base_url, api_key):
            secret = api_key

            client_args: dict[str, Any] = {"base_url": base_url}
            if options.timeout is not None:
                client_args["timeout"] = options.timeout
            if options.deadline is not None:
                client_args["deadline"] = options.deadline
            if options.max_retries is not None:
                client_args["max_retries"] = options.max_retries
            with Grok(api_key=api_key, **client_args) as client, _retry_lines(err):
                run = _print_json if options.as_json else _stream
                summary = run(client, options, text_out)
    except GrokError as exc:
        # Partial text stays exactly as received on stdout; the message starts on a line of its own.
        err.write(("\n" if text_out.mid_line else "") + f"{PROG}: {describe_error(exc, secret)}\n")
        return exit_status_for(exc)
    note = truncation_note(summary.finish_reason)
    if note is not None:
        err.write(note + "\n")
    err.write(summary.line() + "\n")
    err.flush()
    return EXIT_OK


@contextlib.contextmanager
def _endpoint(options: ChatOptions) -> Iterator[tuple[str | None, str]]:
    """(base URL, key): the options' own, or those of an emulator started for the duration."""
    if not options.offline:
        if options.api_key is None:  # main() explains how to get a key before this point
            raise UsageError(f"no API key (set {API_KEY_ENV}, or use --offline)")
        yield options.base_url, options.api_key
        return
    with offline_emulator() as endpoint:
        yield endpoint


def _stream(client: Grok, options: ChatOptions, out: _TextOut) -> Summary:
    stream = client.chat.completions.create(
        messages=options.messages(), stream=True, stream_options={"include_usage": True}, **options.params()
    )
    with stream:
        for text in stream.iter_text():
            out.write(text)
    out.end_line()
    result = stream.result
    prompt_tokens, completion_tokens, _ = usage_counts(result.usage)
    return Summary(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        reasoning_tokens=result.reasoning_tokens,
        credits_used=result.credits_used,
        usd_spent=result.usd_spent,
        inference_id=result.inference_id,
        finish_reason=result.finish_reason,
    )


def completion_json(completion: dict[str, Any]) -> str:
    """The completion as indented JSON, its `meta.usage.usd_spent` in the CLI's USD format (not 4.62e-05)."""
    meta = completion.get("meta")
    usage = meta.get("usage") if isinstance(meta, dict) else None
    usd = usage.get("usd_spent") if isinstance(usage, dict) else None
    if not isinstance(usage, dict) or not isinstance(usd, float) or not math.isfinite(usd):
        return _json_text(completion)
    marker = f"usd-{uuid.uuid4().hex}"
    usage["usd_spent"] = marker
    try:
        text = _json_text(completion)
    finally:
        usage["usd_spent"] = usd
    return text.replace(f'"{marker}"', usd_text(Decimal(repr(usd))), 1)


def _print_json(client: Grok, options: ChatOptions, out: _TextOut) -> Summary:
    result = client.chat.completions.create(messages=options.messages(), **options.params())
    out.write(completion_json(result.completion.to_dict()) + "\n")
    prompt_tokens, completion_tokens, reasoning_tokens = usage_counts(result.usage)
    return Summary(
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        reasoning_tokens=reasoning_tokens,
        credits_used=result.credits_used,
        usd_spent=result.usd_spent,
        inference_id=result.inference_id,
        finish_reason=result.finish_reason,
    )


def _json_text(value: Any) -> str:
    """Readable JSON (non-ASCII as is); escaped when the server sent a lone surrogate (still valid JSON)."""
    text = json.dumps(value, indent=2, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(value, indent=2)
    return text


def usage_counts(usage: object) -> tuple[int | None, int | None, int | None]:
    """(prompt, completion, reasoning) tokens from a generated Usage; None for what it lacks."""
    if usage is None:
        return None, None, None
    details = getattr(usage, "completion_tokens_details", None)
    return (
        _int_field(usage, "prompt_tokens"),
        _int_field(usage, "completion_tokens"),
        _int_field(details, "reasoning_tokens"),
    )


def _int_field(obj: object, name: str) -> int | None:
    value = getattr(obj, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def exit_status_for(exc: GrokError) -> int:
    """The exit status for an error: 2 usage/configuration, 4 network, 3 API, 1 anything else."""

    if isinstance(exc, ConfigurationError | RequestValidationError):
        return EXIT_USAGE
    if isinstance(exc, APIConnectionError):
        return EXIT_NETWORK_ERROR
    if isinstance(exc, StreamError) and isinstance(exc.__cause__, httpx.TransportError | APIConnectionError):
        return EXIT_NETWORK_ERROR  # the stream broke off: a network failure, not an API answer
    if isinstance(exc, APIError):
        return EXIT_API_ERROR
    return EXIT_FAILURE


def describe_error(exc: GrokError, secret: str | None) -> str:
    """`ErrorClass: message (request id: ..., inference id: ..., retries: N)`, with the key masked."""

    ids: list[str] = []
    if isinstance(exc, APIStatusError):
        if exc.request_id:
            ids.append(f"request id: {exc.request_id}")
        if exc.inference_id:
            ids.append(f"inference id: {exc.inference_id}")
    if isinstance(exc, StreamError) and exc.partial is not None:
        if exc.partial.inference_id:
            ids.append(f"inference id: {exc.partial.inference_id}")
        ids.append(f"{len(exc.partial_text)} characters arrived before the error")
    if isinstance(exc, APIError) and exc.retries:
        ids.append(f"retries: {exc.retries}")
    text = f"{type(exc).__name__}: {exc}" + (f" ({'; '.join(ids)})" if ids else "")
    if secret and len(secret) >= 4:
        text = text.replace(secret, "***")
    return text
