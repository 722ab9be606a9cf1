"""Dataset: explain a whole test set, then find out where and why the model goes wrong."""

import streamlit as st

from ui import dataset, dataset_views

st.title("Explain a dataset")
st.caption(
    "Explain every text of a test set, then see the accuracy, where the model is confused, which words drive "
    "each class across the explanations, and the few texts that SP-LIME picks as representative."
)

dataset_views.choose_data()
folder = dataset_views.chosen_folder()  # stops here until a run is started or opened
dataset_views.progress(folder)
if not dataset.has_results(folder):
    st.stop()

summary, rows, pick_k, cell = dataset_views.overview(folder)
dataset_views.words_and_picks(summary, rows, pick_k)
dataset_views.second_opinions(summary)
dataset_views.texts(folder, rows, summary.get("labels"), cell)
