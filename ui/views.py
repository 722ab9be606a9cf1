"""The parts of the dashboard's pages: text input with examples, the explanation view and its sections.

Highlighted text is HTML produced by lime_core's escaping formatter
(:func:`lime_core.formatters.html.highlight_html`); the legend is static HTML
with numbers only. Text from outside (labels, model titles, messages) goes into
markdown through :func:`ui.text.md_escape`.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from lime_core import report
from lime_core.examples import EXAMPLES, Example, get_example
from lime_core.explanation import BIAS_FEATURE, Explanation, TargetExplanation
from lime_core.formatters.highlight import NEGATIVE_RGB, POSITIVE_RGB, default_scale, weights_meaning
from lime_core.formatters.html import highlight_html
from lime_core.verdict import LOCAL_CAVEAT, METRIC_HELP, judge_explanation, probability_gap

from . import charts, models, state
from .text import md_escape, pct

PREDICTED = "<predicted>"
TOP_WORDS = 10

# -- input ---------------------------------------------------------------------------------------------------------


def _apply_example(text_key: str, picker_key: str, switch_model: bool) -> None:
    """Callback of the example picker: put the example's text in the box (and pick its model if usable)."""
    key = st.session_state.get(picker_key)
    if not key:
        return
    example = get_example(key)
    st.session_state[text_key] = example.text
    if switch_model:
        info = models.model_info(example.model)
        if info is not None and info.available:
            st.session_state[state.MODEL_KEY] = example.model


def example_for_text(text: str) -> Example | None:
    for example in EXAMPLES:
        if example.text == text:
            return example
    return None


def text_input(
    key: str,
    default_example: str | None = "kidney-stones",
    *,
    label: str = "Text to explain",
    height: int = 200,
    switch_model: bool = True,
    examples: bool = True,
) -> str:
    """A text box with a ready-examples picker above it; returns the text."""
    text_key = f"{key}.text"
    picker_key = f"{key}.example"
    if text_key not in st.session_state:
        st.session_state[text_key] = get_example(default_example).text if default_example else ""
    if examples:
        st.selectbox(
            "Ready examples",
            [e.key for e in EXAMPLES],
            index=None,
            key=picker_key,
            placeholder="Pick an example to load it into the box\u2026",
            format_func=lambda k: get_example(k).title,
            on_change=_apply_example,
            args=(text_key, picker_key, switch_model),
        )
    text = st.text_area(label, key=text_key, height=height, placeholder="Paste or type a text\u2026")
    example = example_for_text(text)
    count = f"{len(text):,} / {state.MAX_TEXT_CHARS:,} characters"
    if len(text) > state.MAX_TEXT_CHARS:
        st.caption(f":red[{count}: too long]")
    elif example is not None:
        st.caption(f"{count} \u00b7 {md_escape(example.story)}")
    else:
        st.caption(count)
    return text


def class_picker(key: str, class_names: list[str], predicted: str | None = None, narrow: bool = False) -> str | None:
    """Select the class to explain; returns None for the predicted class."""
    options = [PREDICTED, *class_names]
    if st.session_state.get(key) not in options:
        st.session_state[key] = PREDICTED
    label_predicted = f"Predicted class ({predicted})" if predicted else "Predicted class"
    container = st.columns([1, 2])[0] if narrow else st.container()
    choice = container.selectbox(
        "Class to explain",
        options,
        key=key,
        format_func=lambda c: label_predicted if c == PREDICTED else c,
        help="Another class is explained from the same samples, with no new model calls.",
    )
    return None if choice == PREDICTED else choice


def show_error(message: str | None, has_result: bool) -> None:
    if message:
        st.error(md_escape(message), icon=":material/error:")
        if has_result:
            st.caption("The explanation below is the previous one; it is kept until a new one succeeds.")


# -- the explanation view ------------------------------------------------------------------------------------------


def legend_html(scale: float) -> str:
    """Static legend (no user text): colours, the scale, and the hover hint."""
    green = "rgb({}, {}, {})".format(*POSITIVE_RGB)
    red = "rgb({}, {}, {})".format(*NEGATIVE_RGB)
    swatch = "display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-1px;margin-right:5px"
    return (
        '<div class="lime-legend" style="display:flex;flex-wrap:wrap;gap:4px 18px;align-items:center;'
        'font-size:0.85rem;color:#4b5563;margin:4px 0 8px">'
        f'<span><span style="{swatch};background:{green}"></span>pushes towards the class</span>'
        f'<span><span style="{swatch};background:{red}"></span>pushes against it</span>'
        f"<span>\u2212{scale:.2f}"
        '<span style="display:inline-block;width:110px;height:10px;border-radius:5px;margin:0 6px;'
        f'vertical-align:middle;border:1px solid #e5e7eb;background:linear-gradient(90deg,{red},#fff 50%,{green})">'
        f"</span>+{scale:.2f}</span>"
        "<span>hover a word to see its weight</span></div>"
    )


def headline(result: state.RunResult, explanation: Explanation, target: TargetExplanation) -> None:
    predicted = explanation.predicted_class
    p = max(explanation.probabilities)
    line = f"**{md_escape(result.model_title)}** predicts **{md_escape(predicted)}** ({pct(p)})."
    if target.class_name != predicted:
        line += f" Explaining **{md_escape(target.class_name)}** ({pct(target.probability)}) instead."
    st.markdown(line)
    calls = f"{result.n_model_calls:,} model calls" + (" (answers were cached)" if result.n_model_calls == 0 else "")
    details = (
        f"{explanation.n_samples:,} samples \u00b7 {calls} \u00b7 "
        f"{result.elapsed:.1f} s \u00b7 seed {result.options.seed}"
    )
    if target.class_name != predicted:
        details += " \u00b7 re-explained from the same samples, no new model calls"
    st.caption(details)


def highlighted_text(explanation: Explanation, target: TargetExplanation, scale: float | None = None) -> None:
    scale = scale or default_scale([target])
    st.html(highlight_html(explanation, target, scale=scale))
    st.html(legend_html(scale))


def weights_section(target: TargetExplanation, domain: float | None = None, top: int = TOP_WORDS) -> None:
    frame = report.top_weights_frame(target, top=top)
    if frame.empty:
        st.info("No word moves this class: every weight is zero.")
    else:
        st.altair_chart(charts.weights_chart(frame, target.class_name, domain=domain), width="stretch")
    st.caption(
        f"`{BIAS_FEATURE}` = {target.bias:+.3f}: the explanation's starting score for this class before any word "
        "counts. It is shown apart because it is not a word."
    )


def fidelity_section(explanation: Explanation, target: TargetExplanation, compact: bool = False) -> None:
    verdict = judge_explanation(explanation, target)
    body = f"**{verdict.title}.** {verdict.summary}"
    if verdict.reasons and verdict.level != "trust":
        reasons = "; ".join(md_escape(r) for r in verdict.reasons)
        body += "  \n" + reasons[:1].upper() + reasons[1:] + "."
    show = {"trust": st.success, "check": st.warning, "distrust": st.error}[verdict.level]
    icon = {"trust": ":material/verified:", "check": ":material/help:", "distrust": ":material/dangerous:"}
    show(body, icon=icon[verdict.level])
    m = explanation.metrics
    numbers = [
        ("Agreement", pct(m.score), "score"),
        ("Mean KL divergence", f"{m.mean_KL_divergence:.3f}", "mean_KL_divergence"),
        ("Probability gap", f"{probability_gap(target):.3f}", "gap"),
        ("Held-out samples", f"{m.n_heldout:,}", "n_heldout"),
    ]
    if compact:
        for row in (numbers[:2], numbers[2:]):
            cols = st.columns(2)
            for col, (label, value, key) in zip(cols, row, strict=True):
                col.metric(label, value, help=METRIC_HELP[key])
        return
    for row in (numbers[:2], numbers[2:]):
        cols = st.columns(2)
        for col, (label, value, key) in zip(cols, row, strict=True):
            with col:
                st.metric(label, value, border=True)
                meaning = METRIC_HELP[key].split(": ", 1)[1]
                st.caption(meaning[:1].upper() + meaning[1:])


def weights_table(target: TargetExplanation) -> None:
    frame = report.weights_frame(target, include_bias=True)
    show = frame[["feature", "weight", "direction", "count", "contribution"]]
    if frame["std"].notna().any():
        show = frame
    st.dataframe(
        show,
        hide_index=True,
        width="stretch",
        height=min(420, 36 + 35 * len(show)),
        column_config={
            "feature": st.column_config.TextColumn("Word"),
            "weight": st.column_config.NumberColumn("Weight", format="%+.3f"),
            "direction": st.column_config.TextColumn("Pushes"),
            "count": st.column_config.NumberColumn("Count in text", format="%d"),
            "contribution": st.column_config.NumberColumn("Contribution", format="%+.3f"),
            "std": st.column_config.NumberColumn("Std", format="%.3f", help="Uncertainty of the weight."),
            "interval_low": st.column_config.NumberColumn("Interval low", format="%+.3f"),
            "interval_high": st.column_config.NumberColumn("Interval high", format="%+.3f"),
        },
    )


def downloads(explanation: Explanation, key: str) -> None:
    files = (
        ("HTML report", report.html_report, "html", "text/html", ":material/description:"),
        ("JSON", report.to_json, "json", "application/json", ":material/data_object:"),
        ("CSV (weights)", report.to_csv, "csv", "text/csv", ":material/table:"),
    )
    for col, (label, render, ext, mime, icon) in zip(st.columns(len(files)), files, strict=True):
        col.download_button(
            label,
            render(explanation),
            file_name=report.report_filename(explanation, ext),
            mime=mime,
            key=f"{key}.dl.{ext}",
            icon=icon,
            on_click="ignore",
            width="stretch",
        )


def local_caveat(extra: str = "") -> None:
    st.info(LOCAL_CAVEAT + (" " + extra if extra else ""), icon=":material/my_location:")


def trust_panel(result: state.RunResult, explanation: Explanation) -> None:
    """The Trust panel: the place for trust metrics on the Explain page.

    To be filled by the trust-metrics work (uncertainty per word with std and
    interval, stability across seeds, adaptive ``n_samples='auto'``,
    faithfulness). It receives the fitted result (``result.explainer`` holds
    ``keep_``, ``X_``, ``proba_``, ``sample_weight_`` and the fitted
    surrogate) and the explanation shown. Until then it draws nothing.
    """
    return None


def explanation_view(
    result: state.RunResult,
    class_name: str | None,
    *,
    key: str,
    trust: Callable[[state.RunResult, Explanation], None] | None = trust_panel,
) -> Explanation:
    """The full explanation of one result for one class (None = predicted)."""
    if class_name is not None and class_name not in result.class_names:
        class_name = None
    explanation = result.explanation(class_name)
    target = explanation.targets[0]
    headline(result, explanation, target)

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown(f"##### Why \u201c{md_escape(target.class_name)}\u201d? The text, word by word")
        highlighted_text(explanation, target)
    with right:
        st.markdown("##### Class probabilities")
        st.altair_chart(charts.probability_chart(report.probabilities_frame(explanation)), width="stretch")

    left, right = st.columns([3, 2], gap="large")
    with left:
        st.markdown("##### Top words for and against")
        weights_section(target)
    with right:
        st.markdown("##### Can you trust this explanation?")
        fidelity_section(explanation, target)

    local_caveat(weights_meaning(explanation))
    if trust is not None:
        trust(result, explanation)
    with st.expander("All weights (table)", icon=":material/table_rows:"):
        weights_table(target)
    downloads(explanation, key)
    return explanation


def compact_view(
    result: state.RunResult, class_name: str | None, *, scale: float, domain: float, key: str
) -> Explanation:
    """A narrower explanation for side-by-side comparison, on a given colour scale and axis."""
    if class_name is not None and class_name not in result.class_names:
        class_name = None
    explanation = result.explanation(class_name)
    target = explanation.targets[0]
    headline(result, explanation, target)
    highlighted_text(explanation, target, scale=scale)
    weights_section(target, domain=domain, top=8)
    fidelity_section(explanation, target, compact=True)
    with st.expander("All weights (table)"):
        weights_table(target)
    return explanation
