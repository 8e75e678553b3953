"""The audit trail as a person reads it: local time, field labels, old → new."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

from ui.fields import path_label
from ui.format import parse_time

COLUMNS = ["When", "Who", "What", "Change"]
PAST = {"approve": "approved", "reject": "rejected", "reopen": "reopened"}


def local_time(value: str | None, timezone: str | None) -> str:
    """'30 Nov 2026, 18:04' in the reader's time zone (UTC when the browser does not say)."""
    moment = parse_time(value)
    if moment is None:
        return ""
    try:
        zone: dt.tzinfo = ZoneInfo(timezone) if timezone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    local = moment.astimezone(zone)
    return local.strftime("%d %b %Y, %H:%M") + ("" if timezone else " UTC")


def shown(value: Any) -> str:
    """A stored value as text: empty for none, lists and tables as compact JSON, long text shortened."""
    if value is None or value == "":
        return "(empty)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "…"


def rows(trail: Sequence[dict[str, Any]], timezone: str | None) -> pd.DataFrame:
    """One line per audit entry (a correction or a decision), oldest first."""
    lines = []
    for entry in trail:
        field = str(entry.get("field") or "")
        if entry.get("kind") == "decision":
            what = PAST.get(str(entry.get("action")), str(entry.get("action") or "decision"))
            change = f"{_status(entry.get('from_status'))} → {_status(entry.get('to_status'))}"
        else:
            what = str(entry.get("label") or (path_label(field) if field.startswith("/") else field))
            change = f"{shown(entry.get('old_value'))} → {shown(entry.get('new_value'))}"
        if entry.get("note"):
            change += f" (note: {entry['note']})"
        author, name = str(entry.get("author") or ""), str(entry.get("reviewer") or "")
        lines.append(
            {
                "When": local_time(entry.get("at") or entry.get("created_at"), timezone),
                "Who": f"{name} ({author})" if name and author and name != author else name or author,
                "What": what,
                "Change": change,
            }
        )
    return pd.DataFrame(lines, columns=COLUMNS)


def from_corrections(corrections: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """GET /corrections rows as audit entries (an API without /audit): the typed name is in `note` there."""
    return [{**c, "kind": "correction", "reviewer": c.get("note"), "note": None} for c in corrections]


def _status(status: Any) -> str:
    return str(status or "?").replace("_", " ")
