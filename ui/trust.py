"""The trust panel: one verdict from :func:`lime_core.verdict.judge_trust`, then the figures behind it.

Everything shown comes from :func:`lime_core.formatters.trust.trust_summary`,
which the HTML and text reports use too, so the dashboard and a downloaded
report say the same thing. Words from the text reach markdown only through
:func:`ui.text.md_escape`; numbers are formatted here.
"""

from __future__ import annotations

import streamlit as st

from dashboard import report
from dashboard.checklist import checklist_rows
from dashboard.wording import METRIC_HELP, TRUST_HELP
from lime_core.explanation import Explanation
from lime_core.formatters.trust import (
    TrustSummary,
    faithfulness_line,
    rounds_line,
    signs_line,
    stability_warning,
    stability_words_line,
    stop_reason,
)
from lime_core.wording import BASELINE_LABELS, CHECK_TITLES, MEANING

from . import charts, run, state
from .text import md_escape, pct

SHOW = {"trust": st.success, "check": st.warning, "distrust": st.error}
VERDICT_ICON = {"trust": ":material/verified:", "check": ":material/help:", "distrust": ":material/dangerous:"}
CHECK_ICON = {
    "trust": ":green[:material/check_circle:]",
    "check": ":orange[:material/error:]",
    "distrust": ":red[:material/cancel:]",
    None: ":gray[:material/remove_circle_outline:]",
}


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


# -- the verdict -----------------------------------------------------------------------------------------------------


def verdict_box(summary: TrustSummary) -> None:
    """The verdict (Trustworthy / Check it / Do not trust), its one-line summary and its reasons as bullets."""
    v = summary.verdict
    body = f"**{v.title}.** {md_escape(v.summary)}"
    if v.reasons:
        body += "\n\n" + "\n".join(f"- {md_escape(_sentence(r))}" for r in v.reasons)
    SHOW[v.level](body, icon=VERDICT_ICON[v.level])


def checklist(summary: TrustSummary) -> None:
    """One line per check: its level, its name and its key figure (:func:`dashboard.checklist.checklist_rows`)."""
    lines = [
        f"{CHECK_ICON[row.level]} **{row.title}** \u00b7 {md_escape(row.figure)}" for row in checklist_rows(summary)
    ]
    st.markdown("  \n".join(lines))


# -- the figures -----------------------------------------------------------------------------------------------------


def _heading(summary: TrustSummary, name: str) -> None:
    check = summary.verdict.check(name)
    st.markdown(f"{CHECK_ICON[check.level if check else None]} **{CHECK_TITLES[name]}**")


def fidelity_card(summary: TrustSummary) -> None:
    _heading(summary, "fidelity")
    st.caption(MEANING["fidelity"])
    numbers = [
        # the agreement the verdict judges (eli5's exact-class score for results stored before it)
        ("Agreement", pct(summary.close_agreement), "close_agreement")
        if summary.close_agreement is not None
        else ("Agreement", pct(summary.score), "score"),
        ("KL divergence", f"{summary.kl:.3f}", "mean_KL_divergence"),
        ("Probability gap", f"{summary.gap:.3f}", "gap"),
        ("Held-out samples", f"{summary.n_heldout:,}", "n_heldout"),
    ]
    for row in (numbers[:2], numbers[2:]):
        for col, (label, value, key) in zip(st.columns(2), row, strict=True):
            col.metric(label, value, help=METRIC_HELP[key])
    st.caption(
        "Agreement: the real model's class, or one it rates within 0.05 of it; 100% is perfect. KL and gap: how "
        "far its probabilities are, 0 is perfect."
    )


def stability_card(summary: TrustSummary) -> None:
    r = summary.stability
    _heading(summary, "stability")
    st.caption(MEANING["stability"])
    if r is None:
        st.caption("Not computed for this explanation.")
        return
    a, b = st.columns(2)
    a.metric(f"Top-{r.k} agreement", f"{r.top_k_jaccard:.0%}", help=TRUST_HELP["stability"])
    b.metric("Refits", f"{r.n_refits}", help="Refits of the simple model on resampled variations (no model calls).")
    if r.expected_jaccard is not None:  # a row of its own: its label does not fit a third of a card
        st.metric("Expected with unlimited samples", f"{r.expected_jaccard:.0%}", help=TRUST_HELP["expected_jaccard"])
    st.markdown(md_escape(stability_words_line(summary)))
    warning = stability_warning(summary)
    if warning:
        st.warning(md_escape(warning), icon=":material/warning:")


def signs_card(summary: TrustSummary) -> None:
    _heading(summary, "signs")
    st.caption(MEANING["signs"])
    if not summary.has_intervals:
        st.caption("No intervals were computed for this explanation.")
        return
    n = len(summary.top_words)
    st.metric(
        "Top words with a certain sign",
        f"{n - len(summary.top_uncertain)} of {n}",
        help=TRUST_HELP["interval"],
    )
    st.markdown(md_escape(signs_line(summary)))
    if summary.all_uncertain:
        st.caption(
            f"In the chart: error bars show each weight's {summary.confidence:.0%} range; lighter bars with a dashed "
            "outline are the words whose range crosses zero."
        )


def faithfulness_card(result: state.RunResult, summary: TrustSummary, key: str) -> None:
    f = summary.faithfulness
    _heading(summary, "faithfulness")
    st.caption(MEANING["faithfulness"])
    if f is None:
        if summary.faithfulness_elsewhere is not None:
            st.info(
                f"Measured for \u201c{md_escape(summary.faithfulness_elsewhere)}\u201d only: switching the class "
                "asks the model nothing new.",
                icon=":material/info:",
            )
        else:
            st.info("Not checked: it is turned off in the sidebar's sampling settings.", icon=":material/info:")
        if st.button(
            f"Check faithfulness for \u201c{md_escape(summary.class_name)}\u201d",
            key=f"{key}.faithfulness",
            icon=":material/science:",
            help="Removes this class's top words and asks the model again (a few dozen model calls).",
        ):
            error = run.measure_faithfulness(result, summary.class_name)
            if error:
                st.error(md_escape(error), icon=":material/error:")
            else:
                st.rerun()
        return
    table = report.faithfulness_frame(f)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "measure": st.column_config.TextColumn("Measure"),
            **{
                name: st.column_config.NumberColumn(BASELINE_LABELS[name], format="%.3f")
                for name in ("explanation", "random", "occlusion")
            },
            "better": st.column_config.TextColumn("Better"),
        },
    )
    st.altair_chart(
        charts.deletion_curve_chart(report.deletion_curve_frame(f), f.class_name, k=f.k), width="stretch"
    )
    st.caption(
        f"{md_escape(faithfulness_line(f))} Comprehensiveness: the drop when the top {f.k} words are removed; "
        f"sufficiency: the drop when only they are kept; AUC: the area under the curve above. Measured on the "
        f"real model ({f.n_model_calls:,} extra model calls)."
    )


def sampling_card(summary: TrustSummary) -> None:
    s = summary.sampling
    _heading(summary, "sampling")
    st.caption(MEANING["sampling"])
    if s is None:
        return
    auto = s.mode == "auto"
    a, b = st.columns(2)
    c, d = st.columns(2)
    a.metric("Samples", f"{s.n_samples:,}", help=TRUST_HELP["sampling"])
    b.metric("Model calls", f"{s.n_model_calls:,}", help="Distinct variations sent to the model now; repeats are free.")
    c.metric(
        "Answers reused",
        f"{summary.n_answers_reused:,}",
        help="Variations the prediction cache already knew (from an earlier run or round): no model call was made.",
    )
    d.metric(
        "Rounds",
        f"{s.rounds}" if s.rounds else "first look",
        help="Automatic sampling draws in rounds until the top words settle; a first look is fitted on the first "
        "round's first samples.",
    )
    if auto:
        st.markdown(f"**Stopped because** {md_escape(stop_reason(s, summary.stability))}.")
        st.caption(f"Rounds: {md_escape(rounds_line(s))} (cap {s.max_samples or s.n_samples:,}).")
    else:
        st.markdown("**Fixed** number of samples, set in the sidebar.")
        st.caption("Choose *Auto (adaptive)* there to draw variations until the top words settle.")


def trust_panel(result: state.RunResult, explanation: Explanation, summary: TrustSummary, key: str) -> None:
    """The figures behind the verdict, one card per check, each with a sentence on what it means."""
    st.markdown(f"##### The trust checks in detail \u00b7 \u201c{md_escape(summary.class_name)}\u201d")
    top = st.container(key=f"lc-stack-{key}-cards").columns(3, gap="medium")
    for col, card in zip(top, (fidelity_card, stability_card, signs_card), strict=True):
        with col, st.container(border=True):
            card(summary)
    left, right = st.container(key=f"lc-stack-{key}-checks").columns([3, 2], gap="medium")
    with left, st.container(border=True):
        faithfulness_card(result, summary, key)
    with right, st.container(border=True):
        sampling_card(summary)
