"""Batch input: the OpenAI Batch API request format, two shorthands, and the check of the whole input.

Accepted lines (JSONL), each with a unique `custom_id`:

- the OpenAI Batch API format: ``{"custom_id", "method": "POST", "url": "/v1/chat/completions", "body": {...}}``;
- the shorthand ``{"custom_id", "messages": [...], ...parameters}``;

or a plain text file with one prompt per line (custom_id = the line number,
blank lines skipped). Every body is checked with the same validation as
`create()` (`build_body` + `encode_request`) before anything is sent; all
problems come back together, each with its line number.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .._constants import CHAT_COMPLETIONS_PATH
from .._errors import GrokError, RequestValidationError
from .._request import SPEC_PARAMS, build_body, encode_request

InputFormat = Literal["auto", "jsonl", "text"]
BATCH_KEYS = frozenset({"custom_id", "method", "url", "body"})
CHECK_REQUEST_ID = "batch-input-check"  # a valid X-Client-Request-Id for the check (the real one is per request)


@dataclass(frozen=True, slots=True)
class BatchRequest:
    """One request of a batch: its custom_id, where it came from, and its JSON body (checked)."""

    custom_id: str
    line: int
    body: dict[str, Any]
    body_hash: str

    def create_params(self) -> tuple[Any, dict[str, Any]]:
        """`messages` and the other parameters, as `create()` takes them."""
        params = {name: value for name, value in self.body.items() if name not in ("messages", "stream")}
        return self.body["messages"], params


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Why one input line cannot run."""

    line: int
    message: str
    custom_id: str | None = None

    def describe(self) -> str:
        which = f" (custom_id {self.custom_id!r})" if self.custom_id is not None else ""
        return f"line {self.line}{which}: {self.message}"


class BatchInputError(GrokError, ValueError):
    """The batch input has problems; nothing was sent. `problems` lists each with its line number."""

    def __init__(self, problems: list[InputProblem], *, shown: int = 50) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p.describe()}" for p in problems[:shown])
        more = f"\n  ... and {len(problems) - shown} more" if len(problems) > shown else ""
        super().__init__(f"batch input refused ({len(problems)} problem(s)); nothing was sent:\n{lines}{more}")


@dataclass(frozen=True, slots=True)
class Shard:
    """Shard `index` of `count` (1-based): the requests whose custom_id hashes to it."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"a shard is i/n with 1 <= i <= n, got {self.index}/{self.count}")

    @classmethod
    def parse(cls, text: str) -> Shard:
        index, _, count = text.partition("/")
        try:
            return cls(int(index), int(count))
        except ValueError:
            raise ValueError(f"a shard is i/n with 1 <= i <= n (for example 2/4), got {text!r}") from None

    def holds(self, custom_id: str) -> bool:
        return zlib.crc32(custom_id.encode()) % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(slots=True)
class ParsedInput:
    """The checked input: runnable requests, in input order, and every problem found."""

    requests: list[BatchRequest]
    problems: list[InputProblem]
    invalid: list[BatchRequest]  # lines with a usable custom_id that failed the check (recorded with --skip-invalid)


def body_hash(body: Mapping[str, Any]) -> str:
    """A stable hash of a request body (key order does not matter)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def read_input(path: Path, input_format: InputFormat = "auto") -> ParsedInput:
    """Read and check a batch file (JSONL or plain text prompts)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BatchInputError([InputProblem(0, f"{path} is not UTF-8 text ({exc.reason})")]) from None
    lines = text.splitlines()
    if input_format == "auto":
        first = next((line.lstrip() for line in lines if line.strip()), "")
        input_format = "text" if path.suffix == ".txt" or not first.startswith("{") else "jsonl"
    if input_format == "text":
        return check_records(
            (number, {"custom_id": str(number), "messages": _prompt(line)}) for number, line in _numbered(lines)
        )
    return check_records(_decoded(_numbered(lines)))


def check_records(records: Iterable[tuple[int, Any]]) -> ParsedInput:
    """Check (line number, decoded JSON or an InputProblem) records: format, duplicates, bodies."""
    parsed = ParsedInput([], [], [])
    seen: dict[str, int] = {}
    for number, record in records:
        if isinstance(record, InputProblem):
            parsed.problems.append(record)
            continue
        custom_id, body, problems = _split_record(number, record)
        if custom_id is not None:
            if custom_id in seen:
                problems.insert(
                    0, InputProblem(number, f"duplicate custom_id (first on line {seen[custom_id]})", custom_id)
                )
                custom_id = None  # the first occurrence keeps the id
            else:
                seen[custom_id] = number
        if body is not None and not problems:
            problems = check_body(number, body, custom_id)
        parsed.problems.extend(problems)
        if custom_id is None:
            continue
        request = BatchRequest(custom_id, number, body or {}, body_hash(body if body is not None else record))
        (parsed.invalid if problems else parsed.requests).append(request)
    return parsed


def check_body(line: int, body: Mapping[str, Any], custom_id: str | None = None) -> list[InputProblem]:
    """The problems of one body, found by the validation `create()` runs before sending."""
    problems: list[InputProblem] = []
    if "messages" not in body:
        problems.append(InputProblem(line, "body.messages: required field is missing", custom_id))
    if body.get("stream", False) is not False:
        problems.append(InputProblem(line, "body.stream: batch answers are not streamed (false or absent)", custom_id))
    for name in sorted(body.keys() - SPEC_PARAMS - {"messages", "stream"}):
        problems.append(InputProblem(line, f"body.{name}: not a request parameter of the API", custom_id))
    if problems:
        return problems
    params = {name: value for name, value in body.items() if name not in ("messages", "stream")}
    try:
        encode_request(build_body(body["messages"], False, params), CHECK_REQUEST_ID, 0)
    except RequestValidationError as exc:
        return [InputProblem(line, f"body.{v.describe()}", custom_id) for v in exc.violations]
    return []


def _split_record(number: int, record: Any) -> tuple[str | None, dict[str, Any] | None, list[InputProblem]]:
    """(custom_id, body, format problems) of one decoded line."""
    if not isinstance(record, dict):
        return None, None, [InputProblem(number, f"expected a JSON object, got {type(record).__name__}")]
    custom_id = record.get("custom_id")
    problems: list[InputProblem] = []
    if not isinstance(custom_id, str) or not custom_id:
        problems.append(InputProblem(number, f"custom_id must be a non-empty string, got {custom_id!r}"))
        custom_id = None
    if not ({"body", "url", "method"} & record.keys()):  # the shorthand: the body's fields inline
        return custom_id, {k: v for k, v in record.items() if k != "custom_id"}, problems
    for name in sorted(record.keys() - BATCH_KEYS):
        problems.append(InputProblem(number, f"unknown field {name!r} in a batch request line", custom_id))
    if record.get("method") != "POST":
        problems.append(InputProblem(number, f'method must be "POST", got {record.get("method")!r}', custom_id))
    if record.get("url") != CHAT_COMPLETIONS_PATH:
        problems.append(
            InputProblem(number, f"url must be {CHAT_COMPLETIONS_PATH!r}, got {record.get('url')!r}", custom_id)
        )
    body = record.get("body")
    if not isinstance(body, dict):
        problems.append(InputProblem(number, f"body must be a JSON object, got {type(body).__name__}", custom_id))
        return custom_id, None, problems
    return custom_id, body, problems


def _numbered(lines: list[str]) -> Iterable[tuple[int, str]]:
    return ((number, line) for number, line in enumerate(lines, start=1) if line.strip())


def _decoded(lines: Iterable[tuple[int, str]]) -> Iterable[tuple[int, Any]]:
    for number, line in lines:
        try:
            yield number, json.loads(line)
        except ValueError as exc:
            yield number, InputProblem(number, f"not valid JSON ({exc})")


def _prompt(line: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": line.strip()}]
