"""Saving explanations and showing a saved one (the store itself is :mod:`dashboard.saved`, free of Streamlit).

A saved explanation is shown from its stored data alone: no model is loaded
and no model call is made, so it opens instantly, even when its model is
not available on this server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
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


SAVED_BY_PANEL = "saved.by_panel"  # panel key (page, result, class) -> the id it saved, so each result has its own


def panel_key(result: state.RunResult | StoredResult, explanation: Explanation, key: str) -> str:
    """The save panel's key for this result and class: a new result or another class gets a fresh panel.

    A RunResult has its own id; a stored result (Dataset, Saved) is named by its model and text.
    """
    own = getattr(result, "id", None) or hashlib.sha1(f"{result.model_name}\0{result.text}".encode()).hexdigest()[:12]
    explained = hashlib.sha1(explanation.targets[0].class_name.encode()).hexdigest()[:8]
    return f"{key}.save.{own}.{explained}"


def default_title(result: state.RunResult | StoredResult, explanation: Explanation) -> str:
    return f"{explanation.targets[0].class_name}: {' '.join(result.text.split())[:60]}"


def save_form(result: state.RunResult | StoredResult, explanation: Explanation, key: str) -> None:
    """"Save this explanation" with a title; says where it is and gives its link.

    Everything in the panel belongs to the result and class on screen: its title box, the "Saved." note and the
    link are kept per result (:func:`panel_key`), so a new result or another class starts with a fresh panel.
    """
    panel = panel_key(result, explanation, key)
    saved_ids: dict[str, str] = dict(st.session_state.get(SAVED_BY_PANEL) or {})
    with st.expander("Save this explanation", icon=":material/bookmark_add:"):
        with st.form(panel, border=False, enter_to_submit=True):
            title = st.text_input(
                "Title", value=default_title(result, explanation), max_chars=200, key=f"{panel}.title"
            )
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
                saved_ids[panel] = record.id
                st.session_state[SAVED_BY_PANEL] = saved_ids
        saved_id = saved_ids.get(panel)
        if saved_id and _still_saved(saved_id):
            st.success("Saved. Open it any time on the **Saved** page, or with this link:", icon=":material/check:")
            st.code(link(saved_id), language=None)


def _still_saved(saved_id: str) -> bool:
    """Whether the saved explanation is still in the store (it may have been deleted on the Saved page)."""
    try:
        return store().get(saved_id) is not None
    except SavedStoreError:
        return False


CONFIRM_DELETE = "saved.confirm_delete"  # the id whose Delete was pressed and awaits confirmation
DELETED = "saved.deleted"  # the title just deleted, said once


def ask_delete(saved_id: str) -> None:
    st.session_state[CONFIRM_DELETE] = saved_id


def cancel_delete() -> None:
    st.session_state.pop(CONFIRM_DELETE, None)


def delete(saved_id: str) -> None:
    """Delete one saved explanation (after its confirmation); an open link to it is closed."""
    st.session_state.pop(CONFIRM_DELETE, None)
    record = store().get(saved_id)
    store().delete(saved_id)
    if record is not None:
        st.session_state[DELETED] = record.title
    if st.query_params.get(QUERY_KEY) == saved_id:
        del st.query_params[QUERY_KEY]


def when(created: float) -> str:
    return dt.datetime.fromtimestamp(created).strftime("%Y-%m-%d %H:%M")


def saved_view(record: SavedExplanation) -> None:
    """A saved explanation as it was saved: the same parts as the Explain page, from stored data only."""
    result = StoredResult.from_saved(record)
    explanation = result.explanation()
    target = explanation.targets[0]
    st.markdown(views.headline_line(result.model_title, explanation, target, verb="predicted"))
    made = sampling_line(
        explanation.sampling, explanation.n_samples, result.n_model_calls, result.n_answers_reused,
        trust_summary(explanation, target).stability,
    )
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
