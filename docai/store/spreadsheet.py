"""CSV that is safe to open in a spreadsheet: no cell extracted from a document can become a formula."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what Excel, LibreOffice and Sheets read as a formula


def cell_text(value: Any) -> str:
    """A value as CSV cell text; text a spreadsheet would run as a formula gets a leading apostrophe."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    if text.startswith(FORMULA_STARTS) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """Header and rows as CSV, every cell (the header's too) made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([cell_text(h) for h in header])
    writer.writerows([cell_text(v) for v in row] for row in rows)
    return out.getvalue()
