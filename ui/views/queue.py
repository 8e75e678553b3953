"""Queue: every document with status, schema, engine, age and issues; filters; auto-refresh; retry a failure."""

import datetime as dt

import streamlit as st

from schemas.registry import schema_kinds
from ui.client import ApiError
from ui.format import STATUS_LABELS, md_escape
from ui.queue_table import queue_frame
from ui.widgets import api, documents_or_error, show_error

client = api()
st.title("Queue")

left, middle, right, toggle = st.columns([3, 2, 2, 1], vertical_alignment="bottom")
statuses = left.multiselect(
    "Status", list(STATUS_LABELS), format_func=lambda s: STATUS_LABELS[s], key="queue_status", placeholder="any"
)
schema = middle.selectbox("Schema", ["any", *schema_kinds()], key="queue_schema")
search = right.text_input("File name contains", key="queue_q")
auto = toggle.toggle("Auto-refresh", value=True, key="queue_auto")


@st.fragment(run_every=3 if auto else None)
def queue() -> None:
    """The table and its actions; re-run on its own every few seconds while auto-refresh is on."""
    counts = st.columns(4)
    for column, (status, label) in zip(
        counts,
        [
            ("queued,processing", "In progress"),
            ("needs_review", "Needs review"),
            ("failed", "Failed"),
            ("approved", "Approved"),
        ],
        strict=True,
    ):
        column.metric(label, documents_or_error(client, status=status, limit=1).get("count", 0))

    listing = documents_or_error(
        client, status=statuses or None, schema=None if schema == "any" else schema, q=search or None, limit=200
    )
    docs = listing.get("data", [])
    frame = queue_frame(docs)
    event = st.dataframe(
        frame,
        hide_index=True,
        column_order=[c for c in frame.columns if c != "id"],
        column_config={
            "Issues": st.column_config.NumberColumn(help="Validation issues found in the extraction"),
            "Error": st.column_config.TextColumn(width="large"),
        },
        on_select="rerun",
        selection_mode="single-row",
        key="queue_table",
    )
    st.caption(f"{listing.get('count', 0)} document(s) · refreshed {dt.datetime.now():%H:%M:%S}")
    rows = event.selection.rows if event is not None else []
    if not rows or rows[0] >= len(docs):
        st.caption("Select a row to open it in Review or to retry a failure.")
        return
    doc = docs[rows[0]]
    st.markdown(f"**{md_escape(doc.get('filename') or '')}**")
    if doc.get("error"):
        st.error(md_escape(doc["error"].get("message") or ""))
    open_col, retry_col, _ = st.columns([1, 1, 4])
    if open_col.button("Open in Review", disabled=doc.get("status") in ("queued", "processing", "failed")):
        st.switch_page("views/review.py", query_params={"doc": doc["id"]})
    if doc.get("status") == "failed" and retry_col.button("Retry", type="primary"):
        try:
            client.retry(doc["id"])
        except ApiError as err:
            show_error(err)
        else:
            st.toast(f"Queued {md_escape(doc.get('filename') or '')} again.")


queue()
