"""The Review page's panels: why the document is here, the fields, fill by pointing, line items, the audit trail."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ui import audit, fields, review_actions
from ui import words as wordlib
from ui.client import ApiClient, ApiError
from ui.format import md_escape, percent
from ui.widgets import show_error

BADGE = {True: "green", False: "orange"}
ICONS = {"error": ":material/error:", "warning": ":material/warning:"}


def reasons_of(doc: dict[str, Any], issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The API's review reasons; from an API that gives none, the open issues stand in for them."""
    reasons = doc.get("reasons")
    if isinstance(reasons, list):
        return [r for r in reasons if isinstance(r, dict)]
    return [{"field": i.get("field"), "message": i.get("message"), "severity": i.get("severity")} for i in issues]


def earlier_copy(doc: dict[str, Any]) -> str | None:
    """The id of the earlier document this one may duplicate (same vendor, number and total), if any."""
    flag = doc.get("possible_duplicate_of") or doc.get("possible_duplicate")
    if isinstance(flag, dict):
        flag = flag.get("id") or flag.get("document_id")
    return flag if isinstance(flag, str) and flag else None


def _open_document(doc_id: str) -> None:
    st.query_params["doc"] = doc_id


def why_here(doc: dict[str, Any], issues: list[dict[str, Any]], kind: str | None) -> None:
    """The reasons the document waits for a person, at the top of the page; a possible duplicate links the first."""
    duplicate_of = earlier_copy(doc)
    reasons = reasons_of(doc, issues)
    if not reasons and not duplicate_of:
        # an empty block in the same place: the inputs below keep their place in the page, so the field that has
        # the focus keeps it when saving the last flagged value makes the reasons go away
        st.container(key="why_here_none")
        return
    with st.container(border=True, key="why_here"):
        st.markdown("**Why it is here**")
        for reason in reasons:
            field = str(reason.get("field") or "")
            label = reason.get("label") or (fields.path_label(field) if field else "document")
            severity = "error" if reason.get("severity") == "error" else "warning"
            text = f"{label}: {reason.get('message') or reason.get('reason') or ''}"
            st.markdown(f"{ICONS[severity]} {md_escape(text)}")
        if duplicate_of:
            with st.container(horizontal=True, vertical_alignment="center"):
                st.markdown(f"{ICONS['warning']} possible duplicate: same vendor, number and total as")
                st.button(
                    f"document {duplicate_of[:8]}",
                    icon=":material/open_in_new:",
                    type="tertiary",
                    key="open_duplicate",
                    on_click=_open_document,
                    args=(duplicate_of,),
                )


@st.dialog("Approve with open errors?", on_dismiss=lambda: st.session_state.pop(review_actions.CONFIRM, None))
def confirm_approval(client: ApiClient, doc_id: str, open_errors: list[dict[str, Any]]) -> None:
    """Errors are still open: approving needs a confirmation and a note, which the audit trail keeps."""
    st.write(f"{len(open_errors)} error-level issue(s) are still open:")
    for issue in open_errors:
        st.markdown(f"{ICONS['error']} {md_escape(issue.get('message') or issue.get('code') or '')}")
    note = st.text_area("Note (why approve anyway)", key=f"note:{doc_id}", max_chars=2000)
    with st.container(horizontal=True):
        if st.button("Approve anyway", type="primary", key="confirm_approve_button"):
            if not note.strip():
                st.error("Write a note first: it goes into the audit trail.")
            elif review_actions.decide(client, doc_id, "approve", note=note.strip()):
                st.rerun()
            else:
                for kind, text in review_actions.take_notices():
                    getattr(st, kind)(md_escape(text))
        if st.button("Cancel", key="confirm_cancel"):
            st.session_state.pop(review_actions.CONFIRM, None)
            st.rerun()


def take_pointed(pick: dict[str, Any], pointed: list[dict[str, Any]], target: str | None, doc_id: str, editable: bool):
    """Add (or, clicked again, drop) the words pointed at to the pick; a field's input shows the picked text."""
    if not target or not editable:
        review_actions.notify("info", "Choose a field to fill first." if editable else "This document is read-only.")
        st.rerun()
    chosen = {w["n"]: w for w in pick["words"]}
    if len(pointed) == 1 and pointed[0]["n"] in chosen:
        chosen.pop(pointed[0]["n"])
    else:
        chosen.update({w["n"]: w for w in pointed})
    pick["words"] = sorted(chosen.values(), key=lambda w: w["n"])
    if target.count("/") == 1:  # a single-value field: its input shows the picked words, saved with the button
        st.session_state[f"f:{doc_id}:{target}"] = wordlib.join(pick["words"])
    st.rerun()


def optional_choice(
    label: str, options: list[Any], key: str, format_func: Any, placeholder: str, *, disabled: bool = False
) -> None:
    """A selectbox that may be left empty; a choice no longer among the options (the data changed) is dropped."""
    if st.session_state.get(key) not in (None, *options):
        st.session_state.pop(key)
    st.selectbox(
        label, options, index=None, key=key, format_func=format_func, placeholder=placeholder, disabled=disabled
    )


def target_picker(
    kind: str,
    data: dict[str, Any],
    evidence: dict[str, Any],
    tables: list[str],
    chosen_row: int | None,
    target_key: str,
    pick: dict[str, Any],
    client: ApiClient,
    doc_id: str,
    editable: bool,
) -> None:
    """Which value clicks on the page fill: a field, or a cell of the row shown; the picked words and Save."""
    options = [f"/{n}" for n in fields.scalar_names(kind)]
    if chosen_row and tables:
        options += [f"/{tables[0]}/{int(chosen_row) - 1}/{c}" for c in fields.row_columns(kind, tables[0])]
    optional_choice(
        "Fill by pointing",
        options,
        target_key,
        fields.path_label,
        "Choose a field, then click its words on the page",
        disabled=not editable,
    )
    target = st.session_state.get(target_key)
    ev = evidence.get(target) if target else None
    if isinstance(ev, dict) and ev.get("text") is not None:
        source = f"{percent(ev.get('confidence'))}, {ev.get('source') or 'engine'}"
        st.text(f"{fields.path_label(target)}: read as {str(ev.get('text'))!r} ({source})")
    if not (target and pick["words"]):
        return
    text = wordlib.join(pick["words"])
    st.text(f"Picked: {text}")
    with st.container(horizontal=True):
        if target.count("/") == 1:
            name = target[1:]
            st.button(
                f"Save {fields.path_label(target)}",
                type="primary",
                key=f"save_pick:{doc_id}",
                on_click=_save_pick,
                args=(client, doc_id, kind, target, data.get(name), pick),
            )
        else:
            st.button(
                f"Save {fields.path_label(target)}",
                type="primary",
                key=f"save_pick:{doc_id}",
                on_click=_save_cell_pick,
                args=(client, doc_id, kind, target, text, pick),
            )
        st.button("Clear picked words", key=f"clear_pick:{doc_id}", on_click=_clear_pick, args=(pick, doc_id, target))


def _save_pick(client: ApiClient, doc_id: str, kind: str, target: str, old: Any, pick: dict[str, Any]) -> None:
    key = f"f:{doc_id}:{target}"
    review_actions.save_field(client, doc_id, kind, target[1:], key, old)
    problem = st.session_state.get(review_actions.error_key(key))
    if problem:
        review_actions.notify("error", problem)
    else:
        pick["words"] = []


def _save_cell_pick(client: ApiClient, doc_id: str, kind: str, path: str, text: str, pick: dict[str, Any]) -> None:
    review_actions.save_cell(client, doc_id, kind, path, text)
    pick["words"] = []


def _clear_pick(pick: dict[str, Any], doc_id: str, target: str) -> None:
    pick["words"] = []
    st.session_state.pop(f"sync:f:{doc_id}:{target}", None)  # the input goes back to the stored value


def field_inputs(
    client: ApiClient,
    doc_id: str,
    kind: str,
    data: dict[str, Any],
    evidence: dict[str, Any],
    issues: list[dict[str, Any]],
    editable: bool,
    threshold: float,
) -> None:
    """One input per single-value field: Enter (or Tab, leaving it) saves an edit as an audited correction."""
    st.subheader("Fields")
    for view in fields.field_views(kind, data, evidence, issues):
        key = f"f:{doc_id}:{view.path}"
        sync = f"sync:{key}"
        if key not in st.session_state or st.session_state.get(sync) != view.text:  # new, or changed in the API
            st.session_state[key] = view.text
            st.session_state[sync] = view.text
        with st.container():  # one block per field, so a message appearing below one moves no other input
            cols = st.columns([6, 1], vertical_alignment="bottom")
            widget = cols[0].text_area if view.name in fields.MULTILINE else cols[0].text_input
            widget(  # no help icon on the input: Tab goes straight from one field to the next
                view.label,
                key=key,
                disabled=not editable,
                on_change=review_actions.save_field,
                args=(client, doc_id, kind, view.name, key, data.get(view.name)),
            )
            if view.confidence is not None:
                sure = view.confidence >= threshold and not view.issues
                about = f"{view.description} Confidence {percent(view.confidence)}, from {view.source}."
                cols[1].badge(percent(view.confidence), color=BADGE[sure], help=about)
            else:
                cols[1].badge("n/a", color="gray", help=f"{view.description} Not found on the page.")
            problem = st.session_state.get(review_actions.error_key(key))
            if problem:
                st.caption(f":red[:material/close: {md_escape(problem)}]")
            for issue in view.issues:
                colour = "red" if issue.get("severity") == "error" else "orange"
                st.caption(f":{colour}[:material/warning: {md_escape(issue.get('message') or '')}]")


def line_items(
    client: ApiClient,
    doc_id: str,
    kind: str,
    name: str,
    rows: list[dict[str, Any]],
    issues: list[dict[str, Any]],
    editable: bool,
    revision: int,
    row_key: str,
) -> None:
    """The rows in a full-width editor (rows numbered from 1, added and removed); the chosen row's box is drawn."""
    st.subheader(name.replace("_", " ").capitalize())
    numbers = list(range(1, len(rows) + 1))
    optional_choice(
        "Show a row on the page",
        numbers,
        row_key,
        lambda n: fields.row_label(n, rows[n - 1]),
        "Choose a row to draw its box (and to fill its cells by pointing)",
    )
    columns = fields.row_columns(kind, name)
    wide = {"description", "key", "value"}
    edited = st.data_editor(
        fields.rows_frame(kind, name, rows),
        num_rows="dynamic" if editable else "fixed",
        width="stretch",
        key=f"t:{doc_id}:{name}:{revision}",
        hide_index=False,
        disabled=not editable,
        column_config={
            "_index": st.column_config.NumberColumn("Row", width=50),
            **{
                c: st.column_config.TextColumn(c.replace("_", " "), width="large" if c in wide else "small")
                for c in columns
            },
        },
    )
    for issue in issues:
        path = str(issue.get("field") or "")
        if path.startswith(f"/{name}/"):
            colour = "red" if issue.get("severity") == "error" else "orange"
            text = f"{fields.path_label(path)}: {issue.get('message') or ''}"
            st.caption(f":{colour}[:material/warning: {md_escape(text)}]")
    st.button(
        f"Save {name.replace('_', ' ')}",
        key=f"save:{doc_id}:{name}",
        disabled=not editable,
        on_click=review_actions.save_table,
        args=(client, doc_id, kind, name, rows, edited),
    )


def audit_trail(client: ApiClient, doc_id: str, revision: int) -> None:
    """Who changed or decided what and when, as a person reads it: local time, field labels, old → new, notes."""
    with st.expander(f"Audit trail ({revision} correction(s))"):
        try:
            trail = client.audit(doc_id)
        except ApiError as err:
            if err.status != 404:
                show_error(err)
                return
            trail = audit.from_corrections(client.corrections(doc_id))  # an API without /audit
        if trail:
            st.dataframe(audit.rows(trail, st.context.timezone), hide_index=True, width="stretch")
        else:
            st.caption("Nothing changed or decided yet.")
