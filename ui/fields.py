"""What the Review page edits: a result's fields, their evidence and issues, and edits turned into corrections."""

from __future__ import annotations

import math
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from schemas.registry import get_schema

# Long free text gets a text area rather than a one-line input.
MULTILINE = frozenset({"html", "notes", "merchant_address", "vendor_address", "customer_address"})


@dataclass(frozen=True)
class FieldView:
    """One top-level value as the reviewer sees it, with where it came from and what is wrong with it."""

    path: str
    name: str
    label: str
    text: str
    description: str
    confidence: float | None
    source: str | None
    issues: list[dict[str, Any]] = field(default_factory=list)


def _item_model(annotation: Any) -> type[BaseModel] | None:
    """The row model of a `list[Row]` field, else None."""
    if typing.get_origin(annotation) is list:
        (arg,) = typing.get_args(annotation) or (None,)
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def scalar_names(kind: str) -> list[str]:
    """The schema's single-value fields, in schema order (lists of rows are edited as tables)."""
    model = get_schema(kind)
    return [n for n, f in model.model_fields.items() if typing.get_origin(f.annotation) is not list]


def table_names(kind: str) -> list[str]:
    """The schema's list-of-rows fields (line items, form fields), edited in a data editor."""
    model = get_schema(kind)
    return [n for n, f in model.model_fields.items() if _item_model(f.annotation) is not None]


def row_columns(kind: str, name: str) -> list[str]:
    model = _item_model(get_schema(kind).model_fields[name].annotation)
    return list(model.model_fields) if model else []


def path_label(path: str) -> str:
    """'/items/0/unit_price' → 'items 1 unit price' (row numbers count from 1, as a reviewer counts)."""
    parts = [str(int(p) + 1) if p.isdigit() else p.replace("_", " ") for p in path.strip("/").split("/")]
    return " ".join(parts)


def as_text(value: Any) -> str:
    """A stored JSON value as the text an input shows; None is empty."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value)


def issues_by_field(issues: Sequence[Mapping[str, Any]]) -> dict[str | None, list[dict[str, Any]]]:
    grouped: dict[str | None, list[dict[str, Any]]] = {}
    for issue in issues:
        grouped.setdefault(issue.get("field"), []).append(dict(issue))
    return grouped


def field_views(
    kind: str, data: Mapping[str, Any], evidence: Mapping[str, Any], issues: Sequence[Mapping[str, Any]]
) -> list[FieldView]:
    """Every single-value field of the result, in schema order."""
    model = get_schema(kind)
    grouped = issues_by_field(issues)
    views = []
    for name in scalar_names(kind):
        path = f"/{name}"
        ev = evidence.get(path) if isinstance(evidence.get(path), Mapping) else {}
        views.append(
            FieldView(
                path=path,
                name=name,
                label=name.replace("_", " ").capitalize(),
                text=as_text(data.get(name)),
                description=model.model_fields[name].description or "",
                confidence=float(ev["confidence"]) if ev and ev.get("confidence") is not None else None,
                source=ev.get("source") if ev else None,
                issues=grouped.get(path, []),
            )
        )
    return views


def check_value(kind: str, name: str, text: str) -> Any:
    """The edited text parsed the way the schema parses it, as JSON; ValueError with a readable message if it does not fit."""
    model = get_schema(kind)
    return _check(model, name, text)


def _check(model: type[BaseModel], name: str, text: Any) -> Any:
    blank = text is None or (isinstance(text, str) and not text.strip())
    required_str = model.model_fields[name].annotation is str
    value = ("" if required_str else None) if blank else text
    instance = model.model_construct()
    try:
        setattr(instance, name, value)  # Record validates on assignment with the field's own parser
    except ValidationError as err:
        message = "; ".join(e["msg"].removeprefix("Value error, ") for e in err.errors())
        raise ValueError(f"{name.replace('_', ' ')}: {message}") from None
    return instance.model_dump(mode="json", include={name})[name]


def check_cell(kind: str, table: str, column: str, text: str) -> Any:
    """One line-item cell's text parsed like the schema parses it (see check_value)."""
    model = _item_model(get_schema(kind).model_fields[table].annotation)
    if model is None or column not in model.model_fields:
        raise ValueError(f"{table} has no column {column!r}")
    return _check(model, column, text)


def rows_frame(kind: str, name: str, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Line items as a text table for st.data_editor (text, so '12.50' keeps its printed form), rows numbered from 1."""
    columns = row_columns(kind, name)
    records = [{c: as_text(row.get(c)) for c in columns} for row in rows]
    frame = pd.DataFrame(records, columns=columns, dtype="string")
    frame.index = pd.RangeIndex(1, len(records) + 1)  # the numbers a reviewer counts, and the row picker shows
    return frame


def row_label(number: int, row: Mapping[str, Any]) -> str:
    """'Row 3: Coffee beans 1 kg' for the row picker (plain text)."""
    first = next((as_text(v) for v in row.values() if as_text(v).strip()), "")
    return f"Row {number}: {first[:40]}" if first else f"Row {number}"


def table_corrections(
    kind: str, name: str, before: Sequence[Mapping[str, Any]], after: pd.DataFrame
) -> list[dict[str, Any]]:
    """Edits of a data editor as corrections: one per changed cell, or the whole list when rows were added or removed."""
    model = _item_model(get_schema(kind).model_fields[name].annotation)
    if model is None:
        raise ValueError(f"{name} is not a table of rows")
    columns = row_columns(kind, name)
    parsed: list[dict[str, Any]] = []
    problems = []
    for number, (_, row) in enumerate(after.iterrows(), start=1):
        cells = {c: as_text(row.get(c)) for c in columns}
        if not any(v.strip() for v in cells.values()):
            continue  # an empty added row is not a line item
        try:
            parsed.append({c: _check(model, c, cells[c]) for c in columns})
        except ValueError as err:
            problems.append(f"row {number}: {err}")
    if problems:
        raise ValueError("; ".join(problems))
    if len(parsed) != len(before):
        return [{"field": f"/{name}", "value": parsed}]
    corrections = []
    for index, (old, new) in enumerate(zip(before, parsed, strict=True)):
        for column in columns:
            if _normal(old.get(column)) != _normal(new.get(column)):
                corrections.append({"field": f"/{name}/{index}/{column}", "value": new.get(column)})
    return corrections


def _normal(value: Any) -> str:
    return as_text(value).strip()


def changed(old: Any, new: Any) -> bool:
    """Whether an edit differs from the stored value (ignoring blank-vs-None and surrounding spaces)."""
    return _normal(old) != _normal(new)
