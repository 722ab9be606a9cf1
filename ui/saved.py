"""Saving explanations and showing a saved one (the store itself is :mod:`dashboard.saved`, free of Streamlit).

A saved explanation is shown from its stored data alone: no model is loaded
and no model call is made, so it opens instantly, even when its model is
not available on this server.
"""

from __future__ import annotations

import datetime as dt
import os
from urllib.parse import urlsplit

import streamlit as st

from dashboard.saved import SavedExplanation, SavedStore, SavedStoreError
from dashboard.stored import StoredResult
from lime_core.explanation import Explanation
from lime_core.formatters.trust import sampling_line, trust_summary
from lime_core.settings import ENV_API_TOKEN, get_settings
from lime_core.wording import TITLES

from . import state, views
from .text import md_escape

PAGE = "app_pages/saved.py"
URL_PATH = "saved"  # the page's address: /saved?id=<id>
QUERY_KEY = "id"
TOKEN_WIDGET_KEY = "remote.token"  # the Remote API page's token field (ui.remote.TOKEN_KEY)


def store() -> SavedStore:
    """The store at the configured path (``LIME_SAVED_DB``), read at every use like every setting."""
    return SavedStore(get_settings().saved_db_path)


def link(saved_id: str) -> str:
    """The address that opens one saved explanation directly (absolute when the browser's URL is known)."""
    relative = f"{URL_PATH}?{QUERY_KEY}={saved_id}"
    url = st.context.url
    if not url:
        return "/" + relative
    parts = urlsplit(url)
    base = parts.path.rsplit("/", 1)[0] if parts.path not in ("", "/") else ""
    return f"{parts.scheme}://{parts.netloc}{base}/{relative}"


def _secrets() -> list[str]:
    return [s for s in (os.environ.get(ENV_API_TOKEN), st.session_state.get(TOKEN_WIDGET_KEY)) if s]


def save_form(result: state.RunResult, explanation: Explanation, key: str) -> None:
    """"Save this explanation" with a title; says where it is and gives its link."""
    with st.expander("Save this explanation", icon=":material/bookmark_add:"):
        default = f"{explanation.targets[0].class_name}: {' '.join(result.text.split())[:60]}"
        with st.form(f"{key}.save", border=False, enter_to_submit=True):
            title = st.text_input("Title", value=default, max_chars=200, key=f"{key}.save.title")
            submitted = st.form_submit_button("Save", icon=":material/bookmark:")
        if submitted:
            details = {
                "seed": result.options.seed,
                "elapsed": round(result.elapsed, 3),
                "n_model_calls": result.n_model_calls,
                "n_answers_reused": result.n_answers_reused,
            }
            try:
                record = store().save(
                    explanation,
                    title=title,
                    model_name=result.model_name,
                    model_title=result.model_title,
                    details=details,
                    secrets=_secrets(),
                )
            except SavedStoreError as exc:
                st.error(md_escape(exc), icon=":material/error:")
            else:
                st.session_state[f"{key}.saved"] = record.id
        saved_id = st.session_state.get(f"{key}.saved")
        if saved_id:
            st.success("Saved. Open it any time on the **Saved** page, or with this link:", icon=":material/check:")
            st.code(link(saved_id), language=None)


def when(created: float) -> str:
    return dt.datetime.fromtimestamp(created).strftime("%Y-%m-%d %H:%M")


def saved_view(record: SavedExplanation) -> None:
    """A saved explanation as it was saved: the same parts as the Explain page, from stored data only."""
    result = StoredResult.from_saved(record)
    explanation = result.explanation()
    target = explanation.targets[0]
    st.markdown(views.headline_line(result.model_title, explanation, target, verb="predicted"))
    made = sampling_line(explanation.sampling, explanation.n_samples, result.n_model_calls, result.n_answers_reused)
    st.caption(
        md_escape(f"Saved {when(record.created)} \u00b7 {made} when it was made \u00b7 seed "
                  f"{result.options.seed} \u00b7 opened from {result.origin}: no model calls now")
    )
    summary = trust_summary(explanation, target)
    views.explanation_parts(explanation, target, summary, f"saved-{record.id}")
    with st.expander("All weights (table)", icon=":material/table_rows:"):
        views.weights_table(target, summary.confidence)
    views.downloads(explanation, f"saved.{record.id}")


def verdict_label(level: str) -> str:
    return TITLES.get(level, level)  # type: ignore[call-overload]
