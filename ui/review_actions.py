"""What the Review page's buttons and inputs do: save an edit, save a table, approve, reject, go to the next one.

These run as Streamlit callbacks (before the page re-renders) and leave messages in session state for it to show.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui import fields
from ui.client import ApiClient, ApiError

NOTICES = "review_notices"


def notify(kind: str, text: str) -> None:
    """Queue a message ('success', 'error', 'info') for the next render of the page."""
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def take_notices() -> list[tuple[str, str]]:
    return st.session_state.pop(NOTICES, [])


def reviewer() -> str | None:
    """The name typed in the sidebar; the API records it with each correction and decision."""
    name = str(st.session_state.get("reviewer") or "").strip()
    return name or None


def error_key(widget_key: str) -> str:
    return f"{widget_key}:error"


def save_field(client: ApiClient, doc_id: str, kind: str, name: str, widget_key: str, old: Any) -> None:
    """Check the edited text against the schema, then PATCH it as one audited correction."""
    st.session_state.pop(error_key(widget_key), None)
    text = st.session_state.get(widget_key, "")
    try:
        value = fields.check_value(kind, name, text)
    except ValueError as err:
        st.session_state[error_key(widget_key)] = str(err)
        return
    if not fields.changed(old, value):
        return
    try:
        client.correct(doc_id, [{"field": f"/{name}", "value": value}], author=reviewer())
    except ApiError as err:
        st.session_state[error_key(widget_key)] = err.message
        return
    notify("success", f"Saved {name.replace('_', ' ')}.")


def save_table(
    client: ApiClient, doc_id: str, kind: str, name: str, before: list[dict[str, Any]], edited: pd.DataFrame
) -> None:
    """Turn the data editor's edits into corrections (cells, or the whole list) and PATCH them."""
    try:
        corrections = fields.table_corrections(kind, name, before, edited)
    except ValueError as err:
        notify("error", str(err))
        return
    if not corrections:
        notify("info", "No changes to save.")
        return
    try:
        client.correct(doc_id, corrections, author=reviewer())
    except ApiError as err:
        notify("error", err.message)
        return
    notify("success", f"Saved {len(corrections)} change(s) to {name.replace('_', ' ')}.")


def decide(client: ApiClient, doc_id: str, action: str) -> None:
    """Approve or reject the document."""
    try:
        decide_call = client.approve if action == "approve" else client.reject
        doc = decide_call(doc_id, author=reviewer())
    except ApiError as err:
        notify("error", err.message)
        return
    notify("success", f"Document {doc.get('status', action + 'd')}.")


def go_next(client: ApiClient, doc_id: str | None) -> None:
    """Open the oldest other document that needs review."""
    try:
        nxt = client.next_to_review(exclude=doc_id)
    except ApiError as err:
        notify("error", err.message)
        return
    if nxt is None:
        notify("info", "No other document needs review.")
        return
    st.query_params["doc"] = nxt["id"]
