"""Streamlit pieces shared by the pages: the client, error display, document picker, cached page images."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from ui.client import ApiClient, ApiError, client_from_settings
from ui.format import md_escape
from ui.render import open_png


def api() -> ApiClient:
    return client_from_settings()


def show_error(err: ApiError, prefix: str = "") -> None:
    """An API error as a red box; the message may quote user input, so it is escaped."""
    st.error(md_escape(f"{prefix}{err.message}"), icon=":material/error:")


def doc_label(doc: dict[str, Any]) -> str:
    """'receipt.jpg · 1a2b3c4d · 2026-01-31 12:00' as plain text."""
    # No status here: a keyed selectbox keeps the labels it first drew, so a status would go stale.
    created = str(doc.get("created_at") or "")[:16].replace("T", " ")
    return f"{doc.get('filename') or '?'} · {str(doc.get('id', ''))[:8]} · {created}"


def pick_document(
    label: str, docs: Sequence[dict[str, Any]], *, key: str, preferred: str | None = None
) -> dict[str, Any] | None:
    """A selectbox of documents; `preferred` (an id) is chosen when present; None when there are none."""
    if not docs:
        return None
    ids = [d["id"] for d in docs]
    by_id = {d["id"]: d for d in docs}
    if preferred in by_id and st.session_state.get(f"{key}:preferred") != preferred:
        st.session_state[key] = preferred  # a link or "next" asked for this one: select it once
        st.session_state[f"{key}:preferred"] = preferred
    if st.session_state.get(key) not in by_id:
        st.session_state.pop(key, None)
    chosen = st.selectbox(label, ids, format_func=lambda i: doc_label(by_id[i]), key=key)
    return by_id.get(chosen)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _page_png(base_url: str, document_id: str, index: int) -> bytes:
    # Page images never change once rasterized, so they are fetched once per (API, document, page).
    return api().page_png(document_id, index)


def page_image(client: ApiClient, document_id: str, index: int):  # type: ignore[no-untyped-def]
    """The page as a PIL image, or None (with the reason shown) when the API has none."""
    try:
        return open_png(_page_png(client.base_url, document_id, index))
    except ApiError as err:
        show_error(err, f"Page {index + 1} cannot be shown: ")
        return None


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _page_words(base_url: str, document_id: str, index: int) -> list[dict[str, Any]]:
    # Words are read once when the page is rasterized; they never change either.
    return api().page_words(document_id, index)


def page_words(client: ApiClient, document_id: str, index: int) -> list[dict[str, Any]]:
    """The page's words (text and box) for picking by pointing; empty, with the reason shown, when unavailable."""
    from ui.words import usable

    try:
        return usable(_page_words(client.base_url, document_id, index))
    except ApiError as err:
        show_error(err, f"The words of page {index + 1} cannot be picked: ")
        return []


def documents_or_error(client: ApiClient, **filters: Any) -> dict[str, Any]:
    """GET /documents, showing the error and answering an empty list when the API fails."""
    try:
        return client.documents(**filters)
    except ApiError as err:
        show_error(err)
        return {"data": [], "count": 0}
