"""Request validation messages the mutation run showed unpinned: each rule's human text, not only path and rule."""

from __future__ import annotations

from typing import Any

import pytest
from aimlapi_grok import Grok, RequestValidationError
from aimlapi_grok._request import MAX_SHOWN, build_body, plain_json, validate_request
from aimlapi_grok._schema import SchemaViolation

from .conftest import API_KEY

ROLES = "'user', 'developer', 'system', 'tool', 'assistant'"
PARTS = "a TextContentPart object | an ImageUrlContentPart object | a FileContentPart object"
HI = [{"role": "user", "content": "hi"}]


def refused(**kwargs: Any) -> list[tuple[str, str, str]]:
    """(path, rule, message) of each problem create() reports for these arguments (nothing is sent)."""
    with (
        Grok(api_key=API_KEY, base_url="http://127.0.0.1:9") as client,
        pytest.raises(RequestValidationError) as caught,
    ):
        client.chat.completions.create(**kwargs)
    return [(v.path, v.rule, v.message) for v in caught.value.violations]


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        (
            {"messages": [{"role": "user", "content": 5}]},
            ("messages[0].content", "anyOf", f"5 is none of: a string, a list of ({PARTS}) (user message)"),
        ),
        (
            {"messages": HI, "tool_choice": 5},
            ("tool_choice", "anyOf", "5 is none of: 'none' or 'auto' or 'required', a NamedFunctionToolChoice object"),
        ),
        ({"messages": [5]}, ("messages[0]", "type", "expected a message object, got int")),
        ({"messages": [None]}, ("messages[0]", "type", "expected a message object, got null")),
        (
            {"messages": [{"content": "x"}]},
            ("messages[0].role", "required", f"required field is missing (one of {ROLES})"),
        ),
        (
            {"messages": [{"role": "robot", "content": "x"}]},
            ("messages[0].role", "enum", f"'robot' is not one of {ROLES}"),
        ),
        ({"messages": [{"role": 7, "content": "x"}]}, ("messages[0].role", "enum", f"7 is not one of {ROLES}")),
        (
            {"messages": [{"role": "user"}]},
            ("messages[0]", "required", '"content" is a required property (user message)'),
        ),
        ({"messages": "hi"}, ("messages", "type", "expected a list of messages, got str")),
        ({"messages": {"role": "user"}}, ("messages", "type", "expected a list of messages, got dict")),
        ({"messages": HI, "temperature": 3}, ("temperature", "maximum", "3 is greater than the maximum of 2")),
        (
            {"messages": HI, "reasoning": {"effort": "low", "max_tokens": 5}},
            ("reasoning", "effort-or-max_tokens", "reasoning takes effort or max_tokens, not both"),
        ),
        (
            {"messages": HI, "client_request_id": "bad id!"},
            (
                "client_request_id",
                "pattern",
                "'bad id!' must be 1 to 128 characters from A-Z a-z 0-9 . _ : - "
                "(the API silently drops any other value)",
            ),
        ),
        ({"messages": HI, "max_retries": -1}, ("max_retries", "minimum", "must be an int >= 0")),
        ({"messages": HI, "max_retries": True}, ("max_retries", "minimum", "must be an int >= 0")),
        ({"messages": HI, "extra_body": {"user": [object()]}}, ("user[0]", "type", "a object is not JSON data")),
    ],
)
def test_each_problem_is_explained_in_words(kwargs: dict[str, Any], expected: tuple[str, str, str]) -> None:
    """Each kind of bad argument is refused with one problem naming its field, rule and a human explanation."""
    assert refused(**kwargs) == [expected]


def test_long_values_are_shortened_in_messages() -> None:
    """A huge bad value is shown by its first characters and an ellipsis; the message stays under the limit."""
    [(path, rule, message)] = refused(messages=HI, client_request_id="x" * 1000)
    assert (path, rule) == ("client_request_id", "pattern")
    assert message.startswith("'" + "x" * (MAX_SHOWN - 4) + "... must be 1 to 128")


def test_every_problem_of_a_request_is_listed_in_order() -> None:
    """Several problems at once are all reported: schema problems first, then the client's own checks."""
    problems = refused(messages=HI, temperature=3, client_request_id="", max_retries=-1)
    assert [p[0] for p in problems] == ["temperature", "client_request_id", "max_retries"]


def test_message_valid_alone_but_not_under_one_of_is_explained() -> None:
    """A message matching its role's schema but failing the messages oneOf (overlapping variants) is still refused."""
    body = {"messages": HI}
    problem = SchemaViolation("messages[0]", HI[0], "oneOf", "is valid under more than one of the schemas")
    from aimlapi_grok import _request

    [explained] = _request._explain_messages(body, [problem])
    assert explained == SchemaViolation("messages[0]", HI[0], "oneOf", "matches more than one message schema")


def test_a_valid_request_passes_and_models_become_plain_json() -> None:
    """A valid body raises nothing; tuples become lists and objects with to_dict() their dict."""

    class Model:
        def to_dict(self) -> dict[str, Any]:
            return {"role": "user", "content": ("a", "b")}

    validate_request(build_body(HI, False, {}), "ok-1", 0)
    assert plain_json({"messages": (Model(),), "n": 1, "t": 0.5, "s": None}) == {
        "messages": [{"role": "user", "content": ["a", "b"]}],
        "n": 1,
        "t": 0.5,
        "s": None,
    }
