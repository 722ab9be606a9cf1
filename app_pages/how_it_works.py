"""How it works: LIME in plain words, with a picture drawn from the current explanation."""

import math

import streamlit as st

from dashboard import report
from lime_core.wording import LOCAL_CAVEAT
from ui import charts, run, state, views
from ui.text import md_escape, pct

st.title("How it works")
st.caption("LIME (Local Interpretable Model-agnostic Explanations) in five steps, for people who use the answers.")

steps = st.container(key="lc-wrap-how-steps").columns(5, gap="medium")  # wrap, 2-3 a row, when narrow
texts = [
    ("1 \u00b7 Ask, don't open", "The model is a black box: LIME never looks inside, it only asks the model "
     "for its answer, so it works for any model, even one behind an API."),
    ("2 \u00b7 Make variations", "It makes thousands of copies of the text with random words removed: some "
     "nearly whole, some with almost everything gone."),
    ("3 \u00b7 Ask about each", "The model scores every variation. Where removing a word changes the score, "
     "that word matters to the model, for this text."),
    ("4 \u00b7 Fit a simple model", "A small linear model learns one weight per word from those answers; "
     "variations closer to the original count more. Its weights are the explanation."),
    ("5 \u00b7 Check the fit", "Some variations are kept aside to test the simple model against the real one. "
     "If they disagree, the dashboard says: do not trust."),
]
for col, (title, body) in zip(steps, texts, strict=True):
    with col.container(border=True):
        st.markdown(f"**{title}**")
        st.caption(body)

st.markdown("#### What LIME saw for this text")
result: state.RunResult | None = state.get(state.LAST_RESULT)
if result is None:
    st.info("Explain a text first (on the Explain page), or run the example post here.", icon=":material/info:")
    if st.button("Explain the example post", type="primary", icon=":material/play_arrow:"):
        from dashboard.examples import get_example

        example = get_example("kidney-stones")
        new, error = run.explain_bundled(example.text, example.model, state.options_from_sidebar())
        if error:
            st.error(md_escape(error), icon=":material/error:")
        else:
            state.put(state.EXPLAIN_RESULT, new)
            st.rerun()

if result is not None:
    class_name = views.class_picker("how.class", result.class_names, result.predicted_class, narrow=True)
    explanation = result.explanation(class_name)
    target = explanation.targets[0]
    frame_all = report.neighbourhood_frame(result.fit, target.class_name, max_points=None)
    effect = report.top_word_effect(frame_all)
    frame = report.neighbourhood_frame(result.fit, target.class_name, max_points=2000)
    word = md_escape(effect["word"])
    cls = md_escape(target.class_name)

    snippet = result.text[:90] + ("\u2026" if len(result.text) > 90 else "")
    st.caption(
        f"{md_escape(result.model_title)} on \u201c{md_escape(snippet)}\u201d \u00b7 "
        f"{explanation.n_samples:,} variations"
    )
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.altair_chart(charts.neighbourhood_chart(frame), width="stretch")
    with right:
        st.markdown("**How to read it**")
        lines = [
            "Each dot is one variation of the text. Further right means closer to the original (1 = nothing "
            "removed); higher means the model is more sure of "
            f"\u201c{cls}\u201d. The black diamond is the original text.",
            f"Colour shows whether the strongest word for \u201c{cls}\u201d, **{word}**, was kept (green) or "
            "removed (red).",
        ]
        kept, removed = effect["kept_mean"], effect["removed_mean"]
        if not (math.isnan(kept) or math.isnan(removed)):
            lines.append(
                f"On average the model gives \u201c{cls}\u201d **{pct(kept)}** when **{word}** is kept and "
                f"**{pct(removed)}** when it is removed. The simple model turns such differences, for every word "
                "at once, into weights."
            )
        top = next((w for w in target.weights if w.feature == effect["word"]), None)
        if top is not None:
            lines.append(f"Its weight for **{word}** is **{top.weight:+.2f}**.")
        for line in lines:
            st.markdown(line)
    st.info(LOCAL_CAVEAT, icon=":material/my_location:")
