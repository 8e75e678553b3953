"""The Chart page's logic: an extracted chart table as a data frame, a Vega-Lite plot of it, and CSV."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from schemas.common import parse_amount


def table(data: Mapping[str, Any]) -> pd.DataFrame:
    """The chart's rows under its header, all text (as extracted); short rows padded, long ones cut."""
    columns = [str(c) for c in data.get("columns") or []]
    rows = [[("" if v is None else str(v)) for v in row] for row in data.get("rows") or []]
    width = len(columns) or max((len(r) for r in rows), default=0)
    if not columns:
        columns = [f"column {i + 1}" for i in range(width)]
    columns = _unique(columns)
    fitted = [(row + [""] * width)[:width] for row in rows]
    return pd.DataFrame(fitted, columns=columns)


def _unique(names: list[str]) -> list[str]:
    """Header names made unique ('' and repeats get a suffix) so the frame and the plot can address them."""
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        base = name.strip() or f"column {i + 1}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out


def _number(value: str) -> float | None:
    try:
        amount = parse_amount(value.replace("%", ""))
    except ValueError:
        return None
    return None if amount is None else float(amount)


def long_form(frame: pd.DataFrame) -> pd.DataFrame:
    """(category, series, value) rows for every numeric cell; non-numeric cells are left out of the plot."""
    if frame.shape[1] < 2:
        return pd.DataFrame(columns=["category", "series", "value"])
    category = frame.columns[0]
    records = []
    for order, (_, row) in enumerate(frame.iterrows()):
        for series in frame.columns[1:]:
            value = _number(str(row[series]))
            if value is not None:
                records.append({"category": str(row[category]), "series": series, "value": value, "order": order})
    return pd.DataFrame(records, columns=["category", "series", "value", "order"])


def vega_spec(data: Mapping[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    """A grouped bar chart (or a line chart when the categories look like years) re-drawn from the table."""
    categories = [str(v) for v in frame.iloc[:, 0]] if frame.shape[1] else []
    temporal = len(categories) > 3 and all(c.strip().isdigit() and len(c.strip()) == 4 for c in categories)
    x = {
        "field": "category",
        "type": "ordinal",
        "sort": {"field": "order"},
        "title": str(data.get("x_label") or (frame.columns[0] if frame.shape[1] else "")),
    }
    y = {"field": "value", "type": "quantitative", "title": str(data.get("y_label") or "")}
    color = {"field": "series", "type": "nominal", "title": None}
    spec: dict[str, Any] = {
        "mark": {"type": "line", "point": True} if temporal else {"type": "bar"},
        "encoding": {"x": x, "y": y, "color": color},
    }
    if not temporal and frame.shape[1] > 2:
        spec["encoding"]["xOffset"] = {"field": "series"}
    if data.get("title"):
        spec["title"] = str(data["title"])
    return spec


def to_csv(frame: pd.DataFrame) -> str:
    """The table as CSV; a cell a spreadsheet would run as a formula ('=HYPERLINK(...)') is written as text."""
    from docai.store.spreadsheet import csv_text

    return csv_text(frame.columns, frame.astype(str).values.tolist())
