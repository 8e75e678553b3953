"""What the Review page's buttons and inputs do: save an edit, a table or picked words; decide; reopen; go next.

These run as Streamlit callbacks (before the page re-renders) and leave messages for it to show as toasts.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from ui import fields
from ui.client import ApiClient, ApiError
from ui.identity import reviewer

NOTICES = "review_notices"
CONFIRM = "confirm_approve"  # the id of the document whose approval waits for a confirmation and a note


def notify(kind: str, text: str) -> None:
    """Queue a message ('success', 'error', 'info') for the next render of the page."""
    st.session_state.setdefault(NOTICES, []).append((kind, text))


def take_notices() -> list[tuple[str, str]]:
    return st.session_state.pop(NOTICES, [])


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


def save_cell(client: ApiClient, doc_id: str, kind: str, path: str, text: str) -> None:
    """Save one line-item cell ('/line_items/2/amount') from picked words."""
    table, _row, column = path.strip("/").split("/")
    try:
        value = fields.check_cell(kind, table, column, text)
        client.correct(doc_id, [{"field": path, "value": value}], author=reviewer())
    except (ValueError, ApiError) as err:
        notify("error", getattr(err, "message", None) or str(err))
        return
    notify("success", f"Saved {fields.path_label(path)}.")


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


def approve_clicked(client: ApiClient, doc_id: str, open_errors: int) -> None:
    """Approve at once, or, with error-level issues open, ask for a confirmation and a note first."""
    if open_errors:
        st.session_state[CONFIRM] = doc_id
        return
    decide(client, doc_id, "approve")


def decide(client: ApiClient, doc_id: str, action: str, *, note: str | None = None) -> bool:
    """Approve (confirmed with a note when errors are open) or reject; then open the next document to review."""
    try:
        if action == "approve":
            doc = client.approve(doc_id, author=reviewer(), confirm=note is not None, note=note)
        else:
            doc = client.reject(doc_id, author=reviewer())
    except ApiError as err:
        notify("error", err.message)
        return False
    st.session_state.pop(CONFIRM, None)
    notify("success", f"Document {doc.get('status', action + 'd').replace('_', ' ')}.")
    go_next(client, doc_id)
    return True


def reopen(client: ApiClient, doc_id: str) -> None:
    """Send an approved or rejected document back to review (the API audits it)."""
    try:
        client.reopen(doc_id, author=reviewer())
    except ApiError as err:
        notify("error", err.message)
        return
    notify("success", "Document reopened for review.")


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
