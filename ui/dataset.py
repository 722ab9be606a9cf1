"""The Dataset page's Streamlit side: its session keys, the runs of this server process, and cached reads.

The logic (choosing data, starting a run, reading and filtering its results) is in :mod:`dashboard.dataset`,
re-exported here for the page; this module adds what needs Streamlit: the runs shared by every session
(``st.cache_resource``) and the summary and table read once per state of the folder (``st.cache_data``).
A stored explanation is shown in the Explain page's view from its JSON, with no model calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import dataset as logic
from dashboard.dataset import (  # noqa: F401 (the page reads these from ui.dataset)
    MAX_PICK,
    PAGE_ROWS,
    Job,
    batches_dir,
    earlier_runs,
    filter_rows,
    first_picks,
    folder_label,
    folder_model,
    has_results,
    new_folder,
    newsgroups_frame,
    open_stored,
    page_count,
    page_of,
    read_upload,
    upload_frame,
)
from lime_core.batch import BatchOptions, summarize

from . import models

FOLDER = "dataset.folder"  # the output folder shown
CELL = "dataset.cell"  # (label, predicted) of the confusion cell clicked, or None
OPEN = "dataset.open"  # id of the text opened in the explanation view
NEWSGROUPS = "20 Newsgroups test posts (bundled, labelled)"
UPLOAD = "Upload a CSV or Parquet file"
MAX_GRID_CLASSES = 12  # above this the confusion matrix is a table and a cell is chosen from a list


@st.cache_resource(show_spinner=False)
def _jobs() -> dict[str, Job]:
    """The runs of this server process, by folder (shared by every session, like the folders themselves)."""
    return {}


def job_for(folder: Path) -> Job | None:
    return _jobs().get(str(folder))


def start_run(
    frame: pd.DataFrame, folder: Path, model_name: str, model: Any, options: BatchOptions, workers: int = 1
) -> Job:
    """Write the dataset into ``folder`` and explain it in a background thread of this server process."""
    return logic.start_run(
        frame, folder, model_name, model, options, jobs=_jobs(), describe_error=models.user_message, workers=workers
    )


def run_state(folder: Path) -> dict[str, Any]:
    """The folder's status, corrected when the run that wrote it is gone (:func:`dashboard.dataset.run_state`)."""
    return logic.run_state(folder, job_for(folder))


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_summary(folder: str, fingerprint: tuple, pick: int, trusted_only: bool) -> dict[str, Any]:
    return summarize(folder, pick=pick, trusted_only=trusted_only, top=30)


def dataset_summary(folder: Path, pick: int, trusted_only: bool) -> dict[str, Any]:
    """The run's summary, computed once per state of the folder and per toggle, whatever ``pick`` is.

    It is computed for :data:`MAX_PICK` picks and cut to ``pick`` (:func:`dashboard.dataset.first_picks`).
    """
    return first_picks(_cached_summary(str(folder), logic.fingerprint(folder), MAX_PICK, trusted_only), pick)


@st.cache_data(show_spinner=False, max_entries=16)
def _cached_rows(folder: str, fingerprint: tuple) -> pd.DataFrame:
    return logic.table_rows(folder)


def text_rows(folder: Path) -> pd.DataFrame:
    return _cached_rows(str(folder), logic.fingerprint(folder))
