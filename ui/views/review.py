"""Review: why the document is here, the page with its boxes (zoom, pan, pick words), the values, decide, next."""

import streamlit as st

from docai.settings import get_settings
from ui import fields, page_view, review_actions, review_panels
from ui.client import ApiError
from ui.format import md_escape, status_label
from ui.identity import with_reviewer
from ui.render import page_boxes, union
from ui.widgets import api, documents_or_error, page_image, page_words, pick_document, show_error

REVIEWABLE = "needs_review,done,approved,rejected"
SHORTCUTS = "Keys: **A** approve · **X** reject · **N** next document · **Enter** saves a field · **Tab** moves on"

client = api()
threshold = get_settings().review_threshold  # the same line the pipeline draws for needs_review
st.title("Review")

for kind, text in review_actions.take_notices():
    st.toast(md_escape(text), icon=":material/error:" if kind == "error" else ":material/check:")

listing = documents_or_error(client, status=REVIEWABLE, order="asc", limit=200)
docs = listing.get("data", [])
wanted = st.query_params.get("doc")
if wanted and wanted not in {d["id"] for d in docs}:
    try:
        docs.insert(0, client.document(wanted))
    except ApiError as err:
        show_error(err)

top = st.columns([4, 1], vertical_alignment="bottom")
with top[0]:
    doc = pick_document("Document", docs, key="review_doc", preferred=wanted)
top[1].button(
    "Next needing review",
    icon=":material/skip_next:",
    on_click=review_actions.go_next,
    args=(client, doc["id"] if doc else None),
    width="stretch",
    key="next_review",
    shortcut="N",
)
if doc is None:
    st.info("Nothing to review yet: upload documents on the Upload page.")
    st.stop()
if st.query_params.get("doc") != doc["id"]:
    st.query_params["doc"] = doc["id"]  # the address names the open document, so it can be bookmarked
doc_id = doc["id"]
try:
    doc = client.document(doc_id)  # fresh: status, reasons and duplicate flags change as people work
except ApiError as err:
    show_error(err)
    st.stop()

result = client.result(doc_id) if doc.get("status") not in ("queued", "processing") else None
status = result.get("status") if result else doc.get("status")
kind = result.get("schema") if result else doc.get("schema")
data = result.get("data") or {} if result else {}
evidence = result.get("evidence") or {} if result else {}
issues = result.get("issues") or [] if result else []
revision = result.get("corrections", 0) if result else 0
# What the API holds against approval: error-level reasons (or, from an API without reasons, error-level issues).
open_errors = [r for r in review_panels.reasons_of(doc, issues) if r.get("severity") == "error"]

meta = [status_label(status), f"schema {kind or '?'}", f"{doc.get('page_count') or 0} page(s)"]
if result:
    meta += [f"engine {result.get('engine')} ({result.get('model')})", f"{revision} correction(s)"]
st.caption(md_escape(" · ".join(meta)))

editable = status in ("done", "needs_review")  # the API takes corrections and approval only then
with st.container(horizontal=True, vertical_alignment="center"):
    st.button(
        "Approve",
        type="primary",
        icon=":material/check:",
        on_click=review_actions.approve_clicked,
        args=(client, doc_id, len(open_errors)),
        disabled=result is None or not editable,
        key="approve",
        shortcut="A",
    )
    st.button(
        "Reject",
        icon=":material/close:",
        on_click=review_actions.decide,
        args=(client, doc_id, "reject"),
        disabled=not (editable or status == "failed"),
        key="reject",
        shortcut="X",
    )
    if status in ("approved", "rejected"):
        st.button("Reopen", icon=":material/undo:", on_click=review_actions.reopen, args=(client, doc_id), key="reopen")
        st.caption(f"This document is {status_label(status)}: reopen it to change its values.")
    st.markdown(SHORTCUTS, width="content")

if st.session_state.get(review_actions.CONFIRM) == doc_id:
    review_panels.confirm_approval(client, doc_id, open_errors)

review_panels.why_here(doc, issues, kind)
if result is None:
    error = doc.get("error") or {}
    if error:
        st.error(md_escape(f"{error.get('code')}: {error.get('message')}"))
    else:
        st.info(f"No extraction yet ({status_label(status)}).")

tables = fields.table_names(kind) if result and kind else []
row_key = f"row:{doc_id}"
chosen_row = st.session_state.get(row_key)
target_key = f"target:{doc_id}"
target = st.session_state.get(target_key)
pick_key = f"pick:{doc_id}"
pick = st.session_state.setdefault(pick_key, {"field": None, "words": []})
if pick["field"] != target:
    pick.update(field=target, words=[])  # picked words belong to one field

left, right = st.columns([2, 1], gap="medium")
with left:
    pages = max(1, int(doc.get("page_count") or 1))
    if pages > 10:
        number = st.number_input("Page", 1, pages, 1, key=f"page:{doc_id}")
    elif pages > 1:
        number = st.segmented_control("Page", list(range(1, pages + 1)), default=1, key=f"page:{doc_id}", required=True)
    else:
        number = 1
    index = int(number or 1) - 1
    image = page_image(client, doc_id, index)
    if image is not None:
        boxes = page_boxes(evidence, index, issues=issues, threshold=threshold)
        focus = None
        if chosen_row and tables:
            prefix = f"/{tables[0]}/{int(chosen_row) - 1}/"
            focus = union(b.bbox for b in boxes if b.field.startswith(prefix))
        elif target:
            focus = next((b.bbox for b in boxes if b.field == target), None)
        view = page_view.view_controls(doc_id, index, focus)
        words = page_words(client, doc_id, index)
        pointed = page_view.show_page(
            image, boxes, view, words, key=f"img:{doc_id}:{index}", selected=focus, picked=pick["words"]
        )
        st.caption(
            "Boxes: green confident · amber look again · red error · blue selected · purple picked words. "
            "Choose a field, then click a word (or drag across several) to fill it."
        )
        if pointed is not None:
            review_panels.take_pointed(pick, pointed, target, doc_id, editable)

with right:
    if result and kind in ("chart", "ui_code"):
        view_page = "views/chart.py" if kind == "chart" else "views/ui_code.py"
        st.page_link(
            view_page, label=f"Open the {kind.replace('_', ' ')} view", query_params=with_reviewer({"doc": doc_id})
        )
    if result:
        review_panels.target_picker(
            kind, data, evidence, tables, chosen_row, target_key, pick, client, doc_id, editable
        )
        review_panels.field_inputs(client, doc_id, kind, data, evidence, issues, editable, threshold)

if result:
    for name in tables:
        review_panels.line_items(client, doc_id, kind, name, data.get(name) or [], issues, editable, revision, row_key)
    review_panels.audit_trail(client, doc_id, revision)
