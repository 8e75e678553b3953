"""Chart-to-table schema: the data behind a chart, exportable as CSV."""

from __future__ import annotations

import csv
import io
from typing import Annotated, ClassVar

from pydantic import BeforeValidator, Field

from schemas.common import DocSchema
from schemas.registry import register_schema

# Cells are text: numbers keep the precision printed on the chart.
Cell = Annotated[str, BeforeValidator(lambda v: "" if v is None else str(v))]


@register_schema
class Chart(DocSchema):
    kind: ClassVar[str] = "chart"
    title: str | None = Field(default=None, description="Chart title as printed.")
    x_label: str | None = Field(default=None, description="Label of the category (x) axis.")
    y_label: str | None = Field(default=None, description="Label of the value (y) axis.")
    columns: list[str] = Field(default_factory=list, description="Header: the category column, then one per series.")
    rows: list[list[Cell]] = Field(
        default_factory=list, description="One row per category: its name, then each series' value without units."
    )

    def to_csv(self) -> str:
        """The table as CSV text, header first."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        if self.columns:
            writer.writerow(self.columns)
        writer.writerows(self.rows)
        return buffer.getvalue()
