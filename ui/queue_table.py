"""The Queue page's table: API document items as display rows (plain text; the table never renders markup)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ui.format import age, status_label

COLUMNS = ["Document", "Status", "Schema", "Engine", "Pages", "Age", "Issues", "Error", "id"]


def queue_frame(docs: list[dict[str, Any]], now: dt.datetime | None = None) -> pd.DataFrame:
    rows = []
    for doc in docs:
        error = doc.get("error") or {}
        rows.append(
            {
                "Document": doc.get("filename") or "",
                "Status": status_label(doc.get("status")),
                "Schema": doc.get("schema") or doc.get("schema_requested") or "",
                "Engine": doc.get("engine") or "",
                "Pages": int(doc.get("page_count") or 0),
                "Age": age(doc.get("created_at"), now),
                "Issues": int(doc.get("issue_count") or 0),
                "Error": f"{error.get('code')}: {error.get('message')}" if error else "",
                "id": doc.get("id") or "",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)
