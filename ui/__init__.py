"""Streamlit view code shared by the dashboard's pages.

lime_core never imports streamlit; everything that needs it lives here. Pure
logic (example texts, verdict rules, progress estimates, chart frames and
exports) is in lime_core so tests reach it without a Streamlit runtime.

Modules: :mod:`ui.state` (session keys and the stored results),
:mod:`ui.models` (models and the local server, loaded once per process),
:mod:`ui.sidebar`, :mod:`ui.run` (running an explanation with a progress bar),
:mod:`ui.charts` (altair), :mod:`ui.views` (the explanation view and its parts).
"""
