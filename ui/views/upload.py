"""Upload: several files at once, a schema (or auto), and the fate of each: refused, duplicate, or its progress."""

import streamlit as st

from docai.settings import get_settings
from schemas.registry import schema_kinds
from ui import progress, uploads
from ui.client import ApiError
from ui.format import md_escape, status_label
from ui.identity import with_reviewer
from ui.widgets import api, show_error

ACCEPTED = ["pdf", "png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp", "gif", "heic", "xml"]  # xml: e-invoices

client = api()
limit = get_settings().max_upload_mb  # `docai ui` gives Streamlit the same limit
st.title("Upload documents")
try:
    unsupported: dict[str, str] = client.engine().get("unsupported") or {}
except ApiError:
    unsupported = {}  # an API that does not say: every kind is offered, and the server's answer tells

with st.form("upload", clear_on_submit=True):
    files = st.file_uploader(
        "Documents (PDF, images or e-invoice XML)",
        type=ACCEPTED,
        accept_multiple_files=True,
        key="files",
        help=f"The server takes files up to {limit} MB each (DOCAI_MAX_FILE_BYTES).",
    )
    schema = st.selectbox(
        "Schema",
        ["auto", *schema_kinds()],
        help="auto classifies each document; pick one when you know what they are.",
        key="upload_schema",
        format_func=lambda kind: f"{kind} (not on this server)" if kind in unsupported else kind,
    )
    submitted = st.form_submit_button("Upload", type="primary")
st.caption(f"Up to {limit} MB per file: the server's limit.")
for kind, sentence in unsupported.items():
    st.caption(f":gray[:material/block: {md_escape(kind)}: {md_escape(sentence)}]")

records: list[dict] = st.session_state.setdefault("uploads", [])
if submitted:
    if not files:
        st.warning("Choose one or more files first.")
    elif schema in unsupported:
        st.error(md_escape(unsupported[schema]), icon=":material/block:")
        files = []
    for file in files or []:
        records.insert(0, uploads.send(client, file.name, file.getvalue(), schema, file.type))
    st.session_state["uploads_pending"] = any(r["outcome"] == uploads.ACCEPTED for r in records)


@st.fragment(run_every=1.5 if st.session_state.get("uploads_pending") else None)
def show_fates() -> None:
    """Each upload's line: the refusal's sentence, a link to the stored copy, or a progress bar to the end."""
    docs = []
    for record in records:
        name = record["filename"]
        if record["outcome"] == uploads.REFUSED:
            st.error(md_escape(f"{name} was refused: {record['message']}"), icon=":material/block:")
            continue
        try:
            doc = client.document(record["id"])
        except ApiError as err:
            show_error(err, f"{name}: ")
            continue
        if record["outcome"] == uploads.DUPLICATE:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.info(
                    md_escape(
                        f"{name} was uploaded before ({status_label(doc.get('status'))}); nothing new was stored."
                    ),
                    icon=":material/content_copy:",
                )
                st.page_link(
                    "views/review.py",
                    label="Open the stored document",
                    icon=":material/fact_check:",
                    query_params=with_reviewer({"doc": record["id"]}),
                )
            continue
        docs.append(doc)
        st.progress(progress.fraction(doc), text=md_escape(f"{name} — {progress.phrase(doc)}"))
        if doc.get("status") == "failed" and doc.get("error"):
            st.caption(f":red[{md_escape(doc['error'].get('message') or '')}]")
    finished = progress.all_finished(docs)
    st.caption(uploads.summary(records))
    if docs and finished:
        st.success(f"All {len(docs)} accepted documents are finished.")
        review = [d for d in docs if d.get("status") != "failed"]
        if review:
            st.page_link(
                "views/review.py",
                label="Review them",
                icon=":material/fact_check:",
                query_params=with_reviewer({"doc": review[0]["id"]}),
            )
    if finished and st.session_state.get("uploads_pending"):
        st.session_state["uploads_pending"] = False
        st.rerun(scope="app")  # stop polling: the fragment is re-declared without run_every


if records:
    st.subheader("Uploads")
    show_fates()
    if st.button("Clear the list"):
        st.session_state["uploads"] = []
        st.rerun()
else:
    st.info("Each upload appears here: refused (and why), already stored, or its progress to the end.")
