"""The Methods view on the Explain page: LIME beside KernelSHAP and occlusion for the class on screen.

Asked for with a button (the methods' model calls are counted before anything is sent); then the sentence, one
chart of every method's values on one colour scale, the top words, faithfulness and agreement tables. The
numbers come from :mod:`lime_core.methods` through :mod:`dashboard.methods`, as the HTML report's do.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import methods as frames
from dashboard.stored import StoredResult
from lime_core.explanation import Explanation
from lime_core.formatters.methods import cost_line, method_label, shap_line
from lime_core.methods.compare import max_texts
from lime_core.wording import METHOD_MEANING, METHODS_SCALE_NOTE

from . import run, state
from .charts import GREEN, RED, chart_label
from .text import md_escape

ERROR_KEY = "methods.error"


def methods_chart(frame: pd.DataFrame) -> alt.Chart:
    """Words (rows) by methods (columns), each cell coloured by its value's share of its method's largest."""
    data = frame.assign(word=frame["word"].map(chart_label))
    words = list(dict.fromkeys(data.sort_values("order")["word"]))
    methods = list(dict.fromkeys(data.sort_values("column")["method"]))
    base = alt.Chart(data).encode(
        x=alt.X("method:N", sort=methods, title=None, axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("word:N", sort=words, title=None, axis=alt.Axis(labelLimit=220)),
        tooltip=[
            alt.Tooltip("word:N", title="Word"),
            alt.Tooltip("method:N", title="Method"),
            alt.Tooltip("value:Q", title="Value", format="+.4f"),
            alt.Tooltip("scale:N", title="Scale"),
            alt.Tooltip("share:Q", title="Share of the method's largest", format="+.0%"),
            alt.Tooltip("rank:Q", title="Rank"),
            alt.Tooltip("interval:N", title="Likely range (interval)"),
        ],
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color(
            "share:Q",
            scale=alt.Scale(domain=[-1, 0, 1], range=[RED, "#ffffff", GREEN], interpolate="rgb"),
            legend=alt.Legend(title="share of the method's largest", format="+.0%", orient="bottom"),
        )
    )
    # A method's top words in bold: two text layers, since the font weight is not an encoding channel.
    top = base.mark_text(fontSize=12, fontWeight="bold").encode(text="text:N").transform_filter(alt.datum.in_top)
    rest = base.mark_text(fontSize=12).encode(text="text:N").transform_filter(~alt.datum.in_top)
    return (cells + top + rest).properties(height=28 * len(words) + 110)


def _cost(result: state.RunResult | StoredResult, explanation: Explanation) -> int:
    n_words = len(explanation.targets[0].weights)
    if isinstance(result, state.RunResult):
        n_words = result.fit.neighbourhood.features.groups.n_words
    return max_texts(n_words, with_faithfulness=explanation.faithfulness is None)


def methods_section(result: state.RunResult | StoredResult, explanation: Explanation, key: str) -> None:
    """The Methods view for the explanation's class: a button until computed, then the comparison."""
    target = explanation.targets[0]
    report = explanation.methods
    if report is not None and report.class_name != target.class_name:
        report = None
    with st.container(key=f"lc-methods-{key}"):
        st.markdown(f"##### Would another method say the same? (\u201c{md_escape(target.class_name)}\u201d)")
        if report is None:
            st.caption(
                "Compare LIME with KernelSHAP (Shapley values from the same samples) and occlusion (leave one word "
                "out) on this text: their top words, how far they agree, and whose ranking is the most faithful to "
                "the model."
            )
            clicked = st.button(
                f"Compare methods (at most {_cost(result, explanation):,} model calls, fewer when cached)",
                key=f"{key}.methods",
                icon=":material/compare_arrows:",
            )
            if clicked:
                asked = None if target.class_name == result.predicted_class else target.class_name
                error = run.compare_methods(result, asked)
                st.session_state[f"{ERROR_KEY}.{key}"] = error
                if error is None:
                    st.rerun()
            error = st.session_state.get(f"{ERROR_KEY}.{key}")
            if error:
                st.error(md_escape(error), icon=":material/error:")
            return
        st.markdown(md_escape(report.summary))
        st.altair_chart(methods_chart(frames.word_values_frame(report)), width="stretch")
        st.caption(
            md_escape(
                f"{METHODS_SCALE_NOTE} Bold: in the method's top {report.k}; #: its rank. "
                + " ".join(f"{method_label(m)}: {text}." for m, text in METHOD_MEANING.items())
            )
        )
        left, right = st.columns(2, gap="large")
        with left:
            st.markdown("**Faithfulness of each ranking** (on the real model)")
            st.dataframe(frames.faithfulness_frame(report), hide_index=True, width="stretch")
        with right:
            st.markdown("**Agreement**")
            st.dataframe(frames.agreement_frame(report), hide_index=True, width="stretch")
        st.dataframe(frames.top_words_frame(report), hide_index=True, width="stretch")
        notes = [shap_line(report), cost_line(report)]
        notes += [f"{method_label(r.method)}: {r.note}" for r in report.results if r.note]
        st.caption(md_escape(" ".join(n for n in notes if n)))
