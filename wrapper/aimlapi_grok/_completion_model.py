"""A completion body (dict) -> the generated ``ChatCompletion``, equal to its ``from_dict`` and several times faster.

The generated ``ChatCompletion.from_dict`` is recursive: one ``from_dict`` per
nested model, each re-importing its submodels and building closures on every
call (about 20 µs for a typical completion, more than the rest of the typed
read). ``build_completion`` builds the same objects (the real generated attrs
classes) with one straight-line function per model, compiled once from the
spec's tables (``COMPLETION_TABLES`` in the generated ``aimlapi_grok_api._surface``):
each field is read with ``get``, enum values are checked against a frozenset,
nested models and lists of models call their own compiled function, and the
object is made by filling the slots of a bare instance (where the attrs class
allows it, see ``fills_slots``).

Equal by construction: a function takes its fast path only where the generated
``from_dict`` takes the value as it is, checks an enum or builds a nested
model; for anything else (a required field missing, an enum value it would
refuse, a null in a slot that is not nullable, a value of another JSON type,
a field whose generated parsing is more than that, such as a union: kind
``other`` in the tables) it hands the whole object to that model's generated
``from_dict``, which then decides (and raises) as it always did; so does a
nested build that fails where the slot is not nullable. A property
test checks the equality on completions drawn from the spec, with unknown and
odd fields, for every mirrored spec.

The drift handling is not here: `_response` moves values the models cannot
hold out of the body first (`_tolerate`) and reports them.

This module imports the generated models, so it is imported lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from aimlapi_grok_api.types import UNSET

from ._model_build import GENERATED_PARSE_ERRORS, fills_slots, model_class, unknown_fields
from ._schema import surface

if TYPE_CHECKING:
    from aimlapi_grok_api.models import ChatCompletion

__all__ = ["build_completion"]

Field = tuple[str, str, str, Any, bool, bool]  # JSON key, attribute, kind, detail, required, nullable
Table = tuple[str, str, tuple[Field, ...]]


def _field_lines(number: int, index: int, field: Field, fast: Mapping[str, int]) -> list[str]:
    """Code that leaves the field's typed value in `v<index>`, or returns the generated from_dict's object."""
    key, _, kind, detail, required, nullable = field
    v = f"v{index}"
    slow = f"return T{number}_cls.from_dict(data)"
    lines = [f"{v} = get({key!r}, UNSET)"]
    if required and kind != "const":
        lines += [f"if {v} is UNSET:", f"    {slow}"]  # from_dict raises KeyError
    # Present and not null where null is allowed (a null there is kept as None, as from_dict does).
    given = f"{v} is not UNSET and {v} is not None" if nullable else f"{v} is not UNSET"
    allowed = f"T{number}_{index}_allowed"
    if kind == "const":
        return [*lines, f"if type({v}) is not str or {v} not in {allowed}:", f"    {slow}"]
    if kind == "enum":
        return [*lines, f"if {v} is not UNSET and (type({v}) is not str or {v} not in {allowed}):", f"    {slow}"]
    if kind == "plain":
        return lines
    if kind == "other":
        return [*lines, f"if {given}:", f"    {slow}"]
    nested = fast[detail]
    build = f"build_{nested}({v})" if kind == "model" else f"[item_{nested}(x) for x in {v}]"
    container = "dict" if kind == "model" else "list"
    # When the nested build fails, a nullable slot keeps the raw value (as from_dict does); any other slot hands
    # the object to from_dict, so what is raised, and in which field order, is what the generated code decides.
    failed = "        pass" if nullable else f"        {slow}"
    made = ["    try:", f"        {v} = {build}", "    except ERRORS:", failed]
    return [*lines, f"if {given}:", f"    if type({v}) is not {container}:", f"        {slow}", *made]


class _Compiler:
    """Compiles each table into `build_<n>(data)` (a dict in, the model out) and `item_<n>(value)` (any value)."""

    def __init__(self, tables: tuple[Table, ...]) -> None:
        self.tables = tables
        fast = {class_name: number for number, (class_name, _, _) in enumerate(tables)}
        self.namespace: dict[str, Any] = {
            "UNSET": UNSET,
            "ERRORS": GENERATED_PARSE_ERRORS,
            "_unknown": unknown_fields,
            "_new": object.__new__,
        }
        source = [self._function(number, fields, fast) for number, (_, _, fields) in enumerate(tables)]
        exec(compile("\n".join(source), "<aimlapi_grok completion builders>", "exec"), self.namespace)  # noqa: S102 (our own source)

    def _function(self, number: int, fields: tuple[Field, ...], fast: Mapping[str, int]) -> str:
        namespace = self.namespace
        cls = namespace[f"T{number}_cls"] = model_class(self.tables[number][0])
        namespace[f"T{number}_keys"] = frozenset(field[0] for field in fields)
        for index, (_, _, kind, detail, _, _) in enumerate(fields):
            if kind in ("const", "enum"):
                namespace[f"T{number}_{index}_allowed"] = frozenset((detail,) if kind == "const" else detail)
        lines = [f"extra = None if data.keys() <= T{number}_keys else _unknown(data, T{number}_keys)", "get = data.get"]
        for index, field in enumerate(fields):
            lines += _field_lines(number, index, field, fast)
        attributes = [field[1] for field in fields]
        if fills_slots(cls, attributes):
            lines.append(f"obj = _new(T{number}_cls)")
            lines += [f"obj.{attribute} = v{index}" for index, attribute in enumerate(attributes)]
        else:
            arguments = ", ".join(f"{attribute}=v{index}" for index, attribute in enumerate(attributes))
            lines.append(f"obj = T{number}_cls({arguments})")
        lines += ["obj.additional_properties = {} if extra is None else extra", "return obj"]
        return (
            f"def build_{number}(data):\n"
            + "".join(f"    {line}\n" for line in lines)
            + f"def item_{number}(value):\n"
            + f"    return build_{number}(value) if type(value) is dict else T{number}_cls.from_dict(value)\n"
        )


_BUILDERS = _Compiler(surface().COMPLETION_TABLES).namespace

# The generated ChatCompletion of a completion body, equal to ``ChatCompletion.from_dict(data)`` (which it may
# call): the compiled function of the first table (the completion itself), so a call pays no wrapper call.
build_completion: Callable[[Mapping[str, Any]], ChatCompletion] = _BUILDERS["item_0"]
