"""Queue: every document with why it waits, vendor, date, total and age; search, filters and sort in the address;
select many to approve, reject or retry; auto-refresh."""

import datetime as dt

import streamlit as st

from schemas.registry import schema_kinds
from ui import queue_table
from ui.client import ApiError
from ui.format import STATUS_LABELS, md_escape
from ui.identity import reviewer, with_reviewer
from ui.queue_table import PAGE_SIZE, REASONS, SORTS, queue_frame
from ui.widgets import api, documents_or_error

KEYS = {"status": "queue_status", "schema": "queue_schema", "reason": "queue_reason", "q": "queue_q",
        "sort": "queue_sort", "page": "queue_page"}  # fmt: skip

client = api()
st.title("Queue")

if "queue_loaded" not in st.session_state:  # first run of this session: the address says what to show
    for name, value in queue_table.from_address(st.query_params.to_dict()).items():
        st.session_state[KEYS[name]] = value
    st.session_state["queue_loaded"] = True

search = st.text_input(
    "Search",
    key="queue_q",
    placeholder="Vendor or merchant, invoice number, amount, date, any word on the page",
    icon=":material/search:",
)
left, middle, reason_col, sort_col, toggle = st.columns([3, 2, 2, 2, 1], vertical_alignment="bottom")
statuses = left.multiselect(
    "Status", list(STATUS_LABELS), format_func=lambda s: STATUS_LABELS[s], key="queue_status", placeholder="any"
)
schema = middle.selectbox("Schema", ["any", *schema_kinds()], key="queue_schema")
reason = reason_col.selectbox(
    "Why it waits", ["any", *REASONS], key="queue_reason", format_func=lambda r: REASONS.get(r, r)
)
sort = sort_col.selectbox("Sort by", list(SORTS), key="queue_sort")
auto = toggle.toggle("Auto-refresh", value=True, key="queue_auto")
state = {"status": statuses, "schema": schema, "reason": reason, "q": search, "sort": sort,
         "page": st.session_state.get("queue_page", 1)}  # fmt: skip
wanted = queue_table.to_address(state)
for name in ("status", "schema", "reason", "q", "sort", "page"):  # the address always says what is shown
    if name in wanted and st.query_params.get(name) != wanted[name]:
        st.query_params[name] = wanted[name]
    elif name not in wanted and name in st.query_params:
        del st.query_params[name]


def bulk(action: str, docs: list[dict]) -> None:
    """Approve (the API skips those with open errors), reject or retry the selected documents."""
    names = {d["id"]: d.get("filename") or d["id"][:8] for d in docs}
    try:
        answer = client.bulk(action, list(names), author=reviewer())
    except ApiError as err:
        st.session_state["queue_notice"] = ("error", err.message)
        return
    skipped = [r for r in answer.get("results") or [] if not r.get("ok")]
    text = f"{action.capitalize()}: {answer.get('done', 0)} done"
    if skipped:
        why = [f"{names.get(r.get('id'), r.get('id'))}: {queue_table.skip_reason(action, r)}" for r in skipped]
        text += f", {len(skipped)} skipped ({'; '.join(why)})"
    st.session_state["queue_notice"] = ("warning" if skipped else "success", text)


@st.fragment(run_every=3 if auto else None)
def queue() -> None:
    """The table and its actions; re-run on its own every few seconds while auto-refresh is on."""
    counts = st.columns(4)
    for column, (status, label) in zip(
        counts,
        [("queued,processing", "In progress"), ("needs_review", "Needs review"), ("failed", "Failed"),
         ("approved", "Approved")],
        strict=True,
    ):  # fmt: skip
        column.metric(label, documents_or_error(client, status=status, limit=1).get("count", 0))

    page = int(st.session_state.get("queue_page") or 1)
    sort_by, order = queue_table.sort_params(sort)
    listing = documents_or_error(
        client,
        status=statuses or None,
        schema=None if schema == "any" else schema,
        q=search.strip() or None,
        reason=None if reason == "any" else reason,
        sort=sort_by,
        order=order,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    docs = listing.get("data", [])
    frame = queue_frame(docs)
    event = st.dataframe(
        frame,
        hide_index=True,
        column_order=[c for c in frame.columns if c != "id"],
        column_config={
            "Why": st.column_config.TextColumn("Why it waits", width="large"),
            "Error": st.column_config.TextColumn(width="medium"),
            "Total": st.column_config.TextColumn(help="Total with its currency"),
            "Date": st.column_config.TextColumn(help="The document's own date"),
        },
        on_select="rerun",
        selection_mode="multi-row",
        key="queue_table",
    )
    count = int(listing.get("count", 0))
    pages = max(1, -(-count // PAGE_SIZE))
    info = st.columns([3, 1], vertical_alignment="center")
    info[0].caption(f"{count} document(s) · page {page} of {pages} · refreshed {dt.datetime.now():%H:%M:%S}")
    if pages > 1:
        if page > pages:
            st.session_state["queue_page"] = pages
        info[1].number_input("Page", 1, pages, key="queue_page")

    notice = st.session_state.pop("queue_notice", None)
    if notice:
        getattr(st, notice[0])(md_escape(notice[1]))
    rows = [r for r in (event.selection.rows if event is not None else []) if r < len(docs)]
    if not rows:
        st.caption("Select rows to open one in Review, or to approve, reject or retry several at once.")
        return
    chosen = [docs[r] for r in rows]
    ids = [d["id"] for d in chosen]
    with st.container(horizontal=True, vertical_alignment="center"):
        if len(chosen) == 1:
            doc = chosen[0]
            if st.button("Open in Review", disabled=doc.get("status") in ("queued", "processing", "failed")):
                st.switch_page("views/review.py", query_params=with_reviewer({"doc": doc["id"]}))
        st.button(
            f"Approve {len(ids)}",
            on_click=bulk,
            args=("approve", chosen),
            help="Only documents with no open errors are approved; the others stay for review.",
            key="bulk_approve",
        )
        st.button(f"Reject {len(ids)}", on_click=bulk, args=("reject", chosen), key="bulk_reject")
        failed = [d for d in chosen if d.get("status") == "failed"]
        st.button(
            f"Retry {len(failed)}",
            type="primary" if failed else "secondary",
            on_click=bulk,
            args=("retry", failed),
            disabled=not failed,
            key="bulk_retry",
        )
    for doc in chosen:
        if doc.get("error"):
            st.error(md_escape(f"{doc.get('filename')}: {doc['error'].get('message') or ''}"))


queue()
