"""Explain: one text, one model, why the model says what it says."""

import streamlit as st

from ui import drill, live, models, run, saved, state, views

ERROR = "explain.error"

st.title("Explain a prediction")
st.caption(
    "Paste a text, pick the class to explain and press Explain. LIME removes words at random, asks the model "
    "about each variation and fits a simple model that says which words pushed the prediction."
)

model_name = st.session_state.get(state.MODEL_KEY, models.DEFAULT_MODEL)
result: state.RunResult | None = state.get(state.EXPLAIN_RESULT)

col_text, col_controls = st.container(key="lc-stack-explain-input").columns([3, 1], gap="large")
with col_text:
    text = views.text_input("explain")
with col_controls:
    # The picker lists the classes of the result on screen (rebuilt on every run: a new result reruns the page).
    if result is not None:
        class_names, predicted = result.class_names, result.predicted_class
    else:
        info = models.model_info(model_name)
        model, _ = models.get_model(model_name) if info is not None and info.available else (None, None)
        class_names = [str(c) for c in model.class_names] if model is not None else []
        predicted = None
    if st.session_state.get("explain.run"):  # Explain was pressed: the result below will be the new run's rounds
        predicted = None  # so the caption naming the older result's prediction is left out
    class_name = views.class_picker("explain.class", class_names, predicted)
    clicked = st.button("Explain", type="primary", icon=":material/play_arrow:", width="stretch", key="explain.run")

# The result's place is the first child of one container under the input. A run first draws an empty element there
# (sent before its rounds), which removes every panel of the older result (Streamlit keeps a block's children when a
# block replaces it), so nothing older stays on screen beside the rounds drawn while sampling goes on (ui.live).
# Without a run the element and the result's container arrive together and the result stays in place.
below = st.container()
result_place = below.empty()
if clicked:
    with below:
        new, error = run.explain_bundled(
            text, model_name, state.options_from_sidebar(), running_key="explain",
            live=live.LiveRun("explain", state.EXPLAIN_RESULT, class_name),
        )  # fmt: skip
    st.session_state[ERROR] = error
    if new is not None:
        state.put(state.EXPLAIN_RESULT, new)
        st.session_state[state.SCROLL_TO_RESULT] = "explain"
        st.rerun()  # draw the class picker and everything else from the new result

with result_place.container():
    views.stopped_notice("explain")
    views.show_error(st.session_state.get(ERROR), result is not None)
    if result is None:
        if not st.session_state.get(ERROR):
            st.info(
                "Press **Explain** to see which words drive the model's prediction.", icon=":material/arrow_upward:"
            )
    else:
        views.stale_input_note(result.text, text, result.model_name, model_name)
        st.divider()
        views.result_anchor("explain")
        explanation = views.explanation_view(result, class_name, key="explain")
        saved.save_form(result, explanation, key="explain")
        drill.drill_down(result, explanation, class_name, key="explain")
        views.scroll_to_result("explain")
