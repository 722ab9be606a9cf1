"""Compare: two explanations side by side on one colour scale."""

import streamlit as st

from dashboard.examples import COMPARE_MODEL, COMPARE_PAIR
from ui import compare, models, state

st.title("Compare two explanations")
st.caption(
    "Two texts on one model (the same \u201cimage\u201d in a graphics question and in a Bible verse, both for "
    "comp.graphics), or one text on two models. Both sides use the same colour scale and the same axis, so a "
    "stronger colour is a larger weight."
)

mode = st.segmented_control(
    "What to compare",
    [compare.TWO_TEXTS, compare.TWO_MODELS],
    default=compare.TWO_TEXTS,
    key="compare.mode",
    persist_state="session",
)
mode = mode or compare.TWO_TEXTS
model_name = st.session_state.get(state.MODEL_KEY, models.DEFAULT_MODEL)

left, right = st.container(key="lc-stack-compare-input").columns(2, gap="large")
if mode == compare.TWO_TEXTS:
    with left:
        text_left = compare.side_text("left", COMPARE_PAIR[0])
    with right:
        text_right = compare.side_text("right", COMPARE_PAIR[1])
    pair_model = compare.model_select("both", COMPARE_MODEL, label="Model for both texts")
    jobs = [("left", text_left, pair_model), ("right", text_right, pair_model)]
else:
    text = compare.side_text("both", "restaurant-review", label="Text to explain on both models")
    with left:
        model_left = compare.model_select("left", model_name)
    with right:
        model_right = compare.model_select("right", compare.other_model(model_name))
    jobs = [("left", text, model_left), ("right", text, model_right)]

clicked = st.button("Explain both", type="primary", icon=":material/play_arrow:")
compare.run_and_show(jobs, clicked, same_model=mode == compare.TWO_TEXTS)
