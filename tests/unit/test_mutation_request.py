"""Request validation messages the mutation run showed unpinned: each rule's human text, not only path and rule."""

from __future__ import annotations

from typing import Any

import pytest
from aimlapi_grok import Grok, RequestValidationError
from aimlapi_grok._request import MAX_SHOWN, _describe_form, build_body, plain_json, validate_request
from aimlapi_grok._schema import SchemaViolation
from aimlapi_grok.types import UserMessage

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
        ({"messages": HI, "extra_body": {"user": [object()]}}, ("user[0]", "type", "an object is not JSON data")),
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


DEFS = {"$defs": {"Effort": {"enum": ["low", "high"]}, "Apple": {"type": "object"}, "XaiThing": {"type": "object"}}}


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        (True, "anything"),
        ({}, "anything"),
        ({"$ref": "#/$defs/Effort"}, "'low' or 'high'"),
        ({"$ref": "#/$defs/Apple"}, "an Apple object"),
        ({"$ref": "#/$defs/XaiThing"}, "a XaiThing object"),
        ({"$ref": "#/$defs/Missing"}, "a Missing object"),
        ({"allOf": [{"$ref": "#/$defs/Effort"}]}, "'low' or 'high'"),
        ({"allOf": [{"type": "string"}, {"type": "integer"}], "type": "object"}, "an object"),
        ({"enum": [1, "x", None]}, "1 or 'x' or None"),
        ({"type": ["string", "null"]}, "a string or null"),
        (
            {"type": "array", "items": {"anyOf": [{"type": "string"}, {"$ref": "#/$defs/Apple"}]}},
            "a list of (a string | an Apple object)",
        ),
        (
            {"type": "array", "items": {"oneOf": [{"type": "integer"}, {"type": "null"}]}},
            "a list of (an integer | null)",
        ),
        ({"type": "array", "items": {"type": "number"}}, "a list of (a number)"),
        ({"type": "array"}, "an array"),
        ({"type": "string", "items": {"type": "number"}}, "a string"),
    ],
)
def test_allowed_forms_are_described_in_words(schema: Any, words: str) -> None:
    """Each schema form an anyOf can list is described as a reader would say it (article, enum values, list items)."""
    assert _describe_form(schema, DEFS) == words


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"temperature": float("inf")}, ("temperature", "inf is not a JSON number", float("inf"))),
        ({"extra_body": {"metadata": {"k": {1: "v"}}}}, ("metadata.k", "object keys must be strings, got int", 1)),
    ],
)
def test_values_that_are_not_json_are_named_with_the_value(
    kwargs: dict[str, Any], expected: tuple[str, str, Any]
) -> None:
    """With a model in the body (so the body is converted), a non-JSON value is refused naming its place and value."""
    message = UserMessage.from_dict({"role": "user", "content": "hi"})
    with (
        Grok(api_key=API_KEY, base_url="http://127.0.0.1:9") as client,
        pytest.raises(RequestValidationError) as caught,
    ):
        client.chat.completions.create(messages=[message], **kwargs)
    [violation] = caught.value.violations
    assert (violation.path, violation.message, violation.value) == expected


def test_an_object_that_is_not_json_is_kept_on_the_violation() -> None:
    """The offending object itself is the violation's value (the caller can find it)."""
    bad = object()
    with (
        Grok(api_key=API_KEY, base_url="http://127.0.0.1:9") as client,
        pytest.raises(RequestValidationError) as caught,
    ):
        client.chat.completions.create(messages=HI, extra_body={"user": bad})
    assert caught.value.violations[0].value is bad


def test_message_of_exactly_the_limit_is_kept_whole() -> None:
    """A schema message of exactly MAX_SHOWN characters is kept; one longer is cut to MAX_SHOWN with '...'."""
    from aimlapi_grok._request import _shortened

    exact = SchemaViolation("p", 1, "r", "m" * MAX_SHOWN)
    assert _shortened(exact) is exact
    longer = _shortened(SchemaViolation("p", 1, "r", "m" * (MAX_SHOWN + 1)))
    assert longer == SchemaViolation("p", 1, "r", "m" * (MAX_SHOWN - 3) + "...")


@pytest.mark.parametrize(
    ("messages", "path", "value"),
    [
        ([5], "messages[0]", 5),
        ([{"role": "robot", "content": "x"}], "messages[0].role", "robot"),
        ([{"role": ["user"], "content": "x"}], "messages[0].role", ["user"]),
        ([{"role": "user", "content": 5}], "messages[0].content", 5),
        ([{"role": "user"}], "messages[0]", {"role": "user"}),
    ],
)
def test_each_violation_keeps_the_offending_value(messages: Any, path: str, value: Any) -> None:
    """The violation for a bad message carries the value at fault (the message, its role or its content)."""
    with (
        Grok(api_key=API_KEY, base_url="http://127.0.0.1:9") as client,
        pytest.raises(RequestValidationError) as caught,
    ):
        client.chat.completions.create(messages=messages)
    [violation] = caught.value.violations
    assert (violation.path, violation.value) == (path, value)


def test_unhashable_role_is_named_not_a_crash() -> None:
    """A role given as a list is refused with the enum message, not a TypeError."""
    assert refused(messages=[{"role": ["user"], "content": "x"}]) == [
        ("messages[0].role", "enum", f"['user'] is not one of {ROLES}")
    ]


def test_messages_as_a_tuple_are_explained_like_a_list() -> None:
    """A tuple of messages gets the same precise per-role explanation as a list (not the generic oneOf text)."""
    as_tuple = refused(messages=({"role": "user", "content": 5},))
    assert as_tuple == refused(messages=[{"role": "user", "content": 5}])
    assert as_tuple[0][0] == "messages[0].content"


def test_an_any_of_problem_and_another_problem_are_both_reported() -> None:
    """A content of the wrong form and a temperature out of range: both problems, each with its own message."""
    assert refused(messages=[{"role": "user", "content": 5}], temperature=3) == [
        ("messages[0].content", "anyOf", f"5 is none of: a string, a list of ({PARTS}) (user message)"),
        ("temperature", "maximum", "3 is greater than the maximum of 2"),
    ]


def test_reasoning_conflict_keeps_the_reasoning_value() -> None:
    """The effort-or-max_tokens violation carries the reasoning object given."""
    with pytest.raises(RequestValidationError) as caught:
        validate_request(build_body(HI, False, {"reasoning": {"effort": "low", "max_tokens": 5}}), "ok", 0)
    assert caught.value.violations[0].value == {"effort": "low", "max_tokens": 5}


def test_validate_request_checks_the_schema_unless_told_it_was_checked() -> None:
    """Called alone, validate_request checks the body against the spec; schema_checked=True skips only that part."""
    body = build_body(HI, False, {"temperature": 3})
    with pytest.raises(RequestValidationError, match="temperature"):
        validate_request(body, "ok", 0)
    validate_request(body, "ok", 0, schema_checked=True)


def test_a_value_shown_at_exactly_the_limit_is_whole() -> None:
    """A bad value whose repr is exactly MAX_SHOWN characters is shown whole; one character more is cut."""
    exact = "x" * (MAX_SHOWN - 2)  # repr adds two quotes
    [(_, _, message)] = refused(messages=HI, client_request_id=exact)
    assert message.startswith(repr(exact) + " must be")
    [(_, _, message)] = refused(messages=HI, client_request_id=exact + "x")
    assert message.startswith(repr(exact + "x")[: MAX_SHOWN - 3] + "... must be")


def test_stream_flag_is_sent_only_for_streams() -> None:
    """stream=True puts "stream": true in the body; a plain call sends no stream field at all."""
    assert build_body(HI, True, {})["stream"] is True
    assert "stream" not in build_body(HI, False, {})


def test_unknown_keywords_are_all_named() -> None:
    """Two unknown keywords raise one TypeError naming both, sorted and comma separated."""
    with pytest.raises(TypeError, match=r"^create\(\) got unexpected keyword argument\(s\): bogus, foo$"):
        build_body(HI, False, {"foo": 1, "bogus": 2})


@pytest.mark.parametrize(
    ("kwargs", "value"),
    [
        ({"messages": "hi"}, "hi"),
        ({"messages": HI, "client_request_id": "bad id!"}, "bad id!"),
        ({"messages": HI, "max_retries": -1}, -1),
    ],
)
def test_call_option_violations_keep_the_value(kwargs: dict[str, Any], value: Any) -> None:
    """messages that are not a list, a bad client_request_id or max_retries: the violation carries the value."""
    with (
        Grok(api_key=API_KEY, base_url="http://127.0.0.1:9") as client,
        pytest.raises(RequestValidationError) as caught,
    ):
        client.chat.completions.create(**kwargs)
    assert caught.value.violations[0].value == value


def test_a_top_level_any_of_problem_keeps_the_other_problems() -> None:
    """tool_choice of no allowed form plus temperature out of range: both are reported, in the validator's order."""
    assert refused(messages=HI, tool_choice=5, temperature=3) == [
        ("tool_choice", "anyOf", "5 is none of: 'none' or 'auto' or 'required', a NamedFunctionToolChoice object"),
        ("temperature", "maximum", "3 is greater than the maximum of 2"),
    ]
