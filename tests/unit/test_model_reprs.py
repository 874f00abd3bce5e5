"""Generated models print only the fields that are set (custom template spec/templates/model.py.jinja)."""

from __future__ import annotations

from typing import Any

from aimlapi_grok import Grok
from aimlapi_grok.testing import mock_grok
from aimlapi_grok_api.models import ChatCompletion, Usage

from .conftest import API_KEY, completion_body


def test_unset_fields_are_left_out_of_a_model_repr() -> None:
    """A Usage with only prompt_tokens prints just that field; no `Unset` object appears."""
    text = repr(Usage(prompt_tokens=3))
    assert text == "Usage(prompt_tokens=3)"


def test_nested_models_and_unknown_fields_print_without_unset() -> None:
    """A whole parsed completion (nested models, an unknown field) prints no `Unset`, and shows what it has."""
    body: dict[str, Any] = completion_body()
    body["usage"] = {"prompt_tokens": 12, "surprise": True}
    text = repr(ChatCompletion.from_dict(body))
    assert "Unset" not in text
    assert "prompt_tokens=12" in text
    assert "'surprise': True" in text


def test_a_streamed_results_usage_prints_without_unset() -> None:
    """`print(stream.result.usage)` after a stream shows the counts and no `Unset` objects."""
    with mock_grok(), Grok(api_key=API_KEY) as client:
        stream = client.chat.completions.create(
            messages=[{"role": "user", "content": "hi"}], stream=True, stream_options={"include_usage": True}
        )
        with stream:
            stream.get_final_result()
    text = repr(stream.result.usage)
    assert "Unset" not in text
    assert text.startswith("Usage(completion_tokens=")
