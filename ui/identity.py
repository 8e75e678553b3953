"""Who is reviewing: the name typed in the sidebar, kept in the address (`?reviewer=`) so it survives reloads."""

from __future__ import annotations

import streamlit as st

KEY = "reviewer"
PARAM = "reviewer"


def reviewer_box() -> None:
    """The sidebar's name field; the name is restored from, and written back to, the address of every page."""
    if KEY not in st.session_state:
        st.session_state[KEY] = str(st.query_params.get(PARAM) or "")
    st.sidebar.text_input(
        "Your name",
        key=KEY,
        max_chars=255,
        help="Recorded with each correction, approval and rejection; kept in the address, so a reload keeps it.",
    )
    if not reviewer():
        st.sidebar.caption(
            ":orange[Type your name: without it, your edits and decisions carry only the API key's name.]"
        )
    keep_in_address()


def keep_in_address() -> None:
    """Put the name into the address (pages switched to with their own parameters drop it)."""
    name = reviewer()
    if name and st.query_params.get(PARAM) != name:
        st.query_params[PARAM] = name
    elif not name and PARAM in st.query_params:
        del st.query_params[PARAM]


def reviewer() -> str | None:
    """The typed name, or None (the API then records the API key's name)."""
    name = str(st.session_state.get(KEY) or "").strip()
    return name or None


def with_reviewer(params: dict[str, str]) -> dict[str, str]:
    """Query parameters for a link to another page, carrying the reviewer's name along."""
    name = reviewer()
    return {**params, PARAM: name} if name else dict(params)
