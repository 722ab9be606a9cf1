"""The Ray backend: one actor per worker, on a local Ray or a cluster, surviving lost workers.

This is the only module that imports Ray (an optional extra: ``pip install
lime-core[batch]``). Without an address and without ``RAY_ADDRESS`` a local
Ray is started for the run (no dashboard) and stopped at the end; with one,
the run joins that cluster and leaves it running. A Ray already initialised in
this process (e.g. by a test session or a notebook) is used as it is.

What a real cluster brings, and how each is met (docs/batch.md, "Running on a
Ray cluster"):

* **Lost workers.** A worker (actor) or its node can die. Only its tasks in
  flight are lost: their texts go back in the queue, one text per task, for
  the surviving workers, and a replacement worker is asked for (it starts
  when the cluster has a free CPU). A text is tried at most ``max_attempts``
  times; then it is recorded with its ``error`` and the run goes on. Texts
  whose results reached the driver are never sent again. Which text killed a
  worker is not known when it had several in flight (a finished task's reply
  can die with it), so each of them is tried again on a worker with nothing
  else in flight: a second loss is then charged to the text that caused it. The driver owns this
  bookkeeping rather than Ray's actor restarts, so that a retry is bounded per
  text and never waits for a dead node to come back.
* **A cluster smaller than asked.** The workers that fit the free CPUs start
  at once and the run says so ("2 workers asked, 1 CPU free: starting 1");
  the others stay queued in Ray and join when a CPU frees up (a node joins, or
  an autoscaler adds one). When no worker at all can start, the wait says what
  it waits for every few seconds and gives up after ``wait_seconds``.
* **The model travels with the job.** By default (``model_from="driver"``)
  the driver loads a ``--pipeline`` file or a bundled scikit-learn model once
  and puts it in Ray's object store; every worker, on any node, takes it from
  there, so the file or the trained-model cache need exist only beside the
  driver. A bundled transformer's checkpoint (the folder ``LIME_SENTIMENT_MODEL``
  names, or a hub model in the driver's Hugging Face cache) travels as its
  files: the driver reads them once into the object store, and each worker
  writes them to a temporary folder on its own node, loads the model from there
  (on its own device) and removes the folder. A remote ``--url`` model is
  opened by each worker (``model_from="nodes"`` does that for every model).

The actors get the driver's model settings (``LIME_*`` paths) and
``HF_HUB_OFFLINE`` / ``TRANSFORMERS_OFFLINE`` through their runtime
environment. The API token is never put there: Ray keeps runtime
environments in its control store, so on a cluster each node reads
``LIME_API_TOKEN`` from its own environment (a local Ray started for the run
inherits the driver's, and stops with the run), and a URL carrying credentials
(user info, a secret query parameter) is refused, since the workers' arguments
are kept there too. A local transformer asks for a
GPU per actor when the cluster has GPUs (a share of one when there are more
actors than GPUs).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import LimeCoreError, ModelUnavailableError, RemoteAuthError
from .backends import IN_FLIGHT_PER_WORKER, BatchError, limit_blas_threads
from .choices import DEFAULT_MAX_ATTEMPTS, DEFAULT_WAIT_SECONDS, MODEL_FROM
from .io import TextRecord
from .work import BatchOptions, ModelSource, TextResult, Worker, failed_result

# Settings copied from the driver into every actor (never the token: see the module docstring).
FORWARDED_ENV = (
    "HF_HUB_OFFLINE",
    "TRANSFORMERS_OFFLINE",
    "HF_HOME",
    "LIME_20NG_ARCHIVE",
    "LIME_SENTIMENT_MODEL",
    "LIME_CACHE_DIR",
)
NOTE_SECONDS = 10.0  # a wait says what it waits for this often

Notify = Callable[[str], None]


@dataclass(frozen=True)
class CheckpointFiles:
    """A transformer checkpoint's files as the driver read them, for the object store: ``folder`` is the
    checkpoint folder's name (the model is named by it), ``files`` its ``(path inside it, content)`` pairs."""

    folder: str
    files: tuple[tuple[str, bytes], ...]

    @property
    def size(self) -> int:
        return sum(len(content) for _, content in self.files)


def checkpoint_folder(source: ModelSource) -> Path | None:
    """The folder the bundled transformer ``source`` loads from on the driver: the folder ``LIME_SENTIMENT_MODEL``
    names, or a hub model's snapshot in the local Hugging Face cache; None when it is neither (a hub model not
    cached here: each node then downloads it)."""
    if not source.is_transformer():
        return None
    from ..models.transformer import is_local_reference
    from ..settings import get_settings

    reference = get_settings().sentiment_model
    if is_local_reference(reference):
        return Path(reference) if Path(reference).is_dir() else None
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(reference, local_files_only=True))
    except Exception:  # not in the cache (or no huggingface_hub): the nodes open it by name
        return None


def read_checkpoint(folder: Path) -> CheckpointFiles:
    """Every file under ``folder`` (links followed: the Hugging Face cache links its snapshots' files)."""
    files = tuple(
        (path.relative_to(folder).as_posix(), path.read_bytes())
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".cache" not in path.relative_to(folder).parts
    )
    return CheckpointFiles(folder.name, files)


@contextlib.contextmanager
def unpacked_checkpoint(checkpoint: CheckpointFiles) -> Iterator[Path]:
    """The checkpoint written to a temporary folder on this node, removed on leaving (the model is in memory by
    then; on Linux a memory-mapped weights file stays readable after its folder is removed)."""
    root = Path(tempfile.mkdtemp(prefix="lime-checkpoint-"))
    try:
        folder = root / checkpoint.folder
        for name, content in checkpoint.files:
            path = folder / name
            if folder.resolve() not in path.resolve().parents:  # a name that would leave the folder
                raise ModelUnavailableError(f"the checkpoint sent by the driver holds a bad file name: {name!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        yield folder
    finally:
        shutil.rmtree(root, ignore_errors=True)


class _ExplainActor:
    """Ray actor body: one loaded model, explaining the tasks it is given."""

    def __init__(
        self, source: ModelSource, options: BatchOptions, model: Any = None, checkpoint: Any = None
    ) -> None:
        # ``model`` is the driver's loaded model, resolved by Ray from the object store; None: load it here.
        # ``checkpoint`` (CheckpointFiles, from the object store too) is a transformer's files: the worker loads
        # the model from its own copy of them.
        limit_blas_threads()
        if checkpoint is None:
            self.worker = Worker(source, options, model=model)
            return
        from ..settings import ENV_SENTIMENT_MODEL

        before = os.environ.get(ENV_SENTIMENT_MODEL)
        with unpacked_checkpoint(checkpoint) as folder:
            os.environ[ENV_SENTIMENT_MODEL] = str(folder)
            try:
                self.worker = Worker(source, options)
            finally:  # the folder goes now: nothing may look for it later
                if before is None:
                    os.environ.pop(ENV_SENTIMENT_MODEL, None)
                else:
                    os.environ[ENV_SENTIMENT_MODEL] = before

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


def ships_model(source: ModelSource, model_from: str) -> bool:
    """Whether the driver loads the model and sends it to the workers (else each worker opens it itself)."""
    if model_from not in MODEL_FROM:
        raise ValueError(f"model_from must be one of {', '.join(MODEL_FROM)}, not {model_from!r}")
    # A remote model is only a URL (its token is each node's own), opened by the workers; a transformer picks its
    # device where it loads, so its checkpoint's files travel instead (ships_checkpoint).
    return model_from == "driver" and source.kind != "url" and not source.is_transformer()


def ships_checkpoint(source: ModelSource, model_from: str) -> bool:
    """Whether the driver sends a transformer's checkpoint files to the workers (they load the model from them)."""
    return model_from == "driver" and source.is_transformer()


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


class RayBackend:
    """``n_workers`` Ray actors that survive lost workers and fit the cluster they find (module docstring)."""

    def __init__(
        self,
        n_workers: int,
        address: str | None = None,
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        wait_seconds: float = DEFAULT_WAIT_SECONDS,
        model_from: str = "driver",
        notify: Notify | None = None,
    ) -> None:
        if max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {max_attempts}")
        self.n_workers = int(n_workers)
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.max_attempts = int(max_attempts)
        self.wait_seconds = float(wait_seconds)
        self.model_from = model_from
        self.notify = notify
        self._ray: Any = None
        self._started_ray = False
        self._actor_class: Any = None
        self._actor_options: dict[str, Any] = {}
        self._init_args: tuple[Any, ...] = ()
        self._model_ref: Any = None
        self._checkpoint_ref: Any = None
        self._starting: dict[Any, Any] = {}  # ready() ref -> actor not yet known to be up
        self._working: list[Any] = []  # actors that are up
        self._slots: list[Any] = []  # one entry per task an actor may take now
        self._replacements_left = 0
        self.lost_workers = 0
        self.retried_texts = 0

    # -- notes ---------------------------------------------------------------------------------------------------

    def _note(self, message: str) -> None:
        if self.notify is not None:
            self.notify(message)

    # -- start -----------------------------------------------------------------------------------------------------

    def start(self, source: ModelSource, options: BatchOptions) -> None:
        ray = self._ray = _import_ray()
        ships = ships_model(source, self.model_from)  # a bad model_from fails before Ray starts
        if source.kind == "url":
            from ..models.remote.display import url_carries_secrets

            if url_carries_secrets(source.value):
                # The workers' arguments are kept in Ray's control store for their lifetime (and shown by its
                # state API): a credential in the URL would be stored there.
                raise BatchError(
                    f"the URL {source.shown_value} carries credentials (user info or a secret query parameter); "
                    "the ray backend would store them in Ray's control store with each worker: give the token "
                    "in LIME_API_TOKEN on every node instead"
                )
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
        self._options = options
        model = None
        if ships:
            try:
                model = source.open(multi_label=bool(options.multi_label))
            except (LimeCoreError, OSError) as exc:
                raise BatchError(f"the model could not be loaded: {' '.join(str(exc).split())}") from exc
            self._model_ref = ray.put(model)
            del model
        folder = checkpoint_folder(source) if ships_checkpoint(source, self.model_from) else None
        if folder is not None:
            try:
                checkpoint = read_checkpoint(folder)
            except OSError as exc:
                raise BatchError(f"the model's checkpoint could not be read: {' '.join(str(exc).split())}") from exc
            self._checkpoint_ref = ray.put(checkpoint)
            del checkpoint
        resources = ray.cluster_resources()
        gpus = float(resources.get("GPU", 0))
        num_gpus = min(1.0, gpus / self.n_workers) if gpus > 0 and source.is_transformer() else 0
        self._actor_class = ray.remote(_ExplainActor)
        self._actor_options = {
            "num_cpus": 1,
            "num_gpus": num_gpus,
            "max_restarts": 0,  # a lost worker is replaced by the driver, which knows what it held
            "runtime_env": {"env_vars": actor_env(local=not self.address)},
        }
        self._init_args = (source, options, self._model_ref, self._checkpoint_ref)
        self._replacements_left = self.n_workers * self.max_attempts

        free = float(ray.available_resources().get("CPU", 0))
        total = float(resources.get("CPU", 0))
        fits = min(self.n_workers, int(free))
        if fits < self.n_workers:
            rest = self.n_workers - fits
            self._note(
                f"{_plural(self.n_workers, 'worker')} asked, {_plural(free, 'CPU')} free "
                f"(of {total:g} in the cluster; each worker takes 1): starting {fits}; "
                f"the other {rest} {'joins' if rest == 1 else 'join'} when the cluster has a free CPU"
            )
        for _ in range(self.n_workers):
            self._launch()
        self._wait_for_a_worker(starting_run=True)

    def _launch(self) -> None:
        actor = self._actor_class.options(**self._actor_options).remote(*self._init_args)
        self._starting[actor.ready.remote()] = actor

    def _started(self, ref: Any, starting_run: bool) -> None:
        """A worker's ready() answered: it is up, or it could not start (its model, its node)."""
        actor = self._starting.pop(ref)
        try:
            self._ray.get(ref)
        except Exception as exc:
            self._kill(actor)
            if starting_run and not self._working:
                raise BatchError(f"the Ray workers could not load the model: {_ray_cause(exc)}") from exc
            self._note(f"a Ray worker could not start: {_ray_cause(exc)}")
            return
        self._working.append(actor)
        self._slots.extend([actor] * IN_FLIGHT_PER_WORKER)
        if not starting_run or len(self._working) > 1:
            self._note(f"a Ray worker joined: {len(self._working)} working")

    def _wait_for_a_worker(self, starting_run: bool = False, waiting_texts: int = 0) -> None:
        """Until at least one worker is up; says what it waits for, and gives up after ``wait_seconds``."""
        ray = self._ray
        if not self._starting and not self._working:
            if self._replacements_left <= 0:
                raise BatchError(
                    f"every Ray worker was lost, {self.lost_workers} in all, more than this run replaces "
                    f"({self.n_workers} x {self.max_attempts}); the finished texts are saved: run again with --resume"
                )
            self._replacements_left -= 1
            self._launch()
        started = time.monotonic()
        deadline = started + self.wait_seconds
        while not self._working:
            left = deadline - time.monotonic()
            if left <= 0:
                free = float(ray.available_resources().get("CPU", 0))
                raise BatchError(
                    f"no Ray worker could start in {self.wait_seconds:g} s: each needs 1 CPU and the cluster has "
                    f"{_plural(free, 'CPU')} free. Free some, add a node, or wait longer with --ray-wait"
                    + ("; the finished texts are saved: run again with --resume" if not starting_run else "")
                )
            done, _ = ray.wait(list(self._starting), num_returns=1, timeout=min(NOTE_SECONDS, left))
            for ref in done:
                self._started(ref, starting_run)
            if not done and not self._working:
                free = float(ray.available_resources().get("CPU", 0))
                what = f" ({waiting_texts} texts wait for it)" if waiting_texts else ""
                self._note(
                    f"waiting for a Ray worker to start{what}: {len(self._starting)} queued or loading the model, "
                    f"{_plural(free, 'CPU')} free in the cluster, {time.monotonic() - started:.0f} s of "
                    f"{self.wait_seconds:g} s"
                )
            if not self._starting and not self._working:  # the one that was starting failed: try another
                self._wait_for_a_worker(starting_run, waiting_texts)
                return

    # -- run -------------------------------------------------------------------------------------------------------

    def map_unordered(self, tasks: Iterable[list[TextRecord]]) -> Iterator[list[TextResult]]:
        ray = self._ray
        assert ray is not None and self._actor_class is not None, "start() first"
        iterator = iter(tasks)
        exhausted = False
        again: deque[_Retry] = deque()  # texts to try again
        # ref -> (actor, its texts, their tries so far, the actor's slots it holds); in the order sent, which is
        # the order each actor runs them
        pending: dict[Any, tuple[Any, list[TextRecord], int, int]] = {}
        while True:
            while self._slots:
                if again and again[0].alone:
                    actor = self._idle_actor()
                    if actor is None:  # it waits for a worker with nothing in flight; the others wait behind it
                        break
                    retry = again.popleft()
                    records, tries, held = retry.records, retry.tries, IN_FLIGHT_PER_WORKER
                    self._slots = [a for a in self._slots if a is not actor]
                    pending[actor.explain.remote(records)] = (actor, records, tries, held)
                    continue
                if again:
                    retry = again.popleft()
                    records, tries = retry.records, retry.tries
                elif not exhausted:
                    task = next(iterator, None)
                    if task is None:
                        exhausted = True
                        continue
                    records, tries = task, 0
                else:
                    break
                actor = self._slots.pop(0)
                pending[actor.explain.remote(records)] = (actor, records, tries, 1)
            if not pending:
                if exhausted and not again:
                    return
                self._wait_for_a_worker(waiting_texts=sum(len(retry.records) for retry in again))
                continue
            done, _ = ray.wait([*pending, *self._starting], num_returns=1)
            for ref in done:
                if ref in self._starting:
                    self._started(ref, starting_run=False)
                    continue
                if ref not in pending:  # a task of a worker already found lost, and re-queued then
                    continue
                actor, records, tries, held = pending[ref]
                try:
                    results = ray.get(ref)
                except ray.exceptions.RayTaskError as exc:  # the worker raised; it is still up
                    cause = _ray_cause(exc)
                    if isinstance(getattr(exc, "cause", None), (RemoteAuthError, ModelUnavailableError)):
                        raise BatchError(f"a Ray worker failed: {cause}") from exc
                    del pending[ref]
                    self._slots.extend([actor] * held)
                    yield from self._again(records, tries + 1, cause, again, alone=False)
                    continue
                except ray.exceptions.RayError as exc:  # the worker or its node is gone, with all its tasks
                    self._lose(actor, exc)
                    reason = f"its Ray worker was lost ({_ray_cause(exc)})"
                    lost = []
                    for other in [r for r in pending if pending[r][0] is actor]:
                        answered = self._answered(other)
                        texts, texts_tries = pending.pop(other)[1:3]
                        if answered is not None:  # its reply reached the driver before the loss did
                            yield answered
                        else:
                            lost.append((texts, texts_tries))
                    # An actor runs its tasks in the order sent: its oldest unanswered one was running and counts
                    # as a try for its texts; those queued behind it never started and go back as they were.
                    for i, (texts, texts_tries) in enumerate(lost):
                        yield from self._again(texts, texts_tries + (i == 0), reason, again, alone=True)
                    continue
                del pending[ref]
                self._slots.extend([actor] * held)
                yield results

    def _again(
        self, records: list[TextRecord], tries: int, reason: str, again: deque[_Retry], alone: bool
    ) -> Iterator[list[TextResult]]:
        """Texts of a failed task: one per task for another try, or recorded as failed after the last one.

        ``tries`` counts the times they were running when their worker failed or was lost; ``alone``: each is
        tried on a worker with nothing else in flight.
        """
        if tries >= self.max_attempts:
            yield [failed_result(r, self._options.seed, f"failed {tries} times: {reason}") for r in records]
            return
        self.retried_texts += len(records)
        again.extend(_Retry([record], tries, alone) for record in records)  # one per task: a bad text costs itself

    def _idle_actor(self) -> Any:
        """A worker with nothing in flight (all its slots free), or None."""
        return next((a for a in self._working if self._slots.count(a) == IN_FLIGHT_PER_WORKER), None)

    def _answered(self, ref: Any) -> list[TextResult] | None:
        """The results of a lost worker's task if they reached the driver, else None."""
        ready, _ = self._ray.wait([ref], timeout=0)
        if not ready:
            return None
        try:
            return self._ray.get(ref)
        except Exception:  # lost with the worker, or it raised: tried again with the others
            return None

    def _lose(self, actor: Any, exc: BaseException) -> None:
        """Forget a worker that is gone (once, however many of its tasks report it), and ask for another."""
        if actor not in self._working:
            return
        self._working.remove(actor)
        self._slots = [a for a in self._slots if a is not actor]
        self._kill(actor)
        self.lost_workers += 1
        replace = self._replacements_left > 0
        if replace:
            self._replacements_left -= 1
            self._launch()
        self._note(
            f"a Ray worker was lost ({_ray_cause(exc)[:160]}); its texts in flight go to the other workers; "
            f"{len(self._working)} working"
            + ("; a replacement starts when the cluster has a free CPU" if replace else "")
        )

    def _kill(self, actor: Any) -> None:
        with contextlib.suppress(Exception):  # already gone
            self._ray.kill(actor)

    def close(self) -> None:
        ray = self._ray
        if ray is None:
            return
        for actor in [*self._working, *self._starting.values()]:
            self._kill(actor)
        self._working, self._starting, self._slots = [], {}, []
        self._model_ref = self._checkpoint_ref = None
        self._init_args = ()
        if self._started_ray:
            ray.shutdown()
            self._started_ray = False


@dataclass(frozen=True)
class _Retry:
    """Texts to try again: their tries so far, and whether on a worker with nothing else in flight."""

    records: list[TextRecord]
    tries: int
    alone: bool


def _ray_cause(exc: BaseException) -> str:
    """The worker's own error message rather than Ray's wrapper with a remote traceback.

    A worker whose ``__init__`` raised (its model could not load) is reported by Ray as the actor's death with
    the traceback in the message: its last line is the worker's own error. A worker or node that died is
    reported in several lines: the first says what happened, the last why.
    """
    cause = getattr(exc, "cause", None) or exc.__cause__ or exc
    inner = getattr(cause, "cause", None)
    if isinstance(inner, BaseException):
        cause = inner
    lines = [line.strip() for line in _ANSI.sub("", str(cause)).splitlines() if line.strip()]
    if not lines:
        return type(cause).__name__
    if "creation task" in lines[0] or "Traceback" in lines[0]:
        last = _EXCEPTION_LINE.match(lines[-1])
        return last.group(1) if last else lines[-1]
    text = lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"
    return " ".join(text.split()).split(" Traceback")[0][:300]


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit): (.+)$")
