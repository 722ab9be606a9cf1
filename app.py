"""The LIME text-explanation dashboard: ``streamlit run app.py``.

The entry point sets the page up, warms the models once per process, draws
the shared sidebar and runs the page chosen in the navigation. Pages are
short scripts in app_pages/ (not ``pages/``: that name would switch on
Streamlit's older directory-based multipage mode); their view code lives in ui/.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import models, sidebar

# A local file: a Material icon or an emoji as the favicon would be fetched from another host at every page load.
ICON = Path(__file__).resolve().parent / "assets" / "icon.png"

st.set_page_config(
    page_title="LIME text explainer",
    page_icon=str(ICON),
    layout="wide",
    initial_sidebar_state="auto",  # collapsed on narrow screens; the user can always collapse it
)

pages = [
    st.Page("app_pages/explain.py", title="Explain", icon=":material/manage_search:", default=True),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("app_pages/local_model.py", title="Local model", icon=":material/grid_on:"),
    st.Page("app_pages/remote_api.py", title="Remote API", icon=":material/cloud:"),
    st.Page("app_pages/dataset.py", title="Dataset", icon=":material/dataset:"),
    st.Page("app_pages/how_it_works.py", title="How it works", icon=":material/school:"),
    st.Page("app_pages/saved.py", title="Saved", icon=":material/bookmarks:", url_path="saved"),
]
page = st.navigation(pages, position="top")
st.html(
    "<style>"
    '[data-testid="stMainBlockContainer"]{padding-top:3rem;padding-bottom:3rem}'
    '[data-testid="stMetricValue"]{font-size:1.6rem}'
    # Side-by-side parts of a result stack on a narrow window (containers keyed "lc-stack-..." hold them).
    '@media (max-width:1100px){[class*="st-key-lc-stack"] [data-testid="stHorizontalBlock"]{flex-direction:column}'
    '[class*="st-key-lc-stack"] [data-testid="stColumn"]{width:100%!important;flex:1 1 auto!important}'
    # Rows of small cards wrap instead of squeezing their words (How it works' five steps broke words mid-word).
    '[class*="st-key-lc-wrap"] [data-testid="stHorizontalBlock"]{flex-wrap:wrap}'
    '[class*="st-key-lc-wrap"] [data-testid="stColumn"]{min-width:200px!important;flex:1 1 200px!important}}'
    "</style>"
)

with st.spinner("Loading the models (first start only)\u2026"):
    load_errors = models.warm_up()

sidebar.render_sidebar(load_errors)
page.run()
