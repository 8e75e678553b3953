"""Bounded JSON schemas for constrained decoding, built from the Pydantic schema models (no torch)."""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from schemas.common import ISO_4217, _currency
from schemas.registry import get_schema

# Plain decimals as printed, without currency or thousands separators: parse_amount accepts them all.
NUMBER_PATTERN = r"^-?[0-9]{1,10}(\.[0-9]{1,4})?$"
# Real calendar days only (day 29-31 handled per month family) between 1900 and 2099.
DATE_PATTERN = (
    r"^(19|20)[0-9]{2}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)$"
)
TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


@dataclass(frozen=True)
class Bounds:
    """Size limits that make every generation end: characters per string, items per list."""

    max_string: int = 160
    max_long_string: int = 6000  # e.g. ui_code html
    max_items: int = 40
    max_cells: int = 12

    def tighter(self) -> Bounds:
        """The bounds for the retry after an output ran out of tokens."""
        return Bounds(max_string=32, max_long_string=600, max_items=4, max_cells=6)


LONG_STRING_FIELDS = frozenset({"html", "notes"})


def bounded_schema(kind: str, bounds: Bounds = Bounds()) -> dict[str, Any]:
    """The JSON schema the decoder must follow for a schema kind: every field present, every size bounded."""
    return _model_schema(get_schema(kind), bounds)


def _model_schema(model: type[BaseModel], bounds: Bounds) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        long = name in LONG_STRING_FIELDS
        props[name] = _type_schema(info.annotation, info.metadata, bounds, long=long, name=name)
    return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def _type_schema(tp: Any, metadata: list[Any], bounds: Bounds, *, long: bool = False, name: str = "") -> dict[str, Any]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(tp)
        return _type_schema(base, [*metadata, *extra], bounds, long=long, name=name)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inner = _type_schema(args[0] if len(args) == 1 else str, metadata, bounds, long=long, name=name)
        return {"anyOf": [inner, {"type": "null"}]}
    if origin is list:
        (item,) = typing.get_args(tp)
        nested_list = typing.get_origin(item) is list
        limit = bounds.max_items
        schema = _type_schema(item, [], bounds)
        if not nested_list and schema.get("type") == "string" and name == "":
            limit = bounds.max_cells  # a row of cells
        return {"type": "array", "items": schema, "maxItems": limit}
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return _model_schema(tp, bounds)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return {"type": "string", "enum": [str(m.value) for m in tp]}
    if tp is Decimal:
        return {"type": "string", "pattern": NUMBER_PATTERN}
    if tp is dt.date:
        return {"type": "string", "pattern": DATE_PATTERN}
    if tp is str:
        if any(getattr(m, "func", None) is _currency for m in metadata):
            return {"type": "string", "enum": sorted(ISO_4217)}
        if name.endswith("_time"):
            return {"type": "string", "pattern": TIME_PATTERN}
        return {"type": "string", "maxLength": bounds.max_long_string if long else bounds.max_string}
    if tp in (int, float):
        return {"type": "number"}
    if tp is bool:
        return {"type": "boolean"}
    raise TypeError(f"no bounded JSON schema for type {tp!r}")


def grammar_for(kind: str, bounds: Bounds = Bounds()) -> str:
    """The llguidance grammar (compact JSON, no free whitespace) for a schema kind."""
    from llguidance import LLMatcher

    return LLMatcher.grammar_from_json_schema(
        bounded_schema(kind, bounds),
        defaults={"whitespace_flexible": False, "item_separator": ",", "key_separator": ":"},
    )
