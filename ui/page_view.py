"""The Review page's picture of a page: at least 900 px wide, zoom and pan, boxes, and words picked by pointing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st
from PIL import Image
from streamlit_image_coordinates import streamlit_image_coordinates

from ui import words as wordlib
from ui.render import ZOOMS, Box, Rect, View, centred_on, render

RENDER_WIDTH = 1200  # px the page is drawn at; the browser fits it to the column (>= 900 px on a 1920 px screen)


def view_controls(doc_id: str, index: int, focus: Rect | None) -> View:
    """Zoom (Fit … 3×) and, when zoomed, pan sliders; a newly selected box is brought into the middle."""
    zoom_key, x_key, y_key = f"zoom:{doc_id}", f"panx:{doc_id}:{index}", f"pany:{doc_id}:{index}"
    focus_key = f"focus:{doc_id}:{index}"
    if focus is not None and st.session_state.get(focus_key) != focus:
        st.session_state[focus_key] = focus  # centre the newly selected value once; the sliders then move freely
        centre = centred_on(focus, 2.0)
        st.session_state[x_key], st.session_state[y_key] = round(centre.cx * 100), round(centre.cy * 100)
    with st.container(horizontal=True, vertical_alignment="bottom"):
        label = st.segmented_control(
            "Zoom", list(ZOOMS), default="Fit", key=zoom_key, required=True, help="Zoom in on the page; pan below."
        )
        zoom = ZOOMS.get(label or "Fit", 1.0)
        if zoom > 1:
            st.session_state.setdefault(x_key, 50)
            st.session_state.setdefault(y_key, 50)
            cx = st.slider("Left ↔ right", 0, 100, key=x_key, format="%d%%", width=260)
            cy = st.slider("Top ↕ bottom", 0, 100, key=y_key, format="%d%%", width=260)
            return View(zoom, cx / 100, cy / 100)
    return View()


def show_page(
    image: Image.Image,
    boxes: Sequence[Box],
    view: View,
    page_words: Sequence[dict[str, Any]],
    *,
    key: str,
    selected: Rect | None,
    picked: Sequence[dict[str, Any]],
) -> list[dict[str, Any]] | None:
    """Draw the page; answer the words a new click or drag points at (None when nothing new was pointed at)."""
    shown = render(image, boxes, view, RENDER_WIDTH, selected=selected, picked=[w["bbox"] for w in picked])
    event = streamlit_image_coordinates(
        shown, width="stretch", key=key, click_and_drag=True, image_format="JPEG", jpeg_quality=88, cursor="crosshair"
    )
    seen_key = f"{key}:seen"
    if not event or event.get("unix_time") == st.session_state.get(seen_key):
        return None
    st.session_state[seen_key] = event.get("unix_time")
    return wordlib.from_pointer(page_words, event, view)
