"""Make every page run inside app.py, even on a deep link to a fresh server.

Streamlit treats a folder named ``pages/`` beside the entry point as a
version-1 multipage app until the first ``st.navigation`` call of the process;
a first visitor who opens ``/compare`` directly would get that page alone,
without app.py's page set-up, sidebar and navigation. Pages call
:func:`require_app` first: outside app.py it runs app.py in the same script
run (which draws the sidebar and runs the requested page through
``st.navigation``, widget events intact) and then stops the stray run.
"""

from __future__ import annotations

import runpy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st

APP_PATH = Path(__file__).resolve().parents[1] / "app.py"

_local = threading.local()


@contextmanager
def running_app() -> Iterator[None]:
    """app.py wraps ``page.run()`` in this, so pages know they run inside it."""
    previous = getattr(_local, "active", False)
    _local.active = True
    try:
        yield
    finally:
        _local.active = previous


def require_app() -> None:
    """Run the page through app.py when the page script was started on its own."""
    if getattr(_local, "active", False):
        return
    try:
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False  # what app.py's st.navigation call sets for later runs
    except ImportError:  # pragma: no cover - another Streamlit layout; app.py below still takes over
        pass
    runpy.run_path(str(APP_PATH), run_name="__main__")
    st.stop()
