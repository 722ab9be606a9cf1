"""The Compare page's parts: two inputs, two runs, two views on one colour scale.

With automatic sampling each side's rounds are drawn in place while it computes, marked preliminary (ui.live), beside
the other side on one colour scale over what is shown; the sides run one after the other, and one Stop for the pair
keeps what is on screen (dashboard.pair.LivePair, docs/pages.md)."""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import report
from dashboard.pair import (
    COMPUTING,
    FAILED,
    FINISHED,
    PRELIMINARY,
    SIDES,
    TOP,
    LivePair,
    default_class,
    pair_note,
    shared_scale,
    side_status,
    target_of,
)
from lime_core.explanation import TargetExplanation

from . import live, models, run, saved, state, views
from .text import md_escape

TWO_TEXTS = "Two texts, one model"
TWO_MODELS = "One text, two models"
EACH_PREDICTED = "<each predicted>"
PAGE = "compare"  # the page's running key
ERRORS = "compare.errors"
CLASS_KEY = "compare.class"
LIVE = "compare.live"  # the pair being explained (dashboard.pair.LivePair): what Stop's callback keeps
LIVE_SIDE = "lc-compare-live"  # the key prefix of each side's place in the live view (the browser test finds it)
STOP_LABEL = "Stop and keep both sides as they are"
STOP_HELP = (
    "End the side that is computing and keep what is on screen: a finished side as it is, the computing side's latest "
    "round marked as stopped early (its verdict says the top words had not settled), and a side that has not begun "
    "left out. The colour scale is then that of the results kept."
)


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


def _keep(pair: dict[str, state.RunResult]) -> None:
    """A pair as the page's comparison (finished, or kept by Stop): its first side is the latest result, and the class
    picker starts from the pair's default."""
    state.put(state.COMPARE_RESULTS, pair)
    st.session_state[state.LAST_RESULT] = next(iter(pair.values()))
    st.session_state.pop(CLASS_KEY, None)  # a new pair starts from its default class
    st.session_state[state.SCROLL_TO_RESULT] = PAGE


def keep_stopped_pair() -> None:
    """Stop's callback (it runs before the page's next run): keep what the pair shows (dashboard.pair.LivePair
    .kept_on_stop), and end the run's mark so the page does not report the run as lost. As after a finished run, an
    error on either side keeps the comparison before."""
    live_pair: LivePair | None = st.session_state.pop(LIVE, None)
    state.clear_running(PAGE)
    for side in SIDES:
        st.session_state.pop(live.LiveRun(f"{PAGE}-{side}", state.COMPARE_RESULTS).interim_key, None)
    if live_pair is None:
        return
    st.session_state[ERRORS] = _errors(live_pair)
    kept = live_pair.kept_on_stop()
    if kept and not live_pair.failed:
        _keep(kept)


def _errors(live_pair: LivePair) -> list[str]:
    return [f"{SIDES[side]} side: {error}" for side, error in live_pair.failed.items()]


def _run(jobs: list[tuple[str, str, str]]) -> tuple[dict[str, state.RunResult] | None, list[str]]:
    """Explain the sides one after the other, each side's rounds drawn in place beside the other side (one Stop for
    the pair, above both); the pair when both succeed, and the errors."""
    options = state.options_from_sidebar()
    live_pair = LivePair()
    st.session_state[LIVE] = live_pair  # the same object, updated in place: what Stop's callback reads
    controls, view = st.container(), st.empty()  # the progress bar and Stop above the pair's live view

    def draw_round(interim: state.RunResult, number: int) -> None:
        live_pair.round(interim)
        live_view(view, live_pair, f"{live_pair.running}-{number}")

    for side, text, model_name in jobs:
        live_pair.start(side)
        live_view(view, live_pair, f"{side}-start")
        with controls:
            result, error = run.explain_bundled(
                text, model_name, options, label=f"{SIDES[side]} side", running_key=PAGE,
                live=live.LiveRun(
                    f"{PAGE}-{side}", state.COMPARE_RESULTS, draw=draw_round, stop=keep_stopped_pair,
                    stop_label=STOP_LABEL, stop_help=STOP_HELP,
                ),
            )  # fmt: skip
        live_pair.finish(side, result, error)
    st.session_state.pop(LIVE, None)
    view.empty()
    errors = _errors(live_pair)
    return (live_pair.done if not errors else None), errors


def live_view(view: DeltaGenerator, live_pair: LivePair, key: str) -> None:
    """Both sides while the pair computes, on one colour scale over what is shown: a finished side, the running
    side's latest round marked preliminary, or what a side waits for."""
    shown = live_pair.shown()
    class_name = default_class(shown.values())
    targets = [target_of(r, class_name) for r in shown.values()]
    scale, domain = shared_scale(targets) if targets else (1.0, 1.0)
    with view.container():
        cols = st.container(key=f"lc-stack-compare-live-{key}").columns(2, gap="large")
        for col, side in zip(cols, SIDES, strict=True):
            with col, st.container(key=f"{LIVE_SIDE}-{side}-{key}"):
                status = live_pair.status(side)
                st.subheader(SIDES[side])
                result = shown.get(side)
                if status == PRELIMINARY and result is not None:
                    live.preliminary_side(
                        result, class_name, scale=scale, domain=domain, top=TOP, key=f"compare-{side}-{key}"
                    )
                elif status == FINISHED and result is not None:
                    st.success("Finished; it stays as it is while the other side computes.", icon=":material/check:")
                    views.compact_view(result, class_name, scale=scale, domain=domain, key=f"compare.live.{side}")
                elif status == FAILED:
                    st.error(md_escape(live_pair.failed[side]), icon=":material/error:")
                elif status == COMPUTING:
                    st.caption("Computing: its first round of sampling appears here as soon as it exists.")
                else:
                    st.caption("Waiting: this side is explained when the other side is done.")


def run_and_show(jobs: list[tuple[str, str, str]], clicked: bool, same_model: bool) -> None:
    views.stopped_notice(PAGE)
    # As on the Explain page: the result's place comes first, and a run first draws an empty element there, so the
    # older pair goes at once and nothing of it stays beside the new pair's rounds (ui.live).
    below = st.container()
    result_place = below.empty()
    if clicked:
        with below:
            results, errors = _run(jobs)
        st.session_state[ERRORS] = errors
        if results is not None:
            _keep(results)
    with result_place.container():
        show_pair(same_model)


def show_pair(same_model: bool) -> None:
    """The comparison kept in the session: both sides on one colour scale and axis, the words they share."""
    pair: dict[str, state.RunResult] | None = state.get(state.COMPARE_RESULTS)
    for error in st.session_state.get(ERRORS) or []:
        st.error(md_escape(error), icon=":material/error:")
    if st.session_state.get(ERRORS) and pair:
        st.caption("The comparison below is the previous one; it is kept until both sides succeed.")
    if not pair:
        st.info("Press **Explain both** to compare.", icon=":material/arrow_upward:")
        return

    results = list(pair.values())
    class_name = None
    default = default_class(results)
    if default is not None:
        options = [EACH_PREDICTED, *results[0].class_names]
        if st.session_state.get(CLASS_KEY) not in options:
            st.session_state[CLASS_KEY] = default  # like with like: one class on both sides
        choice = st.columns([1, 2])[0].selectbox(
            "Class to explain on both sides",
            options,
            key=CLASS_KEY,
            format_func=lambda c: "Each side's predicted class" if c == EACH_PREDICTED else c,
            help="Pick one class to see the same question asked of both texts; no new model calls.",
            persist_state="session",
        )
        class_name = None if choice == EACH_PREDICTED else choice
    st.divider()
    views.result_anchor(PAGE)
    note = pair_note(pair)
    if note:
        st.warning(note, icon=":material/stop_circle:")

    targets = {side: target_of(result, class_name) for side, result in pair.items()}
    scale, domain = shared_scale(list(targets.values()))
    cols = st.container(key="lc-stack-compare-sides").columns(2, gap="large")
    for col, side in zip(cols, SIDES, strict=True):
        with col:
            result = pair.get(side)
            status = side_status(result)
            st.subheader(SIDES[side] if status == FINISHED else f"{SIDES[side]} ({status})")
            if result is None:
                st.info("Not explained: Stop was pressed before this side began.", icon=":material/block:")
                continue
            explanation = views.compact_view(result, class_name, scale=scale, domain=domain, key=f"compare.{side}")
            saved.save_form(result, explanation, key=f"compare.{side}")

    if len(targets) == len(SIDES):
        shared_words(targets["left"], targets["right"])
    views.local_caveat(
        "That is why the same words can get different weights on the two sides."
        if same_model
        else "Two models can rely on different words for the same text."
    )
    views.scroll_to_result(PAGE)


def shared_words(left: TargetExplanation, right: TargetExplanation) -> None:
    st.markdown("##### Words in both texts")
    shared = report.shared_words_frame(left, right)
    if left.class_name != right.class_name:
        st.caption(
            f"Left weights are for \u201c{md_escape(left.class_name)}\u201d, right weights for "
            f"\u201c{md_escape(right.class_name)}\u201d: pick one class above to compare like with like."
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
