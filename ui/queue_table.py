"""The Queue page's table and its address: API document items as display rows, filters kept in the query string."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ui.fields import path_label
from ui.format import age, status_label

COLUMNS = ["Document", "Status", "Vendor", "Date", "Total", "Why", "Age", "Schema", "Engine", "Error", "id"]
# Sort choices: the label shown, and the API's `sort` (a leading '-' for order=desc, else order=asc).
SORTS = {
    "Newest first": "-created",
    "Oldest first": "created",
    "Vendor A–Z": "vendor",
    "Date (newest)": "-date",
    "Total (largest)": "-total",
    "Why it waits": "reason",
    "Status": "status",
    "File name": "filename",
}
REASONS = {
    "low_confidence": "low confidence",
    "validation_issue": "validation issue",
    "missing_required": "missing value",
    "none": "nothing to review",
}
PAGE_SIZE = 50


def vendor(doc: Mapping[str, Any]) -> str:
    return str(doc.get("vendor") or "")


def sort_params(label: str) -> tuple[str, str]:
    """The API's (sort, order) for a sort choice."""
    value = SORTS.get(label, "-created")
    return value.lstrip("-"), "desc" if value.startswith("-") else "asc"


def total(doc: Mapping[str, Any]) -> str:
    """'1,234.50 EUR' (amounts arrive as decimal strings)."""
    amount = doc.get("total")
    if amount in (None, ""):
        return ""
    try:
        text = f"{float(amount):,.2f}"
    except (TypeError, ValueError):
        text = str(amount)
    return f"{text} {doc.get('currency') or ''}".strip()


def why(doc: Mapping[str, Any]) -> str:
    """The review reasons in a few words: 'Total: low confidence; Subtotal: validation issue; 1 more'."""
    parts = []
    for reason in doc.get("reasons") or []:
        if not isinstance(reason, Mapping):
            continue
        kind = REASONS.get(str(reason.get("reason") or ""), str(reason.get("reason") or ""))
        if reason.get("code") == "possible_duplicate":
            kind = "possible duplicate"
        label = reason.get("label") or (path_label(str(reason["field"])) if reason.get("field") else "")
        parts.append(f"{label}: {kind}" if label else kind)
    if len(parts) > 2:
        return f"{'; '.join(parts[:2])}; {len(parts) - 2} more"
    return "; ".join(parts)


def skip_reason(action: str, result: Mapping[str, Any]) -> str:
    """Why a bulk action left a document alone, as a clerk reads it."""
    message = str(result.get("message") or "not possible now")
    if action == "approve" and "open error" in message:
        return "errors are open: approve it on the Review page, with a note"
    return message


def queue_frame(docs: list[dict[str, Any]], now: dt.datetime | None = None) -> pd.DataFrame:
    rows = []
    for doc in docs:
        error = doc.get("error") or {}
        rows.append(
            {
                "Document": doc.get("filename") or "",
                "Status": status_label(doc.get("status")),
                "Vendor": vendor(doc),
                "Date": str(doc.get("document_date") or ""),
                "Total": total(doc),
                "Why": why(doc),
                "Age": age(doc.get("created_at"), now),
                "Schema": doc.get("schema") or doc.get("schema_requested") or "",
                "Engine": doc.get("engine") or "",
                "Error": f"{error.get('code')}: {error.get('message')}" if error else "",
                "id": doc.get("id") or "",
            }
        )
    return pd.DataFrame(rows, columns=COLUMNS)


def from_address(params: Mapping[str, str]) -> dict[str, Any]:
    """The queue's state from its address: ?status=a,b&schema=&reason=&q=&sort=&page= (unknown values dropped)."""
    statuses = [s for s in str(params.get("status") or "").split(",") if s]
    sort = str(params.get("sort") or "")
    page = str(params.get("page") or "1")
    return {
        "status": statuses,
        "schema": str(params.get("schema") or "any"),
        "reason": str(params.get("reason") or "any"),
        "q": str(params.get("q") or ""),
        "sort": next((label for label, value in SORTS.items() if value == sort), "Newest first"),
        "page": int(page) if page.isdigit() and int(page) >= 1 else 1,
    }


def to_address(state: Mapping[str, Any]) -> dict[str, str]:
    """The queue's state as query parameters (defaults left out, so the plain address stays plain)."""
    params = {
        "status": ",".join(state.get("status") or []),
        "schema": "" if state.get("schema") == "any" else str(state.get("schema") or ""),
        "reason": "" if state.get("reason") == "any" else str(state.get("reason") or ""),
        "q": str(state.get("q") or "").strip(),
        "sort": "" if state.get("sort") == "Newest first" else SORTS.get(str(state.get("sort")), ""),
        "page": "" if int(state.get("page") or 1) == 1 else str(state.get("page")),
    }
    return {k: v for k, v in params.items() if v}
