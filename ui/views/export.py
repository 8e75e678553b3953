"""Export: approved results (or any status) as CSV or JSON, filtered by schema."""

import streamlit as st

from schemas.registry import schema_kinds
from ui.client import ApiError
from ui.format import STATUS_LABELS
from ui.widgets import api, documents_or_error, show_error

client = api()
st.title("Export")
st.caption("Results as they stand after review (corrections applied).")

left, middle, right = st.columns(3)
status = left.selectbox(
    "Status",
    list(STATUS_LABELS),
    index=list(STATUS_LABELS).index("approved"),
    format_func=lambda s: STATUS_LABELS[s],
    key="export_status",
)
schema = middle.selectbox("Schema", ["any", *schema_kinds()], key="export_schema")
fmt = right.radio("Format", ["csv", "json"], horizontal=True, key="export_format")
schema_filter = None if schema == "any" else schema

count = documents_or_error(client, status=status, schema=schema_filter, limit=1).get("count", 0)
st.metric("Documents matching", count)
if count == 0:
    st.info("Nothing matches these filters yet: approve documents on the Review page.")
    st.stop()

try:
    download = client.export(fmt, status=status, schema=schema_filter)
except ApiError as err:
    show_error(err)
    st.stop()

st.download_button(
    f"Download {fmt.upper()} ({count} documents)",
    download.content,
    file_name=download.filename,
    mime=download.media_type,
    type="primary",
    key="export_download",
)
with st.expander("Preview"):
    st.code(download.content.decode("utf-8", errors="replace")[:20000], language=fmt)
