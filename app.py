"""The LIME text-explanation dashboard: ``streamlit run app.py``.

The entry point sets the page up, warms the models once per process, draws
the shared sidebar and runs the page chosen in the navigation. Pages are
short scripts in pages/; their view code lives in ui/.
"""

from __future__ import annotations

import streamlit as st

from ui import entry, models, sidebar

st.set_page_config(
    page_title="LIME text explainer",
    page_icon=":material/manage_search:",
    layout="wide",
    initial_sidebar_state="expanded",
)

pages = [
    st.Page("pages/explain.py", title="Explain", icon=":material/manage_search:", default=True),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("pages/local_model.py", title="Local model", icon=":material/grid_on:"),
    st.Page("pages/remote_api.py", title="Remote API", icon=":material/cloud:"),
    st.Page("pages/dataset.py", title="Dataset", icon=":material/dataset:"),
    st.Page("pages/how_it_works.py", title="How it works", icon=":material/school:"),
]
page = st.navigation(pages, position="top")
st.html(
    "<style>"
    '[data-testid="stMainBlockContainer"]{padding-top:3rem;padding-bottom:3rem}'
    '[data-testid="stMetricValue"]{font-size:1.6rem}'
    "</style>"
)

with st.spinner("Loading the models (first start only)\u2026"):
    load_errors = models.warm_up()

sidebar.render_sidebar(load_errors)
with entry.running_app():
    page.run()
