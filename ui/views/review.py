"""Review: the page with a box per extracted value, the values editable beside it, approve or reject, next."""

import pandas as pd
import streamlit as st

from docai.settings import get_settings
from ui import fields, review_actions
from ui.client import ApiError
from ui.format import md_escape, percent, status_label
from ui.render import crop_around, draw_boxes, page_boxes
from ui.widgets import api, documents_or_error, page_image, pick_document, show_error

REVIEWABLE = "needs_review,done,approved,rejected"
BADGE = {True: "green", False: "orange"}

client = api()
threshold = get_settings().review_threshold  # the same line the pipeline draws for needs_review
st.title("Review")

for kind, text in review_actions.take_notices():
    getattr(st, kind)(md_escape(text))

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
)
if doc is None:
    st.info("Nothing to review yet: upload documents on the Upload page.")
    st.stop()
if st.query_params.get("doc") != doc["id"]:
    st.query_params["doc"] = doc["id"]  # the address names the open document, so it can be shared
doc_id = doc["id"]

result = client.result(doc_id) if doc.get("status") not in ("queued", "processing") else None
status = result.get("status") if result else doc.get("status")
meta = [status_label(status), f"schema {doc.get('schema') or '?'}", f"{doc.get('page_count') or 0} page(s)"]
if result:
    meta.append(f"engine {result.get('engine')} ({result.get('model')})")
    meta.append(f"{result.get('corrections', 0)} correction(s)")
st.caption(md_escape(" · ".join(meta)))

editable = status in ("done", "needs_review")  # the API takes corrections and approval only then
actions = st.columns([1, 1, 5])
actions[0].button(
    "Approve",
    type="primary",
    on_click=review_actions.decide,
    args=(client, doc_id, "approve"),
    disabled=result is None or not editable,
    key="approve",
)
actions[1].button(
    "Reject",
    on_click=review_actions.decide,
    args=(client, doc_id, "reject"),
    disabled=not (editable or status == "failed"),
    key="reject",
)
if result is not None and not editable:
    actions[2].caption(f"This document is {status_label(status)}: its values are read-only.")

if result is None:
    error = doc.get("error") or {}
    if error:
        st.error(md_escape(f"{error.get('code')}: {error.get('message')}"))
    else:
        st.info(f"No extraction yet ({status_label(status)}).")

kind = result.get("schema") if result else doc.get("schema")
data = result.get("data") or {} if result else {}
evidence = result.get("evidence") or {} if result else {}
issues = result.get("issues") or [] if result else []
revision = result.get("corrections", 0) if result else 0
flagged = {i.get("field") for i in issues if i.get("field")}

placed = [f"/{n}" for n in fields.scalar_names(kind)] if result else []
tables = [f"/{n}/" for n in fields.table_names(kind)] if result else []
for issue in issues:  # issues no field shows beside it (document-wide ones, like a totals mismatch) go on top
    path = str(issue.get("field") or "")
    if path not in placed and not any(path.startswith(t) for t in tables):
        icon = ":material/error:" if issue.get("severity") == "error" else ":material/warning:"
        st.warning(md_escape(issue.get("message") or issue.get("code") or ""), icon=icon)

left, right = st.columns([3, 2], gap="large")

with left:
    pages = max(1, int(doc.get("page_count") or 1))
    if pages <= 10:
        number = (
            st.segmented_control("Page", list(range(1, pages + 1)), default=1, key=f"page:{doc_id}", required=True)
            if pages > 1
            else 1
        )
    else:
        number = st.number_input("Page", 1, pages, 1, key=f"page:{doc_id}")
    index = int(number or 1) - 1
    image = page_image(client, doc_id, index)
    if image is not None:
        boxes = page_boxes(evidence, index, image.size, flagged=flagged, threshold=threshold)
        by_field = {b.field: b for b in boxes}
        selected = (
            st.pills(
                "Highlight a field",
                list(by_field),
                wrap=True,
                width="stretch",
                key=f"hl:{doc_id}:{index}",
                format_func=fields.path_label,
            )
            if by_field
            else None
        )
        st.image(draw_boxes(image, boxes, selected=selected, issues=flagged), width="stretch")
        st.caption("Boxes: green confident · amber low confidence · red validation issue · blue selected")
        if selected in by_field:
            ev = evidence.get(selected) or {}
            st.image(crop_around(image, by_field[selected]), width="content")
            st.text(f"{selected}: read as {ev.get('text')!r} ({percent(ev.get('confidence'))}, {ev.get('source')})")

with right:
    if result and kind in ("chart", "ui_code"):
        target = "views/chart.py" if kind == "chart" else "views/ui_code.py"
        st.page_link(target, label=f"Open the {kind.replace('_', ' ')} view", query_params={"doc": doc_id})
    if result:
        st.subheader("Fields")
        for view in fields.field_views(kind, data, evidence, issues):
            key = f"f:{doc_id}:{view.path}:{revision}"
            if key not in st.session_state:
                st.session_state[key] = view.text
            cols = st.columns([6, 1], vertical_alignment="bottom")
            widget = cols[0].text_area if view.name in fields.MULTILINE else cols[0].text_input
            widget(
                view.label,
                key=key,
                disabled=not editable,
                help=view.description,
                on_change=review_actions.save_field,
                args=(client, doc_id, kind, view.name, key, data.get(view.name)),
            )
            if view.confidence is not None:
                sure = view.confidence >= threshold and not view.issues
                cols[1].badge(percent(view.confidence), color=BADGE[sure], help=f"confidence, from {view.source}")
            else:
                cols[1].badge("n/a", color="gray", help="not found on the page")
            problem = st.session_state.get(review_actions.error_key(key))
            if problem:
                st.caption(f":red[:material/close: {md_escape(problem)}]")
            for issue in view.issues:
                st.caption(f":orange[:material/warning: {md_escape(issue.get('message') or '')}]")

        for name in fields.table_names(kind):
            rows = data.get(name) or []
            st.subheader(name.replace("_", " ").capitalize())
            edited = st.data_editor(
                fields.rows_frame(kind, name, rows),
                num_rows="dynamic" if editable else "fixed",
                width="stretch",
                key=f"t:{doc_id}:{name}:{revision}",
                hide_index=False,
                disabled=not editable,
            )
            for issue in issues:
                if str(issue.get("field") or "").startswith(f"/{name}/"):
                    st.caption(
                        f":orange[:material/warning: {md_escape(issue['field'])}: {md_escape(issue.get('message') or '')}]"
                    )
            st.button(
                f"Save {name.replace('_', ' ')}",
                key=f"save:{doc_id}:{name}",
                disabled=not editable,
                on_click=review_actions.save_table,
                args=(client, doc_id, kind, name, rows, edited),
            )

        with st.expander(f"Audit trail ({revision} correction(s))"):
            try:
                trail = client.corrections(doc_id)
            except ApiError as err:
                show_error(err)
                trail = []
            if trail:
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                k: fields.as_text(row.get(k))
                                for k in ("created_at", "author", "field", "old_value", "new_value")
                            }
                            for row in trail
                        ]
                    ),
                    hide_index=True,
                )
            else:
                st.caption("No corrections yet.")
