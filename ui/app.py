"""docai review UI: `streamlit run ui/app.py` (or `docai ui`); talks only to the REST API at DOCAI_API_URL."""

from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

# `streamlit run ui/app.py` puts ui/ on sys.path, not the repository; the pages import `ui.*` from there.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui.auth import require_login  # noqa: E402
from ui.identity import reviewer_box  # noqa: E402
from ui.widgets import api  # noqa: E402

HERE = Path(__file__).resolve().parent

st.set_page_config(page_title="docai", page_icon=":material/description:", layout="wide")
require_login()  # a UI reachable from the network asks who is there before it shows anything

# Every page has its own address; "/" (the hidden home page) forwards to /queue, so a bookmarked /queue works.
pages = {
    "Documents": [
        st.Page(HERE / "views" / "home.py", title="docai", url_path="home", default=True, visibility="hidden"),
        st.Page(HERE / "views" / "upload.py", title="Upload", icon=":material/upload:", url_path="upload"),
        st.Page(HERE / "views" / "queue.py", title="Queue", icon=":material/list:", url_path="queue"),
        st.Page(HERE / "views" / "review.py", title="Review", icon=":material/fact_check:", url_path="review"),
    ],
    "Kinds": [
        st.Page(HERE / "views" / "chart.py", title="Chart", icon=":material/bar_chart:", url_path="chart"),
        st.Page(HERE / "views" / "ui_code.py", title="UI code", icon=":material/code:", url_path="ui_code"),
    ],
    "Results": [st.Page(HERE / "views" / "export.py", title="Export", icon=":material/download:", url_path="export")],
}
page = st.navigation(pages)
st.set_page_config(page_title=f"{page.title} · docai")
reviewer_box()
st.sidebar.caption(f"API: {api().base_url}")
page.run()
