"""UI code: the screenshot beside the generated HTML, rendered in a frame that can run no script; code and download."""

import streamlit as st

from ui.format import md_escape, status_label
from ui.sandbox import sandboxed_src
from ui.widgets import api, documents_or_error, page_image, pick_document

client = api()
st.title("UI code")

docs = documents_or_error(client, schema="ui_code", limit=200).get("data", [])
doc = pick_document("Screenshot", docs, key="ui_doc", preferred=st.query_params.get("doc"))
if doc is None:
    st.info("No UI screenshots yet: upload a screenshot with schema 'ui_code' on the Upload page.")
    st.stop()

st.caption(md_escape(f"{status_label(doc.get('status'))} · engine {doc.get('engine') or 'n/a'}"))
result = client.result(doc["id"]) if doc.get("status") not in ("queued", "processing", "failed") else None

shot, rendered = st.columns(2, gap="large")
with shot:
    st.subheader("Screenshot")
    image = page_image(client, doc["id"], 0) if doc.get("page_count") else None
    if image is not None:
        st.image(image, width="stretch")

html = str((result or {}).get("data", {}).get("html") or "")
with rendered:
    st.subheader("Generated page")
    if result is None:
        error = doc.get("error") or {}
        if error:
            st.error(md_escape(f"{error.get('code')}: {error.get('message')}"))
        else:
            st.info(f"No code yet ({status_label(doc.get('status'))}).")
    elif not html.strip():
        st.warning("The extraction holds no HTML.")
    else:
        # Model output: shown only inside a script-less, network-less frame on an opaque origin.
        st.iframe(sandboxed_src(html), height=600)
        st.caption("Rendered in a sandbox: scripts and network requests are blocked.")

if result is not None and html.strip():
    data = result.get("data") or {}
    if data.get("notes"):
        st.text(f"Notes: {data['notes']}")
    st.code(html, language="html", line_numbers=True)  # the code block has a copy button
    st.download_button(
        "Download HTML",
        html,
        file_name=f"{(doc.get('filename') or 'page').rsplit('.', 1)[0]}.html",
        mime="text/html",
        key="ui_html",
    )
