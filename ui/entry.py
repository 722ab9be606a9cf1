"""Make every page run inside app.py, even on a deep link to a fresh server.

Streamlit treats a folder named ``pages/`` beside the entry point as a
version-1 multipage app until the first ``st.navigation`` call of the process;
a first visitor who opens ``/compare`` directly would get that page alone,
without app.py's page set-up, sidebar and navigation. Pages call
:func:`require_app` first: outside app.py it switches Streamlit to
``st.navigation`` mode and reruns, so app.py runs and opens the same page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

_local = threading.local()
_ATTEMPTS_KEY = "entry.reruns"


@contextmanager
def running_app() -> Iterator[None]:
    """app.py wraps ``page.run()`` in this, so pages know they run inside it."""
    _local.active = True
    try:
        yield
    finally:
        _local.active = False


def require_app() -> None:
    """Rerun through app.py when a page script was started on its own."""
    if getattr(_local, "active", False):
        st.session_state[_ATTEMPTS_KEY] = 0
        return
    attempts = int(st.session_state.get(_ATTEMPTS_KEY, 0))
    st.session_state[_ATTEMPTS_KEY] = attempts + 1
    if attempts < 2:
        try:
            from streamlit.runtime.pages_manager import PagesManager

            PagesManager.uses_pages_directory = False  # what app.py's st.navigation call would set
        except Exception:  # pragma: no cover - a Streamlit without this switch: fall back to the home page
            st.switch_page("app.py")
        st.rerun()
    st.switch_page("app.py")
