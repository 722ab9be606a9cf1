"""The Dataset page's logic, in plain Python: choosing data, running a batch in the background, reading results.

A run is a background thread of the server process writing to its output
folder (lime_core.batch.run_batch); the page only reads that folder
(``status.json`` for progress, the Parquet files for results), so the user can
move to other pages and come back, and a folder from an earlier run (or from
the command line) opens the same way. ``ui.dataset`` keeps the runs of the
process and caches the reads with Streamlit; this module does the work.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from lime_core.batch import BatchOptions, InputSpec, ModelSource, read_status, run_batch
from lime_core.batch.io import explanation_sources, read_while_compacting
from lime_core.batch.summary import load_rows, normalise_labels
from lime_core.models.remote.display import redact_url
from lime_core.settings import get_settings
from lime_core.wording import TITLES, Level

from .stored import StoredResult

SNIPPET = 90  # characters of a text shown in the table
PAGE_ROWS = 100  # texts per page of the table: the browser gets one page, however large the run
MAX_PICK = 20  # the most SP-LIME picks the page offers


def batches_dir() -> Path:
    """Where the dashboard's runs are written (``Settings.batches_dir``: ``LIME_BATCH_DIR`` or its default)."""
    return get_settings().batches_dir


def earlier_runs() -> list[Path]:
    """Output folders under :func:`batches_dir`, newest first."""
    root = batches_dir()
    if not root.is_dir():
        return []
    runs = [p for p in root.iterdir() if (p / "run.json").is_file()]
    return sorted(runs, key=lambda p: p.stat().st_mtime, reverse=True)


def new_folder(model_name: str) -> Path:
    """A fresh output folder under :func:`batches_dir`, named by the time and the model."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in model_name)[:40]
    folder = batches_dir() / f"{stamp}-{safe}"
    n = 1
    while folder.exists():
        n += 1
        folder = batches_dir() / f"{stamp}-{safe}-{n}"
    return folder


# -- data ----------------------------------------------------------------------------------------------------------


def newsgroups_frame(n: int) -> pd.DataFrame:
    """The first ``n`` posts of the bundled 20 Newsgroups test split, with their groups as labels."""
    from lime_core.models.newsgroups import load_newsgroups

    split = load_newsgroups("test")
    n = min(n, len(split))
    return pd.DataFrame(
        {
            "id": [f"test-{i:04d}" for i in range(n)],
            "text": split.texts[:n],
            "label": [split.target_names[t] for t in split.target[:n]],
        }
    )


def read_upload(name: str, data: bytes) -> pd.DataFrame:
    """An uploaded CSV (every column as text) or Parquet file."""
    import io

    if name.lower().endswith(".parquet"):
        return pd.read_parquet(io.BytesIO(data))
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)


def upload_frame(
    uploaded: pd.DataFrame, text_col: str, label_col: str, id_col: str
) -> tuple[pd.DataFrame | None, str | None]:
    """The run's input (id, text, label) from an uploaded table; the ids come from ``id_col`` when it is a column.

    Returns (frame, None), or (None, why) when the id column cannot name the texts (a blank or repeated id).
    """
    frame = pd.DataFrame({"text": uploaded[text_col].astype(str).tolist()})
    if id_col in uploaded.columns:
        ids = uploaded[id_col].astype(str).str.strip()
        if (ids == "").any():
            return None, f"The id column \u201c{id_col}\u201d has a blank id on row {int((ids == '').argmax())}."
        repeated = ids[ids.duplicated()]
        if len(repeated):
            return None, (
                f"The id column \u201c{id_col}\u201d repeats the id \u201c{repeated.iloc[0]}\u201d: ids must name "
                "one text each. Pick another column, or row numbers."
            )
        frame.insert(0, "id", ids.tolist())
    else:
        frame.insert(0, "id", [str(i) for i in range(len(uploaded))])
    if label_col in uploaded.columns:
        frame["label"] = uploaded[label_col].astype(str).tolist()
    return frame, None


# -- background runs -----------------------------------------------------------------------------------------------


@dataclass
class Job:
    """A run in a background thread of this process, writing to ``folder``."""

    folder: Path
    thread: threading.Thread
    error: str | None = None
    started: float = field(default_factory=time.time)

    @property
    def running(self) -> bool:
        return self.thread.is_alive()


def start_run(
    frame: pd.DataFrame,
    folder: Path,
    model_name: str,
    model: Any,
    options: BatchOptions,
    *,
    jobs: dict[str, Job],
    describe_error: Callable[[BaseException], str],
    workers: int = 1,
) -> Job:
    """Write the dataset into ``folder`` and explain it in a background thread, recorded in ``jobs`` by folder.

    ``describe_error`` turns a failure of the run into the one-line message the page shows.
    """
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "input.parquet"
    frame.to_parquet(data, index=False)
    spec = InputSpec(data, "text", "id", "label" if "label" in frame.columns else None)
    source = ModelSource("name", model_name)
    job = Job(folder, threading.Thread())

    def work() -> None:
        try:
            run_batch(spec, folder, source, options, workers=workers, model=model if workers == 1 else None)
        except Exception as exc:  # also in status.json; kept here for the page
            job.error = describe_error(exc)

    job.thread = threading.Thread(target=work, name=f"batch-{folder.name}", daemon=True)
    jobs[str(folder)] = job
    job.thread.start()
    return job


def _alive(pid: Any) -> bool:
    try:
        os.kill(int(pid), 0)
    except (OSError, TypeError, ValueError):
        return False
    return True


def run_state(folder: Path, job: Job | None) -> dict[str, Any]:
    """The folder's status, with ``state`` corrected when the run that wrote it is gone (e.g. a killed process).

    ``job`` is this process's run writing to ``folder``, if any.
    """
    status = dict(read_status(folder) or {})
    if status.get("state") == "running":
        if job is not None:
            if not job.running:
                status["state"] = "failed" if job.error else "interrupted"
        elif status.get("pid") == os.getpid() or not _alive(status.get("pid")):
            status["state"] = "interrupted"  # no thread of this server and no live process is writing it
    if job is not None and job.error:
        status["message"] = job.error
        if status.get("state") in (None, "running"):
            status["state"] = "failed"
    return status


# -- results -------------------------------------------------------------------------------------------------------


@read_while_compacting
def fingerprint(folder: Path) -> tuple:
    """The state of a run's result files (names and modification times): a cache key that changes as it grows."""
    return tuple((p.name, p.stat().st_mtime_ns) for p in explanation_sources(folder))


def first_picks(summary: dict[str, Any], k: int) -> dict[str, Any]:
    """``summary`` as ``summarize(..., pick=k)`` gives it, from a summary with a larger pick.

    Greedy SP-LIME adds one explanation at a time, so its pick of K is the first K of any larger pick.
    """
    pick = summary.get("pick")
    if not pick:
        return summary
    gains = list(pick["gains"])
    total = sum(gains)
    coverage = pick["coverage"] * sum(gains[:k]) / total if total > 0 else 0.0
    return {**summary, "picked": list(summary["picked"][:k]),
            "pick": {**pick, "k": int(k), "coverage": coverage, "gains": gains[:k]}}


def table_rows(folder: str | Path) -> pd.DataFrame:
    """One row per text of a run, as the page's table shows it (without the texts themselves)."""
    rows = load_rows(folder)
    rows = rows.assign(label=normalise_labels(rows))
    labelled = rows["label"].notna()
    rows["misclassified"] = labelled & (rows["label"] != rows["predicted_class"])
    rows["verdict_title"] = rows["verdict"].map(
        lambda v: TITLES.get(cast(Level, v), "Not explained") if isinstance(v, str) else "Not explained"
    )
    rows["snippet"] = rows["text"].map(lambda t: " ".join(str(t).split())[:SNIPPET])
    return rows.drop(columns=["text", "class_names", "probabilities"])


def has_results(folder: Path) -> bool:
    return bool(explanation_sources(folder))


def filter_rows(
    rows: pd.DataFrame,
    *,
    misclassified: bool = False,
    verdicts: list[str] | None = None,
    max_kl: float | None = None,
    cell: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """The texts the table shows."""
    keep = pd.Series(True, index=rows.index)
    if misclassified:
        keep &= rows["misclassified"]
    if verdicts:
        keep &= rows["verdict_title"].isin(verdicts)
    if max_kl is not None:
        keep &= rows["mean_KL_divergence"].fillna(float("inf")) <= max_kl
    if cell is not None:
        keep &= (rows["label"] == cell[0]) & (rows["predicted_class"] == cell[1])
    return rows[keep]


def page_count(n_rows: int, size: int = PAGE_ROWS) -> int:
    return max(1, -(-n_rows // size))


def page_of(rows: pd.DataFrame, page: int, size: int = PAGE_ROWS) -> tuple[pd.DataFrame, int]:
    """Page ``page`` (1-based, clamped to the pages there are) of the table, and the position of its first row."""
    first = (min(max(1, int(page)), page_count(len(rows), size)) - 1) * size
    return rows.iloc[first : first + size], first


# -- a stored explanation in the Explain page's view ---------------------------------------------------------------


def open_stored(folder: Path, text_id: str, model_title: str) -> StoredResult:
    return StoredResult.from_batch(folder, text_id, model_title)


def folder_model(folder: Path) -> str:
    """The model a run used (its registry name, pipeline file or URL), from ``run.json``."""
    from lime_core.batch.io import read_json

    model = (read_json(folder / "run.json") or {}).get("model") or {}
    value = str(model.get("value") or "unknown model")
    # older run.json files kept a URL whole, user info and api_key included: shown redacted
    return redact_url(value) if model.get("kind") == "url" else value


def folder_label(folder: Path) -> str:
    """A stable label for the list of earlier runs (a widget's options must not change while a run goes on)."""
    return f"{folder.name} \u00b7 {folder_model(folder)}"
