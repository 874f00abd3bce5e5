"""Non-streamed answers the mutation run showed unpinned: refusal messages, drift moved aside without loss, fields."""

from __future__ import annotations

import copy
import json
import re
import sys
import warnings
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from aimlapi_grok import ChatCompletionResult, DriftWarning, Grok, ResponseValidationError
from aimlapi_grok_api.types import UNSET

from .conftest import API_KEY, COMPLETION, USER_HI

RETRY_FIRST = httpx.Response(503, json={"message": "busy", "statusCode": 503})


def grok(*answers: httpx.Response) -> Grok:
    """A Grok whose transport gives `answers` in turn (the last one for every later request)."""
    queue = list(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return Grok(api_key=API_KEY, max_retries=2, http_client=httpx.Client(transport=httpx.MockTransport(answer)))


def json_answer(body: Any, **headers: str) -> httpx.Response:
    """A 200 JSON answer of `body` with `headers`."""
    return httpx.Response(
        200, content=json.dumps(body).encode(), headers={"content-type": "application/json", **headers}
    )


def create(*answers: httpx.Response) -> Any:
    """The result of one create() against `answers`, drift warnings silenced.

    Typed Any: the generated fields are `X | Unset` and these tests read the ones each answer has.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DriftWarning)
        return grok(*answers).chat.completions.create(messages=USER_HI)


def body_with(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    """A copy of the realistic completion after `change` (a function editing it in place)."""
    body = copy.deepcopy(COMPLETION)
    change(body)
    return body


def choice(content: Any = "Hi", **extra: Any) -> dict[str, Any]:
    """One choice whose message has `content`, plus `extra` choice fields."""
    return {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}, **extra}


# -- refusals: the message says why, the error carries the answer and the retries ----------------------------

REFUSED = [
    (b"<html>busy</html>", "text/html", "the body is not JSON (text/html); body: <html>busy</html>"),
    (b"", None, "the body is not JSON (no content-type); body: <empty>"),
    (b"[1, 2]", "application/json", "the body is a JSON list, not an object (application/json); body: [1, 2]"),
    (b'"text"', "application/json", 'the body is a JSON str, not an object (application/json); body: "text"'),
    (b'{"id": "x"}', "application/json", 'the body has neither `object` nor `choices` (application/json); body: {"id"'),
    (b'{"object": "list", "data": []}', "application/json", "`object` is 'list', not 'chat.completion' (application"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", "the body is nested too deep to decode (application/json)"),
]


@pytest.mark.parametrize(("content", "content_type", "reason"), REFUSED)
def test_an_answer_that_is_no_completion_is_refused_saying_why(
    content: bytes, content_type: str | None, reason: str
) -> None:
    """Each kind of non-completion gives ResponseValidationError: reason, content type, body start, retries so far."""
    headers = {} if content_type is None else {"content-type": content_type}
    answer = httpx.Response(200, content=content, headers=headers)
    with pytest.raises(ResponseValidationError) as caught:
        create(RETRY_FIRST, answer)
    assert str(caught.value).startswith(f"HTTP 200 answer is not a chat completion: {reason}")
    assert caught.value.retries == 1
    assert caught.value.response.status_code == 200
    assert caught.value.raw_text == content.decode()


def test_a_value_too_deep_to_check_is_refused_saying_so() -> None:
    """A typed field nested beyond what the schema check can walk: ResponseValidationError naming that cause."""
    deep: Any = []
    for _ in range(300):
        deep = [deep]
    body = body_with(lambda b: b["choices"][0]["message"].update(content=deep))
    with pytest.raises(ResponseValidationError) as caught:
        create(RETRY_FIRST, json_answer(body))
    assert str(caught.value).startswith(
        "HTTP 200 answer is not a chat completion: a value is nested too deep to be checked against the spec "
        "(application/json); body: "
    )
    assert caught.value.retries == 1


def test_an_answer_with_object_but_no_choices_is_an_empty_completion() -> None:
    """`object: chat.completion` alone is a completion: no text, no finish reason, no tool calls (not refused)."""
    result = create(json_answer({"object": "chat.completion", "id": "c-1"}))
    assert (result.text, result.finish_reason, result.tool_calls, result.id) == ("", None, [], "c-1")
    assert result.choices is UNSET


def test_an_answer_with_choices_but_no_object_is_read_as_a_completion() -> None:
    """A body with `choices` and no `object` is read (the object filled in), its text and drift report intact."""
    body = {"choices": [choice("Hello")]}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = grok(json_answer(body)).chat.completions.create(messages=USER_HI)
    assert "API drift in ChatCompletion: object: required field is missing" in [str(w.message) for w in caught]
    assert (result.text, result.object_, result.body, result.additional_properties) == (
        "Hello",
        "chat.completion",
        body,
        {},
    )


# -- values the models cannot hold: moved aside, never lost ------------------------------------------------


def test_mistyped_values_move_to_their_holders_at_every_depth() -> None:
    """A mistyped value at the top, in a message, in a later choice, in usage details: each in its holder's extras."""

    def drift(body: dict[str, Any]) -> None:
        body["created"] = "yesterday"
        body["choices"] = [choice(5), choice("fine", index=1, finish_reason=7)]
        body["usage"]["completion_tokens"] = "many"

    body = body_with(drift)
    result = create(json_answer(body))
    assert (result.created, result.additional_properties) == (UNSET, {"created": "yesterday"})
    first, second = result.choices
    assert (first.message.content, first.message.additional_properties) == (UNSET, {"content": 5})
    assert (second.message.content, second.finish_reason, second.additional_properties) == (
        "fine",
        UNSET,
        {"finish_reason": 7},
    )
    assert (result.usage.completion_tokens, result.usage.additional_properties) == (
        UNSET,
        {"completion_tokens": "many"},
    )
    assert result.reasoning_tokens == COMPLETION["usage"]["completion_tokens_details"]["reasoning_tokens"]
    assert result.body == body  # the JSON as received is untouched by the moving
    assert result.completion.to_dict() == body


def test_values_moved_aside_survive_a_dropped_list_item() -> None:
    """An unusable choice before or after others: the usable choices keep their moved-aside values, renumbered."""
    body: dict[str, Any] = {"object": "chat.completion"}
    body["choices"] = ["junk", choice(5), 7, choice("ok", finish_reason=9), "junk"]
    body["usage"] = {"total_tokens": "many"}
    result = create(json_answer(body))
    first, second = result.choices
    assert first.message.additional_properties == {"content": 5}
    assert (second.message.content, second.additional_properties) == ("ok", {"finish_reason": 9})
    assert result.usage.additional_properties == {"total_tokens": "many"}
    assert result.body["choices"][0] == "junk"


def test_many_unusable_list_items_leave_exactly_the_usable_ones_in_order() -> None:
    """Six unusable choices around three usable ones: the three remain, in their order (none deleted by mistake)."""
    choices: list[Any] = []
    for n in range(3):
        choices += ["junk", choice(f"text {n}", index=n), n]
    body = {"object": "chat.completion", "choices": choices}
    result = create(json_answer(body))
    assert [c.message.content for c in result.choices] == ["text 0", "text 1", "text 2"]
    assert result.text == ""  # the shortcut reads the first choice as sent ("junk")


def test_an_annotation_without_type_is_dropped_whole_and_the_rest_kept() -> None:
    """An annotation missing its `type` (and holding a mistyped value) leaves the typed message; its siblings stay."""
    good = {"type": "url_citation", "url_citation": {"url": "https://x.example", "start_index": 1}}
    bad = {"url_citation": {"url": "https://y.example", "start_index": "one"}}

    def annotate(body: dict[str, Any]) -> None:
        body["choices"][0]["message"]["annotations"] = [bad, good]
        body["choices"][0]["message"]["refusal"] = 5

    body = body_with(annotate)
    result = create(json_answer(body))
    message = result.choices[0].message
    assert [a.url_citation.url for a in message.annotations] == ["https://x.example"]
    assert message.additional_properties == {"refusal": 5}
    assert result.body["choices"][0]["message"]["annotations"][0] == bad


def test_a_null_annotation_type_moves_its_object_out_whole() -> None:
    """An annotation whose `type` is null leaves the typed list; a mistyped value beside it is still moved aside."""

    def annotate(body: dict[str, Any]) -> None:
        body["choices"][0]["message"]["annotations"] = [{"type": None}]
        body["choices"][0]["finish_reason"] = 7

    result = create(json_answer(body_with(annotate)))
    assert result.choices[0].message.annotations == []
    assert result.choices[0].message.additional_properties == {}
    assert result.choices[0].additional_properties == {"finish_reason": 7}
    assert result.text == COMPLETION["choices"][0]["message"]["content"]


def test_a_dropped_item_in_one_list_leaves_the_same_position_in_another_list_alone() -> None:
    """Dropping annotation 0 of choice 0 keeps the value moved aside from annotation 0 of choice 1."""
    cited = {"type": "url_citation", "url_citation": {"url": "https://x.example", "start_index": "one"}}
    first, second = choice("A"), choice("B", index=1)
    first["message"]["annotations"] = ["junk"]
    second["message"]["annotations"] = [cited]
    result = create(json_answer({"object": "chat.completion", "choices": [first, second]}))
    assert result.choices[0].message.annotations == []
    citation = result.choices[1].message.annotations[0].url_citation
    assert (citation.url, citation.additional_properties) == ("https://x.example", {"start_index": "one"})


# -- fields of the result ----------------------------------------------------------------------------------


def test_the_result_carries_its_answers_metadata() -> None:
    """`info` reads the answer's status, inference id and header cost; `retries` counts the failed tries before it."""
    result = create(RETRY_FIRST, json_answer(COMPLETION, **{"x-inference-id": "inf-9", "x-aimlapi-usd-spent": "0.5"}))
    assert (result.info.status_code, result.info.inference_id, result.info.usd_spent) == (200, "inf-9", Decimal("0.5"))
    assert (result.retries, result.info.retries, result.inference_id) == (1, 1, "inf-9")
    assert result.info is result.info


@pytest.mark.parametrize(
    ("meta", "credits", "usd"),
    [
        ({"usage": {"credits_used": 7, "usd_spent": 0.25}}, 7, Decimal("0.25")),
        ({"usage": None}, None, None),
        ({"usage": "free"}, None, None),
        (None, None, None),
        ("free", None, None),
    ],
)
def test_body_cost_is_read_from_meta_usage_only(meta: Any, credits: int | None, usd: Decimal | None) -> None:
    """Without cost headers the cost comes from `meta.usage`; any other shape of `meta` gives no cost."""
    result = create(json_answer(body_with(lambda b: b.update(meta=meta))))
    assert (result.credits_used, result.usd_spent) == (credits, usd)


@pytest.mark.parametrize(
    ("choices", "text", "finish"),
    [
        ([choice("A"), choice("B", index=1)], "A", "stop"),
        (["junk", choice("B")], "", None),
        ([], "", None),
        ({"0": choice("A")}, "", None),
    ],
)
def test_shortcuts_read_the_first_choice_only_when_it_is_an_object(choices: Any, text: str, finish: str | None) -> None:
    """`text` / `finish_reason` read choice 0 when it is an object; a non-object or missing choice gives "" / None."""
    result = create(json_answer({"object": "chat.completion", "choices": choices}))
    assert (result.text, result.finish_reason) == (text, finish)


@pytest.mark.parametrize(
    ("content", "shown"),
    [
        ("x" * 60, "x" * 60),
        ("x" * 61, "x" * 57 + "..."),
        ("x" * 200, "x" * 57 + "..."),
    ],
)
def test_repr_shows_the_text_cut_at_60_characters(content: str, shown: str) -> None:
    """The repr quotes the text whole up to 60 characters, else its first 57 and "..."."""
    result = create(json_answer(body_with(lambda b: b["choices"][0]["message"].update(content=content))))
    assert f"text={shown!r}," in repr(result)


def _near_the_recursion_limit(call: Callable[[], object], frames: int | None = None) -> object:
    """`call()` made with about 50 frames left before the interpreter's recursion limit."""
    if frames is None:
        depth, frame = 0, sys._getframe()
        while frame.f_back is not None:
            depth, frame = depth + 1, frame.f_back
        frames = sys.getrecursionlimit() - depth - 50
    return call() if frames <= 0 else _near_the_recursion_limit(call, frames - 1)


@pytest.fixture
def deep_answer() -> ChatCompletionResult:
    """A completion (after one retry) with an unknown field nested 400 deep, which it keeps."""
    text = json.dumps(COMPLETION)[:-1] + ', "deep": ' + "[" * 400 + "]" * 400 + "}"
    answer = httpx.Response(200, content=text.encode(), headers={"content-type": "application/json"})
    return create(RETRY_FIRST, answer)  # type: ignore[no-any-return]  # create() is typed Any (see there)


@pytest.mark.parametrize(("dump", "what"), [("to_dict", "copy"), ("to_json", "write as JSON")])
def test_dumping_an_answer_too_deep_for_the_caller_is_a_library_error(
    deep_answer: ChatCompletionResult, dump: str, what: str
) -> None:
    """Dumping a deep answer from deep inside an application: ResponseValidationError saying why, not RecursionError."""
    with pytest.raises(ResponseValidationError) as caught:
        _near_the_recursion_limit(getattr(deep_answer, dump))
    assert str(caught.value) == f"HTTP 200 answer cannot be read as a completion: a value is nested too deep to {what}"
    assert (caught.value.retries, caught.value.response.status_code) == (1, 200)
    assert re.search(r'"deep": \[\[', caught.value.raw_text)
