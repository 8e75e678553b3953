"""The app's root address: the Queue, at its own bookmarkable address (/queue), with the same parameters."""

import streamlit as st

st.switch_page("views/queue.py", query_params=st.query_params.to_dict())
