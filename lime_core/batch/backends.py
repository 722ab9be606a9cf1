"""Where the texts are explained: in this process, in local worker processes, or on Ray.

A backend takes an iterator of small tasks (lists of :class:`TextRecord`) and
yields their :class:`TextResult` lists as they finish, in any order. It keeps
at most a few tasks per worker in flight, so memory stays flat however long
the dataset is. Every worker loads the model once, when it starts.

* ``local`` with one worker explains in this process; with more it uses a
  pool of processes (spawned, so it is safe from threads such as the
  dashboard's, and each limited to one BLAS thread so that N workers use N
  cores). No Ray.
* ``ray`` (:mod:`lime_core.batch.ray_backend`) runs one actor per worker on
  a local Ray started for the run or on an existing cluster.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

from ..errors import LimeCoreError
from .choices import BACKENDS
from .io import TextRecord
from .work import BatchOptions, ModelSource, TextResult, Worker

IN_FLIGHT_PER_WORKER = 2


class BatchError(LimeCoreError):
    """A batch run cannot go on (a worker cannot load the model, Ray is missing or unreachable, ...)."""


class Backend(Protocol):
    """Runs explanation tasks on ``n_workers`` workers."""

    n_workers: int

    def start(self, source: ModelSource, options: BatchOptions) -> None:
        """Start the workers; each loads the model once. Raises BatchError when they cannot."""

    def map_unordered(self, tasks: Iterable[list[TextRecord]]) -> Iterator[list[TextResult]]:
        """Each task's results as soon as it is done, in any order."""

    def close(self) -> None:
        """Stop the workers (and anything started for the run)."""


def limit_blas_threads() -> None:
    """One BLAS/OpenMP thread in this process: N workers then use N cores instead of fighting over them.

    Called first thing in a fresh worker, so the environment variable also reaches torch, imported later.
    """
    from threadpoolctl import threadpool_limits

    os.environ["OMP_NUM_THREADS"] = "1"
    threadpool_limits(1)


class InProcessBackend:
    """One worker: this process (no start-up cost; also what the dashboard uses for small runs)."""

    n_workers = 1

    def __init__(self, model: Any = None) -> None:
        self._model = model
        self._worker: Worker | None = None

    def start(self, source: ModelSource, options: BatchOptions) -> None:
        self._worker = Worker(source, options, model=self._model)

    def map_unordered(self, tasks: Iterable[list[TextRecord]]) -> Iterator[list[TextResult]]:
        from threadpoolctl import threadpool_limits

        assert self._worker is not None, "start() first"
        for task in tasks:
            # One BLAS thread, as in every other worker: a different thread count changes the rounding of the
            # model's sums, and with it, at the last bits, a text's explanation.
            with threadpool_limits(1):
                results = self._worker.explain_many(task)
            yield results

    def close(self) -> None:
        self._worker = None


_PROCESS_WORKER: Worker | None = None
_PROCESS_ERROR: str | None = None


def _init_process(source: ModelSource, options: BatchOptions) -> None:
    # An exception here would only break the pool ("terminated abruptly"); keep it for _process_ready to report.
    global _PROCESS_WORKER, _PROCESS_ERROR
    limit_blas_threads()
    try:
        _PROCESS_WORKER = Worker(source, options)
    except Exception as exc:
        _PROCESS_ERROR = _cause(exc)


def _process_task(records: list[TextRecord]) -> list[TextResult]:
    if _PROCESS_WORKER is None:
        raise BatchError(_PROCESS_ERROR or "the worker has no model")
    return _PROCESS_WORKER.explain_many(records)


def _process_ready() -> int:
    if _PROCESS_ERROR is not None:
        raise BatchError(_PROCESS_ERROR)
    return os.getpid()


class ProcessBackend:
    """``n_workers`` local processes, each holding the model."""

    def __init__(self, n_workers: int) -> None:
        self.n_workers = int(n_workers)
        self._pool: ProcessPoolExecutor | None = None

    def start(self, source: ModelSource, options: BatchOptions) -> None:
        import multiprocessing

        self._pool = ProcessPoolExecutor(
            max_workers=self.n_workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_process,
            initargs=(source, options),
        )
        # Fail now, with the worker's message, if the model cannot be loaded.
        try:
            for future in [self._pool.submit(_process_ready) for _ in range(self.n_workers)]:
                future.result()
        except Exception as exc:
            self.close()
            raise BatchError(f"the worker processes could not start: {_cause(exc)}") from exc

    def map_unordered(self, tasks: Iterable[list[TextRecord]]) -> Iterator[list[TextResult]]:
        assert self._pool is not None, "start() first"
        limit = self.n_workers * IN_FLIGHT_PER_WORKER
        pending: set[Future] = set()
        iterator = iter(tasks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and len(pending) < limit:
                task = next(iterator, None)
                if task is None:
                    exhausted = True
                else:
                    pending.add(self._pool.submit(_process_task, task))
            if not pending:
                break
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                try:
                    yield future.result()
                except Exception as exc:
                    raise BatchError(f"a worker process failed: {_cause(exc)}") from exc

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _cause(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def make_backend(
    name: str, workers: int = 1, ray_address: str | None = None, model: Any = None, **ray_options: Any
) -> Backend:
    """The backend called ``name`` (``local`` or ``ray``) with ``workers`` workers.

    ``ray_options`` go to :class:`~lime_core.batch.ray_backend.RayBackend` (``max_attempts``, ``wait_seconds``,
    ``model_from``, ``notify``); the local backends take none.
    """
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if name == "local":
        return InProcessBackend(model) if workers == 1 else ProcessBackend(workers)
    if name == "ray":
        from .ray_backend import RayBackend  # Ray is an optional extra: imported only when asked for

        return RayBackend(workers, ray_address, **ray_options)
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
