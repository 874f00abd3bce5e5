"""JSON decoding with msgspec (the `fast` extra) and without it: the same values, the same errors, either way."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from aimlapi_grok._drift import DriftWarning, reset_drift_reports
from aimlapi_grok._errors import ResponseValidationError, StreamError
from aimlapi_grok._json import decode_json, first_decoder
from aimlapi_grok._response import parse_completion
from aimlapi_grok._stream_accumulator import StreamAccumulator

# JSON that msgspec refuses and the standard library accepts, next to ordinary JSON.
TEXTS = [
    '{"content": "Hello", "index": 0, "logprobs": null, "created": 1764100000}',
    '{"usd_spent": NaN, "credits_used": Infinity, "low": -Infinity}',
    '{"tokens": 123456789012345678901234567890, "more": 18446744073709551616, "less": -9223372036854775809}',
    '{"huge": 1e400, "tiny": -0.0, "long": 1.0000000000000000000001}',
    '{"twice": 1, "twice": 2}',
    '{"content": "half a pair: \\ud800"}',
    '{"text": "emoji \\ud83d\\ude00 and \u00e9"}',
]


@pytest.fixture(params=["msgspec", "stdlib"])
def decoder(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each test runs with msgspec installed and as if it were not (the import fails)."""
    first_decoder.cache_clear()
    reset_drift_reports()
    if request.param == "stdlib":
        monkeypatch.setitem(sys.modules, "msgspec", None)  # `import msgspec` raises ImportError
    yield request.param
    first_decoder.cache_clear()


def same(a: Any, b: Any) -> bool:
    """Equal values, NaN equal to NaN (compared through their JSON text)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_the_fast_decoder_is_msgspec_when_installed_and_json_otherwise(decoder: str) -> None:
    """first_decoder() is a msgspec JSON decoder with the extra installed, json.loads without it."""
    fast = first_decoder()
    if decoder == "msgspec":
        assert isinstance(getattr(fast, "__self__", None), msgspec.json.Decoder)
    else:
        assert fast is json.loads


@pytest.mark.parametrize("text", TEXTS)
def test_decode_json_returns_what_json_loads_returns(decoder: str, text: str) -> None:
    """Ordinary JSON and the JSON msgspec is stricter about decode to the standard library's values."""
    assert same(decode_json(text), json.loads(text))
    assert same(decode_json(text.encode("utf-8", "surrogatepass")), json.loads(text.encode("utf-8", "surrogatepass")))


def test_a_utf16_body_decodes_as_json_loads_decodes_it(decoder: str) -> None:
    """Bytes json.loads detects as UTF-16 (msgspec reads UTF-8 only) give the same value."""
    body = '{"content": "Grüße"}'.encode("utf-16")
    assert decode_json(body) == json.loads(body) == {"content": "Grüße"}


@pytest.mark.parametrize("text", ["{", "not json", '{"a": 1,}', ""])
def test_invalid_json_raises_the_standard_librarys_error(decoder: str, text: str) -> None:
    """What is not JSON raises json.JSONDecodeError (a ValueError), with or without orjson."""
    with pytest.raises(json.JSONDecodeError):
        decode_json(text)


def test_a_stream_decodes_the_same_with_either_decoder(decoder: str) -> None:
    """Events decode to the same text and usage; JSON msgspec refuses still decodes; bad JSON is a StreamError."""
    events = [
        {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [
            {"index": 0, "delta": {"role": "assistant", "content": "Hi "}, "finish_reason": None}]},
        {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [
            {"index": 0, "delta": {"content": "there"}, "finish_reason": "stop"}]},
    ]  # fmt: skip
    accumulator = StreamAccumulator(report_drift=lambda component, data: True)
    for event in events:
        accumulator.decode(json.dumps(event))
    big = '{"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [], '
    big += '"usage": {"prompt_tokens": 1, "completion_tokens": NaN, "total_tokens": 123456789012345678901234567890}}'
    payload = accumulator.decode(big)
    assert payload is not None
    assert payload["usage"]["total_tokens"] == 123456789012345678901234567890
    assert payload["usage"]["completion_tokens"] != payload["usage"]["completion_tokens"]  # NaN, as json.loads gives
    result = accumulator.snapshot()
    assert (result.text, result.finish_reason, result.chunk_count) == ("Hi there", "stop", 3)
    with pytest.raises(StreamError, match=r"stream event 4 is not valid JSON \(Expecting"):
        accumulator.decode('{"id": ')


def test_a_completion_parses_the_same_with_either_decoder(decoder: str) -> None:
    """A completion body decodes to the same `body`; a body that is not JSON is refused as before."""
    body = {
        "id": "c1", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "Grüße"}}],
    }  # fmt: skip
    content = json.dumps(body, ensure_ascii=False).encode()
    request = httpx.Request("POST", "https://api.aimlapi.com/v1/chat/completions")
    response = httpx.Response(200, content=content, headers={"content-type": "application/json"}, request=request)
    with pytest.warns(DriftWarning):  # the minimal body lacks `usage`: reported, parsed all the same
        result = parse_completion(response)
    assert result.body == body
    assert result.text == "Grüße"
    with pytest.raises(ResponseValidationError, match="the body is not JSON"):
        parse_completion(httpx.Response(200, content=b"<html>", headers={"content-type": "text/html"}, request=request))
