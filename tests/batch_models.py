"""A small real text classifier for batch tests, and a synthetic two-topic dataset for it.

:func:`train_pipeline` fits a scikit-learn CountVectorizer + LogisticRegression
in well under a second. :class:`LoggingPipeline` wraps it so that a test can see
which texts a *separate process* sent to the model: with ``LIME_TEST_MODEL_LOG``
set, every text is appended to that file (one JSON string per line), and
``LIME_TEST_MODEL_DELAY`` adds a pause per call so that a run can be killed
mid-way. It is pickled with joblib and loaded with ``--pipeline`` like any user pipeline.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

SPORT = ["goal", "match", "team", "league", "coach", "striker", "season", "referee", "stadium", "cup"]
TECH = ["laptop", "software", "chip", "server", "code", "battery", "screen", "network", "update", "cloud"]
FILLER = ["the", "a", "was", "and", "we", "saw", "new", "today", "very", "after", "this", "our"]
CLASSES = ["sport", "tech"]
LOG_ENV = "LIME_TEST_MODEL_LOG"
DELAY_ENV = "LIME_TEST_MODEL_DELAY"


def make_texts(n: int, seed: int = 0, words: int = 12) -> tuple[list[str], list[str]]:
    """``n`` texts mixing one topic's words (mostly) with filler, and their topics."""
    rng = np.random.default_rng(seed)
    texts, labels = [], []
    for i in range(n):
        label = CLASSES[i % 2]
        own, other = (SPORT, TECH) if label == "sport" else (TECH, SPORT)
        pool = [*rng.choice(own, 5), *rng.choice(other, 1), *rng.choice(FILLER, words - 6)]
        rng.shuffle(pool)
        texts.append(f"{i}: " + " ".join(pool))
        labels.append(label)
    return texts, labels


def train_pipeline():
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, labels = make_texts(200, seed=123)
    return make_pipeline(CountVectorizer(), LogisticRegression(C=1.0, max_iter=500)).fit(texts, labels)


class LoggingPipeline:
    """A fitted pipeline that can log every text it is asked about to the file named by LIME_TEST_MODEL_LOG.

    ``log`` and ``delay`` given here travel with the pickle (to Ray nodes started before the test, whose
    environment it cannot change) and win over the environment variables.
    """

    def __init__(self, pipeline, log: str | None = None, delay: float | None = None) -> None:
        self.pipeline = pipeline
        self.classes_ = pipeline.classes_
        self.log = log
        self.delay = delay

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        delay = self.delay if self.delay is not None else float(os.environ.get(DELAY_ENV) or 0)
        if delay:
            time.sleep(delay)
        log = self.log or os.environ.get(LOG_ENV)
        if log:
            with open(log, "a", encoding="utf-8") as fh:
                fh.writelines(json.dumps(t) + "\n" for t in texts)
        return self.pipeline.predict_proba(texts)


class DriverOnlyPipeline(LoggingPipeline):
    """A pipeline whose file vanishes the first time it is unpickled: only the first process to open it can.

    In a Ray run the driver opens a ``--pipeline`` file first, so any worker that tried to open the path
    itself would find nothing there.
    """

    def __init__(self, pipeline, path: str, **kwargs) -> None:
        super().__init__(pipeline, **kwargs)
        self.path = path

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        Path(self.path).unlink(missing_ok=True)


class CrashingPipeline(LoggingPipeline):
    """A pipeline whose process dies (as on an out-of-memory kill) when it is asked about one given text."""

    def __init__(self, pipeline, poison: str, **kwargs) -> None:
        super().__init__(pipeline, **kwargs)
        self.poison = poison

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if self.poison in texts:
            os._exit(1)
        return super().predict_proba(texts)


def write_synthetic_run(folder: Path, n: int, seed: int = 0, words_per_text: int = 10) -> None:
    """A finished batch run's folder with ``n`` texts, written straight to Parquet (no model): for page scale tests.

    Four classes, about one text in ten misclassified, verdicts and fidelities spread like a real run's, and
    ``words_per_text`` weights per text from a vocabulary of 500 words. No stored JSON explanations.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from lime_core.batch.io import EXPLANATIONS_SCHEMA, WEIGHTS_SCHEMA, write_json

    rng = np.random.default_rng(seed)
    classes = ["alt.atheism", "comp.graphics", "sci.med", "soc.religion.christian"]
    vocabulary = [f"word{i}" for i in range(500)]
    label = rng.integers(0, 4, n)
    predicted = np.where(rng.random(n) < 0.1, (label + 1) % 4, label)
    ids = [f"t{i:05d}" for i in range(n)]
    columns = {
        "id": ids,
        "row": list(range(n)),
        "text": [" ".join(rng.choice(vocabulary, 40)) for _ in range(n)],
        "label": [classes[i] for i in label],
        "predicted_class": [classes[i] for i in predicted],
        "probabilities": [[0.1, 0.1, 0.1, 0.1] for _ in range(n)],
        "class_names": [classes] * n,
        "mean_KL_divergence": rng.gamma(2.0, 0.05, n).tolist(),
        "score": rng.uniform(0.5, 1.0, n).tolist(),
        "verdict": rng.choice(["trust", "check", "distrust"], n, p=[0.3, 0.6, 0.1]).tolist(),
        "n_samples": [1000] * n,
        "n_model_calls": rng.integers(200, 2000, n).tolist(),
        "seed": list(range(n)),
        "seconds": rng.uniform(0.1, 2.0, n).tolist(),
    }
    schema_names = EXPLANATIONS_SCHEMA.names
    table = pa.table({name: columns.get(name, [None] * n) for name in schema_names}, schema=EXPLANATIONS_SCHEMA)
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "explanations.parquet")
    m = n * words_per_text
    weights = {
        "id": np.repeat(ids, words_per_text).tolist(),
        "class": np.repeat([classes[i] for i in predicted], words_per_text).tolist(),
        "feature": rng.choice(vocabulary, m).tolist(),
        "weight": rng.normal(0, 0.2, m).tolist(),
    }
    pq.write_table(pa.table({name: weights.get(name, [None] * m) for name in WEIGHTS_SCHEMA.names},
                            schema=WEIGHTS_SCHEMA), folder / "weights.parquet")
    write_json(folder / "run.json", {"format": 1, "model": {"kind": "name", "value": "20ng-svm"}})
    write_json(folder / "status.json", {"state": "finished", "done": n, "total": n})


def ray_node_id() -> str | None:
    """The Ray node this process runs on (None outside Ray)."""
    try:
        import ray

        return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None
    except Exception:  # Ray missing or not connected: not on any node
        return None


class NodeHoldingPipeline(LoggingPipeline):
    """A pipeline whose worker on one Ray node holds its first text until the node is removed.

    On the node ``hold_node`` the first call logs its texts, writes ``marker`` (the texts it holds, as JSON) and
    then waits (at most ``hold_seconds``, a guard): that worker is known to have started and to hold a task. On
    any other node the first call waits for ``marker`` (at most ``hold_seconds``), so the held worker gets work
    however late it starts. A test removes the node once the marker is there, with no timing guesswork.
    """

    def __init__(self, pipeline, hold_node: str, marker: str, hold_seconds: float = 90.0, **kwargs) -> None:
        super().__init__(pipeline, **kwargs)
        self.hold_node = hold_node
        self.marker = marker
        self.hold_seconds = hold_seconds
        self._released = False

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not self._released:
            self._released = True
            texts = list(texts)
            marker = Path(self.marker)
            deadline = time.monotonic() + self.hold_seconds
            if ray_node_id() == self.hold_node:
                answer = super().predict_proba(texts)  # logged: these texts reached the model on this node
                marker.write_text(json.dumps(texts), encoding="utf-8")
                while time.monotonic() < deadline:  # held until the node is removed
                    time.sleep(0.05)
                return answer
            while not marker.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
        return super().predict_proba(texts)


class JoinGatedPipeline(LoggingPipeline):
    """A pipeline that notes which Ray node answers each call, for a test that adds a node mid-run.

    Every call appends its node's id to ``node_log``. Once the file ``gate`` exists (the test is adding a node),
    a worker on one of ``known_nodes`` waits before its next answer until a call from another node is noted
    (at most ``hold_seconds``, a guard): the texts still queued then wait for the new node's worker, however
    late it starts.
    """

    def __init__(self, pipeline, node_log: str, known_nodes: Sequence[str], gate: str, hold_seconds: float = 90.0,
                 **kwargs) -> None:
        super().__init__(pipeline, **kwargs)
        self.node_log = node_log
        self.known_nodes = list(known_nodes)
        self.gate = gate
        self.hold_seconds = hold_seconds
        self._released = False

    def _new_node_answered(self) -> bool:
        path = Path(self.node_log)
        return path.exists() and bool(set(path.read_text().split()) - set(self.known_nodes))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        node = ray_node_id() or "-"
        with open(self.node_log, "a", encoding="utf-8") as fh:
            fh.write(node + "\n")
        if not self._released and node in self.known_nodes and Path(self.gate).exists():
            deadline = time.monotonic() + self.hold_seconds
            while not self._new_node_answered() and time.monotonic() < deadline:
                time.sleep(0.05)
            self._released = True
        return super().predict_proba(texts)
