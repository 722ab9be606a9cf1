"""The parts of the dashboard's pages: text input with examples, the explanation view and its sections.

Highlighted text is HTML produced by lime_core's escaping formatter
(:func:`lime_core.formatters.html.highlight_html`); the legend is static HTML
with numbers only. Text from outside (labels, model titles, messages) goes into
markdown through :func:`ui.text.md_escape`.
"""

from __future__ import annotations

import dataclasses

import streamlit as st

from dashboard import report
from dashboard.examples import EXAMPLES, Example, get_example
from lime_core.defaults import CONFIDENCE
from lime_core.explanation import BIAS_FEATURE, Explanation, TargetExplanation
from lime_core.formatters.highlight import NEGATIVE_RGB, POSITIVE_RGB, default_scale, weights_meaning
from lime_core.formatters.html import highlight_html
from lime_core.formatters.trust import TrustSummary, sampling_line, trust_summary
from lime_core.language import language_name
from lime_core.nothing_to_explain import moves_nothing, nothing_to_explain_message
from lime_core.wording import LOCAL_CAVEAT, level_line, removal_sentence

from . import charts, methods, models, state, trust
from .text import md_escape, pct

PREDICTED = "<predicted>"
TOP_WORDS = 10

# -- input ---------------------------------------------------------------------------------------------------------


def _apply_example(text_key: str, picker_key: str, switch_model: bool) -> None:
    """Callback of the example picker: put the example's text in the box (and pick its model if usable).

    A change of model is never silent: the note is kept under ``<key>.notice`` and shown under the box while
    the example's text is there.
    """
    key = st.session_state.get(picker_key)
    if not key:
        return
    example = get_example(key)
    st.session_state[text_key] = example.text
    notice_key = text_key.removesuffix(".text") + ".notice"
    st.session_state.pop(notice_key, None)
    if not switch_model:
        return
    current = st.session_state.get(state.MODEL_KEY)
    info = models.model_info(example.model)
    if example.model == current:
        return
    if info is not None and info.available:
        st.session_state[state.MODEL_KEY] = example.model
        st.session_state[notice_key] = (
            example.key,
            f"Switched to {info.title} for this example (it was {models.model_title(current)}).",
        )
    else:
        st.session_state[notice_key] = (
            example.key,
            f"This example was written for {models.model_title(example.model)}, which is not available here; it "
            f"runs on {models.model_title(current)}.",
        )


def example_label(example: Example, model_name: str | None) -> str:
    """The picker's label, marked when the example's language is not one the model reads."""
    languages = models.model_languages(model_name) if model_name else ()
    if languages and example.language not in languages:
        return f"{example.title} · {language_name(example.language)}: not read by this model"
    return example.title


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
        model_name = st.session_state.get(state.MODEL_KEY) if switch_model else None
        st.selectbox(
            "Ready examples",
            [e.key for e in EXAMPLES],
            index=None,
            key=picker_key,
            placeholder="Pick an example to load it into the box\u2026",
            format_func=lambda k: example_label(get_example(k), model_name),
            on_change=_apply_example,
            args=(text_key, picker_key, switch_model),
            persist_state="session",
        )
    text = st.text_area(
        label, key=text_key, height=height, placeholder="Paste or type a text\u2026", persist_state="session"
    )
    example = example_for_text(text)
    notice = st.session_state.get(f"{key}.notice")
    if notice and example is not None and notice[0] == example.key:
        st.info(md_escape(notice[1]), icon=":material/swap_horiz:")
    count = f"{len(text):,} / {state.MAX_TEXT_CHARS:,} characters"
    if len(text) > state.MAX_TEXT_CHARS:
        st.caption(f":red[{count}: too long]")
    elif example is not None:
        st.caption(f"{count} \u00b7 {md_escape(example.story)}")
    else:
        st.caption(count)
    return text


def class_picker(key: str, class_names: list[str], predicted: str | None = None, narrow: bool = False) -> str | None:
    """Select the class to explain; returns None for the predicted class.

    The predicted class is named in a caption under the picker, drawn from the result on screen at every run; an
    option's text naming it lagged a run behind in the browser ("Predicted class (negative)" above a result that
    predicts positive), since the select keeps its shown option while its value stays the same.
    """
    options = [PREDICTED, *class_names]
    if st.session_state.get(key) not in options:
        st.session_state[key] = PREDICTED
    container = st.columns([1, 2])[0] if narrow else st.container()
    choice = container.selectbox(
        "Class to explain",
        options,
        key=key,
        format_func=lambda c: "Predicted class" if c == PREDICTED else c,
        help="Another class is explained from the same samples, with no new model calls.",
        persist_state="session",
    )
    if predicted:
        container.caption(f"The model predicts **{md_escape(predicted)}** for the text of the result below.")
    return None if choice == PREDICTED else choice


def stale_input_note(result_text: str, text: str, result_model: str | None = None, model: str | None = None) -> None:
    """Say so when the result on screen was made from another text (or model) than the one in the box."""
    if result_text == text and (result_model is None or result_model == model):
        return
    what = "text" if result_text != text else "model"
    if result_text != text and result_model is not None and result_model != model:
        what = "text and the model"
    snippet = " ".join(result_text.split())
    snippet = snippet[:80] + ("\u2026" if len(snippet) > 80 else "")
    st.warning(
        f"The {what} changed since this result was made: it explains \u201c{md_escape(snippet)}\u201d. "
        "Press the button to explain what is in the box.",
        icon=":material/history:",
    )


def stopped_notice(page: str) -> None:
    """Say so when this page's last explanation was stopped before it ended (the user left the page)."""
    stopped = state.stopped_run(page)
    if stopped:
        snippet = stopped["text"][:60] + ("\u2026" if len(stopped["text"]) > 60 else "")
        st.warning(
            f"The explanation started on {md_escape(stopped['model_title'])} for \u201c{md_escape(snippet)}\u201d "
            "was stopped when you left this page or changed a setting, before it finished. Press the button to "
            "run it again.",
            icon=":material/stop_circle:",
        )


def result_anchor(page: str) -> None:
    """Where the result starts; after a new result, the page scrolls there once (see :func:`scroll_to_result`)."""
    st.html(f'<div class="lc-result-anchor" data-page="{page}"></div>')


def scroll_to_result(page: str) -> None:
    """Bring the new result into view, once per run that made it (a static script; no text from outside)."""
    if st.session_state.get(state.SCROLL_TO_RESULT) != page:
        return
    st.session_state.pop(state.SCROLL_TO_RESULT, None)
    st.html(
        "<script>requestAnimationFrame(function(){"
        f"var a=document.querySelector('.lc-result-anchor[data-page=\"{page}\"]');"
        "if(a){a.scrollIntoView({behavior:'smooth',block:'start'});}});</script>",
        unsafe_allow_javascript=True,
    )


def language_warning(explanation: Explanation) -> None:
    """The warning on a result whose text is in a language the model does not declare."""
    report = explanation.language
    warning = report.warning() if report is not None else None
    if warning:
        st.warning(md_escape(warning), icon=":material/translate:")


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


def headline_line(model_title: str, explanation: Explanation, target: TargetExplanation, verb: str = "predicts") -> str:
    scores = explanation.multi_label
    if scores is not None:  # every label its own yes/no question
        above = [name for name, p in zip(scores.labels, scores.probabilities, strict=True) if p >= 0.5]
        said = ", ".join(f"**{md_escape(name)}**" for name in above) if above else "no label"
        return (
            f"**{md_escape(model_title)}** gives each label its own probability; {said} at 50 % or more. "
            f"Explaining **{md_escape(target.class_name)}** ({pct(target.probability)}) against the rest."
        )
    predicted = explanation.predicted_class
    p = max(explanation.probabilities)
    line = f"**{md_escape(model_title)}** {verb} **{md_escape(predicted)}** ({pct(p)})."
    if target.class_name != predicted:
        line += f" Explaining **{md_escape(target.class_name)}** ({pct(target.probability)}) instead."
    return line


def headline(result: state.RunResult, explanation: Explanation, target: TargetExplanation) -> None:
    st.markdown(headline_line(result.model_title, explanation, target))
    st.caption(md_escape(results_line(result, explanation, target)))


def results_line(result: state.RunResult, explanation: Explanation, target: TargetExplanation) -> str:
    """How the explanation was made: "auto: 900 samples in 3 rounds, 640 model calls, stopped because ..."."""
    stability = trust_summary(explanation, target).stability  # the line and the Stability card tell one story
    parts = [
        sampling_line(
            explanation.sampling, explanation.n_samples, result.n_model_calls, result.n_answers_reused, stability
        )
    ]
    checks = result.n_check_calls
    if checks:
        parts.append(f"+{checks:,} model calls to check faithfulness")
    parts += [f"{result.elapsed:.1f} s", f"seed {result.options.seed}"]
    parts.append(removal_sentence(explanation.settings.removal, explanation.settings.mask_token).rstrip("."))
    features = features_phrase(explanation)
    if features:
        parts.append(features)
    if target.class_name != explanation.predicted_class:
        own = explanation.faithfulness
        parts.append(
            "re-explained from the same samples, no new model calls"
            if own is None
            else f"re-explained from the same samples (its faithfulness check: {own.n_model_calls:,} model calls)"
        )
    return " \u00b7 ".join(parts)


def features_phrase(explanation: Explanation) -> str:
    """Whether the features have word pairs, for a results line: said when the model's default chose them for
    the text (lime_core.word_pairs) or the user asked for them; "" for single words nobody chose."""
    settings = explanation.settings
    if settings.features_reason:
        return ("word pairs kept for this text: they fit the model better" if settings.bigrams
                else "single words: word pairs did not fit this text better")
    return "words and adjacent word pairs" if settings.bigrams else ""


def highlighted_text(explanation: Explanation, target: TargetExplanation, scale: float | None = None) -> None:
    scale = scale or default_scale([target])
    st.html(highlight_html(explanation, target, scale=scale))
    st.html(legend_html(scale))


def weights_section(
    target: TargetExplanation, domain: float | None = None, top: int = TOP_WORDS, confidence: float | None = None
) -> None:
    frame = report.top_weights_frame(target, top=top)
    if frame.empty:
        st.info("No word moves this class: every weight is zero.")
    else:
        chart = charts.weights_chart(frame, target.class_name, domain=domain, confidence=confidence)
        st.altair_chart(chart, width="stretch")
        if frame["interval_low"].notna().any():
            unsure = frame[frame["sign"] == report.SIGN_UNCERTAIN]["feature"].tolist()
            level = f"{confidence or CONFIDENCE:.0%}"
            note = f"Error bars: the range where each weight would most likely fall in a re-run ({level}). "
            if unsure:
                named = ", ".join(f"\u201c{md_escape(w)}\u201d" for w in unsure[:8])
                more = f" and {len(unsure) - 8} more" if len(unsure) > 8 else ""
                note += f"Lighter, dashed bars cross zero, so their direction is uncertain: {named}{more}."
            else:
                note += "Every word shown has a certain direction."
            st.caption(note)
    st.caption(
        f"`{BIAS_FEATURE}` = {target.bias:+.3f}: the explanation's starting score for this class before any word "
        "counts. It is shown apart because it is not a word."
    )


def verdict_section(explanation: Explanation, target: TargetExplanation) -> None:
    """The trust verdict with its reasons and the one-line checklist (the Compare and Local model pages)."""
    summary = trust_summary(explanation, target)
    trust.verdict_box(summary)
    trust.checklist(summary)


def weights_table(target: TargetExplanation, confidence: float | None = None) -> None:
    frame = report.weights_frame(target, include_bias=True)
    show = frame[["feature", "weight", "direction", "value", "contribution"]]
    if frame["std"].notna().any():
        show = frame
    level = f"{confidence or CONFIDENCE:.0%}"
    st.dataframe(
        show,
        hide_index=True,
        width="stretch",
        height=min(420, 36 + 35 * len(show)),
        column_config={
            "feature": st.column_config.TextColumn("Word"),
            "weight": st.column_config.NumberColumn("Weight", format="%+.3f"),
            "direction": st.column_config.TextColumn("Pushes"),
            "value": st.column_config.NumberColumn("Count in text", format="%d"),
            "contribution": st.column_config.NumberColumn("Contribution", format="%+.3f"),
            "std": st.column_config.NumberColumn(
                "Std error", format="%.3f", help="How much the weight would vary from one run to the next."
            ),
            "interval_low": st.column_config.NumberColumn(
                f"{level} low", format="%+.3f", help="The weight's likely range: its lower end."
            ),
            "interval_high": st.column_config.NumberColumn(
                f"{level} high", format="%+.3f", help="The weight's likely range: its upper end."
            ),
            "sign_certain": st.column_config.CheckboxColumn(
                "Sign certain", help="Whether the range excludes zero, i.e. the word's direction is established."
            ),
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


def summary_for(result: state.RunResult, explanation: Explanation) -> TrustSummary:
    """The trust summary of the explanation's (first) class, knowing what the result measured for other classes."""
    summary = trust_summary(explanation, explanation.targets[0])
    if summary.faithfulness is None and summary.faithfulness_elsewhere is None:
        predicted = result.predicted_class
        if summary.class_name != predicted and result.faithfulness_checked(None):
            summary = dataclasses.replace(summary, faithfulness_elsewhere=predicted)
    return summary


def trust_panel(result: state.RunResult, explanation: Explanation, key: str = "explain") -> None:
    """The Trust panel's figures on the Explain page (the verdict sits beside the weights chart).

    Fidelity, stability, sign certainty, faithfulness against random words and occlusion, and the sampling,
    each with a sentence on what it means; see :mod:`ui.trust`.
    """
    trust.trust_panel(result, explanation, summary_for(result, explanation), key)


def _explained(result: state.RunResult, class_name: str | None) -> tuple[Explanation, TargetExplanation, TrustSummary]:
    """The result explained for one class (an unknown class falls back to the predicted one), with its headline."""
    if class_name is not None and class_name not in result.class_names:
        class_name = None
    explanation = result.explanation(class_name)
    target = explanation.targets[0]
    summary = summary_for(result, explanation)
    headline(result, explanation, target)
    return explanation, target, summary


def nothing_to_explain(result: state.RunResult) -> bool:
    """Removing words never moved the model's answer (an emoji-only text on a word model): weights would be noise."""
    return moves_nothing(getattr(result, "answer_spread", None))  # a stored result keeps no samples


def nothing_to_explain_note(result: state.RunResult) -> None:
    st.info(nothing_to_explain_message(result.fit.neighbourhood.n_samples), icon=":material/block:")


def explanation_view(
    result: state.RunResult,
    class_name: str | None,
    *,
    key: str,
    details: bool = True,
) -> Explanation:
    """The full explanation of one result for one class (None = predicted), with the trust panel."""
    explanation, target, summary = _explained(result, class_name)
    if nothing_to_explain(result):
        nothing_to_explain_note(result)
        return explanation
    explanation_parts(explanation, target, summary, key)
    if details:
        trust_panel(result, explanation, key)
        methods.methods_section(result, explanation, key)
    with st.expander("All weights (table)", icon=":material/table_rows:"):
        weights_table(target, summary.confidence)
    downloads(explanation, key)
    return explanation


def explanation_parts(explanation: Explanation, target: TargetExplanation, summary: TrustSummary, key: str) -> None:
    """The text, the probabilities, the top words and the verdict: drawn from the explanation's data alone."""
    language_warning(explanation)
    settings = explanation.settings
    unit = "sentence" if settings.level == "sentences" else "paragraph" if settings.level == "paragraphs" else "word"
    left, right = st.container(key=f"lc-stack-{key}-text").columns([3, 2], gap="large")
    with left:
        st.markdown(f"##### Why \u201c{md_escape(target.class_name)}\u201d? The text, {unit} by {unit}")
        st.caption(md_escape(level_line(settings.level, settings.level_reason, settings.within)))
        highlighted_text(explanation, target)
    with right:
        multi = explanation.multi_label is not None
        st.markdown("##### Label probabilities (each on its own)" if multi else "##### Class probabilities")
        st.altair_chart(charts.probability_chart(report.probabilities_frame(explanation)), width="stretch")

    left, right = st.container(key=f"lc-stack-{key}-words").columns([3, 2], gap="large")
    with left:
        st.markdown(f"##### Top {unit}s for and against")
        weights_section(target, confidence=summary.confidence)
    with right:
        st.markdown("##### Can you trust this explanation?")
        trust.verdict_box(summary)
        trust.checklist(summary)
    local_caveat(weights_meaning(explanation))


def compact_view(
    result: state.RunResult, class_name: str | None, *, scale: float, domain: float, key: str
) -> Explanation:
    """A narrower explanation for side-by-side comparison, on a given colour scale and axis."""
    explanation, target, summary = _explained(result, class_name)
    if nothing_to_explain(result):
        nothing_to_explain_note(result)
        return explanation
    language_warning(explanation)
    highlighted_text(explanation, target, scale=scale)
    weights_section(target, domain=domain, top=8, confidence=summary.confidence)
    trust.verdict_box(summary)
    trust.checklist(summary)
    with st.expander("All weights (table)"):
        weights_table(target, summary.confidence)
    return explanation
