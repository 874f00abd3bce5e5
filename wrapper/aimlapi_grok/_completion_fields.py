"""The completion's own fields on the result objects, as openai-python users read them.

``ChatCompletionResult`` and ``StreamResult`` inherit ``CompletionFields``:
each top-level field of the generated ``ChatCompletion`` (``choices``,
``usage``, ``id``, ``model``, ``created``, ``meta``, ``object_``,
``additional_properties``, and whatever a later spec adds) reads through to the
result's typed ``completion``, built on first access, so ``result.text`` pays
nothing for it. The list of fields is ``attrs.fields(ChatCompletion)``, never
written here.

For the type checker, ``CompletionFields`` *is* the generated ``ChatCompletion``,
so every field has exactly its generated type (``list[Choice] | Unset``, ...);
at run time it is a small delegating base that also forwards the model's
``additional_keys`` and item access (``result["unknown_key"]``). Only the
``from_dict`` classmethod is not there: a result is made by the client. A field the answer lacks reads as
``UNSET`` (falsy), as in the generated model, except where the result class
defines the attribute itself (``usage``, ``id`` and ``model`` give None).

``ResultDump`` gives both results ``to_dict()`` / ``to_json()`` and the
openai-python names ``model_dump()`` / ``model_dump_json()`` over the JSON
each class holds (``_json_data()``: the body as received, or the assembled
stream).
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aimlapi_grok_api.models import ChatCompletion

    from ._errors import APIError

__all__ = ["CompletionFields", "ResultDump", "completion_field_names"]


@cache
def completion_field_names() -> frozenset[str]:
    """The attribute names of the generated ChatCompletion's fields (imported on first use)."""
    # Imported here: attrs and a completion's generated models (~20 ms CPU) are not loaded by `import aimlapi_grok`.
    import attrs  # noqa: PLC0415
    from aimlapi_grok_api.models import ChatCompletion  # noqa: PLC0415

    return frozenset(field.name for field in attrs.fields(ChatCompletion))


if TYPE_CHECKING:
    CompletionFields = ChatCompletion
else:

    class CompletionFields:
        """Reads each field of the generated ChatCompletion from ``self.completion`` (see the module docstring)."""

        __slots__ = ()

        def __getattr__(self, name: str) -> Any:
            # Only called when ordinary lookup failed: the result's own attributes never come here,
            # except a property that itself raised AttributeError: run it again so its own error shows.
            if name in completion_field_names():
                return getattr(self.completion, name)
            own = getattr(type(self), name, None)
            if isinstance(own, property) and own.fget is not None:
                return own.fget(self)
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def __dir__(self) -> list[str]:
            return sorted(set(super().__dir__()) | completion_field_names())

        @property
        def additional_keys(self) -> list[str]:
            """The top-level keys the spec does not list (kept in ``additional_properties``)."""
            return self.completion.additional_keys

        def __getitem__(self, key: str) -> Any:
            return self.completion[key]

        def __contains__(self, key: str) -> bool:
            return key in self.completion

        def __setitem__(self, key: str, value: Any) -> None:
            self.completion[key] = value

        def __delitem__(self, key: str) -> None:
            del self.completion[key]


class ResultDump:
    """``to_dict()`` / ``to_json()`` and their openai-python spellings, over the class's ``_json_data()``."""

    __slots__ = ()

    def _json_data(self) -> dict[str, Any]:
        raise NotImplementedError  # each result class says what its JSON is

    def _unreadable(self, reason: str) -> APIError:
        raise NotImplementedError  # each result class says which library error describes it

    def to_dict(self) -> dict[str, Any]:
        """The completion as a JSON object, unknown fields kept (a fresh copy: change it freely)."""
        try:  # a JSON round trip copies as deep as the answer could be decoded (deepcopy stops sooner)
            copied: dict[str, Any] = json.loads(json.dumps(self._json_data()))
        except RecursionError as exc:
            raise self._unreadable("a value is nested too deep to copy") from exc
        return copied

    def to_json(self, *, indent: int | None = 2) -> str:
        """The completion as JSON text, unknown fields kept, indented by 2 as openai-python's (non-ASCII as is)."""
        try:
            return json.dumps(self._json_data(), indent=indent, ensure_ascii=False)
        except RecursionError as exc:
            raise self._unreadable("a value is nested too deep to write as JSON") from exc

    def model_dump(self) -> dict[str, Any]:
        """Alias of ``to_dict()``, for code ported from openai-python (takes none of pydantic's options)."""
        return self.to_dict()

    def model_dump_json(self, *, indent: int | None = None) -> str:
        """``to_json()``, compact unless ``indent`` is given as in pydantic, for code ported from openai-python."""
        return self.to_json(indent=indent)
