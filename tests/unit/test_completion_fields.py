"""The completion's fields on the results, as openai-python users read them, and their JSON dumps."""

from __future__ import annotations

import json
import warnings
from typing import Any

import attrs
import httpx
import pytest
from aimlapi_grok._errors import ResponseValidationError
from aimlapi_grok._response import ChatCompletionResult, parse_completion
from aimlapi_grok_api.models import ChatCompletion, Choice, ResponseMeta, ToolCall
from aimlapi_grok_api.types import UNSET

from .conftest import ENDPOINT, completion_body
from .test_hostile_answers import _nested

# The result attributes that answer None (not UNSET) when the completion lacks the field, as openai-python does.
NONE_WHEN_ABSENT = {"id", "model", "usage"}


def parsed(body: dict[str, Any]) -> ChatCompletionResult:
    """A ChatCompletionResult for `body`, drift warnings silenced."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_completion(httpx.Response(200, json=body, request=httpx.Request("POST", ENDPOINT)))


def test_every_generated_field_is_an_attribute_of_the_result() -> None:
    """Each field of the generated ChatCompletion reads on the result as on the typed completion."""
    result = parsed(completion_body(extra_top={"kept": True}))
    for field in attrs.fields(ChatCompletion):
        assert getattr(result, field.name) == getattr(result.completion, field.name), field.name
        assert field.name in dir(result)
    assert result.choices[0].message.content == result.text == "Hello! How can I help?"
    assert result.created == 1762343744
    assert isinstance(result.meta, ResponseMeta)
    assert result.object_ == "chat.completion"
    assert result.additional_properties == {"extra_top": {"kept": True}}
    assert result.additional_keys == ["extra_top"]
    assert "extra_top" in result
    assert result["extra_top"] == {"kept": True}
    result["note"] = 1
    del result["extra_top"]
    assert result.completion.additional_properties == {"note": 1}


def test_absent_fields_read_as_unset_or_none() -> None:
    """A field the answer lacks is UNSET, as generated, except usage/id/model which give None."""
    body = completion_body()
    for name in ("created", "meta", "usage", "id", "model"):
        del body[name]
    result = parsed(body)
    assert result.created is UNSET
    assert result.meta is UNSET
    assert {name for name in NONE_WHEN_ABSENT if getattr(result, name) is None} == NONE_WHEN_ABSENT


def test_an_unknown_attribute_raises_attribute_error_naming_it() -> None:
    """A misspelt field is an AttributeError naming the class and the attribute, not a silent value."""
    with pytest.raises(AttributeError, match=r"'ChatCompletionResult' object has no attribute 'choises'"):
        # typing: a misspelt field: the AttributeError under test
        _ = parsed(completion_body()).choises  # type: ignore[attr-defined]


def test_text_does_not_build_the_typed_completion() -> None:
    """`.text` reads the JSON; the typed completion is built only when a field is asked for."""
    result = parsed(completion_body())
    assert result.text
    assert result._completion is None
    assert isinstance(result.choices[0], Choice)
    assert result._completion is not None


def test_to_dict_is_the_json_as_received_and_a_copy() -> None:
    """to_dict()/model_dump() give the body as received, unknown fields kept; changing them changes nothing."""
    body = completion_body(system_fingerprint="fp_1", extra={"nested": [1, 2]})
    result = parsed(body)
    dumped = result.to_dict()
    assert dumped == body
    assert result.model_dump() == body
    dumped["choices"][0]["message"]["content"] = "changed"
    assert result.body == body
    assert result.text == "Hello! How can I help?"


def test_to_json_round_trips_and_keeps_non_ascii() -> None:
    """to_json()/model_dump_json() parse back to the body; non-ASCII stays as is."""
    body = completion_body()
    body["choices"][0]["message"]["content"] = "Grüße, 世界"
    result = parsed(body)
    assert json.loads(result.to_json()) == json.loads(result.model_dump_json()) == body
    assert "Grüße, 世界" in result.to_json()


def test_json_indentation_defaults_as_in_openai() -> None:
    """to_json() indents by 2 and model_dump_json() is compact, as openai-python's; both take indent."""
    result = parsed(completion_body())
    assert result.to_json().startswith('{\n  "id": ')
    assert "\n" not in result.model_dump_json()
    assert result.model_dump_json(indent=4) == result.to_json(indent=4)
    assert result.to_json(indent=None) == result.model_dump_json()


def test_a_drifted_value_is_moved_aside_in_the_fields_and_kept_in_to_dict() -> None:
    """A value of a type the spec does not allow is out of its typed slot but still in to_dict()."""
    body = completion_body(created="yesterday")
    body["choices"][0]["message"]["tool_calls"] = [
        {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
    ]
    result = parsed(body)
    assert result.created is UNSET
    assert result.additional_properties["created"] == "yesterday"
    assert isinstance(result.choices[0].message.tool_calls[0], ToolCall)
    assert result.to_dict()["created"] == "yesterday"


def test_an_attribute_error_inside_a_property_is_not_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A property failing with AttributeError shows its own error, not "no attribute 'completion'"."""
    result = parsed(completion_body())

    def broken(clean: Any, moved: Any) -> Any:
        raise AttributeError("the generated model broke")

    monkeypatch.setattr("aimlapi_grok._response.typed_completion", broken)
    with pytest.raises(AttributeError, match="the generated model broke"):
        _ = result.completion
    with pytest.raises(AttributeError, match="the generated model broke"):
        _ = result.choices


def test_a_deep_unknown_field_is_copied_as_deep_as_it_was_decoded() -> None:
    """to_dict() copies a value nested deeper than copy.deepcopy can go, as long as JSON could decode it."""
    result = parsed(completion_body(deep=_nested(600)))
    assert result.to_dict()["deep"] == _nested(600)


def test_a_value_too_deep_to_copy_is_a_response_validation_error() -> None:
    """Past the interpreter's limit, to_dict()/to_json() raise the library's ResponseValidationError, naming why."""
    result = parsed(completion_body())
    result.body["deep"] = _nested(100_000)
    with pytest.raises(ResponseValidationError, match="nested too deep to copy"):
        result.to_dict()
    with pytest.raises(ResponseValidationError, match="nested too deep to write as JSON"):
        result.to_json()
