"""Drill-down on the Explain page: open one sentence (or paragraph) of a long-document explanation and explain its
words, with the rest of the text held as it is (``TextExplainer(within=...)``; docs/long-documents.md).

With automatic sampling its rounds are drawn in place while they compute, marked preliminary, as on the Explain
page (:mod:`ui.live`); Stop keeps the latest round as the drill-down's result, marked as stopped early."""

from __future__ import annotations

import dataclasses

import streamlit as st

from lime_core.explanation import Explanation

from . import live, run, state, views
from .text import md_escape

SHOWN_UNITS = 10  # the sentences offered to open: the strongest by absolute weight
_PREVIEW_CHARS = 90


def _preview(feature: str) -> str:
    return feature if len(feature) <= _PREVIEW_CHARS else feature[: _PREVIEW_CHARS - 1] + "\u2026"


def drill_down(result: state.RunResult, explanation: Explanation, class_name: str | None, *, key: str) -> None:
    """At the sentence or paragraph level: pick one of the top units and explain its words below."""
    level = explanation.settings.level
    if level not in ("sentences", "paragraphs"):
        return
    unit = level[:-1]
    target = explanation.targets[0]
    top = [w for w in target.top(SHOWN_UNITS) if w.spans]
    if not top:
        return
    st.markdown(f"##### Open a {unit}: its words")
    st.caption(
        f"Explain the words of one {unit}, with the rest of the text held as it is: which of its words make it "
        f"push the prediction. The strongest {len(top)} {level} are offered, largest weight first."
    )
    labels = {i: f"{w.weight:+.2f}  {_preview(w.feature)}" for i, w in enumerate(top)}
    chosen = st.selectbox(f"The {unit} to open", list(labels), format_func=labels.__getitem__, key=f"{key}.drill.pick")
    # A drill-down's live rounds (ui.live): Stop keeps the latest round under ``kept``, before the page runs again;
    # ``pending`` says which result and span it was opened from, so the kept round becomes the drill-down's result.
    kept, pending = f"{key}.drill.kept", f"{key}.drill.pending"
    if st.button(f"Explain this {unit}'s words", icon=":material/zoom_in:", key=f"{key}.drill.go"):
        span = top[int(chosen)].spans[0]
        options = dataclasses.replace(result.options, level="words", within=span)
        st.session_state[pending] = {"parent": result.id, "span": span}
        opened, error = run.explain_bundled(
            result.text, result.model_name, options, label=f"Explaining the {unit}",
            live=live.LiveRun(f"{key}-drill", kept, class_name),
        )  # fmt: skip
        st.session_state.pop(pending, None)
        if error:
            st.error(md_escape(error), icon=":material/error:")
        elif opened is not None:
            state.put(state.DRILL_RESULT, {"parent": result.id, "span": span, "result": opened})
    stopped: state.RunResult | None = st.session_state.pop(kept, None)
    opened_from = st.session_state.pop(pending, None) if stopped is not None else None
    if stopped is not None and opened_from is not None:
        state.put(state.DRILL_RESULT, {**opened_from, "result": stopped})
    drilled = state.get(state.DRILL_RESULT)
    if drilled and drilled.get("parent") == result.id:  # a drill-down belongs to the result it was opened from
        a, b = drilled["span"]
        st.markdown(f"###### The words of characters {a:,}\u2013{b:,}")
        views.explanation_view(drilled["result"], class_name, key=f"{key}-drill", details=False)

