"""Export: reviewed results per kind, as a spreadsheet (a sheet per kind and per list of line items), CSV files,
or JSON with evidence; everything at once or one kind at a time."""

import streamlit as st

from schemas.registry import schema_kinds
from ui.client import ApiError
from ui.format import STATUS_LABELS
from ui.widgets import api, documents_or_error, show_error

FORMATS = {
    "xlsx": "Spreadsheet (XLSX): a sheet per kind, line items on sheets of their own",
    "zip": "CSV files (ZIP): the same tables, one file each",
    "json": "JSON: everything, with evidence, issues and decisions",
    "csv": "CSV: one line per document",
}

client = api()
st.title("Export")
st.caption("Results as they stand after review (corrections applied), with issue and reviewer columns.")

left, right = st.columns([1, 2])
status = left.selectbox(
    "Status",
    list(STATUS_LABELS),
    index=list(STATUS_LABELS).index("approved"),
    format_func=lambda s: STATUS_LABELS[s],
    key="export_status",
)
fmt = right.radio("Format", list(FORMATS), format_func=FORMATS.get, key="export_format")

counts = {
    kind: documents_or_error(client, status=status, schema=kind, limit=1).get("count", 0) for kind in schema_kinds()
}
total = sum(counts.values())
st.metric("Documents matching", total)
if total == 0:
    st.info("Nothing matches yet: approve documents on the Review page.")
    st.stop()


def download(label: str, kind: str | None, key: str, primary: bool = False) -> bytes | None:
    """One download button for one kind (or all); the file comes from GET /v1/export."""
    try:
        file = client.export(fmt, status=status, schema=kind)
    except ApiError as err:
        show_error(err, f"{label}: ")
        return None
    name = f"docai-{kind}s.{fmt}" if kind else file.filename
    st.download_button(
        label, file.content, file_name=name, mime=file.media_type, type="primary" if primary else "secondary",
        key=key,
    )  # fmt: skip
    return file.content


content = download(f"Download all kinds ({total} documents)", None, "export_download", primary=True)
st.subheader("One kind at a time")
with st.container(horizontal=True):
    for kind, count in counts.items():
        if count:
            download(f"{kind.replace('_', ' ').capitalize()}s ({count})", kind, f"export_{kind}")
if content is not None and fmt in ("json", "csv"):
    with st.expander("Preview"):
        st.code(content.decode("utf-8", errors="replace")[:20000], language=fmt)
