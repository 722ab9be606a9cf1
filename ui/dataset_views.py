"""The Dataset page's sections: choosing the data, the run's progress and the error analysis of a run's folder.

The page script (``app_pages/dataset.py``) calls these in order; the data they
draw comes from :mod:`ui.dataset` (runs and cached reads of the output folder).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import methods as method_frames
from dashboard.run_folder import resolve_run_folder
from lime_core.batch import BatchOptions
from lime_core.formatters.methods import method_label
from lime_core.methods.data import parse_methods
from lime_core.wording import DATASET_CAVEAT, TITLES

from . import dataset, models, saved, state, views
from .text import md_escape

ERROR = "dataset.error"


def choose_data() -> None:
    """The two tabs: a new run (model, texts, workers) or an earlier run's folder."""
    new_tab, open_tab = st.tabs(["New run", "Open an earlier run"])
    with new_tab:
        catalog = [m for m in models.model_catalog() if m.available]
        names = [m.name for m in catalog] or [models.DEFAULT_MODEL]
        current = st.session_state.get(state.MODEL_KEY, models.DEFAULT_MODEL)
        left, right = st.container(key="lc-stack-dataset-input").columns(2, gap="large")
        with left:
            model_name = st.selectbox(
                "Model", names, index=names.index(current) if current in names else 0, key="dataset.model",
                format_func=models.model_title, persist_state="session",
            )
            source = st.radio("Texts", [dataset.NEWSGROUPS, dataset.UPLOAD], key="dataset.source",
                              persist_state="session")
        frame = None
        with right:
            if source == dataset.NEWSGROUPS:
                count = st.number_input("How many posts (from the start of the test split)", 4, 1502, 40, step=10,
                                        key="dataset.n_posts", persist_state="session")
                frame_request = ("newsgroups", int(count))
            else:
                upload = st.file_uploader("CSV or Parquet", type=["csv", "parquet"], key="dataset.upload")
                frame_request = None
                if upload is not None:
                    try:
                        uploaded = dataset.read_upload(upload.name, upload.getvalue())
                    except Exception as exc:  # a malformed file: say so, keep the page
                        st.error(f"Cannot read {md_escape(upload.name)}: {md_escape(exc)}", icon=":material/error:")
                        uploaded = None
                    if uploaded is not None and len(uploaded.columns):
                        columns = [str(c) for c in uploaded.columns]
                        text_col = st.selectbox("Text column", columns, index=columns.index("text")
                                                if "text" in columns else 0, key="dataset.text_col")
                        label_col = st.selectbox("Label column (optional)", ["(none)", *columns],
                                                 index=1 + columns.index("label") if "label" in columns else 0,
                                                 key="dataset.label_col")
                        id_col = st.selectbox("Id column (optional)", ["(row numbers)", *columns],
                                              index=1 + columns.index("id") if "id" in columns else 0,
                                              key="dataset.id_col")
                        frame, problem = dataset.upload_frame(uploaded, text_col, label_col, id_col)
                        if problem:
                            st.error(md_escape(problem), icon=":material/error:")
                        else:
                            ids = f"ids from column {md_escape(id_col)}" if id_col in columns else "ids: row numbers"
                            st.caption(f"{len(frame):,} texts; {ids}.")
            workers = st.number_input("Workers (processes)", 1, 8, 1, key="dataset.workers", persist_state="session",
                                      help="1 runs in the dashboard's process with the loaded model; more start "
                                      "worker processes that each load the model.")
            second_opinions = st.checkbox(
                "Second opinions: KernelSHAP and occlusion beside LIME", key="dataset.methods",
                persist_state="session",
                help="Each text's top words by two other methods, from the same samples and model answers, and "
                "where they disagree with LIME's. Costs the faithfulness check and about one model call per word "
                "more per text.")
        options = state.options_from_sidebar()
        sampling = f"auto, at most {options.max_samples:,}" if options.auto else f"{options.n_samples:,}"
        checks = " and the faithfulness check (a few dozen model calls more per text)" if options.faithfulness else ""
        if second_opinions:
            checks = ", the faithfulness check and KernelSHAP and occlusion (about one model call per word more)"
        st.caption(f"Sampling settings from the sidebar: {sampling} samples per text{checks}, seed {options.seed}. "
                   "Each text's seed derives from it and the text's id.")
        if st.button("Run batch", type="primary", icon=":material/play_arrow:", key="dataset.run"):
            model, error = models.get_model(model_name)
            if frame_request is not None and error is None:
                try:
                    frame = dataset.newsgroups_frame(frame_request[1])
                except Exception as exc:
                    error = models.user_message(exc)
            if error is None and frame is None:
                error = "Upload a CSV or Parquet file first."
            st.session_state[ERROR] = error
            if error is None:
                batch_options = BatchOptions(
                    samples="auto" if options.auto else int(options.n_samples),
                    seed=int(options.seed),
                    sampler=options.sampler,
                    bigrams=bool(options.bigrams),
                    max_chars=state.MAX_TEXT_CHARS,
                    faithfulness=bool(options.faithfulness),
                    methods=parse_methods("all") if second_opinions else (),
                    extra={"max_samples": int(options.max_samples)},
                    languages=tuple(models.model_languages(model_name)),  # each text checked, as on Explain
                )
                folder = dataset.new_folder(model_name)
                dataset.start_run(frame, folder, model_name, model, batch_options, workers=int(workers))
                st.session_state[dataset.FOLDER] = str(folder)
                st.session_state[dataset.CELL] = None
                st.session_state[dataset.OPEN] = None

    with open_tab:
        runs = dataset.earlier_runs()
        if runs:
            chosen = st.selectbox("Earlier runs", runs, format_func=dataset.folder_label, key="dataset.earlier")
        else:
            chosen = None
            st.caption(f"No runs yet in {md_escape(dataset.batches_dir())}.")
        typed = st.text_input("Or the path of an output folder (e.g. from `python -m lime_core explain-batch`)",
                              key="dataset.path")
        if st.button("Open", key="dataset.open_folder", icon=":material/folder_open:"):
            try:
                target = resolve_run_folder(typed, dataset.batches_dir()) if typed.strip() else chosen
                problem = None if target is not None else "Nothing to open: type a run folder's path or pick a run."
            except ValueError as exc:
                target, problem = None, str(exc)
            if problem is not None:
                st.session_state[ERROR] = problem
            else:
                st.session_state[ERROR] = None
                st.session_state[dataset.FOLDER] = str(target)
                st.session_state[dataset.CELL] = None
                st.session_state[dataset.OPEN] = None


def chosen_folder() -> Path:
    """The output folder shown, after the page's error; stops the page when none is chosen yet."""
    views.show_error(st.session_state.get(ERROR), False)

    folder_value = st.session_state.get(dataset.FOLDER)
    if not folder_value:
        st.info("Run a batch or open an earlier run to see the error analysis.", icon=":material/arrow_upward:")
        st.stop()
    folder = Path(folder_value)
    st.divider()
    st.caption(f"Output folder: {md_escape(folder)}")
    return folder


def progress(folder: Path) -> None:
    """The run's progress, redrawn every second while it goes on (the rest of the page is not blocked)."""
    # Polls only while a run goes on; once it ends the fragment reruns the page, which then stops polling.
    # This full run draws the page for the state read now, so the fragment reruns the page only on a later change
    # (rerunning from here would drop a click made in this run, e.g. on a confusion cell just after the run ended).
    page_state = dataset.run_state(folder).get("state")
    st.session_state["dataset.shown_state"] = page_state

    @st.fragment(run_every=1.0 if page_state in (None, "running") else None)
    def progress_panel() -> None:
        status = dataset.run_state(folder)
        run_state = status.get("state")
        done, total = int(status.get("done") or 0), status.get("total")
        if run_state == "running":
            left = status.get("seconds_left")
            eta = f", about {left:.0f} s left" if isinstance(left, int | float) else ""
            fraction = done / total if total else 0.0
            st.progress(min(1.0, fraction), text=f"Explaining: {done:,} of {total or '?'} texts, "
                        f"{int(status.get('model_calls') or 0):,} model calls{eta}. You can use other pages meanwhile.")
        elif st.session_state.get("dataset.shown_state") in (None, "running") and run_state is not None:
            # The run ended since the page was drawn, also when it was drawn before the run had written its state
            # (a fast run): draw the results (this was "running" only, and a fast run left the page blank).
            st.session_state["dataset.shown_state"] = run_state
            st.rerun()  # the run ended: draw the results
        if run_state in ("failed", "interrupted"):
            st.warning(f"The run {run_state} after {done:,} of {total or '?'} texts: "
                       f"{md_escape(status.get('message') or 'no message')}. What was finished is kept; "
                       "`python -m lime_core explain-batch ... --resume` continues it.", icon=":material/warning:")
        st.session_state["dataset.shown_state"] = run_state

    progress_panel()


def overview(folder: Path) -> tuple[dict[str, Any], pd.DataFrame, int, tuple[str, str] | None]:
    """The caveat, the counting controls, the metrics and the confusion matrix.

    Returns what the sections below read: the run's summary, its rows, the number of SP-LIME picks and the
    confusion cell clicked (None: all texts).
    """
    st.info(DATASET_CAVEAT, icon=":material/my_location:")
    controls = st.columns([1, 1, 2])
    # Off by default: with it on, a clicked cell and the words per class were often empty (all empty for 11 reviews).
    trusted_only = controls[0].toggle("Trustworthy explanations only", value=False, key="dataset.trusted_only",
                                      persist_state="session",
                                      help="Count only explanations whose verdict is Trustworthy in the word "
                                      "summaries and the SP-LIME pick.")
    pick_k = int(controls[1].number_input("SP-LIME picks", 1, dataset.MAX_PICK, 5, key="dataset.pick",
                                          persist_state="session"))
    summary = dataset.dataset_summary(folder, pick_k, trusted_only)
    rows = dataset.text_rows(folder)
    labels = summary.get("labels")

    metrics = st.columns(5)
    metrics[0].metric("Texts explained", f"{summary['n_explained']:,}",
                      help=f"{summary['n_errors']:,} could not be explained")
    metrics[1].metric("Accuracy", f"{labels['accuracy']:.1%}" if labels else "no labels")
    for col, level in zip(metrics[2:], ("trust", "check", "distrust"), strict=True):
        col.metric(TITLES[level], f"{summary['verdicts'].get(level, 0):,}")

    cell = st.session_state.get(dataset.CELL)
    if labels:
        st.markdown("##### Confusion matrix: rows are the true labels, columns the predictions. Click a cell.")
        classes, matrix = labels["classes"], labels["confusion"]
        if len(classes) <= dataset.MAX_GRID_CLASSES:
            header = st.columns([2] + [1] * len(classes))
            header[0].caption("label \u2193 / predicted \u2192")
            for col, name in zip(header[1:], classes, strict=True):
                col.caption(md_escape(name))
            for i, label in enumerate(classes):
                line = st.columns([2] + [1] * len(classes))
                line[0].markdown(md_escape(label))
                for j, predicted in enumerate(classes):
                    selected = cell is not None and tuple(cell) == (label, predicted)
                    if line[j + 1].button(f"{matrix[i][j]:,}", key=f"dataset.cell.{i}.{j}", width="stretch",
                                          type="primary" if selected else ("secondary" if i == j else "tertiary")):
                        cell = None if selected else (label, predicted)
                        st.session_state[dataset.CELL] = cell
                        st.rerun()
        else:
            st.dataframe(pd.DataFrame(matrix, index=classes, columns=classes), width="stretch")
            pairs = [(a, b) for a in classes for b in classes]
            choice = st.selectbox("Cell", [None, *pairs], key="dataset.cell_pick",
                                  format_func=lambda p: "all texts" if p is None else f"{p[0]} \u2192 {p[1]}")
            cell = choice
            st.session_state[dataset.CELL] = cell
        if cell is not None:
            label, predicted = cell
            words = next((c["words"] for c in labels["confusions"] if (c["label"], c["predicted"]) == tuple(cell)), [])
            if label != predicted:
                st.markdown(f"**Labelled {md_escape(label)}, predicted {md_escape(predicted)}**: the words that pushed "
                            f"these texts towards {md_escape(predicted)}")
                if words:
                    st.dataframe(pd.DataFrame(words)[["feature", "mean_weight", "n_texts"]], hide_index=True,
                                 column_config={"feature": "Word", "mean_weight": st.column_config.NumberColumn(
                                     "Mean weight", format="%+.3f"), "n_texts": "Texts"}, key="dataset.cell_words")
                else:
                    st.caption("No counted explanation in this cell (see the toggle above).")

    return summary, rows, pick_k, cell


def words_and_picks(summary: dict[str, Any], rows: pd.DataFrame, pick_k: int) -> None:
    """The words per class across the explanations, beside the SP-LIME picks."""
    left, right = st.columns(2, gap="large")
    with left:
        st.markdown("##### Words per class, across the explanations")
        class_names = list(summary["classes"])
        if class_names:
            shown_class = st.selectbox("Class", class_names, key="dataset.words_class")
            words = pd.DataFrame(summary["classes"][shown_class])
            st.dataframe(words[[c for c in ("feature", "mean_abs_weight", "mean_weight", "n_texts", "n_trusted")
                                if c in words]], hide_index=True, width="stretch", height=320,
                         column_config={
                             "feature": "Word",
                             "mean_abs_weight": st.column_config.NumberColumn("Mean |weight|", format="%.3f"),
                             "mean_weight": st.column_config.NumberColumn("Mean weight", format="%+.3f"),
                             "n_texts": "Texts", "n_trusted": TITLES["trust"]})
        else:
            st.caption("No explanation is counted: none is trustworthy. Turn off *Trustworthy explanations only* to "
                       "count them all.")
    with right:
        st.markdown(f"##### SP-LIME: {pick_k} representative explanations")
        picked = summary.get("picked") or []
        if picked:
            coverage = summary["pick"]["coverage"]
            st.caption(f"Chosen greedily to cover the words that matter across the dataset (Ribeiro et al. 2016, "
                       f"section 4); together they cover {coverage:.0%} of the words' importance.")
            table = rows.set_index("id").loc[picked].reset_index()
            st.dataframe(table[["id", "label", "predicted_class", "verdict_title", "snippet"]], hide_index=True,
                         width="stretch", key="dataset.picked",
                         column_config={"id": "Id", "label": "Label", "predicted_class": "Predicted",
                                        "verdict_title": "Verdict", "snippet": "Text"})
        else:
            st.caption("Nothing to pick from (no counted explanation).")


def second_opinions(summary: dict[str, Any]) -> None:
    """Where KernelSHAP and occlusion disagree with LIME across the run (only a run made with second opinions)."""
    compared = summary.get("methods")
    if not compared:
        return
    sentence, pairs, worst = method_frames.dataset_methods_frames(compared)
    st.markdown("##### Second opinions: where the methods disagree")
    st.caption(md_escape(sentence) + " Each text's own comparison is in its explanation below (Compare methods).")
    st.dataframe(pairs, hide_index=True, width="stretch", key="dataset.methods_pairs",
                 column_config={"pair": "Methods",
                                "mean_overlap": st.column_config.NumberColumn("Top words shared (mean)", format="%.1f"),
                                "all_shared": "Texts: all shared", "at_most_two": "Texts: 2 or fewer shared",
                                "rank_correlation": st.column_config.NumberColumn("Rank correlation (median)",
                                                                                  format="%.2f")})
    if len(worst):
        st.caption("The texts where a method and LIME share the fewest top words:")
        st.dataframe(worst, hide_index=True, width="stretch", key="dataset.methods_worst",
                     column_config={"id": "Id", "class_name": "Class", "shared": "Shared with LIME",
                                    **{c: f"Top words: {method_label(c.removeprefix('top_'))}"
                                       for c in worst.columns if c.startswith("top_")}})


def texts(folder: Path, rows: pd.DataFrame, labels: dict[str, Any] | None, cell: tuple[str, str] | None) -> None:
    """The filterable table of texts, and one of them opened in the explanation view from its stored result."""
    st.markdown("##### The texts")
    filters = st.columns([1, 2, 1])
    only_wrong = filters[0].checkbox("Misclassified only", key="dataset.only_wrong", disabled=labels is None)
    verdicts = filters[1].multiselect("Verdict", [TITLES[v] for v in ("trust", "check", "distrust")],
                                      key="dataset.verdicts")
    max_kl = filters[2].number_input("Fidelity: KL at most", 0.0, 10.0, 10.0, step=0.05, key="dataset.max_kl",
                                     help="Held-out mean KL divergence; lower is a closer fit.")
    shown = dataset.filter_rows(rows, misclassified=only_wrong, verdicts=verdicts, max_kl=max_kl,
                                cell=tuple(cell) if cell else None)
    note = f" in the cell {md_escape(cell[0])} \u2192 {md_escape(cell[1])}" if cell else ""
    pages = dataset.page_count(len(shown))
    if int(st.session_state.get("dataset.page") or 1) > pages:  # fewer pages after a filter: back to the first
        st.session_state["dataset.page"] = 1  # (the widget then takes no default value: Streamlit warns of both)
    number = int(st.number_input(f"Page (of {pages:,})", 1, pages, key="dataset.page")) if pages > 1 else 1
    page, first = dataset.page_of(shown, number)
    where = f"; rows {first + 1:,}-{first + len(page):,}" if pages > 1 else ""
    st.caption(f"{len(shown):,} of {len(rows):,} texts{note}{where}.")
    st.dataframe(page[["id", "label", "predicted_class", "verdict_title", "mean_KL_divergence", "score",
                        "n_model_calls", "snippet"]], hide_index=True, width="stretch", height=300,
                 key="dataset.table",
                 column_config={"id": "Id", "label": "Label", "predicted_class": "Predicted",
                                "verdict_title": "Verdict",
                                "mean_KL_divergence": st.column_config.NumberColumn("KL", format="%.3f"),
                                "score": st.column_config.NumberColumn("Agreement", format="percent"),
                                "n_model_calls": "Model calls", "snippet": "Text"})

    ids = page.loc[page["error"].isna(), "id"].tolist()  # the texts of this page that have an explanation
    if ids:
        snippet = dict(zip(page["id"], page["snippet"], strict=True))
        opened = st.selectbox("Open one explanation of this page (from the stored result; no model calls)",
                              [None, *ids],
                              key="dataset.open_pick",
                              format_func=lambda i: "Choose a text\u2026" if i is None
                              else f"{i} \u00b7 {snippet[i][:60]}")
        if opened is not None:
            result = dataset.open_stored(folder, opened, models.model_title(dataset.folder_model(folder)))
            st.divider()
            explanation = views.explanation_view(result, None, key="dataset.view")
            saved.save_form(result, explanation, key="dataset.view")
