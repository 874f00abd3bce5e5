"""Declaring function tools: function_tool() and tool_from_function() (schema from a typed signature)."""

from __future__ import annotations

import datetime
from enum import Enum
from typing import Annotated, Any, Literal, Optional

import jsonschema_rs
import pytest
from aimlapi_grok import tool_from_function
from aimlapi_grok._schema import violations
from aimlapi_grok.tools import function_tool


class Unit(Enum):
    CELSIUS = "celsius"
    FAHRENHEIT = "fahrenheit"


def get_weather(
    city: str,
    days: int,
    unit: Unit = Unit.CELSIUS,
    detail: Literal["short", "full"] = "short",
    alerts: bool = False,
    hours: list[int] | None = None,
    thresholds: dict[str, float] | None = None,
    note: Annotated[str, "Free text for the forecaster."] = "",
    region: Optional[str] = None,  # noqa: UP045 (the typing.Optional spelling is what is tested)
    scale: float = 1.0,
) -> str:
    """Get the weather forecast for a city.

    Uses the national service.

    Args:
        city: The city name,
            such as Paris.
        days (int): How many days ahead.
        hours: Hours of the day to include.
    """
    return city


def test_function_tool_builds_a_spec_valid_tool() -> None:
    """function_tool() returns the API's tool dict, valid against the spec's Tool schema."""
    parameters = {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]}
    tool = function_tool("search_docs", "Search the docs.", parameters, strict=True)
    assert tool == {
        "type": "function",
        "function": {
            "name": "search_docs",
            "description": "Search the docs.",
            "parameters": parameters,
            "strict": True,
        },
    }
    assert violations("Tool", tool) == []


def test_function_tool_leaves_out_unset_description_and_strict() -> None:
    """Without description and strict, neither key is sent."""
    tool = function_tool("ping", None, {"type": "object", "properties": {}})
    assert tool["function"] == {"name": "ping", "parameters": {"type": "object", "properties": {}}}
    assert violations("Tool", tool) == []


@pytest.mark.parametrize("name", ["", "has space", "dots.not.allowed", "x" * 65, "émoji"])
def test_function_tool_refuses_a_bad_name(name: str) -> None:
    """A name outside 1-64 characters of a-z A-Z 0-9 _ - raises ValueError naming the rule."""
    with pytest.raises(ValueError, match="not a valid function name: 1 to 64 characters"):
        function_tool(name, None, {"type": "object"})


def test_function_tool_refuses_parameters_that_are_not_an_object_schema() -> None:
    """Parameters must describe an object: another top-level type raises ValueError."""
    with pytest.raises(ValueError, match="type 'object'"):
        function_tool("f", None, {"type": "array"})


def test_function_tool_refuses_an_invalid_json_schema_naming_where() -> None:
    """A broken JSON Schema (a misspelt type) raises ValueError naming its location."""
    with pytest.raises(ValueError, match=r"parameters\.properties\.a\.type is not a valid JSON Schema"):
        function_tool("f", None, {"type": "object", "properties": {"a": {"type": "strin"}}})


def test_function_tool_refuses_non_json_parameters() -> None:
    """Parameters that cannot be JSON (a Python object inside) raise TypeError."""
    with pytest.raises(TypeError, match="not JSON-serializable"):
        function_tool("f", None, {"type": "object", "default": object()})


def test_tool_from_function_builds_the_schema_from_the_signature() -> None:
    """Each supported annotation maps to its JSON Schema; defaults and Optional make a parameter optional."""
    tool = tool_from_function(get_weather)
    function = tool["function"]
    assert function["name"] == "get_weather"
    assert function["description"] == "Get the weather forecast for a city.\n\nUses the national service."
    parameters = function["parameters"]
    assert parameters["required"] == ["city", "days"]
    assert parameters["additionalProperties"] is False
    assert parameters["properties"] == {
        "city": {"type": "string", "description": "The city name, such as Paris."},
        "days": {"type": "integer", "description": "How many days ahead."},
        "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "default": "celsius"},
        "detail": {"type": "string", "enum": ["short", "full"], "default": "short"},
        "alerts": {"type": "boolean", "default": False},
        "hours": {
            "type": ["array", "null"],
            "items": {"type": "integer"},
            "description": "Hours of the day to include.",
            "default": None,
        },
        "thresholds": {"type": ["object", "null"], "additionalProperties": {"type": "number"}, "default": None},
        "note": {"type": "string", "description": "Free text for the forecaster.", "default": ""},
        "region": {"type": ["string", "null"], "default": None},
        "scale": {"type": "number", "default": 1.0},
    }
    jsonschema_rs.meta.validate(parameters)
    assert violations("Tool", tool) == []


def test_schema_accepts_the_arguments_the_function_takes() -> None:
    """Arguments a caller would pass validate against the generated schema; a wrong enum value does not."""
    validator = jsonschema_rs.validator_for(tool_from_function(get_weather)["function"]["parameters"])
    assert validator.is_valid({"city": "Oslo", "days": 2, "unit": "fahrenheit", "hours": [9, 12], "region": None})
    assert not validator.is_valid({"city": "Oslo", "days": 2, "unit": "kelvin"})
    assert not validator.is_valid({"city": "Oslo"})


def test_optional_without_default_is_not_required_and_nullable() -> None:
    """`X | None` without a default is optional and admits null."""

    def lookup(key: str | None, limit: int | str) -> None:
        """Look up."""

    parameters = tool_from_function(lookup)["function"]["parameters"]
    assert parameters["required"] == ["limit"]
    assert parameters["properties"]["key"] == {"type": ["string", "null"]}
    assert parameters["properties"]["limit"] == {"anyOf": [{"type": "integer"}, {"type": "string"}]}


def test_rest_and_numpy_docstrings_describe_parameters() -> None:
    """`:param name:` fields and a NumPy Parameters section both give parameter descriptions."""

    def rest(city: str) -> None:
        """Summary.

        :param city: The city
            to look up.
        """

    def numpy(city: str) -> None:
        """Summary.

        Parameters
        ----------
        city : str
            The city to look up.
        """

    for fn in (rest, numpy):
        function = tool_from_function(fn)["function"]
        assert function["description"] == "Summary."
        assert function["parameters"]["properties"]["city"]["description"] == "The city to look up."


def test_name_description_and_strict_can_be_overridden() -> None:
    """name=, description= and strict= replace what the function itself says."""
    tool = tool_from_function(get_weather, name="weather", description="Forecast.", strict=False)
    assert (tool["function"]["name"], tool["function"]["description"], tool["function"]["strict"]) == (
        "weather",
        "Forecast.",
        False,
    )


class Point:
    """Not a JSON type."""


# typing: an unannotated parameter: the input under test
def no_annotation(city) -> None:  # type: ignore[no-untyped-def]
    """Has an unannotated parameter."""


def datetime_param(when: datetime.datetime) -> None:
    """Takes a datetime."""


def class_param(where: Point) -> None:
    """Takes a custom class."""


def int_keys(table: dict[int, str]) -> None:
    """Takes a dict with int keys."""


def var_kwargs(city: str, **extra: Any) -> None:
    """Takes **kwargs."""


def fixed_tuple(pair: tuple[int, str]) -> None:
    """Takes a fixed-size tuple."""


@pytest.mark.parametrize(
    ("fn", "message"),
    [
        (no_annotation, "parameter 'city' has no type annotation"),
        (datetime_param, "parameter 'when': annotation datetime is not supported"),
        (class_param, "parameter 'where': annotation Point is not supported"),
        (int_keys, "parameter 'table': JSON object keys are strings"),
        (var_kwargs, "parameter 'extra': \\*args and \\*\\*kwargs"),
        (fixed_tuple, "parameter 'pair': .* use tuple\\[X, ...\\] or list\\[X\\]"),
    ],
)
def test_unsupported_parameters_raise_type_error_naming_them(fn: Any, message: str) -> None:
    """An annotation with no JSON Schema raises TypeError naming the tool and the parameter."""
    with pytest.raises(TypeError, match=message) as caught:
        tool_from_function(fn)
    assert f"tool {fn.__name__!r}" in str(caught.value)


def test_lambda_needs_an_explicit_name() -> None:
    """A lambda's __name__ is no function name: ValueError asks for name=."""
    with pytest.raises(ValueError, match="pass name="):
        tool_from_function(lambda: None)
