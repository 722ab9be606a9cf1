"""Local model: the surrogate's weights for every class at once."""

import streamlit as st

from dashboard import report
from ui import charts, live, models, run, state, views
from ui.text import md_escape, pct

ERROR = "local.error"
SYNCED = "local.synced"  # the id of the Explain result whose text the box last took

st.title("The local model")
st.caption(
    "LIME's explanation is a small linear model fitted around one text. Here are its weights for every class at "
    "once: what each word does to each class, near this text."
)

model_name = st.session_state.get(state.MODEL_KEY, models.DEFAULT_MODEL)
explained = state.get(state.EXPLAIN_RESULT)
own: state.RunResult | None = state.get(state.LOCAL_RESULT)
# The newer of this page's result and the Explain page's; the box shows the text of an Explain result once, when it
# arrives (the user's own edits after that stay, and a note says the result is for another text).
shown = max((r for r in (own, explained) if r is not None), key=lambda r: r.created, default=None)
if shown is not None and shown is explained and st.session_state.get(SYNCED) != explained.id:
    st.session_state["local.text"] = explained.text
    st.session_state[SYNCED] = explained.id

views.stopped_notice("local")
col_text, col_controls = st.container(key="lc-stack-local-input").columns([3, 1], gap="large")
with col_text:
    text = views.text_input("local", height=150)
with col_controls:
    top = st.slider("Words shown", min_value=5, max_value=30, value=15, key="local.top", persist_state="session")
    clicked = st.button("Explain all classes", type="primary", icon=":material/play_arrow:", width="stretch")

# The result's place, as on the Explain page: a run's rounds replace the older result there while sampling goes on
# (ui.live), and the finished result is drawn after a rerun.
below = st.container()
result_place = below.empty()
if clicked:
    with below:
        new, error = run.explain_bundled(
            text, model_name, state.options_from_sidebar(), running_key="local",
            live=live.LiveRun("local", state.LOCAL_RESULT),
        )  # fmt: skip
    st.session_state[ERROR] = error
    if new is not None:
        state.put(state.LOCAL_RESULT, new)
        st.session_state[state.SCROLL_TO_RESULT] = "local"
        st.rerun()

with result_place.container():
    own = state.get(state.LOCAL_RESULT)
    result = max((r for r in (own, explained) if r is not None), key=lambda r: r.created, default=None)
    source_note = ""
    if result is not None and result is explained and result is not own:
        source_note = "From the Explain page's latest explanation (no new model calls)"
    views.show_error(st.session_state.get(ERROR), result is not None)

    if result is None:
        st.info("Press **Explain all classes** to see the local model.", icon=":material/arrow_upward:")
    else:
        explanation = result.all_classes()
        st.divider()
        views.result_anchor("local")
        views.stale_input_note(result.text, text, result.model_name, model_name)
        views.language_warning(explanation)
        st.markdown(
            f"**{md_escape(result.model_title)}** predicts **{md_escape(explanation.predicted_class)}** "
            f"({pct(max(explanation.probabilities))}) for this text."
        )
        # the Explain page's results line (sampling, time, seed, removal, word pairs), for the predicted class
        line = md_escape(views.results_line(result, explanation, explanation.target(explanation.predicted_class)))
        st.caption(" \u00b7 ".join(part for part in (source_note, line) if part))
        views.local_caveat(
            "These weights describe the model only in this neighbourhood: they are not the model's global weights."
        )
        left, right = st.container(key="lc-stack-local-result").columns([3, 2], gap="large")
        with left:
            st.markdown("##### Weight of each word for each class")
            frame = report.class_weights_frame(explanation, top=top)
            st.altair_chart(charts.class_weights_heatmap(frame), width="stretch")
            st.caption(
                "Green: the word raises the class's score here; red: it lowers it. Words are ordered by their "
                "largest effect on any class."
            )
        with right:
            st.markdown("##### Starting point and probabilities")
            st.dataframe(
                report.bias_frame(explanation),
                hide_index=True,
                width="stretch",
                column_config={
                    "class": st.column_config.TextColumn("Class"),
                    "bias": st.column_config.NumberColumn(
                        "<BIAS>", format="%+.3f", help="The local model's score before any word counts."
                    ),
                    "probability": st.column_config.NumberColumn("Model", format="percent"),
                    "surrogate_probability": st.column_config.NumberColumn("Local model", format="percent"),
                },
            )
            st.markdown(f"##### Can you trust it for \u201c{md_escape(explanation.predicted_class)}\u201d?")
            views.verdict_section(explanation, explanation.target(explanation.predicted_class))
        with st.expander("All weights, every class (table)", icon=":material/table_rows:"):
            st.dataframe(report.class_weights_table(explanation, top=500), hide_index=True, width="stretch")
        st.download_button(
            "CSV (all classes)",
            report.to_csv(explanation),
            file_name=report.report_filename(explanation, "csv").replace(".csv", "-all-classes.csv"),
            mime="text/csv",
            key="local.dl.csv",
            icon=":material/table:",
            on_click="ignore",
        )
        views.scroll_to_result("local")
