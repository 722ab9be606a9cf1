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
