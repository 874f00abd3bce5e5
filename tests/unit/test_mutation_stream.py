"""Stream assembly the mutation run showed unpinned: malformed chunks are tolerated, no text or count is lost."""

from __future__ import annotations

import json
import warnings
from decimal import Decimal
from typing import Any

import httpx
import pytest
import respx
from aimlapi_grok import DriftWarning, StreamError

PATH = "/v1/chat/completions"


def chunk(*choices: Any, **top: Any) -> dict[str, Any]:
    """A chunk with the given `choices` entries (or any `choices=` value given as a keyword)."""
    body: dict[str, Any] = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "x-ai/grok"}
    body["choices"] = list(choices)
    body.update(top)
    return body


def choice(content: Any = None, *, finish: str | None = None, **extra: Any) -> dict[str, Any]:
    """One streamed choice: index 0 unless `extra` says otherwise (`index=None` drops it)."""
    entry: dict[str, Any] = {"index": 0, "delta": {} if content is None else {"content": content}}
    entry["finish_reason"] = finish
    entry.update(extra)
    if entry["index"] is None:
        del entry["index"]
    return entry


def events(*chunks: dict[str, Any]) -> httpx.Response:
    """An event stream of `chunks` then [DONE]."""
    text = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks) + "data: [DONE]\n\n"
    return httpx.Response(200, content=text.encode(), headers={"content-type": "text/event-stream"})


async def stream_result(api: Any, router: respx.MockRouter, *chunks: dict[str, Any]) -> Any:
    """The StreamResult of a stream of `chunks`, read chunk by chunk through the client (drift warnings ignored)."""
    router.post(PATH).mock(return_value=events(*chunks))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stream = await api.create(stream=True)
        await api.read_stream(stream)
    return stream.result


async def test_choice_without_index_counts_as_choice_zero(api: Any, router: respx.MockRouter) -> None:
    """A lone choice with no `index` is choice 0: its text and finish reason are kept."""
    result = await stream_result(api, router, chunk(choice("Hel", index=None)), chunk(choice("lo", finish="stop")))
    assert (result.text, result.finish_reason, result.chunk_count) == ("Hello", "stop", 2)


async def test_unindexed_choices_are_numbered_by_position(api: Any, router: respx.MockRouter) -> None:
    """In a chunk of several choices without `index`, the first is choice 0 and the second is not."""
    result = await stream_result(api, router, chunk(choice("A", index=None), choice("B", index=None)))
    assert result.text == "A"


async def test_choice_zero_is_found_wherever_it_is_listed(api: Any, router: respx.MockRouter) -> None:
    """Choice index 1 listed before index 0: only choice 0's text and finish reason make the result."""
    first = chunk(choice("other", index=1, finish="length"), choice("mine", index=0))
    result = await stream_result(api, router, first, chunk(choice("!", finish="stop")))
    assert (result.text, result.finish_reason) == ("mine!", "stop")


async def test_a_lone_choice_of_another_index_adds_nothing(api: Any, router: respx.MockRouter) -> None:
    """A chunk whose only choice is index 1 adds nothing to choice 0's text or finish reason."""
    result = await stream_result(api, router, chunk(choice("A")), chunk(choice("B", index=1, finish="length")))
    assert (result.text, result.finish_reason) == ("A", None)


@pytest.mark.parametrize(
    "odd",
    [
        pytest.param(chunk(choices={"0": choice("X")}), id="choices-object"),
        pytest.param(chunk(choices={0: choice("X")}), id="choices-object-with-key-0"),
        pytest.param(chunk(choices="X"), id="choices-string"),
        pytest.param(chunk(choice(5)), id="content-number"),
        pytest.param(chunk(choice(["X"])), id="content-list"),
        pytest.param(chunk(choice(None, delta="X")), id="delta-string"),
    ],
)
async def test_malformed_chunk_loses_no_text(api: Any, router: respx.MockRouter, odd: dict[str, Any]) -> None:
    """A chunk with choices as an object, content 5 or a string delta is skipped; the text around it is kept."""
    result = await stream_result(api, router, chunk(choice("Hel")), odd, chunk(choice("lo", finish="stop")))
    assert (result.text, result.finish_reason, result.chunk_count) == ("Hello", "stop", 3)


async def test_choice_no_model_can_hold_is_a_stream_error_keeping_the_text(api: Any, router: respx.MockRouter) -> None:
    """Read as typed chunks, a choice that is not an object raises StreamError naming the chunk, text so far kept."""
    router.post(PATH).mock(
        return_value=events(chunk(choice("Hel")), chunk(choices=["X"]), chunk(choice("lo", finish="stop")))
    )
    stream = await api.create(stream=True)
    with (
        pytest.raises(StreamError, match="stream chunk 2 cannot be read as a ChatCompletionChunk") as caught,
        pytest.warns(DriftWarning, match="type differs"),  # the unreadable chunk is reported as drift too
    ):
        await api.read_stream(stream)
    assert caught.value.partial_text == "Hel"


async def test_finish_reason_that_is_not_text_is_kept_as_json(api: Any, router: respx.MockRouter) -> None:
    """A finish reason sent as an object is kept as its JSON text (the stream is complete, nothing is lost)."""
    # typing: a finish reason that is an object: the hostile input under test
    result = await stream_result(api, router, chunk(choice("A", finish={"type": "stop"})))  # type: ignore[arg-type]
    assert result.finish_reason == '{"type": "stop"}'
    assert result.completed is True


async def test_reasoning_tokens_without_usage_are_none(api: Any, router: respx.MockRouter) -> None:
    """A stream without a usage chunk has usage None and reasoning_tokens None (not "" or 0)."""
    result = await stream_result(api, router, chunk(choice("A", finish="stop")))
    assert result.usage is None
    assert result.reasoning_tokens is None


@pytest.mark.parametrize(
    ("details", "expected"),
    [({"reasoning_tokens": 21}, 21), ({"reasoning_tokens": "21"}, None), ({}, None), (None, None), ("x", None)],
)
async def test_reasoning_tokens_from_the_usage_chunk(
    api: Any, router: respx.MockRouter, details: Any, expected: int | None
) -> None:
    """reasoning_tokens is the usage chunk's completion_tokens_details.reasoning_tokens when it is an int, else None."""
    usage: dict[str, Any] = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    if details is not None:
        usage["completion_tokens_details"] = details
    result = await stream_result(api, router, chunk(choice("A", finish="stop")), chunk(usage=usage))
    assert result.usage is not None
    assert result.usage.total_tokens == 3
    assert result.reasoning_tokens == expected


async def test_usage_of_the_last_usage_chunk_wins(api: Any, router: respx.MockRouter) -> None:
    """usage: null on a later chunk does not erase the usage already received."""
    usage = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    result = await stream_result(api, router, chunk(usage=usage), chunk(choice("A", finish="stop"), usage=None))
    assert result.usage is not None
    assert result.usage.total_tokens == 3


async def test_stream_cost_parts_are_kept_separately(api: Any, router: respx.MockRouter) -> None:
    """meta.usage credits in one chunk and USD in a later one: both reach the result and the client's totals."""
    credits = chunk(meta={"usage": {"credits_used": 40, "usd_spent": None}})
    usd = chunk(choice("A", finish="stop"), meta={"usage": {"credits_used": None, "usd_spent": 0.5}})
    result = await stream_result(api, router, credits, usd)
    assert (result.credits_used, result.usd_spent) == (40, Decimal("0.5"))
    assert (api.client.total_credits_used, api.client.total_usd_spent) == (40, Decimal("0.5"))


async def test_first_id_and_model_are_kept(api: Any, router: respx.MockRouter) -> None:
    """The stream's id and model are those of the first chunk carrying them as strings."""
    first = chunk(choice("A"), id=5, model=None)
    second = chunk(choice("B", finish="stop"), id="c-2", model="x-ai/grok-4")
    third = chunk(id="c-3", model="other")
    result = await stream_result(api, router, first, second, third)
    assert (result.id, result.model) == ("c-2", "x-ai/grok-4")
