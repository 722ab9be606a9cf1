"""Streamlit view code shared by the dashboard's pages.

lime_core never imports streamlit; everything that needs it lives here. Pure
logic is below this layer so tests reach it without a Streamlit runtime: the
engine's rules (verdict, trust figures, wording) in lime_core, the dashboard's
support (example texts, progress estimates, chart frames, exports, stored
results) in dashboard/. The pages themselves are short scripts in app_pages/.

Modules: :mod:`ui.state` (session keys; the results it stores are :mod:`dashboard.results`),
:mod:`ui.models` (models and the local server, loaded once per process),
:mod:`ui.sidebar`, :mod:`ui.run` (running an explanation with a progress bar),
:mod:`ui.charts` (altair), :mod:`ui.views` (the explanation view and its parts).
"""
