"""Session keys and the results kept in ``st.session_state``.

Every page stores what it computed under a named key, so a result stays on
screen after an error, a page switch or a change of the class to explain.
The results themselves are plain data, defined in :mod:`dashboard.results`
(:class:`RunResult`, :class:`ExplainOptions`, :class:`ModelSource`) and
re-exported here for the pages.
"""

from __future__ import annotations

import time
from typing import Any

import streamlit as st

from dashboard.results import (  # noqa: F401 (the pages read these from ui.state)
    ALL_KEY,
    AUTO,
    BUNDLED,
    FIXED,
    MAX_SIDEBAR_SAMPLES,
    MAX_TEXT_CHARS,
    PREDICTED_KEY,
    REMOTE,
    ExplainOptions,
    ModelSource,
    RunResult,
)

# -- session keys (one place, so pages and tests agree) ------------------------------------------------------------
EXPLAIN_RESULT = "explain.result"
COMPARE_RESULTS = "compare.results"  # dict side -> RunResult
LOCAL_RESULT = "local.result"
REMOTE_RESULT = "remote.result"
REMOTE_CONNECTION = "remote.connection"  # (ok, message, labels) of the last "Test connection"
LAST_RESULT = "last.result"  # the latest RunResult from any page (How it works draws it)
RATES = "model.seconds_per_call"  # model name -> seconds per model call measured on the last run
RUNNING = "run.running"  # page key -> what was being explained when the run started (removed when it ends)
SCROLL_TO_RESULT = "run.scroll"  # set after a successful run: the next page draw brings the result into view
NOTICE = "run.notice"  # a one-off note for the next draw (e.g. "Switched to ... for this example")

# Widget keys of the shared sidebar.
MODEL_KEY = "sidebar.model"
SAMPLES_MODE_KEY = "sidebar.samples_mode"  # AUTO or FIXED
SAMPLES_KEY = "sidebar.n_samples"  # the fixed sample count
MAX_SAMPLES_KEY = "sidebar.max_samples"  # the cap of automatic sampling
SEED_KEY = "sidebar.seed"
SAMPLER_KEY = "sidebar.sampler"
BIGRAMS_KEY = "sidebar.bigrams"
FAITHFULNESS_KEY = "sidebar.faithfulness"
LEVEL_KEY = "sidebar.level"
DRILL_RESULT = "explain.drill"  # the Explain page's drill-down: one sentence's words (a RunResult with within=...)

SAMPLES_MODE_LABELS = {AUTO: "Auto (adaptive)", FIXED: "Fixed number"}
SAMPLES_MODE_HELP = (
    "Auto: LIME draws variations in rounds and stops as soon as the top words have settled (or at the cap "
    "below), so an easy text costs few model calls and a hard one gets more. Fixed: exactly this many variations."
)

LEVEL_LABELS = {
    "auto": "Auto (by the text's length)",
    "words": "Words",
    "sentences": "Sentences",
    "paragraphs": "Paragraphs",
}
LEVEL_HELP = (
    "What LIME removes and weighs. Auto keeps words unless the text has too many distinct words (a long "
    "document), then takes sentences (or paragraphs for the longest). At the sentence level you can open any "
    "sentence to see its words."
)

SAMPLER_LABELS = {
    "mixture": "Mixture (default)",
    "positions": "Word positions",
    "bow": "Bag of words",
}
SAMPLER_HELP = (
    "How words are removed to make the variations. Mixture (eli5's default): 70% remove single occurrences, "
    "30% remove every occurrence of a word. Word positions: single occurrences only. Bag of words: every "
    "occurrence of a word at once."
)


def get(key: str, default: Any = None) -> Any:
    return st.session_state.get(key, default)


def put(key: str, value: Any) -> None:
    st.session_state[key] = value
    if isinstance(value, RunResult):
        st.session_state[LAST_RESULT] = value


def seconds_per_call(model_name: str) -> float | None:
    return (st.session_state.get(RATES) or {}).get(model_name)


def remember_rate(model_name: str, seconds: float, n_calls: int) -> None:
    if n_calls >= 20 and seconds > 0:
        rates = dict(st.session_state.get(RATES) or {})
        rates[model_name] = seconds / n_calls
        st.session_state[RATES] = rates


def options_from_sidebar() -> ExplainOptions:
    """The sampling settings as the sidebar's widgets hold them now."""
    mode = st.session_state.get(SAMPLES_MODE_KEY) or ExplainOptions.samples_mode
    return ExplainOptions(
        samples_mode=mode if mode in (AUTO, FIXED) else AUTO,
        n_samples=int(st.session_state.get(SAMPLES_KEY, ExplainOptions.n_samples)),
        max_samples=int(st.session_state.get(MAX_SAMPLES_KEY, ExplainOptions.max_samples)),
        seed=int(st.session_state.get(SEED_KEY, ExplainOptions.seed)),
        sampler=str(st.session_state.get(SAMPLER_KEY, ExplainOptions.sampler)),
        bigrams=bool(st.session_state.get(BIGRAMS_KEY, ExplainOptions.bigrams)),
        faithfulness=bool(st.session_state.get(FAITHFULNESS_KEY, ExplainOptions.faithfulness)),
        level=str(st.session_state.get(LEVEL_KEY) or ExplainOptions.level),
    )


def mark_running(page: str, text: str, model_title: str) -> None:
    running = dict(st.session_state.get(RUNNING) or {})
    running[page] = {"text": text, "model_title": model_title, "started": time.time()}
    st.session_state[RUNNING] = running


def clear_running(page: str | None) -> None:
    if page is None:
        return
    running = dict(st.session_state.get(RUNNING) or {})
    if running.pop(page, None) is not None:
        st.session_state[RUNNING] = running


def stopped_run(page: str) -> dict[str, Any] | None:
    """The run this page started and Streamlit stopped before it ended (the user left the page), once."""
    running = dict(st.session_state.get(RUNNING) or {})
    stopped = running.pop(page, None)
    if stopped is not None:
        st.session_state[RUNNING] = running
    return stopped
