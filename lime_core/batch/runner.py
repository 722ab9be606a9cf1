"""A batch run: read the dataset in chunks, explain each text once, write Parquet parts, merge them.

The output folder holds (docs/batch.md):

* ``run.json``: what was run (input, columns, model, options); ``--resume``
  refuses a folder whose run differs;
* ``status.json``: progress, rewritten as parts are written (the dashboard
  polls it): ``state`` is ``running``, ``finished``, ``failed`` or
  ``interrupted``;
* ``parts/`` while running, merged into ``explanations.parquet`` and
  ``weights.parquet`` at the end.

Resuming reads the ids already written and sends only the others to the
model. Results are flushed to a part every ``part_size`` texts or
``flush_seconds``, whichever comes first, so a killed run loses at most that
much work, and never a finished part.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .backends import Backend, BatchError, make_backend
from .choices import DEFAULT_STOP_AFTER
from .io import (
    DEFAULT_CHUNK_SIZE,
    InputSpec,
    TextRecord,
    compact,
    count_records,
    done_ids,
    next_part_index,
    read_json,
    read_records,
    write_json,
    write_part,
)
from .lock import HOLDER_FILE, LOCK_FILE, output_lock
from .work import BatchOptions, ModelSource, TextResult

RUN_FILE = "run.json"
STATUS_FILE = "status.json"
RUN_FORMAT = 1
DEFAULT_TASK_SIZE = 4
DEFAULT_FLUSH_SECONDS = 20.0
STATUS_SECONDS = 0.5  # status.json is rewritten at most this often while running


@dataclass
class BatchProgress:
    """Where a run is: texts done (this run and earlier ones), of how many, and what it cost so far."""

    done: int
    total: int | None
    skipped: int  # done before this run started (resume)
    model_calls: int
    errors: int
    elapsed: float
    state: str = "running"
    message: str = ""
    worker_peak_rss: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the backend said (workers lost, started, waited for)

    @property
    def seconds_left(self) -> float | None:
        new = self.done - self.skipped
        if self.total is None or new <= 0 or self.elapsed <= 0:
            return None
        return (self.total - self.done) * self.elapsed / new

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "seconds_left": self.seconds_left, "updated": time.time(), "pid": os.getpid()}


ProgressCallback = Callable[[BatchProgress], None]


@dataclass(frozen=True)
class BatchRun:
    """Everything that defines a run (what ``--resume`` checks against ``run.json``)."""

    input: InputSpec
    source: ModelSource
    options: BatchOptions

    def manifest(self) -> dict[str, Any]:
        return {
            "format": RUN_FORMAT,
            "input": str(self.input.path),
            "text_column": self.input.text_column,
            "id_column": self.input.id_column,
            "label_column": self.input.label_column,
            "model": {"kind": self.source.kind, "value": self.source.shown_value},
            "options": self.options.to_dict(),
        }


def _check_output(output: Path, run: BatchRun, resume: bool) -> None:
    manifest_path = output / RUN_FILE
    previous = read_json(manifest_path)
    if previous is None:
        ours = (LOCK_FILE, HOLDER_FILE)
        others = [
            p for p in output.iterdir() if p.name not in ours and p.resolve() != run.input.path.resolve()
        ] if output.is_dir() else []
        if others:  # the input itself may live in the folder (the dashboard puts it there)
            raise BatchError(f"{output} is not empty and holds no batch run; choose an empty or a new folder")
        return
    if not resume:
        raise BatchError(f"{output} already holds a batch run; add --resume to continue it, or choose another folder")
    wanted = run.manifest()
    differ = [key for key in wanted if key not in ("input",) and previous.get(key) != wanted[key]]
    if differ:
        raise BatchError(
            f"cannot resume: this run differs from the one in {output} in {', '.join(differ)}; "
            "use the same settings or another folder"
        )


def run_batch(
    input: InputSpec, output: str | Path, source: ModelSource, options: BatchOptions, **settings: Any
) -> BatchProgress:
    """Explain every text of ``input`` into ``output`` as the only writer of that folder (see :func:`_run_batch`).

    A second run on a folder that a live run is writing is refused at once with a :class:`BatchError`
    naming it; the lock dies with its process, so ``resume=True`` after a kill takes the folder over.
    """
    with output_lock(Path(output)):
        return _run_batch(input, output, source, options, **settings)


def _run_batch(
    input: InputSpec,
    output: str | Path,
    source: ModelSource,
    options: BatchOptions,
    *,
    backend: str | Backend = "local",
    workers: int = 1,
    ray_address: str | None = None,
    resume: bool = False,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    part_size: int | None = None,
    task_size: int = DEFAULT_TASK_SIZE,
    flush_seconds: float = DEFAULT_FLUSH_SECONDS,
    progress: ProgressCallback | None = None,
    model: Any = None,
    ray_options: dict[str, Any] | None = None,
    stop_after_failures: int = DEFAULT_STOP_AFTER,
) -> BatchProgress:
    """Explain every text of ``input`` into ``output``; returns the final progress (state ``finished``).

    ``model`` (an already loaded model) is used by the in-process backend instead of loading ``source``
    again. ``ray_options`` go to the Ray backend (``max_attempts``, ``wait_seconds``, ``model_from``;
    docs/batch.md); what it says while running (a worker lost or started, a wait) lands in
    ``BatchProgress.notes`` and ``status.json``. Raises :class:`BatchError` or
    :class:`~lime_core.batch.io.BatchInputError` with a user-facing message;
    whatever was written before a failure stays, and ``resume=True`` continues from it.
    """
    output = Path(output)
    run = BatchRun(input, source, options)
    _check_output(output, run, resume)
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    done = done_ids(output)
    total = count_records(input, options.max_chars)
    state = BatchProgress(done=len(done), total=total, skipped=len(done), model_calls=0, errors=0, elapsed=0.0)
    write_json(output / RUN_FILE, {**run.manifest(), "created": time.time()})

    last_status = 0.0

    def report(new_state: str | None = None, message: str = "") -> None:
        nonlocal last_status
        state.elapsed = time.perf_counter() - started
        if new_state is not None:
            state.state = new_state
            state.message = message
        if new_state is not None or time.monotonic() - last_status >= STATUS_SECONDS:
            write_json(output / STATUS_FILE, state.to_dict())
            last_status = time.monotonic()
        if progress is not None:
            progress(state)

    def note(message: str) -> None:
        nonlocal last_status
        state.notes = [*state.notes, message]  # few: bounded by the workers a run replaces and its waits
        last_status = 0.0  # a note is written to status.json at once
        report()

    report("running")
    if isinstance(backend, str):
        extra = {**(ray_options or {}), "notify": note} if backend == "ray" else {}
        engine = make_backend(backend, workers, ray_address, model=model, **extra)
    else:
        engine = backend
        if hasattr(engine, "notify") and engine.notify is None:
            engine.notify = note
    part_size = part_size or chunk_size
    buffer_rows: list[dict[str, Any]] = []
    buffer_weights: list[dict[str, Any]] = []
    part_index = next_part_index(output)
    last_flush = time.monotonic()

    def flush() -> None:
        nonlocal part_index, last_flush, buffer_rows, buffer_weights
        if buffer_rows:
            write_part(output, part_index, buffer_rows, buffer_weights, options.methods)
            part_index += 1
            buffer_rows, buffer_weights = [], []
        last_flush = time.monotonic()

    try:
        engine.start(source, options)
        tasks = _tasks(read_records(input, chunk_size, options.max_chars), done, task_size)
        streak = FailureStreak(stop_after_failures)
        for results in engine.map_unordered(tasks):
            for result in results:
                for kept in streak.add(result):
                    _add(state, kept, buffer_rows, buffer_weights)
            if len(buffer_rows) >= part_size or time.monotonic() - last_flush >= flush_seconds:
                flush()
            report()
        for kept in streak.release():
            _add(state, kept, buffer_rows, buffer_weights)
        flush()
        compact(output, options.methods)
    except KeyboardInterrupt:
        flush()  # what is finished is kept; --resume goes on from here
        report("interrupted", "interrupted; run again with --resume to continue")
        raise
    except Exception as exc:
        flush()
        report("failed", " ".join(str(exc).split()) or type(exc).__name__)
        raise
    finally:
        engine.close()
    report("finished")
    return state


class FailureStreak:
    """The run's circuit breaker: texts that failed the same way at the model, in a row, held back.

    A result with a model failure (:func:`~lime_core.batch.work.failure_kind`) joins the streak instead of the
    output; another kind of failure, or a success, releases it. When ``limit`` texts in a row failed the same
    way the run stops with :class:`BatchError`, and the streak is dropped unwritten, so ``--resume`` sends
    those texts again once the cause is fixed. ``limit`` 0 never stops.
    """

    def __init__(self, limit: int) -> None:
        self.limit = int(limit)
        self._held: list[TextResult] = []

    def add(self, result: TextResult) -> list[TextResult]:
        """The results to write now (the released streak, then ``result`` unless it starts or joins one)."""
        kind = result.failure
        if kind is None or self.limit <= 0:
            return [*self.release(), result]
        released = self.release() if self._held and self._held[-1].failure != kind else []
        self._held.append(result)
        if len(self._held) >= self.limit:
            first = self._held[0].row.get("error") or kind
            raise BatchError(
                f"stopped: {len(self._held)} texts in a row failed the same way at the model ({first}); "
                "whatever was explained is kept and those texts are not, so fix the cause and run again "
                "with --resume to go on (--stop-after-failures sets how many in a row stop a run)"
            )
        return released

    def release(self) -> list[TextResult]:
        held, self._held = self._held, []
        return held


def _add(state: BatchProgress, result: TextResult, rows: list[dict[str, Any]], weights: list[dict[str, Any]]) -> None:
    rows.append(result.row)
    weights.extend(result.weights)
    state.done += 1
    state.model_calls += result.n_model_calls
    state.errors += result.row.get("error") is not None
    worker = result.worker
    if worker:  # a text no worker could finish is recorded by the driver, whose memory is not a worker's
        state.worker_peak_rss[worker] = max(state.worker_peak_rss.get(worker, 0), result.worker_peak_rss)


def _tasks(chunks: Iterator[list[TextRecord]], done: set[str], task_size: int) -> Iterator[list[TextRecord]]:
    """Small tasks of texts not yet explained; a repeated id in the input is an error (ids key the output)."""
    seen: set[str] = set()
    task: list[TextRecord] = []
    for chunk in chunks:
        for record in chunk:
            if record.id in seen:
                raise BatchError(f"the id {record.id!r} appears twice in the input (row {record.row}); ids must be "
                                 "unique, or leave out --id-column to use row numbers")
            seen.add(record.id)
            if record.id in done:
                continue
            task.append(record)
            if len(task) >= task_size:
                yield task
                task = []
    if task:
        yield task


def read_status(output: str | Path) -> dict[str, Any] | None:
    """The run's latest ``status.json`` (None when there is none)."""
    return read_json(Path(output) / STATUS_FILE)
