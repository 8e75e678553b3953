"""Chart: the original chart beside a plot re-drawn from the extracted table; the table itself and its CSV."""

import streamlit as st

from ui import chart
from ui.format import md_escape, status_label
from ui.widgets import api, documents_or_error, page_image, pick_document

client = api()
st.title("Charts")

docs = documents_or_error(client, schema="chart", limit=200).get("data", [])
doc = pick_document("Chart document", docs, key="chart_doc", preferred=st.query_params.get("doc"))
if doc is None:
    st.info("No chart documents yet: upload a chart image with schema 'chart' (or auto) on the Upload page.")
    st.stop()

st.caption(md_escape(f"{status_label(doc.get('status'))} · engine {doc.get('engine') or 'n/a'}"))
result = client.result(doc["id"]) if doc.get("status") not in ("queued", "processing", "failed") else None

original, redrawn = st.columns(2, gap="large")
with original:
    st.subheader("Original")
    image = page_image(client, doc["id"], 0) if doc.get("page_count") else None
    if image is not None:
        st.image(image, width="stretch")
    elif doc.get("status") in ("queued", "processing"):
        st.info("The chart is still being processed.")

with redrawn:
    st.subheader("Re-drawn from the extracted table")
    if result is None:
        error = doc.get("error") or {}
        if error:
            st.error(md_escape(f"{error.get('code')}: {error.get('message')}"))
        else:
            st.info(f"No table yet ({status_label(doc.get('status'))}).")
    else:
        data = result.get("data") or {}
        frame = chart.table(data)
        points = chart.long_form(frame)
        if data.get("title"):
            st.text(str(data["title"]))
        if points.empty:
            st.warning("The table has no numeric values to plot.")
        else:
            st.vega_lite_chart(points, chart.vega_spec(data, frame), width="stretch")

if result is not None:
    frame = chart.table(result.get("data") or {})
    st.subheader("Table")
    st.dataframe(frame, hide_index=True, width="stretch")
    st.download_button(
        "Download CSV",
        chart.to_csv(frame),
        file_name=f"{(doc.get('filename') or 'chart').rsplit('.', 1)[0]}.csv",
        mime="text/csv",
        key="chart_csv",
    )
