"""Deterministic answers to valid requests: the same request body always gets the same completion.

The visible text is a fixed template around the last user message (or the last
tool result, which ends a tool loop). "Tokens" are whitespace-led words, so the
counts in `usage` are stable and easy to predict in tests. Tool calls are made
when tools are offered, `tool_choice` is not "none" and the last message is not
a tool result; their arguments follow the offered function's parameter schema.

Limits: with `max_completion_tokens` (or `max_tokens`) the completion tokens,
reasoning included, stay within it: reasoning takes at most half, the text the
rest, and an answer cut short ends with `finish_reason: length` (tool calls
that do not fit are not made). JSON mode: when the spec has a request field
taking `{"type": "json_object"}` / `{"type": "json_schema", ...}` (found by
`json_format_field`), the text is JSON: `{"answer": <text>}`, or an example
of the given schema.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

REASONING_TOKENS = {"low": 16, "medium": 64, "high": 256}  # reported per effort; "medium" when none is given
REASONING_TOKENS_CAP = 1024  # reasoning.max_tokens is honoured up to this many
USD_PER_CREDIT = Decimal("0.0000002")
PROMPT_CREDITS_PER_TOKEN = 1
COMPLETION_CREDITS_PER_TOKEN = 3
MESSAGE_OVERHEAD_TOKENS = 4
IMAGE_TOKENS = 85
FILE_TOKENS = 100
MAX_QUOTED_CHARS = 400
MAX_PARALLEL_TOOL_CALLS = 3
ARGUMENT_FRAGMENT_CHARS = 8
JSON_FORMATS = ("json_object", "json_schema")  # the OpenAI protocol's JSON output modes
_TOKEN = re.compile(r"\s*\S+")
_SENTENCE_END = (".", "!", "?", "…")


def bare_model_name(model: str) -> str:
    """The model name as the API reports it in responses: without the vendor prefix."""
    return model.rsplit("/", 1)[-1]


def split_tokens(text: str) -> list[str]:
    """Whitespace-led words; their concatenation is `text` without trailing whitespace."""
    return _TOKEN.findall(text)


@dataclass(frozen=True, slots=True)
class Answer:
    """Everything the emulator says in reply to one valid request, before it is framed as JSON or SSE."""

    id: str
    model: str
    created: int
    tokens: list[str]
    finish_reason: str
    tool_calls: list[dict[str, Any]]
    prompt_tokens: int
    reasoning_tokens: int
    logprobs_top: int | None  # None: no logprobs asked for
    credits_used: int = field(init=False)
    usd_spent: Decimal = field(init=False)

    def __post_init__(self) -> None:
        credits = self.prompt_tokens * PROMPT_CREDITS_PER_TOKEN + self.completion_tokens * COMPLETION_CREDITS_PER_TOKEN
        object.__setattr__(self, "credits_used", credits)
        object.__setattr__(self, "usd_spent", (credits * USD_PER_CREDIT).quantize(Decimal("0.000000001")))

    @property
    def text(self) -> str:
        return "".join(self.tokens)

    @property
    def completion_tokens(self) -> int:
        arguments = sum(_argument_tokens(call) for call in self.tool_calls)
        return len(self.tokens) + arguments + self.reasoning_tokens

    def usage(self) -> dict[str, Any]:
        return {
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
            "completion_tokens_details": {"reasoning_tokens": self.reasoning_tokens},
            "prompt_tokens_details": {"cached_tokens": 0},
        }

    def cost_meta(self) -> dict[str, Any]:
        return {"usage": {"credits_used": self.credits_used, "usd_spent": float(self.usd_spent)}}

    def token_logprobs(self, tokens: list[str]) -> dict[str, Any] | None:
        if self.logprobs_top is None:
            return None
        return {"content": [_logprob_entry(token, self.logprobs_top) for token in tokens], "refusal": []}


def plan_answer(
    body: dict[str, Any], *, created: int, stretch_to: int | None = None, json_field: str | None = None
) -> Answer:
    """Decide the answer to a request body that already passed validation.

    `json_field` names the request field that asks for JSON output (see `json_format_field`), if the spec has one.
    """
    # The same conversation gets the same ids whether it is streamed or not.
    framing = {"stream", "stream_options"}
    canonical = json.dumps({key: value for key, value in body.items() if key not in framing}, sort_keys=True)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    messages: list[dict[str, Any]] = body["messages"]
    tool_calls = _plan_tool_calls(body, digest)
    reply = _reply_text(messages)
    json_format = body.get(json_field) if json_field is not None else None
    if isinstance(json_format, dict) and json_format.get("type") in JSON_FORMATS:
        reply = _json_reply(json_format, reply)
    tokens = [] if tool_calls else split_tokens(reply)
    if stretch_to is not None and tokens:
        tokens = [tokens[i % len(tokens)] for i in range(stretch_to)]
    finish_reason = "tool_calls" if tool_calls else "stop"
    reasoning_tokens = _reasoning_tokens(body.get("reasoning"))
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    if isinstance(limit, int) and not isinstance(limit, bool):
        reasoning_tokens = min(reasoning_tokens, limit // 2)
        room = limit - reasoning_tokens
        if tool_calls and sum(_argument_tokens(call) for call in tool_calls) > room:
            tool_calls, tokens, finish_reason = [], split_tokens(reply), "stop"
        if len(tokens) > room:
            tokens, finish_reason = tokens[:room], "length"
    logprobs_top = (body.get("top_logprobs") or 0) if body.get("logprobs") is True else None
    return Answer(
        id=f"chatcmpl-{digest[:24]}",
        model=bare_model_name(body["model"]),
        created=created,
        tokens=tokens,
        finish_reason=finish_reason,
        tool_calls=tool_calls,
        prompt_tokens=sum(_message_tokens(message) for message in messages),
        reasoning_tokens=reasoning_tokens,
        logprobs_top=logprobs_top,
    )


def json_format_field(defs: dict[str, Any], request_component: str) -> str | None:
    """The request property whose variants take `{"type": "json_object" | "json_schema"}`, or None."""
    properties = defs.get(request_component, {}).get("properties", {})
    for name, schema in properties.items():
        variants = schema.get("oneOf") or schema.get("anyOf") or [schema]
        for listed in variants:
            variant = listed
            if isinstance(listed, dict) and "$ref" in listed:
                variant = defs.get(str(listed["$ref"]).rsplit("/", 1)[-1], {})
            kind = variant.get("properties", {}).get("type", {}) if isinstance(variant, dict) else {}
            if set(kind.get("enum", [])) & set(JSON_FORMATS):
                return str(name)
    return None


def _json_reply(json_format: dict[str, Any], reply: str) -> str:
    """The answer as JSON text: an example of the requested schema, else {"answer": <the reply>}."""
    spec = json_format.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, dict) else None
    if isinstance(schema, dict):
        return json.dumps(_example_arguments(schema, reply[:40]), ensure_ascii=False)
    return json.dumps({"answer": reply}, ensure_ascii=False)


def _argument_tokens(call: dict[str, Any]) -> int:
    return len(split_tokens(call["function"]["arguments"]))


def completion_body(answer: Answer) -> dict[str, Any]:
    """The `chat.completion` JSON body."""
    message: dict[str, Any] = {"role": "assistant", "content": answer.text or None, "refusal": None}
    if answer.tool_calls:
        message["tool_calls"] = answer.tool_calls
    return {
        "id": answer.id,
        "object": "chat.completion",
        "created": answer.created,
        "model": answer.model,
        "choices": [
            {
                "index": 0,
                "message": message,
                "logprobs": answer.token_logprobs(answer.tokens),
                "finish_reason": answer.finish_reason,
            }
        ],
        "usage": answer.usage(),
        "meta": answer.cost_meta(),
    }


def stream_chunks(answer: Answer, *, include_usage: bool) -> list[dict[str, Any]]:
    """The `chat.completion.chunk` objects of a streamed answer, in order (without the [DONE] marker).

    First a role chunk, then one content delta per token (or tool-call fragments,
    per index), then the finish chunk; with `include_usage` a last chunk with
    empty `choices` carries the usage. The last chunk carries the cost in `meta.usage`.
    """
    head = {"id": answer.id, "object": "chat.completion.chunk", "created": answer.created, "model": answer.model}

    def chunk(delta: dict[str, Any], finish_reason: str | None = None, **extra: Any) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish_reason, **extra}
        return {**head, "choices": [choice]}

    chunks = [chunk({"role": "assistant", "content": ""})]
    for token in answer.tokens:
        if answer.logprobs_top is None:
            chunks.append(chunk({"content": token}))
        else:
            chunks.append(chunk({"content": token}, logprobs=answer.token_logprobs([token])))
    for index, call in enumerate(answer.tool_calls):
        arguments = call["function"]["arguments"]
        start = {"index": index, "id": call["id"], "type": "function", "function": {"name": call["function"]["name"]}}
        chunks.append(chunk({"tool_calls": [{**start, "function": {**start["function"], "arguments": ""}}]}))
        for offset in range(0, len(arguments), ARGUMENT_FRAGMENT_CHARS):
            fragment = arguments[offset : offset + ARGUMENT_FRAGMENT_CHARS]
            chunks.append(chunk({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]}))
    chunks.append(chunk({}, answer.finish_reason))
    if include_usage:
        chunks.append({**head, "choices": [], "usage": answer.usage()})
    chunks[-1]["meta"] = answer.cost_meta()
    return chunks


def _reply_text(messages: list[dict[str, Any]]) -> str:
    last = messages[-1] if messages else {}
    if last.get("role") == "tool":
        return f"The tool {last.get('tool_call_id', '')} returned: {_sentence(_quote(last.get('content')))} Done."
    for message in reversed(messages):
        if message.get("role") == "user":
            quoted = _sentence(_quote(message.get("content")))
            return f"Emulated answer to: {quoted} The AIML API emulator is deterministic."
    return "Emulated answer with no user message to answer. The AIML API emulator is deterministic."


def _sentence(text: str) -> str:
    """`text` ending with one full stop: "UIs." stays "UIs." (never "UIs.."), "hi" becomes "hi."."""
    return text if text.endswith(_SENTENCE_END) else text + "."


def _quote(content: Any) -> str:
    text = " ".join(_texts(content)).strip() or "(no text)"
    return text[:MAX_QUOTED_CHARS]


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str)]
    return []


def _message_tokens(message: dict[str, Any]) -> int:
    count = MESSAGE_OVERHEAD_TOKENS + sum(len(split_tokens(text)) for text in _texts(message.get("content")))
    content = message.get("content")
    if isinstance(content, list):
        count += sum(IMAGE_TOKENS for part in content if isinstance(part, dict) and part.get("type") == "image_url")
        count += sum(FILE_TOKENS for part in content if isinstance(part, dict) and part.get("type") == "file")
    for call in message.get("tool_calls") or []:
        count += len(split_tokens(str(call.get("function", {}).get("arguments", ""))))
    return count


def _reasoning_tokens(reasoning: Any) -> int:
    if isinstance(reasoning, dict):
        if isinstance(reasoning.get("max_tokens"), int):
            return min(int(reasoning["max_tokens"]), REASONING_TOKENS_CAP)
        effort = reasoning.get("effort")
        if isinstance(effort, str) and effort in REASONING_TOKENS:
            return REASONING_TOKENS[effort]
    return REASONING_TOKENS["medium"]


def _plan_tool_calls(body: dict[str, Any], digest: str) -> list[dict[str, Any]]:
    tools: list[dict[str, Any]] = body.get("tools") or []
    choice = body.get("tool_choice", "auto")
    messages: list[dict[str, Any]] = body["messages"]
    if not tools or choice == "none" or (messages and messages[-1].get("role") == "tool"):
        return []
    functions = {tool["function"]["name"]: tool["function"] for tool in tools}
    if isinstance(choice, dict):
        name = choice["function"]["name"]
        chosen = [functions.get(name, {"name": name, "parameters": {}})]
    elif body.get("parallel_tool_calls") is True:
        chosen = [tool["function"] for tool in tools[:MAX_PARALLEL_TOOL_CALLS]]
    else:
        chosen = [tools[0]["function"]]
    hint = _quote(next((m.get("content") for m in reversed(messages) if m.get("role") == "user"), None))[:40]
    return [
        {
            "id": f"call_{digest[:12]}_{index}",
            "type": "function",
            "function": {
                "name": function["name"],
                "arguments": json.dumps(_example_arguments(function.get("parameters"), hint), ensure_ascii=False),
            },
        }
        for index, function in enumerate(chosen)
    ]


def _example_arguments(parameters: Any, hint: str) -> dict[str, Any]:
    properties = parameters.get("properties") if isinstance(parameters, dict) else None
    if not isinstance(properties, dict):
        return {}
    return {name: _example_value(schema, hint) for name, schema in properties.items()}


def _example_value(schema: Any, hint: str) -> Any:
    if not isinstance(schema, dict):
        return hint
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) and kind else kind
    examples: dict[Any, Any] = {"integer": 1, "number": 1.5, "boolean": True, "array": [], "object": {}, "null": None}
    return examples.get(kind, hint)


def _logprob_entry(token: str, top: int) -> dict[str, Any]:
    logprob = -round(0.01 * (len(token) % 7 + 1), 2)
    entry: dict[str, Any] = {"token": token, "logprob": logprob, "bytes": list(token.encode())}
    entry["top_logprobs"] = [
        {"token": token if rank == 0 else f"{token}~{rank}", "logprob": logprob - rank, "bytes": list(token.encode())}
        for rank in range(top)
    ]
    return entry
