"""Values that cannot be JSON, extra_body clashes and image URLs, as the mutation run of `_request` showed unpinned.

The same checks as test_hostile_arguments, at shallow depths (that file's 100,000-deep values overflow the
stack under mutmut), each asserting the whole violation: path, message and the offending value itself.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import respx
from aimlapi_grok import Grok, RequestValidationError
from aimlapi_grok._request import MAX_NESTING
from aimlapi_grok.content import text_part
from aimlapi_grok.types import UserMessage

from .conftest import API_KEY, BASE_URL, completion_response, sent_json
from .test_hostile_arguments import _nested

PATH = "/v1/chat/completions"
HI = [{"role": "user", "content": "hi"}]


def violations(**kwargs: Any) -> list[tuple[str, str, Any]]:
    """(path, message, value) of each problem create() reports for these arguments (nothing is sent)."""
    with Grok(api_key=API_KEY, base_url=BASE_URL) as client, pytest.raises(RequestValidationError) as caught:
        client.chat.completions.create(**kwargs)
    return [(v.path, v.message, v.value) for v in caught.value.violations]


def sent(router: respx.MockRouter, **kwargs: Any) -> Any:
    """The JSON body create() sends for these arguments."""
    route = router.post(PATH).mock(return_value=completion_response())
    with Grok(api_key=API_KEY, base_url=BASE_URL) as client:
        client.chat.completions.create(**kwargs)
    return sent_json(route.calls[-1])


def model_message(content: Any = "hi", **extra: Any) -> UserMessage:
    """A user message as a generated model (so the body goes through the conversion to plain JSON)."""
    return UserMessage.from_dict({"role": "user", "content": content, **extra})


def test_a_lone_surrogate_in_text_is_named_with_its_place_and_index() -> None:
    """Text holding a lone surrogate: refused at its path, the message naming the character and its index."""
    text = "hi \ud800 there"
    [(path, message, value)] = violations(messages=[{"role": "user", "content": text}])
    assert (path, message) == ("messages[0].content", "text with a lone surrogate '\\ud800' at index 3 is not Unicode")
    assert value is text


def test_a_lone_surrogate_in_a_key_is_named() -> None:
    """A key holding a lone surrogate: refused at that key, the key as the value."""
    assert violations(messages=HI, extra_body={"a\udfff": 1}) == [
        ("a\udfff", "text with a lone surrogate '\\udfff' at index 1 is not Unicode", "a\udfff")
    ]


def test_non_ascii_text_beside_a_model_is_sent_as_is(router: respx.MockRouter) -> None:
    """UTF-8 text in a body converted from models (accents, emoji, CJK) is sent unchanged."""
    text = "héllo wörld 👋 你好"
    body = sent(router, messages=[model_message(), {"role": "user", "content": text}])
    assert body["messages"][1]["content"] == text


def _holding_itself() -> list[Any]:
    items: list[Any] = ["x"]
    items.append(items)
    return items


@pytest.mark.parametrize("with_model", [False, True], ids=["plain", "beside-a-model"])
def test_a_value_holding_itself_is_named_with_the_value(with_model: bool) -> None:
    """A list that holds itself: refused where it reappears, the message saying so, the list itself as the value."""
    loop = _holding_itself()
    messages: list[Any] = [model_message()] if with_model else HI
    [(path, message, value)] = violations(messages=messages, extra_body={"metadata": {"loop": loop}})
    assert (path, message) == ("metadata.loop[1]", "this object contains itself (a recursive value is not JSON)")
    assert value is loop


def test_a_message_holding_itself_is_named() -> None:
    """A message dict whose content list holds the message: refused at the inner place."""
    message: dict[str, Any] = {"role": "user"}
    message["content"] = [message]
    [(path, reason, value)] = violations(messages=[message])
    assert (path, reason, value) == (
        "messages[0].content[0]",
        "this object contains itself (a recursive value is not JSON)",
        message,
    )


def test_the_same_part_twice_is_not_a_loop(router: respx.MockRouter) -> None:
    """One content part object used twice and again deeper (shared, not recursive) beside a model is sent each time."""
    part = text_part("same")
    shared = {"x_parts": [part, {"again": part}]}
    body = sent(router, messages=[model_message(), {"role": "user", "content": [part, part]}], extra_body=shared)
    assert (body["messages"][1]["content"], body["x_parts"]) == ([part, part], [part, {"again": part}])


@pytest.fixture
def deep_stack() -> Iterator[None]:
    """Room for MAX_NESTING levels of conversion under mutmut, whose trampolines add frames to every call."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    yield
    sys.setrecursionlimit(limit)


@pytest.mark.usefixtures("deep_stack")
def test_nesting_is_counted_from_the_body_through_models(router: respx.MockRouter) -> None:
    """MAX_NESTING open objects and lists in all (body, messages, the model message, ...) are sent; one more is not."""
    # The body, the messages list, the message and `x` hold the first four levels.
    deepest = _nested(MAX_NESTING - 4)
    body = sent(router, messages=[model_message(x=deepest)])
    assert body["messages"][0]["x"] == deepest
    too_deep = _nested(MAX_NESTING - 3)
    [(path, message, value)] = violations(messages=[model_message(x=too_deep)])
    assert path == "messages[0].x" + ".a" * (MAX_NESTING - 3)
    assert (message, value) == (f"nested more than {MAX_NESTING} levels deep", {})


def test_nan_beside_another_problem_is_named_as_nan() -> None:
    """A NaN temperature next to an out-of-range top_p: the NaN is reported as NaN (the value passed), not as null."""
    [(path, message, value)] = violations(messages=HI, temperature=math.nan, top_p=5)
    assert (path, message) == ("temperature", "nan is not a JSON number")
    assert math.isnan(value)


def test_extra_body_may_not_set_what_an_argument_sets() -> None:
    """extra_body setting a parameter also passed as an argument: refused naming both, with the extra value."""
    assert violations(messages=HI, temperature=1, extra_body={"temperature": 0}) == [
        (
            "extra_body.temperature",
            "extra_body sets 'temperature', which the argument temperature= of create() already sets; use the argument",
            0,
        )
    ]


def test_extra_body_may_set_what_no_argument_sets(router: respx.MockRouter) -> None:
    """extra_body adding spec fields no argument was given for (and an unknown one) sends them unchanged."""
    body = sent(router, messages=HI, temperature=1, extra_body={"user": "u-1", "top_p": 0.5, "x_note": [1]})
    assert (body["temperature"], body["user"], body["top_p"], body["x_note"]) == (1, "u-1", 0.5, [1])


def test_extra_body_that_is_not_a_mapping_is_named() -> None:
    """extra_body given as a list of pairs: refused naming extra_body and the type given."""
    pairs = [("user", "u")]
    assert violations(messages=HI, extra_body=pairs) == [
        ("extra_body", "must be a mapping of extra body fields, got list", pairs)
    ]


def test_an_image_url_that_is_not_http_or_data_is_named() -> None:
    """An ftp image URL in a message's content: refused at its path, quoting the URL."""
    url = "ftp://host/cat.png"
    content = [text_part("what is this?"), {"type": "image_url", "image_url": {"url": url}}]
    assert violations(messages=[{"role": "user", "content": content}]) == [
        (
            "messages[0].content[1].image_url.url",
            f"image url {url!r} must be an http(s) URL or a data:image/...;base64 URL",
            url,
        )
    ]
