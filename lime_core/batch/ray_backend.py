"""The Ray backend: one actor per worker, each loading the model once, on a local Ray or a cluster.

This is the only module that imports Ray (an optional extra: ``pip install
lime-core[batch]``). Without an address and without ``RAY_ADDRESS`` a local
Ray is started for the run (no dashboard) and stopped at the end; with one,
the run joins that cluster and leaves it running. A Ray already initialised in
this process (e.g. by a test session or a notebook) is used as it is.

The actors get the driver's model settings (``LIME_*`` paths) and
``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` through their runtime
environment. The API token is never put there: Ray keeps runtime
environments in its control store, so on a cluster each node reads
``LIME_API_TOKEN`` from its own environment. A local transformer asks for a
GPU per actor when the cluster has GPUs (a share of one when there are more
actors than GPUs). See docs/batch.md for running on a cluster.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from .backends import IN_FLIGHT_PER_WORKER, BatchError, limit_blas_threads
from .io import TextRecord
from .work import BatchOptions, ModelSource, TextResult, Worker

# Settings copied from the driver into every actor (never the token: see the module docstring).
FORWARDED_ENV = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_HOME",
    "LIME_20NG_ARCHIVE",
    "LIME_SENTIMENT_MODEL",
    "LIME_CACHE_DIR",
)


class _ExplainActor:
    """Ray actor body: one loaded model, explaining the tasks it is given."""

    def __init__(self, source: ModelSource, options: BatchOptions) -> None:
        limit_blas_threads()
        self.worker = Worker(source, options)

    def ready(self) -> int:
        return os.getpid()

    def explain(self, records: list[TextRecord]) -> list[TextResult]:
        return self.worker.explain_many(records)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise BatchError(
            "the ray backend needs Ray, which is not installed: pip install 'lime-core[batch]' (or ray==2.60.0)"
        ) from None
    return ray


def actor_env(local: bool) -> dict[str, str]:
    """Environment variables for the actors: the driver's model settings, and on a local Ray its import path."""
    env = {name: os.environ[name] for name in FORWARDED_ENV if os.environ.get(name)}
    if local:  # the package may run from a checkout rather than be installed; on a cluster it must be installed
        package_parent = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
    return env


class RayBackend:
    """``n_workers`` Ray actors."""

    def __init__(self, n_workers: int, address: str | None = None) -> None:
        self.n_workers = int(n_workers)
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self._ray: Any = None
        self._started_ray = False
        self._actors: list[Any] = []

    def start(self, source: ModelSource, options: BatchOptions) -> None:
        ray = self._ray = _import_ray()
        if not ray.is_initialized():
            try:
                if self.address:
                    ray.init(address=self.address, log_to_driver=False)  # the cluster keeps its own settings
                else:
                    ray.init(num_cpus=self.n_workers, include_dashboard=False, log_to_driver=False)
            except Exception as exc:
                where = f"the Ray cluster at {self.address}" if self.address else "a local Ray"
                raise BatchError(f"could not start or join {where}: {' '.join(str(exc).split())}") from exc
            self._started_ray = True
        resources = ray.cluster_resources()
        cpus = float(resources.get("CPU", 0))
        if cpus < self.n_workers:
            raise BatchError(
                f"the Ray cluster has {cpus:g} CPUs, fewer than the {self.n_workers} workers asked for "
                "(each worker takes one CPU); ask for fewer workers"
            )
        gpus = float(resources.get("GPU", 0))
        num_gpus = min(1.0, gpus / self.n_workers) if gpus > 0 and source.is_transformer() else 0
        actor_class = ray.remote(_ExplainActor)
        env = actor_env(local=not self.address)
        self._actors = [
            actor_class.options(num_cpus=1, num_gpus=num_gpus, runtime_env={"env_vars": env}).remote(source, options)
            for _ in range(self.n_workers)
        ]
        try:
            ray.get([actor.ready.remote() for actor in self._actors])
        except Exception as exc:
            self.close()
            raise BatchError(f"the Ray workers could not load the model: {_ray_cause(exc)}") from exc

    def map_unordered(self, tasks: Iterable[list[TextRecord]]) -> Iterator[list[TextResult]]:
        ray = self._ray
        assert ray is not None and self._actors, "start() first"
        idle = list(self._actors) * IN_FLIGHT_PER_WORKER
        pending: dict[Any, Any] = {}  # object ref -> actor
        iterator = iter(tasks)
        exhausted = False
        while pending or not exhausted:
            while not exhausted and idle:
                task = next(iterator, None)
                if task is None:
                    exhausted = True
                    break
                actor = idle.pop(0)
                pending[actor.explain.remote(task)] = actor
            if not pending:
                break
            done, _ = ray.wait(list(pending), num_returns=1)
            for ref in done:
                idle.append(pending.pop(ref))
                try:
                    yield ray.get(ref)
                except Exception as exc:
                    raise BatchError(f"a Ray worker failed: {_ray_cause(exc)}") from exc

    def close(self) -> None:
        ray = self._ray
        if ray is None:
            return
        for actor in self._actors:
            with contextlib.suppress(Exception):  # already gone
                ray.kill(actor)
        self._actors = []
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False


def _ray_cause(exc: BaseException) -> str:
    """The worker's own error message rather than Ray's wrapper with a remote traceback."""
    cause = getattr(exc, "cause", None) or exc.__cause__ or exc
    inner = getattr(cause, "cause", None)
    if inner is not None:
        cause = inner
    return " ".join(str(cause).split()).split(" Traceback")[0] or type(cause).__name__
