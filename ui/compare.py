"""The Compare page's parts: two inputs, two runs, two views on one colour scale."""

from __future__ import annotations

import streamlit as st

from dashboard import report
from dashboard.examples import COMPARE_CLASS
from lime_core.formatters.highlight import default_scale

from . import models, run, saved, state, views
from .text import md_escape

TWO_TEXTS = "Two texts, one model"
TWO_MODELS = "One text, two models"
EACH_PREDICTED = "<each predicted>"
ERRORS = "compare.errors"
SIDES = {"left": "Left", "right": "Right"}


def side_text(side: str, example: str, label: str | None = None) -> str:
    return views.text_input(
        f"compare.{side}",
        example,
        label=label or f"{SIDES.get(side, 'The')} text",
        height=150,
        switch_model=False,
    )


def other_model(name: str) -> str:
    """A second available model for the right side (the same one when there is no other)."""
    for info in models.model_catalog():
        if info.name != name and info.available:
            return info.name
    return name


def model_select(side: str, default: str, label: str | None = None) -> str:
    catalog = models.model_catalog()
    names = [m.name for m in catalog]
    by_name = {m.name: m for m in catalog}
    key = f"compare.{side}.model"
    if st.session_state.get(key) not in names:
        usable = default in by_name and by_name[default].available
        fallback = st.session_state.get(state.MODEL_KEY)
        st.session_state[key] = default if usable or fallback not in names else fallback
    return st.selectbox(
        label or f"{SIDES[side]} model",
        names,
        key=key,
        format_func=lambda n: by_name[n].title + ("" if by_name[n].available else " (unavailable)"),
        persist_state="session",
    )


def _run(jobs: list[tuple[str, str, str]]) -> tuple[dict[str, state.RunResult] | None, list[str]]:
    options = state.options_from_sidebar()
    results: dict[str, state.RunResult] = {}
    errors = []
    for side, text, model_name in jobs:
        result, error = run.explain_bundled(
            text, model_name, options, label=f"{SIDES[side]} side", running_key="compare"
        )
        if error:
            errors.append(f"{SIDES[side]} side: {error}")
        else:
            results[side] = result
    return (results if not errors else None), errors


def run_and_show(jobs: list[tuple[str, str, str]], clicked: bool, same_model: bool) -> None:
    views.stopped_notice("compare")
    if clicked:
        results, errors = _run(jobs)
        st.session_state[ERRORS] = errors
        if results is not None:
            state.put(state.COMPARE_RESULTS, results)
            st.session_state[state.LAST_RESULT] = results["left"]
            st.session_state.pop("compare.class", None)  # a new pair starts from its default class
            st.session_state[state.SCROLL_TO_RESULT] = "compare"
    pair: dict[str, state.RunResult] | None = state.get(state.COMPARE_RESULTS)
    for error in st.session_state.get(ERRORS) or []:
        st.error(md_escape(error), icon=":material/error:")
    if st.session_state.get(ERRORS) and pair:
        st.caption("The comparison below is the previous one; it is kept until both sides succeed.")
    if not pair:
        st.info("Press **Explain both** to compare.", icon=":material/arrow_upward:")
        return

    left, right = pair["left"], pair["right"]
    shared_classes = left.class_names == right.class_names
    class_name = None
    if shared_classes:
        options = [EACH_PREDICTED, *left.class_names]
        if st.session_state.get("compare.class") not in options:
            # Like with like: one class on both sides (the story's class, else the left side's prediction).
            default = COMPARE_CLASS if COMPARE_CLASS in left.class_names else left.predicted_class
            st.session_state["compare.class"] = default
        choice = st.columns([1, 2])[0].selectbox(
            "Class to explain on both sides",
            options,
            key="compare.class",
            format_func=lambda c: "Each side's predicted class" if c == EACH_PREDICTED else c,
            help="Pick one class to see the same question asked of both texts; no new model calls.",
            persist_state="session",
        )
        class_name = None if choice == EACH_PREDICTED else choice
    st.divider()
    views.result_anchor("compare")

    targets = [r.explanation(class_name).targets[0] for r in (left, right)]
    scale = default_scale(targets)
    domain = report.max_abs_weight(targets, top=8, intervals=True) * 1.05
    cols = st.container(key="lc-stack-compare-sides").columns(2, gap="large")
    for col, side, result in zip(cols, ("left", "right"), (left, right), strict=True):
        with col:
            st.subheader(SIDES[side])
            explanation = views.compact_view(result, class_name, scale=scale, domain=domain, key=f"compare.{side}")
            saved.save_form(result, explanation, key=f"compare.{side}")

    st.markdown("##### Words in both texts")
    shared = report.shared_words_frame(*targets)
    if targets[0].class_name != targets[1].class_name:
        st.caption(
            f"Left weights are for \u201c{md_escape(targets[0].class_name)}\u201d, right weights for "
            f"\u201c{md_escape(targets[1].class_name)}\u201d: pick one class above to compare like with like."
        )
    if shared.empty:
        st.caption("The two texts share no word.")
    else:
        st.dataframe(
            shared.head(15),
            hide_index=True,
            width="stretch",
            column_config={
                "feature": st.column_config.TextColumn("Word"),
                "left": st.column_config.NumberColumn("Left weight", format="%+.3f"),
                "right": st.column_config.NumberColumn("Right weight", format="%+.3f"),
                "difference": st.column_config.NumberColumn("Right \u2212 left", format="%+.3f"),
            },
        )
    views.local_caveat(
        "That is why the same words can get different weights on the two sides."
        if same_model
        else "Two models can rely on different words for the same text."
    )
    views.scroll_to_result("compare")
