"""Hostile answers for the fuzz tests: schema-valid completions and streams, then mutated.

Seeds come from the emulator's answer planner (valid against the spec: text,
tool calls, logprobs, usage, cost). Mutations, each applied at a random node:
deletion, null, type swap, deep nesting (up to 100,000 levels, spliced in as
text), huge strings (lone surrogates included) and numbers (1e400, 5000-digit
integers, NaN), unknown fields, list floods; hostile cost headers, a byte
order mark, invalid UTF-8 bytes, a cut body. Streams add
odd SSE framing: CR / CRLF line ends, a BOM, comments, named events, id and
retry fields, data split over lines, garbage and bare JSON error lines, a
missing [DONE], a cut body, and bodies delivered in random byte pieces.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
from aimlapi_grok.testing._answers import completion_body, plan_answer, stream_chunks

MODEL = "x-ai/grok-4-1-fast-reasoning"
WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
_REQUESTS: list[dict[str, Any]] = [
    {"model": MODEL, "messages": [{"role": "user", "content": "Name three uses of server-sent events."}]},
    {"model": MODEL, "messages": [{"role": "user", "content": "Weather in Paris?"}], "tools": [WEATHER_TOOL]},
    {
        "model": MODEL,
        "messages": [{"role": "user", "content": "Weather in Paris and Rome?"}],
        "tools": [WEATHER_TOOL, {**WEATHER_TOOL, "function": {**WEATHER_TOOL["function"], "name": "get_time"}}],
        "parallel_tool_calls": True,
    },
    {"model": MODEL, "messages": [{"role": "user", "content": "Héllo ✓ 🚀"}], "logprobs": True, "top_logprobs": 2},
]
_DEEP = "\x00deep:"  # placeholder string replaced by raw nested text after serialization


def seed_answers() -> list[Any]:
    """The emulator's planned answers to a few requests (text, one and two tool calls, logprobs)."""
    return [plan_answer(body, created=1762343744) for body in _REQUESTS]


class Mutator:
    """Random hostile mutations of JSON values, deterministic for a seed."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.deep: list[str] = []

    def value(self) -> Any:
        """A random JSON-ish value, hostile more often than not."""
        rng = self.rng
        pick = rng.randrange(14)
        if pick == 0:
            return None
        if pick == 1:
            return rng.choice([True, False])
        if pick == 2:
            return rng.choice([0, -1, 2**63, -(2**64), 10**30, 7])
        if pick == 3:
            return rng.choice([0.5, -0.0, 1e308, 1e-320, 3.14])
        if pick == 4:
            return rng.choice(["", "x", "stop", "function", "chat.completion", "\ud800", "\u2028", "\x00"])
        if pick == 5:
            return "A" * rng.choice([1000, 100_000])
        if pick == 6:
            return []
        if pick == 7:
            return {}
        if pick == 8:
            return [self.value() for _ in range(rng.randrange(4))]
        if pick == 9:
            return {f"k{n}": self.value() for n in range(rng.randrange(3))}
        if pick == 10:
            return self.deep_value()
        if pick == 11:
            return self.raw(rng.choice(["1e400", "-1e400", "NaN", "Infinity", "9" * 5000, "1e-400", "1E+999999"]))
        if pick == 12:
            return {"message": "hostile", "statusCode": "500"}
        return [{"index": n, "id": f"call_{n}", "type": rng.choice(["function", "custom", None])} for n in range(3)]

    def raw(self, text: str) -> str:
        """A placeholder that serializes as `text` verbatim (a JSON literal json.dumps cannot produce)."""
        self.deep.append(text)
        return f"{_DEEP}{len(self.deep) - 1}"

    def deep_value(self) -> str:
        depth = self.rng.choice([64, 257, 300, 1000, 100_000])
        opener, closer = self.rng.choice([("[", "]"), ('{"a":', "}")])
        inner = "1" if opener != "[" else ""
        return self.raw(opener * depth + inner + closer * depth)

    def mutate(self, data: Any, times: int) -> Any:
        """`data` (a fresh copy) with `times` mutations at random nodes."""
        for _ in range(times):
            data = self._mutate_once(data)
        return data

    def _mutate_once(self, root: Any) -> Any:
        rng = self.rng
        nodes = _containers(root)
        if not nodes:
            return self.value()
        node = rng.choice(nodes)
        if isinstance(node, dict):
            action = rng.randrange(4)
            if action == 0 or not node:
                node[rng.choice(["novel", "reasoning_content", "error", "message", "statusCode", "x" * 40])] = (
                    self.value()
                )
            else:
                key = rng.choice(list(node))
                if action == 1:
                    del node[key]
                else:
                    node[key] = self.value()
        elif node:
            index = rng.randrange(len(node))
            action = rng.randrange(4)
            if action == 0:
                del node[index]
            elif action == 1:
                node.extend([node[index]] * rng.choice([1, 50]))
            else:
                node[index] = self.value()
        else:
            node.append(self.value())
        return root

    def dumps(self, value: Any) -> str:
        """JSON text with the placeholders replaced by their raw text."""
        text = json.dumps(value)
        if _DEEP in text or "\\u0000deep:" in text:
            for number, raw in enumerate(self.deep):
                text = text.replace(json.dumps(f"{_DEEP}{number}"), raw)
        return text


def _containers(value: Any) -> list[Any]:
    out: list[Any] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            out.append(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            out.append(item)
            pending.extend(item)
    return out


def hostile_headers(rng: random.Random, mutator: Mutator) -> dict[str, str]:
    """Cost and tracing headers, sometimes absurd."""
    headers = {"x-inference-id": "inf-fuzz"}
    amounts = ["0.001240000", "2480", "1e600000", "-1", "NaN", "sNaN", "Infinity", "1e-600000", "", " 12 ", "0x1f"]
    if rng.random() < 0.8:
        headers["x-aimlapi-usd-spent"] = rng.choice(amounts)
    if rng.random() < 0.8:
        headers["x-aimlapi-credits-used"] = rng.choice(amounts)
    if rng.random() < 0.1:
        headers["content-type"] = rng.choice(["text/html", "application/json; charset=latin-1", "text/event-stream"])
    return headers


def hostile_completion(rng: random.Random, seeds: list[Any]) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one hostile non-streamed answer."""
    mutator = Mutator(rng)
    body = copy.deepcopy(completion_body(rng.choice(seeds)))
    status = 200 if rng.random() < 0.9 else rng.choice([400, 401, 429, 500, 502, 503])
    text = mutator.dumps(mutator.mutate(body, rng.choice([0, 1, 1, 2, 3, 5])))
    if rng.random() < 0.05:
        text = text[: rng.randrange(len(text) + 1)]  # cut short
    data = text.encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < 0.03:
        data = b"\xef\xbb\xbf" + data  # a byte order mark
    elif roll < 0.06:
        cut = rng.randrange(len(data) + 1)
        data = data[:cut] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00"]) + data[cut:]  # invalid UTF-8
    return status, hostile_headers(rng, mutator), data


def hostile_stream(rng: random.Random, seeds: list[Any]) -> tuple[dict[str, str], list[bytes]]:
    """(headers, body pieces) of one hostile event stream."""
    mutator = Mutator(rng)
    chunks = copy.deepcopy(stream_chunks(rng.choice(seeds), include_usage=rng.random() < 0.5))
    events: list[str] = []
    for original in chunks:
        chunk = mutator.mutate(original, rng.choice([1, 2])) if rng.random() < 0.15 else original
        events.append(_frame(rng, mutator.dumps(chunk)))
        if rng.random() < 0.05:
            events.append(rng.choice(_ODD_EVENTS))
    if rng.random() < 0.9:
        events.append(_frame(rng, "[DONE]"))
    newline = rng.choice(["\n", "\n", "\r\n", "\r"])
    text = "".join(events).replace("\n", newline)
    if rng.random() < 0.05:
        text = "\ufeff" + text
    if rng.random() < 0.05:
        text = text[: rng.randrange(len(text) + 1)]
    data = text.encode("utf-8", "surrogatepass")
    return {"content-type": "text/event-stream", "x-inference-id": "inf-fuzz"}, _pieces(rng, data)


_ODD_EVENTS = [
    ": keep-alive\n\n",
    "event: ping\ndata: {}\n\n",
    "event: ping\n\n",
    "event: progress\ndata: 42\n\n",
    "id: 7\nretry: 99999999999999999999\n\n",
    "retry: soon\n\n",
    "data:\n\n",
    "garbage line without a colon\n\n",
    '{"message": "bare upstream error", "statusCode": 502}\n\n',
    'event: error\ndata: {"message": "framed upstream error"}\n\n',
    "event: error\ndata: plain text error\n\n",
    'data: {"error": {"message": "in-band error", "code": 500}}\n\n',
    "data: [1, 2, 3]\n\n",
    "data: not json at all\n\n",
]


def _frame(rng: random.Random, data: str) -> str:
    roll = rng.random()
    if roll < 0.05 and "\n" not in data:
        cut = rng.randrange(len(data) + 1)
        return f"data: {data[:cut]}\ndata: {data[cut:]}\n\n"  # one event over two data lines
    if roll < 0.1:
        return f"data:{data}\n\n"  # no space after the colon
    return f"data: {data}\n\n"


def _pieces(rng: random.Random, data: bytes) -> list[bytes]:
    if rng.random() < 0.5 or len(data) < 2:
        return [data]
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, rng.randrange(1, 8))))
    return [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]


class PieceStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given pieces."""

    def __init__(self, pieces: list[bytes]) -> None:
        self.pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self.pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self.pieces:
            yield piece
