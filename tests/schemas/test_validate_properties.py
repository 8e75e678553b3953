"""Validation never raises on data a schema accepts: property-based, over every registered schema."""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from schemas.registry import get_schema, schema_kinds
from schemas.validate import validate

# Values an engine or a reviewer may send for a number: exact and inexact, huge and tiny, text with separators.
NUMBERS = st.one_of(
    st.none(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["12,50", "1.234,56", "(3.00)", "RM 9.90", "1e400", "9" * 40, "0.000001", "-0"]),
)
DATES = st.one_of(st.none(), st.dates(), st.sampled_from(["2024-02-30", "31/12/2023", "12.03.24", "1899-01-01"]))
TEXT = st.one_of(st.none(), st.text(max_size=20))


def _unwrap(annotation: object) -> object:
    """The annotation without Optional/Annotated wrappers."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = args[0] if len(args) == 1 else annotation
    return annotation


def raw_values(model: type[BaseModel]) -> st.SearchStrategy[dict]:
    """Dicts shaped like model, each field drawn from the values its type might meet."""
    fields = {}
    for name, info in model.model_fields.items():
        kind = _unwrap(info.annotation)
        origin = typing.get_origin(kind)
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            fields[name] = raw_values(kind)
        elif origin is list:
            (item,) = typing.get_args(kind)
            item = _unwrap(item)
            inner = raw_values(item) if isinstance(item, type) and issubclass(item, BaseModel) else _leaf(item)
            fields[name] = st.lists(inner, max_size=4)
        else:
            fields[name] = _leaf(kind)
    return st.fixed_dictionaries({}, optional=fields)


def _leaf(kind: object) -> st.SearchStrategy:
    if kind is Decimal:
        return NUMBERS
    if kind is dt.date:
        return DATES
    if typing.get_origin(kind) is list:
        return st.lists(_leaf(_unwrap(typing.get_args(kind)[0])), max_size=4)
    if isinstance(kind, type) and issubclass(kind, str) and kind is not str:  # a StrEnum
        return st.one_of(st.sampled_from(list(kind)), TEXT)
    return st.one_of(TEXT, NUMBERS)


@pytest.mark.parametrize("kind", schema_kinds())
def test_validation_never_raises_on_schema_valid_data(kind: str) -> None:
    model = get_schema(kind)

    @settings(
        max_examples=300,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(raw=raw_values(model), today=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))
    def check(raw: dict, today: dt.date) -> None:
        try:
            doc = model.model_validate(raw)
        except ValidationError:
            return  # not schema-valid: the schema refuses it, validation never sees it
        issues = validate(doc, today)
        for issue in issues:
            assert issue.message and (issue.field is None or issue.field.startswith("/"))
        model.model_validate(doc.model_dump(mode="json"))  # what is stored reads back

    check()


def test_a_line_without_a_tax_rate_is_checked_not_crashed() -> None:
    """The invoice2data failure: qty 2 × price 3 read as 10, no tax rate (Decimal times float raised)."""
    invoice = get_schema("invoice").model_validate(
        {"line_items": [{"quantity": "2", "unit_price": "3", "amount": "10"}]}
    )
    [issue] = validate(invoice)
    assert issue.code == "line_amount_mismatch" and issue.field == "/line_items/0/amount"
    assert "2 × 3 = 6" in issue.message
