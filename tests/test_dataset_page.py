"""The Dataset page through Streamlit's AppTest: run a small batch in the background, filter, open one.

The app runs with the real 20 Newsgroups model; the batch is a handful of bundled test posts at 300
samples, written to a temporary LIME_BATCH_DIR.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

pytest.importorskip("streamlit")

import streamlit as st
from streamlit.testing.v1 import AppTest

from lime_core.batch.summary import summarize
from lime_core.explanation import Explanation
from tests.conftest import REPO_ROOT

APP = REPO_ROOT / "app.py"
TIMEOUT = 180
POSTS = 6


@pytest.fixture(scope="module", autouse=True)
def app_env(newsgroups_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    batches = tmp_path_factory.mktemp("batches")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LIME_20NG_ARCHIVE", str(newsgroups_archive))
        mp.setenv("LIME_CACHE_DIR", os.environ.get("LIME_CACHE_DIR") or str(REPO_ROOT / ".cache" / "lime_core"))
        mp.setenv("LIME_BATCH_DIR", str(batches))
        mp.setenv("HF_HUB_OFFLINE", "1")
        st.cache_data.clear()
        yield batches
    st.cache_data.clear()


def visible_text(at: AppTest) -> str:
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "info") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts + [m.label + " " + str(m.value) for m in at.metric])


def texts_table(at: AppTest):
    return next(d.value for d in at.dataframe if "mean_KL_divergence" in d.value.columns)


def wait_for_results(at: AppTest, timeout: float = TIMEOUT) -> None:
    """Until the page shows the results of a finished run (the first results show while the last parts merge)."""
    deadline = time.monotonic() + timeout

    def finished() -> bool:
        folder = at.session_state["dataset.folder"] if "dataset.folder" in at.session_state else None  # noqa: SIM401
        return bool(folder) and (Path(folder) / "explanations.parquet").is_file()

    while not (any(m.label == "Texts explained" for m in at.metric) and finished()):
        assert time.monotonic() < deadline, visible_text(at)
        time.sleep(0.5)
        at.run()
        assert not at.exception, [e.stack_trace for e in at.exception]
    at.run()  # drawn from the finished run (the last draw may be from before its last texts)
    assert not at.exception, [e.stack_trace for e in at.exception]


def open_dataset_page() -> AppTest:
    """The app with 300 samples per text (set in the sidebar), on the Dataset page."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.run()
    at.radio(key="sidebar.samples_mode").set_value("fixed").run()
    at.number_input(key="sidebar.n_samples").set_value(300).run()
    at.switch_page("app_pages/dataset.py").run()
    return at


def test_run_a_batch_click_a_confusion_cell_and_open_a_stored_explanation(app_env: Path) -> None:
    at = open_dataset_page()
    assert not at.exception, at.exception
    assert "Run a batch or open an earlier run" in visible_text(at)
    at.number_input(key="dataset.n_posts").set_value(POSTS).run()
    at.button(key="dataset.run").click().run()
    assert not at.exception, at.exception

    # The run goes on in the background: the page answers, and another page can be opened meanwhile.
    at.switch_page("app_pages/how_it_works.py").run()
    assert not at.exception, at.exception
    at.switch_page("app_pages/dataset.py").run()
    wait_for_results(at)

    folder = Path(at.session_state["dataset.folder"])
    assert folder.parent == app_env
    rows = pq.read_table(folder / "explanations.parquet").to_pandas()
    assert len(rows) == POSTS
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Texts explained"] == str(POSTS)
    accuracy = (rows["label"] == rows["predicted_class"]).mean()
    assert metrics["Accuracy"] == f"{accuracy:.1%}"
    assert "not the model's global logic" in visible_text(at)

    # Click the diagonal cell of the most frequent label: the table keeps exactly those texts.
    label = rows["label"].value_counts().index[0]
    classes = list(rows["class_names"].iloc[0])
    i = classes.index(label)
    cell = at.button(key=f"dataset.cell.{i}.{i}")
    expected = int(((rows["label"] == label) & (rows["predicted_class"] == label)).sum())
    assert cell.label == str(expected)
    cell.click().run()
    assert not at.exception, at.exception
    table = texts_table(at)
    assert len(table) == expected and set(table["label"]) <= {label}
    assert f"{expected} of {POSTS} texts in the cell" in visible_text(at)

    # Words per class count only trustworthy explanations unless the toggle says otherwise.
    at.toggle(key="dataset.trusted_only").set_value(False).run()
    words = next(d.value for d in at.dataframe if "mean_abs_weight" in d.value.columns)
    assert len(words) > 5 and words["n_texts"].min() >= 1
    picked = next(d.value for d in at.dataframe if "snippet" in d.value.columns and "score" not in d.value.columns)
    assert len(picked) == 5 and set(picked["id"]) <= set(rows["id"])

    # Open one: the full view, drawn from the stored JSON.
    text_id = table["id"].iloc[0] if expected else rows["id"].iloc[0]
    at.selectbox(key="dataset.open_pick").set_value(text_id).run()
    assert not at.exception, at.exception
    stored = Explanation.from_json(rows.set_index("id").loc[text_id, "explanation"])
    text = visible_text(at)
    assert f"predicts **{stored.predicted_class}**" in text.replace("\\", "")
    assert "seed" in text and any("lc-highlight" in h.proto.body for h in at.html)

    # The folder opens again from the list of earlier runs.
    at.session_state["dataset.folder"] = None
    at.run()
    assert at.selectbox(key="dataset.earlier").value == folder
    at.button(key="dataset.open_folder").click().run()
    assert not at.exception, at.exception
    assert Path(at.session_state["dataset.folder"]) == folder


UPLOAD_CSV = (
    "id,text,label,source\n"
    'g-17,"The image is rendered with a JPEG codec; the GIF palette and pixel resolution of the graphics card matter.",'
    "comp.graphics,a\n"
    'm-03,"My doctor said the patient needs a dose of this medicine; the disease and its symptoms are treated.",'
    "sci.med,b\n"
    'c-41,"Jesus Christ and the church: prayer, faith in God and the Bible, as Christians believe.",'
    "soc.religion.christian,c\n"
    'a-08,"An atheist argues that there is no god; religion, morality and the burden of proof are debated.",'
    "sci.med,d\n"
    'de-1,"Der Arzt sagt, die Nierensteine gehen mit viel Wasser ab, aber die Schmerzen sind furchtbar.",'
    "sci.med,e\n"
)
IDS = ["g-17", "m-03", "c-41", "a-08", "de-1"]


def test_an_uploaded_csv_is_explained_with_its_labels(app_env: Path) -> None:
    at = open_dataset_page()
    at.radio(key="dataset.source").set_value("Upload a CSV or Parquet file").run()
    at.file_uploader(key="dataset.upload").set_value(("posts.csv", UPLOAD_CSV.encode(), "text/csv")).run()
    assert not at.exception, at.exception
    # The text, label and id columns are picked by name; the extra column is left out.
    assert at.selectbox(key="dataset.text_col").value == "text"
    assert at.selectbox(key="dataset.label_col").value == "label"
    assert at.selectbox(key="dataset.id_col").value == "id"
    assert "5 texts; ids from column id." in visible_text(at)
    at.button(key="dataset.run").click().run()
    wait_for_results(at)

    folder = Path(at.session_state["dataset.folder"])
    rows = pq.read_table(folder / "explanations.parquet").to_pandas().set_index("id").loc[IDS].reset_index()
    assert list(rows["id"]) == IDS  # the CSV's own ids, not row numbers
    assert list(rows["label"]) == ["comp.graphics", "sci.med", "soc.religion.christian", "sci.med", "sci.med"]
    assert rows["text"].iloc[0].startswith("The image is rendered")
    # The German text is checked against the model's languages, as on the Explain page.
    german = Explanation.from_json(rows["explanation"].iloc[4])
    assert german.language is not None and german.language.supported is False and rows["verdict"].iloc[4] != "trust"
    english = Explanation.from_json(rows["explanation"].iloc[0])
    assert english.language is not None and english.language.supported is not False
    correct = int((rows["label"] == rows["predicted_class"]).sum())
    assert correct < 5  # the atheism post is labelled sci.med on purpose: it is not predicted as that
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Texts explained"] == "5"
    assert metrics["Accuracy"] == f"{correct / 5:.1%}"
    # Useful by default: every explanation counts in the words per class (not only the trustworthy ones).
    assert at.toggle(key="dataset.trusted_only").value is False
    words = next(d.value for d in at.dataframe if "mean_abs_weight" in d.value.columns)
    assert len(words) > 3

    # The confusion matrix counts every uploaded text once, the correct ones on its diagonal.
    classes = summarize(folder)["labels"]["classes"]  # the matrix's row and column order
    counts = {(i, j): int(at.button(key=f"dataset.cell.{i}.{j}").label.replace(",", ""))
              for i in range(len(classes)) for j in range(len(classes))}
    assert sum(counts.values()) == 5
    assert sum(counts[i, i] for i in range(len(classes))) == correct
    for label, predicted in zip(rows["label"], rows["predicted_class"], strict=True):
        assert counts[classes.index(label), classes.index(predicted)] >= 1
    table = texts_table(at)
    assert sorted(table["id"]) == sorted(IDS)


def test_ids_from_a_column_must_name_one_text_each() -> None:
    from dashboard.dataset import upload_frame

    table = pd.DataFrame({"id": ["x", "y", "x"], "text": ["a b", "c d", "e f"], "key": ["1", "2", "3"]})
    frame, problem = upload_frame(table, "text", "(none)", "id")
    assert frame is None and "repeats the id \u201cx\u201d" in problem
    frame, problem = upload_frame(table, "text", "(none)", "key")
    assert problem is None and list(frame["id"]) == ["1", "2", "3"] and "label" not in frame
    frame, _ = upload_frame(table, "text", "key", "(row numbers)")
    assert list(frame["id"]) == ["0", "1", "2"] and list(frame["label"]) == ["1", "2", "3"]


def test_the_dataset_settings_are_kept_on_return() -> None:
    at = open_dataset_page()
    at.number_input(key="dataset.n_posts").set_value(12).run()
    at.switch_page("app_pages/explain.py").run()
    at.switch_page("app_pages/dataset.py").run()
    assert not at.exception, at.exception
    assert at.number_input(key="dataset.n_posts").value == 12  # it went back to 40


def test_second_opinions_across_the_run_say_where_the_methods_disagree(app_env: Path) -> None:
    """With second opinions ticked, each text is also explained by KernelSHAP and occlusion, and the page says how
    far they agree with LIME across the run and where they disagree most, from the stored columns."""
    at = open_dataset_page()
    at.radio(key="dataset.source").set_value("Upload a CSV or Parquet file").run()
    short = "\n".join(UPLOAD_CSV.splitlines()[:4]) + "\n"  # the header and three English posts
    at.file_uploader(key="dataset.upload").set_value(("posts.csv", short.encode(), "text/csv")).run()
    at.checkbox(key="dataset.methods").check().run()
    assert "KernelSHAP and occlusion (about one model call per word more)" in visible_text(at)
    at.button(key="dataset.run").click().run()
    wait_for_results(at)

    folder = Path(at.session_state["dataset.folder"])
    rows = pq.read_table(folder / "explanations.parquet").to_pandas()
    assert len(rows) == 3 and rows["error"].isna().all()
    pairs = next(d.value for d in at.dataframe if "mean_overlap" in d.value.columns)
    by_pair = dict(zip(pairs["pair"], pairs["mean_overlap"], strict=True))
    assert by_pair["LIME and KernelSHAP"] == pytest.approx(rows["lime_kernelshap_top_shared"].mean())
    assert by_pair["LIME and occlusion"] == pytest.approx(rows["lime_occlusion_top_shared"].mean())
    worst = next(d.value for d in at.dataframe if "shared" in d.value.columns and "top_lime" in d.value.columns)
    assert set(worst["id"]) <= set(IDS[:3]) and len(worst) >= 1
    first = rows.set_index("id").loc[worst["id"].iloc[0]]
    assert worst["top_lime"].iloc[0] == ", ".join(first["lime_top_words"])
    text = visible_text(at)
    assert "Second opinions: where the methods disagree" in text and "3 texts compared" in text
