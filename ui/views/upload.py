"""Upload: several files at once, a schema (or auto), and a progress bar per file until each is done."""

import streamlit as st

from schemas.registry import schema_kinds
from ui import progress
from ui.client import ApiError
from ui.format import md_escape, status_label
from ui.widgets import api, show_error

ACCEPTED = ["pdf", "png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp", "gif", "heic", "xml"]  # xml: e-invoices

client = api()
st.title("Upload documents")

with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("Documents (PDF, images or e-invoice XML)", type=ACCEPTED, accept_multiple_files=True, key="files")
    schema = st.selectbox(
        "Schema",
        ["auto", *schema_kinds()],
        help="auto classifies each document; pick one when you know what they are.",
        key="upload_schema",
    )
    submitted = st.form_submit_button("Upload", type="primary")

uploads: list[dict] = st.session_state.setdefault("uploads", [])
if submitted:
    if not files:
        st.warning("Choose one or more files first.")
    for file in files or []:
        try:
            doc = client.upload(file.name, file.getvalue(), schema, file.type)
        except ApiError as err:
            show_error(err, f"{file.name}: ")
            continue
        uploads.insert(0, {"id": doc["id"], "filename": file.name, "duplicate": bool(doc.get("duplicate"))})
        st.session_state["uploads_pending"] = True


@st.fragment(run_every=1.5 if uploads and st.session_state.get("uploads_pending") else None)
def show_progress() -> None:
    """One bar per uploaded file, refreshed from the API until every document is finished."""
    docs = []
    for upload in uploads:
        try:
            doc = client.document(upload["id"])
        except ApiError as err:
            show_error(err, f"{upload['filename']}: ")
            continue
        docs.append(doc)
        label = f"{upload['filename']} — {progress.phrase(doc)}"
        if upload.get("duplicate"):
            label += " (already uploaded before)"
        st.progress(progress.fraction(doc), text=md_escape(label))
        if doc.get("status") == "failed" and doc.get("error"):
            st.caption(f":red[{md_escape(doc['error'].get('message') or '')}]")
    finished = progress.all_finished(docs)
    if docs and finished:
        st.success(f"All {len(docs)} documents are finished.")
        review = [d for d in docs if d.get("status") != "failed"]
        if review:
            st.page_link(
                "views/review.py",
                label="Review them",
                icon=":material/fact_check:",
                query_params={"doc": review[0]["id"]},
            )
    if finished and st.session_state.get("uploads_pending"):
        st.session_state["uploads_pending"] = False
        st.rerun(scope="app")  # stop polling: the fragment is re-declared without run_every
    st.session_state["uploads_pending"] = not finished
    counts: dict[str, int] = {}
    for d in docs:
        counts[status_label(d.get("status"))] = counts.get(status_label(d.get("status")), 0) + 1
    if counts:
        st.caption(" · ".join(f"{n} {label}" for label, n in counts.items()))


if uploads:
    st.subheader("Progress")
    show_progress()
    if st.button("Clear the list"):
        st.session_state["uploads"] = []
        st.rerun()
else:
    st.info("Uploaded documents appear here with their progress; the Queue page lists every document.")
